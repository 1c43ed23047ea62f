"""The "More convolutions" page's 1-D mode: a sequence, the live animator on one row (``Conv1dTrace.as_2d``), the step
panel's dot product, the output-size formula for the axis, and WaveNet's stack of dilated causal layers."""

from __future__ import annotations

from functools import partial

import streamlit as st

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.i18n.strings import Count
from vizconv.views import more_conv as view
from vizconv.views.convolution import opening_position
from vizconv.viz.animator import conv_animator_data
from vizconv.viz.steps import step_latex

t = ui.t
LIMITS = view.LIMITS


def controls(memory: ui.WidgetMemory) -> None:
    """The sidebar: the sequence, then the layer."""
    st.header(t("more.input"))
    # catalogue: more.source.sine, more.source.step, more.source.chirp, more.source.typed
    source = ui.choice(memory, "source", t("more.source"), view.SEQUENCE_SOURCES, "more.source.", radio=False)
    if source == "typed":
        st.text_input(t("more.typed"), help=t("more.typed_help", limit=view.MAX_TYPED), **memory.seed("typed"))
    else:
        st.slider(t("more.length"), *LIMITS["length"], **memory.seed("length"))
    st.slider(
        t("more.in_channels"), *LIMITS["in_channels"], help=t("more.in_channels_help"), **memory.seed("in_channels")
    )
    st.header(t("more.layer"))
    st.slider(t("more.out_channels"), *LIMITS["out_channels"], **memory.seed("out_channels"))
    left, right = st.columns(2)
    left.number_input(t("more.kernel"), *LIMITS["kernel"], **memory.seed("kernel"))
    right.number_input(t("more.stride"), *LIMITS["stride"], **memory.seed("stride"))
    # catalogue: more.padding.number, more.padding.same, more.padding.valid, more.padding.causal
    kind = ui.choice(memory, "padding_kind", t("more.padding"), view.PADDINGS_1D, "more.padding.")
    left, right = st.columns(2)
    left.number_input(t("more.padding_amount"), *LIMITS["padding"], disabled=kind != "number", **memory.seed("padding"))
    right.number_input(t("more.dilation"), *LIMITS["dilation"], **memory.seed("dilation"))
    st.number_input(t("more.groups"), *LIMITS["groups"], help=t("more.groups_help"), **memory.seed("groups"))
    # catalogue: more.preset.smooth, more.preset.edge, more.preset.random
    preset = ui.choice(memory, "preset", t("more.preset"), view.KERNELS_1D, "more.preset.", radio=False)
    if preset == "random":
        st.number_input(t("more.seed"), *LIMITS["seed"], **memory.seed("seed"))


def show(memory: ui.WidgetMemory, values: dict) -> None:
    """The main column: the animator and its step panel first (on a projector's first screen), the output-length
    formula, then the WaveNet stack."""
    try:
        trace = view.run_1d(values, view.build_sequence(values))
    except MessageError as exc:
        ui.show_error(exc)
        _wavenet(memory, values)
        return
    flat = trace.as_2d()  # one row: what the 2-D animator and step panel read
    if "more_position" not in st.session_state:  # open on a window that teaches something, not the padding
        st.session_state.more_position = opening_position(flat.output)
    steps = ui.stepper(
        "more_position", "more_step_oc", "more_animation", flat.positions, flat.out_channels, flat.positions
    )
    st.subheader(t("more.animation_1d"))
    steps.live(partial(conv_animator_data, flat), memory)
    st.caption(t("more.animation_help", frames=Count("count.window_positions", flat.positions)))

    panel = steps.panel(t("more.step"), "more_step_panel", t("more.step_kernel"), t("more.position_help_1d"))
    i = flat.position(steps.position)[1]
    step = flat.step(steps.channel, 0, i)
    with panel.container(border=True):
        first, last = int(step.cols[0]), int(step.cols[-1])
        st.markdown(t("more.step_where_1d", oc=step.oc, i=i, first=first, last=last))
        for line in step_latex(step, False):
            st.latex(line)
        st.caption(t("more.step_check", value=f"{float(trace.output[step.oc, i]):.6g}"))
    left = trace.pads[0]
    note = t("more.causal_note", left=left) if trace.causal else t("more.formula_1d_note")
    ui.formula_box(t("more.formula_1d"), view.formulas_1d(trace), note)
    _wavenet(memory, values)


def _wavenet(memory: ui.WidgetMemory, values: dict) -> None:
    """A stack of dilated causal layers: which inputs one output depends on, and the receptive field per layer."""
    st.subheader(t("more.wavenet"))
    st.markdown(t("more.wavenet_intro"))
    layers_col, dilated_col = st.columns(2, vertical_alignment="bottom")
    length_col, output_col = st.columns(2, vertical_alignment="bottom")
    layers_col.slider(t("more.layers"), *LIMITS["layers"], **memory.seed("layers"))
    dilated_col.toggle(t("more.dilated"), help=t("more.dilated_help"), **memory.seed("dilated"))
    length_col.slider(t("more.stack_length"), *LIMITS["stack_length"], **memory.seed("stack_length"))
    length = int(memory.get("stack_length"))
    memory.clamp("stack_output", 0, length - 1)
    output_col.slider(t("more.stack_output"), 0, length - 1, **memory.seed("stack_output"))
    current = {**values, **{name: memory.get(name) for name in ("layers", "dilated", "stack_length", "stack_output")}}
    try:
        stack = view.stack_of(current)
    except MessageError as exc:
        ui.show_error(exc)
        return
    names = [t("more.level_input")] + [
        t("more.level_layer", n=n, d=d, field=field)
        for n, (d, field) in enumerate(zip(stack.dilations, stack.receptive_fields, strict=True), start=1)
    ]
    ui.plotly_figure(view.stack_figure(stack, names, t("more.stack_hover")), key="more_stack")
    fields = ", ".join(map(str, stack.receptive_fields))
    dilations = ", ".join(map(str, stack.dilations))
    st.markdown(
        t("more.stack_fields", dilations=dilations, fields=fields, output=stack.output, inputs=len(stack.feeds[0]))
    )
