"""Channel grids as PNG, and activations of trained layers explained by trace_conv2d."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image

from vizconv import ParameterError
from vizconv.inputs.samples import ASSETS
from vizconv.nets.architectures import ResNet20
from vizconv.nets.capture import capture
from vizconv.nets.feature_maps import (
    MIN_CELL_PX,
    MadeBy,
    channel_grid,
    explain_activation,
    no_single_kernel,
    producing_conv,
)
from vizconv.nets.models import load_model


def test_grid_holds_every_channel_in_one_png():
    maps = torch.rand(64, 8, 8)
    grid = channel_grid(maps)
    image = Image.open(io.BytesIO(grid.png))
    assert (grid.columns, grid.rows) == (8, 8)
    assert grid.cell >= MIN_CELL_PX
    assert image.width > 8 * grid.cell and image.height > 8 * grid.cell
    assert not grid.signed and grid.low == 0.0 and grid.high == pytest.approx(float(maps.max()))


def test_signed_maps_put_zero_at_white():
    maps = torch.zeros(1, 4, 4)
    maps[0, 0, 0], maps[0, 3, 3] = -1.0, 1.0
    grid = channel_grid(maps)
    assert grid.signed and (grid.low, grid.high) == (-1.0, 1.0)
    image = np.asarray(Image.open(io.BytesIO(grid.png)).convert("RGB"))
    tile_centre = image[3 + 12 + MIN_CELL_PX // 2, 3 + MIN_CELL_PX // 2]  # a zero cell in the middle of the tile
    assert tile_centre.min() > 240


def test_grid_rejects_a_vector():
    with pytest.raises(ParameterError, match=r"\[C, H, W\]"):
        channel_grid(torch.rand(10))


def test_trained_lenet_activation_equals_its_dot_products():
    model, info = load_model("lenet5")
    with Image.open(ASSETS / "samples" / "mnist" / "digit_3.png") as image:
        x = info.preprocess(image)
    explained = explain_activation(model, x, "3", 4, 5, 5)
    assert explained.step.value == pytest.approx(explained.captured, abs=1e-4)
    assert len(explained.step.channel_sums) == 6  # conv2 reads the six channels of pool1


def test_resnet_activation_with_stride_and_no_bias():
    torch.manual_seed(0)
    model = ResNet20()
    explained = explain_activation(model, torch.rand(3, 32, 32), "layer2.0.conv1", 7, 3, 9)
    assert explained.trace.stride == (2, 2) and explained.step.bias == 0.0
    assert explained.step.value == pytest.approx(explained.captured, abs=1e-4)
    with pytest.raises(ParameterError, match="not a convolution"):
        explain_activation(model, torch.rand(3, 32, 32), "layer2.0.bn1", 0, 0, 0)


def test_producing_conv_follows_per_channel_layers_back_to_the_kernel():
    model, info = load_model("resnet20")
    x = torch.randn(1, *info.input_size, generator=torch.Generator().manual_seed(0))
    acts = capture(model, x)
    assert producing_conv(model, acts, "conv1") == MadeBy("conv1", ())
    assert producing_conv(model, acts, "relu") == MadeBy("conv1", ("bn1", "relu"))
    assert producing_conv(model, acts, "layer2.0.bn2") == MadeBy("layer2.0.conv2", ("layer2.0.bn2",))
    # relu#2 follows bn2 in forward order, but the block added its shortcut in between: no single kernel
    assert producing_conv(model, acts, "layer2.0.relu#2") is None
    assert producing_conv(model, acts, "layer2.0") is None
    assert producing_conv(model, acts, "fc") is None
    before = {name: value.clone() for name, value in acts.items()}
    training = model.training
    producing_conv(model, acts, "layer3.2.relu")
    assert all(torch.equal(before[name], acts[name]) for name in acts)  # the inplace ReLU touched a clone only
    assert model.training == training


def test_producing_conv_through_pooling_in_lenet():
    model, info = load_model("lenet5")
    acts = capture(model, torch.rand(1, *info.input_size, generator=torch.Generator().manual_seed(1)))
    assert producing_conv(model, acts, "2") == MadeBy("0", ("1", "2"))  # conv → ReLU → max pool
    assert producing_conv(model, acts, "6") is None  # flatten
    with pytest.raises(ParameterError):
        producing_conv(model, acts, "nope")


def test_no_single_kernel_names_the_reason():
    """The Feature maps page says why a layer has no kernel to show: a block's sum, a layer after one, or a
    layer that mixes every channel."""
    model, info = load_model("resnet20")
    acts = capture(model, torch.rand(1, *info.input_size, generator=torch.Generator().manual_seed(2)))
    assert no_single_kernel(model, acts, "layer2.0") == "fm.not_conv.block"
    assert no_single_kernel(model, acts, "layer2.0.relu#2") == "fm.not_conv.after_block"
    assert no_single_kernel(model, acts, "avgpool") == "fm.not_conv.after_block"
    assert no_single_kernel(model, acts, "flatten") == "fm.not_conv.mixed"
    assert no_single_kernel(model, acts, "fc") == "fm.not_conv.mixed"
    lenet, lenet_info = load_model("lenet5")
    lenet_acts = capture(lenet, torch.rand(1, *lenet_info.input_size, generator=torch.Generator().manual_seed(3)))
    assert no_single_kernel(lenet, lenet_acts, "6") == "fm.not_conv.mixed"  # Flatten
    with pytest.raises(ParameterError):
        no_single_kernel(model, acts, "nope")
