"""The Pooling & activations page through Streamlit's AppTest."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from tests_support import POOL, animator_data, chart_spec, metric, open_page

PAGE = POOL


def test_pooling_a_lenet_feature_map_keeps_the_channels_and_has_no_weights():
    at = open_page(PAGE)
    assert metric(at, "Input") == "[2, 28, 28]"
    assert metric(at, "Output") == "[2, 14, 14]"
    assert metric(at, "Parameters") == "0"
    assert metric(at, "Channels") == "2 → 2"
    assert any("no weights" in i.value for i in at.info)
    data = animator_data(at)  # the live animator, told to mark max pooling's winner
    assert data["kind"] == "pool" and data["geometry"]["pool"] == "max"
    assert (data["geometry"]["out_height"], data["geometry"]["out_width"]) == (14, 14)
    assert data["weight"] is None and data["bias"] is None
    assert any(r"\max" in line.value for line in at.latex)
    assert any("same output" in c.value for c in at.caption)


def test_stride_and_padding_change_the_output():
    at = open_page(PAGE)
    at.toggle(key="pool_stride_default").set_value(False).run()
    at.number_input(key="pool_stride_h").set_value(1).run()
    assert not at.exception
    assert metric(at, "Output") == "[2, 27, 14]"
    at.number_input(key="pool_padding_w").set_value(1).run()
    assert metric(at, "Output") == "[2, 27, 15]"


def test_average_pooling_writes_the_mean():
    at = open_page(
        PAGE, pool_kind="avg", pool_source="sample", pool_sample="classic_5x5", pool_kernel_h=3, pool_kernel_w=3
    )
    assert metric(at, "Output") == "[1, 1, 1]"
    assert any(r"\frac{6}{9}" in line.value for line in at.latex)  # 1+1+1+0+1+1+0+0+1


def test_impossible_padding_is_explained():
    at = open_page(PAGE, pool_padding_h=2)  # 2x2 window: padding at most 1
    assert any("Pooling padding 2 along the height is more than half" in e.value for e in at.error)
    assert not at.get("plotly_chart") and not at.get("bidi_component")
    at = open_page(PAGE, pool_kernel_h=3, pool_kernel_w=1, pool_padding_w=1)  # a window 1 wide takes no padding
    assert any("along the width" in e.value and "Reduce that padding to 0," in e.value for e in at.error), [
        e.value for e in at.error
    ]


def test_an_uploaded_picture_is_pooled():
    at = open_page(PAGE, pool_source="upload")
    # the prompt is in the main column, which is otherwise empty (not beside the uploader, out of sight)
    assert any("Upload a picture" in i.value for i in at.main.info)
    assert not any("Upload a picture" in i.value for i in at.sidebar.info)
    picture = Image.fromarray(np.tile(np.arange(0, 240, 30, dtype=np.uint8), (4, 1)))  # 8 x 4, grayscale
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    at.file_uploader(key="pool_upload").set_value(("ramp.png", buffer.getvalue(), "image/png")).run()
    assert not at.exception
    assert metric(at, "Input") == "[1, 8, 16]"
    assert metric(at, "Output") == "[1, 4, 8]"


def test_a_broken_upload_is_explained():
    at = open_page(PAGE, pool_source="upload")
    at.file_uploader(key="pool_upload").set_value(("x.png", b"not an image", "image/png")).run()
    assert not at.exception
    assert at.main.error


def test_the_activations_upload_prompt_is_in_the_main_column():
    at = open_page(PAGE, pool_section="activations", pool_act_source="kernel", pool_act_picture="upload")
    assert any("Upload a picture" in i.value for i in at.main.info)
    assert not at.get("plotly_chart")
    at.file_uploader(key="act_upload").set_value(("x.png", b"not an image", "image/png")).run()
    assert not at.exception
    assert at.main.error and not any("Upload a picture" in i.value for i in at.main.info)


@pytest.mark.parametrize(
    "name, histogram_says",
    [
        ("relu", "piles up in the bin at zero"),
        ("leaky_relu", "move towards zero (multiplied by the slope)"),
        ("sigmoid", "between 0 and 1"),
        ("tanh", "between −1 and 1"),
        ("gelu", "positive values barely move"),
    ],
)
def test_activations_on_lenet_conv1(name, histogram_says):
    at = open_page(PAGE, pool_section="activations", pool_activation=name)
    zeroed = metric(at, "Set to zero")
    assert (zeroed != "0%") == (name == "relu")
    assert any(histogram_says in c.value for c in at.caption), [c.value for c in at.caption]
    assert len(at.get("plotly_chart")) == 3  # before, after, histograms
    histogram = chart_spec(at, 2)
    assert [trace["type"] for trace in histogram["data"]] == ["bar", "bar"]


def test_activation_of_a_picture_after_a_kernel():
    at = open_page(PAGE, pool_section="activations", pool_act_source="kernel", pool_act_picture="chelsea")
    before = chart_spec(at, 0)
    assert len(before["data"][0]["z"]) == 64 or len(before["data"][0]["z"][0]) == 64


@pytest.mark.parametrize(("mode", "scale"), [("nearest", 2), ("bilinear", 3), ("bicubic", 2)])
def test_upsampling_side_by_side(mode, scale):
    """The live animator gets the map and F.interpolate's output, and every output row's and column's taps."""
    at = open_page(PAGE, pool_section="upsampling", pool_mode=mode, pool_scale=scale)
    data = animator_data(at)
    assert data["kind"] == "upsample" and data["input"].shape == (1, 14, 14)
    assert data["output"].shape == (1, 14 * scale, 14 * scale)
    expected = F.interpolate(torch.tensor(data["input"])[None], scale_factor=scale, mode=mode)[0]
    assert torch.equal(torch.tensor(data["output"]), expected)
    g = data["geometry"]
    assert len(g["row_taps"]) == len(g["col_taps"]) == 14 * scale
    assert {len(axis["taps"]) for axis in g["row_taps"]} == {{"nearest": 1, "bilinear": 2, "bicubic": 4}[mode]}
    assert any("F.interpolate gives" in c.value for c in at.caption)


