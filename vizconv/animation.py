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
from dataclasses import dataclass

import torch

from vizconv import legibility, style
from vizconv.conv import ConvTrace
from vizconv.pool import PoolTrace
from vizconv.strings import text

__all__ = [
    "NO_AREA",
    "SubplotGrid",
    "add_colour_axes",
    "add_controls",
    "axis_names",
    "click_targets",
    "conv_animation",
    "figure_layout",
    "frame_shapes",
    "heatmap",
    "legible_grid",
    "meta_curves",
    "is_integral",
    "output_curves",
    "padding_overlays",
    "rect",
    "rounded",
    "unread_mark",
    "value_format",
    "window_path",
]

_GAP = 0.03  # space between subplots, as a fraction of the figure
_CONTROLS_PX = 130  # room below the heatmaps for the slider and, under it, the buttons
_BUTTONS_PX = 78  # from the top of the controls down to the Play / Pause buttons (below the slider)
_TITLE_PX = 36
_MARGINS = {"l": 10, "r": 90, "t": 10, "b": 10}  # r: room for the colour bars
_MOST_ROWS = 4  # rows of subplots at most where fewer a row would make written values legible (legible_grid)
_SHAPE_STYLES = {  # layout.template shapes that frames name in ``templateitemname``
    "window": {"line": {"color": style.WINDOW_COLOUR, "width": style.WINDOW_WIDTH}, "layer": "above"},
    "cursor": {"line": {"color": style.CURSOR_COLOUR, "width": style.CURSOR_WIDTH}, "layer": "above"},
    "cover": {"fillcolor": style.COVER_COLOUR, "line": {"width": 0}, "layer": "above"},
    "winner": {
        "line": {"color": style.WINNER_COLOUR, "width": style.WINNER_WIDTH},
        "fillcolor": style.WINNER_FILL,
        "layer": "above",
    },
}


def _num(value: float) -> str:
    return f"{value:g}"


# A shape path that draws nothing: what a cover hides once every output is computed.
NO_AREA = "M-0.5,-0.5Z"


def rect(x0: float, y0: float, x1: float, y1: float) -> str:
    """An SVG path of the rectangle (x0, y0)-(x1, y1), numbers written short."""
    return f"M{_num(x0)},{_num(y0)}H{_num(x1)}V{_num(y1)}H{_num(x0)}Z"


def window_path(left: float, top: float, kernel_size: tuple[int, int], dilation: tuple[int, int]) -> str:
    """The kernel's footprint from cell edge (left, top): one rectangle, or every tap when dilated."""
    (kh, kw), (dh, dw) = kernel_size, dilation
    if (dh, dw) == (1, 1):
        return rect(left, top, left + kw, top + kh)
    return "".join(  # every tap, so the dilation's gaps show
        rect(left + j * dw, top + i * dh, left + j * dw + 1, top + i * dh + 1) for i in range(kh) for j in range(kw)
    )


def axis_names(index: int) -> tuple[str, str]:
    """The x and y axis names of subplot ``index`` ("x", "y", then "x2", "y2", ...)."""
    suffix = "" if index == 0 else str(index + 1)
    return "x" + suffix, "y" + suffix


def rounded(values: torch.Tensor) -> list:
    """A 2-D tensor as nested lists with at most 4 decimals (the JSON stays small); ±inf as None (empty cell)."""
    values = torch.round(values.double() * 10_000).div(10_000)
    if bool(torch.isfinite(values).all()):
        return values.tolist()
    return [[v if abs(v) != float("inf") else None for v in row] for row in values.tolist()]


def _finite(values: torch.Tensor) -> torch.Tensor:
    return values[torch.isfinite(values)]


def is_integral(values: torch.Tensor) -> bool:
    """Every finite value is a whole number (NaN and infinities are left out)."""
    values = _finite(values)
    return bool(torch.all(values == torch.round(values)))


def value_format(*tensors: torch.Tensor) -> str:
    """The cell text format: whole numbers if every value is one, else two decimals."""
    return ".0f" if all(is_integral(t) for t in tensors) else ".2f"


