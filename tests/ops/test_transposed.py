"""trace_conv_transpose2d against torch, its two views, the scatter animation and the Transposed convolution page."""

from __future__ import annotations

import json

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from tests_support import TCONV, animator_data, metric, open_page, run_script
from vizconv import ParameterError
from vizconv.ops.transposed import (
    COVERAGE,
    EXAMPLES,
    conv_transpose_output_size,
    layer_weight,
    line_coverage,
    partial_canvases,
    trace_conv_transpose2d,
)
from vizconv.viz.animator import Opening, decode_float32, equivalent_animator_data, scatter_animator_data
from vizconv.viz.formulas import transposed_output_size_latex
from vizconv.viz.torch_code import check_transpose_with_torch, conv_transpose2d_script, run_transpose_code


@st.composite
def tconv_configs(draw):
    """Random shapes and settings, sometimes ones torch rejects (output padding, empty outputs)."""
    groups = draw(st.integers(1, 3))
    pair = st.tuples
    return {
        "c_in": groups * draw(st.integers(1, 2)),
        "per_group": draw(st.integers(1, 2)),
        "groups": groups,
        "kernel": draw(pair(st.integers(1, 4), st.integers(1, 4))),
        "size": draw(pair(st.integers(1, 5), st.integers(1, 5))),
        "stride": draw(pair(st.integers(1, 3), st.integers(1, 3))),
        "padding": draw(pair(st.integers(0, 3), st.integers(0, 3))),
        "output_padding": draw(pair(st.integers(0, 3), st.integers(0, 3))),
        "dilation": draw(pair(st.integers(1, 3), st.integers(1, 3))),
        "bias": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**16)),
    }


def _tensors(config):
    torch.manual_seed(config["seed"])
    x = torch.randn(config["c_in"], *config["size"])
    weight = torch.randn(config["c_in"], config["per_group"], *config["kernel"])
    bias = torch.randn(config["per_group"] * config["groups"]) if config["bias"] else None
    return x, weight, bias


def _settings(config):
    return {k: config[k] for k in ("stride", "padding", "output_padding", "groups", "dilation")}


def _reference(config):
    """F.conv_transpose2d's output, or None where torch refuses.

    With groups > 1 torch skips its "output size is too small" check and returns an empty tensor for a zero
    output size (with groups = 1 it raises); an empty output counts as refused, as for every other layer here.
    """
    x, weight, bias = _tensors(config)
    try:
        expected = F.conv_transpose2d(x[None], weight, bias, **_settings(config))[0]
    except (RuntimeError, ValueError):
        return None
    return expected if expected.numel() else None


