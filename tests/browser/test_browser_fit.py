"""What a 1024 × 768 projector and a 390 × 844 phone show: shapes on one line, every teaching tab, code without a
sideways scroll, figures sized as the legibility rule assumes, and no cell values shrunk to specks.

Uses tests/browser/conftest.py's server and browser fixtures (a ``streamlit run app.py`` on a free port, Debian's
Chromium); skipped with them where Chromium is missing. Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import contextlib
import time

import pytest
from browser_support import load, require_browser, shot, sync_api

from vizconv.i18n.strings import LANGUAGES
from vizconv.viz.charts import heatmap_cell_px

pytestmark = pytest.mark.browser
require_browser()

CONV = "/Convolution_卷积"
POOL = "/Pooling_and_activations_池化与激活"
TCONV = "/Transposed_convolution_转置卷积"

# Each metric value's text lines: the distinct tops of its text's line boxes (Range.getClientRects), once fitted.
METRIC_LINES = """() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stMetricValue]')].map(v => {
    const walker = document.createTreeWalker(v, NodeFilter.SHOW_TEXT);
    const tops = new Set();
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const r of range.getClientRects()) if (r.width > 0) tops.add(Math.round(r.top));
    }
    return {text: v.innerText, lines: tops.size, fits: v.scrollWidth <= v.clientWidth + 1,
            size: parseFloat(getComputedStyle(v).fontSize)};
})"""


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (f"{CONV}?lang=en&conv_source=random&conv_random_channels=4&conv_out_channels=8&conv_kernel_h=7"
         "&conv_kernel_w=7&conv_padding_h=3&conv_padding_w=3", "convolution"),
        (f"{CONV}?lang=zh", "convolution_zh"),
        (f"{POOL}?lang=en", "pooling"),
        (f"{POOL}?lang=en&pool_section=activations", "activations"),
        (f"{TCONV}?lang=en&tconv_view=equivalent", "transposed"),
    ],
)  # fmt: skip
def test_metric_values_stay_on_one_line_at_1024_px(server, projector, path, name):  # noqa: F811
    """Shapes ("[8, 4, 7, 7]") and ranges ("−3.92 … 5.018") in the metrics are scaled down to fit their column on
    one line, instead of breaking inside the list ("[2, 28, / 28]") or the range."""
    page = projector
    load(page, server + path)
    page.locator("[data-testid=stMain] [data-testid=stMetricValue]").first.wait_for()
    time.sleep(1)  # the fitting runs on the next animation frame after the metrics arrive
    values = page.evaluate(METRIC_LINES)
    assert values, "no metrics"
    broken = [v for v in values if v["lines"] != 1 or not v["fits"]]
    assert broken == [], broken
    if name == "convolution":
        assert any(v["text"] == "[8, 4, 7, 7]" for v in values), values
        assert min(v["size"] for v in values) < 36  # some were scaled down to fit
    page.locator("[data-testid=stMain] [data-testid=stMetricValue]").first.scroll_into_view_if_needed()
    shot(page, f"metrics_1024_{name}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_teaching_tab_shows_at_1024_px(server, projector, lang):  # noqa: F811
    """The Convolution page's seven teaching notes: every tab lies inside the tab list, which does not scroll
    (the last one, "Output size", was cut off at the right edge)."""
    page = projector
    load(page, f"{server}{CONV}?lang={lang}")
    page.locator("[data-testid=stMain] [data-testid=stExpander] summary").first.click()
    tabs = page.locator("[data-testid=stMain] [role=tablist]").first
    tabs.wait_for()
    with contextlib.suppress(sync_api.TimeoutError):  # fonts may still arrive (Chinese); measured below anyway
        page.wait_for_function("(l) => l.scrollWidth <= l.clientWidth + 1", arg=tabs.element_handle(), timeout=10_000)
    box = tabs.evaluate(
        """(list) => { const b = list.getBoundingClientRect();
            return {left: b.left, right: b.right, scroll: list.scrollWidth, client: list.clientWidth,
                    tabs: [...list.querySelectorAll('[role=tab]')].map(t => {
                        const r = t.getBoundingClientRect(); return [t.innerText, r.left, r.right]; })}; }"""
    )
    assert len(box["tabs"]) == 7
    assert box["scroll"] <= box["client"] + 1, box
    assert all(box["left"] - 1 <= left and right <= box["right"] + 1 for _, left, right in box["tabs"]), box
    page.get_by_role("tab", name=box["tabs"][-1][0]).click()  # the last one can be chosen
    page.locator("[data-testid=stMain] [role=tab][aria-selected=true]").filter(has_text=box["tabs"][-1][0]).wait_for()
    tabs.evaluate("e => e.scrollIntoView({block: 'start'})")
    shot(page, f"teaching_tabs_1024_{lang}")


def test_code_wraps_instead_of_scrolling_sideways_at_1024_px(server, projector):  # noqa: F811
    """The Convolution page's equivalent nn.Conv2d code wraps its long lines (a photo's values, the weights)."""
    page = projector
    load(page, f"{server}{CONV}?lang=en&conv_source=random&conv_random_channels=3&conv_out_channels=4")
    page.locator('[data-testid=stMain] [data-testid=stCode]:has-text("nn.Conv2d(")').first.wait_for()
    wide = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stCode] pre')]
            .filter(pre => pre.scrollWidth > pre.clientWidth + 1).map(pre => pre.innerText.slice(0, 40))"""
    )
    assert wide == []


