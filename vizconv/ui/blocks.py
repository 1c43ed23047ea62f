"""Blocks that several pages draw the same way: a download button of one kind, a layer's PyTorch script, torch's
verdict on the page's numbers, a row of metrics."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Literal

import streamlit as st

from vizconv.ui.language import t
from vizconv.viz.export import file_name
from vizconv.viz.torch_code import agrees

__all__ = ["DOWNLOADS", "download", "formula_box", "metric_row", "pytorch_code", "torch_verdict"]

Kind = Literal["gif", "csv", "png", "script"]

# kind -> (its label in the catalogue, whose help is the same key + "_help"; its MIME type; its icon)
DOWNLOADS: dict[str, tuple[str, str, str]] = {
    "gif": ("export.gif", "image/gif", ":material/movie:"),
    "csv": ("export.csv", "text/csv", ":material/table_chart:"),
    "png": ("export.png", "image/png", ":material/image:"),
    "script": ("export.script", "text/x-python", ":material/code:"),
}


def download(
    kind: Kind,
    data: bytes | str | Callable[[], bytes | str],
    file_name: str,
    key: str,
    *,
    where=st,
    label: str | None = None,
    **help_values,
) -> None:
    """A download button of one kind, with its label, help, type and icon; ``data`` may be a function, called only
    when the button is clicked (on Streamlit's download thread). ``where`` is a column or container; ``label`` a
    catalogue key for what this file is, in place of the kind's (its help: the same key + "_help");
    ``help_values`` fill the help's placeholders (``export.gif_help`` counts the frames)."""
    default, mime, icon = DOWNLOADS[kind]
    label = label or default
    where.download_button(
        t(label),
        data,
        file_name=file_name,
        mime=mime,
        key=key,
        help=t(f"{label}_help", **help_values),  # export.gif_help, export.csv_help, export.png_help, export.script_help
        icon=icon,
        on_click="ignore",  # a download does not rerun the page
    )


def formula_box(title: str, lines: Sequence[str], caption: str):
    """A bordered box: a bold title, formulas (LaTeX, one per line), a caption under them; returns the box (for
    more below the caption)."""
    box = st.container(border=True)
    with box:
        st.markdown(f"**{title}**")
        for line in lines:
            st.latex(line)
        st.caption(caption)
    return box


def pytorch_code(script: Callable[..., str], layer: object, name: str, key: str) -> None:
    """The layer as a PyTorch script, shown as it runs when copied (``script(layer)``: a long input's values get a
    stand-in; lines wrap rather than scroll on a narrow screen), and a download of the script with every value
    (``script(layer, max_values=None)``, written only when clicked) named ``<name>.py``."""
    st.code(script(layer), language="python", wrap_lines=True)
    download("script", partial(script, layer, max_values=None), file_name(name, ext="py"), key)


def torch_verdict(difference: float, magnitude: float, match: str, mismatch: str) -> bool:
    """torch's verdict on the page's own arithmetic: the catalogue text ``match`` (green) when the largest difference
    is within ``agrees``'s tolerance of the values' size, else ``mismatch`` (red); both get ``{diff}``."""
    diff = f"{difference:.2g}"
    if agrees(difference, magnitude):
        st.success(t(match, diff=diff), icon="✅")
        return True
    st.error(t(mismatch, diff=diff), icon="❌")
    return False


def metric_row(metrics: Sequence[tuple[str, object] | tuple[str, object, str]], per_row: int = 4) -> None:
    """Metrics side by side, ``per_row`` to a row: each (label, value) or (label, value, help)."""
    for start in range(0, len(metrics), per_row):
        for column, (label, value, *help_text) in zip(
            st.columns(per_row), metrics[start : start + per_row], strict=False
        ):
            column.metric(label, value, help=help_text[0] if help_text else None)
