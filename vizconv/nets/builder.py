"""The network builder: stack layers on an input shape, see each layer's shape, parameters and receptive field.

Like PyTorch code, every layer states the size it expects (``in_channels``,
``num_features``, ``in_features``), so a stack can be wrong; the first layer
that does not fit is explained in words, with the numbers and what to change.
``fit_to`` and ``auto_fix`` fill those sizes in from the incoming shape (what
``nn.LazyConv2d`` and ``nn.LazyLinear`` do).

Shapes are torch's own: after checking a layer ourselves we build the real
module and run it on the ``meta`` device, where torch applies its shape rules
without allocating memory (a 512-channel block on 224×224 costs nothing).
``sequential_code`` exports the stack as ``nn.Sequential`` source; the tests run
it on real zeros and compare every child's output shape with the builder's.

References:
- Residual blocks are torchvision's ``BasicBlock`` and ``Bottleneck``
  (torchvision/models/resnet.py, "ResNet V1.5": the bottleneck's stride sits
  on its 3×3 convolution); where the stride is not 1 or the channel count
  changes, the shortcut is a 1×1 convolution with batch norm, as ResNet does.
- Receptive field: Araujo, Norris & Sim, "Computing Receptive Fields of Convolutional
  Neural Networks", Distill 2019;
  (size r, jump j) -> (r + (k - 1) * d * j, j * s), as ``vizconv.nets.layers``.
- Pooling padding: torch refuses padding larger than half the window
  ("pad should be at most half of effective kernel size").
- LeNet-5 as in the course notes and Dive into Deep Learning §7.6.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import torch
from torch import nn
from torchvision.models.resnet import BasicBlock, Bottleneck

from vizconv.errors import MessageError, ParameterError
from vizconv.i18n import strings
from vizconv.i18n.strings import Count, Term
from vizconv.ops.geometry import as_int, output_length

__all__ = [
    "ACTIVATIONS",
    "CORRECTED_RESIDUAL_CODE",
    "KINDS",
    "LIMITS",
    "MAX_LAYERS",
    "MAX_STACK_CHARS",
    "NOTES_RESIDUAL_CODE",
    "PRESETS",
    "LayerSpec",
    "StackTextError",
    "StepResult",
    "auto_fix",
    "build_stack",
    "encode_stack",
    "fit_stack",
    "fit_to",
    "layer",
    "layer_code",
    "layer_summary",
    "limits",
    "parse_stack",
    "read_stack",
    "sequential_code",
    "to_module",
    "to_sequential",
]

Shape = tuple[int, ...]  # one example's shape: (C, H, W) for a feature map, (F,) for a vector

# kind -> its settings and their defaults, in the order the constructor takes them
KINDS: dict[str, dict[str, object]] = {
    "conv2d": {
        "in_channels": 1,
        "out_channels": 6,
        "kernel_size": 3,
        "stride": 1,
        "padding": 0,
        "dilation": 1,
        "bias": True,
    },
    "conv1x1": {"in_channels": 1, "out_channels": 6, "stride": 1, "bias": True},  # kernel 1: mixes channels only
    "maxpool": {"kernel_size": 2, "stride": 2, "padding": 0},
    "avgpool": {"kernel_size": 2, "stride": 2, "padding": 0},
    "activation": {"function": "relu"},
    "batchnorm2d": {"num_features": 6},
    "flatten": {},
    "linear": {"in_features": 400, "out_features": 10, "bias": True},
    "basic_block": {"in_channels": 64, "out_channels": 64, "stride": 1},
    "bottleneck": {"in_channels": 256, "width": 64, "stride": 1},  # out: width * 4 channels
}
# the widgets' bounds on the page (torch itself has no upper limits; the builder runs on the meta device)
LIMITS: dict[str, tuple[int, int]] = {
    "input": (1, 4096),
    "in_channels": (1, 16384),
    "out_channels": (1, 4096),
    "num_features": (1, 16384),
    "width": (1, 1024),
    "kernel_size": (1, 31),
    "stride": (1, 8),
    "padding": (0, 15),
    "dilation": (1, 8),
    "in_features": (1, 100_000_000),
    "out_features": (1, 100_000),
}
ACTIVATIONS = {"relu": "ReLU", "leaky_relu": "LeakyReLU", "sigmoid": "Sigmoid", "tanh": "Tanh", "gelu": "GELU"}
_MINIMUM = {"padding": 0}  # every other number is at least 1
_BLOCKS = ("basic_block", "bottleneck")
_MAP_KINDS = ("conv2d", "conv1x1", "maxpool", "avgpool", "batchnorm2d", "basic_block", "bottleneck")
_FIXABLE = ("nb.err.channels", "nb.err.block_channels", "nb.err.bn_channels", "nb.err.features", "nb.err.features_flat")


def _name(kind: str) -> Term:
    return Term(f"nb.kind.{kind}")  # catalogue: nb.kind.<…> (10 keys: nb.kind.conv2d … nb.kind.bottleneck)


@dataclass(frozen=True)
class LayerSpec:
    """One layer of the stack: its kind and its settings (checked and completed with defaults)."""

    kind: str  # one of KINDS
    params: dict = field(default_factory=dict)  # setting -> value; missing ones take KINDS' defaults

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or self.kind not in KINDS:
            raise ParameterError("nb.err.kind", value=repr(self.kind), kinds=", ".join(KINDS))
        defaults = KINDS[self.kind]
        unknown = [name for name in self.params if name not in defaults]
        if unknown:
            raise ParameterError(
                "nb.err.unknown_param",
                layer=_name(self.kind),
                name=unknown[0],
                names=", ".join(defaults) or "—",
            )
        params = {name: self.params.get(name, default) for name, default in defaults.items()}
        for name, value in params.items():
            if name == "bias":
                if not isinstance(value, bool):
                    raise ParameterError("nb.err.not_bool", name=name, value=repr(value))
            elif name == "function":
                if value not in ACTIVATIONS:
                    raise ParameterError("nb.err.activation", value=repr(value), names=", ".join(ACTIVATIONS))
            else:
                params[name] = as_int(value, name, _MINIMUM.get(name, 1))
        if self.kind in ("maxpool", "avgpool") and params["padding"] > params["kernel_size"] // 2:
            raise ParameterError(
                "nb.err.pool_padding",
                layer=_name(self.kind),
                padding=params["padding"],
                kernel=params["kernel_size"],
                half=params["kernel_size"] // 2,
            )
        object.__setattr__(self, "params", params)

    def __hash__(self) -> int:
        return hash((self.kind, tuple(self.params.items())))

    def replace(self, **changes: object) -> LayerSpec:
        """The same layer with some settings changed (checked again)."""
        return LayerSpec(self.kind, {**self.params, **changes})


def layer(kind: str, **params: object) -> LayerSpec:
    """LayerSpec(kind, params): ``layer("conv2d", in_channels=1, out_channels=6, kernel_size=5)``."""
    return LayerSpec(kind, params)


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


# ---------------------------------------------------------------- modules and code


def _downsample(in_channels: int, out_channels: int, stride: int) -> nn.Sequential | None:
    """ResNet's projection shortcut, when the block changes the size or the channel count."""
    if stride == 1 and in_channels == out_channels:
        return None
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False),
        nn.BatchNorm2d(out_channels),
    )


