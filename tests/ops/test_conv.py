"""trace_conv2d against torch: outputs, steps and invalid configurations."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from torch import nn

from tests_support import conv_configs, reference_conv, trace_of
from vizconv import ParameterError, trace_conv2d


@given(conv_configs())
def test_matches_nn_conv2d_or_both_reject(config):
    """Where torch computes an output ours is equal; where torch refuses, ours raises ParameterError."""
    try:
        conv, x, expected = reference_conv(config)
    except (RuntimeError, ValueError, NotImplementedError):
        conv = nn.Conv2d(
            config["c_in"], config["c_out"], config["kernel"], groups=config["groups"], bias=config["bias"]
        )
        x = torch.randn(config["c_in"], *config["size"])
        with pytest.raises(ParameterError):
            trace_of(config, conv, x)
        return
    trace = trace_of(config, conv, x)
    assert trace.output.shape == expected.shape
    torch.testing.assert_close(trace.output, expected, rtol=1e-5, atol=1e-5)


@given(conv_configs(), st.data())
def test_steps_explain_the_output(config, data):
    """Any step's window is padded[rows x cols], products sum to the output value."""
    try:
        conv, x, expected = reference_conv(config)
    except (RuntimeError, ValueError, NotImplementedError):
        return
    trace = trace_of(config, conv, x)
    c_out, h_out, w_out = trace.output.shape
    oc = data.draw(st.integers(0, c_out - 1))
    oy = data.draw(st.integers(0, h_out - 1))
    ox = data.draw(st.integers(0, w_out - 1))
    step = trace.step(oc, oy, ox)
    channels = list(step.input_channels)
    assert len(channels) == config["c_in"] // config["groups"]
    torch.testing.assert_close(step.window, trace.padded[channels][:, step.rows][:, :, step.cols])
    torch.testing.assert_close(step.products, step.window * conv.weight.detach()[oc])
    torch.testing.assert_close(step.channel_sums, step.products.sum(dim=(1, 2)))
    assert step.value == pytest.approx(float(step.channel_sums.sum()) + step.bias, abs=1e-6)
    assert step.value == pytest.approx(float(expected[oc, oy, ox]), rel=1e-4, abs=1e-4)
    assert step.bias == (0.0 if conv.bias is None else pytest.approx(float(conv.bias.detach()[oc])))


def test_padded_is_what_the_kernel_sees():
    x = torch.arange(9.0).reshape(1, 3, 3)
    trace = trace_conv2d(x, torch.ones(1, 1, 3, 3), padding=1, padding_mode="reflect")
    torch.testing.assert_close(trace.padded[0], F.pad(x, (1, 1, 1, 1), mode="reflect")[0])
    assert trace.pads == (1, 1, 1, 1)


def test_same_padding_puts_the_extra_row_at_the_bottom_right():
    """An even kernel with padding="same" pads 0 before and 1 after, as torch does."""
    x = torch.randn(1, 5, 6)
    weight = torch.randn(1, 1, 2, 4)
    trace = trace_conv2d(x, weight, padding="same")
    assert trace.pads == (0, 1, 1, 2)
    torch.testing.assert_close(trace.output, F.conv2d(x[None], weight, padding="same")[0])


def test_classic_d2l_example():
    """Dive into Deep Learning's corr2d example: 19, 25, 37, 43."""
    x = torch.arange(9.0).reshape(1, 3, 3)
    trace = trace_conv2d(x, torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]]))
    assert trace.output[0].tolist() == [[19.0, 25.0], [37.0, 43.0]]
    step = trace.step(0, 1, 1)
    assert step.window[0].tolist() == [[4.0, 5.0], [7.0, 8.0]]
    assert step.value == 43.0


def test_depthwise_groups_use_one_channel_each():
    x = torch.randn(3, 5, 5)
    trace = trace_conv2d(x, torch.randn(6, 1, 3, 3), groups=3)
    assert trace.step(0, 0, 0).input_channels == (0,)
    assert trace.step(3, 0, 0).input_channels == (1,)
    assert trace.step(5, 0, 0).input_channels == (2,)


def test_integer_input_is_accepted_as_float():
    trace = trace_conv2d(torch.ones(1, 3, 3, dtype=torch.int64), torch.ones(1, 1, 2, 2))
    assert trace.output.dtype == torch.float32
    assert trace.output[0].tolist() == [[4.0, 4.0], [4.0, 4.0]]


def test_counts_and_reach():
    trace = trace_conv2d(torch.zeros(3, 8, 8), torch.zeros(4, 3, 3, 3), torch.zeros(4), stride=2)
    assert trace.out_size == (3, 3)
    assert trace.param_count == 4 * 3 * 9 + 4
    assert trace.mult_adds == 4 * 3 * 3 * 27
    # windows start at 0, 2, 4 and cover 3 cells: rows 0..6 of 8, row 7 is never used
    rows, cols = trace.read
    assert rows.tolist() == cols.tolist() == [True] * 7 + [False]
    assert trace.unread.sum() == 8 + 8 - 1


def test_lines_between_windows_and_taps_are_unread():
    # kernel 1, stride 3: windows read columns 0, 3, 6 only
    trace = trace_conv2d(torch.zeros(1, 1, 8), torch.zeros(1, 1, 1, 1), stride=3)
    assert trace.read[1].nonzero().flatten().tolist() == [0, 3, 6]
    # dilation 2, stride 2: every window reads even columns only
    trace = trace_conv2d(torch.zeros(1, 1, 9), torch.zeros(1, 1, 1, 3), stride=2, dilation=2)
    assert trace.read[1].nonzero().flatten().tolist() == [0, 2, 4, 6, 8]


