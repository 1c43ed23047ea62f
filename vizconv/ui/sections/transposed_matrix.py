"""The Transposed page's "why it is called transposed" view (issue 22), in an expander: the layer as one matrix T
with vec(out) = T·vec(y), T equal to Mᵀ for the ordinary convolution with the same weight, and M·Mᵀ, which is not
the identity: the transposed convolution undoes the shape, not the values."""

from __future__ import annotations

import streamlit as st

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.views import conv_matrix as view

t = ui.t


def show(trace) -> None:
    with st.expander(t("tmat.title"), icon="🧮"):
        if not view.transposed_fits(trace):
            st.info(t("tmat.too_big", entries=view.MAX_ENTRIES), icon="📐")
            return
        try:
            matrices = view.transposed_matrices(trace)
        except MessageError as exc:
            ui.show_error(exc)
            return
        rows, cols = matrices.transposed.shape
        st.markdown(t("tmat.t", rows=rows, cols=cols))
        figure = view.values_figure(matrices.transposed, t("tmat.t_title"), t("mat.hover"))
        ui.plotly_figure(figure, key="tconv_matrix_t")
        bias = 0 if trace.bias is None else trace.bias[:, None, None]
        ui.torch_verdict(
            float((matrices.via_matrix + bias - trace.output).abs().max()),
            float(trace.output.abs().max()),
            "tmat.match",
            "tmat.mismatch",
        )
        same = matrices.is_m_transposed
        st.markdown(t("tmat.is_mt" if same else "tmat.not_mt"))
        check = matrices.inverse
        left, right = st.columns(2)
        with left:
            ui.plotly_figure(view.values_figure(check.product, t("tmat.mmt_title"), t("mat.hover")), key="tconv_mmt")
        right.markdown(t("tmat.not_inverse", error=f"{check.max_error:.4g}", off=check.off_diagonal))
