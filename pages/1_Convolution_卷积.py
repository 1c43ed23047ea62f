"""Convolution playground: watch a kernel slide and see every output value being made."""

from __future__ import annotations

from dataclasses import asdict
from functools import partial

import numpy as np
import streamlit as st
import torch

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.i18n import teaching
from vizconv.i18n.strings import Count, Term
from vizconv.inputs.images import picture_size
from vizconv.inputs.kernels import KERNEL_PRESETS, LEARNED_PRESETS, VARIED_ORDER, available_presets
from vizconv.inputs.samples import SAMPLES
from vizconv.ops.geometry import PADDING_MODES, index_ranges
from vizconv.views.convolution import (
    EXAMPLE_PRESET,
    LIMITS,
    PlaygroundSettings,
    build_input,
    default_bias,
    default_weight,
    example_kernel,
    opening_position,
    run_playground,
)
from vizconv.viz.animator import SPEEDS, conv_animator_data
from vizconv.viz.export import animation_gif, file_name, gif_positions, step_csv
from vizconv.viz.formulas import COMMON_MISTAKE_LATEX, output_size_latex
from vizconv.viz.steps import step_latex
from vizconv.viz.torch_code import check_with_torch, conv2d_script

t = ui.t
state = st.session_state
DEFAULTS = PlaygroundSettings()

ui.page_setup("conv.title", "🔲")

# What a link carries (?conv_stride_h=2 ...): each setting with the values a URL may give it.
SHARED = {
    "source": ui.OneOf(("sample", "random", "upload")),
    "sample": ui.OneOf(tuple(SAMPLES)),
    "side": ui.Whole(*LIMITS["side"]),
    "colour": ui.Flag(),
    "random_channels": ui.Whole(*LIMITS["random_channels"]),
    "random_height": ui.Whole(*LIMITS["random_size"]),
    "random_width": ui.Whole(*LIMITS["random_size"]),
    "random_seed": ui.Whole(*LIMITS["seed"]),
    "out_channels": ui.Whole(*LIMITS["out_channels"]),
    **{
        f"{name}_{axis}": ui.Whole(*LIMITS[name])
        for name in ("kernel", "stride", "padding", "dilation")
        for axis in "hw"
    },
    "padding_kind": ui.OneOf(("number", "same", "valid")),
    "padding_mode": ui.OneOf(PADDING_MODES),
    "groups": ui.Whole(1, 8),
    "bias": ui.Flag(),
    "preset": ui.OneOf((EXAMPLE_PRESET, *KERNEL_PRESETS, *LEARNED_PRESETS)),
    "varied": ui.Flag(),
    "kernel_seed": ui.Whole(*LIMITS["seed"]),
    "speed": ui.OneOf(SPEEDS),
    "position": ui.Whole(0, 99_999),  # state keys conv_position and conv_step_oc: the page clamps them
    "step_oc": ui.Whole(0, LIMITS["out_channels"][1] - 1),
}
memory = ui.WidgetMemory("conv", {**asdict(DEFAULTS), "speed": 4, "edit_oc": 0, "edit_ic": 0}, shared=SHARED)
teaching.show_notes("conv", ui.lang(), st)


def _sample_settings(key: str) -> dict:
    """A classroom grid brings its own kernel, stride and padding; an image its usual size."""
    sample = SAMPLES[key]
    if sample.is_image:
        return {"side": sample.default_side} | (
            {"preset": DEFAULTS.preset} if memory.get("preset") == EXAMPLE_PRESET else {}
        )
    c_out, _, kh, kw = np.array(sample.weight).shape
    stride = sample.settings.get("stride", 1)
    padding = sample.settings.get("padding", 0)
    return {
        "out_channels": c_out,
        "kernel_h": kh,
        "kernel_w": kw,
        "stride_h": stride,
        "stride_w": stride,
        "padding_kind": "number",
        "padding_h": padding,
        "padding_w": padding,
        "padding_mode": "zeros",
        "dilation_h": 1,
        "dilation_w": 1,
        "groups": 1,
        "bias": bool(sample.bias),
        "preset": EXAMPLE_PRESET,
    }


