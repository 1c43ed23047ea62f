"""The network builder: shapes, parameters and receptive fields against real torch modules, explained mismatches,
the exported nn.Sequential code run for real, and the page through AppTest."""

from __future__ import annotations

import contextlib
import io
import math
import re

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest
from torch import nn
from torchvision.models.resnet import Bottleneck

from tests_support import BUILDER, markdown_table, metric, open_page
from vizconv.errors import MessageError, ParameterError
from vizconv.i18n.strings import text as catalogue_text
from vizconv.nets.architectures import lenet5
from vizconv.nets.builder import (
    ACTIVATIONS,
    CORRECTED_RESIDUAL_CODE,
    KINDS,
    LIMITS,
    MAX_LAYERS,
    MAX_STACK_CHARS,
    NOTES_RESIDUAL_CODE,
    PRESETS,
    LayerSpec,
    StackTextError,
    auto_fix,
    build_stack,
    encode_stack,
    fit_stack,
    fit_to,
    layer,
    layer_summary,
    limits,
    parse_stack,
    read_stack,
    sequential_code,
    to_module,
    to_sequential,
)
from vizconv.nets.layers import trace_layers

FITTING = ["lenet5", "basic_block", "bottleneck"]
MISTAKES = ["mismatch", "no_flatten"]


def _error(input_shape, specs) -> ParameterError:
    steps = build_stack(input_shape, specs)
    assert steps and steps[-1].error is not None, "the stack was expected not to fit"
    return steps[-1].error


def _run_code(code: str) -> tuple[nn.Sequential, list[tuple[int, ...]], str]:
    """exec the exported code; the model, the output shape after each child, and what it printed."""
    namespace: dict = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, namespace)  # our own generated code
    model, x = namespace["model"], namespace["x"]
    shapes: list[tuple[int, ...]] = []
    handles = [child.register_forward_hook(lambda m, i, o: shapes.append(tuple(o.shape[1:]))) for child in model]
    try:
        with torch.no_grad():
            model(x)
    finally:
        for handle in handles:
            handle.remove()
    return model, shapes, printed.getvalue()


def _check_code_against_builder(input_shape, specs) -> None:
    steps = build_stack(input_shape, specs)
    model, shapes, printed = _run_code(sequential_code(input_shape, specs))
    assert shapes == [step.shape for step in steps]
    assert [sum(p.numel() for p in child.parameters()) for child in model] == [step.params for step in steps]
    final = steps[-1].shape if steps else tuple(input_shape)
    assert printed.strip() == str(torch.Size([1, *final]))


# ---------------------------------------------------------------- presets


def test_lenet_preset_follows_the_notes():
    steps = build_stack(*PRESETS["lenet5"])
    assert [s.shape for s in steps if s.spec.kind != "activation"] == [
        (6, 28, 28),
        (6, 14, 14),
        (16, 10, 10),
        (16, 5, 5),
        (400,),
        (120,),
        (84,),
        (10,),
    ]
    assert [s.params for s in steps if s.params] == [156, 2416, 48120, 10164, 850]
    assert all(s.error is None and s.note is None for s in steps)


def test_lenet_preset_is_the_bundled_classic_lenet():
    """Same modules (the weights load), same receptive fields and parameters as trace_layers on a real pass."""
    _, specs = PRESETS["lenet5"]
    reference = lenet5(classic=True)
    to_sequential(specs).load_state_dict(reference.state_dict())  # strict: same layers, same shapes
    rows = trace_layers(reference, torch.zeros(1, 28, 28))
    steps = build_stack(*PRESETS["lenet5"])
    assert [(r.receptive_field, r.jump, r.shape, r.params) for r in rows] == [
        (s.receptive_field, s.jump, s.shape, s.params) for s in steps
    ]
    assert [s.receptive_field for s in steps[:6]] == [5, 5, 6, 14, 14, 16]


@pytest.mark.parametrize("name", ["basic_block", "bottleneck"])
def test_block_receptive_fields_match_trace_layers(name):
    input_shape, specs = PRESETS[name]
    rows = {r.name: r for r in trace_layers(to_sequential(specs), torch.zeros(input_shape))}
    for step in build_stack(input_shape, specs):
        row = rows[str(step.index - 1)]
        assert (row.receptive_field, row.jump, row.shape) == (step.receptive_field, step.jump, step.shape)


def test_block_presets_shapes_and_shortcuts():
    basic = build_stack(*PRESETS["basic_block"])
    assert [s.shape for s in basic] == [(64, 56, 56), (128, 28, 28)]
    assert [(s.receptive_field, s.jump) for s in basic] == [(5, 1), (11, 2)]
    bottleneck = build_stack(*PRESETS["bottleneck"])
    assert [s.shape for s in bottleneck] == [(256, 56, 56), (512, 28, 28)]
    assert [(s.receptive_field, s.jump) for s in bottleneck] == [(3, 1), (5, 2)]
    identity, projected = (to_module(s) for s in PRESETS["basic_block"][1])
    assert identity.downsample is None
    assert isinstance(projected.downsample[0], nn.Conv2d) and projected.downsample[0].stride == (2, 2)
    assert to_module(PRESETS["bottleneck"][1][0]).downsample is None  # 256 in, 4 × 64 out, stride 1
    assert "downsample=…" in layer_summary(PRESETS["basic_block"][1][1])


