"""Short teaching notes on every page: which topics each page has, in which order, and how they are drawn.

The text lives in the catalogue: ``teach.<page>.<topic>.title`` names a tab and ``teach.<page>.<topic>`` is
its Markdown. Every number in the notes is recomputed with torch in tests/i18n/test_teaching.py.

This module does not import Streamlit (only vizconv.ui does, tests/test_package.py): a page hands in ``st``
(or any Streamlit container) to draw into.
"""

from __future__ import annotations

from typing import Any

from vizconv.i18n.strings import text

__all__ = ["PAGES", "notes", "show_notes"]

# page -> its topics, in reading order; the Network builder's own notes (nb.note.*) cover 1×1 convolutions,
# feature extractor and classifier, residual connections and the notes' buggy block, so only the rest is here
PAGES: dict[str, tuple[str, ...]] = {
    "home": ("pages", "order"),
    "conv": ("padding", "stride", "dilation", "shared", "channels", "groups", "formula"),
    "fm": ("learned", "extractor", "depth", "field"),
    "pool": ("no_weights", "why_pool", "nonlinear", "order"),
    "tconv": ("transpose", "checkerboard", "output_padding"),
    "nb": ("params", "small_kernels", "why_residual"),
    "why": ("where", "numbers", "limits"),
    "learning": ("chain", "shared", "transposed"),
    "more": ("causal", "wavenet", "depth", "separable"),
}


def notes(page: str, lang: str = "en") -> list[tuple[str, str]]:
    """(title, Markdown) of each topic of ``page``, in ``lang``."""
    if page not in PAGES:
        raise ValueError(f"no teaching notes for page {page!r}; pages: {', '.join(PAGES)}")
    # catalogue: teach.<page>.<topic>.title and teach.<page>.<topic> for each of PAGES
    return [(text(f"teach.{page}.{topic}.title", lang), text(f"teach.{page}.{topic}", lang)) for topic in PAGES[page]]


def show_notes(page: str, lang: str, st: Any, expanded: bool = False) -> None:
    """One 📖 expander with a tab per topic, drawn into ``st`` (the streamlit module or a container).

    The tabs are drawn only while it is open (opening it reruns the page, session state key ``<page>_notes``):
    closed, they were sent and drawn again on every change of a setting."""
    panel = st.expander(text("teach.panel", lang), icon="📖", expanded=expanded, key=f"{page}_notes", on_change="rerun")
    if panel.open:
        topics = notes(page, lang)
        for tab, (_, body) in zip(panel.tabs([title for title, _ in topics]), topics, strict=True):
            tab.markdown(body)
