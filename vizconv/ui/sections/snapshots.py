"""Learning page, lesson 4: from random to trained, instantly. A scrubber over the bundled LeNet's weights after
each saved epoch (0: the random initialisation its training started from, up to the shipped weights): the
held-out accuracy, what it predicts for a digit, the first layer's filters and feature maps at that epoch."""

from __future__ import annotations

import streamlit as st

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.nets.feature_maps import channel_grid, filter_grid
from vizconv.nets.models import snapshot_epochs
from vizconv.training.live import LIVE_MODELS
from vizconv.ui.sections.inputs import Lesson
from vizconv.views import learning as view

t = ui.t


def show(lesson: Lesson) -> None:
    """The lesson: the model and digit in the sidebar, the epoch scrubber, then that epoch's network."""
    memory = lesson.memory
    with st.sidebar:
        st.header(t("snap.settings"))
        # catalogue: fm.model.lenet5, fm.model.lenet5-classic
        name = ui.choice(memory, "s_model", t("fm.model"), LIVE_MODELS, "fm.model.", radio=False)
        digit = st.selectbox(t("pool.digit"), range(10), **memory.seed("s_digit", range(10)))
    try:
        epochs = snapshot_epochs(name)
        trained = ui.cached_model(name)[1]
    except MessageError as exc:
        ui.show_error(exc)
        return
    epoch = st.select_slider(
        t("snap.epoch"), epochs, help=t("snap.epoch_help"), **memory.seed("s_epoch", epochs, by_value=True)
    )
    try:
        model, info = ui.cached_snapshot(name, epoch)
    except MessageError as exc:  # a snapshot file missing or altered: the install is broken, said plainly
        ui.show_error(exc)
        return
    seen = view.snapshot_view(model, info, int(digit))
    (best, probability), accuracy = seen.top[0], info.card["test_accuracy"]
    ui.metric_row(
        [
            (t("snap.accuracy"), f"{accuracy:.1%}"),
            (t("snap.prediction", digit=digit), f"{best} ({probability:.0%})"),
            (t("snap.shipped"), f"{trained.card['test_accuracy']:.1%}"),
        ],
        per_row=3,
    )
    done, accuracies = view.snapshot_accuracies(trained.card)
    curve = view.curve_figure([(t("snap.curve"), done, accuracies)], t("train.epoch_axis"))
    curve["layout"]["shapes"] = [{"type": "line", "x0": epoch, "x1": epoch, "yref": "paper", "y0": 0, "y1": 1}]
    ui.plotly_figure(curve, key="learn_s_curve")
    filters_col, maps_col = st.columns(2)
    filters_col.image(filter_grid(seen.filters), caption=t("snap.filters", epoch=epoch))
    maps_col.image(channel_grid(seen.maps).png, caption=t("snap.maps", epoch=epoch, digit=digit))
    st.caption(t("snap.what"))
