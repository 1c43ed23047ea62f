"""Every page's compute path with random settings inside the widgets' bounds: a result or a ValueError.

Hypothesis draws whole parameter sets, including impossible combinations; the library must answer each
with a result the page can draw, or a ParameterError (a ValueError with a catalogue message), never
another exception.
"""

from __future__ import annotations

import json

import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from vizconv.errors import MessageError
from vizconv.i18n.strings import LANGUAGES
from vizconv.inputs.kernels import available_presets
from vizconv.inputs.samples import SAMPLES
from vizconv.nets.builder import KINDS, LIMITS, build_stack, layer, sequential_code
from vizconv.ops.geometry import PADDING_MODES
from vizconv.ops.pool import trace_pool2d
from vizconv.ops.transposed import PRESETS, layer_weight, trace_conv_transpose2d
from vizconv.ops.upsample import UPSAMPLE_MODES, trace_interpolate
from vizconv.views.convolution import LIMITS as CONV_LIMITS
from vizconv.views.convolution import PlaygroundSettings, build_input, default_bias, default_weight, run_playground
from vizconv.viz.animator import (
    Opening,
    conv_animator_data,
    equivalent_animator_data,
    pool_animator_data,
    scatter_animator_data,
)


def _bounded(name: str, limits: dict = CONV_LIMITS):
    low, high = limits[name]
    return st.integers(low, high)


def _message_in_every_language(error: MessageError) -> None:
    for lang in LANGUAGES:
        assert error.message(lang)


@st.composite
def playground_settings(draw) -> PlaygroundSettings:
    source = draw(st.sampled_from(["sample", "random"]))
    sample = draw(st.sampled_from(sorted(SAMPLES)))
    kernel_h, kernel_w = draw(_bounded("kernel")), draw(_bounded("kernel"))
    return PlaygroundSettings(
        source=source,
        sample=sample,
        side=draw(st.integers(5, 20)),  # the page allows up to 64; kept small so the animation stays quick
        colour=draw(st.booleans()),
        random_channels=draw(_bounded("random_channels")),
        random_height=draw(_bounded("random_height")),
        random_width=draw(_bounded("random_width")),
        random_seed=draw(_bounded("random_seed")),
        out_channels=draw(_bounded("out_channels")),
        kernel_h=kernel_h,
        kernel_w=kernel_w,
        stride_h=draw(_bounded("stride")),
        stride_w=draw(_bounded("stride")),
        padding_kind=draw(st.sampled_from(["number", "same", "valid"])),
        padding_h=draw(_bounded("padding")),
        padding_w=draw(_bounded("padding")),
        padding_mode=draw(st.sampled_from(PADDING_MODES)),
        dilation_h=draw(_bounded("dilation")),
        dilation_w=draw(_bounded("dilation")),
        groups=draw(st.integers(1, 8)),
        bias=draw(st.booleans()),
        preset=draw(st.sampled_from(available_presets(kernel_h, kernel_w))),
        varied=draw(st.booleans()),
        kernel_seed=draw(_bounded("kernel_seed")),
    )


@settings(max_examples=120)
@given(playground_settings())
def test_convolution_page(settings_):
    x = build_input(settings_)
    try:
        trace = run_playground(settings_, x, default_weight(settings_, x.shape[0]), default_bias(settings_, x.shape[0]))
    except MessageError as error:
        _message_in_every_language(error)
        return
    data = conv_animator_data(trace, Opening(position=trace.positions - 1))
    assert data["position"] == trace.positions - 1
    json.dumps(data, allow_nan=False)  # the live animator's data is valid JSON for any settings
    oy, ox = trace.position(trace.positions - 1)
    step = trace.step(trace.out_channels - 1, oy, ox)
    assert abs(step.value - float(trace.output[-1, oy, ox])) <= 1e-3 * max(1.0, abs(step.value))


