"""trace_conv1d against torch (every padding mode, dilation, groups, causal), WaveNet's stack, the sequences."""

from __future__ import annotations

import warnings

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from tests_support import conv_module
from vizconv import ParameterError, trace_conv1d, trace_conv2d
from vizconv.ops.conv1d import (
    MAX_SEQUENCE,
    chirp,
    dilated_causal_stack,
    noisy_sine,
    parse_sequence,
    sequence_input,
    step_sequence,
    trace_causal_stack,
)
from vizconv.ops.geometry import PADDING_MODES


@st.composite
def configs(draw):
    """Random 1-D layers, sometimes ones torch rejects (reflect padding too large, an empty output, "same" with
    a stride)."""
    groups = draw(st.integers(1, 3))
    stride = draw(st.integers(1, 3))
    padding = draw(st.one_of(st.sampled_from(["valid", "same", "causal"]), st.integers(0, 3)))
    if padding == "same" and draw(st.booleans()):
        stride = 1
    return {
        "c_in": groups * draw(st.integers(1, 2)),
        "c_out": groups * draw(st.integers(1, 2)),
        "kernel": draw(st.integers(1, 4)),
        "length": draw(st.integers(1, 12)),
        "groups": groups,
        "stride": stride,
        "dilation": draw(st.integers(1, 3)),
        "padding": padding,
        "padding_mode": draw(st.sampled_from(PADDING_MODES)),
        "bias": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**16)),
    }


def _reference(config):
    """(x, weight, bias, torch's output) or the exception torch raises. Causal: nn.Conv1d without padding on the
    sequence padded d·(k − 1) on the left in the padding mode (torch has no causal padding of its own)."""
    torch.manual_seed(config["seed"])
    x = torch.randn(config["c_in"], config["length"])
    causal = config["padding"] == "causal"
    conv = conv_module(config, nn.Conv1d, padding=0 if causal else None)
    weight = conv.weight.detach()
    bias = None if conv.bias is None else conv.bias.detach()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "same" with an even kernel copies the input
        if causal:
            left = config["dilation"] * (config["kernel"] - 1)
            mode = "constant" if config["padding_mode"] == "zeros" else config["padding_mode"]
            padded = F.pad(x[None], (left, 0), mode=mode)
            return x, weight, bias, conv(padded)[0]
        return x, weight, bias, conv(x[None])[0]


def _trace(config, x, weight, bias):
    return trace_conv1d(
        x,
        weight,
        bias,
        stride=config["stride"],
        padding=config["padding"],
        dilation=config["dilation"],
        groups=config["groups"],
        padding_mode=config["padding_mode"],
    )


