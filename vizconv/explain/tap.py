"""What an explanation is asked about: one input, a class, a layer with a map; that layer's output tapped.

A layer is named as ``capture`` and the layer table name it: its module path (``named_modules()``), with
``#2``, ``#3`` … for a module's second, third call in one forward pass (torchvision's residual blocks call their
ReLU twice: ``layer1.0.relu`` after ``bn1``, ``layer1.0.relu#2`` after the shortcut is added, which is also the
block's output ``layer1.0``).

``tapped(model, layer)`` hooks that one call. Its output is kept as a leaf tensor (a copy: nothing in the model
can overwrite it), and the rest of the model reads a copy of it, so an in-place operation further on (a
BatchNorm's output through ``ReLU(inplace=True)``, a block's ``out += identity``) changes neither the activations
kept nor the tensor the gradient is taken against. Armed, the hook also switches autograd on from that layer on,
so a forward pass started under ``torch.no_grad()`` records only what the score needs from the layer onwards:
nothing before it, and no ``requires_grad`` of the model is ever changed.

The hook is removed when the ``with`` block ends, whatever happens; callers hold the model's lock
(``vizconv.nets.capture.evaluating``), as capture does, for as long as it is on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from torch import nn

from vizconv.errors import ParameterError
from vizconv.explain.errors import ExplainError
from vizconv.nets.capture import batched, capturable_layers, modules_by_path
from vizconv.nets.layers import LayerInfo, channels_last, layer_table

__all__ = ["Tap", "default_layer", "explained_class", "one_input", "resolve_layer", "spatial_layers", "tapped"]


def one_input(x: torch.Tensor) -> torch.Tensor:
    """x [C, H, W] or [1, C, H, W] as a batch of one; ExplainError for anything else."""
    if not isinstance(x, torch.Tensor) or x.dim() not in (3, 4) or (x.dim() == 4 and x.shape[0] != 1):
        raise ExplainError("not_one_input", shape=list(getattr(x, "shape", ())))
    return batched(x)


def explained_class(logits: torch.Tensor, class_index: int | None) -> int:
    """The class explained for scores [1, n_classes]: ``class_index`` when it is one of them (ExplainError
    otherwise), or the predicted class when it is None."""
    count = logits.shape[-1]
    if class_index is None:
        return int(logits[0].argmax())
    if isinstance(class_index, bool) or not isinstance(class_index, int) or not 0 <= class_index < count:
        raise ExplainError("class_range", value=str(class_index), count=count, last=count - 1)
    return class_index


def _has_map(row: LayerInfo) -> bool:
    return row.receptive_field is not None and len(row.shape) == 3 and row.shape[1] * row.shape[2] > 1


def _map_names(rows: list[LayerInfo]) -> list[str]:
    """The rows with a map, laid out channels first (``channels_last`` worked out once, not once per row)."""
    left_out = channels_last(rows)
    return [row.name for row in rows if _has_map(row) and row.name not in left_out]


def spatial_layers(model: nn.Module, input_size: tuple[int, ...]) -> list[str]:
    """The layers whose output is a map larger than one cell ([K, h, w], h·w > 1), in forward order, for an input
    of size ``input_size`` ([C, H, W] or [1, C, H, W]): the layer table's rows (``vizconv.nets.layers``) before the
    network flattens, inside residual blocks too. A global pooling's 1×1 output is left out, and so are outputs laid
    out channels last (``vizconv.nets.layers.channels_last``: ConvNeXt's Linear layers)."""
    return _map_names(layer_table(model, tuple(input_size)))


def default_layer(model: nn.Module, input_size: tuple[int, ...]) -> str:
    """The last layer with a map (``spatial_layers``): Grad-CAM's usual choice, the last convolutional features."""
    layers = spatial_layers(model, input_size)
    if not layers:
        raise ExplainError("no_spatial_layer")
    return layers[-1]


def resolve_layer(model: nn.Module, x: torch.Tensor, layer: str | None) -> LayerInfo:
    """The layer table's row of ``layer`` (None: ``default_layer``) for input x [1, C, H, W].

    ParameterError (``err.unknown_layers``, as capture) for a name the table does not hold; ExplainError when the
    layer has no map (a Linear layer, a global pooling's 1×1 output).
    """
    rows = layer_table(model, tuple(x.shape))
    maps = _map_names(rows)
    if layer is None:
        if not maps:
            raise ExplainError("no_spatial_layer")
        layer = maps[-1]
    row = next((row for row in rows if row.name == layer), None)
    if row is None:
        raise ParameterError(
            "err.unknown_layers", layers=str(layer), available=", ".join(maps or capturable_layers(model))
        )
    if row.name not in maps:  # no map, or one laid out channels last
        raise ExplainError("not_spatial", layer=layer, shape=list(row.shape), available=", ".join(maps))
    return row


class Tap:
    """A forward hook on one call of one module: keeps what that call returned and hands the model a copy.

    ``output``: the kept output [1, K, h, w] of the last forward pass (a leaf; requiring grad when armed).
    ``probe``: a module the kept output is passed through before it is copied (torchcam hooks a probe, so that
    it never hooks the shared model). ``armed``: the next forward pass is the explained one (autograd on after
    the layer); it disarms itself there. ``calls``: the module's calls in this forward pass (reset by the caller
    before each pass).
    """

    def __init__(self, call: int, probe: nn.Module | None = None) -> None:
        self.call = call
        self.probe = probe
        self.armed = False
        self.calls = 0
        self.output: torch.Tensor | None = None

    def __call__(self, module: nn.Module, inputs: tuple, output: object) -> torch.Tensor | None:
        self.calls += 1
        if self.calls != self.call or not isinstance(output, torch.Tensor):
            return None
        kept = output.detach().clone()  # owned here: nothing the model does later can overwrite it
        if self.armed:
            self.armed = False
            kept.requires_grad_(True)
            torch.set_grad_enabled(True)  # from here on: the caller's no_grad() restores the mode when it ends
        self.output = kept
        seen = self.probe(kept) if self.probe is not None else kept
        return seen.clone()  # what the rest of the model reads, and may overwrite in place


def _module_and_call(name: str) -> tuple[str, int]:
    """A layer name's module path and call: "layer1.0.relu#2" -> ("layer1.0.relu", 2), "conv1" -> ("conv1", 1)."""
    path, _, call = name.partition("#")
    return path, int(call) if call else 1


@contextmanager
def tapped(model: nn.Module, layer: str, probe: nn.Module | None = None) -> Iterator[Tap]:
    """A ``Tap`` on layer ``layer`` of ``model`` (a name of the layer table) while the block runs; the hook is
    removed when it ends, whatever happens. Hold the model's lock around it."""
    path, call = _module_and_call(layer)
    tap = Tap(call, probe)
    handle = modules_by_path(model)[path].register_forward_hook(tap)
    try:
        yield tap
    finally:
        handle.remove()
