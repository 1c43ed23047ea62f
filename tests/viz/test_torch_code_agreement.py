"""The one rule for "equal to torch" that every page's ✅ uses."""

from __future__ import annotations

from vizconv.viz.torch_code import TOLERANCE, agrees


def test_agreement_is_float32_rounding_relative_to_the_values_size():
    assert TOLERANCE == 1e-4
    assert agrees(5e-5, 0.3) and not agrees(2e-4, 0.3)  # small values: an absolute 1e-4
    assert agrees(-0.009, 100.0) and not agrees(0.011, 100.0)  # large values: relative to their size
    assert agrees(0.009, -100.0)  # the size's sign does not matter
