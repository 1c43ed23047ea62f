"""Every page's set-up: its config, the language switch, presenter mode, the style sheets and scripts every page
loads, the title; and errors shown as messages, never tracebacks."""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from vizconv.errors import MessageError
from vizconv.i18n.strings import LANGUAGE_NAMES, LANGUAGES, text
from vizconv.ui.language import LANG_KEY, _switch_language, lang, t

log = logging.getLogger("vizconv")


ASSETS = Path(__file__).resolve().parent / "assets"  # the style sheets and scripts every page loads: constants


def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8").rstrip("\n")


PRESENTER_FIGURE_FONT = 15  # Plotly's default is 12
PRESENT_KEY = "ui_present"  # the presenter-mode toggle's widget key; the choice is remembered under "present"
PAGE_PARAMS = ("lang", "present")  # query parameters every page keeps (WidgetMemory.publish leaves them)

# Presenter mode: a constant style sheet (nothing in it comes from the user). Streamlit sizes its text in rem,
# so a larger root font enlarges text, widgets and spacing together; headings, metrics and formulas grow more,
# and the step panels (containers keyed <page>_step_panel) most.
PRESENTER_CSS = _asset("presenter.css")


# The sidebar names the main page after its file ("app"); the other pages carry both languages in their
# file names, so the home page's entry reads the same way: "Home 首页". A constant style sheet, like PRESENTER_CSS.
NAV_CSS = _asset("nav.css")


# Streamlit leaves 6rem above a page's title; 3rem clears its toolbar, and on a 1024 × 768 projector the saved
# height puts the Convolution page's animation with its arithmetic on the first screen. The quiz's answer box
# (containers keyed <page>_quiz_box) hides Streamlit's English-only "Press Enter to submit form": its label says
# "then Enter" in the page's language. Constant.
PAGE_TOP_CSS = _asset("page_top.css")


# Nothing is cut off in a narrow column (a 1024-pixel projector, presenter mode, a phone). Formulas and metric
# values (shapes such as "[8, 4, 7, 7]", ranges such as "−3.92 … 5.018") wider than their column are scaled down
# to fit: KaTeX sizes everything in em, so one font size scales a whole formula. A metric value stays on one line
# (a shape broke inside its list, "[2, 28, / 28]"); only where even half its size does not fit does it wrap, and
# then only at its spaces, after a comma. Metric labels wrap instead of ending in "…". The teaching notes' tabs
# wrap onto a second row instead of scrolling the last ones out of sight (the underline then marks the chosen
# tab). The Network builder's layer table fits a 1024-pixel column (its settings wrap anywhere); on a phone it
# scrolls sideways in its own box. Values Plotly shrinks below 8 px to fit a heatmap's cells (a phone: figures are
# sized for a 1024-pixel screen, vizconv.viz.legibility) are hidden rather than left as specks. The script is installed
# once per browser tab; it refits when Streamlit adds formulas or metrics and when one's column changes width.
# Constant: nothing in it comes from the user. Its own element is hidden, taking no room.
FIT_TO_WIDTH_HTML = _asset("fit_to_width.html")


# The sidebar's switches (language, presenter mode) give the keyboard back to the page once used: Streamlit's
# button shortcuts (← and → step the window) do nothing while an input has the focus, and presenter mode folds
# the sidebar away with its toggle still focused. Installed once per browser tab; constant, like the style sheets.
KEYBOARD_HTML = _asset("keyboard.html")


def presenting() -> bool:
    """Presenter mode: ``?present=1`` (or ``0``) in the URL, else the session's choice, else off."""
    raw = st.query_params.get("present")
    if raw in ("1", "0"):
        return raw == "1"
    return bool(st.session_state.get("present", False))


def _switch_presenting() -> None:
    """The presenter toggle changed: remember it and put it in the URL before the rerun."""
    on = bool(st.session_state.get(PRESENT_KEY))
    st.session_state["present"] = on
    if on:
        st.query_params["present"] = "1"
    elif "present" in st.query_params:
        del st.query_params["present"]


def page_setup(title_key: str, icon: str) -> None:
    """Page config, the language switch, presenter mode, title and one-line description (``<title_key>.intro``).

    The language and presenter mode are remembered in the session and written back to ``?lang=`` and
    ``?present=1`` on every run, so they survive a page switch (which may drop the query string) and
    the URL can be shared.
    """
    current = lang()
    st.session_state["lang"] = current
    if st.query_params.get("lang") != current:
        st.query_params["lang"] = current
    present = presenting()
    st.session_state["present"] = present
    if present and st.query_params.get("present") != "1":
        st.query_params["present"] = "1"
    elif not present and "present" in st.query_params:
        del st.query_params["present"]
    st.set_page_config(
        page_title=f"{t(title_key)} · vizconv",
        page_icon=icon,
        layout="wide",
        # presenting: the controls fold away (the arrow at the top left brings them back)
        initial_sidebar_state="collapsed" if present else "auto",
    )
    st.session_state[LANG_KEY] = current  # the switch shows the language in use, also after navigation
    st.sidebar.segmented_control(
        text("ui.language", current),
        LANGUAGES,
        format_func=LANGUAGE_NAMES.get,
        required=True,
        key=LANG_KEY,
        on_change=_switch_language,
    )
    st.session_state[PRESENT_KEY] = present
    st.sidebar.toggle(t("present.toggle"), key=PRESENT_KEY, help=t("present.help"), on_change=_switch_presenting)
    st.html(NAV_CSS)  # style only: Streamlit puts it in the event container, taking no space
    st.html(PAGE_TOP_CSS)
    st.html(FIT_TO_WIDTH_HTML, unsafe_allow_javascript=True)
    st.html(KEYBOARD_HTML, unsafe_allow_javascript=True)
    if present:
        st.html(PRESENTER_CSS)
    st.title(t(title_key))
    st.caption(t(title_key + ".intro"))


def show_error(exc: Exception) -> None:
    """A clear message in the page, never a traceback."""
    if isinstance(exc, MessageError):
        st.error(exc.message(lang()), icon="⚠️")
    else:
        log.exception("unexpected error shown to the user")
        st.error(t("err.unexpected"), icon="⚠️")
