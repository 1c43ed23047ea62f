"""Loading the models vizconv shows, with what belongs to their weights.

``load_model(name)`` returns the model in eval mode and a ``ModelInfo``:
class names, input size, the preprocessing used in training, and the model
card. Bundled weights (assets/models) are checked against the sha256 in their
card and loaded with ``weights_only=True``. "resnet18" uses torchvision's
ImageNet weights, downloaded to torch's hub cache on first use.
"""

from __future__ import annotations

import contextlib
import io
import json
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

from vizconv.datasets import CIFAR10_MEAN, CIFAR10_STD, MNIST_MEAN, MNIST_STD
from vizconv.errors import MessageError
from vizconv.train import MODELS_DIR, RECIPES, sha256_of

__all__ = [
    "BUNDLED_MODELS",
    "ModelError",
    "ModelInfo",
    "available_models",
    "download_resnet18",
    "load_model",
    "load_user_weights",
    "preprocess_cifar",
    "preprocess_digit",
    "resnet18_downloaded",
    "resnet18_weights_path",
]

BUNDLED_MODELS = ("lenet5", "lenet5-classic", "resnet20")
DOWNLOADED_MODELS = ("resnet18",)
MAX_WEIGHTS_BYTES = 64 * 1024 * 1024  # ResNet-18's state_dict is about 45 MB


class ModelError(MessageError):
    """A model that cannot be loaded (missing, altered or not downloadable)."""


@dataclass(frozen=True)
class ModelInfo:
    """What belongs to a model's weights."""

    name: str
    classes: list[str]
    input_size: tuple[int, int, int]  # (C, H, W)
    preprocess: Callable[[Image.Image], torch.Tensor] = field(repr=False)  # PIL image -> [1, C, H, W]
    card: dict = field(default_factory=dict, repr=False)
    mean: tuple[float, ...] = (0.0,)  # the standardisation preprocess applied, per channel
    std: tuple[float, ...] = (1.0,)

    def to_image(self, x: torch.Tensor) -> np.ndarray:
        """A preprocessed input [1, C, H, W] back as an (H, W, 3) uint8 picture: what the model sees."""
        channels = x.shape[1]
        mean = torch.tensor(self.mean).view(1, -1, 1, 1)
        std = torch.tensor(self.std).view(1, -1, 1, 1)
        pixels = (x * std + mean).clamp(0, 1)[0]  # (C, H, W)
        if channels == 1:
            pixels = pixels.expand(3, -1, -1)
        return (pixels.permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)


def available_models() -> tuple[str, ...]:
    """Every model name ``load_model`` accepts."""
    return BUNDLED_MODELS + DOWNLOADED_MODELS


