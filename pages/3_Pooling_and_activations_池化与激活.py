"""Pooling, activations and upsampling: the layers between convolutions, on real feature maps."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import streamlit as st
import torch
import torch.nn.functional as F
from PIL import Image

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.i18n import teaching
from vizconv.i18n.strings import Count
from vizconv.inputs.feature_sources import LENET_STAGES, digit_path, kernel_response, lenet_maps, picture_tensor
from vizconv.inputs.kernels import FIXED_3X3
from vizconv.inputs.samples import SAMPLES, open_picture, random_grid, sample_input
from vizconv.ops.activations import ACTIVATIONS, activate, activation_latex, histogram
from vizconv.ops.pool import POOL_KINDS, trace_pool2d
from vizconv.ops.upsample import UPSAMPLE_MODES, trace_interpolate
from vizconv.views.convolution import opening_position
from vizconv.viz import style
from vizconv.viz.animator import SPEEDS, pool_animator_data, upsample_animator_data
from vizconv.viz.charts import colour_range, heatmap_figure, histogram_figure
from vizconv.viz.formulas import output_size_latex
from vizconv.viz.steps import approximate_number, format_number, matrix_latex, pool_step_latex
from vizconv.viz.torch_code import agrees

t = ui.t
state = st.session_state

ui.page_setup("pool.title", "🟦")
IMAGE_SAMPLES = [key for key, sample in SAMPLES.items() if sample.is_image]
GRID_SAMPLES = [key for key, sample in SAMPLES.items() if not sample.is_image]
PHOTOS = ["camera", "chelsea", "coffee", "astronaut"]
SECTIONS = ("pooling", "activations", "upsampling")
MAX_SIDE = 16  # the largest upsampling source (16×16 random numbers or digit): output cells up to 16 × 3 − 1
# What a link carries (?pool_kind=avg ...): each setting with the values a URL may give it; the page clamps the
# window position, the channel and the explained upsampled cell to the map it shows.
SHARED = {
    "section": ui.OneOf(SECTIONS),
    "source": ui.OneOf(("lenet", "sample", "random", "upload")),
    "digit": ui.Whole(0, 9),
    "stage": ui.OneOf(tuple(LENET_STAGES)),
    "channels": ui.Whole(1, 6),
    "sample": ui.OneOf((*IMAGE_SAMPLES, *GRID_SAMPLES)),
    "side": ui.Whole(4, 32),
    "colour": ui.Flag(),
    "random_channels": ui.Whole(1, 4),
    "random_size": ui.Whole(2, 16),
    "seed": ui.Whole(0, 9999),
    "kind": ui.OneOf(POOL_KINDS),
    "kernel_h": ui.Whole(1, 5),
    "kernel_w": ui.Whole(1, 5),
    "stride_default": ui.Flag(),
    "stride_h": ui.Whole(1, 5),
    "stride_w": ui.Whole(1, 5),
    "padding_h": ui.Whole(0, 2),
    "padding_w": ui.Whole(0, 2),
    "speed": ui.OneOf(SPEEDS),
    "position": ui.Whole(0, 99_999),  # state keys pool_position and pool_step_c: the stepper clamps them
    "step_c": ui.Whole(0, 5),
    "act_source": ui.OneOf(("lenet", "kernel")),
    "act_channel": ui.Whole(0, 5),
    "act_picture": ui.OneOf((*PHOTOS, "upload")),
    "act_kernel": ui.OneOf(tuple(FIXED_3X3)),
    "activation": ui.OneOf(ACTIVATIONS),
    "slope": ui.Decimal(0.0, 0.5, 2),
    "up_source": ui.OneOf(("lenet", "digit", "random")),
    "up_channel": ui.Whole(0, 5),
    "up_size": ui.Whole(2, MAX_SIDE),
    "mode": ui.OneOf(UPSAMPLE_MODES),
    "scale": ui.OneOf((2, 3)),
    "corners": ui.Flag(),
    "up_oy": ui.Whole(0, 3 * MAX_SIDE - 1),
    "up_ox": ui.Whole(0, 3 * MAX_SIDE - 1),
}
memory = ui.WidgetMemory(
    "pool",
    {
        "section": "pooling",
        "source": "lenet",
        "digit": 7,
        "stage": "relu1",
        "channels": 2,
        "sample": "digit_7",
        "side": 16,
        "colour": False,
        "random_channels": 2,
        "random_size": 6,
        "seed": 0,
        "kind": "max",
        "kernel_h": 2,
        "kernel_w": 2,
        "stride_default": True,
        "stride_h": 2,
        "stride_w": 2,
        "padding_h": 0,
        "padding_w": 0,
        "speed": 4,
        "act_source": "lenet",
        "act_channel": 0,
        "act_picture": "camera",
        "act_kernel": "sobel_x",
        "activation": "relu",
        "slope": 0.1,
        "up_source": "lenet",
        "up_channel": 0,
        "up_size": 5,
        "mode": "nearest",
        "scale": 2,
        "corners": False,
        "up_oy": 0,
        "up_ox": 0,
    },
    shared=SHARED,
)
linked = memory.from_url()  # a link opened: its settings
memory.restore(**linked)
if linked:
    state.pool_upload_from_link = "upload" in (linked.get("source"), linked.get("act_picture"))
teaching.show_notes("pool", ui.lang(), st)
notices = st.container()  # why an input cannot be shown (no upload yet, a broken install), above the section's content


def _lenet(picture: Image.Image) -> dict[str, torch.Tensor]:
    model, info = ui.cached_model("lenet5")
    return lenet_maps(model, info, picture)


def _digit_picture(digit: int) -> Image.Image:
    return open_picture(digit_path(digit), "RGB")


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


with st.sidebar:
    # catalogue: pool.section.pooling, pool.section.activations, pool.section.upsampling
    section = st.radio(t("pool.section"), SECTIONS, **memory.seed("section", SECTIONS, ui.labels("pool.section.")))


# ==================================================================== pooling
def pooling_input() -> torch.Tensor | None:
    """The pooling input [C, H, W] from the sidebar's choices (None: nothing to show yet)."""
    sources = ("lenet", "sample", "random", "upload")
    source = st.radio(
        t("pool.source"),
        sources,
        horizontal=True,
        # catalogue: pool.source.lenet, pool.source.sample, pool.source.random, pool.source.upload
        **memory.seed("source", sources, ui.labels("pool.source.")),
    )
    if source == "lenet":
        digit = st.selectbox(t("pool.digit"), range(10), **memory.seed("digit", range(10)))
        stages = tuple(LENET_STAGES)
        stage = st.selectbox(
            t("pool.stage"),
            stages,
            help=t("pool.stage_help"),
            # catalogue: pool.stage.conv1, pool.stage.relu1, pool.stage.pool1
            **memory.seed("stage", stages, ui.labels("pool.stage.")),
        )
        channels = st.slider(t("pool.channels"), 1, 6, help=t("pool.channels_help"), **memory.seed("channels"))
        return _lenet(_digit_picture(digit))[stage][:channels]
    if source == "sample":
        keys = IMAGE_SAMPLES + GRID_SAMPLES
        # catalogue: sample.<…> (30 keys: sample.digit_7 … sample.cifar_truck)
        key = st.selectbox(t("conv.sample"), keys, **memory.seed("sample", keys, ui.labels("sample.")))
        if not SAMPLES[key].is_image:
            return sample_input(key)
        side = st.slider(t("conv.side"), 4, 32, help=t("pool.side_help"), **memory.seed("side"))
        colour = st.toggle(t("conv.colour"), **memory.seed("colour"))
        return sample_input(key, side, None if colour else 1)
    if source == "random":
        channels = st.slider(t("conv.random_channels"), 1, 4, **memory.seed("random_channels"))
        size = st.slider(t("pool.random_size"), 2, 16, **memory.seed("random_size"))
        seed = st.number_input(t("conv.seed"), 0, 9999, **memory.seed("seed"))
        return random_grid(channels, size, size, int(seed))
    picture = _upload("pool_upload")
    if picture is None:
        return None
    side = st.slider(t("conv.side"), 4, 32, help=t("pool.side_help"), **memory.seed("side"))
    colour = st.toggle(t("conv.colour"), **memory.seed("colour"))
    return picture_tensor(picture, side, colour)


