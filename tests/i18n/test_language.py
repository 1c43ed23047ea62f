"""The language switch through AppTest: ?lang= in the URL, the sidebar switch, the session's choice."""

from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from tests_support import BUILDER, CONV, FEATURES, LEARNING, MORE, POOL, ROOT, TCONV, WHY, Browser, metric, settings
from vizconv.i18n.strings import text

# page number: catalogue section
SECTIONS = {"1": "conv", "2": "fm", "3": "pool", "4": "tconv", "5": "nb", "6": "learning", "7": "why", "8": "more"}
PAGES = sorted(path.relative_to(ROOT).as_posix() for path in (ROOT / "pages").glob("*.py"))


def _title_key(path: str) -> str:
    return "home.title" if path == "app.py" else SECTIONS[re.match(r"pages/(\d+)_", path).group(1)] + ".title"


def _run(path: str = "app.py", lang: str | None = None, **state) -> AppTest:
    """Page ``path`` run once, with ``?lang=`` in the URL when given, checked for exceptions."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if lang is not None:
        at.query_params["lang"] = lang
    for key, value in state.items():
        at.session_state[key] = value
    if path == "app.py":
        at.run()
    else:
        at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def test_every_page_has_a_title_key():
    assert len(PAGES) == len(SECTIONS)
    assert all(_title_key(path) for path in PAGES)


@pytest.mark.parametrize("path", ["app.py", *PAGES])
def test_lang_zh_in_the_url_shows_chinese(path):
    """?lang=zh: the title and its one-line description come from the Chinese catalogue."""
    at = _run(path, lang="zh")
    key = _title_key(path)
    assert at.title[0].value == text(key, "zh")
    assert text(key + ".intro", "zh") in [c.value for c in at.caption]
    assert at.segmented_control(key="ui_lang").value == "zh"
    assert at.query_params["lang"] == "zh"


@pytest.mark.parametrize("lang", ["xx", ""])
def test_an_unknown_lang_falls_back_to_english(lang):
    at = _run(CONV, lang=lang)
    assert at.title[0].value == "Convolution"
    assert at.query_params["lang"] == "en"  # the URL is corrected, so it can be shared


def test_without_lang_the_url_gets_english():
    at = _run()
    assert at.title[0].value == "vizconv"
    assert at.caption[0].value == text("home.title.intro", "en")
    assert at.query_params["lang"] == "en"


def test_the_switch_changes_the_language_and_keeps_the_settings():
    """Switching to Chinese translates the page; the stride set before stays, and so does the output."""
    at = _run(CONV)
    at.number_input(key="conv_stride_h").set_value(2).run()
    assert metric(at, text("conv.shape_output", "en")) == "[2, 13, 26]"

    at.segmented_control(key="ui_lang").set_value("zh").run()
    assert not at.exception
    assert at.title[0].value == "卷积"
    assert at.query_params["lang"] == "zh"
    assert at.number_input(key="conv_stride_h").value == 2
    assert at.number_input(key="conv_stride_h").label == f"{text('conv.stride', 'zh')} ({text('conv.h', 'zh')})"
    assert metric(at, text("conv.shape_output", "zh")) == "[2, 13, 26]"

    at.segmented_control(key="ui_lang").set_value("en").run()
    assert at.title[0].value == "Convolution"
    assert at.query_params["lang"] == "en"
    assert at.number_input(key="conv_stride_h").value == 2


def test_the_choice_survives_switching_pages():
    """The session remembers the language when the next page is opened without ?lang=."""
    at = _run()
    at.segmented_control(key="ui_lang").set_value("zh").run()
    at.query_params.clear()  # the sidebar navigation may drop the query string
    at.switch_page(FEATURES).run()
    assert not at.exception
    assert at.title[0].value == "特征图"
    assert at.query_params["lang"] == "zh"  # written back, so the URL can be shared again


def test_the_url_wins_over_the_remembered_choice():
    at = _run(lang="zh")
    at.query_params["lang"] = "en"
    at.run()
    assert at.title[0].value == "vizconv"
    assert at.caption[0].value == text("home.title.intro", "en")
    assert at.segmented_control(key="ui_lang").value == "en"


def test_a_library_error_is_shown_in_chinese():
    """The engine raises with a catalogue key; the page renders the message in the page's language."""
    at = _run(CONV, lang="zh", conv_groups=2)
    errors = [e.value for e in at.error]
    assert any("无法平均分成 2 组" in e for e in errors), errors
    assert not any("cannot be split" in e for e in errors)


