"""A model with the weights a page chose (vizconv's, downloaded, random or the student's own), and the ways on
when they cannot be had."""

from __future__ import annotations

import streamlit as st

from vizconv.nets.models import download_weights, weights_downloaded
from vizconv.nets.zoo import spec
from vizconv.ui.language import t
from vizconv.ui.model_cache import cached_model, cached_random_model, cached_snapshot, session_model
from vizconv.ui.url_state import WidgetMemory

__all__ = ["chosen_model", "other_ways"]


def chosen_model(name: str, weights: str, own: bytes | None = None, epoch: int | None = None):
    """Model ``name`` with the weights chosen, saying on the page which they are: ``"bundled"`` (vizconv's, or
    torchvision's, downloaded first under a progress bar), ``"epoch"`` (its training's snapshot after ``epoch``),
    ``"random"`` (seeded, untrained) or ``"own"`` (``own``: a state_dict file's bytes, kept in this session only,
    never in a shared cache). Returns (model, info); ModelError when the weights cannot be had."""
    # catalogue: fm.model.lenet5, fm.model.lenet5-classic, fm.model.resnet20, fm.model.resnet18
    title = t("fm.model." + name)
    if weights == "own":
        model, info = session_model(name, own)
        st.caption(t("fm.weights_loaded", name=title, sha=info.card["sha256"][:12]))
        return model, info
    if weights == "epoch":
        model, info = cached_snapshot(name, epoch)
        st.info(t("fm.epoch_note", epoch=epoch, accuracy=f"{info.card['test_accuracy']:.1%}"), icon="⏱️")
        return model, info
    if weights == "random":
        model, info = cached_random_model(name)
        st.warning(t("fm.random_note"), icon="🎲")
        return model, info
    if not spec(name).bundled and not weights_downloaded(name):
        size = t("fm.download_size", name=title, mb=f"{spec(name).download_mb:.0f}")
        bar = st.progress(0.0, text=size)
        try:
            download_weights(name, progress=lambda done: bar.progress(done, text=f"{size} · {done:.0%}"))
        finally:  # also when it fails: the page's message replaces the bar
            bar.empty()
    with st.spinner(t("fm.loading", name=title)):
        return cached_model(name)


def other_ways(memory: WidgetMemory, name: str, others: tuple[str, ...]) -> None:
    """Where model ``name``'s own weights cannot be had (offline, a broken install): carry on with what works here,
    one click away: its random weights, or one of ``others`` (settings ``weights`` and ``model`` of ``memory``)."""
    st.markdown(t("fm.instead"))
    ways = st.container(horizontal=True)  # side by side, each as wide as its label; they wrap when narrow
    # catalogue: fm.model.lenet5, fm.model.lenet5-classic, fm.model.resnet20, fm.model.resnet18
    title = t("fm.model." + name)
    ways.button(
        t("fm.instead_random", name=title),
        key="fm_instead_random",
        on_click=memory.set,
        kwargs={"weights": "random"},
        icon="🎲",
    )
    for other in others:
        # catalogue: fm.model.lenet5, fm.model.lenet5-classic, fm.model.resnet20, fm.model.resnet18
        ways.button(t("fm.model." + other), key=f"fm_instead_{other}", on_click=memory.set, kwargs={"model": other})