def preprocess_digit(image: Image.Image) -> torch.Tensor:
    """A drawn or photographed digit as MNIST shows digits: [1, 1, 28, 28], standardised.

    Grayscale; inverted when the background is light (MNIST is white on
    black); the background level (the border's median: grey paper in a
    photo) taken to black and the ink stretched to white, as MNIST's digits
    are; the digit's bounding box scaled to fit 20x20 and centred in 28x28.
    """
    pixels = np.asarray(image.convert("L"), dtype=np.float32)
    border = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    if np.median(border) > 127:  # light background: dark ink on paper
        pixels = 255.0 - pixels
        border = 255.0 - border
    background = float(np.median(border))
    pixels = np.clip((pixels - background) * 255.0 / max(float(pixels.max()) - background, 1.0), 0.0, 255.0)
    gray = Image.fromarray(pixels.round().astype(np.uint8))
    ink = pixels > 0.2 * max(float(pixels.max()), 1.0)
    canvas = Image.new("L", (28, 28), 0)
    if ink.any():
        rows, cols = np.where(ink)
        box = (int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1)
        digit = gray.crop(box)
        scale = 20.0 / max(digit.width, digit.height)
        size = (max(1, round(digit.width * scale)), max(1, round(digit.height * scale)))
        digit = digit.resize(size, Image.Resampling.LANCZOS)
        canvas.paste(digit, ((28 - size[0]) // 2, (28 - size[1]) // 2))
    x = torch.from_numpy(np.asarray(canvas, dtype=np.float32) / 255.0)  # (28, 28)
    return ((x - MNIST_MEAN) / MNIST_STD)[None, None]


def preprocess_cifar(image: Image.Image) -> torch.Tensor:
    """A photo as the CIFAR-10 models saw training images: centre square, 32x32 RGB, standardised."""
    rgb = image.convert("RGB")
    side = min(rgb.size)
    left, top = (rgb.width - side) // 2, (rgb.height - side) // 2
    square = rgb.crop((left, top, left + side, top + side)).resize((32, 32), Image.Resampling.LANCZOS)
    x = torch.from_numpy(np.asarray(square, dtype=np.float32) / 255.0).permute(2, 0, 1)  # (3, 32, 32)
    mean = torch.tensor(CIFAR10_MEAN).view(3, 1, 1)
    std = torch.tensor(CIFAR10_STD).view(3, 1, 1)
    return ((x - mean) / std)[None]


BUNDLED_CLASSES = 10  # MNIST's digits and CIFAR-10's classes: what a bundled card's class names must number


def _read_card(name: str, path: Path) -> dict:
    """A bundled model's card, with the sha256 and class names that loading needs; ModelError if it has not."""
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
        raise ModelError("model.card_broken", name=name, path=str(path)) from exc
    if not isinstance(card, dict):
        raise ModelError("model.card_broken", name=name, path=str(path))
    classes = card.get("classes")
    named = isinstance(classes, list) and len(classes) == BUNDLED_CLASSES and all(isinstance(c, str) for c in classes)
    if not named or not isinstance(card.get("sha256"), str):
        raise ModelError("model.card_broken", name=name, path=str(path))
    return card


def _load_bundled(name: str, models_dir: Path) -> tuple[nn.Module, ModelInfo]:
    weights, card_path = models_dir / f"{name}.pt", models_dir / f"{name}.json"
    try:
        for path in (weights, card_path):
            if not path.is_file():
                raise ModelError("model.missing", name=name, path=str(path))
        card = _read_card(name, card_path)
        if sha256_of(weights) != card["sha256"]:
            raise ModelError("model.altered", name=name, path=str(weights))
        state = torch.load(weights, map_location="cpu", weights_only=True)
    except OSError as exc:  # a folder or file the server may not read
        reason = exc.strerror or str(exc)
        raise ModelError("model.unreadable", name=name, path=str(models_dir), reason=reason) from exc
    model = RECIPES[name]["build"]()
    model.load_state_dict(state)  # the file is the one its card's sha256 names: vizconv's own
    model.eval()
    if RECIPES[name]["dataset"] == "mnist":
        info = ModelInfo(name, card["classes"], (1, 28, 28), preprocess_digit, card, (MNIST_MEAN,), (MNIST_STD,))
    else:
        info = ModelInfo(name, card["classes"], (3, 32, 32), preprocess_cifar, card, CIFAR10_MEAN, CIFAR10_STD)
    return model, info


def resnet18_weights_path() -> Path:
    """Where torch's hub cache keeps the ResNet-18 ImageNet weights (torch.hub.load_state_dict_from_url's path)."""
    from torchvision.models import ResNet18_Weights

    return Path(torch.hub.get_dir()) / "checkpoints" / ResNet18_Weights.DEFAULT.url.rsplit("/", 1)[1]


def resnet18_downloaded() -> bool:
    """Whether the ResNet-18 weights are in torch's hub cache (False also where the cache cannot be looked into)."""
    try:
        return resnet18_weights_path().is_file()
    except OSError:  # a cache folder the server may not read: download_resnet18 says what is wrong
        return False


def _unwritable(target: Path, exc: OSError) -> ModelError:
    return ModelError(
        "model.cache_unwritable", name="ResNet-18", folder=str(target.parent), reason=exc.strerror or str(exc)
    )


def download_resnet18(progress: Callable[[float], None] | None = None, chunk: int = 1 << 20) -> Path:
    """Download the ResNet-18 ImageNet weights into torch's hub cache, reporting the fraction done.

    ModelError when the cache folder cannot be written (said so, with TORCH_HOME as the way out: that is not
    "no internet") or the download fails (offline); nothing half-written is left behind.
    """
    from torchvision.models import ResNet18_Weights

    url = ResNet18_Weights.DEFAULT.url
    target = resnet18_weights_path()
    if resnet18_downloaded():
        return target
    partial = target.with_suffix(".partial")
    try:  # before anything is downloaded: a folder the server cannot write
        target.parent.mkdir(parents=True, exist_ok=True)
        file = open(partial, "wb")  # noqa: SIM115 (closed below, after the download)
    except OSError as exc:
        raise _unwritable(target, exc) from exc
    written = False
    try:
        with file, urllib.request.urlopen(url, timeout=30) as response:
            total = int(response.headers.get("Content-Length") or 0)
            done = 0
            while block := response.read(chunk):
                try:
                    file.write(block)
                except OSError as exc:  # the disk is full
                    raise _unwritable(target, exc) from exc
                done += len(block)
                if progress and total:
                    progress(min(done / total, 1.0))
        try:
            partial.replace(target)
        except OSError as exc:
            raise _unwritable(target, exc) from exc
        written = True
    except ModelError:
        raise
    except Exception as exc:  # URLError, HTTPError, timeouts, a broken connection: no usable download
        raise ModelError("model.offline", name="ResNet-18", url=url, path=str(target)) from exc
    finally:
        if not written:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
    return target


def _load_resnet18() -> tuple[nn.Module, ModelInfo]:
    from torchvision.models import ResNet18_Weights, resnet18

    weights = ResNet18_Weights.DEFAULT
    path = download_resnet18()
    try:
        model = resnet18()
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
    except Exception as exc:  # a damaged cache file: remove it (where the folder allows) so the next try downloads
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)
        raise ModelError("model.damaged", name="ResNet-18", path=str(path)) from exc
    model.eval()
    transform = weights.transforms()

    def preprocess(image: Image.Image) -> torch.Tensor:
        return transform(image.convert("RGB"))[None]  # (1, 3, 224, 224)

    card = {
        "source": weights.url,
        "test_accuracy": weights.meta["_metrics"]["ImageNet-1K"]["acc@1"] / 100,
        "dataset": "ImageNet-1K",
    }
    mean, std = tuple(transform.mean), tuple(transform.std)
    return model, ModelInfo("resnet18", list(weights.meta["categories"]), (3, 224, 224), preprocess, card, mean, std)


def load_model(name: str, models_dir: Path | None = None) -> tuple[nn.Module, ModelInfo]:
    """Model ``name`` in eval mode and its ModelInfo; ModelError when it cannot be had (bundled models are read
    from ``models_dir``, by default MODELS_DIR as it is when called)."""
    if name in BUNDLED_MODELS:
        return _load_bundled(name, MODELS_DIR if models_dir is None else models_dir)
    if name in DOWNLOADED_MODELS:
        return _load_resnet18()
    raise ModelError("model.unknown", name=repr(name), names=", ".join(available_models()))


def _architecture(name: str) -> tuple[nn.Module, ModelInfo]:
    """A model of architecture ``name`` with fresh weights, and the ModelInfo of its bundled counterpart."""
    if name in BUNDLED_MODELS:
        recipe = RECIPES[name]
        card = {"dataset": recipe["dataset"], "source": "uploaded"}
        if recipe["dataset"] == "mnist":
            classes = [str(d) for d in range(10)]
            info = ModelInfo(name, classes, (1, 28, 28), preprocess_digit, card, (MNIST_MEAN,), (MNIST_STD,))
        else:
            from vizconv.datasets import CIFAR10_CLASSES

            info = ModelInfo(
                name, list(CIFAR10_CLASSES), (3, 32, 32), preprocess_cifar, card, CIFAR10_MEAN, CIFAR10_STD
            )
        return recipe["build"](), info
    from torchvision.models import ResNet18_Weights, resnet18

    weights = ResNet18_Weights.DEFAULT  # only its categories and preprocessing: nothing is downloaded
    transform = weights.transforms()

    def preprocess(image: Image.Image) -> torch.Tensor:
        return transform(image.convert("RGB"))[None]  # (1, 3, 224, 224)

    card = {"dataset": "ImageNet-1K", "source": "uploaded"}
    info = ModelInfo(
        name,
        list(weights.meta["categories"]),
        (3, 224, 224),
        preprocess,
        card,
        tuple(transform.mean),
        tuple(transform.std),
    )
    return resnet18(), info


def _examples(names: list[str]) -> str:
    return ", ".join(names[:3]) + (" …" if len(names) > 3 else "") if names else "—"


def load_user_weights(name: str, data: bytes) -> tuple[nn.Module, ModelInfo]:
    """A student's own state_dict for architecture ``name``, checked, as (model in eval mode, ModelInfo).

    Loaded with ``torch.load(..., weights_only=True)`` only (no pickled code runs); keys, shapes and values
    are checked against the architecture, each failure a ModelError that says what does not fit. The model
    is new: nothing shared is changed, so the page can keep it in that session only.
    """
    if name not in available_models():
        raise ModelError("model.unknown", name=repr(name), names=", ".join(available_models()))
    if len(data) > MAX_WEIGHTS_BYTES:
        raise ModelError("weights.too_large", limit_mb=MAX_WEIGHTS_BYTES // (1024 * 1024))
    try:
        state = torch.load(io.BytesIO(bytes(data)), map_location="cpu", weights_only=True)
    except Exception as exc:  # UnpicklingError, RuntimeError, EOFError, zip errors, …: not loadable safely
        raise ModelError("weights.unreadable") from exc
    if isinstance(state, dict) and isinstance(state.get("state_dict"), dict):  # a training checkpoint
        state = state["state_dict"]
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ModelError("weights.not_state_dict", kind=type(state).__name__)
    if state and all(isinstance(k, str) and k.startswith("module.") for k in state):  # saved from DataParallel
        state = {k[len("module.") :]: v for k, v in state.items()}
    model, info = _architecture(name)
    expected = model.state_dict()
    missing = [k for k in expected if k not in state]
    unexpected = [str(k) for k in state if k not in expected]
    if missing or unexpected:
        raise ModelError(
            "weights.keys",
            name=name,
            missing=len(missing),
            missing_examples=_examples(missing),
            unexpected=len(unexpected),
            unexpected_examples=_examples(unexpected),
        )
    wrong = [f"{k} {list(state[k].shape)} ≠ {list(v.shape)}" for k, v in expected.items() if state[k].shape != v.shape]
    if wrong:
        raise ModelError("weights.shapes", name=name, count=len(wrong), examples=_examples(wrong))
    broken = [k for k, v in state.items() if v.is_floating_point() and not bool(torch.isfinite(v).all())]
    if broken:
        raise ModelError("weights.not_finite", examples=_examples(broken))
    model.load_state_dict({k: v.to(expected[k].dtype) for k, v in state.items()})
    model.eval()
    return model, info
