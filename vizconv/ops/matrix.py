"""Convolution as a matrix product, two ways, and the transposed convolution as the transposed matrix.

1. The big sparse matrix M: a convolution is linear in its input, so y = M·vec(x) for one matrix M of shape
   [C_out·H_out·W_out, C_in·H·W] (row-major flattening of y and x, zeros padding). Row (oc, oy, ox) of M holds
   kernel oc's weights at the columns of the input cells its window covers, and zeros elsewhere: every row
   repeats the same few weights (shared weights), shifted by the stride. ``weight_index_matrix`` says which
   weight each entry is (−1 for the structural zeros), for colouring the repeats.
2. im2col: every window unrolled as a column of X = ``im2col(x, ...)`` [C_in·kH·kW, L] (L = H_out·W_out, what
   ``F.unfold`` returns) and the kernels as the rows of W = ``weight_matrix(weight, groups)`` [C_out, C_in·kH·kW];
   then W·X [C_out, L] is the layer's output (plus the bias). With groups, W is block-diagonal: row oc holds its
   kernel in the columns of its own group's channels and zeros in the other groups' columns, so one product
   still computes the whole layer.

Why "transposed": ``F.conv_transpose2d`` with the same weight computes Mᵀ·vec(y) (with the output padding that
makes its output the convolution's input shape: ``ConvMatrixView.transpose_settings``). It maps the output's
shape back to the input's, but it is not an inverse: M·Mᵀ is not the identity (``inverse_check``).

Bounds: a page shows small inputs (up to 8×8 with 2 channels: M is at most 128 columns wide); the functions
refuse matrices above MAX_MATRIX_ENTRIES entries, and ``inverse_check`` products above MAX_PRODUCT_WORK
multiply-adds, with a ParameterError that says how large they would be.

References: V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning" (2016), section 4.1
(convolution as a matrix operation); K. Chellapilla et al., "High performance convolutional neural networks for
document processing" (2006) (unrolling windows into a matrix: im2col).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from vizconv.errors import ParameterError
from vizconv.i18n.strings import Count
from vizconv.ops.geometry import (
    as_int,
    as_pair,
    as_tensor,
    check_groups_divide,
    check_index_range,
    check_kernel_groups,
    layer_bias,
    layer_settings,
    output_length,
    resolve_padding,
)
from vizconv.ops.transposed import conv_transpose_output_size

__all__ = [
    "MAX_MATRIX_ENTRIES",
    "MAX_PRODUCT_WORK",
    "ConvMatrixView",
    "Highlight",
    "InverseCheck",
    "conv_matrix",
    "im2col",
    "inverse_check",
    "matrix_view",
    "transposed_conv_matrix",
    "weight_index_matrix",
    "weight_matrix",
]

MAX_MATRIX_ENTRIES = 4096 * 4096  # 16M entries (64 MB of float32): far above what a page shows
MAX_PRODUCT_WORK = 2**28  # multiply-adds of M·Mᵀ (about a second on one core)


@dataclass(frozen=True)
class _Layer:
    """A convolution's shapes and settings, checked (zeros padding)."""

    input_shape: tuple[int, int, int]  # (C_in, H, W)
    weight_shape: tuple[int, int, int, int]  # (C_out, C_in/groups, kH, kW)
    stride: tuple[int, int]
    dilation: tuple[int, int]
    groups: int
    pads: tuple[int, int, int, int]  # (top, bottom, left, right)
    out_size: tuple[int, int]  # (H_out, W_out)

    @property
    def shape(self) -> tuple[int, int]:
        """M's shape: (C_out·H_out·W_out, C_in·H·W)."""
        c_in, h, w = self.input_shape
        return (self.weight_shape[0] * self.out_size[0] * self.out_size[1], c_in * h * w)


def _check_entries(rows: int, cols: int) -> None:
    if rows * cols > MAX_MATRIX_ENTRIES:
        raise ParameterError("matrix.err.too_big", rows=rows, cols=cols, entries=rows * cols, limit=MAX_MATRIX_ENTRIES)


def _input_shape(input_shape: object) -> tuple[int, int, int]:
    if isinstance(input_shape, torch.Size):
        input_shape = tuple(input_shape)
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ParameterError("matrix.err.input_shape", value=repr(input_shape))
    return tuple(as_int(v, name, 1) for v, name in zip(input_shape, ("C_in", "H", "W"), strict=True))


