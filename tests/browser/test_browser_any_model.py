"""A student's own model in headless Chromium (issue 21): pick "your own model" on the Feature maps page, upload an
ONNX file through the real file input, read its prediction and an activation's dot products, switch language
mid-lesson, then upload a broken file: a message, never a traceback, and the page carries on.

Uses tests/browser/conftest.py's server and page fixtures (one ``streamlit run app.py``, Debian's Chromium).
"""

from __future__ import annotations

import pytest
import torch
from browser_support import load, require_browser, sync_api
from torch import nn

from tests_support import onnx_bytes
from vizconv.i18n.strings import text
from vizconv.nets.architectures import lenet5

pytestmark = pytest.mark.browser

require_browser()
expect = sync_api.expect

FM = "/Feature_maps_特征图"
TIMEOUT_MS = 60_000


def _lenet_onnx(path) -> None:
    torch.manual_seed(5)
    model = nn.Sequential(lenet5(), nn.Softmax(dim=1))  # ends in a softmax, as many exports do
    path.write_bytes(onnx_bytes(model, (1, 1, 28, 28)))


def _pick_model(page, typed: str, label: str) -> None:
    """Choose a model as a student with a long list does: type part of its name into the select box, press Enter
    (the list is virtualised: an option below its fold is not in the page until scrolled to)."""
    box = page.get_by_test_id("stSidebar").locator(".st-key-fm_model input")
    box.click()
    box.press_sequentially(typed)
    page.get_by_role("option", name=label).wait_for(timeout=TIMEOUT_MS)
    box.press("Enter")
    expect(box).to_have_value(label, timeout=TIMEOUT_MS)


def test_a_student_uploads_an_onnx_model_switches_language_and_survives_a_broken_file(server, page, tmp_path):
    load(page, server + FM + "?lang=en")
    sidebar = page.get_by_test_id("stSidebar")
    _pick_model(page, "ONNX", text("fm.model.onnx", "en"))
    expect(page.get_by_text("Upload an ONNX model in the sidebar")).to_be_visible(timeout=TIMEOUT_MS)

    _lenet_onnx(tmp_path / "digits.onnx")
    sidebar.locator(".st-key-fm_onnx_file input[type=file]").set_input_files(str(tmp_path / "digits.onnx"))
    expect(page.get_by_text("Your ONNX model")).to_be_visible(timeout=TIMEOUT_MS)
    expect(page.get_by_text("guessed from the input's size")).to_be_visible()
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()  # its prediction
    expect(page.locator(".katex").first).to_be_attached(timeout=TIMEOUT_MS)  # an activation's dot products

    sidebar.get_by_text("中文", exact=True).click()  # mid-lesson: the model stays, the page speaks Chinese
    expect(page.get_by_text("你的 ONNX 模型")).to_be_visible(timeout=TIMEOUT_MS)

    (tmp_path / "broken.onnx").write_bytes(b"\x08\x07" + b"\xff" * 64)  # not a model
    sidebar.locator(".st-key-fm_onnx_file input[type=file]").set_input_files(str(tmp_path / "broken.onnx"))
    alert = page.get_by_test_id("stAlertContentError").first
    expect(alert).to_be_visible(timeout=TIMEOUT_MS)
    assert "Traceback" not in alert.inner_text()
    assert page.get_by_test_id("stException").count() == 0

    _pick_model(page, "ReLU", text("fm.model.lenet5", "zh"))  # and carries on with a bundled model
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0, timeout=TIMEOUT_MS)
    expect(page.get_by_test_id("stDataFrame").first).to_be_visible()
