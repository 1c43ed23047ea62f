"""The Plotly animation: one frame per window position, frames carry only shapes."""

from __future__ import annotations

import json

import plotly.graph_objects as go
import pytest
import torch

from tests_support import path_area
from vizconv import trace_conv2d
from vizconv.animation import conv_animation, frame_shapes, output_curves


@pytest.fixture
def trace():
    torch.manual_seed(0)
    return trace_conv2d(torch.rand(3, 6, 7), torch.randn(4, 3, 3, 3), torch.randn(4), stride=(1, 2), padding=1)


def test_one_frame_per_output_position(trace):
    figure = conv_animation(trace)
    h_out, w_out = trace.out_size
    assert len(figure["frames"]) == h_out * w_out
    assert len(figure["layout"]["sliders"][0]["steps"]) == h_out * w_out


def test_frames_carry_only_shapes(trace):
    figure = conv_animation(trace)
    for frame in figure["frames"]:
        assert set(frame) == {"name", "layout"}
        assert set(frame["layout"]) == {"shapes"}


def test_window_follows_stride_and_padding(trace):
    # position 5 of a 6 x 4 output is (1, 1): the window starts at padded row 1, column 2
    window = frame_shapes(trace, 5)[0]
    assert window["templateitemname"] == "window"
    assert window["path"] == "M1.5,0.5H4.5V3.5H1.5Z"


def test_dilation_draws_every_tap():
    trace = trace_conv2d(torch.rand(1, 7, 7), torch.ones(1, 1, 2, 2), dilation=3)
    window = frame_shapes(trace, 0)[0]["path"]
    assert window.count("M") == 4
    assert "M2.5,-0.5" in window  # the second tap of the first row sits 3 columns right


def test_cover_hides_exactly_the_cells_not_computed_yet(trace):
    shapes = frame_shapes(trace, 0)
    covers = [s for s in shapes if s["templateitemname"] == "cover"]
    assert len(covers) == trace.out_channels
    # frame i covers the outputs after position i: none on the last frame (and never hidden, see frame_shapes)
    for index in range(trace.positions):
        covers = [s for s in frame_shapes(trace, index) if s["templateitemname"] == "cover"]
        assert [path_area(s["path"]) for s in covers] == [trace.positions - 1 - index] * trace.out_channels
        assert all(s.get("visible", True) for s in covers)
    # every frame has the same shapes in the same order (Plotly leaves stray shapes behind otherwise)
    kinds = [s["templateitemname"] for s in shapes]
    assert all([s["templateitemname"] for s in frame_shapes(trace, i)] == kinds for i in range(trace.positions))


def test_only_the_shape_styles_in_use_are_in_the_template(trace):
    names = [s["name"] for s in conv_animation(trace)["layout"]["template"]["layout"]["shapes"]]
    assert sorted(names) == ["cover", "cursor", "window"]


def test_initial_position_sets_shapes_and_slider(trace):
    figure = conv_animation(trace, position=7)
    assert figure["layout"]["shapes"] == figure["frames"][7]["layout"]["shapes"]
    assert figure["layout"]["sliders"][0]["active"] == 7


def test_padding_and_unreached_cells_are_marked():
    # 6 rows, padding 1 -> 8 padded rows; kernel 3 stride 2 reaches rows 0..6, row 7 is never used
    trace = trace_conv2d(torch.rand(1, 6, 6), torch.ones(1, 1, 3, 3), stride=2, padding=1)
    figure = conv_animation(trace)
    markers = [d for d in figure["data"] if d.get("mode") == "markers" and "meta" not in d]
    assert len(markers) == 1
    assert max(markers[0]["y"]) == 7 and min(markers[0]["y"]) == 0
    assert any(d.get("mode") == "lines" for d in figure["data"])  # outline of the original input


def test_output_curves_map_traces_to_channels(trace):
    figure = conv_animation(trace)
    curves = output_curves(figure)
    assert sorted(curves.values()) == list(range(trace.out_channels))
    for number, oc in curves.items():
        assert figure["data"][number]["type"] == "scatter"
        assert figure["data"][number - 1]["coloraxis"] == "coloraxis2"  # drawn over its heatmap
        assert figure["data"][number]["customdata"][0] == pytest.approx(float(trace.output[oc, 0, 0]), abs=1e-4)


