"""The Convolution page's "one matrix product" view: the layer the page shows, for a small input, as W·X (every
window unrolled as a column of X, im2col) and as the big sparse matrix M with y = M·vec(x), its shared weights
coloured by which weight they are, the output the step panel shows lit up in each (``vizconv.ops.matrix``).

Plain figure dicts and numbers; tests compare them with torch."""

from __future__ import annotations

from dataclasses import dataclass

import plotly.colors
import torch

from vizconv.ops.matrix import (
    ConvMatrixView,
    InverseCheck,
    conv_matrix,
    inverse_check,
    matrix_view,
    transposed_conv_matrix,
)
from vizconv.viz.charts import cell_axis, heatmap_figure

__all__ = [
    "MAX_CHANNELS",
    "MAX_ENTRIES",
    "MAX_SIDE",
    "TransposedMatrices",
    "fits",
    "matrix_difference",
    "matrix_figure",
    "product_figures",
    "transposed_fits",
    "transposed_matrices",
    "values_figure",
    "view_of",
]

MAX_SIDE = 8  # the largest input height and width shown as matrices (M has C_in·H·W columns)
MAX_CHANNELS = 2
MAX_ENTRIES = 128 * 128  # the largest transposed matrix T drawn (rows × columns)
ZERO_GREY = "#f0f0f0"  # a structural zero of M: no weight can stand there
HIGHLIGHT = "#d62728"


def fits(trace) -> bool:
    """Whether the page's layer is small enough to draw as matrices (and zeros-padded: M is a zeros padding's)."""
    c, h, w = trace.input.shape
    return trace.padding_mode == "zeros" and c <= MAX_CHANNELS and h <= MAX_SIDE and w <= MAX_SIDE


def view_of(trace) -> ConvMatrixView:
    """The page's layer (a ConvTrace) as both matrix products."""
    return matrix_view(trace.input, trace.weight, trace.bias, trace.stride, trace.padding, trace.dilation, trace.groups)


def _box(row0: float, row1: float, col0: float, col1: float) -> dict:
    return {
        "type": "rect",
        "x0": col0 - 0.5,
        "x1": col1 + 0.5,
        "y0": row0 - 0.5,
        "y1": row1 + 0.5,
        "line": {"color": HIGHLIGHT, "width": 3},
    }


def product_figures(view: ConvMatrixView, oc: int, oy: int, ox: int, titles: tuple[str, str, str]) -> list[dict]:
    """W (C_out × C_in·kH·kW), X (C_in·kH·kW × H_out·W_out) and W·X (C_out × H_out·W_out, the output, bias
    added): the row of W, the column of X and the value of the output (oc, oy, ox) outlined."""
    lit = view.highlight(oc, oy, ox)
    product = view.output.reshape(view.output.shape[0], -1)
    figures = []
    for values, title, box in (
        (view.weights, titles[0], _box(lit.w_row, lit.w_row, lit.x_rows.start, lit.x_rows.stop - 1)),
        (view.columns, titles[1], _box(lit.x_rows.start, lit.x_rows.stop - 1, lit.column, lit.column)),
        (product, titles[2], _box(oc, oc, lit.column, lit.column)),
    ):
        figure = heatmap_figure(values, title, height=300, columns=3)
        figure["layout"]["shapes"] = [box]
        figures.append(figure)
    return figures


def _weight_colours(count: int) -> list[str]:
    palette = plotly.colors.qualitative.Plotly + plotly.colors.qualitative.Pastel
    return [palette[i % len(palette)] for i in range(count)]


