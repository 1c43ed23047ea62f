"""A layer-by-layer account of a real forward pass: shape, parameters, receptive field.

The receptive field of an output cell is the input window that can influence
it. It is propagated through the forward pass (Araujo, Norris
& Sim, "Computing Receptive Fields of Convolutional Neural Networks",
Distill 2019): a layer with kernel k, dilation d and stride s turns
(size r, jump j) into (r + (k - 1) * d * j, j * s); element-wise layers keep
it. Each tensor carries its own field, followed through every torch operation
of the forward pass (a ``TorchFunctionMode``), not only through modules:

* a tensor made from several maps of the same size (a residual block's ``out += identity``, an Inception
  block's ``torch.cat`` of its branches) sees the union of their windows: the main branch's, the widest one;
* a 1×1 "gate" multiplied or added onto a larger map (a squeeze-and-excitation block's ``input * scale``, its
  scale made by a global average pooling) is left out of that union: each output cell is its input cell
  rescaled, and its field stays that input's, not the whole picture that the gate's pooling saw. (The gate
  does carry a little global context; the table counts the window that a cell is computed from.)
* an operation that brings a map down to 1×1 without a module (``x.mean((2, 3), keepdim=True)``) is a global
  pooling: its field is the whole map.

Modules with a window (Conv2d, ConvTranspose2d, max, average and adaptive pooling) apply the formula above to
their input's field. Maps are NCHW; fields are followed along the height.
"""

from __future__ import annotations

import math
import threading
import weakref
from dataclasses import dataclass

import torch
from torch import nn
from torch.overrides import TorchFunctionMode
from torch.utils.weak import WeakIdKeyDictionary

from vizconv.nets.capture import CAPTURED_TYPES, batched, evaluating, first_free_name

__all__ = ["CHANNELS_LAST_KINDS", "LayerInfo", "channels_last", "layer_table", "trace_layers"]

CHANNELS_LAST_KINDS = ("Linear", "LayerNorm")  # on a picture-shaped tensor they act on its last axis
Field = tuple[int, float, float]  # (receptive field, jump, start: input pixel at the centre of cell (0, 0))


@dataclass(frozen=True)
class LayerInfo:
    """One captured layer of a forward pass."""

    name: str  # module path
    kind: str  # class name
    shape: tuple[int, ...]  # output shape without the batch dimension
    params: int  # parameters of the module (with its children)
    receptive_field: int | None  # side of the input window one output cell sees; None after flattening
    jump: int | float | None  # input pixels between neighbouring output cells (below 1 after upsampling)
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


def _number(value: float) -> int | float:
    """An integral float as an int (jumps and fields print as 4, not 4.0)."""
    return int(value) if float(value).is_integer() else value


def _geometry(module: nn.Module, inputs: tuple, output: torch.Tensor) -> tuple[int, int, int, int] | None:
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
    if isinstance(module, (nn.AdaptiveAvgPool2d, nn.AdaptiveMaxPool2d)) and inputs and inputs[0].dim() == 4:
        size, out = inputs[0].shape[2], output.shape[2]
        if out >= size:  # each output cell reads one input cell (or, upsampling, shares it)
            return 1, 1, 1, 0
        # windows of ceil(size / out) cells (the widest), floor(size / out) apart: exact when out divides size
        return math.ceil(size / out), 1, size // out, 0
    return None


def _transposed(module: nn.ConvTranspose2d, field: Field) -> Field:
    """A transposed convolution's output field. Output cell y reads the input cells i with y = i s - p + t d for a
    tap t: those between (y + p - (k - 1) d) / s and (y + p) / s. So neighbouring output cells are j / s input
    pixels apart, and a window (k - 1) d / s input cells wider than the input's holds every cell's (which cells
    it reads changes with y mod s: the window is rounded up to whole pixels, never narrower)."""
    rf, jump, start = field
    kernel, dilation, stride = (_first(v) for v in (module.kernel_size, module.dilation, module.stride))
    reach = (kernel - 1) * dilation
    centre = (_first(module.padding) - reach / 2) / stride  # of output cell 0, in input cells
    return rf + math.ceil(reach * jump / stride), _number(jump / stride), start + centre * jump


def _union(fields: list[Field]) -> Field:
    """The smallest window holding every one of ``fields``' windows (maps of one size, cell by cell)."""
    top = min(start - (rf - 1) / 2 for rf, _, start in fields)
    bottom = max(start + (rf - 1) / 2 for rf, _, start in fields)
    return round(bottom - top + 1), max(jump for _, jump, _ in fields), (top + bottom) / 2


