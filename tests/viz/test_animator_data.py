"""The live animator's data (vizconv.viz.animator): exact tensors, the geometry the browser computes frames from,
a signature that names what makes the frames, and the view the browser sends back, clamped."""

from __future__ import annotations

import json

import hypothesis.strategies as st
import torch
from hypothesis import given, settings

from vizconv.i18n.strings import LANGUAGES, text
from vizconv.ops.conv import trace_conv2d
from vizconv.viz.animator import (
    SPEEDS,
    AnimatorView,
    Opening,
    conv_animator_data,
    decode_float32,
    float32_base64,
    reading_positions,
)


def _trace(**kwargs):
    torch.manual_seed(0)
    x = torch.randn(kwargs.pop("c_in", 2), kwargs.pop("h", 6), kwargs.pop("w", 7))
    weight = torch.randn(kwargs.pop("c_out", 2), x.shape[0] // kwargs.get("groups", 1), 3, 2)
    return trace_conv2d(x, weight, torch.randn(weight.shape[0]), **kwargs)


def test_tensors_travel_as_exact_float32():
    values = torch.tensor([[0.1, -2.5e-8, 3.0e38], [1 / 3, 0.0, -0.0]])
    back = decode_float32(float32_base64(values), (2, 3))
    assert torch.equal(torch.from_numpy(back.copy()), values.to(torch.float32))


def test_the_data_holds_the_trace_and_its_geometry():
    trace = _trace(stride=(2, 1), padding=(1, 2), dilation=(1, 2), padding_mode="reflect")
    data = conv_animator_data(trace, Opening(position=5, channel=1, speed=8, lang="zh"))
    json.dumps(data, allow_nan=False)  # what Streamlit sends
    g = data["geometry"]
    assert decode_float32(data["padded"], tuple(trace.padded.shape)).tolist() == trace.padded.tolist()
    assert decode_float32(data["output"], tuple(trace.output.shape)).tolist() == trace.output.tolist()
    assert decode_float32(data["weight"], tuple(trace.weight.shape)).tolist() == trace.weight.tolist()
    assert decode_float32(data["bias"], (2,)).tolist() == trace.bias.tolist()
    assert (g["out_height"], g["out_width"]) == trace.out_size
    assert g["stride"] == [2, 1] and g["dilation"] == [1, 2] and g["pads"] == list(trace.pads)
    assert g["rows_read"] == trace.read[0].tolist() and g["cols_read"] == trace.read[1].tolist()
    assert (data["position"], data["channel"], data["speed"]) == (5, 1, 8)
    assert data["text"]["play"] == text("live.play", "zh")
    assert data["numbers_in_maps"] is True  # a 6 × 11 padded input: numbers in every cell


def test_positions_and_channels_are_clamped_and_an_unknown_speed_is_the_default():
    trace = _trace()
    data = conv_animator_data(trace, Opening(position=10_000, channel=9, speed=5))
    assert data["position"] == trace.positions - 1 and data["channel"] == 1 and data["speed"] == 4


def test_the_signature_names_the_frames_not_the_place():
    trace = _trace()
    a = conv_animator_data(trace, Opening(position=0))
    assert conv_animator_data(trace, Opening(3, 1, 16, large=True))["signature"] == a["signature"]
    assert conv_animator_data(trace, Opening(lang="zh"))["signature"] != a["signature"]
    assert conv_animator_data(_trace(stride=2))["signature"] != a["signature"]


def test_large_inputs_show_colours_and_stay_within_a_megabyte():
    """A 128-pixel colour photo's data (3 × 130 × 130 padded, 4 × 128 × 128 out) is under 1 MB of JSON."""
    x = torch.rand(3, 128, 128)
    trace = trace_conv2d(x, torch.randn(4, 3, 3, 3), torch.randn(4), padding=1)
    data = conv_animator_data(trace)
    assert data["numbers_in_maps"] is False
    assert len(json.dumps(data)) < 1_000_000


def test_every_live_text_exists_in_both_languages():
    data = {lang: conv_animator_data(_trace(), Opening(lang=lang))["text"] for lang in LANGUAGES}
    assert data["en"].keys() == data["zh"].keys() and "twin" in data["en"]
    assert all(data["zh"][key] != data["en"][key] for key in ("play", "where", "twin", "legend"))


@settings(max_examples=60, deadline=None)
@given(
    h=st.integers(3, 9),
    w=st.integers(3, 9),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    dilation=st.tuples(st.integers(1, 2), st.integers(1, 2)),
    padding=st.tuples(st.integers(0, 1), st.integers(0, 1)),
    data=st.data(),
)
def test_the_reverse_view_names_exactly_the_windows_that_read_a_cell(h, w, stride, dilation, padding, data):
    """reading_positions (what the browser computes for a clicked input cell) equals a search of every step's
    window rows and columns."""
    x = torch.zeros(1, h + 4, w + 4)
    trace = trace_conv2d(x, torch.ones(1, 1, 2, 3), stride=stride, dilation=dilation, padding=padding)
    hp, wp = trace.padded.shape[1:]
    y, xx = data.draw(st.integers(0, hp - 1)), data.draw(st.integers(0, wp - 1))
    expected = []
    for p in range(trace.positions):
        step = trace.step(0, *trace.position(p))
        if y in step.rows.tolist() and xx in step.cols.tolist():
            expected.append(p)
    assert reading_positions(trace, y, xx) == expected


def test_a_view_from_the_browser_is_clamped_and_anything_else_ignored():
    assert AnimatorView.parse({"position": 7, "channel": 1, "speed": 8}, 10, 2) == AnimatorView(7, 1)
    assert AnimatorView.parse({"position": 99, "channel": -3}, 10, 2) == AnimatorView(9, 0)
    for hostile in (None, "7", [7, 1], {"position": "7", "channel": 0}, {"position": True, "channel": 0}, {}):
        assert AnimatorView.parse(hostile, 10, 2) is None
    assert 4 in SPEEDS


def test_the_page_takes_a_view_from_the_browser_and_ignores_anything_else(monkeypatch):
    """ui.stepping._view_changed (the component's on_view_change): a view moves the step panel's position and channel,
    clamped; a component state that is not what the animator sends changes nothing."""
    from types import SimpleNamespace

    from vizconv.ui import stepping

    steps = stepping.Stepper("p", "c", "anim", positions=10, channels=2, width=5)
    for state, expected in (
        ({"view": {"position": 7, "channel": 1, "speed": 8}}, (7, 1)),
        ({"view": {"position": 70, "channel": 5}}, (9, 1)),
        ({"view": {"position": "7", "channel": 1}}, (0, 0)),
        ({"view": [7, 1]}, (0, 0)),
        ("view", (0, 0)),
        (None, (0, 0)),
    ):
        session = {"p": 0, "c": 0, "anim": state}
        monkeypatch.setattr(stepping, "st", SimpleNamespace(session_state=session))
        stepping._view_changed(steps, None)
        assert (session["p"], session["c"]) == expected, state
