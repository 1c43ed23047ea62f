"""Step-by-step transposed 2-D convolution (as nn.ConvTranspose2d computes it), seen two ways.

Scatter view: every input value x[ic, iy, ix] writes ``value × kernel`` onto
an uncropped canvas at rows ``iy·s + d·ky`` and columns ``ix·s + d·kx``; the
canvas gets ``output_padding`` extra rows/columns at the bottom/right, and
``padding`` crops that many rows/columns from each side of it.

Equivalent view: the same output is an ordinary convolution (stride 1, same
dilation) of the zero-inserted input (s − 1 zeros between values), padded by
``d·(k − 1) − p`` on each side (plus ``output_padding`` at the bottom/right;
a negative amount crops instead), with the kernel flipped in both spatial
axes and its in/out channels swapped per group.

Output size (PyTorch's ``nn.ConvTranspose2d`` documentation, "Shape")::

    H_out = (H_in − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1

References: V. Dumoulin and F. Visin, "A guide to convolution arithmetic for
deep learning" (2016), section 4 (transposed convolution arithmetic);
https://pytorch.org/docs/stable/generated/torch.nn.ConvTranspose2d.html
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import NamedTuple

import torch
import torch.nn.functional as F

from vizconv.errors import ParameterError
from vizconv.i18n.strings import Count
from vizconv.ops.conv import ConvTrace, trace_conv2d
from vizconv.ops.geometry import (
    AXES,
    KernelLayer,
    as_int,
    as_pair,
    check_groups_divide,
    check_index_range,
    layer_bias,
    layer_settings,
)

__all__ = [
    "COVERAGE",
    "EXAMPLES",
    "PRESETS",
    "Contribution",
    "ConvTransposeTrace",
    "LineCoverage",
    "Scatter",
    "TransposedExample",
    "conv_transpose_output_size",
    "layer_weight",
    "line_coverage",
    "partial_canvases",
    "trace_conv_transpose2d",
]


@dataclass(frozen=True)
class Scatter:
    """What input value x[ic, iy, ix] writes onto the output."""

    ic: int
    iy: int
    ix: int
    value: float
    output_channels: tuple[int, ...]  # the output channels of ic's group
    kernels: torch.Tensor  # (C_out/groups, kH, kW) = weight[ic]
    contribution: torch.Tensor  # (C_out/groups, kH, kW) = value * kernels
    rows: torch.Tensor  # (kH,) canvas rows (uncropped): iy * s + d * ky
    cols: torch.Tensor  # (kW,) canvas columns (uncropped): ix * s + d * kx
    out_rows: torch.Tensor  # (kH,) rows - padding: the output row, where row_inside
    out_cols: torch.Tensor  # (kW,) cols - padding: the output column, where col_inside
    row_inside: torch.Tensor  # (kH,) bool: the row survives the padding crop
    col_inside: torch.Tensor  # (kW,) bool

    @property
    def inside(self) -> torch.Tensor:
        """(kH, kW) bool: the taps that land inside the output."""
        return self.row_inside[:, None] & self.col_inside[None, :]


@dataclass(frozen=True)
class Contribution:
    """One term of an output value: input[ic, iy, ix] × weight[ic, oc % (C_out/groups), ky, kx]."""

    ic: int
    iy: int
    ix: int
    ky: int
    kx: int
    value: float
    weight: float
    product: float


# Why an output row (or column) is, or is not, written by some input value × kernel weight:
COVERAGE = (
    "written",  # some input index i and kernel tap k land on it: i·s + d·k = row + padding
    "output_padding",  # below (right of) the last line any stamped kernel reaches: a row output padding adds
    "stride_gap",  # between the stamps of input lines i and i + 1: the stride is larger than a stamp's span d·(k − 1) + 1
    "dilation_gap",  # inside input line i's stamp, between two of its taps (dilation > 1), and on no other stamp's tap
)


@dataclass(frozen=True)
class LineCoverage:
    """One output row (or column): which (input, kernel tap) index pairs write to it, or why none does."""

    kind: str  # one of COVERAGE
    index: int  # the output row (column)
    line: int  # the same row on the uncropped canvas: index + padding
    taps: tuple[tuple[int, int], ...]  # (input index, kernel index) pairs with i·s + d·k = line; empty unless written
    source: int | None  # stride or dilation gap: the input line whose stamp starts last at or before it; else None


def line_coverage(
    index: int, size: int, kernel: int, stride: int = 1, padding: int = 0, output_padding: int = 0, dilation: int = 1
) -> LineCoverage:
    """Whether output row (or column) ``index`` of one axis is written, and if not why (see COVERAGE).

    ``size`` is the input's length along the axis; the other arguments are the layer's settings along it.
    ParameterError for settings torch rejects and for an index outside the output.
    """
    settings = _axis_settings(size, kernel, stride, padding, output_padding, dilation)
    size, kernel, stride, padding, output_padding, dilation = settings
    out = settings.output_length(axis=0)
    index = as_int(index, "index", 0)
    check_index_range(("index",), (index,), (out,))
    line = index + padding  # uncropped canvas coordinate
    taps = tuple(
        ((line - dilation * k) // stride, k)
        for k in range(kernel)
        if (line - dilation * k) % stride == 0 and 0 <= (line - dilation * k) // stride < size
    )
    if taps:
        return LineCoverage("written", index, line, tuple(sorted(taps)), None)
    span = dilation * (kernel - 1)  # a stamp covers lines i·s .. i·s + span
    if line > (size - 1) * stride + span:  # past the last stamp's last tap: only output padding reaches here
        return LineCoverage("output_padding", index, line, (), None)
    source = min(line // stride, size - 1)  # the last stamp that starts at or before this line
    kind = "dilation_gap" if line <= source * stride + span else "stride_gap"
    return LineCoverage(kind, index, line, (), source)


@dataclass(frozen=True, eq=False)
class ConvTransposeTrace(KernelLayer):
    """A transposed convolution with its scatter view and its equivalent ordinary convolution.

    ``weight`` is (C_in, C_out/groups, kH, kW), as nn.ConvTranspose2d stores it.
    """

    padding: tuple[int, int]
    output_padding: tuple[int, int]
    canvas: torch.Tensor  # (C_out, H_out + 2p_h, W_out + 2p_w): every value × kernel summed, uncropped, no bias
    output: torch.Tensor  # (C_out, H_out, W_out)
    zero_inserted: torch.Tensor  # (C_in, (H - 1) * s_h + 1, (W - 1) * s_w + 1)
    equivalent_padding: tuple[int, int, int, int]  # (top, bottom, left, right); negative crops
    equivalent_weight: torch.Tensor  # (C_out, C_in/groups, kH, kW), flipped
    equivalent: ConvTrace  # stride 1 over the padded zero-inserted input; .output == output

    @property
    def out_channels(self) -> int:
        return self.weight.shape[1] * self.groups

    @property
    def positions(self) -> int:
        """Number of input positions (H * W): one scatter step each."""
        return self.input.shape[1] * self.input.shape[2]

    @property
    def mult_adds(self) -> int:
        """Multiplications for one image: every input value times C_out/groups kernels of kH * kW."""
        return self.input.numel() * self.weight[0].numel()

    @property
    def written(self) -> torch.Tensor:
        """(H_canvas, W_canvas) bool: the canvas cells some input value writes to (stride > span leaves gaps)."""
        (h, w), (kh, kw) = self.in_size, self.kernel_size
        (sh, sw), (dh, dw) = self.stride, self.dilation
        mask = torch.zeros(self.canvas.shape[1:], dtype=torch.bool)
        rows = (torch.arange(h)[:, None] * sh + torch.arange(kh)[None, :] * dh).flatten()  # (H * kH,)
        cols = (torch.arange(w)[:, None] * sw + torch.arange(kw)[None, :] * dw).flatten()  # (W * kW,)
        mask[rows[:, None], cols[None, :]] = True
        return mask

    def group_outputs(self, ic: int) -> range:
        """The output channels that input channel ``ic`` writes to."""
        per_group = self.weight.shape[1]
        group = ic // (self.in_channels // self.groups)
        return range(group * per_group, (group + 1) * per_group)

    def group_inputs(self, oc: int) -> range:
        """The input channels that write to output channel ``oc``."""
        per_group = self.in_channels // self.groups
        group = oc // self.weight.shape[1]
        return range(group * per_group, (group + 1) * per_group)

    def position(self, index: int) -> tuple[int, int]:
        """Row-major input position ``index`` as (iy, ix)."""
        return divmod(index, self.input.shape[2])

    def scatter(self, ic: int, iy: int, ix: int) -> Scatter:
        """The value, kernels, contribution and landing rows/columns of input[ic, iy, ix]."""
        check_index_range(("ic", "iy", "ix"), (ic, iy, ix), self.input.shape, "err.tconv_input_range")
        (kh, kw), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
        (ph, pw), (h_out, w_out) = self.padding, self.out_size
        value = float(self.input[ic, iy, ix])
        kernels = self.weight[ic]  # (C_out/groups, kH, kW)
        rows = iy * sh + dh * torch.arange(kh)  # (kH,)
        cols = ix * sw + dw * torch.arange(kw)  # (kW,)
        return Scatter(
            ic=ic,
            iy=iy,
            ix=ix,
            value=value,
            output_channels=tuple(self.group_outputs(ic)),
            kernels=kernels,
            contribution=self.input[ic, iy, ix] * kernels,
            rows=rows,
            cols=cols,
            out_rows=rows - ph,
            out_cols=cols - pw,
            row_inside=(rows >= ph) & (rows < ph + h_out),
            col_inside=(cols >= pw) & (cols < pw + w_out),
        )

    def contributions(self, oc: int, oy: int, ox: int) -> list[Contribution]:
        """Every input value × weight that lands on output[oc, oy, ox]; they sum (plus bias) to it."""
        check_index_range(("oc", "oy", "ox"), (oc, oy, ox), self.output.shape)
        (h, w), (kh, kw) = self.in_size, self.kernel_size
        (sh, sw), (dh, dw), (ph, pw) = self.stride, self.dilation, self.padding
        row, col = oy + ph, ox + pw  # canvas coordinates
        taps_y = [(ky, (row - dh * ky) // sh) for ky in range(kh) if (row - dh * ky) % sh == 0]
        taps_x = [(kx, (col - dw * kx) // sw) for kx in range(kw) if (col - dw * kx) % sw == 0]
        taps_y = [(ky, iy) for ky, iy in taps_y if 0 <= iy < h]
        taps_x = [(kx, ix) for kx, ix in taps_x if 0 <= ix < w]
        j = oc % self.weight.shape[1]  # oc's index inside its group
        terms = []
        for ic in self.group_inputs(oc):
            for ky, iy in taps_y:
                for kx, ix in taps_x:
                    value, weight = float(self.input[ic, iy, ix]), float(self.weight[ic, j, ky, kx])
                    terms.append(Contribution(ic, iy, ix, ky, kx, value, weight, value * weight))
        return terms

    def bias_of(self, oc: int) -> float:
        return 0.0 if self.bias is None else float(self.bias[oc])

    def coverage(self, oy: int, ox: int) -> tuple[LineCoverage, LineCoverage]:
        """Output row ``oy`` and column ``ox``: written, or why not. A cell is written when both are."""
        h_out, w_out = self.out_size
        check_index_range(("oy", "ox"), (oy, ox), (h_out, w_out))
        return tuple(
            line_coverage(
                index,
                self.in_size[axis],
                self.kernel_size[axis],
                self.stride[axis],
                self.padding[axis],
                self.output_padding[axis],
                self.dilation[axis],
            )
            for axis, index in enumerate((oy, ox))
        )


class _Axis(NamedTuple):
    """One axis of a transposed convolution: the input's length and the layer's settings along it."""

    size: int
    kernel: int
    stride: int
    padding: int
    output_padding: int
    dilation: int

    def output_length(self, axis: int) -> int:
        """The output's length; ParameterError (with the numbers, ``axis`` naming the axis) when output_padding or
        the length is wrong."""
        size, kernel, stride, padding, output_padding, dilation = self
        settings = {"axis": AXES[axis], **self._asdict()}  # every message quotes some of them
        if not (output_padding < stride or output_padding < dilation):
            raise ParameterError("err.tconv_output_padding", **settings, largest=max(stride, dilation) - 1)
        written = (size - 1) * stride + dilation * (kernel - 1) + 1  # rows the kernels write to, uncropped
        out = written + output_padding - 2 * padding
        if out < 1:
            raise ParameterError(
                "err.tconv_empty_output",
                **settings,
                out=out,
                cropped=Count(("count.rows", "count.cols")[axis], padding),
                written=written + output_padding,
                largest=(written + output_padding - 1) // 2,
            )
        return out


def conv_transpose_output_size(
    size: int, kernel: int, stride: int = 1, padding: int = 0, output_padding: int = 0, dilation: int = 1
) -> int:
    """(size − 1)·stride − 2·padding + dilation·(kernel − 1) + output_padding + 1, or ParameterError."""
    return _axis_settings(size, kernel, stride, padding, output_padding, dilation).output_length(axis=0)


def _axis_settings(
    size: object, kernel: object, stride: object, padding: object, output_padding: object, dilation: object
) -> _Axis:
    """One axis's input length and layer settings as whole numbers within their lower bounds, or ParameterError."""
    return _Axis(
        as_int(size, "size", 1),
        as_int(kernel, "kernel", 1),
        as_int(stride, "stride", 1),
        as_int(padding, "padding", 0),
        as_int(output_padding, "output_padding", 0),
        as_int(dilation, "dilation", 1),
    )