def test_the_explained_upsampled_cell_is_the_animators_step_and_follows_it():
    """Bilinear ×2 without align_corners: output (5, 2) reads source rows 2, 3 and columns 0, 1. The sliders
    move the animator; a step in the animator (its view sets pool_up_step) moves the sliders and the panel."""
    at = open_page(PAGE, pool_section="upsampling", pool_mode="bilinear", pool_scale=2)
    at.slider(key="pool_up_oy").set_value(5).run()
    at.slider(key="pool_up_ox").set_value(2).run()
    assert not at.exception
    data = animator_data(at)
    assert data["position"] == 5 * 28 + 2
    assert data["geometry"]["row_taps"][5]["taps"] == [2, 3] and data["geometry"]["col_taps"][2]["taps"] == [0, 1]
    at.session_state["pool_up_step"] = 7 * 28 + 9  # what ui._view_changed does when the student pauses there
    at.run()
    assert (at.slider(key="pool_up_oy").value, at.slider(key="pool_up_ox").value) == (7, 9)
    assert animator_data(at)["position"] == 7 * 28 + 9
    assert any("y_{7,9}" in element.body for element in at.get("latex"))
    at.radio(key="pool_scale").set_value(3).run()  # a new size: the cell stays, at its new position
    assert not at.exception
    assert (at.slider(key="pool_up_oy").value, at.slider(key="pool_up_ox").value) == (7, 9)
    assert animator_data(at)["position"] == 7 * 42 + 9


def test_a_clamped_bilinear_coordinate_is_shown_with_its_clamp():
    """Bilinear ×2 without align_corners: output row 0 maps to (0 + 0.5) / 2 − 0.5 = −0.25, which PyTorch
    clamps to 0; the step panel says both, and compares its sum with F.interpolate's value."""
    at = open_page(PAGE, pool_section="upsampling", pool_mode="bilinear", pool_scale=2, pool_up_oy=0, pool_up_ox=3)
    where = next(m.value for m in at.markdown if "maps to input coordinate" in m.value)
    assert "(-0.25 → 0, 1.25)" in where
    assert any("clamps a coordinate below 0 to 0" in c.value for c in at.caption)
    assert any("the same number as the sum above" in c.value for c in at.caption)
    at = open_page(PAGE, pool_section="upsampling", pool_mode="bilinear", pool_scale=2, pool_up_oy=3, pool_up_ox=3)
    assert not any("clamps a coordinate" in c.value for c in at.caption)


def test_switching_sections_keeps_each_sections_settings():
    at = open_page(PAGE, pool_kind="avg")
    at.radio(key="pool_section").set_value("upsampling").run()
    at.radio(key="pool_section").set_value("pooling").run()
    assert not at.exception
    assert at.radio(key="pool_kind").value == "avg"
