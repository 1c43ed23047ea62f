"""Feature maps: what a trained network sees, layer by layer, down to one dot product."""

from __future__ import annotations

import pandas as pd
import streamlit as st
import torch

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.i18n import teaching
from vizconv.i18n.strings import Count, text_n
from vizconv.inputs.samples import model_samples
from vizconv.nets.capture import module_path, modules_by_path
from vizconv.nets.feature_maps import channel_grid, explain_activation, filter_grid, no_single_kernel, producing_conv
from vizconv.ui import sections
from vizconv.views import feature_maps as view
from vizconv.viz.steps import step_latex

t = ui.t
state = st.session_state

ui.page_setup("fm.title", "🧠")
# What a link carries (?fm_layer=3 ...). Only a sample picture travels: a drawing or an upload cannot.
SHARED = {
    "model": ui.OneOf(view.MODEL_CHOICES),  # "onnx" opens the uploader: the file itself cannot travel
    "source": ui.OneOf(("sample",)),
    "sample": ui.OneOf(view.LINK_SAMPLES),
    "layer": ui.Name(),  # checked against the model's layers when the layer picker is drawn
    "channel": ui.Whole(0, view.MAX_MAP),
    "shared": ui.Flag(),
    "weights": ui.OneOf(("bundled", "epoch", "random")),  # an upload cannot travel in a link
    "preprocess": ui.OneOf(view.ONNX_PREPROCESSING),
    "epoch": ui.Whole(0, view.MAX_EPOCH),  # kept to a snapshot the model's card lists
    "oy": ui.Whole(0, view.MAX_MAP),
    "ox": ui.Whole(0, view.MAX_MAP),
}
memory = ui.WidgetMemory("fm", view.DEFAULTS, shared=SHARED)
memory.restore(**memory.from_url())  # a link opened: its settings (the pickers below check them again)
teaching.show_notes("fm", ui.lang(), st)

# ---------------------------------------------------------------- controls
chosen = sections.model_source.pick(memory, "fm")  # the sidebar's model and weights; the page stops if none
model, info, model_name, weights = chosen.model, chosen.info, chosen.file_stem, chosen.weights
with st.sidebar:
    st.header(t("fm.input_header"))
    source = st.radio(
        t("fm.source"),
        view.SOURCES,
        horizontal=True,
        # catalogue: fm.source.sample, fm.source.upload, fm.source.draw
        **memory.seed("source", view.SOURCES, ui.labels("fm.source.")),
    )

dataset = view.model_dataset(info)
samples = model_samples(dataset)
drawing = sample_key = upload = None
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
    + ((t("share.own_onnx_note" if chosen.name == view.ONNX else "share.own_weights_note"),) if chosen.own else ()),
)

try:
    if source == "upload":
        picture = None if upload is None else ui.uploaded_picture(upload, "fm_upload")
    else:
        picture = view.chosen_picture(source, samples, sample_key, drawing)
except MessageError as exc:
    ui.show_error(exc)
    st.stop()
if picture is None:  # catalogue: fm.upload_prompt, fm.draw_prompt
    st.info(t(f"fm.{source}_prompt"), icon="⬅️" if source == "upload" else "⬆️")
    st.stop()

seen_by = view.analyse(model, info, picture)
x, acts, rows = seen_by.x, seen_by.acts, seen_by.rows

# ---------------------------------------------------------------- input and prediction
left, right = st.columns([1, 2])
with left:
    st.subheader(t("fm.seen"))
    seen = info.to_image(x)
    st.image(
        view.enlarged(seen),
        width="content",  # at most its 224 pixels, narrower in a narrow column (a projector's 1024)
        caption=t("fm.seen_caption", c=info.input_size[0], h=info.input_size[1], w=info.input_size[2]),
    )
with right:
    st.subheader(t("fm.prediction"))
    if seen_by.probabilities is None:  # an ONNX model whose output is not one score per class
        st.info(t("fm.no_classes", shape=info.card.get("output_shape")), icon="ℹ️")
    else:
        top = view.top_predictions(seen_by.probabilities, info.classes)
        # catalogue: class.<…> (10 keys: class.airplane … class.truck)
        names = [ui.t_or(f"class.{name}", name) for name, _ in top]
        ui.probability_table(names, [p for _, p in top], t("fm.class"), t("fm.probability"))
        accuracy = info.card.get("test_accuracy")
        if accuracy is not None:
            st.caption(t("fm.card_accuracy", accuracy=f"{accuracy:.1%}"))
        # softmax always picks one of its classes: say so, a photo of an astronaut becomes a "dog"
        st.caption(t("fm.closed_world", n=len(info.classes)))

# ---------------------------------------------------------------- layer trace
st.subheader(t("fm.layers"))
# catalogue: fm.col_layer, fm.col_kind, fm.col_shape, fm.col_params, fm.col_rf, fm.col_jump
table = pd.DataFrame({t(key): values for key, values in view.layer_columns(rows).items()})
st.dataframe(table, hide_index=True, width="stretch", height=view.table_height(len(rows)))