def show_pooling() -> None:
    with st.sidebar:
        st.header(t("pool.input"))
        x = _input(pooling_input)
        st.header(t("pool.layer"))
        kind = st.radio(
            t("pool.kind"),
            POOL_KINDS,
            horizontal=True,
            **memory.seed("kind", POOL_KINDS, ui.labels("pool.kind.")),  # catalogue: pool.kind.max, pool.kind.avg
        )
        kernel = ui.pair_input(memory, t("pool.window_size"), "kernel", (1, 5))  # a window, not a kernel of weights
        stride_default = st.toggle(
            t("pool.stride_default"), help=t("pool.stride_default_help"), **memory.seed("stride_default")
        )
        if stride_default:
            memory.set(stride_h=kernel[0], stride_w=kernel[1])
        stride = ui.pair_input(memory, t("conv.stride"), "stride", (1, 5), disabled=stride_default)
        padding = ui.pair_input(memory, t("conv.padding_amount"), "padding", (0, 2))
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
    cols = st.columns(4)
    cols[0].metric(t("conv.shape_input"), f"[{c}, {h}, {w}]")
    cols[1].metric(t("conv.shape_output"), f"[{c}, {h_out}, {w_out}]")
    cols[2].metric(t("conv.params"), "0", help=t("pool.no_weights_help"))
    cols[3].metric(t("pool.channels_kept"), f"{c} → {c}")
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
        st.markdown(
            t(
                "pool.step_where",
                c=step.c,
                oy=oy,
                ox=ox,
                rows=f"{int(step.rows[0])}–{int(step.rows[-1])}",
                cols=f"{int(step.cols[0])}–{int(step.cols[-1])}",
            )
        )
        st.latex(pool_step_latex(step))
        reference = F.max_pool2d if kind == "max" else F.avg_pool2d
        expected = reference(x[None], kernel, stride, padding)[0]
        difference = float((expected - trace.output).abs().max())
        st.caption(t("pool.torch_check", function=reference.__name__, diff=f"{difference:.2g}"))


