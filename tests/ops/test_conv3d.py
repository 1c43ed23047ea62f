"""trace_conv3d against nn.Conv3d (every padding mode, dilation, groups), its steps, and the page's volumes."""

from __future__ import annotations

import warnings

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from tests_support import conv_module
from vizconv import ParameterError, trace_conv2d, trace_conv3d
from vizconv.ops.conv3d import MAX_FRAMES, ball_volume, moving_digit, random_volume
from vizconv.ops.geometry import PADDING_MODES

triples = st.tuples(st.integers(1, 2), st.integers(1, 2), st.integers(1, 2))


@st.composite
def configs(draw):
    """Small random 3-D layers, sometimes ones torch rejects."""
    groups = draw(st.integers(1, 2))
    stride = draw(st.one_of(st.integers(1, 2), triples))
    padding = draw(
        st.one_of(st.sampled_from(["valid", "same"]), st.integers(0, 2), st.tuples(*[st.integers(0, 2)] * 3))
    )
    if padding == "same" and draw(st.booleans()):
        stride = 1
    return {
        "c_in": groups * draw(st.integers(1, 2)),
        "c_out": groups * draw(st.integers(1, 2)),
        "kernel": (draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))),
        "size": (draw(st.integers(1, 5)), draw(st.integers(1, 5)), draw(st.integers(1, 5))),
        "groups": groups,
        "stride": stride,
        "dilation": draw(st.one_of(st.integers(1, 2), triples)),
        "padding": padding,
        "padding_mode": draw(st.sampled_from(PADDING_MODES)),
        "bias": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**16)),
    }


def _reference(config):
    """(x, nn.Conv3d, its output) or the exception torch raises."""
    torch.manual_seed(config["seed"])
    x = torch.randn(config["c_in"], *config["size"])
    conv = conv_module(config, nn.Conv3d)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "same" with an even kernel copies the input
        return x, conv, conv(x[None])[0]


def _trace(config, x, conv):
    return trace_conv3d(
        x,
        conv.weight.detach(),
        None if conv.bias is None else conv.bias.detach(),
        stride=config["stride"],
        padding=config["padding"],
        dilation=config["dilation"],
        groups=config["groups"],
        padding_mode=config["padding_mode"],
    )


