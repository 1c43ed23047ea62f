"""Pooling, activations and upsampling: the layers between convolutions, on real feature maps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from functools import partial

import streamlit as st
import torch
from PIL import Image

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.i18n import teaching
from vizconv.i18n.strings import Count
from vizconv.inputs.feature_sources import LENET_STAGES, digit_picture, kernel_response, lenet_maps, picture_tensor
from vizconv.inputs.kernels import FIXED_3X3
from vizconv.inputs.samples import SAMPLES, random_grid, sample_input
from vizconv.ops.activations import ACTIVATIONS, activate, activation_latex, histogram
from vizconv.ops.pool import POOL_KINDS, trace_pool2d
from vizconv.ops.upsample import UPSAMPLE_MODES, trace_interpolate
from vizconv.views.convolution import opening_position
from vizconv.views.pooling import (
    GRID_SAMPLES,
    IMAGE_SAMPLES,
    LIMITS,
    PAIRS,
    PHOTOS,
    SECTIONS,
    SLOPE,
    PoolingSettings,
    pool_torch_difference,
    shown_settings,
    upsample_coordinates,
    upsample_shape_latex,
    upsample_step_latex,
    value_span,
)
from vizconv.viz import style
from vizconv.viz.animator import SPEEDS, pool_animator_data, upsample_animator_data
from vizconv.viz.charts import colour_range, heatmap_figure, histogram_figure
from vizconv.viz.formulas import output_size_latex
from vizconv.viz.steps import format_number, pool_step_latex, window_span
from vizconv.viz.torch_code import agrees

t = ui.t
state = st.session_state

ui.page_setup("pool.title", "🟦")
# What a link carries (?pool_kind=avg ...): each setting with the values a URL may give it; the page clamps the
# window position, the channel and the explained upsampled cell to the map it shows.
SHARED = {
    "section": ui.OneOf(SECTIONS),
    "source": ui.OneOf(("lenet", "sample", "random", "upload")),
    "stage": ui.OneOf(tuple(LENET_STAGES)),
    "sample": ui.OneOf((*IMAGE_SAMPLES, *GRID_SAMPLES)),
    "colour": ui.Flag(),
    "kind": ui.OneOf(POOL_KINDS),
    "stride_default": ui.Flag(),
    "speed": ui.OneOf(SPEEDS),
    "position": ui.Whole(0, 99_999),  # state keys pool_position and pool_step_c: the stepper clamps them
    "step_c": ui.Whole(0, 5),
    "act_source": ui.OneOf(("lenet", "kernel")),
    "act_picture": ui.OneOf((*PHOTOS, "upload")),
    "act_kernel": ui.OneOf(tuple(FIXED_3X3)),
    "activation": ui.OneOf(ACTIVATIONS),
    "slope": ui.Decimal(*SLOPE, 2),
    "up_source": ui.OneOf(("lenet", "digit", "random")),
    "mode": ui.OneOf(UPSAMPLE_MODES),
    "scale": ui.OneOf((2, 3)),
    "corners": ui.Flag(),
    **{name: ui.Whole(*LIMITS[name]) for name in LIMITS if name not in PAIRS},
    **{f"{name}_{axis}": ui.Whole(*LIMITS[name]) for name in PAIRS for axis in "hw"},
}
memory = ui.WidgetMemory("pool", asdict(PoolingSettings()), shared=SHARED)
linked = memory.from_url()  # a link opened: its settings
memory.restore(**linked)
if linked:
    state.pool_upload_from_link = "upload" in (linked.get("source"), linked.get("act_picture"))
teaching.show_notes("pool", ui.lang(), st)
notices = st.container()  # why an input cannot be shown (no upload yet, a broken install), above the section's content


def _lenet(digit: int) -> dict[str, torch.Tensor]:
    """LeNet-5's first-layer maps of the bundled digit: stage -> (6, H, W)."""
    return lenet_maps(*ui.cached_model("lenet5"), digit_picture(digit))


