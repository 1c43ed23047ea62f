"""Shareable state and presenter mode through AppTest: the URL's query parameters reproduce a view."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from streamlit.testing.v1 import AppTest

from tests_support import (
    BUILDER,
    CONV,
    FEATURES,
    LEARNING,
    POOL,
    ROOT,
    TCONV,
    WHY,
    animator_data,
    markdown_table,
    metric,
    open_page,
)
from vizconv import ui
from vizconv.i18n.strings import text
from vizconv.nets.builder import MAX_LAYERS, PRESETS, build_stack, encode_stack, read_stack
from vizconv.viz import style


def _open(path: str, **params: str) -> AppTest:
    """Page ``path`` opened with the query parameters ``params`` (a fresh session), checked for exceptions."""
    return open_page(path, query=params)


def _step_line(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("Output channel"))


# ---------------------------------------------------------------- the value kinds


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        (ui.Whole(1, 5), "2", 2),
        (ui.Whole(1, 5), "999", None),
        (ui.Whole(1, 5), "0", None),
        (ui.Whole(1, 5), "abc", None),
        (ui.Whole(1, 5), "2.0", None),
        (ui.Whole(1, 5), " 2", None),
        (ui.Whole(0, 10**12), "9" * 40, None),  # no huge integers parsed
        (ui.OneOf(("zeros", "reflect")), "reflect", "reflect"),
        (ui.OneOf(("zeros", "reflect")), "<script>alert(1)</script>", None),
        (ui.OneOf((1, 2, 4)), "4", 4),
        (ui.OneOf((1, 2, 4)), "3", None),
        (ui.Flag(), "1", True),
        (ui.Flag(), "0", False),
        (ui.Flag(), "yes", None),
        (ui.Name(), "layer1.0.conv1", "layer1.0.conv1"),
        (ui.Name(), '"><img src=x onerror=alert(1)>', None),
        (ui.Name(), "", None),
        (ui.Decimal(0.0, 0.5, 2), "0.25", 0.25),
        (ui.Decimal(0.0, 0.5, 2), "0", 0.0),
        (ui.Decimal(0.0, 0.5, 2), "0.255", None),  # finer than the slider's steps
        (ui.Decimal(0.0, 0.5, 2), "0.6", None),
        (ui.Decimal(0.0, 0.5, 2), "1e-1", None),
        (ui.Decimal(0.0, 0.5, 2), "nan", None),
        (ui.Decimal(0.0, 0.5, 2), ".5", None),
        (ui.Encoded(str, max_chars=100), "x" * 100, "x" * 100),  # the page decodes it
        (ui.Encoded(str, max_chars=100), "x" * 101, None),
    ],
)
def test_url_values_are_parsed_or_ignored(kind, raw, expected):
    assert kind.parse(raw) == expected


@pytest.mark.parametrize(
    ("kind", "value", "expected"),
    [
        (ui.Whole(1, 5), 3, "3"),
        (ui.Whole(1, 5), 7, None),
        (ui.Whole(1, 5), True, None),
        (ui.Whole(1, 5), None, None),
        (ui.OneOf(("a", "b")), "c", None),
        (ui.Flag(), False, "0"),
        (ui.Name(), "", None),
        (ui.Decimal(0.0, 0.5, 2), 0.15000000000000002, "0.15"),  # a slider's float
        (ui.Decimal(0.0, 0.5, 2), 0.0, "0"),
        (ui.Decimal(0.0, 0.5, 2), 0.7, None),
        (ui.Decimal(0.0, 0.5, 2), True, None),
        (ui.Encoded(lambda value: None if value is None else f"<{value}>"), 3, "<3>"),
        (ui.Encoded(lambda value: None if value is None else f"<{value}>"), None, None),
    ],
)
def test_only_valid_values_are_written(kind, value, expected):
    assert kind.format(value) == expected


# ---------------------------------------------------------------- Convolution


def test_a_shared_convolution_url_reproduces_the_view():
    """Classic 5×5 (its own 3×3 kernel), stride 2, padding 1, position 3: output 3×3, the step at (1, 0)."""
    at = _open(
        CONV,
        conv_sample="classic_5x5",
        conv_stride_h="2",
        conv_stride_w="2",
        conv_padding_h="1",
        conv_padding_w="1",
        conv_position="3",
    )
    assert metric(at, "Output") == "[1, 3, 3]"
    assert at.selectbox(key="conv_preset").value == "example"  # the sample's own kernel, as choosing it gives
    assert at.slider(key="conv_position").value == 3
    assert _step_line(at).startswith("Output channel **0**, row **1**, column **0**")
    # the URL now holds the whole view
    assert at.query_params["conv_stride_h"] == "2"
    assert at.query_params["conv_preset"] == "example"
    assert at.query_params["conv_position"] == "3"
    assert at.query_params["lang"] == "en"


def test_the_url_follows_the_widgets():
    at = _open(CONV)
    assert at.query_params["conv_stride_h"] == "1"
    at.number_input(key="conv_stride_h").set_value(2).run()
    assert at.query_params["conv_stride_h"] == "2"
    before, positions = at.slider(key="conv_position").value, int(at.slider(key="conv_position").max) + 1
    assert at.query_params["conv_position"] == str(before)
    at.button(key="conv_forward").click().run()
    assert at.query_params["conv_position"] == str((before + 1) % positions)
    at.radio(key="conv_source").set_value("random").run()
    assert at.query_params["conv_source"] == "random"
    assert at.query_params["conv_random_channels"] == "3"
    assert "conv_sample" not in at.query_params  # settings the view does not use stay out of the link


def test_every_setting_survives_a_round_trip():
    """The URL one session writes, opened in a new session, gives the same settings and the same output."""
    settings = {
        "conv_source": "random",
        "conv_random_channels": 2,
        "conv_random_height": 9,
        "conv_random_width": 7,
        "conv_random_seed": 42,
        "conv_out_channels": 4,
        "conv_kernel_h": 2,
        "conv_kernel_w": 3,
        "conv_stride_h": 2,
        "conv_stride_w": 1,
        "conv_padding_h": 1,
        "conv_padding_w": 2,
        "conv_padding_mode": "circular",
        "conv_dilation_h": 2,
        "conv_groups": 2,
        "conv_bias": True,
        "conv_preset": "random_int",
        "conv_kernel_seed": 7,
        "conv_speed": 16,
        "conv_step_oc": 3,
        "conv_position": 5,
    }
    first = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in settings.items():
        first.session_state[key] = value
    first.switch_page(CONV).run()
    assert not first.exception and not first.error
    link = dict(first.query_params)
    assert link["conv_padding_mode"] == "circular" and link["conv_step_oc"] == "3" and link["conv_speed"] == "16"

    second = _open(CONV, **link)
    for key, value in settings.items():
        assert second.session_state[key] == value, key
    for label in ("Input", "Weight", "Output", "Padded"):
        assert metric(second, label) == metric(first, label)
    assert _step_line(second) == _step_line(first)
    assert [e.body for e in second.get("latex")] == [e.body for e in first.get("latex")]


@pytest.mark.parametrize(
    "params",
    [
        {"conv_stride_h": "999"},
        {"conv_stride_h": "abc"},
        {"conv_stride_h": "-1"},
        {"conv_sample": "no_such_sample"},
        {"conv_sample": "<script>alert(1)</script>"},
        {"conv_padding_mode": "evil"},
        {"conv_bias": "maybe"},
        {"conv_preset": "../../etc/passwd"},
        {"conv_speed": "3"},
        {"conv_position": "99999999999"},
        {"conv_step_oc": "-5"},
        {"present": "<b>bold</b>"},
    ],
)
def test_hostile_values_are_ignored(params):
    at = _open(CONV, **params)
    assert not at.error
    assert metric(at, "Output") == "[2, 26, 26]"  # the defaults
    for key, value in params.items():
        assert at.query_params.get(key) != value  # corrected (or left out), so the link is valid again


def test_a_position_past_the_end_is_clamped():
    at = _open(CONV, conv_sample="d2l_3x3", conv_position="50", conv_step_oc="7")
    assert metric(at, "Output") == "[1, 2, 2]"
    assert at.session_state.conv_position == 3 and at.session_state.conv_step_oc == 0
    assert at.query_params["conv_position"] == "3"


def test_an_upload_link_asks_for_a_picture():
    """A picture cannot travel in a link: the receiver is asked to upload one, and the sender is told so."""
    at = _open(CONV, conv_source="upload", conv_stride_h="2")
    assert any(i.value == text("share.upload_needed", "en") for i in at.info)
    assert at.number_input(key="conv_stride_h").value == 2
    assert text("share.upload_note", "en") in [c.value for c in at.caption]


def test_the_link_is_shown_and_names_hand_edits():
    at = _open(CONV, conv_stride_h="2")
    links = [c.value for c in at.code if c.language in (None, "plaintext", "")]
    assert links and links[0].startswith("?") and "conv_stride_h=2" in links[0] and "lang=en" in links[0]
    assert text("share.kernel_note", "en") in [c.value for c in at.caption]


def test_the_link_holds_the_page_address():
    """Where the browser reports its address, the link is complete (Streamlit 1.67 repeats a non-ASCII page name)."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.context["url"] = "http://localhost:8501/Convolution_%E5%8D%B7%E7%A7%AF"
    at.query_params["conv_stride_h"] = "2"
    at.switch_page(CONV).run()
    link = next(c.value for c in at.code if "conv_stride_h" in c.value)
    assert link.startswith("http://localhost:8501/Convolution_%E5%8D%B7%E7%A7%AF?lang=en&")


