"""The "More convolutions" page in headless Chromium: the mode switch, the 1-D animator stepped both ways (the page's
▶ moves it, its own ▶ moves the page's step panel), and the language switched mid-lesson with every setting kept.

Uses tests/browser/conftest.py's server and browser fixtures (one ``streamlit run app.py``, Debian's Chromium).
"""

from __future__ import annotations

import pytest
from browser_support import animator_position, load, require_browser

from tests_support import MORE, page_url
from vizconv.i18n.strings import text

pytestmark = pytest.mark.browser

require_browser()

URL = page_url(MORE)
TIMEOUT_MS = 30_000


def _mode(page, mode: str, lang: str = "en") -> None:
    """Click a mode of the switch at the top and wait for the page to be drawn again."""
    page.locator(".st-key-more_mode").get_by_role("radio", name=text(f"more.mode.{mode}", lang), exact=True).click()
    page.wait_for_url(f"**more_mode={mode}**", timeout=TIMEOUT_MS)


def _animators(page) -> int:
    return page.locator(".vz").count()


def test_the_mode_switch_shows_each_mode(server, page):
    load(page, f"{server}{URL}?lang=en")
    page.locator(".vz canvas").first.wait_for(timeout=60_000)
    assert _animators(page) == 1
    page.get_by_text(text("more.wavenet", "en")).wait_for()
    _mode(page, "3d")
    page.get_by_text(text("more.formula_3d", "en")).wait_for(timeout=TIMEOUT_MS)
    page.locator(".js-plotly-plot").nth(1).wait_for(timeout=TIMEOUT_MS)  # the input's and the output's slices
    assert page.locator(".js-plotly-plot").first.locator(".heatmaplayer").count() >= 1
    _mode(page, "separable")
    page.wait_for_function("() => document.querySelectorAll('[data-testid=stBidiComponentIsolated]').length === 3")
    page.get_by_text(text("more.counts_agree", "en")).wait_for(timeout=TIMEOUT_MS)
    _mode(page, "2d")
    page.get_by_text(text("more.two_d_link", "en")).click()
    page.wait_for_url("**/Convolution_%E5%8D%B7%E7%A7%AF**", timeout=60_000)
    assert page.get_by_test_id("stException").count() == 0


def test_the_1d_animator_steps_with_the_page(server, page):
    load(page, f"{server}{URL}?lang=en&more_mode=1d&more_position=2&more_kernel=3")
    page.locator(".vz canvas").first.wait_for(timeout=60_000)
    assert animator_position(page) == "2"
    assert page.locator(".vz-inputs canvas").first.get_attribute("data-rows") in ("1", None)
    page.locator(".st-key-more_forward button").first.click()  # the page's ▶ moves the animator
    page.wait_for_function(
        """() => document.querySelector('[data-testid=stBidiComponentIsolated]').shadowRoot
                  .querySelector('.vz').dataset.position === '3'""",
        timeout=TIMEOUT_MS,
    )
    page.locator(".vz-forward").click()  # the animator's own ▶ moves the page's step panel
    panel = page.locator(".st-key-more_step_panel").get_by_test_id("stMarkdownContainer")
    panel.filter(has_text="position 4:").first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_url("**more_position=4**", timeout=TIMEOUT_MS)
    assert page.get_by_test_id("stException").count() == 0


def test_switching_language_mid_lesson_keeps_the_settings(server, page):
    load(page, f"{server}{URL}?lang=en&more_mode=1d&more_kernel=5&more_padding_kind=same&more_position=6")
    page.locator(".vz canvas").first.wait_for(timeout=60_000)
    page.locator(".st-key-more_forward button").first.click()
    page.wait_for_url("**more_position=7**", timeout=TIMEOUT_MS)
    page.locator(".st-key-ui_lang").get_by_role("radio", name="中文").click()
    page.get_by_role("heading", name=text("more.title", "zh")).first.wait_for(timeout=TIMEOUT_MS)
    page.wait_for_url("**lang=zh**", timeout=TIMEOUT_MS)
    page.get_by_text(text("more.wavenet", "zh")).wait_for(timeout=TIMEOUT_MS)
    assert page.locator(".st-key-more_kernel input").input_value() == "5"
    assert "more_kernel=5" in page.url and "more_padding_kind=same" in page.url and "more_position=7" in page.url
    assert animator_position(page) == "7"
    twin = page.locator(".vz-twin").text_content()
    assert twin.startswith("输出通道 0"), twin  # the animator speaks Chinese too
    _mode(page, "separable", "zh")
    page.get_by_text(text("more.counts_agree", "zh")).wait_for(timeout=TIMEOUT_MS)
    assert page.get_by_test_id("stException").count() == 0