@given(
    size=st.integers(1, 14),
    kernel=st.integers(1, 4),
    stride=st.integers(1, 5),
    dilation=st.integers(1, 3),
)
def test_unread_cells_are_exactly_those_the_output_does_not_depend_on(size, kernel, stride, dilation):
    """Against autograd: with all-ones kernels, the output's gradient is non-zero exactly where a window reads."""
    if dilation * (kernel - 1) + 1 > size:
        return
    x = torch.rand(1, 1, size, size, requires_grad=True)
    F.conv2d(x, torch.ones(1, 1, kernel, kernel), stride=stride, dilation=dilation).sum().backward()
    trace = trace_conv2d(x.detach()[0], torch.ones(1, 1, kernel, kernel), stride=stride, dilation=dilation)
    assert torch.equal(trace.unread, x.grad[0, 0] == 0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"x": torch.zeros(3, 5, 5), "weight": torch.zeros(2, 2, 3, 3)}, "C_in / groups"),
        (
            {"x": torch.zeros(3, 5, 5), "weight": torch.zeros(2, 1, 3, 3), "groups": 2},
            "3 input channels cannot be split",
        ),
        ({"x": torch.zeros(4, 5, 5), "weight": torch.zeros(3, 2, 3, 3), "groups": 2}, "3 kernels cannot be split"),
        # a count of 1 takes the singular
        ({"x": torch.zeros(1, 5, 5), "weight": torch.zeros(2, 1, 3, 3), "groups": 2}, "^[^(]*: 1 input channel cannot"),
        ({"x": torch.zeros(2, 5, 5), "weight": torch.zeros(1, 1, 3, 3), "groups": 2}, ": 1 kernel cannot be split"),
        (
            {"x": torch.zeros(2, 5, 5), "weight": torch.zeros(1, 1, 3, 3)},
            "has 1 channel per kernel, but 2 input channels in 1 group need 2",
        ),
        (
            {"x": torch.zeros(1, 5, 5), "weight": torch.zeros(2, 1, 3, 3), "bias": torch.zeros(1)},
            "has 1 value, but there are 2 kernels",
        ),
        (
            {"x": torch.zeros(1, 1, 3), "weight": torch.zeros(1, 1, 1, 1), "padding": 1, "padding_mode": "reflect"},
            "more than 1 row of input to mirror, but the input has 1 row[.]",
        ),
        (
            {"x": torch.zeros(1, 1, 3), "weight": torch.zeros(1, 1, 1, 1), "padding": 2, "padding_mode": "circular"},
            "only 1 row[)]",
        ),
        ({"x": torch.zeros(1, 5, 5), "weight": torch.zeros(1, 1, 3, 3), "stride": 2, "padding": "same"}, "stride 1"),
        ({"x": torch.zeros(1, 3, 3), "weight": torch.zeros(1, 1, 5, 5)}, "window spans 5 rows"),
        ({"x": torch.zeros(1, 9, 9), "weight": torch.zeros(1, 1, 3, 3), "dilation": 5}, "dilation 5"),
        (
            {"x": torch.zeros(1, 3, 3), "weight": torch.zeros(1, 1, 3, 3), "padding": 3, "padding_mode": "reflect"},
            "Reflect padding of 3",
        ),
        (
            {"x": torch.zeros(1, 3, 3), "weight": torch.zeros(1, 1, 3, 3), "padding": 4, "padding_mode": "circular"},
            "wrap around",
        ),
        ({"x": torch.zeros(1, 3, 3), "weight": torch.zeros(1, 1, 3, 3), "padding_mode": "mirror"}, "not one of"),
        ({"x": torch.zeros(1, 3, 3), "weight": torch.zeros(1, 1, 3, 3), "padding": "full"}, '"same" or "valid"'),
        ({"x": torch.zeros(1, 3, 3), "weight": torch.zeros(1, 1, 3, 3), "stride": 0}, "stride must be at least 1"),
        ({"x": torch.zeros(1, 3, 3), "weight": torch.zeros(1, 1, 3, 3), "stride": 1.5}, "whole number"),
        ({"x": torch.zeros(1, 3, 3), "weight": torch.zeros(1, 1, 3, 3), "padding": -1}, "at least 0"),
        ({"x": torch.zeros(1, 3, 3), "weight": torch.zeros(1, 1, 3, 3), "stride": (1, 2, 3)}, "pair"),
        ({"x": torch.zeros(3, 3), "weight": torch.zeros(1, 1, 3, 3)}, r"\[C_in, H, W\]"),
        ({"x": torch.zeros(1, 3, 3), "weight": torch.zeros(1, 1, 3, 3), "bias": torch.zeros(2)}, "one bias per kernel"),
        ({"x": "pixels", "weight": torch.zeros(1, 1, 3, 3)}, "real numbers"),
        ({"x": torch.zeros(1, 0, 3), "weight": torch.zeros(1, 1, 3, 3)}, "empty"),
    ],
)
def test_invalid_configurations_are_explained(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        trace_conv2d(**kwargs)


def test_step_outside_the_output_is_a_value_error():
    trace = trace_conv2d(torch.zeros(1, 4, 4), torch.zeros(1, 1, 3, 3))
    with pytest.raises(ValueError, match="outside the output"):
        trace.step(0, 2, 0)
