"""Shareable state and presenter mode through AppTest: the URL's query parameters reproduce a view."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from tests_support import ROOT, metric, open_page
from vizconv import style, ui
from vizconv.strings import text

CONV = "pages/1_Convolution_卷积.py"
FEATURES = "pages/2_Feature_maps_特征图.py"


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
    at.button(key="conv_forward").click().run()
    assert at.query_params["conv_position"] == "1"
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

    assert font_sizes(_open(CONV)) == {None}  # Plotly's default
    assert font_sizes(_open(CONV, present="1")) == {ui.PRESENTER_FIGURE_FONT}


@pytest.mark.parametrize("path", ["app.py", CONV, FEATURES])
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
    ("path", "params"),
    [
        (CONV, {"conv_padding_h": "1"}),  # signed outputs (Sobel), padding tinted
        (CONV, {"conv_preset": "box_blur", "conv_padding_mode": "reflect", "conv_padding_w": "2"}),  # non-negative
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
