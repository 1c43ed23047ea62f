"""Learning: how a convolution layer's weights learn, starting from the backward pass, every gradient a sum of
products equal to autograd's."""

from __future__ import annotations

from dataclasses import asdict

import streamlit as st

from vizconv import ui
from vizconv.i18n import teaching
from vizconv.inputs.kernels import KERNEL_PRESETS
from vizconv.ops.geometry import PADDING_MODES
from vizconv.training.learn_kernel import HIDDEN_PRESETS, INPUTS
from vizconv.training.live import LIVE_MODELS, MAX_EPOCHS
from vizconv.ui import sections
from vizconv.views import learning
from vizconv.viz.animator import SPEEDS

t = ui.t

ui.page_setup("learning.title", "📉")
# What a link carries (?learn_loss=mse ...): each setting with the values a URL may give it; the page clamps the
# explained weight, input cell and loss cell to the layer it shows.
SHARED = {
    "lesson": ui.OneOf(learning.LESSONS),
    "padding_kind": ui.OneOf(("number", "same", "valid")),
    "padding_mode": ui.OneOf(PADDING_MODES),
    "bias": ui.Flag(),
    "preset": ui.OneOf(KERNEL_PRESETS),
    "loss": ui.OneOf(learning.LOSSES),
    "target": ui.OneOf(learning.TARGET_PRESETS),
    "speed": ui.OneOf(SPEEDS),
    **{name: ui.Whole(*bounds) for name, bounds in learning.LIMITS.items()},
    "k_input": ui.OneOf(INPUTS),
    "k_hidden": ui.OneOf((*HIDDEN_PRESETS, "typed")),
    "k_typed": ui.Encoded(str, max_chars=200),  # read by learn_kernel.parse_kernel, which explains bad text
    "k_start": ui.OneOf(("zeros", "random")),
    "k_lr": ui.Decimal(*learning.LEARNING_RATES, 3),
    **{name: ui.Whole(*bounds) for name, bounds in learning.KERNEL_LIMITS.items()},
    "t_model": ui.OneOf(LIVE_MODELS),
    "t_epochs": ui.Whole(1, MAX_EPOCHS),
    "t_lr": ui.OneOf(learning.LIVE_RATES),
    "t_digit": ui.Whole(0, 9),
    "s_model": ui.OneOf(learning.SNAPSHOT_MODELS),
    "s_epoch": ui.Whole(*learning.SNAPSHOT_EPOCHS),  # the page keeps it to an epoch the card lists
    "s_digit": ui.Whole(0, 9),
    "s_picture": ui.OneOf(learning.SNAPSHOT_PICTURES),
}
defaults = {"lesson": "backward", **asdict(learning.BackwardSettings()), **asdict(learning.KernelSettings())}
defaults |= asdict(learning.LiveSettings()) | asdict(learning.SnapshotSettings())
memory = ui.WidgetMemory("learn", defaults | {"speed": 2}, SHARED)
memory.restore(**memory.from_url())  # a link opened: its settings
teaching.show_notes("learning", ui.lang(), st)
notices = st.container()  # why an input cannot be shown, above the lesson
with st.sidebar:
    lesson = memory.get("lesson")
    if len(learning.LESSONS) > 1:
        # catalogue: learning.lesson.backward, learning.lesson.learn, learning.lesson.train, learning.lesson.snapshots
        lesson = ui.choice(memory, "lesson", t("learning.lesson"), learning.LESSONS, "learning.lesson.")
# vizconv/ui/sections/backward.py, learn_kernel.py, train_live.py or snapshots.py
sections.lesson(lesson).show(sections.Lesson(memory, notices))

# The link, once the explained cells are clamped to what the page shows.
ui.share_box(memory.publish(learning.unused_settings(memory.sync())))