def _layer(
    input_shape: object, weight: object, stride: object, padding: object, dilation: object, groups: object
) -> tuple[_Layer, torch.Tensor]:
    """The checked layer and its weight as a float tensor; ParameterError for what torch refuses or M too large."""
    c_in, h, w = _input_shape(input_shape)
    x = torch.zeros(c_in, 1, 1)  # only its channel count is checked here
    x, weight, stride, dilation, groups = layer_settings(
        x, weight, "[C_out, C_in/groups, kH, kW]", stride, dilation, groups
    )
    c_out, c_per_group, kh, kw = weight.shape
    check_kernel_groups(c_in, tuple(weight.shape), groups)
    pads = resolve_padding(padding, (kh, kw), stride, dilation)
    h_out = output_length(h, kh, stride[0], pads[0], pads[1], dilation[0], axis=0)
    w_out = output_length(w, kw, stride[1], pads[2], pads[3], dilation[1], axis=1)
    layer = _Layer((c_in, h, w), tuple(weight.shape), stride, dilation, groups, pads, (h_out, w_out))
    _check_entries(*layer.shape)
    return layer, weight


def _entries(layer: _Layer) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Every non-structural entry of M: its row, its column and the flat index of its weight (three [N] tensors).

    Row (oc, oy, ox) reads input cell (ic, oy·s_h − top + d_h·ky, ox·s_w − left + d_w·kx) with weight
    [oc, c, ky, kx], ic = c + C_in/groups × oc's group; taps on the padding are no entry (zeros padding).
    """
    (_, h, w), (c_out, cpg, kh, kw) = layer.input_shape, layer.weight_shape
    (h_out, w_out), (sh, sw), (dh, dw) = layer.out_size, layer.stride, layer.dilation
    top, left = layer.pads[0], layer.pads[2]
    oc = torch.arange(c_out).view(-1, 1, 1, 1, 1, 1)  # (C_out, 1, 1, 1, 1, 1)
    oy = torch.arange(h_out).view(1, -1, 1, 1, 1, 1)  # (1, H_out, 1, 1, 1, 1)
    ox = torch.arange(w_out).view(1, 1, -1, 1, 1, 1)
    c = torch.arange(cpg).view(1, 1, 1, -1, 1, 1)  # (1, 1, 1, C_in/groups, 1, 1)
    ky = torch.arange(kh).view(1, 1, 1, 1, -1, 1)
    kx = torch.arange(kw).view(1, 1, 1, 1, 1, -1)
    shape = (c_out, h_out, w_out, cpg, kh, kw)
    ic = (oc // (c_out // layer.groups)) * cpg + c
    iy = oy * sh - top + ky * dh
    ix = ox * sw - left + kx * dw
    inside = ((iy >= 0) & (iy < h) & (ix >= 0) & (ix < w)).expand(shape)
    rows = ((oc * h_out + oy) * w_out + ox).expand(shape)[inside]
    cols = ((ic * h + iy) * w + ix).expand(shape)[inside]
    weights = (((oc * cpg + c) * kh + ky) * kw + kx).expand(shape)[inside]
    return rows, cols, weights


def conv_matrix(
    input_shape: Sequence[int],
    weight: torch.Tensor,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> torch.Tensor:
    """M [C_out·H_out·W_out, C_in·H·W] with M @ x.flatten() == F.conv2d(x[None], weight, ...).flatten() for any
    x of ``input_shape`` (C_in, H, W); zeros padding (a number, a pair, "same" or "valid"), no bias.

    ParameterError (a ValueError) for settings torch refuses, and for an M above MAX_MATRIX_ENTRIES entries.
    """
    layer, weight = _layer(input_shape, weight, stride, padding, dilation, groups)
    rows, cols, weights = _entries(layer)
    matrix = weight.new_zeros(layer.shape)
    matrix[rows, cols] = weight.flatten()[weights]
    return matrix


def weight_index_matrix(
    input_shape: Sequence[int],
    weight: torch.Tensor,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> torch.Tensor:
    """For every entry of ``conv_matrix(...)``, the flat index into ``weight.flatten()`` of the weight it holds
    (an int64 tensor of M's shape), or −1 where M has a structural zero (no tap reads that input cell; a weight
    that happens to be 0 keeps its index). Equal indices are the same shared weight: colour M by them."""
    layer, _ = _layer(input_shape, weight, stride, padding, dilation, groups)
    rows, cols, weights = _entries(layer)
    index = torch.full(layer.shape, -1, dtype=torch.int64)
    index[rows, cols] = weights
    return index


def im2col(
    x: torch.Tensor,
    kernel_size: int | tuple[int, int],
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
) -> torch.Tensor:
    """Every window of x [C_in, H, W] unrolled as a column: X [C_in·kH·kW, H_out·W_out] (``F.unfold``'s layout:
    row c·kH·kW + ky·kW + kx, column oy·W_out + ox); zeros padding (a number, a pair, "same" or "valid")."""
    x = as_tensor(x, "x", 3, "[C_in, H, W]")
    kernel = as_pair(kernel_size, "kernel_size", 1)
    weight = torch.zeros(1, x.shape[0], *kernel, dtype=x.dtype)  # a stand-in that only carries the shape
    layer, _ = _layer(tuple(x.shape), weight, stride, padding, dilation, 1)
    top, bottom, left, right = layer.pads
    _check_entries(x.shape[0] * kernel[0] * kernel[1], layer.out_size[0] * layer.out_size[1])
    padded = F.pad(x, (left, right, top, bottom))  # (C_in, H + top + bottom, W + left + right)
    return F.unfold(padded[None], kernel, dilation=layer.dilation, stride=layer.stride)[0]


def weight_matrix(weight: torch.Tensor, groups: int = 1) -> torch.Tensor:
    """The kernels as rows: W [C_out, C_in·kH·kW] with W @ im2col(x, ...) the layer's output [C_out, L].

    Groups: W is block-diagonal. Row oc holds weight[oc] (flattened) in the columns of its group's input
    channels, and zeros in the other groups' columns (they are structural: that kernel never reads those
    channels).
    """
    weight = as_tensor(weight, "weight", 4, "[C_out, C_in/groups, kH, kW]")
    groups = as_int(groups, "groups", 1)
    c_out, cpg, kh, kw = weight.shape
    if c_out % groups:
        raise ParameterError("err.groups_out", groups=groups, kernels=Count("count.kernels", c_out))
    per_out = c_out // groups
    blocks = weight.new_zeros(groups, per_out, groups, cpg * kh * kw)  # (G, C_out/G, G, C_in/G·kH·kW)
    g = torch.arange(groups)
    blocks[g, :, g] = weight.reshape(groups, per_out, cpg * kh * kw)  # the diagonal blocks: each group's own
    return blocks.reshape(c_out, groups * cpg * kh * kw)


@dataclass(frozen=True)
class Highlight:
    """What lights up for one output (oc, oy, ox): its row of M and of W, its column of X."""

    row: int  # the row of M: oc·H_out·W_out + oy·W_out + ox
    inputs: torch.Tensor  # (N,) the columns of M (flat input indices c·H·W + y·W + x) that row reads
    weights: torch.Tensor  # (N,) the flat weight index at each of them
    column: int  # the column of X: oy·W_out + ox
    x_rows: range  # the rows of X (and columns of W) that oc's group reads: its channels × kH·kW
    w_row: int  # the row of W: oc


@dataclass(frozen=True, eq=False)
class ConvMatrixView:
    """One convolution seen as M·vec(x) and as W·X, with its numbers (see the module docstring)."""

    input: torch.Tensor  # (C_in, H, W)
    weight: torch.Tensor  # (C_out, C_in/groups, kH, kW)
    bias: torch.Tensor | None  # (C_out,) or None
    stride: tuple[int, int]
    dilation: tuple[int, int]
    groups: int
    pads: tuple[int, int, int, int]  # (top, bottom, left, right), zeros
    matrix: torch.Tensor  # M (C_out·H_out·W_out, C_in·H·W)
    index: torch.Tensor  # (C_out·H_out·W_out, C_in·H·W) int64: weight index, −1 for structural zeros
    columns: torch.Tensor  # X (C_in·kH·kW, H_out·W_out): im2col
    weights: torch.Tensor  # W (C_out, C_in·kH·kW), block-diagonal with groups
    output: torch.Tensor  # (C_out, H_out, W_out) = W·X + bias, reshaped

    @property
    def out_size(self) -> tuple[int, int]:
        return (self.output.shape[1], self.output.shape[2])

    @property
    def via_matrix(self) -> torch.Tensor:
        """M·vec(x) + bias, reshaped to (C_out, H_out, W_out): the same output as ``output``."""
        y = (self.matrix @ self.input.flatten()).reshape(self.output.shape)
        return y if self.bias is None else y + self.bias[:, None, None]

    @property
    def structural_zeros(self) -> int:
        """Entries of M that no weight can fill."""
        return int((self.index < 0).sum())

    def highlight(self, oc: int, oy: int, ox: int) -> Highlight:
        """The row of M, the column of X and the row of W that make output[oc, oy, ox]."""
        check_index_range(("oc", "oy", "ox"), (oc, oy, ox), tuple(self.output.shape))
        h_out, w_out = self.out_size
        row = (oc * h_out + oy) * w_out + ox
        inputs = (self.index[row] >= 0).nonzero().flatten()
        per_group = self.weight.shape[1] * self.weight.shape[2] * self.weight.shape[3]  # C_in/groups·kH·kW
        group = oc // (self.weight.shape[0] // self.groups)
        return Highlight(
            row=row,
            inputs=inputs,
            weights=self.index[row, inputs],
            column=oy * w_out + ox,
            x_rows=range(group * per_group, (group + 1) * per_group),
            w_row=oc,
        )

    def transpose_settings(self) -> dict:
        """The keyword arguments of ``F.conv_transpose2d(y[None], weight, **settings)`` that computes Mᵀ·vec(y) for
        y of the output's shape: the same stride, padding, dilation and groups, and the output padding that
        gives back the input's height and width. ParameterError when the padding differs between two sides
        ("same" with an even kernel): conv_transpose2d pads both sides alike."""
        top, bottom, left, right = self.pads
        if top != bottom or left != right:
            raise ParameterError("matrix.err.asymmetric", pads=str(self.pads))
        (_, h, w), (h_out, w_out) = self.input.shape, self.out_size
        (kh, kw), (sh, sw), (dh, dw) = self.weight.shape[2:], self.stride, self.dilation
        output_padding = (
            h - ((h_out - 1) * sh - 2 * top + dh * (kh - 1) + 1),
            w - ((w_out - 1) * sw - 2 * left + dw * (kw - 1) + 1),
        )  # in 0 .. stride − 1: the input rows (columns) past the last window
        return {
            "stride": self.stride,
            "padding": (top, left),
            "output_padding": output_padding,
            "groups": self.groups,
            "dilation": self.dilation,
        }

    def transposed(self, y: torch.Tensor) -> torch.Tensor:
        """Mᵀ·vec(y) for y of the output's shape (C_out, H_out, W_out), reshaped to the input's (C_in, H, W)."""
        y = as_tensor(y, "y", 3, "[C_out, H_out, W_out]").to(self.matrix.dtype)
        if tuple(y.shape) != tuple(self.output.shape):
            raise ParameterError("matrix.err.y_shape", got=list(y.shape), want=list(self.output.shape))
        return (self.matrix.T @ y.flatten()).reshape(self.input.shape)

    def round_trip(self) -> torch.Tensor:
        """Mᵀ·M·vec(x) reshaped to x's shape: the transposed convolution of the output (without bias). It has
        the input's shape but not its values: Mᵀ undoes M's shape, not M."""
        return self.transposed((self.matrix @ self.input.flatten()).reshape(self.output.shape))


def matrix_view(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
) -> ConvMatrixView:
    """x [C_in, H, W] convolved with weight [C_out, C_in/groups, kH, kW] (zeros padding) as both matrix products:
    M (``conv_matrix``) with its weight indices, and W·X (``weight_matrix`` · ``im2col``). ParameterError for
    settings torch refuses and for an M above MAX_MATRIX_ENTRIES entries."""
    x = as_tensor(x, "x", 3, "[C_in, H, W]")
    weight = as_tensor(weight, "weight", 4, "[C_out, C_in/groups, kH, kW]").to(x.dtype)
    layer, weight = _layer(tuple(x.shape), weight, stride, padding, dilation, groups)
    c_out = weight.shape[0]
    bias = layer_bias(bias, x.dtype, c_out, "err.bias_shape", c_out=Count("count.kernels", c_out))
    rows, cols, weights = _entries(layer)
    matrix = weight.new_zeros(layer.shape)
    matrix[rows, cols] = weight.flatten()[weights]
    index = torch.full(layer.shape, -1, dtype=torch.int64)
    index[rows, cols] = weights
    columns = im2col(x, tuple(weight.shape[2:]), layer.stride, padding, layer.dilation)
    w = weight_matrix(weight, layer.groups)
    output = (w @ columns).reshape(c_out, *layer.out_size)  # (C_out, H_out, W_out)
    if bias is not None:
        output = output + bias[:, None, None]
    return ConvMatrixView(
        input=x,
        weight=weight,
        bias=bias,
        stride=layer.stride,
        dilation=layer.dilation,
        groups=layer.groups,
        pads=layer.pads,
        matrix=matrix,
        index=index,
        columns=columns,
        weights=w,
        output=output,
    )


def transposed_conv_matrix(
    input_shape: Sequence[int],
    weight: torch.Tensor,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    output_padding: int | tuple[int, int] = 0,
    groups: int = 1,
    dilation: int | tuple[int, int] = 1,
) -> torch.Tensor:
    """The matrix T of a transposed convolution (arguments as ``F.conv_transpose2d``; weight [C_in, C_out/groups,
    kH, kW], input_shape (C_in, H, W)): T @ y.flatten() == F.conv_transpose2d(y[None], weight, ...).flatten().

    T is Mᵀ for the ordinary convolution with the same weight from the transposed convolution's output shape
    back to its input shape (its rows past the input, where output_padding ≥ stride, left out).
    """
    c_in, h, w = _input_shape(input_shape)
    weight = as_tensor(weight, "weight", 4, "[C_in, C_out/groups, kH, kW]")
    stride, dilation = as_pair(stride, "stride", 1), as_pair(dilation, "dilation", 1)
    padding, output_padding = as_pair(padding, "padding", 0), as_pair(output_padding, "output_padding", 0)
    groups = as_int(groups, "groups", 1)
    check_groups_divide(c_in, groups)
    if weight.shape[0] != c_in:
        raise ParameterError(
            "err.tconv_weight_in", shape=list(weight.shape), got=weight.shape[0], channels=Count("count.channels", c_in)
        )
    c_out = weight.shape[1] * groups
    kh, kw = weight.shape[2:]
    h_out = conv_transpose_output_size(h, kh, stride[0], padding[0], output_padding[0], dilation[0])
    w_out = conv_transpose_output_size(w, kw, stride[1], padding[1], output_padding[1], dilation[1])
    _check_entries(c_in * h * w, c_out * h_out * w_out)
    forward = conv_matrix((c_out, h_out, w_out), weight, stride, padding, dilation, groups)  # (C_in·H'·W', C_out·…)
    h_fwd = _per_row(h_out, kh, stride[0], padding[0], dilation[0])  # H, or more where output_padding ≥ stride
    w_fwd = _per_row(w_out, kw, stride[1], padding[1], dilation[1])
    kept = forward.reshape(c_in, h_fwd, w_fwd, -1)[:, :h, :w].reshape(c_in * h * w, -1)  # rows beyond the input go
    return kept.T.contiguous()


def _per_row(size: int, kernel: int, stride: int, padding: int, dilation: int) -> int:
    """The convolution's output length along one axis (the caller has checked it is at least 1)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