def trace_conv_transpose2d(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] = 0,
    output_padding: int | tuple[int, int] = 0,
    groups: int = 1,
    dilation: int | tuple[int, int] = 1,
) -> ConvTransposeTrace:
    """Transposed convolution of x [C_in, H, W] with weight [C_in, C_out/groups, kH, kW], as F.conv_transpose2d.

    Raises ParameterError (a ValueError) naming the broken constraint, with
    the caller's numbers, for anything torch would reject, and for an output
    size below 1 (torch raises there too, except that with groups > 1 it
    returns an empty tensor for a zero size).
    """
    x, weight, stride, dilation, groups = layer_settings(
        x, weight, "[C_in, C_out/groups, kH, kW]", stride, dilation, groups
    )
    padding = as_pair(padding, "padding", 0)
    output_padding = as_pair(output_padding, "output_padding", 0)
    c_in, h, w = x.shape
    c_in_w, c_per_group, kh, kw = weight.shape
    if c_in_w != c_in:
        raise ParameterError(
            "err.tconv_weight_in", shape=list(weight.shape), got=c_in_w, channels=Count("count.channels", c_in)
        )
    c_out = c_per_group * groups
    bias = layer_bias(
        bias,
        x.dtype,
        c_out,
        "err.tconv_bias",
        c_out=Count("count.output_channels", c_out),
        per_group=c_per_group,
        groups=Count("count.groups", groups),
    )
    h_out, w_out = (
        _Axis(*settings).output_length(axis)
        for axis, settings in enumerate(zip((h, w), (kh, kw), stride, padding, output_padding, dilation, strict=True))
    )
    canvas = _scatter_canvas(x, weight, stride, output_padding, dilation, groups)
    (ph, pw) = padding
    output = canvas[:, ph : ph + h_out, pw : pw + w_out]  # (C_out, H_out, W_out): padding crops each side
    if bias is not None:
        output = output + bias[:, None, None]
    zero_inserted, pads, equivalent_weight, equivalent = _equivalent_conv(
        x, weight, bias, stride, padding, output_padding, dilation, groups
    )
    return ConvTransposeTrace(
        input=x,
        weight=weight,
        bias=bias,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        dilation=dilation,
        groups=groups,
        canvas=canvas,
        output=output,
        zero_inserted=zero_inserted,
        equivalent_padding=pads,
        equivalent_weight=equivalent_weight,
        equivalent=equivalent,
    )


