"""What a channel looks for: the stored top patches (every conv channel of every bundled model, values that
recompute), the receptive field against the gradient's support, and top_patches on pictures made to order."""

from __future__ import annotations

import json
import shutil
import tarfile

import numpy as np
import pytest
import torch
from torch import nn

from tests_support import ROOT
from vizconv import ParameterError
from vizconv.explain.errors import ExplainError
from vizconv.explain.top_patches import K, conv_layers, load_top_patches, top_patch_layers, top_patches
from vizconv.nets.capture import capture
from vizconv.nets.layers import layer_table
from vizconv.nets.models import BUNDLED_MODELS, load_model

SHARED = ROOT.parent / "shared" / "data"
MNIST_NPZ, CIFAR_TAR = SHARED / "mnist-8k.npz", SHARED / "cifar10-jpeg.tar.gz"


def _standardised(patches, info) -> torch.Tensor:
    mean = torch.tensor(info.mean).view(1, -1, 1, 1)
    std = torch.tensor(info.std).view(1, -1, 1, 1)
    return (patches.pixels.float() / 255 - mean) / std


@pytest.mark.parametrize("name", BUNDLED_MODELS)
def test_nine_patches_for_every_channel_of_every_conv_layer(name):
    model, info = load_model(name)
    rows = conv_layers(model, info.input_size)
    assert top_patch_layers(name) == [row.name for row in rows]
    for row in rows:
        for channel in range(row.shape[0]):
            patches = load_top_patches(name, row.name, channel)
            assert patches.pixels.shape == (K, *info.input_size) and patches.pixels.dtype == torch.uint8
            assert patches.values.shape == (K,) and bool((patches.values[:-1] >= patches.values[1:]).all())
            assert len(set(patches.sources)) == K  # one patch per picture
            assert patches.receptive_field == row.receptive_field
            sides = patches.boxes[:, 2:] - patches.boxes[:, :2] + 1
            assert bool((sides == row.receptive_field).all())
    patches = load_top_patches(name, rows[-1].name, 0)
    side = rows[-1].receptive_field
    assert patches.patches().shape == (K, side, side, 3) and patches.images.shape == (K, *info.input_size[1:], 3)


