"""load_model: bundled weights offline, sha256 checks, the ResNet-18 cache path, preprocessing."""

from __future__ import annotations

import hashlib
import shutil
import urllib.error

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw

from vizconv.inputs.samples import ASSETS
from vizconv.nets.models import ModelError, available_models, load_model, preprocess_cifar, preprocess_digit
from vizconv.training.datasets import MNIST_MEAN, MNIST_STD


@pytest.mark.parametrize(
    ("name", "input_size", "first_class"),
    [("lenet5", (1, 28, 28), "0"), ("lenet5-classic", (1, 28, 28), "0"), ("resnet20", (3, 32, 32), "airplane")],
)
def test_bundled_models_load_offline(name, input_size, first_class):
    model, info = load_model(name)
    assert not model.training
    assert len(info.classes) == 10 and info.classes[0] == first_class
    assert info.input_size == input_size
    assert info.card["sha256"]
    with Image.open(ASSETS / "samples" / "photos" / "chelsea.jpg") as image:
        assert info.preprocess(image).shape == (1, *input_size)


def test_resnet20_reads_a_cifar_test_image():
    model, info = load_model("resnet20")
    with Image.open(ASSETS / "samples" / "cifar10" / "ship.jpg") as image:
        probabilities = torch.softmax(model(info.preprocess(image)), dim=1)[0]
    assert info.classes[int(probabilities.argmax())] == "ship"


def test_lenet5_reads_a_bundled_mnist_digit():
    model, info = load_model("lenet5")
    with Image.open(ASSETS / "samples" / "mnist" / "digit_7.png") as image:
        x = info.preprocess(image)
    assert x.shape == (1, 1, 28, 28)
    assert info.classes[int(model(x).argmax())] == "7"


def test_altered_weights_are_refused(tmp_path):
    for suffix in (".pt", ".json"):
        shutil.copy(ASSETS / "models" / f"lenet5{suffix}", tmp_path / f"lenet5{suffix}")
    with open(tmp_path / "lenet5.pt", "ab") as file:
        file.write(b"tampered")
    with pytest.raises(ModelError, match="sha256"):
        load_model("lenet5", models_dir=tmp_path)


def test_unknown_and_missing_models(tmp_path):
    with pytest.raises(ModelError, match="Available"):
        load_model("vgg99")
    with pytest.raises(ModelError, match="missing"):
        load_model("lenet5", models_dir=tmp_path)
    assert set(available_models()) == {"lenet5", "lenet5-classic", "resnet20", "resnet18"}


@pytest.fixture
def hub_dir(tmp_path):
    previous = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path / "hub"))
    yield tmp_path / "hub"
    torch.hub.set_dir(previous)


def test_resnet18_offline_is_explained(hub_dir, monkeypatch):
    def offline(*args, **kwargs):
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr("urllib.request.urlopen", offline)
    with pytest.raises(ModelError, match="download failed"):
        load_model("resnet18")
    assert not list(hub_dir.rglob("*.partial"))


def test_resnet18_download_reports_progress(hub_dir, monkeypatch):
    """The download writes the hub cache file and reports the fraction done (a local stand-in for the server)."""
    import io

    from torchvision.models import resnet18

    from vizconv.nets.models import download_resnet18, resnet18_weights_path

    buffer = io.BytesIO()
    torch.save(resnet18().state_dict(), buffer)
    payload = buffer.getvalue()

    class Response(io.BytesIO):
        headers = {"Content-Length": str(len(payload))}

    monkeypatch.setattr("urllib.request.urlopen", lambda url, timeout: Response(payload))
    # the stand-in is not the published file: its name's hash prefix is made to match it
    monkeypatch.setattr("vizconv.nets.models._hash_prefix", lambda url: hashlib.sha256(payload).hexdigest()[:8])
    fractions = []
    path = download_resnet18(progress=fractions.append)
    assert path == resnet18_weights_path() and path.read_bytes() == payload
    assert fractions[-1] == 1.0 and fractions == sorted(fractions) and len(fractions) > 10


def test_a_download_that_is_not_the_published_file_is_refused(hub_dir, monkeypatch):
    """What arrives must start with the sha256 digits in its name (resnet18-f37072fd.pth), as torch.hub checks: a
    proxy's error page is refused, and nothing is left in the cache to be loaded later."""
    import io

    from vizconv.nets.models import ModelError, _hash_prefix, download_resnet18, resnet18_weights_path

    assert _hash_prefix("https://download.pytorch.org/models/resnet18-f37072fd.pth") == "f37072fd"
    page = b"<html>Please log in to the proxy</html>"

    class Response(io.BytesIO):
        headers = {"Content-Length": str(len(page))}

    monkeypatch.setattr("urllib.request.urlopen", lambda url, timeout: Response(page))
    with pytest.raises(ModelError, match="damaged or incomplete"):
        download_resnet18()
    target = resnet18_weights_path()
    assert not target.exists() and not list(target.parent.glob("*.partial"))


