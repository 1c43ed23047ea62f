"""Real feature maps to pool, activate and upsample: LeNet-5's own, or a picture after a kernel.

The Pooling & activations page works on what a network actually computes:
the bundled LeNet-5's first convolution for an MNIST digit (before ReLU,
after ReLU, after max pooling: the input of each of those layers), or any
picture convolved with a classic kernel such as Sobel.
"""

from __future__ import annotations

from pathlib import Path

import torch
from PIL import Image
from torch import nn

from vizconv.inputs import samples
from vizconv.inputs.images import fit_image, image_to_tensor
from vizconv.inputs.kernels import make_weight
from vizconv.nets.capture import capture
from vizconv.nets.models import ModelInfo
from vizconv.ops.conv import trace_conv2d

__all__ = ["LENET_STAGES", "digit_path", "digit_picture", "kernel_response", "lenet_maps", "picture_tensor"]

# Stage -> module path in vizconv.nets.architectures.lenet5(): conv1's output, after ReLU, after 2x2 max pooling.
LENET_STAGES = {"conv1": "0", "relu1": "1", "pool1": "2"}


def digit_path(digit: int) -> Path:
    """The bundled MNIST sample of ``digit``."""
    return samples.ASSETS / "samples" / "mnist" / f"digit_{digit}.png"


def digit_picture(digit: int) -> Image.Image:
    """The bundled MNIST sample of ``digit``, opened as RGB (what a model's preprocess expects of an upload)."""
    return samples.open_picture(digit_path(digit), "RGB")


def lenet_maps(model: nn.Module, info: ModelInfo, picture: Image.Image) -> dict[str, torch.Tensor]:
    """LeNet-5's first-layer maps for a picture: stage -> (6, H, W) (conv1, relu1: 28x28; pool1: 14x14)."""
    acts = capture(model, info.preprocess(picture), layers=list(LENET_STAGES.values()))
    return {stage: acts[path][0] for stage, path in LENET_STAGES.items()}


def picture_tensor(picture: Image.Image, side: int, colour: bool) -> torch.Tensor:
    """A picture scaled to ``side`` pixels on its longer side, as [C, H, W] in 0..1 (3 channels if colour)."""
    fitted = fit_image(picture, side)
    return image_to_tensor(fitted, 3 if colour and fitted.mode == "RGB" else 1)


def kernel_response(x: torch.Tensor, preset: str) -> torch.Tensor:
    """x [C, H, W] convolved with a 3x3 preset (one kernel over all channels, padding 1): [1, H, W], signed."""
    weight = make_weight(preset, 1, x.shape[0], 3, 3)  # (1, C, 3, 3)
    return trace_conv2d(x, weight, padding=1).output
