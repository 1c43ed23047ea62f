"""A stack of layers on an input [C, H, W]: each layer's output shape, parameters and receptive field, the first
layer that does not fit explained in words, and the input sizes fitted to the incoming shape.

Like PyTorch code, every layer states the size it expects (``in_channels``,
``num_features``, ``in_features``), so a stack can be wrong; the first layer
that does not fit is explained with the numbers and what to change.
``fit_to`` and ``auto_fix`` fill those sizes in from the incoming shape (what
``nn.LazyConv2d`` and ``nn.LazyLinear`` do).

Shapes are torch's own: after checking a layer ourselves we build the real
module and run it on the ``meta`` device, where torch applies its shape rules
without allocating memory (a 512-channel block on 224×224 costs nothing).

References:
- Receptive field: Araujo, Norris & Sim, "Computing Receptive Fields of Convolutional
  Neural Networks", Distill 2019;
  (size r, jump j) -> (r + (k - 1) * d * j, j * s), as ``vizconv.nets.layers``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from vizconv.errors import MessageError, ParameterError
from vizconv.i18n.strings import Count, Term
from vizconv.nets.builder.spec import (
    BLOCKS,
    CONVS,
    INPUT_SIZE,
    KINDS,
    MAP_KINDS,
    POOLS,
    LayerSpec,
    Shape,
    kind_name,
    layer,
    to_module,
)
from vizconv.ops.geometry import as_int, output_length

__all__ = ["Stacker", "StepResult", "auto_fix", "build_stack", "fit_stack", "fit_to", "shape_text"]

# the errors a size setting fixes (fit_to), as auto_fix does
_FIXABLE = ("nb.err.channels", "nb.err.block_channels", "nb.err.bn_channels", "nb.err.features", "nb.err.features_flat")


@dataclass(frozen=True)
class StepResult:
    """What one layer of the stack does to the shape (or why it cannot be applied)."""

    index: int  # 1-based position in the stack
    spec: LayerSpec
    input_shape: Shape
    shape: Shape | None  # output shape without the batch dimension; None when the layer does not fit
    params: int  # parameters of the module (0 when it does not fit)
    receptive_field: int | None  # side of the input window one output cell sees; None once flattened
    jump: int | None  # input pixels between neighbouring output cells; None once flattened
    error: ParameterError | None = None  # why this layer does not fit; the stack stops here
    note: MessageError | None = None  # a remark that is not an error (a Flatten that does nothing)


def shape_text(shape: Shape) -> str:
    """A shape as torch prints a list: ``[16, 5, 5]``."""
    return "[" + ", ".join(map(str, shape)) + "]"


def _windows(spec: LayerSpec) -> list[tuple[int, int, int]]:
    """(kernel, dilation, stride) of each window the layer slides, in order along its main path."""
    p, kind = spec.params, spec.kind
    if kind == "conv2d":
        return [(p["kernel_size"], p["dilation"], p["stride"])]
    if kind == "conv1x1":
        return [(1, 1, p["stride"])]
    if kind in POOLS:
        return [(p["kernel_size"], 1, p["stride"])]
    if kind == "basic_block":
        return [(3, 1, p["stride"]), (3, 1, 1)]
    if kind == "bottleneck":
        return [(1, 1, 1), (3, 1, p["stride"]), (1, 1, 1)]
    return []


@dataclass
class _Vector:
    """Where a flat input came from, to explain a wrong in_features."""

    source: int  # the layer that made the vector
    kind: str  # "flatten" or "linear"
    map_shape: Shape | None  # the map a Flatten flattened


# ---------------------------------------------------------------- why a layer does not fit


def _check(step: int, spec: LayerSpec, shape: Shape, vector: _Vector | None) -> ParameterError | None:
    """Our own explanation of why ``spec`` cannot take ``shape``; None if it can."""
    if spec.kind in MAP_KINDS:
        return _check_map(step, spec, shape, vector)
    if spec.kind == "linear":
        return _check_linear(step, spec, shape, vector)
    return None


def _check_map(step: int, spec: LayerSpec, shape: Shape, vector: _Vector | None) -> ParameterError | None:
    """A map layer's input: a feature map [C, H, W] with the channels it expects, large enough for its window."""
    p, kind, name = spec.params, spec.kind, kind_name(spec.kind)
    if len(shape) != 3:
        values = Count("count.values", shape[0])
        source = {"source": vector.source, "source_layer": kind_name(vector.kind)}
        return ParameterError("nb.err.needs_map", index=step, layer=name, values=values, **source)
    size = INPUT_SIZE.get(kind)  # in_channels or num_features; None for a pooling layer
    if size is not None and p[size] != shape[0]:
        if kind == "batchnorm2d":
            channels = Count("count.channels", shape[0])
            return ParameterError("nb.err.bn_channels", index=step, expected=p[size], got=shape[0], channels=channels)
        wanted, made = Count("count.input_channels", p[size]), Count("count.channels", p[size])
        said = {"index": step, "layer": name, "wanted": wanted, "made": made, "got": shape[0]}
        if kind in BLOCKS:
            return ParameterError("nb.err.block_channels", **said)
        kernel = p.get("kernel_size", 1)
        weight = shape_text((p["out_channels"], p[size], kernel, kernel))
        return ParameterError("nb.err.channels", **said, weight=weight)
    if kind in ("conv2d", *POOLS):
        for axis, side in enumerate(shape[1:]):
            try:
                output_length(
                    side, p["kernel_size"], p["stride"], p["padding"], p["padding"], p.get("dilation", 1), axis
                )
            except ParameterError as exc:
                return ParameterError("nb.err.empty", index=step, layer=name, **exc.params)
    return None


