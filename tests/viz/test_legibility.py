"""One rule for what Plotly heatmaps write in their cells: numbers where legible (and what the animator writes)."""

from __future__ import annotations

import pytest
import torch

from tests_support import CONV, POOL, animator_data, chart_spec, open_page
from vizconv.ops.upsample import trace_interpolate
from vizconv.viz import style
from vizconv.viz.charts import heatmap_cell_px, heatmap_figure
from vizconv.viz.legibility import column_px, numbers_fit, text_chars, text_px

# Plotly's font size for a value in a square heatmap cell, measured in Chromium: (cell px, characters, font px)
MEASURED = [
    (20, 1, 12), (16.67, 1, 11), (14.29, 1, 10), (13.33, 1, 9), (12.5, 1, 8), (11.76, 1, 7), (10, 1, 6),
    (20, 2, 12), (14.29, 2, 10), (12.5, 2, 8),
    (33.33, 4, 12), (25, 4, 9), (20, 4, 7), (14.29, 4, 5), (13.33, 4, 4),
    (33.33, 5, 9), (25, 5, 7), (20, 5, 5), (14.29, 5, 4),
    (33.33, 6, 8), (20, 6, 4), (14.29, 6, 3),
]  # fmt: skip


@pytest.mark.parametrize(("cell", "chars", "font"), MEASURED)
def test_text_size_follows_plotly(cell, chars, font):
    """The fitted size is Plotly's, or at most 1 px larger (never smaller: a number is never hidden that would
    show at the threshold, and one declared legible is at most 1 px under it)."""
    assert font <= text_px(cell, chars) < font + 1.5


def test_numbers_are_written_only_where_plotly_draws_them_large_enough():
    # a digit needs a 13-px cell, "0.25" a 25-px one, "-0.25" a 30-px one
    assert not numbers_fit(12.5, 1) and numbers_fit(13.4, 1)
    assert not numbers_fit(24, 4) and numbers_fit(25, 4)
    assert not numbers_fit(29, 5) and numbers_fit(31, 5)
    assert all(numbers_fit(cell, chars) == (font >= style.MIN_TEXT_PX) for cell, chars, font in MEASURED)


def test_text_length_is_the_longest_extreme():
    assert text_chars(torch.tensor([[-12.345, 3.0], [0.5, 9.0]]), ".2f") == len("-12.35")
    assert text_chars(torch.tensor([[243.0, 7.0]]), ".0f") == 3
    assert text_chars(torch.tensor([[float("-inf"), 1.0]]), ".0f") == 1  # max pooling's padding: left blank


def test_column_widths_are_those_of_a_1024_px_screen():
    assert column_px(1) == style.MAIN_COLUMN_PX == 564
    assert column_px(2) == (564 - 16) / 2


def test_the_convolution_page_names_the_unread_rows_and_how_they_are_marked():
    """The Convolution page's 28×28 digit with dilation 2 and stride 3: the warning names the rows and columns no
    window reads and says how the animator marks them (a ✕, one diagonal where cells are small)."""
    at = open_page(
        CONV,
        conv_dilation_h=2,
        conv_dilation_w=2,
        conv_stride_h=3,
        conv_stride_w=3,
    )
    (warning,) = [w.value for w in at.warning if "No window reads" in w.value]
    assert "red ✕" in warning and "one diagonal in a small cell" in warning
    data = animator_data(at)
    assert data["numbers_in_maps"] is False  # 28 × 28: colours, the numbers beside them
    assert not all(data["geometry"]["rows_read"]) and not all(data["geometry"]["cols_read"])


def test_upsampling_writes_numbers_only_in_cells_large_enough():
    """The issue's example: a 14×14 LeNet map (13-px cells at 1024 px, half a column) was written in 5-px type."""
    source = torch.rand(14, 14) * 5  # decimals, as a pooled LeNet map's
    assert heatmap_cell_px((14, 14), columns=2) < 14
    assert heatmap_figure(source, "input", columns=2)["layout"]["meta"]["values"] is False
    digits = torch.randint(0, 10, (5, 5)).float()  # a random 5×5 grid: single digits
    upsampled = trace_interpolate(digits[None], "nearest", 2, False).output[0]
    assert heatmap_figure(digits, "input", columns=2)["layout"]["meta"]["values"] is True
    output = heatmap_figure(upsampled, "output", columns=2)
    assert output["layout"]["meta"]["values"] is True and output["data"][0]["texttemplate"] == "%{z:.0f}"
    assert heatmap_figure(upsampled / 3, "output", columns=2)["layout"]["meta"]["values"] is False  # "0.33"


def test_the_upsampling_animator_writes_numbers_only_in_small_maps():
    """LeNet's 14×14 map upsampled to 28×28 shows colours (the legend says the numbers are written out beside
    them); a random 5×5 grid (10×10 after ×2) has its numbers in the maps."""
    page = POOL
    assert animator_data(open_page(page, {"pool_section": "upsampling"}))["numbers_in_maps"] is False
    small = open_page(page, {"pool_section": "upsampling", "pool_up_source": "random", "pool_up_size": "5"})
    assert animator_data(small)["numbers_in_maps"] is True


def test_activations_before_and_after_share_one_scale_and_gaps():
    """Before and after on one colour scale (the same colours, zmin and zmax) and the same cell gaps, so the two
    maps can be compared cell by cell."""
    at = open_page(POOL, {"pool_section": "activations"})
    before, after = (chart_spec(at, i)["data"][0] for i in (0, 1))
    for name in ("colorscale", "zmin", "zmax", "xgap", "ygap"):
        assert before[name] == after[name], name
    assert before["zmin"] == -before["zmax"] < 0  # diverging, centred on 0: the input has negative values
    assert any("same colour scale" in c.value for c in at.caption)
