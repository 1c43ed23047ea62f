"""A fuzz test of load_onnx_model: mutated bytes of a small valid ONNX file give a model that runs, or a
ValueError; nothing else, and never a hang."""

from __future__ import annotations

import io
import time
import warnings
from datetime import timedelta

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from torch import nn

from vizconv.nets.onnx import Limits, load_onnx_model

SECONDS = 2.0  # one load of a mutated file may take at most this long (a valid one takes milliseconds)
# Tight limits, so that a mutation that declares a large tensor or input is refused rather than computed slowly.
LIMITS = Limits(max_bytes=1 << 20, max_nodes=200, max_elements=1 << 20, max_memory=64 << 20, max_macs=10**8)


def _small_model() -> bytes:
    """A tiny CNN (conv, batch norm, ReLU, max pooling, a residual sum, global pooling, a linear layer)."""

    class Tiny(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Conv2d(1, 3, 3, padding=1)
            self.bn = nn.BatchNorm2d(3)
            self.pool = nn.MaxPool2d(2)
            self.conv2 = nn.Conv2d(3, 3, 3, padding=1, groups=3)
            self.fc = nn.Linear(3, 2)

        def forward(self, x):
            y = self.pool(torch.relu(self.bn(self.conv(x))))
            y = y + self.conv2(y)
            return self.fc(torch.flatten(y.mean(dim=(2, 3), keepdim=True), 1))

    torch.manual_seed(0)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(Tiny().eval(), (torch.randn(1, 1, 8, 8),), buffer, dynamo=False, do_constant_folding=False)
    return buffer.getvalue()


VALID = _small_model()


def _mutated(data: bytes, edits: list[tuple[int, int, int]], cut: int | None) -> bytes:
    """``data`` with bytes replaced, inserted or deleted at the given places (kind 0, 1, 2), then cut."""
    out = bytearray(data)
    for kind, place, value in edits:
        place %= len(out) + 1
        if kind == 0 and place < len(out):
            out[place] = value
        elif kind == 1:
            out.insert(place, value)
        elif kind == 2 and place < len(out):
            del out[place]
    return bytes(out[:cut] if cut is not None else out)


def _check(data: bytes) -> None:
    started = time.perf_counter()
    try:
        model, info = load_onnx_model(data, limits=LIMITS)
    except ValueError:
        pass
    else:  # what loads must run, on the input its ModelInfo names
        with torch.no_grad():
            out = model(torch.zeros(1, *info.input_size))
        assert isinstance(out, torch.Tensor)
    assert time.perf_counter() - started < SECONDS


def test_the_valid_file_loads():
    model, info = load_onnx_model(VALID, limits=LIMITS)
    assert info.input_size == (1, 8, 8) and len(info.classes) == 2


@settings(max_examples=100, deadline=timedelta(seconds=SECONDS), suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(st.integers(0, 2), st.integers(0, len(VALID)), st.integers(0, 255)), min_size=1, max_size=8
    ),
    cut=st.none() | st.integers(0, len(VALID)),
)
def test_mutated_bytes_give_a_model_or_a_value_error(edits, cut):
    _check(_mutated(VALID, edits, cut))


def test_each_byte_changed_in_turn_gives_a_model_or_a_value_error():
    """Every 5th byte of the file, its top bit flipped, one at a time: the graph's nodes, names, attributes and
    shapes are most of this small file (its weights about 300 bytes)."""
    for place in range(0, len(VALID), 5):
        _check(_mutated(VALID, [(0, place, VALID[place] ^ 0x80)], None))
