"""A layer-by-layer account of a real forward pass: shape, parameters, receptive field.

The receptive field of an output cell is the input window that can influence
it. It is propagated through the forward pass (Araujo, Norris
& Sim, "Computing Receptive Fields of Convolutional Neural Networks",
Distill 2019): a layer with kernel k, dilation d and stride s turns
(size r, jump j) into (r + (k - 1) * d * j, j * s); element-wise layers keep
it. Each tensor carries its own, so a residual block's shortcut and its main
branch are followed separately and the block's output takes the main branch
(the larger field, since the sum is made in place on it).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass

import torch
from torch import nn

from vizconv.nets.capture import CAPTURED_TYPES, batched, evaluating, first_free_name

__all__ = ["LayerInfo", "layer_table", "trace_layers"]


@dataclass(frozen=True)
class LayerInfo:
    """One captured layer of a forward pass."""

    name: str  # module path
    kind: str  # class name
    shape: tuple[int, ...]  # output shape without the batch dimension
    params: int  # parameters of the module (with its children)
    receptive_field: int | None  # side of the input window one output cell sees; None after flattening
    jump: int | None  # input pixels between neighbouring output cells
    start: float | None = None  # input pixel at the centre of output cell (0, 0)

    def window(self, row: int, col: int) -> tuple[float, float, float, float] | None:
        """Input pixels (top, left, bottom, right), inclusive, that output cell (row, col) sees."""
        if self.receptive_field is None:
            return None
        half = (self.receptive_field - 1) / 2
        cy, cx = self.start + row * self.jump, self.start + col * self.jump
        return (cy - half, cx - half, cy + half, cx + half)


def _first(value: object) -> int:
    return value[0] if isinstance(value, tuple) else value


def _geometry(module: nn.Module, inputs: tuple) -> tuple[int, int, int, int] | None:
    """(kernel, dilation, stride, padding) along height for windowed layers; None for element-wise ones."""
    if isinstance(module, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)):
        padding = module.padding
        if isinstance(padding, str):  # "same" pads (k - 1) * d / 2 on the top; "valid" nothing
            kernel, dilation = _first(module.kernel_size), _first(getattr(module, "dilation", 1))
            padding = (kernel - 1) * dilation // 2 if padding == "same" else 0
        return (
            _first(module.kernel_size),
            _first(getattr(module, "dilation", 1)),
            _first(module.stride),
            _first(padding),
        )
    if isinstance(module, nn.AdaptiveAvgPool2d) and inputs and inputs[0].dim() == 4:
        size = inputs[0].shape[2]  # output size 1: the window is the whole map
        return size, 1, size, 0
    return None


def trace_layers(model: nn.Module, x: torch.Tensor) -> list[LayerInfo]:
    """Run ``model`` on x [C, H, W] or [1, C, H, W] and describe every captured layer, in forward order."""
    x = batched(x)
    fields: dict[int, tuple[int, int, float]] = {}  # id(tensor) -> (receptive field, jump, start)
    alive: list[torch.Tensor] = []  # keep tensors alive so their ids stay unique
    last = [(1, 1, 0.0)]
    flattened = [False]
    rows: list[LayerInfo] = []
    names = {module: name for name, module in model.named_modules()}
    handles = []

    def field_of(tensor: object) -> tuple[int, int, float]:
        return fields.get(id(tensor), last[0]) if isinstance(tensor, torch.Tensor) else last[0]

    def hook(module: nn.Module, inputs: tuple, output: object) -> None:
        if not isinstance(output, torch.Tensor):
            return
        rf, jump, start = field_of(inputs[0]) if inputs else last[0]
        geometry = _geometry(module, inputs)
        if geometry is not None and not list(module.children()):
            kernel, dilation, stride, padding = geometry
            start = start + ((kernel - 1) * dilation / 2 - padding) * jump
            rf, jump = rf + (kernel - 1) * dilation * jump, jump * stride
        elif list(module.children()):  # a block: its output tensor already carries the main branch's field
            rf, jump, start = field_of(output)
        fields[id(output)] = (rf, jump, start)
        alive.append(output)
        last[0] = (rf, jump, start)
        if isinstance(module, nn.Flatten) or output.dim() < 3:
            flattened[0] = True
        if isinstance(module, CAPTURED_TYPES) and names.get(module):
            spatial = output.dim() == 4 and not flattened[0]
            name = first_free_name(names[module], lambda key: any(row.name == key for row in rows))  # as capture()
            rows.append(
                LayerInfo(
                    name=name,
                    kind=type(module).__name__,
                    shape=tuple(output.shape[1:]),
                    params=sum(p.numel() for p in module.parameters()),
                    receptive_field=rf if spatial else None,
                    jump=jump if spatial else None,
                    start=start if spatial else None,
                )
            )

    with evaluating(model):
        try:
            for module in model.modules():
                if module is not model:
                    handles.append(module.register_forward_hook(hook))
            fields[id(x)] = (1, 1, 0.0)
            model(x)
        finally:
            for handle in handles:
                handle.remove()
    return rows


_tables: weakref.WeakKeyDictionary[nn.Module, dict[tuple[int, ...], list[LayerInfo]]] = weakref.WeakKeyDictionary()
_tables_guard = threading.Lock()
MAX_SHAPES_PER_MODEL = 8


def layer_table(model: nn.Module, input_shape: tuple[int, ...]) -> list[LayerInfo]:
    """``trace_layers`` for an input of this shape ([C, H, W] or [1, C, H, W]), computed once per model and shape.

    Shapes, parameter counts and receptive fields depend on the model and the input's shape, never on its
    values, so a page that already captured the activations needs no second forward pass on the picture:
    the table is traced once on zeros and kept with the model (at most ``MAX_SHAPES_PER_MODEL`` shapes).
    """
    shape = tuple(batched(torch.empty(input_shape, device="meta")).shape)
    with _tables_guard:
        known = _tables.setdefault(model, {})
        table = known.get(shape)
    if table is None:
        table = trace_layers(model, torch.zeros(shape))
        with _tables_guard:
            if len(known) >= MAX_SHAPES_PER_MODEL:
                known.pop(next(iter(known)))
            known[shape] = table
    return list(table)