def test_the_url_is_read_only_on_the_first_run():
    """Later runs keep the session's settings (the widgets win over a stale URL)."""
    at = _open(CONV, conv_stride_h="2")
    at.query_params["conv_stride_h"] = "3"
    at.run()
    assert at.number_input(key="conv_stride_h").value == 2
    assert at.query_params["conv_stride_h"] == "2"


def test_chinese_link_keeps_its_language():
    at = _open(CONV, lang="zh", conv_stride_h="2")
    assert at.title[0].value == "卷积"
    assert at.query_params["lang"] == "zh"
    assert at.query_params["conv_stride_h"] == "2"


# ---------------------------------------------------------------- Feature maps


def test_a_shared_feature_maps_url_reproduces_the_view():
    at = _open(FEATURES, fm_sample="digit_3", fm_layer="3", fm_channel="7", fm_shared="0", fm_oy="2", fm_ox="4")
    assert at.selectbox(key="fm_sample").value == "digit_3"
    assert at.selectbox(key="fm_layer").value == "3"
    assert at.number_input(key="fm_channel").value == 7
    assert at.toggle(key="fm_shared").value is False
    assert (at.slider(key="fm_oy").value, at.slider(key="fm_ox").value) == (2, 4)
    assert at.query_params["fm_layer"] == "3" and at.query_params["fm_channel"] == "7"