# ==================================================================== activations
def activation_input() -> torch.Tensor | None:
    """A signed 2-D feature map [H, W]: LeNet-5's conv1 (before ReLU) or a picture after a kernel."""
    sources = ("lenet", "kernel")
    source = st.radio(
        t("act.source"),
        sources,
        horizontal=True,
        # catalogue: act.source.lenet, act.source.kernel
        **memory.seed("act_source", sources, ui.labels("act.source.")),
    )
    if source == "lenet":
        digit = st.selectbox(t("pool.digit"), range(10), **memory.seed("digit", range(10)))
        channel = st.slider(t("act.channel"), 0, 5, **memory.seed("act_channel"))
        return _lenet(_digit_picture(digit))["conv1"][channel]
    pictures = (*PHOTOS, "upload")
    choice = st.selectbox(
        t("act.picture"),
        pictures,
        **memory.seed(
            # catalogue: sample.<…> (30 keys: sample.digit_7 … sample.cifar_truck)
            "act_picture",
            pictures,
            {k: t("act.upload") if k == "upload" else t("sample." + k) for k in pictures}.get,
        ),
    )
    kernels = tuple(FIXED_3X3)
    # catalogue: preset.<…> (13 keys: preset.example … preset.resnet20_conv1)
    preset = st.selectbox(t("act.kernel"), kernels, **memory.seed("act_kernel", kernels, ui.labels("preset.")))
    if choice == "upload":
        picture = _upload("act_upload")
        if picture is None:
            return None
        x = picture_tensor(picture, 64, colour=False)
    else:
        x = sample_input(choice, 64, 1)
    return kernel_response(x, preset)[0]


