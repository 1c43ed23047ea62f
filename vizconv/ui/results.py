"""What a network's answer looks like on a page: a table of probabilities, a chart of a few values."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import streamlit as st

__all__ = ["NARROW_BARS", "bar_chart", "probability_table"]

NARROW_BARS = 8  # up to this many bars are drawn narrow (one bar filled a column), more fill the column
BAR_AXIS_PX, BAR_PX = 140, 40  # a narrow chart: room for its axes and their titles, and per bar


def probability_table(names: Sequence[str], probabilities: Sequence[float], name: str, probability: str) -> None:
    """Names and their probabilities (0..1) as a table whose second column is a bar; ``name`` and
    ``probability`` head the columns."""
    st.dataframe(
        pd.DataFrame({name: list(names), probability: list(probabilities)}),
        column_config={probability: st.column_config.ProgressColumn(format="percent", min_value=0.0, max_value=1.0)},
        hide_index=True,
        width="stretch",
    )


def bar_chart(
    values: Sequence[float], x_label: str, y_label: str, height: int = 220, positions: Sequence[int] | None = None
) -> None:
    """One bar per value, labelled by position (or by ``positions``: a grouped convolution's input channels):
    narrow bars for a few values, the column's width for many."""
    st.bar_chart(
        pd.DataFrame({y_label: list(values)}, index=None if positions is None else list(positions)),
        height=height,
        width=BAR_AXIS_PX + BAR_PX * len(values) if len(values) <= NARROW_BARS else "stretch",
        x_label=x_label,
        y_label=y_label,
    )