def _block_out(spec: LayerSpec) -> int:
    p = spec.params
    return p["out_channels"] if spec.kind == "basic_block" else p["width"] * Bottleneck.expansion


def to_module(spec: LayerSpec) -> nn.Module:
    """The torch module for one layer (on the current default device)."""
    p, kind = spec.params, spec.kind
    if kind == "conv2d":
        return nn.Conv2d(
            p["in_channels"],
            p["out_channels"],
            kernel_size=p["kernel_size"],
            stride=p["stride"],
            padding=p["padding"],
            dilation=p["dilation"],
            bias=p["bias"],
        )
    if kind == "conv1x1":
        return nn.Conv2d(p["in_channels"], p["out_channels"], kernel_size=1, stride=p["stride"], bias=p["bias"])
    if kind in ("maxpool", "avgpool"):
        pool = nn.MaxPool2d if kind == "maxpool" else nn.AvgPool2d
        return pool(kernel_size=p["kernel_size"], stride=p["stride"], padding=p["padding"])
    if kind == "activation":
        return getattr(nn, ACTIVATIONS[p["function"]])()
    if kind == "batchnorm2d":
        return nn.BatchNorm2d(p["num_features"])
    if kind == "flatten":
        return nn.Flatten()
    if kind == "linear":
        return nn.Linear(p["in_features"], p["out_features"], bias=p["bias"])
    downsample = _downsample(p["in_channels"], _block_out(spec), p["stride"])
    if kind == "basic_block":
        return BasicBlock(p["in_channels"], p["out_channels"], stride=p["stride"], downsample=downsample)
    return Bottleneck(p["in_channels"], p["width"], stride=p["stride"], downsample=downsample)


def to_sequential(specs: Sequence[LayerSpec]) -> nn.Sequential:
    """nn.Sequential of every layer, children named "0", "1", … as in the exported code."""
    return nn.Sequential(*(to_module(spec) for spec in specs))


def _args(*positional: object, **keywords: object) -> str:
    return ", ".join([*map(str, positional), *(f"{name}={value}" for name, value in keywords.items())])