def test_feature_maps_url_follows_the_widgets():
    at = _open(FEATURES)
    at.selectbox(key="fm_layer").set_value("3").run()
    at.number_input(key="fm_channel").set_value(9).run()
    assert at.query_params["fm_layer"] == "3" and at.query_params["fm_channel"] == "9"
    at.radio(key="fm_source").set_value("upload").run()
    assert "fm_source" not in at.query_params  # an upload cannot travel: the link shows the sample
    assert text("share.own_picture_note", "en") in [c.value for c in at.caption]


@pytest.mark.parametrize(
    "params",
    [
        {"fm_model": "evil"},
        {"fm_layer": '"><img src=x onerror=alert(1)>'},
        {"fm_layer": "no.such.layer"},
        {"fm_channel": "99999"},
        {"fm_channel": "1e3"},
        {"fm_source": "upload"},
        {"fm_sample": "../../etc/passwd"},
        {"fm_oy": "-4"},
    ],
)
def test_feature_maps_hostile_values_are_ignored(params):
    at = _open(FEATURES, **params)
    assert not at.error
    assert at.selectbox(key="fm_model").value == "lenet5"
    assert at.selectbox(key="fm_layer").value == "0"
    assert at.radio(key="fm_source").value == "sample"
    assert at.query_params["fm_layer"] == "0"


def test_feature_maps_channel_past_the_layer_is_clamped():
    at = _open(FEATURES, fm_layer="0", fm_channel="40", fm_oy="300")
    assert at.number_input(key="fm_channel").value == 5  # conv1 has 6 channels
    assert at.slider(key="fm_oy").value == 27
    assert at.query_params["fm_channel"] == "5"


# ---------------------------------------------------------------- every page: helpers


def _round_trip(path: str, settings: dict) -> tuple[AppTest, AppTest]:
    """The view that ``settings`` (widget keys in session state) give, and a fresh session opened with its URL;
    the second has every setting of the first."""
    first = open_page(path, **settings)
    assert not first.error, [e.value for e in first.error]
    second = _open(path, **dict(first.query_params))
    for key, value in settings.items():
        assert second.session_state[key] == value, key
    assert dict(second.query_params) == dict(first.query_params)  # and the link it shows is the same
    _shows_its_url(first)
    _shows_its_url(second)
    return first, second


def _view(at: AppTest) -> tuple:
    """What the page shows: metrics, formulas, text, notes and tables."""
    return (
        [(m.label, m.value) for m in at.metric],
        [e.body for e in at.get("latex")],
        [m.value for m in at.markdown],
        [c.value for c in at.caption],
        [d.value.to_dict() for d in at.dataframe],
    )


def _links(at: AppTest) -> list[str]:
    return [c.value for c in at.code if c.language in (None, "plaintext", "")]


def _shows_its_url(at: AppTest) -> None:
    """The share box holds exactly the URL of this run (the address bar's)."""
    assert _links(at) == ["?" + urlencode(dict(at.query_params))]


# ---------------------------------------------------------------- Pooling & activations

POOL_VIEWS = {
    "pooling": {
        "pool_section": "pooling",
        "pool_source": "random",
        "pool_random_channels": 3,
        "pool_random_size": 9,
        "pool_seed": 42,
        "pool_kind": "avg",
        "pool_kernel_h": 3,
        "pool_kernel_w": 2,
        "pool_stride_default": False,
        "pool_stride_h": 2,
        "pool_stride_w": 1,
        "pool_padding_h": 1,
        "pool_padding_w": 1,
        "pool_speed": 16,
        "pool_step_c": 2,
        "pool_position": 17,
    },
    "pooling_sample": {
        "pool_source": "sample",
        "pool_sample": "chelsea",
        "pool_side": 12,
        "pool_colour": True,
        "pool_position": 9,
        "pool_step_c": 1,
    },
    "activations": {
        "pool_section": "activations",
        "pool_act_source": "kernel",
        "pool_act_picture": "coffee",
        "pool_act_kernel": "laplacian",
        "pool_activation": "leaky_relu",
        "pool_slope": 0.25,
    },
    "activations_lenet": {
        "pool_section": "activations",
        "pool_digit": 3,
        "pool_act_channel": 4,
        "pool_activation": "gelu",
    },
    "upsampling": {
        "pool_section": "upsampling",
        "pool_up_source": "random",
        "pool_up_size": 5,
        "pool_seed": 7,
        "pool_mode": "bicubic",
        "pool_scale": 3,
        "pool_corners": True,
        "pool_up_oy": 11,
        "pool_up_ox": 4,
    },
    "upsampling_lenet": {"pool_section": "upsampling", "pool_digit": 1, "pool_up_channel": 5, "pool_up_oy": 20},
}


