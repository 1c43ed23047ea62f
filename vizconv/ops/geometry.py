"""Sliding-window geometry shared by convolution and pooling.

Output size (PyTorch's ``nn.Conv2d`` documentation, "Shape" section)::

    out = floor((size + pad_before + pad_after - dilation * (kernel - 1) - 1) / stride) + 1

The form in some notes, ``(size + 2p - k + 1) / s``, is wrong twice: the
``+ 1`` belongs outside the division, and it drops the floor.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from functools import cached_property

import torch
import torch.nn.functional as F

from vizconv.errors import ParameterError
from vizconv.i18n.strings import Count, Term

__all__ = [
    "AXES",
    "PADDING_MODES",
    "KernelLayer",
    "LayerShapes",
    "SlidingWindows",
    "as_int",
    "as_pair",
    "as_tensor",
    "check_groups_divide",
    "check_kernel_groups",
    "check_index_range",
    "layer_bias",
    "layer_settings",
    "layer_tensors",
    "conv_output_size",
    "index_ranges",
    "output_length",
    "pad_input",
    "read_lines",
    "resolve_padding",
    "sliding_windows",
]

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")
AXES = (Term("axis.rows"), Term("axis.cols"))  # axis 0 and 1 named in messages, in their language
_LINES = ("count.rows", "count.cols")  # a number of rows or columns, with its noun


def as_tensor(value: object, name: str, dims: int, shape_text: str) -> torch.Tensor:
    """``value`` as a floating-point tensor of ``dims`` dimensions (integers become float32); ParameterError
    naming ``name`` and its expected ``shape_text`` ("[C_in, H, W]") for anything else."""
    try:
        tensor = torch.as_tensor(value)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise ParameterError("err.not_tensor", name=name, shape=shape_text) from exc
    if tensor.dim() != dims:
        raise ParameterError("err.tensor_dims", name=name, shape=shape_text, got=list(tensor.shape))
    if tensor.dtype == torch.bool or tensor.is_complex():
        raise ParameterError("err.not_tensor", name=name, shape=shape_text)
    if not tensor.is_floating_point():
        tensor = tensor.float()
    return tensor


def layer_tensors(x: object, weight: object, weight_shape: str) -> tuple[torch.Tensor, torch.Tensor]:
    """A layer's input [C, H, W] and 4-D weight (``weight_shape`` names its layout), as float tensors of the
    input's dtype; ParameterError where either is not one or is empty."""
    x = as_tensor(x, "x", 3, "[C_in, H, W]")
    weight = as_tensor(weight, "weight", 4, weight_shape).to(x.dtype)
    if min(x.shape) < 1:
        raise ParameterError("err.empty_input", shape=list(x.shape))
    if min(weight.shape) < 1:
        raise ParameterError("err.empty_weight", shape=list(weight.shape))
    return x, weight


def check_groups_divide(c_in: int, groups: int) -> None:
    """ParameterError unless ``groups`` divides the ``c_in`` input channels (as torch requires)."""
    if c_in % groups:
        raise ParameterError("err.groups_in", groups=groups, c_in=c_in, channels=Count("count.input_channels", c_in))


def check_kernel_groups(c_in: int, weight_shape: tuple[int, ...], groups: int) -> None:
    """ParameterError unless the weight's kernels (``weight_shape[0]``) split into ``groups`` and each reads the
    C_in/groups input channels of its group (``weight_shape[1]``), as torch requires."""
    c_out, c_per_group = weight_shape[0], weight_shape[1]
    if c_out % groups:
        raise ParameterError("err.groups_out", groups=groups, kernels=Count("count.kernels", c_out))
    if c_per_group != c_in // groups:
        raise ParameterError(
            "err.weight_channels",
            shape=list(weight_shape),
            got=Count("count.channels", c_per_group),
            want=c_in // groups,
            c_in=Count("count.input_channels", c_in),
            groups=Count("count.groups", groups),
        )


def layer_settings(
    x: object, weight: object, weight_shape: str, stride: object, dilation: object, groups: object
) -> tuple[torch.Tensor, torch.Tensor, tuple[int, int], tuple[int, int], int]:
    """A kernel layer's input and weight (layer_tensors), stride and dilation pairs, and a groups count that divides
    the input channels, checked as torch checks them; ParameterError for the first that is wrong."""
    x, weight = layer_tensors(x, weight, weight_shape)
    stride = as_pair(stride, "stride", 1)
    dilation = as_pair(dilation, "dilation", 1)
    groups = as_int(groups, "groups", 1)
    check_groups_divide(x.shape[0], groups)
    return x, weight, stride, dilation, groups