def _check_linear(step: int, spec: LayerSpec, shape: Shape, vector: _Vector | None) -> ParameterError | None:
    """A Linear's input: a vector of ``in_features`` values, and where a wrong count came from."""
    expected = spec.params["in_features"]
    if len(shape) == 3:
        c, h, w = shape
        values = Count("count.values", c * h * w)
        return ParameterError("nb.err.needs_flatten", index=step, c=c, h=h, w=w, size=c * h * w, values=values)
    if expected == shape[0]:
        return None
    values = Count("count.values", shape[0])
    said = {"index": step, "expected": expected, "got": shape[0], "values": values, "source": vector.source}
    if vector.kind == "flatten":
        c, h, w = vector.map_shape
        return ParameterError("nb.err.features_flat", **said, c=c, h=h, w=w)
    return ParameterError("nb.err.features", **said)


# ---------------------------------------------------------------- building the stack


def _input_shape(input_shape: object) -> tuple[int, int, int]:
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ParameterError("nb.err.input_shape", value=repr(input_shape))
    return (
        as_int(input_shape[0], Term("nb.input_c"), 1),
        as_int(input_shape[1], Term("nb.input_h"), 1),
        as_int(input_shape[2], Term("nb.input_w"), 1),
    )


class Stacker:
    """Applies layers one at a time to an input [C, H, W] (build_stack's loop; the link's reader follows
    ``incoming`` to leave input sizes out)."""

    def __init__(self, input_shape: Sequence[int]) -> None:
        self.shape: Shape = _input_shape(input_shape)
        self.rf, self.jump = 1, 1
        self.vector: _Vector | None = None
        self.steps: list[StepResult] = []

    @property
    def incoming(self) -> Shape | None:
        """The shape the next layer receives; None once a layer did not fit."""
        return None if self.steps and self.steps[-1].error is not None else self.shape

    def add(self, spec: LayerSpec) -> StepResult:
        """Apply one more layer (only while ``incoming`` is not None)."""
        index, shape = len(self.steps) + 1, self.shape
        error = _check(index, spec, shape, self.vector)
        if error is not None:
            self.steps.append(StepResult(index, spec, shape, None, 0, None, None, error=error))
            return self.steps[-1]
        with torch.device("meta"):  # torch's shape rules, no memory
            module = to_module(spec).eval()
            with torch.no_grad():
                out = module(torch.zeros((1, *shape)))
        out_shape = tuple(out.shape[1:])
        note = self._follow_vector(index, spec, shape)
        spatial = len(out_shape) == 3
        if spatial:
            for kernel, dilation, stride in _windows(spec):
                self.rf, self.jump = self.rf + (kernel - 1) * dilation * self.jump, self.jump * stride
        params = sum(p.numel() for p in module.parameters())
        rf, jump = (self.rf, self.jump) if spatial else (None, None)
        self.steps.append(StepResult(index, spec, shape, out_shape, params, rf, jump, note=note))
        self.shape = out_shape
        return self.steps[-1]

    def _follow_vector(self, index: int, spec: LayerSpec, shape: Shape) -> MessageError | None:
        """Remember which layer made the vector a Linear receives; a note for a Flatten that does nothing."""
        if spec.kind == "flatten":
            if len(shape) == 1:
                return MessageError("nb.warn.flatten_noop", index=index, values=Count("count.values", shape[0]))
            self.vector = _Vector(index, "flatten", shape)
        elif spec.kind == "linear":
            self.vector = _Vector(index, "linear", None)
        return None


