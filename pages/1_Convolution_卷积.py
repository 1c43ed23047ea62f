"""Convolution playground: watch a kernel slide and see every output value being made."""

from __future__ import annotations

from dataclasses import asdict
from functools import partial

import streamlit as st

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.i18n import teaching
from vizconv.i18n.strings import Count, Term
from vizconv.inputs.images import picture_size
from vizconv.inputs.kernels import KERNEL_PRESETS, LEARNED_PRESETS, VARIED_ORDER
from vizconv.inputs.samples import SAMPLES
from vizconv.ops.geometry import PADDING_MODES, index_ranges
from vizconv.ui import sections
from vizconv.views import convolution as view  # what the page computes
from vizconv.viz.animator import SPEEDS, conv_animator_data
from vizconv.viz.export import animation_gif, file_name, gif_positions, step_csv
from vizconv.viz.formulas import COMMON_MISTAKE_LATEX, output_size_latex
from vizconv.viz.steps import step_latex, window_span
from vizconv.viz.torch_code import check_with_torch, conv2d_script

t = ui.t
state = st.session_state
DEFAULTS = view.PlaygroundSettings()

ui.page_setup("conv.title", "🔲")

# What a link carries (?conv_stride_h=2 ...): each setting with the values a URL may give it.
SHARED = {
    "source": ui.OneOf(("sample", "random", "upload")),
    "sample": ui.OneOf(tuple(SAMPLES)),
    "colour": ui.Flag(),
    "padding_kind": ui.OneOf(("number", "same", "valid")),
    "padding_mode": ui.OneOf(PADDING_MODES),
    "bias": ui.Flag(),
    "preset": ui.OneOf((view.EXAMPLE_PRESET, *KERNEL_PRESETS, *LEARNED_PRESETS)),
    "varied": ui.Flag(),
    "speed": ui.OneOf(SPEEDS),
    **{name: ui.Whole(*bounds) for name, bounds in view.LIMITS.items() if name not in view.PAIRS},
    **{f"{name}_{axis}": ui.Whole(*view.LIMITS[name]) for name in view.PAIRS for axis in "hw"},
    **sections.quiz.SHARED,  # the quiz: on, its seed and question number
}
memory = ui.WidgetMemory("conv", {**asdict(DEFAULTS), "speed": 4, "edit_oc": 0, "edit_ic": 0}, shared=SHARED)
header = st.container(horizontal=True, vertical_alignment="center")  # the notes, the quiz switch beside
teaching.show_notes("conv", ui.lang(), header)


def _apply_sample() -> None:
    memory.set(**view.sample_settings(state.conv_sample, memory.get("preset")))
    if not SAMPLES[state.conv_sample].is_image:
        state.conv_position = 0


# A link opened: its settings, over the ones its sample brings (a hand-written link may name only a few).
linked = memory.from_url()
if linked:
    if linked.get("source", memory.get("source")) == "sample":
        linked = view.sample_settings(linked.get("sample", memory.get("sample")), memory.get("preset")) | linked
    memory.restore(**linked)
    state.conv_upload_from_link = linked.get("source") == "upload"