def test_figures_are_as_large_as_the_legibility_rule_assumes(server, projector):  # noqa: F811
    """At 1024 px with the sidebar open, a cell's size on screen is what vizconv.viz.legibility works with: the
    activations section's 28×28 LeNet map (half a column) and the learn-a-kernel lesson's maps (a third, the colour
    bar under them). (The live animator sizes its own maps and writes numbers only where they are 8 px or more:
    tests/browser/test_browser_animator.py.)"""
    page = projector

    def cell(index: int) -> float:  # the first subplot's cell of the index-th chart, in pixels
        return page.evaluate(
            """(i) => { const gd = document.querySelectorAll('.js-plotly-plot')[i]._fullLayout;
                const xa = gd.xaxis, ya = gd.yaxis;
                return Math.min(xa._length / Math.abs(xa.range[1] - xa.range[0]),
                                ya._length / Math.abs(ya.range[1] - ya.range[0])); }""",
            index,
        )

    load(page, f"{server}{POOL}?lang=en&pool_section=activations")
    page.locator(".js-plotly-plot").first.wait_for()
    time.sleep(0.5)
    assert cell(0) == pytest.approx(heatmap_cell_px((28, 28), columns=2), rel=0.1)
    # Three abreast, the colour bar lies under each map: the learn-a-kernel lesson's 6×8 stripe image.
    load(page, f"{server}/Learning_学习?lang=en&learn_lesson=learn")
    page.locator(".js-plotly-plot").first.wait_for()
    time.sleep(0.5)
    assert cell(0) == pytest.approx(heatmap_cell_px((6, 8), height=260, columns=3), rel=0.1)


def test_a_phone_hides_cell_values_too_small_to_read(server, browser):  # noqa: F811
    """On a 390-px phone the figures are narrower than the rule assumes: the style sheet hides the values Plotly
    would write below 8 px and keeps the others (checked for every size Plotly may choose, on the page whose
    heatmaps are Plotly's: the activations section; the live animator writes numbers only where they are 8 px
    or more, tests/browser/test_browser_animator.py)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        load(page, f"{server}{POOL}?lang=en&pool_section=activations")
        page.locator(".js-plotly-plot").first.wait_for()
        sizes = page.evaluate(
            """() => [...document.querySelectorAll('.js-plotly-plot g.heatmap-label text')]
                .map(t => [parseFloat(t.style.fontSize), getComputedStyle(t).display !== 'none'])"""
        )
        assert [size for size, shown in sizes if shown and size < 8] == []
        assert [size for size, shown in sizes if not shown and size >= 8] == []
        shown = page.evaluate(  # the style sheet's rule itself, for every size Plotly may choose
            """() => { const svg = '<svg><g class="heatmap-label"></g></svg>';
                const plot = document.createElement('div'); plot.className = 'js-plotly-plot'; plot.innerHTML = svg;
                document.body.appendChild(plot);
                const shown = [...Array(13).keys()].map(px => {
                    const text = document.createElementNS('http://www.w3.org/2000/svg', 'text');
                    text.setAttribute('style', `font-family: sans-serif; font-size: ${px}px; fill: red;`);
                    plot.querySelector('g').appendChild(text);
                    return getComputedStyle(text).display !== 'none'; });
                plot.remove(); return shown; }"""
        )
        assert shown == [px >= 8 for px in range(13)]
        shot(page, "values_390_activations")
    finally:
        context.close()
