"""Transposed convolution: each input value scatters value × kernel, or, the same, a convolution of a zero-inserted input."""

from __future__ import annotations

from dataclasses import asdict

import streamlit as st
import torch

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.i18n import teaching
from vizconv.i18n.strings import Count
from vizconv.ops.transposed import EXAMPLES, PRESETS, layer_weight, trace_conv_transpose2d
from vizconv.ui import sections
from vizconv.views.transposed import (
    LIMITS,
    VIEWS,
    TransposedSettings,
    build_input,
    example_mismatch,
    example_settings,
    output_padding_choices,
    unused_settings,
    weight_signature,
)
from vizconv.viz.animator import SPEEDS
from vizconv.viz.formulas import transposed_output_size_latex
from vizconv.viz.torch_code import conv_transpose2d_script, run_transpose_code

t = ui.t
state = st.session_state

ui.page_setup("tconv.title", "🔳")
# What a link carries (?tconv_stride=2 ...): each setting with the values a URL may give it. The stepped positions
# and channels are state keys (tconv_position, tconv_eq_position, ...) that the page clamps to the output.
SHARED = {
    "source": ui.OneOf(("example", "random")),
    "example": ui.OneOf(tuple(EXAMPLES)),
    "bias": ui.Flag(),
    "preset": ui.OneOf(PRESETS),
    "view": ui.OneOf(VIEWS),
    "speed": ui.OneOf(SPEEDS),
    **{name: ui.Whole(*bounds) for name, bounds in LIMITS.items()},
    **sections.quiz.SHARED,  # the quiz: on, its seed and question number
}
memory = ui.WidgetMemory("tconv", asdict(TransposedSettings()), shared=SHARED)
header = st.container(horizontal=True, vertical_alignment="center")  # the notes, the quiz switch beside
teaching.show_notes("tconv", ui.lang(), header)


def _apply_example() -> None:
    memory.set(**example_settings(state.tconv_example))


# A link opened: its settings, over the ones its example brings (a hand-written link may name only a few).
linked = memory.from_url()
if linked:
    if linked.get("source", memory.get("source")) == "example":
        linked = example_settings(linked.get("example", memory.get("example"))) | linked
    memory.restore(**linked)


# ---------------------------------------------------------------- controls (sidebar)
with st.sidebar:
    st.header(t("tconv.input"))
    # catalogue: tconv.source.example, tconv.source.random
    source = ui.choice(memory, "source", t("tconv.source"), ("example", "random"), "tconv.source.")
    if source == "example":
        # catalogue: tconv.example.d2l_2x2, tconv.example.dumoulin_stride2
        ui.choice(
            memory,
            "example",
            t("tconv.example"),
            list(EXAMPLES),
            "tconv.example.",
            radio=False,
            on_change=_apply_example,
        )
        # catalogue: tconv.example.about.d2l_2x2, tconv.example.about.dumoulin_stride2
        st.caption(t("tconv.example.about." + memory.get("example")))
    else:
        st.slider(t("tconv.channels"), *LIMITS["channels"], **memory.seed("channels"))
        left, right = st.columns(2)
        left.number_input(t("tconv.height"), *LIMITS["height"], **memory.seed("height"))
        right.number_input(t("tconv.width"), *LIMITS["width"], **memory.seed("width"))
        st.number_input(t("tconv.seed"), *LIMITS["seed"], **memory.seed("seed"))

    st.header(t("tconv.layer"))
    st.slider(t("tconv.out_channels"), *LIMITS["out_channels"], **memory.seed("out_channels"))
    for pair in (("kernel", "stride"), ("padding", "output_padding"), ("dilation", "groups")):
        for column, name in zip(st.columns(2), pair, strict=True):
            # catalogue: tconv.<name> for the six settings; tconv.padding_help, tconv.output_padding_help, tconv.groups_help
            helps = ui.t_or(f"tconv.{name}_help", None)
            column.number_input(t("tconv." + name), *LIMITS[name], help=helps, **memory.seed(name))
    st.toggle(t("tconv.bias"), **memory.seed("bias"))

    st.header(t("tconv.kernels"))
    presets = [p for p in PRESETS if p != "example" or source == "example"]
    # catalogue: tconv.preset.<…> (5 keys: tconv.preset.example … tconv.preset.random_int)
    preset = ui.choice(memory, "preset", t("tconv.preset"), presets, "tconv.preset.", radio=False)
    if preset == "random_int":
        st.number_input(t("tconv.seed"), *LIMITS["kernel_seed"], **memory.seed("kernel_seed"))

