"""Learning page, lesson 1: the backward pass of one convolution layer. A loss of the layer's output; its weight
gradient as the output gradient sliding over the input, its input gradient as the output gradient scattered back
through the kernel (a transposed convolution), its bias gradient; each value a sum of products, checked against
autograd."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

import streamlit as st

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.inputs.kernels import KERNEL_PRESETS, available_presets
from vizconv.ops.backward import ConvBackwardTrace
from vizconv.ops.geometry import PADDING_MODES
from vizconv.ui.sections.inputs import Lesson
from vizconv.views import learning as view
from vizconv.viz.charts import colour_range, heatmap_figure

t = ui.t
state = st.session_state


def sidebar(memory: ui.WidgetMemory) -> view.BackwardSettings:
    """The layer (the Convolution page's settings on a small random grid) and the loss, from the sidebar."""
    limits = view.LIMITS
    conv_values = state.get("conv_memory")  # the Convolution page's settings, once it has been opened
    if st.button(t("back.take_conv"), disabled=conv_values is None, help=t("back.take_conv_help"), key="learn_take"):
        memory.set(**view.from_convolution_page(conv_values))
    st.header(t("back.input"))
    st.slider(t("conv.random_channels"), *limits["random_channels"], **memory.seed("random_channels"))
    left, right = st.columns(2)
    left.number_input(t("conv.random_height"), *limits["random_height"], **memory.seed("random_height"))
    right.number_input(t("conv.random_width"), *limits["random_width"], **memory.seed("random_width"))
    st.number_input(t("conv.seed"), *limits["random_seed"], **memory.seed("random_seed"))
    st.header(t("back.layer"))
    st.slider(t("conv.out_channels"), *limits["out_channels"], **memory.seed("out_channels"))
    kernel = ui.pair_input(memory, t("conv.kernel"), "kernel", limits["kernel_h"])
    ui.pair_input(memory, t("conv.stride"), "stride", limits["stride_h"])
    # catalogue: conv.padding.number, conv.padding.same, conv.padding.valid
    kind = ui.choice(memory, "padding_kind", t("conv.padding"), ("number", "same", "valid"), "conv.padding.")
    ui.pair_input(memory, t("conv.padding_amount"), "padding", limits["padding_h"], disabled=kind != "number")
    # catalogue: conv.mode.zeros, conv.mode.reflect, conv.mode.replicate, conv.mode.circular
    ui.choice(memory, "padding_mode", t("conv.padding_mode"), PADDING_MODES, "conv.mode.", radio=False)
    ui.pair_input(memory, t("conv.dilation"), "dilation", limits["dilation_h"])
    st.number_input(t("conv.groups"), *limits["groups"], help=t("conv.groups_help"), **memory.seed("groups"))
    st.toggle(t("conv.bias"), **memory.seed("bias"))
    presets = [name for name in available_presets(*kernel) if name in KERNEL_PRESETS]
    # catalogue: preset.<…> (13 keys: preset.example … preset.resnet20_conv1)
    preset = ui.choice(memory, "preset", t("conv.preset"), presets, "preset.", radio=False)
    if preset.startswith("random"):
        st.number_input(t("conv.seed"), *limits["kernel_seed"], **memory.seed("kernel_seed"))
    st.header(t("back.loss"))
    # catalogue: back.loss.sum, back.loss.cell, back.loss.mse
    loss = ui.choice(memory, "loss", t("back.loss_pick"), view.LOSSES, "back.loss.", radio=False)
    if loss == "mse":  # the classic kernels that fit this kernel size (Sobel needs 3×3)
        targets = [name for name in view.TARGET_PRESETS if name in available_presets(*kernel)]
        # catalogue: preset.<…> (13 keys: preset.example … preset.resnet20_conv1)
        ui.choice(memory, "target", t("back.target"), targets, "preset.", radio=False)
    values = memory.sync()
    return view.BackwardSettings(**{name: values[name] for name in view.BackwardSettings.__dataclass_fields__})


def show(lesson: Lesson) -> None:
    """The lesson: the loss, then ∂L/∂w, ∂L/∂x and ∂L/∂b, each value explained, and autograd's verdict."""
    memory = lesson.memory
    with st.sidebar:
        settings = sidebar(memory)
    try:
        trace = view.forward_pass(settings)
        if settings.loss == "cell":  # the output value the loss is, within the output
            settings = replace(settings, **_pick_cell(memory, trace.output.shape))
        back, loss = view.backward_pass(trace, settings)
    except MessageError as exc:
        ui.show_error(exc)
        return
    _loss(back, loss)
    _weight_gradient(memory, back)
    _input_gradient(memory, back)
    _bias_gradient(back)
    magnitude = max(float(g.abs().max()) for g in (back.grad_input, back.grad_weight))
    ui.torch_verdict(view.autograd_difference(back), magnitude, "back.autograd_match", "back.autograd_mismatch")


def _pick_cell(memory: ui.WidgetMemory, shape: tuple[int, int, int]) -> dict:
    """The output value the loss is: three number inputs within the output's ``shape``; their values."""
    picked = {}
    for column, name, size in zip(st.columns(3), ("cell_oc", "cell_oy", "cell_ox"), shape, strict=True):
        memory.clamp(name, 0, size - 1)
        # catalogue: back.cell_oc, back.cell_oy, back.cell_ox
        picked[name] = int(column.number_input(t(f"back.{name}"), 0, size - 1, **memory.seed(name)))
    return picked


def _loss(back: ConvBackwardTrace, loss: view.Loss) -> None:
    """The loss's formula and value, and the maps it starts from: y, the target (mean squared error), ∂L/∂y."""
    # catalogue: back.loss_caption.sum, back.loss_caption.cell, back.loss_caption.mse
    ui.formula_box(t("back.loss_title"), view.loss_latex(loss), t(f"back.loss_caption.{loss.name}"))
    maps = [(back.forward.output, "back.map.y"), (back.grad_output, "back.map.grad_output")]
    if loss.target is not None:
        maps.insert(1, (loss.target, "back.map.target"))
    channel = 0  # the first output channel: the maps of the others are in the animators below
    for column, (values, key) in zip(st.columns(len(maps)), maps, strict=True):
        with column:  # catalogue: back.map.y, back.map.target, back.map.grad_output
            figure = heatmap_figure(values[channel], t(key, c=channel), colour_range(values[channel]), columns=3)
            ui.plotly_figure(figure, key=f"learn_{key}")


def _weight_gradient(memory: ui.WidgetMemory, back: ConvBackwardTrace) -> None:
    """∂L/∂w: the live animator of the correlation, and one weight's gradient as its sum of products."""
    weight_conv = back.weight_conv
    kw = weight_conv.out_size[1]
    st.subheader(t("back.weight_title"))
    st.caption(t("back.weight_help", s=back.forward.stride[0], d=back.forward.dilation[0]))
    steps = ui.stepper(
        "learn_w_position", "learn_w_channel", "learn_w_animation", weight_conv.positions, weight_conv.out_channels, kw
    )
    steps.live(partial(view.weight_gradient_animator, back), memory)
    names = ["w[{}, {}]".format(*view.weight_channel(back, k)) for k in range(weight_conv.out_channels)]
    panel = steps.panel(
        t("back.weight_step"), "learn_w_panel", t("back.weight_channel"), channel_names=names.__getitem__
    )
    oc, ic = view.weight_channel(back, steps.channel)
    i, j = divmod(steps.position, kw)
    step = back.weight_step(oc, ic, i, j)
    with panel.container(border=True):
        st.markdown(t("back.weight_where", oc=oc, ic=ic, i=i, j=j, c=step.channel))
        st.latex(view.weight_step_latex(step))


def _input_gradient(memory: ui.WidgetMemory, back: ConvBackwardTrace) -> None:
    """∂L/∂x: the live animator of the transposed convolution, and one input cell's gradient as its sum."""
    f = back.forward
    st.subheader(t("back.input_title"))
    # catalogue: back.input_help.zeros, back.input_help.reflect, back.input_help.replicate, back.input_help.circular
    st.caption(t(f"back.input_help.{f.padding_mode}"))
    transposed = back.transposed
    steps = ui.stepper(
        "learn_x_position", "learn_x_channel", "learn_x_animation", transposed.positions, f.out_channels, f.out_size[1]
    )
    steps.live(partial(view.input_gradient_animator, back), memory)
    st.subheader(t("back.input_step"))
    c_in, h, w = f.input.shape
    picked = []
    for column, (name, size) in zip(
        st.columns(3), (("learn_x_ic", c_in), ("learn_x_y", h), ("learn_x_x", w)), strict=True
    ):
        state[name] = min(int(state.get(name, 0)), size - 1)
        # catalogue: back.learn_x_ic, back.learn_x_y, back.learn_x_x
        picked.append(int(column.number_input(t(f"back.{name}"), 0, size - 1, key=name)))
    step = back.input_step(*picked)
    with st.container(border=True, key="learn_x_panel"):
        st.latex(view.input_step_latex(step, f.weight.shape[1]))
        if len(step.padding_cells):
            cells = ", ".join(f"({r}, {c})" for r, c in step.padding_cells.tolist())
            st.caption(t("back.input_folded", cells=cells, mode=f.padding_mode))


def _bias_gradient(back: ConvBackwardTrace) -> None:
    """∂L/∂b: each output channel's gradient summed."""
    if back.grad_bias is None:
        return
    st.subheader(t("back.bias_title"))
    for oc in range(back.forward.out_channels):
        st.latex(view.bias_latex(back.bias_step(oc)))
