"""The "Why it answered" page in headless Chromium, as a student uses it: drag the grey patch over the picture and
watch the score, nudge it with the arrow keys, click a cell of the Grad-CAM map and read its sum, switch language.

Uses tests/browser/conftest.py's server and page fixtures (one ``streamlit run app.py``, Debian's Chromium).
"""

from __future__ import annotations

import pytest
from browser_support import load, plotly_cell_point, require_browser, sync_api

from vizconv.explain.occlusion import occluded_score
from vizconv.inputs.samples import model_samples
from vizconv.nets.models import load_model
from vizconv.views import explain as view

pytestmark = pytest.mark.browser

require_browser()
expect = sync_api.expect

WHY = "/Why_it_answered_为什么"
TIMEOUT_MS = 30_000


def _score_with_patch(top: int, left: int, size: int = 8) -> str:
    model, info = load_model("resnet20")
    x = view.predict(model, info, view.sample_picture(model_samples("cifar10")["cifar_cat"])).x
    return f"{occluded_score(model, x, 3, (top, left, size, size)).score:.3f}"


def _metric(page, text: str) -> None:
    page.get_by_test_id("stMetricValue").filter(has_text=text).first.wait_for(timeout=TIMEOUT_MS)


def test_dragging_the_patch_rescores_the_picture(server, page):  # noqa: F811
    page.goto(f"{server}{WHY}?lang=en&why_lesson=occlusion&why_py=0&why_px=0")
    patch = page.locator(".vz-patch")
    patch.wait_for(timeout=60_000)
    _metric(page, _score_with_patch(0, 0))
    # drawn over the picture, grey: styled inside the component's shadow root, not only by its style sheet
    assert patch.evaluate("p => [getComputedStyle(p).position, getComputedStyle(p).backgroundColor]") == [
        "absolute",
        "rgba(128, 128, 128, 0.85)",
    ]
    picture = page.locator(".vz-drag img").bounding_box()
    per_pixel = picture["width"] / 32
    box = patch.bounding_box()
    start = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(start[0] + 12 * per_pixel, start[1] + 8 * per_pixel, steps=8)  # 12 pixels right, 8 down
    page.mouse.up()
    _metric(page, _score_with_patch(8, 12))  # the server scored the patch where it was let go
    expect(page.get_by_label("Patch top (pixel row)")).to_have_value("8", timeout=TIMEOUT_MS)
    expect(page.get_by_label("Patch left (pixel column)")).to_have_value("12", timeout=TIMEOUT_MS)
    # the arrow keys move it one pixel at a time, and the language switch keeps it where it is
    page.locator(".vz-patch").focus()
    page.keyboard.press("ArrowDown")
    _metric(page, _score_with_patch(9, 12))
    page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
    page.get_by_text("方块之间的步长（像素）").first.wait_for(timeout=TIMEOUT_MS)
    _metric(page, _score_with_patch(9, 12))
    assert page.get_by_test_id("stException").count() == 0


def test_a_clicked_cell_of_the_map_is_written_out(server, page):  # noqa: F811
    load(page, f"{server}{WHY}?lang=en&why_lesson=gradcam")
    page.get_by_text("torchcam's Grad-CAM gives the same map").first.wait_for(timeout=60_000)
    page.mouse.click(*plotly_cell_point(page, "", 2, 5))  # cell (row 2, column 5) of the 8×8 map
    page.wait_for_function(
        "() => [...document.querySelectorAll('.katex-html')].some(e => e.textContent.includes('[2,5]'))",
        timeout=TIMEOUT_MS,
    )
    expect(page.get_by_role("spinbutton", name="Row")).to_have_value("2", timeout=TIMEOUT_MS)
    expect(page.get_by_role("spinbutton", name="Column")).to_have_value("5", timeout=TIMEOUT_MS)
    assert page.get_by_test_id("stException").count() == 0