def matrix_figure(view: ConvMatrixView, oc: int, oy: int, ox: int, title: str, hover: str) -> dict:
    """M with each entry coloured by the weight it is (the same colour wherever a weight repeats: shared
    weights), structural zeros grey, the values written where the cells are large enough, the row of output
    (oc, oy, ox) outlined."""
    index = view.index
    rows, cols = index.shape
    weights = view.weight.numel()
    colours = [ZERO_GREY, *_weight_colours(weights)]
    # a discrete colour scale: value i + 1 for weight i, 0 for a structural zero, each its own colour band
    z = (index + 1).float()
    scale = []
    for i, colour in enumerate(colours):
        scale += [[i / len(colours), colour], [(i + 1) / len(colours), colour]]
    text = [
        [("" if i < 0 else f"{float(v):.2g}") for i, v in zip(r, m, strict=True)]
        for r, m in zip(index.tolist(), view.matrix.tolist(), strict=True)
    ]
    row = view.highlight(oc, oy, ox).row
    cell = min(22, max(4, 640 // max(cols, 1)))
    trace = {
        "type": "heatmap",
        "z": z.tolist(),
        "zmin": -0.5,
        "zmax": len(colours) - 0.5,
        "colorscale": scale,
        "showscale": False,
        "xgap": 1,
        "ygap": 1,
        "customdata": view.matrix.tolist(),
        "hovertemplate": hover,
    }
    if cell >= 16:
        trace |= {"text": text, "texttemplate": "%{text}", "textfont": {"size": 9}}
    return {
        "data": [trace],
        "layout": {
            "title": {"text": title, "font": {"size": 14}},
            "height": min(900, 60 + rows * cell),
            "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
            "xaxis": {**cell_axis(cols), "showgrid": False, "zeroline": False},
            "yaxis": {**cell_axis(rows, downwards=True), "showgrid": False, "zeroline": False},
            "shapes": [_box(row, row, 0, cols - 1)],
            "plot_bgcolor": "white",
        },
    }


def matrix_difference(view: ConvMatrixView, output: torch.Tensor) -> tuple[float, float]:
    """(largest |M·vec(x) + b − output|, the output's largest magnitude) against the page's own output (which the
    page checks with torch): torch_verdict's numbers."""
    return float((view.via_matrix - output).abs().max()), float(output.abs().max())


@dataclass(frozen=True, eq=False)
class TransposedMatrices:
    """A transposed convolution as a matrix: T with vec(out) = T·vec(y); M, the ordinary convolution with the same
    weight, stride, padding and dilation from the output's shape back to the input's (T = Mᵀ, past rows that
    output padding adds left out); and how far Mᵀ is from undoing M (M·Mᵀ against the identity)."""

    transposed: torch.Tensor  # T (C_out·H_out·W_out, C_in·H·W)
    forward: torch.Tensor  # M (C_in·H'·W', C_out·H_out·W_out), H' ≥ H
    via_matrix: torch.Tensor  # T·vec(y), reshaped (C_out, H_out, W_out), no bias
    inverse: InverseCheck  # of M

    @property
    def is_m_transposed(self) -> bool:
        """Whether T equals Mᵀ (its first rows: output padding may make M a few rows longer)."""
        rows = self.transposed.shape[1]
        return bool(torch.allclose(self.forward[:rows].T, self.transposed))


def transposed_fits(trace) -> bool:
    """Whether the Transposed page's layer is small enough to draw as matrices."""
    return trace.output.numel() * trace.input.numel() <= MAX_ENTRIES


def transposed_matrices(trace) -> TransposedMatrices:
    """The Transposed page's layer (a ConvTransposeTrace) as T, M and M·Mᵀ."""
    y, weight = trace.input, trace.weight
    transposed = transposed_conv_matrix(
        tuple(y.shape), weight, trace.stride, trace.padding, trace.output_padding, trace.groups, trace.dilation
    )
    forward = conv_matrix(tuple(trace.output.shape), weight, trace.stride, trace.padding, trace.dilation, trace.groups)
    via = (transposed @ y.flatten()).reshape(trace.output.shape)
    return TransposedMatrices(transposed, forward, via, inverse_check(forward))


def values_figure(values: torch.Tensor, title: str, hover: str) -> dict:
    """A matrix as a heatmap of its values (diverging around 0), zeros left pale, numbers where legible."""
    figure = heatmap_figure(values, title, height=min(900, 80 + values.shape[0] * 16))
    figure["data"][0]["hovertemplate"] = hover
    return figure
