"""The models vizconv knows, in one registry: how to build each, what it learned from, what it takes in.

``MODELS`` maps a name to its ``ModelSpec`` (as torchvision's weights objects carry their transforms and
categories): the builder, the dataset (``DataSpec``: class names, one input's size, the preprocessing of a
picture and its standardisation), and where its weights come from (the bundled ``assets/models/<name>.pt``
with its card ``<name>.json``, or torchvision's published file). ``TORCHVISION_MODELS`` holds torchvision's
ImageNet classifiers (ResNet-18, which ``MODELS`` shows too, and AlexNet, VGG, ResNet-50, MobileNet,
EfficientNet, ConvNeXt, RegNet, GoogLeNet), each described by its weights enum: the URL and the size of the
published file, the categories, the preprocessing (``weights.transforms()``), the smallest input it takes and
the published accuracy. ``spec`` finds a name in either. ``model_info`` is the one way a ``ModelInfo`` is made,
whatever the weights (bundled, downloaded, random or a student's own).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn
from torchvision.models import ResNet18_Weights

from vizconv.errors import MessageError
from vizconv.nets.architectures import ResNet20, lenet5
from vizconv.training.datasets import CIFAR10_CLASSES, CIFAR10_MEAN, CIFAR10_STD, MNIST_MEAN, MNIST_STD

__all__ = [
    "CIFAR10",
    "IMAGENET",
    "MNIST",
    "MODELS",
    "MODELS_DIR",
    "TORCHVISION_MODELS",
    "DataSpec",
    "ModelError",
    "ModelInfo",
    "ModelSpec",
    "model_info",
    "preprocess_cifar",
    "preprocess_digit",
    "preprocess_imagenet",
    "sha256_of",
    "spec",
]

MODELS_DIR = Path(__file__).resolve().parents[2] / "assets" / "models"  # the bundled weights and their cards
MNIST_SIDE, DIGIT_BOX = 28, 20  # MNIST's digits: 28x28, the digit itself scaled to fit 20x20 and centred
CIFAR10_SIDE = 32


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
    canvas = Image.new("L", (MNIST_SIDE, MNIST_SIDE), 0)
    if ink.any():
        rows, cols = np.where(ink)
        box = (int(cols.min()), int(rows.min()), int(cols.max()) + 1, int(rows.max()) + 1)
        digit = gray.crop(box)
        scale = DIGIT_BOX / max(digit.width, digit.height)
        size = (max(1, round(digit.width * scale)), max(1, round(digit.height * scale)))
        digit = digit.resize(size, Image.Resampling.LANCZOS)
        canvas.paste(digit, ((MNIST_SIDE - size[0]) // 2, (MNIST_SIDE - size[1]) // 2))
    x = torch.from_numpy(np.asarray(canvas, dtype=np.float32) / 255.0)  # (28, 28)
    return ((x - MNIST_MEAN) / MNIST_STD)[None, None]


def preprocess_cifar(image: Image.Image) -> torch.Tensor:
    """A photo as the CIFAR-10 models saw training images: centre square, 32x32 RGB, standardised."""
    rgb = image.convert("RGB")
    side = min(rgb.size)
    left, top = (rgb.width - side) // 2, (rgb.height - side) // 2
    square = rgb.crop((left, top, left + side, top + side)).resize(
        (CIFAR10_SIDE, CIFAR10_SIDE), Image.Resampling.LANCZOS
    )
    x = torch.from_numpy(np.asarray(square, dtype=np.float32) / 255.0).permute(2, 0, 1)  # (3, 32, 32)
    mean = torch.tensor(CIFAR10_MEAN).view(3, 1, 1)
    std = torch.tensor(CIFAR10_STD).view(3, 1, 1)
    return ((x - mean) / std)[None]


@functools.cache
def _imagenet_transform():
    """torchvision's preprocessing of the ResNet-18 weights (resize 256, centre crop 224, standardise)."""
    return ResNet18_Weights.DEFAULT.transforms()


def preprocess_imagenet(image: Image.Image) -> torch.Tensor:
    """A photo as torchvision's ImageNet weights expect it: [1, 3, 224, 224], standardised."""
    return _imagenet_transform()(image.convert("RGB"))[None]  # (1, 3, 224, 224)


@dataclass(frozen=True)
class DataSpec:
    """A dataset as a model sees it: its class names, one input's size, and how a picture becomes an input."""

    name: str  # as a model card writes it
    classes: tuple[str, ...]
    input_size: tuple[int, int, int]  # (C, H, W)
    preprocess: Callable[[Image.Image], torch.Tensor] = field(repr=False)  # PIL image -> [1, C, H, W]
    mean: tuple[float, ...]  # the standardisation preprocess applies, per channel (on 0..1)
    std: tuple[float, ...]


