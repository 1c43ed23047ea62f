"""Training data for the bundled models: MNIST and CIFAR-10, from a local copy or torchvision's download.

Local copies (``--data``) are what ``../shared/data`` holds: an ``.npz`` with
``x`` (uint8 [N, 28, 28]) and ``y``, or an ImageFolder tree with ``train/`` and
``test/`` folders of class sub-folders. Every dataset is returned as uint8
tensors in memory, split into train / validation / test with a fixed seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

__all__ = [
    "CIFAR10_CLASSES",
    "CIFAR10_MEAN",
    "CIFAR10_STD",
    "MNIST_MEAN",
    "MNIST_STD",
    "DataError",
    "Splits",
    "load_cifar10",
    "load_cifar10_test",
    "load_mnist",
]

MNIST_MEAN, MNIST_STD = 0.1307, 0.3081  # of the 60,000 MNIST training digits, on 0..1
CIFAR10_MEAN = (0.4914, 0.4822, 0.4465)  # of the 50,000 CIFAR-10 training images, on 0..1
CIFAR10_STD = (0.2470, 0.2435, 0.2616)
CIFAR10_CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
CACHE = Path.home() / ".cache" / "vizconv" / "data"


class DataError(RuntimeError):
    """The training data cannot be found or downloaded."""


@dataclass
class Splits:
    """uint8 images [N, C, H, W] and int64 labels [N] for each split, and where they came from."""

    train: tuple[torch.Tensor, torch.Tensor]
    val: tuple[torch.Tensor, torch.Tensor]
    test: tuple[torch.Tensor, torch.Tensor]
    source: str
    split: str


def _split(
    x: torch.Tensor, y: torch.Tensor, sizes: tuple[int, ...], seed: int
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    parts, start = [], 0
    for size in sizes:
        index = order[start : start + size]
        parts.append((x[index], y[index]))
        start += size
    return parts


def load_mnist(data: Path | None, seed: int = 0) -> Splits:
    """MNIST digits [N, 1, 28, 28]: from an .npz, or torchvision's download (60,000 + 10,000)."""
    if data is None:
        try:
            from torchvision.datasets import MNIST

            train = MNIST(CACHE, train=True, download=True)
            test = MNIST(CACHE, train=False, download=True)
        except Exception as exc:  # torchvision raises URLError, RuntimeError, ... when offline
            raise DataError(
                f"Could not download MNIST ({exc}). Without internet, pass a local copy: --data PATH/mnist-8k.npz"
            ) from exc
        x, y = train.data[:, None], train.targets
        (tr, val) = _split(x, y, (55_000, 5_000), seed)
        return Splits(
            tr,
            val,
            (test.data[:, None], test.targets),
            "torchvision MNIST (download)",
            f"train 55,000 / validation 5,000 of the training set (seed {seed}); test: the 10,000 official test digits",
        )
    path = Path(data)
    if not path.is_file() or path.suffix != ".npz":
        raise DataError(f"{path} is not an .npz file with arrays x [N, 28, 28] and y [N].")
    with np.load(path) as arrays:
        x = torch.from_numpy(arrays["x"]).to(torch.uint8)[:, None]
        y = torch.from_numpy(arrays["y"]).long()
    n = len(x)
    n_test = n_val = n // 8
    tr, val, test = _split(x, y, (n - n_val - n_test, n_val, n_test), seed)
    return Splits(
        tr,
        val,
        test,
        f"{path.name} ({n:,} MNIST digits)",
        f"random split with seed {seed}: train {n - n_val - n_test:,} / validation {n_val:,} / held-out test {n_test:,}",
    )


def _image_folder(root: Path) -> tuple[torch.Tensor, torch.Tensor]:
    classes = sorted(p.name for p in root.iterdir() if p.is_dir())
    if tuple(classes) != tuple(sorted(CIFAR10_CLASSES)):
        raise DataError(f"{root} should hold one folder per CIFAR-10 class; found {classes}.")
    images, labels = [], []
    for name in CIFAR10_CLASSES:  # CIFAR-10 order, which is also ImageFolder's alphabetical order
        for file in sorted((root / name).iterdir()):
            with Image.open(file) as image:
                images.append(np.asarray(image.convert("RGB"), dtype=np.uint8))
            labels.append(CIFAR10_CLASSES.index(name))
    x = torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2).contiguous()  # (N, 3, 32, 32)
    return x, torch.tensor(labels, dtype=torch.long)


def load_cifar10(data: Path | None, seed: int = 0) -> Splits:
    """CIFAR-10 images [N, 3, 32, 32]: from an ImageFolder tree (train/, test/), or torchvision's download."""
    if data is None:
        try:
            from torchvision.datasets import CIFAR10

            train = CIFAR10(CACHE, train=True, download=True)
            test = CIFAR10(CACHE, train=False, download=True)
        except Exception as exc:
            raise DataError(
                f"Could not download CIFAR-10 ({exc}). Without internet, extract a local copy and pass "
                "--data PATH/cifar10 (a folder with train/ and test/)."
            ) from exc
        x = torch.from_numpy(train.data).permute(0, 3, 1, 2).contiguous()
        tr, val = _split(x, torch.tensor(train.targets), (45_000, 5_000), seed)
        test_x = torch.from_numpy(test.data).permute(0, 3, 1, 2).contiguous()
        return Splits(
            tr,
            val,
            (test_x, torch.tensor(test.targets)),
            "torchvision CIFAR10 (download)",
            f"train 45,000 / validation 5,000 of the training set (seed {seed}); test: the 10,000 official test images",
        )
    root = Path(data)
    if not (root / "train").is_dir() or not (root / "test").is_dir():
        raise DataError(f"{root} should contain train/ and test/ folders (extract cifar10-jpeg.tar.gz first).")
    x, y = _image_folder(root / "train")
    n_val = len(x) // 10
    tr, val = _split(x, y, (len(x) - n_val, n_val), seed)
    test = _image_folder(root / "test")
    return Splits(
        tr,
        val,
        test,
        f"{root.name} (CIFAR-10 as JPEG, ImageFolder)",
        f"train/ split with seed {seed}: train {len(x) - n_val:,} / validation {n_val:,}; held-out test: all {len(test[0]):,} images of test/",
    )


def load_cifar10_test(data: Path) -> tuple[torch.Tensor, torch.Tensor]:
    """Only the held-out test images of a local CIFAR-10 ImageFolder tree (all of test/)."""
    root = Path(data)
    if not (root / "test").is_dir():
        raise DataError(f"{root} should contain a test/ folder (extract cifar10-jpeg.tar.gz first).")
    return _image_folder(root / "test")