def show_activations() -> None:
    with st.sidebar:
        st.header(t("pool.input"))
        before = _input(activation_input)
        st.header(t("act.function"))
        name = st.selectbox(
            t("act.function"),
            ACTIVATIONS,
            # catalogue: act.relu, act.leaky_relu, act.sigmoid, act.tanh, act.gelu (activations.ACTIVATIONS)
            **memory.seed("activation", ACTIVATIONS, ui.labels("act.")),
        )
        slope = 0.01
        if name == "leaky_relu":
            slope = st.slider(t("act.slope"), 0.0, 0.5, step=0.01, **memory.seed("slope"))
    memory.sync()
    if before is None:
        return
    result = activate(before, name, slope)
    st.latex(activation_latex(name, slope))
    st.caption(t("act.why." + name))  # catalogue: act.why.<…> (5 keys: act.why.relu … act.why.gelu)
    cols = st.columns(4)
    cols[0].metric(t("act.negative"), f"{result.negative:.0%}")
    cols[1].metric(t("act.zeroed"), f"{result.zeroed:.0%}", help=t("act.zeroed_help"))
    cols[2].metric(
        t("act.range_before"), f"{approximate_number(float(before.min()))} … {approximate_number(float(before.max()))}"
    )
    cols[3].metric(
        t("act.range_after"),
        f"{approximate_number(float(result.after.min()))} … {approximate_number(float(result.after.max()))}",
    )
    hover = t("pool.hover") + "<extra></extra>"
    shared = colour_range(before, result.after)  # one scale for both: colours compare across the two maps
    left, right = st.columns(2)
    with left:
        ui.plotly_figure(heatmap_figure(before, t("act.before"), shared, hover=hover, columns=2), key="act_before")
    with right:
        # catalogue: act.relu, act.leaky_relu, act.sigmoid, act.tanh, act.gelu (activations.ACTIVATIONS)
        after_title = t("act.after", name=t("act." + name))
        ui.plotly_figure(heatmap_figure(result.after, after_title, shared, hover=hover, columns=2), key="act_after")
    st.caption(t("act.same_scale"))
    low = min(float(before.min()), float(result.after.min()))
    high = max(float(before.max()), float(result.after.max()))
    figure = histogram_figure(
        [
            (t("act.before"), histogram(before, low=low, high=high), style.BOUNDARY_COLOUR),
            # catalogue: act.relu, act.leaky_relu, act.sigmoid, act.tanh, act.gelu (activations.ACTIVATIONS)
            (t("act.after", name=t("act." + name)), histogram(result.after, low=low, high=high), style.WINDOW_COLOUR),
        ],
        t("act.histogram"),
        t("act.value"),
        t("act.count"),
    )
    ui.plotly_figure(figure, key="act_histogram")
    # catalogue: act.histogram_help.<…> (5 keys: act.histogram_help.relu … act.histogram_help.gelu)
    st.caption(t("act.histogram_help." + name))


# ==================================================================== upsampling
def upsampling_input() -> torch.Tensor | None:
    """A small 2-D map [H, W] to upsample."""
    sources = ("lenet", "digit", "random")
    source = st.radio(
        t("up.source"),
        sources,
        horizontal=True,
        # catalogue: up.source.lenet, up.source.digit, up.source.random
        **memory.seed("up_source", sources, ui.labels("up.source.")),
    )
    if source == "lenet":
        digit = st.selectbox(t("pool.digit"), range(10), **memory.seed("digit", range(10)))
        channel = st.slider(t("act.channel"), 0, 5, **memory.seed("up_channel"))
        return _lenet(_digit_picture(digit))["pool1"][channel]
    size = st.slider(t("up.size"), 2, 16, **memory.seed("up_size"))
    if source == "digit":
        digit = st.selectbox(t("pool.digit"), range(10), **memory.seed("digit", range(10)))
        return picture_tensor(_digit_picture(digit), size, colour=False)[0]
    seed = st.number_input(t("conv.seed"), 0, 9999, **memory.seed("seed"))
    return random_grid(1, size, size, int(seed))[0]


