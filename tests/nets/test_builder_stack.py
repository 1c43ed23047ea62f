"""vizconv.nets.builder.stack: mismatches explained with their numbers and what to change, and input sizes
fitted to the incoming shape (fit_to, auto_fix, fit_stack)."""

from __future__ import annotations

import pytest

from tests_support import stack_error
from vizconv.nets.builder import PRESETS, auto_fix, build_stack, fit_stack, fit_to, layer

# ---------------------------------------------------------------- mismatches, explained


def test_the_issue_example_a_3_channel_kernel_on_a_1_channel_input():
    error = stack_error(*PRESETS["mismatch"])
    assert error.key == "nb.err.channels"
    message = str(error)
    assert message.startswith("Layer 1 (Conv2d): ")
    assert "the kernel expects 3 input channels, the input has 1" in message
    assert "[16, 3, 5, 5]" in message
    assert "Set in_channels to 1" in message


def test_a_1x1_conv_and_a_block_mismatch_are_explained():
    specs = [layer("conv1x1", in_channels=3, out_channels=8)]
    assert "Layer 1 (1×1 Conv2d): the kernel expects 3 input channels, the input has 4" in str(
        stack_error((4, 8, 8), specs)
    )
    specs = [layer("conv2d", in_channels=1, out_channels=8), layer("basic_block", in_channels=16, out_channels=16)]
    message = str(stack_error((1, 8, 8), specs))
    assert message.startswith("Layer 2 (BasicBlock (residual)): ")
    assert "expect 16 input channels, the input has 8" in message


def test_batchnorm_mismatch_names_num_features():
    specs = [layer("conv2d", in_channels=1, out_channels=6), layer("batchnorm2d", num_features=8)]
    error = stack_error((1, 8, 8), specs)
    assert error.key == "nb.err.bn_channels"
    assert "Layer 2 (BatchNorm2d): num_features is 8, but the input has 6 channels" in str(error)
    assert "Set num_features to 6" in str(error)


def test_linear_in_features_says_where_the_flattened_size_comes_from():
    input_shape, specs = PRESETS["lenet5"]
    specs = list(specs)
    specs[7] = specs[7].replace(in_features=256)
    error = stack_error(input_shape, specs)
    assert error.key == "nb.err.features_flat"
    message = str(error)
    assert "Layer 8 (Linear): in_features is 256, but its input has 400 values" in message
    assert "the Flatten at layer 7 turned the 16×5×5 map into 16 × 5 × 5 = 400" in message
    assert "Set in_features to 400" in message


def test_linear_after_linear_names_the_previous_out_features():
    input_shape, specs = PRESETS["lenet5"]
    specs = list(specs)
    specs[9] = specs[9].replace(in_features=100)
    message = str(stack_error(input_shape, specs))
    assert (
        "Layer 10 (Linear): in_features is 100, but its input has 120 values (the out_features of layer 8)" in message
    )


def test_a_missing_flatten_is_explained():
    error = stack_error(*PRESETS["no_flatten"])
    assert error.key == "nb.err.needs_flatten"
    message = str(error)
    assert "Layer 4 (Linear): its input is a 6×14×14 feature map" in message
    assert "Add a Flatten before it" in message and "6 × 14 × 14 = 1176" in message


def test_counts_of_one_are_singular_in_the_builders_messages():
    """A conv expecting one channel, a one-channel input to batch norm, a vector of one value: "1 channel"."""
    message = str(stack_error((6, 8, 8), [layer("conv2d", in_channels=1, out_channels=4)]))
    assert "expects 1 input channel, the input has 6" in message and "makes 1 channel." in message
    assert "the input has 1 channel;" in str(stack_error((1, 8, 8), [layer("batchnorm2d", num_features=6)]))
    specs = [layer("flatten"), layer("linear", in_features=1, out_features=1), fit_to((1,), layer("conv2d"))]
    assert "a vector of 1 value (since layer 2" in str(stack_error((1, 1, 1), specs))
    assert "its input has 1 value" in str(stack_error((1, 1, 1), [layer("flatten"), layer("linear", in_features=4)]))


@pytest.mark.parametrize("kind", ["conv2d", "maxpool", "batchnorm2d", "bottleneck"])
def test_a_map_layer_after_flatten_is_explained(kind):
    specs = [layer("flatten"), fit_to((400,), layer(kind))]
    error = stack_error((16, 5, 5), specs)
    assert error.key == "nb.err.needs_map"
    assert "needs a feature map [C, H, W], but its input is a vector of 400 values (since layer 1, Flatten)" in str(
        error
    )


def test_a_window_larger_than_the_padded_input_is_explained():
    input_shape, specs = PRESETS["lenet5"]
    error = stack_error((1, 8, 8), specs)  # 8 -> 8 (padding 2) -> 4 -> a 5×5 kernel does not fit
    assert error.key == "nb.err.empty"
    message = str(error)
    assert message.startswith("Layer 4 (Conv2d): the output would have 0 rows")
    assert "the padded input has only 4 (4 + 0 padding)" in message
    error = stack_error((1, 3, 9), [layer("maxpool", kernel_size=4, stride=4, padding=0)])
    assert "Layer 1 (MaxPool2d): the output would have 0 rows" in str(error)


def test_a_flatten_that_does_nothing_gets_a_note_not_anstack_error():
    steps = build_stack((4, 2, 2), [layer("flatten"), layer("flatten")])
    assert steps[-1].error is None and steps[-1].shape == (16,)
    assert "Layer 2 (Flatten) does nothing" in str(steps[-1].note)


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