def frame_shapes(trace: ConvTrace | PoolTrace, index: int) -> list[dict]:
    """The shapes of frame ``index``: windows on the inputs (and max pooling's winners), cursors and covers."""
    c_in, c_out = trace.in_channels, trace.out_channels
    h_out, w_out = trace.out_size
    oy, ox = trace.position(index)
    sh, sw = trace.stride
    window = window_path(ox * sw - 0.5, oy * sh - 0.5, trace.kernel_size, trace.dilation)
    cursor = rect(ox - 0.5, oy - 0.5, ox + 0.5, oy + 0.5)
    last = index == h_out * w_out - 1
    # Cells after (oy, ox) in row-major order: the rest of row oy, then every row below.
    cover = (
        f"M{_num(ox + 0.5)},{_num(oy - 0.5)}H{_num(w_out - 0.5)}V{_num(h_out - 0.5)}"
        f"H-0.5V{_num(oy + 0.5)}H{_num(ox + 0.5)}Z"
    )
    shapes = []
    max_pooling = isinstance(trace, PoolTrace) and trace.kind == "max"
    for ic in range(c_in):
        xr, yr = axis_names(ic)
        shapes.append({"xref": xr, "yref": yr, "path": window, "templateitemname": "window"})
        if max_pooling:
            wy, wx = trace.winner_cell(ic, oy, ox)
            winner = rect(wx - 0.5, wy - 0.5, wx + 0.5, wy + 0.5)
            shapes.append({"xref": xr, "yref": yr, "path": winner, "templateitemname": "winner"})
    for oc in range(c_out):
        xr, yr = axis_names(c_in + oc)
        # Every frame has the same shapes in the same order (Plotly leaves stray shapes behind when a frame
        # has fewer): on the last frame the cover is there but encloses no area, every output being computed.
        # Not "visible": False: played with redraw False, Plotly leaves a hidden shape's last drawing in place.
        shapes.append({"xref": xr, "yref": yr, "path": NO_AREA if last else cover, "templateitemname": "cover"})
        shapes.append({"xref": xr, "yref": yr, "path": cursor, "templateitemname": "cursor"})
    return shapes


@dataclass(frozen=True)
class SubplotGrid:
    """Where the subplots go: input channels on the top rows, output channels below, up to ``columns`` a row.

    Subplot ``index`` is input channel ``index`` for ``index < c_in``, else output channel ``index - c_in``;
    below the last row there is room for the Play/Pause buttons and the slider.
    """

    c_in: int
    c_out: int
    most: int = 0  # at most this many subplots a row, so that written values stay legible (0: no such limit)

    @property
    def columns(self) -> int:
        """Every input channel on one row, up to 4 outputs a row; at most ``most`` (``legible_grid``)."""
        columns = max(self.c_in, min(self.c_out, 4))
        return min(columns, self.most) if self.most else columns

    @property
    def rows_in(self) -> int:
        return math.ceil(self.c_in / self.columns)

    @property
    def rows_out(self) -> int:
        return math.ceil(self.c_out / self.columns)

    @property
    def height(self) -> int:
        """The figure's height in pixels."""
        return (self.rows_in + self.rows_out) * (style.SUBPLOT_PX + _TITLE_PX) + _CONTROLS_PX

    @property
    def controls(self) -> float:
        """The top of the controls, as a fraction of the figure's height."""
        return _CONTROLS_PX / self.height

    @property
    def row_h(self) -> float:
        return (1 - self.controls) / (self.rows_in + self.rows_out)

    def cell_px(self, cells: tuple[int, int]) -> float:
        """The side, in screen pixels, of a cell of a subplot of ``cells`` (rows, columns), in a figure as wide as
        the main column of a 1024-px screen (``vizconv.legibility``): the cells are square and fill the subplot's
        width or its height, whichever runs out first (see ``place``)."""
        width = (style.MAIN_COLUMN_PX - _MARGINS["l"] - _MARGINS["r"]) * (1 / self.columns - _GAP)
        height = (self.height - _MARGINS["t"] - _MARGINS["b"]) * (self.row_h - _GAP / 2) - _TITLE_PX
        rows, cols = cells
        return min(width / cols, height / rows)

    def place(
        self, layout: dict, channel: int, output: bool, cells: tuple[int, int], title: str, note: str = ""
    ) -> int:
        """Add the axes and title of a channel's subplot of ``cells`` (rows, columns) to ``layout``; its index.

        ``note`` (such as " (padded)") follows the title, on a line of its own when subplots share a row:
        on a 1024-px screen (three or four a row) or a phone (two a row) their titles would run into each other.
        """
        columns, row_h, height = self.columns, self.row_h, self.height
        index = channel + (self.c_in if output else 0)
        row, col = channel // columns + (self.rows_in if output else 0), channel % columns
        height_cells, width_cells = cells
        xr, yr = axis_names(index)
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
        narrow = columns >= 2
        layout["annotations"].append(
            {
                "text": f"{title}<br>{note.strip()}" if note and narrow else title + note,
                "xref": xr + " domain",
                "yref": yr + " domain",
                "x": 0.5,
                "y": 1.0,
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 13 if columns >= 4 else 14},
            }
        )
        return index


