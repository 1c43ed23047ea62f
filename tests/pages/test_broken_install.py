"""A broken install (altered or missing model files, a card that is not JSON, no assets/, a torch cache that
cannot be written) gives a message in the page that says what is wrong and what to do, never a traceback; the
rest of the page keeps working. Each test points vizconv at a damaged copy of assets/ (the real one is never
touched)."""

from __future__ import annotations

import shutil
import urllib.error
from pathlib import Path

import pytest
import streamlit as st
import torch

from tests_support import CONV, FEATURES, POOL, ROOT, animator_data, metric, open_page
from vizconv.i18n.strings import text
from vizconv.inputs import kernels, samples
from vizconv.inputs.samples import SampleError, sample_input
from vizconv.nets import models
from vizconv.nets.models import ModelError, download_resnet18, load_model, resnet18_downloaded, resnet18_weights_path

SECTIONS = ("pooling", "activations", "upsampling")


def _forget_loaded_files() -> None:
    """Models and sample modes loaded from the real assets are cached per process: forget them."""
    st.cache_resource.clear()
    kernels.learned_filters.cache_clear()
    samples._image_mode.cache_clear()


@pytest.fixture
def assets(tmp_path, monkeypatch) -> Path:
    """A copy of assets/ that vizconv reads instead of the real one (the test damages it as it likes)."""
    copy = tmp_path / "assets"
    shutil.copytree(ROOT / "assets", copy)
    monkeypatch.setattr(samples, "ASSETS", copy)
    monkeypatch.setattr(models, "MODELS_DIR", copy / "models")
    _forget_loaded_files()
    yield copy
    _forget_loaded_files()


def _errors(at) -> list[str]:
    return [e.value for e in at.error]


def _assert_explained(at, *fragments: str) -> None:
    assert not at.exception, at.exception
    errors = _errors(at)
    assert any(all(f in e for f in fragments) for e in errors), errors


# ---------------------------------------------------------------- the library says what is wrong


def test_a_card_that_is_not_json_is_a_model_error(assets):
    (assets / "models" / "lenet5.json").write_text("not json {", encoding="utf-8")
    with pytest.raises(ModelError, match="model card of lenet5") as refused:
        load_model("lenet5")
    assert "git checkout assets" in str(refused.value)
    assert "模型卡" in refused.value.message("zh")


@pytest.mark.parametrize("card", ['["a list"]', '{"sha256": "0", "classes": ["0", "1"]}', '{"classes": []}', ""])
def test_a_card_without_what_loading_needs_is_a_model_error(assets, card):
    (assets / "models" / "resnet20.json").write_text(card, encoding="utf-8")
    with pytest.raises(ModelError, match="cannot be read"):
        load_model("resnet20")


def test_missing_and_altered_weights_name_the_file_and_the_fix(assets):
    weights = assets / "models" / "lenet5.pt"
    with open(weights, "ab") as file:
        file.write(b"tampered")
    with pytest.raises(ModelError, match="sha256") as refused:
        load_model("lenet5")
    assert str(weights) in str(refused.value) and "git checkout assets" in str(refused.value)
    weights.unlink()
    with pytest.raises(ModelError, match="missing") as refused:
        load_model("lenet5")
    assert str(weights) in str(refused.value) and "git checkout assets" in str(refused.value)


def test_learned_kernels_are_left_out_when_their_model_is_broken(assets):
    (assets / "models" / "lenet5.json").write_text("not json", encoding="utf-8")
    assert kernels.learned_filters("lenet5_conv1") is None
    assert "lenet5_conv1" not in kernels.available_presets(5, 5)


def test_a_missing_sample_picture_is_a_sample_error(assets):
    (assets / "samples" / "photos" / "camera.jpg").unlink()
    assert not samples.SAMPLES["camera"].is_colour
    with pytest.raises(SampleError, match="camera.jpg") as refused:
        sample_input("camera", 32)
    assert "git checkout assets" in str(refused.value) and "示例图片" in refused.value.message("zh")


