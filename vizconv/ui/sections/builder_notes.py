"""The Network builder page's teaching notes, at the foot of the page: 1×1 convolutions, the classifier head,
residual connections, and the course notes' residual-block mistake with its corrected code."""

from __future__ import annotations

import streamlit as st

from vizconv.nets import builder
from vizconv.ui.language import t


def show() -> None:
    st.subheader(t("nb.notes"))
    for note in ("1x1", "head", "residual"):  # catalogue: nb.note.1x1, nb.note.head, nb.note.residual and their _title
        with st.expander(t(f"nb.note.{note}_title")):
            st.markdown(t(f"nb.note.{note}"))
    with st.expander(t("nb.note.mistake_title")):
        st.markdown(t("nb.note.mistake"))
        # one above the other, lines wrapped: side by side, a 1024-pixel projector hides the ends of the lines
        st.caption(t("nb.note.as_written"))
        st.code(builder.NOTES_RESIDUAL_CODE, language="python", wrap_lines=True)
        st.caption(t("nb.note.corrected"))
        st.code(builder.CORRECTED_RESIDUAL_CODE, language="python", wrap_lines=True)
