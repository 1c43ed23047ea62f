"""The scatter view of a transposed convolution as a Plotly figure, built as plain dicts.

One frame per input position, row-major. Each input value writes value ×
kernel onto the output; the frame outlines the input cell on every input
channel (green, the value being used) and the k×k (dilated) cells it writes
to on every output channel (orange, where the kernel lands). The heatmaps are
drawn once; frames carry only ``layout.shapes`` and play with
``redraw: False``, as in ``vizconv.animation``.

The output channels are drawn as the full *uncropped* canvas, not cropped to
the output: a kernel landing near the border then stays whole, and the
``padding`` rows/columns that the crop removes are tinted (like the padding
of an ordinary convolution), with the output itself outlined by a dotted
line. That shows what padding means here: it takes rows away. Output-padding
rows/columns are the last ones at the bottom/right; cells that no input value
writes to (stride larger than the dilated kernel) are marked ✕.
"""

from __future__ import annotations

import math

import torch

from vizconv import style
from vizconv.animation import click_targets
from vizconv.strings import text
from vizconv.transposed import ConvTransposeTrace

__all__ = ["input_curves", "scatter_animation", "scatter_frame_shapes"]

_GAP = 0.03  # space between subplots, as a fraction of the figure
_CONTROLS_PX = 100  # room below the heatmaps for the slider and the buttons
_TITLE_PX = 36
_NEVER = 1 << 30  # "first written at" for canvas cells no input value writes to


def _num(value: float) -> str:
    return f"{value:g}"


def _rect(x0: float, y0: float, x1: float, y1: float) -> str:
    return f"M{_num(x0)},{_num(y0)}H{_num(x1)}V{_num(y1)}H{_num(x0)}Z"


def _axis_names(index: int) -> tuple[str, str]:
    suffix = "" if index == 0 else str(index + 1)
    return "x" + suffix, "y" + suffix


def _rounded(values: torch.Tensor) -> list:
    """A 2-D tensor as nested lists with at most 4 decimals (the JSON stays small)."""
    return torch.round(values.double() * 10_000).div(10_000).tolist()


def _value_format(*tensors: torch.Tensor) -> str:
    return ".0f" if all(bool(torch.all(t == torch.round(t))) for t in tensors) else ".2f"


def _first_written(trace: ConvTransposeTrace) -> torch.Tensor:
    """(H_canvas, W_canvas): the row-major input position that first writes each canvas cell (_NEVER if none)."""
    first = torch.full(trace.canvas.shape[1:], _NEVER, dtype=torch.long)
    (kh, kw), (sh, sw), (dh, dw) = trace.kernel_size, trace.stride, trace.dilation
    for index in reversed(range(trace.positions)):  # earlier positions overwrite later ones
        iy, ix = trace.position(index)
        rows = iy * sh + dh * torch.arange(kh)  # (kH,)
        cols = ix * sw + dw * torch.arange(kw)  # (kW,)
        first[rows[:, None], cols[None, :]] = index
    return first


def _cover_path(first: torch.Tensor, index: int) -> str:
    """Row runs of the canvas cells that a later input position will write to (none yet)."""
    waiting = (first > index) & (first < _NEVER)
    parts = []
    for r, row in enumerate(waiting.tolist()):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                parts.append(_rect(start - 0.5, r - 0.5, c - 0.5, r + 0.5))
            else:
                c += 1
    return "".join(parts)


def scatter_frame_shapes(trace: ConvTransposeTrace, index: int, first: torch.Tensor | None = None) -> list[dict]:
    """The shapes of frame ``index``: the input cell on each input channel, where it writes on each output channel."""
    iy, ix = trace.position(index)
    (kh, kw), (sh, sw), (dh, dw) = trace.kernel_size, trace.stride, trace.dilation
    top, left = iy * sh - 0.5, ix * sw - 0.5
    if (dh, dw) == (1, 1):
        region = _rect(left, top, left + kw, top + kh)
    else:  # every tap, so the dilation's gaps show
        region = "".join(
            _rect(left + j * dw, top + i * dh, left + j * dw + 1, top + i * dh + 1)
            for i in range(kh)
            for j in range(kw)
        )
    cell = _rect(ix - 0.5, iy - 0.5, ix + 0.5, iy + 0.5)
    cover = _cover_path(_first_written(trace) if first is None else first, index)
    shapes = []
    for ic in range(trace.in_channels):
        xr, yr = _axis_names(ic)
        shapes.append({"xref": xr, "yref": yr, "path": cell, "templateitemname": "cursor"})
    for oc in range(trace.out_channels):
        xr, yr = _axis_names(trace.in_channels + oc)
        if cover:
            shapes.append({"xref": xr, "yref": yr, "path": cover, "templateitemname": "cover"})
        shapes.append({"xref": xr, "yref": yr, "path": region, "templateitemname": "window"})
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


