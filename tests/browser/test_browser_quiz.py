"""The quiz mode (predict, then reveal) in headless Chromium, with the keyboard alone, in both languages: from the
quiz switch, Tab reaches the answer box, Enter checks a typed answer (the verdict, the named mistake and the score
show), Tab reaches "Next question", and the next answer counts in the same score.

Uses tests/browser/conftest.py's server and browser fixtures (a ``streamlit run app.py`` on a free port, Debian's
Chromium); skipped with them where Chromium is missing. Screenshots go to ``artifacts/``.
"""

from __future__ import annotations

import time

import pytest
from browser_support import load, require_browser, shot

from vizconv.i18n.strings import LANGUAGES, text
from vizconv.quiz import Score, answer_text
from vizconv.views.quiz import question

pytestmark = pytest.mark.browser
require_browser()

PAGE = "/Convolution_卷积"
SEED = 2  # question 1: an output size whose wrong answer 3 is the course notes' formula

# The script run is over and drawn (Streamlit's stApp says "running" while the script runs).
IDLE = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return !!app && app.getAttribute('data-test-script-state') === 'notRunning'
    && !document.querySelector('[data-testid="stSkeleton"]');
}"""


def _settle(page) -> None:
    time.sleep(0.4)
    page.wait_for_function(IDLE, timeout=60_000)
    time.sleep(0.3)


def _tab_to(page, is_target: str, limit: int = 4) -> int:
    """Press Tab until the focused element passes the JavaScript test ``is_target`` (on ``e``); how many presses."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if page.evaluate(f"() => {{ const e = document.activeElement; return !!e && ({is_target}); }}"):
            return presses
    raise AssertionError(f"Tab did not reach {is_target} in {limit} presses")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_quiz_is_answered_with_the_keyboard_alone(server, page, lang):
    q1, q2 = question("conv", SEED, 1), question("conv", SEED, 2)
    mistake = q1.all_mistakes[0]
    wrong = answer_text(mistake.values[0])
    load(page, f"{server}{PAGE}?lang={lang}&conv_quiz=1&conv_quiz_seed={SEED}")
    box = page.locator(".st-key-conv_quiz_box")
    box.wait_for()
    assert q1.prompt.text(lang).split("`")[0][:30] in box.inner_text()

    # from the quiz switch (where a student tabbing down the page meets the quiz), the switch's help, then the
    # answer box: nothing else in between
    answer_label = text("quiz_ui.answer_number", lang)
    page.get_by_label(answer_label).wait_for()  # the widgets' code loads lazily: the box is drawn by now
    page.wait_for_function(IDLE, timeout=60_000)
    page.locator(".st-key-conv_quiz input").focus()
    assert _tab_to(page, f"e.getAttribute('aria-label') === {answer_label!r}") <= 2
    page.keyboard.type(wrong)
    # the label says "then Enter" in the page's language; Streamlit's English-only hint is hidden
    assert not box.get_by_test_id("InputInstructions").is_visible()
    page.keyboard.press("Enter")
    _settle(page)
    headline = q1.check(wrong).headline.text(lang)
    box.get_by_text(headline).wait_for()
    shown = box.inner_text()
    assert mistake.message.text(lang).split("(")[0][:25] in shown
    score = Score()
    score.record(q1, q1.check(wrong))
    assert score.message.text(lang) in shown

    # Tab: past the Check button to "Next question"; Enter: question 2, its answer box empty
    next_label = text("quiz_ui.next", lang)
    _tab_to(page, f"e.tagName === 'BUTTON' && e.innerText.includes({next_label!r})")
    page.keyboard.press("Enter")
    _settle(page)
    box.get_by_text(text("quiz_ui.question", lang, number=2, kind=text(f"quiz.kind.{q2.kind}", lang))).wait_for()
    answer = page.get_by_label(answer_label)
    assert answer.input_value() == ""

    # back to the answer box (Shift+Tab), the right answer, Enter: counted in the same score
    for _ in range(4):
        page.keyboard.press("Shift+Tab")
        if page.evaluate(f"() => document.activeElement?.getAttribute('aria-label') === {answer_label!r}"):
            break
    page.keyboard.type(answer_text(q2.answer))
    page.keyboard.press("Enter")
    _settle(page)
    box.get_by_text(q2.check(answer_text(q2.answer)).headline.text(lang)).wait_for()
    score.record(q2, q2.check(answer_text(q2.answer)))
    assert score.message.text(lang) in box.inner_text()
    shot(page, f"quiz_keyboard_{lang}")