@pytest.mark.parametrize("name", list(POOL_VIEWS))
def test_a_shared_pooling_url_reproduces_the_view(name):
    first, second = _round_trip(POOL, POOL_VIEWS[name])
    assert _view(second) == _view(first)


def test_the_pooling_url_follows_the_widgets():
    at = _open(POOL)
    opened = at.slider(key="pool_position").value  # where the max first differs from 0 (not the blank corner)
    assert at.query_params["pool_kind"] == "max" and at.query_params["pool_position"] == str(opened) != "0"
    at.radio(key="pool_kind").set_value("avg").run()
    at.number_input(key="pool_kernel_h").set_value(3).run()
    before, positions = at.slider(key="pool_position").value, int(at.slider(key="pool_position").max) + 1
    at.button(key="pool_forward").click().run()
    assert at.query_params["pool_kind"] == "avg" and at.query_params["pool_kernel_h"] == "3"
    assert at.query_params["pool_position"] == str((before + 1) % positions)
    assert "pool_stride_h" not in at.query_params  # the default stride (the window): not a setting of its own
    at.toggle(key="pool_stride_default").set_value(False).run()
    assert at.query_params["pool_stride_h"] == "3"
    at.radio(key="pool_section").set_value("activations").run()
    at.selectbox(key="pool_activation").set_value("leaky_relu").run()
    at.slider(key="pool_slope").set_value(0.3).run()
    assert at.query_params["pool_section"] == "activations" and at.query_params["pool_slope"] == "0.3"
    assert "pool_kind" not in at.query_params  # settings the view does not use stay out of the link
    at.radio(key="pool_section").set_value("upsampling").run()
    at.slider(key="pool_up_ox").set_value(9).run()
    assert at.query_params["pool_up_ox"] == "9" and "pool_slope" not in at.query_params
    link = _links(at)[0]
    assert link.startswith("?lang=en&") and "pool_section=upsampling" in link and "pool_up_ox=9" in link


@pytest.mark.parametrize(
    "params",
    [
        {"pool_section": "<script>alert(1)</script>"},
        {"pool_kind": "evil"},
        {"pool_kernel_h": "9"},
        {"pool_kernel_w": "0"},
        {"pool_padding_h": "-1"},
        {"pool_digit": "10"},
        {"pool_stage": "../../etc/passwd"},
        {"pool_channels": "2.0"},
        {"pool_speed": "3"},
        {"pool_position": "99999999999"},
        {"pool_step_c": "x"},
        {"pool_slope": "0.123"},
        {"pool_source": "upload2"},
        {"pool_stride_default": "maybe"},
    ],
)
def test_pooling_hostile_values_are_ignored(params):
    at = _open(POOL, **params)
    assert not at.error
    assert metric(at, "Output") == "[2, 14, 14]"  # the defaults: LeNet-5's relu1 maps of a 7, max pooling 2×2
    for key, value in params.items():
        assert at.query_params.get(key) != value


def test_pooling_hostile_values_in_the_other_sections_are_ignored():
    at = _open(POOL, pool_section="activations", pool_activation="leaky_relu", pool_slope="0.7", pool_act_channel="9")
    assert not at.error
    assert at.slider(key="pool_slope").value == pytest.approx(0.1) and at.slider(key="pool_act_channel").value == 0
    assert at.query_params["pool_slope"] == "0.1"
    at = _open(POOL, pool_section="upsampling", pool_mode="trilinear", pool_scale="4", pool_up_oy="-3")
    assert not at.error
    assert at.radio(key="pool_mode").value == "nearest" and at.radio(key="pool_scale").value == 2
    assert at.query_params["pool_up_oy"] == "0"


def test_pooling_positions_past_the_end_are_clamped():
    at = _open(POOL, pool_position="500", pool_step_c="5")
    assert at.session_state.pool_position == 14 * 14 - 1 and at.session_state.pool_step_c == 1
    assert at.query_params["pool_position"] == "195" and at.query_params["pool_step_c"] == "1"
    at = _open(POOL, pool_section="upsampling", pool_up_oy="47", pool_up_ox="40")
    assert (at.slider(key="pool_up_oy").value, at.slider(key="pool_up_ox").value) == (27, 27)  # 14 × 2 cells
    assert at.query_params["pool_up_oy"] == "27"


@pytest.mark.parametrize(
    "params",
    [
        {"pool_source": "upload", "pool_kind": "avg"},
        {"pool_section": "activations", "pool_act_source": "kernel", "pool_act_picture": "upload"},
    ],
)
def test_a_pooling_upload_link_asks_for_a_picture(params):
    at = _open(POOL, **params)
    assert any(i.value == text("share.upload_needed", "en") for i in at.info)
    assert text("share.upload_note", "en") in [c.value for c in at.caption]
    if "pool_kind" in params:
        assert at.radio(key="pool_kind").value == "avg"


# ---------------------------------------------------------------- Transposed convolution

