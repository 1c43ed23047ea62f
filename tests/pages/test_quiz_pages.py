"""The quiz mode (predict, then reveal) of the Convolution, Pooling, Transposed convolution and Network builder pages
through AppTest: a question from the link's seed, right / wrong (the mistake named) / unreadable answers, the next
question, the running score, a bad seed in a link, the quiz's settings shown on the page, both languages."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests_support import BUILDER, CONV, POOL, TCONV, markdown_table, metric, open_page
from vizconv.i18n.strings import text
from vizconv.quiz import answer_text, read_shape
from vizconv.ui.sections.quiz import SCORE_KEY
from vizconv.views.quiz import PAGE_KINDS, SEED_LIMITS, question

# each page with a seed whose first question the page can show in its own widgets (vizconv.views.quiz.page_settings)
PAGES = [(CONV, "conv", 2), (POOL, "pool", 14), (TCONV, "tconv", 32), (BUILDER, "nb", 2)]
IDS = [prefix for _, prefix, _ in PAGES]


def _answer(at: AppTest, prefix: str, typed: str) -> None:
    """Type ``typed`` in the quiz's answer box and send the form (what Enter does in the browser)."""
    at.text_input(key=f"{prefix}_quiz_answer").input(typed)
    at.button(key=f"{prefix}_quiz_check").click().run()
    assert not at.exception, at.exception


def _texts(elements) -> list[str]:
    return [e.value for e in elements]


def _score(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith(("**Score:**", "**得分：**")))


def _question_heading(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith(("**Question", "**第")))


@pytest.mark.parametrize(("page", "prefix", "seed"), PAGES, ids=IDS)
def test_a_linked_quiz_judges_answers_counts_the_first_and_goes_on(page, prefix, seed):
    q = question(prefix, seed, 1)
    assert q.kind == PAGE_KINDS[prefix][0]
    at = open_page(page, query={f"{prefix}_quiz": "1", f"{prefix}_quiz_seed": str(seed)})
    assert at.toggle(key=f"{prefix}_quiz").value is True
    assert _question_heading(at) == f"**Question 1 · {text('quiz.kind.' + q.kind, 'en')}**"
    assert q.prompt.text("en") in _texts(at.markdown)
    assert text("quiz_ui.no_score", "en") in _texts(at.caption)

    _answer(at, prefix, "a dozen")  # unreadable: how to type it, nothing counted, no answer given away
    assert q.check("a dozen").headline.text("en") in _texts(at.warning)
    assert text("quiz_ui.no_score", "en") in _texts(at.caption)
    assert not any(q.explanation.text("en") in m for m in _texts(at.markdown))

    mistake = q.all_mistakes[0]  # wrong, with the common mistake named and the worked explanation
    typed = answer_text(mistake.values[0])
    _answer(at, prefix, typed)
    expected = answer_text(q.answer)
    assert f"Not quite: you wrote {typed}, and the answer is {expected}." in _texts(at.error)
    assert any(mistake.message.text("en") in i for i in _texts(at.info))
    assert any(q.explanation.text("en") in m for m in _texts(at.markdown))
    assert _score(at).startswith("**Score:** 0 of 1 right, 0 in a row")

    _answer(at, prefix, expected)  # right now, but the first answer is the one counted
    assert f"Right: {expected}." in _texts(at.success)
    assert _score(at).startswith("**Score:** 0 of 1 right")

    at.button(key=f"{prefix}_quiz_next").click().run()
    q2 = question(prefix, seed, 2)
    assert _question_heading(at) == f"**Question 2 · {text('quiz.kind.' + q2.kind, 'en')}**"
    assert q2.prompt.text("en") in _texts(at.markdown)
    assert at.text_input(key=f"{prefix}_quiz_answer").value == ""
    assert not any(v.startswith(("Right:", "Not quite:")) for v in _texts(at.success) + _texts(at.error))
    assert at.query_params[f"{prefix}_quiz_number"] == "2"
    _answer(at, prefix, answer_text(q2.answer))
    score = _score(at)
    assert score.startswith("**Score:** 1 of 2 right, 1 in a row"), score
    kinds = [text("quiz.kind." + kind, "en") for kind in dict.fromkeys((q.kind, q2.kind))]
    assert all(kind in score for kind in kinds), score
    assert at.session_state[SCORE_KEY].answered == 2


@pytest.mark.parametrize(("page", "prefix", "seed"), PAGES, ids=IDS)
def test_a_question_answered_is_shown_on_the_page(page, prefix, seed):
    """After an answer, "Show this on the page" puts the question's settings into the page's widgets: the page then
    computes the answer itself."""
    q = question(prefix, seed, 1)
    at = open_page(page, query={f"{prefix}_quiz_seed": str(seed)})
    assert f"{prefix}_quiz_show" not in _keys(at)  # not before the student has predicted
    _answer(at, prefix, answer_text(q.answer))
    at.button(key=f"{prefix}_quiz_show").click().run()
    assert not at.exception, at.exception
    if prefix == "conv":
        size = answer_text(q.answer)
        assert metric(at, "Output").endswith(f", {size}, {size}]")
    elif prefix == "nb":
        table = markdown_table(at, text("nb.col_index", "en"))
        row = next(r for r in table if r[0] == str(q.setup["index"]))
        assert any(read_shape(cell) == q.answer for cell in row), row  # the layer's shape, as the table writes it
    else:
        assert metric(at, "Output") == answer_text(q.answer)
    assert _question_heading(at).startswith("**Question 1")  # the quiz goes on where it was