@pytest.mark.parametrize("name", list(PRESETS))
def test_params_are_the_real_modules(name):
    input_shape, specs = PRESETS[name]
    for step in build_stack(input_shape, specs):
        if step.error is None:
            assert step.params == sum(p.numel() for p in to_module(step.spec).parameters())


@pytest.mark.parametrize("name", FITTING)
def test_exported_code_runs_with_the_builders_shapes(name):
    _check_code_against_builder(*PRESETS[name])
    code = sequential_code(*PRESETS[name])
    assert "model = nn.Sequential(" in code
    assert ("BasicBlock" in code) == (name == "basic_block")
    assert ("Bottleneck" in code) == (name == "bottleneck")


def test_exported_code_names_the_shortcut_and_the_shapes():
    code = sequential_code(*PRESETS["basic_block"])
    assert "nn.Conv2d(64, 128, kernel_size=1, stride=2, bias=False)," in code
    assert "# 2: [128, 28, 28], 230,144 parameters" in code
    assert "from torchvision.models.resnet import BasicBlock\n" in code


def test_an_empty_stack_is_the_identity():
    assert build_stack((3, 8, 8), []) == []
    _check_code_against_builder((3, 8, 8), [])


@pytest.mark.parametrize("name", MISTAKES)
def test_code_of_a_stack_that_does_not_fit_raises_its_error(name):
    with pytest.raises(ParameterError, match="Layer"):
        sequential_code(*PRESETS[name])


# ---------------------------------------------------------------- mismatches, explained


def test_the_issue_example_a_3_channel_kernel_on_a_1_channel_input():
    error = _error(*PRESETS["mismatch"])
    assert error.key == "nb.err.channels"
    message = str(error)
    assert message.startswith("Layer 1 (Conv2d): ")
    assert "the kernel expects 3 input channels, the input has 1" in message
    assert "[16, 3, 5, 5]" in message
    assert "Set in_channels to 1" in message


def test_a_1x1_conv_and_a_block_mismatch_are_explained():
    specs = [layer("conv1x1", in_channels=3, out_channels=8)]
    assert "Layer 1 (1×1 Conv2d): the kernel expects 3 input channels, the input has 4" in str(_error((4, 8, 8), specs))
    specs = [layer("conv2d", in_channels=1, out_channels=8), layer("basic_block", in_channels=16, out_channels=16)]
    message = str(_error((1, 8, 8), specs))
    assert message.startswith("Layer 2 (BasicBlock (residual)): ")
    assert "expect 16 input channels, the input has 8" in message


def test_batchnorm_mismatch_names_num_features():
    specs = [layer("conv2d", in_channels=1, out_channels=6), layer("batchnorm2d", num_features=8)]
    error = _error((1, 8, 8), specs)
    assert error.key == "nb.err.bn_channels"
    assert "Layer 2 (BatchNorm2d): num_features is 8, but the input has 6 channels" in str(error)
    assert "Set num_features to 6" in str(error)


def test_linear_in_features_says_where_the_flattened_size_comes_from():
    input_shape, specs = PRESETS["lenet5"]
    specs = list(specs)
    specs[7] = specs[7].replace(in_features=256)
    error = _error(input_shape, specs)
    assert error.key == "nb.err.features_flat"
    message = str(error)
    assert "Layer 8 (Linear): in_features is 256, but its input has 400 values" in message
    assert "the Flatten at layer 7 turned the 16×5×5 map into 16 × 5 × 5 = 400" in message
    assert "Set in_features to 400" in message


def test_linear_after_linear_names_the_previous_out_features():
    input_shape, specs = PRESETS["lenet5"]
    specs = list(specs)
    specs[9] = specs[9].replace(in_features=100)
    message = str(_error(input_shape, specs))
    assert (
        "Layer 10 (Linear): in_features is 100, but its input has 120 values (the out_features of layer 8)" in message
    )


def test_a_missing_flatten_is_explained():
    error = _error(*PRESETS["no_flatten"])
    assert error.key == "nb.err.needs_flatten"
    message = str(error)
    assert "Layer 4 (Linear): its input is a 6×14×14 feature map" in message
    assert "Add a Flatten before it" in message and "6 × 14 × 14 = 1176" in message


def test_counts_of_one_are_singular_in_the_builders_messages():
    """A conv expecting one channel, a one-channel input to batch norm, a vector of one value: "1 channel"."""
    message = str(_error((6, 8, 8), [layer("conv2d", in_channels=1, out_channels=4)]))
    assert "expects 1 input channel, the input has 6" in message and "makes 1 channel." in message
    assert "the input has 1 channel;" in str(_error((1, 8, 8), [layer("batchnorm2d", num_features=6)]))
    specs = [layer("flatten"), layer("linear", in_features=1, out_features=1), fit_to((1,), layer("conv2d"))]
    assert "a vector of 1 value (since layer 2" in str(_error((1, 1, 1), specs))
    assert "its input has 1 value" in str(_error((1, 1, 1), [layer("flatten"), layer("linear", in_features=4)]))


@pytest.mark.parametrize("kind", ["conv2d", "maxpool", "batchnorm2d", "bottleneck"])
def test_a_map_layer_after_flatten_is_explained(kind):
    specs = [layer("flatten"), fit_to((400,), layer(kind))]
    error = _error((16, 5, 5), specs)
    assert error.key == "nb.err.needs_map"
    assert "needs a feature map [C, H, W], but its input is a vector of 400 values (since layer 1, Flatten)" in str(
        error
    )


