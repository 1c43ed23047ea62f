"""The one module of vizconv that imports Streamlit: page set-up, text, errors, figures."""

from __future__ import annotations

import logging
from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from vizconv.errors import MessageError
from vizconv.images import ALLOWED_FORMATS, MAX_UPLOAD_BYTES
from vizconv.models import load_model
from vizconv.strings import LANGUAGE_NAMES, LANGUAGES, text

__all__ = [
    "LANG_KEY",
    "PrebuiltFigure",
    "WidgetMemory",
    "cached_model",
    "digit_canvas",
    "image_uploader",
    "labels",
    "lang",
    "page_setup",
    "plotly_figure",
    "show_error",
    "t",
]

log = logging.getLogger("vizconv")


LANG_KEY = "ui_lang"  # the sidebar switch's widget key; the chosen language is remembered under "lang"


def _valid(code: object) -> str | None:
    return code if isinstance(code, str) and code in LANGUAGES else None


def lang() -> str:
    """The page language: a valid ``?lang=`` in the URL, else the session's choice, else English."""
    return _valid(st.query_params.get("lang")) or _valid(st.session_state.get("lang")) or "en"


def t(key: str, **params: object) -> str:
    """Catalogue text ``key`` in the page language."""
    return text(key, lang(), **params)


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


def page_setup(title_key: str, icon: str) -> None:
    """Page config, the language switch, title and one-line description (``<title_key>.intro``).

    The language is remembered in the session and written back to ``?lang=`` on every run, so
    it survives a page switch (which may drop the query string) and the URL can be shared.
    """
    current = lang()
    st.session_state["lang"] = current
    if st.query_params.get("lang") != current:
        st.query_params["lang"] = current
    st.set_page_config(page_title=f"{t(title_key)} · vizconv", page_icon=icon, layout="wide")
    st.session_state[LANG_KEY] = current  # the switch shows the language in use, also after navigation
    st.sidebar.segmented_control(
        text("ui.language", current),
        LANGUAGES,
        format_func=LANGUAGE_NAMES.get,
        required=True,
        key=LANG_KEY,
        on_change=_switch_language,
    )
    st.title(t(title_key))
    st.caption(t(title_key + ".intro"))


def show_error(exc: Exception) -> None:
    """A clear message in the page, never a traceback."""
    if isinstance(exc, MessageError):
        st.error(exc.message(lang()), icon="⚠️")
    else:
        log.exception("unexpected error shown to the user")
        st.error(t("err.unexpected"), icon="⚠️")


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_model(name: str):
    """load_model(name), once per server process.

    The model is shared by every session: never mutate it. capture() and
    trace_layers() hold a per-model lock, so sessions cannot mix activations.
    """
    return load_model(name)


def image_uploader(key: str):
    """The file uploader for pictures: the formats load_image accepts, its size limit in the help."""
    return st.file_uploader(
        t("conv.upload"),
        type=[f.lower() for f in ALLOWED_FORMATS] + ["jpg", "tif"],
        key=key,
        help=t("conv.upload_help", limit=MAX_UPLOAD_BYTES // (1024 * 1024)),
    )


def digit_canvas(key: str):
    """A black drawing canvas with a white brush; the drawing as an (H, W, 4) uint8 array, or None."""
    try:
        from streamlit_drawable_canvas import st_canvas
    except Exception:  # the component registers only under `streamlit run` (not in AppTest)
        log.warning("streamlit-drawable-canvas is unavailable", exc_info=True)
        st.warning(t("fm.canvas_unavailable"), icon="✏️")
        return None
    result = st_canvas(
        stroke_width=18,
        stroke_color="#ffffff",
        background_color="#000000",
        height=280,
        width=280,
        drawing_mode="freedraw",
        key=key,
        return_image_data=True,
    )
    return None if result is None else result.image_data


class PrebuiltFigure(go.Figure):
    """A figure dict handed to st.plotly_chart without plotly's per-attribute validation.

    st.plotly_chart validates a dict by building a go.Figure from it, which
    for an animation of hundreds of frames costs seconds. Our dicts are built
    by tested code, so this wrapper hands the dict over as already validated.
    """

    def __init__(self, spec: dict) -> None:
        super().__init__()
        self._spec = spec

    def to_dict(self) -> dict:
        return self._spec


def plotly_figure(spec: dict, key: str, on_select: object = "ignore") -> object:
    """Render a figure dict; on_select as in st.plotly_chart ("ignore", "rerun" or a callback)."""
    return st.plotly_chart(
        PrebuiltFigure(spec),
        key=key,
        on_select=on_select,
        selection_mode="points",
        theme=None,
        config={"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]},
    )


class WidgetMemory:
    """A page's settings, kept in one plain dict in session state, that widgets draw from.

    Streamlit forgets a widget's value when a run does not draw it (an input
    hidden by another choice), and when the browser redraws a widget it starts
    from the default the script passed (a number input without ``value``
    starts at its minimum). So every widget is drawn with
    ``**memory.seed(name)``, which always passes the current value as the
    default, and ``memory.sync()`` after the widgets keeps each choice until
    the user changes it. ``memory.set(...)`` changes settings (also from a
    callback); ``memory.clamp(...)`` keeps one inside bounds that depend on
    other settings.
    """

    def __init__(self, prefix: str, defaults: dict) -> None:
        self.prefix = prefix
        self.values: dict = st.session_state.setdefault(f"{prefix}_memory", dict(defaults))
        for name, value in defaults.items():
            self.values.setdefault(name, value)

    def key(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    def seed(self, name: str, options: list | tuple | range | None = None) -> dict:
        """Keyword arguments for the widget of setting ``name``: its key and its current value."""
        key = self.key(name)
        value = self.get(name)
        if options is None:
            return {"key": key, "value": value}
        options = list(options)
        if value not in options:  # the options changed under it: start from the first
            self.set(**{name: options[0]})
            value = options[0]
        return {"key": key, "index": options.index(value)}

    def get(self, name: str) -> object:
        key = self.key(name)
        return st.session_state[key] if key in st.session_state else self.values[name]

    def set(self, **values: object) -> None:
        """Change settings from a callback or before their widgets are drawn.

        Writing the widget's key (not just forgetting it) is what makes the
        browser show the new value: a widget keeps its own value otherwise.
        """
        for name, value in values.items():
            self.values[name] = value
            st.session_state[self.key(name)] = value

    def clamp(self, name: str, low: int, high: int) -> None:
        """Keep a numeric setting within [low, high] (bounds that other settings decide)."""
        value = self.get(name)
        if not low <= value <= high:
            self.set(**{name: min(max(value, low), high)})

    def sync(self) -> dict:
        """Copy the drawn widgets' values into the memory; returns all settings."""
        for name in self.values:
            key = self.key(name)
            if key in st.session_state:
                self.values[name] = st.session_state[key]
        return dict(self.values)
