"""A student's own weights as a safetensors file, for any built-in or zoo architecture.

A safetensors file (Hugging Face's format) is an 8-byte header length, a JSON header naming each tensor's
dtype, shape and byte range, then the raw bytes: it holds no code, so reading it needs no pickle.
``load_safetensors_weights(name, data)`` bounds the header by what the architecture's state_dict can need
before it is parsed (as a torch.save file's index is bounded: ``models._Needs``), reads the tensors with
``safetensors.torch.load`` (its parser checks that every byte range lies inside the file and that none
overlap), and then checks them as a torch.save upload is checked (``models.checked_model``: keys, kinds,
shapes and values against the architecture, each failure a ModelError that says what does not fit).
``load_user_weights`` sends safetensors files here, so one upload takes either format.
"""

from __future__ import annotations

import struct

import safetensors.torch
import torch
from torch import nn

from vizconv.nets.models import ModelError, _needs, checked_model, max_weights_bytes, unwrapped
from vizconv.nets.onnx.errors import SAFETENSORS_UNREADABLE
from vizconv.nets.zoo import ModelInfo

__all__ = ["load_safetensors_weights", "read_safetensors"]

HEADER_LENGTH = 8  # bytes: the header's size, little-endian


def read_safetensors(name: str, data: bytes) -> dict[str, torch.Tensor]:
    """The tensors of a safetensors file meant for architecture ``name``, by key (DataParallel's ``module.``
    taken off); ModelError when the file is too large for it, its header larger than its state_dict can need,
    or it is no safetensors file."""
    limit = max_weights_bytes(name)
    if len(data) > limit:
        raise ModelError("weights.too_large", limit_mb=limit // (1024 * 1024))
    if len(data) < HEADER_LENGTH:
        raise ModelError(SAFETENSORS_UNREADABLE, reason="shorter than its header")
    header = struct.unpack_from("<Q", data)[0]
    needs = _needs(name)
    if header > needs.pickle:  # about 100 bytes per tensor: more names than any of these models has
        raise ModelError("weights.too_many_keys", name=name, limit_kb=needs.pickle // 1024)
    try:
        state = safetensors.torch.load(bytes(data))
    except Exception as exc:  # SafetensorError (a header that is no JSON, ranges outside the file), …
        reason = (str(exc).strip() or type(exc).__name__).splitlines()[0][:200]
        raise ModelError(SAFETENSORS_UNREADABLE, reason=reason) from exc
    return unwrapped(state)


def load_safetensors_weights(name: str, data: bytes) -> tuple[nn.Module, ModelInfo]:
    """A student's own weights for architecture ``name`` (a built-in or zoo model) from a safetensors file, as
    (model in eval mode, ModelInfo whose card says ``"source": "uploaded"``, ``"format": "safetensors"``).
    The model is new: nothing shared is changed, so the page keeps it in that session only."""
    return checked_model(name, read_safetensors(name, data), format="safetensors")