def test_a_window_larger_than_the_padded_input_is_explained():
    input_shape, specs = PRESETS["lenet5"]
    error = _error((1, 8, 8), specs)  # 8 -> 8 (padding 2) -> 4 -> a 5×5 kernel does not fit
    assert error.key == "nb.err.empty"
    message = str(error)
    assert message.startswith("Layer 4 (Conv2d): the output would have 0 rows")
    assert "the padded input has only 4 (4 + 0 padding)" in message
    error = _error((1, 3, 9), [layer("maxpool", kernel_size=4, stride=4, padding=0)])
    assert "Layer 1 (MaxPool2d): the output would have 0 rows" in str(error)


def test_a_flatten_that_does_nothing_gets_a_note_not_an_error():
    steps = build_stack((4, 2, 2), [layer("flatten"), layer("flatten")])
    assert steps[-1].error is None and steps[-1].shape == (16,)
    assert "Layer 2 (Flatten) does nothing" in str(steps[-1].note)


def test_pool_padding_follows_torchs_rule():
    with pytest.raises(ParameterError, match="at most 1") as caught:
        layer("maxpool", kernel_size=3, stride=1, padding=2)
    assert caught.value.key == "nb.err.pool_padding"
    with pytest.raises(RuntimeError):  # torch refuses the same layer
        nn.MaxPool2d(kernel_size=3, stride=1, padding=2)(torch.zeros(1, 1, 8, 8))
    spec = layer("avgpool", kernel_size=3, stride=1, padding=1)  # half the window: allowed
    assert build_stack((1, 8, 8), [spec])[0].shape == (1, 8, 8)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: layer("conv2d", kernel_size=0), "kernel_size must be at least 1"),
        (lambda: layer("conv2d", stride="2"), "stride must be a whole number"),
        (lambda: layer("conv2d", padding=-1), "padding must be at least 0"),
        (lambda: layer("conv2d", out_channels=2.5), "out_channels must be a whole number"),
        (lambda: layer("linear", in_features=True), "in_features must be a whole number"),
        (lambda: layer("linear", bias="yes"), "bias must be True or False"),
        (lambda: layer("activation", function="swish"), "Activation 'swish' is not one of"),
        (lambda: layer("conv3d"), "Layer type 'conv3d' is not one of"),
        (lambda: layer("flatten", start_dim=1), "Flatten has no setting start_dim"),
        (lambda: build_stack((0, 28, 28), []), "channels C must be at least 1"),
        (lambda: build_stack((1, 28), []), r"three numbers \[C, H, W\]"),
        (lambda: build_stack((1, 28, 28), ["conv2d"]), "is not one of"),
    ],
)
def test_bad_numbers_raise_an_explained_value_error(make, match):
    with pytest.raises(ValueError, match=match) as caught:
        make()
    assert isinstance(caught.value, ParameterError)


def test_specs_fill_defaults_and_compare_by_value():
    spec = layer("conv2d", in_channels=3, out_channels=8)
    assert spec.params == {**KINDS["conv2d"], "in_channels": 3, "out_channels": 8}
    assert spec == LayerSpec("conv2d", {"out_channels": 8, "in_channels": 3})
    assert len({spec, spec.replace(kernel_size=3)}) == 1
    assert spec.replace(kernel_size=5).params["kernel_size"] == 5


# ---------------------------------------------------------------- fitting sizes automatically


def test_fit_to_sets_the_input_sizes():
    assert fit_to((7, 9, 9), layer("conv2d", in_channels=1)).params["in_channels"] == 7
    assert fit_to((7, 9, 9), layer("bottleneck", in_channels=1, width=2)).params["in_channels"] == 7
    assert fit_to((7, 9, 9), layer("batchnorm2d")).params["num_features"] == 7
    assert fit_to((16, 5, 5), layer("linear")).params["in_features"] == 400
    assert fit_to((120,), layer("linear")).params["in_features"] == 120
    assert fit_to((120,), layer("maxpool")) == layer("maxpool")


def test_auto_fix_repairs_the_mismatch_presets():
    fixed = auto_fix(*PRESETS["mismatch"])
    assert fixed[0].params["in_channels"] == 1
    assert [s.error for s in build_stack(PRESETS["mismatch"][0], fixed)] == [None] * 5
    input_shape, specs = PRESETS["no_flatten"]
    fixed = auto_fix(input_shape, specs)
    assert [s.kind for s in fixed] == ["conv2d", "activation", "maxpool", "flatten", "linear"]
    assert build_stack(input_shape, fixed)[-1].shape == (10,)


def test_auto_fix_leaves_decisions_to_the_user():
    input_shape, specs = PRESETS["lenet5"]
    assert auto_fix((1, 8, 8), specs) == list(specs)  # a window too large: no size setting fixes it
    assert auto_fix(input_shape, specs) == list(specs)  # nothing to fix


def test_fit_stack_fits_every_layer_like_lazy_modules():
    wrong = [fit_to((99, 9, 9), spec) if spec.kind != "flatten" else spec for spec in PRESETS["lenet5"][1]]
    wrong = [s.replace(in_features=1) if s.kind == "linear" else s for s in wrong]
    assert build_stack((1, 28, 28), wrong)[-1].error is not None
    assert fit_stack((1, 28, 28), wrong) == list(PRESETS["lenet5"][1])