def _keys(at: AppTest) -> set[str]:
    return {b.key for b in at.button}


def test_the_same_seed_gives_every_student_the_same_questions():
    link = {"conv_quiz_seed": "123456", "conv_quiz_number": "3"}
    teacher, student = open_page(CONV, query=link), open_page(CONV, query=link)
    prompt = question("conv", 123456, 3).prompt.text("en")
    assert prompt in _texts(teacher.markdown) and prompt in _texts(student.markdown)
    assert _question_heading(student).startswith("**Question 3")
    assert student.query_params["conv_quiz_seed"] == "123456"
    assert student.query_params["conv_quiz_number"] == "3"


@pytest.mark.parametrize("raw", ["abc", "-1", "1000000", "9" * 40, "1.5", "", "<b>1</b>"])
def test_a_seed_a_link_cannot_carry_is_ignored(raw):
    at = open_page(POOL, query={"pool_quiz_seed": raw, "pool_quiz_number": "0"})  # no quiz: nothing drawn of it
    assert at.toggle(key="pool_quiz").value is False
    assert not any(m.startswith("**Question") for m in _texts(at.markdown))
    assert not {"pool_quiz", "pool_quiz_seed", "pool_quiz_number"} & set(at.query_params)
    at = open_page(POOL, query={"pool_quiz": "1", "pool_quiz_seed": raw, "pool_quiz_number": "abc"})
    assert at.toggle(key="pool_quiz").value is True  # switched on by the link: a fresh seed of its own
    seed = int(at.query_params["pool_quiz_seed"])
    assert SEED_LIMITS[0] <= seed <= SEED_LIMITS[1]
    assert question("pool", seed, 1).prompt.text("en") in _texts(at.markdown)


def test_the_switch_turns_the_quiz_on_and_off_and_keeps_it_meanwhile():
    at = open_page(POOL)
    assert at.toggle(key="pool_quiz").label == "Quiz: predict, then reveal"
    assert not {"pool_quiz", "pool_quiz_seed"} & set(at.query_params)  # an unused quiz leaves links as they were
    at.toggle(key="pool_quiz").set_value(True).run()
    seed = at.query_params["pool_quiz_seed"]
    assert at.query_params["pool_quiz"] == "1"
    at.button(key="pool_quiz_next").click().run()
    at.toggle(key="pool_quiz").set_value(False).run()
    assert not at.exception
    assert not {"pool_quiz", "pool_quiz_seed", "pool_quiz_number"} & set(at.query_params)
    assert not any(m.startswith("**Question") for m in _texts(at.markdown))
    at.toggle(key="pool_quiz").set_value(True).run()  # the same quiz, at the same question
    assert at.query_params["pool_quiz_seed"] == seed
    assert _question_heading(at).startswith("**Question 2")


def test_switching_the_language_mid_quiz_keeps_the_question_the_verdict_and_the_score():
    at = open_page(CONV, query={"conv_quiz_seed": "2"})
    q = question("conv", 2, 1)
    mistake = q.all_mistakes[0]
    _answer(at, "conv", answer_text(mistake.values[0]))
    at.segmented_control(key="ui_lang").set_value("zh").run()
    assert not at.exception, at.exception
    assert at.toggle(key="conv_quiz").label == text("quiz_ui.toggle", "zh")
    assert _question_heading(at) == f"**第 1 题 · {text('quiz.kind.' + q.kind, 'zh')}**"
    assert q.prompt.text("zh") in _texts(at.markdown)
    assert q.check(answer_text(mistake.values[0])).headline.text("zh") in _texts(at.error)
    assert any(mistake.message.text("zh") in i for i in _texts(at.info))
    assert _score(at).startswith("**得分：** 答对 0 / 1 题")
    assert at.text_input(key="conv_quiz_answer").label == text("quiz_ui.answer_number", "zh")
    at.button(key="conv_quiz_next").click().run()  # answered in Chinese: counted in the same score
    q2 = question("conv", 2, 2)
    _answer(at, "conv", answer_text(q2.answer))
    assert f"正确：{answer_text(q2.answer)}。" in _texts(at.success)
    at.segmented_control(key="ui_lang").set_value("en").run()
    assert _score(at).startswith("**Score:** 1 of 2 right, 1 in a row")
    assert f"Right: {answer_text(q2.answer)}." in _texts(at.success)


def test_every_quiz_label_is_used_by_the_quiz_section():
    """The quiz mode's labels (quiz_ui.* in vizconv/i18n/catalogue/quiz.toml) are all drawn by the section."""
    from vizconv.i18n.strings import STRINGS
    from vizconv.ui.sections import quiz as section

    source = Path(section.__file__).read_text(encoding="utf-8")
    labels = sorted(key for key in STRINGS if key.startswith("quiz_ui."))
    assert labels and [key for key in labels if f'"{key}"' not in source and f"'{key}'" not in source] == []
