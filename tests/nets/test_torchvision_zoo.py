"""The torchvision zoo: every classifier builds offline with random weights, its layer table's windows hold what
each output really reads, one activation is explained down to the dot product (a grouped kernel reading only its
group), and the weights come from torch's hub cache (served here from a local file: no internet), their hash
checked."""

from __future__ import annotations

import functools
import hashlib
import io
import urllib.error

import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from vizconv.nets import models
from vizconv.nets.capture import capture, layer_input
from vizconv.nets.feature_maps import explain_activation
from vizconv.nets.layers import trace_layers
from vizconv.nets.models import (
    ZOO_MODELS,
    ModelError,
    available_models,
    download_weights,
    load_model,
    load_user_weights,
    random_model,
    weights_downloaded,
    weights_path,
)
from vizconv.nets.zoo import IMAGENET, TORCHVISION_MODELS, spec

SIDE = 64  # every zoo architecture takes 64×64 (the largest minimum, AlexNet's, is 63): fast on a CPU
REQUIRED = {
    "alexnet",
    "vgg11",
    "vgg16",
    "resnet18",
    "resnet50",
    "mobilenet_v2",
    "mobilenet_v3_small",
    "mobilenet_v3_large",
    "efficientnet_b0",
    "convnext_tiny",
    "regnet_y_400mf",
    "googlenet",
}
GROUPED = {
    "mobilenet_v2",
    "mobilenet_v3_small",
    "mobilenet_v3_large",
    "efficientnet_b0",
    "regnet_y_400mf",
    "convnext_tiny",
}
# Squeeze-and-excitation blocks scale each channel by a value computed from the whole map (a global average
# pooling); the scaled map's field is its input's (vizconv.nets.layers leaves the 1×1 gate out).
SQUEEZE_EXCITATION = {"mobilenet_v3_small", "mobilenet_v3_large", "efficientnet_b0", "regnet_y_400mf"}


@functools.lru_cache(maxsize=1)  # one model at a time: VGG-16 alone is 553 MB
def _random(name: str) -> tuple[nn.Module, object]:
    return random_model(name)


def _x(seed: int = 0) -> torch.Tensor:
    return torch.randn(1, 3, SIDE, SIDE, generator=torch.Generator().manual_seed(seed))


def test_the_zoo_has_the_issues_models_with_their_weights():
    assert set(ZOO_MODELS) >= REQUIRED
    assert available_models() == ("lenet5", "lenet5-classic", "resnet20", "resnet18")  # the page's list, as it was
    assert set(available_models(zoo=True)) == set(available_models()) | set(ZOO_MODELS)
    for name in ZOO_MODELS:
        model = spec(name)
        assert model is TORCHVISION_MODELS[name] and not model.bundled
        assert model.url.startswith("https://download.pytorch.org/models/") and models._hash_prefix(model.url)
        assert model.weights.startswith(model.weights.split("_Weights")[0]) and model.download_mb > 1
        assert 0.5 < model.accuracy < 0.9 and model.dataset == "ImageNet-1K"
        assert model.classes == IMAGENET.classes and len(model.classes) == 1000
        assert model.min_size <= SIDE
    assert spec("resnet18") is models.MODELS["resnet18"]
    assert spec("googlenet").ignore_keys == ("aux1.", "aux2.")


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_preprocessing_is_the_weights_own(name):
    import torchvision.models

    model = spec(name)
    weights = torchvision.models.get_weight(model.weights)
    picture = Image.new("RGB", (300, 200), (120, 30, 200))
    expected = weights.transforms()(picture)[None]
    assert torch.allclose(model.preprocess(picture), expected)
    assert model.input_size == (3, *expected.shape[2:])
    assert (model.data.mean, model.data.std) == (tuple(weights.transforms().mean), tuple(weights.transforms().std))


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_architecture_builds_offline_with_random_weights(name):
    model, info = _random(name)
    assert info.card == {"dataset": "ImageNet-1K", "source": "random", "seed": models.RANDOM_SEED}
    assert info.classes[0] == "tench" and not model.training
    with torch.no_grad():
        assert model(_x()).shape == (1, 1000)
    again, _ = random_model(name) if name not in ("vgg11", "vgg16") else (model, None)  # seeded: the same weights
    first = next(again.parameters())
    assert torch.equal(first, next(model.parameters()))


