"""The backward pass of a 2-D convolution, step by step: autograd's gradients, as the convolutions they are.

For the forward pass ``y = conv2d(pad(x), w) + b`` of ``trace_conv2d`` (stride s, dilation d, groups G; pad() is
the padding mode's) and the gradient ``g = ∂L/∂y`` [C_out, H_out, W_out] of some loss L, autograd returns:

- the weight gradient, a correlation of the padded input with the output gradient dilated by the stride::

      ∂L/∂w[o, c, i, j] = Σ_{oy, ox} g[o, oy, ox] · pad(x)[c', oy·s_h + i·d_h, ox·s_w + j·d_w]

  (c' = the input channel c of o's group): a convolution of each channel of pad(x) with g[o] as its kernel,
  with dilation s and stride d. ``weight_conv`` is exactly that convolution (depthwise: one group per input
  channel), over the rows and columns of pad(x) some window reads;
- the input gradient, the transposed convolution of the output gradient with the same weight, stride, dilation
  and groups::

      ∂L/∂pad(x)[c, p, q] = Σ g[o, oy, ox] · w[o, c mod C_in/G, i, j]   over oy·s_h + i·d_h = p, ox·s_w + j·d_w = q

  (``transposed``: padding 0 and ``output_padding`` = the bottom rows and right columns of pad(x) that the
  stride leaves unread, so its output covers pad(x) exactly); zero padding then crops the padding off (as
  ``F.conv_transpose2d(g, w, stride, padding, output_padding, groups, dilation)`` does in one call), and reflect,
  replicate and circular padding fold each padding cell's gradient back onto the input cell it copies;
- the bias gradient ``∂L/∂b[o] = Σ_{oy, ox} g[o, oy, ox]``.

``weight_step``, ``input_step`` and ``bias_step`` write any one gradient value out as its sum of products.

References: V. Dumoulin and F. Visin, "A guide to convolution arithmetic for deep learning" (2016), section 4
(the transposed convolution as the convolution's gradient); the documentation of ``torch.nn.ConvTranspose2d``
("can be seen as the gradient of Conv2d with respect to its input").
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from vizconv.errors import ParameterError
from vizconv.ops.conv import ConvTrace, trace_conv2d
from vizconv.ops.geometry import as_tensor, check_index_range, pad_input
from vizconv.ops.transposed import ConvTransposeTrace, trace_conv_transpose2d

__all__ = ["BiasStep", "ConvBackwardTrace", "InputStep", "WeightStep", "padded_sources", "trace_conv2d_backward"]


@dataclass(frozen=True)
class WeightStep:
    """How grad_weight[oc, ic, i, j] is made: the tap's input values times the output gradient, summed."""

    oc: int
    ic: int  # the weight's input channel, inside oc's group
    i: int
    j: int
    channel: int  # the input channel it reads: oc's group's first + ic
    rows: torch.Tensor  # (H_out,) rows of ``padded`` the tap met: oy * s_h + i * d_h
    cols: torch.Tensor  # (W_out,) columns of ``padded``: ox * s_w + j * d_w
    inputs: torch.Tensor  # (H_out, W_out) = padded[channel][rows][:, cols]
    grads: torch.Tensor  # (H_out, W_out) = grad_output[oc]
    products: torch.Tensor  # (H_out, W_out) = inputs * grads
    value: float  # products.sum() = grad_weight[oc, ic, i, j]


@dataclass(frozen=True)
class InputStep:
    """How grad_input[ic, y, x] is made: every (output position, weight tap) that read the cell, g × w, summed.

    Term ``n`` is grad_output[oc[n], oy[n], ox[n]] × weight[oc[n], ic mod C_in/groups, i[n], j[n]]; it read the
    padded cell (rows[n], cols[n]), the cell's own place or a padding cell that copies it.
    """

    ic: int
    y: int
    x: int
    cells: torch.Tensor  # (n_cells, 2) the padded cells holding input[ic, y, x]: its own first, then padding copies
    oc: torch.Tensor  # (n,) output channel of each term
    oy: torch.Tensor  # (n,)
    ox: torch.Tensor  # (n,)
    i: torch.Tensor  # (n,) weight tap row
    j: torch.Tensor  # (n,) weight tap column
    rows: torch.Tensor  # (n,) padded row read: oy * s_h + i * d_h
    cols: torch.Tensor  # (n,) padded column read: ox * s_w + j * d_w
    grads: torch.Tensor  # (n,) grad_output[oc, oy, ox]
    weights: torch.Tensor  # (n,) weight[oc, ic mod C_in/groups, i, j]
    products: torch.Tensor  # (n,) grads * weights
    value: float  # products.sum() = grad_input[ic, y, x]

    @property
    def padding_cells(self) -> torch.Tensor:
        """(n_cells − 1, 2): the padding cells that fold back onto the input cell (reflect, replicate, circular)."""
        return self.cells[1:]

    @property
    def through_padding(self) -> torch.Tensor:
        """(n,) bool: the terms that read the cell through a padding cell."""
        own_row, own_col = self.cells[0].tolist()
        return (self.rows != own_row) | (self.cols != own_col)