def _apply_sample() -> None:
    memory.set(**_sample_settings(state.conv_sample))
    if not SAMPLES[state.conv_sample].is_image:
        state.conv_position = 0


# A link opened: its settings, over the ones its sample brings (a hand-written link may name only a few).
linked = memory.from_url()
if linked:
    if linked.get("source", memory.get("source")) == "sample":
        linked = _sample_settings(linked.get("sample", memory.get("sample"))) | linked
    memory.restore(**linked)
    state.conv_upload_from_link = linked.get("source") == "upload"


# ---------------------------------------------------------------- controls (sidebar)
upload = None
with st.sidebar:
    st.header(t("conv.input"))
    sources = ("sample", "random", "upload")
    source = st.radio(
        t("conv.source"),
        sources,
        horizontal=True,
        # catalogue: conv.source.sample, conv.source.random, conv.source.upload
        **memory.seed("source", sources, ui.labels("conv.source.")),
    )
    picture = colours = False  # a picture to scale (the side slider); one with colour (the colour switch)
    if source == "sample":
        sample_keys = list(SAMPLES)
        sample_key = st.selectbox(
            t("conv.sample"),
            sample_keys,
            on_change=_apply_sample,
            # catalogue: sample.<…> (30 keys: sample.digit_7 … sample.cifar_truck)
            **memory.seed("sample", sample_keys, ui.labels("sample.")),
        )
        # catalogue: sample.about.<key> where it exists (sample.about.d2l_3x3, …)
        about = ui.t_or(f"sample.about.{sample_key}", None)
        if about:
            st.caption(about)
        picture, colours = SAMPLES[sample_key].is_image, SAMPLES[sample_key].is_colour
    elif source == "random":
        st.slider(t("conv.random_channels"), *LIMITS["random_channels"], **memory.seed("random_channels"))
        left, right = st.columns(2)
        left.number_input(t("conv.random_height"), *LIMITS["random_size"], **memory.seed("random_height"))
        right.number_input(t("conv.random_width"), *LIMITS["random_size"], **memory.seed("random_width"))
        st.number_input(t("conv.seed"), *LIMITS["seed"], **memory.seed("random_seed"))
    else:
        upload = ui.image_uploader("conv_upload")
        picture = colours = True
    if picture:
        st.slider(t("conv.side"), *LIMITS["side"], help=t("conv.side_help"), **memory.seed("side"))
    if colours:  # a grey photo or a digit has one channel: the switch would do nothing
        st.toggle(t("conv.colour"), help=t("conv.colour_help"), **memory.seed("colour"))

    st.header(t("conv.layer"))
    st.slider(
        t("conv.out_channels"), *LIMITS["out_channels"], help=t("conv.out_channels_help"), **memory.seed("out_channels")
    )
    kernel = ui.pair_input(memory, t("conv.kernel"), "kernel", LIMITS["kernel"])
    stride = ui.pair_input(memory, t("conv.stride"), "stride", LIMITS["stride"])
    padding_kinds = ("number", "same", "valid")
    padding_kind = st.radio(
        t("conv.padding"),
        padding_kinds,
        horizontal=True,
        # catalogue: conv.padding.number, conv.padding.same, conv.padding.valid
        **memory.seed("padding_kind", padding_kinds, ui.labels("conv.padding.")),
    )
    padding = ui.pair_input(
        memory, t("conv.padding_amount"), "padding", LIMITS["padding"], disabled=padding_kind != "number"
    )
    st.selectbox(
        t("conv.padding_mode"),
        PADDING_MODES,
        # catalogue: conv.mode.zeros, conv.mode.reflect, conv.mode.replicate, conv.mode.circular
        **memory.seed("padding_mode", PADDING_MODES, ui.labels("conv.mode.")),
    )
    dilation = ui.pair_input(memory, t("conv.dilation"), "dilation", LIMITS["dilation"])
    st.number_input(t("conv.groups"), 1, 8, help=t("conv.groups_help"), **memory.seed("groups"))
    st.toggle(t("conv.bias"), **memory.seed("bias"))

    st.header(t("conv.kernels"))
    presets = list(available_presets(*kernel))
    if source == "sample" and SAMPLES[sample_key].weight:
        presets.insert(0, EXAMPLE_PRESET)
    if memory.get("preset") not in presets:
        memory.set(preset=presets[0] if presets[0] == EXAMPLE_PRESET else "identity")
    # catalogue: preset.<…> (13 keys: preset.example … preset.resnet20_conv1)
    preset = st.selectbox(t("conv.preset"), presets, **memory.seed("preset", presets, ui.labels("preset.")))
    st.toggle(
        t("conv.varied"),
        disabled=preset not in VARIED_ORDER,  # random and learned kernels already differ per kernel
        help=t("conv.varied_help"),
        **memory.seed("varied"),
    )
    if preset.startswith("random"):
        st.number_input(t("conv.seed"), *LIMITS["seed"], **memory.seed("kernel_seed"))