# ---------------------------------------------------------------- controls (sidebar)
upload = None
with st.sidebar:  # the same layer along 1 or 3 axes, and depthwise-separable (off the main column's first screen)
    st.page_link("pages/8_More_convolutions_更多卷积.py", label=t("conv.more_link"), icon="🧊")
    st.header(t("conv.input"))
    # catalogue: conv.source.sample, conv.source.random, conv.source.upload
    source = ui.choice(memory, "source", t("conv.source"), ("sample", "random", "upload"), "conv.source.")
    picture = colours = False  # a picture to scale (the side slider); one with colour (the colour switch)
    if source == "sample":
        # catalogue: sample.<…> (30 keys: sample.digit_7 … sample.cifar_truck)
        sample_key = ui.choice(
            memory, "sample", t("conv.sample"), list(SAMPLES), "sample.", radio=False, on_change=_apply_sample
        )
        # catalogue: sample.about.<key> where it exists (sample.about.d2l_3x3, …)
        about = ui.t_or(f"sample.about.{sample_key}", None)
        if about:
            st.caption(about)
        picture, colours = SAMPLES[sample_key].is_image, SAMPLES[sample_key].is_colour
    elif source == "random":
        st.slider(t("conv.random_channels"), *view.LIMITS["random_channels"], **memory.seed("random_channels"))
        left, right = st.columns(2)
        left.number_input(t("conv.random_height"), *view.LIMITS["random_height"], **memory.seed("random_height"))
        right.number_input(t("conv.random_width"), *view.LIMITS["random_width"], **memory.seed("random_width"))
        st.number_input(t("conv.seed"), *view.LIMITS["random_seed"], **memory.seed("random_seed"))
    else:
        upload = ui.image_uploader("conv_upload")
        picture = colours = True
    if picture:
        st.slider(t("conv.side"), *view.LIMITS["side"], help=t("conv.side_help"), **memory.seed("side"))
    if colours:  # a grey photo or a digit has one channel: the switch would do nothing
        st.toggle(t("conv.colour"), help=t("conv.colour_help"), **memory.seed("colour"))

    st.header(t("conv.layer"))
    st.slider(
        t("conv.out_channels"),
        *view.LIMITS["out_channels"],
        help=t("conv.out_channels_help"),
        **memory.seed("out_channels"),
    )
    kernel = ui.pair_input(memory, t("conv.kernel"), "kernel", view.LIMITS["kernel"])
    stride = ui.pair_input(memory, t("conv.stride"), "stride", view.LIMITS["stride"])
    # catalogue: conv.padding.number, conv.padding.same, conv.padding.valid
    padding_kind = ui.choice(memory, "padding_kind", t("conv.padding"), ("number", "same", "valid"), "conv.padding.")
    padding = ui.pair_input(
        memory, t("conv.padding_amount"), "padding", view.LIMITS["padding"], disabled=padding_kind != "number"
    )
    # catalogue: conv.mode.zeros, conv.mode.reflect, conv.mode.replicate, conv.mode.circular
    ui.choice(memory, "padding_mode", t("conv.padding_mode"), PADDING_MODES, "conv.mode.", radio=False)
    dilation = ui.pair_input(memory, t("conv.dilation"), "dilation", view.LIMITS["dilation"])
    st.number_input(t("conv.groups"), *view.LIMITS["groups"], help=t("conv.groups_help"), **memory.seed("groups"))
    st.toggle(t("conv.bias"), **memory.seed("bias"))

    st.header(t("conv.kernels"))
    presets = view.kernel_presets(kernel, sample_key if source == "sample" else None)
    if memory.get("preset") not in presets:
        memory.set(preset=presets[0] if presets[0] == view.EXAMPLE_PRESET else "identity")
    # catalogue: preset.<…> (13 keys: preset.example … preset.resnet20_conv1)
    preset = ui.choice(memory, "preset", t("conv.preset"), presets, "preset.", radio=False)
    st.toggle(
        t("conv.varied"),
        disabled=preset not in VARIED_ORDER,  # random and learned kernels already differ per kernel
        help=t("conv.varied_help"),
        **memory.seed("varied"),
    )
    if preset.startswith("random"):
        st.number_input(t("conv.seed"), *view.LIMITS["kernel_seed"], **memory.seed("kernel_seed"))

sections.quiz.show(memory, header)  # predict, then reveal: at the top of the main column, when switched on
values = memory.sync()
settings = view.PlaygroundSettings(**{name: values[name] for name in view.PlaygroundSettings.__dataclass_fields__})
# The link (the position and kernel are clamped below; a link's receiver clamps them the same way).
notes = (t("share.kernel_note"),) + ((t("share.upload_note"),) if source == "upload" else ())
show_link = ui.share_box(memory.publish(view.unused_settings(settings)), notes)

# ---------------------------------------------------------------- input and weights
try:
    x = view.build_input(settings, ui.uploaded_picture(upload, "conv_upload") if upload is not None else None)
except MessageError as exc:
    if source == "upload" and upload is None:
        ui.upload_prompt("conv")
    else:
        ui.show_error(exc)
    st.stop()
state.conv_upload_from_link = False  # the link's request for a picture is answered (or was never made)
if source == "upload" and max(x.shape[1:]) > (original := max(picture_size(upload.getvalue()))):
    pixels = Count("count.pixels", original)
    st.info(t("conv.upload_enlarged", original=original, pixels=pixels, side=settings.side), icon="🔍")

in_channels = x.shape[0]
signature = view.weight_signature(settings, in_channels)
if settings.preset == view.EXAMPLE_PRESET and view.example_kernel(settings, signature[4]) is None:  # [4]: C_in/groups
    st.info(t("conv.example_mismatch"), icon="ℹ️")