MNIST = DataSpec(
    "mnist",
    tuple(str(d) for d in range(10)),
    (1, MNIST_SIDE, MNIST_SIDE),
    preprocess_digit,
    (MNIST_MEAN,),
    (MNIST_STD,),
)
CIFAR10 = DataSpec(
    "cifar10", CIFAR10_CLASSES, (3, CIFAR10_SIDE, CIFAR10_SIDE), preprocess_cifar, CIFAR10_MEAN, CIFAR10_STD
)
IMAGENET = DataSpec(
    "ImageNet-1K",
    tuple(ResNet18_Weights.DEFAULT.meta["categories"]),
    (3, 224, 224),  # the centre crop of _imagenet_transform
    preprocess_imagenet,
    tuple(_imagenet_transform().mean),
    tuple(_imagenet_transform().std),
)


def _resnet18() -> nn.Module:
    from torchvision.models import resnet18

    return resnet18()


@dataclass(frozen=True)
class ModelSpec:
    """One model vizconv knows: how to build it, what it learned from, and where its weights come from."""

    name: str
    build: Callable[[], nn.Module] = field(repr=False)  # the architecture with fresh (PyTorch default) weights
    data: DataSpec
    architecture: str  # as the model card names it
    url: str | None = None  # torchvision's published weights (downloaded); None: bundled in MODELS_DIR
    accuracy: float | None = None  # downloaded weights: the published top-1 accuracy (a bundled card has its own)
    weights: str | None = None  # torchvision's weights enum ("ResNet50_Weights.IMAGENET1K_V2"), for downloaded ones
    download_mb: float | None = None  # the published file's size in MB (torchvision's ``_file_size``)
    min_size: int = 1  # the smallest input height and width the architecture takes (torchvision's ``min_size``)
    ignore_keys: tuple[str, ...] = ()  # key prefixes of the published file that the built architecture has not

    @property
    def bundled(self) -> bool:
        return self.url is None

    @property
    def dataset(self) -> str:
        return self.data.name

    @property
    def classes(self) -> tuple[str, ...]:
        return self.data.classes

    @property
    def input_size(self) -> tuple[int, int, int]:
        return self.data.input_size

    @property
    def preprocess(self) -> Callable[[Image.Image], torch.Tensor]:
        return self.data.preprocess

    def weights_path(self, models_dir: Path) -> Path:
        """The bundled weights file in ``models_dir``."""
        return models_dir / f"{self.name}.pt"

    def card_path(self, models_dir: Path) -> Path:
        """The bundled model card in ``models_dir`` (what training measured, and the weights' sha256)."""
        return models_dir / f"{self.name}.json"


_RESNET18 = ResNet18_Weights.DEFAULT
MODELS: dict[str, ModelSpec] = {
    s.name: s
    for s in (
        ModelSpec("lenet5", lambda: lenet5(classic=False), MNIST, "LeNet-5 (ReLU, max pooling)"),
        ModelSpec("lenet5-classic", lambda: lenet5(classic=True), MNIST, "LeNet-5 (sigmoid, average pooling)"),
        ModelSpec("resnet20", ResNet20, CIFAR10, "ResNet20"),
        ModelSpec(
            "resnet18",
            _resnet18,
            IMAGENET,
            "ResNet-18",
            url=_RESNET18.url,
            accuracy=_RESNET18.meta["_metrics"]["ImageNet-1K"]["acc@1"] / 100,
            weights="ResNet18_Weights.IMAGENET1K_V1",
            download_mb=_RESNET18.meta["_file_size"],
        ),
    )
}


def _torchvision_build(builder: str, settings: tuple[tuple[str, object], ...] = ()) -> nn.Module:
    """torchvision's architecture ``builder`` with fresh (PyTorch default) weights."""
    import torchvision.models

    return getattr(torchvision.models, builder)(weights=None, **dict(settings))


@functools.cache
def _transform(weights: str):
    """torchvision's preprocessing of ``weights`` (its ``transforms()``), made once."""
    import torchvision.models

    return torchvision.models.get_weight(weights).transforms()


def _preprocess_with(weights: str, image: Image.Image) -> torch.Tensor:
    """A photo as torchvision's ``weights`` expect it: [1, 3, crop, crop], standardised."""
    return _transform(weights)(image.convert("RGB"))[None]