@dataclass(frozen=True, eq=False)
class InverseCheck:
    """How far Mᵀ is from undoing M: M·Mᵀ against the identity."""

    product: torch.Tensor  # M·Mᵀ (rows, rows)
    max_error: float  # max |M·Mᵀ − I|: 0 only if Mᵀ were a right inverse of M
    diagonal: torch.Tensor  # (rows,) M·Mᵀ's diagonal: each row's sum of squared weights (1 for the identity)
    off_diagonal: int  # non-zero entries off the diagonal: rows whose windows overlap

    @property
    def is_identity(self) -> bool:
        return self.max_error < 1e-6


def inverse_check(matrix: torch.Tensor) -> InverseCheck:
    """M·Mᵀ and its distance from the identity, for a matrix M [rows, cols] (a conv_matrix).

    ParameterError when M·Mᵀ would take more than MAX_PRODUCT_WORK multiply-adds (rows² × cols).
    """
    matrix = as_tensor(matrix, "matrix", 2, "[rows, cols]")
    rows, cols = matrix.shape
    if rows * rows * cols > MAX_PRODUCT_WORK:
        raise ParameterError("matrix.err.product_too_big", rows=rows, cols=cols, work=rows * rows * cols)
    product = matrix @ matrix.T  # (rows, rows)
    identity = torch.eye(rows, dtype=product.dtype)
    off = product.clone()
    off.fill_diagonal_(0)
    return InverseCheck(
        product=product,
        max_error=float((product - identity).abs().max()) if rows else 0.0,
        diagonal=product.diagonal().clone(),
        off_diagonal=int((off != 0).sum()),
    )