values = memory.sync()
settings = PlaygroundSettings(**{name: values[name] for name in PlaygroundSettings.__dataclass_fields__})
# Settings this view does not use stay out of the link (it is shorter, and reads as the view).
unused = set()
if source != "random":
    unused |= {"random_channels", "random_height", "random_width", "random_seed"}
if not picture:
    unused.add("side")
if not colours:
    unused.add("colour")
if source != "sample":
    unused.add("sample")
if padding_kind != "number":
    unused |= {"padding_h", "padding_w"}
if not preset.startswith("random"):
    unused.add("kernel_seed")
# The link (the position and kernel are clamped below; a link's receiver clamps them the same way).
show_link = ui.share_box(
    memory.publish(unused), (t("share.kernel_note"),) + ((t("share.upload_note"),) if source == "upload" else ())
)

# ---------------------------------------------------------------- input and weights
try:
    x = build_input(settings, ui.uploaded_picture(upload, "conv_upload") if upload is not None else None)
except MessageError as exc:
    if source == "upload" and upload is None:
        st.info(t("share.upload_needed" if state.get("conv_upload_from_link") else "conv.upload_prompt"), icon="⬅️")
    else:
        ui.show_error(exc)
    st.stop()
state.conv_upload_from_link = False  # the link's request for a picture is answered (or was never made)
if source == "upload" and max(x.shape[1:]) > (original := max(picture_size(upload.getvalue()))):
    st.info(
        t("conv.upload_enlarged", original=original, pixels=Count("count.pixels", original), side=settings.side),
        icon="🔍",
    )

