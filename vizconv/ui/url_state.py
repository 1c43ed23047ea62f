"""Settings remembered across reruns and pages and carried by the URL (WidgetMemory): what a link may hold for each
setting (Whole, OneOf, Decimal, Encoded, Name, Flag), and the share box."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

import streamlit as st

from vizconv.ui.language import t
from vizconv.ui.page import PAGE_PARAMS

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