TCONV_VIEWS = {
    "scatter": {
        "tconv_source": "random",
        "tconv_channels": 2,
        "tconv_height": 3,
        "tconv_width": 4,
        "tconv_seed": 5,
        "tconv_out_channels": 4,
        "tconv_kernel": 2,
        "tconv_stride": 3,
        "tconv_padding": 1,
        "tconv_output_padding": 2,
        "tconv_dilation": 2,
        "tconv_groups": 2,
        "tconv_bias": True,
        "tconv_preset": "random_int",
        "tconv_kernel_seed": 9,
        "tconv_speed": 8,
        "tconv_position": 7,
        "tconv_step_ic": 1,
        "tconv_out_oc": 3,
        "tconv_out_y": 4,
        "tconv_out_x": 5,
    },
    "equivalent": {
        "tconv_example": "d2l_2x2",
        "tconv_kernel": 2,
        "tconv_stride": 1,
        "tconv_preset": "bilinear",
        "tconv_view": "equivalent",
        "tconv_speed": 16,
        "tconv_eq_position": 5,
    },
}


@pytest.mark.parametrize("name", list(TCONV_VIEWS))
def test_a_shared_transposed_url_reproduces_the_view(name):
    first, second = _round_trip(TCONV, TCONV_VIEWS[name])
    assert _view(second) == _view(first)
    code = [c.value for c in second.code if "nn.ConvTranspose2d" in c.value]
    assert code and code == [c.value for c in first.code if "nn.ConvTranspose2d" in c.value]


def test_the_transposed_url_follows_the_widgets():
    at = _open(TCONV)
    assert at.query_params["tconv_stride"] == "2" and at.query_params["tconv_position"] == "0"
    at.number_input(key="tconv_stride").set_value(3).run()
    at.button(key="tconv_forward").click().run()
    at.number_input(key="tconv_out_x").set_value(4).run()
    assert at.query_params["tconv_stride"] == "3" and at.query_params["tconv_position"] == "1"
    assert at.query_params["tconv_out_x"] == "4"
    at.radio(key="tconv_source").set_value("random").run()
    assert at.query_params["tconv_channels"] == "1" and "tconv_example" not in at.query_params
    at.radio(key="tconv_view").set_value("equivalent").run()
    at.button(key="tconv_eq_forward").click().run()
    assert at.query_params["tconv_view"] == "equivalent" and at.query_params["tconv_eq_position"] == "1"
    assert "tconv_position" not in at.query_params and "tconv_out_x" not in at.query_params
    assert text("share.kernel_note", "en") in [c.value for c in at.caption]  # hand-edited kernels stay behind


def test_a_transposed_example_link_brings_the_examples_layer():
    at = _open(TCONV, tconv_example="d2l_2x2")
    assert metric(at, "Output") == "[1, 3, 3]"  # its 2×2 kernel and stride 1, as choosing it gives
    assert at.number_input(key="tconv_kernel").value == 2 and at.number_input(key="tconv_stride").value == 1


@pytest.mark.parametrize(
    "params",
    [
        {"tconv_stride": "99"},
        {"tconv_kernel": "0"},
        {"tconv_groups": "-2"},
        {"tconv_example": "evil"},
        {"tconv_source": "upload"},
        {"tconv_preset": "<b>bold</b>"},
        {"tconv_view": "both"},
        {"tconv_bias": "2"},
        {"tconv_speed": "3"},
        {"tconv_position": "-1"},
        {"tconv_out_y": "1e2"},
        {"tconv_eq_position": "9" * 30},
    ],
)
def test_transposed_hostile_values_are_ignored(params):
    at = _open(TCONV, **params)
    assert not at.error
    assert metric(at, "Output") == "[1, 5, 5]"  # the default example
    for key, value in params.items():
        assert at.query_params.get(key) != value


def test_transposed_positions_past_the_end_are_clamped():
    at = _open(TCONV, tconv_position="50", tconv_step_ic="2", tconv_out_y="99")
    assert at.session_state.tconv_position == 3 and at.session_state.tconv_step_ic == 0  # a 2×2 input, 1 channel
    assert at.number_input(key="tconv_out_y").value == 4
    assert at.query_params["tconv_position"] == "3" and at.query_params["tconv_out_y"] == "4"


# ---------------------------------------------------------------- Network builder


def _shapes(at: AppTest) -> list[str]:
    """The stack table's output-shape column, input row first."""
    return [row[3] for row in markdown_table(at, "#")[1:]]


def test_the_builder_url_carries_the_stack():
    at = _open(BUILDER, nb_preset="basic_block")
    assert at.query_params["nb_stack"] == "basicblockc64-basicblockc128s2"
    assert at.query_params["nb_preset"] == "basic_block" and at.query_params["nb_c"] == "64"
    at.selectbox(key="nb_kind").set_value("maxpool").run()
    at.number_input(key="nb_maxpool_kernel_size").set_value(3).run()
    at.button(key="nb_add").click().run()
    assert at.query_params["nb_stack"] == "basicblockc64-basicblockc128s2-maxpool3s2"
    assert at.query_params["nb_preset"] == "custom" and at.query_params["nb_kind"] == "maxpool"
    assert at.query_params["nb_maxpool_kernel_size"] == "3" and "nb_conv2d_kernel_size" not in at.query_params
    at.number_input(key="nb_h").set_value(30).run()
    assert at.query_params["nb_h"] == "30"
    at.button(key="nb_clear").click().run()
    assert "nb_stack" not in at.query_params and at.query_params["nb_preset"] == "custom"  # "custom" alone: empty
    assert any(c.value == text("share.stack_note", "en") for c in at.caption)


