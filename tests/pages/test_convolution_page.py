"""The home page and the Convolution page through Streamlit's AppTest: renders, reacts to widgets, explains bad
input."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests_support import CONV, ROOT, animator_data, metric, open_page


def _app() -> AppTest:
    return AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)


def _conv(**state) -> AppTest:
    return open_page(CONV, **state)


def test_home_renders():
    at = _app().run()
    assert not at.exception
    assert at.title[0].value == "vizconv"


def test_convolution_renders_with_defaults():
    at = _conv()
    assert metric(at, "Output") == "[2, 26, 26]"
    assert not at.error
    assert any("same output" in s.value for s in at.success)


def test_the_animator_gets_the_trace_of_these_settings():
    """The page sends the live animator the padded input, weights, bias and output of its trace (the browser
    draws every position from them), opening on the step panel's position."""
    at = _conv()
    data = animator_data(at)
    assert (data["geometry"]["out_height"], data["geometry"]["out_width"]) == (26, 26)
    assert data["position"] == at.session_state["conv_position"] and data["channel"] == 0
    assert data["output"].shape == (2, 26, 26) and data["padded"].shape == (1, 28, 28)
    at.number_input(key="conv_stride_h").set_value(2).run()
    data = animator_data(at)
    assert (data["geometry"]["out_height"], data["geometry"]["out_width"]) == (13, 26)
    assert data["geometry"]["stride"] == [2, 1]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("conv_stride_w", 3, "[2, 26, 9]"),
        ("conv_padding_h", 2, "[2, 30, 26]"),
        ("conv_dilation_h", 2, "[2, 24, 26]"),
    ],
)
def test_changing_a_setting_changes_the_output_shape(key, value, expected):
    at = _conv()
    at.number_input(key=key).set_value(value).run()
    assert not at.exception
    assert metric(at, "Output") == expected


def test_same_padding_keeps_the_size():
    at = _conv()
    at.radio(key="conv_padding_kind").set_value("same").run()
    assert metric(at, "Output") == "[2, 28, 28]"


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"conv_groups": 2}, "cannot be split into 2"),
        ({"conv_padding_kind": "same", "conv_stride_h": 2}, "only works with stride 1"),
        ({"conv_side": 10, "conv_kernel_h": 5, "conv_dilation_h": 3}, "Make the kernel or the dilation smaller"),
        (
            {
                "conv_source": "sample",
                "conv_sample": "classic_5x5",
                "conv_padding_h": 5,
                "conv_padding_mode": "reflect",
            },
            "Reflect padding",
        ),
    ],
)
def test_impossible_combinations_show_a_message_not_a_traceback(state, message):
    at = _conv(**state)
    assert not at.exception
    assert any(message in e.value for e in at.error), [e.value for e in at.error]
    assert not at.get("bidi_component")


def test_an_uploaded_png_is_used():
    at = _conv(conv_source="upload")
    assert any("Upload an image" in i.value for i in at.info)
    picture = Image.fromarray(np.tile(np.arange(0, 250, 25, dtype=np.uint8), (6, 1)))  # 10 x 6, grayscale
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    at.file_uploader(key="conv_upload").set_value(("ramp.png", buffer.getvalue(), "image/png")).run()
    assert not at.exception
    # scaled to 28 px on the longer side: 28 x 17, one channel
    assert metric(at, "Input") == "[1, 17, 28]"
    assert animator_data(at)["padded"][0, 0, :2].tolist() == [0.0, 0.0]
    # a 10-pixel picture enlarged to 28 says so, and how to convolve its own pixels
    assert any("only 10 pixels on its longer side, so it was enlarged to 28" in i.value for i in at.info)
    at.slider(key="conv_side").set_value(10).run()
    assert metric(at, "Input") == "[1, 6, 10]"
    assert not any("enlarged" in i.value for i in at.info)


def test_the_colour_switch_shows_only_for_colour_pictures():
    at = _conv(conv_sample="camera")  # a grey photo: one channel, whatever the switch says
    assert metric(at, "Input").startswith("[1,")
    assert not any(toggle.key == "conv_colour" for toggle in at.toggle)
    assert any(slider.key == "conv_side" for slider in at.slider)
    at = _conv(conv_sample="chelsea")
    assert any(toggle.key == "conv_colour" for toggle in at.toggle)
    assert metric(at, "Input").startswith("[3,")


