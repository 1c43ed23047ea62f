"""Widgets that bring data in: the image uploader (decoded once per session), the digit canvas, pair inputs and the
kernel editor."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
import streamlit as st
import torch
from PIL import Image

from vizconv.inputs.images import ALLOWED_FORMATS, MAX_UPLOAD_BYTES, decode_once
from vizconv.ui.language import labels, t
from vizconv.ui.url_state import WidgetMemory

log = logging.getLogger("vizconv")


UPLOADS_KEY = "ui_uploads"  # uploader key -> (sha256, its picture or refusal): vizconv.inputs.images.decode_once


def image_uploader(key: str):
    """The file uploader for pictures: the formats load_image accepts, its size limit in the help."""
    upload = st.file_uploader(
        t("conv.upload"),
        type=[f.lower() for f in ALLOWED_FORMATS] + ["jpg", "tif"],
        key=key,
        help=t("conv.upload_help", limit=MAX_UPLOAD_BYTES // (1024 * 1024)),
        max_upload_size=MAX_UPLOAD_BYTES // (1024 * 1024),  # refused in the browser, before it reaches the server
    )
    if upload is None:  # removed: its picture is not kept
        st.session_state.get(UPLOADS_KEY, {}).pop(key, None)
    return upload


def upload_prompt(prefix: str) -> None:
    """Asks for a picture in the page: ``<prefix>.upload_prompt``, or, where a link named an upload (session state
    ``<prefix>_upload_from_link``), that a picture does not travel with a link."""
    from_link = st.session_state.get(f"{prefix}_upload_from_link")
    # catalogue: share.upload_needed; conv.upload_prompt, pool.upload_prompt
    st.info(t("share.upload_needed" if from_link else f"{prefix}.upload_prompt"), icon="⬅️")


def uploaded_picture(upload, key: str) -> Image.Image:
    """The picture of ``upload`` (from ``image_uploader(key)``), decoded once and kept in this session only
    (not on every rerun; never in a cache other sessions share). ImageError when it cannot be read."""
    return decode_once(st.session_state.setdefault(UPLOADS_KEY, {}), key, upload.getvalue())


# 240 pixels: the canvas does not scale, and this fits a 390-pixel phone's column (a wider one is cut off on the
# right, where strokes vanish).
CANVAS_SIDE = 240


def digit_canvas(key: str):
    """A black square drawing canvas with a white brush, CANVAS_SIDE pixels wide; the drawing as an
    (H, W, 4) uint8 array, or None."""
    try:
        from streamlit_drawable_canvas import st_canvas
    except Exception:  # the component registers only under `streamlit run` (not in AppTest)
        log.warning("streamlit-drawable-canvas is unavailable", exc_info=True)
        st.warning(t("fm.canvas_unavailable"), icon="✏️")
        return None
    result = st_canvas(
        stroke_width=16,  # about MNIST's pen: 2 of 28 pixels once the digit is fitted into 20 × 20
        stroke_color="#ffffff",
        background_color="#000000",
        height=CANVAS_SIDE,
        width=CANVAS_SIDE,
        drawing_mode="freedraw",
        key=key,
        return_image_data=True,
    )
    return None if result is None else result.image_data


def choice(
    memory: WidgetMemory,
    name: str,
    label: str,
    options: Sequence,
    option_labels: str | Callable[[object], str] | None = None,
    *,
    radio: bool = True,
    where=st,
    **widget_args,
):
    """A choice of setting ``name`` of ``memory``: radio buttons side by side (``radio``), else a select box, in
    ``where``. ``option_labels``: a catalogue prefix (an option's label is the text of prefix + option; the caller
    names those keys in a comment) or a function. Returns the option chosen."""
    format_func = labels(option_labels) if isinstance(option_labels, str) else option_labels
    seeded = memory.seed(name, options, format_func)
    if radio:
        return where.radio(label, options, **{"horizontal": True, **seeded, **widget_args})
    return where.selectbox(label, options, **seeded, **widget_args)


def pair_input(memory: WidgetMemory, label: str, name: str, bounds: tuple[int, int], disabled: bool = False):
    """Two number inputs side by side, "``label`` (H)" and "(W)", for settings ``<name>_h`` and ``<name>_w`` of
    ``memory`` between ``bounds`` (low, high); returns (h, w)."""
    low, high = bounds
    left, right = st.columns(2)
    h = left.number_input(f"{label} ({t('conv.h')})", low, high, disabled=disabled, **memory.seed(name + "_h"))
    w = right.number_input(f"{label} ({t('conv.w')})", low, high, disabled=disabled, **memory.seed(name + "_w"))
    return int(h), int(w)


def editable_weights(
    memory: WidgetMemory,
    prefix: str,
    signature: object,
    make: Callable[[], tuple[torch.Tensor, torch.Tensor]],
    axes: tuple[tuple[str, str], tuple[str, str]],
    bias_enabled: bool,
    hide_index: bool | None = None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """A layer's weight and bias as the student left them: ``make()`` gives them whenever ``signature`` (what they
    depend on) changes; the session keeps them (``<prefix>_weight``, ``<prefix>_bias_values``) with the edits made in
    ``kernel_editor``'s expander, drawn here. ``make`` may raise a MessageError: nothing is kept then."""
    state = st.session_state
    if state.get(f"{prefix}_weight_signature") != signature:
        weight, bias = make()
        state[f"{prefix}_weight"] = weight.numpy().copy()  # the editor writes into this array
        state[f"{prefix}_bias_values"] = bias.numpy().copy()
        state[f"{prefix}_weight_signature"] = signature
    weight = state[f"{prefix}_weight"]
    state[f"{prefix}_bias_values"] = kernel_editor(
        memory, prefix, weight, state[f"{prefix}_bias_values"], signature, axes, bias_enabled, hide_index
    )
    return torch.from_numpy(weight), torch.from_numpy(state[f"{prefix}_bias_values"])