def test_resnet18_loads_from_a_locally_placed_cache_file(hub_dir):
    from torchvision.models import ResNet18_Weights, resnet18

    torch.manual_seed(0)
    reference = resnet18()
    checkpoints = hub_dir / "checkpoints"
    checkpoints.mkdir(parents=True)
    torch.save(reference.state_dict(), checkpoints / ResNet18_Weights.DEFAULT.url.rsplit("/", 1)[1])
    model, info = load_model("resnet18")
    assert len(info.classes) == 1000 and info.classes[0] == "tench"
    assert info.input_size == (3, 224, 224)
    assert torch.equal(model.conv1.weight, reference.conv1.weight)
    assert info.preprocess(Image.new("RGB", (300, 200))).shape == (1, 3, 224, 224)


def test_a_dark_digit_on_light_paper_becomes_white_on_black_and_centred():
    image = Image.new("L", (200, 120), 235)  # light paper, the digit off-centre
    ImageDraw.Draw(image).rectangle((20, 10, 50, 100), fill=20)
    x = preprocess_digit(image)[0, 0]
    background = float(x[0, 0])
    ink = (x > background + 1).nonzero()
    rows, cols = ink[:, 0], ink[:, 1]
    assert int(rows.max() - rows.min() + 1) == 20  # the taller side fits 20 px
    assert abs(float(rows.float().mean()) - 13.5) < 1.0 and abs(float(cols.float().mean()) - 13.5) < 1.0
    assert float(x.max()) > 2.0  # white ink after standardising (1 - 0.1307) / 0.3081 = 2.82


def test_grey_paper_becomes_black_like_mnists_background():
    """A photographed digit: grey paper (180) and dark ink (40). The paper inside the digit's box must not
    come out as a grey square around the digit."""
    image = Image.new("L", (120, 120), 180)
    ImageDraw.Draw(image).line((60, 15, 60, 105), fill=40, width=9)  # a "1"
    ImageDraw.Draw(image).line((40, 30, 60, 15), fill=40, width=9)
    x = preprocess_digit(image)[0, 0]
    zero = -MNIST_MEAN / MNIST_STD
    assert float(x.min()) == pytest.approx(zero, abs=1e-5)
    strokes = (x > zero + 1.0).nonzero()  # the ink, well above the paper
    box = x[strokes[:, 0].min() : strokes[:, 0].max() + 1, strokes[:, 1].min() : strokes[:, 1].max() + 1]
    # inside the digit's box the paper between the strokes is black (it was the paper's grey, 75 of 255)
    assert float((box < zero + 0.3).float().mean()) > 0.2
    assert float(x.max()) == pytest.approx((1 - MNIST_MEAN) / MNIST_STD, abs=0.05)  # the ink stretched to white


def test_a_blank_drawing_gives_an_empty_digit():
    x = preprocess_digit(Image.new("L", (50, 50), 255))
    assert torch.allclose(x, x.flatten()[0].expand_as(x))


def test_cifar_preprocessing_is_a_standardised_32x32_crop():
    x = preprocess_cifar(Image.fromarray(np.full((40, 60, 3), 128, dtype=np.uint8)))
    assert x.shape == (1, 3, 32, 32)
    assert abs(float(x[0, 0, 0, 0]) - (128 / 255 - 0.4914) / 0.2470) < 1e-3


@pytest.mark.parametrize("name", ["lenet5", "resnet20", "resnet18"])
def test_random_weights_are_seeded_untrained_and_need_no_file(name, monkeypatch):
    """random_model: the same weights every time, PyTorch's initialisation, no download, the caller's RNG kept."""
    from vizconv.nets.models import random_model

    def no_download(*args, **kwargs):
        raise AssertionError("random weights must not download anything")

    monkeypatch.setattr("urllib.request.urlopen", no_download)
    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    first, info = random_model(name)
    assert torch.equal(torch.rand(1), expected_next)  # random_model left the global generator alone
    second, _ = random_model(name)
    assert info.card["source"] == "random" and not first.training
    for (key, a), b in zip(first.state_dict().items(), second.state_dict().values(), strict=True):
        assert torch.equal(a, b), key
    bundled = {"lenet5": "lenet5", "resnet20": "resnet20"}.get(name)
    if bundled:
        trained, _ = load_model(bundled)
        conv = next(k for k in trained.state_dict() if k.endswith("weight"))
        assert not torch.equal(trained.state_dict()[conv], first.state_dict()[conv])
