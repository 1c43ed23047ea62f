"""Learning page, lesson 3: train LeNet-5 live on the bundled MNIST digits, in the page: start, pause, continue,
start again; the progress, the loss and accuracy curves, the first layer's filters and one digit's feature maps
redrawn as it trains. The training runs in a thread of its own (vizconv.training.live: one torch thread, a cap
on trainings per server, this session's only), so the page stays responsive; a fragment redraws it every second
while it runs."""

from __future__ import annotations

import streamlit as st

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.i18n.strings import Count
from vizconv.nets.feature_maps import channel_grid, filter_grid
from vizconv.training.live import LIVE_MODELS, MAX_EPOCHS, SLOT_LIMIT, LiveConfig, LiveSnapshot, LiveTraining
from vizconv.ui.sections.inputs import Lesson
from vizconv.views import learning as view

t = ui.t
state = st.session_state
LIVE_KEY = "learn_live"  # this session's LiveTraining: gone with the session (its thread stops, its slot is freed)
REDRAW_SECONDS = 1.0  # how often the running training is redrawn
ERROR_KEY = "learn_t_refused"  # why the last start was refused, said once


def sidebar(memory: ui.WidgetMemory) -> LiveConfig:
    """The model, the epochs, the learning rate and the digit whose maps are shown, from the sidebar."""
    st.header(t("train.settings"))
    # catalogue: fm.model.lenet5, fm.model.lenet5-classic
    model = ui.choice(memory, "t_model", t("train.model"), LIVE_MODELS, "fm.model.", radio=False)
    epochs = st.slider(t("train.epochs"), 1, MAX_EPOCHS, **memory.seed("t_epochs"))
    rates = view.LIVE_RATES
    lr = st.select_slider(t("train.lr"), rates, help=t("train.lr_help"), **memory.seed("t_lr", rates, by_value=True))
    digit = st.selectbox(t("pool.digit"), range(10), **memory.seed("t_digit", range(10)))
    st.caption(t("train.bounds", n=SLOT_LIMIT, epochs=MAX_EPOCHS))
    return LiveConfig(epochs=int(epochs), lr=float(lr), digit=int(digit), model=model)


def _training(config: LiveConfig) -> LiveTraining:
    """This session's training: made on the first visit; a new setting starts it again (not while it runs)."""
    training = state.get(LIVE_KEY)
    if training is None:
        training = state[LIVE_KEY] = LiveTraining(config)
    elif training.config != config and not training.running:
        training.reset(config)
    return training


def show(lesson: Lesson) -> None:
    """The lesson: the controls, then the training as it stands, redrawn every second while it runs."""
    with st.sidebar:
        config = sidebar(lesson.memory)
    try:
        training = _training(config)
    except MessageError as exc:
        ui.show_error(exc)
        return
    if training.config != config:
        st.info(t("train.settings_wait"), icon="⏳")
    _controls(training)
    st.fragment(run_every=REDRAW_SECONDS if training.running else None)(_progress)(training)


def _start(training: LiveTraining) -> None:
    """The start button's callback (before the page reruns, so every button is drawn as the training now is)."""
    try:
        training.start()
    except MessageError as exc:  # the server's trainings are all taken, or no digits: said on the page
        state[ERROR_KEY] = exc


def _controls(training: LiveTraining) -> None:
    """Start or continue, pause, start again (what each can do now); their callbacks run before the rerun."""
    if (refused := state.pop(ERROR_KEY, None)) is not None:
        ui.show_error(refused)
    now = training.state
    start_col, pause_col, reset_col = st.columns(3)
    label = t("train.continue") if now == "paused" else t("train.start")
    start_col.button(
        label,
        key="learn_t_start",
        icon=":material/play_arrow:",
        disabled=now not in ("ready", "paused") or training.running,
        on_click=_start,
        args=(training,),
        width="stretch",
    )
    pause_col.button(
        t("train.pause"),
        key="learn_t_pause",
        icon=":material/pause:",
        disabled=not training.running,
        on_click=training.pause,
        width="stretch",
    )
    reset_col.button(
        t("train.reset"), key="learn_t_reset", icon=":material/restart_alt:", on_click=training.reset, width="stretch"
    )


def _progress(training: LiveTraining) -> None:
    """The training as it stands: progress, curves, filters and maps; a full rerun once it stops running, so the
    buttons and the redrawing follow."""
    now = training.snapshot()
    if now.state != "running" and state.get("learn_t_was_running"):
        state.learn_t_was_running = False
        st.rerun()  # the buttons change, and this fragment stops redrawing
    state.learn_t_was_running = now.state == "running"
    # catalogue: train.state.ready, train.state.running, train.state.paused, train.state.done, train.state.failed
    status = t(f"train.state.{now.state}", epoch=now.epoch, epochs=Count("count.epochs", now.epochs))
    st.progress(now.fraction, text=status)
    if now.state == "failed":
        st.error(t("train.failed", error=now.error or ""), icon="❌")
    _curves(now)
    filters_col, maps_col = st.columns(2)
    filters_col.image(filter_grid(now.filters), caption=t("train.filters"))
    maps_col.image(channel_grid(now.maps).png, caption=t("train.maps", digit=now.digit))


def _curves(now: LiveSnapshot) -> None:
    """The training loss and accuracy per chunk of batches, and the held-out accuracy after each epoch."""
    if not now.chunk_at:
        st.caption(t("train.no_curves"))
        return
    loss = view.curve_figure([(t("train.loss"), now.chunk_at, now.chunk_loss)], t("train.epoch_axis"))
    accuracy = view.curve_figure(
        [
            (t("train.train_accuracy"), now.chunk_at, now.chunk_accuracy),
            (t("train.test_accuracy"), tuple(range(len(now.test_accuracy))), now.test_accuracy),
        ],
        t("train.epoch_axis"),
    )
    loss_col, accuracy_col = st.columns(2)
    with loss_col:
        ui.plotly_figure(loss, key="learn_t_loss")
    with accuracy_col:
        ui.plotly_figure(accuracy, key="learn_t_accuracy")
    if now.test_accuracy:
        epochs = Count("count.epochs", len(now.test_accuracy) - 1)
        st.caption(t("train.test_now", accuracy=f"{now.test_accuracy[-1]:.1%}", n=epochs))
