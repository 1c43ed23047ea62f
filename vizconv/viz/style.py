"""Visual constants: colours, sizes and timings used by every figure (Plotly's, the GIF's and the live animator's,
which gets its colours with its data)."""

from __future__ import annotations

import numpy as np
import plotly.colors

# Colour scales that survive a projector and colour-blind viewers.
INPUT_SCALE = [[0.0, "#000000"], [1.0, "#ffffff"]]  # input intensities: black 0 .. white 1, as the image looks
# Non-negative maps: cividis, written out (plotly.js knows only "Cividis" by name, and figures go to it
# unvalidated), from plotly.colors.sequential.Cividis.
SEQUENTIAL_SCALE = [
    [i / 9, colour]
    for i, colour in enumerate(
        ("#00224e", "#123570", "#3b496c", "#575d6d", "#707173", "#8a8678", "#a59c74", "#c3b369", "#e1cc55", "#fee838")
    )
]
DIVERGING_SCALE = [  # signed maps: zero at white (blue negative, red positive; RdBu reversed)
    [0.0, "#053061"],
    [0.15, "#2166ac"],
    [0.3, "#4393c3"],
    [0.45, "#d1e5f0"],
    [0.5, "#ffffff"],
    [0.55, "#fddbc7"],
    [0.7, "#d6604d"],
    [0.85, "#b2182b"],
    [1.0, "#67001f"],
]

WINDOW_COLOUR = "#ff7f0e"  # the kernel's window on the input (orange reads on gray and blue/red)
CURSOR_COLOUR = "#00b050"  # the output cell being computed
COVER_COLOUR = "#c4c4c4"  # output cells not computed yet
PADDING_TINT = "rgba(255, 127, 14, 0.28)"  # padding cells
UNREACHED_COLOUR = "#d62728"  # padded rows/columns that no window reaches (stride does not tile)
BOUNDARY_COLOUR = "#1f77b4"  # outline of the original, unpadded input
WINNER_COLOUR = "#e7298a"  # max pooling: the cell whose value the window keeps


# Legibility (vizconv.viz.legibility): the figures are laid out for a 1024-pixel projector with the sidebar open.
MAIN_COLUMN_PX = 564  # the main column's width there (measured in Chromium, Streamlit 1.67, layout="wide")
COLUMN_GAP_PX = 16  # between st.columns
MIN_TEXT_PX = 9  # numbers are written in cells only where Plotly can draw them at least this large
FRAME_MS = 250  # default time per window position when playing


def colour_lut(scale: str | list) -> np.ndarray:
    """A Plotly colour scale (name or [[position, colour], ...]) as a (256, 3) uint8 lookup table: entry i is the
    scale's colour at i / 255."""
    colours = plotly.colors.sample_colorscale(scale, 256, colortype="tuple")  # 256 (r, g, b), each in 0..1
    return (np.array(colours) * 255).round().astype(np.uint8)  # (256, 3)
