"""Learning page, lesson 4: from random to trained, instantly. A scrubber over a bundled model's weights after
each saved epoch (0: the random initialisation its training started from, up to the shipped weights): the
held-out accuracy, what it predicts for a sample digit or picture, the first layer's filters and feature maps at
that epoch."""

from __future__ import annotations

from dataclasses import asdict

import streamlit as st
from PIL import Image

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.nets.feature_maps import channel_grid, filter_grid
from vizconv.nets.models import snapshot_epochs
from vizconv.ui.sections.inputs import Lesson
from vizconv.views import learning as view

t = ui.t


def show(lesson: Lesson) -> None:
    """The lesson: the model and digit in the sidebar, the epoch scrubber, then that epoch's network."""
    memory = lesson.memory
    with st.sidebar:
        st.header(t("snap.settings"))
        # catalogue: fm.model.lenet5, fm.model.lenet5-classic, fm.model.resnet20
        name = ui.choice(memory, "s_model", t("fm.model"), view.SNAPSHOT_MODELS, "fm.model.", radio=False)
        if view.snapshot_uses_digits(name):
            st.selectbox(t("pool.digit"), range(10), **memory.seed("s_digit", range(10)))
        else:  # catalogue: sample.cifar_airplane ... sample.cifar_truck
            ui.choice(memory, "s_picture", t("snap.picture"), view.SNAPSHOT_PICTURES, "sample.", radio=False)
    try:
        epochs = snapshot_epochs(name)
        trained = ui.cached_model(name)[1]
    except MessageError as exc:
        ui.show_error(exc)
        return
    if not epochs:  # an install whose card lists none (vizconv.training.attach_snapshots adds them)
        st.info(t("snap.none", model=t(f"fm.model.{name}")))
        return
    epoch = st.select_slider(
        t("snap.epoch"), epochs, help=t("snap.epoch_help"), **memory.seed("s_epoch", epochs, by_value=True)
    )
    try:
        model, info = ui.cached_snapshot(name, epoch)
    except MessageError as exc:  # a snapshot file missing or altered: the install is broken, said plainly
        ui.show_error(exc)
        return
    settings = view.SnapshotSettings(**{key: memory.get(key) for key in asdict(view.SnapshotSettings())})
    picture = view.snapshot_picture(settings)
    seen = view.snapshot_view(model, info, picture)
    digits = view.snapshot_uses_digits(name)
    # What the picture is called in the captions: the digit, or the CIFAR-10 class of the sample.
    what = t("snap.the_digit", digit=settings.s_digit) if digits else t("snap.the_picture")
    (best, probability), accuracy = seen.top[0], info.card["test_accuracy"]
    # catalogue: class.<…> (CIFAR-10's 10 classes; a digit is its own name)
    ui.metric_row(
        [
            (t("snap.accuracy"), f"{accuracy:.1%}"),
            (t("snap.prediction", what=what), f"{ui.t_or(f'class.{best}', best)} ({probability:.0%})"),
            (t("snap.shipped"), f"{trained.card['test_accuracy']:.1%}"),
        ],
        per_row=3,
    )
    done, accuracies = view.snapshot_accuracies(trained.card)
    curve = view.curve_figure([(t("snap.curve"), done, accuracies)], t("train.epoch_axis"))
    curve["layout"]["shapes"] = [{"type": "line", "x0": epoch, "x1": epoch, "yref": "paper", "y0": 0, "y1": 1}]
    ui.plotly_figure(curve, key="learn_s_curve")
    picture_col, filters_col, maps_col = st.columns([1, 2, 2])
    picture_col.image(picture.resize((112, 112), Image.Resampling.NEAREST), caption=t("snap.input"))
    filters_col.image(filter_grid(seen.filters), caption=t("snap.filters", epoch=epoch))
    maps_col.image(channel_grid(seen.maps).png, caption=t("snap.maps", epoch=epoch, what=what))
    if digits:
        st.caption(t("snap.what"))
    else:  # ResNet-20: its snapshots come from a stopped rerun of its first stage (the card's snapshots_run)
        run = trained.card["snapshots_run"]
        first, total = run["epochs"], epochs[-1]
        st.caption(t("snap.what_staged", stopped=run["stopped_after"], total=total, first=first, restart=total - first))