def test_a_shared_builder_url_reproduces_the_stack():
    """A stack built with the widgets, opened from its link in a new session: the same layers and shapes."""
    first = _open(BUILDER, nb_preset="basic_block")
    for kind, settings in [
        ("conv1x1", {"nb_conv1x1_out_channels": 32, "nb_conv1x1_stride": 2}),
        ("batchnorm2d", {}),
        ("activation", {"nb_activation_function": "gelu"}),
        (
            "conv2d",
            {"nb_conv2d_kernel_size": 5, "nb_conv2d_dilation": 2, "nb_conv2d_padding": 4, "nb_conv2d_bias": False},
        ),
        ("avgpool", {"nb_avgpool_kernel_size": 3, "nb_avgpool_stride": 1, "nb_avgpool_padding": 1}),
        ("flatten", {}),
        ("linear", {"nb_linear_out_features": 7}),
    ]:
        first.selectbox(key="nb_kind").set_value(kind).run()
        for key, value in settings.items():
            first.session_state[key] = value
        first.button(key="nb_add").click().run()
    first.selectbox(key="nb_pick").set_value(4).run()
    assert not first.exception and not first.error
    assert metric(first, "Layers") == "9" and metric(first, "Output shape") == "7"

    second = _open(BUILDER, **dict(first.query_params))
    assert second.session_state["nb_stack"] == first.session_state["nb_stack"]
    assert _shapes(second) == _shapes(first)
    assert _view(second) == _view(first)
    assert markdown_table(second, "#") == markdown_table(first, "#")  # the whole table
    assert second.selectbox(key="nb_preset").value == "custom" and second.selectbox(key="nb_pick").value == 4
    assert dict(second.query_params) == dict(first.query_params)


@pytest.mark.parametrize("name", list(PRESETS))
def test_a_shared_preset_reproduces_the_view(name):
    """A preset, its input changed (a preset that fit may now fail, and the other way round)."""
    first = _open(BUILDER, nb_preset=name)
    first.number_input(key="nb_c").set_value(3).run()
    second = _open(BUILDER, **dict(first.query_params))
    assert second.selectbox(key="nb_preset").value == name  # still the preset's layers
    assert second.number_input(key="nb_c").value == 3
    assert _view(second) == _view(first)
    assert [e.value for e in second.error] == [e.value for e in first.error]


def test_a_hand_written_builder_link():
    at = _open(BUILDER, nb_stack="conv3c16p1,relu,maxpool2,flatten,linear10", nb_c="3", nb_h="32", nb_w="32")
    assert not at.error and not at.warning
    assert _shapes(at) == ["3×32×32", "16×32×32", "16×32×32", "16×16×16", "4096", "10"]
    assert metric(at, "Output shape") == "10"
    assert at.selectbox(key="nb_preset").value == "custom"
    assert at.query_params["nb_stack"] == "conv3c16p1-relu-maxpool2-flatten-linear10"  # written back with "-"


def test_a_preset_link_without_a_stack_loads_the_preset():
    at = _open(BUILDER, nb_preset="basic_block", nb_h="28", nb_w="28")
    assert at.selectbox(key="nb_preset").value == "basic_block"
    assert metric(at, "Output shape") == "128×14×14"
    assert _open(BUILDER, nb_preset="custom").session_state["nb_stack"] == []
    empty = _open(BUILDER, nb_stack="", nb_c="3")  # a hand-written empty stack
    assert empty.session_state["nb_stack"] == [] and metric(empty, "Output shape") == "3×28×28"


@pytest.mark.parametrize(
    ("stack", "read", "says"),
    [
        ("conv3c16,,relu", 1, "could not be read at layer 2: it is empty"),
        ("conv3c16p1-relu-maxpool3s1p2-flatten-linear10", 2, "`maxpool3s1p2`: MaxPool2d: padding 2 is more than half"),
        ("relu-conv3c99999999999", 1, "`conv3c99999999999`: conv: out_channels 99999999999 is outside its range"),
        ("relu-Conv3c8-swish", 2, "at layer 3, `swish`: `swish` is not a layer"),
        ("<script>alert(1)</script>", 0, "`<script>alert(1)</script>`: `<script>alert(1)</script>` is not a layer"),
        ("-".join(["relu"] * (MAX_LAYERS + 1)), MAX_LAYERS, f"at layer {MAX_LAYERS + 1}, `relu`: the builder holds"),
    ],
)
def test_a_broken_stack_in_a_link_names_the_layer_and_keeps_the_text(stack, read, says):
    """The layers before the first one that cannot be read are shown, the message quotes that one and says why,
    and the URL keeps the teacher's text (so it can be corrected there) until the stack or the input changes."""
    at = _open(BUILDER, nb_stack=stack, nb_c="3", nb_h="32", nb_w="32")
    expected = read_stack(stack, (3, 32, 32))[1].message("en")
    assert not at.error
    assert [w.value for w in at.warning] == [expected] and says in expected
    assert metric(at, "Layers") == str(read) and len(markdown_table(at, "#")) == read + 2  # header, input
    assert at.selectbox(key="nb_preset").value == "custom"
    assert at.query_params["nb_stack"] == stack and at.query_params["nb_c"] == "3"  # not the preset's
    assert _links(at) == ["?" + urlencode(dict(at.query_params))]  # the share box too
    at.selectbox(key="nb_kind").set_value("activation").run()  # a change that leaves the stack alone
    assert [w.value for w in at.warning] == [expected] and at.query_params["nb_stack"] == stack
    if read < MAX_LAYERS:
        at.button(key="nb_add").click().run()  # the stack changes: from now on the URL spells it out
        assert not at.warning and metric(at, "Layers") == str(read + 1)
        assert at.query_params["nb_stack"] == encode_stack((3, 32, 32), at.session_state["nb_stack"])
    else:
        at.number_input(key="nb_h").set_value(30).run()  # so does the input
        assert not at.warning and at.query_params["nb_stack"] == "-".join(["relu"] * MAX_LAYERS)


