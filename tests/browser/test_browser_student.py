"""A seeded "student" clicks through every page in headless Chromium, switching the language mid-lesson.

On each page a ``random.Random(seed)`` picks what to touch among what the page shows: ◀ / ▶, another option of a
sidebar select box, an arrow key on a slider, another radio option, a cell of the first Plotly chart, a toggle, a
number input's − / + (on the home page, which has none of those: an expander). Three of those, then 中文, three
more, then English, two more. After every step, once the script run is over: no exception box and no "Traceback",
the page is not emptied, every radio group has one option checked and every select box shows one of its options
(in the page's language). Across each language
switch nothing else changes: the query string (every shared setting, WidgetMemory.publish) but ``lang``, and
every widget's value (numbers, sliders, toggles, the index of the radio option and select box option shown).
A failure names the page, the seed, the steps taken and a screenshot in ``artifacts/``.

Two focused checks: presenter mode's toggle gives the arrow keys back to the page (→ steps without a click
elsewhere), and the Feature maps page's drawing canvas is in view at 1400 × 900.

Uses tests/browser/conftest.py's server and browser fixtures (one ``streamlit run app.py`` for the module, Debian's
Chromium); skipped with them where Chromium is missing. ``VIZCONV_STUDENT_SEEDS=3,4`` runs other seeds.
"""

from __future__ import annotations

import json
import os
import random
import time
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import ARTIFACTS, require_browser, sync_api

from vizconv.i18n.strings import LANGUAGE_NAMES, LANGUAGES, STRINGS, text

pytestmark = pytest.mark.browser

require_browser()

VIEWPORT = {"width": 1400, "height": 900}
PAGES = {
    "home": "/",
    "convolution": "/Convolution_卷积",
    "feature_maps": "/Feature_maps_特征图",
    "pooling": "/Pooling_and_activations_池化与激活",
    "transposed": "/Transposed_convolution_转置卷积",
    "network_builder": "/Network_builder_搭建网络",
}
SEEDS = [int(s) for s in os.environ.get("VIZCONV_STUDENT_SEEDS", "1").split(",") if s.strip()]
STEPS = (3, 3, 2)  # interactions before 中文, in Chinese, after English again
ACTION_TIMEOUT_MS = 20_000  # a click, a key press (page.set_default_timeout)
RUN_TIMEOUT_MS = 90_000  # a script run: the first one of a page loads its models on a busy 2-core machine
MIN_ELEMENTS = 3  # visible elements in the main column: title, intro and something (the closed notes hold none)
# Options a student may pick but this test does not: ResNet-18's weights are a 45 MB download.
SLOW_OPTIONS = {text("fm.model.resnet18", lang) for lang in LANGUAGES}
# Switches this test does not touch at random: the language (switched on purpose), presenter mode (folds the
# sidebar away: test_presenter_toggle_gives_the_arrow_keys_back).
NOT_AT_RANDOM = ("ui_lang", "ui_present")

# Counts the script runs this document saw (Streamlit's stApp says "running" while the script runs).
COUNT_RUNS = """(() => {
  window.__vizconvRuns = 0;
  const hook = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) { setTimeout(hook, 10); return; }
    new MutationObserver(() => {
      if (app.getAttribute('data-test-script-state') === 'running') window.__vizconvRuns++;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  };
  document.addEventListener('DOMContentLoaded', hook);
})();"""

