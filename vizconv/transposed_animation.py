"""The scatter view of a transposed convolution as a Plotly figure, built as plain dicts.

One frame per input position, row-major. Each input value writes value ×
kernel onto the output; the frame outlines the input cell on every input
channel (green, the value being used) and the k×k (dilated) cells it writes
to on every output channel (orange, where the kernel lands), and a grey cover
hides the output cells no input value has reached yet.

The output heatmaps *accumulate*: after frame i each output cell holds the
sum of what input positions 0..i have written there (a partial sum, without
the bias); the last frame holds the finished output, bias included (the bias
is added once per output cell, after every input value has written). So a
frame carries the output heatmaps' ``z`` as well as ``layout.shapes`` and the
animation plays with ``redraw: True``; the input heatmaps stay as drawn, and
the colour range is fixed to cover every frame, so colours do not jump. Where
positions × output cells exceeds ``MAX_FRAME_VALUES`` the frames carry only
shapes (played with ``redraw: False``, as in ``vizconv.animation``) and the
output shows the finished values throughout; ``layout.meta["partial_sums"]``
says which of the two a figure does.

The output channels are drawn as the full *uncropped* canvas, not cropped to
the output: a kernel landing near the border then stays whole, and the
``padding`` rows/columns that the crop removes are tinted (like the padding
of an ordinary convolution), with the output itself outlined by a dotted
line. That shows what padding means here: it takes rows away. Output-padding
rows/columns are the last ones at the bottom/right; cells that no input value
writes to (stride larger than the dilated kernel) are marked ✕, or hatched where
the cells are too small for a ✕ (``vizconv.legibility``).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from vizconv import legibility, style
from vizconv.animation import (
    NO_AREA,
    add_colour_axes,
    add_controls,
    axis_names,
    click_targets,
    figure_layout,
    heatmap,
    legible_grid,
    meta_curves,
    padding_overlays,
    rect,
    rounded,
    value_format,
    window_path,
)
from vizconv.strings import text
from vizconv.transposed import ConvTransposeTrace

__all__ = ["MAX_FRAME_VALUES", "input_curves", "partial_canvases", "scatter_animation", "scatter_frame_shapes"]

MAX_FRAME_VALUES = 40_000  # positions × output canvas cells; above it frames carry shapes only (JSON stays small)
_NEVER = 1 << 30  # "first written at" for canvas cells no input value writes to


def partial_canvases(trace: ConvTransposeTrace) -> torch.Tensor:
    """(positions, C_out, H_canvas, W_canvas): the uncropped canvas after input positions 0..i have written.

    No bias. Each input position alone goes through ``F.conv_transpose2d`` with no padding (so nothing is
    cropped), then a cumulative sum over the positions adds them up in row-major order.
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
                parts.append(rect(start - 0.5, r - 0.5, c - 0.5, r + 0.5))
            else:
                c += 1
    return "".join(parts)


def scatter_frame_shapes(trace: ConvTransposeTrace, index: int, first: torch.Tensor | None = None) -> list[dict]:
    """The shapes of frame ``index``: the input cell on each input channel, where it writes on each output channel.

    Every frame has the same shapes in the same order (Plotly merges a frame's shapes into the figure's item by
    item, and draws a template's named style that no shape refers to at a default place): a cover with nothing
    left to hide is kept, enclosing no area (see ``vizconv.animation.frame_shapes``).
    """
    iy, ix = trace.position(index)
    sh, sw = trace.stride
    region = window_path(ix * sw - 0.5, iy * sh - 0.5, trace.kernel_size, trace.dilation)
    cell = rect(ix - 0.5, iy - 0.5, ix + 0.5, iy + 0.5)
    cover = _cover_path(_first_written(trace) if first is None else first, index)
    shapes = []
    for ic in range(trace.in_channels):
        xr, yr = axis_names(ic)
        shapes.append({"xref": xr, "yref": yr, "path": cell, "templateitemname": "cursor"})
    for oc in range(trace.out_channels):
        xr, yr = axis_names(trace.in_channels + oc)
        shapes.append({"xref": xr, "yref": yr, "path": cover or NO_AREA, "templateitemname": "cover"})
        shapes.append({"xref": xr, "yref": yr, "path": region, "templateitemname": "window"})
    return shapes