def _imagenet(weights) -> DataSpec:
    """The ImageNet DataSpec of torchvision's ``weights``: IMAGENET where its preprocessing is ResNet-18's."""
    transform = weights.transforms()
    reference = _imagenet_transform()
    same = (transform.crop_size, transform.resize_size, transform.interpolation) == (
        reference.crop_size,
        reference.resize_size,
        reference.interpolation,
    )
    if same and tuple(transform.mean) == IMAGENET.mean and tuple(transform.std) == IMAGENET.std:
        return IMAGENET
    crop = transform.crop_size[0]
    preprocess = functools.partial(_preprocess_with, f"{type(weights).__name__}.{weights.name}")
    return DataSpec(
        IMAGENET.name, IMAGENET.classes, (3, crop, crop), preprocess, tuple(transform.mean), tuple(transform.std)
    )


def _torchvision_spec(name: str, architecture: str, weights, **settings: object) -> ModelSpec:
    """A torchvision classifier, described by its weights enum ``weights`` (``.DEFAULT``: the best published)."""
    meta = weights.meta
    ignore = ("aux1.", "aux2.") if settings.get("aux_logits") is False else ()  # GoogLeNet's training-only heads
    return ModelSpec(
        name,
        functools.partial(_torchvision_build, name, tuple(settings.items())),
        _imagenet(weights),
        architecture,
        url=weights.url,
        accuracy=round(meta["_metrics"]["ImageNet-1K"]["acc@1"] / 100, 5),
        weights=f"{type(weights).__name__}.{weights.name}",
        download_mb=meta.get("_file_size"),
        min_size=max(meta.get("min_size", (1, 1))),
        ignore_keys=ignore,
    )


def _torchvision_models() -> dict[str, ModelSpec]:
    import torchvision.models as tv

    specs = (
        _torchvision_spec("alexnet", "AlexNet", tv.AlexNet_Weights.DEFAULT),
        _torchvision_spec("vgg11", "VGG-11", tv.VGG11_Weights.DEFAULT),
        _torchvision_spec("vgg16", "VGG-16", tv.VGG16_Weights.DEFAULT),
        MODELS["resnet18"],
        _torchvision_spec("resnet50", "ResNet-50", tv.ResNet50_Weights.DEFAULT),
        _torchvision_spec(
            "googlenet",
            "GoogLeNet",
            tv.GoogLeNet_Weights.DEFAULT,
            aux_logits=False,
            transform_input=True,
            init_weights=True,
        ),  # fmt: skip
        _torchvision_spec("mobilenet_v2", "MobileNet V2", tv.MobileNet_V2_Weights.DEFAULT),
        _torchvision_spec("mobilenet_v3_small", "MobileNet V3 Small", tv.MobileNet_V3_Small_Weights.DEFAULT),
        _torchvision_spec("mobilenet_v3_large", "MobileNet V3 Large", tv.MobileNet_V3_Large_Weights.DEFAULT),
        _torchvision_spec("efficientnet_b0", "EfficientNet-B0", tv.EfficientNet_B0_Weights.DEFAULT),
        _torchvision_spec("regnet_y_400mf", "RegNetY-400MF", tv.RegNet_Y_400MF_Weights.DEFAULT),
        _torchvision_spec("convnext_tiny", "ConvNeXt-Tiny", tv.ConvNeXt_Tiny_Weights.DEFAULT),
    )
    return {s.name: s for s in specs}


# torchvision's ImageNet classifiers, downloaded into torch's hub cache on first use (vizconv.nets.models); in the
# order of their history, which is also roughly their depth. ResNet-18 is MODELS' own.
TORCHVISION_MODELS: dict[str, ModelSpec] = _torchvision_models()


def spec(name: str) -> ModelSpec:
    """The ModelSpec of ``name`` (MODELS' or TORCHVISION_MODELS'); ModelError naming the models there are when
    there is none."""
    found = MODELS.get(name) or TORCHVISION_MODELS.get(name)
    if found is None:
        names = [*MODELS, *(n for n in TORCHVISION_MODELS if n not in MODELS)]
        raise ModelError("model.unknown", name=repr(name), names=", ".join(names))
    return found


def model_info(name: str, card: dict | None = None, **fields: object) -> ModelInfo:
    """The ModelInfo of model ``name`` for weights described by ``card`` (a bundled model's card, as read) and
    ``fields`` (``source="random"``, ``seed=0``; ``source="uploaded"``): classes, input size, preprocessing and
    standardisation are the zoo's; the card is a new dict, its ``dataset`` the zoo's unless it names one."""
    model = spec(name)
    card = {"dataset": model.dataset, **(card or {}), **fields}
    data = model.data
    return ModelInfo(name, list(data.classes), data.input_size, data.preprocess, card, data.mean, data.std)


def sha256_of(path: Path) -> str:
    """The sha256 of a file, in hex (a model card's ``sha256``)."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()
