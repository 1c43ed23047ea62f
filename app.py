"""vizconv home page. The other pages live in pages/ (Streamlit's file-name discovery)."""

from __future__ import annotations

import streamlit as st

from vizconv import ui
from vizconv.i18n import teaching

t = ui.t

ui.page_setup("home.title", "🔲")
st.markdown(t("home.what"))

st.subheader(t("home.pages"))
for path, name, icon in (
    ("pages/1_Convolution_卷积.py", "conv", "🔲"),
    ("pages/2_Feature_maps_特征图.py", "fm", "🧠"),
    ("pages/3_Pooling_and_activations_池化与激活.py", "pool", "🟦"),
    ("pages/4_Transposed_convolution_转置卷积.py", "tconv", "🔳"),
    ("pages/5_Network_builder_搭建网络.py", "nb", "🧱"),
    ("pages/6_Learning_学习.py", "learning", "📉"),
    ("pages/7_Why_it_answered_为什么.py", "why", "🔍"),
    ("pages/8_More_convolutions_更多卷积.py", "more", "🧊"),
):
    with st.container(border=True):
        # catalogue: home.<…>_link (9 keys: home.conv_link … home.first_example_link)
        st.page_link(path, label=t(f"home.{name}_link"), icon=icon)
        st.caption(t(f"home.{name}_blurb"))  # catalogue: home.<…>_blurb (8 keys: home.conv_blurb … home.more_blurb)

st.subheader(t("home.howto"))
st.markdown(t("home.howto_text"))
st.page_link(
    "pages/1_Convolution_卷积.py",
    label=t("home.first_example_link"),
    icon="▶️",
    query_params={"conv_source": "sample", "conv_sample": "classic_5x5", "lang": ui.lang()},
)
teaching.show_notes("home", ui.lang(), st, expanded=True)