def layer_bias(bias: object, dtype: torch.dtype, out_channels: int, key: str, **params: object) -> torch.Tensor | None:
    """``bias`` as a [C_out] tensor of ``dtype`` (None stays None); ParameterError ``key`` (with ``got`` and
    ``params``) when its length is not ``out_channels``."""
    if bias is None:
        return None
    bias = as_tensor(bias, "bias", 1, "[C_out]").to(dtype)
    if bias.shape[0] != out_channels:
        raise ParameterError(key, got=Count("count.values", bias.shape[0]), **params)
    return bias


def as_int(value: object, name: str, minimum: int) -> int:
    """value as an int >= minimum, or ParameterError."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ParameterError("err.not_int", name=name, value=repr(value))
    if value < minimum:
        raise ParameterError("err.too_small", name=name, minimum=minimum, value=int(value))
    return int(value)


def as_pair(value: object, name: str, minimum: int) -> tuple[int, int]:
    """An int or an (h, w) pair as a validated (h, w) tuple of ints >= minimum."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ParameterError("err.not_pair", name=name, value=repr(value))
        return (as_int(value[0], name, minimum), as_int(value[1], name, minimum))
    number = as_int(value, name, minimum)
    return (number, number)


def output_length(
    size: int, kernel: int, stride: int, pad_before: int, pad_after: int, dilation: int, axis: int = 0
) -> int:
    """Output length along one axis; ParameterError (explained) when it would be below 1."""
    padded = size + pad_before + pad_after
    span = dilation * (kernel - 1) + 1
    out = (padded - span) // stride + 1
    if out < 1:
        raise ParameterError(
            "err.empty_output" if dilation > 1 else "err.empty_output_window",  # no dilation to mention
            axis=AXES[axis],
            out=out,
            span=span,
            dilation=dilation,
            kernel=kernel,
            padded=padded,
            size=size,
            padding=pad_before + pad_after,
        )
    return out


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1) -> int:
    """floor((size + 2*padding - dilation*(kernel-1) - 1) / stride) + 1, or ParameterError below 1."""
    size = as_int(size, "size", 1)
    kernel = as_int(kernel, "kernel", 1)
    stride = as_int(stride, "stride", 1)
    padding = as_int(padding, "padding", 0)
    dilation = as_int(dilation, "dilation", 1)
    return output_length(size, kernel, stride, padding, padding, dilation)


def read_lines(size: int, out: int, kernel: int, stride: int, dilation: int) -> torch.Tensor:
    """Which of the padded input's ``size`` rows (or columns) some window reads: bool [size].

    Window ``o`` reads lines ``o * stride + i * dilation`` for ``i < kernel``. Lines that none reads are
    past the last window when the stride does not tile the input, or between windows when the stride is
    larger than the kernel's reach, or between a dilated kernel's taps.
    """
    read = torch.zeros(size, dtype=torch.bool)
    taps = torch.arange(out)[:, None] * stride + torch.arange(kernel)[None, :] * dilation
    read[taps.flatten()] = True
    return read


