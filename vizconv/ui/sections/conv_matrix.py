"""The Convolution page's "one matrix product" view (issue 22), in an expander under the step panel: the layer as
W·X (im2col) and as y = M·vec(x), the output the step panel shows lit up in W, X and M, and torch's verdict."""

from __future__ import annotations

import streamlit as st

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.views import conv_matrix as view

t = ui.t


def show(trace, oc: int, oy: int, ox: int) -> None:
    with st.expander(t("mat.title"), icon="🧮"):
        if not view.fits(trace):  # catalogue: mat.too_big
            st.info(t("mat.too_big", side=view.MAX_SIDE, channels=view.MAX_CHANNELS), icon="📐")
            return
        try:
            matrices = view.view_of(trace)
        except MessageError as exc:
            ui.show_error(exc)
            return
        lit = matrices.highlight(oc, oy, ox)
        st.markdown(t("mat.im2col", oc=oc, oy=oy, ox=ox, column=lit.column))
        titles = (t("mat.w"), t("mat.x"), t("mat.y"))
        for index, (column, figure) in enumerate(
            zip(st.columns(3), view.product_figures(matrices, oc, oy, ox, titles), strict=True)
        ):
            with column:
                ui.plotly_figure(figure, key=f"conv_matrix_product_{index}")
        rows, cols = matrices.matrix.shape
        st.markdown(t("mat.big", rows=rows, cols=cols, row=lit.row, zeros=matrices.structural_zeros, total=rows * cols))
        figure = view.matrix_figure(matrices, oc, oy, ox, t("mat.m"), t("mat.hover"))
        ui.plotly_figure(figure, key="conv_matrix_m")
        st.caption(t("mat.shared", repeats=trace.out_size[0] * trace.out_size[1]))
        ui.torch_verdict(*view.matrix_difference(matrices, trace.output), "mat.match", "mat.mismatch")
