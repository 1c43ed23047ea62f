"""The "Why it answered" page, lesson 1: Grad-CAM explained in numbers. The map over the picture, its raw values
with a colour bar, each channel's weight α_k, the channels that weigh most times their weights, one cell written
out as Σ_k α_k·A_k[y, x], the ReLU, and torchcam's map beside it: the same numbers."""

from __future__ import annotations

import streamlit as st

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.explain.cam import class_activation_map, grad_cam
from vizconv.nets.feature_maps import channel_grid
from vizconv.ui.sections.explained import Explained
from vizconv.views import explain as view
from vizconv.viz.charts import heatmap_figure
from vizconv.viz.export import file_name

t = ui.t


def overlay(seen: Explained, explanation, key: str) -> None:
    """The map over the picture (opacity in the sidebar), its raw values with their colour bar (a click picks
    the cell written out), downloads of both."""
    memory = seen.memory
    picture_col, raw_col = st.columns(2)
    opacity = memory.get("opacity") / 100
    png = view.overlay_png(seen.seen, explanation.upsampled(), opacity)
    picture_col.image(png, caption=t("why.overlay", cls=seen.class_name, layer=explanation.layer))
    with raw_col:
        title = t("why.raw", h=explanation.map.shape[0], w=explanation.map.shape[1])
        ui.plotly_figure(view.cam_grid(explanation, title), key=key, on_select=ui.cell_picker(memory, key, "cy", "cx"))
    name = file_name(seen.name, explanation.method, explanation.layer, seen.class_name, ext="png")
    ui.download("png", png, name, key=f"{key}_png", where=picture_col, label="why.png")
    csv = view.map_csv(explanation.map)
    ui.download("csv", csv, name.replace(".png", ".csv"), key=f"{key}_csv", where=raw_col, label="why.csv")


def _sum_relu_upsample(explanation) -> None:
    """The map's making after the weights: Σ_k α_k·A_k (signed), its ReLU, the ReLU upsampled to the picture."""
    steps = view.map_steps(explanation)
    for index, (column, (values, key)) in enumerate(zip(st.columns(3), steps, strict=True)):
        with column:  # catalogue: why.step.sum, why.step.relu, why.step.upsampled
            figure = heatmap_figure(values, t(key, h=values.shape[0], w=values.shape[1]), height=300, columns=3)
            ui.plotly_figure(figure, key=f"why_step_{index}")
    st.caption(t("why.steps.caption"))


def show(seen: Explained) -> None:
    memory = seen.memory
    try:
        explanation = grad_cam(seen.model, seen.prediction.x, seen.layer, seen.class_index)
    except MessageError as exc:
        ui.show_error(exc)
        return
    st.subheader(t("why.gradcam.title"))
    overlay(seen, explanation, "why_gradcam_map")
    st.subheader(t("why.alpha.title"))
    st.latex(r"\alpha_k = \frac{1}{h\,w} \sum_{y,x} \frac{\partial y^c}{\partial A_k[y,x]}")
    figure = view.weights_figure(explanation, t("why.alpha.figure", cls=seen.class_name), t("why.channel"))
    ui.plotly_figure(figure, key="why_alpha")
    top = explanation.top_channels(view.TOP_SHOWN)
    grid = channel_grid(explanation.contributions[top], labels=(t("fm.bar_max"), t("fm.bar_min")))
    weights = ", ".join(f"{tile} → k = {k} (α = {float(explanation.weights[k]):.3g})" for tile, k in enumerate(top))
    grid_col, words_col = st.columns([3, 2], vertical_alignment="center")
    grid_col.image(grid.png)
    words_col.caption(t("why.top", n=len(top), channels=weights))
    _sum_relu_upsample(explanation)
    st.subheader(t("why.cell.title"))
    h, w = explanation.map.shape
    memory.set(cy=min(memory.get("cy"), h - 1), cx=min(memory.get("cx"), w - 1))  # a smaller map: kept inside
    y_col, x_col = st.columns(2)
    y = y_col.number_input(t("fm.row"), 0, h - 1, **memory.seed("cy"))
    x = x_col.number_input(t("fm.col"), 0, w - 1, **memory.seed("cx"))
    st.latex(view.term_latex(explanation, int(y), int(x), lambda n: t("why.more", n=n)))
    st.caption(t("why.cell.caption", k=len(explanation.weights)))
    try:
        inputs = seen.prediction.x
        theirs = class_activation_map(seen.model, inputs, seen.layer, "gradcam", seen.class_index, via_torchcam=True)
    except MessageError as exc:
        ui.show_error(exc)
        return
    ui.torch_verdict(*view.agreement(explanation.map, theirs.map), "why.torchcam_match", "why.torchcam_mismatch")
