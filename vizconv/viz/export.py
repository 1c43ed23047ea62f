"""Downloads for the user's own settings: the convolution animation as a GIF, the step panel as CSV.

``animation_gif`` draws with Pillow (no Plotly, no browser): the padded input
channels on top, the output channels below, one frame for every window
position, in the page's colour scales. Frames are written as they are drawn:
after the first, each holds only the box around what changed (unchanged pixels
in it transparent), so the file stays small and no frame is kept in memory;
with many frames the cells shrink (``MAX_PIXELS``). ``step_csv`` writes the numbers of the step panel.
The feature-map grid is already a PNG (``feature_maps.channel_grid``).
"""

from __future__ import annotations

import csv
import functools
import io
import math
import re
from dataclasses import dataclass

import numpy as np
from PIL import GifImagePlugin, Image, ImageDraw, ImageFont

from vizconv.i18n.strings import text
from vizconv.ops.conv import ConvStep, ConvTrace
from vizconv.viz import style
from vizconv.viz.charts import scale_for
from vizconv.viz.steps import exact_number

__all__ = ["MAX_FRAMES", "MAX_PIXELS", "animation_gif", "file_name", "gif_positions", "step_csv"]

# At most 76 × 76 frames (every position of a 64-pixel input padded by 6 under a 1×1 kernel); more positions (the
# page's 128-pixel pictures, up to 140 × 140) are spread evenly, first and last kept: all 19,600 frames took 78 s
# and 35 MB on the 2-core machine (8 kernels), against about 12 s for 76 × 76 of them.
MAX_FRAMES = 76 * 76
TILE_PX = 280  # the padded input is drawn about this many pixels on its longer side (readable on a projector)
# Pixels × frames at most, before the cells shrink (to 2 px at the least): bounds the time to draw and the file size
# (the default 28 × 28 digit's 676 frames take about 0.3 G; 76 × 76 positions of a 64-pixel picture about 1 G).
MAX_PIXELS = 1_500_000_000
LAST_FRAME_MS = 1500  # the finished output stays on screen before the GIF loops
_LEVELS = 100  # palette entries per colour scale
_MARGIN, _GAP, _LABEL, _BAR = 8, 12, 20, 14

# Palette: 0..99 the input scale, 100..199 the output scale, then flat colours; 255 is never drawn
# (frames after the first mark unchanged pixels with it, as transparent).
_IN, _OUT = 0, _LEVELS
_BACKGROUND, _EMPTY, _COVER, _WINDOW, _CURSOR, _BOUNDARY, _DARK, _LIGHT = range(200, 208)
_TRANSPARENT = 255
_FLAT = {
    _BACKGROUND: "#ffffff",
    _EMPTY: "#e6e6e6",
    _COVER: style.COVER_COLOUR,
    _WINDOW: style.WINDOW_COLOUR,
    _CURSOR: style.CURSOR_COLOUR,
    _BOUNDARY: style.BOUNDARY_COLOUR,
    _DARK: "#333333",
    _LIGHT: "#f5f5f5",
}


def file_name(*parts: object, ext: str) -> str:
    """A safe download name from ``parts`` joined by ``_``: letters, digits, dot, dash and underscore only."""
    cleaned = (re.sub(r"[^A-Za-z0-9._-]+", "-", str(part)).strip("-.") for part in parts)
    stem = "_".join(part for part in cleaned if part)
    return f"{stem or 'vizconv'}.{ext}"