# ---------------------------------------------------------------- one layer, all channels
maps = view.map_layers(rows)
modules = modules_by_path(model)
st.subheader(t("fm.grid"))
layer_col, scale_col = st.columns([3, 1])
layer = layer_col.selectbox(
    t("fm.layer"), maps, **memory.seed("layer", maps, lambda name: view.layer_label(name, modules))
)
shared = scale_col.toggle(t("fm.shared"), help=t("fm.shared_help"), **memory.seed("shared"))
layer_maps = acts[layer][0]  # (C, H, W)
grid = channel_grid(layer_maps, shared=shared, labels=(t("fm.bar_max"), t("fm.bar_min")))
channels, h, w = layer_maps.shape
st.image(grid.png, caption=t("fm.grid_caption", n=Count("count.channels", channels), h=h, w=w))
ui.download("png", grid.png, view.grid_file_name(model_name, layer, shared), "fm_download_png")

# ---------------------------------------------------------------- one channel
st.subheader(t("fm.channel"))
memory.clamp("channel", 0, channels - 1)
channel = st.number_input(t("fm.channel_pick"), 0, channels - 1, **memory.seed("channel"))
values = layer_maps[channel]
heatmap = view.channel_heatmap(values, channel, t("fm.hover") + "<extra></extra>")
chart_col, stats_col = st.columns([2, 1])
with chart_col:
    # a click on the channel's heatmap picks the activation to explain
    ui.plotly_figure(heatmap, key="fm_channel_map", on_select=ui.cell_picker(memory, "fm_channel_map", "oy", "ox"))
with stats_col:
    for key, value in view.channel_stats(values):  # catalogue: fm.min, fm.max, fm.mean, fm.zeros
        st.metric(t(key), value)
module = modules[module_path(layer)]
made_by = producing_conv(model, acts, layer)
if made_by is not None and made_by.between:  # a BatchNorm, activation or pooling after a convolution
    conv = modules[made_by.conv]
    steps, kind = view.steps_between(made_by, modules), type(conv).__name__
    st.markdown(t("fm.made_by", c=channel, conv=made_by.conv, kind=kind, steps=steps))
    st.markdown(t("fm.kernel", c_in=conv.weight.shape[1], k=conv.weight.shape[2]))
    if grouped := view.group_note(conv, channel):  # catalogue: fm.depthwise, fm.grouped
        st.markdown(t(grouped[0], **grouped[1]))
    st.image(channel_grid(conv.weight.detach()[channel]).png)
    st.button(
        t("fm.show_conv", conv=made_by.conv, kind=kind),
        key="fm_show_conv",
        on_click=memory.set,
        kwargs={"layer": made_by.conv},
        icon=":material/arrow_upward:",
    )
elif isinstance(module, torch.nn.Conv2d):
    st.markdown(t("fm.kernel", c_in=module.weight.shape[1], k=module.weight.shape[2]))
    if grouped := view.group_note(module, channel):  # catalogue: fm.depthwise, fm.grouped
        st.markdown(t(grouped[0], **grouped[1]))
    st.image(channel_grid(module.weight.detach()[channel]).png)

    # ------------------------------------------------------------ explain one activation
    st.subheader(t("fm.explain"))
    oy_col, ox_col = st.columns(2)
    cell = (memory.get("oy"), memory.get("ox"))
    if cell != (moved := view.carried_cell(cell, (h, w), state.get("fm_cell_map_size"))):  # the middle at first,
        memory.set(oy=moved[0], ox=moved[1])  # then the same place of the picture on another layer
    state.fm_cell_map_size = (h, w)
    oy = oy_col.slider(t("fm.row"), 0, max(h - 1, 1), **memory.seed("oy"), disabled=h == 1)
    ox = ox_col.slider(t("fm.col"), 0, max(w - 1, 1), **memory.seed("ox"), disabled=w == 1)
    explained = explain_activation(model, x, layer, channel, oy, ox, captured=layer_maps)
    field_row = next(r for r in rows if r.name == layer)
    picture_col, sums_col = st.columns([1, 2])
    with picture_col:
        ui.plotly_figure(view.field_figure(seen, field_row.window(oy, ox)), key="fm_field")
        top_px, left_px, _, _ = field_row.window(oy, ox)
        st.caption(t("fm.field", rf=field_row.receptive_field, top=int(top_px), left=int(left_px)))
    with sums_col:
        step = explained.step
        sums = step.channel_sums.tolist()
        st.markdown(f"**{t('fm.channel_sum')}**")
        ui.bar_chart(sums, t("fm.input_channel_axis"), t("fm.channel_sum_axis"), positions=step.input_channels)
        st.latex(view.activation_latex(step, t("fm.formula_window"), t("fm.formula_kernel")))
        key, values = view.captured_check(step.value, explained.captured)  # fm.captured, fm.captured_differs
        (st.success if key == "fm.captured" else st.error)(
            t(key, **values), icon="✅" if key == "fm.captured" else "❌"
        )
    strongest = view.strongest_channels(step.channel_sums)
    with st.expander(text_n("fm.strongest", len(strongest), ui.lang(), n=len(strongest))):
        lines = step_latex(step, with_bias=module.bias is not None)
        for c in strongest:
            st.latex(lines[c])
if not isinstance(module, torch.nn.Conv2d):
    st.caption(t("fm.explain_in_conv") if made_by is not None else t(no_single_kernel(model, acts, layer)))

# ---------------------------------------------------------------- learned filters
first_conv = view.first_conv(modules)
first_weight = modules[first_conv].weight
st.subheader(t("fm.filters", layer=first_conv, kind=type(modules[first_conv]).__name__))
st.image(filter_grid(first_weight), caption=t(view.filters_caption(first_weight)))
show_link(memory.publish())  # the address bar and the box: the layer, channel and activation as shown (clamped)
