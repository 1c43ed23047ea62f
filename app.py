"""vizconv home page. The other pages live in pages/ (Streamlit's file-name discovery)."""

from __future__ import annotations

import streamlit as st

from vizconv import ui

t = ui.t

ui.page_setup("home.title", "🔲")
st.markdown(t("home.what"))

st.subheader(t("home.pages"))
for path, name, icon in (
    ("pages/1_Convolution.py", "conv", "🔲"),
    ("pages/2_Feature_maps.py", "fm", "🧠"),
    ("pages/3_Pooling_and_activations.py", "pool", "🟦"),
    ("pages/4_Transposed_convolution.py", "tconv", "🔳"),
    ("pages/5_Network_builder.py", "nb", "🧱"),
):
    with st.container(border=True):
        st.page_link(path, label=t(f"home.{name}_link"), icon=icon)
        st.caption(t(f"home.{name}_blurb"))

st.subheader(t("home.howto"))
st.markdown(t("home.howto_text"))