def gif_positions(positions: int, max_frames: int = MAX_FRAMES) -> list[int]:
    """The window positions a GIF shows: all of them, or ``max_frames`` evenly spread (first and last kept)."""
    if positions <= max_frames:
        return list(range(positions))
    return np.linspace(0, positions - 1, max_frames).round().astype(int).tolist()


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _palette(output_scale: list) -> bytes:
    """256 distinct RGB entries (Pillow matches a global palette by colour, so duplicates would be remapped)."""
    pick = np.linspace(0, 255, _LEVELS).round().astype(int)
    entries = [tuple(int(v) for v in rgb) for rgb in style.colour_lut(style.INPUT_SCALE)[pick]]
    entries += [tuple(int(v) for v in rgb) for rgb in style.colour_lut(output_scale)[pick]]
    entries += [_hex(_FLAT[i]) for i in sorted(_FLAT)]
    entries += [(0, 0, 0)] * (256 - len(entries))
    seen = {_hex(colour) for colour in _FLAT.values()}  # the flat colours stay exact
    for i, (r, g, b) in enumerate(entries):
        if i in _FLAT:
            continue
        while (r, g, b) in seen:  # a repeated scale colour moves by one step of blue (invisible)
            b = b - 1 if b > 0 else 255
        entries[i] = (r, g, b)
        seen.add((r, g, b))
    return bytes(v for rgb in entries for v in rgb)


def _font(size: int) -> ImageFont.ImageFont | ImageFont.FreeTypeFont:
    try:
        return ImageFont.load_default(size=size)
    except (OSError, TypeError, ValueError):  # Pillow built without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def _levels(values: np.ndarray, low: float, high: float, offset: int) -> np.ndarray:
    """Values to palette indices offset .. offset + 99 over [low, high]."""
    scaled = (values - low) / ((high - low) or 1.0)
    return offset + np.clip(np.rint(scaled * (_LEVELS - 1)), 0, _LEVELS - 1).astype(np.uint8)


