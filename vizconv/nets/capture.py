"""Capturing every layer's output with forward hooks.

``capture(model, x)`` runs one forward pass and returns an ordered dict from
module path (``named_modules()``) to that module's output, in the order the
forward pass produced them; outputs that a later in-place operation would
overwrite are stored as clones. Hooks are owned by a context manager
and removed in ``finally``; the model's training/eval mode is restored.

The cached model is shared by every Streamlit session, so two captures on one
model must never interleave (hooks registered by one thread would record the
other's activations): each model has its own lock, held for the whole capture.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from types import MappingProxyType

import torch
from torch import nn
from torchvision.models.resnet import BasicBlock, Bottleneck

from vizconv.errors import ParameterError

__all__ = [
    "CAPTURED_TYPES",
    "batched",
    "capturable_layers",
    "capture",
    "evaluating",
    "first_free_name",
    "layer_input",
    "module_path",
    "modules_by_path",
    "overwritten_outputs",
]

# The layers whose outputs the Feature maps page shows: those of vizconv's models, of torchvision's zoo
# (MobileNet V2/V3: ReLU6, Hardswish, Hardsigmoid; EfficientNet: SiLU; ConvNeXt: LayerNorm, GELU) and the ones
# vizconv.nets.onnx builds from an ONNX file (Clip as ReLU6 or Hardtanh, Elu, Softplus, InstanceNormalization,
# LayerNormalization, ConvTranspose, GlobalMaxPool).
CAPTURED_TYPES = (
    nn.Conv2d,
    nn.ConvTranspose2d,
    nn.BatchNorm2d,
    nn.InstanceNorm2d,
    nn.LayerNorm,  # also torchvision's LayerNorm2d (ConvNeXt), a subclass: normalises over the channels
    nn.ReLU,
    nn.ReLU6,
    nn.LeakyReLU,
    nn.PReLU,
    nn.ELU,
    nn.Hardtanh,  # ReLU6's base class
    nn.Sigmoid,
    nn.Hardsigmoid,
    nn.Tanh,
    nn.GELU,
    nn.SiLU,
    nn.Hardswish,
    nn.Softplus,
    nn.MaxPool2d,
    nn.AvgPool2d,
    nn.AdaptiveAvgPool2d,
    nn.AdaptiveMaxPool2d,
    nn.Flatten,
    nn.Linear,
    BasicBlock,  # a residual block's output: after the shortcut is added
    Bottleneck,
)

_locks: weakref.WeakKeyDictionary[nn.Module, threading.Lock] = weakref.WeakKeyDictionary()
# Per model: the captured outputs that a later in-place operation overwrites during the forward pass (a
# BatchNorm followed by ReLU(inplace=True), a residual block's ``out += identity``). Only those are stored
# as clones; the rest are the forward pass's own tensors, which nothing changes afterwards. Learned on the
# model's first capture (which clones everything) from the tensors' version counters, and checked on every
# capture: if an uncloned output was overwritten after all, the capture is repeated with clones.
_overwritten: weakref.WeakKeyDictionary[nn.Module, set[str]] = weakref.WeakKeyDictionary()
_locks_guard = threading.Lock()
# Per model: (path -> capturable module, path -> every module). Walking ``named_modules()`` costs as much as a
# small model's forward pass, so a model's structure is read once; vizconv's models are built, cached and
# never restructured. A model that is restructured must be a new object.
_structures: weakref.WeakKeyDictionary[nn.Module, tuple[dict[str, nn.Module], Mapping[str, nn.Module]]] = (
    weakref.WeakKeyDictionary()
)


def _lock_for(model: nn.Module) -> threading.Lock:
    with _locks_guard:
        lock = _locks.get(model)
        if lock is None:
            lock = _locks[model] = threading.Lock()
        return lock


class _ModulePaths(Mapping[str, nn.Module]):
    """Path -> module in registration order, read-only; "" is the model itself, held weakly. Kept as the value
    of a WeakKeyDictionary keyed by that model, a strong reference to it would keep the model alive for as
    long as the server runs (a student's own model, after the session that loaded it has ended)."""

    def __init__(self, model: nn.Module) -> None:
        self._model = weakref.ref(model)
        self._children = MappingProxyType({name: module for name, module in model.named_modules() if name})

    def __getitem__(self, path: str) -> nn.Module:
        if path == "":
            model = self._model()
            if model is not None:
                return model
        return self._children[path]

    def __iter__(self) -> Iterator[str]:
        yield ""
        yield from self._children

    def __len__(self) -> int:
        return 1 + len(self._children)


def _structure(model: nn.Module) -> tuple[dict[str, nn.Module], Mapping[str, nn.Module]]:
    """The model's capturable layers and all its modules (path -> module, registration order), read once."""
    structure = _structures.get(model)
    if structure is None:
        named = _ModulePaths(model)
        layers = {name: module for name, module in named.items() if name and isinstance(module, CAPTURED_TYPES)}
        structure = _structures[model] = (layers, named)
    return structure


def first_free_name(name: str, taken: Callable[[str], bool]) -> str:
    """A module's output name: its path, or "<path>#2", "#3" … for its second, third call in one forward pass
    (torchvision's blocks reuse their ReLU), the first that ``taken`` does not hold yet."""
    key, call = name, 2
    while taken(key):
        key, call = f"{name}#{call}", call + 1
    return key


def module_path(name: str) -> str:
    """The module path of an output name: "layer1.0.relu#2" -> "layer1.0.relu"."""
    return name.split("#")[0]


def modules_by_path(model: nn.Module) -> Mapping[str, nn.Module]:
    """``dict(model.named_modules())``, read once per model (read-only; "" is the model itself)."""
    return _structure(model)[1]


@contextmanager
def evaluating(model: nn.Module) -> Iterator[None]:
    """Hold the model's lock, run in eval mode without gradients, and restore the mode afterwards."""
    with _lock_for(model):
        # usually none: models are cached in eval mode
        training = [module for module in _structure(model)[1].values() if module.training]
        try:
            for module in training:
                module.training = False
            with torch.no_grad():
                yield
        finally:
            for module in training:  # exactly the modules that were training, also in a mixed-mode model
                module.training = True


def batched(x: torch.Tensor) -> torch.Tensor:
    """x [C, H, W] or [1, C, H, W] as a batch of one."""
    return x.unsqueeze(0) if x.dim() == 3 else x


def capturable_layers(model: nn.Module) -> list[str]:
    """Module paths of every layer ``capture`` records, in registration order."""
    return list(_structure(model)[0])


def overwritten_outputs(model: nn.Module) -> frozenset[str]:
    """The captured outputs of ``model`` that a later in-place operation overwrites, which ``capture`` stores
    as clones (known once the model has been captured; empty before)."""
    return frozenset(_overwritten.get(model, ()))


@contextmanager
def _recording(modules: dict[str, nn.Module], store: OrderedDict, seen: dict, clone: set[str] | None) -> Iterator[None]:
    """Forward hooks on ``modules`` (path -> module) that store outputs; all removed on exit, whatever happens.

    ``clone``: the keys whose outputs are stored as clones (None: all of them).
    ``seen`` receives key -> (the output itself, its version counter when the hook ran).
    """
    handles = []

    def hook_for(name: str):
        def record(module: nn.Module, inputs: tuple, output: object) -> None:
            if not isinstance(output, torch.Tensor):
                return
            key = first_free_name(name, store.__contains__)
            # under no_grad (capture's case) the output is already detached; a detached view shares its version
            tensor = output.detach() if output.requires_grad else output
            seen[key] = (tensor, tensor._version)
            store[key] = tensor.clone() if clone is None or key in clone else tensor

        return record

    try:
        for name, module in modules.items():
            handles.append(module.register_forward_hook(hook_for(name)))
        yield
    finally:
        for handle in handles:
            handle.remove()


def capture(model: nn.Module, x: torch.Tensor, layers: list[str] | None = None) -> OrderedDict[str, torch.Tensor]:
    """Outputs of ``layers`` (default: every capturable layer) for input x [C, H, W] or [1, C, H, W].

    Returns module path -> tensor (batch dimension kept), in forward order.
    """
    modules = _structure(model)[0]
    if layers is None:
        hooked = modules
    else:
        unknown = [name for name in layers if name not in modules]
        if unknown:
            raise ParameterError("err.unknown_layers", layers=", ".join(unknown), available=", ".join(modules))
        hooked = {name: modules[name] for name in layers}
    with evaluating(model):
        known = _overwritten.get(model)
        store, seen = _record_once(model, x, hooked, known)
        changed = {key for key, (tensor, version) in seen.items() if tensor._version != version}
        if known is None or not changed <= known:  # first capture, or the forward pass behaved differently
            _overwritten[model] = (known or set()) | changed
            if known is not None:  # an output we kept uncloned was overwritten: capture again, cloning all
                store, _ = _record_once(model, x, hooked, None)
    return store


def _record_once(
    model: nn.Module, x: torch.Tensor, modules: dict[str, nn.Module], clone: set[str] | None
) -> tuple[OrderedDict[str, torch.Tensor], dict]:
    store: OrderedDict[str, torch.Tensor] = OrderedDict()
    seen: dict = {}
    with _recording(modules, store, seen, clone):
        model(batched(x))
    return store, seen


def layer_input(model: nn.Module, x: torch.Tensor, layer: str) -> torch.Tensor:
    """What module ``layer`` received (its first positional input) in a forward pass on x."""
    modules = modules_by_path(model)
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