def test_a_broken_upload_is_explained():
    at = _conv(conv_source="upload")
    at.file_uploader(key="conv_upload").set_value(("photo.png", b"\x89PNG\r\n\x1a\n broken", "image/png")).run()
    assert not at.exception
    assert any("damaged" in e.value or "not an image" in e.value for e in at.error)


def test_classroom_grid_brings_its_own_kernel():
    at = _conv()
    at.selectbox(key="conv_sample").set_value("cs231n_7x7x3").run()
    assert not at.exception
    assert metric(at, "Output") == "[2, 3, 3]"
    assert metric(at, "Padded") == "[3, 7, 7]"
    assert at.selectbox(key="conv_preset").value == "example"


def test_step_buttons_and_kernel_choice_move_the_step_panel():
    at = _conv()
    at.selectbox(key="conv_sample").set_value("d2l_3x3").run()
    assert metric(at, "Output") == "[1, 2, 2]"
    at.button(key="conv_forward").click().run()
    at.button(key="conv_forward").click().run()
    assert at.session_state.conv_position == 2
    latex = [element.body for element in at.get("latex")]
    assert any(r"y_{0,1,0}" in body and r"\mathbf{37}" in body for body in latex), latex


def test_random_input_with_depthwise_groups():
    at = _conv(conv_source="random", conv_random_channels=3, conv_groups=3, conv_out_channels=3)
    assert not at.exception
    assert not at.error
    assert metric(at, "Weight") == "[3, 1, 3, 3]"


def test_hidden_settings_are_remembered():
    """A setting hidden by another choice (the image size under Random) comes back as the user left it."""
    at = _conv()
    at.slider(key="conv_side").set_value(40).run()
    at.radio(key="conv_source").set_value("random").run()
    assert "conv_side" not in [s.key for s in at.slider]
    at.radio(key="conv_source").set_value("sample").run()
    assert at.slider(key="conv_side").value == 40
    assert metric(at, "Input") == "[1, 40, 40]"


def test_unreached_rows_are_pointed_out():
    """28 rows, kernel 3, stride 2: windows reach rows 0..26, row 27 is never used."""
    at = _conv()
    at.number_input(key="conv_stride_h").set_value(2).run()
    warnings = [w.value for w in at.warning]
    assert any("No window reads row 27 of the padded input" in w for w in warnings), warnings


def test_rows_and_columns_between_windows_are_pointed_out():
    """A 1-wide kernel with stride 5 on 16 columns reads columns 0, 5, 10, 15 only; 7 tall rows fit twice."""
    at = _conv(conv_source="random", conv_random_height=16, conv_random_width=16, conv_padding_kind="valid")
    for key, value in {"conv_kernel_h": 7, "conv_kernel_w": 1, "conv_stride_h": 5, "conv_stride_w": 5}.items():
        at.number_input(key=key).set_value(value)
    at.run()
    warnings = [w.value for w in at.warning]
    assert any("rows 12–15 and columns 1–4, 6–9, 11–14" in w for w in warnings), warnings


def test_lenet_filters_are_a_kernel_preset():
    at = _conv(conv_kernel_h=5, conv_kernel_w=5)
    assert "LeNet-5 conv1 (learned)" in at.selectbox(key="conv_preset").options
    at.selectbox(key="conv_preset").set_value("lenet5_conv1").run()
    assert not at.exception
    assert metric(at, "Output") == "[2, 24, 24]"


def test_the_kernel_editor_is_drawn_only_while_open_and_keeps_its_edits():
    """Closed, the expander sends no data editors (the browser redraws none on a change); open, they show the
    kernel and the bias, and an edited weight changes the output; closed again, the edit stays."""
    at = _conv(conv_out_channels=1, conv_preset="identity")
    assert not at.dataframe and at.session_state["conv_edit_open"] is False
    at.session_state["conv_edit_open"] = True
    at.run()
    assert len(at.dataframe) == 2  # the kernel and the bias
    assert at.selectbox(key="conv_edit_oc").value == 0
    before = animator_data(at)["output"].copy()
    at.session_state["conv_weight"][0, 0, 1, 1] = 2.0  # as the editor writes an edit back
    at.session_state["conv_edit_open"] = False
    at.run()
    assert not at.dataframe
    assert (animator_data(at)["output"] == 2 * before).all()  # identity kernel doubled