def _outline(pixels: np.ndarray, top: int, left: int, bottom: int, right: int, width: int, colour: int) -> None:
    """A rectangle's border (inside the pixel box [top, bottom) x [left, right)) in ``colour``."""
    width = max(1, min(width, (bottom - top) // 2, (right - left) // 2))
    pixels[top : top + width, left:right] = colour
    pixels[bottom - width : bottom, left:right] = colour
    pixels[top:bottom, left : left + width] = colour
    pixels[top:bottom, right - width : right] = colour


def _area(box: tuple[int, int, int, int]) -> tuple[slice, slice]:
    """The pixels of ``box`` (top, left, bottom, right; bottom and right exclusive) as an index of an array."""
    top, left, bottom, right = box
    return np.s_[top:bottom, left:right]


def _tile_values(
    draw: ImageDraw.ImageDraw, levels: np.ndarray, values: np.ndarray, origin, cell, font, fmt, palette: bytes
) -> None:
    """Each cell's value written in it, dark on light cells, light on dark ones (by the cell colour's luminance:
    on the diverging scale both ends are dark and zero is white)."""
    x0, y0 = origin
    for (i, j), value in np.ndenumerate(values):
        r, g, b = palette[3 * int(levels[i, j]) : 3 * int(levels[i, j]) + 3]
        fill = _DARK if 0.299 * r + 0.587 * g + 0.114 * b > 140 else _LIGHT
        draw.text(
            (x0 + j * cell + cell / 2, y0 + i * cell + cell / 2), format(value, fmt), fill=fill, font=font, anchor="mm"
        )


@dataclass(frozen=True)
class _Layout:
    """Where the GIF draws what, in pixels: inputs in the top rows, outputs below (up to ``columns`` a row), a
    colour bar right of each part, the position's label at the bottom. Origins are (x, y) of a tile's top left."""

    cell: int  # pixels per cell
    line: int  # outline width
    width: int
    height: int
    tile_in: tuple[int, int]  # (height, width) of one input channel
    tile_out: tuple[int, int]  # (height, width) of one output channel
    bar_x: int
    origins_in: tuple[tuple[int, int], ...]
    origins_out: tuple[tuple[int, int], ...]
    bar_heights: tuple[int, int]  # the inputs' and the outputs' colour bars, as tall as their rows of tiles
    label_box: tuple[int, int, int, int]  # (top, left, bottom, right) of "y[:, oy, ox]"


def _layout(padded_shape: tuple[int, ...], output_shape: tuple[int, ...], frames: int, tile_px: int) -> _Layout:
    """The layout for ``frames`` frames of a padded input (C_in, Hp, Wp) and an output (C_out, H_out, W_out): cells
    of about ``tile_px`` / the longer padded side, smaller where the frames would pass ``MAX_PIXELS``."""
    c_in, hp, wp = padded_shape
    c_out, h_out, w_out = output_shape
    columns = max(c_in, min(c_out, 4))  # inputs in the top rows, outputs below (up to ``columns`` a row)
    rows_in, rows_out = math.ceil(c_in / columns), math.ceil(c_out / columns)

    def size(cell: int) -> tuple[int, int]:
        """The GIF's (width, height) with cells of ``cell`` pixels."""
        width = _MARGIN + columns * (max(wp, w_out) * cell + _GAP) + _BAR + 48
        height = _MARGIN + rows_in * (hp * cell + _LABEL + _GAP) + rows_out * (h_out * cell + _LABEL + _GAP)
        return width, height + _LABEL + _MARGIN

    cell = max(2, min(48, tile_px // max(hp, wp)))
    while cell > 2 and math.prod(size(cell)) * frames > MAX_PIXELS:  # many frames: smaller cells
        cell -= 1
    tile_in, tile_out = (hp * cell, wp * cell), (h_out * cell, w_out * cell)
    slot_w = max(tile_in[1], tile_out[1]) + _GAP
    width, height = size(cell)
    top_out = _MARGIN + rows_in * (tile_in[0] + _LABEL + _GAP)
    return _Layout(
        cell=cell,
        line=2 if cell >= 8 else 1,
        width=width,
        height=height,
        tile_in=tile_in,
        tile_out=tile_out,
        bar_x=_MARGIN + columns * slot_w,
        origins_in=tuple(
            (_MARGIN + col * slot_w, _MARGIN + row * (tile_in[0] + _LABEL + _GAP) + _LABEL)
            for row, col in (divmod(ic, columns) for ic in range(c_in))
        ),
        origins_out=tuple(
            (_MARGIN + col * slot_w, top_out + row * (tile_out[0] + _LABEL + _GAP) + _LABEL)
            for row, col in (divmod(oc, columns) for oc in range(c_out))
        ),
        bar_heights=(
            rows_in * (tile_in[0] + _LABEL + _GAP) - _LABEL - _GAP,
            rows_out * (tile_out[0] + _LABEL + _GAP) - _LABEL - _GAP,
        ),
        label_box=(height - _LABEL - _MARGIN, _MARGIN, height, min(width, _MARGIN + 240)),
    )


def _finished_picture(
    padded: np.ndarray,
    output: np.ndarray,
    pads: tuple[int, int, int, int],
    layout: _Layout,
    output_range: tuple[float, float],
    palette: bytes,
    font: ImageFont.ImageFont | ImageFont.FreeTypeFont,
) -> np.ndarray:
    """(H_gif, W_gif) palette indices: every input and output channel in its colours, the original input outlined
    when padded, the colour bars and the channels' names; no window, cursor or label."""
    cell, (tile_h_in, tile_w_in), (tile_h_out, tile_w_out) = layout.cell, layout.tile_in, layout.tile_out
    hp, wp = padded.shape[1:]
    pixels = np.full((layout.height, layout.width), _BACKGROUND, dtype=np.uint8)  # (H_gif, W_gif)
    low_in, high_in = float(padded.min()), float(padded.max())
    levels_in = _levels(padded, low_in, high_in, _IN)  # (C_in, Hp, Wp)
    levels_out = _levels(output, *output_range, _OUT)  # (C_out, H_out, W_out)
    for ic, (x0, y0) in enumerate(layout.origins_in):
        pixels[y0 : y0 + tile_h_in, x0 : x0 + tile_w_in] = levels_in[ic].repeat(cell, 0).repeat(cell, 1)
    for oc, (x0, y0) in enumerate(layout.origins_out):
        pixels[y0 : y0 + tile_h_out, x0 : x0 + tile_w_out] = levels_out[oc].repeat(cell, 0).repeat(cell, 1)
    top, bottom, left, right = pads
    if any(pads):  # the original, unpadded input outlined
        for x0, y0 in layout.origins_in:
            box = (y0 + top * cell, x0 + left * cell, y0 + (hp - bottom) * cell, x0 + (wp - right) * cell)
            _outline(pixels, *box, 1, _BOUNDARY)
    bars = (  # (top, height, first palette index, low, high) of the inputs' and the outputs' colour bars
        (layout.origins_in[0][1], layout.bar_heights[0], _IN, low_in, high_in),
        (layout.origins_out[0][1], layout.bar_heights[1], _OUT, *output_range),
    )
    bar_x = layout.bar_x
    for y_top, bar_h, offset, _, _ in bars:
        ramp = np.linspace(_LEVELS - 1, 0, bar_h).round().astype(np.uint8)  # (bar_h,) top = high
        pixels[y_top : y_top + bar_h, bar_x : bar_x + _BAR] = offset + ramp[:, None]

    canvas = Image.fromarray(pixels, mode="P")
    draw = ImageDraw.Draw(canvas)
    draw.fontmode = "1"  # crisp text: a palette image cannot blend
    for ic, (x0, y0) in enumerate(layout.origins_in):
        draw.text((x0, y0 - _LABEL + 2), f"x[{ic}]", fill=_DARK, font=font)
    for oc, (x0, y0) in enumerate(layout.origins_out):
        draw.text((x0, y0 - _LABEL + 2), f"y[{oc}]", fill=_DARK, font=font)
    for y_top, bar_h, _, low, high in bars:
        draw.text((bar_x + _BAR + 3, y_top), f"{high:.3g}", fill=_DARK, font=font)
        draw.text((bar_x + _BAR + 3, y_top + bar_h - 16), f"{low:.3g}", fill=_DARK, font=font)
    if cell >= 20:  # small classroom grids: the numbers in the cells, as on the page
        values_font = _font(max(10, cell * 2 // 5))
        integral = bool(np.all(padded == np.round(padded)) and np.all(output == np.round(output)))
        fmt = ".0f" if integral else ".2f"
        for ic, origin in enumerate(layout.origins_in):
            _tile_values(draw, levels_in[ic], padded[ic], origin, cell, values_font, fmt, palette)
        for oc, origin in enumerate(layout.origins_out):
            _tile_values(draw, levels_out[oc], output[oc], origin, cell, values_font, fmt, palette)
    return np.asarray(canvas).copy()


def _window_boxes(
    trace: ConvTrace, layout: _Layout, oy: int, ox: int
) -> list[tuple[tuple[int, int, int, int], int, int]]:
    """(box, line width, colour) of the outlines at position (oy, ox): a cursor on every output channel, the
    window (every tap, when dilated) on every input channel. Boxes are (top, left, bottom, right) in pixels."""
    (kh, kw), (sh, sw), (dh, dw) = trace.kernel_size, trace.stride, trace.dilation
    cell, line = layout.cell, layout.line
    drawn = [
        ((y0 + oy * cell, x0 + ox * cell, y0 + (oy + 1) * cell, x0 + (ox + 1) * cell), line, _CURSOR)
        for x0, y0 in layout.origins_out
    ]
    top_cell, left_cell = oy * sh, ox * sw
    taps = (
        [(top_cell, left_cell, kh, kw)]
        if (dh, dw) == (1, 1)
        else [(top_cell + i * dh, left_cell + j * dw, 1, 1) for i in range(kh) for j in range(kw)]
    )
    width = line + 1 if (dh, dw) == (1, 1) else line
    for x0, y0 in layout.origins_in:
        for r, c, rows, cols in taps:
            drawn.append(
                ((y0 + r * cell, x0 + c * cell, y0 + (r + rows) * cell, x0 + (c + cols) * cell), width, _WINDOW)
            )
    return drawn


class _PositionLabel:
    """The label's box with "y[:, oy, ox]" in it, from two pieces drawn once each (thousands of frames)."""

    def __init__(self, box: tuple[int, int, int, int], font: ImageFont.ImageFont | ImageFont.FreeTypeFont) -> None:
        self.box, self.font = box, font
        self.words = functools.cache(self._words)

    def _words(self, text: str) -> np.ndarray:
        """``text`` drawn on the background, as tall as the label's box and as wide as the text."""
        image = Image.new("P", (math.ceil(self.font.getlength(text)), self.box[2] - self.box[0]), _BACKGROUND)
        ImageDraw.Draw(image).text((0, _LABEL + _MARGIN - 20), text, fill=_DARK, font=self.font)
        return np.asarray(image)

    def __call__(self, oy: int, ox: int) -> np.ndarray:
        top, left, bottom, right = self.box
        pixels = np.full((bottom - top, right - left), _BACKGROUND, dtype=np.uint8)
        x = 0
        for piece in (self.words(f"y[:, {oy}, "), self.words(f"{ox}]")):
            shown = piece[:, : max(0, right - left - x)]
            pixels[:, x : x + shown.shape[1]] = shown
            x += piece.shape[1]
        return pixels


def animation_gif(
    trace: ConvTrace, frame_ms: int = style.FRAME_MS, max_frames: int = MAX_FRAMES, tile_px: int = TILE_PX
) -> bytes:
    """The convolution animation as an animated GIF: one frame per window position (``max_frames`` evenly spread
    where there are more: never from the page, whose largest output has ``MAX_FRAMES`` positions).

    Inputs in gray (black 0 .. white 1, as the page draws them), outputs in cividis from zero, or the
    diverging scale with zero at white when some output is negative; the window in orange, the output
    being computed boxed in green, outputs not computed yet in gray. Each frame lasts ``frame_ms``; the
    last one longer, so the finished output can be read.
    """
    padded = np.nan_to_num(trace.padded.detach().float().numpy())  # (C_in, Hp, Wp)
    output = trace.output.detach().float().numpy()  # (C_out, H_out, W_out)
    indices = gif_positions(trace.positions, max_frames)
    layout = _layout(padded.shape, output.shape, len(indices), tile_px)
    scale, low_out, high_out = scale_for(float(output.min()), float(output.max()))  # the page's colour rule
    palette = _palette(scale)
    font = _font(14)
    base = _finished_picture(padded, output, trace.pads, layout, (low_out, high_out), palette, font)
    return _frames(trace, layout, base, palette, _PositionLabel(layout.label_box, font), indices, frame_ms)


def _frames(
    trace: ConvTrace,
    layout: _Layout,
    base: np.ndarray,
    palette: bytes,
    label: _PositionLabel,
    indices: list[int],
    frame_ms: int,
) -> bytes:
    """The GIF of window positions ``indices`` over the finished picture ``base``.

    Frames are written as they are drawn (none is kept): each holds only the box around what changed since the
    one before, with the unchanged pixels in it transparent; the viewer keeps the rest (disposal 1).
    """
    cell, (tile_h, tile_w), label_box = layout.cell, layout.tile_out, layout.label_box
    plain = base.copy()  # the picture under the window, cursor and label: outputs not computed yet covered
    for x0, y0 in layout.origins_out:
        plain[y0 : y0 + tile_h, x0 : x0 + tile_w] = _COVER
    shown = plain.copy()  # what the viewer shows after the last frame written
    buffer = io.BytesIO()
    drawn: list[tuple[tuple[int, int, int, int], int, int]] = []  # the outlines on ``shown``
    done = -1  # the last position whose output cells are uncovered
    for number, index in enumerate(indices):
        oy, ox = trace.position(index)
        uncovered = [  # the output cells computed since the last frame, on every output channel
            (y0 + py * cell, x0 + px * cell, y0 + (py + 1) * cell, x0 + (px + 1) * cell)
            for py, px in map(trace.position, range(done + 1, index + 1))
            for x0, y0 in layout.origins_out
        ]
        done = index
        outlines = _window_boxes(trace, layout, oy, ox)
        changed = [box for box, _, _ in drawn + outlines] + uncovered + [label_box]
        top, left = min(box[0] for box in changed), min(box[1] for box in changed)
        bottom, right = max(box[2] for box in changed), max(box[3] for box in changed)
        before = shown[top:bottom, left:right].copy()
        for box, _, _ in drawn:  # the last frame's outlines taken away
            shown[_area(box)] = plain[_area(box)]
        for box in uncovered:
            plain[_area(box)] = shown[_area(box)] = base[_area(box)]
        for box, line_width, colour in outlines:
            _outline(shown, *box, line_width, colour)
        drawn = outlines
        shown[_area(label_box)] = label(oy, ox)

        last = number == len(indices) - 1
        duration = max(int(frame_ms), LAST_FRAME_MS) if last else max(20, int(frame_ms))
        params = {"duration": duration, "disposal": 1, "transparency": _TRANSPARENT}
        if number == 0:  # the whole picture, after the header with the palette
            first = Image.fromarray(shown, mode="P")
            first.putpalette(palette)
            header, _ = GifImagePlugin.getheader(first, None, {"loop": 0, "transparency": _TRANSPARENT})
            buffer.write(b"".join(header))
            buffer.write(b"".join(GifImagePlugin.getdata(first, (0, 0), **params)))
        else:  # the box around what changed, unchanged pixels transparent
            now = shown[top:bottom, left:right]
            delta = np.where(now == before, _TRANSPARENT, now).astype(np.uint8)
            buffer.write(b"".join(GifImagePlugin.getdata(Image.fromarray(delta, mode="P"), (left, top), **params)))
    buffer.write(b";")  # the GIF trailer
    return buffer.getvalue()


def step_csv(step: ConvStep, lang: str = "en") -> str:
    """The step panel's numbers for one output value as CSV.

    One row per input channel and kernel cell (channel, kernel row and column, row and column in the
    padded input, input value, weight, product), then one row per channel sum, the bias and the output
    value (its row names it, y[oc, oy, ox]); headers and row kinds in ``lang``. It starts with a byte order
    mark, so that spreadsheet programs which otherwise guess a legacy encoding (Excel) show Chinese headers.
    """
    # catalogue: export.csv.kind.product, export.csv.kind.channel_sum, export.csv.kind.bias
    kind = {name: text(f"export.csv.kind.{name}", lang) for name in ("product", "channel_sum", "bias")}
    columns = ("kind", "channel", "kernel_row", "kernel_col", "input_row", "input_col", "input", "weight", "value")
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\n")
    # catalogue: export.csv.<column> for each of columns
    writer.writerow([text(f"export.csv.{name}", lang) for name in columns])
    rows, cols = step.rows.tolist(), step.cols.tolist()
    for i, channel in enumerate(step.input_channels):
        for r, input_row in enumerate(rows):
            for c, input_col in enumerate(cols):
                writer.writerow(
                    [
                        kind["product"],
                        channel,
                        r,
                        c,
                        int(input_row),
                        int(input_col),
                        exact_number(step.window[i, r, c]),
                        exact_number(step.kernel[i, r, c]),
                        exact_number(step.products[i, r, c]),
                    ]
                )
    for i, channel in enumerate(step.input_channels):
        writer.writerow([kind["channel_sum"], channel, "", "", "", "", "", "", exact_number(step.channel_sums[i])])
    writer.writerow([kind["bias"], "", "", "", "", "", "", "", exact_number(step.bias)])
    output = text("export.csv.kind.output", lang, oc=step.oc, oy=step.oy, ox=step.ox)
    writer.writerow([output, "", "", "", "", "", "", "", exact_number(step.value)])
    return buffer.getvalue()