# ---------------------------------------------------------------- random stacks against the exported code

MAP_KINDS = ["conv2d", "conv1x1", "maxpool", "avgpool", "activation", "batchnorm2d", "basic_block", "bottleneck"]


@st.composite
def stacks(draw):
    """A random stack that fits: feature-map layers, then maybe Flatten and Linear layers."""
    input_shape = (draw(st.integers(1, 4)), draw(st.integers(1, 14)), draw(st.integers(1, 14)))
    shape, specs = input_shape, []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from(MAP_KINDS))
        side = min(shape[1:])
        if kind == "conv2d":
            padding, dilation = draw(st.integers(0, 2)), draw(st.integers(1, 2))
            kernel = draw(st.integers(1, min(5, (side + 2 * padding - 1) // dilation + 1)))
            params = {"out_channels": draw(st.integers(1, 6)), "kernel_size": kernel, "padding": padding}
            params |= {"stride": draw(st.integers(1, 3)), "dilation": dilation, "bias": draw(st.booleans())}
        elif kind == "conv1x1":
            params = {"out_channels": draw(st.integers(1, 6)), "stride": draw(st.integers(1, 2))}
        elif kind in ("maxpool", "avgpool"):
            kernel = draw(st.integers(1, min(3, side)))
            params = {
                "kernel_size": kernel,
                "stride": draw(st.integers(1, 3)),
                "padding": draw(st.integers(0, kernel // 2)),
            }
        elif kind == "activation":
            params = {"function": draw(st.sampled_from(["relu", "leaky_relu", "sigmoid", "tanh", "gelu"]))}
        elif kind == "basic_block":
            params = {"out_channels": draw(st.integers(1, 6)), "stride": draw(st.integers(1, 2))}
        elif kind == "bottleneck":
            params = {"width": draw(st.integers(1, 3)), "stride": draw(st.integers(1, 2))}
        else:
            params = {}
        specs.append(fit_to(shape, LayerSpec(kind, params)))
        shape = build_stack(input_shape, specs)[-1].shape
    if draw(st.booleans()):
        specs.append(layer("flatten"))
        features = math.prod(shape)
        for _ in range(draw(st.integers(0, 2))):
            out = draw(st.integers(1, 8))
            specs.append(layer("linear", in_features=features, out_features=out, bias=draw(st.booleans())))
            features = out
            if draw(st.booleans()):
                specs.append(layer("activation", function="relu"))
    return input_shape, specs


@given(stacks())
def test_random_stacks_match_the_exported_code(stack):
    input_shape, specs = stack
    steps = build_stack(input_shape, specs)
    assert all(step.error is None for step in steps)
    _check_code_against_builder(input_shape, specs)


# ---------------------------------------------------------------- the stack as text (shareable links)


def _setting(kind: str, name: str):
    """Every value the page's widgets allow for one setting of one kind of layer."""
    if name == "bias":
        return st.booleans()
    if name == "function":
        return st.sampled_from(list(ACTIVATIONS))
    return st.integers(*limits(kind, name))


@st.composite
def any_layer(draw):
    """Any layer of any kind with settings within the page's limits (a pooling padding at most half its window)."""
    kind = draw(st.sampled_from(list(KINDS)))
    params = {name: draw(_setting(kind, name)) for name in KINDS[kind]}
    if kind in ("maxpool", "avgpool"):
        params["padding"] = min(params["padding"], params["kernel_size"] // 2)
    return LayerSpec(kind, params)


@st.composite
def any_stack(draw):
    """Any stack the page can hold: random layers, about half of them fitted to what comes in (as autofit does),
    so that stacks fit for a while and then stop fitting, on small and on large inputs."""
    sides = st.one_of(st.integers(1, 32), st.integers(*LIMITS["input"]))
    input_shape = (draw(sides), draw(sides), draw(sides))
    specs: list[LayerSpec] = []
    for _ in range(draw(st.integers(0, 6))):
        spec = draw(any_layer())
        steps = build_stack(input_shape, specs)
        if draw(st.booleans()) and (not steps or steps[-1].error is None):
            spec = fit_to(steps[-1].shape if steps else input_shape, spec)
        specs.append(spec)
    return input_shape, specs


@given(any_stack())
def test_any_stack_survives_its_text(stack):
    input_shape, specs = stack
    text = encode_stack(input_shape, specs)
    assert text is not None and len(text) <= MAX_STACK_CHARS
    assert re.fullmatch(r"[a-z0-9-]*", text), text  # nothing a URL has to escape
    assert parse_stack(text, input_shape) == specs


@given(stacks())
def test_a_fitting_stack_needs_no_input_sizes(stack):
    """Where every layer fits, the text names no in_channels / num_features / in_features: they are fitted back."""
    input_shape, specs = stack
    text = encode_stack(input_shape, specs)
    assert not re.search(r"i[0-9]", text), text
    assert parse_stack(text, input_shape) == specs


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize("end", [0, 1])
def test_every_kind_at_the_ends_of_its_limits_survives_its_text(kind, end):
    params = {
        name: (
            end == 1 if name == "bias" else list(ACTIVATIONS)[-end] if name == "function" else limits(kind, name)[end]
        )
        for name in KINDS[kind]
    }
    if kind in ("maxpool", "avgpool"):
        params["padding"] = min(params["padding"], params["kernel_size"] // 2)
    spec = LayerSpec(kind, params)
    for input_shape in ((1, 1, 1), (LIMITS["input"][1],) * 3, (7, 40, 40)):
        for specs in ([spec], [fit_to(input_shape, spec)], [layer("flatten"), spec], [spec, spec]):
            assert parse_stack(encode_stack(input_shape, specs), input_shape) == specs, (input_shape, specs)


def test_the_presets_as_text():
    assert encode_stack(*PRESETS["lenet5"]) == (
        "conv5c6p2-sigmoid-avgpool2-conv5c16-sigmoid-avgpool2-flatten-linear120-sigmoid-linear84-sigmoid-linear10"
    )
    assert encode_stack(*PRESETS["basic_block"]) == "basicblockc64-basicblockc128s2"
    assert encode_stack(*PRESETS["bottleneck"]) == "bottleneckw64-bottleneckw128s2"
    # a layer that does not fit writes its input size, and so does every layer after it
    assert encode_stack(*PRESETS["mismatch"]) == "conv5c16i3-relu-maxpool2-flatten-linear10i2304"
    assert encode_stack((1, 28, 28), []) == ""


def test_a_hand_written_stack_is_fitted_to_its_input():
    specs = parse_stack("conv3c16p1-relu-maxpool2-flatten-linear10", (3, 32, 32))
    assert specs == [
        layer("conv2d", in_channels=3, out_channels=16, kernel_size=3, padding=1),
        layer("activation", function="relu"),
        layer("maxpool", kernel_size=2, stride=2),
        layer("flatten"),
        layer("linear", in_features=16 * 16 * 16, out_features=10),
    ]
    # settings at their defaults may be written out too
    assert parse_stack("conv3c16s1p1d1b1i3-relu-maxpool2s2p0-flatten-linear10b1", (3, 32, 32)) == specs
    assert parse_stack("conv3c16p1,relu,maxpool2,flatten,linear10", (3, 32, 32)) == specs  # commas, as typed
    assert parse_stack("", (3, 32, 32)) == []


def test_the_longest_stack():
    relus = [layer("activation", function="relu")] * MAX_LAYERS
    text = encode_stack((1, 28, 28), relus)
    assert parse_stack(text, (1, 28, 28)) == relus
    assert encode_stack((1, 28, 28), [*relus, relus[0]]) is None
    assert parse_stack(text + "-relu", (1, 28, 28)) is None
    widest = "-".join(["conv31c4096s8p15d8i16384b0"] * MAX_LAYERS)  # the longest layer, written out
    assert len(widest) <= MAX_STACK_CHARS and parse_stack(widest, (1, 28, 28)) is not None


def test_a_setting_beyond_the_limits_is_not_written():
    assert encode_stack((1, 28, 28), [layer("conv2d", out_channels=LIMITS["out_channels"][1] + 1)]) is None
    assert encode_stack((1, 28, 28), [layer("conv2d", stride=9)]) is None  # a convolution's stride: at most 8
    assert encode_stack((1, 28, 28), [layer("maxpool", kernel_size=9, stride=32)]) is None  # a pool's: any window


def test_a_pooling_stride_may_be_any_window():
    """PyTorch's default stride is the window, so a pool's stride has the window's range, in the Add form's widget
    (the page uses ``limits``) and in a link: ``avgpool16`` (stride 16) is read and written."""
    assert limits("maxpool", "stride") == limits("avgpool", "stride") == LIMITS["kernel_size"]
    assert limits("conv2d", "stride") == LIMITS["stride"]
    for text, kernel in [("avgpool16", 16), ("maxpool9", 9), ("avgpool31", 31)]:
        specs = parse_stack(text, (3, 32, 32))
        assert specs == [layer(text[:7], kernel_size=kernel, stride=kernel)]
        assert encode_stack((3, 32, 32), specs) == text
    assert parse_stack("maxpool31s31p15", (3, 32, 32)) == [layer("maxpool", kernel_size=31, stride=31, padding=15)]


def test_hand_edited_text_is_read_leniently_where_nothing_is_lost():
    expected = parse_stack("conv3c8-relu-maxpool2", (1, 28, 28))
    for text in [
        "Conv3c8-ReLU-MaxPool2",
        "CONV3C8,RELU,MAXPOOL2",
        " conv3c8 - relu ,maxpool2\n",
        "conv03c008-relu-maxpool02",
    ]:
        assert parse_stack(text, (1, 28, 28)) == expected, text


def test_a_conv_after_flatten_reads_with_its_default_in_channels_and_is_explained():
    """The classic mistake can be shown from a link: the Conv keeps the Add form's default in_channels (the vector
    cannot give it one) and the builder says it needs a feature map."""
    specs = parse_stack("flatten-conv3c4", (1, 28, 28))
    assert specs == [layer("flatten"), layer("conv2d", in_channels=KINDS["conv2d"]["in_channels"], out_channels=4)]
    assert _error((1, 28, 28), specs).key == "nb.err.needs_map"
    assert encode_stack((1, 28, 28), specs) == "flatten-conv3c4"
    assert parse_stack("flatten-bn", (1, 28, 28))[1] == layer(
        "batchnorm2d", num_features=KINDS["batchnorm2d"]["num_features"]
    )
    # after a layer that does not fit, a size left out is the default too; one written stays
    after = parse_stack("conv3c16i5-conv3c8-conv3c8i16", (3, 32, 32))
    assert [spec.params["in_channels"] for spec in after] == [5, KINDS["conv2d"]["in_channels"], 16]
    assert encode_stack((3, 32, 32), after) == "conv3c16i5-conv3c8-conv3c8i16"


@pytest.mark.parametrize(
    "text",
    [
        "relu,",  # an empty layer
        ",relu",
        "relu,,relu",
        "relu-",
        "relu--relu",
        "relu,-relu",
        "conv3",  # no output channels
        "conv3c16c4",  # a letter twice
        "conv3c0",  # below the limit
        "conv32c4",  # kernel beyond 31
        "conv3c4097",
        "conv3c-4",
        "conv3c4q1",  # a letter conv does not have
        "conv1x1",
        "conv1x1k3c4",
        "conv1x13c4",  # conv1x1 takes no number of its own
        "basicblock64",
        "bnc4",
        "maxpool3p2",  # padding beyond half the window (torch refuses it)
        "maxpool3s32",  # a pool's stride beyond any window
        "conv3c4s9",  # a convolution's stride beyond 8
        "linear10b2",
        "flatten3",
        "relu1",
        "swish",
        "relu relu",
        "conv\uff13c4",  # a full-width digit
        "linear1000000000",
        "conv3c99999999999",
        ",".join(["relu"] * (MAX_LAYERS + 1)),
        "relu," * 600,
        "x" * 5000,
        "<script>alert(1)</script>",
    ],
)
def test_broken_stack_text_is_refused(text):
    assert parse_stack(text, (1, 28, 28)) is None


@pytest.mark.parametrize("value", [None, 3, b"relu", ["relu"]])
def test_stack_text_that_is_not_text_is_refused(value):
    assert parse_stack(value, (1, 28, 28)) is None


@given(st.text(max_size=300))
def test_random_text_never_raises(text):
    result = parse_stack(text, (1, 28, 28))
    assert result is None or all(isinstance(spec, LayerSpec) for spec in result)


@st.composite
def mutated_stack_text(draw):
    """A valid stack's text with a few random edits: mostly broken, sometimes another valid stack."""
    input_shape, specs = draw(any_stack())
    text = list(encode_stack(input_shape, specs))
    alphabet = "abcdiklnoprstwx0123456789,-"
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["insert", "delete", "replace"]))
        if edit == "insert" or at == len(text):
            text.insert(at, draw(st.sampled_from(alphabet)))
        elif edit == "delete":
            del text[at]
        else:
            text[at] = draw(st.sampled_from(alphabet))
    return input_shape, "".join(text)


@given(mutated_stack_text())
def test_damaged_stack_text_is_refused_or_read_as_a_stack(case):
    input_shape, text = case
    result = parse_stack(text, input_shape)
    if result is not None:  # the edit made another valid stack: it is written back the same way
        assert parse_stack(encode_stack(input_shape, result), input_shape) == result


@given(mutated_stack_text())
def test_damaged_text_is_read_up_to_the_layer_it_names(case):
    """read_stack reads every layer before the first it cannot and names that one (its position and its text);
    what it read is written back and read the same, and its message reads in both languages."""
    input_shape, text = case
    specs, error = read_stack(text, input_shape)
    assert parse_stack(encode_stack(input_shape, specs), input_shape) == specs
    if error is None:
        assert parse_stack(text, input_shape) == specs
        return
    assert parse_stack(text, input_shape) is None
    assert isinstance(error, StackTextError) and error.index == len(specs) + 1
    assert error.token == re.split("[-,]", text)[error.index - 1]
    for lang in ("en", "zh"):
        message = error.message(lang)
        assert re.search(rf"\b{error.index}\b", message) and message.count("`") % 2 == 0
        token = error.token.strip()
        if token:  # quoted, and cut after 40 characters
            assert f"`{token if len(token) <= 40 else token[:40] + '…'}`" in message


@given(st.text(max_size=300))
def test_any_text_is_read_without_raising(text):
    specs, error = read_stack(text, (1, 28, 28))
    assert all(isinstance(spec, LayerSpec) for spec in specs)
    assert error is None or isinstance(error, MessageError) and error.message("zh")


@pytest.mark.parametrize(
    ("text", "index", "token", "reason", "says"),
    [
        ("relu-swish", 2, "swish", "nb.link.word", "`swish` is not a layer. A layer starts with one of: conv,"),
        ("convolution3c4", 1, "convolution3c4", "nb.link.word", "`convolution` is not a layer"),
        ("conv3c16c4", 1, "conv3c16c4", "nb.link.twice", "the letter `c` (out_channels) is written twice"),
        ("relu-conv32c4", 2, "conv32c4", "nb.link.range", "conv: kernel_size 32 is outside its range 1–31"),
        ("conv3c0", 1, "conv3c0", "nb.link.range", "out_channels 0 is outside its range 1–4096"),
        ("conv3c4s9", 1, "conv3c4s9", "nb.link.range", "stride 9 is outside its range 1–8"),
        ("maxpool2s32", 1, "maxpool2s32", "nb.link.range", "stride 32 is outside its range 1–31"),
        ("conv3c99999999999", 1, "conv3c99999999999", "nb.link.range", "out_channels 99999999999 is outside"),
        ("conv3", 1, "conv3", "nb.link.missing", "conv needs `c` (out_channels), as in `conv3c16`"),
        ("conv3c4q1", 1, "conv3c4q1", "nb.link.letter", "conv has no setting `q`; its letters are: c (out_channels),"),
        ("bnc4", 1, "bnc4", "nb.link.letter", "bn has no setting `c`; its letters are: i (num_features)"),
        ("conv1x13c4", 1, "conv1x13c4", "nb.link.lead_extra", "conv1x1 takes no number right after its name"),
        ("linear", 1, "linear", "nb.link.lead_missing", "linear needs a number right after its name (out_features)"),
        ("flatten3", 1, "flatten3", "nb.link.no_settings", "flatten takes no settings"),
        ("linear10b2", 1, "linear10b2", "nb.link.bias", "`b` (bias) is 0 (no bias) or 1, not 2"),
        ("conv3c-4", 1, "conv3c", "nb.link.syntax", "after `conv3`, `c` cannot be read"),
        ("relu-maxpool3s1p2", 2, "maxpool3s1p2", "nb.err.pool_padding", "padding 2 is more than half the window"),
        ("relu,,relu", 2, "", None, "at layer 2: it is empty"),
        ("relu-", 2, "", None, "at layer 2: it is empty"),
        ("-".join(["relu"] * (MAX_LAYERS + 1)), MAX_LAYERS + 1, "relu", "nb.link.too_many", "at most 64 layers"),
    ],
)
def test_unreadable_text_names_the_layer_and_why(text, index, token, reason, says):
    specs, error = read_stack(text, (1, 28, 28))
    assert isinstance(error, StackTextError)
    assert (error.index, error.token) == (index, token)
    assert (None if error.reason is None else error.reason.key) == reason
    assert specs == parse_stack("-".join(["relu"] * (index - 1)), (1, 28, 28))  # the layers before it
    english, chinese = error.message("en"), error.message("zh")
    assert says in english, english
    assert f"at layer {index}" in english and f"第 {index} 层" in chinese
    if token:
        assert f"`{token}`" in english and f"`{token}`" in chinese
    assert f"({index - 1} of them)" in english and f"共 {index - 1} 层" in chinese


def test_a_pool_padding_in_a_link_gets_the_add_forms_message():
    _, error = read_stack("maxpool3s1p2", (1, 28, 28))
    with pytest.raises(ParameterError) as form:
        layer("maxpool", kernel_size=3, stride=1, padding=2)
    for lang in ("en", "zh"):
        assert form.value.message(lang) in error.message(lang)


def test_text_too_long_for_a_link_is_not_read():
    specs, error = read_stack("relu-" * 500, (1, 28, 28))
    assert specs == [] and error.key == "nb.link.too_long" and not isinstance(error, StackTextError)
    assert "2500 characters" in error.message("en") and "2500 个字符" in error.message("zh")


def test_a_quoted_layer_cannot_break_out_of_its_code_span():
    _, error = read_stack("relu-![x](http://e.example)`**b**`", (1, 28, 28))
    message = error.message("en")
    assert "`![x](http://e.example)\ufffd**b**\ufffd`" in message and message.count("`") % 2 == 0
    _, error = read_stack("relu-" + "q" * 100, (1, 28, 28))
    assert "`" + "q" * 40 + "…`" in error.message("en")


# ---------------------------------------------------------------- the notes' residual block


def test_the_notes_residual_block_fails_as_the_page_says():
    namespace = {"nn": nn, "F": F}
    exec(NOTES_RESIDUAL_CODE, namespace)
    block = namespace["Res"](256, 64)
    assert not hasattr(block, "bn2")
    with pytest.raises(AttributeError, match="bn2"):
        block(torch.zeros(1, 256, 8, 8))


def test_the_corrected_block_is_torchvisions_bottleneck():
    namespace = {"nn": nn, "F": F}
    exec(CORRECTED_RESIDUAL_CODE, namespace)
    torch.manual_seed(0)
    reference = to_module(layer("bottleneck", in_channels=256, width=64)).eval()
    assert isinstance(reference, Bottleneck)
    for module in reference.modules():  # non-trivial batch-norm statistics
        if isinstance(module, nn.BatchNorm2d):
            nn.init.uniform_(module.running_mean, -0.5, 0.5)
            nn.init.uniform_(module.running_var, 0.5, 1.5)
            nn.init.uniform_(module.weight, 0.5, 1.5)
    corrected = namespace["Res"](256, 64).eval()
    corrected.load_state_dict(reference.state_dict())  # strict: the same layers
    x = torch.randn(2, 256, 6, 6)
    with torch.no_grad():
        torch.testing.assert_close(corrected(x), reference(x))


# ---------------------------------------------------------------- the page

PAGE = BUILDER


def _table(at: AppTest) -> list[list[str]]:
    """The layer table's rows, the input row first (the page writes it as a Markdown table)."""
    return markdown_table(at, "#")[1:]


def _code(at: AppTest) -> str:
    return next(c.value for c in at.code if "model = nn.Sequential(" in c.value)


@pytest.mark.parametrize("name", FITTING)
def test_page_renders_each_fitting_preset(name):
    at = open_page(PAGE, nb_preset=name)
    assert not at.error
    steps = build_stack(*PRESETS[name])
    assert metric(at, "Output shape") == "×".join(map(str, steps[-1].shape))
    assert metric(at, "Parameters") == f"{sum(s.params for s in steps):,}"
    assert len(_table(at)) == len(steps) + 1  # the input row, then one row per layer
    assert _code(at) == sequential_code(*PRESETS[name]).rstrip()
    assert at.get("download_button")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("mismatch", "the kernel expects 3 input channels, the input has 1"),
        ("no_flatten", "Add a Flatten before it"),
    ],
)
def test_page_explains_a_mistake_preset_and_fixes_it(name, message):
    at = open_page(PAGE, nb_preset=name)
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert metric(at, "Output shape") == "—"
    assert not any("model = nn.Sequential(" in c.value for c in at.code)
    at.button(key="nb_fix").click().run()
    assert not at.exception
    assert not at.error
    assert metric(at, "Output shape") == "10"
    assert "nn.Sequential" in _code(at)


def test_page_writes_the_layer_table_as_text_with_every_column():
    """The table is Markdown, drawn with the page's text (st.table's component came seconds later): the headers in
    the page language, one row per layer, settings as the constructor reads, escapes undone."""
    at = open_page(PAGE, nb_preset="lenet5")
    assert not at.table
    input_shape, specs = PRESETS["lenet5"]
    rows = markdown_table(at, "#")
    header = ["col_index", "col_layer", "col_settings", "col_shape", "col_params", "col_rf", "col_jump"]
    assert rows[0] == [catalogue_text("nb." + name, "en") for name in header]
    assert rows[1] == ["0", "input", "", "×".join(map(str, input_shape)), "", "1×1", "1"]
    steps = build_stack(input_shape, specs)
    assert [row[2] for row in rows[2:]] == [layer_summary(spec) for spec in specs]
    assert [row[4] for row in rows[2:]] == [f"{step.params:,}" for step in steps]
    chinese = open_page(PAGE, {"lang": "zh"}, nb_preset="lenet5")
    assert markdown_table(chinese, "#")[0] == [catalogue_text("nb." + name, "zh") for name in header]


def test_page_adding_a_layer_changes_the_table_and_the_shape():
    at = open_page(PAGE, nb_preset="basic_block")
    at.selectbox(key="nb_kind").set_value("maxpool").run()
    at.button(key="nb_add").click().run()
    assert not at.exception
    assert len(_table(at)) == 4
    assert metric(at, "Output shape") == "128×14×14"
    at.selectbox(key="nb_kind").set_value("batchnorm2d").run()
    assert at.number_input(key="nb_batchnorm2d_num_features").value == 128  # fitted to the stack
    at.button(key="nb_add").click().run()
    assert metric(at, "Layers") == "4"
    assert not at.error


def test_page_typed_sizes_can_mismatch_and_be_fitted():
    at = open_page(PAGE, nb_preset="lenet5")
    at.button(key="nb_clear").click().run()
    assert metric(at, "Output shape") == "1×28×28"
    assert any("empty" in i.value for i in at.info)
    at.toggle(key="nb_autofit").set_value(False).run()
    at.number_input(key="nb_conv2d_in_channels").set_value(3).run()
    at.button(key="nb_add").click().run()
    assert any("the kernel expects 3 input channels, the input has 1" in e.value for e in at.error)
    at.button(key="nb_fix").click().run()
    assert not at.error
    assert metric(at, "Output shape") == "6×26×26"


def test_a_changed_stack_is_no_longer_called_the_preset():
    at = open_page(PAGE, nb_preset="lenet5")
    assert at.selectbox(key="nb_preset").value == "lenet5" and not at.button(key="nb_reset").disabled
    at.button(key="nb_clear").click().run()
    assert at.selectbox(key="nb_preset").value == "custom"  # it said "LeNet-5" over an empty stack
    assert at.button(key="nb_reset").disabled
    at.selectbox(key="nb_kind").set_value("flatten").run()
    at.button(key="nb_add").click().run()  # the own stack is kept across runs, not reloaded
    assert not at.exception and len(at.session_state["nb_stack"]) == 1
    at.selectbox(key="nb_preset").set_value("lenet5").run()  # picking a preset loads it again
    assert len(at.session_state["nb_stack"]) == 12


def test_page_move_and_remove():
    at = open_page(PAGE, nb_preset="lenet5")
    at.selectbox(key="nb_pick").set_value(7).run()  # the Flatten
    at.button(key="nb_up").click().run()  # now before the second pooling layer
    assert any("needs a feature map" in e.value for e in at.error)
    at.button(key="nb_down").click().run()
    assert not at.error
    at.selectbox(key="nb_pick").set_value(2).run()  # the first sigmoid
    at.button(key="nb_remove").click().run()
    assert metric(at, "Layers") == "11"
    assert metric(at, "Output shape") == "10"


def test_page_bad_pool_padding_is_explained_not_added():
    at = open_page(PAGE, nb_preset="lenet5")
    at.selectbox(key="nb_kind").set_value("maxpool").run()
    at.number_input(key="nb_maxpool_padding").set_value(2).run()
    at.button(key="nb_add").click().run()
    assert not at.exception
    assert any("at most 1" in e.value for e in at.error)
    assert metric(at, "Layers") == "12"


def test_page_names_the_notes_residual_mistake():
    at = open_page(PAGE, nb_preset="bottleneck")
    notes = " ".join(m.value for m in at.markdown)
    assert "self.bn2" in notes and "returns `out`" in notes
    assert any("sout = self.extra(x) + out" in c.value for c in at.code)
