"""Channel grids as PNG, and activations of trained layers explained by trace_conv2d."""

from __future__ import annotations

import io
from collections import OrderedDict

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn
from torchvision.models.convnext import LayerNorm2d

from vizconv import ParameterError
from vizconv.inputs.samples import ASSETS
from vizconv.nets.architectures import ResNet20
from vizconv.nets.capture import capture, layer_input
from vizconv.nets.feature_maps import (
    MIN_CELL_PX,
    MadeBy,
    channel_grid,
    explain_activation,
    no_single_kernel,
    producing_conv,
)
from vizconv.nets.layers import trace_layers
from vizconv.nets.models import load_model, random_model


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


def _newer_layers() -> nn.Sequential:
    """A conv followed by each per-channel layer of MobileNet, EfficientNet and the ONNX converter, then the ones
    that mix channels or make them with a kernel of their own: ConvNeXt's LayerNorm, a ConvTranspose2d."""
    torch.manual_seed(0)
    layers = [
        ("conv", nn.Conv2d(3, 6, 3, padding=1)),
        ("bn", nn.BatchNorm2d(6)),
        ("relu6", nn.ReLU6()),
        ("hardswish", nn.Hardswish()),
        ("silu", nn.SiLU()),
        ("hardsigmoid", nn.Hardsigmoid()),
        ("prelu", nn.PReLU(6)),
        ("elu", nn.ELU()),
        ("hardtanh", nn.Hardtanh(-2.0, 2.0)),
        ("softplus", nn.Softplus()),
        ("instancenorm", nn.InstanceNorm2d(6, affine=True)),
        ("gelu", nn.GELU()),
        ("maxpool", nn.AdaptiveMaxPool2d(4)),
        ("layernorm", LayerNorm2d(6)),  # ConvNeXt's: over the channels of each position
        ("relu", nn.ReLU()),
        ("up", nn.ConvTranspose2d(6, 3, 2, stride=2)),
        ("up_relu6", nn.ReLU6()),
        ("avgpool", nn.AdaptiveAvgPool2d(1)),
        ("flatten", nn.Flatten()),
        ("fc", nn.Linear(3, 2)),
    ]
    return nn.Sequential(OrderedDict(layers)).eval()


NEWER = {  # layer -> kind
    "relu6": "ReLU6",
    "hardswish": "Hardswish",
    "silu": "SiLU",
    "hardsigmoid": "Hardsigmoid",
    "prelu": "PReLU",
    "elu": "ELU",
    "hardtanh": "Hardtanh",
    "softplus": "Softplus",
    "instancenorm": "InstanceNorm2d",
    "maxpool": "AdaptiveMaxPool2d",
    "layernorm": "LayerNorm2d",
    "up": "ConvTranspose2d",
}


def test_mobilenet_efficientnet_convnext_and_onnx_layers_are_captured_with_their_kind():
    model = _newer_layers()
    x = torch.randn(1, 3, 8, 8, generator=torch.Generator().manual_seed(1))
    acts = capture(model, x)
    names = [name for name, _ in model.named_children()]
    assert list(acts) == names  # every layer, in forward order
    rows = {r.name: r for r in trace_layers(model, x)}
    assert list(rows) == names
    for layer, kind in NEWER.items():
        assert rows[layer].kind == kind and rows[layer].shape == tuple(acts[layer].shape[1:]), layer
    assert (rows["maxpool"].receptive_field, rows["maxpool"].jump) == (4, 2)  # 8 -> 4: windows of 2, 2 apart
    assert (rows["up"].shape, rows["up"].receptive_field, rows["up"].jump) == ((3, 8, 8), 5, 1)


def test_producing_conv_through_the_newer_per_channel_layers_and_why_not_past_the_others():
    model = _newer_layers()
    acts = capture(model, torch.randn(1, 3, 8, 8, generator=torch.Generator().manual_seed(2)))
    names = list(acts)
    for layer in names[names.index("relu6") : names.index("maxpool") + 1]:  # a ReLU6 after a conv is the conv's
        assert producing_conv(model, acts, layer) == MadeBy("conv", tuple(names[1 : names.index(layer) + 1]))
    reasons = {layer: no_single_kernel(model, acts, layer) for layer in names[names.index("layernorm") :]}
    assert all(producing_conv(model, acts, layer) is None for layer in reasons)
    assert reasons == {
        "layernorm": "fm.not_conv.norm",  # each position normalised over all channels
        "relu": "fm.not_conv.norm",
        "up": "fm.not_conv.transposed",
        "up_relu6": "fm.not_conv.transposed",
        "avgpool": "fm.not_conv.transposed",
        "flatten": "fm.not_conv.mixed",
        "fc": "fm.not_conv.mixed",
    }


def test_mobilenet_v3s_hardswish_is_made_by_its_conv():
    model, _ = random_model("mobilenet_v3_small")
    acts = capture(model, torch.randn(1, 3, 64, 64, generator=torch.Generator().manual_seed(3)))
    assert producing_conv(model, acts, "features.0.2") == MadeBy("features.0.0", ("features.0.1", "features.0.2"))
    assert type(model.get_submodule("features.0.2")) is nn.Hardswish


def test_a_depthwise_activation_reads_only_its_own_input_channel():
    """MobileNet V2's first depthwise 3×3 (32 groups of one channel): output channel oc is made from input
    channel oc alone, and the explanation says which (``step.input_channels``, ``trace.group_channels``)."""
    model, _ = random_model("mobilenet_v2")
    x = torch.randn(1, 3, 64, 64, generator=torch.Generator().manual_seed(4))
    layer = "features.1.conv.0.0"
    module = model.get_submodule(layer)
    assert module.groups == module.in_channels == module.out_channels == 32
    explained = explain_activation(model, x, layer, 17, 5, 6)
    assert explained.trace.groups == 32 and explained.step.input_channels == (17,)
    assert explained.trace.group_channels(17) == range(17, 18)
    assert explained.step.window.shape == explained.step.kernel.shape == (1, 3, 3)
    inputs = layer_input(model, x, layer)[0]  # (32, 32, 32): the depthwise conv keeps the size (stride 1)
    window = torch.nn.functional.pad(inputs[17], (1, 1, 1, 1))[5:8, 6:9]  # padding 1: rows 4..6, cols 5..7
    by_hand = float((window * module.weight.detach()[17, 0]).sum()) + explained.step.bias
    assert torch.equal(explained.step.window[0], window)
    assert explained.step.value == pytest.approx(by_hand, abs=1e-4)
    assert explained.step.value == pytest.approx(explained.captured, abs=1e-4)
    # a 1×1 conv of MobileNet V2 (groups 1) reads every input channel
    pointwise = explain_activation(model, x, "features.1.conv.1", 3, 0, 0)
    assert pointwise.step.input_channels == tuple(range(32))