@pytest.mark.parametrize("name", BUNDLED_MODELS)
def test_stored_values_recompute_from_the_stored_pictures(name):
    """The pictures are stored exactly (uint8 PNG): each value is the channel's maximum on its picture, at the
    stored position, for the bundled weights."""
    model, info = load_model(name)
    for row in conv_layers(model, info.input_size)[::3]:
        for channel in {0, row.shape[0] // 2, row.shape[0] - 1}:
            patches = load_top_patches(name, row.name, channel)
            maps = capture(model, _standardised(patches, info), [row.name])[row.name][:, channel]  # (k, h, w)
            at = maps[torch.arange(K), patches.positions[:, 0], patches.positions[:, 1]]
            torch.testing.assert_close(at, patches.values, rtol=1e-5, atol=1e-5)
            torch.testing.assert_close(maps.flatten(1).max(dim=1).values, patches.values, rtol=1e-5, atol=1e-5)


def test_the_receptive_field_holds_the_gradients_support():
    """Every input pixel a map cell depends on (non-zero gradient) lies in its box; for a first conv layer the
    box is exactly the kernel's window (clipped to the picture)."""
    for name, layers in (("lenet5", ["0", "3"]), ("resnet20", ["conv1", "layer1.1.conv2", "layer2.0.conv1"])):
        model, info = load_model(name)
        table = {row.name: row for row in layer_table(model, info.input_size)}
        x = torch.randn(1, *info.input_size, generator=torch.Generator().manual_seed(0), requires_grad=True)
        for layer in layers:
            output = capture_with_graph(model, x, layer)
            h, w = output.shape[-2:]
            for y, col in ((0, 0), (h // 2, w // 3), (h - 1, w - 1)):
                (gradient,) = torch.autograd.grad(output[0, :, y, col].sum(), x, retain_graph=True)
                rows_, cols_ = torch.nonzero(gradient[0].abs().sum(0), as_tuple=True)
                top, left, bottom, right = (round(v) for v in table[layer].window(y, col))
                assert int(rows_.min()) >= top and int(rows_.max()) <= bottom, (name, layer, y, col)
                assert int(cols_.min()) >= left and int(cols_.max()) <= right, (name, layer, y, col)
                if layer in ("0", "conv1"):
                    assert (int(rows_.min()), int(cols_.min())) == (max(top, 0), max(left, 0))
                    assert (int(rows_.max()), int(cols_.max())) == (min(bottom, h - 1), min(right, w - 1))


def capture_with_graph(model: nn.Module, x: torch.Tensor, layer: str) -> torch.Tensor:
    """The output of module ``layer`` in a forward pass with autograd on (a hook on a copy of the model)."""
    import copy

    twin = copy.deepcopy(model).eval()
    kept = []
    handle = dict(twin.named_modules())[layer].register_forward_hook(lambda m, i, o: kept.append(o.clone()))
    try:
        twin(x)
    finally:
        handle.remove()
    return kept[0]


def test_top_patches_finds_the_brightest_dots():
    """A 3×3 conv that weighs its centre most: the pictures with the brightest dots come first, each box centred
    on its dot."""
    conv = nn.Conv2d(1, 2, 3, padding=1, bias=False)
    with torch.no_grad():
        conv.weight.fill_(0.5)
        conv.weight[:, :, 1, 1] = 1.0
        conv.weight[1] *= -1
    model = nn.Sequential(conv).eval()
    pixels = torch.zeros(12, 1, 10, 10, dtype=torch.uint8)
    for n in range(12):
        pixels[n, 0, n % 8 + 1, (3 * n) % 8 + 1] = 20 * n + 10
    found = top_patches(model, "0", 0, pixels, k=4)
    assert found.sources == (11, 10, 9, 8)
    for n, (top, left, bottom, right) in zip(found.sources, found.boxes.tolist(), strict=True):
        y, x = n % 8 + 1, (3 * n) % 8 + 1
        assert (top, left, bottom, right) == (y - 1, x - 1, y + 1, x + 1)
    assert found.values[0] == pytest.approx(230 / 255)
    assert found.patches()[0, 1, 1, 0] == 230
    with pytest.raises(ExplainError, match="Channel 2 is outside layer 0"):
        top_patches(model, "0", 2, pixels)
    with pytest.raises(ExplainError, match="top 13 patches of 12 images"):
        top_patches(model, "0", 0, pixels, k=13)
    with pytest.raises(ParameterError, match="no layer 1"):
        top_patches(model, "1", 0, pixels)


def test_only_conv_layers():
    model, _ = load_model("lenet5")
    with pytest.raises(ExplainError, match="Layer 2 is not a convolution"):
        top_patches(model, "2", 0, torch.zeros(3, 1, 28, 28, dtype=torch.uint8))
    with pytest.raises(
        ExplainError, match="Layer 2 is not a convolution; top patches are kept for convolution layers: 0, 3"
    ):
        load_top_patches("lenet5", "2", 0)
    with pytest.raises(ExplainError, match="Channel 6 is outside layer 0"):
        load_top_patches("lenet5", "0", 6)


def test_missing_and_stale_files_say_how_to_regenerate(tmp_path):
    with pytest.raises(ExplainError, match="python -m vizconv.explain.top_patches") as raised:
        load_top_patches("lenet5", "0", 0, root=tmp_path)
    assert raised.value.key == "explain.patches_missing"
    shutil.copytree(ROOT / "assets" / "top_patches" / "lenet5", tmp_path / "lenet5")
    index = json.loads((tmp_path / "lenet5" / "index.json").read_text())
    index["weights_sha256"] = "0" * 64
    (tmp_path / "lenet5" / "index.json").write_text(json.dumps(index))
    with pytest.raises(ExplainError, match="other weights") as raised:
        load_top_patches("lenet5", "0", 0, root=tmp_path)
    assert "权重" in raised.value.message("zh")


@pytest.mark.skipif(not MNIST_NPZ.exists(), reason="../shared/data/mnist-8k.npz is not beside the repository")
def test_lenets_patches_are_the_held_out_digits_top_nine():
    """Recomputed from the training data: the stored pictures are its held-out digits, and for LeNet-5's first
    layer the stored nine are top_patches over all of them."""
    from vizconv.training.datasets import load_mnist

    digits = load_mnist(MNIST_NPZ, seed=0).test[0]
    model, info = load_model("lenet5")
    for channel in range(6):
        stored = load_top_patches("lenet5", "0", channel)
        assert torch.equal(stored.pixels, digits[list(stored.sources)])
        found = top_patches(model, "0", channel, digits, mean=info.mean, std=info.std)
        assert found.sources == stored.sources
        torch.testing.assert_close(found.values, stored.values, rtol=1e-5, atol=1e-5)
        assert torch.equal(found.boxes, stored.boxes)


@pytest.mark.skipif(not CIFAR_TAR.exists(), reason="../shared/data/cifar10-jpeg.tar.gz is not beside the repository")
def test_resnet20s_pictures_are_the_cifar_test_images_they_name():
    from PIL import Image

    stored = load_top_patches("resnet20", "layer3.2.conv2", 5)
    wanted = {f"cifar10/{file}": n for n, file in enumerate(stored.source_files)}
    found = {}
    with tarfile.open(CIFAR_TAR, "r:gz") as archive:
        for member in archive:
            if member.name in wanted:
                with Image.open(archive.extractfile(member)) as image:
                    found[member.name] = np.asarray(image.convert("RGB"))
                if len(found) == len(wanted):
                    break
    assert set(found) == set(wanted)
    for name, n in wanted.items():
        assert np.array_equal(stored.images[n], found[name]), name
