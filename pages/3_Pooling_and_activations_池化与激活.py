"""Pooling, activations and upsampling: the layers between convolutions, on real feature maps."""

from __future__ import annotations

from dataclasses import asdict

import streamlit as st

from vizconv import ui
from vizconv.i18n import teaching
from vizconv.inputs.feature_sources import LENET_STAGES
from vizconv.inputs.kernels import FIXED_3X3
from vizconv.ops.activations import ACTIVATIONS
from vizconv.ops.pool import POOL_KINDS
from vizconv.ops.upsample import UPSAMPLE_MODES
from vizconv.ui import sections
from vizconv.views import pooling  # the lessons' settings, bounds and links
from vizconv.viz.animator import SPEEDS

t = ui.t
state = st.session_state

ui.page_setup("pool.title", "🟦")
# What a link carries (?pool_kind=avg ...): each setting with the values a URL may give it; the page clamps the
# window position, the channel and the explained upsampled cell to the map it shows.
SHARED = {
    "section": ui.OneOf(pooling.SECTIONS),
    "source": ui.OneOf(("lenet", "sample", "random", "upload")),
    "stage": ui.OneOf(tuple(LENET_STAGES)),
    "sample": ui.OneOf((*pooling.IMAGE_SAMPLES, *pooling.GRID_SAMPLES)),
    "colour": ui.Flag(),
    "kind": ui.OneOf(POOL_KINDS),
    "stride_default": ui.Flag(),
    "speed": ui.OneOf(SPEEDS),
    "position": ui.Whole(0, 99_999),  # state keys pool_position and pool_step_c: the stepper clamps them
    "step_c": ui.Whole(0, 5),
    "act_source": ui.OneOf(("lenet", "kernel")),
    "act_picture": ui.OneOf((*pooling.PHOTOS, "upload")),
    "act_kernel": ui.OneOf(tuple(FIXED_3X3)),
    "activation": ui.OneOf(ACTIVATIONS),
    "slope": ui.Decimal(*pooling.SLOPE, 2),
    "up_source": ui.OneOf(("lenet", "digit", "random")),
    "mode": ui.OneOf(UPSAMPLE_MODES),
    "scale": ui.OneOf((2, 3)),
    "corners": ui.Flag(),
    **{name: ui.Whole(*pooling.LIMITS[name]) for name in pooling.LIMITS if name not in pooling.PAIRS},
    **{f"{name}_{axis}": ui.Whole(*pooling.LIMITS[name]) for name in pooling.PAIRS for axis in "hw"},
    **sections.quiz.SHARED,  # the quiz: on, its seed and question number
}
memory = ui.WidgetMemory("pool", asdict(pooling.PoolingSettings()), shared=SHARED)
linked = memory.from_url()  # a link opened: its settings
memory.restore(**linked)
if linked:
    state.pool_upload_from_link = "upload" in (linked.get("source"), linked.get("act_picture"))
header = st.container(horizontal=True, vertical_alignment="center")  # the notes, the quiz switch beside
teaching.show_notes("pool", ui.lang(), header)
notices = st.container()  # why an input cannot be shown (no upload yet, a broken install), above the section's content
with st.sidebar:
    # catalogue: pool.section.pooling, pool.section.activations, pool.section.upsampling
    section = ui.choice(memory, "section", t("pool.section"), pooling.SECTIONS, "pool.section.", horizontal=False)
sections.quiz.show(memory, header)  # predict, then reveal: above the lesson, when switched on
# vizconv/ui/sections/pooling.py, activations.py or upsampling.py
sections.lesson(section).show(sections.Lesson(memory, notices))

# The link, once the position and the explained cell are clamped to what the page shows.
values = memory.sync()
uploaded = (section == "pooling" and values["source"] == "upload") or (
    section == "activations" and values["act_source"] == "kernel" and values["act_picture"] == "upload"
)
unused = set(SHARED) - pooling.shown_settings(values) - set(sections.quiz.SHARED)
ui.share_box(memory.publish(unused), (t("share.upload_note"),) if uploaded else ())
