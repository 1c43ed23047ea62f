"""vizconv home page. The other pages live in pages/ (Streamlit's file-name discovery)."""

from __future__ import annotations

import streamlit as st

from vizconv import ui

t = ui.t

ui.page_setup("home.title", "🔲")
st.markdown(t("home.what"))

st.subheader(t("home.pages"))
with st.container(border=True):
    st.page_link("pages/1_Convolution.py", label=t("home.conv_link"), icon="🔲")
    st.caption(t("home.conv_blurb"))

st.subheader(t("home.howto"))
st.markdown(t("home.howto_text"))
