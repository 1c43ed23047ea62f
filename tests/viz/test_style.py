"""vizconv.viz.style: the colour lookup table (plotly.colors.sample_colorscale; it matched the np.interp formula
it replaced on eight scales, byte for byte)."""

from __future__ import annotations

import numpy as np
import plotly.colors
import pytest

from vizconv.viz import style


def _rgb(colour: str) -> list[int]:
    return [round(v) for v in plotly.colors.unlabel_rgb(plotly.colors.convert_colors_to_same_type(colour, "rgb")[0][0])]


@pytest.mark.parametrize(
    "scale", ["cividis", "RdBu", style.INPUT_SCALE, style.SEQUENTIAL_SCALE, style.DIVERGING_SCALE], ids=str
)
def test_the_lut_ends_are_the_scales_end_colours(scale):
    stops = plotly.colors.get_colorscale(scale) if isinstance(scale, str) else scale
    lut = style.colour_lut(scale)
    assert lut.shape == (256, 3) and lut.dtype == np.uint8
    assert lut[0].tolist() == _rgb(stops[0][1])
    assert lut[-1].tolist() == _rgb(stops[-1][1])


def test_the_middle_of_the_diverging_scale_is_its_white():
    lut = style.colour_lut(style.DIVERGING_SCALE)
    assert [colour for position, colour in style.DIVERGING_SCALE if position == 0.5] == ["#ffffff"]
    # The table has no entry at 0.5: entries 127 and 128 lie 1/510 either side of it, a step from white.
    assert (np.abs(lut[127:129].astype(int) - 255) <= 2).all(), lut[127:129]
    assert (lut[:128, 0] <= lut[:128, 2]).all() and (lut[128:, 0] >= lut[128:, 2]).all()  # blue below, red above


def test_a_two_colour_scale_is_a_straight_ramp():
    assert style.colour_lut(style.INPUT_SCALE).tolist() == [[i, i, i] for i in range(256)]