@settings(max_examples=100)
@given(configs())
def test_matches_nn_conv3d_or_both_reject(config):
    """Where torch computes an output ours is equal; where torch refuses, ours raises ParameterError."""
    try:
        x, conv, expected = _reference(config)
    except (RuntimeError, ValueError, NotImplementedError):
        torch.manual_seed(config["seed"])
        x = torch.randn(config["c_in"], *config["size"])
        weight = torch.randn(config["c_out"], config["c_in"] // config["groups"], *config["kernel"])
        conv = nn.Conv3d(config["c_in"], config["c_out"], config["kernel"], groups=config["groups"], bias=False)
        conv.weight.data = weight
        with pytest.raises(ParameterError):
            _trace(config, x, conv)
        return
    if expected.numel() == 0:
        with pytest.raises(ParameterError):
            _trace(config, x, conv)
        return
    trace = _trace(config, x, conv)
    assert trace.output.shape == expected.shape
    torch.testing.assert_close(trace.output, expected, rtol=1e-5, atol=1e-5)


@settings(max_examples=60)
@given(configs(), st.data())
def test_steps_sum_over_depth_too(config, data):
    """A step's window is padded[slices × rows × cols]; slice sums add up to channel sums, and (plus bias) to the
    output value."""
    try:
        x, conv, expected = _reference(config)
        trace = _trace(config, x, conv)
    except (RuntimeError, ValueError, NotImplementedError):
        return
    c_out, d_out, h_out, w_out = trace.output.shape
    oc, d, y, xx = (data.draw(st.integers(0, n - 1)) for n in (c_out, d_out, h_out, w_out))
    step = trace.step(oc, d, y, xx)
    channels = list(step.input_channels)
    picked = trace.padded[channels][:, step.slices][:, :, step.rows][:, :, :, step.cols]
    torch.testing.assert_close(step.window, picked)
    torch.testing.assert_close(step.products, step.window * conv.weight.detach()[oc])
    assert step.slice_sums.shape == (len(channels), config["kernel"][0])
    torch.testing.assert_close(step.slice_sums.sum(1), step.channel_sums)
    assert step.value == pytest.approx(float(expected[oc, d, y, xx]), rel=1e-4, abs=1e-4)
    assert trace.position(trace.positions - 1) == (d_out - 1, h_out - 1, w_out - 1)


def test_one_slice_deep_kernel_is_a_2d_convolution_per_frame():
    """kD = 1: each output frame is the 2-D convolution of its input frame."""
    torch.manual_seed(0)
    x, weight = torch.randn(2, 3, 5, 5), torch.randn(3, 2, 1, 3, 3)
    trace = trace_conv3d(x, weight, padding=(0, 1, 1))
    for frame in range(3):
        flat = trace_conv2d(x[:, frame], weight[:, :, 0], padding=1)
        torch.testing.assert_close(trace.output[:, frame], flat.output)
    assert trace.pads == (0, 0, 1, 1, 1, 1) and trace.param_count == 3 * 2 * 9
    assert trace.mult_adds == trace.output.numel() * 18


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"x": torch.zeros(1, 2, 5, 5), "weight": torch.zeros(1, 1, 3, 3, 3)}, "window spans 3 slices"),
        ({"x": torch.zeros(1, 5, 2, 5), "weight": torch.zeros(1, 1, 3, 3, 3)}, "window spans 3 rows"),
        (
            {
                "x": torch.zeros(1, 2, 5, 5),
                "weight": torch.zeros(1, 1, 1, 1, 1),
                "padding": 2,
                "padding_mode": "reflect",
            },
            "more than 2 slices of input to mirror, but the input has 2 slices",
        ),
        (
            {"x": torch.zeros(1, 3, 3, 3), "weight": torch.zeros(1, 1, 3, 3, 3), "padding": (1, 1)},
            "depth, height, width",
        ),
        (
            {
                "x": torch.zeros(1, 3, 3, 3),
                "weight": torch.zeros(1, 1, 3, 3, 3),
                "stride": (2, 1, 1),
                "padding": "same",
            },
            r"stride 1 \(here the stride is \(2, 1, 1\)\)",
        ),
        (
            {"x": torch.zeros(1, 3, 3, 3), "weight": torch.zeros(1, 1, 3, 3, 3), "padding": "causal"},
            '"same" or "valid"',
        ),
        ({"x": torch.zeros(3, 3, 3), "weight": torch.zeros(1, 1, 3, 3, 3)}, r"\[C_in, D, H, W\]"),
        ({"x": torch.zeros(2, 3, 3, 3), "weight": torch.zeros(1, 1, 3, 3, 3)}, "C_in / groups"),
    ],
)
def test_invalid_configurations_are_explained(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        trace_conv3d(**kwargs)


def test_moving_digit_moves_one_pixel_per_frame():
    video = moving_digit(7, frames=6, side=12)
    assert video.shape == (1, 6, 12, 12) and video.min() >= 0 and video.max() <= 1
    for frame in range(5):
        now, later = video[0, frame], video[0, frame + 1]
        torch.testing.assert_close(later[:, 1:], now[:, :-1])  # everything moved one column right
        assert later[:, 0].abs().sum() == 0  # zeros come in behind
    assert video[0, 0].sum() > 3  # the digit is there, whole in every frame
    torch.testing.assert_close(video[0].sum(dim=(1, 2)), video[0, 0].sum().expand(6))
    # a kernel spanning two frames that subtracts them sees the motion only where the digit moved
    motion = trace_conv3d(video, torch.tensor([-1.0, 1.0]).reshape(1, 1, 2, 1, 1)).output
    assert motion.shape == (1, 5, 12, 12) and motion.abs().sum() > 0


def test_small_volumes():
    ball = ball_volume(8)
    assert ball.shape == (1, 8, 8, 8)
    assert torch.equal(ball, ball.flip(1)) and torch.equal(ball, ball.transpose(1, 3))  # symmetric
    grid = random_volume(2, 3, 4, 5, seed=1)
    assert grid.shape == (2, 3, 4, 5) and torch.equal(grid, grid.round()) and grid.max() <= 9
    torch.testing.assert_close(grid, random_volume(2, 3, 4, 5, seed=1))
    with pytest.raises(ParameterError, match=f"at most {MAX_FRAMES} frames"):
        moving_digit(frames=MAX_FRAMES + 1)
    with pytest.raises(ParameterError, match="digit 10"):
        moving_digit(10)