def kernel_editor(
    memory: WidgetMemory,
    prefix: str,
    weight: np.ndarray,
    bias: np.ndarray,
    signature: object,
    axes: tuple[tuple[str, str], tuple[str, str]],
    bias_enabled: bool,
    hide_index: bool | None = None,
) -> np.ndarray:
    """An expander in which to edit one k×k kernel of a 4-D ``weight`` in place, picked by its first two indices,
    and the ``bias``; returns the bias, edited. ``axes``: (label, memory setting) of the two pickers (first index,
    second index); the editors' keys start with ``prefix`` and carry ``signature`` (new weights, new editors).
    Texts: ``<prefix>.edit`` (the title), ``<prefix>.edit_help``, ``<prefix>.bias_column``.

    The editors are drawn only while the expander is open: closed, its two data editors were still sent and redrawn
    by the browser on every change (a change at 28 px: 325 against 388 ms to drawn, python -m vizconv.bench
    --browser --quick). Edits are kept in ``weight`` and the returned bias, so closing it loses nothing.
    """
    # catalogue: conv.edit, conv.edit_help, conv.bias_column; tconv.edit, tconv.edit_help, tconv.bias_column
    with st.expander(t(f"{prefix}.edit"), expanded=False, key=f"{prefix}_edit_open", on_change="rerun") as editing:
        st.caption(t(f"{prefix}.edit_help"))
        if editing.open:
            return _kernel_editors(memory, prefix, weight, bias, signature, axes, bias_enabled, hide_index)
    return bias


def _kernel_editors(memory, prefix, weight, bias, signature, axes, bias_enabled, hide_index) -> np.ndarray:
    """kernel_editor's two pickers, the kernel's data editor and the bias's."""
    (first_label, first_name), (second_label, second_name) = axes
    left, right, bias_col = st.columns([1, 1, 2])
    firsts, seconds = list(range(weight.shape[0])), list(range(weight.shape[1]))
    i = left.selectbox(first_label, firsts, **memory.seed(first_name, firsts))
    j = right.selectbox(second_label, seconds, **memory.seed(second_name, seconds))
    edited = st.data_editor(
        pd.DataFrame(weight[i, j]), key=f"{prefix}_editor_{hash(signature)}_{i}_{j}", hide_index=hide_index
    )
    weight[i, j] = np.nan_to_num(edited.to_numpy(dtype=np.float32, na_value=0.0))
    bias_frame = bias_col.data_editor(
        pd.DataFrame({t(f"{prefix}.bias_column"): bias}),  # catalogue: conv.bias_column, tconv.bias_column
        key=f"{prefix}_bias_editor_{hash(signature)}",
        disabled=not bias_enabled,
    )
    return np.nan_to_num(bias_frame.iloc[:, 0].to_numpy(dtype=np.float32, na_value=0.0))