def test_a_broken_stack_in_a_chinese_link_is_explained_in_chinese():
    at = _open(BUILDER, lang="zh", nb_stack="relu-maxpool3s1p2")
    assert [w.value for w in at.warning] == [read_stack("relu-maxpool3s1p2", (1, 28, 28))[1].message("zh")]
    assert "第 2 层 `maxpool3s1p2`" in at.warning[0].value and "填充 2 超过了窗口的一半" in at.warning[0].value


def test_a_stack_too_long_to_read_is_said_once_and_dropped():
    stack = "x" * 5000  # longer than any stack: not even read
    at = _open(BUILDER, nb_stack=stack, nb_c="3")
    assert [w.value for w in at.warning] == [text("nb.link.too_long", "en", length=5000, limit=32 * MAX_LAYERS)]
    assert metric(at, "Layers") == "0" and "nb_stack" not in at.query_params and at.query_params["nb_c"] == "3"
    at.run()
    assert not at.warning  # said once


@pytest.mark.parametrize(
    ("stack", "shapes", "written"),
    [
        ("conv3c16p1-avgpool16", ["3×32×32", "16×32×32", "16×2×2"], "conv3c16p1-avgpool16"),  # stride = window > 8
        ("Conv3c8-ReLU", ["3×32×32", "8×30×30", "8×30×30"], "conv3c8-relu"),  # any case
        ("flatten-conv3c4", ["3×32×32", "3072", "✖ does not fit"], "flatten-conv3c4"),  # the classic mistake
    ],
)
def test_hand_edited_stacks_that_look_valid_are_read(stack, shapes, written):
    at = _open(BUILDER, nb_stack=stack, nb_c="3", nb_h="32", nb_w="32")
    assert not at.warning
    assert _shapes(at) == shapes
    assert at.query_params["nb_stack"] == written
    if "✖" in shapes[-1]:  # the builder's own explanation, and no fix it could make alone
        assert [e.value for e in at.error] == [
            build_stack((3, 32, 32), at.session_state["nb_stack"])[-1].error.message()
        ]
        assert "needs a feature map" in at.error[0].value and "nb_fix" not in [b.key for b in at.button]


def test_the_add_form_takes_a_pooling_stride_as_large_as_its_window():
    """The form and a link agree: a 16×16 average pooling with stride 16 is added, travels and is read back."""
    at = _open(BUILDER, nb_preset="custom", nb_c="3", nb_h="32", nb_w="32")
    at.selectbox(key="nb_kind").set_value("avgpool").run()
    at.number_input(key="nb_avgpool_kernel_size").set_value(16).run()
    at.number_input(key="nb_avgpool_stride").set_value(16).run()
    at.button(key="nb_add").click().run()
    assert not at.error and at.query_params["nb_stack"] == "avgpool16"
    assert at.query_params["nb_avgpool_stride"] == "16"
    second = _open(BUILDER, **dict(at.query_params))
    assert _shapes(second) == ["3×32×32", "3×2×2"] and second.number_input(key="nb_avgpool_stride").value == 16


@pytest.mark.parametrize(
    "params",
    [
        {"nb_c": "0"},
        {"nb_h": "99999"},
        {"nb_preset": "evil"},
        {"nb_kind": "conv3d"},
        {"nb_pick": "0"},
        {"nb_pick": "70"},
        {"nb_conv2d_kernel_size": "99"},
        {"nb_activation_function": "swish"},
        {"nb_autofit": "maybe"},
    ],
)
def test_builder_hostile_values_are_ignored(params):
    at = _open(BUILDER, **params)
    assert not at.error and not at.warning
    assert metric(at, "Layers") == "12" and metric(at, "Output shape") == "10"
    for key, value in params.items():
        assert at.query_params.get(key) != value


def test_the_longest_stack_travels_and_no_layer_is_added_past_it():
    """A 64-layer stack is longer than the 64 characters other values may have, and is read all the same."""
    stack = "-".join(["relu"] * MAX_LAYERS)
    at = _open(BUILDER, nb_stack=stack)
    assert metric(at, "Layers") == str(MAX_LAYERS) and not at.warning
    at.selectbox(key="nb_kind").set_value("flatten").run()
    at.button(key="nb_add").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [text("nb.err.too_many", "en", n=MAX_LAYERS)]
    assert metric(at, "Layers") == str(MAX_LAYERS) and at.query_params["nb_stack"] == stack


def test_a_stack_too_long_for_a_link_says_so():
    """The fix button's Flatten makes a 65th layer: the link cannot carry the stack, and the box says so."""
    at = _open(BUILDER, nb_stack="-".join(["relu"] * (MAX_LAYERS - 1) + ["linear10"]))
    at.button(key="nb_fix").click().run()
    assert not at.exception and not at.error
    assert metric(at, "Layers") == str(MAX_LAYERS + 1)
    assert text("share.stack_not_in_link", "en", n=MAX_LAYERS) in [c.value for c in at.caption]
    assert "nb_stack" not in at.query_params


