"""Downloads: the convolution animation as a GIF, the step panel as CSV, and the pages' download buttons."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
import torch
from PIL import Image

from tests_support import CONV, FEATURES, open_page
from vizconv import trace_conv2d
from vizconv.i18n.strings import text
from vizconv.views.convolution import PlaygroundSettings, build_input, run_playground
from vizconv.viz import style
from vizconv.viz.export import MAX_FRAMES, TILE_PX, animation_gif, file_name, gif_positions, step_csv


def _hex(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def _frames(gif: bytes) -> list[np.ndarray]:
    """Every frame as the viewer shows it, (H, W, 3) RGB."""
    with Image.open(io.BytesIO(gif)) as image:
        frames = []
        for index in range(image.n_frames):
            image.seek(index)
            frames.append(np.asarray(image.convert("RGB")))
    return frames


def _box(frame: np.ndarray, colour: str) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) of the pixels of ``colour``, bottom and right exclusive."""
    ys, xs = np.nonzero(np.all(frame == _hex(colour), axis=2))
    return int(ys.min()), int(xs.min()), int(ys.max()) + 1, int(xs.max()) + 1


def _count(frame: np.ndarray, colour: str) -> int:
    return int(np.all(frame == _hex(colour), axis=2).sum())


@pytest.fixture(scope="module")
def classic():
    """The classic 5×5 grid and its 3×3 kernel, stride 2, padding 1: a 7×7 padded input, a 3×3 output."""
    settings = PlaygroundSettings(
        sample="classic_5x5", out_channels=1, preset="example", stride_h=2, stride_w=2, padding_h=1, padding_w=1
    )
    return run_playground(settings, build_input(settings))


# ---------------------------------------------------------------- GIF


@pytest.mark.parametrize(
    ("positions", "max_frames", "frames"),
    [(1, MAX_FRAMES, 1), (9, MAX_FRAMES, 9), (676, MAX_FRAMES, 676), (76 * 76, MAX_FRAMES, 76 * 76), (5777, 400, 400)],
)
def test_gif_positions_keep_every_position_the_page_can_make(positions, max_frames, frames):
    shown = gif_positions(positions, max_frames)
    assert len(shown) == frames
    assert shown[0] == 0 and shown[-1] == positions - 1
    assert all(b > a for a, b in zip(shown, shown[1:], strict=False))
    if positions > max_frames:  # only from code: the page's largest output has 76 × 76 positions
        gaps = np.diff(shown)
        assert gaps.max() - gaps.min() <= 1  # evenly spread


def test_the_default_gif_shows_every_window_position():
    """The Convolution page's default (a 28×28 digit, 3×3 kernels): 676 frames, and frame i boxes output cell i
    (row-major) in green, so no position is skipped (it kept 400 of the 676)."""
    settings = PlaygroundSettings()
    trace = run_playground(settings, build_input(settings))
    assert trace.positions == 26 * 26
    frames = _frames(animation_gif(trace))
    assert len(frames) == trace.positions
    top, left, bottom, _ = _box(frames[0], style.CURSOR_COLOUR)  # the cursors on both outputs, side by side
    cell = bottom - top
    seen = []
    for frame in frames:
        y, x, _, _ = _box(frame, style.CURSOR_COLOUR)
        seen.append(((y - top) / cell, (x - left) / cell))
    assert seen == [trace.position(i) for i in range(trace.positions)]


def test_gif_is_valid_with_one_frame_per_position(classic):
    gif = animation_gif(classic, frame_ms=120)  # GIF stores hundredths of a second
    assert gif[:6] == b"GIF89a"
    with Image.open(io.BytesIO(gif)) as image:
        assert image.format == "GIF"
        assert image.n_frames == classic.positions == 9
        assert image.info["duration"] == 120
        assert image.info["loop"] == 0
        width, height = image.size
    # 7×7 padded cells of TILE_PX // 7 px (the input drawn about TILE_PX), a colour bar and labels to the right
    cell = TILE_PX // 7
    assert 7 * cell < width < 7 * cell + 160
    assert 7 * cell + 3 * cell < height < 7 * cell + 3 * cell + 160


