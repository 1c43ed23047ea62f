"""What the Pooling & activations page computes, as plain functions on its settings.

The page has three lessons (``SECTIONS``): pooling a real feature map, an activation function on a signed map, and
upsampling a small map. Each reads its input from the sidebar, then calls these; tests drive the same functions
without Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from vizconv.inputs.samples import SAMPLES
from vizconv.ops.pool import PoolTrace
from vizconv.ops.upsample import UpsampleStep
from vizconv.viz.steps import approximate_number, format_number, matrix_latex

__all__ = [
    "GRID_SAMPLES",
    "IMAGE_SAMPLES",
    "LIMITS",
    "PAIRS",
    "PHOTOS",
    "SECTIONS",
    "SLOPE",
    "PoolingSettings",
    "pool_torch_difference",
    "shown_settings",
    "upsample_coordinates",
    "upsample_shape_latex",
    "upsample_step_latex",
    "value_span",
]

SECTIONS = ("pooling", "activations", "upsampling")
IMAGE_SAMPLES = [key for key, sample in SAMPLES.items() if sample.is_image]
GRID_SAMPLES = [key for key, sample in SAMPLES.items() if not sample.is_image]
PHOTOS = ("camera", "chelsea", "coffee", "astronaut")  # pictures an activation lesson convolves with a 3x3 kernel
MAX_SIDE = 16  # the largest upsampling source (16×16 random numbers or digit): output cells up to 16 × 3 − 1

# Bounds of every whole-number control (and of what a link may set); PAIRS are set as <name>_h and <name>_w.
PAIRS = ("kernel", "stride", "padding")
LIMITS = {
    "digit": (0, 9),
    "channels": (1, 6),  # LeNet-5's conv1 has 6 channels
    "side": (4, 32),
    "random_channels": (1, 4),
    "random_size": (2, 16),
    "seed": (0, 9999),
    "kernel": (1, 5),  # pooling window
    "stride": (1, 5),
    "padding": (0, 2),  # torch: at most half the window
    "act_channel": (0, 5),
    "up_channel": (0, 5),
    "up_size": (2, MAX_SIDE),
    "up_oy": (0, 3 * MAX_SIDE - 1),  # the explained output cell at scale 3 (the page clamps it to the output)
    "up_ox": (0, 3 * MAX_SIDE - 1),
}
SLOPE = (0.0, 0.5)  # leaky ReLU's negative slope


@dataclass
class PoolingSettings:
    """Every setting of the page with its default (the page's memory starts from these)."""

    section: str = "pooling"  # one of SECTIONS
    # pooling: its input
    source: str = "lenet"  # "lenet", "sample", "random" or "upload"
    digit: int = 7  # the MNIST digit LeNet-5 reads (every section's LeNet source)
    stage: str = "relu1"  # LeNet-5's map: conv1, relu1 (what its pooling layer reads) or pool1
    channels: int = 2  # how many of LeNet-5's 6 channels to pool
    sample: str = "digit_7"
    side: int = 16  # a picture's longer side, in pixels
    colour: bool = False
    random_channels: int = 2
    random_size: int = 6
    seed: int = 0
    # pooling: the layer
    kind: str = "max"  # "max" or "avg"
    kernel_h: int = 2
    kernel_w: int = 2
    stride_default: bool = True  # stride = window, as nn.MaxPool2d's default
    stride_h: int = 2
    stride_w: int = 2
    padding_h: int = 0
    padding_w: int = 0
    speed: int = 4  # the animator's steps per second
    # activations
    act_source: str = "lenet"  # "lenet" (conv1 before ReLU) or "kernel" (a picture after a 3x3 kernel)
    act_channel: int = 0
    act_picture: str = "camera"  # one of PHOTOS or "upload"
    act_kernel: str = "sobel_x"
    activation: str = "relu"
    slope: float = 0.1  # leaky ReLU's negative slope
    # upsampling
    up_source: str = "lenet"  # "lenet" (pool1), "digit" or "random"
    up_channel: int = 0
    up_size: int = 5
    mode: str = "nearest"
    scale: int = 2
    corners: bool = False  # align_corners (bilinear and bicubic only)
    up_oy: int = 0  # the explained output cell
    up_ox: int = 0


def shown_settings(values: dict) -> set[str]:
    """The settings the view of ``values`` uses: the others stay out of its link (shorter, and it reads as the
    view)."""
    if values["section"] == "pooling":
        used = {"source", "kind", "kernel_h", "kernel_w", "stride_default", "padding_h", "padding_w", "speed"}
        used |= {"position", "step_c"} | (set() if values["stride_default"] else {"stride_h", "stride_w"})
        used |= {
            "lenet": {"digit", "stage", "channels"},
            "sample": {"sample"} | ({"side", "colour"} if SAMPLES[values["sample"]].is_image else set()),
            "random": {"random_channels", "random_size", "seed"},
            "upload": {"side", "colour"},
        }[values["source"]]
    elif values["section"] == "activations":
        used = {"act_source", "activation"} | ({"slope"} if values["activation"] == "leaky_relu" else set())
        used |= {"digit", "act_channel"} if values["act_source"] == "lenet" else {"act_picture", "act_kernel"}
    else:
        used = {"up_source", "mode", "scale", "up_oy", "up_ox", "speed"}
        used |= set() if values["mode"] == "nearest" else {"corners"}
        used |= {"lenet": {"digit", "up_channel"}, "digit": {"up_size", "digit"}, "random": {"up_size", "seed"}}[
            values["up_source"]
        ]
    return used | {"section"}


def pool_torch_difference(trace: PoolTrace) -> tuple[str, float]:
    """torch's own pooling of the trace's input (``F.max_pool2d`` or ``F.avg_pool2d``): its name and the largest
    difference from the page's output."""
    reference = F.max_pool2d if trace.kind == "max" else F.avg_pool2d
    padding = (trace.pads[0], trace.pads[2])  # pooling pads both sides alike
    expected = reference(trace.input[None], trace.kernel_size, trace.stride, padding)[0]
    return reference.__name__, float((expected - trace.output).abs().max())


def value_span(values: torch.Tensor) -> str:
    """'low … high' of a map, rounded for a metric."""
    return f"{approximate_number(float(values.min()))} … {approximate_number(float(values.max()))}"


def upsample_shape_latex(height: int, width: int, scale: int, mode: str) -> str:
    """[1, 1, H, W] → F.interpolate(scale_factor, mode) → [1, 1, H·s, W·s]."""
    return (
        rf"[1, 1, {height}, {width}] \xrightarrow{{\texttt{{F.interpolate}}(\text{{scale\_factor}}={scale},\ "
        rf"\text{{mode}}=\text{{{mode}}})}} [1, 1, {height * scale}, {width * scale}]"
    )


def upsample_coordinates(step: UpsampleStep) -> tuple[str, str]:
    """Where an output cell falls on the input, row and column: "1.25", or "-0.25 → 0" where bilinear clamps."""
    return tuple(
        format_number(used, 3) if raw == used else f"{format_number(raw, 3)} → {format_number(used, 3)}"
        for raw, used in zip(step.unclamped, step.source, strict=True)
    )


def upsample_step_latex(step: UpsampleStep) -> str:
    """y[oy, ox] = Σ values ⊙ weights = value."""
    return (
        rf"y_{{{step.oy},{step.ox}}} = \sum {matrix_latex(step.values, 4)} \odot {matrix_latex(step.weights, 4)}"
        rf" = \mathbf{{{format_number(step.value, 4)}}}"
    )