def _input(read: Callable[[], torch.Tensor | None]) -> torch.Tensor | None:
    """``read()``, the section's input; None, with the reason above the section, where the install lacks a file
    it needs (LeNet-5's weights, a sample picture): the other inputs keep working."""
    try:
        return read()
    except MessageError as exc:
        with notices:
            ui.show_error(exc)
            st.info(t("pool.other_input"), icon="⬅️")
        return None


def _upload(key: str) -> Image.Image | None:
    """The uploaded picture, or None (with a prompt or the reason it cannot be read, in the main column: the
    sidebar's uploader is where the eye is not while the main column is empty)."""
    upload = ui.image_uploader(key)
    if upload is None:
        with notices:
            st.info(t("share.upload_needed" if state.get("pool_upload_from_link") else "pool.upload_prompt"), icon="⬅️")
        return None
    state.pool_upload_from_link = False  # the link's request for a picture is answered
    try:
        return ui.uploaded_picture(upload, key)
    except MessageError as exc:
        with notices:
            ui.show_error(exc)
        return None


def _digit() -> int:
    return st.selectbox(t("pool.digit"), range(10), **memory.seed("digit", range(10)))


def _picture_size(picture: Image.Image) -> torch.Tensor:
    """A picture at the side (and in the colour) the sliders pick."""
    side = st.slider(t("conv.side"), *LIMITS["side"], help=t("pool.side_help"), **memory.seed("side"))
    return picture_tensor(picture, side, st.toggle(t("conv.colour"), **memory.seed("colour")))


with st.sidebar:
    # catalogue: pool.section.pooling, pool.section.activations, pool.section.upsampling
    section = ui.choice(memory, "section", t("pool.section"), SECTIONS, "pool.section.", horizontal=False)


# ==================================================================== pooling
def pooling_input() -> torch.Tensor | None:
    """The pooling input [C, H, W] from the sidebar's choices (None: nothing to show yet)."""
    # catalogue: pool.source.lenet, pool.source.sample, pool.source.random, pool.source.upload
    source = ui.choice(memory, "source", t("pool.source"), ("lenet", "sample", "random", "upload"), "pool.source.")
    if source == "lenet":
        digit = _digit()
        # catalogue: pool.stage.conv1, pool.stage.relu1, pool.stage.pool1
        stage = ui.choice(memory, "stage", t("pool.stage"), tuple(LENET_STAGES), "pool.stage.", radio=False)
        channels = st.slider(
            t("pool.channels"), *LIMITS["channels"], help=t("pool.channels_help"), **memory.seed("channels")
        )
        return _lenet(digit)[stage][:channels]
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
        return random_grid(
            channels, size, size, int(st.number_input(t("conv.seed"), *LIMITS["seed"], **memory.seed("seed")))
        )
    picture = _upload("pool_upload")
    return None if picture is None else _picture_size(picture)


def show_pooling() -> None:
    with st.sidebar:
        st.header(t("pool.input"))
        x = _input(pooling_input)
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
    with st.container(border=True):
        st.markdown(f"**{t('pool.formula')}**")
        st.latex(output_size_latex("H", h, kernel[0], stride[0], padding[0], padding[0], 1))
        st.latex(output_size_latex("W", w, kernel[1], stride[1], padding[1], padding[1], 1))
        st.caption(t("pool.formula_note"))
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


# ==================================================================== activations
def activation_input() -> torch.Tensor | None:
    """A signed 2-D feature map [H, W]: LeNet-5's conv1 (before ReLU) or a picture after a kernel."""
    # catalogue: act.source.lenet, act.source.kernel
    if ui.choice(memory, "act_source", t("act.source"), ("lenet", "kernel"), "act.source.") == "lenet":
        digit = _digit()
        return _lenet(digit)["conv1"][st.slider(t("act.channel"), *LIMITS["act_channel"], **memory.seed("act_channel"))]
    # catalogue: sample.<…> (30 keys: sample.digit_7 … sample.cifar_truck), act.upload
    labels = {k: t("act.upload") if k == "upload" else t("sample." + k) for k in (*PHOTOS, "upload")}.get
    choice = ui.choice(memory, "act_picture", t("act.picture"), (*PHOTOS, "upload"), labels, radio=False)
    # catalogue: preset.<…> (13 keys: preset.example … preset.resnet20_conv1)
    preset = ui.choice(memory, "act_kernel", t("act.kernel"), tuple(FIXED_3X3), "preset.", radio=False)
    if choice != "upload":
        return kernel_response(sample_input(choice, 64, 1), preset)[0]
    picture = _upload("act_upload")
    return None if picture is None else kernel_response(picture_tensor(picture, 64, colour=False), preset)[0]