@given(tconv_configs())
def test_matches_conv_transpose2d_or_both_reject(config):
    """Where torch computes an output ours is equal (both views); where torch refuses, ours raises ParameterError."""
    expected = _reference(config)
    x, weight, bias = _tensors(config)
    if expected is None:
        with pytest.raises(ParameterError):
            trace_conv_transpose2d(x, weight, bias, **_settings(config))
        return
    trace = trace_conv_transpose2d(x, weight, bias, **_settings(config))
    assert trace.output.shape == expected.shape
    torch.testing.assert_close(trace.output, expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(trace.equivalent.output, trace.output, rtol=1e-5, atol=1e-5)
    (h_out, w_out), (h, w) = trace.out_size, config["size"]
    assert h_out == conv_transpose_output_size(
        h, config["kernel"][0], config["stride"][0], config["padding"][0], config["output_padding"][0],
        config["dilation"][0],
    )  # fmt: skip
    assert w_out == conv_transpose_output_size(
        w, config["kernel"][1], config["stride"][1], config["padding"][1], config["output_padding"][1],
        config["dilation"][1],
    )  # fmt: skip


@given(tconv_configs(), st.data())
def test_contributions_sum_to_the_output(config, data):
    """Any output value is the sum of its scatter contributions plus the bias."""
    if _reference(config) is None:
        return
    x, weight, bias = _tensors(config)
    trace = trace_conv_transpose2d(x, weight, bias, **_settings(config))
    c_out, h_out, w_out = trace.output.shape
    oc, oy, ox = (data.draw(st.integers(0, n - 1)) for n in (c_out, h_out, w_out))
    terms = trace.contributions(oc, oy, ox)
    for term in terms:
        assert term.value == float(x[term.ic, term.iy, term.ix])
        assert term.weight == float(weight[term.ic, oc % config["per_group"], term.ky, term.kx])
        assert term.ic in trace.group_inputs(oc)
    total = sum(term.product for term in terms) + trace.bias_of(oc)
    assert total == pytest.approx(float(trace.output[oc, oy, ox]), rel=1e-4, abs=1e-4)


@given(tconv_configs(), st.data())
def test_scatter_writes_value_times_kernel_onto_the_canvas(config, data):
    """Adding every scatter's contribution at its rows and columns rebuilds the uncropped canvas."""
    if _reference(config) is None:
        return
    x, weight, bias = _tensors(config)
    trace = trace_conv_transpose2d(x, weight, bias, **_settings(config))
    rebuilt = torch.zeros_like(trace.canvas)
    for ic in range(trace.in_channels):
        for index in range(trace.positions):
            scatter = trace.scatter(ic, *trace.position(index))
            channels = list(scatter.output_channels)
            rebuilt[channels[0] : channels[-1] + 1, scatter.rows[:, None], scatter.cols[None, :]] += (
                scatter.contribution
            )
    torch.testing.assert_close(rebuilt, trace.canvas, rtol=1e-5, atol=1e-5)
    ic = data.draw(st.integers(0, trace.in_channels - 1))
    iy, ix = data.draw(st.integers(0, config["size"][0] - 1)), data.draw(st.integers(0, config["size"][1] - 1))
    scatter = trace.scatter(ic, iy, ix)
    (ph, pw), (h_out, w_out) = trace.padding, trace.out_size
    assert scatter.row_inside.tolist() == [ph <= r < ph + h_out for r in scatter.rows.tolist()]
    assert scatter.col_inside.tolist() == [pw <= c < pw + w_out for c in scatter.cols.tolist()]
    torch.testing.assert_close(scatter.out_rows, scatter.rows - ph)


def test_dive_into_deep_learning_example():
    """D2L §14.10: X = [[0, 1], [2, 3]], K = [[0, 1], [2, 3]] -> [[0, 0, 1], [0, 4, 6], [4, 12, 9]]."""
    example = EXAMPLES["d2l_2x2"]
    trace = trace_conv_transpose2d(torch.tensor(example.grid), torch.tensor(example.weight))
    assert trace.output[0].tolist() == [[0.0, 0.0, 1.0], [0.0, 4.0, 6.0], [4.0, 12.0, 9.0]]
    scatter = trace.scatter(0, 1, 1)  # the 3 stamps [[0, 3], [6, 9]] at rows 1-2, columns 1-2
    assert scatter.value == 3.0
    assert scatter.contribution[0].tolist() == [[0.0, 3.0], [6.0, 9.0]]
    assert scatter.rows.tolist() == [1, 2] and scatter.inside.all()
    assert sorted((c.iy, c.ix, c.product) for c in trace.contributions(0, 1, 1)) == [
        (0, 0, 0.0),
        (0, 1, 2.0),
        (1, 0, 2.0),
        (1, 1, 0.0),
    ]


def test_equivalent_convolution_is_zero_inserted_padded_and_flipped():
    """Dumoulin & Visin fig. 4.5: 2x2 input, stride 2 -> 3x3 zero-inserted, padded by 2 -> 7x7, output 5x5."""
    x = torch.tensor([[[1.0, 2.0], [3.0, 4.0]]])
    weight = torch.arange(9.0).reshape(1, 1, 3, 3)
    trace = trace_conv_transpose2d(x, weight, stride=2)
    assert trace.zero_inserted[0].tolist() == [[1.0, 0.0, 2.0], [0.0, 0.0, 0.0], [3.0, 0.0, 4.0]]
    assert trace.equivalent_padding == (2, 2, 2, 2)
    assert tuple(trace.equivalent.padded.shape) == (1, 7, 7)
    assert trace.out_size == (5, 5)
    torch.testing.assert_close(trace.equivalent_weight[0, 0], weight[0, 0].flip(0, 1))
    step = trace.equivalent.step(0, 2, 2)
    assert step.value == pytest.approx(float(trace.output[0, 2, 2]))


def test_equivalent_padding_is_negative_when_padding_exceeds_the_kernel_span():
    """Padding 2 with a 3x3 kernel: d(k-1) - p = 0; padding 3 with output padding 1 crops the zero-inserted input."""
    x = torch.rand(2, 4, 4)
    weight = torch.randn(2, 3, 3, 3)
    trace = trace_conv_transpose2d(x, weight, stride=3, padding=3, output_padding=1)
    assert trace.equivalent_padding == (-1, 0, -1, 0)
    assert trace.equivalent.pads == (0, 0, 0, 0)
    assert tuple(trace.equivalent.input.shape) == (2, 9, 9)  # 10 x 10 zero-inserted, first row/column cropped
    torch.testing.assert_close(trace.equivalent.output, trace.output)
    expected = F.conv_transpose2d(x[None], weight, stride=3, padding=3, output_padding=1)[0]
    torch.testing.assert_close(trace.output, expected)


def test_grouped_channels():
    trace = trace_conv_transpose2d(torch.rand(4, 3, 3), torch.rand(4, 3, 2, 2), groups=2)
    assert trace.out_channels == 6
    assert tuple(trace.group_outputs(1)) == (0, 1, 2) and tuple(trace.group_outputs(2)) == (3, 4, 5)
    assert tuple(trace.group_inputs(4)) == (2, 3)
    assert trace.scatter(3, 0, 0).output_channels == (3, 4, 5)
    assert tuple(trace.equivalent_weight.shape) == (6, 2, 2, 2)


def test_counts_and_the_output_size_helper():
    trace = trace_conv_transpose2d(torch.zeros(3, 4, 4), torch.zeros(3, 2, 3, 3), torch.zeros(2), stride=2, padding=1)
    assert trace.param_count == 3 * 2 * 9 + 2
    assert trace.positions == 16
    assert trace.mult_adds == 3 * 16 * 2 * 9
    assert conv_transpose_output_size(4, 3, stride=2, padding=1) == 7 == trace.out_size[0]
    assert conv_transpose_output_size(4, 3, stride=2, padding=1, output_padding=1) == 8


def test_gaps_between_stamps_are_never_written():
    """Stride 3 with a 2x2 kernel: every third row and column receives nothing (only the bias)."""
    trace = trace_conv_transpose2d(torch.ones(1, 2, 2), torch.ones(1, 1, 2, 2), torch.tensor([5.0]), stride=3)
    assert trace.out_size == (5, 5)
    assert not trace.written[2].any() and not trace.written[:, 2].any()
    assert trace.contributions(0, 2, 0) == []
    assert float(trace.output[0, 2, 0]) == 5.0


def test_integer_input_is_accepted_as_float():
    trace = trace_conv_transpose2d(torch.ones(1, 2, 2, dtype=torch.int64), torch.ones(1, 1, 2, 2))
    assert trace.output.dtype == torch.float32
    assert trace.output[0].tolist() == [[1.0, 2.0, 1.0], [2.0, 4.0, 2.0], [1.0, 2.0, 1.0]]


_X, _W = torch.zeros(2, 3, 3), torch.zeros(2, 1, 3, 3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"stride": 1, "output_padding": 1}, r"Output padding 1 \(rows\) must be smaller than the stride \(1\)"),
        ({"stride": (2, 1), "output_padding": (1, 1)}, r"\(columns\) must be smaller"),
        ({"stride": 2, "output_padding": 2}, "Use at most 1"),
        ({"padding": 3}, r"\(3 − 1\)·1 − 2·3 \+ 1·\(3 − 1\) \+ 0 \+ 1 = -1"),
        ({"padding": 3}, "padding of at most 2"),
        ({"groups": 3}, "2 input channels cannot be split into 3"),
        ({"weight": torch.zeros(3, 1, 3, 3)}, "starts with 3, but the input has 2 channels"),
        ({"bias": torch.zeros(3)}, r"bias has 3 values, but there are 2 output channels \(1 per group × 2"),
        ({"stride": 0}, "stride must be at least 1"),
        ({"padding": -1}, "padding must be at least 0"),
        ({"output_padding": -1}, "output_padding must be at least 0"),
        ({"dilation": 0}, "dilation must be at least 1"),
        ({"groups": 0}, "groups must be at least 1"),
        ({"stride": 1.5}, "whole number"),
        ({"padding": "same"}, "whole number"),
        ({"stride": (1, 2, 3)}, "pair"),
        ({"x": torch.zeros(3, 3)}, r"\[C_in, H, W\]"),
        ({"weight": torch.zeros(2, 1, 3)}, r"\[C_in, C_out/groups, kH, kW\]"),
        ({"weight": torch.zeros(2, 0, 3, 3)}, "empty"),
        ({"x": "pixels"}, "real numbers"),
    ],
)
def test_invalid_parameters_are_explained(kwargs, match):
    arguments = {"x": _X, "weight": _W, "groups": 2, **kwargs}
    with pytest.raises(ParameterError, match=match):
        trace_conv_transpose2d(**arguments)