@dataclass(frozen=True)
class BiasStep:
    """How grad_bias[oc] is made: the sum of the output gradient of channel oc."""

    oc: int
    grads: torch.Tensor  # (H_out, W_out) = grad_output[oc]
    value: float  # grads.sum() = grad_bias[oc]


@dataclass(frozen=True, eq=False)
class ConvBackwardTrace:
    """A convolution's backward pass: the three gradients, the convolutions that make them, and their steps."""

    forward: ConvTrace  # the forward pass (its input, weight, bias, settings, padded input and output)
    grad_output: torch.Tensor  # (C_out, H_out, W_out)
    grad_input: torch.Tensor  # (C_in, H, W)
    grad_weight: torch.Tensor  # (C_out, C_in/groups, kH, kW)
    grad_bias: torch.Tensor | None  # (C_out,), or None for a layer without bias (as autograd)
    grad_padded: torch.Tensor  # (C_in, H_padded, W_padded): the gradient of the padded input, transposed.output
    sources: torch.Tensor  # (H_padded, W_padded) long: the input cell y * W + x each padded cell copies; −1 for zeros
    weight_conv: ConvTrace  # depthwise correlation of padded rows/columns read with g: output (C_in * C_out/G, kH, kW)
    transposed: ConvTransposeTrace  # g transposed-convolved with the weight: output == grad_padded

    def weight_step(self, oc: int, ic: int, i: int, j: int) -> WeightStep:
        """The input values weight[oc, ic, i, j] met at every output position, the output gradient there, their
        products and sum (= grad_weight[oc, ic, i, j])."""
        check_index_range(("oc", "ic", "i", "j"), (oc, ic, i, j), tuple(self.grad_weight.shape), "err.weight_range")
        f = self.forward
        channel = f.group_channels(oc).start + ic
        (sh, sw), (dh, dw), (h_out, w_out) = f.stride, f.dilation, f.out_size
        inputs = f.windows[channel, :, :, i, j]  # (H_out, W_out): a strided, dilated window of padded[channel]
        grads = self.grad_output[oc]  # (H_out, W_out)
        products = inputs * grads
        return WeightStep(
            oc=oc,
            ic=ic,
            i=i,
            j=j,
            channel=channel,
            rows=torch.arange(h_out) * sh + i * dh,
            cols=torch.arange(w_out) * sw + j * dw,
            inputs=inputs.clone(),
            grads=grads,
            products=products,
            value=float(products.sum()),
        )

    def input_step(self, ic: int, y: int, x: int) -> InputStep:
        """Every (output position, weight tap) pair that read input[ic, y, x], directly or through a padding cell
        that copies it, with grad_output × weight and their sum (= grad_input[ic, y, x])."""
        check_index_range(("ic", "y", "x"), (ic, y, x), tuple(self.grad_input.shape), "err.tconv_input_range")
        f = self.forward
        (kh, kw), (sh, sw), (dh, dw), (h_out, w_out) = f.kernel_size, f.stride, f.dilation, f.out_size
        top, _, left, _ = f.pads
        cells = (self.sources == y * f.in_size[1] + x).nonzero()  # (n_cells, 2), row-major
        folded = (cells[:, 0] != y + top) | (cells[:, 1] != x + left)
        cells = cells[torch.argsort(folded.int(), stable=True)]  # its own cell first
        per_group_in, per_group_out = f.in_channels // f.groups, f.out_channels // f.groups
        group = ic // per_group_in
        dy = cells[:, :1] - torch.arange(kh) * dh  # (n_cells, kH): oy * s_h for tap i, if a window put it there
        dx = cells[:, 1:] - torch.arange(kw) * dw  # (n_cells, kW)
        hit_y = (dy >= 0) & (dy % sh == 0) & (dy < h_out * sh)
        hit_x = (dx >= 0) & (dx % sw == 0) & (dx < w_out * sw)
        hits = (hit_y[:, None, :, None] & hit_x[:, None, None, :]).expand(-1, per_group_out, -1, -1)
        cell, o, i, j = hits.nonzero(as_tuple=True)  # (n,) each: (cell, oc in group, tap) of every term
        oc = group * per_group_out + o
        oy, ox = dy[cell, i] // sh, dx[cell, j] // sw
        grads = self.grad_output[oc, oy, ox]
        weights = f.weight[oc, ic - group * per_group_in, i, j]
        products = grads * weights
        return InputStep(
            ic=ic,
            y=y,
            x=x,
            cells=cells,
            oc=oc,
            oy=oy,
            ox=ox,
            i=i,
            j=j,
            rows=cells[cell, 0],
            cols=cells[cell, 1],
            grads=grads,
            weights=weights,
            products=products,
            value=float(products.sum()),
        )

    def bias_step(self, oc: int) -> BiasStep:
        """The output gradient of channel oc and its sum (= grad_bias[oc], what a bias there would get)."""
        check_index_range(("oc",), (oc,), (self.grad_output.shape[0],))
        grads = self.grad_output[oc]
        return BiasStep(oc=oc, grads=grads, value=float(grads.sum()))


