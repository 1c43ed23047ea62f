"""Step-by-step 2-D max and average pooling, as ``F.max_pool2d`` / ``F.avg_pool2d`` compute them.

Pooling slides a window exactly as convolution does (same output-size
formula, same strided view of the padded input: ``vizconv.ops.geometry``), but it
has no weights: each output value is the maximum or the mean of one window of
one channel, so the channel count never changes. Torch's defaults are kept:
the stride defaults to the kernel size, padding is at most half the kernel,
max pooling pads with −∞ (padding never wins) and average pooling counts the
padded zeros in the mean (``count_include_pad=True``).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from vizconv.errors import ParameterError
from vizconv.i18n.strings import Term
from vizconv.ops.geometry import SlidingWindows, as_pair, as_tensor, check_index_range, output_length, sliding_windows

__all__ = ["POOL_KINDS", "PoolStep", "PoolTrace", "trace_pool2d"]

POOL_KINDS = ("max", "avg")


@dataclass(frozen=True)
class PoolStep:
    """How output[c, oy, ox] is made."""

    c: int
    oy: int
    ox: int
    rows: torch.Tensor  # (kH,) rows of ``padded`` under the window
    cols: torch.Tensor  # (kW,) columns of ``padded`` under the window
    window: torch.Tensor  # (kH, kW); max pooling's padding shows as -inf
    kind: str
    value: float  # max or mean of the window
    winner: tuple[int, int] | None  # max: (row, col) in ``padded`` of the first largest value; avg: None
    count: int  # how many cells the mean divides by (kH * kW, padding included)


@dataclass(frozen=True, eq=False)
class PoolTrace(SlidingWindows):
    """A pooling layer with everything needed to explain each output value."""

    input: torch.Tensor  # (C, H, W)
    kind: str  # "max" or "avg"
    kernel_size: tuple[int, int]
    stride: tuple[int, int]
    pads: tuple[int, int, int, int]  # (top, bottom, left, right)
    padded: torch.Tensor  # (C, H + 2ph, W + 2pw): -inf padding for max, 0 for avg
    output: torch.Tensor  # (C, H_out, W_out)
    winners: torch.Tensor | None  # max: (C, H_out, W_out) index of the winner inside its window (row-major)

    dilation: tuple[int, int] = (1, 1)  # pooling here never dilates; the animator reads it
    groups: int = 1

    @property
    def out_channels(self) -> int:
        """Pooling keeps the channel count: one output channel per input channel."""
        return self.input.shape[0]

    @property
    def param_count(self) -> int:
        """Pooling has no weights and no bias."""
        return 0

    def group_channels(self, oc: int) -> range:
        """The input channels output channel ``oc`` reads: only its own."""
        return range(oc, oc + 1)

    def winner_cell(self, c: int, oy: int, ox: int) -> tuple[int, int]:
        """(row, col) in ``padded`` of the value max pooling keeps at output[c, oy, ox]."""
        if self.winners is None:
            raise ParameterError("err.pool_no_winner")
        index = int(self.winners[c, oy, ox])
        kh_index, kw_index = divmod(index, self.kernel_size[1])
        return (oy * self.stride[0] + kh_index, ox * self.stride[1] + kw_index)

    def step(self, c: int, oy: int, ox: int) -> PoolStep:
        """The window, value and (for max) the winning cell of output[c, oy, ox]."""
        check_index_range(("c", "oy", "ox"), (c, oy, ox), self.output.shape)
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        return PoolStep(
            c=c,
            oy=oy,
            ox=ox,
            rows=oy * sh + torch.arange(kh),
            cols=ox * sw + torch.arange(kw),
            window=self.windows[c, oy, ox].clone(),
            kind=self.kind,
            value=float(self.output[c, oy, ox]),
            winner=self.winner_cell(c, oy, ox) if self.kind == "max" else None,
            count=kh * kw,
        )


def trace_pool2d(
    x: torch.Tensor,
    kind: str,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
) -> PoolTrace:
    """Pool x [C, H, W] with a ``kind`` ("max" or "avg") window, as F.max_pool2d / F.avg_pool2d do.

    Raises ParameterError (a ValueError) naming the broken constraint, with
    the caller's numbers, for anything torch would reject or that gives an
    empty output.
    """
    if kind not in POOL_KINDS:
        raise ParameterError("err.pool_kind", value=repr(kind), kinds=", ".join(POOL_KINDS))
    x = as_tensor(x, "x", 3, "[C, H, W]")
    c, h, w = x.shape
    if min(c, h, w) < 1:
        raise ParameterError("err.empty_input", shape=list(x.shape))
    kernel = as_pair(kernel_size, "kernel_size", 1)
    strides = kernel if stride is None else as_pair(stride, "stride", 1)
    ph, pw = as_pair(padding, "padding", 0)
    for pad, k, axis in ((ph, kernel[0], "axis.height"), (pw, kernel[1], "axis.width")):
        if pad > k // 2:
            raise ParameterError("err.pool_padding", pad=pad, kernel=k, limit=k // 2, axis=Term(axis))
    h_out = output_length(h, kernel[0], strides[0], ph, ph, 1, axis=0)
    w_out = output_length(w, kernel[1], strides[1], pw, pw, 1, axis=1)
    fill = float("-inf") if kind == "max" else 0.0
    padded = F.pad(x, (pw, pw, ph, ph), value=fill).contiguous()  # (C, H + 2ph, W + 2pw)

    windows = sliding_windows(padded, kernel, strides, (1, 1))  # (C, H_out, W_out, kH, kW)
    flat = windows.reshape(c, h_out, w_out, kernel[0] * kernel[1])  # (C, H_out, W_out, kH*kW)
    if kind == "max":
        output, winners = flat.max(dim=-1)  # the first largest value, as torch picks it
    else:
        output, winners = flat.mean(dim=-1), None
    return PoolTrace(
        input=x,
        kind=kind,
        kernel_size=kernel,
        stride=strides,
        pads=(ph, ph, pw, pw),
        padded=padded,
        output=output,
        winners=winners,
    )
