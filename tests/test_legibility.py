"""One rule for what heatmaps write in their cells: numbers where legible, ✕ marks where they fit, else a hatch."""

from __future__ import annotations

import pytest
import torch

from tests_support import chart_spec, open_page
from vizconv import style
from vizconv.animation import SubplotGrid, conv_animation, padding_overlays, unread_mark
from vizconv.charts import heatmap_cell_px, heatmap_figure
from vizconv.legibility import column_px, numbers_fit, text_chars, text_px
from vizconv.legibility import unread_mark as mark_for
from vizconv.playground import PlaygroundSettings, build_input, run_playground
from vizconv.upsample import trace_interpolate

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


def test_unread_cells_get_a_cross_only_where_one_fits():
    assert mark_for(style.MIN_CROSS_PX) == "cross" and mark_for(40) == "cross"
    assert mark_for(style.MIN_CROSS_PX - 0.1) == "hatch" and mark_for(4) == "hatch"


def test_text_length_is_the_longest_extreme():
    assert text_chars(torch.tensor([[-12.345, 3.0], [0.5, 9.0]]), ".2f") == len("-12.35")
    assert text_chars(torch.tensor([[243.0, 7.0]]), ".0f") == 3
    assert text_chars(torch.tensor([[float("-inf"), 1.0]]), ".0f") == 1  # max pooling's padding: left blank


def test_column_widths_are_those_of_a_1024_px_screen():
    assert column_px(1) == style.MAIN_COLUMN_PX == 564
    assert column_px(2) == (564 - 16) / 2


def test_unread_cells_are_crossed_when_large_and_hatched_when_small():
    unread = torch.zeros(6, 6, dtype=torch.bool)
    unread[5, :] = True
    unread[:, 2] = True
    (cross,) = padding_overlays(0, (0, 0, 0, 0), unread, cell_px=30)
    assert cross["mode"] == "markers" and cross["marker"]["symbol"] == "x-thin-open"
    assert len(cross["x"]) == int(unread.sum()) and cross["marker"]["size"] >= 6
    (hatch,) = padding_overlays(0, (0, 0, 0, 0), unread, cell_px=8)
    assert hatch["fill"] == "toself" and hatch["fillpattern"]["shape"] == "/" and hatch["mode"] == "none"
    runs = [i for i, x in enumerate(hatch["x"]) if x is None]
    assert len(runs) == 5 + 1  # rows 0–4: the column's cell; row 5: one run across the row
    cells = set()
    for start, end in zip([-1, *runs], runs, strict=False):
        xs, ys = hatch["x"][start + 1 : end], hatch["y"][start + 1 : end]
        left, right, top = min(xs), max(xs), min(ys)
        cells |= {(int(top + 0.5), c) for c in range(int(left + 0.5), int(right + 0.5))}
    assert cells == {tuple(cell) for cell in unread.nonzero().tolist()}


def test_the_issue_example_a_dilated_strided_digit_is_hatched_not_covered_in_crosses():
    """The Convolution page's 28×28 digit with dilation 2 and stride 3: its 10-px cells are too small for a ✕ each;
    the unread rows and columns are hatched, and the page's warning says so."""
    settings = PlaygroundSettings(dilation_h=2, dilation_w=2, stride_h=3, stride_w=3)
    trace = run_playground(settings, build_input(settings))
    figure = conv_animation(trace)
    assert unread_mark(trace) == figure["layout"]["meta"]["unread"] == "hatch"
    assert not [d for d in figure["data"] if d.get("marker", {}).get("symbol") == "x-thin-open"]
    assert [d for d in figure["data"] if d.get("fillpattern")]
    assert figure["layout"]["meta"]["values"][0] is False  # no numbers in the 28×28 input
    at = open_page(
        "pages/1_Convolution_卷积.py",
        conv_dilation_h=2,
        conv_dilation_w=2,
        conv_stride_h=3,
        conv_stride_w=3,
    )
    (warning,) = [w.value for w in at.warning if "No window reads" in w.value]
    assert "hatched in red" in warning and "✕" in warning


def test_a_classroom_grid_keeps_its_crosses_and_numbers():
    settings = PlaygroundSettings(sample="classic_5x5", out_channels=1, preset="example", stride_h=3, stride_w=3)
    trace = run_playground(settings, build_input(settings))
    assert bool(trace.unread.any())
    figure = conv_animation(trace)
    assert figure["layout"]["meta"] == {"values": [True, True], "unread": "cross"}


def test_the_animation_cell_size_is_the_subplots_width_or_height():
    grid = SubplotGrid(1, 2)  # a digit and two outputs: the input alone on the first row
    assert grid.columns == 2
    assert grid.cell_px((28, 28)) == pytest.approx((564 - 100) * (0.5 - 0.03) / 28)
    one = SubplotGrid(1, 2, most=1)
    assert one.cell_px((28, 28)) < (564 - 100) * 0.97 / 28  # one a row: the height decides


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


def test_the_upsampling_page_says_where_values_are_left_out():
    page = "pages/3_Pooling_and_activations_池化与激活.py"
    at = open_page(page, {"pool_section": "upsampling"})
    assert any("Values are written only in cells large enough" in c.value for c in at.caption)
    small = open_page(page, {"pool_section": "upsampling", "pool_up_source": "random", "pool_up_size": "5"})
    assert not any("Values are written only" in c.value for c in small.caption)


def test_activations_before_and_after_share_one_scale_and_gaps():
    """Before and after on one colour scale (the same colours, zmin and zmax) and the same cell gaps, so the two
    maps can be compared cell by cell."""
    at = open_page("pages/3_Pooling_and_activations_池化与激活.py", {"pool_section": "activations"})
    before, after = (chart_spec(at, i)["data"][0] for i in (0, 1))
    for name in ("colorscale", "zmin", "zmax", "xgap", "ygap"):
        assert before[name] == after[name], name
    assert before["zmin"] == -before["zmax"] < 0  # diverging, centred on 0: the input has negative values
    assert any("same colour scale" in c.value for c in at.caption)