def test_positions_outside_are_value_errors():
    trace = trace_conv_transpose2d(torch.zeros(1, 2, 2), torch.zeros(1, 1, 3, 3))
    with pytest.raises(ValueError, match="outside the input"):
        trace.scatter(0, 2, 0)
    with pytest.raises(ValueError, match="outside the output"):
        trace.contributions(0, 0, 4)
    with pytest.raises(ParameterError):
        conv_transpose_output_size(1, 1, stride=2, padding=1)


def test_layer_weight_presets():
    assert tuple(layer_weight("ones", 2, 4, 2, 3).shape) == (2, 2, 3, 3)
    bilinear = layer_weight("bilinear", 1, 1, 1, 4)[0, 0]
    assert bilinear[0].tolist() == pytest.approx([0.0625, 0.1875, 0.1875, 0.0625])
    # bilinear kernel 4, stride 2, padding 1: a constant image stays constant inside
    trace = trace_conv_transpose2d(torch.ones(1, 4, 4), layer_weight("bilinear", 1, 1, 1, 4), stride=2, padding=1)
    assert trace.output[0, 1:-1, 1:-1].eq(1.0).all()
    assert layer_weight("example", 1, 1, 1, 2, example="d2l_2x2")[0, 0].tolist() == [[0.0, 1.0], [2.0, 3.0]]
    with pytest.raises(ParameterError, match="3 output channels cannot be split into 2"):
        layer_weight("ones", 2, 3, 2, 3)