def show_upsampling() -> None:
    with st.sidebar:
        st.header(t("pool.input"))
        source = _input(upsampling_input)
        st.header(t("up.layer"))
        mode = st.radio(t("up.mode"), UPSAMPLE_MODES, horizontal=True, **memory.seed("mode", UPSAMPLE_MODES))
        scale = st.radio(t("up.scale"), (2, 3), horizontal=True, **memory.seed("scale", (2, 3)))
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
    st.latex(
        rf"[1, 1, {h}, {w}] \xrightarrow{{\texttt{{F.interpolate}}(\text{{scale\_factor}}={scale},\ "
        rf"\text{{mode}}=\text{{{mode}}})}} [1, 1, {h * scale}, {w * scale}]"
    )
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
    steps = ui.stepper("pool_up_step", "pool_up_step_c", "up_animation", positions, 1, w_out)
    steps.live(partial(upsample_animator_data, trace), memory)
    step = trace.step(0, memory.get("up_oy"), memory.get("up_ox"))

    st.subheader(t("up.explain"))
    row_col, col_col = st.columns(2)
    oy = row_col.slider(t("fm.row"), 0, h * scale - 1, **memory.seed("up_oy"))
    ox = col_col.slider(t("fm.col"), 0, w * scale - 1, **memory.seed("up_ox"))
    memory.sync()  # the sliders show the cell ``step`` (above) explains
    clamped = step.unclamped != step.source
    with st.container(border=True):
        sy, sx = (
            format_number(used, 3) if raw == used else f"{format_number(raw, 3)} → {format_number(used, 3)}"
            for raw, used in zip(step.unclamped, step.source, strict=True)
        )
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
        if clamped:
            st.caption(t("up.clamped"))
        st.latex(
            rf"y_{{{oy},{ox}}} = \sum {matrix_latex(step.values, 4)} \odot {matrix_latex(step.weights, 4)}"
            rf" = \mathbf{{{format_number(step.value, 4)}}}"
        )
        reference = float(upsampled[oy, ox])  # F.interpolate's own output
        if agrees(step.value - reference, reference):
            st.caption(t("up.torch_check", value=format_number(reference, 4)))
        else:
            st.error(t("up.torch_mismatch", value=format_number(reference, 4), step=format_number(step.value, 4)))


def shown(values: dict) -> set[str]:
    """The shared settings this view uses (the others stay out of the link: it is shorter, and reads as the view)."""
    if values["section"] == "pooling":
        used = {"source", "kind", "kernel_h", "kernel_w", "stride_default", "padding_h", "padding_w", "speed"}
        used |= {"position", "step_c"} | (set() if values["stride_default"] else {"stride_h", "stride_w"})
        used |= {
            "lenet": {"digit", "stage", "channels"},
            "sample": {"sample"} | ({"side", "colour"} if SAMPLES[values["sample"]].is_image else set()),
            "random": {"random_channels", "random_size", "seed"},
            "upload": {"side", "colour"},
        }[values["source"]]
    elif values["section"] == "activations":
        used = {"act_source", "activation"} | ({"slope"} if values["activation"] == "leaky_relu" else set())
        used |= {"digit", "act_channel"} if values["act_source"] == "lenet" else {"act_picture", "act_kernel"}
    else:
        used = {"up_source", "mode", "scale", "up_oy", "up_ox", "speed"} | (
            set() if values["mode"] == "nearest" else {"corners"}
        )
        used |= {"lenet": {"digit", "up_channel"}, "digit": {"up_size", "digit"}, "random": {"up_size", "seed"}}[
            values["up_source"]
        ]
    return used | {"section"}


if section == "pooling":
    show_pooling()
elif section == "activations":
    show_activations()
else:
    show_upsampling()

# The link, once the position and the explained cell are clamped to what the page shows.
values = memory.sync()
uploaded = (section == "pooling" and values["source"] == "upload") or (
    section == "activations" and values["act_source"] == "kernel" and values["act_picture"] == "upload"
)
ui.share_box(memory.publish(set(SHARED) - shown(values)), (t("share.upload_note"),) if uploaded else ())