def index_ranges(indices: list[int]) -> str:
    """Sorted indices as runs: [1, 2, 3, 4, 7, 9, 10] -> "1–4, 7, 9–10"."""
    runs: list[list[int]] = []
    for index in indices:
        if runs and index == runs[-1][1] + 1:
            runs[-1][1] = index
        else:
            runs.append([index, index])
    return ", ".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def resolve_padding(
    padding: object, kernel: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int]
) -> tuple[int, int, int, int]:
    """Padding as (top, bottom, left, right), with torch's meaning of "same" and "valid"."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise ParameterError("err.same_stride", stride=_pair_text(stride))
            pads: list[int] = []
            for k, d in zip(kernel, dilation, strict=False):
                total = d * (k - 1)
                # torch puts the odd extra row/column at the bottom/right
                pads += [total // 2, total - total // 2]
            return (pads[0], pads[1], pads[2], pads[3])
        raise ParameterError("err.padding_word", value=repr(padding))
    ph, pw = as_pair(padding, "padding", 0)
    return (ph, ph, pw, pw)


def _pair_text(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def pad_input(x: torch.Tensor, pads: tuple[int, int, int, int], mode: str) -> torch.Tensor:
    """x [C, H, W] padded as nn.Conv2d does for ``padding_mode`` -> [C, H+top+bottom, W+left+right]."""
    if mode not in PADDING_MODES:
        raise ParameterError("err.padding_mode", value=repr(mode), modes=", ".join(PADDING_MODES))
    top, bottom, left, right = pads
    sizes = (x.shape[-2], x.shape[-1])
    for axis, (before, after) in enumerate(((top, bottom), (left, right))):
        pad = max(before, after)
        if mode == "reflect" and pad >= sizes[axis]:
            raise ParameterError(
                "err.reflect_too_big",
                axis=AXES[axis],
                pad=pad,
                size=sizes[axis],
                lines=Count(_LINES[axis], pad),
                size_lines=Count(_LINES[axis], sizes[axis]),
            )
        if mode == "circular" and pad > sizes[axis]:
            raise ParameterError(
                "err.circular_too_big",
                axis=AXES[axis],
                pad=pad,
                size=sizes[axis],
                size_lines=Count(_LINES[axis], sizes[axis]),
            )
    if mode == "zeros":
        return F.pad(x, (left, right, top, bottom))
    return F.pad(x, (left, right, top, bottom), mode=mode)


def sliding_windows(
    padded: torch.Tensor, kernel: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int]
) -> torch.Tensor:
    """A strided view of every window: padded [C, Hp, Wp] -> [C, H_out, W_out, kH, kW].

    The caller has checked (output_length) that at least one window fits.
    """
    padded = padded.contiguous()
    c, hp, wp = padded.shape
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    h_out = (hp - dh * (kh - 1) - 1) // sh + 1
    w_out = (wp - dw * (kw - 1) - 1) // sw + 1
    s_c, s_h, s_w = padded.stride()
    return padded.as_strided(
        (c, h_out, w_out, kh, kw),  # (C, H_out, W_out, kH, kW)
        (s_c, s_h * sh, s_w * sw, s_h * dh, s_w * dw),
    )


def check_index_range(
    names: tuple[str, ...], values: tuple[int, ...], sizes: tuple[int, ...], key: str = "err.step_range"
) -> None:
    """ParameterError ``key`` (with the name, value and size) for the first index outside ``0 <= value < size``."""
    for name, value, size in zip(names, values, sizes, strict=True):
        if not 0 <= value < size:
            raise ParameterError(key, name=name, value=value, size=size)


class LayerShapes:
    """The sizes every layer trace reads off its tensors.

    A subclass is a dataclass with ``input`` (C_in, H, W) and ``output`` (C_out, H_out, W_out).
    """

    @property
    def in_channels(self) -> int:
        return self.input.shape[0]

    @property
    def in_size(self) -> tuple[int, int]:
        return (self.input.shape[1], self.input.shape[2])

    @property
    def out_size(self) -> tuple[int, int]:
        return (self.output.shape[1], self.output.shape[2])


@dataclass(frozen=True, eq=False)
class KernelLayer(LayerShapes):
    """The fields every traced layer with learned kernels has (convolution, transposed convolution), and their sizes."""

    input: torch.Tensor  # (C_in, H, W)
    weight: torch.Tensor  # (C_out, C_in/groups, kH, kW); transposed: (C_in, C_out/groups, kH, kW)
    bias: torch.Tensor | None  # (C_out,) or None
    stride: tuple[int, int]
    dilation: tuple[int, int]
    groups: int

    @property
    def kernel_size(self) -> tuple[int, int]:
        return (self.weight.shape[2], self.weight.shape[3])

    @property
    def param_count(self) -> int:
        return self.weight.numel() + (0 if self.bias is None else self.bias.numel())


class SlidingWindows(LayerShapes):
    """What every sliding-window trace (convolution, pooling) derives from its fields.

    A subclass is a dataclass with ``input`` (C_in, H, W), ``padded``, ``output`` (C_out, H_out, W_out),
    ``kernel_size``, ``stride`` and ``dilation``; the window positions are numbered row-major.
    """

    @property
    def positions(self) -> int:
        """Number of window positions (H_out * W_out)."""
        return self.output.shape[1] * self.output.shape[2]

    @property
    def read(self) -> tuple[torch.Tensor, torch.Tensor]:
        """Which rows and which columns of ``padded`` some window reads (bool [H_padded], bool [W_padded]).

        A cell is read when both its row and its column are; the rest never reach the output.
        """
        (kh, kw), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
        (hp, wp), (h_out, w_out) = self.padded.shape[1:], self.out_size
        return (read_lines(hp, h_out, kh, sh, dh), read_lines(wp, w_out, kw, sw, dw))

    @property
    def unread(self) -> torch.Tensor:
        """The cells of ``padded`` that no window reads: bool [H_padded, W_padded]."""
        rows, cols = self.read
        return ~(rows[:, None] & cols[None, :])

    @cached_property
    def windows(self) -> torch.Tensor:
        """Every window as a strided view: (C_in, H_out, W_out, kH, kW)."""
        return sliding_windows(self.padded, self.kernel_size, self.stride, self.dilation)

    def position(self, index: int) -> tuple[int, int]:
        """Row-major window position ``index`` as (oy, ox)."""
        return divmod(index, self.out_size[1])