@settings(max_examples=100)
@given(configs())
def test_matches_nn_conv1d_or_both_reject(config):
    """Where torch computes an output ours is equal; where torch refuses, ours raises ParameterError."""
    try:
        x, weight, bias, expected = _reference(config)
    except (RuntimeError, ValueError, NotImplementedError):
        torch.manual_seed(config["seed"])
        x = torch.randn(config["c_in"], config["length"])
        weight = torch.randn(config["c_out"], config["c_in"] // config["groups"], config["kernel"])
        with pytest.raises(ParameterError):
            _trace(config, x, weight, None)
        return
    if expected.shape[-1] == 0:  # torch returns an empty output for some settings; ours explains instead
        with pytest.raises(ParameterError):
            _trace(config, x, weight, bias)
        return
    trace = _trace(config, x, weight, bias)
    assert trace.output.shape == expected.shape
    torch.testing.assert_close(trace.output, expected, rtol=1e-5, atol=1e-5)
    if config["padding"] == "causal" and config["stride"] == 1:
        assert trace.output.shape[1] == config["length"]


@settings(max_examples=60)
@given(configs(), st.data())
def test_steps_explain_the_output(config, data):
    """Any step's window is padded[positions], its products sum (plus bias) to the output value."""
    try:
        x, weight, bias, expected = _reference(config)
        trace = _trace(config, x, weight, bias)
    except (RuntimeError, ValueError, NotImplementedError):
        return
    c_out, length = trace.output.shape
    oc, i = data.draw(st.integers(0, c_out - 1)), data.draw(st.integers(0, length - 1))
    step = trace.step(oc, i)
    channels = list(step.input_channels)
    assert len(channels) == config["c_in"] // config["groups"]
    torch.testing.assert_close(step.window, trace.padded[channels][:, step.positions])
    torch.testing.assert_close(step.products, step.window * weight[oc])
    assert step.value == pytest.approx(float(step.channel_sums.sum()) + step.bias, abs=1e-6)
    assert step.value == pytest.approx(float(expected[oc, i]), rel=1e-4, abs=1e-4)
    assert trace.position(trace.positions - 1) == (length - 1,)


@settings(max_examples=40)
@given(
    kernel=st.integers(1, 4),
    dilation=st.integers(1, 3),
    length=st.integers(1, 12),
    seed=st.integers(0, 2**16),
)
def test_causal_output_never_reads_the_future(kernel, dilation, length, seed):
    """Against autograd: output i depends on inputs up to i only, and on exactly the taps i − d·j that exist."""
    torch.manual_seed(seed)
    x = torch.rand(1, length, requires_grad=True)
    weight = torch.rand(1, 1, kernel) + 0.1
    trace = trace_conv1d(x, weight, padding="causal", dilation=dilation)
    assert trace.pads == (dilation * (kernel - 1), 0) and trace.output.shape == (1, length)
    for i in range(length):
        (grad,) = torch.autograd.grad(trace.output[0, i], x, retain_graph=True)
        read = sorted(grad[0].nonzero().flatten().tolist())
        assert read == sorted(i - dilation * j for j in range(kernel) if i - dilation * j >= 0)


def test_as_2d_is_the_same_layer_for_the_animator():
    """trace.as_2d() is the one-row ConvTrace: the 2-D trace of the same sequence and settings, causal included."""
    torch.manual_seed(0)
    x, weight, bias = torch.randn(2, 9), torch.randn(4, 1, 3), torch.randn(4)
    trace = trace_conv1d(x, weight, bias, stride=2, padding="causal", dilation=2, groups=2)
    flat = trace.as_2d()
    assert flat.pads == (0, 0, 4, 0) and flat.out_size == (1, trace.output.shape[1])
    reference = trace_conv2d(
        F.pad(x, (4, 0))[:, None, :], weight[:, :, None, :], bias, stride=(1, 2), dilation=(1, 2), groups=2
    )
    torch.testing.assert_close(flat.output, reference.output)
    step = flat.step(3, 0, 2)
    assert step.value == pytest.approx(trace.step(3, 2).value)
    from vizconv.viz.animator import conv_animator_data

    data = conv_animator_data(flat)
    assert data["geometry"]["height"] == 1 and data["geometry"]["pads"] == [0, 0, 4, 0]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"x": torch.zeros(3, 5), "weight": torch.zeros(2, 2, 3)}, "C_in / groups"),
        ({"x": torch.zeros(3, 5), "weight": torch.zeros(2, 1, 3), "groups": 2}, "3 input channels cannot be split"),
        ({"x": torch.zeros(1, 5), "weight": torch.zeros(1, 1, 3), "bias": torch.zeros(2)}, "one bias per kernel"),
        ({"x": torch.zeros(1, 3), "weight": torch.zeros(1, 1, 5)}, "window spans 5 samples"),
        ({"x": torch.zeros(1, 9), "weight": torch.zeros(1, 1, 3), "dilation": 5}, "dilation 5"),
        (
            {"x": torch.zeros(1, 3), "weight": torch.zeros(1, 1, 3), "padding": 3, "padding_mode": "reflect"},
            "more than 3 samples of input to mirror, but the input has 3 samples",
        ),
        (
            {"x": torch.zeros(1, 1), "weight": torch.zeros(1, 1, 2), "padding": "causal", "padding_mode": "reflect"},
            "more than 1 sample of input to mirror, but the input has 1 sample[.]",
        ),
        (
            {"x": torch.zeros(1, 2), "weight": torch.zeros(1, 1, 3), "padding": 3, "padding_mode": "circular"},
            "only 2 samples",
        ),
        ({"x": torch.zeros(1, 5), "weight": torch.zeros(1, 1, 3), "stride": 2, "padding": "same"}, "stride 1"),
        ({"x": torch.zeros(1, 5), "weight": torch.zeros(1, 1, 3), "padding": "full"}, '"same", "valid" or "causal"'),
        ({"x": torch.zeros(1, 5), "weight": torch.zeros(1, 1, 3), "padding_mode": "mirror"}, "not one of"),
        ({"x": torch.zeros(1, 5), "weight": torch.zeros(1, 1, 3), "stride": (1, 2)}, r"one number per axis \(length\)"),
        ({"x": torch.zeros(1, 5), "weight": torch.zeros(1, 1, 3), "stride": 0}, "stride must be at least 1"),
        ({"x": torch.zeros(1, 5), "weight": torch.zeros(1, 1, 3), "padding": 1.5}, "whole number"),
        ({"x": torch.zeros(5), "weight": torch.zeros(1, 1, 3)}, r"\[C_in, L\]"),
        ({"x": torch.zeros(1, 5), "weight": torch.zeros(1, 3)}, r"\[C_out, C_in/groups, k\]"),
        ({"x": torch.zeros(1, 0), "weight": torch.zeros(1, 1, 3)}, "empty"),
    ],
)
def test_invalid_configurations_are_explained(kwargs, match):
    with pytest.raises(ParameterError, match=match):
        trace_conv1d(**kwargs)


def test_chinese_messages_name_samples():
    with pytest.raises(ParameterError) as caught:
        trace_conv1d(torch.zeros(1, 3), torch.zeros(1, 1, 5))
    assert "采样点" in caught.value.message("zh")


def test_step_outside_the_output_is_a_value_error():
    trace = trace_conv1d(torch.zeros(1, 4), torch.zeros(1, 1, 3))
    with pytest.raises(ValueError, match="outside the output"):
        trace.step(0, 2)


# ---------------------------------------------------------------- WaveNet