def _conv_code(in_channels: int, out_channels: int, kernel: int, stride: int, padding: int, dilation: int, bias: bool):
    keywords: dict[str, object] = {"kernel_size": kernel}
    if stride != 1:
        keywords["stride"] = stride
    if padding:
        keywords["padding"] = padding
    if dilation != 1:
        keywords["dilation"] = dilation
    if not bias:
        keywords["bias"] = False
    return f"nn.Conv2d({_args(in_channels, out_channels, **keywords)})"


def layer_summary(spec: LayerSpec) -> str:
    """One line, as the constructor call reads (blocks without their shortcut's details)."""
    p, kind = spec.params, spec.kind
    if kind in ("basic_block", "bottleneck"):
        second = p["out_channels"] if kind == "basic_block" else p["width"]
        keywords: dict[str, object] = {"stride": p["stride"]} if p["stride"] != 1 else {}
        if _downsample(p["in_channels"], _block_out(spec), p["stride"]) is not None:
            keywords["downsample"] = "…"
        name = "BasicBlock" if kind == "basic_block" else "Bottleneck"
        return f"{name}({_args(p['in_channels'], second, **keywords)})"
    return layer_code(spec)[0]


def layer_code(spec: LayerSpec) -> list[str]:
    """Source lines that build the layer (more than one for a block with a projection shortcut)."""
    p, kind = spec.params, spec.kind
    if kind == "conv2d":
        code = _conv_code(
            p["in_channels"], p["out_channels"], p["kernel_size"], p["stride"], p["padding"], p["dilation"], p["bias"]
        )
        return [code]
    if kind == "conv1x1":
        return [_conv_code(p["in_channels"], p["out_channels"], 1, p["stride"], 0, 1, p["bias"])]
    if kind in ("maxpool", "avgpool"):
        keywords: dict[str, object] = {"kernel_size": p["kernel_size"], "stride": p["stride"]}
        if p["padding"]:
            keywords["padding"] = p["padding"]
        return [f"nn.{'MaxPool2d' if kind == 'maxpool' else 'AvgPool2d'}({_args(**keywords)})"]
    if kind == "activation":
        return [f"nn.{ACTIVATIONS[p['function']]}()"]
    if kind == "batchnorm2d":
        return [f"nn.BatchNorm2d({p['num_features']})"]
    if kind == "flatten":
        return ["nn.Flatten()"]
    if kind == "linear":
        return [f"nn.Linear({_args(p['in_features'], p['out_features'], **({} if p['bias'] else {'bias': False}))})"]
    out = _block_out(spec)
    name = "BasicBlock" if kind == "basic_block" else "Bottleneck"
    second = p["out_channels"] if kind == "basic_block" else p["width"]
    keywords = {"stride": p["stride"]} if p["stride"] != 1 else {}
    if _downsample(p["in_channels"], out, p["stride"]) is None:
        return [f"{name}({_args(p['in_channels'], second, **keywords)})"]
    shortcut = _conv_code(p["in_channels"], out, 1, p["stride"], 0, 1, False)
    return [
        f"{name}(",
        f"    {_args(p['in_channels'], second, **keywords)},",
        "    downsample=nn.Sequential(  # the shortcut: 1×1 convolution + batch norm to match the main branch",
        f"        {shortcut},",
        f"        nn.BatchNorm2d({out}),",
        "    ),",
        ")",
    ]


