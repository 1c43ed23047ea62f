"""Step-by-step 3-D convolution over a volume or a short video (as nn.Conv3d computes it).

``trace_conv3d`` mirrors ``trace_conv2d`` with a depth axis in front (a video's frames, a scan's slices): the
kernel is a small block [kD, kH, kW] that slides along depth, rows and columns, and ``trace.step(oc, d, y, x)``
gives the window, the products, one sum per input channel and per depth slice, the bias and their total. A page
draws the volume as depth slices side by side, the window spanning ``kD`` of them.

Inputs for the page: a short video of an MNIST digit moving one pixel per frame (``moving_digit``), a ball in a
cube (``ball_volume``) and random integers (``random_volume``).

Reference: https://pytorch.org/docs/stable/generated/torch.nn.Conv3d.html
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import torch
from PIL import Image

from vizconv.errors import ParameterError
from vizconv.inputs import samples
from vizconv.inputs.images import image_to_tensor
from vizconv.ops.convnd import VOLUME, ConvNdTrace, trace_convnd
from vizconv.ops.geometry import as_int

__all__ = [
    "MAX_FRAMES",
    "MAX_SIDE",
    "Conv3dStep",
    "Conv3dTrace",
    "ball_volume",
    "moving_digit",
    "random_volume",
    "trace_conv3d",
]

MAX_FRAMES = 16  # the longest video / deepest volume the generators make
MAX_SIDE = 28  # their largest height and width


@dataclass(frozen=True)
class Conv3dStep:
    """How output[oc, d, y, x] is made."""

    oc: int
    d: int
    y: int
    x: int
    input_channels: tuple[int, ...]  # indices of the input channels in oc's group
    slices: torch.Tensor  # (kD,) depth slices of ``padded`` under the kernel taps: d·s_d + dil_d·i
    rows: torch.Tensor  # (kH,)
    cols: torch.Tensor  # (kW,)
    window: torch.Tensor  # (C_in/groups, kD, kH, kW)
    kernel: torch.Tensor  # (C_in/groups, kD, kH, kW) = weight[oc]
    products: torch.Tensor  # (C_in/groups, kD, kH, kW) = window * kernel
    slice_sums: torch.Tensor  # (C_in/groups, kD): each channel's products summed over one depth slice
    channel_sums: torch.Tensor  # (C_in/groups,) = slice_sums.sum(1)
    bias: float
    value: float  # channel_sums.sum() + bias


@dataclass(frozen=True, eq=False)
class Conv3dTrace(ConvNdTrace):
    """A 3-D convolution with everything needed to explain each output value.

    ``pads`` is (front, back, top, bottom, left, right); ``padded`` (C_in, D + front + back, H + top + bottom,
    W + left + right); ``output`` (C_out, D_out, H_out, W_out).
    """

    def step(self, oc: int, d: int, y: int, x: int) -> Conv3dStep:
        """The window, products, slice and channel sums, bias and value of output[oc, d, y, x]."""
        parts = self._parts(("d", "y", "x"), oc, (d, y, x))
        slices, rows, cols = self.taps((d, y, x))
        return Conv3dStep(
            d=d,
            y=y,
            x=x,
            slices=slices,
            rows=rows,
            cols=cols,
            slice_sums=parts["products"].sum(dim=(2, 3)),
            **parts,
        )


def trace_conv3d(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int | tuple[int, int, int] = 1,
    padding: int | tuple[int, int, int] | str = 0,
    dilation: int | tuple[int, int, int] = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
) -> Conv3dTrace:
    """Convolve x [C_in, D, H, W] with weight [C_out, C_in/groups, kD, kH, kW] as nn.Conv3d does.

    Settings are one number or one per axis (depth, height, width); padding also "same" or "valid"; every
    padding mode of nn.Conv3d (zeros, reflect, replicate, circular). Raises ParameterError (a ValueError)
    naming the broken constraint, with the caller's numbers, for anything torch would reject or that gives an
    empty output.
    """
    return Conv3dTrace(**trace_convnd(x, weight, bias, stride, padding, dilation, groups, padding_mode, VOLUME))


# ---------------------------------------------------------------- inputs for the page


def _sizes(frames: object, side: object) -> tuple[int, int]:
    frames, side = as_int(frames, "frames", 1), as_int(side, "side", 1)
    if frames > MAX_FRAMES or side > MAX_SIDE:
        raise ParameterError(
            "nd.err.volume_too_big", frames=frames, side=side, max_frames=MAX_FRAMES, max_side=MAX_SIDE
        )
    return frames, side


def moving_digit(digit: int = 7, frames: int = 6, side: int = 12, step: int = 1) -> torch.Tensor:
    """A short video: the bundled MNIST sample of ``digit`` moving ``step`` pixels to the right per frame, in
    frames of side × side; x [1, frames, side, side] in 0..1.

    The digit (cropped to its ink) is scaled to fit the frame's height and, where it can, the width left after
    its whole path, so it stays in view in every frame (at 6 frames of 12×12: a digit about 10 pixels tall and
    at most 7 wide travelling 5 pixels). It moves whole pixels, so each frame is the one before shifted one
    column, and a kernel spanning frames (kD > 1) sees the motion.
    """
    frames, side = _sizes(frames, side)
    if isinstance(digit, bool) or not isinstance(digit, numbers.Integral) or not 0 <= digit <= 9:
        raise ParameterError("nd.err.digit", value=repr(digit))
    step = as_int(step, "step", 0)
    path = samples.ASSETS / "samples" / "mnist" / f"digit_{int(digit)}.png"
    picture = samples.open_picture(path, "L")
    box = picture.getbbox() or (0, 0, picture.width, picture.height)  # (left, top, right, bottom) of the ink
    ink = picture.crop(box)
    travel = step * (frames - 1)
    tall, room = max(1, side - 2), max(1, side - travel, side // 2)  # height to fill; width the path leaves
    scale = min(tall / ink.height, room / ink.width)
    size = (max(1, round(ink.width * scale)), max(1, round(ink.height * scale)))
    glyph = image_to_tensor(ink.resize(size, Image.Resampling.LANCZOS), 1)[0]  # (h, w)
    h, w = glyph.shape
    top, left = (side - h) // 2, (side - (w + travel)) // 2  # the path centred; negative: cut at first
    video = torch.zeros(frames, side, side)
    for frame in range(frames):
        start = left + step * frame
        lo, hi = max(start, 0), min(start + w, side)  # the columns of the frame the glyph covers
        if lo < hi:
            video[frame, top : top + h, lo:hi] = glyph[:, lo - start : hi - start]
    return video[None]


def ball_volume(side: int = 8, radius: float | None = None) -> torch.Tensor:
    """A ball of ones in a cube of zeros: x [1, side, side, side] (a small "scan": a 3-D kernel finds its surface)."""
    side = _sizes(side, side)[1]
    radius = side / 3 if radius is None else float(radius)
    centre = (side - 1) / 2
    axis = torch.arange(side, dtype=torch.float32) - centre
    distance = (axis[:, None, None] ** 2 + axis[None, :, None] ** 2 + axis[None, None, :] ** 2).sqrt()
    return (distance <= radius).float()[None]


def random_volume(
    channels: int = 1, depth: int = 4, height: int = 5, width: int = 5, seed: int = 0, high: int = 9
) -> torch.Tensor:
    """Random integers 0..high as x [C, D, H, W]: legible numbers for checking a 3-D step by hand."""
    _sizes(depth, max(height, width))
    generator = torch.Generator().manual_seed(seed)
    shape = (as_int(channels, "channels", 1), depth, as_int(height, "height", 1), as_int(width, "width", 1))
    return torch.randint(0, high + 1, shape, generator=generator).float()
