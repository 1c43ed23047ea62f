"""The sliding-window animation (convolution and pooling) as a Plotly figure, built as plain dicts.

One frame per window position. The heatmaps (padded input channels, output
channels) are drawn once; a frame carries only ``layout.shapes``: the window
on each input channel, the cursor on each output channel and a cover over the
output cells not computed yet. Played with ``redraw: False`` the heatmaps stay
and only the shapes move, so the browser plays it with no server round trip
and each frame is a few hundred bytes. Shape styles live once in
``layout.template`` and frames refer to them by ``templateitemname``.

The same animator draws pooling (a ``PoolTrace``): output channel c reads
input channel c only, and max pooling's frames also mark each window's
winning cell. Max pooling pads with −∞; those cells are drawn empty.
"""

from __future__ import annotations

import math

import torch

from vizconv import style
from vizconv.conv import ConvTrace
from vizconv.pool import PoolTrace
from vizconv.strings import text

__all__ = ["click_targets", "conv_animation", "frame_shapes", "output_curves"]

_GAP = 0.03  # space between subplots, as a fraction of the figure
_CONTROLS_PX = 100  # room below the heatmaps for the slider and the buttons
_TITLE_PX = 36


def _num(value: float) -> str:
    return f"{value:g}"


def _rect(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"M{_num(x0)},{_num(y0)}H{_num(x1)}V{_num(y1)}H{_num(x0)}Z"


def _axis_names(index: int) -> tuple[str, str]:
    suffix = "" if index == 0 else str(index + 1)
    return "x" + suffix, "y" + suffix


def _rounded(values: torch.Tensor) -> list:
    """A 2-D tensor as nested lists with at most 4 decimals (the JSON stays small); ±inf as None (empty cell)."""
    rounded = torch.round(values.double() * 10_000).div(10_000)
    if bool(torch.isfinite(rounded).all()):
        return rounded.tolist()
    return [[v if abs(v) != float("inf") else None for v in row] for row in rounded.tolist()]


def _finite(values: torch.Tensor) -> torch.Tensor:
    return values[torch.isfinite(values)]


def _is_integral(values: torch.Tensor) -> bool:
    values = _finite(values)
    return bool(torch.all(values == torch.round(values)))


def _value_format(*tensors: torch.Tensor) -> str:
    return ".0f" if all(_is_integral(t) for t in tensors) else ".2f"


def frame_shapes(trace: ConvTrace | PoolTrace, index: int) -> list[dict]:
    """The shapes of frame ``index``: windows on the inputs (and max pooling's winners), cursors and covers."""
    c_in, c_out = trace.in_channels, trace.out_channels
    h_out, w_out = trace.out_size
    oy, ox = trace.position(index)
    (kh, kw), (sh, sw), (dh, dw) = trace.kernel_size, trace.stride, trace.dilation
    top, left = oy * sh - 0.5, ox * sw - 0.5
    if (dh, dw) == (1, 1):
        window = _rect(left, top, left + kw, top + kh)
    else:  # draw every tap, so the dilation's gaps show
        window = "".join(
            _rect(left + j * dw, top + i * dh, left + j * dw + 1, top + i * dh + 1)
            for i in range(kh)
            for j in range(kw)
        )
    cursor = _rect(ox - 0.5, oy - 0.5, ox + 0.5, oy + 0.5)
    last = index == h_out * w_out - 1
    # Cells after (oy, ox) in row-major order: the rest of row oy, then every row below.
    cover = (
        f"M{_num(ox + 0.5)},{_num(oy - 0.5)}H{_num(w_out - 0.5)}V{_num(h_out - 0.5)}"
        f"H-0.5V{_num(oy + 0.5)}H{_num(ox + 0.5)}Z"
    )
    shapes = []
    max_pooling = isinstance(trace, PoolTrace) and trace.kind == "max"
    for ic in range(c_in):
        xr, yr = _axis_names(ic)
        shapes.append({"xref": xr, "yref": yr, "path": window, "templateitemname": "window"})
        if max_pooling:
            wy, wx = trace.winner_cell(ic, oy, ox)
            winner = _rect(wx - 0.5, wy - 0.5, wx + 0.5, wy + 0.5)
            shapes.append({"xref": xr, "yref": yr, "path": winner, "templateitemname": "winner"})
    for oc in range(c_out):
        xr, yr = _axis_names(c_in + oc)
        if not last:
            shapes.append({"xref": xr, "yref": yr, "path": cover, "templateitemname": "cover"})
        shapes.append({"xref": xr, "yref": yr, "path": cursor, "templateitemname": "cursor"})
    return shapes


def _grid(c_in: int, c_out: int) -> tuple[int, int, int]:
    columns = max(c_in, min(c_out, 4))
    return columns, math.ceil(c_in / columns), math.ceil(c_out / columns)


def _heatmap(z: list, axis: int, coloraxis: str, hover: str | None, fmt: str | None) -> dict:
    xr, yr = _axis_names(axis)
    trace = {
        "type": "heatmap",
        "z": z,
        "xaxis": xr,
        "yaxis": yr,
        "coloraxis": coloraxis,
        "hovertemplate": hover or "",
        "xgap": 1,
        "ygap": 1,
    }
    if hover is None:
        trace["hoverinfo"] = "skip"
    if fmt:
        trace["texttemplate"] = "%{z:" + fmt + "}"
    return trace


def click_targets(values: list, axis: int, oc: int, hover: str) -> dict:
    """Invisible markers on every output cell: heatmaps cannot be selected, scatter points can.

    A click selects the nearest marker; Streamlit's on_select then reports it.
    """
    xr, yr = _axis_names(axis)
    cells = [(y, x) for y in range(len(values)) for x in range(len(values[0]))]
    invisible = {"marker": {"opacity": 0}}
    return {
        "type": "scatter",
        "mode": "markers",
        "x": [x for _, x in cells],
        "y": [y for y, _ in cells],
        "customdata": [values[y][x] for y, x in cells],
        "xaxis": xr,
        "yaxis": yr,
        "marker": {"size": 12, "symbol": "square", "opacity": 0},
        "selected": invisible,
        "unselected": invisible,
        "hovertemplate": hover,
        "meta": {"output_channel": oc},
        "showlegend": False,
    }


def _input_overlays(trace: ConvTrace | PoolTrace, ic: int, axis: int) -> list[dict]:
    """Static traces on input channel ``ic``: padding tint, original outline, unreached cells."""
    xr, yr = _axis_names(axis)
    hp, wp = trace.padded.shape[1:]
    top, bottom, left, right = trace.pads
    overlays = []
    if any(trace.pads):
        mask = torch.ones(hp, wp, dtype=torch.bool)
        mask[top : hp - bottom, left : wp - right] = False
        z = [[1 if m else None for m in row] for row in mask.tolist()]
        overlays.append(
            {
                "type": "heatmap",
                "z": z,
                "xaxis": xr,
                "yaxis": yr,
                "colorscale": [[0, style.PADDING_TINT], [1, style.PADDING_TINT]],
                "showscale": False,
                "hoverinfo": "skip",
                "xgap": 1,
                "ygap": 1,
            }
        )
        x0, x1 = left - 0.5, wp - right - 0.5
        y0, y1 = top - 0.5, hp - bottom - 0.5
        overlays.append(
            {
                "type": "scatter",
                "x": [x0, x1, x1, x0, x0],
                "y": [y0, y0, y1, y1, y0],
                "xaxis": xr,
                "yaxis": yr,
                "mode": "lines",
                "line": {"color": style.BOUNDARY_COLOUR, "width": 2, "dash": "dot"},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    reach_h, reach_w = trace.reached
    cells = [(y, x) for y in range(hp) for x in range(wp) if y >= reach_h or x >= reach_w]
    if cells:
        overlays.append(
            {
                "type": "scatter",
                "x": [x for _, x in cells],
                "y": [y for y, _ in cells],
                "xaxis": xr,
                "yaxis": yr,
                "mode": "markers",
                "marker": {
                    "symbol": "x-thin-open",
                    "size": max(4, 140 // max(hp, wp)),
                    "color": style.UNREACHED_COLOUR,
                },
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    return overlays


def conv_animation(
    trace: ConvTrace | PoolTrace,
    position: int = 0,
    frame_ms: int = style.FRAME_MS,
    lang: str = "en",
    show_values: bool | None = None,
) -> dict:
    """A Plotly figure dict that animates a convolution or a pooling ``trace``.

    One frame per output position, starting at ``position``.
    """
    c_in, c_out = trace.in_channels, trace.out_channels
    hp, wp = trace.padded.shape[1:]
    h_out, w_out = trace.out_size
    positions = trace.positions
    position = min(max(int(position), 0), positions - 1)
    columns, rows_in, rows_out = _grid(c_in, c_out)
    rows = rows_in + rows_out
    height = rows * (style.SUBPLOT_PX + _TITLE_PX) + _CONTROLS_PX
    controls = _CONTROLS_PX / height
    row_h = (1 - controls) / rows

    if show_values is None:
        show_values = max(hp, wp) <= style.MAX_TEXT_CELLS
    fmt_in = _value_format(trace.padded) if show_values else None
    fmt_out = _value_format(trace.output) if show_values and max(h_out, w_out) <= style.MAX_TEXT_CELLS else None

    layout: dict = {
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "showlegend": False,
        "plot_bgcolor": "#e6e6e6",  # cell gaps: white (zero) cells stay visible
        "paper_bgcolor": "white",
        "hovermode": "closest",
        "template": {
            "layout": {
                "shapes": [
                    {
                        "name": "window",
                        "line": {"color": style.WINDOW_COLOUR, "width": style.WINDOW_WIDTH},
                        "layer": "above",
                    },
                    {
                        "name": "cursor",
                        "line": {"color": style.CURSOR_COLOUR, "width": style.CURSOR_WIDTH},
                        "layer": "above",
                    },
                    {"name": "cover", "fillcolor": style.COVER_COLOUR, "line": {"width": 0}, "layer": "above"},
                    {
                        "name": "winner",
                        "line": {"color": style.WINNER_COLOUR, "width": style.WINNER_WIDTH},
                        "fillcolor": style.WINNER_FILL,
                        "layer": "above",
                    },
                ]
            }
        },
        "annotations": [],
    }
    data: list[dict] = []

    def place(index: int, row: int, col: int, height_cells: int, width_cells: int, title: str) -> None:
        xr, yr = _axis_names(index)
        suffix = xr[1:]
        x0 = col / columns + _GAP / 2
        x1 = (col + 1) / columns - _GAP / 2
        y1 = 1 - row * row_h - _TITLE_PX / height
        y0 = 1 - (row + 1) * row_h + _GAP / 2
        small = max(height_cells, width_cells) <= style.MAX_TEXT_CELLS
        tick = {"showgrid": False, "zeroline": False, "showticklabels": small, "ticks": "", "tickfont": {"size": 10}}
        layout["xaxis" + suffix] = {
            **tick,
            "domain": [x0, x1],
            "range": [-0.5, width_cells - 0.5],
            "anchor": yr,
            "constrain": "domain",
            "fixedrange": True,
        }
        layout["yaxis" + suffix] = {
            **tick,
            "domain": [y0, y1],
            "range": [height_cells - 0.5, -0.5],
            "anchor": xr,
            "scaleanchor": xr,
            "constrain": "domain",
            "fixedrange": True,
        }
        if width_cells <= 10:
            layout["xaxis" + suffix]["dtick"] = 1
        if height_cells <= 10:
            layout["yaxis" + suffix]["dtick"] = 1
        layout["annotations"].append(
            {
                "text": title,
                "xref": xr + " domain",
                "yref": yr + " domain",
                "x": 0.5,
                "y": 1.0,
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 14},
            }
        )

    hover_in = text("anim.hover_input", lang) + "<extra></extra>"
    for ic in range(c_in):
        place(ic, ic // columns, ic % columns, hp, wp, text("anim.input_title", lang, channel=ic))
        data.append(_heatmap(_rounded(trace.padded[ic]), ic, "coloraxis", hover_in, fmt_in))
        data.extend(_input_overlays(trace, ic, ic))
    hover_out = text("anim.hover_output", lang).replace("%{z}", "%{customdata}") + "<extra></extra>"
    for oc in range(c_out):
        index = c_in + oc
        place(index, rows_in + oc // columns, oc % columns, h_out, w_out, text("anim.output_title", lang, channel=oc))
        values = _rounded(trace.output[oc])
        data.append(_heatmap(values, index, "coloraxis2", None, fmt_out))
        data.append(click_targets(values, index, oc, hover_out))

    shown = _finite(trace.padded)
    low_in, high_in = float(shown.min()), float(shown.max())
    if high_in == low_in:
        high_in = low_in + 1
    layout["coloraxis"] = {
        "colorscale": style.INPUT_SCALE,
        "cmin": low_in,
        "cmax": high_in,
        "colorbar": {
            "title": {"text": text("anim.input_scale", lang), "side": "right"},
            "x": 1.0,
            "xanchor": "left",
            "y": 1 - rows_in * row_h / 2,
            "len": rows_in * row_h * 0.9,
            "thickness": 14,
        },
    }
    low_out, high_out = float(trace.output.min()), float(trace.output.max())
    signed = low_out < 0
    if signed:
        bound = max(abs(low_out), abs(high_out)) or 1.0
        low_out, high_out = -bound, bound
    elif high_out == low_out:
        high_out = low_out + 1
    layout["coloraxis2"] = {
        "colorscale": style.DIVERGING_SCALE if signed else style.SEQUENTIAL_SCALE,
        "cmin": low_out if signed else 0.0 if low_out >= 0 else low_out,
        "cmax": high_out,
        "colorbar": {
            "title": {"text": text("anim.output_scale", lang), "side": "right"},
            "x": 1.0,
            "xanchor": "left",
            "y": 1 - (rows_in + rows_out / 2) * row_h,
            "len": rows_out * row_h * 0.9,
            "thickness": 14,
        },
    }
    layout["margin"]["r"] = 90
    layout["shapes"] = frame_shapes(trace, position)

    still = {"mode": "immediate", "frame": {"duration": 0, "redraw": False}, "transition": {"duration": 0}}
    play = {"frame": {"duration": frame_ms, "redraw": False}, "fromcurrent": True, "transition": {"duration": 0}}
    layout["updatemenus"] = [
        {
            "type": "buttons",
            "direction": "left",
            "showactive": False,
            "x": 0.0,
            "xanchor": "left",
            "y": controls,
            "yanchor": "top",
            "pad": {"t": 40, "r": 10},
            "buttons": [
                {"label": text("anim.play", lang), "method": "animate", "args": [None, play]},
                {"label": text("anim.pause", lang), "method": "animate", "args": [[None], still]},
            ],
        }
    ]
    layout["sliders"] = [
        {
            "active": position,
            "x": 0.2,
            "len": 0.8,
            "y": controls,
            "yanchor": "top",
            "pad": {"t": 10},
            "currentvalue": {"prefix": text("anim.position", lang) + " ", "font": {"size": 13, "color": "#333333"}},
            "ticklen": 0,
            "minorticklen": 0,
            "font": {"color": "rgba(0,0,0,0)"},  # one label per position would be unreadable
            "transition": {"duration": 0},
            "steps": [
                {"method": "animate", "label": f"{p // w_out},{p % w_out}", "args": [[str(p)], still]}
                for p in range(positions)
            ],
        }
    ]
    frames = [{"name": str(p), "layout": {"shapes": frame_shapes(trace, p)}} for p in range(positions)]
    return {"data": data, "layout": layout, "frames": frames}


def output_curves(figure: dict) -> dict[int, int]:
    """Trace number -> output channel for the clickable output cells of a ``conv_animation`` figure."""
    return {
        number: trace["meta"]["output_channel"]
        for number, trace in enumerate(figure["data"])
        if isinstance(trace.get("meta"), dict) and "output_channel" in trace["meta"]
    }