@settings(max_examples=120)
@given(
    kind=st.sampled_from(["max", "avg"]),
    channels=st.integers(1, 6),
    size=st.tuples(st.integers(2, 28), st.integers(2, 28)),
    kernel=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    stride=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    padding=st.tuples(st.integers(0, 2), st.integers(0, 2)),
)
def test_pooling_page(kind, channels, size, kernel, stride, padding):
    x = torch.randn(channels, *size)
    try:
        trace = trace_pool2d(x, kind, kernel, stride, padding)
    except MessageError as error:
        _message_in_every_language(error)
        return
    json.dumps(pool_animator_data(trace), allow_nan=False)  # max pooling's −∞ padding travels in the base64
    assert trace.step(channels - 1, *trace.position(trace.positions - 1)).value == float(trace.output[-1, -1, -1])


@settings(max_examples=60)
@given(
    mode=st.sampled_from(UPSAMPLE_MODES),
    scale=st.sampled_from([2, 3]),
    corners=st.booleans(),
    size=st.integers(2, 16),
)
def test_upsampling(mode, scale, corners, size):
    try:
        trace = trace_interpolate(torch.rand(1, size, size), mode, scale, corners)
    except MessageError as error:
        _message_in_every_language(error)
        assert mode == "nearest" and corners
        return
    last = trace.step(0, size * scale - 1, size * scale - 1)
    assert abs(last.value - float(trace.output[0, -1, -1])) < 1e-4


@settings(max_examples=120)
@given(
    channels=st.integers(1, 3),
    size=st.tuples(st.integers(2, 6), st.integers(2, 6)),
    out_channels=st.integers(1, 4),
    kernel=st.integers(1, 5),
    stride=st.integers(1, 4),
    padding=st.integers(0, 4),
    output_padding=st.integers(0, 3),
    dilation=st.integers(1, 3),
    groups=st.integers(1, 3),
    preset=st.sampled_from(PRESETS),
    bias=st.booleans(),
)
def test_transposed_convolution_page(
    channels, size, out_channels, kernel, stride, padding, output_padding, dilation, groups, preset, bias
):
    try:
        weight = layer_weight(preset, channels, out_channels, groups, kernel, seed=1)
        trace = trace_conv_transpose2d(
            torch.randint(0, 5, (channels, *size)).float(),
            weight,
            torch.ones(out_channels) if bias else None,
            stride,
            padding,
            output_padding,
            groups,
            dilation,
        )
    except MessageError as error:
        _message_in_every_language(error)
        return
    json.dumps(scatter_animator_data(trace), allow_nan=False)
    json.dumps(equivalent_animator_data(trace), allow_nan=False)
    torch.testing.assert_close(trace.equivalent.output, trace.output)


_NUMBERS = {name: st.integers(*bounds) for name, bounds in LIMITS.items()}


@st.composite
def layer_stacks(draw):
    specs = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(sorted(KINDS)))
        params = {}
        for name, default in KINDS[kind].items():
            if isinstance(default, bool):
                params[name] = draw(st.booleans())
            elif name == "function":
                params[name] = draw(st.sampled_from(["relu", "leaky_relu", "sigmoid", "tanh", "gelu"]))
            elif name in _NUMBERS:
                low, high = LIMITS[name]
                params[name] = draw(st.integers(low, min(high, 300)))  # torch runs on the meta device: any size
        try:
            specs.append(layer(kind, **params))
        except MessageError as error:  # e.g. pool padding above half the window: refused when the layer is made
            _message_in_every_language(error)
    shape = (draw(st.integers(1, 8)), draw(st.integers(1, 64)), draw(st.integers(1, 64)))
    return shape, specs


@settings(max_examples=150)
@given(layer_stacks())
def test_network_builder_page(stack):
    shape, specs = stack
    results = build_stack(shape, specs)
    for result in results:
        if result.error is not None:
            _message_in_every_language(result.error)
            assert result is results[-1]  # the builder stops at the first layer that does not fit
            return
    sequential_code(shape, specs)
