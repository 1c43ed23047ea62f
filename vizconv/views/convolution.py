"""What the Convolution page computes, as plain functions on its settings.

The page reads its widgets into ``PlaygroundSettings`` and calls these; tests
drive the same path without Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
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
    "PAIRS",
    "PlaygroundSettings",
    "build_input",
    "default_bias",
    "default_weight",
    "kernel_presets",
    "layer_shapes",
    "opening_position",
    "run_playground",
    "sample_settings",
    "unread_lines",
    "unused_settings",
    "weight_signature",
]

EXAMPLE_PRESET = "example"  # the kernel that comes with a classroom grid sample

# Bounds of every whole-number control (and of what a link may set): they keep the animation legible and the page
# fast. PAIRS are set as <name>_h and <name>_w.
PAIRS = ("kernel", "stride", "padding", "dilation")
LIMITS = {
    "side": (5, 128),
    "random_channels": (1, 4),
    "random_height": (2, 16),
    "random_width": (2, 16),
    "random_seed": (0, 9999),
    "out_channels": (1, 8),
    "kernel": (1, 7),
    "stride": (1, 5),
    "padding": (0, 6),
    "dilation": (1, 4),
    "groups": (1, 8),
    "kernel_seed": (0, 9999),
    "position": (0, 99_999),  # state keys conv_position and conv_step_oc: the page clamps them to the output
    "step_oc": (0, 7),  # out_channels - 1 at most
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


def sample_settings(key: str, preset: str) -> dict:
    """The settings a sample brings: a classroom grid its own layer (kernel, stride, padding, bias) and kernel, an
    image its usual size (and, where the grid's own kernel was chosen, ``preset`` goes back to the default)."""
    sample = SAMPLES[key]
    if sample.is_image:
        return {"side": sample.default_side} | (
            {"preset": PlaygroundSettings.preset} if preset == EXAMPLE_PRESET else {}
        )
    c_out, _, kh, kw = np.array(sample.weight).shape
    stride, padding = sample.settings.get("stride", 1), sample.settings.get("padding", 0)
    return {
        "out_channels": c_out,
        **{"kernel_h": kh, "kernel_w": kw, "stride_h": stride, "stride_w": stride},
        **{"padding_kind": "number", "padding_h": padding, "padding_w": padding, "padding_mode": "zeros"},
        **{"dilation_h": 1, "dilation_w": 1, "groups": 1, "bias": bool(sample.bias), "preset": EXAMPLE_PRESET},
    }


def unused_settings(settings: PlaygroundSettings) -> set[str]:
    """The settings this view does not use: they stay out of its link (shorter, and it reads as the view)."""
    sample = SAMPLES[settings.sample] if settings.source == "sample" else None
    picture = settings.source == "upload" or (sample is not None and sample.is_image)
    colours = settings.source == "upload" or (sample is not None and sample.is_colour)
    unused = (
        set() if settings.source == "random" else {"random_channels", "random_height", "random_width", "random_seed"}
    )
    unused |= (set() if picture else {"side"}) | (set() if colours else {"colour"})
    unused |= set() if sample else {"sample"}
    unused |= set() if settings.padding_kind == "number" else {"padding_h", "padding_w"}
    return unused | (set() if settings.preset.startswith("random") else {"kernel_seed"})


def weight_signature(settings: PlaygroundSettings, in_channels: int) -> tuple:
    """What the default weight depends on: when it changes, the page draws a new weight (and drops edits)."""
    per_group = max(in_channels // max(settings.groups, 1), 1)
    example = settings.sample if settings.preset == EXAMPLE_PRESET else ""
    kernel = (settings.kernel_h, settings.kernel_w)
    return (settings.preset, settings.varied, settings.kernel_seed, settings.out_channels, per_group, *kernel, example)


def unread_lines(trace: ConvTrace) -> list[tuple[str, list[int]]]:
    """The input rows and columns no window reads (a stride that skips them): ("row" or "col", their indices),
    each axis that has any."""
    lines = [
        (axis, (~read).nonzero().flatten().tolist()) for axis, read in zip(("row", "col"), trace.read, strict=True)
    ]
    return [(axis, indices) for axis, indices in lines if indices]


def kernel_presets(kernel: tuple[int, int], sample: str | None) -> list[str]:
    """The kernel presets for a kernel size, the grid sample's own kernel first where ``sample`` brings one."""
    presets = list(available_presets(*kernel))
    return [EXAMPLE_PRESET, *presets] if sample is not None and SAMPLES[sample].weight else presets


def layer_shapes(trace: ConvTrace) -> list[tuple[str, str | None]]:
    """The layer's shapes and sizes for the page's metrics: (catalogue key, value); the bias's value is None where
    the layer has none."""
    c_in, height, width = trace.input.shape
    c_out, h_out, w_out = trace.output.shape
    return [
        ("conv.shape_input", f"[{c_in}, {height}, {width}]"),
        ("conv.shape_weight", "[{}, {}, {}, {}]".format(*trace.weight.shape)),
        ("conv.shape_bias", None if trace.bias is None else f"[{c_out}]"),
        ("conv.shape_output", f"[{c_out}, {h_out}, {w_out}]"),
        ("conv.shape_padded", "[{}, {}, {}]".format(c_in, *trace.padded.shape[1:])),
        ("conv.params", f"{trace.param_count:,}"),
        ("conv.macs", f"{trace.mult_adds:,}"),
        ("conv.positions", f"{trace.positions:,}"),
    ]


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