def test_figure_is_valid_plotly(trace):
    """Plotly's own validation accepts the dict we send unvalidated."""
    go.Figure(conv_animation(trace))


def test_animation_json_is_small_for_a_28x28x3_input():
    """Design target: 28x28x3 input, 3x3 kernel, 4 kernels -> 676 frames well under 2 MB."""
    trace = trace_conv2d(torch.rand(3, 28, 28), torch.randn(4, 3, 3, 3))
    size = len(json.dumps(conv_animation(trace)))
    assert len(conv_animation(trace)["frames"]) == 676
    assert size < 2_000_000


def test_input_titles_say_padded_only_when_there_is_padding():
    def titles(**kwargs):
        figure = conv_animation(trace_conv2d(torch.rand(2, 5, 5), torch.ones(1, 2, 3, 3), **kwargs))
        return [a["text"] for a in figure["layout"]["annotations"] if a["text"].startswith("input")]

    assert titles() == ["input channel 0", "input channel 1"]
    assert titles(padding=1) == ["input channel 0<br>(padded)", "input channel 1<br>(padded)"]  # two a row
    one = conv_animation(trace_conv2d(torch.rand(1, 5, 5), torch.ones(1, 1, 3, 3), padding=1))
    assert one["layout"]["annotations"][0]["text"] == "input channel 0 (padded)"  # alone on its row: one line


def _subplot_rows(figure: dict) -> list[int]:
    """How many subplots share each row of the figure, top to bottom (from the y axes' domains)."""
    tops = [axis["domain"][1] for name, axis in figure["layout"].items() if name.startswith("yaxis")]
    return [tops.count(top) for top in sorted(set(tops), reverse=True)]


@pytest.mark.parametrize(
    "shape, whole, out_channels, padding, rows, values",
    [
        ((3, 5, 5), True, 2, 1, [3, 2], [True, True]),  # CS231n: 3 inputs of 7 padded cells a row, digits legible
        ((3, 5, 5), False, 2, 1, [2, 1, 2], [True, True]),  # "0.37" needs wider cells: two a row
        ((4, 6, 6), True, 4, 1, [2, 2, 2, 2], [True, True]),  # four a row would write them in 8 px type
        ((1, 28, 28), False, 4, 0, [1, 4], [False, False]),  # a picture: no values, as many as the rule of 4
        ((3, 14, 14), True, 2, 1, [2, 1, 2], [True, False]),  # 16 cells: digits legible two a row, sums not
        ((3, 14, 14), False, 2, 1, [3, 2], [False, False]),  # decimals would need one a row: 5 rows, too tall
    ],
)
def test_subplots_a_row_leave_room_for_legible_values(shape, whole, out_channels, padding, rows, values):
    torch.manual_seed(0)
    x = torch.randint(0, 10, shape).float() if whole else torch.rand(*shape)
    figure = conv_animation(trace_conv2d(x, torch.ones(out_channels, shape[0], 3, 3), padding=padding))
    assert _subplot_rows(figure) == rows
    assert figure["layout"]["meta"]["values"] == values
    written = [d["xaxis"] for d in figure["data"] if d["type"] == "heatmap" and "texttemplate" in d]
    assert len(written) == values[0] * shape[0] + values[1] * out_channels


def test_the_transposed_scatter_view_writes_only_legible_values():
    """Four 11×11 canvases (stride 3, dilation 2): two a row would write their decimals in 7 px type, one a row
    takes five rows; so four a row, the input's values written, the canvases' values left to the hover."""
    from vizconv.transposed import trace_conv_transpose2d
    from vizconv.transposed_animation import scatter_animation

    trace = trace_conv_transpose2d(torch.rand(1, 3, 3), torch.ones(1, 4, 3, 3), stride=3, dilation=2)
    assert trace.canvas.shape[1:] == (11, 11)
    figure = scatter_animation(trace)
    assert _subplot_rows(figure) == [1, 4]
    assert figure["layout"]["meta"]["values"] == [True, False]
    assert figure["layout"]["meta"]["unread"] == "hatch"  # 9-px cells: the cells stride 3 skips are hatched