def scatter_animation(
    trace: ConvTransposeTrace,
    position: int = 0,
    frame_ms: int = style.FRAME_MS,
    lang: str = "en",
    show_values: bool = True,
) -> dict:
    """A Plotly figure dict of the scatter view: one frame per input position, starting at ``position``.

    The output heatmaps show the partial sums of each frame (the finished output, with the bias, at the last
    one), unless positions × output cells exceeds ``MAX_FRAME_VALUES``: then they show the finished output
    throughout. ``layout.meta["partial_sums"]`` says which. Values are written in the cells where they are
    legible (``show_values`` False: nowhere); ``layout.meta`` says where ("values": inputs, canvases) and how the
    canvas cells no input value writes to are marked ("unread": "cross", "hatch", or None when there are none).
    """
    c_in, c_out = trace.in_channels, trace.out_channels
    h, w = trace.in_size
    hc, wc = trace.canvas.shape[1:]
    (ph, pw), (h_out, w_out) = trace.padding, trace.out_size
    positions = trace.positions
    position = min(max(int(position), 0), positions - 1)
    # what the canvas holds in the end, before the crop: every contribution plus the bias
    final = trace.canvas if trace.bias is None else trace.canvas + trace.bias[:, None, None]  # (C_out, Hc, Wc)
    partial_sums = positions * final.numel() <= MAX_FRAME_VALUES
    if partial_sums:
        sums = partial_canvases(trace)  # (P, C_out, Hc, Wc)
        sums[-1] = final  # the last frame: the finished canvas, bias included
    else:
        sums = final[None]  # (1, C_out, Hc, Wc): the finished canvas in every frame
    shown = sums[position] if partial_sums else final  # (C_out, Hc, Wc)

    fmt_in, fmt_out = value_format(trace.input), value_format(sums)
    chars = (
        [legibility.text_chars(trace.input, fmt_in), legibility.text_chars(sums, fmt_out)] if show_values else [0, 0]
    )
    grid, (values_in, values_out) = legible_grid(c_in, c_out, [((h, w), chars[0]), ((hc, wc), chars[1])])
    cell_out = grid.cell_px((hc, wc))
    first = _first_written(trace)
    never = first == _NEVER

    layout = figure_layout(grid, ("window", "cursor", "cover"))
    layout["meta"] = {
        "partial_sums": partial_sums,
        "values": [values_in, values_out],
        "unread": legibility.unread_mark(cell_out) if bool(never.any()) else None,
    }
    data: list[dict] = []
    hover_in = text("tconv.anim.hover_input", lang) + "<extra></extra>"
    for ic in range(c_in):
        index = grid.place(layout, ic, False, (h, w), text("tconv.anim.input_title", lang, channel=ic))
        values = rounded(trace.input[ic])
        data.append(heatmap(values, index, "coloraxis", None, fmt_in if values_in else None))
        target = click_targets(values, index, ic, hover_in)
        target["meta"] = {"input_channel": ic}  # a click picks this input cell for the step panel
        data.append(target)
    hover_out = text("tconv.anim.hover_canvas", lang) + "<extra></extra>"
    margins = (ph, hc - ph - h_out, pw, wc - pw - w_out)  # (top, bottom, left, right) that the crop removes
    canvases = []  # the output heatmaps' trace numbers: the traces that frames change
    for oc in range(c_out):
        index = grid.place(
            layout,
            oc,
            True,
            (hc, wc),
            text("anim.output_title", lang, channel=oc),
            text("tconv.anim.uncropped_note", lang),
        )
        canvases.append(len(data))
        data.append(heatmap(rounded(shown[oc]), index, "coloraxis2", hover_out, fmt_out if values_out else None))
        data.extend(padding_overlays(index, margins, never, cell_out))

    inputs = float(trace.input.min()), float(trace.input.max())
    add_colour_axes(layout, grid, inputs, (float(sums.min()), float(sums.max())), lang)
    layout["shapes"] = scatter_frame_shapes(trace, position, first)
    labels = [f"{p // w},{p % w}" for p in range(positions)]
    prefix = text("tconv.anim.position", lang)
    add_controls(layout, grid, labels, position, prefix, frame_ms, lang, redraw=partial_sums)
    frames = []
    for p in range(positions):
        frame: dict = {"name": str(p), "layout": {"shapes": scatter_frame_shapes(trace, p, first)}}
        if partial_sums:
            # "type" repeated: Plotly's validation would read a frame trace without one as a scatter
            frame["data"] = [{"type": "heatmap", "z": rounded(sums[p, oc])} for oc in range(c_out)]
            frame["traces"] = canvases
        frames.append(frame)
    return {"data": data, "layout": layout, "frames": frames}


def input_curves(figure: dict) -> dict[int, int]:
    """Trace number -> input channel for the clickable input cells of a ``scatter_animation`` figure."""
    return meta_curves(figure, "input_channel")
