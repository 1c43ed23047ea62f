"""Pooling & activations page, lesson 1: pooling a real feature map (LeNet-5's, a sample, random numbers, an
upload), window by window."""

from __future__ import annotations

from functools import partial

import streamlit as st
import torch
from PIL import Image

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.i18n.strings import Count
from vizconv.inputs.feature_sources import LENET_STAGES, picture_tensor
from vizconv.inputs.samples import SAMPLES, random_grid, sample_input
from vizconv.ops.pool import POOL_KINDS, trace_pool2d
from vizconv.ui.sections.inputs import Lesson, lenet
from vizconv.views.convolution import opening_position
from vizconv.views.pooling import GRID_SAMPLES, IMAGE_SAMPLES, LIMITS, pool_torch_difference
from vizconv.viz.animator import pool_animator_data
from vizconv.viz.formulas import output_size_latex
from vizconv.viz.steps import pool_step_latex, window_span

t = ui.t
state = st.session_state


def _sized(lesson: Lesson, picture: Image.Image) -> torch.Tensor:
    """A picture at the side (and in the colour) the sliders pick."""
    memory = lesson.memory
    side = st.slider(t("conv.side"), *LIMITS["side"], help=t("pool.side_help"), **memory.seed("side"))
    return picture_tensor(picture, side, st.toggle(t("conv.colour"), **memory.seed("colour")))


def pooling_input(lesson: Lesson) -> torch.Tensor | None:
    """The pooling input [C, H, W] from the sidebar's choices (None: nothing to show yet)."""
    memory = lesson.memory
    # catalogue: pool.source.lenet, pool.source.sample, pool.source.random, pool.source.upload
    source = ui.choice(memory, "source", t("pool.source"), ("lenet", "sample", "random", "upload"), "pool.source.")
    if source == "lenet":
        digit = lesson.digit()
        # catalogue: pool.stage.conv1, pool.stage.relu1, pool.stage.pool1
        stage = ui.choice(memory, "stage", t("pool.stage"), tuple(LENET_STAGES), "pool.stage.", radio=False)
        channels = st.slider(
            t("pool.channels"), *LIMITS["channels"], help=t("pool.channels_help"), **memory.seed("channels")
        )
        return lenet(digit)[stage][:channels]
    if source == "sample":
        # catalogue: sample.<…> (30 keys: sample.digit_7 … sample.cifar_truck)
        key = ui.choice(memory, "sample", t("conv.sample"), IMAGE_SAMPLES + GRID_SAMPLES, "sample.", radio=False)
        if not SAMPLES[key].is_image:
            return sample_input(key)
        side = st.slider(t("conv.side"), *LIMITS["side"], help=t("pool.side_help"), **memory.seed("side"))
        return sample_input(key, side, None if st.toggle(t("conv.colour"), **memory.seed("colour")) else 1)
    if source == "random":
        channels = st.slider(t("conv.random_channels"), *LIMITS["random_channels"], **memory.seed("random_channels"))
        size = st.slider(t("pool.random_size"), *LIMITS["random_size"], **memory.seed("random_size"))
        return random_grid(channels, size, size, lesson.seed(LIMITS["seed"]))
    picture = lesson.upload("pool_upload")
    return None if picture is None else _sized(lesson, picture)


def show(lesson: Lesson) -> None:
    """The pooling lesson: its input and layer in the sidebar; the output size, the animator, one window's step."""
    memory = lesson.memory
    with st.sidebar:
        x = lesson.input(pooling_input)
        st.header(t("pool.layer"))
        # catalogue: pool.kind.max, pool.kind.avg
        kind = ui.choice(memory, "kind", t("pool.kind"), POOL_KINDS, "pool.kind.")
        kernel = ui.pair_input(memory, t("pool.window_size"), "kernel", LIMITS["kernel"])  # a window, no weights
        default = st.toggle(
            t("pool.stride_default"), help=t("pool.stride_default_help"), **memory.seed("stride_default")
        )
        if default:
            memory.set(stride_h=kernel[0], stride_w=kernel[1])
        stride = ui.pair_input(memory, t("conv.stride"), "stride", LIMITS["stride"], disabled=default)
        padding = ui.pair_input(memory, t("conv.padding_amount"), "padding", LIMITS["padding"])
    memory.sync()
    if x is None:
        return
    try:
        trace = trace_pool2d(x, kind, kernel, stride, padding)
    except MessageError as exc:
        ui.show_error(exc)
        return

    c, h, w = x.shape
    h_out, w_out = trace.out_size
    formulas = [
        output_size_latex(symbol, size, k, s, p, p, 1)
        for symbol, size, k, s, p in zip("HW", (h, w), kernel, stride, padding, strict=True)
    ]
    ui.formula_box(t("pool.formula"), formulas, t("pool.formula_note"))
    ui.metric_row(
        [
            (t("conv.shape_input"), f"[{c}, {h}, {w}]"),
            (t("conv.shape_output"), f"[{c}, {h_out}, {w_out}]"),
            (t("conv.params"), "0", t("pool.no_weights_help")),
            (t("pool.channels_kept"), f"{c} → {c}"),
        ]
    )
    st.info(t("pool.no_weights." + kind), icon="⚖️")  # catalogue: pool.no_weights.max, pool.no_weights.avg

    positions = trace.positions
    if "pool_position" not in state:  # open on a window that teaches something (a digit's corner is all 0)
        state.pool_position = opening_position(trace.output)
    steps = ui.stepper("pool_position", "pool_step_c", "pool_animation", positions, c, w_out)
    st.subheader(t("pool.animation"))
    steps.live(partial(pool_animator_data, trace), memory)  # its speed menu sets memory's speed when paused
    # catalogue: pool.animation_help.max, pool.animation_help.avg
    st.caption(t("pool.animation_help." + kind, frames=Count("count.window_positions", positions)))

    panel = steps.panel(t("conv.step"), "pool_step_panel", t("pool.step_channel"))
    oy, ox = trace.position(steps.position)
    step = trace.step(steps.channel, oy, ox)
    with panel.container(border=True):
        st.markdown(t("pool.step_where", c=step.c, oy=oy, ox=ox, **window_span(step.rows, step.cols)))
        st.latex(pool_step_latex(step))
        function, difference = pool_torch_difference(trace)
        st.caption(t("pool.torch_check", function=function, diff=f"{difference:.2g}"))
