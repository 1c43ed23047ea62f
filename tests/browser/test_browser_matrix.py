"""The two matrix views of issue 22 in headless Chromium: the Convolution page's "the same layer as one matrix
product" expander (vizconv/ui/sections/conv_matrix.py) and the Transposed page's "why it is called transposed"
expander (vizconv/ui/sections/transposed_matrix.py). Each is opened, its figures are drawn and its check against the
page's output is shown, in English and again after switching to Chinese.

Uses tests/browser/conftest.py's server and browser fixtures (one ``streamlit run app.py``, Debian's Chromium).
"""

from __future__ import annotations

import pytest
from browser_support import load, require_browser

from tests_support import CONV, TCONV, page_url
from vizconv.i18n.strings import STRINGS

pytestmark = pytest.mark.browser

require_browser()

TIMEOUT_MS = 30_000


def _start(key: str, lang: str) -> str:
    """The text of catalogue entry ``key`` up to its first parameter: what the page shows whatever the numbers."""
    return STRINGS[key][lang].split("{", 1)[0].replace("**", "").strip()  # as drawn: the bold marks gone


def _open(page, title_key: str, lang: str):
    """Open the expander titled ``title_key`` in ``lang``; its content."""
    expander = page.get_by_test_id("stExpander").filter(has_text=STRINGS[title_key][lang]).first
    expander.locator("summary").click()
    content = expander.get_by_test_id("stExpanderDetails")
    content.wait_for(timeout=TIMEOUT_MS)
    return expander


def _figures_drawn(expander, count: int) -> None:
    """``count`` Plotly figures in the expander, each with its heatmap drawn."""
    plots = expander.locator(".js-plotly-plot")
    plots.nth(count - 1).wait_for(timeout=TIMEOUT_MS)
    assert plots.count() == count
    for index in range(count):
        plots.nth(index).locator(".heatmaplayer").first.wait_for(timeout=TIMEOUT_MS)


def _switch_to_chinese(page) -> None:
    page.locator(".st-key-ui_lang").get_by_role("radio", name="中文").click()
    page.wait_for_url("**lang=zh**", timeout=TIMEOUT_MS)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)


def _check_conv(page, lang: str) -> None:
    expander = _open(page, "mat.title", lang)
    _figures_drawn(expander, 4)  # W, X (im2col), W·X and M
    expander.get_by_text(_start("mat.match", lang)).first.wait_for(timeout=TIMEOUT_MS)
    assert expander.get_by_test_id("stAlertContentSuccess").count() == 1


def _check_transposed(page, lang: str) -> None:
    expander = _open(page, "tmat.title", lang)
    _figures_drawn(expander, 2)  # T and M·Mᵀ
    expander.get_by_text(_start("tmat.match", lang)).first.wait_for(timeout=TIMEOUT_MS)
    expander.get_by_text(_start("tmat.not_inverse", lang)).first.wait_for(timeout=TIMEOUT_MS)


def test_the_convolution_layer_as_one_matrix_product(server, page):
    load(page, f"{server}{page_url(CONV)}?lang=en&conv_source=sample&conv_sample=classic_5x5")
    _check_conv(page, "en")
    _switch_to_chinese(page)
    _check_conv(page, "zh")
    assert page.get_by_test_id("stException").count() == 0


def test_why_the_transposed_convolution_is_called_transposed(server, page):
    load(page, f"{server}{page_url(TCONV)}?lang=en")
    _check_transposed(page, "en")
    _switch_to_chinese(page)
    _check_transposed(page, "zh")
    assert page.get_by_test_id("stException").count() == 0