def figure_layout(grid: SubplotGrid, shapes: tuple[str, ...] = tuple(_SHAPE_STYLES)) -> dict:
    """The layout every animation starts from, with the named shape styles in its template."""
    return {
        "height": grid.height,
        "margin": dict(_MARGINS),
        "showlegend": False,
        "plot_bgcolor": "#e6e6e6",  # cell gaps: white (zero) cells stay visible
        "paper_bgcolor": "white",
        "hovermode": "closest",
        "hoverdistance": -1,  # the nearest cell centre, however large the cells (see click_targets)
        "template": {"layout": {"shapes": [{"name": name, **_SHAPE_STYLES[name]} for name in shapes]}},
        "annotations": [],
    }


def heatmap(z: list, axis: int, coloraxis: str, hover: str | None, fmt: str | None) -> dict:
    """A heatmap trace on subplot ``axis``; ``fmt`` writes each value in its cell, ``hover`` None: no hover."""
    xr, yr = axis_names(axis)
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

    A click selects the marker nearest to the pointer (the layout's hoverdistance is unlimited), which is the
    centre of the cell under it; Streamlit's on_select then reports it. The markers are tiny: Plotly counts a
    point under its marker as at distance 0, so markers wider than a small cell overlapped and the last drawn of
    them (the cell below and to the right) won the click.
    """
    xr, yr = axis_names(axis)
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
        "marker": {"size": 1, "symbol": "square", "opacity": 0},
        "selected": invisible,
        "unselected": invisible,
        "hovertemplate": hover,
        "meta": {"output_channel": oc},
        "showlegend": False,
    }


def padding_overlays(
    axis: int, margins: tuple[int, int, int, int], unreached: torch.Tensor, cell_px: float = 2 * style.MIN_CROSS_PX
) -> list[dict]:
    """Static traces on a (H, W) grid: the ``margins`` (top, bottom, left, right) tinted, the inside outlined
    by a dotted line, and the cells where ``unreached`` (H, W) is True marked: a ✕ in each where a cell (``cell_px``
    on screen) is large enough, else a red hatch over them (``legibility.unread_mark``)."""
    xr, yr = axis_names(axis)
    hp, wp = unreached.shape
    top, bottom, left, right = margins
    overlays = []
    if any(margins):
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
    cells = unreached.nonzero().tolist()  # row-major (y, x)
    if cells and legibility.unread_mark(cell_px) == "cross":
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
                    "size": round(min(20, 0.6 * cell_px)),
                    "color": style.UNREACHED_COLOUR,
                },
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    elif cells:  # one filled outline per run of unread cells in a row, hatched
        x, y = [], []
        for r, row in enumerate(unreached.tolist()):
            c = 0
            while c < len(row):
                if row[c]:
                    start = c
                    while c < len(row) and row[c]:
                        c += 1
                    x += [start - 0.5, c - 0.5, c - 0.5, start - 0.5, start - 0.5, None]
                    y += [r - 0.5, r - 0.5, r + 0.5, r + 0.5, r - 0.5, None]
                else:
                    c += 1
        overlays.append(
            {
                "type": "scatter",
                "x": x,
                "y": y,
                "xaxis": xr,
                "yaxis": yr,
                "mode": "none",
                "fill": "toself",
                "fillcolor": style.UNREACHED_HATCH,
                # diagonal lines, not crosses: at any cell size they read as a band, not as one ✕ per cell
                "fillpattern": {"shape": "/", "fgcolor": style.UNREACHED_COLOUR, "size": 5, "solidity": 0.25},
                "hoverinfo": "skip",
                "showlegend": False,
            }
        )
    return overlays


def legible_grid(c_in: int, c_out: int, maps: list[tuple[tuple[int, int], int]]) -> tuple[SubplotGrid, list[bool]]:
    """The subplot grid, and for each of ``maps`` ((rows, columns) of a subplot, characters of its longest written
    value; 0: none written) whether its values are legible in its cells (``vizconv.legibility``).

    As many subplots a row as usual, unless fewer (in rows of equal length) make more of the maps legible: then
    the most that do so, within ``_MOST_ROWS`` rows (a taller figure would not fit a projector twice over: the
    values are left out instead, the hover still shows them). A picture's 28 × 28 cells never hold numbers.
    """

    def fits(grid: SubplotGrid) -> list[bool]:
        return [chars > 0 and legibility.numbers_fit(grid.cell_px(cells), chars) for cells, chars in maps]

    usual = SubplotGrid(c_in, c_out)
    best = (usual, fits(usual))
    n = usual.columns
    for columns in sorted({math.ceil(n / rows) for rows in range(2, n + 1)}, reverse=True):  # 2, 1 for 4
        grid = SubplotGrid(c_in, c_out, columns)
        if grid.rows_in + grid.rows_out > _MOST_ROWS:
            break
        shown = fits(grid)
        if sum(shown) > sum(best[1]):
            best = (grid, shown)
    return best


def _conv_grid(trace: ConvTrace | PoolTrace, show_values: bool = True) -> tuple[SubplotGrid, list[bool]]:
    """``legible_grid`` for the padded inputs and the outputs of ``trace``."""
    maps = []
    for values, cells in ((trace.padded, tuple(trace.padded.shape[1:])), (trace.output, tuple(trace.out_size))):
        maps.append((cells, legibility.text_chars(values, value_format(values)) if show_values else 0))
    return legible_grid(trace.in_channels, trace.out_channels, maps)


def unread_mark(trace: ConvTrace | PoolTrace) -> str | None:
    """How ``conv_animation`` marks the input cells no window reads: "cross", "hatch", or None when there are none
    (a page says so before the figure is drawn)."""
    if not bool(trace.unread.any()):
        return None
    grid, _ = _conv_grid(trace)
    return legibility.unread_mark(grid.cell_px(tuple(trace.padded.shape[1:])))


def _input_overlays(trace: ConvTrace | PoolTrace, axis: int, cell_px: float) -> list[dict]:
    """Static traces on an input channel: padding tint, original outline, cells no window reaches."""
    return padding_overlays(axis, trace.pads, trace.unread, cell_px)


def add_colour_axes(
    layout: dict, grid: SubplotGrid, inputs: tuple[float, float], outputs: tuple[float, float], lang: str
) -> None:
    """The inputs' and the outputs' colour axes, fixed to the (low, high) ranges given, with their colour bars.

    Outputs with negative values get a diverging scale centred on 0, others a sequential one from 0.
    """
    rows_in, rows_out, row_h = grid.rows_in, grid.rows_out, grid.row_h
    low_in, high_in = inputs
    if high_in == low_in:
        high_in = low_in + 1
    layout["coloraxis"] = {
        "colorscale": style.INPUT_SCALE,
        "cmin": low_in,
        "cmax": high_in,
        "colorbar": {
            "title": {"text": text("anim.input_scale", lang), "side": "top"},  # upright in both languages
            "x": 1.0,
            "xanchor": "left",
            "y": 1 - rows_in * row_h / 2,
            "len": rows_in * row_h * 0.9,
            "thickness": 14,
        },
    }
    low_out, high_out = outputs
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
            "title": {"text": text("anim.output_scale", lang), "side": "top"},
            "x": 1.0,
            "xanchor": "left",
            "y": 1 - (rows_in + rows_out / 2) * row_h,
            "len": rows_out * row_h * 0.9,
            "thickness": 14,
        },
    }


def add_controls(
    layout: dict,
    grid: SubplotGrid,
    labels: list[str],
    position: int,
    prefix: str,
    frame_ms: int,
    lang: str,
    redraw: bool = False,
) -> None:
    """Play/Pause buttons and a slider over the frames named "0", "1", ... (one ``labels`` entry each).

    ``redraw``: the frames carry trace data (heatmap values), not only shapes, so Plotly must redraw them.
    """
    still = {"mode": "immediate", "frame": {"duration": 0, "redraw": redraw}, "transition": {"duration": 0}}
    play = {"frame": {"duration": frame_ms, "redraw": redraw}, "fromcurrent": True, "transition": {"duration": 0}}
    layout["updatemenus"] = [
        {
            "type": "buttons",
            "direction": "left",
            "showactive": False,
            "x": 0.0,
            "xanchor": "left",
            # under the slider, not beside it: on a phone the buttons covered the slider's start
            "y": grid.controls - _BUTTONS_PX / grid.height,
            "yanchor": "top",
            "pad": {"t": 0, "r": 10},
            "buttons": [
                {"label": text("anim.play", lang), "method": "animate", "args": [None, play]},
                {"label": text("anim.pause", lang), "method": "animate", "args": [[None], still]},
            ],
        }
    ]
    layout["sliders"] = [
        {
            "active": position,
            "x": 0.0,
            "len": 1.0,
            "y": grid.controls,
            "yanchor": "top",
            "pad": {"t": 10},
            "currentvalue": {"prefix": prefix + " ", "font": {"size": 13, "color": "#333333"}},
            "ticklen": 0,
            "minorticklen": 0,
            "font": {"color": "rgba(0,0,0,0)"},  # one label per position would be unreadable
            "transition": {"duration": 0},
            "steps": [
                {"method": "animate", "label": label, "args": [[str(p)], still]} for p, label in enumerate(labels)
            ],
        }
    ]


def conv_animation(
    trace: ConvTrace | PoolTrace,
    position: int = 0,
    frame_ms: int = style.FRAME_MS,
    lang: str = "en",
    show_values: bool = True,
) -> dict:
    """A Plotly figure dict that animates a convolution or a pooling ``trace``.

    One frame per output position, starting at ``position``. Values are written in the cells where they are
    legible (``show_values`` False: nowhere); ``layout.meta`` says where ("values": inputs, outputs) and how
    unread input cells are marked ("unread": "cross", "hatch", or None when every cell is read).
    """
    c_in, c_out = trace.in_channels, trace.out_channels
    hp, wp = trace.padded.shape[1:]
    h_out, w_out = trace.out_size
    positions = trace.positions
    position = min(max(int(position), 0), positions - 1)

    fmt_in, fmt_out = value_format(trace.padded), value_format(trace.output)
    grid, (values_in, values_out) = _conv_grid(trace, show_values)
    cell_in = grid.cell_px((hp, wp))

    max_pooling = isinstance(trace, PoolTrace) and trace.kind == "max"
    # Only the shape styles this animation uses: Plotly draws an unused template shape at a default place.
    layout = figure_layout(grid, ("window", "cursor", "cover") + (("winner",) if max_pooling else ()))
    layout["meta"] = {
        "values": [values_in, values_out],
        "unread": legibility.unread_mark(cell_in) if bool(trace.unread.any()) else None,
    }
    data: list[dict] = []
    hover_in = text("anim.hover_input", lang) + "<extra></extra>"
    for ic in range(c_in):
        note = text("anim.padded_note", lang) if any(trace.pads) else ""
        index = grid.place(layout, ic, False, (hp, wp), text("anim.input_title", lang, channel=ic), note)
        data.append(heatmap(rounded(trace.padded[ic]), index, "coloraxis", hover_in, fmt_in if values_in else None))
        data.extend(_input_overlays(trace, index, cell_in))
    hover_out = text("anim.hover_output", lang).replace("%{z}", "%{customdata}") + "<extra></extra>"
    for oc in range(c_out):
        index = grid.place(layout, oc, True, (h_out, w_out), text("anim.output_title", lang, channel=oc))
        values = rounded(trace.output[oc])
        data.append(heatmap(values, index, "coloraxis2", None, fmt_out if values_out else None))
        data.append(click_targets(values, index, oc, hover_out))

    shown = _finite(trace.padded)
    inputs = float(shown.min()), float(shown.max())
    add_colour_axes(layout, grid, inputs, (float(trace.output.min()), float(trace.output.max())), lang)
    layout["shapes"] = frame_shapes(trace, position)
    labels = [f"{p // w_out},{p % w_out}" for p in range(positions)]
    add_controls(layout, grid, labels, position, text("anim.position", lang), frame_ms, lang)
    frames = [{"name": str(p), "layout": {"shapes": frame_shapes(trace, p)}} for p in range(positions)]
    return {"data": data, "layout": layout, "frames": frames}


def meta_curves(figure: dict, key: str) -> dict[int, int]:
    """Trace number -> ``meta[key]`` for the traces of ``figure`` whose ``meta`` holds ``key``."""
    return {
        number: trace["meta"][key]
        for number, trace in enumerate(figure["data"])
        if isinstance(trace.get("meta"), dict) and key in trace["meta"]
    }


def output_curves(figure: dict) -> dict[int, int]:
    """Trace number -> output channel for the clickable output cells of a ``conv_animation`` figure."""
    return meta_curves(figure, "output_channel")
