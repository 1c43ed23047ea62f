"""Upsampling with ``F.interpolate``, and which input values make one output value.

The output is torch's own. ``trace.step(c, oy, ox)`` recomputes one output
value from the input the way torch's CPU kernels do (PyTorch's
``aten/src/ATen/native/UpSample.h``), so a page can show the source
coordinate, the input cells it reads and their weights:

- nearest: source index ``floor(dst / scale)``: every value repeated scale × scale times;
- bilinear: source coordinate ``(dst + 0.5) / scale − 0.5`` (clamped at 0),
  or ``dst · (in − 1) / (out − 1)`` with ``align_corners``, and the two
  neighbours on each axis weighted by distance;
- bicubic: the same coordinate (not clamped), four neighbours on each axis
  (indices clamped to the border) with Keys' cubic convolution weights, a = −0.75.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from vizconv.errors import ParameterError
from vizconv.ops.geometry import as_int, as_tensor, check_index_range

__all__ = ["UPSAMPLE_MODES", "UpsampleStep", "UpsampleTrace", "trace_interpolate"]

UPSAMPLE_MODES = ("nearest", "bilinear", "bicubic")
CUBIC_A = -0.75  # torch's bicubic coefficient
MAX_SCALE = 8


@dataclass(frozen=True)
class UpsampleStep:
    """How output[c, oy, ox] is made: input rows x cols, each axis with its own weights."""

    c: int
    oy: int
    ox: int
    source: tuple[float, float]  # the (row, col) coordinate in the input that output cell maps to
    unclamped: tuple[float, float]  # the same before bilinear's clamp at 0 (equal to source where nothing clamps)
    rows: tuple[int, ...]  # input rows read (clamped at the border, so a row may repeat)
    cols: tuple[int, ...]
    row_weights: tuple[float, ...]
    col_weights: tuple[float, ...]
    values: torch.Tensor  # (len(rows), len(cols)) input values read
    weights: torch.Tensor  # (len(rows), len(cols)) = outer(row_weights, col_weights)
    value: float  # (values * weights).sum()


@dataclass(frozen=True, eq=False)
class UpsampleTrace:
    """An upsampled map with what explains each output value."""

    input: torch.Tensor  # (C, H, W)
    mode: str
    scale: int
    align_corners: bool
    output: torch.Tensor  # (C, H * scale, W * scale)

    def axis(self, dst: int, size: int) -> tuple[float, float, tuple[int, ...], tuple[float, ...]]:
        """Output index ``dst`` on an axis whose input has ``size`` cells: (its source coordinate, the same before
        any clamp, the input indices read, their weights)."""
        out = size * self.scale
        if self.mode == "nearest":
            src = min(math.floor(dst / self.scale), size - 1)
            return float(src), float(src), (src,), (1.0,)
        if self.align_corners:
            src = dst * (size - 1) / (out - 1) if out > 1 else 0.0
        else:
            src = (dst + 0.5) / self.scale - 0.5
        if self.mode == "bilinear":
            raw, src = src, max(src, 0.0)
            i0 = min(math.floor(src), size - 1)
            i1 = i0 + (1 if i0 < size - 1 else 0)
            t = src - i0
            return src, raw, (i0, i1), (1.0 - t, t)
        i = math.floor(src)
        t = src - i
        a = CUBIC_A

        def near(x: float) -> float:  # |x| <= 1
            return ((a + 2) * x - (a + 3)) * x * x + 1

        def far(x: float) -> float:  # 1 < |x| < 2
            return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

        taps = tuple(min(max(i + k, 0), size - 1) for k in (-1, 0, 1, 2))
        return src, src, taps, (far(t + 1), near(t), near(1 - t), far(2 - t))

    def step(self, c: int, oy: int, ox: int) -> UpsampleStep:
        """The source coordinate, input cells and weights that make output[c, oy, ox]."""
        check_index_range(("c", "oy", "ox"), (c, oy, ox), self.output.shape)
        sy, ry, rows, wy = self.axis(oy, self.input.shape[1])
        sx, rx, cols, wx = self.axis(ox, self.input.shape[2])
        values = self.input[c].double()[list(rows)][:, list(cols)]  # (len(rows), len(cols))
        weights = torch.tensor(wy, dtype=torch.float64)[:, None] * torch.tensor(wx, dtype=torch.float64)[None, :]
        return UpsampleStep(
            c=c,
            oy=oy,
            ox=ox,
            source=(sy, sx),
            unclamped=(ry, rx),
            rows=rows,
            cols=cols,
            row_weights=wy,
            col_weights=wx,
            values=values,
            weights=weights,
            value=float((values * weights).sum()),
        )


def trace_interpolate(x: torch.Tensor, mode: str, scale: int, align_corners: bool = False) -> UpsampleTrace:
    """Upsample x [C, H, W] by an integer ``scale`` with F.interpolate; ParameterError for bad settings."""
    if mode not in UPSAMPLE_MODES:
        raise ParameterError("err.upsample_mode", value=repr(mode), modes=", ".join(UPSAMPLE_MODES))
    scale = as_int(scale, "scale", 1)
    if scale > MAX_SCALE:
        raise ParameterError("err.upsample_scale", value=scale, limit=MAX_SCALE)
    if mode == "nearest" and align_corners:
        raise ParameterError("err.upsample_corners")
    x = as_tensor(x, "x", 3, "[C, H, W]")
    if min(x.shape) < 1:
        raise ParameterError("err.empty_input", shape=list(x.shape))
    corners = None if mode == "nearest" else bool(align_corners)
    output = F.interpolate(x[None], scale_factor=scale, mode=mode, align_corners=corners)[0]  # (C, sH, sW)
    return UpsampleTrace(input=x, mode=mode, scale=scale, align_corners=bool(align_corners), output=output)