# On a projector the animation comes first, with its step panel: filled once the trace is computed below.
live_slot, panel_slot = st.container(), st.container()
weight, bias = ui.editable_weights(  # (C_out, C_in/groups, kH, kW), (C_out,): the kernel editor below
    memory,
    "conv",
    signature,
    lambda: (view.default_weight(settings, in_channels), view.default_bias(settings, in_channels)),
    ((t("conv.edit_kernel"), "edit_oc"), (t("conv.edit_channel"), "edit_ic")),
    settings.bias,
    hide_index=False,
)

# ---------------------------------------------------------------- the convolution
try:
    trace = view.run_playground(settings, x, weight, bias)
except MessageError as exc:
    ui.show_error(exc)
    st.stop()

h_out, w_out = trace.out_size
top, bottom, left_pad, right_pad = trace.pads
formulas = [
    output_size_latex("H", x.shape[1], kernel[0], stride[0], top, bottom, dilation[0]),
    output_size_latex("W", x.shape[2], kernel[1], stride[1], left_pad, right_pad, dilation[1]),
]
box = ui.formula_box(t("conv.formula"), formulas, t("conv.mistake", wrong=COMMON_MISTAKE_LATEX))
# catalogue: conv.unread_row, conv.unread_rows, conv.unread_col, conv.unread_cols ("rows 1–4, 6–9")
unread = [
    t(f"conv.unread_{axis}{'s' * (len(lines) > 1)}", lines=index_ranges(lines))
    for axis, lines in view.unread_lines(trace)
]
if unread:  # the animator's ✕ marks each cell (one diagonal in a small cell)
    what, mark = t("conv.unread_and").join(unread), Term("anim.mark.cross")
    box.warning(t("conv.unread", what=what, mark=mark), icon="✖️")

# position (row-major index over the output) shared by the animation and the step panel
positions = trace.positions
if "conv_position" not in state:  # the page opens on a window that teaches something, not a blank corner
    state.conv_position = view.opening_position(trace.output)
steps = ui.stepper("conv_position", "conv_step_oc", "conv_animation", positions, trace.out_channels, w_out)

live_slot.subheader(t("conv.animation"))
with live_slot:
    steps.live(partial(conv_animator_data, trace), memory)
live_slot.caption(t("conv.animation_help", frames=Count("count.window_positions", positions)))

# ---------------------------------------------------------------- step panel
panel = steps.panel(t("conv.step"), "conv_step_panel", t("conv.step_kernel"), t("conv.position_help"), panel_slot)
oy, ox = trace.position(steps.position)
step = trace.step(steps.channel, oy, ox)
with panel.container(border=True):
    st.markdown(t("conv.step_where", oc=step.oc, oy=oy, ox=ox, **window_span(step.rows, step.cols)))
    for line in step_latex(step, trace.bias is not None):
        st.latex(line)
    st.caption(t("conv.step_check", value=f"{float(trace.output[step.oc, oy, ox]):.6g}"))
sections.conv_matrix.show(trace, step.oc, oy, ox)  # the same layer as W·X and as y = M·vec(x), for small inputs
# the address bar and the box: the position and kernel, clamped to this output
show_link(memory.publish(view.unused_settings(settings)))

# ---------------------------------------------------------------- downloads (for these settings)
st.markdown(f"**{t('export.header')}**")
gif_col, csv_col = st.columns(2)
ui.download(
    "gif",
    partial(animation_gif, trace, frame_ms=int(1000 / ui.animator_speed(memory))),  # drawn on click
    file_name("convolution", *x.shape, f"k{kernel[0]}x{kernel[1]}", f"s{stride[0]}x{stride[1]}", ext="gif"),
    "conv_download_gif",
    where=gif_col,
    frames=Count("count.frames", len(gif_positions(positions))),
)
ui.download(
    "csv",
    step_csv(step, ui.lang()),
    file_name("convolution_step", f"y{step.oc}", oy, ox, ext="csv"),
    "conv_download_csv",
    where=csv_col,
)

# ---------------------------------------------------------------- shapes and code
st.subheader(t("conv.shapes"))
ui.metric_row([(t(key), t("conv.none") if value is None else value) for key, value in view.layer_shapes(trace)])
ui.pytorch_code(conv2d_script, trace, "convolution", "conv_download_script")
ui.torch_verdict(check_with_torch(trace), float(trace.output.abs().max()), "conv.torch_match", "conv.torch_mismatch")
