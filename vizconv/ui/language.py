"""The page's language: read from the URL or the session, the sidebar switch, catalogue lookups for widgets."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from vizconv.i18n.strings import LANGUAGES, STRINGS, text

LANG_KEY = "ui_lang"  # the sidebar switch's widget key; the chosen language is remembered under "lang"


def _valid(code: object) -> str | None:
    return code if isinstance(code, str) and code in LANGUAGES else None


def lang() -> str:
    """The page language: a valid ``?lang=`` in the URL, else the session's choice, else English."""
    return _valid(st.query_params.get("lang")) or _valid(st.session_state.get("lang")) or "en"


def t(key: str, **params: object) -> str:
    """Catalogue text ``key`` in the page language."""
    return text(key, lang(), **params)


def t_or(key: str, default: str | None) -> str | None:
    """Catalogue text ``key`` in the page language, or ``default`` where the catalogue has no ``key`` (a class
    name without a translation, a sample without a description)."""
    return t(key) if key in STRINGS else default


def labels(key: str, param: str | None = None) -> Callable[[object], str]:
    """A widget's ``format_func``: catalogue text ``key + option`` (or ``key`` with ``param=option``).

    The language is read now, while the widget is drawn: AppTest calls ``format_func`` again after
    the script run, outside it, where the page language cannot be read.
    """
    language = lang()
    if param is None:
        return lambda option: text(f"{key}{option}", language)
    return lambda option: text(key, language, **{param: option})


def _switch_language() -> None:
    """The sidebar switch changed: remember the choice and put it in the URL before the rerun."""
    chosen = _valid(st.session_state.get(LANG_KEY))
    if chosen is None:  # not a language (cannot happen with required=True): keep the current one
        st.session_state[LANG_KEY] = lang()
        return
    st.session_state["lang"] = chosen
    st.query_params["lang"] = chosen
