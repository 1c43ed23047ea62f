"""A student drags every control: random widget values on every page, one change at a time, never an exception.

Each run picks a widget the page is showing now, gives it a random allowed value (its ends more often than
not: students drag sliders to the end) and reruns the page, as a browser does after each change; now and then
the student switches the language instead. Every run sends what a browser would (``tests_support.Browser``:
the labels it shows, also stale ones). Errors the page explains in words (``st.error``) are allowed; an
exception is not, nor a choice whose browser shows another label than the server means, nor a setting that a
language switch changed. The seeds make every failure reproducible: the assertion message lists the changes
that led to it.
"""

from __future__ import annotations

import random

import pytest
from streamlit.testing.v1 import AppTest

from tests_support import ROOT, Browser, open_page, settings

PAGES = ["app.py", *sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "pages").glob("*.py"))]
CHANGES = 12
SEEDS = (0, 1, 2)
CHOICE_KINDS = ("selectbox", "radio", "select_slider", "button_group", "multiselect")
NUMBER_KINDS = ("slider", "number_input")
SWITCH_KINDS = ("checkbox", "toggle")
SWITCH_LANGUAGE = 0.2  # the chance that a change is a language switch


def _by_label(widget, shown):
    """Set a choice widget by the option text the browser shows.

    AppTest's ``set_value`` wants the underlying value, which a widget with a ``format_func`` does not
    expose; the browser sends the shown text, so this does too (the widget's format becomes ``str``).
    """
    cls = type(widget)
    widget.__class__ = type(cls.__name__, (cls,), {"format_func": property(lambda self: str)})
    return widget.set_value(shown)


def _number(rng: random.Random, widget):
    low, high, step = widget.min, widget.max, widget.step or 1
    if isinstance(widget.value, (list, tuple)):  # a range slider
        a, b = sorted(_number_between(rng, low, high, step) for _ in range(2))
        return (a, b)
    return _number_between(rng, low, high, step)


def _number_between(rng: random.Random, low, high, step):
    value = rng.choice([low, high, low + step * rng.randint(0, int((high - low) // step))])
    return int(value) if float(step).is_integer() and float(low).is_integer() else float(value)


def _change(rng: random.Random, at: AppTest) -> tuple[str, str] | None:
    """Make one random change to a widget on the page; (its key, a description), or None when nothing can change."""
    if rng.random() < SWITCH_LANGUAGE:
        language = at.segmented_control(key="ui_lang")
        chosen = "en" if language.value == "zh" else "zh"
        language.set_value(chosen)
        return "ui_lang", f"language → {chosen}"
    widgets = []
    for kind in (*CHOICE_KINDS, *NUMBER_KINDS, *SWITCH_KINDS, "button"):
        widgets += [(kind, w) for w in at.get(kind) if not getattr(w, "disabled", False)]
    # the language switch and presenter mode are on every page: mostly change the page's own controls
    widgets = [(kind, w) for kind, w in widgets if not str(w.key).startswith("ui_") or rng.random() < 0.2] or widgets
    if not widgets:
        return None
    kind, widget = rng.choice(widgets)
    if kind in CHOICE_KINDS:
        if not widget.options:
            return None
        if kind == "multiselect":
            shown = rng.sample(widget.options, rng.randint(0, len(widget.options)))
        else:
            shown = rng.choice(widget.options)
        _by_label(widget, shown)
        return widget.key, f"{kind} {widget.key!r} → {shown!r}"
    if kind in NUMBER_KINDS:
        if widget.min is None or widget.max is None:
            return None
        value = _number(rng, widget)
        widget.set_value(value)
        return widget.key, f"{kind} {widget.key!r} → {value!r}"
    if kind in SWITCH_KINDS:
        value = not widget.value
        widget.set_value(value)
        return widget.key, f"{kind} {widget.key!r} → {value!r}"
    widget.click()
    return widget.key, f"click {widget.key!r}"


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("page", PAGES)
def test_random_widget_values_never_raise(page, seed):
    rng = random.Random(f"{page}:{seed}")
    at = open_page(page)
    browser = Browser()
    browser.drawn(at)
    done = []
    for _ in range(CHANGES):
        before = settings(at)
        change = _change(rng, at)
        if change is None:
            break
        touched, description = change
        done.append(description)
        browser.send(at, touched)
        at.run()
        assert not at.exception, f"{page}, seed {seed}, after: {done}\n{at.exception}"
        browser.drawn(at, touched)
        assert not browser.stale(at), f"{page}, seed {seed}, after: {done}: the browser shows {browser.stale(at)}"
        if touched == "ui_lang":
            assert settings(at) == before, f"{page}, seed {seed}, after: {done}: the language switch changed settings"
    assert done, f"{page} shows no widget to change"