def padded_sources(in_size: tuple[int, int], pads: tuple[int, int, int, int], mode: str) -> torch.Tensor:
    """(H_padded, W_padded) long: the input cell (y * W + x) each cell of the padded input copies, −1 for a zero.

    Padded the way the forward pass pads (``pad_input``), so every mode folds back exactly as torch pads.
    """
    h, w = in_size
    cells = torch.arange(1, h * w + 1, dtype=torch.float64).reshape(1, h, w)  # 1-based: zero padding reads 0
    return pad_input(cells, pads, mode)[0].long() - 1


def trace_conv2d_backward(
    x: torch.Tensor,
    weight: torch.Tensor,
    grad_output: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
) -> ConvBackwardTrace:
    """The gradients of trace_conv2d(x, weight, bias, ...) for grad_output [C_out, H_out, W_out], as autograd's.

    grad_weight = the padded input correlated with grad_output dilated by the stride (``weight_conv``);
    grad_input = grad_output transposed-convolved with the weight (``transposed``), cropped (zero padding) or
    folded back (reflect, replicate, circular); grad_bias = grad_output summed over positions. ParameterError for
    any setting trace_conv2d refuses, and for a grad_output whose shape is not the forward output's.
    """
    forward = trace_conv2d(x, weight, bias, stride, padding, dilation, groups, padding_mode)
    grad = as_tensor(grad_output, "grad_output", 3, "[C_out, H_out, W_out]").to(forward.input.dtype)
    if grad.shape != forward.output.shape:
        raise ParameterError("err.grad_output_shape", got=list(grad.shape), want=list(forward.output.shape))
    weight, groups, padded = forward.weight, forward.groups, forward.padded
    c_in, (h, w), (hp, wp) = forward.in_channels, forward.in_size, padded.shape[1:]
    c_out, per_group_in, kh, kw = weight.shape
    (sh, sw), (dh, dw), (h_out, w_out) = forward.stride, forward.dilation, forward.out_size
    read = ((h_out - 1) * sh + dh * (kh - 1) + 1, (w_out - 1) * sw + dw * (kw - 1) + 1)  # rows, cols any window reads

    # grad_weight: each padded input channel correlated with its group's output gradients, dilated by the stride
    per_group_out = c_out // groups
    kernels = grad.reshape(groups, per_group_out, h_out, w_out)[torch.arange(c_in) // per_group_in]
    kernels = kernels.reshape(c_in * per_group_out, 1, h_out, w_out)  # (C_in * C_out/G, 1, H_out, W_out)
    weight_conv = trace_conv2d(
        padded[:, : read[0], : read[1]], kernels, stride=forward.dilation, dilation=forward.stride, groups=c_in
    )  # output (C_in * C_out/G, kH, kW)
    grad_weight = (
        weight_conv.output.reshape(groups, per_group_in, per_group_out, kh, kw)  # (G, C_in/G, C_out/G, kH, kW)
        .transpose(1, 2)  # (G, C_out/G, C_in/G, kH, kW)
        .reshape(c_out, per_group_in, kh, kw)
    )

    # grad_input: the transposed convolution of grad_output with the same weight covers the padded input ...
    unread = (hp - read[0], wp - read[1])  # bottom rows, right columns the stride leaves unread (< stride)
    transposed = trace_conv_transpose2d(
        grad, weight, stride=forward.stride, output_padding=unread, groups=groups, dilation=forward.dilation
    )
    grad_padded = transposed.output  # (C_in, H_padded, W_padded)
    sources = padded_sources((h, w), forward.pads, padding_mode)
    if padding_mode == "zeros":  # ... and the padding only cropped
        top, _, left, _ = forward.pads
        grad_input = grad_padded[:, top : top + h, left : left + w]
    else:  # ... or each padding cell's gradient added onto the input cell it copies
        kept = (sources >= 0).flatten()
        grad_input = grad_padded.new_zeros(c_in, h * w).index_add_(
            1, sources.flatten()[kept], grad_padded.reshape(c_in, hp * wp)[:, kept]
        )
        grad_input = grad_input.reshape(c_in, h, w)
    return ConvBackwardTrace(
        forward=forward,
        grad_output=grad,
        grad_input=grad_input,
        grad_weight=grad_weight,
        grad_bias=None if forward.bias is None else grad.sum(dim=(1, 2)),
        grad_padded=grad_padded,
        sources=sources,
        weight_conv=weight_conv,
        transposed=transposed,
    )