def _shape_text(shape: Shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def sequential_code(input_shape: Sequence[int], specs: Sequence[LayerSpec]) -> str:
    """Runnable Python that builds the stack as ``model = nn.Sequential(...)`` and runs it on zeros.

    Raises the first layer's error if the stack does not fit its input.
    """
    steps = build_stack(input_shape, specs)
    failed = next((step.error for step in steps if step.error is not None), None)
    if failed is not None:
        raise failed
    c, h, w = (int(v) for v in input_shape)
    blocks = sorted({"BasicBlock" if s.kind == "basic_block" else "Bottleneck" for s in specs if s.kind in _BLOCKS})
    lines = ["import torch", "from torch import nn"]
    if blocks:
        lines.append(f"from torchvision.models.resnet import {', '.join(blocks)}")
    lines += ["", "model = nn.Sequential("]
    for step in steps:
        code = layer_code(step.spec)
        comment = f"  # {step.index}: {_shape_text(step.shape)}" + (
            f", {step.params:,} parameters" if step.params else ""
        )
        code[-1] += "," + comment
        lines += ["    " + line for line in code]
    lines += [
        ")",
        "",
        "model.eval()  # inference mode: BatchNorm uses its running statistics",
        f"x = torch.zeros(1, {c}, {h}, {w})  # a batch of one input [{c}, {h}, {w}]",
        "with torch.no_grad():",
        "    y = model(x)",
        f"print(y.shape)  # torch.Size({list((1, *steps[-1].shape)) if steps else [1, c, h, w]})",
    ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- building the stack


def _windows(spec: LayerSpec) -> list[tuple[int, int, int]]:
    """(kernel, dilation, stride) of each window the layer slides, in order along its main path."""
    p, kind = spec.params, spec.kind
    if kind == "conv2d":
        return [(p["kernel_size"], p["dilation"], p["stride"])]
    if kind == "conv1x1":
        return [(1, 1, p["stride"])]
    if kind in ("maxpool", "avgpool"):
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


def _check(step: int, spec: LayerSpec, shape: Shape, vector: _Vector | None) -> ParameterError | None:
    """Our own explanation of why ``spec`` cannot take ``shape``; None if it can."""
    p, kind = spec.params, spec.kind
    if kind in _MAP_KINDS and len(shape) != 3:
        return ParameterError(
            "nb.err.needs_map",
            index=step,
            layer=_name(kind),
            values=Count("count.values", shape[0]),
            source=vector.source,
            source_layer=_name(vector.kind),
        )
    if kind in ("conv2d", "conv1x1") and p["in_channels"] != shape[0]:
        kernel = p.get("kernel_size", 1)
        return ParameterError(
            "nb.err.channels",
            index=step,
            layer=_name(kind),
            wanted=Count("count.input_channels", p["in_channels"]),
            made=Count("count.channels", p["in_channels"]),
            got=shape[0],
            weight=_shape_text((p["out_channels"], p["in_channels"], kernel, kernel)),
        )
    if kind in _BLOCKS and p["in_channels"] != shape[0]:
        return ParameterError(
            "nb.err.block_channels",
            index=step,
            layer=_name(kind),
            wanted=Count("count.input_channels", p["in_channels"]),
            made=Count("count.channels", p["in_channels"]),
            got=shape[0],
        )
    if kind == "batchnorm2d" and p["num_features"] != shape[0]:
        return ParameterError(
            "nb.err.bn_channels",
            index=step,
            expected=p["num_features"],
            got=shape[0],
            channels=Count("count.channels", shape[0]),
        )
    if kind in ("conv2d", "maxpool", "avgpool"):
        for axis, size in enumerate(shape[1:]):
            try:
                output_length(
                    size, p["kernel_size"], p["stride"], p["padding"], p["padding"], p.get("dilation", 1), axis
                )
            except ParameterError as exc:
                return ParameterError("nb.err.empty", index=step, layer=_name(kind), **exc.params)
    if kind == "linear":
        if len(shape) == 3:
            c, h, w = shape
            return ParameterError(
                "nb.err.needs_flatten",
                index=step,
                c=c,
                h=h,
                w=w,
                size=c * h * w,
                values=Count("count.values", c * h * w),
            )
        if p["in_features"] != shape[0]:
            if vector.kind == "flatten":
                c, h, w = vector.map_shape
                return ParameterError(
                    "nb.err.features_flat",
                    index=step,
                    expected=p["in_features"],
                    got=shape[0],
                    values=Count("count.values", shape[0]),
                    source=vector.source,
                    c=c,
                    h=h,
                    w=w,
                )
            return ParameterError(
                "nb.err.features",
                index=step,
                expected=p["in_features"],
                got=shape[0],
                values=Count("count.values", shape[0]),
                source=vector.source,
            )
    return None


def _input_shape(input_shape: object) -> tuple[int, int, int]:
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ParameterError("nb.err.input_shape", value=repr(input_shape))
    return (
        as_int(input_shape[0], Term("nb.input_c"), 1),
        as_int(input_shape[1], Term("nb.input_h"), 1),
        as_int(input_shape[2], Term("nb.input_w"), 1),
    )


class _Stacker:
    """Applies layers one at a time to an input [C, H, W] (build_stack's loop; parse_stack reads ``incoming``)."""

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
        note = None
        if spec.kind == "flatten":
            if len(shape) == 1:
                note = MessageError("nb.warn.flatten_noop", index=index, values=Count("count.values", shape[0]))
            else:
                self.vector = _Vector(index, "flatten", shape)
        elif spec.kind == "linear":
            self.vector = _Vector(index, "linear", None)
        if len(out_shape) == 3:
            for kernel, dilation, stride in _windows(spec):
                self.rf, self.jump = self.rf + (kernel - 1) * dilation * self.jump, self.jump * stride
        params = sum(p.numel() for p in module.parameters())
        spatial = len(out_shape) == 3
        self.steps.append(
            StepResult(
                index,
                spec,
                shape,
                out_shape,
                params,
                self.rf if spatial else None,
                self.jump if spatial else None,
                note=note,
            )
        )
        self.shape = out_shape
        return self.steps[-1]


def build_stack(input_shape: Sequence[int], specs: Sequence[LayerSpec]) -> list[StepResult]:
    """Apply the layers in order to an input [C, H, W]: one StepResult per layer up to the first that does not fit.

    If a layer does not fit, its StepResult carries the explained ``error`` and
    the list ends there. Bad input numbers raise ParameterError.
    """
    stacker = _Stacker(input_shape)
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
    if spec.kind in ("conv2d", "conv1x1", *_BLOCKS) and len(shape) == 3:
        return spec.replace(in_channels=shape[0])
    if spec.kind == "batchnorm2d" and len(shape) == 3:
        return spec.replace(num_features=shape[0])
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


# ---------------------------------------------------------------- the stack as text (shareable links)

MAX_LAYERS = 64  # the longest stack the page builds and a link carries
MAX_STACK_CHARS = 32 * MAX_LAYERS  # a link's stack text: the longest layer is 26 characters
_IN_SIZE = {"conv2d": "in_channels", "conv1x1": "in_channels", "batchnorm2d": "num_features", "linear": "in_features"}
_IN_SIZE |= {kind: "in_channels" for kind in _BLOCKS}


def limits(kind: str, name: str) -> tuple[int, int]:
    """The page's bounds for setting ``name`` of a ``kind`` layer (the Add form's and a link's): LIMITS, except
    that a pooling stride may be as large as any window, since PyTorch's default stride is the window."""
    if name == "stride" and kind in ("maxpool", "avgpool"):
        return LIMITS["kernel_size"]
    return LIMITS[name]


@dataclass(frozen=True)
class _Form:
    """How one kind of layer is written: a word, maybe a number right after it, then letter+number fields."""

    kind: str
    lead: str | None = None  # the setting written right after the word: conv5 is kernel_size 5
    fields: tuple[tuple[str, str], ...] = ()  # (letter, setting) in the order they are written
    required: tuple[str, ...] = ()  # settings always written (the others have a default)
    fixed: tuple[tuple[str, object], ...] = ()  # settings the word itself gives (relu: function "relu")
    example: str = ""  # a short example, for messages


_FORMS: dict[str, _Form] = {
    "conv": _Form(
        "conv2d",
        "kernel_size",
        (
            ("c", "out_channels"),
            ("s", "stride"),
            ("p", "padding"),
            ("d", "dilation"),
            ("i", "in_channels"),
            ("b", "bias"),
        ),
        ("kernel_size", "out_channels"),
        example="conv3c16",
    ),
    "conv1x1": _Form(
        "conv1x1",
        None,
        (("c", "out_channels"), ("s", "stride"), ("i", "in_channels"), ("b", "bias")),
        ("out_channels",),
        example="conv1x1c16",
    ),
    "maxpool": _Form(
        "maxpool", "kernel_size", (("s", "stride"), ("p", "padding")), ("kernel_size",), example="maxpool2"
    ),
    "avgpool": _Form(
        "avgpool", "kernel_size", (("s", "stride"), ("p", "padding")), ("kernel_size",), example="avgpool2"
    ),
    **{name.replace("_", ""): _Form("activation", fixed=(("function", name),)) for name in ACTIVATIONS},
    "bn": _Form("batchnorm2d", None, (("i", "num_features"),)),
    "flatten": _Form("flatten"),
    "linear": _Form(
        "linear", "out_features", (("i", "in_features"), ("b", "bias")), ("out_features",), example="linear10"
    ),
    "basicblock": _Form(
        "basic_block",
        None,
        (("c", "out_channels"), ("s", "stride"), ("i", "in_channels")),
        ("out_channels",),
        example="basicblockc64",
    ),
    "bottleneck": _Form(
        "bottleneck", None, (("w", "width"), ("s", "stride"), ("i", "in_channels")), ("width",), example="bottleneckw64"
    ),
}
_WORDS = sorted(_FORMS, key=len, reverse=True)  # longest first: conv1x1 before conv
_LEAD = re.compile(r"[0-9]+")
_FIELD = re.compile(r"([a-z])([0-9]+)")  # one setting: a letter and a number (leading zeros are harmless)
_SEPARATOR = re.compile(r"[-,]")  # between layers: "-" as written, "," as people may type it
_SHOWN_CHARS = 40  # a token quoted in a message is cut here


def _assumed_size(kind: str, incoming: Shape | None) -> int | None:
    """The input size a layer of ``kind`` gets when its text leaves it out: what fit_to gives it after
    ``incoming``; where that cannot be worked out (a vector into a Conv, or after a layer that does not fit), the
    default (KINDS), as in the Add form, so "flatten-conv3c4" reads and the builder explains the mistake. None for
    a kind without an input size."""
    name = _IN_SIZE.get(kind)
    if name is None:
        return None
    if incoming is not None:
        blank = LayerSpec(kind)
        fitted = fit_to(incoming, blank)
        if fitted is not blank:  # fit_to returns the spec itself where it sets nothing
            return fitted.params[name]
    return KINDS[kind][name]


def _default(form: _Form, name: str, params: dict) -> object:
    """The value of an optional setting that is not written (the input size is handled by the caller)."""
    if name == "stride" and form.kind in ("maxpool", "avgpool"):
        return params["kernel_size"]  # PyTorch's default: the window
    return {"stride": 1, "padding": 0, "dilation": 1, "bias": True}[name]


def _in_limits(kind: str, name: str, value: object) -> bool:
    if name == "bias":
        return isinstance(value, bool)
    low, high = limits(kind, name)
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


def _layer_text(spec: LayerSpec, incoming: Shape | None) -> str | None:
    """One layer as text; None when a setting is outside the page's limits."""
    form = next(f for f in _FORMS.values() if f.kind == spec.kind and dict(f.fixed).items() <= spec.params.items())
    word = next(w for w, f in _FORMS.items() if f is form)
    p, in_size = spec.params, _IN_SIZE.get(spec.kind)
    assumed = in_size is not None and p[in_size] == _assumed_size(spec.kind, incoming)  # left out: the reader knows it
    checked = (name for name in p if name != "function" and not (assumed and name == in_size))
    if not all(_in_limits(spec.kind, name, p[name]) for name in checked):
        return None
    text = word + ("" if form.lead is None else str(p[form.lead]))
    for letter, name in form.fields:
        if name == in_size:
            if assumed:
                continue
        elif name not in form.required and p[name] == _default(form, name, p):
            continue
        text += letter + str(int(p[name]))
    return text


def encode_stack(input_shape: Sequence[int], specs: Sequence[LayerSpec]) -> str | None:
    """The stack as one line of text for a link: ``conv5c6p2-sigmoid-avgpool2-flatten-linear10``.

    One word per layer, joined by ``-`` (a character that URLs leave as it is; parse_stack also takes commas);
    numbers follow the word and single letters:

    - ``conv{k}c{out}`` Conv2d with a k×k kernel, then ``s`` stride, ``p`` padding, ``d`` dilation (when not
      1, 0, 1), ``i`` in_channels, ``b0`` without bias; ``conv1x1c{out}`` the 1×1 Conv2d (``s``, ``i``, ``b0``);
    - ``maxpool{k}``, ``avgpool{k}``, then ``s`` stride (when not k, PyTorch's default) and ``p`` padding;
    - ``relu``, ``leakyrelu``, ``sigmoid``, ``tanh``, ``gelu``; ``bn`` BatchNorm2d (``i`` num_features);
      ``flatten``; ``linear{out}`` (``i`` in_features, ``b0``);
    - ``basicblockc{out}``, ``bottleneckw{width}``, then ``s`` stride and ``i`` in_channels.

    An input size is left out where it equals the size the incoming shape gives it (what fit_to sets), so a
    hand-written stack needs none; where the incoming shape cannot give it (after Flatten for a map layer, or
    after the first layer that does not fit) it is left out where it is the default (KINDS), and written
    otherwise. None when the stack cannot be written: more than MAX_LAYERS layers, or a setting outside the
    page's limits (``limits``).
    """
    if len(specs) > MAX_LAYERS:
        return None
    stacker = _Stacker(input_shape)
    words = []
    for spec in specs:
        word = _layer_text(spec, stacker.incoming)
        if word is None:
            return None
        words.append(word)
        if stacker.incoming is not None:
            stacker.add(spec)
    return "-".join(words)


def _shown(fragment: str) -> str:
    """Text from a link, safe to quote in a message's `code span`: at most _SHOWN_CHARS characters, no
    backtick, nothing unprintable."""
    fragment = "".join(c if c.isprintable() and c != "`" else "\ufffd" for c in fragment)
    return fragment if len(fragment) <= _SHOWN_CHARS else fragment[:_SHOWN_CHARS] + "…"


def _letters(form: _Form) -> str:
    return ", ".join(f"{letter} ({name})" for letter, name in form.fields)


class StackTextError(MessageError):
    """Why a link's stack text cannot be read: the first layer that cannot (its position and its text) and the
    reason (itself a MessageError: the Add form's own message where there is one)."""

    def __init__(self, index: int, token: str, reason: MessageError | None, read: int) -> None:
        """``reason`` None: the layer is empty; ``read``: how many layers were read before it."""
        self.index, self.token, self.reason = index, token, reason
        if reason is None:
            super().__init__("nb.link.layer_empty", index=index, read=read)
        else:
            shown = _shown(token.strip())
            super().__init__("nb.link.layer", index=index, token=shown, reason=reason.message(), read=read)

    def message(self, lang: str = "en") -> str:
        if self.reason is None:
            return super().message(lang)
        return strings.text(self.key, lang, **{**self.params, "reason": self.reason.message(lang)})


def _number(word: str, name: str, kind: str, digits: str) -> object:
    """A setting's number from the text, checked against the page's limits."""
    value = int(digits)
    if name == "bias":
        if value not in (0, 1):
            raise MessageError("nb.link.bias", value=_shown(digits))
        return bool(value)
    low, high = limits(kind, name)
    if not low <= value <= high:
        raise MessageError("nb.link.range", word=word, name=name, value=_shown(digits), low=low, high=high)
    return value


def _read_layer(token: str, incoming: Shape | None) -> LayerSpec:
    """One layer from its text (any case, spaces around it ignored); raises MessageError saying why not."""
    written = token.strip().lower()  # not empty: read_stack sees to that
    word = next((w for w in _WORDS if written.startswith(w)), None)
    rest = written[len(word) :] if word else written
    if word is None or re.match(r"[a-z]{2}", rest):  # not a word we know (settings are one letter each)
        unknown = (word or "") + re.match(r"[a-z]*", rest).group()
        raise MessageError("nb.link.word", word=_shown(unknown or written), words=", ".join(_FORMS))
    form = _FORMS[word]
    params: dict[str, object] = dict(form.fixed)
    if not form.fields and form.lead is None and rest:
        raise MessageError("nb.link.no_settings", word=word)
    lead = _LEAD.match(rest)
    if form.lead is None and lead:
        raise MessageError("nb.link.lead_extra", word=word, letters=_letters(form))
    if form.lead is not None:
        if not lead:
            raise MessageError("nb.link.lead_missing", word=word, name=form.lead, example=form.example)
        params[form.lead] = _number(word, form.lead, form.kind, lead.group())
        rest = rest[lead.end() :]
    letters = dict(form.fields)
    while rest:
        field = _FIELD.match(rest)
        if field is None:
            raise MessageError("nb.link.syntax", done=_shown(written[: len(written) - len(rest)]), rest=_shown(rest))
        letter, digits = field.groups()
        name = letters.get(letter)
        if name is None:
            raise MessageError("nb.link.letter", word=word, letter=letter, letters=_letters(form))
        if name in params:
            raise MessageError("nb.link.twice", letter=letter, name=name)
        params[name] = _number(word, name, form.kind, digits)
        rest = rest[field.end() :]
    missing = next((name for name in form.required if name not in params), None)
    if missing is not None:
        letter = next(letter for letter, name in form.fields if name == missing)
        raise MessageError("nb.link.missing", word=word, letter=letter, name=missing, example=form.example)
    in_size = _IN_SIZE.get(form.kind)
    for _, name in form.fields:
        if name not in params:
            params[name] = _assumed_size(form.kind, incoming) if name == in_size else _default(form, name, params)
    return LayerSpec(form.kind, params)  # a pooling padding over half the window: the Add form's own message


def read_stack(text: str, input_shape: Sequence[int]) -> tuple[list[LayerSpec], MessageError | None]:
    """The layers a link's stack text holds, and why it stops where it does (None: it was read to the end).

    The layers are read up to the first one that cannot be; the error (a StackTextError) names it, quotes its
    text and says why: a word that is not a layer, a missing or unknown letter, a letter written twice, a number
    outside the page's limits (with the range), a pooling padding over half the window (the Add form's message),
    more than MAX_LAYERS layers. Text longer than MAX_STACK_CHARS is not read at all. Lenient where nothing is
    lost: any case, spaces around a layer, leading zeros, "," for "-". Bad input numbers raise ParameterError.
    """
    stacker = _Stacker(input_shape)
    if len(text) > MAX_STACK_CHARS:
        return [], MessageError("nb.link.too_long", length=len(text), limit=MAX_STACK_CHARS)
    if text == "":
        return [], None
    specs: list[LayerSpec] = []
    for index, token in enumerate(_SEPARATOR.split(text), start=1):
        try:
            if index > MAX_LAYERS:
                raise MessageError("nb.link.too_many", n=MAX_LAYERS)
            if not token.strip():
                return specs, StackTextError(index, token, None, read=len(specs))
            spec = _read_layer(token, stacker.incoming)
        except MessageError as reason:
            return specs, StackTextError(index, token, reason, read=len(specs))
        specs.append(spec)
        if stacker.incoming is not None:
            stacker.add(spec)
    return specs, None


def parse_stack(text: object, input_shape: Sequence[int]) -> list[LayerSpec] | None:
    """The stack that ``encode_stack`` wrote for ``input_shape``, or one written by hand; None for text that
    ``read_stack`` cannot read to the end, and for anything that is not text (never raises for text).

    Every layer is one of the forms above with its settings within ``limits``, each letter at most once, layers
    separated by one "-" or ",", at most MAX_LAYERS layers and MAX_STACK_CHARS characters. "" is the empty stack.
    """
    if not isinstance(text, str):
        return None
    specs, error = read_stack(text, input_shape)
    return None if error is not None else specs


# ---------------------------------------------------------------- presets

PRESETS: dict[str, tuple[tuple[int, int, int], tuple[LayerSpec, ...]]] = {
    # LeNet-5 as in the notes: sigmoid and average pooling, 28×28 digits padded to keep 28×28 in conv1
    "lenet5": (
        (1, 28, 28),
        (
            layer("conv2d", in_channels=1, out_channels=6, kernel_size=5, padding=2),  # [6, 28, 28]
            layer("activation", function="sigmoid"),
            layer("avgpool", kernel_size=2, stride=2),  # [6, 14, 14]
            layer("conv2d", in_channels=6, out_channels=16, kernel_size=5),  # [16, 10, 10]
            layer("activation", function="sigmoid"),
            layer("avgpool", kernel_size=2, stride=2),  # [16, 5, 5]
            layer("flatten"),  # [400]
            layer("linear", in_features=400, out_features=120),
            layer("activation", function="sigmoid"),
            layer("linear", in_features=120, out_features=84),
            layer("activation", function="sigmoid"),
            layer("linear", in_features=84, out_features=10),
        ),
    ),
    # ResNet-18/34's conv2_x input; the second block halves the size and doubles the channels
    "basic_block": (
        (64, 56, 56),
        (
            layer("basic_block", in_channels=64, out_channels=64),  # [64, 56, 56], identity shortcut
            layer("basic_block", in_channels=64, out_channels=128, stride=2),  # [128, 28, 28], 1×1 shortcut
        ),
    ),
    # ResNet-50's bottlenecks: 1×1 squeezes 256 -> 64, 3×3 works on 64, 1×1 expands to 256
    "bottleneck": (
        (256, 56, 56),
        (
            layer("bottleneck", in_channels=256, width=64),  # [256, 56, 56]
            layer("bottleneck", in_channels=256, width=128, stride=2),  # [512, 28, 28]
        ),
    ),
    # a [16, 3, 5, 5] weight on a 1-channel digit
    "mismatch": (
        (1, 28, 28),
        (
            layer("conv2d", in_channels=3, out_channels=16, kernel_size=5),
            layer("activation", function="relu"),
            layer("maxpool", kernel_size=2, stride=2),
            layer("flatten"),
            layer("linear", in_features=16 * 12 * 12, out_features=10),
        ),
    ),
    # a classifier head without Flatten
    "no_flatten": (
        (1, 28, 28),
        (
            layer("conv2d", in_channels=1, out_channels=6, kernel_size=5, padding=2),
            layer("activation", function="relu"),
            layer("maxpool", kernel_size=2, stride=2),
            layer("linear", in_features=6 * 14 * 14, out_features=10),
        ),
    ),
}

# ---------------------------------------------------------------- the notes' residual block

# The three-convolution residual block from the course notes, as written (comments dropped).
NOTES_RESIDUAL_CODE = """\
class Res(nn.Module):
    def __init__(self, cha_in, cha_out):
        super().__init__()
        self.conv1 = nn.Conv2d(cha_in, cha_out, kernel_size=1, stride=1)
        self.conv2 = nn.Conv2d(cha_out, cha_out, kernel_size=3, stride=1, padding=1)
        self.conv3 = nn.Conv2d(cha_out, 256, kernel_size=1, stride=1)
        self.bn1 = nn.BatchNorm2d(cha_out)
        self.bn1 = nn.BatchNorm2d(cha_out)
        self.bn3 = nn.BatchNorm2d(256)
        self.extra = nn.Sequential()
        if cha_in != 256:
            self.extra = nn.Sequential(
                nn.Conv2d(cha_in, 256, kernel_size=1, stride=1),
                nn.BatchNorm2d(256)
                )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = F.relu(self.bn3(self.conv3(out)))
        sout = self.extra(x) + out
        return out
"""

# The same block corrected: what the "bottleneck" preset builds (torchvision's Bottleneck, stride 1).
CORRECTED_RESIDUAL_CODE = """\
class Res(nn.Module):
    def __init__(self, cha_in, cha_out):
        super().__init__()
        self.conv1 = nn.Conv2d(cha_in, cha_out, kernel_size=1, bias=False)
        self.conv2 = nn.Conv2d(cha_out, cha_out, kernel_size=3, padding=1, bias=False)
        self.conv3 = nn.Conv2d(cha_out, 4 * cha_out, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cha_out)
        self.bn2 = nn.BatchNorm2d(cha_out)  # was a second bn1: bn2 never existed
        self.bn3 = nn.BatchNorm2d(4 * cha_out)
        self.extra = nn.Sequential()  # identity shortcut when the shapes already agree
        if cha_in != 4 * cha_out:
            self.extra = nn.Sequential(
                nn.Conv2d(cha_in, 4 * cha_out, kernel_size=1, bias=False),
                nn.BatchNorm2d(4 * cha_out),
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))  # no ReLU before the sum
        return F.relu(out + self.extra(x))  # return the sum with the shortcut, then ReLU
"""
