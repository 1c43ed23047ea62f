"""Why it answered: class activation maps, occlusion and top patches, explained in numbers."""

from __future__ import annotations

import streamlit as st

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.explain.errors import ExplainError
from vizconv.explain.tap import spatial_layers
from vizconv.i18n import teaching
from vizconv.inputs.samples import model_samples
from vizconv.ui import sections
from vizconv.views import explain as view
from vizconv.views.feature_maps import LINK_SAMPLES, MODEL_CHOICES, model_dataset

WHY_WEIGHTS = ("bundled", "random")  # a snapshot or a state_dict of one's own: on the Feature maps page
t = ui.t

ui.page_setup("why.title", "🔍")
# What a link carries (?why_lesson=occlusion ...): an uploaded picture cannot travel.
SHARED = {
    "lesson": ui.OneOf(view.LESSONS),
    "model": ui.OneOf(MODEL_CHOICES),  # "onnx" opens the uploader: the file itself cannot travel
    "weights": ui.OneOf(WHY_WEIGHTS),
    "sample": ui.OneOf(LINK_SAMPLES),
    "target": ui.Whole(-1, 999),  # the page keeps it to the model's classes
    "layer": ui.Name(),  # checked against the model's layers with a map
    "method": ui.OneOf(view.METHOD_ORDER),
    "conv": ui.Name(),
    "channel": ui.Whole(0, 2047),
    "py": ui.Whole(0, 511),
    "px": ui.Whole(0, 511),
    **{name: ui.Whole(*bounds) for name, bounds in view.LIMITS.items()},
}
memory = ui.WidgetMemory("why", view.DEFAULTS, shared=SHARED)
memory.restore(**memory.from_url())
teaching.show_notes("why", ui.lang(), st)

with st.sidebar:
    # catalogue: why.lesson.gradcam, why.lesson.methods, why.lesson.occlusion, why.lesson.channel
    lesson = ui.choice(memory, "lesson", t("why.lesson"), view.LESSONS, "why.lesson.")
chosen = sections.model_source.pick(memory, "why", WHY_WEIGHTS)  # the page stops where it cannot be had
model, info, name = chosen.model, chosen.info, chosen.file_stem

if not info.classes:  # an ONNX model whose output is a map, not one score per class: nothing to explain
    ui.show_error(ExplainError("not_a_classifier", shape=info.card.get("output_shape")))
    st.stop()
samples = model_samples(model_dataset(info))
with st.sidebar:
    st.header(t("fm.input_header"))
    keys = list(samples)
    # catalogue: sample.<…> (30 keys: sample.digit_7 … sample.cifar_truck)
    sample = st.selectbox(t("fm.sample"), keys, **memory.seed("sample", keys, ui.labels("sample.")))
    upload = ui.image_uploader("why_upload")
try:
    picture = ui.uploaded_picture(upload, "why_upload") if upload is not None else None
    picture = picture or view.sample_picture(samples[sample])
except MessageError as exc:
    ui.show_error(exc)
    st.stop()
prediction = view.predict(model, info, picture)
# catalogue: class.<…> (CIFAR-10's and ImageNet's names where translated; a digit is its own name)
names = [ui.t_or(f"class.{c}", c) for c in info.classes]
targets = [-1, *range(len(names))]
with st.sidebar:
    st.header(t("why.explain_header"))
    target_labels = {-1: t("why.predicted", cls=names[prediction.predicted])}
    target_labels |= {i: f"{i} · {n}" for i, n in enumerate(names)}
    target = st.selectbox(t("why.target"), targets, **memory.seed("target", targets, target_labels.get))
    layers = spatial_layers(model, info.input_size)
    if not layers:  # a model with no map larger than one cell (none of the bundled ones)
        ui.show_error(ExplainError("no_spatial_layer"))
        st.stop()
    labels = view.layer_labels(model, info.input_size, layers)
    if memory.get("layer") not in layers:
        memory.set(layer=layers[-1])  # the default: the last layer with a map
    layer = layers[-1]
    if lesson in ("gradcam", "methods"):
        layer = st.selectbox(
            t("why.layer"), layers, help=t("why.layer_help"), **memory.seed("layer", layers, labels.get)
        )
        st.slider(t("why.opacity"), 0, 100, **memory.seed("opacity"))
    elif lesson == "occlusion":
        st.slider(t("why.opacity"), 0, 100, **memory.seed("opacity"))
class_index = prediction.predicted if target == -1 else int(target)

head_picture, head_table = st.columns([1, 2])
seen = info.to_image(prediction.x)  # (H, W, 3) uint8: the picture as the model takes it
head_picture.image(view.enlarged(seen), caption=t("why.seen"))
with head_table:
    top = [(names[i], p) for i, p in prediction.top]
    ui.probability_table([n for n, _ in top], [p for _, p in top], t("fm.class"), t("fm.probability"))
    st.caption(t("why.explaining", cls=names[class_index], p=f"{float(prediction.probabilities[class_index]):.1%}"))

explained = sections.Explained(
    memory,
    name,
    model,
    info,
    prediction,
    seen,
    class_index,
    names[class_index],
    layer,
    tuple(layers),
    view.layer_channels(model, info.input_size, layer),
    chosen.weights,
)
sections.WHY_LESSONS[lesson].show(explained)  # vizconv/ui/sections/cam_numbers.py, cam_methods.py, occlusion.py, …
notes = (() if upload is None else (t("share.own_picture_note"),)) + ((t("share.own_onnx_note"),) if chosen.own else ())
ui.share_box(memory.publish(view.unused_settings(memory.sync())), notes)
