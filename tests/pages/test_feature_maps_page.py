"""The Feature maps page through Streamlit's AppTest: every bundled model, layers, uploads, drawing, offline
ResNet-18."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from tests_support import FEATURES, open_page
from vizconv.i18n.strings import text


def _features(**state) -> AppTest:
    return open_page(FEATURES, **state)


@pytest.mark.parametrize("model", ["lenet5", "lenet5-classic", "resnet20"])
def test_feature_maps_page_for_each_bundled_model(model):
    at = _features(fm_model=model)
    assert not at.error
    assert len(at.get("image")) == 4  # the input as seen, the channel grid, the kernel, the filters
    latex = " ".join(element.body for element in at.get("latex"))
    assert r"\mathbf{" in latex
    assert any("same number" in s.value for s in at.success)


def test_feature_maps_layer_switch_changes_the_grid():
    at = _features()
    assert at.number_input(key="fm_channel").max == 5  # conv1: 6 channels
    at.selectbox(key="fm_layer").set_value("3").run()
    assert not at.exception
    assert at.number_input(key="fm_channel").max == 15  # conv2: 16 channels
    assert any("Explain" in h.value for h in at.subheader)
    at.selectbox(key="fm_layer").set_value("2").run()  # conv1 → ReLU → max pool: conv1's kernels made it
    assert not at.exception
    assert not any("Explain" in h.value for h in at.subheader)  # dot products are explained on the conv
    assert any("channel 0 of layer `0` (Conv2d) after ReLU → MaxPool2d" in m.value for m in at.markdown)
    assert len(at.get("image")) == 4  # the kernel that made the channel is shown
    at.button(key="fm_show_conv").click().run()
    assert not at.exception
    assert at.selectbox(key="fm_layer").value == "0"
    assert any("Explain" in h.value for h in at.subheader)


@pytest.mark.parametrize(
    "layer, reason",
    [
        ("layer1.0", "a residual block's output is ReLU(bn2(conv2(…)) + shortcut)"),  # the block's own sum
        ("layer1.0.relu#2", "the channels it receives are a sum"),  # the block's last ReLU, after the shortcut
        ("avgpool", "the channels it receives are a sum"),  # pools the last block's output
    ],
)
def test_feature_maps_a_residual_sum_names_no_kernel(layer, reason):
    at = _features(fm_model="resnet20", fm_layer=layer)
    assert not at.exception
    assert at.selectbox(key="fm_layer").value == layer
    assert not at.get("button") or not any(b.key == "fm_show_conv" for b in at.button)
    assert any(reason in c.value for c in at.caption), [c.value for c in at.caption]


def test_feature_maps_upload():
    at = _features(fm_source="upload")
    picture = Image.new("L", (60, 80), 255)
    from PIL import ImageDraw

    ImageDraw.Draw(picture).line((30, 10, 30, 70), fill=0, width=8)  # a dark "1" on white paper
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    at.file_uploader(key="fm_upload").set_value(("one.png", buffer.getvalue(), "image/png")).run()
    assert not at.exception
    assert not at.error


def test_feature_maps_draw_without_a_drawing_asks_for_one():
    at = _features(fm_source="draw")
    assert not at.exception
    assert any(m.value == text("fm.draw_prompt", "en") for m in [*at.info, *at.warning])


def test_feature_maps_resnet18_offline_is_explained(monkeypatch, tmp_path):
    import urllib.error

    import torch

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no route to host")

    monkeypatch.setattr("urllib.request.urlopen", offline)
    previous = torch.hub.get_dir()
    torch.hub.set_dir(str(tmp_path))
    try:
        at = _features(fm_model="resnet18")
        assert any("download failed" in e.value and str(tmp_path / "checkpoints") in e.value for e in at.error)
        assert not at.get("progress")  # the download's progress bar is gone with the failure
        assert at.radio(key="fm_weights").options[0] == "ImageNet (torchvision)"
        # the way on is offered right there: ResNet-18 with random weights, or a bundled model
        at.button(key="fm_instead_random").click().run()
        assert not at.exception and not at.error
        assert at.radio(key="fm_weights").value == "random"
        assert at.warning[0].value == text("fm.random_note", "en")
        assert len(at.dataframe) >= 2  # the prediction and the layer table: the page goes on
        assert at.query_params["fm_weights"] == "random"
        at.radio(key="fm_weights").set_value("bundled").run()  # still offline: the message and the ways on again
        at.button(key="fm_instead_resnet20").click().run()
        assert not at.exception and not at.error
        assert at.selectbox(key="fm_model").value == "resnet20" and at.radio(key="fm_weights").value == "bundled"
    finally:
        torch.hub.set_dir(previous)


def test_the_explained_cell_keeps_its_place_in_the_picture_across_layers():
    """LeNet-5's conv1 is 28×28 and conv2 10×10: the middle stays the middle (it used to jump to a corner)."""
    at = _features()
    at.slider(key="fm_oy").set_value(14).run()
    at.slider(key="fm_ox").set_value(20).run()
    at.selectbox(key="fm_layer").set_value("3").run()
    assert not at.exception
    assert (at.slider(key="fm_oy").value, at.slider(key="fm_ox").value) == (5, 7)  # ⌊14.5 × 10/28⌋, ⌊20.5 × 10/28⌋


