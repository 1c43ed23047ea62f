"""Transposed convolution page, view 2: the same layer as an ordinary convolution (stride 1) of the input with
stride − 1 zeros inserted between its values and padded by d·(k − 1) − p, with the kernel flipped."""

from __future__ import annotations

from functools import partial

import streamlit as st
import torch

from vizconv import ui
from vizconv.i18n.strings import Count
from vizconv.ops.transposed import ConvTransposeTrace
from vizconv.ui.sections.scatter import check
from vizconv.viz.animator import equivalent_animator_data
from vizconv.viz.steps import matrix_latex, step_latex

t = ui.t


def show(memory: ui.WidgetMemory, trace: ConvTransposeTrace, torch_output: torch.Tensor) -> None:
    """The zero-inserted padded input and flipped kernel, the animator over the equivalent convolution, and one
    output value as its dot product (``torch_output``: what nn.ConvTranspose2d gives, to check it)."""
    equivalent = trace.equivalent
    top, bottom, left, right = trace.equivalent_padding
    st.subheader(t("tconv.equivalent"))
    zeros = Count("count.zeros", trace.stride[0] - 1)
    top, left = Count("count.rows", top), Count("count.cols", left)
    st.caption(
        t(
            "tconv.equivalent_help",
            zeros=zeros,
            top=top,
            bottom=bottom,
            left=left,
            right=right,
            dilation=trace.dilation[0],
        )
    )
    ui.metric_row(
        [
            (t("tconv.shape_zero_inserted"), "[{}, {}, {}]".format(*trace.zero_inserted.shape)),
            (t("tconv.shape_padded"), "[{}, {}, {}]".format(*equivalent.padded.shape)),
            (t("tconv.shape_equivalent_weight"), "[{}, {}, {}, {}]".format(*trace.equivalent_weight.shape)),
        ],
        per_row=3,
    )
    st.latex(
        rf"K = {matrix_latex(trace.weight[0, 0])} \;\longrightarrow\; "
        rf"\mathrm{{flip}}(K) = {matrix_latex(trace.equivalent_weight[0, 0])}"
    )
    st.caption(t("tconv.flip_help"))

    # the same stepping as the scatter view and the Convolution page: click an output cell, ◀ ▶, ← →
    width = equivalent.out_size[1]
    steps = ui.stepper(
        "tconv_eq_position", "tconv_eq_oc", "tconv_equivalent", equivalent.positions, trace.out_channels, width
    )
    steps.live(partial(equivalent_animator_data, trace), memory)
    panel = steps.panel(t("tconv.equivalent_step"), "tconv_eq_step_panel", t("tconv.step_output"))
    oy, ox = equivalent.position(steps.position)
    with panel.container(border=True):
        step = equivalent.step(steps.channel, oy, ox)
        for line in step_latex(step, trace.bias is not None):
            st.latex(line)
        check(step.value, float(torch_output[steps.channel, oy, ox]))
