"""The "More convolutions" view against torch: the 1-D layer (F.conv1d, causal padding too), the 3-D layer
(F.conv3d), the separable pair's shapes and counts (sum(p.numel()), forward hooks), the WaveNet stack, the figures'
shapes and the numbers the page's teaching notes state."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from vizconv.errors import MessageError, ParameterError
from vizconv.i18n.strings import LANGUAGES, text
from vizconv.ops.separable import count_mult_adds, separable_modules
from vizconv.views import more_conv as view


def _values(**changes) -> dict:
    return {**view.DEFAULTS, **changes}


# ---------------------------------------------------------------- 1-D


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"padding_kind": "number", "padding": 2, "stride": 2},
        {"padding_kind": "same", "kernel": 4, "dilation": 2},
        {"padding_kind": "valid", "kernel": 5, "preset": "edge"},
        {"padding_kind": "causal", "dilation": 3, "kernel": 2, "preset": "random", "seed": 7},
        {"in_channels": 4, "out_channels": 2, "groups": 2, "source": "chirp", "length": 40, "preset": "random"},
        {"source": "step", "in_channels": 3, "out_channels": 3, "groups": 3, "preset": "edge"},
        {"source": "typed", "typed": "1, 2; 3 −4 5", "padding_kind": "causal"},
    ],
)
def test_the_1d_layer_is_conv1d(changes):
    values = _values(**changes)
    x = view.build_sequence(values)
    trace = view.run_1d(values, x)
    weight = view.weight_1d(values, x.shape[0])
    kind = values["padding_kind"]
    k, d = values["kernel"], values["dilation"]
    groups, stride = values["groups"], values["stride"]
    if kind == "causal":  # nn.Conv1d has no causal padding: pad d·(k − 1) on the left by hand
        expected = F.conv1d(F.pad(x[None], (d * (k - 1), 0)), weight, stride=stride, dilation=d, groups=groups)
    else:
        padding = values["padding"] if kind == "number" else kind
        expected = F.conv1d(x[None], weight, stride=stride, padding=padding, dilation=d, groups=groups)
    torch.testing.assert_close(trace.output, expected[0])
    # the animator's one-row trace and its step panel compute the same numbers
    flat = trace.as_2d()
    torch.testing.assert_close(flat.output[:, 0], trace.output)
    for i in range(trace.out_size[0]):
        assert flat.step(0, 0, i).value == pytest.approx(float(trace.output[0, i]), abs=1e-5)
    assert str(trace.in_size[0]) in view.formulas_1d(trace)[0]
    assert f"= {trace.out_size[0]}" in view.formulas_1d(trace)[0]


def test_causal_padding_reads_no_future_input():
    values = _values(padding_kind="causal", kernel=3, dilation=2, source="step", length=12)
    trace = view.run_1d(values, view.build_sequence(values))
    assert trace.pads == (4, 0) and trace.out_size == (12,)
    for i in range(12):
        assert int(trace.step(0, i).positions.max()) - trace.pads[0] == i  # the last tap is the input at i


def test_channels_are_the_sequence_delayed():
    x = view.build_sequence(_values(in_channels=3, source="typed", typed="1 2 3 4"))
    assert x.tolist() == [[1, 2, 3, 4], [0, 1, 2, 3], [0, 0, 1, 2]]


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"source": "typed", "typed": "1 2 banana"}, "nd.err.sequence_number"),
        ({"source": "typed", "typed": "  "}, "nd.err.sequence_empty"),
        ({"source": "typed", "typed": " ".join(["1"] * 65)}, "nd.err.sequence_too_long"),
        ({"source": "nope"}, "nd.err.sequence_kind"),
        ({"length": 500}, "more.err.bounds"),
        ({"groups": 3, "in_channels": 2}, "more.err.groups"),
    ],
)
def test_bad_1d_settings_are_messages(changes, key):
    values = _values(**changes)
    with pytest.raises(MessageError) as caught:
        view.run_1d(values, view.build_sequence(values))
    assert caught.value.key == key
    for lang in LANGUAGES:
        assert caught.value.message(lang)


def test_an_empty_output_is_a_message():
    values = _values(source="typed", typed="1 2 3", padding_kind="valid", kernel=5)
    with pytest.raises(ParameterError):
        view.run_1d(values, view.build_sequence(values))


def test_the_wavenet_stack_doubles_its_receptive_field():
    stack = view.stack_of(_values(layers=4, stack_length=16, stack_output=15))
    assert stack.receptive_fields == (2, 4, 8, 16)
    assert stack.feeds[0] == tuple(range(16)) and stack.feeds[-1] == (15,)
    flat = view.stack_of(_values(layers=4, dilated=False))
    assert flat.receptive_fields == (2, 3, 4, 5)
    assert view.stack_of(_values(stack_length=8, stack_output=31)).output == 7  # clamped to the sequence
    # torch agrees: an impulse at input j reaches output 15 of four causal layers exactly when j feeds it
    weights = [torch.ones(1, 1, 2) for _ in range(4)]
    for j in range(16):
        x = torch.zeros(1, 1, 16)
        x[0, 0, j] = 1
        for weight, d in zip(weights, (1, 2, 4, 8), strict=True):
            x = F.conv1d(F.pad(x, (d, 0)), weight, dilation=d)
        assert (float(x[0, 0, 15]) != 0) == (j in stack.feeds[0])
    figure = view.stack_figure(stack, ["in", "1", "2", "3", "4"], "%{x}")
    assert len(figure["data"][1]["x"]) == 5 * 16  # every position of every level
    assert len(figure["data"][2]["x"]) == sum(len(level) for level in stack.feeds)


# ---------------------------------------------------------------- 3-D


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"v_stride_h": 2, "v_padding_w": 1, "v_dilation_d": 2, "frames": 6, "v_preset": "smooth"},
        {"volume": "ball", "side": 6, "v_kernel_d": 3, "v_padding_d": 2, "v_preset": "random", "v_seed": 3},
        {"volume": "random", "v_channels": 2, "v_out_channels": 2, "frames": 3, "side": 5, "v_preset": "random"},
    ],
)
def test_the_3d_layer_is_conv3d(changes):
    values = _values(**changes)
    x = view.build_volume(values)
    trace = view.run_3d(values, x)
    weight = view.weight_3d(values, x.shape[0])
    axes = [tuple(values[f"v_{name}_{a}"] for a in view.AXES_3D) for name in ("stride", "padding", "dilation")]
    expected = F.conv3d(x[None], weight, stride=axes[0], padding=axes[1], dilation=axes[2])[0]
    torch.testing.assert_close(trace.output, expected)
    d, y, xx = (n - 1 for n in trace.out_size)
    step = trace.step(trace.out_channels - 1, d, y, xx)
    assert step.value == pytest.approx(float(expected[-1, d, y, xx]), abs=1e-4)
    assert float(step.slice_sums.sum()) == pytest.approx(step.value, abs=1e-4)  # the sum over depth, too
    lines = view.step3d_latex(step, [str(z) for z in range(trace.padded.shape[1])])
    assert len(lines) == len(step.input_channels) * trace.kernel_size[0] + 1
    formulas = view.formulas_3d(trace)
    assert [f.rsplit("= ", 1)[1].split()[0] for f in formulas] == [str(n) for n in trace.out_size]


def test_the_moving_digit_lights_up_the_motion_kernel():
    values = _values(volume="digit", frames=5, side=8, v_preset="motion", v_kernel_d=2)
    x = view.build_volume(values)
    assert x.shape == (1, 5, 8, 8)
    assert torch.equal(x[0, 1, :, 1:], x[0, 0, :, :-1])  # each frame is the one before moved one pixel right
    weight = view.weight_3d(values, 1)
    assert weight[0, 0, 0].unique().tolist() == [-1.0] and weight[0, 0, 1].unique().tolist() == [1.0]


def test_the_slices_figure_outlines_the_window_on_each_slice_it_covers():
    values = _values(v_kernel_d=3, v_padding_d=1)
    trace = view.run_3d(values, view.build_volume(values))
    step = trace.step(0, 1, 2, 3)
    boxes = view.window_boxes(step)
    assert [box.slice for box in boxes] == [1, 2, 3]
    titles = [str(z) for z in range(trace.padded.shape[1])]
    figure = view.slices_figure(trace.padded[0], titles, boxes, "%{z}", (1, 2, 3))
    assert len(figure["data"]) == trace.padded.shape[1]
    assert len(figure["layout"]["shapes"]) == 3 * 9
    assert {shape["xref"] for shape in figure["layout"]["shapes"]} == {"x2", "x3", "x4"}
    red = [a["text"] for a in figure["layout"]["annotations"] if a["font"]["color"] == "#d62728"]
    assert red == ["1", "2", "3"]


@pytest.mark.parametrize(
    ("changes", "key"),
    [
        ({"volume": "digit", "side": 4, "v_kernel_h": 3, "v_dilation_h": 2}, "err.empty_output"),
        ({"v_kernel_d": 3, "v_dilation_d": 2, "frames": 2}, "err.empty_output"),
        ({"volume": "cube"}, "more.err.volume"),
        ({"v_kernel_d": 7}, "more.err.bounds"),
    ],
)
def test_bad_3d_settings_are_messages(changes, key):
    values = _values(**changes)
    with pytest.raises(MessageError) as caught:
        view.run_3d(values, view.build_volume(values))
    assert caught.value.key.split(".")[-1] == key.split(".")[-1]
    assert caught.value.message("zh")


# ---------------------------------------------------------------- depthwise-separable


@pytest.mark.parametrize(
    ("c_in", "c_out", "k", "side", "stride"),
    [(3, 4, 3, 5, 1), (1, 8, 3, 8, 2), (4, 1, 5, 6, 1), (2, 3, 1, 3, 2), (4, 8, 4, 7, 2)],
)
def test_the_separable_pair_against_torch(c_in, c_out, k, side, stride):
    values = _values(s_in_channels=c_in, s_out_channels=c_out, s_kernel=k, s_side=side, s_stride=stride)
    pair = view.run_separable(values)
    assert view.shapes_agree(pair)
    x = view.separable_input(values)
    standard, modules = separable_modules(c_in, c_out, k, stride, k // 2)
    assert tuple(pair.standard.output.shape) == tuple(standard(x[None]).shape[1:]) == tuple(modules(x[None]).shape[1:])
    rows = dict((what, numbers) for what, *numbers in view.counts_rows(pair))
    assert rows["params"][0] == sum(p.numel() for p in standard.parameters())
    assert rows["params"][3] == sum(p.numel() for p in modules.parameters())
    assert rows["params"][1] + rows["params"][2] == rows["params"][3]
    assert rows["mult_adds"][0] == count_mult_adds(standard, x)
    assert rows["mult_adds"][3] == count_mult_adds(modules, x)
    assert pair.counts.mult_add_ratio == pair.counts.formula  # exactly 1/C_out + 1/k²
    assert view.separable_checks(pair)
    # the pair's traces compute what torch's pair computes with the same weights
    depthwise = F.conv2d(x[None], pair.depthwise.weight, stride=stride, padding=k // 2, groups=c_in)
    torch.testing.assert_close(pair.pointwise.output, F.conv2d(depthwise, pair.pointwise.weight)[0])
    torch.testing.assert_close(
        pair.standard.output, F.conv2d(x[None], pair.standard.weight, stride=stride, padding=k // 2)[0]
    )


def test_the_ratio_is_written_with_the_students_numbers():
    pair = view.run_separable(_values(s_in_channels=3, s_out_channels=4, s_kernel=3))
    general, worked = view.ratio_latex(pair)
    assert r"\frac{1}{C_{out}} + \frac{1}{k^2}" in general
    assert r"\frac{1}{4} + \frac{1}{9} = \tfrac{13}{36}" in worked and "0.361" in worked
    table = view.markdown_table(["a", "b"], [["x|y", "1"]])
    assert table.splitlines() == ["| a | b |", "| :-- | --: |", r"| x\|y | 1 |"]


# ---------------------------------------------------------------- links and notes


def test_the_link_names_only_what_the_mode_shows():
    one = view.unused_settings(_values(mode="1d"))
    assert "kernel" not in one and "v_kernel_d" in one and "s_kernel" in one and "typed" in one
    assert "length" in view.unused_settings(_values(mode="1d", source="typed"))
    three = view.unused_settings(_values(mode="3d"))
    assert "v_kernel_d" not in three and "kernel" in three and "position" in three and "speed" in three
    assert "mode" not in view.unused_settings(_values(mode="2d"))
    assert view.typed_text("1 2 3") == "1 2 3" and view.typed_text("") is None and view.typed_text(3) is None


def test_the_teaching_notes_numbers():
    """Every number the notes state (teach.more.*), recomputed with torch."""
    x = torch.arange(10.0)[None, None]
    causal = F.conv1d(F.pad(x, (2, 0)), torch.ones(1, 1, 3))
    assert causal.shape[-1] == 10 and float(causal[0, 0, 0]) == 0.0  # output 0 reads only input 0 (and zeros)
    assert view.stack_of(_values(layers=4)).receptive_fields == (2, 4, 8, 16)
    assert view.stack_of(_values(layers=4, dilated=False)).receptive_fields[-1] == 5
    ten = 1 + sum(2**n for n in range(10))
    assert ten == 1024
    out = nn.Conv3d(1, 1, (2, 3, 3))(torch.zeros(1, 1, 5, 8, 8)).shape[2:]
    assert tuple(out) == (4, 6, 6)
    standard, pair = separable_modules(32, 64, 3, bias=False)
    assert sum(p.numel() for p in standard.parameters()) == 18432
    assert [sum(p.numel() for p in m.parameters()) for m in pair] == [288, 2048]
    assert round(2336 / 18432, 3) == round(1 / 64 + 1 / 9, 3) == 0.127
    for lang in LANGUAGES:
        for number in ("18,432", "2,336", "0.127", "1,024"):
            assert any(number in text(f"teach.more.{topic}", lang) for topic in ("wavenet", "separable")), number
