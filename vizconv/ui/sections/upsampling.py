"""Pooling & activations page, lesson 3: upsampling a small map (nearest, bilinear, bicubic), one output cell
explained."""

from __future__ import annotations

from functools import partial

import streamlit as st
import torch

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.inputs.feature_sources import digit_picture, picture_tensor
from vizconv.inputs.samples import random_grid
from vizconv.ops.upsample import UPSAMPLE_MODES, UpsampleStep, UpsampleTrace, trace_interpolate
from vizconv.ui.sections.inputs import Lesson
from vizconv.views.pooling import LIMITS, upsample_coordinates, upsample_shape_latex, upsample_step_latex
from vizconv.viz.animator import upsample_animator_data
from vizconv.viz.steps import format_number
from vizconv.viz.torch_code import agrees

t = ui.t
state = st.session_state


def upsampling_input(lesson: Lesson) -> torch.Tensor | None:
    """A small 2-D map [H, W] to upsample."""
    memory = lesson.memory
    # catalogue: up.source.lenet, up.source.digit, up.source.random
    source = ui.choice(memory, "up_source", t("up.source"), ("lenet", "digit", "random"), "up.source.")
    if source == "lenet":
        return lesson.lenet_channel("pool1", "up_channel", LIMITS["up_channel"])
    size = st.slider(t("up.size"), *LIMITS["up_size"], **memory.seed("up_size"))
    if source == "digit":
        return picture_tensor(digit_picture(lesson.digit()), size, colour=False)[0]
    return random_grid(1, size, size, lesson.seed(LIMITS["seed"]))[0]


def show(lesson: Lesson) -> None:
    """The upsampling lesson: the map's new size, the animator over the output cells, one cell explained."""
    memory = lesson.memory
    with st.sidebar:
        source = lesson.input(upsampling_input)
        st.header(t("up.layer"))
        mode = ui.choice(memory, "mode", t("up.mode"), UPSAMPLE_MODES)
        scale = ui.choice(memory, "scale", t("up.scale"), (2, 3))
        corners = st.toggle(
            "align_corners", disabled=mode == "nearest", help=t("up.corners_help"), **memory.seed("corners")
        )
    memory.sync()
    if source is None:
        return
    try:
        trace = trace_interpolate(source[None], mode, scale, corners and mode != "nearest")
    except MessageError as exc:
        ui.show_error(exc)
        return
    h, w = source.shape
    upsampled = trace.output[0]
    st.latex(upsample_shape_latex(h, w, scale, mode))
    st.caption(t("up.what." + mode))  # catalogue: up.what.nearest, up.what.bilinear, up.what.bicubic
    if mode == "bicubic" and (
        float(upsampled.max()) > float(source.max()) or float(upsampled.min()) < float(source.min())
    ):
        st.info(t("up.overshoot"), icon="〰️")

    step = _animate(memory, trace)
    st.subheader(t("up.explain"))
    row_col, col_col = st.columns(2)
    oy = row_col.slider(t("fm.row"), 0, h * scale - 1, **memory.seed("up_oy"))
    ox = col_col.slider(t("fm.col"), 0, w * scale - 1, **memory.seed("up_ox"))
    memory.sync()  # the sliders show the cell ``step`` (above) explains
    _explain(step, float(upsampled[oy, ox]))  # F.interpolate's own output


def _animate(memory: ui.WidgetMemory, trace: UpsampleTrace) -> UpsampleStep:
    """The live animator over the output cells, and the cell the page explains: the sliders' cell, or the one the
    animator moved to (the sliders then follow it)."""
    _, h_out, w_out = trace.output.shape
    memory.clamp("up_oy", 0, h_out - 1)
    memory.clamp("up_ox", 0, w_out - 1)
    positions = h_out * w_out
    drawn = state.pop("pool_up_drawn", None)  # (position, width, positions) the animator was last given
    moved = state.get("pool_up_step")
    if drawn and drawn[1:] == (w_out, positions) and moved != drawn[0]:  # it moved: the sliders follow
        memory.set(up_oy=moved // w_out, up_ox=moved % w_out)
    state.pool_up_step = memory.get("up_oy") * w_out + memory.get("up_ox")
    state.pool_up_drawn = (state.pool_up_step, w_out, positions)
    steps = ui.stepper("pool_up_step", "pool_up_step_c", "up_animation", positions, 1, w_out)
    steps.live(partial(upsample_animator_data, trace), memory)
    return trace.step(0, memory.get("up_oy"), memory.get("up_ox"))


def _explain(step: UpsampleStep, reference: float) -> None:
    """One output cell: where it falls on the input, the values and weights it reads, and torch's value."""
    with st.container(border=True):
        sy, sx = upsample_coordinates(step)
        rows, cols = ", ".join(map(str, step.rows)), ", ".join(map(str, step.cols))
        st.markdown(t("up.step_where", oy=step.oy, ox=step.ox, sy=sy, sx=sx, rows=rows, cols=cols))
        if step.unclamped != step.source:
            st.caption(t("up.clamped"))
        st.latex(upsample_step_latex(step))
        if agrees(step.value - reference, reference):
            st.caption(t("up.torch_check", value=format_number(reference, 4)))
        else:
            st.error(t("up.torch_mismatch", value=format_number(reference, 4), step=format_number(step.value, 4)))