def _spatial(tensor: torch.Tensor) -> tuple[int, int] | None:
    return tuple(tensor.shape[2:]) if tensor.dim() == 4 else None


def _combined(output: torch.Tensor, inputs: list[tuple[torch.Tensor, Field]]) -> Field:
    """The field of ``output`` of an operation on ``inputs`` (tensor, its field), the ones with a known field."""
    size = _spatial(output)
    if size == (1, 1):
        wider = [(t, f) for t, f in inputs if _spatial(t) not in (None, (1, 1))]
        if wider:  # a global pooling written out (x.mean((2, 3), keepdim=True)): the whole map
            fields = []
            for tensor, (rf, jump, start) in wider:
                height = tensor.shape[2]
                fields.append((rf + (height - 1) * jump, jump * height, start + (height - 1) / 2 * jump))
            return _union(fields)
    elif size is not None:
        # a 1×1 gate broadcast over the map (squeeze-and-excitation's scale) adds no window to a cell's field
        maps = [(t, f) for t, f in inputs if _spatial(t) != (1, 1)]
        inputs = maps or inputs
    return _union([f for _, f in inputs])


def _tensors(value: object) -> list[torch.Tensor]:
    """The tensors in an argument or result: itself, or those in a list, tuple or dict (``torch.cat``)."""
    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for item in value for t in _tensors(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _tensors(item)]
    return []


class _FollowFields(TorchFunctionMode):
    """Gives every tensor a torch operation makes a field, from the fields of the tensors it was made from
    (``_combined``). Tensors with no known field (parameters, constants) are left out."""

    def __init__(self, fields: WeakIdKeyDictionary) -> None:
        super().__init__()
        self.fields = fields

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        result = func(*args, **kwargs)
        known = [(t, self.fields[t]) for t in _tensors((args, kwargs)) if t in self.fields]
        if known:
            for tensor in _tensors(result):
                self.fields[tensor] = _combined(tensor, known)
        return result


def trace_layers(model: nn.Module, x: torch.Tensor) -> list[LayerInfo]:
    """Run ``model`` on x [C, H, W] or [1, C, H, W] and describe every captured layer, in forward order."""
    x = batched(x)
    fields: WeakIdKeyDictionary = WeakIdKeyDictionary()  # tensor -> (receptive field, jump, start)
    last: list[Field] = [(1, 1, 0.0)]
    flattened = [False]
    rows: list[LayerInfo] = []
    names = {module: name for name, module in model.named_modules()}
    handles = []

    def field_of(tensor: object) -> Field:
        return fields.get(tensor, last[0]) if isinstance(tensor, torch.Tensor) else last[0]

    def hook(module: nn.Module, inputs: tuple, output: object) -> None:
        if not isinstance(output, torch.Tensor):
            return
        inner = field_of(inputs[0]) if inputs else last[0]
        geometry = None if list(module.children()) else _geometry(module, inputs, output)
        if geometry is not None:
            rf, jump, start = inner
            kernel, dilation, stride, padding = geometry
            start = start + ((kernel - 1) * dilation / 2 - padding) * jump
            rf, jump = rf + (kernel - 1) * dilation * jump, jump * stride
        elif isinstance(module, nn.ConvTranspose2d):
            rf, jump, start = _transposed(module, inner)
        else:  # element-wise, or a block: what the operations inside made of its inputs' fields
            rf, jump, start = fields.get(output, inner)
        fields[output] = (rf, jump, start)
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
                    jump=_number(jump) if spatial else None,
                    start=start if spatial else None,
                )
            )

    with evaluating(model):
        try:
            for module in model.modules():
                if module is not model:
                    handles.append(module.register_forward_hook(hook))
            fields[x] = (1, 1, 0.0)
            with _FollowFields(fields):
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


def channels_last(rows: list[LayerInfo]) -> set[str]:
    """The layers of the table ``rows`` whose picture-shaped output is laid out channels last (H, W, C), as inside
    ConvNeXt's blocks: a Linear or a LayerNorm acting on the last axis, and the element-wise layers after them
    with the same shape (up to the permutation back, which is not a captured layer). Read as (C, H, W), such an
    output would show H "channels" of W × C; the pages draw maps and class activation maps of the others only."""
    found: set[str] = set()
    before = None  # the shape of the channels-last output of the row before, if it had one
    for row in rows:
        spatial = len(row.shape) == 3
        if spatial and (row.kind in CHANNELS_LAST_KINDS or (row.shape == before and row.kind != "Conv2d")):
            found.add(row.name)
            before = row.shape
        else:
            before = None
    return found
