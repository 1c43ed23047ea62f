"""Any CNN on the Feature maps and "Why it answered" pages (issue 21): torchvision's zoo offline (the page says so
and offers random weights), a zoo model with random weights explained down to one grouped dot product, and a
student's ONNX file uploaded, with its preprocessing and class names, kept in that session only."""

from __future__ import annotations

import hashlib
import io
import urllib.error

import pytest
import torch
from streamlit.testing.v1 import AppTest
from torch import nn

from tests_support import FEATURES, WHY, onnx_bytes, open_page
from vizconv.i18n.strings import text
from vizconv.inputs.samples import model_samples, open_picture
from vizconv.nets.architectures import lenet5
from vizconv.nets.zoo import IMAGENET


def _lenet_onnx(softmax: bool = False) -> tuple[nn.Module, bytes]:
    torch.manual_seed(5)
    model = lenet5()
    if softmax:  # as many exported classifiers end
        model = nn.Sequential(model, nn.Softmax(dim=1))
    return model.eval(), onnx_bytes(model, (1, 1, 28, 28))


def _upload(at: AppTest, key: str, name: str, data: bytes) -> AppTest:
    at.file_uploader(key=key).set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, at.exception
    return at


def _captions(at: AppTest) -> str:
    return "\n".join(c.value for c in at.caption)


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """An empty torch hub cache, and no download reaches the internet (as on these machines)."""

    def no_route(*args, **kwargs):
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr("urllib.request.urlopen", no_route)
    monkeypatch.setattr(torch.hub, "_hub_dir", None)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))


def test_every_zoo_model_is_offered_with_its_name_in_both_languages():
    at = open_page(FEATURES)
    box = at.selectbox(key="fm_model")
    assert "MobileNet V2 · ImageNet" in box.options
    assert "Your own model (ONNX file) …" in box.options
    assert len(box.options) == 16  # vizconv's 4, torchvision's 11 others, and an ONNX file
    at.segmented_control(key="ui_lang").set_value("zh").run()
    assert "Your own model (ONNX file) …" not in at.selectbox(key="fm_model").options


def test_a_zoo_model_offline_says_so_and_offers_random_weights(offline):
    at = open_page(FEATURES, fm_model="mobilenet_v2")
    assert at.error and "download" in at.error[0].value and "MobileNet V2" in at.error[0].value
    at.button(key="fm_instead_random").click().run()
    assert not at.exception and not at.error
    assert any(w.value == text("fm.random_note", "en") for w in at.warning)  # clearly labelled as untrained
    assert at.selectbox(key="fm_model").value == "mobilenet_v2"


def test_a_zoo_model_is_downloaded_once_under_a_progress_bar_then_predicts(offline, monkeypatch):
    """The download served from a local file in place of torchvision's server (no internet here): the page
    shows the download's size, the weights land in torch's hub cache, and the prediction is the model's."""
    from vizconv.nets import models
    from vizconv.nets.models import random_model, weights_downloaded

    name = "mobilenet_v3_small"
    buffer = io.BytesIO()
    torch.save(random_model(name, seed=3)[0].state_dict(), buffer)
    payload = buffer.getvalue()

    class Response(io.BytesIO):
        headers = {"Content-Length": str(len(payload))}

    requests: list[str] = []
    monkeypatch.setattr("urllib.request.urlopen", lambda url, timeout: requests.append(url) or Response(payload))
    monkeypatch.setattr(models, "_hash_prefix", lambda url: hashlib.sha256(payload).hexdigest()[:8])
    at = open_page(FEATURES, fm_model=name)
    assert not at.error, [e.value for e in at.error]
    assert len(requests) == 1 and weights_downloaded(name)
    assert at.radio(key="fm_weights").value == "bundled"  # torchvision's ImageNet weights
    top = at.dataframe[0].value  # the prediction: five of ImageNet's classes
    assert len(top) == 5 and set(top.iloc[:, 0]) <= set(IMAGENET.classes)
    at.run()
    assert len(requests) == 1  # cached: no second download


def test_a_depthwise_conv_of_the_zoo_is_explained_within_its_group():
    at = open_page(FEATURES, fm_model="mobilenet_v2", fm_weights="random", fm_layer="features.2.conv.1.0")
    assert not at.error, [e.value for e in at.error]
    said = "\n".join(m.value for m in at.markdown)
    assert "depthwise" in said.lower() and "96 groups" in said, said
    assert any(s.value.startswith(text("fm.captured", "en", value="")[:12]) for s in at.success)


def test_the_zoo_s_largest_models_offer_no_upload_of_ones_own_weights():
    at = open_page(FEATURES, fm_model="vgg16", fm_weights="random")
    weights = at.radio(key="fm_weights")
    assert text("fm.weights.own", "en") not in weights.options
    assert "larger than this server accepts" in _captions(at)
    assert text("fm.weights.own", "en") in open_page(FEATURES, fm_model="mobilenet_v2").radio(key="fm_weights").options