@pytest.fixture
def hub(tmp_path, monkeypatch) -> Path:
    """torch's hub folder, from TORCH_HOME as a deployment sets it; no download reaches the internet."""

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr("urllib.request.urlopen", offline)
    monkeypatch.setattr(torch.hub, "_hub_dir", None)  # TORCH_HOME decides (no torch.hub.set_dir in force)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    return tmp_path / "torch" / "hub"


def test_a_cache_folder_that_cannot_be_made_is_not_called_offline(hub):
    hub.parent.parent.joinpath("torch").write_text("a file where the folder should be")  # mkdir fails, also as root
    assert not resnet18_downloaded()
    with pytest.raises(ModelError, match="cannot be written") as refused:
        download_resnet18()
    message = str(refused.value)
    assert "TORCH_HOME" in message and str(hub / "checkpoints") in message and "no internet" not in message


def test_a_cache_file_that_cannot_be_written_is_not_called_offline(hub):
    target = resnet18_weights_path()
    target.with_suffix(".partial").mkdir(parents=True)  # the download's file cannot be opened, also as root
    with pytest.raises(ModelError, match="TORCH_HOME"):
        download_resnet18()


def test_offline_is_still_offline_and_a_damaged_download_says_so(hub):
    with pytest.raises(ModelError, match="download failed"):
        download_resnet18()
    target = resnet18_weights_path()
    assert not list(target.parent.glob("*.partial"))
    target.write_bytes(b"half a file")
    with pytest.raises(ModelError, match="damaged or incomplete"):
        load_model("resnet18")
    assert not target.exists()  # removed, so that the next try downloads it again


# ---------------------------------------------------------------- Pooling & activations


@pytest.mark.parametrize("damage", ["altered", "missing"])
@pytest.mark.parametrize("section", SECTIONS)
def test_pooling_page_without_lenet_weights_explains_and_keeps_working(assets, damage, section):
    weights = assets / "models" / "lenet5.pt"
    if damage == "altered":
        weights.write_bytes(weights.read_bytes()[:-10] + b"tampered!!")
    else:
        weights.unlink()
    at = open_page(POOL, pool_section=section)
    _assert_explained(at, str(weights), "git checkout assets")
    assert any(i.value == text("pool.other_input", "en") for i in at.info)
    # the other inputs need no model
    if section == "pooling":
        at.radio(key="pool_source").set_value("random").run()
        assert metric(at, "Input") == "[2, 6, 6]"
    elif section == "activations":
        at.radio(key="pool_act_source").set_value("kernel").run()
        assert at.get("plotly_chart")
    else:
        at.radio(key="pool_up_source").set_value("digit").run()
        assert animator_data(at)["kind"] == "upsample"
    assert not at.exception and not at.error


def test_pooling_page_in_chinese_says_it_in_chinese(assets):
    (assets / "models" / "lenet5.pt").unlink()
    at = open_page(POOL, query={"lang": "zh"})
    _assert_explained(at, "git checkout assets", "缺失")
    assert any(i.value == text("pool.other_input", "zh") for i in at.info)


def test_pooling_page_with_a_card_that_is_not_json(assets):
    (assets / "models" / "lenet5.json").write_text("not json", encoding="utf-8")
    _assert_explained(open_page(POOL), "model card of lenet5", "git checkout assets")


@pytest.mark.parametrize("section", SECTIONS)
def test_pooling_page_without_assets(tmp_path, monkeypatch, section):
    monkeypatch.setattr(samples, "ASSETS", tmp_path / "no-assets")
    monkeypatch.setattr(models, "MODELS_DIR", tmp_path / "no-assets" / "models")
    _forget_loaded_files()
    try:
        at = open_page(POOL, pool_section=section)
        _assert_explained(at, "git checkout assets")
        if section == "pooling":
            at.radio(key="pool_source").set_value("sample").run()
            _assert_explained(at, "digit_7.png", "git checkout assets")  # the sample picture is missing too
            at.selectbox(key="pool_sample").set_value("classic_5x5").run()  # a grid needs no file
            assert metric(at, "Input") == "[1, 5, 5]" and not at.error
        elif section == "upsampling":
            at.radio(key="pool_up_source").set_value("random").run()
            assert not at.error and animator_data(at)["kind"] == "upsample"
        assert not at.exception
    finally:
        _forget_loaded_files()


