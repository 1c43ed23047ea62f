"""A setting's widget drawn from the kind of value a link carries for it (``Flag``, ``OneOf``, ``Whole``): a toggle,
a select box of the same options or a number input within the same bounds, so the widget and the link agree."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from vizconv.ui.url_state import Flag, OneOf, Whole, WidgetMemory
from vizconv.ui.widgets import choice

__all__ = ["setting_input"]


def setting_input(
    label: str,
    memory: WidgetMemory,
    name: str,
    kind: Flag | OneOf | Whole,
    *,
    format_func: Callable[[object], str] | None = None,
    where=st,
    **options: object,
) -> object:
    """The widget of ``memory``'s setting ``name``, keyed and seeded by the memory: a toggle for ``Flag``, a select
    box of ``OneOf``'s options (``choice``, labelled by ``format_func``), a number input within ``Whole``'s bounds.
    ``where`` is a column or container; ``options`` (``help``, ``disabled``) go to the widget. Returns its value."""
    if isinstance(kind, Flag):
        return where.toggle(label, **options, **memory.seed(name))
    if isinstance(kind, OneOf):
        return choice(memory, name, label, list(kind.options), format_func, radio=False, where=where, **options)
    if isinstance(kind, Whole):
        return where.number_input(label, kind.low, kind.high, **options, **memory.seed(name))
    raise TypeError(f"no widget for {kind!r}")
