"""The Transposed convolution page's view functions without Streamlit, against torch where it has an answer."""

from __future__ import annotations

from dataclasses import asdict

import pytest
import torch
import torch.nn.functional as F
from hypothesis import assume, given
from hypothesis import strategies as st

from vizconv.i18n.strings import LANGUAGES, STRINGS, text
from vizconv.ops.transposed import EXAMPLES, layer_weight, trace_conv_transpose2d
from vizconv.views.transposed import (
    LIMITS,
    VIEWS,
    TransposedSettings,
    build_input,
    empty_line_reason,
    example_mismatch,
    example_settings,
    gather_latex,
    output_padding_choices,
    unused_settings,
    weight_signature,
)

DEFAULTS = asdict(TransposedSettings())


@pytest.mark.parametrize("key", list(EXAMPLES))
def test_an_example_brings_the_layer_of_its_source(key):
    """With the settings an example brings, its own kernel fits (no mismatch) and the layer gives the output the
    example's source prints (torch's own conv_transpose2d of the example)."""
    values = DEFAULTS | {"source": "example", "example": key} | example_settings(key)
    x = build_input(values)
    assert example_mismatch(values, x.shape[0]) is None
    weight = layer_weight("example", x.shape[0], 1, 1, values["kernel"], example=key)
    assert torch.equal(weight, torch.tensor(EXAMPLES[key].weight, dtype=torch.float32))
    trace = trace_conv_transpose2d(x, weight, stride=values["stride"], padding=values["padding"])
    expected = F.conv_transpose2d(x[None], weight, stride=values["stride"], padding=values["padding"])[0]
    torch.testing.assert_close(trace.output, expected)


def test_an_example_kernel_that_does_not_fit_is_named_with_both_shapes():
    values = DEFAULTS | {"source": "example", "example": "d2l_2x2"} | example_settings("d2l_2x2") | {"kernel": 3}
    assert example_mismatch(values, 1) == ("1×1×2×2", "1×1×3×3")
    assert example_mismatch(values | {"preset": "ones"}, 1) is None  # the preset is not the example's kernel


def test_random_inputs_stay_within_their_bounds_and_are_small_whole_numbers():
    x = build_input(DEFAULTS | {"source": "random", "channels": 2, "height": 4, "width": 5, "seed": 3})
    assert x.shape == (2, 4, 5)
    assert torch.equal(x, x.round()) and float(x.min()) >= 0 and float(x.max()) <= 4


@pytest.mark.parametrize("view", VIEWS)
def test_a_link_leaves_out_the_other_views_positions(view):
    unused = unused_settings(DEFAULTS | {"view": view})
    assert ("eq_position" in unused) == (view == "scatter")
    assert ("position" in unused) == (view == "equivalent")
    assert {"channels", "seed", "kernel_seed"} <= unused  # the default: an example, its own kernel
    assert not {"channels", "seed"} & unused_settings(DEFAULTS | {"source": "random"})
    assert unused <= set(LIMITS) | {"example"}


def test_the_weight_signature_changes_with_what_the_weight_depends_on_only():
    same = weight_signature(DEFAULTS, 1)
    assert weight_signature(DEFAULTS | {"stride": 3, "padding": 1, "bias": True, "view": "equivalent"}, 1) == same
    for changed in ({"preset": "ones"}, {"kernel": 2}, {"out_channels": 2}, {"groups": 2}):
        assert weight_signature(DEFAULTS | changed, 1) != same
    assert weight_signature(DEFAULTS, 2) != same


@given(
    size=st.integers(1, 6),
    kernel=st.integers(1, 5),
    stride=st.integers(1, 4),
    padding=st.integers(0, 4),
    dilation=st.integers(1, 3),
)
def test_output_padding_chooses_among_the_sizes_a_convolution_maps_back(size, kernel, stride, padding, dilation):
    """Every size in the range goes back to ``size`` under nn.Conv2d with these settings, and conv_transpose2d with
    output_padding p gives the range's p-th size: the page's sentence, checked by torch."""
    choices = output_padding_choices(size, kernel, stride, padding, dilation)
    low = (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + 1
    assume(low >= 1)
    if stride == 1:
        assert choices is None
        return
    assert choices == (low, low + stride - 1)
    weight = torch.ones(1, 1, kernel, kernel)
    for extra, out in enumerate(range(choices[0], choices[1] + 1)):
        back = F.conv2d(torch.zeros(1, 1, out, out), weight, stride=stride, padding=padding, dilation=dilation)
        assert back.shape[-1] == size
        if extra < max(stride, dilation):  # torch's rule for output_padding
            y = F.conv_transpose2d(
                torch.zeros(1, 1, size, size),
                weight,
                stride=stride,
                padding=padding,
                output_padding=extra,
                dilation=dilation,
            )
            assert y.shape[-1] == out


@given(
    c_in=st.integers(1, 3),
    size=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    kernel=st.integers(1, 3),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    dilation=st.integers(1, 2),
    bias=st.booleans(),
    seed=st.integers(0, 1000),
    data=st.data(),
)
def test_the_gathered_sum_is_torchs_output_at_every_cell(
    c_in, size, kernel, stride, padding, dilation, bias, seed, data
):
    """The written-out sum's total at each output cell is nn.ConvTranspose2d's value there, bias included."""
    torch.manual_seed(seed)
    x = torch.randn(c_in, *size)
    weight = torch.randn(c_in, 2, kernel, kernel)
    b = torch.randn(2) if bias else None
    try:
        expected = F.conv_transpose2d(x[None], weight, b, stride=stride, padding=padding, dilation=dilation)[0]
    except RuntimeError:  # an empty output: the page explains it
        assume(False)
    assume(expected.numel() > 0)
    trace = trace_conv_transpose2d(x, weight, b, stride=stride, padding=padding, dilation=dilation)
    oc = data.draw(st.integers(0, 1))
    oy = data.draw(st.integers(0, expected.shape[1] - 1))
    ox = data.draw(st.integers(0, expected.shape[2] - 1))
    latex, total = gather_latex(trace, oc, oy, ox)
    assert total == pytest.approx(float(expected[oc, oy, ox]), abs=1e-4)
    assert latex.startswith(f"y_{{{oc},{oy},{ox}}} = ")
    assert ("b_{" in latex) == bias


def test_an_empty_cell_is_explained_in_both_languages():
    """Stride 3 with a 1-wide kernel leaves rows 1, 2 unwritten: the reason is a catalogue text in each language
    with its numbers filled in."""
    trace = trace_conv_transpose2d(torch.ones(1, 2, 2), torch.ones(1, 1, 1, 1), stride=3)
    row, column = trace.coverage(1, 0)
    key, values = empty_line_reason(trace, 0, row)
    assert key == f"tconv.empty.rows.{row.kind}" and row.kind == "stride_gap"
    assert key in STRINGS
    for lang in LANGUAGES:
        written = text(key, lang, **values)
        assert "{" not in written and "3" in written  # the stride
    assert gather_latex(trace, 0, 1, 0)[1] == 0.0