def test_an_onnx_model_is_asked_for_then_shown_down_to_the_dot_product():
    at = open_page(FEATURES, fm_model="onnx")
    assert any("Upload an ONNX model" in i.value for i in at.info)
    model, data = _lenet_onnx()
    _upload(at, "fm_onnx_file", "digits.onnx", data)
    assert not at.error, [e.value for e in at.error]
    assert "**digits.onnx**" in _captions(at) and "2 convolutions" in _captions(at)
    assert "guessed from the input's size: an MNIST digit" in _captions(at)
    latex = " ".join(element.body for element in at.get("latex"))
    assert r"\mathbf{" in latex  # an activation written out as dot products
    assert at.success  # the recomputed activation equals the captured one
    assert text("share.own_onnx_note", "en") in _captions(at)


def test_an_onnx_model_ending_in_softmax_predicts_its_own_probabilities():
    """The graph's output is already probabilities: the table shows them, not a softmax of them (which would
    squeeze every class towards 10 %)."""
    model, data = _lenet_onnx(softmax=True)
    at = _upload(open_page(FEATURES, fm_model="onnx"), "fm_onnx_file", "soft.onnx", data)
    info = at.session_state["ui_own_model"][2]
    seven = open_picture(model_samples("mnist")["digit_7"])  # the page's default sample picture
    with torch.no_grad():
        expected = model(info.preprocess(seven))[0]
    table = at.dataframe[0].value  # the prediction: class, probability
    best = int(expected.argmax())
    assert table.iloc[0, 0] == str(best)
    assert table.iloc[0, 1] == pytest.approx(float(expected[best]), abs=1e-5)


def test_an_onnx_model_s_preprocessing_and_class_names_are_the_students():
    _, data = _lenet_onnx()
    at = _upload(open_page(FEATURES, fm_model="onnx"), "fm_onnx_file", "digits.onnx", data)
    at.selectbox(key="fm_preprocess").set_value("unit").run()
    assert "as you chose: pixels scaled to 0–1" in _captions(at)
    names = "\n".join(f"class {chr(65 + i)}" for i in range(10)).encode()
    _upload(at, "fm_onnx_names", "names.txt", names)
    assert not at.error
    assert "class A" in str(at.session_state["ui_own_model"][2].classes)
    _upload(at, "fm_onnx_names", "short.txt", b"one\ntwo\n")  # 2 names for 10 scores: refused with a message
    assert at.error and "2" in at.error[0].value and "10" in at.error[0].value


@pytest.mark.parametrize("data", [b"not an onnx file", b"", None], ids=["text", "empty", "truncated"])
def test_a_broken_onnx_file_gets_a_message_and_the_server_carries_on(data):
    if data is None:
        data = _lenet_onnx()[1][:300]
    at = _upload(open_page(FEATURES, fm_model="onnx"), "fm_onnx_file", "broken.onnx", data)
    assert at.error and "Traceback" not in at.error[0].value
    at.selectbox(key="fm_model").set_value("lenet5").run()  # the student carries on with another model
    assert not at.exception and not at.error
    assert "ui_own_model" not in at.session_state  # the broken file's model is not kept


def test_the_chinese_page_explains_an_onnx_model_in_chinese():
    _, data = _lenet_onnx()
    at = _upload(open_page(FEATURES, {"lang": "zh"}, fm_model="onnx"), "fm_onnx_file", "digits.onnx", data)
    assert "你的 ONNX 模型" in _captions(at)
    at.segmented_control(key="ui_lang").set_value("en").run()  # switched mid-lesson: the model stays
    assert "Your ONNX model **digits.onnx**" in _captions(at)


def test_a_link_naming_onnx_asks_for_the_file():
    at = open_page(FEATURES, query={"fm_model": "onnx", "fm_preprocess": "imagenet"})
    assert any("Upload an ONNX model" in i.value for i in at.info)
    assert at.selectbox(key="fm_preprocess").value == "imagenet"


def test_the_why_page_explains_an_onnx_model_and_a_random_zoo_model():
    _, data = _lenet_onnx()
    at = _upload(open_page(WHY, why_model="onnx"), "why_onnx_file", "digits.onnx", data)
    assert not at.error, [e.value for e in at.error]
    assert at.get("plotly_chart")  # the Grad-CAM maps
    at = open_page(WHY, why_model="regnet_y_400mf", why_weights="random")
    assert not at.error, [e.value for e in at.error]
    at = open_page(WHY, why_model="resnet20", why_weights="random", why_lesson="channel")
    assert any(i.value == text("why.channel.trained_only", "en") for i in at.info)