def test_formula_with_the_students_numbers():
    latex = transposed_output_size_latex("H", 4, 3, 2, 1, 1, 1)
    assert r"(4 - 1) \cdot 2 - 2 \cdot 1 + 1 \cdot (3 - 1) + 1 + 1" in latex
    assert latex.endswith(r"= 8 \end{aligned}")
    assert conv_transpose_output_size(4, 3, 2, 1, 1, 1) == 8


def test_torch_code_reproduces_the_trace():
    trace = trace_conv_transpose2d(
        torch.rand(2, 3, 4), torch.randn(2, 2, 3, 2), torch.randn(4), stride=(2, 3), padding=1, output_padding=(1, 2),
        groups=2, dilation=(1, 2),
    )  # fmt: skip
    assert check_transpose_with_torch(trace) < 1e-5
    torch.testing.assert_close(run_transpose_code(trace), trace.output, rtol=1e-5, atol=1e-5)


@given(tconv_configs())
def test_the_script_runs_as_copied_and_gives_conv_transpose2d(config):
    """The page's script, with its imports and every value written out, gives F.conv_transpose2d's output."""
    expected = _reference(config)
    if expected is None:  # torch refuses: the page explains, shows no code
        return
    trace = trace_conv_transpose2d(*_tensors(config), **_settings(config))
    script = conv_transpose2d_script(trace, max_values=None)
    assert "torch.rand" not in script and script.startswith("import torch\n")
    torch.testing.assert_close(run_script(script), expected, rtol=0, atol=1e-5)


