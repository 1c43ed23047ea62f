"""The "Why it answered" page through AppTest: each lesson in both languages, its numbers against the library and
torchcam, links, clicks and bad input."""

from __future__ import annotations

import pytest

from tests_support import WHY, chart_spec, open_page
from vizconv.explain.cam import class_activation_map, grad_cam
from vizconv.explain.occlusion import occlusion_map
from vizconv.i18n.strings import LANGUAGES, text
from vizconv.inputs.samples import model_samples
from vizconv.nets.models import load_model
from vizconv.views import explain as view


def _cat():
    model, info = load_model("resnet20")
    x = view.predict(model, info, view.sample_picture(model_samples("cifar10")["cifar_cat"])).x
    return model, info, x


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("lesson", view.LESSONS)
def test_every_lesson_opens_in_both_languages(lang, lesson):
    at = open_page(WHY, {"lang": lang, "why_lesson": lesson})
    assert at.title[0].value == text("why.title", lang)
    assert not at.error, [e.value for e in at.error]
    assert at.dataframe  # the prediction table above every lesson


def test_grad_cam_is_written_out_and_torchcam_agrees():
    at = open_page(WHY, {"why_lesson": "gradcam", "why_cy": "3", "why_cx": "4"})
    model, _, x = _cat()
    ours = grad_cam(model, x)  # the defaults: the predicted class (cat), the last layer with a map
    assert ours.layer == "layer3.2" and ours.class_index == 3
    assert any(text("why.torchcam_match", "en", diff="")[:30] in s.value for s in at.success)
    latex = " ".join(m.value for m in at.latex)
    assert r"\sum_k \alpha_k A_k[3,4] &=" in latex
    assert f"&= {view.format_number(ours.term(3, 4).total, 4)}" in latex  # the cell's sum, as grad_cam computes it
    assert len(at.get("plotly_chart")) == 5  # the raw map, α_k, then the sum, its ReLU and the upsampled map
    pre_relu, relu, upsampled = (chart_spec(at, i)["data"][0]["z"] for i in (2, 3, 4))
    assert min(map(min, pre_relu)) < 0 <= min(map(min, relu))  # the ReLU cut the negative cells
    assert relu == chart_spec(at, 0)["data"][0]["z"] and len(upsampled) == 32
    assert at.query_params["why_cy"] == "3" and "why_patch" not in at.query_params  # only this lesson's settings


def test_another_class_and_layer_change_the_map():
    at = open_page(WHY, {"why_lesson": "gradcam", "why_target": "5", "why_layer": "layer2.2"})
    assert at.selectbox(key="why_target").value == 5 and at.selectbox(key="why_layer").value == "layer2.2"
    model, _, x = _cat()
    dog = grad_cam(model, x, "layer2.2", 5)
    assert dog.map.shape == (16, 16)
    raw = chart_spec(at, 0)
    assert "16×16" in raw["layout"]["title"]["text"] and len(raw["data"][0]["z"]) == 16
    assert raw["data"][0]["z"][0][0] == pytest.approx(float(dog.map[0, 0]), abs=1e-4)
    assert any("dog" in c.value for c in at.caption)  # "Explaining **dog**"


def test_a_click_on_the_map_picks_the_cell_written_out():
    at = open_page(WHY, {"why_lesson": "gradcam"})
    at.session_state["why_cy"] = 6
    at.session_state["why_cx"] = 1
    at.run()
    assert not at.exception
    assert any(r"A_k[6,1]" in m.value for m in at.latex)


def test_every_method_and_cams_check():
    model, _, x = _cat()
    for method in view.METHOD_ORDER:
        at = open_page(WHY, {"why_lesson": "methods", "why_method": method})
        assert not at.error, (method, [e.value for e in at.error])
    at = open_page(WHY, {"why_lesson": "methods", "why_method": "cam"})
    cam = class_activation_map(model, x, None, "cam")
    fc_bias = float(model.fc.bias[cam.class_index].detach())
    assert cam.map.mean().item() == pytest.approx(cam.score - fc_bias, abs=1e-4)  # the map's mean: score less bias
    assert any(f"{cam.score:.4g}" in m.value for m in at.markdown)


def test_cam_on_lenet_says_why_not():
    at = open_page(WHY, {"why_lesson": "methods", "why_method": "cam", "why_model": "lenet5", "why_sample": "digit_7"})
    assert any("global average pooling" in e.value for e in at.error)


def test_occlusion_scores_the_patch_placed_by_hand():
    at = open_page(WHY, {"why_lesson": "occlusion", "why_patch": "8", "why_stride": "4", "why_py": "8", "why_px": "12"})
    model, _, x = _cat()
    occluded = occlusion_map(model, x, 3, 8, 4)
    assert occluded.drop.shape == (7, 7)
    with_patch = float(occluded.scores[2, 3])  # the map's position (2, 3): top-left pixel (8, 12)
    assert any(m.value == f"{with_patch:.3f}" for m in at.metric)
    assert any("rows 8 to 8+8−1" in c.value for c in at.caption)
    at.number_input(key="why_px").set_value(24).run()  # as far right as an 8-pixel patch goes in 32
    assert not at.exception and at.number_input(key="why_px").proto.max == 24


