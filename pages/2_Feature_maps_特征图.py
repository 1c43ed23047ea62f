"""Feature maps: what a trained network sees, layer by layer, down to one dot product."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st
import torch
from PIL import Image

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.i18n import teaching
from vizconv.i18n.strings import Count, text_n
from vizconv.inputs.samples import ASSETS, SampleError, model_samples, open_picture
from vizconv.nets.capture import capture, module_path, modules_by_path
from vizconv.nets.feature_maps import channel_grid, explain_activation, filter_grid, no_single_kernel, producing_conv
from vizconv.nets.layers import layer_table
from vizconv.nets.models import (
    DOWNLOADED_MODELS,
    MAX_WEIGHTS_BYTES,
    available_models,
    download_resnet18,
    resnet18_downloaded,
)
from vizconv.viz import style
from vizconv.viz.charts import cell_axis, click_targets, scale_for
from vizconv.viz.export import file_name
from vizconv.viz.steps import format_number, step_latex
from vizconv.viz.torch_code import agrees

t = ui.t
BAR_AXIS_PX, BAR_PX = 140, 40  # the channel-sum chart: room for its axes and their titles, and per input channel
state = st.session_state

ui.page_setup("fm.title", "🧠")
MAX_MAP = 4096  # bound on a channel index or a map row/column read from a link (the page clamps to the layer)
# What a link carries (?fm_layer=3 ...). Only a sample picture travels: a drawing or an upload cannot.
SHARED = {
    "model": ui.OneOf(tuple(available_models())),
    "source": ui.OneOf(("sample",)),
    "sample": ui.OneOf(tuple({**model_samples("mnist"), **model_samples("cifar10")})),
    "layer": ui.Name(),  # checked against the model's layers when the layer picker is drawn
    "channel": ui.Whole(0, MAX_MAP),
    "shared": ui.Flag(),
    "weights": ui.OneOf(("bundled", "random")),  # an upload cannot travel in a link
    "oy": ui.Whole(0, MAX_MAP),
    "ox": ui.Whole(0, MAX_MAP),
}
memory = ui.WidgetMemory(
    "fm",
    {
        "model": "lenet5",
        "source": "sample",
        "sample": "digit_7",
        "shared": True,
        "layer": "",
        "channel": 0,
        "oy": -1,  # -1: the middle of the map, set on the first visit
        "ox": -1,
        "weights": "bundled",  # "random" (seeded, untrained) or "own": a state_dict uploaded in this session
    },
    shared=SHARED,
)
memory.restore(**memory.from_url())  # a link opened: its settings (the pickers below check them again)
teaching.show_notes("fm", ui.lang(), st)

# ---------------------------------------------------------------- controls
upload = None
with st.sidebar:
    st.header(t("fm.model_header"))
    models = list(available_models())
    model_name = st.selectbox(
        t("fm.model"),
        models,
        help=t("fm.model_help"),
        # catalogue: fm.model.lenet5, fm.model.lenet5-classic, fm.model.resnet20, fm.model.resnet18
        **memory.seed("model", models, ui.labels("fm.model.")),
    )
    weight_kinds = ("bundled", "random", "own")
    # catalogue: fm.weights.bundled, fm.weights.own, fm.weights.random, fm.weights.pretrained
    weight_label = ui.labels("fm.weights.")
    pretrained = t("fm.weights.pretrained")  # a downloaded model's weights are not vizconv's

    def weights_label(kind: str) -> str:
        return pretrained if kind == "bundled" and model_name in DOWNLOADED_MODELS else weight_label(kind)

    weights = st.radio(
        t("fm.weights"),
        weight_kinds,
        horizontal=True,
        help=t("fm.weights_help"),
        **memory.seed("weights", weight_kinds, weights_label),
    )
    weights_file = None
    if weights == "own":
        weights_file = st.file_uploader(
            t("fm.weights_upload"),
            type=["pt", "pth", "bin"],
            key="fm_weights_file",
            max_upload_size=MAX_WEIGHTS_BYTES // (1024 * 1024),
            help=t("fm.weights_upload_help", name=model_name),
        )
    if weights_file is None:  # an own model is kept only while its file is on the page: memory back to the server
        ui.drop_session_model()
    st.header(t("fm.input_header"))
    sources = ("sample", "upload", "draw")
    source = st.radio(
        t("fm.source"),
        sources,
        horizontal=True,
        # catalogue: fm.source.sample, fm.source.upload, fm.source.draw
        **memory.seed("source", sources, ui.labels("fm.source.")),
    )

try:
    if weights == "own":
        if weights_file is None:
            st.info(t("fm.weights_prompt", name=model_name), icon="⬅️")
            st.stop()
        # This session's own model: kept in its session state only, never in a shared cache.
        model, info = ui.session_model(model_name, weights_file.getvalue())
        # catalogue: fm.model.lenet5, fm.model.lenet5-classic, fm.model.resnet20, fm.model.resnet18
        st.caption(t("fm.weights_loaded", name=t("fm.model." + model_name), sha=info.card["sha256"][:12]))
    elif weights == "random":
        model, info = ui.cached_random_model(model_name)
        st.warning(t("fm.random_note"), icon="🎲")
    else:
        if model_name == "resnet18" and not resnet18_downloaded():
            bar = st.progress(0.0, text=t("fm.downloading"))
            try:
                download_resnet18(progress=lambda done: bar.progress(done, text=t("fm.downloading")))
            finally:  # also when it fails: the message below replaces the bar
                bar.empty()
        # catalogue: fm.model.lenet5, fm.model.lenet5-classic, fm.model.resnet20, fm.model.resnet18
        with st.spinner(t("fm.loading", name=t("fm.model." + model_name))):
            model, info = ui.cached_model(model_name)
except MessageError as exc:
    ui.show_error(exc)
    if weights == "bundled":  # offline, or a broken install: carry on with what works here, one click away
        st.markdown(t("fm.instead"))
        ways = st.container(horizontal=True)  # side by side, each as wide as its label; they wrap when narrow
        ways.button(
            # catalogue: fm.model.lenet5, fm.model.lenet5-classic, fm.model.resnet20, fm.model.resnet18
            t("fm.instead_random", name=t("fm.model." + model_name)),
            key="fm_instead_random",
            on_click=memory.set,
            kwargs={"weights": "random"},
            icon="🎲",
        )
        for other in (name for name in ("resnet20", "lenet5") if name != model_name):  # a ResNet and a LeNet
            # catalogue: fm.model.lenet5, fm.model.lenet5-classic, fm.model.resnet20, fm.model.resnet18
            ways.button(t("fm.model." + other), key=f"fm_instead_{other}", on_click=memory.set, kwargs={"model": other})
    st.stop()

dataset = info.card.get("dataset", "mnist")
samples = model_samples(dataset)
drawing = None
with st.sidebar:
    if source == "draw" and dataset != "mnist":
        st.info(t("fm.draw_digits_only"), icon="✏️")
        source = "sample"
    if source == "draw":
        st.caption(t("fm.draw_where"))
    elif source == "sample":
        keys = list(samples)
        if keys:  # none where the install lost its pictures (the page says so below)
            # catalogue: sample.<…> (30 keys: sample.digit_7 … sample.cifar_truck)
            sample_key = st.selectbox(t("fm.sample"), keys, **memory.seed("sample", keys, ui.labels("sample.")))
    else:
        upload = ui.image_uploader("fm_upload")
if source == "draw":  # in the main column, in view as the page opens (below the sidebar's fold it went unseen)
    canvas_col, help_col = st.columns([1, 2], vertical_alignment="center")
    with canvas_col:
        drawing = ui.digit_canvas("fm_canvas")
    help_col.caption(t("fm.draw_help"))
memory.sync()
show_link = ui.share_box(
    memory.publish(),
    (() if memory.get("source") == "sample" else (t("share.own_picture_note"),))
    + ((t("share.own_weights_note"),) if weights == "own" else ()),
)

try:
    if source == "sample":
        if not samples:
            raise SampleError("asset.samples_none", folder=str(ASSETS / "samples"))
        picture = open_picture(samples[sample_key], "RGB")
    elif source == "draw":
        if drawing is None or int(drawing[..., :3].max()) == 0:
            st.info(t("fm.draw_prompt"), icon="⬆️")
            st.stop()
        picture = Image.fromarray(np.ascontiguousarray(drawing[..., :3]))
    elif upload is None:
        st.info(t("fm.upload_prompt"), icon="⬅️")
        st.stop()
    else:
        picture = ui.uploaded_picture(upload, "fm_upload")
except MessageError as exc:
    ui.show_error(exc)
    st.stop()

x = info.preprocess(picture)  # (1, C, H, W)
acts = capture(model, x)
rows = layer_table(model, tuple(x.shape))  # no second forward pass: the table depends on the shape only
logits = next(reversed(acts.values()))[0]
probabilities = torch.softmax(logits, dim=0)

# ---------------------------------------------------------------- input and prediction
left, right = st.columns([1, 2])
with left:
    st.subheader(t("fm.seen"))
    seen = info.to_image(x)
    blow_up = max(1, 224 // max(seen.shape[:2]))  # whole pixels, drawn sharp: 28 × 8, 32 × 7, 224 × 1
    st.image(
        seen.repeat(blow_up, axis=0).repeat(blow_up, axis=1),
        width="content",  # at most its 224 pixels, narrower in a narrow column (a projector's 1024)
        caption=t("fm.seen_caption", c=info.input_size[0], h=info.input_size[1], w=info.input_size[2]),
    )
with right:
    st.subheader(t("fm.prediction"))
    top = torch.topk(probabilities, k=min(5, len(info.classes)))
    st.dataframe(
        pd.DataFrame(
            {
                # catalogue: class.<…> (10 keys: class.airplane … class.truck)
                t("fm.class"): [ui.t_or(f"class.{info.classes[i]}", info.classes[i]) for i in top.indices.tolist()],
                t("fm.probability"): top.values.tolist(),
            }
        ),
        column_config={
            t("fm.probability"): st.column_config.ProgressColumn(format="percent", min_value=0.0, max_value=1.0)
        },
        hide_index=True,
        width="stretch",
    )
    accuracy = info.card.get("test_accuracy")
    if accuracy is not None:
        st.caption(t("fm.card_accuracy", accuracy=f"{accuracy:.1%}"))
    # softmax always picks one of the classes it was trained on: say so, a photo of an astronaut becomes a "dog"
    st.caption(t("fm.closed_world", n=len(info.classes)))

# ---------------------------------------------------------------- layer trace
st.subheader(t("fm.layers"))
st.dataframe(
    pd.DataFrame(
        {
            t("fm.col_layer"): [r.name for r in rows],
            t("fm.col_kind"): [r.kind for r in rows],
            t("fm.col_shape"): ["×".join(map(str, r.shape)) for r in rows],
            t("fm.col_params"): [r.params for r in rows],
            t("fm.col_rf"): [
                "" if r.receptive_field is None else f"{r.receptive_field}×{r.receptive_field}" for r in rows
            ],
            t("fm.col_jump"): ["" if r.jump is None else str(r.jump) for r in rows],
        }
    ),
    hide_index=True,
    width="stretch",
    # every row in view up to 16 (LeNet's whole table, its parameters column summed by eye), then a scroll
    height=3 + 35 * (len(rows) + 1) if len(rows) <= 16 else 420,
)

# ---------------------------------------------------------------- one layer, all channels
maps = [r.name for r in rows if len(r.shape) == 3]
modules = modules_by_path(model)
st.subheader(t("fm.grid"))
layer_col, scale_col = st.columns([3, 1])
layer = layer_col.selectbox(
    t("fm.layer"),
    maps,
    **memory.seed("layer", maps, lambda n: f"{n} · {type(modules[n.split('#')[0]]).__name__}"),
)
shared = scale_col.toggle(t("fm.shared"), help=t("fm.shared_help"), **memory.seed("shared"))
layer_maps = acts[layer][0]  # (C, H, W)
grid = channel_grid(layer_maps, shared=shared, labels=(t("fm.bar_max"), t("fm.bar_min")))
st.image(
    grid.png,
    caption=t(
        "fm.grid_caption", n=Count("count.channels", layer_maps.shape[0]), h=layer_maps.shape[1], w=layer_maps.shape[2]
    ),
)
st.download_button(
    t("export.png"),
    grid.png,
    file_name=file_name("feature_maps", model_name, layer, "shared" if shared else "each", ext="png"),
    mime="image/png",
    key="fm_download_png",
    help=t("export.png_help"),
    icon=":material/image:",
    on_click="ignore",
)

# ---------------------------------------------------------------- one channel
st.subheader(t("fm.channel"))
memory.clamp("channel", 0, layer_maps.shape[0] - 1)
channel = st.number_input(t("fm.channel_pick"), 0, layer_maps.shape[0] - 1, **memory.seed("channel"))
values = layer_maps[channel]
scale, low, high = scale_for(float(values.min()), float(values.max()))  # diverging around 0 where signed
rounded = [[round(v, 4) for v in row] for row in values.tolist()]
heatmap = {
    "data": [
        {
            "type": "heatmap",
            "z": rounded,
            "colorscale": scale,
            "zmin": low,
            "zmax": high,
            "colorbar": {"thickness": 14},
            "hoverinfo": "skip",
        },
        click_targets(rounded, channel, t("fm.hover") + "<extra></extra>"),
    ],
    "layout": {
        "height": 420,
        "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
        "hovermode": "closest",
        "hoverdistance": -1,  # a click picks the cell under the pointer (see click_targets)
        "yaxis": {**cell_axis(values.shape[0], downwards=True), "scaleanchor": "x"},
        "xaxis": cell_axis(values.shape[1]),
    },
}


chart_col, stats_col = st.columns([2, 1])
with chart_col:
    # a click on the channel's heatmap picks the activation to explain
    ui.plotly_figure(heatmap, key="fm_channel_map", on_select=ui.cell_picker(memory, "fm_channel_map", "oy", "ox"))
with stats_col:
    st.metric(t("fm.min"), format_number(float(values.min()), 4))
    st.metric(t("fm.max"), format_number(float(values.max()), 4))
    st.metric(t("fm.mean"), format_number(float(values.mean()), 4))
    st.metric(t("fm.zeros"), f"{float((values == 0).float().mean()):.0%}")
module = modules[module_path(layer)]
made_by = producing_conv(model, acts, layer)
if made_by is not None and made_by.between:  # a BatchNorm, activation or pooling after a convolution
    conv = modules[made_by.conv]
    steps = " → ".join(type(modules[module_path(name)]).__name__ for name in made_by.between)
    st.markdown(t("fm.made_by", c=channel, conv=made_by.conv, kind=type(conv).__name__, steps=steps))
    st.markdown(t("fm.kernel", c_in=conv.weight.shape[1], k=conv.weight.shape[2]))
    st.image(channel_grid(conv.weight.detach()[channel]).png)
    st.button(
        t("fm.show_conv", conv=made_by.conv, kind=type(conv).__name__),
        key="fm_show_conv",
        on_click=memory.set,
        kwargs={"layer": made_by.conv},
        icon=":material/arrow_upward:",
    )
elif isinstance(module, torch.nn.Conv2d):
    st.markdown(t("fm.kernel", c_in=module.weight.shape[1], k=module.weight.shape[2]))
    st.image(channel_grid(module.weight.detach()[channel]).png)

    # ------------------------------------------------------------ explain one activation
    st.subheader(t("fm.explain"))
    h, w = values.shape
    oy_col, ox_col = st.columns(2)
    if memory.get("oy") < 0:  # first visit (and no link gave it): start in the middle of the map
        memory.set(oy=h // 2)
    if memory.get("ox") < 0:
        memory.set(ox=w // 2)
    previous = state.get("fm_cell_map_size")
    if previous is not None and tuple(previous) != (h, w):  # another layer: the same place of the picture
        memory.set(
            oy=int((memory.get("oy") + 0.5) * h / previous[0]), ox=int((memory.get("ox") + 0.5) * w / previous[1])
        )
    state.fm_cell_map_size = (h, w)
    memory.clamp("oy", 0, h - 1)
    memory.clamp("ox", 0, w - 1)
    oy = oy_col.slider(t("fm.row"), 0, max(h - 1, 1), **memory.seed("oy"), disabled=h == 1)
    ox = ox_col.slider(t("fm.col"), 0, max(w - 1, 1), **memory.seed("ox"), disabled=w == 1)
    explained = explain_activation(model, x, layer, channel, oy, ox, captured=layer_maps)
    field_row = next(r for r in rows if r.name == layer)
    top_px, left_px, bottom_px, right_px = field_row.window(oy, ox)
    picture_col, sums_col = st.columns([1, 2])
    with picture_col:
        height, width = seen.shape[:2]  # the picture the model sees, as shown under "What the model sees"
        # The axes take in the whole field, also where it reaches past the picture into the padding (deep
        # layers' fields are larger than the picture): the picture is outlined, the field always drawn.
        picture = {"type": "rect", "x0": -0.5, "x1": width - 0.5, "y0": -0.5, "y1": height - 0.5}
        field = {"type": "rect", "x0": left_px - 0.5, "x1": right_px + 0.5, "y0": top_px - 0.5, "y1": bottom_px + 0.5}
        figure = {
            "data": [{"type": "image", "z": seen.tolist(), "hoverinfo": "skip"}],
            "layout": {
                "height": 300,
                "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
                "xaxis": {"visible": False, "range": [min(-0.5, field["x0"]) - 1, max(width - 0.5, field["x1"]) + 1]},
                "yaxis": {
                    "visible": False,
                    "range": [max(height - 0.5, field["y1"]) + 1, min(-0.5, field["y0"]) - 1],
                    "scaleanchor": "x",
                },
                "plot_bgcolor": "rgba(0,0,0,0)",
                "shapes": [
                    {**picture, "line": {"color": "#888888", "width": 1, "dash": "dot"}},
                    {**field, "line": {"color": style.WINDOW_COLOUR, "width": 3}},
                ],
            },
        }
        ui.plotly_figure(figure, key="fm_field")
        st.caption(t("fm.field", rf=field_row.receptive_field, top=int(top_px), left=int(left_px)))
    with sums_col:
        step = explained.step
        sums = step.channel_sums.tolist()
        st.markdown(f"**{t('fm.channel_sum')}**")
        st.bar_chart(
            pd.DataFrame({t("fm.channel_sum_axis"): sums}),
            height=220,
            # a few channels get narrow bars (one channel filled the column with one wide bar), many the column
            width=BAR_AXIS_PX + BAR_PX * len(sums) if len(sums) <= 8 else "stretch",
            x_label=t("fm.input_channel_axis"),
            y_label=t("fm.channel_sum_axis"),
        )
        total = format_number(float(np.sum(sums)), 4)
        bias = format_number(step.bias, 4)
        bias_term = f"- {bias[1:]}" if bias.startswith("-") else f"+ {bias}"
        st.latex(
            rf"\sum_{{c=0}}^{{{len(sums) - 1}}} (\text{{{t('fm.formula_window')}}}_c \odot "
            rf"\text{{{t('fm.formula_kernel')}}}_c) + b"
            rf" = {total} {bias_term} = \mathbf{{{format_number(step.value, 4)}}}"
        )
        matches = agrees(step.value - explained.captured, explained.captured)
        (st.success if matches else st.error)(
            t("fm.captured", value=format_number(explained.captured, 4)), icon="✅" if matches else "❌"
        )
    strongest = np.argsort(-np.abs(np.array(sums)))[:3]
    with st.expander(text_n("fm.strongest", len(strongest), ui.lang(), n=len(strongest))):
        lines = step_latex(step, with_bias=module.bias is not None)
        for c in strongest:
            st.latex(lines[int(c)])
if not isinstance(module, torch.nn.Conv2d):
    st.caption(t("fm.explain_in_conv") if made_by is not None else t(no_single_kernel(model, acts, layer)))

# ---------------------------------------------------------------- learned filters
first_conv = next(name for name, m in modules.items() if isinstance(m, torch.nn.Conv2d))
first_weight = modules[first_conv].weight
st.subheader(t("fm.filters", layer=first_conv, kind=type(modules[first_conv]).__name__))
colour_filters = first_weight.shape[1] == 3  # filter_grid draws RGB filters as pictures, others on one scale
st.image(
    filter_grid(first_weight), caption=t("fm.filters_caption_rgb" if colour_filters else "fm.filters_caption_gray")
)
show_link(memory.publish())  # the address bar and the box: the layer, channel and activation as shown (clamped)