def test_gif_draws_the_window_and_cursor_where_they_are(classic):
    frames = _frames(animation_gif(classic))
    cell = TILE_PX // 7
    top, left, bottom, right = _box(frames[0], style.WINDOW_COLOUR)
    assert (bottom - top, right - left) == (3 * cell, 3 * cell)  # the 3×3 window on the padded input
    # position 1 is (0, 1): stride 2 moves the window two cells right
    assert _box(frames[1], style.WINDOW_COLOUR) == (top, left + 2 * cell, bottom, right + 2 * cell)
    # position 3 is (1, 0): two cells down, back at the left
    assert _box(frames[3], style.WINDOW_COLOUR) == (top + 2 * cell, left, bottom + 2 * cell, right)
    c_top, c_left, c_bottom, c_right = _box(frames[0], style.CURSOR_COLOUR)
    assert (c_bottom - c_top, c_right - c_left) == (cell, cell)  # one output cell
    assert c_top > bottom  # the outputs are drawn below the input
    assert _box(frames[4], style.CURSOR_COLOUR) == (c_top + cell, c_left + cell, c_bottom + cell, c_right + cell)


def test_gif_greys_the_outputs_not_computed_yet(classic):
    frames = _frames(animation_gif(classic))
    cell = TILE_PX // 7
    cursor = cell * cell - (cell - 2) ** 2  # the cursor's 2 px border covers part of a cell's area
    assert _count(frames[0], style.COVER_COLOUR) == 8 * cell * cell  # 8 of 9 outputs hidden
    assert _count(frames[4], style.COVER_COLOUR) == 4 * cell * cell
    assert _count(frames[-1], style.COVER_COLOUR) == 0
    # the largest output (4, at row 1, column 1) has cividis' top colour once computed; the bar has it always
    top = style.SEQUENTIAL_SCALE[-1][1]
    assert classic.output.max() == 4 and int((classic.output == 4).sum()) == 1
    revealed = _count(frames[-1], top) - _count(frames[0], top)
    assert cell * cell - cursor - 200 < revealed <= cell * cell  # the cell, less its written value "4"
    assert cursor > 0


def test_gif_uses_the_diverging_scale_for_signed_outputs():
    torch.manual_seed(0)
    trace = trace_conv2d(torch.rand(1, 6, 6), torch.tensor([[[[1.0, -1.0]]]]))  # signed differences
    frames = _frames(animation_gif(trace))
    assert _count(frames[-1], style.DIVERGING_SCALE[0][1]) > 0  # the bar's bottom, -bound
    assert _count(frames[-1], style.SEQUENTIAL_SCALE[0][1]) == 0


