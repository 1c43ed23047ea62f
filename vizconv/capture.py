"""Capturing every layer's output with forward hooks.

``capture(model, x)`` runs one forward pass and returns an ordered dict from
module path (``named_modules()``) to a clone of that module's output, in the
order the forward pass produced them. Hooks are owned by a context manager
and removed in ``finally``; the model's training/eval mode is restored.

The cached model is shared by every Streamlit session, so two captures on one
model must never interleave (hooks registered by one thread would record the
other's activations): each model has its own lock, held for the whole capture.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn
from torchvision.models.resnet import BasicBlock, Bottleneck

from vizconv.errors import ParameterError

__all__ = ["CAPTURED_TYPES", "batched", "capturable_layers", "capture", "evaluating", "layer_input"]

CAPTURED_TYPES = (
    nn.Conv2d,
    nn.BatchNorm2d,
    nn.ReLU,
    nn.LeakyReLU,
    nn.Sigmoid,
    nn.Tanh,
    nn.GELU,
    nn.MaxPool2d,
    nn.AvgPool2d,
    nn.AdaptiveAvgPool2d,
    nn.Flatten,
    nn.Linear,
    BasicBlock,  # a residual block's output: after the shortcut is added
    Bottleneck,
)

_locks: weakref.WeakKeyDictionary[nn.Module, threading.Lock] = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()


def _lock_for(model: nn.Module) -> threading.Lock:
    with _locks_guard:
        lock = _locks.get(model)
        if lock is None:
            lock = _locks[model] = threading.Lock()
        return lock


@contextmanager
def evaluating(model: nn.Module) -> Iterator[None]:
    """Hold the model's lock, run in eval mode without gradients, and restore the mode afterwards."""
    with _lock_for(model):
        was_training = model.training
        try:
            model.eval()
            with torch.no_grad():
                yield
        finally:
            model.train(was_training)


def batched(x: torch.Tensor) -> torch.Tensor:
    """x [C, H, W] or [1, C, H, W] as a batch of one."""
    return x.unsqueeze(0) if x.dim() == 3 else x


def capturable_layers(model: nn.Module) -> list[str]:
    """Module paths of every layer ``capture`` records, in registration order."""
    return [name for name, module in model.named_modules() if name and isinstance(module, CAPTURED_TYPES)]


@contextmanager
def _recording(model: nn.Module, names: list[str], store: OrderedDict) -> Iterator[None]:
    """Forward hooks on ``names`` that store output clones; all removed on exit, whatever happens."""
    modules = dict(model.named_modules())
    handles = []

    def hook_for(name: str):
        def record(module: nn.Module, inputs: tuple, output: object) -> None:
            if not isinstance(output, torch.Tensor):
                return
            key, call = name, 2
            while key in store:  # a module used twice in one forward (torchvision blocks reuse their ReLU)
                key, call = f"{name}#{call}", call + 1
            # clone: an in-place ReLU after this layer would otherwise overwrite what we stored
            store[key] = output.detach().clone()

        return record

    try:
        for name in names:
            handles.append(modules[name].register_forward_hook(hook_for(name)))
        yield
    finally:
        for handle in handles:
            handle.remove()


def capture(model: nn.Module, x: torch.Tensor, layers: list[str] | None = None) -> OrderedDict[str, torch.Tensor]:
    """Outputs of ``layers`` (default: every capturable layer) for input x [C, H, W] or [1, C, H, W].

    Returns module path -> tensor (batch dimension kept), in forward order.
    """
    available = capturable_layers(model)
    names = available if layers is None else list(layers)
    unknown = [name for name in names if name not in available]
    if unknown:
        raise ParameterError("err.unknown_layers", layers=", ".join(unknown), available=", ".join(available))
    store: OrderedDict[str, torch.Tensor] = OrderedDict()
    with evaluating(model), _recording(model, names, store):
        model(batched(x))
    return store


def layer_input(model: nn.Module, x: torch.Tensor, layer: str) -> torch.Tensor:
    """What module ``layer`` received (its first positional input) in a forward pass on x."""
    modules = dict(model.named_modules())
    if layer not in modules or not layer:
        raise ParameterError("err.unknown_layers", layers=layer, available=", ".join(capturable_layers(model)))
    seen: list[torch.Tensor] = []

    def record(module: nn.Module, inputs: tuple) -> None:
        if not seen:  # the first call, as capture() names it
            seen.append(inputs[0].detach().clone())

    with evaluating(model):
        handle = modules[layer].register_forward_pre_hook(record)
        try:
            model(batched(x))
        finally:
            handle.remove()
    return seen[0]
