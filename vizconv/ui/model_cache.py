"""Models shared by every session (cached per process) and a session's own uploaded weights (at most one, let go
with the session)."""

from __future__ import annotations

import hashlib
import weakref

import streamlit as st

from vizconv.nets.models import load_model, load_snapshot, load_user_weights, random_model
from vizconv.nets.onnx import load_onnx_model
from vizconv.server import trim_soon


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_model(name: str):
    """load_model(name), once per server process.

    The model is shared by every session: never mutate it. capture() and
    trace_layers() hold a per-model lock, so sessions cannot mix activations.
    """
    return load_model(name)


@st.cache_resource(max_entries=4, show_spinner=False)
def cached_random_model(name: str):
    """random_model(name): architecture ``name`` with seeded random weights, once per server process (shared:
    never mutate it, as cached_model)."""
    return random_model(name)


@st.cache_resource(max_entries=16, show_spinner=False)
def cached_snapshot(name: str, epoch: int):
    """load_snapshot(name, epoch): the model's weights after ``epoch`` (0: before training), checked against its
    card's sha256, once per server process (shared: never mutate it, as cached_model). A few LeNet snapshots of
    250 KB each: a scrubber over them switches without reading a file twice."""
    return load_snapshot(name, epoch)


OWN_MODEL_KEY = "ui_own_model"  # (what it was made from, model, info): this session's own model, at most one


def _kept(made_from: tuple, load):
    """This session's own model made from ``made_from`` (a key naming the bytes it came from): the one kept, or
    ``load()``'s, kept instead of the one before (let go first, so two never stand in memory)."""
    kept = st.session_state.get(OWN_MODEL_KEY)
    if kept is None or kept[0] != made_from:
        drop_session_model()
        model, info = load()
        weakref.finalize(model, trim_soon)
        kept = (made_from, model, info)
        st.session_state[OWN_MODEL_KEY] = kept
    return kept[1], kept[2]


def session_model(name: str, data: bytes):
    """A student's own weights for architecture ``name``, loaded once and kept in this session only.

    Never in st.cache_resource (shared by every session): one student's weights stay theirs. A session keeps
    one such model: the one it had is let go before other weights are loaded. Nothing else holds it (the
    per-model tables of vizconv.nets.capture and vizconv.nets.layers hold it weakly), so it is freed with the session's
    state, and its memory handed back to the system (``server.trim_soon``, since glibc would keep it).
    """
    digest = hashlib.sha256(data).hexdigest()

    def load():
        model, info = load_user_weights(name, data)
        info.card["sha256"] = digest
        return model, info

    return _kept((name, digest), load)


def session_onnx_model(file, preprocess: str | None, names=None):
    """A student's ONNX model (``load_onnx_model``) from uploaded ``file`` (Streamlit's UploadedFile), with
    ``preprocess`` and the class names of uploaded ``names`` (or None), loaded once per upload and kept in this
    session only as ``session_model``'s weights are: the session's one own model. Known by the uploads' ids, so
    a rerun neither copies nor hashes the file again (up to 100 MB)."""
    made_from = ("onnx", file.file_id, preprocess, None if names is None else names.file_id)
    return _kept(
        made_from,
        lambda: load_onnx_model(
            file.getvalue(),
            name=file.name,
            preprocess=preprocess,
            class_names=None if names is None else names.getvalue(),
        ),
    )


def drop_session_model() -> None:
    """Let this session's own model go (the page shows other weights now); nothing when it has none."""
    st.session_state.pop(OWN_MODEL_KEY, None)
