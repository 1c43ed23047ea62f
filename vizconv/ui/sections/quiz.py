"""Predict, then reveal: the quiz mode of the Convolution, Pooling, Transposed convolution and Network builder
pages, drawn at the top of the page's main column (issue 22).

A switch turns it on. The page then asks a question of a kind that fits it (``vizconv.views.quiz.PAGE_KINDS``); the
student types an answer in a form (Enter checks it) and gets it judged: right, wrong (the common mistake named
where the answer matches one) or unreadable (how to type it), with the worked explanation; then the next question.
Where the page can show a question's settings in its own widgets, a button puts them there (the reveal).

A link carries the quiz: ``<page>_quiz=1``, its seed ``<page>_quiz_seed`` and the question number
``<page>_quiz_number`` (``SHARED``, which each page adds to its own), so a teacher's link gives the class the same
questions; a seed a link cannot carry is ignored (a fresh one is drawn). The running score (``vizconv.quiz.Score``)
is kept in the session for every page, and survives reruns, page switches and a language switch.
"""

from __future__ import annotations

import streamlit as st

from vizconv.quiz import Question, Score, Verdict
from vizconv.ui.language import lang, t
from vizconv.ui.url_state import Whole, WidgetMemory
from vizconv.views import quiz as view

__all__ = ["SCORE_KEY", "SHARED", "show"]

SCORE_KEY = "quiz_score"  # one running score in the session, for every page's quiz
state = st.session_state


class _On:
    """The quiz switch in a link: ``1`` (on) or ``0``; only an on switch is written (an off quiz leaves links as
    they were)."""

    def parse(self, raw: str) -> bool | None:
        return {"1": True, "0": False}.get(raw)

    def format(self, value: object) -> str | None:
        return "1" if value is True else None


# What a page's link carries of its quiz (the page adds these to its SHARED): state keys <page>_quiz (the switch),
# <page>_quiz_seed and <page>_quiz_number, present only while the quiz is on.
SHARED = {"quiz": _On(), "quiz_seed": Whole(*view.SEED_LIMITS), "quiz_number": Whole(*view.NUMBER_LIMITS)}


def _keys(page: str) -> dict[str, str]:
    names = ("on", "seed", "number", "kept", "answer", "result")
    return {name: f"{page}_quiz" + ("" if name == "on" else f"_{name}") for name in names}


def _start(page: str) -> None:
    """The quiz is on: the quiz it had before it was switched off, else a fresh seed (the number a link gave)."""
    keys = _keys(page)
    kept = state.pop(keys["kept"], None)
    seed, number = kept if kept is not None else (view.new_seed(), state.get(keys["number"], 1))
    state[keys["seed"]], state[keys["number"]] = seed, number


def _switched(page: str) -> None:
    """The switch changed. Off: the quiz is kept aside (out of the link) for when it is switched on again."""
    keys = _keys(page)
    if state.get(keys["on"]):
        _start(page)
    elif keys["seed"] in state:
        state[keys["kept"]] = (state.pop(keys["seed"]), state.pop(keys["number"], 1))


def _question(page: str) -> Question:
    keys = _keys(page)
    return view.question(page, state[keys["seed"]], state.get(keys["number"], 1))


def _check(page: str) -> None:
    """The form was sent: judge the typed answer and count it (the first readable answer to a question counts)."""
    keys = _keys(page)
    q, typed = _question(page), state.get(keys["answer"], "")
    state.setdefault(SCORE_KEY, Score()).record(q, q.check(typed))
    state[keys["result"]] = (q.id, typed)


def _next(page: str) -> None:
    keys = _keys(page)
    state[keys["number"]] = min(int(state.get(keys["number"], 1)) + 1, view.NUMBER_LIMITS[1])
    state[keys["answer"]] = ""
    state.pop(keys["result"], None)


def _show_on_page(memory: WidgetMemory, shown: view.Shown) -> None:
    memory.set(**shown.settings)
    for key, value in shown.state.items():
        state[key] = value


def show(memory: WidgetMemory, switch_in=st) -> None:
    """The quiz switch (drawn in ``switch_in``: the pages put it beside their teaching notes, so it takes no row of
    the first screen) and, while it is on, the question, the answer form, the verdict and the score."""
    page, language = memory.prefix, lang()
    keys = _keys(page)
    if state.get(keys["on"]) and keys["seed"] not in state:  # a link's quiz=1 without a seed it could carry
        _start(page)
    if keys["seed"] not in state:
        state.pop(keys["number"], None)  # a link's number alone: not a quiz
    state[keys["on"]] = keys["seed"] in state  # the switch shows the quiz's state, also after another page
    switch_in.toggle(
        t("quiz_ui.toggle"), key=keys["on"], help=t("quiz_ui.toggle_help"), on_change=_switched, args=(page,)
    )
    if keys["seed"] not in state:
        return
    q = _question(page)
    with st.container(border=True, key=f"{page}_quiz_box"):
        number = state.get(keys["number"], 1)
        st.markdown(f"**{t('quiz_ui.question', number=number, kind=t('quiz.kind.' + q.kind))}**")
        st.markdown(q.prompt.text(language))
        _grids(q)
        with st.form(f"{page}_quiz_form", border=False, enter_to_submit=True):
            label = t("quiz_ui.answer_number") if q.answer_form == "number" else t("quiz_ui.answer_shape")
            st.text_input(label, key=keys["answer"])
            st.form_submit_button(
                t("quiz_ui.check"), key=f"{page}_quiz_check", on_click=_check, args=(page,), type="primary"
            )
        result = state.get(keys["result"])
        verdict = q.check(result[1]) if result is not None and result[0] == q.id else None
        if verdict is not None:
            _verdict(verdict, language)
        shown = view.page_settings(page, q) if verdict is not None and verdict.outcome != "unreadable" else None
        with st.container(horizontal=True):
            st.button(t("quiz_ui.next"), key=f"{page}_quiz_next", on_click=_next, args=(page,), icon="➡️")
            if shown is not None:
                help_text = t("quiz_ui.show_help")
                args = (memory, shown)
                st.button(t("quiz_ui.show"), key=f"{page}_quiz_show", on_click=_show_on_page, args=args, help=help_text)
        _score(language)


def _grids(q: Question) -> None:
    """A next-value question's numbers: the input's channels, then the kernel's."""
    lines = view.grids_latex(q)
    if lines:
        st.caption(t("quiz_ui.grids"))
        for latex in lines:
            st.latex(latex)


def _verdict(verdict: Verdict, language: str) -> None:
    headline = verdict.headline.text(language)
    if verdict.outcome == "unreadable":
        st.warning(headline, icon="⌨️")
        return
    if verdict.right:
        st.success(headline, icon="✅")
    else:
        st.error(headline, icon="❌")
    if verdict.mistake is not None:
        st.info(f"**{t('quiz_ui.mistake')}** {verdict.mistake.message.text(language)}", icon="💡")
    st.markdown(f"**{t('quiz_ui.explanation')}** {verdict.explanation.text(language)}")


def _score(language: str) -> None:
    score = state.get(SCORE_KEY)
    if score is None or not score.answered:
        st.caption(t("quiz_ui.no_score"))
        return
    kinds = view.score_by_kind(score)
    parts = [t("quiz_ui.by_kind", kind=t("quiz.kind." + kind), right=r, answered=n) for kind, r, n in kinds]
    st.markdown(f"**{t('quiz_ui.score')}** {score.message.text(language)}  \n" + " · ".join(parts))