def _scatter_canvas(
    x: torch.Tensor,
    weight: torch.Tensor,
    stride: tuple[int, int],
    output_padding: tuple[int, int],
    dilation: tuple[int, int],
    groups: int,
) -> torch.Tensor:
    """The scatter view: value × kernel for every input position, summed onto the uncropped canvas by fold (col2im).

    (C_out, H_out + 2p_h, W_out + 2p_w), output_padding included at the bottom/right, no bias.
    """
    c_in, h, w = x.shape
    _, c_per_group, kh, kw = weight.shape
    (sh, sw), (oph, opw), (dh, dw) = stride, output_padding, dilation
    g_x = x.reshape(groups, c_in // groups, h * w)  # (G, C_in/G, H*W)
    g_weight = weight.reshape(groups, c_in // groups, c_per_group, kh, kw)  # (G, C_in/G, C_out/G, kH, kW)
    columns = torch.einsum("gcl,gcoij->goijl", g_x, g_weight)  # (G, C_out/G, kH, kW, H*W)
    columns = columns.reshape(1, c_per_group * groups * kh * kw, h * w)  # (1, C_out*kH*kW, H*W)
    written = ((h - 1) * sh + dh * (kh - 1) + 1, (w - 1) * sw + dw * (kw - 1) + 1)
    canvas = F.fold(columns, written, (kh, kw), dilation=dilation, stride=stride)[0]  # (C_out, *written)
    return F.pad(canvas, (0, opw, 0, oph))  # (C_out, H_out + 2p_h, W_out + 2p_w): output_padding bottom/right


def _equivalent_conv(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None,
    stride: tuple[int, int],
    padding: tuple[int, int],
    output_padding: tuple[int, int],
    dilation: tuple[int, int],
    groups: int,
) -> tuple[torch.Tensor, tuple[int, int, int, int], torch.Tensor, ConvTrace]:
    """The equivalent view: a stride 1 convolution of the padded zero-inserted input with the flipped kernel.

    Returns the zero-inserted input, its padding (top, bottom, left, right; negative crops), the flipped weight and
    the convolution's trace.
    """
    c_in, h, w = x.shape
    _, c_per_group, kh, kw = weight.shape
    (sh, sw), (ph, pw), (oph, opw), (dh, dw) = stride, padding, output_padding, dilation
    zero_inserted = x.new_zeros(c_in, (h - 1) * sh + 1, (w - 1) * sw + 1)
    zero_inserted[:, ::sh, ::sw] = x  # (C_in, (H-1)*s_h + 1, (W-1)*s_w + 1)
    eh, ew = dh * (kh - 1) - ph, dw * (kw - 1) - pw
    pads = (eh, eh + oph, ew, ew + opw)  # (top, bottom, left, right), negative = crop
    top, bottom, left, right = pads
    cropped = F.pad(zero_inserted, (min(left, 0), min(right, 0), min(top, 0), min(bottom, 0)))
    kept = (max(top, 0), max(bottom, 0), max(left, 0), max(right, 0))
    padded = F.pad(cropped, (kept[2], kept[3], kept[0], kept[1]))  # (C_in, H_out + d(kH-1), W_out + d(kW-1))
    equivalent_weight = (
        weight.reshape(groups, c_in // groups, c_per_group, kh, kw)  # (G, C_in/G, C_out/G, kH, kW)
        .transpose(1, 2)  # (G, C_out/G, C_in/G, kH, kW)
        .reshape(c_per_group * groups, c_in // groups, kh, kw)  # (C_out, C_in/G, kH, kW)
        .flip(-2, -1)
        .contiguous()
    )
    equivalent = trace_conv2d(padded, equivalent_weight, bias, stride=1, padding=0, dilation=dilation, groups=groups)
    # Same convolution, described as (cropped zero-inserted input) + padding, so an animation tints the padding.
    equivalent = dataclasses.replace(equivalent, input=cropped, pads=kept, padding=kept)
    return zero_inserted, pads, equivalent_weight, equivalent


def partial_canvases(trace: ConvTransposeTrace) -> torch.Tensor:
    """(positions, C_out, H_canvas, W_canvas): the uncropped canvas after input positions 0..i have written.

    The scatter view's running sums (the live animator computes the same in the browser; this is its reference
    and gives its colour range). No bias. Each input position alone goes through ``F.conv_transpose2d`` with no
    padding (so nothing is cropped), then a cumulative sum over the positions adds them up in row-major order.
    """
    (h, w), positions = trace.in_size, trace.positions
    alone = torch.eye(positions, dtype=torch.float64).reshape(positions, 1, h, w)  # (P, 1, H, W): one position each
    alone = alone * trace.input.double()  # (P, C_in, H, W)
    stamps = F.conv_transpose2d(
        alone,
        trace.weight.double(),
        stride=trace.stride,
        output_padding=trace.output_padding,
        groups=trace.groups,
        dilation=trace.dilation,
    )  # (P, C_out, H_canvas, W_canvas): what each position writes
    return stamps.cumsum(0)


# ---------------------------------------------------------------- classroom examples


@dataclass(frozen=True)
class TransposedExample:
    """A textbook example; its label is the catalogue entry ``tconv.example.<key>``."""

    key: str
    grid: tuple  # nested (C_in, H, W) input values
    weight: tuple  # nested (C_in, C_out, kH, kW) kernel
    stride: int = 1  # the settings of the original example
    padding: int = 0


EXAMPLES = {
    # Dive into Deep Learning §14.10: X = [[0, 1], [2, 3]], K = [[0, 1], [2, 3]] -> [[0, 0, 1], [0, 4, 6], [4, 12, 9]].
    "d2l_2x2": TransposedExample(key="d2l_2x2", grid=(((0, 1), (2, 3)),), weight=((((0, 1), (2, 3)),),)),
    # Dumoulin & Visin (2016), figure 4.5: a 2x2 input, 3x3 kernel, stride 2 -> 5x5 (the transpose of
    # convolving a 5x5 input with a 3x3 kernel and stride 2). Small integers so every sum can be checked.
    "dumoulin_stride2": TransposedExample(
        key="dumoulin_stride2",
        grid=(((1, 2), (3, 4)),),
        weight=((((1, 0, 1), (0, 1, 0), (1, 0, 1)),),),
        stride=2,
    ),
}

PRESETS = ("example", "ones", "identity", "bilinear", "random_int")  # labels: catalogue ``tconv.preset.<key>``


def _bilinear(size: int) -> torch.Tensor:
    """The bilinear upsampling kernel [k, k] (FCN's initialisation): with k = 2s, p = s/2 it upsamples s times."""
    factor = (size + 1) // 2
    centre = factor - 1 if size % 2 else factor - 0.5
    ramp = 1 - (torch.arange(size) - centre).abs() / factor  # (k,)
    return torch.outer(ramp, ramp)


def layer_weight(
    preset: str, in_channels: int, out_channels: int, groups: int, kernel: int, seed: int = 0, example: str = ""
) -> torch.Tensor:
    """A weight [C_in, C_out/groups, k, k] from a preset (``example``: that example's kernel, if it fits).

    ParameterError when groups do not divide the input or output channels.
    """
    groups = as_int(groups, "groups", 1)
    check_groups_divide(in_channels, groups)
    if out_channels % groups:
        raise ParameterError(
            "err.tconv_groups_out", groups=groups, channels=Count("count.output_channels", out_channels)
        )
    shape = (in_channels, out_channels // groups, kernel, kernel)
    if preset == "example" and example in EXAMPLES:
        weight = torch.tensor(EXAMPLES[example].weight, dtype=torch.float32)
        if tuple(weight.shape) == shape:
            return weight
        preset = "ones"
    if preset == "random_int":
        generator = torch.Generator().manual_seed(seed)
        return torch.randint(-1, 3, shape, generator=generator).float()
    if preset == "identity":
        weight = torch.zeros(shape)
        weight[:, :, (kernel - 1) // 2, (kernel - 1) // 2] = 1.0
        return weight
    if preset == "bilinear":
        return _bilinear(kernel).expand(shape).clone()
    return torch.ones(shape)