# The script run is over and drawn: no run, no placeholder left (the widgets' code loads lazily). Streamlit's stApp
# says "initial", then "running", then "notRunning" as a page opens.
IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stSkeleton"]');
}"""

# Everything the checks read, in one pass: problems found on the page, and each keyed widget's value.
# A choice widget's options (their labels, as the server sent them) are read from React's props of the
# widget: the select box's list is only in the page while it is open.
READ = r"""(fewest) => {
  const keyOf = (el) => {
    const box = el.closest('[class*="st-key-"]');
    const name = box && [...box.classList].find((c) => c.startsWith('st-key-'));
    return name ? name.slice('st-key-'.length) : null;
  };
  const optionsOf = (el) => {
    const name = Object.keys(el).find((k) => k.startsWith('__reactFiber$'));
    for (let fiber = name && el[name], depth = 0; fiber && depth < 40; fiber = fiber.return, depth++) {
      const options = fiber.memoizedProps?.element?.options;
      if (Array.isArray(options)) return options;
    }
    return null;
  };
  const problems = [];
  for (const box of document.querySelectorAll('[data-testid="stException"]'))
    problems.push('exception box: ' + box.innerText.slice(0, 800));
  if (document.body.innerText.includes('Traceback')) problems.push('the page shows "Traceback"');
  const main = document.querySelector('[data-testid="stMain"]');
  const title = main && main.querySelector('h1');
  const shown = main ? [...main.querySelectorAll('[data-testid="stElementContainer"]')]
    .filter((e) => e.getBoundingClientRect().height > 0).length : 0;
  if (!title || !title.innerText.trim()) problems.push('emptied page: no title');
  else if (shown < fewest) problems.push(`emptied page: ${shown} elements in the main column`);
  const widgets = {};
  for (const group of document.querySelectorAll('[role="radiogroup"]')) {
    const key = keyOf(group) || group.getAttribute('aria-label');
    const inputs = group.querySelectorAll('input[type="radio"]');
    const items = inputs.length ? [...inputs] : [...group.querySelectorAll('[role="radio"]')];
    const checked = items.flatMap((r, i) => (r.checked || r.getAttribute('aria-checked') === 'true') ? [i] : []);
    if (checked.length !== 1) problems.push(`radio ${key}: ${checked.length} options checked`);
    widgets[key] = ['radio', checked.join(',')];
  }
  for (const select of document.querySelectorAll('[data-testid="stSelectbox"]')) {
    const key = keyOf(select);
    const input = select.querySelector('input');
    const value = (input ? input.value : select.innerText).trim();
    const options = optionsOf(select);
    if (!value) problems.push(`select box ${key} shows nothing`);
    else if (options && !options.includes(value))
      problems.push(`select box ${key} shows "${value}", none of its options ${JSON.stringify(options.slice(0, 12))}`);
    widgets[key] = options ? ['select', options.indexOf(value)] : ['select text', value];
  }
  for (const box of document.querySelectorAll('[data-testid="stNumberInput"]'))
    widgets[keyOf(box)] = ['number', box.querySelector('input').value];
  for (const box of document.querySelectorAll('[data-testid="stSlider"]'))
    widgets[keyOf(box)] = ['slider', [...box.querySelectorAll('input[type="range"], [role="slider"]')]
      .map((s) => s.value ?? s.getAttribute('aria-valuenow')).join(',')];
  for (const box of document.querySelectorAll('[data-testid="stCheckbox"]'))
    widgets[keyOf(box)] = ['toggle', box.querySelector('input').checked];
  return {problems, widgets, url: location.href};
}"""

# What a student can touch now: [kind, widget key, detail], in page order.
TOUCHABLE = r"""(notAtRandom) => {
  const keyOf = (el) => {
    const box = el.closest('[class*="st-key-"]');
    const name = box && [...box.classList].find((c) => c.startsWith('st-key-'));
    return name ? name.slice('st-key-'.length) : null;
  };
  const off = '[disabled], [aria-disabled="true"], [data-disabled="true"]';
  const usable = (el) => el.getBoundingClientRect().height > 0 && !el.closest(off) && !el.querySelector(off);
  const found = [];
  const add = (kind, el, detail) => {
    const key = keyOf(el);
    if (key && !notAtRandom.includes(key) && usable(el)) found.push([kind, key, detail ?? null]);
  };
  for (const b of document.querySelectorAll('[data-testid="stButton"] button'))
    if (/_(back|forward)$/.test(keyOf(b) || '')) add('step', b, b.innerText.trim().split(/\s/)[0]);
  for (const s of document.querySelectorAll('[data-testid="stSidebar"] [data-testid="stSelectbox"]')) add('select', s);
  for (const s of document.querySelectorAll('[data-testid="stSlider"] input[type="range"], [data-testid="stSlider"] [role="slider"]'))
    add('slider', s);
  for (const g of document.querySelectorAll('[data-testid="stRadio"]')) add('radio', g);
  for (const c of document.querySelectorAll('[data-testid="stCheckbox"]')) add('toggle', c);
  for (const n of document.querySelectorAll('[data-testid="stNumberInput"]')) {
    const steps = ['stNumberInputStepDown', 'stNumberInputStepUp']
      .filter((id) => { const b = n.querySelector(`[data-testid="${id}"]`); return b && !b.disabled; });
    if (steps.length) add('number', n, steps);
  }
  [...document.querySelectorAll('[data-testid="stExpander"] summary')].forEach((e, i) => {  // no key: its number
    if (usable(e)) found.push(['expander', `#${i}`, e.innerText.trim().split('\n').pop()]);
  });
  const chart = document.querySelector('[data-testid="stMain"] .js-plotly-plot');
  if (chart && (chart.data || []).some((trace) => trace.type === 'heatmap')) found.push(['cell', 'chart', null]);
  const animator = document.querySelector('[data-testid=stBidiComponentIsolated]');
  const maps = animator && animator.shadowRoot ? animator.shadowRoot.querySelectorAll('.vz-map canvas').length : 0;
  if (maps) found.push(['animator', 'vz', maps]);  // the live animator: a cell of any of its maps
  return found;
}"""

# The first Plotly chart's heatmaps: [trace index, axis suffix, rows, columns].
HEATMAPS = """() => {
  const gd = document.querySelector('[data-testid="stMain"] .js-plotly-plot');
  return gd.data.flatMap((trace, i) => trace.type === 'heatmap' && trace.z && trace.z.length && trace.visible !== false
    ? [[i, (trace.xaxis || 'x').slice(1), (trace.yaxis || 'y').slice(1), trace.z.length, trace.z[0].length]] : []);
}"""

# Where cell (row, col) of heatmap trace ``index`` is on the screen.
CELL_POINT = """([index, row, col]) => {
  const gd = document.querySelector('[data-testid="stMain"] .js-plotly-plot');
  const trace = gd.data[index];
  const xa = gd._fullLayout['xaxis' + (trace.xaxis || 'x').slice(1)];
  const ya = gd._fullLayout['yaxis' + (trace.yaxis || 'y').slice(1)];
  const x = Array.isArray(trace.x) && trace.x.length > col ? trace.x[col] : (trace.x0 ?? 0) + col * (trace.dx ?? 1);
  const y = Array.isArray(trace.y) && trace.y.length > row ? trace.y[row] : (trace.y0 ?? 0) + row * (trace.dy ?? 1);
  const box = gd.getBoundingClientRect();
  return [box.left + xa._offset + xa.l2p(x), box.top + ya._offset + ya.l2p(y)];
}"""

# Catalogue texts of one language that the other never uses: a choice showing one is in the wrong language
# (the check where a select box's options cannot be read from the page).
_ONLY_IN = {
    lang: {entry[lang] for entry in STRINGS.values() if "{" not in entry[lang]}
    - {entry[other] for entry in STRINGS.values() for other in LANGUAGES if other != lang}
    for lang in LANGUAGES
}


class StudentFailed(AssertionError):
    pass


class Student:
    """One browser tab, its random choices and the log of what it did."""

    def __init__(self, page, base: str, name: str, seed: int) -> None:
        self.page, self.base, self.name, self.seed = page, base, name, seed
        self.rng = random.Random(f"{name}:{seed}")
        self.log: list[str] = []
        self.lang = "en"

    # ------------------------------------------------------------------ waiting and checking

    def runs(self) -> int:
        return self.page.evaluate("() => window.__vizconvRuns || 0")

    def settle(self, runs_before: int | None = None) -> None:
        """Wait for the run an action started (if it starts within 2 s) to be over and drawn."""
        if runs_before is not None:
            deadline = time.monotonic() + 2.0
            while time.monotonic() < deadline and self.runs() == runs_before:
                time.sleep(0.05)
        for _ in range(5):  # over, and still over a moment later (a rerun can follow a run)
            try:
                self.page.wait_for_function(IDLE, timeout=RUN_TIMEOUT_MS)
            except sync_api.TimeoutError:
                self.fail(f"the script run did not end within {RUN_TIMEOUT_MS // 1000} s")
            time.sleep(0.3)
            if self.page.evaluate(IDLE):
                return

    def fail(self, problem: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"student_{self.name}_seed{self.seed}_step{len(self.log)}.png"
        try:
            self.page.screenshot(path=str(shot), full_page=True)
        except Exception as exc:  # noqa: BLE001 (the failure matters, not its picture)
            shot = f"(no screenshot: {exc})"
        steps = "\n".join(f"  {i + 1}. {line}" for i, line in enumerate(self.log))
        raise StudentFailed(
            f"{problem}\npage {self.name} ({self.page.url}), seed {self.seed}, screenshot {shot}\nsteps:\n{steps}"
        )

    def read(self) -> dict:
        return self.page.evaluate(READ, MIN_ELEMENTS)

    def check(self) -> dict:
        """The page after a step: no exception, not emptied, every choice showing one of its options."""
        state = self.read()
        problems = list(state["problems"])
        for key, (kind, value) in state["widgets"].items():
            if kind == "select text" and value in _ONLY_IN[self._other()]:
                problems.append(f"select box {key} shows {value!r}, text of the other language")
        if problems:
            self.fail("; ".join(problems))
        return state

    def _other(self) -> str:
        return next(lang for lang in LANGUAGES if lang != self.lang)

    # ------------------------------------------------------------------ actions

    def open(self) -> None:
        start = time.monotonic()
        self.log.append(f"open {self.base}{PAGES[self.name]}")
        self.page.goto(self.base + PAGES[self.name])
        self.settle()
        self.log[-1] += f" ({time.monotonic() - start:.1f} s)"
        self.check()

    def act(self) -> None:
        found = self.page.evaluate(TOUCHABLE, list(NOT_AT_RANDOM))
        touchable = list({json.dumps(entry): entry for entry in found}.values())  # once each (buttons drawn twice)
        kinds = sorted({kind for kind, _, _ in touchable} - {"expander"}) or ["expander"]  # expanders: the home page
        if not any(entry[0] in kinds for entry in touchable):
            self.fail("nothing to touch on the page")
        kind = self.rng.choice(kinds)
        kind, key, detail = self.rng.choice([entry for entry in touchable if entry[0] == kind])
        before, start = self.runs(), time.monotonic()
        try:
            what = getattr(self, "_" + kind)(key, detail)
        except Exception as exc:  # a control that cannot be used: with the log and a screenshot
            self.log.append(f"{kind} {key}: failed")
            self.fail(f"could not {kind} {key}: {str(exc)[:600]}")
        self.log.append(f"{kind} {key}: {what}")
        self.settle(before)  # (an expander reruns the page when it opens or closes: the notes are drawn only open)
        self.log[-1] += f" ({time.monotonic() - start:.1f} s)"
        self.check()

    def _box(self, key: str):
        return self.page.locator(f".st-key-{key}").first

    def _step(self, key: str, label: str) -> str:
        self._box(key).locator("button").first.click()  # (Streamlit draws a shortcut's button twice, one hidden)
        return f"pressed {label}"

    def _select(self, key: str, _detail) -> str:
        box = self._box(key).get_by_test_id("stSelectbox")
        shown = box.locator("input").input_value() if box.locator("input").count() else box.inner_text()
        combo = box.get_by_role("combobox")  # (a click on the box's label only focuses it)
        combo.scroll_into_view_if_needed()  # (a list opened while the sidebar scrolls closes again)
        time.sleep(0.3)
        listbox = self.page.get_by_role("listbox").last
        for attempt in range(3):
            combo.click()
            try:
                listbox.wait_for(timeout=3_000)
                break
            except sync_api.TimeoutError:
                if attempt == 2:
                    raise
        names = [name.strip() for name in listbox.get_by_role("option").all_inner_texts()]
        others = [name for name in names if name != shown and name not in SLOW_OPTIONS]
        if not others:
            self.page.keyboard.press("Escape")
            return f"opened (shows {shown!r}), nothing else to pick among {names}"
        choice = self.rng.choice(others)
        listbox.get_by_role("option", name=choice, exact=True).first.click()
        return f"{shown!r} -> {choice!r}"

    def _expander(self, number: str, title: str) -> str:
        summary = self.page.locator('[data-testid="stExpander"] summary').nth(int(number[1:]))
        summary.click()
        return f"clicked {title!r}"

    def _slider(self, key: str, _detail) -> str:
        thumbs = self._box(key).get_by_role("slider")
        thumb = thumbs.nth(self.rng.randrange(thumbs.count()))
        value, low, high = (
            float(thumb.evaluate(f"s => s.{name} ?? s.getAttribute('aria-value{aria}')"))
            for name, aria in (("value", "now"), ("min", "min"), ("max", "max"))
        )
        arrow = self.rng.choice(["ArrowLeft", "ArrowRight"])
        if value <= low:
            arrow = "ArrowRight"
        elif value >= high:
            arrow = "ArrowLeft"
        thumb.focus()
        thumb.press(arrow)
        return f"{arrow} at {value:g} (of {low:g}..{high:g})"

    def _radio(self, key: str, _detail) -> str:
        options = self._box(key).get_by_test_id("stRadioOption")
        labels = options.all_inner_texts()
        checked = self._box(key).locator("input[type=radio]").evaluate_all("rs => rs.map(r => r.checked)")
        others = [i for i, on in enumerate(checked) if not on]
        if not others:
            return f"no other option among {labels}"
        i = self.rng.choice(others)
        options.nth(i).click()
        return f"clicked {labels[i].strip()!r}"

    def _toggle(self, key: str, _detail) -> str:
        box = self._box(key).get_by_test_id("stCheckbox")
        on = box.locator("input").is_checked()
        box.locator("label").first.click()
        return f"{'on' if on else 'off'} -> {'off' if on else 'on'}"

    def _number(self, key: str, buttons: list[str]) -> str:
        box = self._box(key).get_by_test_id("stNumberInput")
        value = box.locator("input").input_value()
        name = self.rng.choice(buttons)
        box.get_by_test_id(name).click()
        return f"{value} {'−' if name.endswith('Down') else '+'} 1"

    def _cell(self, _key, _detail) -> str:
        chart = self.page.locator('[data-testid="stMain"] .js-plotly-plot').first
        chart.scroll_into_view_if_needed()
        heatmaps = self.page.evaluate(HEATMAPS)
        index, _xaxis, _yaxis, rows, cols = self.rng.choice(heatmaps)
        row, col = self.rng.randrange(rows), self.rng.randrange(cols)
        x, y = self.page.evaluate(CELL_POINT, [index, row, col])
        if not (0 <= x < VIEWPORT["width"] and 0 <= y < VIEWPORT["height"]):  # a tall chart: bring the cell in view
            self.page.mouse.move(VIEWPORT["width"] / 2, VIEWPORT["height"] / 2)
            self.page.mouse.wheel(0, y - VIEWPORT["height"] / 2)
            time.sleep(0.5)
            x, y = self.page.evaluate(CELL_POINT, [index, row, col])
        self.page.mouse.click(x, y)
        return f"clicked trace {index}'s cell (row {row}, column {col}) at ({x:.0f}, {y:.0f})"

    def _animator(self, _key, maps: int) -> str:
        canvas = self.page.locator(".vz-map canvas").nth(self.rng.randrange(maps))
        canvas.scroll_into_view_if_needed()
        box = canvas.bounding_box()
        rows, cols = int(canvas.get_attribute("data-rows")), int(canvas.get_attribute("data-cols"))
        row, col = self.rng.randrange(rows), self.rng.randrange(cols)
        self.page.mouse.click(
            box["x"] + (col + 0.5) * box["width"] / cols, box["y"] + (row + 0.5) * box["height"] / rows
        )
        return f"clicked the animator's cell (row {row}, column {col}) of a {rows}×{cols} map"

    def switch_language(self, lang: str) -> None:
        """Click the language in the sidebar; nothing but the language may change."""
        before = self.read()
        runs, start = self.runs(), time.monotonic()
        self.page.locator(".st-key-ui_lang").get_by_role("radio", name=LANGUAGE_NAMES[lang]).click()
        self.lang = lang
        self.log.append(f"switched to {LANGUAGE_NAMES[lang]}")
        self.settle(runs)
        self.log[-1] += f" ({time.monotonic() - start:.1f} s)"
        after = self.check()
        if parse_qs(urlsplit(after["url"]).query).get("lang") != [lang]:
            self.fail(f"the URL does not say lang={lang}: {after['url']}")
        query_before, query_after = _query(before), _query(after)
        changed = [
            f"{name}: {query_before.get(name)} -> {query_after.get(name)}"
            for name in sorted(set(query_before) | set(query_after))
            if query_before.get(name) != query_after.get(name)
        ]
        widgets_before = {k: v for k, v in before["widgets"].items() if k not in NOT_AT_RANDOM}
        widgets_after = {k: v for k, v in after["widgets"].items() if k not in NOT_AT_RANDOM}
        changed += [
            f"widget {key}: {widgets_before.get(key)} -> {widgets_after.get(key)}"
            for key in sorted(set(widgets_before) | set(widgets_after), key=str)
            if widgets_before.get(key) != widgets_after.get(key)
        ]
        if changed:
            self.fail("the language switch changed settings: " + "; ".join(changed))


def _query(state: dict) -> dict:
    """The URL's query parameters but the language."""
    return {k: v for k, v in parse_qs(urlsplit(state["url"]).query).items() if k != "lang"}