def build_stack(input_shape: Sequence[int], specs: Sequence[LayerSpec]) -> list[StepResult]:
    """Apply the layers in order to an input [C, H, W]: one StepResult per layer up to the first that does not fit.

    If a layer does not fit, its StepResult carries the explained ``error`` and
    the list ends there. Bad input numbers raise ParameterError.
    """
    stacker = Stacker(input_shape)
    for spec in specs:
        if not isinstance(spec, LayerSpec):
            raise ParameterError("nb.err.kind", value=repr(spec), kinds=", ".join(KINDS))
    for spec in specs:
        if stacker.add(spec).error is not None:
            break
    return stacker.steps


# ---------------------------------------------------------------- fitting sizes to the input


def fit_to(shape: Sequence[int], spec: LayerSpec) -> LayerSpec:
    """``spec`` with in_channels / num_features / in_features set from the incoming ``shape``.

    A Linear fed a map [C, H, W] gets C·H·W (as if flattened: it still needs a
    Flatten before it). Layers without an input size are returned unchanged.
    """
    shape = tuple(shape)
    if spec.kind in (*CONVS, *BLOCKS, "batchnorm2d") and len(shape) == 3:
        return spec.replace(**{INPUT_SIZE[spec.kind]: shape[0]})
    if spec.kind == "linear":
        return spec.replace(in_features=math.prod(shape))
    return spec


def auto_fix(input_shape: Sequence[int], specs: Sequence[LayerSpec]) -> list[LayerSpec]:
    """Fix the first layer that does not fit, when the fix is a size setting or a missing Flatten.

    Returns the specs unchanged (as a new list) when the stack fits or when its
    first error needs a decision (a window too large, a layer after Flatten).
    """
    specs = list(specs)
    steps = build_stack(input_shape, specs)
    if not steps or steps[-1].error is None:
        return specs
    step = steps[-1]
    position = step.index - 1
    if step.error.key in _FIXABLE:
        specs[position] = fit_to(step.input_shape, step.spec)
    elif step.error.key == "nb.err.needs_flatten":
        specs[position : position + 1] = [layer("flatten"), fit_to(step.input_shape, step.spec)]
    return specs


def fit_stack(input_shape: Sequence[int], specs: Sequence[LayerSpec]) -> list[LayerSpec]:
    """auto_fix until the stack fits or its first error needs a decision (like nn.LazyConv2d / nn.LazyLinear)."""
    specs = list(specs)
    for _ in range(2 * len(specs) + 1):  # each fix moves the first error forward (a Flatten adds one layer)
        fixed = auto_fix(input_shape, specs)
        if fixed == specs:
            break
        specs = fixed
    return specs
