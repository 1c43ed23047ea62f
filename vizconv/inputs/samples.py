"""Sample inputs for the Convolution page: bundled images and classroom integer grids.

A grid sample may carry the settings of the textbook example it comes from
(its own kernel, stride, padding), so choosing it reproduces that example.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import torch
from PIL import Image

from vizconv.errors import MessageError
from vizconv.inputs.images import fit_image, image_to_tensor

__all__ = [
    "ASSETS",
    "SAMPLES",
    "Sample",
    "SampleError",
    "model_samples",
    "open_picture",
    "random_grid",
    "sample_input",
]

ASSETS = Path(__file__).resolve().parents[2] / "assets"  # read when used, so tests may point it elsewhere


class SampleError(MessageError):
    """A bundled sample picture that is missing or cannot be read (a broken install)."""


def open_picture(path: Path, mode: str | None = None) -> Image.Image:
    """The bundled picture at ``path``, loaded (converted to ``mode`` if given); SampleError if it cannot be read."""
    try:
        with Image.open(path) as image:
            image.load()
            return image.convert(mode) if mode else image.copy()
    except (OSError, ValueError, SyntaxError) as exc:  # missing, unreadable, not an image
        raise SampleError("asset.sample_missing", path=str(path)) from exc


@dataclass(frozen=True)
class Sample:
    """One sample input; its label is the catalogue entry ``sample.<key>``."""

    key: str
    path: str | None = None  # image file under assets/, for image samples
    grid: tuple = ()  # nested (C, H, W) values, for grid samples
    weight: tuple = ()  # nested (C_out, C_in, kH, kW) kernel of the original example
    bias: tuple = ()  # (C_out,) bias of the original example
    settings: dict = field(default_factory=dict)  # stride / padding of the original example
    default_side: int = 28  # image samples: default side length in pixels

    @property
    def is_image(self) -> bool:
        return self.path is not None

    @property
    def is_colour(self) -> bool:
        """An image sample with colour channels (a grey photo or a digit has one channel, whatever is asked)."""
        if self.path is None:
            return False
        try:
            mode = _image_mode(ASSETS / self.path)
        except (OSError, ValueError, SyntaxError):  # a broken install: sample_input says so
            return False
        return mode not in ("1", "L", "LA", "I", "I;16", "F")


@functools.cache
def _image_mode(path: Path) -> str:
    with Image.open(path) as image:
        return image.mode


# Dive into Deep Learning §7.2 (corr2d): X = 0..8, K = [[0, 1], [2, 3]] -> [[19, 25], [37, 43]].
_D2L = Sample(
    key="d2l_3x3",
    grid=(((0, 1, 2), (3, 4, 5), (6, 7, 8)),),
    weight=((((0, 1), (2, 3)),),),
    settings={"stride": 1, "padding": 0},
)
# The 5x5 binary image and 3x3 "X" kernel of the classic convolution animation -> [[4,3,4],[2,4,3],[2,3,4]].
_CLASSIC_5X5 = Sample(
    key="classic_5x5",
    grid=(((1, 1, 1, 0, 0), (0, 1, 1, 1, 0), (0, 0, 1, 1, 1), (0, 0, 1, 1, 0), (0, 1, 1, 0, 0)),),
    weight=((((1, 0, 1), (0, 1, 0), (1, 0, 1)),),),
    settings={"stride": 1, "padding": 0},
)
# The CS231n convolution demo: a 5x5x3 input zero-padded to 7x7x3, two 3x3x3 kernels,
# stride 2, bias 1 and 0 -> a 3x3x2 output. Values fixed here so the class sees the same numbers.
_CS231N = Sample(
    key="cs231n_7x7x3",
    grid=(
        ((2, 1, 0, 2, 1), (0, 1, 2, 0, 1), (1, 1, 2, 0, 2), (2, 0, 0, 1, 1), (0, 2, 1, 1, 0)),
        ((1, 0, 2, 2, 0), (0, 2, 1, 1, 2), (2, 2, 0, 1, 0), (1, 0, 1, 2, 2), (0, 1, 2, 0, 1)),
        ((0, 2, 1, 0, 1), (2, 0, 0, 1, 2), (1, 2, 2, 0, 0), (0, 1, 0, 2, 1), (2, 1, 1, 0, 2)),
    ),
    weight=(
        (
            ((1, -1, 0), (0, 1, -1), (-1, 0, 1)),
            ((0, 1, 1), (-1, 0, -1), (1, -1, 0)),
            ((-1, 0, 1), (1, 1, 0), (0, -1, -1)),
        ),
        (
            ((0, 1, -1), (1, 0, 0), (-1, 1, 1)),
            ((1, 0, -1), (-1, -1, 0), (0, 1, 0)),
            ((1, 1, 0), (0, -1, 1), (-1, 0, 1)),
        ),
    ),
    bias=(1, 0),
    settings={"stride": 2, "padding": 1},
)

SAMPLES: dict[str, Sample] = {
    s.key: s
    for s in (
        Sample(key="digit_7", path="samples/mnist/digit_7.png", default_side=28),
        Sample(key="digit_3", path="samples/mnist/digit_3.png", default_side=28),
        Sample(key="camera", path="samples/photos/camera.jpg", default_side=32),
        Sample(key="chelsea", path="samples/photos/chelsea.jpg", default_side=32),
        Sample(key="coffee", path="samples/photos/coffee.jpg", default_side=32),
        Sample(key="astronaut", path="samples/photos/astronaut.jpg", default_side=32),
        _D2L,
        _CLASSIC_5X5,
        _CS231N,
    )
}


def sample_input(key: str, side: int | None = None, channels: int | None = None) -> torch.Tensor:
    """Sample ``key`` as a float tensor [C, H, W]: images in 0..1 scaled to ``side``, grids as given."""
    sample = SAMPLES[key]
    if not sample.is_image:
        return torch.tensor(sample.grid, dtype=torch.float32)
    fitted = fit_image(open_picture(ASSETS / sample.path), side or sample.default_side)
    return image_to_tensor(fitted, channels)


def random_grid(channels: int, height: int, width: int, seed: int = 0, high: int = 9) -> torch.Tensor:
    """Random integers 0..high as a float tensor [C, H, W]: legible numbers for hand-checking."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randint(0, high + 1, (channels, height, width), generator=generator).float()


def model_samples(dataset: str) -> dict[str, Path]:
    """Sample pictures for a model trained on ``dataset``: key (catalogue ``sample.<key>``) -> file."""
    if dataset == "mnist":
        return {f"digit_{d}": ASSETS / "samples" / "mnist" / f"digit_{d}.png" for d in range(10)}
    cifar = {f"cifar_{p.stem}": p for p in sorted((ASSETS / "samples" / "cifar10").glob("*.jpg"))}
    photos = {p.stem: p for p in sorted((ASSETS / "samples" / "photos").glob("*.jpg"))}
    if dataset.startswith("ImageNet"):  # full-size photos first (the cat is an ImageNet class), not 32 px ones
        return {**dict(sorted(photos.items(), key=lambda item: item[0] != "chelsea")), **cifar}
    return {**cifar, **photos}
