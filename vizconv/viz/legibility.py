"""What a Plotly heatmap can write in its cells: numbers where they are legible.

One rule for the Plotly heatmaps (the live animator decides in the browser, where it knows a cell's size),
decided on the server from the size a cell will have on the screen. A figure is built before any browser says how wide it is,
so the rule assumes the narrowest layout the figures are made for: a 1024-pixel projector with the sidebar open,
where the main column is ``style.MAIN_COLUMN_PX`` wide (two figures side by side get half of it each). A phone
stacks the columns; there the browser hides what Plotly shrinks below ``style.MIN_TEXT_PX``
(``vizconv.ui.FIT_TO_WIDTH_HTML``).

Plotly writes a value at the largest font that fits its cell, at most 12 px: ``text_px``. A number is written
only where that is at least ``style.MIN_TEXT_PX``.
"""

from __future__ import annotations

import math

import torch

from vizconv.viz import style

__all__ = ["column_px", "numbers_fit", "text_chars", "text_px"]

_PLOTLY_MAX_TEXT_PX = 12  # Plotly's automatic cell text is never larger


def column_px(columns: int = 1) -> float:
    """The width of one of ``columns`` figures side by side (``st.columns``) in the main column at 1024 px."""
    return (style.MAIN_COLUMN_PX - (columns - 1) * style.COLUMN_GAP_PX) / columns


def text_px(cell_px: float, chars: int, gap: float = 1) -> float:
    """The font size, in pixels, Plotly gives a value of ``chars`` characters in a square heatmap cell ``cell_px``
    wide (``gap``: the cell gap). Fitted to Chromium's drawing (plotly.js 3, cells of 9 to 40 px, values of 1 to 6
    characters; exact or up to 1 px too large): the text's line, 1.3 font sizes tall, fits the cell's whole
    pixels, about 0.65 font sizes per character fit its width, and it is at most 12 px."""
    tall = (math.floor(cell_px) - gap) / 1.3
    wide = (cell_px - gap) / (0.65 * max(chars, 1))
    return max(0.0, min(_PLOTLY_MAX_TEXT_PX, math.floor(tall), wide))


def text_chars(values: torch.Tensor, fmt: str) -> int:
    """The longest of ``values`` written with ``fmt`` (".0f", ".2f"), in characters (a map's extremes are its
    longest numbers: more digits, or a minus sign). Infinite values (max pooling's padding) are left blank."""
    finite = values[torch.isfinite(values)]
    if finite.numel() == 0:
        return 1
    return max(len(format(float(finite.min()), fmt)), len(format(float(finite.max()), fmt)))


def numbers_fit(cell_px: float, chars: int, gap: float = 1) -> bool:
    """Whether a number of ``chars`` characters written in a cell ``cell_px`` wide is legible."""
    return text_px(cell_px, chars, gap) >= style.MIN_TEXT_PX