def test_wavenet_receptive_field_doubles():
    stack = dilated_causal_stack((1, 2, 4, 8), kernel_size=2, length=16)
    assert stack.receptive_fields == (2, 4, 8, 16)
    assert stack.feeds[-1] == (15,)
    assert stack.feeds[0] == tuple(range(16))  # the last output sees the whole 16-sample input
    assert stack.feeds[3] == (7, 15) and stack.feeds[2] == (3, 7, 11, 15)


@settings(max_examples=40)
@given(
    dilations=st.lists(st.integers(1, 4), min_size=1, max_size=4),
    kernel=st.integers(1, 3),
    length=st.integers(1, 20),
    data=st.data(),
)
def test_feeds_are_what_autograd_says(dilations, kernel, length, data):
    """Through a real stack of causal nn.Conv1d layers (positive weights), output t's gradient is non-zero on
    feeds[0] exactly, and the receptive field is 1 + (k − 1)·Σd."""
    output = data.draw(st.integers(0, length - 1))
    stack = dilated_causal_stack(dilations, kernel, length, output)
    x = torch.rand(1, 1, length, requires_grad=True)
    h = x
    for d in dilations:
        h = F.conv1d(F.pad(h, (d * (kernel - 1), 0)), torch.rand(1, 1, kernel) + 0.1, dilation=d)
    (grad,) = torch.autograd.grad(h[0, 0, output], x)
    assert tuple(grad[0, 0].nonzero().flatten().tolist()) == stack.feeds[0]
    assert stack.receptive_fields[-1] == 1 + (kernel - 1) * sum(dilations)
    if output >= stack.receptive_fields[-1] - 1 and kernel > 1:
        span = stack.feeds[0][-1] - stack.feeds[0][0] + 1  # no padding reached: the field is the full span
        assert span == stack.receptive_fields[-1]  # (with gaps where the dilations skip positions)


def test_trace_causal_stack_feeds_each_layer_the_last():
    torch.manual_seed(0)
    x = torch.randn(1, 16)
    weights = [torch.randn(1, 1, 2) for _ in range(4)]
    traces = trace_causal_stack(x, weights, (1, 2, 4, 8))
    h = x[None]
    for weight, d in zip(weights, (1, 2, 4, 8), strict=True):
        h = F.conv1d(F.pad(h, (d, 0)), weight, dilation=d)
    torch.testing.assert_close(traces[-1].output, h[0])
    assert [t.output.shape[1] for t in traces] == [16] * 4
    with pytest.raises(ParameterError, match="2 weights but 4 dilations"):
        trace_causal_stack(x, weights[:2])
    with pytest.raises(ParameterError, match="outside the output"):
        dilated_causal_stack(length=4, output=4)


# ---------------------------------------------------------------- sequences


def test_generated_sequences():
    assert noisy_sine(48).shape == (1, 48)
    torch.testing.assert_close(noisy_sine(20, seed=3), noisy_sine(20, seed=3))
    assert not torch.equal(noisy_sine(20, seed=3), noisy_sine(20, seed=4))
    assert step_sequence(6).tolist() == [[0.0, 0.0, 0.0, 1.0, 1.0, 1.0]]
    clip = chirp(128)
    assert clip.shape == (1, 128) and clip.abs().max() <= 1.0 and clip[0, 0] == 0.0
    crossings = (clip[0, 1:].sign() != clip[0, :-1].sign()).nonzero().flatten()
    gaps = crossings.diff().float()
    assert gaps[: len(gaps) // 3].mean() > gaps[-len(gaps) // 3 :].mean()  # the pitch rises: crossings get closer
    assert sequence_input("step", 4).tolist() == [[0.0, 0.0, 1.0, 1.0]]
    with pytest.raises(ParameterError, match="no sequence 'noise'"):
        sequence_input("noise", 4)
    with pytest.raises(ParameterError, match=f"at most {MAX_SEQUENCE}"):
        noisy_sine(MAX_SEQUENCE + 1)


@pytest.mark.parametrize(
    ("typed", "values"),
    [
        ("0 1 2 3", [0.0, 1.0, 2.0, 3.0]),
        ("1, -2.5; 3e1", [1.0, -2.5, 30.0]),
        ("[1, 2, 3]", [1.0, 2.0, 3.0]),
        ("１，２；３、４", [1.0, 2.0, 3.0, 4.0]),  # full-width digits and Chinese punctuation
        ("−1\n2", [-1.0, 2.0]),  # a typographic minus and a line break
    ],
)
def test_typed_sequences(typed, values):
    assert parse_sequence(typed).tolist() == [values]


@pytest.mark.parametrize(
    ("typed", "match"),
    [
        ("", "numbers separated by spaces"),
        (" , ", "numbers separated by spaces"),
        ("1 two 3", "Value 2, two, is not a number"),
        ("1 nan", "Value 2, nan, is not a number"),
        ("1 " * (MAX_SEQUENCE + 1), f"{MAX_SEQUENCE + 1} values; at most {MAX_SEQUENCE}"),
        ("1" * 10_000, "too long"),
    ],
)
def test_typed_sequence_errors(typed, match):
    with pytest.raises(ParameterError, match=match):
        parse_sequence(typed)