def _canvas_overlays(trace: ConvTransposeTrace, axis: int, never: torch.Tensor) -> list[dict]:
    """Static traces on an output canvas: cropped rows/columns tinted, the output outlined, unwritten cells."""
    xr, yr = _axis_names(axis)
    hc, wc = trace.canvas.shape[1:]
    (ph, pw), (h_out, w_out) = trace.padding, trace.out_size
    overlays = []
    if ph or pw:
        mask = torch.ones(hc, wc, dtype=torch.bool)
        mask[ph : ph + h_out, pw : pw + w_out] = False
        overlays.append(
            {
                "type": "heatmap",
                "z": [[1 if m else None for m in row] for row in mask.tolist()],
                "xaxis": xr,
                "yaxis": yr,
                "colorscale": [[0, style.PADDING_TINT], [1, style.PADDING_TINT]],
                "showscale": False,
                "hoverinfo": "skip",
                "xgap": 1,
                "ygap": 1,
            }
        )
        x0, x1, y0, y1 = pw - 0.5, pw + w_out - 0.5, ph - 0.5, ph + h_out - 0.5
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
    cells = never.nonzero().tolist()
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
                    "size": max(4, 140 // max(hc, wc)),
                    "color": style.UNREACHED_COLOUR,
                },
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    return overlays


def scatter_animation(
    trace: ConvTransposeTrace,
    position: int = 0,
    frame_ms: int = style.FRAME_MS,
    lang: str = "en",
    show_values: bool | None = None,
) -> dict:
    """A Plotly figure dict of the scatter view: one frame per input position, starting at ``position``."""
    c_in, c_out = trace.in_channels, trace.out_channels
    h, w = trace.in_size
    hc, wc = trace.canvas.shape[1:]
    positions = trace.positions
    position = min(max(int(position), 0), positions - 1)
    columns, rows_in, rows_out = _grid(c_in, c_out)
    rows = rows_in + rows_out
    height = rows * (style.SUBPLOT_PX + _TITLE_PX) + _CONTROLS_PX
    controls = _CONTROLS_PX / height
    row_h = (1 - controls) / rows
    # what the canvas would hold before the crop: every contribution plus the bias
    shown = trace.canvas if trace.bias is None else trace.canvas + trace.bias[:, None, None]  # (C_out, Hc, Wc)

    if show_values is None:
        show_values = max(hc, wc) <= style.MAX_TEXT_CELLS
    fmt_in = _value_format(trace.input) if show_values else None
    fmt_out = _value_format(shown) if show_values else None

    layout: dict = {
        "height": height,
        "margin": {"l": 10, "r": 90, "t": 10, "b": 10},
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
                ]
            }
        },
        "annotations": [],
    }
    data: list[dict] = []

    def place(index: int, row: int, col: int, height_cells: int, width_cells: int, title: str) -> None:
        xr, yr = _axis_names(index)
        suffix = xr[1:]
        x0, x1 = col / columns + _GAP / 2, (col + 1) / columns - _GAP / 2
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
            **({"dtick": 1} if width_cells <= 10 else {}),
        }
        layout["yaxis" + suffix] = {
            **tick,
            "domain": [y0, y1],
            "range": [height_cells - 0.5, -0.5],
            "anchor": xr,
            "scaleanchor": xr,
            "constrain": "domain",
            "fixedrange": True,
            **({"dtick": 1} if height_cells <= 10 else {}),
        }
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

    hover_in = text("tconv.anim.hover_input", lang) + "<extra></extra>"
    for ic in range(c_in):
        place(ic, ic // columns, ic % columns, h, w, text("tconv.anim.input_title", lang, channel=ic))
        values = _rounded(trace.input[ic])
        data.append(_heatmap(values, ic, "coloraxis", None, fmt_in))
        target = click_targets(values, ic, ic, hover_in)
        target["meta"] = {"input_channel": ic}  # a click picks this input cell for the step panel
        data.append(target)
    first = _first_written(trace)
    never = first == _NEVER
    hover_out = text("tconv.anim.hover_canvas", lang) + "<extra></extra>"
    for oc in range(c_out):
        index = c_in + oc
        place(index, rows_in + oc // columns, oc % columns, hc, wc, text("tconv.anim.canvas_title", lang, channel=oc))
        data.append(_heatmap(_rounded(shown[oc]), index, "coloraxis2", hover_out, fmt_out))
        data.extend(_canvas_overlays(trace, index, never))

    low_in, high_in = float(trace.input.min()), float(trace.input.max())
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
    low_out, high_out = float(shown.min()), float(shown.max())
    signed = low_out < 0
    if signed:
        bound = max(abs(low_out), abs(high_out)) or 1.0
        low_out, high_out = -bound, bound
    elif high_out == low_out:
        high_out = low_out + 1
    layout["coloraxis2"] = {
        "colorscale": style.DIVERGING_SCALE if signed else style.SEQUENTIAL_SCALE,
        "cmin": low_out if signed else min(low_out, 0.0),
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
    layout["shapes"] = scatter_frame_shapes(trace, position, first)

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
            "currentvalue": {
                "prefix": text("tconv.anim.position", lang) + " ",
                "font": {"size": 13, "color": "#333333"},
            },
            "ticklen": 0,
            "minorticklen": 0,
            "font": {"color": "rgba(0,0,0,0)"},  # one label per position would be unreadable
            "transition": {"duration": 0},
            "steps": [
                {"method": "animate", "label": f"{p // w},{p % w}", "args": [[str(p)], still]} for p in range(positions)
            ],
        }
    ]
    frames = [{"name": str(p), "layout": {"shapes": scatter_frame_shapes(trace, p, first)}} for p in range(positions)]
    return {"data": data, "layout": layout, "frames": frames}


def input_curves(figure: dict) -> dict[int, int]:
    """Trace number -> input channel for the clickable input cells of a ``scatter_animation`` figure."""
    return {
        number: trace["meta"]["input_channel"]
        for number, trace in enumerate(figure["data"])
        if isinstance(trace.get("meta"), dict) and "input_channel" in trace["meta"]
    }