def test_a_click_on_the_occlusion_map_moves_the_patch_by_the_stride():
    """The map's cell (2, 3) with a stride of 4 is the patch whose top-left pixel is (8, 12)."""
    from vizconv.ui.figures import _pick_cell

    memory_set = {}

    class Memory:
        def set(self, **values):
            memory_set.update(values)

    with pytest.MonkeyPatch.context() as patch:
        import streamlit as st

        patch.setattr(st, "session_state", {"why_occlusion_map": {"selection": {"points": [{"x": 3, "y": 2}]}}})
        _pick_cell(Memory(), "why_occlusion_map", "py", "px", 4)
    assert memory_set == {"py": 8, "px": 12}


def test_a_patch_larger_than_the_picture_is_kept_inside():
    at = open_page(WHY, {"why_lesson": "occlusion", "why_patch": "64", "why_stride": "64"})
    assert at.slider(key="why_patch").value == 32 and not at.error


def test_what_a_channel_looks_for():
    at = open_page(WHY, {"why_lesson": "channel", "why_conv": "layer1.0.conv1", "why_channel": "5"})
    assert at.selectbox(key="why_conv").value == "layer1.0.conv1"
    assert len(at.get("image")) == 1 + 9 + 1  # the picture seen, the nine patches, the channel on this picture
    at = open_page(WHY, {"why_lesson": "channel", "why_model": "lenet5", "why_sample": "digit_3", "why_channel": "99"})
    assert at.number_input(key="why_channel").value == 5  # LeNet's first layer has 6 channels: kept inside


@pytest.mark.parametrize(
    "query",
    [
        {"why_layer": "nope"},
        {"why_target": "999"},
        {"why_model": "evil"},
        {"why_conv": "../../etc"},
        {"why_cy": "-5"},
        {"why_lesson": "gradcam", "why_model": "lenet5", "why_sample": "cifar_cat"},
    ],
)
def test_hand_edited_links_are_clamped(query):
    at = open_page(WHY, query)
    assert not any("Traceback" in e.value for e in at.error)


def test_switching_language_keeps_the_class_and_lesson():
    at = open_page(WHY, {"why_lesson": "occlusion", "why_target": "5"})
    at.segmented_control(key="ui_lang").set_value("zh").run()
    assert not at.exception
    assert at.selectbox(key="why_target").value == 5 and at.radio(key="why_lesson").value == "occlusion"
    assert at.title[0].value == text("why.title", "zh")


def test_a_model_without_a_map_is_explained(monkeypatch):
    """A network with no layer whose output is a map (none of the bundled ones): a message, no traceback."""
    import vizconv.explain.tap as tap

    monkeypatch.setattr(tap, "spatial_layers", lambda model, size: [])
    at = open_page(WHY)
    assert any("No layer of this model gives a map" in e.value for e in at.error)


def test_moving_the_patch_does_not_slide_it_everywhere_again(monkeypatch):
    """The occlusion map is computed once per picture, class, patch and stride: placing the patch by hand (a drag,
    a click, the inputs) reruns the page without recomputing it."""
    import vizconv.ui.sections.occlusion as section

    calls = []
    original = section.occlusion_map
    monkeypatch.setattr(section, "occlusion_map", lambda *args: calls.append(args) or original(*args))
    at = open_page(WHY, {"why_lesson": "occlusion"})
    at.number_input(key="why_px").set_value(3).run()
    assert not at.exception and len(calls) == 1
    at.slider(key="why_stride").set_value(8).run()
    assert len(calls) == 2


def test_costly_requests_are_bounded():
    """An occlusion map of a 224-pixel picture with an 8-pixel patch every 4 pixels would take 3,025 forward passes,
    Score-CAM at ResNet-18's last layer 512 of 224×224: the page asks for less instead of starting them."""
    assert view.occlusion_positions((224, 224), 8, 4) == 55 * 55 > view.MAX_OCCLUSION_POSITIONS
    stride = view.smallest_stride((224, 224), 8)
    assert view.occlusion_positions((224, 224), 8, stride) <= view.MAX_OCCLUSION_POSITIONS
    assert view.occlusion_positions((224, 224), 8, stride - 1) > view.MAX_OCCLUSION_POSITIONS
    assert view.occlusion_positions((32, 32), 1, 1) <= view.MAX_OCCLUSION_POSITIONS  # the bundled models: never
    assert view.scorecam_work(512, (224, 224)) > view.MAX_SCORECAM_WORK >= view.scorecam_work(64, (32, 32))