def test_gif_shows_every_dilated_tap():
    trace = trace_conv2d(torch.zeros(1, 9, 9), torch.ones(1, 1, 2, 2), dilation=3)
    frame = _frames(animation_gif(trace))[0]
    ys, xs = np.nonzero(np.all(frame == _hex(style.WINDOW_COLOUR), axis=2))
    cell = TILE_PX // 9
    # the 2×2 taps, 3 cells apart: two separate rows and columns of boxes, not one 4×4 window
    assert set((xs - xs.min()) // cell) == {0, 3} and set((ys - ys.min()) // cell) == {0, 3}


def test_gif_for_the_largest_settings_is_bounded():
    """64 px colour picture padded by 6, 8 kernels of 1×1: all 5776 positions, the cells shrunk to keep the file
    (and the time to draw it) bounded."""
    settings = PlaygroundSettings(
        sample="chelsea",
        side=64,
        colour=True,
        out_channels=8,
        kernel_h=1,
        kernel_w=1,
        padding_h=6,
        padding_w=6,
        preset="random_normal",
    )
    trace = run_playground(settings, build_input(settings))
    assert trace.positions == 76 * 76 == MAX_FRAMES
    gif = animation_gif(trace, frame_ms=31)
    with Image.open(io.BytesIO(gif)) as image:
        assert image.n_frames == trace.positions
        assert max(image.size) < 1200
    assert len(gif) < 8_000_000


def test_the_last_frame_stays_longer(classic):
    with Image.open(io.BytesIO(animation_gif(classic, frame_ms=100))) as image:
        image.seek(image.n_frames - 1)
        assert image.info["duration"] >= 1000


# ---------------------------------------------------------------- CSV


def _rows(trace, oc, oy, ox, lang="en") -> list[list[str]]:
    written = step_csv(trace.step(oc, oy, ox), lang)
    assert written.startswith("\ufeff")  # the byte order mark: Excel reads the Chinese headers right
    return list(csv.reader(io.StringIO(written[1:])))


def test_step_csv_writes_no_negative_zero():
    trace = trace_conv2d(torch.zeros(1, 3, 3), -torch.ones(1, 1, 3, 3))  # every product is 0 × −1
    assert all(cell != "-0" for row in _rows(trace, 0, 0, 0) for cell in row)


@pytest.fixture(scope="module")
def grouped():
    torch.manual_seed(1)
    return trace_conv2d(
        torch.randn(4, 7, 8), torch.randn(6, 2, 3, 2), torch.randn(6), stride=(2, 1), padding=1, dilation=2, groups=2
    )


@pytest.mark.parametrize(("oc", "oy", "ox"), [(0, 0, 0), (4, 1, 3), (5, 1, 5)])
def test_step_csv_products_and_bias_give_the_output(grouped, oc, oy, ox):
    header, *rows = _rows(grouped, oc, oy, ox)
    assert header[0] == text("export.csv.kind", "en") and len(header) == 9
    products = [r for r in rows if r[0] == text("export.csv.kind.product", "en")]
    sums = [r for r in rows if r[0] == text("export.csv.kind.channel_sum", "en")]
    (bias,) = [r for r in rows if r[0] == text("export.csv.kind.bias", "en")]
    (total,) = [r for r in rows if r[0] == text("export.csv.kind.output", "en", oc=oc, oy=oy, ox=ox)]
    assert len(products) == 2 * 3 * 2 and len(sums) == 2  # one row per input channel of the group and kernel cell
    assert {int(r[1]) for r in products} == set(grouped.group_channels(oc))
    value = float(grouped.output[oc, oy, ox])
    assert sum(float(r[8]) for r in products) + float(bias[8]) == pytest.approx(value, abs=1e-5)
    assert sum(float(r[8]) for r in sums) + float(bias[8]) == pytest.approx(value, abs=1e-5)
    assert float(total[8]) == pytest.approx(value, abs=1e-5)
    for r in products:  # each row names the padded input cell and the weight it multiplies
        channel, k_row, k_col, row, col = (int(v) for v in r[1:6])
        assert float(r[6]) == pytest.approx(float(grouped.padded[channel, row, col]), abs=1e-6)
        weight = grouped.weight[oc, channel - grouped.group_channels(oc).start, k_row, k_col]
        assert float(r[7]) == pytest.approx(float(weight), abs=1e-6)
        assert float(r[8]) == pytest.approx(float(r[6]) * float(r[7]), abs=1e-5)
        assert (row, col) == (oy * 2 + 2 * k_row, ox + 2 * k_col)


def test_step_csv_in_chinese(classic):
    header, *rows = _rows(classic, 0, 1, 1, "zh")
    assert header[0] == text("export.csv.kind", "zh")
    assert rows[-1][0] == "输出 y[0,1,1]" and float(rows[-1][8]) == 4


def test_file_names_are_safe():
    assert (
        file_name("feature_maps", "resnet20", "layer1.0.conv1", ext="png") == "feature_maps_resnet20_layer1.0.conv1.png"
    )
    assert file_name("a", "../../etc/passwd", "x#1 y", ext="csv") == "a_etc-passwd_x-1-y.csv"
    assert file_name("", ext="gif") == "vizconv.gif"


# ---------------------------------------------------------------- the pages' buttons


def test_convolution_page_offers_the_gif_and_the_csv():
    at = open_page(CONV, conv_sample="d2l_3x3")
    buttons = {b.key: b for b in at.get("download_button")}
    assert set(buttons) >= {"conv_download_gif", "conv_download_csv"}
    assert buttons["conv_download_gif"].label == text("export.gif", "en")
    assert buttons["conv_download_csv"].label == text("export.csv", "en")


def test_feature_maps_page_offers_the_grid_png():
    at = open_page(FEATURES)
    buttons = {b.key: b for b in at.get("download_button")}
    assert "fm_download_png" in buttons
    assert buttons["fm_download_png"].label == text("export.png", "en")


def test_no_download_button_when_the_settings_are_impossible():
    at = open_page(CONV, conv_groups=2)
    assert at.error
    assert not at.get("download_button")