def test_feature_maps_asks_for_what_is_missing():
    """No upload yet, or own weights chosen but no file: the page says what to give it."""
    at = _features(fm_source="upload")
    assert any(m.value == text("fm.upload_prompt", "en") for m in at.info)
    at = _features(fm_weights="own")
    assert any(m.value == text("fm.weights_prompt", "en", name=text("fm.model.lenet5", "en")) for m in at.info)
    assert not at.get("plotly_chart")  # nothing is computed without weights


def test_feature_maps_drawing_needs_a_digit_model():
    at = _features(fm_model="resnet20", fm_source="draw")
    assert any(m.value == text("fm.draw_digits_only", "en") for m in at.info)
    assert at.selectbox(key="fm_sample").value.startswith("cifar_")  # a sample picture instead
    assert len(at.get("image")) == 4


def test_feature_maps_stats_prediction_and_download():
    at = _features()
    assert [m.label for m in at.metric] == ["min", "max", "mean", "zeros"]
    prediction = at.dataframe[0].value
    assert prediction.iloc[0, 0] == "7" and len(prediction) == 5
    assert prediction.iloc[:, 1].is_monotonic_decreasing
    downloads = at.get("download_button")
    assert len(downloads) == 1 and downloads[0].proto.label == text("export.png", "en")
    assert at.get("plotly_chart")[1].proto.spec  # the receptive field on the picture


def test_feature_maps_says_when_the_recomputation_differs(monkeypatch):
    monkeypatch.setattr("vizconv.views.feature_maps.agrees", lambda difference, magnitude: False)
    at = _features()
    assert not at.success
    assert any("differs from it by" in e.value for e in at.error)


def test_weights_after_an_epoch_of_training():
    """LeNet-5's own training, epoch by epoch: epoch 0 is the random start (chance), the last the shipped weights
    (their prediction); the note says which epoch and its held-out accuracy. ResNet-20's too; a model without
    snapshots (ResNet-18, torchvision's) offers none."""
    from vizconv.nets.models import load_snapshot, snapshot_epochs

    epochs = snapshot_epochs("lenet5")
    at = open_page(FEATURES, {"fm_weights": "epoch"})
    start = load_snapshot("lenet5", 0)[1].card["test_accuracy"]
    assert any(text("fm.epoch_note", "en", epoch=0, accuracy=f"{start:.1%}") == i.value for i in at.info)
    at.select_slider(key="fm_epoch").set_value(epochs[-1]).run()
    assert not at.exception
    shipped = open_page(FEATURES)
    assert at.dataframe[0].value.equals(shipped.dataframe[0].value)  # the same prediction table
    assert at.query_params["fm_epoch"] == str(epochs[-1])
    # ResNet-20's snapshots end with its shipped weights after both stages (130 epochs).
    cifar = {"fm_model": "resnet20", "fm_sample": "cifar_ship"}
    last = open_page(FEATURES, {**cifar, "fm_weights": "epoch", "fm_epoch": "130"})
    assert last.select_slider(key="fm_epoch").value == 130
    assert last.dataframe[0].value.equals(open_page(FEATURES, cifar).dataframe[0].value)
    imagenet = open_page(FEATURES, {"fm_model": "resnet18", "fm_weights": "epoch"})
    offered = imagenet.radio(key="fm_weights").options
    assert text("fm.weights.epoch", "en") not in offered
    assert imagenet.radio(key="fm_weights").value != "epoch"