@pytest.fixture
def tab(browser):  # noqa: F811 (the imported fixture)
    """A 1400 × 900 tab that counts the script runs it sees."""
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(COUNT_RUNS)
    page = context.new_page()
    page.set_default_timeout(ACTION_TIMEOUT_MS)
    yield page
    context.close()


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("name", list(PAGES))
def test_a_student_clicks_around_and_switches_language(server, tab, name, seed):  # noqa: F811
    """Random steps in English, in Chinese, in English again: nothing breaks and the switch keeps every setting."""
    student = Student(tab, server, name, seed)
    student.open()
    before, during, after = STEPS
    for _ in range(before):
        student.act()
    student.switch_language("zh")
    for _ in range(during):
        student.act()
    student.switch_language("en")
    for _ in range(after):
        student.act()
    print("\n".join(student.log))  # what was done (pytest -rP shows it)


def _position(page) -> int:
    return int(parse_qs(urlsplit(page.url).query)["conv_position"][0])


def test_presenter_toggle_gives_the_arrow_keys_back(server, tab):  # noqa: F811
    """Turn presenter mode on with its toggle, then press → and nothing else: the window steps (the toggle kept
    the keyboard focus, and Streamlit's button shortcuts do nothing while an input has it)."""
    student = Student(tab, server, "convolution", 0)
    student.open()
    tab.wait_for_url("**conv_position=**")
    start = _position(tab)
    runs = student.runs()
    tab.locator(".st-key-ui_present").get_by_test_id("stCheckbox").locator("label").first.click()
    student.log.append("presenter mode on")
    tab.wait_for_url("**present=1**")
    student.settle(runs)
    student.check()
    runs = student.runs()
    tab.keyboard.press("ArrowRight")
    student.log.append("pressed ArrowRight")
    student.settle(runs)
    student.check()
    if _position(tab) != start + 1:
        focused = tab.evaluate("() => document.activeElement && document.activeElement.outerHTML.slice(0, 200)")
        student.fail(f"→ did not step: conv_position {start} -> {_position(tab)}; focus on {focused}")