def test_home_links_and_widgets_are_chinese():
    at = _run(lang="zh")
    labels = [link.label for link in at.get("page_link")]
    assert labels == [
        text(f"home.{name}_link", "zh")
        for name in ("conv", "fm", "pool", "tconv", "nb", "learning", "why", "more", "first_example")
    ]
    assert at.subheader[0].value == text("home.pages", "zh")


def test_cifar_class_names_are_chinese():
    """The Prediction table names CIFAR-10's classes in the page's language (the English name kept beside)."""
    at = _run(FEATURES, lang="zh", fm_model="resnet20", fm_sample="cifar_frog")
    classes = at.dataframe[0].value.iloc[:, 0].tolist()
    assert classes[0] == "青蛙（frog）" and all("（" in name for name in classes), classes


# Per page: a setting the student changes first, away from its default (key, the shown label or value to pick).
LESSON_SETTINGS = {
    CONV: ("conv_padding_mode", "reflect"),
    FEATURES: ("fm_sample", None),
    POOL: ("pool_stage", None),
    TCONV: ("tconv_view", None),
    BUILDER: ("nb_kind", None),
    LEARNING: ("learn_loss", "mse"),
    WHY: ("why_target", None),
    MORE: ("more_source", None),
}


def _choose(at: AppTest, key: str, value: object | None, browser: Browser) -> None:
    """Pick ``value`` (else the second option) in the choice widget ``key`` as a browser does: by its label."""
    widget = next(w for kind in ("selectbox", "radio") for w in at.get(kind) if w.key == key)
    label = widget.options[1] if value is None else str(widget.format_func(value))
    widget.__class__ = type(type(widget).__name__, (type(widget),), {"format_func": property(lambda self: str)})
    widget.set_value(label)
    _rerun(at, browser, key)


def _rerun(at: AppTest, browser: Browser, touched: str | None) -> None:
    browser.send(at, touched)
    at.run()
    assert not at.exception, at.exception
    browser.drawn(at, touched)
    assert not browser.stale(at), f"the browser shows another choice than the server means: {browser.stale(at)}"


def _switch(at: AppTest, browser: Browser, language: str) -> None:
    """Click the language in the sidebar; every setting must stay as it was."""
    before = settings(at)
    at.segmented_control(key="ui_lang").set_value(language)
    _rerun(at, browser, "ui_lang")
    assert at.query_params["lang"] == language
    assert settings(at) == before


def _step(at: AppTest, browser: Browser) -> None:
    """Press ▶ where the page has one (the step panels), else rerun as any other widget change does."""
    forward = [b for b in at.button if str(b.key).endswith("_forward")]
    if forward:
        forward[0].click()
    _rerun(at, browser, forward[0].key if forward else None)


@pytest.mark.parametrize("path", list(LESSON_SETTINGS))
def test_switching_language_mid_lesson_keeps_every_setting(path):
    """A student changes a setting, switches to Chinese, steps, switches back and steps again: every run sends
    what a browser sends (the labels it shows), nothing raises, no choice goes blank, no setting moves."""
    browser = Browser()
    at = _run(path)
    browser.drawn(at)
    key, value = LESSON_SETTINGS[path]
    _choose(at, key, value, browser)
    chosen = settings(at)[key]
    for language in ("zh", "en", "zh"):
        _switch(at, browser, language)
        _step(at, browser)
        assert settings(at)[key] == chosen
    assert at.title[0].value == text(_title_key(path), "zh")
