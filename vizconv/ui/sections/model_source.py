"""The model a page explains, chosen in its sidebar: vizconv's trained models, torchvision's ImageNet classifiers
(downloaded once under a progress bar, or random and labelled untrained) or the student's own ONNX file, with its
weights (vizconv's or torchvision's, a training snapshot, random, or the student's own state_dict or safetensors).

The Feature maps and "Why it answered" pages draw it the same way: ``pick(memory, page)`` draws the choice in the
sidebar, loads the model, says in the main column which weights these are, and stops the page with a clear
message (and the ways on) where the model cannot be had. A student's own file stays in their session only.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
from torch import nn

from vizconv.errors import MessageError
from vizconv.i18n.strings import text
from vizconv.nets.models import max_weights_bytes
from vizconv.nets.onnx import supported_operators
from vizconv.nets.zoo import ModelInfo
from vizconv.ui.language import lang, t
from vizconv.ui.model_cache import drop_session_model, session_onnx_model
from vizconv.ui.model_choice import chosen_model, other_ways
from vizconv.ui.page import show_error
from vizconv.ui.url_state import WidgetMemory
from vizconv.ui.widgets import choice
from vizconv.views import feature_maps as fm

__all__ = ["Chosen", "pick"]

MB = 1024 * 1024
MAX_CLASS_NAMES_BYTES = 2 * MB  # a text file of class names (ImageNet's 1000 names: 21 KB)


@dataclass(frozen=True)
class Chosen:
    """The model a page shows, and where its weights came from."""

    name: str  # a model of vizconv.nets.zoo, or fm.ONNX for the student's ONNX file
    weights: str  # "bundled", "epoch", "random", "own" (a state_dict or safetensors), "onnx"
    model: nn.Module
    info: ModelInfo

    @property
    def own(self) -> bool:
        """The student's own file: it stays in their session and cannot travel in a link."""
        return self.weights in ("own", fm.ONNX)

    @property
    def file_stem(self) -> str:
        """A name for the files the page offers to download."""
        return "onnx" if self.name == fm.ONNX else self.name


def _title(name: str) -> str:
    # catalogue: fm.model.<name> (15 keys: fm.model.lenet5 … fm.model.convnext_tiny, fm.model.onnx)
    return t("fm.model." + name)


