"""Pooling & activations page, lesson 2: an activation function on a signed feature map."""

from __future__ import annotations

import streamlit as st
import torch

from vizconv import ui
from vizconv.inputs.feature_sources import kernel_response, picture_tensor
from vizconv.inputs.kernels import FIXED_3X3
from vizconv.inputs.samples import sample_input
from vizconv.ops.activations import ACTIVATIONS, activate, activation_latex, histogram
from vizconv.ui.sections.inputs import Lesson
from vizconv.views.pooling import LIMITS, PHOTOS, SLOPE, value_span
from vizconv.viz import style
from vizconv.viz.charts import colour_range, heatmap_figure, histogram_figure

t = ui.t


def activation_input(lesson: Lesson) -> torch.Tensor | None:
    """A signed 2-D feature map [H, W]: LeNet-5's conv1 (before ReLU) or a picture after a kernel."""
    memory = lesson.memory
    # catalogue: act.source.lenet, act.source.kernel
    if ui.choice(memory, "act_source", t("act.source"), ("lenet", "kernel"), "act.source.") == "lenet":
        return lesson.lenet_channel("conv1", "act_channel", LIMITS["act_channel"])
    # catalogue: sample.<…> (30 keys: sample.digit_7 … sample.cifar_truck), act.upload
    labels = {k: t("act.upload") if k == "upload" else t("sample." + k) for k in (*PHOTOS, "upload")}.get
    choice = ui.choice(memory, "act_picture", t("act.picture"), (*PHOTOS, "upload"), labels, radio=False)
    # catalogue: preset.<…> (13 keys: preset.example … preset.resnet20_conv1)
    preset = ui.choice(memory, "act_kernel", t("act.kernel"), tuple(FIXED_3X3), "preset.", radio=False)
    if choice != "upload":
        return kernel_response(sample_input(choice, 64, 1), preset)[0]
    picture = lesson.upload("act_upload")
    return None if picture is None else kernel_response(picture_tensor(picture, 64, colour=False), preset)[0]


def show(lesson: Lesson) -> None:
    """The activation lesson: a signed map before and after the function, on one colour scale, and both
    histograms."""
    memory = lesson.memory
    with st.sidebar:
        before = lesson.input(activation_input)
        st.header(t("act.function"))
        # catalogue: act.relu, act.leaky_relu, act.sigmoid, act.tanh, act.gelu (activations.ACTIVATIONS)
        name = ui.choice(memory, "activation", t("act.function"), ACTIVATIONS, "act.", radio=False)
        slope = 0.01
        if name == "leaky_relu":
            slope = st.slider(t("act.slope"), *SLOPE, step=0.01, **memory.seed("slope"))
    memory.sync()
    if before is None:
        return
    result = activate(before, name, slope)
    st.latex(activation_latex(name, slope))
    st.caption(t("act.why." + name))  # catalogue: act.why.<…> (5 keys: act.why.relu … act.why.gelu)
    ui.metric_row(
        [
            (t("act.negative"), f"{result.negative:.0%}"),
            (t("act.zeroed"), f"{result.zeroed:.0%}", t("act.zeroed_help")),
            (t("act.range_before"), value_span(before)),
            (t("act.range_after"), value_span(result.after)),
        ]
    )
    hover = t("pool.hover") + "<extra></extra>"
    shared = colour_range(before, result.after)  # one scale for both: colours compare across the two maps
    # catalogue: act.relu, act.leaky_relu, act.sigmoid, act.tanh, act.gelu (activations.ACTIVATIONS)
    after_title = t("act.after", name=t("act." + name))
    for column, (values, title, key) in zip(
        st.columns(2), ((before, t("act.before"), "act_before"), (result.after, after_title, "act_after")), strict=True
    ):
        with column:
            ui.plotly_figure(heatmap_figure(values, title, shared, hover=hover, columns=2), key=key)
    st.caption(t("act.same_scale"))
    low, high = min(float(before.min()), float(result.after.min())), max(float(before.max()), float(result.after.max()))
    bars = [
        (t("act.before"), histogram(before, low=low, high=high), style.BOUNDARY_COLOUR),
        (after_title, histogram(result.after, low=low, high=high), style.WINDOW_COLOUR),
    ]
    ui.plotly_figure(histogram_figure(bars, t("act.histogram"), t("act.value"), t("act.count")), key="act_histogram")
    # catalogue: act.histogram_help.<…> (5 keys: act.histogram_help.relu … act.histogram_help.gelu)
    st.caption(t("act.histogram_help." + name))
