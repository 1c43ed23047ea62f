"""The one module of vizconv that imports Streamlit: page set-up, text, errors, figures."""

from __future__ import annotations

import functools
import hashlib
import logging
import re
import weakref
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

import plotly.graph_objects as go
import streamlit as st
from PIL import Image

from vizconv.errors import MessageError
from vizconv.i18n.strings import LANGUAGE_NAMES, LANGUAGES, STRINGS, text
from vizconv.inputs.images import ALLOWED_FORMATS, MAX_UPLOAD_BYTES, decode_once
from vizconv.nets.models import load_model, load_user_weights, random_model
from vizconv.server import collect_garbage_periodically, configure_allocator, configure_threads, trim_soon
from vizconv.viz.animator import SPEEDS, AnimatorView, Opening
from vizconv.viz.export import file_name

# Once per server process, before any page computes: one torch thread per request unless
# VIZCONV_TORCH_THREADS says otherwise, and freed tensor memory kept for the next rerun
# (vizconv.server, docs/deploy.md "Threads" and "Memory"), and a full garbage collection every 30 s in place of
# Streamlit's after every run (runner.postScriptGC is off).
configure_threads()
configure_allocator()
collect_garbage_periodically()

__all__ = [
    "LANG_KEY",
    "PRESENT_KEY",
    "Decimal",
    "Encoded",
    "Flag",
    "Name",
    "OneOf",
    "PrebuiltFigure",
    "WidgetMemory",
    "Whole",
    "animator_speed",
    "cached_model",
    "cell_picker",
    "cached_random_model",
    "session_model",
    "drop_session_model",
    "digit_canvas",
    "image_uploader",
    "labels",
    "lang",
    "page_address",
    "page_setup",
    "plotly_figure",
    "presenting",
    "share_box",
    "Stepper",
    "stepper",
    "script_download",
    "show_error",
    "t",
    "t_or",
    "uploaded_picture",
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


PRESENTER_FIGURE_FONT = 15  # Plotly's default is 12
PRESENT_KEY = "ui_present"  # the presenter-mode toggle's widget key; the choice is remembered under "present"
PAGE_PARAMS = ("lang", "present")  # query parameters every page keeps (WidgetMemory.publish leaves them)

# Presenter mode: a constant style sheet (nothing in it comes from the user). Streamlit sizes its text in rem,
# so a larger root font enlarges text, widgets and spacing together; headings, metrics and formulas grow more,
# and the step panels (containers keyed <page>_step_panel) most.
PRESENTER_CSS = """<style>
html { font-size: 21px; }
h1 { font-size: 2.6rem !important; }
h2, h3 { font-size: 1.9rem !important; }
[data-testid="stMetricValue"] { font-size: 2.6rem !important; }
[data-testid="stMetricLabel"] p { font-size: 1.1rem !important; }
.katex { font-size: 1.2em !important; }
[class*="_step_panel"] .katex { font-size: 1.6em !important; }
[class*="_step_panel"] [data-testid="stMarkdownContainer"] p { font-size: 1.25rem !important; }
[class*="_step_panel"] button { min-height: 3rem; }
</style>"""


# The sidebar names the main page after its file ("app"); the other pages carry both languages in their
# file names, so the home page's entry reads the same way. A constant style sheet, like PRESENTER_CSS.
HOME_LABEL = "Home 首页"
NAV_CSS = f"""<style>
[data-testid="stSidebarNavLink"] span[label="app"] > div {{ display: none; }}
[data-testid="stSidebarNavLink"] span[label="app"]::before {{ content: "{HOME_LABEL}"; }}
</style>"""


# Streamlit leaves 6rem above a page's title; 3rem clears its toolbar, and on a 1024 × 768 projector the saved
# height puts the Convolution page's animation with its arithmetic on the first screen. Constant.
PAGE_TOP_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 3rem; }
</style>"""


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
FIT_TO_WIDTH_HTML = """<style>
.katex-display { overflow-x: auto; overflow-y: hidden; }
[data-testid="stMetricLabel"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * {
  white-space: nowrap !important; overflow: visible !important; text-overflow: clip !important;
  overflow-wrap: normal !important; word-break: keep-all !important;
}
[data-testid="stMetricValue"].vizconv-wrap, [data-testid="stMetricValue"].vizconv-wrap * {
  white-space: normal !important;
}
.st-key-nb_layers [data-testid="stMarkdownContainer"] { overflow-x: auto; }
.st-key-nb_layers table { width: 100%; font-size: 0.875rem; margin-bottom: 0.5rem; }
.st-key-nb_layers th, .st-key-nb_layers td { padding: 0.25rem 0.375rem; }
.st-key-nb_layers td:nth-child(3) { overflow-wrap: anywhere; min-width: 9rem; }
[data-testid="stTabs"] [role="tablist"] { flex-wrap: wrap; row-gap: 0.25rem; overflow: visible !important; }
[data-testid="stTabs"] [data-baseweb="tab-highlight"], [data-testid="stTabs"] [data-baseweb="tab-border"] {
  display: none !important;
}
[data-testid="stTabs"] [role="tab"][aria-selected="true"] { box-shadow: inset 0 -2px 0 currentColor; }
.js-plotly-plot g.heatmap-label text:is([style*="font-size: 0px"], [style*="font-size: 1px"],
  [style*="font-size: 2px"], [style*="font-size: 3px"], [style*="font-size: 4px"], [style*="font-size: 5px"],
  [style*="font-size: 6px"], [style*="font-size: 7px"]) { display: none; }
[data-testid="stElementContainer"]:has(.vizconv-fit-formulas) { display: none; }
</style>
<span class="vizconv-fit-formulas"></span>
<script>
(() => {
  if (window.vizconvFitFormulas) { window.vizconvFitFormulas(); return; }
  const SMALLEST = 0.4;  // at most this much smaller: beyond it the box scrolls (overflow-x: auto)
  const SMALLEST_METRIC = 0.5;  // a metric value at most this much smaller: beyond it, it wraps at its spaces
  const watched = new WeakSet();
  const resized = new ResizeObserver(() => later());  // a column that changes width (the sidebar folding)
  // Reads and writes in separate passes: a style written between two reads makes the browser lay the whole page
  // out again, once per formula and metric (in DevTools' profile of four reruns the old fit was the script
  // function with the most samples, 6 %, with getBoundingClientRect another 2 %).
  const fit = () => {
    const metrics = [...document.querySelectorAll('[data-testid="stMetricValue"]')];
    const boxes = [...document.querySelectorAll(".katex-display")];
    for (const element of [...metrics, ...boxes]) {
      if (!watched.has(element)) { watched.add(element); resized.observe(element); }
    }
    const items = [
      ...metrics.map((value) => ({ sized: value, box: value, least: SMALLEST_METRIC, slack: 1, margin: 1 })),
      // KaTeX's struts overhang by a pixel or two even where the formula fits
      ...boxes.map((box) => ({ sized: box.querySelector(":scope > .katex"), box, least: SMALLEST, slack: 4, margin: 2 }))
        .filter((item) => item.sized),
    ];
    for (const value of metrics) value.classList.remove("vizconv-wrap");
    for (const item of items) item.sized.style.removeProperty("font-size");
    for (const item of items) item.natural = item.size = parseFloat(getComputedStyle(item.sized).fontSize);
    // A few rounds: spacing that does not scale with the font keeps the first guess a little too wide.
    for (let round = 0; round < 3; round++) {
      const over = items.filter((item) => item.box.scrollWidth > item.box.clientWidth + item.slack);
      if (!over.length) break;
      for (const item of over) {
        const ratio = (item.box.clientWidth - item.margin) / item.box.scrollWidth;
        item.size = Math.max(item.natural * item.least, item.size * ratio);
      }
      for (const item of over) item.sized.style.setProperty("font-size", item.size.toFixed(2) + "px", "important");
    }
    // a metric value still too wide even at half its size wraps at its spaces
    const wide = metrics.filter((value) => value.scrollWidth > value.clientWidth + 1);
    for (const value of wide) value.classList.add("vizconv-wrap");
  };
  let queued = false;
  const later = () => {
    if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; fit(); }); }
  };
  window.vizconvFitFormulas = later;
  // only when formulas or metrics arrive (not on every redraw of a playing animation)
  const FITTED = '.katex, [data-testid="stMetricValue"]';
  const hasFormula = (node) => node.nodeType === 1 && (node.matches(FITTED) || node.querySelector(FITTED));
  const inMetric = (node) => {  // a metric whose text changed in place (a rerun with other settings)
    const element = node.nodeType === 1 ? node : node.parentElement;
    return Boolean(element && element.closest('[data-testid="stMetricValue"]'));
  };
  new MutationObserver((records) => {
    if (records.some((record) => inMetric(record.target) || [...record.addedNodes].some(hasFormula))) later();
  }).observe(document.body, { childList: true, subtree: true, characterData: true });
  later();
})();
</script>"""


# The sidebar's switches (language, presenter mode) give the keyboard back to the page once used: Streamlit's
# button shortcuts (← and → step the window) do nothing while an input has the focus, and presenter mode folds
# the sidebar away with its toggle still focused. Installed once per browser tab; constant, like the style sheets.
KEYBOARD_HTML = """<style>
[data-testid="stElementContainer"]:has(.vizconv-keyboard) { display: none; }
</style>
<span class="vizconv-keyboard"></span>
<script>
(() => {
  if (window.vizconvKeyboard) return;
  window.vizconvKeyboard = true;
  const SWITCHES = ".st-key-ui_present, .st-key-ui_lang";
  // A click lands on the switch's text or track, and the switch focuses its own input (or button) after the
  // click: once the click is handled, let go of whatever in the switch holds the focus then.
  const release = (event) => {
    if (!(event.target instanceof Element) || !event.target.closest(SWITCHES)) return;
    setTimeout(() => {
      const focused = document.activeElement;
      if (focused instanceof HTMLElement && focused.closest(SWITCHES)) focused.blur();
    }, 0);
  };
  document.addEventListener("change", release, true);
  document.addEventListener("click", release, true);
})();
</script>"""


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


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_model(name: str):
    """load_model(name), once per server process.

    The model is shared by every session: never mutate it. capture() and
    trace_layers() hold a per-model lock, so sessions cannot mix activations.
    """
    return load_model(name)


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_random_model(name: str):
    """random_model(name): architecture ``name`` with seeded random weights, once per server process (shared:
    never mutate it, as cached_model)."""
    return random_model(name)


OWN_MODEL_KEY = "ui_own_model"  # ((architecture, sha256), model, info): this session's own model, at most one


def session_model(name: str, data: bytes):
    """A student's own weights for architecture ``name``, loaded once and kept in this session only.

    Never in st.cache_resource (shared by every session): one student's weights stay theirs. A session keeps
    one such model: the one it had is let go before other weights are loaded. Nothing else holds it (the
    per-model tables of vizconv.nets.capture and vizconv.nets.layers hold it weakly), so it is freed with the session's
    state, and its memory handed back to the system (``server.trim_soon``, since glibc would keep it).
    """
    digest = hashlib.sha256(data).hexdigest()
    kept = st.session_state.get(OWN_MODEL_KEY)
    if kept is None or kept[0] != (name, digest):
        drop_session_model()
        model, info = load_user_weights(name, data)
        weakref.finalize(model, trim_soon)
        info.card["sha256"] = digest
        kept = ((name, digest), model, info)
        st.session_state[OWN_MODEL_KEY] = kept
    return kept[1], kept[2]


def drop_session_model() -> None:
    """Let this session's own model go (the page shows other weights now); nothing when it has none."""
    st.session_state.pop(OWN_MODEL_KEY, None)


