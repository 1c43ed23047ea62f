"""trace_interpolate against F.interpolate: every output value explained by its taps and weights."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from vizconv import ParameterError, trace_interpolate
from vizconv.ops.upsample import UPSAMPLE_MODES


@given(
    mode=st.sampled_from(UPSAMPLE_MODES),
    scale=st.integers(1, 4),
    corners=st.booleans(),
    c=st.integers(1, 2),
    h=st.integers(1, 6),
    w=st.integers(1, 6),
    seed=st.integers(0, 2**16),
)
def test_output_is_torch_and_every_step_recomputes_it(mode, scale, corners, c, h, w, seed):
    corners = corners and mode != "nearest"
    torch.manual_seed(seed)
    x = torch.randn(c, h, w)
    trace = trace_interpolate(x, mode, scale, corners)
    expected = F.interpolate(
        x[None], scale_factor=scale, mode=mode, align_corners=None if mode == "nearest" else corners
    )
    torch.testing.assert_close(trace.output, expected[0])
    assert trace.output.shape == (c, h * scale, w * scale)
    for ch in range(c):
        for oy in range(h * scale):
            for ox in range(w * scale):
                step = trace.step(ch, oy, ox)
                assert step.value == pytest.approx(float(trace.output[ch, oy, ox]), abs=1e-5)
                assert step.weights.sum() == pytest.approx(1.0)
                assert all(0 <= r < h for r in step.rows) and all(0 <= q < w for q in step.cols)


def test_nearest_repeats_each_value_in_a_block():
    x = torch.tensor([[[1.0, 2.0], [3.0, 4.0]]])
    trace = trace_interpolate(x, "nearest", 2)
    assert trace.output[0].tolist() == [[1, 1, 2, 2], [1, 1, 2, 2], [3, 3, 4, 4], [3, 3, 4, 4]]
    step = trace.step(0, 3, 2)
    assert (step.rows, step.cols, step.value) == ((1,), (1,), 4.0)


def test_bilinear_weights_are_distances():
    x = torch.tensor([[[0.0, 4.0]]])
    step = trace_interpolate(x, "bilinear", 2).step(0, 0, 1)  # source column (1 + 0.5) / 2 - 0.5 = 0.25
    assert step.source[1] == pytest.approx(0.25)
    assert step.cols == (0, 1) and step.col_weights == pytest.approx((0.75, 0.25))
    assert step.value == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("area", 2), "is not one of"),
        (("nearest", 0), "at least 1"),
        (("nearest", 2.0), "whole number"),
        (("bilinear", 20), "too large"),
        (("nearest", 2, True), "align_corners only applies"),
    ],
)
def test_invalid_settings_are_explained(args, message):
    with pytest.raises(ParameterError, match=message):
        trace_interpolate(torch.zeros(1, 3, 3), *args)
