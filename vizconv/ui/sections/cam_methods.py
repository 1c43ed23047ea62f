"""The "Why it answered" page, lesson 2: the class activation map methods side by side (torchcam): Grad-CAM,
Grad-CAM++, LayerCAM, Score-CAM and, for a model that ends in global average pooling and one linear layer, the
original CAM, whose channel weights are that layer's weights for the class."""

from __future__ import annotations

import streamlit as st

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.explain.cam import class_activation_map
from vizconv.ui.sections.cam_numbers import overlay
from vizconv.ui.sections.explained import Explained
from vizconv.views import explain as view

t = ui.t


def show(seen: Explained) -> None:
    memory = seen.memory
    with st.sidebar:
        # catalogue: why.method.gradcam, why.method.gradcampp, why.method.layercam, why.method.scorecam, why.method.cam
        method = ui.choice(memory, "method", t("why.method"), view.METHOD_ORDER, "why.method.")
    st.subheader(t(f"why.method.{method}"))
    st.markdown(t(f"why.method.{method}.how"))  # catalogue: why.method.<method>.how for each of METHOD_ORDER
    if method == "scorecam":  # one forward pass per channel: kept to what a rerun can afford
        channels = seen.layer_channels
        if view.scorecam_work(channels, seen.seen.shape[:2]) > view.MAX_SCORECAM_WORK:
            st.info(t("why.scorecam.too_costly", channels=channels, layer=seen.layer), icon="⏳")
            return
    try:
        with st.spinner(t("why.computing")):
            explanation = class_activation_map(seen.model, seen.prediction.x, seen.layer, method, seen.class_index)
    except MessageError as exc:
        ui.show_error(exc)
        return
    overlay(seen, explanation, "why_method_map")
    if explanation.weights.dim() == 1:
        figure = view.weights_figure(explanation, t("why.weights.figure", cls=seen.class_name), t("why.channel"))
        ui.plotly_figure(figure, key="why_method_weights")
    if method == "cam":
        fc = explanation.weights
        score = float((fc * explanation.activations.mean(dim=(1, 2))).sum())
        st.markdown(
            t(
                "why.cam.check",
                mean=f"{float(explanation.map.mean()):.4g}",
                score=f"{explanation.score:.4g}",
                dot=f"{score:.4g}",
            )
        )
    st.caption(t("why.methods.caption"))
