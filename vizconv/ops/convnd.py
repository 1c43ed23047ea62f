"""Convolution along any number of axes, step by step: the engine under ``trace_conv1d`` and ``trace_conv3d``.

The arithmetic of the 2-D trace (``vizconv.ops.conv``) with one to three spatial axes: pad the input, take every
window as a strided view (no Python loop over positions), multiply by the kernel and sum per group. Each axis
follows PyTorch's output-size formula (``vizconv.ops.geometry``)::

    out = floor((size + pad_before + pad_after - dilation * (kernel - 1) - 1) / stride) + 1

Settings are checked as ``nn.Conv1d`` / ``nn.Conv3d`` check them, and a setting torch refuses raises
ParameterError (a ValueError) with the caller's numbers and the axis named in the reader's language ("samples"
for a sequence, "slices" for the depth of a volume).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import torch
import torch.nn.functional as F

from vizconv.errors import ParameterError
from vizconv.i18n.strings import Count, Term
from vizconv.ops.geometry import (
    PADDING_MODES,
    as_int,
    as_tensor,
    check_groups_divide,
    check_index_range,
    check_kernel_groups,
    layer_bias,
    output_length,
    read_lines,
)

__all__ = ["ConvNdTrace", "NdAxes", "as_tuple", "pad_nd", "resolve_padding_nd", "trace_convnd", "windows_nd"]


@dataclass(frozen=True)
class NdAxes:
    """How messages name the spatial axes of one kind of input (a sequence, a volume)."""

    axes: Term  # all axes at once, for "one number or one per axis (depth, height, width)"
    names: tuple[Term, ...]  # each axis as a plural noun ("samples", "rows"), for output-size messages
    lines: tuple[str, ...]  # each axis's count entry ("nd.count.samples", "count.rows"), for padding messages
    input_shape: str  # "[C_in, L]"
    weight_shape: str  # "[C_out, C_in/groups, k]"

    @property
    def dims(self) -> int:
        return len(self.names)


SEQUENCE = NdAxes(
    Term("nd.axes.length"),
    (Term("nd.axis.samples"),),
    ("nd.count.samples",),
    "[C_in, L]",
    "[C_out, C_in/groups, k]",
)
VOLUME = NdAxes(
    Term("nd.axes.dhw"),
    (Term("nd.axis.slices"), Term("axis.rows"), Term("axis.cols")),
    ("nd.count.slices", "count.rows", "count.cols"),
    "[C_in, D, H, W]",
    "[C_out, C_in/groups, kD, kH, kW]",
)


def as_tuple(value: object, name: str, minimum: int, axes: NdAxes) -> tuple[int, ...]:
    """An int, or one int per axis, as a tuple of ints >= minimum; ParameterError for anything else."""
    if isinstance(value, (tuple, list)):
        if len(value) != axes.dims:
            raise ParameterError("nd.err.not_tuple", name=name, value=repr(value), axes=axes.axes)
        return tuple(as_int(v, name, minimum) for v in value)
    number = as_int(value, name, minimum)
    return (number,) * axes.dims


def _stride_text(stride: tuple[int, ...]) -> str:
    return str(stride[0]) if len(set(stride)) == 1 else "(" + ", ".join(map(str, stride)) + ")"


def resolve_padding_nd(
    padding: object,
    kernel: tuple[int, ...],
    stride: tuple[int, ...],
    dilation: tuple[int, ...],
    axes: NdAxes,
    causal: bool = False,
) -> tuple[int, ...]:
    """Padding as (before, after) for each axis, flat: (left, right) or (front, back, top, bottom, left, right).

    Numbers pad both sides; "valid" is no padding; "same" keeps the size at stride 1 (torch puts an odd extra
    at the end: after, not before); "causal" (where ``causal`` allows it) pads dilation·(k − 1) before only, so
    output i sees inputs up to i and none after.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0) * axes.dims
        if padding == "causal" and causal:
            return tuple(p for k, d in zip(kernel, dilation, strict=True) for p in (d * (k - 1), 0))
        if padding == "same":
            if any(s != 1 for s in stride):
                raise ParameterError("err.same_stride", stride=_stride_text(stride))
            totals = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
            return tuple(p for total in totals for p in (total // 2, total - total // 2))
        raise ParameterError("nd.err.padding_word_causal" if causal else "nd.err.padding_word", value=repr(padding))
    return tuple(p for p in as_tuple(padding, "padding", 0, axes) for p in (p, p))


def pad_nd(x: torch.Tensor, pads: tuple[int, ...], mode: str, axes: NdAxes) -> torch.Tensor:
    """x [C, *size] padded as nn.Conv1d / nn.Conv3d pad it for ``mode`` -> [C, *(size + before + after)].

    ParameterError where torch refuses: reflect padding must be smaller than the axis it mirrors, circular
    padding at most as large as the axis it wraps.
    """
    if mode not in PADDING_MODES:
        raise ParameterError("err.padding_mode", value=repr(mode), modes=", ".join(PADDING_MODES))
    for axis in range(axes.dims):
        size, pad = x.shape[1 + axis], max(pads[2 * axis], pads[2 * axis + 1])
        noun = axes.lines[axis]
        if mode == "reflect" and pad >= size:
            raise ParameterError(
                "err.reflect_too_big",
                axis=axes.names[axis],
                pad=pad,
                size=size,
                lines=Count(noun, pad),
                size_lines=Count(noun, size),
            )
        if mode == "circular" and pad > size:
            raise ParameterError(
                "err.circular_too_big", axis=axes.names[axis], pad=pad, size=size, size_lines=Count(noun, size)
            )
    flat = [p for axis in reversed(range(axes.dims)) for p in (pads[2 * axis], pads[2 * axis + 1])]  # last axis first
    if mode == "zeros":
        return F.pad(x, flat)
    return F.pad(x[None], flat, mode=mode)[0]  # reflect/replicate/circular want a batch dimension


def windows_nd(
    padded: torch.Tensor, kernel: tuple[int, ...], stride: tuple[int, ...], dilation: tuple[int, ...]
) -> torch.Tensor:
    """A strided view of every window: padded [C, *size] -> [C, *out, *kernel] (no copy).

    The caller has checked that at least one window fits along every axis.
    """
    windows = padded
    for axis, (k, s, d) in enumerate(zip(kernel, stride, dilation, strict=True)):
        windows = windows.unfold(1 + axis, d * (k - 1) + 1, s)  # appends the window's span as the last axis
    return windows[(Ellipsis, *(slice(None, None, d) for d in dilation))]  # keep every d-th: the kernel's taps


def _output_length(size: int, kernel: int, stride: int, before: int, after: int, dilation: int, axis: Term) -> int:
    """geometry.output_length, its message naming ``axis``."""
    try:
        return output_length(size, kernel, stride, before, after, dilation)
    except ParameterError as err:
        raise ParameterError(err.key, **{**err.params, "axis": axis}) from None


@dataclass(frozen=True, eq=False)
class ConvNdTrace:
    """A convolution with one to three spatial axes, and what explains each output value (see step in the
    subclasses: ``Conv1dTrace``, ``Conv3dTrace``)."""

    input: torch.Tensor  # (C_in, *size)
    weight: torch.Tensor  # (C_out, C_in/groups, *kernel)
    bias: torch.Tensor | None  # (C_out,) or None
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    groups: int
    pads: tuple[int, ...]  # (before, after) per axis, flat
    padding: object  # as given: int, tuple, "same", "valid" (1-D: "causal")
    padding_mode: str
    padded: torch.Tensor  # (C_in, *(size + before + after))
    output: torch.Tensor  # (C_out, *out)

    @property
    def in_channels(self) -> int:
        return self.input.shape[0]

    @property
    def out_channels(self) -> int:
        return self.weight.shape[0]

    @property
    def kernel_size(self) -> tuple[int, ...]:
        return tuple(self.weight.shape[2:])

    @property
    def in_size(self) -> tuple[int, ...]:
        return tuple(self.input.shape[1:])

    @property
    def out_size(self) -> tuple[int, ...]:
        return tuple(self.output.shape[1:])

    @property
    def param_count(self) -> int:
        return self.weight.numel() + (0 if self.bias is None else self.bias.numel())

    @property
    def mult_adds(self) -> int:
        """Multiply-adds for one input: every output value costs C_in/groups × the kernel's volume."""
        return self.output.numel() * self.weight[0].numel()

    @property
    def positions(self) -> int:
        """Number of window positions (the output's spatial volume)."""
        return math.prod(self.out_size)

    def position(self, index: int) -> tuple[int, ...]:
        """Row-major window position ``index`` as an output index (i,) or (d, y, x)."""
        check_index_range(("index",), (index,), (self.positions,))
        return tuple(int(i) for i in torch.unravel_index(torch.tensor(index), self.out_size))

    @cached_property
    def windows(self) -> torch.Tensor:
        """Every window as a strided view: (C_in, *out, *kernel)."""
        return windows_nd(self.padded, self.kernel_size, self.stride, self.dilation)

    @property
    def read(self) -> tuple[torch.Tensor, ...]:
        """For each axis, which indices of ``padded`` some window reads (bool, one tensor per axis)."""
        return tuple(
            read_lines(p, o, k, s, d)
            for p, o, k, s, d in zip(
                self.padded.shape[1:], self.out_size, self.kernel_size, self.stride, self.dilation, strict=True
            )
        )

    def group_channels(self, oc: int) -> range:
        """The input channels that output channel ``oc`` reads."""
        per_group = self.in_channels // self.groups
        group = oc // (self.out_channels // self.groups)
        return range(group * per_group, (group + 1) * per_group)

    def taps(self, index: tuple[int, ...]) -> tuple[torch.Tensor, ...]:
        """For output ``index``, the indices of ``padded`` under the kernel's taps, one tensor (k,) per axis."""
        return tuple(
            o * s + d * torch.arange(k)
            for o, s, d, k in zip(index, self.stride, self.dilation, self.kernel_size, strict=True)
        )

    def _parts(self, names: tuple[str, ...], oc: int, index: tuple[int, ...]) -> dict:
        """What every step holds: channels, window, kernel, products, channel sums, bias, value."""
        check_index_range(("oc", *names), (oc, *index), tuple(self.output.shape))
        channels = self.group_channels(oc)
        window = self.windows[(slice(channels.start, channels.stop), *index)]  # (C_in/groups, *kernel)
        kernel = self.weight[oc]  # (C_in/groups, *kernel)
        products = window * kernel
        channel_sums = products.flatten(1).sum(1)  # (C_in/groups,)
        bias = 0.0 if self.bias is None else float(self.bias[oc])
        return {
            "oc": oc,
            "input_channels": tuple(channels),
            "window": window.clone(),
            "kernel": kernel,
            "products": products,
            "channel_sums": channel_sums,
            "bias": bias,
            "value": float(channel_sums.sum()) + bias,
        }


def trace_convnd(
    x: object,
    weight: object,
    bias: object,
    stride: object,
    padding: object,
    dilation: object,
    groups: object,
    padding_mode: str,
    axes: NdAxes,
    causal: bool = False,
) -> dict:
    """Check the settings as torch does and convolve: the fields of a ConvNdTrace, as a dict.

    x [C_in, *size], weight [C_out, C_in/groups, *kernel]; ParameterError (a ValueError) naming the broken
    constraint for anything torch would reject or that gives an empty output.
    """
    dims = axes.dims
    x = as_tensor(x, "x", dims + 1, axes.input_shape)
    weight = as_tensor(weight, "weight", dims + 2, axes.weight_shape).to(x.dtype)
    if min(x.shape) < 1:
        raise ParameterError("nd.err.empty_input", shape=list(x.shape))
    if min(weight.shape) < 1:
        raise ParameterError("err.empty_weight", shape=list(weight.shape))
    stride = as_tuple(stride, "stride", 1, axes)
    dilation = as_tuple(dilation, "dilation", 1, axes)
    groups = as_int(groups, "groups", 1)
    c_in, size = x.shape[0], tuple(x.shape[1:])
    c_out, c_per_group, kernel = weight.shape[0], weight.shape[1], tuple(weight.shape[2:])
    check_groups_divide(c_in, groups)
    check_kernel_groups(c_in, tuple(weight.shape), groups)
    bias = layer_bias(bias, x.dtype, c_out, "err.bias_shape", c_out=Count("count.kernels", c_out))
    pads = resolve_padding_nd(padding, kernel, stride, dilation, axes, causal)
    out = tuple(
        _output_length(size[a], kernel[a], stride[a], pads[2 * a], pads[2 * a + 1], dilation[a], axes.names[a])
        for a in range(dims)
    )
    padded = pad_nd(x, pads, padding_mode, axes).contiguous()

    windows = windows_nd(padded, kernel, stride, dilation)  # (C_in, *out, *kernel)
    g_windows = windows.reshape(groups, c_in // groups, math.prod(out), math.prod(kernel))  # (G, C_in/G, P, K)
    g_weight = weight.reshape(groups, c_out // groups, c_per_group, math.prod(kernel))  # (G, C_out/G, C_in/G, K)
    output = torch.einsum("gcpk,gock->gop", g_windows, g_weight).reshape(c_out, *out)  # (C_out, *out)
    if bias is not None:
        output = output + bias.reshape(c_out, *(1,) * dims)
    return {
        "input": x,
        "weight": weight,
        "bias": bias,
        "stride": stride,
        "dilation": dilation,
        "groups": groups,
        "pads": pads,
        "padding": padding,
        "padding_mode": padding_mode,
        "padded": padded,
        "output": output,
    }
