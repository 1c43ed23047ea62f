"""Small Plotly figures as plain dicts: one heatmap with its colour bar, and before/after histograms."""

from __future__ import annotations

import math

import torch

from vizconv import style

__all__ = ["cell_axis", "cell_box", "colour_range", "heatmap_figure", "histogram_figure"]


def colour_range(*maps: torch.Tensor) -> tuple[str | list, float, float]:
    """(colour scale, zmin, zmax) shared by ``maps``: diverging around zero if any value is negative."""
    low = min(float(m.min()) for m in maps)
    high = max(float(m.max()) for m in maps)
    if low < 0:
        bound = max(abs(low), abs(high)) or 1.0
        return style.DIVERGING_SCALE, -bound, bound
    return style.SEQUENTIAL_SCALE, 0.0, high if high > 0 else 1.0


def cell_axis(cells: int, downwards: bool = False) -> dict:
    """A heatmap axis over ``cells`` rows or columns: whole-number ticks (about 8), room for their labels."""
    edges = [cells - 0.5, -0.5] if downwards else [-0.5, cells - 0.5]
    step = max(1, math.ceil(cells / 8))
    return {"range": edges, "tick0": 0, "dtick": step, "automargin": True, "constrain": "domain"}


def cell_box(row: int, col: int, colour: str) -> dict:
    """A Plotly shape: a box around heatmap cell (row, col)."""
    return {
        "type": "rect",
        "x0": col - 0.5,
        "x1": col + 0.5,
        "y0": row - 0.5,
        "y1": row + 0.5,
        "line": {"color": colour, "width": 3},
    }


def heatmap_figure(
    values: torch.Tensor,
    title: str,
    scale: tuple[str | list, float, float] | None = None,
    height: int = 360,
    hover: str = "%{z}<extra></extra>",
    show_values: bool | None = None,
) -> dict:
    """One 2-D map as a heatmap with a colour bar (the legend), rows downwards as in an image."""
    colours, low, high = scale or colour_range(values)
    h, w = values.shape
    z = torch.round(values.double() * 10_000).div(10_000).tolist()
    trace = {
        "type": "heatmap",
        "z": z,
        "colorscale": colours,
        "zmin": low,
        "zmax": high,
        "colorbar": {"thickness": 14},
        "hovertemplate": hover,
        "xgap": 1 if max(h, w) <= 32 else 0,
        "ygap": 1 if max(h, w) <= 32 else 0,
    }
    if show_values if show_values is not None else max(h, w) <= style.MAX_TEXT_CELLS:
        trace["texttemplate"] = "%{z:.2f}"
    return {
        "data": [trace],
        "layout": {
            "title": {"text": title, "font": {"size": 14}},
            "height": height,
            "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
            "plot_bgcolor": "#e6e6e6",
            "xaxis": {**cell_axis(w), "showgrid": False, "zeroline": False},
            "yaxis": {**cell_axis(h, downwards=True), "scaleanchor": "x", "showgrid": False, "zeroline": False},
        },
    }


def histogram_figure(series: list[tuple[str, dict, str]], title: str, x_title: str, y_title: str) -> dict:
    """Overlaid bar histograms: series of (name, vizconv.activations.histogram(...), colour)."""
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