def test_shapes_of_a_shared_stack_are_torchs():
    at = _open(
        BUILDER,
        nb_stack="conv7c64s2p3-bn-relu-maxpool3s2p1-basicblockc64-basicblockc128s2",
        nb_c="3",
        nb_h="224",
        nb_w="224",
    )
    steps = build_stack((3, 224, 224), at.session_state["nb_stack"])
    assert _shapes(at)[1:] == ["×".join(map(str, step.shape)) for step in steps]
    assert _shapes(at)[-1] == "128×28×28"  # ResNet-18's stem and first stages


# ---------------------------------------------------------------- presenter mode


def test_presenter_mode_from_the_toggle_and_the_url():
    at = _open(CONV)
    assert at.toggle(key=ui.PRESENT_KEY).value is False
    assert "present" not in at.query_params
    at.toggle(key=ui.PRESENT_KEY).set_value(True).run()
    assert at.query_params["present"] == "1"
    assert at.session_state["present"] is True
    at.switch_page(FEATURES).run()  # remembered across pages
    assert at.toggle(key=ui.PRESENT_KEY).value is True
    at.toggle(key=ui.PRESENT_KEY).set_value(False).run()
    assert "present" not in at.query_params

    linked = _open(FEATURES, present="1")
    assert linked.toggle(key=ui.PRESENT_KEY).value is True


def test_presenter_mode_enlarges_the_figures_type():
    def font_sizes(at):
        return {json.loads(chart.proto.spec)["layout"].get("font", {}).get("size") for chart in at.get("plotly_chart")}

    assert font_sizes(_open(FEATURES)) == {None}  # Plotly's default
    assert font_sizes(_open(FEATURES, present="1")) == {ui.PRESENTER_FIGURE_FONT}
    # the live animator (Convolution, Pooling, Transposed) is told, and sets its larger type itself
    # (tests/browser/test_browser_animator.py)
    for page in (CONV, POOL, TCONV):
        assert animator_data(_open(page))["large"] is False
        assert animator_data(_open(page, present="1"))["large"] is True


@pytest.mark.parametrize("path", ["app.py", CONV, FEATURES, POOL, TCONV, BUILDER, LEARNING, WHY])
def test_every_page_has_the_presenter_toggle(path):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if path != "app.py":
        at.switch_page(path)
    at.run()
    assert not at.exception
    assert at.toggle(key=ui.PRESENT_KEY).label == text("present.toggle", "en")


def test_presenter_css_is_constant():
    """The style sheet is code, not user input: no placeholders, nothing but CSS inside <style>."""
    css = ui.PRESENTER_CSS
    assert css.startswith("<style>") and css.endswith("</style>") and css.count("<") == 2
    assert "{}" not in css and "%" not in css


def _heatmaps(at: AppTest) -> list[tuple[object, object]]:
    """(colour scale, colour bar) of every heatmap the page's Plotly charts draw, padding tints left out."""
    found = []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for trace in spec["data"]:
            if trace.get("type") != "heatmap":
                continue
            owner = spec["layout"][trace["coloraxis"]] if "coloraxis" in trace else trace
            scale = owner.get("colorscale")
            if len({colour for _, colour in scale}) == 1:  # a flat tint over the padding, not a map of values
                assert trace.get("hoverinfo") == "skip"
                continue
            found.append((scale, None if owner.get("showscale") is False else owner.get("colorbar")))
    return found


@pytest.mark.parametrize(
    ("params", "output_scale"),
    [
        ({"conv_padding_h": "1"}, style.DIVERGING_SCALE),  # signed outputs (Sobel)
        (  # non-negative: one box-blur kernel (a second kernel would be a different one, signed)
            {
                "conv_preset": "box_blur",
                "conv_out_channels": "1",
                "conv_padding_mode": "reflect",
                "conv_padding_w": "2",
            },
            style.SEQUENTIAL_SCALE,
        ),
    ],
)
def test_the_animator_gets_projector_safe_scales(params, output_scale):
    """The live animator draws its colour bars from these scales (tests/browser/test_browser_animator.py sees them)."""
    colours = animator_data(_open(CONV, **params))["colours"]
    assert colours["input_scale"] == style.INPUT_SCALE
    assert colours["output_scale"] == output_scale
    low, high = colours["output_range"]
    assert (low == -high) if output_scale == style.DIVERGING_SCALE else low == 0


@pytest.mark.parametrize(
    ("path", "params"),
    [
        (FEATURES, {}),
        (FEATURES, {"fm_layer": "1"}),  # after ReLU: non-negative
    ],
)
def test_every_heatmap_has_a_colour_bar_and_a_projector_safe_scale(path, params):
    """Input gray, cividis for non-negative maps, the diverging scale with zero at white for signed ones."""
    heatmaps = _heatmaps(_open(path, **params))
    assert heatmaps
    for scale, bar in heatmaps:
        assert scale in (style.INPUT_SCALE, style.SEQUENTIAL_SCALE, style.DIVERGING_SCALE)
        assert bar is not None
