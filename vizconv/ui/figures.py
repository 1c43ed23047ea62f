"""Plotly figures handed to Streamlit as built (no per-attribute validation), and a heatmap cell picked by a click."""

from __future__ import annotations

import functools
from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from vizconv.ui.page import PRESENTER_FIGURE_FONT, presenting
from vizconv.ui.url_state import WidgetMemory


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


def cell_picker(memory: WidgetMemory, figure_key: str, row: str, col: str, step: int = 1) -> Callable[[], None]:
    """An on_select callback for figure ``figure_key``: a click on a cell sets settings ``row`` and ``col``
    (times ``step``: a map whose cells stand ``step`` pixels apart sets a pixel position).

    Built here rather than as a function in the page: Streamlit keeps a widget's callback for the rest of the
    session, one per figure drawn (a figure's id depends on its data), and a function defined in a page holds
    that run's every variable (the model, its activations) through its globals.
    """
    return functools.partial(_pick_cell, memory, figure_key, row, col, step)


def _pick_cell(memory: WidgetMemory, figure_key: str, row: str, col: str, step: int = 1) -> None:
    points = (st.session_state.get(figure_key) or {}).get("selection", {}).get("points", [])
    if points and "x" in points[0] and "y" in points[0]:
        memory.set(**{row: int(points[0]["y"]) * step, col: int(points[0]["x"]) * step})
