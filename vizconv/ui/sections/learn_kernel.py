"""Learning page, lesson 2: learn a kernel (d2l 7.2.4, with numbers). An input and a target a hidden kernel made;
a kernel learns it back by gradient descent, a step or a run at a time: the loss curve, the kernel against the
hidden one, and each update w ← w − lr · ∂L/∂w written out; too large a learning rate diverges, and the page says
why."""

from __future__ import annotations

import streamlit as st

from vizconv import ui
from vizconv.errors import MessageError
from vizconv.training.learn_kernel import (
    HIDDEN_PRESETS,
    INPUTS,
    KernelLearner,
    corr2d,
    divergence_text,
    stability_text,
)
from vizconv.ui.sections.inputs import Lesson
from vizconv.views import learning as view
from vizconv.viz.charts import colour_range, heatmap_figure
from vizconv.viz.steps import format_number, matrix_latex

t = ui.t
state = st.session_state
LEARNER_KEY = "learn_k_learner"  # (signature, KernelLearner): this session's run, redrawn on every rerun


def sidebar(memory: ui.WidgetMemory) -> view.KernelSettings:
    """The input, the hidden kernel, the start and the learning rate, from the sidebar."""
    st.header(t("back.input"))
    # catalogue: learn.in.d2l; sample.digit_0 … sample.digit_9, sample.camera, sample.chelsea, sample.coffee,
    # sample.astronaut
    labels = {name: t("learn.in.d2l") if name == "d2l" else t(f"sample.{name}") for name in INPUTS}.get
    source = ui.choice(memory, "k_input", t("learn.in"), INPUTS, labels, radio=False)
    if source != "d2l":
        st.slider(t("conv.side"), *view.KERNEL_LIMITS["k_side"], **memory.seed("k_side"))
    # catalogue: learn.hidden.d2l_edge, learn.hidden.typed, preset.<…> (the presets of HIDDEN_PRESETS)
    kernels = (*HIDDEN_PRESETS, "typed")
    names = {
        name: t(f"learn.hidden.{name}") if name in ("d2l_edge", "typed") else t(f"preset.{name}") for name in kernels
    }
    hidden = ui.choice(memory, "k_hidden", t("learn.hidden_pick"), kernels, names.get, radio=False)
    if hidden == "typed":
        st.text_area(t("learn.typed"), help=t("learn.typed_help"), max_chars=200, **memory.seed("k_typed"))
    st.header(t("learn.descent"))
    # catalogue: learn.start.zeros, learn.start.random
    start = ui.choice(memory, "k_start", t("learn.start_pick"), ("zeros", "random"), "learn.start.")
    if start == "random":
        st.number_input(t("conv.seed"), *view.KERNEL_LIMITS["k_seed"], **memory.seed("k_seed"))
    low, high = view.LEARNING_RATES
    st.number_input(
        t("learn.rate"), low, high, step=0.01, format="%.3f", help=t("learn.rate_help"), **memory.seed("k_lr")
    )
    st.number_input(t("learn.run_steps"), *view.KERNEL_LIMITS["k_run"], **memory.seed("k_run"))
    values = memory.sync()
    return view.KernelSettings(**{name: values[name] for name in view.KernelSettings.__dataclass_fields__})


def _learner(settings: view.KernelSettings) -> KernelLearner:
    """This session's run for these settings: kept while they stay the same, a new one from the start kernel when
    they change (ParameterError for a typed kernel that is not one)."""
    signature = view.learner_signature(settings)
    kept = state.get(LEARNER_KEY)
    if kept is None or kept[0] != signature:
        problem = view.kernel_problem(settings)
        kept = (signature, KernelLearner(problem, settings.k_lr, settings.k_start, settings.k_seed))
        state[LEARNER_KEY] = kept
    return kept[1]


def show(lesson: Lesson) -> None:
    """The lesson: the controls, the stability of this learning rate, the maps, the kernels, the loss curve and
    the last update written out."""
    memory = lesson.memory
    with st.sidebar:
        settings = sidebar(memory)
    try:
        learner = _learner(settings)
    except MessageError as exc:
        ui.show_error(exc)
        return
    step_col, run_col, reset_col = st.columns(3)
    if step_col.button(t("learn.step"), key="learn_k_do_step", icon=":material/skip_next:", width="stretch"):
        _advance(learner, 1)
    if run_col.button(
        t("learn.run", n=settings.k_run), key="learn_k_do_run", icon=":material/fast_forward:", width="stretch"
    ):
        _advance(learner, settings.k_run)
    if reset_col.button(t("learn.reset"), key="learn_k_do_reset", icon=":material/restart_alt:", width="stretch"):
        state.pop(LEARNER_KEY, None)
        learner = _learner(settings)
    verdict = learner.stability()
    (st.info if verdict.converges else st.warning)(stability_text(verdict, ui.lang()), icon="📐")
    if learner.diverged:
        st.error(divergence_text(learner.reason, ui.lang()), icon="💥")
    _maps(learner)
    _kernels(learner)
    _progress(learner)


def _advance(learner: KernelLearner, steps: int) -> None:
    """``steps`` more updates (stopping at divergence or the run's cap: the page says which)."""
    try:
        learner.run(steps)
    except MessageError as exc:
        ui.show_error(exc)


def _maps(learner: KernelLearner) -> None:
    """The input, the target the hidden kernel makes, and the current kernel's output: on one colour scale."""
    problem = learner.problem
    output = corr2d(problem.x, learner.kernel)  # (oH, oW): what the kernel makes now
    shared = colour_range(problem.target, output)
    maps = [
        (problem.x, t("learn.map.input"), colour_range(problem.x)),
        (problem.target, t("learn.map.target"), shared),
        (output, t("learn.map.output"), shared),
    ]
    for index, (column, (values, title, scale)) in enumerate(zip(st.columns(3), maps, strict=True)):
        with column:
            figure = heatmap_figure(values.float(), title, scale, height=260, columns=3)  # three side by side
            ui.plotly_figure(figure, key=f"learn_k_map{index}")


def _kernels(learner: KernelLearner) -> None:
    """The hidden kernel, the learned one now, and how far apart they are."""
    expected, kernel = learner.problem.expected, learner.kernel
    distance = float((kernel - expected).abs().max())
    st.latex(
        rf"K_{{\text{{{t('learn.hidden_short')}}}}} = {matrix_latex(expected, 4)} \qquad "
        rf"w_{{{len(learner.steps)}}} = {matrix_latex(kernel, 4)}"
    )
    st.caption(t("learn.distance", steps=len(learner.steps), distance=f"{distance:.2g}"))


def _progress(learner: KernelLearner) -> None:
    """The loss curve (log scale) and the last update written out with its numbers."""
    if not learner.steps:
        st.info(t("learn.no_steps"), icon="👆")
        return
    ui.plotly_figure(view.loss_figure(learner.losses, t("learn.loss_axis"), t("learn.step_axis")), key="learn_k_loss")
    last = learner.steps[-1]
    with st.container(border=True):
        st.markdown(t("learn.last_step", n=last.index + 1, loss=format_number(last.loss, 4)))
        st.latex(view.update_latex(last))
        st.caption(t("learn.gradient_is"))
