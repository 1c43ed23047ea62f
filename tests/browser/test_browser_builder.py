"""The Network builder page in headless Chromium on a 1024 × 768 projector and a 390 × 844 phone: nothing is cut
off, and the layer table comes with the page.

Uses tests/browser/conftest.py's server and browser fixtures (a ``streamlit run app.py`` on a free port, Debian's
Chromium); skipped with them where Chromium is missing. Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import time

import pytest
from browser_support import load, require_browser, shot

from vizconv.i18n.strings import LANGUAGES, STRINGS, text

pytestmark = pytest.mark.browser
require_browser()

PAGE = "/Network_builder_搭建网络"
# the audit's example: a ResNet-style stack on CIFAR-sized input, ten rows with the input row
STACK = (
    "nb_c=3&nb_h=32&nb_w=32"
    "&nb_stack=conv3c16p1-bn-relu-basicblockc16-basicblockc32s2-basicblockc64s2-avgpool8-flatten-linear10"
)
COLUMNS = ["col_index", "col_layer", "col_settings", "col_shape", "col_params", "col_rf", "col_jump"]


def _layer_table(page) -> dict:
    """The layer table's box, its column headers' boxes, its rows' boxes, and any element inside it that scrolls
    (content wider or taller than its box where overflow lets it scroll)."""
    table = page.locator('[data-testid="stMain"] .st-key-nb_layers table').first
    table.wait_for()
    table.evaluate("e => e.scrollIntoView({block: 'start'})")
    time.sleep(0.5)
    return table.evaluate(
        """(el) => {
            const box = (e) => { const r = e.getBoundingClientRect();
                                 return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
            const scrolls = (e) => {
                const s = getComputedStyle(e);
                return (e.scrollWidth > e.clientWidth + 1 && /auto|scroll/.test(s.overflowX))
                    || (e.scrollHeight > e.clientHeight + 1 && /auto|scroll/.test(s.overflowY));
            };
            return {
                box: box(el),
                headers: [...el.querySelectorAll('thead th, [role=columnheader]')]
                    .map(h => ({text: h.innerText.trim(), ...box(h)})),
                rows: [...el.querySelectorAll('tbody tr, [role=row]')].map(box),
                scrolling: [el, ...el.querySelectorAll('*')].filter(scrolls)
                    .map(e => [e.className, e.scrollWidth, e.clientWidth, e.scrollHeight, e.clientHeight]),
            };
        }"""
    )


@pytest.mark.parametrize("present", [False, True], ids=["sidebar", "presenter"])
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_column_and_row_of_the_layer_table_fits_a_projector(server, projector, lang, present):  # noqa: F811
    """At 1024 × 768 every column header of the layer table lies inside the table's box, nothing in it scrolls,
    and every row shows, also with presenter mode's larger type (it was a data grid that hid "receptive field"
    and "jump" past its right edge and, in presenter mode, its last rows behind an inner scroll bar)."""
    page = projector
    load(page, f"{server}{PAGE}?lang={lang}{'&present=1' if present else ''}&{STACK}")
    if present:
        page.wait_for_function("() => getComputedStyle(document.documentElement).fontSize === '21px'")
    table = _layer_table(page)
    shot(page, f"builder_table_1024_{lang}{'_present' if present else ''}")
    box = table["box"]
    assert [h["text"] for h in table["headers"]] == [text("nb." + c, lang) for c in COLUMNS], table["headers"]
    for header in table["headers"]:
        assert box["left"] - 1 <= header["left"] and header["right"] <= box["right"] + 1, (header, box)
    assert table["scrolling"] == [], table["scrolling"]
    assert len(table["rows"]) == 10, table["rows"]  # the input and nine layers
    for row in table["rows"]:
        assert box["top"] - 1 <= row["top"] and row["bottom"] <= box["bottom"] + 1, (row, box)
    assert box["right"] <= 1024


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_builders_labels_and_code_fit_a_projector(server, projector, lang):  # noqa: F811
    """At 1024 × 768: every preset name fits the sidebar's select box, the fix button shows its whole label (with
    the in_features it sets), and the exported code and the notes' code wrap instead of hiding line ends."""
    page = projector
    load(page, f"{server}{PAGE}?lang={lang}&nb_preset=no_flatten")
    select = page.locator(".st-key-nb_preset input")
    select.wait_for()
    names = [text(key, lang) for key in STRINGS if key.startswith("nb.preset.")]
    too_wide = page.evaluate(
        """([box, names]) => {
            const style = getComputedStyle(box);
            const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            const context = document.createElement('canvas').getContext('2d');
            context.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
            return names.map(name => [name, context.measureText(name).width, room])
                .filter(([, width, room]) => width > room);
        }""",
        [select.element_handle(), names],
    )
    assert too_wide == [], too_wide

    fix = page.locator(".st-key-nb_fix button")
    fix.evaluate("e => e.scrollIntoView({block: 'center'})")
    time.sleep(0.3)
    label, cut = fix.evaluate(
        """e => [e.innerText, [e, ...e.querySelectorAll('*')].filter(x => x.scrollWidth > x.clientWidth + 1)
            .map(x => [x.className, x.scrollWidth, x.clientWidth])]"""
    )
    assert "1176" in label and cut == [], (label, cut)  # Streamlit ends a label that does not fit in "…"
    shot(page, f"builder_fix_button_1024_{lang}")

    fix.click()  # the stack fits now: the exported code appears
    code = page.locator('[data-testid="stCode"]:has-text("model = nn.Sequential(")')
    code.wait_for()
    page.get_by_text(text("nb.note.mistake_title", lang)).click()
    page.locator('[data-testid="stCode"]:has-text("class Res")').first.wait_for()
    wide = page.evaluate(
        """() => [...document.querySelectorAll('[data-testid=stMain] [data-testid=stCode] pre')]
            .filter(pre => pre.scrollWidth > pre.clientWidth + 1)
            .map(pre => [pre.innerText.slice(0, 40), pre.scrollWidth, pre.clientWidth])"""
    )
    assert wide == [], wide
    code.evaluate("e => e.scrollIntoView({block: 'start'})")
    time.sleep(0.3)
    shot(page, f"builder_code_1024_{lang}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_column_of_the_layer_table_can_be_reached_on_a_phone(server, browser, lang):  # noqa: F811
    """At 390 × 844 the layer table scrolls sideways in its own box, so its right-hand columns (cut off before) can
    be read: scrolled to its end, the last header and every row's last cell lie inside the screen."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        load(page, f"{server}{PAGE}?lang={lang}&{STACK}")
        page.locator(".st-key-nb_layers table").wait_for()
        box = page.locator(".st-key-nb_layers [data-testid=stMarkdownContainer]").first
        box.evaluate("e => e.scrollIntoView({block: 'start'})")
        page.wait_for_function(  # the page's style sheet may come a moment after the table
            "(e) => getComputedStyle(e).overflowX === 'auto'", arg=box.element_handle(), timeout=10_000
        )
        reach = box.evaluate(
            """(e) => { e.scrollLeft = e.scrollWidth;
                const right = (x) => x.getBoundingClientRect().right;
                return {overflow: getComputedStyle(e).overflowX, page: document.documentElement.scrollWidth,
                        box: right(e), header: right(e.querySelector('thead th:last-child')),
                        cells: [...e.querySelectorAll('tbody td:last-child')].map(right)}; }"""
        )
        time.sleep(0.3)
        shot(page, f"builder_table_390_{lang}")
        assert reach["overflow"] in ("auto", "scroll"), reach
        assert reach["page"] <= 390, reach  # the page itself does not scroll sideways: the table's box does
        assert reach["box"] <= 390 and reach["header"] <= reach["box"] + 1, reach
        assert len(reach["cells"]) == 10 and all(right <= reach["box"] + 1 for right in reach["cells"]), reach
    finally:
        context.close()


def test_the_layer_table_comes_with_the_page(server, browser):  # noqa: F811
    """The layer table is drawn as the page's text is: the moment the heading above it shows, so does the table
    (as st.table it was an empty grey box for seconds after the page had finished)."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        heading = text("nb.stack", "en")
        page.goto(f"{server}{PAGE}?lang=en")
        page.get_by_text(heading).wait_for()
        shown = page.evaluate("() => !!document.querySelector('.st-key-nb_layers table tbody tr')")
        if not shown:  # the same render at the latest: a frame later
            time.sleep(0.1)
            shown = page.evaluate("() => !!document.querySelector('.st-key-nb_layers table tbody tr')")
        assert shown
        assert page.locator('[data-testid="stMain"] [data-testid="stTable"]').count() == 0
    finally:
        context.close()