def _weights_widgets(memory: WidgetMemory, name: str, kinds: tuple[str, ...], page: str):
    """The weights of model ``name`` (one of ``kinds`` it offers), a snapshot's epoch and a student's file."""
    epochs = fm.model_epochs(name) if "epoch" in kinds else ()
    offered = tuple(k for k in fm.weight_kinds(epochs, name) if k in kinds)
    language = lang()  # read now, as ui.labels does: AppTest calls format_func after the run
    named = {kind: text(fm.weights_key(kind, name), language) for kind in offered}.get
    # catalogue: fm.weights_help (random and one's own), fm.weights_help_random (random only)
    explained = t("fm.weights_help" if "own" in offered else "fm.weights_help_random")
    weights = choice(memory, "weights", t("fm.weights"), offered, named, help=explained)
    epoch = file = None
    if weights == "epoch":  # catalogue: fm.epoch, fm.epoch_help
        epoch = st.select_slider(
            t("fm.epoch"), epochs, help=t("fm.epoch_help"), **memory.seed("epoch", epochs, by_value=True)
        )
    if weights == "own":
        file = st.file_uploader(
            t("fm.weights_upload"),
            type=["pt", "pth", "bin", "safetensors"],
            key=f"{page}_weights_file",
            max_upload_size=max(1, max_weights_bytes(name) // MB),
            help=t("fm.weights_upload_help", name=_title(name)),
        )
    elif "own" in kinds and "own" not in offered:  # the zoo's largest: more than the server takes
        st.caption(t("fm.weights_too_large_to_upload", mb=f"{max_weights_bytes(name) / MB:.0f}"))
    return weights, epoch, file


def _onnx_widgets(memory: WidgetMemory, page: str):
    """The student's ONNX file, how a picture becomes its input, and its class names (optional)."""
    file = st.file_uploader(
        t("fm.onnx_upload"),
        type=["onnx"],
        key=f"{page}_onnx_file",
        max_upload_size=fm.MAX_ONNX_BYTES // MB,
        help=t("fm.onnx_upload_help", mb=fm.MAX_ONNX_BYTES // MB),
    )
    # catalogue: fm.onnx_pre.auto, fm.onnx_pre.none, fm.onnx_pre.unit, fm.onnx_pre.imagenet, fm.onnx_pre.mnist
    preprocess = choice(
        memory, "preprocess", t("fm.onnx_pre"), fm.ONNX_PREPROCESSING, "fm.onnx_pre.", radio=False,
        help=t("fm.onnx_pre_help"),
    )  # fmt: skip
    names = st.file_uploader(
        t("fm.onnx_names"),
        type=["txt"],
        key=f"{page}_onnx_names",
        max_upload_size=MAX_CLASS_NAMES_BYTES // MB,
        help=t("fm.onnx_names_help"),
    )
    return file, preprocess, names


def _onnx_model(file, preprocess: str, names) -> Chosen:
    """The student's ONNX model, kept in their session; what it is, said in the main column."""
    model, info = session_onnx_model(file, None if preprocess == "auto" else preprocess, names)
    card = info.card
    # catalogue: fm.onnx_pre.none, fm.onnx_pre.unit, fm.onnx_pre.imagenet, fm.onnx_pre.mnist
    how = t("fm.onnx_pre." + card["preprocessing"])
    st.caption(
        t(
            "fm.onnx_loaded",
            file=file.name,
            nodes=card["nodes"],
            opset=card["opset"],
            producer=card["producer"] or "—",
            convs=card["convolutions"],
            params=f"{card['parameters']:,}",
            shape=f"[1, {', '.join(map(str, info.input_size))}]",
            layout=card["layout"],
            sha=card["sha256"][:12],
        )
    )
    st.caption(t("fm.onnx_guessed" if card["preprocessing_guessed"] else "fm.onnx_chosen", how=how))
    if card["class_names"] == "default" and info.classes:
        st.caption(t("fm.onnx_default_names", n=len(info.classes)))
    return Chosen(fm.ONNX, fm.ONNX, model, info)


def pick(memory: WidgetMemory, page: str, kinds: tuple[str, ...] = fm.WEIGHT_KINDS) -> Chosen:
    """Draw the model choice in the sidebar (settings ``model``, ``weights``, ``epoch`` and ``preprocess`` of
    ``memory``; uploaders keyed ``<page>_…``), load the model, and return it; where it cannot be had, the page
    says why (offering what works here) and stops. ``kinds``: the weights this page offers."""
    with st.sidebar:
        st.header(t("fm.model_header"))
        # catalogue: fm.model.<name> (15 keys: fm.model.lenet5 … fm.model.convnext_tiny, fm.model.onnx)
        name = choice(
            memory, "model", t("fm.model"), fm.MODEL_CHOICES, "fm.model.", radio=False, help=t("fm.model_help")
        )
        if name == fm.ONNX:
            onnx_file, preprocess, names = _onnx_widgets(memory, page)
            weights, own = fm.ONNX, onnx_file
        else:
            weights, epoch, own = _weights_widgets(memory, name, kinds, page)
    if own is None:  # an own model is kept only while its file is on the page: memory back to the server
        drop_session_model()
    try:
        if name == fm.ONNX:
            if onnx_file is None:
                st.info(t("fm.onnx_prompt", ops=", ".join(supported_operators())), icon="⬅️")
                st.stop()
            return _onnx_model(onnx_file, preprocess, names)
        if weights == "own" and own is None:
            st.info(t("fm.weights_prompt", name=_title(name)), icon="⬅️")
            st.stop()
        model, info = chosen_model(name, weights, None if own is None else own.getvalue(), epoch)
        return Chosen(name, weights, model, info)
    except MessageError as exc:
        show_error(exc)
        if weights == "bundled":  # offline, or a broken install: carry on with what works here, one click away
            other_ways(memory, name, fm.alternatives(name))
        st.stop()  # raises: the script run ends here
