"""Small Plotly figures as plain dicts: one heatmap with its colour bar, and before/after histograms."""

from __future__ import annotations

import math

import torch

from vizconv.viz import legibility, style

__all__ = [
    "cell_axis",
    "click_targets",
    "colour_range",
    "heatmap_figure",
    "heatmap_cell_px",
    "histogram_figure",
    "is_integral",
    "scale_for",
    "value_format",
]

# Room a heatmap_figure takes around its cells, in pixels (measured in Chromium at 1024 px: 88 to 95 across).
_AROUND_W = 95  # margins, the y axis's tick labels and the colour bar with its labels
_AROUND_H = 70  # the title, the bottom margin and the x axis's tick labels
# Three or more abreast, the colour bar lies under the map (a bar beside it would take a third of a narrow figure).
_BAR_BELOW_FROM = 3
_AROUND_W_BAR_BELOW = 40  # margins and the y axis's tick labels
_AROUND_H_BAR_BELOW = 120  # ... and under the x axis's tick labels, the colour bar with its labels


def scale_for(low: float, high: float) -> tuple[list, float, float]:
    """(colour scale, zmin, zmax) for values from ``low`` to ``high``: diverging and symmetric around zero if any
    is negative, else sequential from 0 (the rule of every map vizconv draws, Plotly's and the live animator's)."""
    if low < 0:
        bound = max(abs(low), abs(high)) or 1.0
        return style.DIVERGING_SCALE, -bound, bound
    return style.SEQUENTIAL_SCALE, 0.0, high if high > 0 else 1.0


def colour_range(*maps: torch.Tensor) -> tuple[list, float, float]:
    """(colour scale, zmin, zmax) shared by ``maps`` (``scale_for`` their lowest and highest value)."""
    return scale_for(min(float(m.min()) for m in maps), max(float(m.max()) for m in maps))


def is_integral(values: torch.Tensor) -> bool:
    """Every finite value is a whole number (NaN and infinities are left out)."""
    values = values[torch.isfinite(values)]
    return bool(torch.all(values == torch.round(values)))


def value_format(*tensors: torch.Tensor) -> str:
    """The cell text format: whole numbers if every value is one, else two decimals."""
    return ".0f" if all(is_integral(t) for t in tensors) else ".2f"


def click_targets(values: list, oc: int, hover: str) -> dict:
    """Invisible markers on every cell of a one-heatmap figure: heatmaps cannot be selected, scatter points can.

    A click selects the marker nearest to the pointer (the layout's hoverdistance is unlimited), which is the
    centre of the cell under it; Streamlit's on_select then reports it. The markers are tiny: Plotly counts a
    point under its marker as at distance 0, so markers wider than a small cell overlapped and the last drawn of
    them (the cell below and to the right) won the click.
    """
    cells = [(y, x) for y in range(len(values)) for x in range(len(values[0]))]
    invisible = {"marker": {"opacity": 0}}
    return {
        "type": "scatter",
        "mode": "markers",
        "x": [x for _, x in cells],
        "y": [y for y, _ in cells],
        "customdata": [values[y][x] for y, x in cells],
        "xaxis": "x",
        "yaxis": "y",
        "marker": {"size": 1, "symbol": "square", "opacity": 0},
        "selected": invisible,
        "unselected": invisible,
        "hovertemplate": hover,
        "meta": {"output_channel": oc},
        "showlegend": False,
    }


def cell_axis(cells: int, downwards: bool = False) -> dict:
    """A heatmap axis over ``cells`` rows or columns: whole-number ticks (about 8), room for their labels."""
    edges = [cells - 0.5, -0.5] if downwards else [-0.5, cells - 0.5]
    step = max(1, math.ceil(cells / 8))
    return {"range": edges, "tick0": 0, "dtick": step, "automargin": True, "constrain": "domain"}


def heatmap_cell_px(cells: tuple[int, int], height: int = 360, columns: int = 1) -> float:
    """The side, in screen pixels, of a cell of a ``heatmap_figure`` of ``cells`` (rows, columns), ``height`` px
    tall and one of ``columns`` figures side by side, on a 1024-px screen (``vizconv.viz.legibility``)."""
    rows, cols = cells
    below = columns >= _BAR_BELOW_FROM
    around_w, around_h = (_AROUND_W_BAR_BELOW, _AROUND_H_BAR_BELOW) if below else (_AROUND_W, _AROUND_H)
    return min((legibility.column_px(columns) - around_w) / cols, (height - around_h) / rows)


def heatmap_figure(
    values: torch.Tensor,
    title: str,
    scale: tuple[str | list, float, float] | None = None,
    height: int = 360,
    hover: str = "%{z}<extra></extra>",
    show_values: bool = True,
    columns: int = 1,
) -> dict:
    """One 2-D map as a heatmap with a colour bar (the legend; under the map when ``columns`` is 3 or more),
    rows downwards as in an image.

    Each value is written in its cell where it is legible (``vizconv.viz.legibility``; ``show_values`` False: never),
    for a figure that is one of ``columns`` side by side; ``layout.meta["values"]`` says whether it is.
    """
    colours, low, high = scale or colour_range(values)
    h, w = values.shape
    z = torch.round(values.double() * 10_000).div(10_000).tolist()
    trace = {
        "type": "heatmap",
        "z": z,
        "colorscale": colours,
        "zmin": low,
        "zmax": high,
        "colorbar": (
            {"orientation": "h", "thickness": 10, "len": 1, "y": 0, "yref": "container", "yanchor": "bottom"}
            if columns >= _BAR_BELOW_FROM
            else {"thickness": 14}
        ),
        "hovertemplate": hover,
        "xgap": 1 if max(h, w) <= 32 else 0,
        "ygap": 1 if max(h, w) <= 32 else 0,
    }
    fmt = value_format(values)
    written = show_values and legibility.numbers_fit(
        heatmap_cell_px((h, w), height, columns), legibility.text_chars(values, fmt)
    )
    if written:
        trace["texttemplate"] = "%{z:" + fmt + "}"
    return {
        "data": [trace],
        "layout": {
            "meta": {"values": written},
            "title": {"text": title, "font": {"size": 14}},
            "height": height,
            "margin": {"l": 10, "r": 10, "t": 40, "b": 60 if columns >= _BAR_BELOW_FROM else 10},
            "plot_bgcolor": "#e6e6e6",
            "xaxis": {**cell_axis(w), "showgrid": False, "zeroline": False},
            "yaxis": {**cell_axis(h, downwards=True), "scaleanchor": "x", "showgrid": False, "zeroline": False},
        },
    }


def histogram_figure(series: list[tuple[str, dict, str]], title: str, x_title: str, y_title: str) -> dict:
    """Overlaid bar histograms: series of (name, vizconv.ops.activations.histogram(...), colour)."""
    data = [
        {
            "type": "bar",
            "name": name,
            "x": counts["centres"],
            "y": counts["counts"],
            "width": counts["width"],
            "marker": {"color": colour},
            "opacity": 0.6,
        }
        for name, counts, colour in series
    ]
    return {
        "data": data,
        "layout": {
            "title": {"text": title, "font": {"size": 14}},
            "barmode": "overlay",
            "height": 300,
            "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
            "xaxis": {"title": {"text": x_title}, "automargin": True},
            "yaxis": {"title": {"text": y_title}, "automargin": True},
            "legend": {"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
        },
    }