def _support(model: nn.Module, x: torch.Tensor, layer: str, cell: tuple[int, int, int]) -> torch.Tensor:
    """The input pixels whose change changes output ``cell`` of ``layer`` (rows, cols), from the gradient."""
    x = x.clone().requires_grad_(True)
    out = {}
    handle = model.get_submodule(layer).register_forward_hook(lambda m, i, o: out.setdefault("y", o))
    try:
        model(x)
    finally:
        handle.remove()
    oc, oy, ox = cell
    (grad,) = torch.autograd.grad(out["y"][0, oc, oy, ox], x)
    return grad[0].abs().sum(0).nonzero()  # (pixels, 2): row, col


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_the_layer_tables_windows_hold_what_each_output_reads(name):
    """For the first convolutions, one in the middle and the last: every input pixel that changes a central output value
    lies inside the window the layer table gives it (the first convolution's window is exactly those pixels)."""
    model, _ = _random(name)
    x = _x(1)
    rows = {row.name: row for row in trace_layers(model, x)}
    acts = capture(model, x)
    convs = [k for k in acts if isinstance(model.get_submodule(k.split("#")[0]), nn.Conv2d)]
    assert convs and all(rows[c].kind == "Conv2d" and rows[c].shape == tuple(acts[c].shape[1:]) for c in convs)
    for layer in (convs[0], convs[1], convs[len(convs) // 2], convs[-1]):
        module = model.get_submodule(layer)
        assert rows[layer].params == sum(p.numel() for p in module.parameters())
        assert rows[layer].jump <= SIDE, layer  # the strides so far: neighbouring outputs are this far apart
        _, height, width = rows[layer].shape
        centre = acts[layer][0, :, height // 2, width // 2]
        cell = (int(centre.argmax()), height // 2, width // 2)  # a value above zero: a ReLU after it passes it on
        pixels = _support(model, x, layer, cell)
        top, left, bottom, right = rows[layer].window(cell[1], cell[2])
        assert len(pixels), layer
        assert pixels[:, 0].min() >= top and pixels[:, 0].max() <= bottom, layer
        assert pixels[:, 1].min() >= left and pixels[:, 1].max() <= right, layer
        if layer == convs[0] and module.padding[0] < module.kernel_size[0]:  # nothing in between: exactly it
            assert (pixels[:, 0].min(), pixels[:, 0].max()) == (max(top, 0), min(bottom, SIDE - 1)), layer


# The last convolution's field at 224×224 (theoretical, as Araujo et al. 2019 compute it: padding counted)
LAST_CONV_FIELD = {"mobilenet_v3_small": 639, "mobilenet_v3_large": 595, "efficientnet_b0": 851, "regnet_y_400mf": 575}


@pytest.mark.parametrize("name", sorted(SQUEEZE_EXCITATION))
def test_squeeze_and_excitation_leaves_every_field_as_without_it(name):
    """Every layer outside the SE blocks has the field, jump and centre it has with the blocks taken out (replaced
    by nn.Identity): a few hundred pixels at the last convolution, not the billions the pooling's field gave."""
    from torchvision.ops import SqueezeExcitation

    model, _ = _random(name)
    x = torch.zeros(1, 3, 224, 224)
    rows = trace_layers(model, x)
    stripped, _ = random_model(name)
    blocks = [path for path, module in stripped.named_modules() if isinstance(module, SqueezeExcitation)]
    assert blocks
    for path in blocks:
        parent, _, child = path.rpartition(".")
        setattr(stripped.get_submodule(parent), child, nn.Identity())
    without = {row.name: row for row in trace_layers(stripped, x)}
    outside = [row for row in rows if not any(row.name.startswith(f"{path}.") for path in blocks)]
    assert [row.name for row in outside] == list(without)
    assert all(row == without[row.name] for row in outside)
    last = [row for row in rows if row.kind == "Conv2d" and row.shape[1:] == (7, 7)][-1]
    assert (last.receptive_field, last.jump) == (LAST_CONV_FIELD[name], 32)


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_one_activation_is_explained_down_to_the_dot_product(name):
    model, _ = _random(name)
    x = _x(2)
    acts = capture(model, x)
    convs = [k for k in acts if isinstance(model.get_submodule(k.split("#")[0]), nn.Conv2d)]
    grouped = [c for c in convs if model.get_submodule(c).groups > 1]
    layer = grouped[0] if grouped else convs[len(convs) // 2]
    assert bool(grouped) == (name in GROUPED)
    module = model.get_submodule(layer)
    out = acts[layer][0]
    oc, oy, ox = out.shape[0] - 1, out.shape[1] // 2, out.shape[2] - 1
    explained = explain_activation(model, x, layer, oc, oy, ox, out)
    inputs = layer_input(model, x, layer)
    bias = None if module.bias is None else module.bias.detach()
    reference = F.conv2d(
        inputs, module.weight.detach(), bias, module.stride, module.padding, module.dilation, module.groups
    )
    assert explained.step.value == pytest.approx(float(reference[0, oc, oy, ox]), abs=1e-4)
    assert explained.captured == pytest.approx(float(out[oc, oy, ox]), abs=1e-6)
    per_group = module.in_channels // module.groups
    group = oc // (module.out_channels // module.groups)
    assert explained.step.input_channels == tuple(range(group * per_group, (group + 1) * per_group))
    assert explained.step.kernel.shape == (per_group, *module.kernel_size)


# ---------------------------------------------------------------- weights from torch's hub cache


@pytest.fixture
def hub(tmp_path, monkeypatch):
    """torch's hub folder under a temporary TORCH_HOME; no download reaches the internet."""

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr("urllib.request.urlopen", offline)
    monkeypatch.setattr(torch.hub, "_hub_dir", None)  # TORCH_HOME decides
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return tmp_path / "torch" / "hub"


def _published(name: str, seed: int = 5) -> tuple[bytes, dict[str, torch.Tensor]]:
    """A stand-in for the published file: torch.save of the architecture's state_dict (seeded)."""
    model, _ = random_model(name, seed=seed)
    state = model.state_dict()
    buffer = io.BytesIO()
    torch.save(state, buffer)
    return buffer.getvalue(), state


def _serve(monkeypatch, payload: bytes, urls: list[str] | None = None) -> None:
    """``urllib.request.urlopen`` answering with ``payload`` (a local file in place of the server)."""

    class Response(io.BytesIO):
        headers = {"Content-Length": str(len(payload))}

    def urlopen(url, timeout):
        if urls is not None:
            urls.append(url)
        return Response(payload)

    monkeypatch.setattr("urllib.request.urlopen", urlopen)


def test_a_download_lands_in_the_hub_cache_with_progress_and_loads(hub, monkeypatch):
    name = "mobilenet_v3_small"
    payload, state = _published(name)
    urls: list[str] = []
    _serve(monkeypatch, payload, urls)
    # the stand-in is not the published file: its name's hash prefix is made to match it
    monkeypatch.setattr(models, "_hash_prefix", lambda url: hashlib.sha256(payload).hexdigest()[:8])
    assert not weights_downloaded(name)
    fractions: list[float] = []
    path = download_weights(name, progress=fractions.append, chunk=64 * 1024)
    assert urls == [spec(name).url]
    assert path == weights_path(name) == hub / "checkpoints" / spec(name).url.rsplit("/", 1)[1]
    assert path.read_bytes() == payload and weights_downloaded(name)
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) > 10
    model, info = load_model(name)
    assert torch.equal(model.features[0][0].weight, state["features.0.0.weight"])
    assert info.card["source"] == spec(name).url and info.card["test_accuracy"] == spec(name).accuracy
    assert info.input_size == (3, 224, 224) and info.classes[0] == "tench"
    assert download_weights(name, progress=fractions.append) == path and len(urls) == 1  # cached: no second download


def test_a_download_with_the_wrong_hash_is_refused_and_not_kept(hub, monkeypatch):
    payload, _ = _published("regnet_y_400mf")
    _serve(monkeypatch, payload)  # not the file whose sha256 starts with the digits in its name
    with pytest.raises(ModelError, match="RegNetY-400MF.*damaged or incomplete"):
        download_weights("regnet_y_400mf")
    target = weights_path("regnet_y_400mf")
    assert not target.exists() and not list(target.parent.glob("*.partial"))


def test_offline_says_so_and_random_weights_still_work(hub):
    with pytest.raises(ModelError, match="ConvNeXt-Tiny needs its ImageNet weights.*download failed") as refused:
        load_model("convnext_tiny")
    assert str(weights_path("convnext_tiny")) in str(refused.value)
    assert not list(hub.rglob("*.partial"))
    model, info = random_model("convnext_tiny")
    assert info.card["source"] == "random"


def test_a_file_placed_in_the_cache_by_hand_loads_without_a_download(hub):
    """As the offline message says: a file copied into the hub cache is used (GoogLeNet's training-only
    auxiliary classifiers, which the published file has, are left out)."""
    import torchvision.models

    torch.manual_seed(3)
    published = torchvision.models.googlenet(weights=None, aux_logits=True, transform_input=True, init_weights=True)
    target = weights_path("googlenet")
    target.parent.mkdir(parents=True)
    torch.save(published.state_dict(), target)
    model, info = load_model("googlenet")
    assert model.aux1 is None and torch.equal(model.conv1.conv.weight, published.conv1.conv.weight)
    with torch.no_grad():
        published.eval()
        assert torch.allclose(model(_x()), published(_x()), atol=1e-5)


def test_a_damaged_cache_file_is_removed_with_a_message(hub):
    target = weights_path("efficientnet_b0")
    target.parent.mkdir(parents=True)
    target.write_bytes(b"half a file")
    with pytest.raises(ModelError, match="EfficientNet-B0.*damaged or incomplete"):
        load_model("efficientnet_b0")
    assert not target.exists()


def test_a_students_state_dict_for_a_zoo_architecture():
    model, _ = random_model("mobilenet_v2", seed=7)
    buffer = io.BytesIO()
    torch.save(model.state_dict(), buffer)
    loaded, info = load_user_weights("mobilenet_v2", buffer.getvalue())
    assert info.card == {"dataset": "ImageNet-1K", "source": "uploaded"}
    assert all(
        torch.equal(a, b) for a, b in zip(loaded.state_dict().values(), model.state_dict().values(), strict=True)
    )
    assert models.max_weights_bytes("vgg16") > 528 * 2**20 > models.max_weights_bytes("resnet18")