def script_download(script: Callable[[], str], name: str, key: str) -> None:
    """A download button for a generated PyTorch script, written only when clicked (``script()``)."""
    st.download_button(
        t("export.script"),
        script,
        file_name=file_name(name, ext="py"),
        mime="text/x-python",
        key=key,
        help=t("export.script_help"),
        icon=":material/code:",
        on_click="ignore",
    )


UPLOADS_KEY = "ui_uploads"  # uploader key -> (sha256, its picture or refusal): vizconv.inputs.images.decode_once


def image_uploader(key: str):
    """The file uploader for pictures: the formats load_image accepts, its size limit in the help."""
    upload = st.file_uploader(
        t("conv.upload"),
        type=[f.lower() for f in ALLOWED_FORMATS] + ["jpg", "tif"],
        key=key,
        help=t("conv.upload_help", limit=MAX_UPLOAD_BYTES // (1024 * 1024)),
        max_upload_size=MAX_UPLOAD_BYTES // (1024 * 1024),  # refused in the browser, before it reaches the server
    )
    if upload is None:  # removed: its picture is not kept
        st.session_state.get(UPLOADS_KEY, {}).pop(key, None)
    return upload


def uploaded_picture(upload, key: str) -> Image.Image:
    """The picture of ``upload`` (from ``image_uploader(key)``), decoded once and kept in this session only
    (not on every rerun; never in a cache other sessions share). ImageError when it cannot be read."""
    return decode_once(st.session_state.setdefault(UPLOADS_KEY, {}), key, upload.getvalue())


# 240 pixels: the canvas does not scale, and this fits a 390-pixel phone's column (a wider one is cut off on the
# right, where strokes vanish).
CANVAS_SIDE = 240


def digit_canvas(key: str):
    """A black square drawing canvas with a white brush, CANVAS_SIDE pixels wide; the drawing as an
    (H, W, 4) uint8 array, or None."""
    try:
        from streamlit_drawable_canvas import st_canvas
    except Exception:  # the component registers only under `streamlit run` (not in AppTest)
        log.warning("streamlit-drawable-canvas is unavailable", exc_info=True)
        st.warning(t("fm.canvas_unavailable"), icon="✏️")
        return None
    result = st_canvas(
        stroke_width=16,  # about MNIST's pen: 2 of 28 pixels once the digit is fitted into 20 × 20
        stroke_color="#ffffff",
        background_color="#000000",
        height=CANVAS_SIDE,
        width=CANVAS_SIDE,
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
    """Render a figure dict; on_select as in st.plotly_chart ("ignore", "rerun" or a callback).

    In presenter mode the figure's default type (ticks, cell values, buttons, colour bars) is larger; the
    dict itself is not changed (it may be cached).
    """
    if presenting():
        layout = spec.get("layout", {})
        spec = {**spec, "layout": {**layout, "font": {**layout.get("font", {}), "size": PRESENTER_FIGURE_FONT}}}
    return st.plotly_chart(
        PrebuiltFigure(spec),
        key=key,
        on_select=on_select,
        selection_mode="points",
        theme=None,
        config={"displaylogo": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]},
    )


def cell_picker(memory: WidgetMemory, figure_key: str, row: str, col: str) -> Callable[[], None]:
    """An on_select callback for figure ``figure_key``: a click on a cell sets settings ``row`` and ``col``.

    Built here rather than as a function in the page: Streamlit keeps a widget's callback for the rest of the
    session, one per figure drawn (a figure's id depends on its data), and a function defined in a page holds
    that run's every variable (the model, its activations) through its globals.
    """
    return functools.partial(_pick_cell, memory, figure_key, row, col)


def _pick_cell(memory: WidgetMemory, figure_key: str, row: str, col: str) -> None:
    points = (st.session_state.get(figure_key) or {}).get("selection", {}).get("points", [])
    if points and "x" in points[0] and "y" in points[0]:
        memory.set(**{row: int(points[0]["y"]), col: int(points[0]["x"])})


@dataclass(frozen=True)
class Stepper:
    """One cell of a grid (a row-major position) and one channel, shared by an animation and its step panel.

    Session state holds them under ``position_key`` and ``channel_key``. A click on a cell of the figure
    (``figure``, its clickable curves mapped to channels) moves both there; ◀ ▶ and the ← → keys step
    (``controls``). Build it with ``stepper``, which clamps the remembered values to this grid.
    """

    position_key: str
    channel_key: str
    figure_key: str
    positions: int  # cells in the grid
    channels: int
    width: int  # cells per row of the clickable grid

    @property
    def position(self) -> int:
        return int(st.session_state[self.position_key])

    @property
    def channel(self) -> int:
        return int(st.session_state[self.channel_key])

    def _move(self, delta: int) -> None:
        st.session_state[self.position_key] = (st.session_state[self.position_key] + delta) % self.positions

    def _clicked(self) -> None:
        """A click on a cell moves the step panel there (the curve map is the one drawn on the last run)."""
        state = st.session_state
        curves = state.get(self.figure_key + "_curves", {})
        width = state.get(self.figure_key + "_width", self.width)
        for point in (state.get(self.figure_key) or {}).get("selection", {}).get("points", []):
            channel = curves.get(point.get("curve_number"))
            if channel is not None and "x" in point and "y" in point:
                state[self.channel_key] = channel
                state[self.position_key] = int(point["y"]) * width + int(point["x"])
                return

    def figure(self, spec: dict, curves: dict[int, int]) -> None:
        """Draw the animation; ``curves``: trace number -> channel of its clickable cells."""
        st.session_state[self.figure_key + "_curves"] = curves
        st.session_state[self.figure_key + "_width"] = self.width
        plotly_figure(spec, key=self.figure_key, on_select=self._clicked)

    def live(self, make_data: Callable[[Opening], dict], memory: WidgetMemory | None = None) -> None:
        """Draw the live animator with the data ``make_data`` gives (one of vizconv.viz.animator's ``*_animator_data``
        with its trace bound), opening at this stepper's position and channel, at the speed of ``memory``'s
        setting ``speed``, in the page's language and presenter mode. The view the browser sends back when the
        student pauses, steps or clicks moves the step panel (and the speed)."""
        opening = Opening(self.position, self.channel, animator_speed(memory), lang(), presenting())
        mount = _live_animator()
        mount(
            key=self.figure_key,
            data=make_data(opening),
            on_view_change=functools.partial(_view_changed, self, memory),
            width="stretch",
        )

    def controls(
        self, container, position: str, channel: str, back: str, forward: str, position_help: str | None = None
    ) -> None:
        """◀, the position slider, ▶ and the channel choice in one row of ``container``."""
        # ◀ and ▶ wide enough for the arrow and its key hint, also in presenter mode on a 1024-pixel projector
        back_col, slider_col, forward_col, channel_col = container.columns(
            [1.6, 5, 1.6, 3], vertical_alignment="bottom"
        )
        prefix = self.position_key.rsplit("_", 1)[0]
        # ← and → step too (Streamlit ignores them while a text field has the focus)
        for col, key, label, action, delta, arrow, shortcut in (
            (back_col, prefix + "_back", "◀", back, -1, "←", "Left"),
            (forward_col, prefix + "_forward", "▶", forward, 1, "→", "Right"),
        ):
            col.button(
                label,
                key=key,
                on_click=self._move,
                args=(delta,),
                help=t("present.key_hint", action=action, shortcut=arrow),
                width="stretch",
                shortcut=shortcut,
            )
        if self.positions > 1:
            last = self.positions - 1
            slider_col.slider(position, 0, last, key=self.position_key, format=f"%d / {last}", help=position_help)
        channel_col.selectbox(channel, range(self.channels), key=self.channel_key)


# The live animator's JS and CSS: files Streamlit serves itself at app/static/ (server.enableStaticServing), so
# the browser fetches the script once and keeps it; the component sent with every rerun is only a loader
# (the script inline would add its 30 KB to every rerun's messages).
STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
ANIMATOR_JS = STATIC_DIR / "animator.js"
ANIMATOR_CSS = STATIC_DIR / "animator.css"
_LOADER_JS = """// vizconv's live animator: app/static/animator.js, imported once per browser (its version in the address).
const url = new URL("app/static/animator.js?v=%s", document.baseURI).href;
export default function (component) {
  let cleanup = null;
  let gone = false;
  import(url).then((module) => {
    if (!gone) cleanup = module.default(component);
  });
  return () => {
    gone = true;
    if (cleanup) cleanup();
  };
}
"""


@functools.cache
def _live_animator():
    """The live animator component (static/animator.js through a loader, static/animator.css), registered once
    per process; the script's address carries a hash of its content, so a new version is fetched anew."""
    version = hashlib.sha256(ANIMATOR_JS.read_bytes()).hexdigest()[:12]
    return st.components.v2.component(
        "vizconv.viz.animator", css=ANIMATOR_CSS.read_text(encoding="utf-8"), js=_LOADER_JS % version
    )


def animator_speed(memory: WidgetMemory | None) -> int:
    """Positions a second the animator plays at: ``memory``'s setting ``speed`` (its speed menu sets it when
    the student pauses), 4 where there is none or it is not one of SPEEDS."""
    speed = memory.get("speed") if memory is not None else None
    return speed if speed in SPEEDS else 4


def _view_changed(stepper: Stepper, memory: WidgetMemory | None) -> None:
    """The browser paused, stepped or was clicked: its view (a hostile client's too, clamped) moves the step."""
    state = st.session_state.get(stepper.figure_key)
    raw = state.get("view") if hasattr(state, "get") else None
    view = AnimatorView.parse(raw, stepper.positions, stepper.channels)
    if view is None:
        return
    st.session_state[stepper.position_key] = view.position
    st.session_state[stepper.channel_key] = view.channel
    speed = raw.get("speed")  # raw is a dict: AnimatorView.parse accepted it
    if memory is not None and isinstance(speed, int) and speed in SPEEDS:
        memory.set(speed=speed)


def stepper(position_key: str, channel_key: str, figure_key: str, positions: int, channels: int, width: int) -> Stepper:
    """A ``Stepper`` for this grid, its remembered position and channel clamped to it (0 the first time)."""
    state = st.session_state
    state.setdefault(position_key, 0)
    state[position_key] = min(int(state[position_key]), positions - 1)
    state.setdefault(channel_key, 0)
    state[channel_key] = min(int(state[channel_key]), channels - 1)
    return Stepper(position_key, channel_key, figure_key, positions, channels, width)


LABELS_SHOWN_KEY = "ui_labels_shown"  # widget key -> (value, its label) as last drawn (WidgetMemory.seed)
MAX_VALUE_CHARS = 64  # a shared value longer than this in the URL is ignored (unless its kind says otherwise)
_NUMBER = re.compile(r"-?[0-9]{1,9}")


@dataclass(frozen=True)
class Whole:
    """A shareable whole number in [low, high]; anything else in the URL is ignored."""

    low: int
    high: int

    def parse(self, raw: str) -> int | None:
        if not _NUMBER.fullmatch(raw):
            return None
        value = int(raw)
        return value if self.low <= value <= self.high else None

    def format(self, value: object) -> str | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and self.low <= value <= self.high
        return str(value) if ok else None


@dataclass(frozen=True)
class OneOf:
    """A shareable choice among ``options`` (strings or whole numbers), written as text."""

    options: tuple

    def parse(self, raw: str) -> object:
        return next((option for option in self.options if str(option) == raw), None)

    def format(self, value: object) -> str | None:
        return str(value) if value in self.options else None


_DECIMAL = re.compile(r"-?[0-9]{1,6}(?:\.[0-9]{1,6})?")


@dataclass(frozen=True)
class Decimal:
    """A shareable number in [low, high] with at most ``places`` decimals (a slider's 0.01 steps): ``0.15``."""

    low: float
    high: float
    places: int

    def parse(self, raw: str) -> float | None:
        if not _DECIMAL.fullmatch(raw) or len(raw.partition(".")[2]) > self.places:
            return None
        value = float(raw)
        return value if self.low <= value <= self.high else None

    def format(self, value: object) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not self.low <= value <= self.high:
            return None
        written = f"{value:.{self.places}f}"
        return written.rstrip("0").rstrip(".") if "." in written else written


@dataclass(frozen=True)
class Encoded:
    """A shareable value the page writes as text with its own function (a layer stack).

    ``encode`` turns the value into text (None: it stays out of the link). Reading hands the raw text (at most
    ``max_chars`` characters) to the page, which decodes it where it knows what it depends on.
    """

    encode: Callable[[object], str | None]
    max_chars: int = MAX_VALUE_CHARS

    def parse(self, raw: str) -> str | None:
        return raw if len(raw) <= self.max_chars else None

    def format(self, value: object) -> str | None:
        return self.encode(value)


_NAME = re.compile(r"[A-Za-z0-9_.#-]{1,64}")


@dataclass(frozen=True)
class Name:
    """A shareable identifier (a layer name: letters, digits, ``_ . # -``); the page checks it against its options."""

    def parse(self, raw: str) -> str | None:
        return raw if _NAME.fullmatch(raw) else None

    def format(self, value: object) -> str | None:
        return value if isinstance(value, str) and _NAME.fullmatch(value) else None


@dataclass(frozen=True)
class Flag:
    """A shareable on/off setting: ``1`` or ``0`` in the URL."""

    def parse(self, raw: str) -> bool | None:
        return {"1": True, "true": True, "0": False, "false": False}.get(raw.lower())

    def format(self, value: object) -> str | None:
        return ("1" if value else "0") if isinstance(value, bool) else None


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

    Shareable state: ``shared`` names the settings a link carries (memory settings, or other state
    keys of the page's prefix such as ``conv_position``), each with its type and bounds. On the
    session's first run of the page ``from_url()`` reads them from the query parameters
    (``?conv_stride_h=2``: the key is the widget key); ``publish()`` writes them back on every run.
    A value that is not valid is ignored when read and never written, and so is one longer than
    ``MAX_VALUE_CHARS`` unless its kind has its own ``max_chars`` (a layer stack).
    """

    def __init__(self, prefix: str, defaults: dict, shared: dict | None = None) -> None:
        self.prefix = prefix
        self.fresh = f"{prefix}_memory" not in st.session_state  # the session's first run of this page
        self.values: dict = st.session_state.setdefault(f"{prefix}_memory", dict(defaults))
        for name, value in defaults.items():
            self.values.setdefault(name, value)
        self.shared: dict = dict(shared or {})

    def key(self, name: str) -> str:
        return f"{self.prefix}_{name}"

    def seed(
        self,
        name: str,
        options: list | tuple | range | None = None,
        format_func: Callable[[object], str] | None = None,
        *,
        by_value: bool = False,
    ) -> dict:
        """Keyword arguments for the widget of setting ``name``: its key and its current value.

        With ``options`` (a select box, radio, select slider): the value is one of them (else the last one
        this memory kept, else the first) and is passed as ``index`` (``value`` with ``by_value``, for a
        select slider). Give such a widget its ``format_func`` here, not to the widget: it is passed on, and
        when the label of the current value changes (the language was switched, a model renamed its
        weights), the value is written again, so that the browser is sent the new label. A choice travels
        between browser and server as its label: a browser left holding the old label would show nothing
        selected and send back text that is none of the options.
        """
        key = self.key(name)
        value = self.get(name)
        if options is None:
            return {"key": key, "value": value}
        options = list(options)
        if value not in options:  # the options changed under it: the last kept value, else the first
            kept = self.values.get(name)
            value = kept if kept in options else options[0]
            self.set(**{name: value})
        kwargs: dict = {"key": key, "value": value} if by_value else {"key": key, "index": options.index(value)}
        if format_func is not None:
            kwargs["format_func"] = format_func
            label = format_func(value)
            shown = st.session_state.setdefault(LABELS_SHOWN_KEY, {})
            before = shown.get(key)
            if before is not None and before[0] == value and before[1] != label:
                self.set(**{name: value})  # the browser holds the old label: send the value again
            shown[key] = (value, label)
        return kwargs

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

    def from_url(self) -> dict:
        """The valid shared settings in the URL, by name, on the session's first run of the page; else {}.

        Only reads: the page decides what follows from them (``restore`` sets them).
        """
        if not self.fresh:
            return {}
        found = {}
        for name, kind in self.shared.items():
            raw = st.query_params.get(self.key(name))
            if isinstance(raw, str) and len(raw) <= getattr(kind, "max_chars", MAX_VALUE_CHARS):
                value = kind.parse(raw)
                if value is not None:
                    found[name] = value
        return found

    def restore(self, **values: object) -> None:
        """Set settings read from a link: memory settings through ``set``, other shared state directly."""
        for name, value in values.items():
            if name in self.values:
                self.set(**{name: value})
            else:
                st.session_state[self.key(name)] = value

    def _current(self, name: str) -> object:
        return self.get(name) if name in self.values else st.session_state.get(self.key(name))

    def publish(self, leave_out: Collection[str] = ()) -> str:
        """Mirror the shared settings into the URL (with ``lang`` and ``present``); the query string.

        The URL then holds exactly this view: parameters of other pages, values a link cannot carry,
        and the settings named in ``leave_out`` (ones the view does not use) are left out. Nothing is
        sent when the URL already holds it.
        """
        params = {name: st.query_params[name] for name in PAGE_PARAMS if name in st.query_params}
        for name, kind in self.shared.items():
            raw = None if name in leave_out else kind.format(self._current(name))
            if raw is not None:
                params[self.key(name)] = raw
        if st.query_params.to_dict() != params:
            st.query_params.from_dict(params)
        return urlencode(params)


def page_address() -> str:
    """This page's address without the query, as the browser reports it; "" where it does not (AppTest).

    Streamlit 1.67 trims the page name from the browser's percent-encoded URL by comparing it with the
    unencoded name, so for our page names (they hold Chinese) ``st.context.url`` ends with the name twice.
    The result is percent-encoded, so a link survives mail and chat.
    """
    url = st.context.url
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return ""
    segments = unquote(parts.path).split("/")
    if len(segments) >= 2 and segments[-1] and segments[-1] == segments[-2]:
        segments.pop()
    return urlunsplit((parts.scheme, parts.netloc, quote("/".join(segments)), "", ""))


def share_box(query: str, notes: tuple[str, ...] = ()) -> Callable[[str], None]:
    """The sidebar's "share this view" box: the link (with the page's address where known) and notes.

    Returns a function that shows a later query instead (the page's final ``publish``, once the positions are
    clamped), so the box can be drawn before the page computes, and still shows the link of this run.
    """
    with st.sidebar.expander(t("share.title"), icon=":material/link:"):
        st.caption(t("share.help"))
        slot = st.empty()
        for note in notes:
            st.caption(note)

    def show(query: str) -> None:
        slot.code(f"{page_address()}?{query}", language=None, wrap_lines=True)

    show(query)
    return show