def show_activations() -> None:
    with st.sidebar:
        st.header(t("pool.input"))
        before = _input(activation_input)
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


# ==================================================================== upsampling
def upsampling_input() -> torch.Tensor | None:
    """A small 2-D map [H, W] to upsample."""
    # catalogue: up.source.lenet, up.source.digit, up.source.random
    source = ui.choice(memory, "up_source", t("up.source"), ("lenet", "digit", "random"), "up.source.")
    if source == "lenet":
        digit = _digit()
        return _lenet(digit)["pool1"][st.slider(t("act.channel"), *LIMITS["up_channel"], **memory.seed("up_channel"))]
    size = st.slider(t("up.size"), *LIMITS["up_size"], **memory.seed("up_size"))
    if source == "digit":
        return picture_tensor(digit_picture(_digit()), size, colour=False)[0]
    return random_grid(1, size, size, int(st.number_input(t("conv.seed"), *LIMITS["seed"], **memory.seed("seed"))))[0]


def show_upsampling() -> None:
    with st.sidebar:
        st.header(t("pool.input"))
        source = _input(upsampling_input)
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

    # the live animator steps through the output cells; the explained cell (its sliders below) follows it
    w_out = w * scale
    memory.clamp("up_oy", 0, h * scale - 1)
    memory.clamp("up_ox", 0, w_out - 1)
    positions = h * scale * w_out
    drawn = state.pop("pool_up_drawn", None)  # (position, width, positions) the animator was last given
    moved = state.get("pool_up_step")
    if drawn and drawn[1:] == (w_out, positions) and moved != drawn[0]:  # it moved: the sliders follow
        memory.set(up_oy=moved // w_out, up_ox=moved % w_out)
    state.pool_up_step = memory.get("up_oy") * w_out + memory.get("up_ox")
    state.pool_up_drawn = (state.pool_up_step, w_out, positions)
    ui.stepper("pool_up_step", "pool_up_step_c", "up_animation", positions, 1, w_out).live(
        partial(upsample_animator_data, trace), memory
    )
    step = trace.step(0, memory.get("up_oy"), memory.get("up_ox"))

    st.subheader(t("up.explain"))
    row_col, col_col = st.columns(2)
    oy = row_col.slider(t("fm.row"), 0, h * scale - 1, **memory.seed("up_oy"))
    ox = col_col.slider(t("fm.col"), 0, w * scale - 1, **memory.seed("up_ox"))
    memory.sync()  # the sliders show the cell ``step`` (above) explains
    with st.container(border=True):
        sy, sx = upsample_coordinates(step)
        st.markdown(
            t(
                "up.step_where",
                oy=oy,
                ox=ox,
                sy=sy,
                sx=sx,
                rows=", ".join(map(str, step.rows)),
                cols=", ".join(map(str, step.cols)),
            )
        )
        if step.unclamped != step.source:
            st.caption(t("up.clamped"))
        st.latex(upsample_step_latex(step))
        reference = float(upsampled[oy, ox])  # F.interpolate's own output
        if agrees(step.value - reference, reference):
            st.caption(t("up.torch_check", value=format_number(reference, 4)))
        else:
            st.error(t("up.torch_mismatch", value=format_number(reference, 4), step=format_number(step.value, 4)))


{"pooling": show_pooling, "activations": show_activations, "upsampling": show_upsampling}[section]()

# The link, once the position and the explained cell are clamped to what the page shows.
values = memory.sync()
uploaded = (section == "pooling" and values["source"] == "upload") or (
    section == "activations" and values["act_source"] == "kernel" and values["act_picture"] == "upload"
)
ui.share_box(memory.publish(set(SHARED) - shown_settings(values)), (t("share.upload_note"),) if uploaded else ())
