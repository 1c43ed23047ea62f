"""The "More convolutions" page through AppTest: each mode in both languages, a bad typed sequence and impossible
settings shown as messages, a link that reproduces a view, and hand-edited links."""

from __future__ import annotations

import pytest
import torch

from tests_support import CONV, MORE, animator_data, open_page
from vizconv.i18n.strings import LANGUAGES, text
from vizconv.views import more_conv as view


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("mode", view.MODES)
def test_each_mode_in_each_language(mode, lang):
    at = open_page(MORE, {"more_mode": mode, "lang": lang})
    assert at.title[0].value == text("more.title", lang)
    assert at.segmented_control(key="more_mode").value == mode
    assert not _errors(at)
    subheaders = [s.value for s in at.subheader]
    components = at.get("bidi_component")
    if mode == "1d":
        assert len(components) == 1  # the live animator, on one row
        assert text("more.wavenet", lang) in subheaders
        assert any(text("more.causal_note", lang, left=2)[:20] in c.value for c in at.caption)
    elif mode == "2d":
        assert text("more.two_d", lang) in [i.value for i in at.info]
        assert not components
    elif mode == "3d":
        assert not components and len(at.get("plotly_chart")) == 2  # the input's slices and the output's
        assert len(at.latex) == 3 + 2 * 1 + 1  # D, H, W; one line per slice of the window; the total
    else:
        assert len(components) == 3  # standard, depthwise, pointwise
        assert text("more.counts_agree", lang) in [s.value for s in at.success]
        assert any("[4, 5, 5]" in s.value for s in at.success)  # the same output shape


def test_the_1d_animator_draws_the_trace_and_steps_with_the_panel():
    at = open_page(MORE, {"more_mode": "1d", "more_position": "3"})
    data = animator_data(at)
    values = dict(view.DEFAULTS)
    trace = view.run_1d(values, view.build_sequence(values))
    assert data["output"].shape[-2:] == (1, trace.out_size[0])  # one row
    torch.testing.assert_close(torch.tensor(data["output"]).reshape(-1), trace.output[0])
    assert at.session_state["more_position"] == 3
    at.button(key="more_forward").click().run()
    assert at.session_state["more_position"] == 4
    assert any("position **4**" in m.value for m in at.markdown)
    assert at.query_params["more_position"] == "4"


def test_a_bad_typed_sequence_is_a_message_and_the_rest_still_works():
    at = open_page(MORE, {"more_mode": "1d", "more_source": "typed"})
    at.text_input(key="more_typed").input("1 2 three 4").run()
    assert not at.exception
    assert any("three" in e for e in _errors(at))
    assert text("more.wavenet", "en") in [s.value for s in at.subheader]  # the stack needs no sequence
    at.text_input(key="more_typed").input("1 2 3 4 5").run()
    assert not _errors(at) and at.query_params["more_typed"] == "1 2 3 4 5"


@pytest.mark.parametrize(
    "query",
    [
        {
            "more_mode": "1d",
            "more_source": "typed",
            "more_typed": "1 2 3",
            "more_padding_kind": "valid",
            "more_kernel": "5",
        },
        {"more_mode": "1d", "more_in_channels": "3", "more_groups": "2"},
        {"more_mode": "1d", "more_padding_kind": "valid", "more_length": "4", "more_kernel": "3", "more_dilation": "4"},
        {
            "more_mode": "3d",
            "more_volume": "digit",
            "more_frames": "2",
            "more_v_kernel_d": "3",
            "more_v_dilation_d": "2",
        },
        {"more_mode": "3d", "more_volume": "ball", "more_side": "4", "more_v_kernel_h": "3", "more_v_dilation_h": "2"},
    ],
)
def test_impossible_settings_are_messages(query):
    for lang in LANGUAGES:
        at = open_page(MORE, {**query, "lang": lang})
        assert len(_errors(at)) == 1, _errors(at)


def test_changing_a_widget_to_an_impossible_setting_is_a_message():
    at = open_page(MORE, {"more_mode": "1d", "more_in_channels": "2"})
    at.number_input(key="more_groups").set_value(3).run()
    assert not at.exception
    assert _errors(at) == [text("more.err.groups", "en", groups=3, c_in=2, c_out=1)]


def test_a_link_reproduces_the_view():
    query = {
        "more_mode": "3d",
        "more_volume": "random",
        "more_v_channels": "2",
        "more_frames": "3",
        "more_side": "5",
        "more_v_kernel_d": "2",
        "more_v_stride_h": "2",
        "more_v_preset": "random",
        "more_v_seed": "5",
        "more_v_position": "3",
        "lang": "zh",
    }
    at = open_page(MORE, query)
    assert not _errors(at)
    assert at.session_state["more_v_position"] == 3
    assert at.number_input(key="more_v_stride_h").value == 2
    assert len(at.get("plotly_chart")) == 3  # two input channels' slices, the output's
    for key, value in query.items():
        assert at.query_params[key] == value, key
    again = open_page(MORE, dict(at.query_params))
    assert [x.value for x in again.latex] == [x.value for x in at.latex]


def test_hand_edited_links_are_ignored_or_explained():
    at = open_page(MORE, {"more_mode": "5d", "more_kernel": "99", "more_stride": "-1", "more_position": "x"})
    assert at.segmented_control(key="more_mode").value == "1d"
    assert at.number_input(key="more_kernel").value == view.DEFAULTS["kernel"]
    assert "more_stride" not in at.query_params or at.query_params["more_stride"] == "1"
    assert not _errors(at)
    at = open_page(MORE, {"more_mode": "1d", "more_source": "typed", "more_typed": "1 2 <script>"})
    assert len(_errors(at)) == 1 and "<script>" not in at.error[0].value.replace("\\<script\\>", "")
    at = open_page(MORE, {"more_mode": "separable", "more_s_out_channels": "9", "more_position": "99999"})
    assert at.slider(key="more_s_out_channels").value == view.DEFAULTS["s_out_channels"]
    at = open_page(MORE, {"more_mode": "1d", "more_position": "9999"})  # past the end: clamped
    assert at.session_state["more_position"] == view.DEFAULTS["length"] - 1


def test_the_2d_mode_links_to_the_convolution_page():
    at = open_page(MORE, {"more_mode": "2d", "lang": "zh"})
    links = at.get("page_link")
    assert any(link.proto.page.endswith(CONV.split("/")[-1]) or "Convolution" in link.proto.page for link in links)
    assert text("more.two_d_link", "zh") in [link.proto.label for link in links]


def test_switching_modes_and_language_keeps_the_settings():
    at = open_page(MORE, {"more_mode": "1d", "more_kernel": "5"})
    at.segmented_control(key="more_mode").set_value("separable").run()
    assert not at.exception and len(at.get("bidi_component")) == 3
    at.segmented_control(key="ui_lang").set_value("zh").run()
    assert at.title[0].value == text("more.title", "zh")
    at.segmented_control(key="more_mode").set_value("1d").run()
    assert at.number_input(key="more_kernel").value == 5
    assert at.query_params["lang"] == "zh" and at.query_params["more_kernel"] == "5"