sections.quiz.show(memory, header)  # predict, then reveal: at the top of the main column, when switched on
values = memory.sync()
# The link (the positions are clamped below, and the link shown again then); the view's radio is drawn below.
show_link = ui.share_box(memory.publish(unused_settings(values)), (t("share.kernel_note"),))

# ---------------------------------------------------------------- input and weights
x = build_input(values)  # (C_in, H, W)
in_channels, kernel = x.shape[0], int(values["kernel"])
signature = weight_signature(values, in_channels)
if shapes := example_mismatch(values, in_channels):  # the example's kernel only fits the example's own layer
    st.info(t("tconv.example_mismatch", own=shapes[0], needed=shapes[1]), icon="ℹ️")
example = values["example"] if source == "example" else ""
try:
    weight, bias = ui.editable_weights(  # (C_in, C_out/groups, k, k), (C_out,): the kernel editor below
        memory,
        "tconv",
        signature,
        lambda: (
            layer_weight(
                preset, in_channels, values["out_channels"], values["groups"], kernel, values["kernel_seed"], example
            ),
            torch.ones(values["out_channels"]),
        ),
        ((t("tconv.edit_input"), "edit_ic"), (t("tconv.edit_output"), "edit_oc")),
        values["bias"],
    )
except MessageError as exc:
    ui.show_error(exc)
    st.stop()

# ---------------------------------------------------------------- the transposed convolution
stride, padding, output_padding, dilation = (
    int(values[name]) for name in ("stride", "padding", "output_padding", "dilation")
)
try:
    trace = trace_conv_transpose2d(
        x,
        weight,
        bias if values["bias"] else None,
        stride=stride,
        padding=padding,
        output_padding=output_padding,
        groups=int(values["groups"]),
        dilation=dilation,
    )
except MessageError as exc:
    ui.show_error(exc)
    st.stop()

h_out, w_out = trace.out_size
torch_output = run_transpose_code(trace)  # (C_out, H_out, W_out): what nn.ConvTranspose2d gives, for every check
formulas = [
    transposed_output_size_latex(symbol, size, kernel, stride, padding, output_padding, dilation)
    for symbol, size in (("H", x.shape[1]), ("W", x.shape[2]))
]
box = ui.formula_box(t("tconv.formula"), formulas, t("tconv.symbols"))
box.info(t("tconv.not_inverse"), icon="↩️")
if sizes := output_padding_choices(x.shape[1], kernel, stride, padding, dilation):  # conv maps these sizes to H
    rows = Count("count.rows", x.shape[1])
    box.caption(t("tconv.output_padding_why", rows=rows, low=sizes[0], high=sizes[1], stride=stride))

# ---------------------------------------------------------------- shapes
c_out = trace.out_channels
ui.metric_row(
    [
        (t("tconv.shape_input"), f"[{in_channels}, {x.shape[1]}, {x.shape[2]}]"),
        (t("tconv.shape_weight"), "[{}, {}, {}, {}]".format(*trace.weight.shape)),
        (t("tconv.shape_output"), f"[{c_out}, {h_out}, {w_out}]"),
        (t("tconv.params"), f"{trace.param_count:,}"),
    ]
)

# ---------------------------------------------------------------- the two views
# catalogue: tconv.view.scatter, tconv.view.equivalent
view = ui.choice(memory, "view", t("tconv.view"), VIEWS, "tconv.view.")
sections.transposed_view(view).show(memory, trace, torch_output)  # vizconv/ui/sections/scatter.py, equivalent.py
sections.transposed_matrix.show(trace)  # the layer as T = Mᵀ, and M·Mᵀ ≠ I
show_link(memory.publish(unused_settings(memory.sync())))  # the address bar and the box: positions now clamped
# the address bar and the box: the positions, now clamped to this output

# ---------------------------------------------------------------- the same layer in PyTorch
st.subheader(t("tconv.torch"))
ui.pytorch_code(conv_transpose2d_script, trace, "transposed_convolution", "tconv_download_script")
ui.torch_verdict(
    float((torch_output - trace.output).abs().max()),
    float(trace.output.abs().max()),
    "tconv.torch_match",
    "tconv.torch_mismatch",
)