def test_the_script_names_every_setting_and_prints_the_output():
    trace = trace_conv_transpose2d(
        torch.rand(2, 3, 4), torch.randn(2, 2, 3, 2), torch.randn(4), stride=(2, 3), padding=1, output_padding=(1, 2),
        groups=2, dilation=(1, 2),
    )  # fmt: skip
    script = conv_transpose2d_script(trace)
    for fragment in (
        "x = torch.tensor(",
        "weight = torch.tensor(",
        "bias = torch.tensor(",
        "nn.ConvTranspose2d(",
        "in_channels=2, out_channels=4, kernel_size=(3, 2)",
        "stride=(2, 3), padding=1, output_padding=(1, 2)",
        "groups=2, bias=True, dilation=(1, 2)",
        "print(y)",
    ):
        assert fragment in script
    printed = []
    namespace: dict = {"print": printed.append}
    exec(script, namespace)  # our own generated code
    torch.testing.assert_close(printed[0], trace.output, rtol=0, atol=1e-5)
    assert "bias =" not in conv_transpose2d_script(trace_conv_transpose2d(torch.rand(1, 2, 2), torch.rand(1, 1, 2, 2)))


# ---------------------------------------------------------------- which output rows and columns are written


@st.composite
def axis_configs(draw):
    """One axis of a layer torch accepts (output size at least 1), and one of its output rows."""
    size, kernel = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    stride, dilation = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    output_padding = draw(st.integers(0, max(stride, dilation) - 1))
    written = (size - 1) * stride + dilation * (kernel - 1) + 1
    padding = draw(st.integers(0, (written + output_padding - 1) // 2))
    out = written + output_padding - 2 * padding
    index = draw(st.integers(0, out - 1))
    return {
        "index": index, "size": size, "kernel": kernel, "stride": stride, "padding": padding,
        "output_padding": output_padding, "dilation": dilation,
    }  # fmt: skip


def _brute_force(index, size, kernel, stride, padding, output_padding, dilation):
    """Every (input, kernel) pair that lands on the row, and where the row lies among the stamps' taps."""
    line = index + padding
    reached = {i * stride + dilation * k for i in range(size) for k in range(kernel)}
    taps = sorted((i, k) for i in range(size) for k in range(kernel) if i * stride + dilation * k == line)
    if taps:
        return "written", taps
    if line > max(reached):
        return "output_padding", taps
    inside_a_stamp = any(i * stride <= line <= i * stride + dilation * (kernel - 1) for i in range(size))
    return ("dilation_gap" if inside_a_stamp else "stride_gap"), taps


@given(axis_configs())
def test_line_coverage_agrees_with_every_input_and_kernel_pair(config):
    """Written: exactly the (i, k) pairs with i·s + d·k = row + padding; else the first line past every tap is
    output padding, a line inside some stamp's span a dilation gap, and a line between stamps a stride gap."""
    coverage = line_coverage(**config)
    kind, taps = _brute_force(**config)
    assert coverage.kind == kind and list(coverage.taps) == taps
    assert coverage.index == config["index"] and coverage.line == config["index"] + config["padding"]
    stride, dilation, kernel = config["stride"], config["dilation"], config["kernel"]
    if kind == "stride_gap":  # only a stride larger than a stamp's span leaves lines between stamps
        assert stride > dilation * (kernel - 1) + 1
        source = coverage.source
        assert source * stride + dilation * (kernel - 1) < coverage.line < (source + 1) * stride
        assert source + 1 < config["size"]
    elif kind == "dilation_gap":  # a tap of the stamp of input `source` lies on each side
        assert dilation > 1 and kernel > 1
        offset = coverage.line - coverage.source * stride
        assert 0 < offset < dilation * (kernel - 1) and offset % dilation
    elif kind == "output_padding":  # only output padding makes the output reach past the last tap
        assert config["output_padding"] > 0 and coverage.source is None
    assert coverage.kind in COVERAGE


@given(tconv_configs(), st.data())
def test_a_cell_is_written_exactly_when_its_row_and_column_are(config, data):
    """trace.coverage against torch itself: ones through F.conv_transpose2d count the terms of every cell."""
    if _reference(config) is None:
        return
    x, weight, bias = _tensors(config)
    trace = trace_conv_transpose2d(x, weight, bias, **_settings(config))
    counts = F.conv_transpose2d(torch.ones(1, *x.shape), torch.ones_like(weight), **_settings(config))[0]
    oc = data.draw(st.integers(0, trace.out_channels - 1))
    oy, ox = data.draw(st.integers(0, trace.out_size[0] - 1)), data.draw(st.integers(0, trace.out_size[1] - 1))
    row, col = trace.coverage(oy, ox)
    written = row.kind == col.kind == "written"
    assert written == bool(trace.contributions(oc, oy, ox)) == bool(counts[oc, oy, ox] > 0)
    per_group = config["c_in"] // config["groups"]
    assert len(trace.contributions(oc, oy, ox)) == per_group * len(row.taps) * len(col.taps) == counts[oc, oy, ox]


@pytest.mark.parametrize(
    ("settings", "index", "kind", "source"),
    [
        # the audit's link: stride = kernel = 3, so no gap; row 8 is output padding (canvas rows 0-8 written)
        ({"size": 3, "kernel": 3, "stride": 3, "padding": 1, "output_padding": 2}, 8, "output_padding", None),
        ({"size": 3, "kernel": 3, "stride": 3, "padding": 1, "output_padding": 2}, 7, "written", None),
        ({"size": 2, "kernel": 1, "stride": 2}, 1, "stride_gap", 0),  # stamps at 0 and 2
        ({"size": 3, "kernel": 2, "stride": 4}, 3, "stride_gap", 0),  # stamps 0-1, 4-5, 8-9: 2 and 3 empty
        ({"size": 2, "kernel": 2, "dilation": 3}, 2, "dilation_gap", 1),  # taps 0, 3 and 1, 4
        ({"size": 1, "kernel": 3, "dilation": 2, "padding": 1}, 0, "dilation_gap", 0),  # taps 0, 2, 4; row 0 = line 1
        ({"size": 2, "kernel": 1, "stride": 1, "dilation": 2, "output_padding": 1}, 2, "output_padding", None),
    ],
)
def test_line_coverage_examples(settings, index, kind, source):
    coverage = line_coverage(index, **settings)
    assert (coverage.kind, coverage.source) == (kind, source)


def test_line_coverage_rejects_what_torch_rejects():
    with pytest.raises(ParameterError, match="outside the output"):
        line_coverage(5, size=2, kernel=2, stride=2)  # output 4 rows
    with pytest.raises(ParameterError, match="must be smaller than the stride"):
        line_coverage(0, size=2, kernel=2, stride=2, output_padding=2)
    with pytest.raises(ParameterError, match="at least 0"):
        line_coverage(-1, size=2, kernel=2)
    trace = trace_conv_transpose2d(torch.ones(1, 2, 2), torch.ones(1, 1, 2, 2))
    with pytest.raises(ParameterError, match="outside the output"):
        trace.coverage(0, 3)


# ---------------------------------------------------------------- the scatter animation


@pytest.fixture
def trace():
    torch.manual_seed(0)
    return trace_conv_transpose2d(
        torch.randint(0, 5, (2, 3, 4)).float(), torch.randn(2, 3, 3, 3), torch.randn(3), stride=2, padding=1,
        output_padding=1,
    )  # fmt: skip


def _running_sums(trace) -> list[torch.Tensor]:
    """The uncropped canvas after input positions 0..i, i = 0, 1, ...: trace.scatter's contributions added up."""
    canvas, sums = torch.zeros_like(trace.canvas), []
    for index in range(trace.positions):
        for ic in range(trace.in_channels):
            scatter = trace.scatter(ic, *trace.position(index))
            channels = list(scatter.output_channels)
            canvas[channels[0] : channels[-1] + 1, scatter.rows[:, None], scatter.cols[None, :]] += scatter.contribution
        sums.append(canvas.clone())
    return sums


@given(tconv_configs())
def test_partial_canvases_add_the_scatters_position_by_position(config):
    """partial_canvases[i] is the sum of trace.scatter's contributions of input positions 0..i (any settings)."""
    if _reference(config) is None:
        return
    trace = trace_conv_transpose2d(*_tensors(config), **_settings(config))
    partial = partial_canvases(trace)
    assert partial.shape == (trace.positions, *trace.canvas.shape)
    torch.testing.assert_close(partial.float(), torch.stack(_running_sums(trace)), rtol=1e-5, atol=1e-5)


def test_the_scatter_animators_data_is_the_layer_and_its_colours_cover_every_running_sum(trace):
    """The browser computes the stamps and running sums from the input and the weight: both travel exactly, with
    the canvas's geometry; one colour range covers every partial sum and the output, so colours do not jump."""
    data = scatter_animator_data(trace, Opening(position=5, channel=1))
    assert (data["kind"], data["position"], data["channel"]) == ("scatter", 5, 1)
    g = data["geometry"]
    assert (g["canvas_height"], g["canvas_width"]) == tuple(trace.canvas.shape[1:])
    assert (g["padding"], g["output_padding"], g["per_group_out"]) == ([1, 1], [1, 1], 3)
    assert torch.equal(torch.from_numpy(decode_float32(data["input"], tuple(trace.input.shape)).copy()), trace.input)
    weight = decode_float32(data["weight"], tuple(trace.weight.shape))
    assert torch.equal(torch.from_numpy(weight.copy()), trace.weight)
    low, high = data["colours"]["output_range"]
    values = torch.cat([partial_canvases(trace).flatten().float(), trace.output.flatten()])
    assert low <= float(values.min()) and float(values.max()) <= high
    json.dumps(data, allow_nan=False)


def test_integer_partial_sums():
    """Dumoulin & Visin's example: the centre cell holds 1 after input (0, 0), 1 + 2 after (0, 1), 10 in the end."""
    example = EXAMPLES["dumoulin_stride2"]
    trace = trace_conv_transpose2d(torch.tensor(example.grid).float(), torch.tensor(example.weight).float(), stride=2)
    rows = partial_canvases(trace)[:, 0, 2].tolist()  # canvas row 2, position by position
    assert rows == [[1, 0, 1, 0, 0], [1, 0, 3, 0, 2], [4, 0, 6, 0, 2], [4, 0, 10, 0, 6]]
    assert scatter_animator_data(trace)["integral"] is True


def test_the_largest_page_settings_send_little():
    """The largest input, layer and kernel the page offers: the scatter view's data stays small (the Plotly
    figure it replaced carried every running sum, or only shapes, up to 600 kB): mostly the output torch
    computed (4 × 33 × 33 values), which the last step shows."""
    torch.manual_seed(0)
    trace = trace_conv_transpose2d(
        torch.randint(0, 4, (3, 6, 6)).float(), torch.randn(3, 4, 5, 5), torch.randn(4),
        stride=4, output_padding=3, dilation=3,
    )  # fmt: skip
    assert len(json.dumps(scatter_animator_data(trace))) < 50_000
    assert len(json.dumps(equivalent_animator_data(trace))) < 80_000


@pytest.mark.parametrize("settings", [{"stride": 2}, {"stride": (3, 1), "padding": 1}, {"stride": 2, "padding": 3}])
def test_the_equivalent_view_marks_exactly_the_inserted_zeros(settings):
    """The equivalent convolution's input: every cell on an inserted row or column (inside the padding) holds 0,
    and the others inside hold the input's values in order; a padding larger than d·(k − 1) crops."""
    x = torch.arange(1.0, 10.0).reshape(1, 3, 3)
    trace = trace_conv_transpose2d(x, torch.ones(1, 1, 3, 3), **settings)
    data = equivalent_animator_data(trace)
    g = data["geometry"]
    padded = trace.equivalent.padded[0]
    top, _, left, _ = g["pads"]
    inside = padded[top : top + g["height"], left : left + g["width"]]
    rows = torch.tensor(g["inserted_rows"][top : top + g["height"]])
    cols = torch.tensor(g["inserted_cols"][left : left + g["width"]])
    inserted = rows[:, None] | cols[None, :]
    assert bool((inside[inserted] == 0).all())
    kept = inside[~inserted]
    assert kept.tolist() == sorted(kept.tolist()) and set(kept.tolist()) <= set(x.flatten().tolist())
    assert int(inserted.sum()) > 0
    assert torch.equal(torch.from_numpy(decode_float32(data["output"], tuple(trace.output.shape)).copy()), trace.output)


# ---------------------------------------------------------------- the page

PAGE = TCONV


def test_page_renders_with_defaults():
    at = open_page(PAGE)
    assert not at.error
    assert metric(at, "Output") == "[1, 5, 5]"
    data = animator_data(at)  # the live animator's scatter view: one step per input position
    assert data["kind"] == "scatter" and data["position"] == 0 and data["channel"] == 0
    g = data["geometry"]
    assert (g["height"], g["width"], g["canvas_height"], g["canvas_width"]) == (2, 2, 5, 5)
    assert data["input"].tolist() == [[[1.0, 2.0], [3.0, 4.0]]]  # the example, Dumoulin & Visin's 2×2
    assert data["output"].shape == (1, 5, 5)
    assert any("same output" in s.value for s in at.success)
    latex = " ".join(element.body for element in at.get("latex"))
    assert "= 5" in latex and r"\times" in latex


def test_changing_the_stride_changes_the_output_shape():
    at = open_page(PAGE)
    at.number_input(key="tconv_stride").set_value(3).run()
    assert not at.exception
    assert metric(at, "Output") == "[1, 6, 6]"


def test_the_examples_kernel_that_no_longer_fits_is_said_to_be_replaced():
    at = open_page(PAGE)
    assert not any("own kernel" in i.value for i in at.info)  # the example's own 3×3 kernel is in use
    at.number_input(key="tconv_kernel").set_value(5).run()
    assert not at.exception
    assert any("The example's own kernel is 1×1×3×3, but this layer needs 1×1×5×5" in i.value for i in at.info)


def test_the_scatter_caption_names_padding_only_when_there_is_some():
    at = open_page(PAGE)
    captions = lambda: " ".join(c.value for c in at.caption)  # noqa: E731
    assert "Shaded rows" not in captions() and "Output padding" not in captions()  # the example: neither
    at.number_input(key="tconv_padding").set_value(1).run()
    assert "removed by padding 1" in captions() and "Output padding" not in captions()
    at.number_input(key="tconv_output_padding").set_value(1).run()
    assert not at.exception
    assert "Output padding 1 adds that many rows" in captions()


def test_equivalent_view_renders_a_chart():
    at = open_page(PAGE)
    at.radio(key="tconv_view").set_value("equivalent").run()
    assert not at.exception and not at.error
    data = animator_data(at)  # an ordinary convolution over the padded zero-inserted input
    assert data["kind"] == "conv" and data["geometry"]["out_height"] * data["geometry"]["out_width"] == 25
    assert data["geometry"]["inserted_rows"] == [False, False, False, True, False, False, False]
    assert any(r"\mathbf{" in element.body for element in at.get("latex"))


def test_equivalent_view_steps_like_the_scatter_view():
    """◀ ▶ (and their ← → shortcuts) and a clicked output cell move the equivalent view's step panel too."""
    at = open_page(PAGE)
    at.radio(key="tconv_view").set_value("equivalent").run()
    before = [element.body for element in at.get("latex")]
    at.button(key="tconv_eq_forward").click().run()
    assert not at.exception
    assert at.session_state["tconv_eq_position"] == 1
    assert [element.body for element in at.get("latex")] != before
    at.button(key="tconv_eq_back").click().run()
    at.button(key="tconv_eq_back").click().run()  # wraps around to the last output cell
    assert at.session_state["tconv_eq_position"] == 24


def test_random_input_with_groups():
    at = open_page(PAGE, tconv_source="random", tconv_channels=2, tconv_groups=2, tconv_out_channels=4, tconv_bias=True)
    assert not at.error
    assert metric(at, "Weight") == "[2, 2, 3, 3]"


def test_impossible_output_padding_shows_a_message():
    at = open_page(PAGE, tconv_output_padding=2)  # stride 2, dilation 1: output padding must be 0 or 1
    assert any("must be smaller than the stride" in e.value for e in at.error), [e.value for e in at.error]
    assert not at.get("bidi_component")
