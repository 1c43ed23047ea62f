"""What the Convolution page computes, as plain functions on its settings.

The page reads its widgets into ``PlaygroundSettings`` and calls these; tests
drive the same path without Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from PIL import Image

from vizconv.errors import ParameterError
from vizconv.inputs.images import fit_image, image_to_tensor, load_image
from vizconv.inputs.kernels import available_presets, make_weight
from vizconv.inputs.samples import SAMPLES, random_grid, sample_input
from vizconv.ops.conv import ConvTrace, trace_conv2d

__all__ = [
    "EXAMPLE_PRESET",
    "LIMITS",
    "PlaygroundSettings",
    "build_input",
    "default_bias",
    "default_weight",
    "opening_position",
    "run_playground",
]

EXAMPLE_PRESET = "example"  # the kernel that comes with a classroom grid sample

# Bounds of every control: they keep the animation legible and the page fast.
LIMITS = {
    "side": (5, 128),
    "random_channels": (1, 4),
    "random_size": (2, 16),
    "out_channels": (1, 8),
    "kernel": (1, 7),
    "stride": (1, 5),
    "padding": (0, 6),
    "dilation": (1, 4),
    "seed": (0, 9999),
}


@dataclass(frozen=True)
class PlaygroundSettings:
    """Every choice on the Convolution page."""

    source: str = "sample"  # "sample", "random" or "upload"
    sample: str = "digit_7"
    side: int = 28  # image inputs: pixels on the longer side
    colour: bool = True  # colour images as 3 channels (else 1, grayscale)
    random_channels: int = 3
    random_height: int = 6
    random_width: int = 6
    random_seed: int = 0
    out_channels: int = 2
    kernel_h: int = 3
    kernel_w: int = 3
    stride_h: int = 1
    stride_w: int = 1
    padding_kind: str = "number"  # "number", "same" or "valid"
    padding_h: int = 0
    padding_w: int = 0
    padding_mode: str = "zeros"
    dilation_h: int = 1
    dilation_w: int = 1
    groups: int = 1
    bias: bool = False
    preset: str = "sobel_x"
    varied: bool = True  # a different preset for each kernel
    kernel_seed: int = 0

    @property
    def padding(self) -> str | tuple[int, int]:
        return self.padding_kind if self.padding_kind in ("same", "valid") else (self.padding_h, self.padding_w)


def build_input(settings: PlaygroundSettings, upload: bytes | Image.Image | None = None) -> torch.Tensor:
    """The input x [C_in, H, W]; ``upload``: the file's bytes, or its picture as load_image read it (ImageError
    when the file cannot be read)."""
    if settings.source == "random":
        return random_grid(
            settings.random_channels, settings.random_height, settings.random_width, settings.random_seed
        )
    if settings.source == "upload":
        if upload is None:
            raise ParameterError("err.no_upload")
        image = fit_image(upload if isinstance(upload, Image.Image) else load_image(upload), settings.side)
        return image_to_tensor(image, 3 if settings.colour and image.mode == "RGB" else 1)
    sample = SAMPLES[settings.sample]
    if sample.is_image:
        return sample_input(sample.key, settings.side, None if settings.colour else 1)
    return sample_input(sample.key)


def example_kernel(settings: PlaygroundSettings, channels_per_group: int) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The grid sample's own weight and bias, if it fits the current layer shape."""
    sample = SAMPLES.get(settings.sample)
    if settings.source != "sample" or sample is None or not sample.weight:
        return None
    weight = torch.tensor(sample.weight, dtype=torch.float32)
    if tuple(weight.shape) != (settings.out_channels, channels_per_group, settings.kernel_h, settings.kernel_w):
        return None
    bias = torch.tensor(sample.bias or (0,) * weight.shape[0], dtype=torch.float32)
    return weight, bias


def default_weight(settings: PlaygroundSettings, in_channels: int) -> torch.Tensor:
    """The weight [C_out, C_in/groups, kH, kW] the chosen preset gives."""
    per_group = max(in_channels // max(settings.groups, 1), 1)
    if settings.preset == EXAMPLE_PRESET:
        example = example_kernel(settings, per_group)
        if example is not None:
            return example[0]
    preset = (
        settings.preset if settings.preset in available_presets(settings.kernel_h, settings.kernel_w) else "identity"
    )
    return make_weight(
        preset,
        settings.out_channels,
        per_group,
        settings.kernel_h,
        settings.kernel_w,
        seed=settings.kernel_seed,
        varied=settings.varied and settings.preset != EXAMPLE_PRESET,  # make_weight knows which presets vary
    )


def default_bias(settings: PlaygroundSettings, in_channels: int) -> torch.Tensor:
    """The bias [C_out]: the example's own, else zeros (edit it on the page)."""
    if settings.preset == EXAMPLE_PRESET:
        example = example_kernel(settings, max(in_channels // max(settings.groups, 1), 1))
        if example is not None:
            return example[1]
    return torch.zeros(settings.out_channels)


def run_playground(
    settings: PlaygroundSettings,
    x: torch.Tensor,
    weight: torch.Tensor | None = None,
    bias: torch.Tensor | None = None,
) -> ConvTrace:
    """The traced convolution for these settings (ParameterError when they are impossible)."""
    if weight is None:
        weight = default_weight(settings, x.shape[0])
    if bias is None:
        bias = default_bias(settings, x.shape[0])
    return trace_conv2d(
        x,
        weight,
        bias if settings.bias else None,
        stride=(settings.stride_h, settings.stride_w),
        padding=settings.padding,
        dilation=(settings.dilation_h, settings.dilation_w),
        groups=settings.groups,
        padding_mode=settings.padding_mode,
    )


def opening_position(output: torch.Tensor) -> int:
    """Where a step panel opens: the row-major position of the first channel's cell of largest magnitude.

    ``output`` is (C, H, W). A digit's corner reads only background, so position 0 would explain
    "0 ⊙ kernel = 0"; the strongest response sits where the kernel meets the picture's structure (an edge for
    Sobel, the brightest spot for identity). Ties go to the first in reading order; all zero gives 0.
    """
    first = output[0].abs().flatten()  # (H·W,)
    if first.numel() == 0 or not bool(torch.isfinite(first).all()) or float(first.max()) == 0.0:
        return 0
    return int(torch.nonzero(first == first.max())[0])