# ---------------------------------------------------------------- Convolution


def test_convolution_page_with_a_card_that_is_not_json(assets):
    for name in ("lenet5", "resnet20"):
        (assets / "models" / f"{name}.json").write_text("<html>not json</html>", encoding="utf-8")
    at = open_page(CONV)
    assert metric(at, "Output") == "[2, 26, 26]" and not at.error
    at.number_input(key="conv_kernel_h").set_value(5).run()
    at.number_input(key="conv_kernel_w").set_value(5).run()
    assert not at.exception
    assert "lenet5_conv1" not in at.selectbox(key="conv_preset").options  # a learned kernel needs its model


def test_convolution_page_without_assets(tmp_path, monkeypatch):
    monkeypatch.setattr(samples, "ASSETS", tmp_path / "no-assets")
    monkeypatch.setattr(models, "MODELS_DIR", tmp_path / "no-assets" / "models")
    _forget_loaded_files()
    try:
        at = open_page(CONV)
        _assert_explained(at, "digit_7.png", "git checkout assets")
        at.radio(key="conv_source").set_value("random").run()
        assert not at.exception and not at.error
        assert metric(at, "Input") == "[3, 6, 6]"
        at.radio(key="conv_source").set_value("sample").run()
        at.selectbox(key="conv_sample").set_value("cs231n_7x7x3").run()  # a classroom grid needs no file
        assert not at.exception and not at.error
    finally:
        _forget_loaded_files()


# ---------------------------------------------------------------- Feature maps


def test_feature_maps_page_with_a_card_that_is_not_json(assets):
    (assets / "models" / "lenet5.json").write_text("not json", encoding="utf-8")
    at = open_page(FEATURES)
    _assert_explained(at, "model card of lenet5", "git checkout assets")
    at.selectbox(key="fm_model").set_value("resnet20").run()  # another model's files are fine
    assert not at.exception and not at.error
    assert at.get("plotly_chart")


def test_feature_maps_page_without_assets(tmp_path, monkeypatch):
    monkeypatch.setattr(samples, "ASSETS", tmp_path / "no-assets")
    monkeypatch.setattr(models, "MODELS_DIR", tmp_path / "no-assets" / "models")
    _forget_loaded_files()
    try:
        at = open_page(FEATURES)
        _assert_explained(at, "lenet5.pt", "missing", "git checkout assets")
        at.selectbox(key="fm_model").set_value("resnet20").run()
        _assert_explained(at, "resnet20.pt", "missing", "git checkout assets")
    finally:
        _forget_loaded_files()


def test_feature_maps_page_without_sample_pictures(assets):
    shutil.rmtree(assets / "samples")
    at = open_page(FEATURES)
    _assert_explained(at, "digit_7.png", "git checkout assets")
    at.selectbox(key="fm_model").set_value("resnet20").run()  # CIFAR-10 samples and photos: none at all
    _assert_explained(at, "no sample pictures", "git checkout assets")
    at.radio(key="fm_source").set_value("upload").run()  # your own picture needs no file
    assert not at.exception and not at.error


@pytest.mark.parametrize("blocked", ["folder", "file"])
def test_feature_maps_resnet18_with_a_cache_it_cannot_write(hub, blocked):
    if blocked == "folder":
        hub.parent.parent.joinpath("torch").write_text("a file where torch's cache folder should be")
    else:
        resnet18_weights_path().with_suffix(".partial").mkdir(parents=True)
    at = open_page(FEATURES, fm_model="resnet18")
    _assert_explained(at, "cannot be written", "TORCH_HOME", str(hub / "checkpoints"))
    assert not any("download failed" in e for e in _errors(at))
    assert not at.get("progress")
    at = open_page(FEATURES, query={"lang": "zh"}, fm_model="resnet18")
    _assert_explained(at, "无法写入", "TORCH_HOME")