def test_the_drawing_canvas_is_in_view(server, tab):  # noqa: F811
    """Feature maps, source "Draw" at 1400 × 900: the whole canvas is on the screen without scrolling."""
    student = Student(tab, server, "feature_maps", 0)
    student.open()
    runs = student.runs()
    tab.locator(".st-key-fm_source").get_by_test_id("stRadioOption").filter(
        has_text=text("fm.source.draw", "en")
    ).click()
    student.log.append("source: Draw")
    student.settle(runs)
    student.check()
    # streamlit-drawable-canvas: its canvases, in a shadow root (or an iframe, as components used to be drawn)
    canvas = tab.get_by_test_id("stMain").locator('.canvas-container canvas, iframe[title*="drawable_canvas"]').first
    canvas.wait_for()
    box = canvas.bounding_box()
    scrolled = tab.evaluate(
        "() => [...document.querySelectorAll('[data-testid=stMain], [data-testid=stMain] *, html, body')]"
        ".reduce((most, e) => Math.max(most, e.scrollTop), 0)"
    )
    if not (box and box["y"] >= 0 and box["y"] + box["height"] <= VIEWPORT["height"] and scrolled == 0):
        student.fail(f"the canvas is not in view at {VIEWPORT}: {box}, scrolled by {scrolled}")