in_channels = x.shape[0]
per_group = max(in_channels // max(settings.groups, 1), 1)
signature = (
    settings.preset,
    settings.varied,
    settings.kernel_seed,
    settings.out_channels,
    per_group,
    *kernel,
    settings.sample if settings.preset == EXAMPLE_PRESET else "",
)
if state.get("conv_weight_signature") != signature:
    state.conv_weight_signature = signature
    state.conv_weight = default_weight(settings, in_channels).numpy().copy()
    state.conv_bias_values = default_bias(settings, in_channels).numpy().copy()
if settings.preset == EXAMPLE_PRESET and example_kernel(settings, per_group) is None:
    st.info(t("conv.example_mismatch"), icon="ℹ️")

# On a projector the animation comes first, with its step panel: filled once the trace is computed below.
live_slot, panel_slot = st.container(), st.container()

# ---------------------------------------------------------------- kernel editor
# Drawn only while open: closed, its two data editors were still sent and redrawn by the browser on every change
# (a change at 28 px: 325 against 388 ms to drawn, python -m vizconv.bench --browser --quick). Edits are kept in
# session state, so closing it loses nothing.
with st.expander(t("conv.edit"), expanded=False, key="conv_edit_open", on_change="rerun") as editing:
    st.caption(t("conv.edit_help"))
    if editing.open:
        state.conv_bias_values = ui.kernel_editor(
            memory,
            "conv",
            state.conv_weight,  # (C_out, C_in/groups, kH, kW), edited in place
            state.conv_bias_values,
            signature,
            ((t("conv.edit_kernel"), "edit_oc"), (t("conv.edit_channel"), "edit_ic")),
            t("conv.bias_column"),
            settings.bias,
            hide_index=False,
        )

# ---------------------------------------------------------------- the convolution
try:
    trace = run_playground(settings, x, torch.from_numpy(state.conv_weight), torch.from_numpy(state.conv_bias_values))
except MessageError as exc:
    ui.show_error(exc)
    st.stop()

h_out, w_out = trace.out_size
top, bottom, left_pad, right_pad = trace.pads
with st.container(border=True):
    st.markdown(f"**{t('conv.formula')}**")
    st.latex(output_size_latex("H", x.shape[1], kernel[0], stride[0], top, bottom, dilation[0]))
    st.latex(output_size_latex("W", x.shape[2], kernel[1], stride[1], left_pad, right_pad, dilation[1]))
    st.caption(t("conv.mistake", wrong=COMMON_MISTAKE_LATEX))
    unread = []  # "rows 1–4, 6–9", "column 7": the lines no window reads
    for axis, read in zip(("row", "col"), trace.read, strict=True):
        lines = (~read).nonzero().flatten().tolist()
        if lines:
            # catalogue: conv.unread_row, conv.unread_rows, conv.unread_col, conv.unread_cols
            unread.append(t(f"conv.unread_{axis}" + ("s" if len(lines) > 1 else ""), lines=index_ranges(lines)))
    if unread:
        mark = Term("anim.mark.cross")  # the animator's ✕ in each cell (one diagonal in a small cell)
        st.warning(t("conv.unread", what=t("conv.unread_and").join(unread), mark=mark), icon="✖️")

# position (row-major index over the output) shared by the animation and the step panel
positions = trace.positions
if "conv_position" not in state:  # the page opens on a window that teaches something, not a blank corner
    state.conv_position = opening_position(trace.output)
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
    st.markdown(
        t(
            "conv.step_where",
            oc=step.oc,
            oy=oy,
            ox=ox,
            rows=f"{int(step.rows[0])}–{int(step.rows[-1])}",
            cols=f"{int(step.cols[0])}–{int(step.cols[-1])}",
        )
    )
    for line in step_latex(step, trace.bias is not None):
        st.latex(line)
    st.caption(t("conv.step_check", value=f"{float(trace.output[step.oc, oy, ox]):.6g}"))
show_link(memory.publish(unused))  # the address bar and the box: the position and kernel, clamped to this output

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
c_out, c_per_group, kh, kw = trace.weight.shape
ui.metric_row(
    [
        (t("conv.shape_input"), f"[{in_channels}, {x.shape[1]}, {x.shape[2]}]"),
        (t("conv.shape_weight"), f"[{c_out}, {c_per_group}, {kh}, {kw}]"),
        (t("conv.shape_bias"), f"[{c_out}]" if trace.bias is not None else t("conv.none")),
        (t("conv.shape_output"), f"[{c_out}, {h_out}, {w_out}]"),
        (t("conv.shape_padded"), "[{}, {}, {}]".format(in_channels, *trace.padded.shape[1:])),
        (t("conv.params"), f"{trace.param_count:,}"),
        (t("conv.macs"), f"{trace.mult_adds:,}"),
        (t("conv.positions"), f"{positions:,}"),
    ]
)
st.code(conv2d_script(trace), language="python", wrap_lines=True)  # runs as copied (a photo's values get a stand-in)
# the .py with every value, written only when clicked
ui.download(
    "script",
    partial(conv2d_script, trace, max_values=None),
    file_name("convolution", ext="py"),
    "conv_download_script",
)
ui.torch_verdict(check_with_torch(trace), float(trace.output.abs().max()), "conv.torch_match", "conv.torch_mismatch")
