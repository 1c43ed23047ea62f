"""ONNX operators as torch modules: one converter per operator of image CNNs.

A converter reads one node (``NodeView``: its inputs, known as constants or as values of a known shape, and its
attributes) and returns what the node becomes:

- ``Steps``: torch modules applied in turn to the node's ``args`` (the first module takes them all, each later
  one the previous output). Operators with a torch module of their own become that module, built with the
  node's weights (Conv → ``nn.Conv2d``, Gemm → ``nn.Linear``, Relu → ``nn.ReLU``, …), so that capture, the
  layer table and the activation explanations see them as in any torch model; the rest become ``OnnxOp``, a
  function of its inputs. A module never reads a shape from a tensor while running: every shape, index and
  size is read from the file's constants here, so that the whole graph's shapes are known before it runs.
- ``Alias``: the node passes an input on unchanged (Identity, Dropout, a Cast to float of a float).
- ``Constant``: the node's value, known from the file alone (Constant, the Shape of a value of known shape).

Operator semantics follow the ONNX operator specs (onnx/docs/Operators.md) for opsets 9 to 23; what a
converter does not follow (an attribute value torch computes differently) raises an OnnxError naming the node,
the attribute and what is supported.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

import onnx
import torch
import torch.nn.functional as F
from onnx import NodeProto, TensorProto
from torch import nn

from vizconv.nets.onnx.checks import Limits, node_label, tensor_value
from vizconv.nets.onnx.errors import OnnxError

__all__ = ["CONVERTERS", "Alias", "Constant", "NodeView", "OnnxOp", "Runtime", "Steps", "permute"]


@dataclass
class Runtime:
    """A value computed while the model runs: its graph node, shape and dtype (known, batch 1)."""

    node: object  # torch.fx.Node
    shape: tuple[int, ...]
    dtype: torch.dtype
    field: tuple[int, int] = (1, 1)  # (receptive field, jump) along the height, as vizconv.nets.layers counts them
    module: nn.Module | None = None  # the module that made it (None for the input or a function's output)
    readers: int = 1  # how many nodes (and graph outputs) read it


Value = torch.Tensor | Runtime


@dataclass
class Steps:
    """Modules applied in turn to the node's inputs ``args`` (positions; constants among them are passed as the
    model's buffers), each named by its suffix after the node's module path ("" for the main one)."""

    modules: list[tuple[str, nn.Module]]
    args: list[int] = field(default_factory=lambda: [0])


@dataclass
class Alias:
    """The node's output is its input ``index``, unchanged."""

    index: int = 0


@dataclass
class Constant:
    """The node's outputs, known without running the model."""

    values: list[torch.Tensor]


class OnnxOp(nn.Module):
    """One ONNX node that no torch module computes: ``fn(*inputs, **settings)``, settings fixed at conversion."""

    def __init__(self, op_type: str, fn: Callable, **settings: object) -> None:
        super().__init__()
        self.op_type = op_type
        self.fn = partial(fn, **settings)

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor | tuple[torch.Tensor, ...]:
        return self.fn(*inputs)

    def extra_repr(self) -> str:
        settings = ", ".join(f"{k}={v}" for k, v in self.fn.keywords.items())
        return f"{self.op_type}{': ' + settings if settings else ''}"


@dataclass
class NodeView:
    """One node as a converter reads it."""

    proto: NodeProto
    index: int
    opset: int
    inputs: list[Value | None]  # None: an optional input left out ("")
    consumers: list[int]  # how many nodes (and graph outputs) read each output
    limits: Limits

    @property
    def op(self) -> str:
        return self.proto.op_type

    @property
    def label(self) -> str:
        return node_label(self.proto, self.index)

    def attr(self, name: str, default: object = None) -> object:
        """An attribute's value (ints as a list, a string as str, a tensor as a torch tensor), or ``default``."""
        for attribute in self.proto.attribute:
            if attribute.name == name:
                if attribute.type == onnx.AttributeProto.TENSOR:
                    return tensor_value(attribute.t, self.limits, f"{self.label}.{name}")
                value = onnx.helper.get_attribute_value(attribute)
                if isinstance(value, bytes):
                    return value.decode("utf-8", "replace")
                return list(value) if isinstance(value, (list, tuple)) or hasattr(value, "__len__") else value
        return default

    def has(self, i: int) -> bool:
        return i < len(self.inputs) and self.inputs[i] is not None

    def const(self, i: int, what: str) -> torch.Tensor:
        """Input ``i`` as the constant it must be (weights, a shape): OnnxError when the model computes it."""
        if not self.has(i):
            raise OnnxError("missing_input", node=self.label, op=self.op, input=what)
        value = self.inputs[i]
        if isinstance(value, Runtime):
            raise OnnxError("need_constant", node=self.label, op=self.op, input=what)
        return value

    def optional(self, i: int, what: str) -> torch.Tensor | None:
        return self.const(i, what) if self.has(i) else None

    def ints(self, i: int, what: str) -> list[int]:
        value = self.const(i, what)
        if value.is_floating_point() or value.dim() > 1:
            raise OnnxError("bad_attribute", node=self.label, op=self.op, attribute=what, value=list(value.shape))
        return [int(v) for v in value.reshape(-1).tolist()]

    def shape(self, i: int) -> tuple[int, ...]:
        value = self.inputs[i]
        return value.shape if isinstance(value, Runtime) else tuple(value.shape)

    def rank(self, i: int) -> int:
        return len(self.shape(i))

    def used(self, output: int) -> bool:
        """Whether the node's output ``output`` is read by anything."""
        return output < len(self.consumers) and self.consumers[output] > 0

    def refuse(self, attribute: str, value: object, supported: str) -> OnnxError:
        """The error for an attribute value vizconv does not compute."""
        return OnnxError(
            "attribute", node=self.label, op=self.op, attribute=attribute, value=str(value)[:80], supported=supported
        )

    def invalid(self, reason: str) -> OnnxError:
        return OnnxError("node_invalid", node=self.label, op=self.op, reason=reason[:200])


def _module(cls: type[nn.Module], tensors: dict[str, torch.Tensor | None], **settings: object) -> nn.Module:
    """``cls(**settings)`` with the node's tensors as its parameters and buffers: built on the meta device, so
    nothing is initialised only to be overwritten; each tensor must have the shape the module expects."""
    with torch.device("meta"):
        module = cls(**settings)
    for name, value in tensors.items():
        if value is None:
            continue
        expected = getattr(module, name)
        if tuple(expected.shape) != tuple(value.shape):
            raise ValueError(f"{name} of shape {list(value.shape)}, expected {list(expected.shape)}")
        value = value.to(torch.float32).contiguous()
        if name in module._parameters:
            setattr(module, name, nn.Parameter(value))
        else:
            setattr(module, name, value)
    for name, buffer in list(module.named_buffers()):
        if buffer.is_meta:  # BatchNorm's num_batches_tracked: not in an ONNX file, and not used in eval mode
            owner, _, leaf = name.rpartition(".")
            setattr(module.get_submodule(owner) if owner else module, leaf, torch.zeros((), dtype=buffer.dtype))
    if any(t.is_meta for t in (*module.parameters(), *module.buffers())):
        raise ValueError("a weight of the module is not in the file")
    return module


def _pair(n: NodeView, name: str, default: int) -> tuple[int, int]:
    values = n.attr(name, [default, default])
    if len(values) != 2:
        raise OnnxError("rank", node=n.label, op=n.op, rank=len(values))
    return int(values[0]), int(values[1])


def _pads(
    n: NodeView, kernel: tuple[int, int], stride: tuple[int, int], dilation: tuple[int, int]
) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) from ``pads`` or ``auto_pad`` (SAME_UPPER puts the odd one at the end)."""
    auto = n.attr("auto_pad", "NOTSET")
    if auto in ("NOTSET", ""):
        pads = n.attr("pads", [0, 0, 0, 0])
        if len(pads) != 4 or any(p < 0 for p in pads):
            raise n.refuse("pads", pads, "four paddings ≥ 0: top, left, bottom, right")
        return tuple(int(p) for p in pads)
    if auto == "VALID":
        return 0, 0, 0, 0
    if auto not in ("SAME_UPPER", "SAME_LOWER"):
        raise n.refuse("auto_pad", auto, "NOTSET, VALID, SAME_UPPER, SAME_LOWER")
    begins, ends = [], []
    for size, k, s, d in zip(n.shape(0)[2:], kernel, stride, dilation, strict=True):
        total = max((math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size, 0)
        small, large = total // 2, total - total // 2
        begins.append(small if auto == "SAME_UPPER" else large)
        ends.append(large if auto == "SAME_UPPER" else small)
    return begins[0], begins[1], ends[0], ends[1]


def _spatial(n: NodeView) -> None:
    """OnnxError unless input 0 is a stack of maps [N, C, H, W]: the 2-D operators vizconv explains."""
    if n.rank(0) != 4:
        raise OnnxError("rank", node=n.label, op=n.op, rank=n.rank(0) - 2)


# ---------------------------------------------------------------- convolutions and normalisation


def conv(n: NodeView) -> Steps:
    _spatial(n)
    weight = n.const(1, "W")
    if weight.dim() != 4:
        raise OnnxError("rank", node=n.label, op=n.op, rank=weight.dim() - 2)
    bias = n.optional(2, "B")
    groups = int(n.attr("group", 1))
    kernel = tuple(weight.shape[2:])
    if tuple(n.attr("kernel_shape", kernel)) != kernel:
        raise n.invalid(f"kernel_shape {n.attr('kernel_shape')} is not the weights' {list(kernel)}")
    stride, dilation = _pair(n, "strides", 1), _pair(n, "dilations", 1)
    top, left, bottom, right = _pads(n, kernel, stride, dilation)
    symmetric = top == bottom and left == right
    module = _module(
        nn.Conv2d,
        {"weight": weight, "bias": bias},
        in_channels=weight.shape[1] * groups,
        out_channels=weight.shape[0],
        kernel_size=kernel,
        stride=stride,
        padding=(top, left) if symmetric else 0,
        dilation=dilation,
        groups=groups,
        bias=bias is not None,
    )
    if symmetric:
        return Steps([("", module)])
    return Steps([("pad", nn.ZeroPad2d((left, right, top, bottom))), ("", module)])  # asymmetric: padded first


def conv_transpose(n: NodeView) -> Steps:
    _spatial(n)
    weight = n.const(1, "W")  # (C_in, C_out / groups, kH, kW)
    if weight.dim() != 4:
        raise OnnxError("rank", node=n.label, op=n.op, rank=weight.dim() - 2)
    bias = n.optional(2, "B")
    groups = int(n.attr("group", 1))
    kernel = tuple(weight.shape[2:])
    stride, dilation = _pair(n, "strides", 1), _pair(n, "dilations", 1)
    extra = _pair(n, "output_padding", 0)
    size = n.shape(0)[2:]
    full = [
        s * (i - 1) + e + (k - 1) * d + 1 for i, k, s, d, e in zip(size, kernel, stride, dilation, extra, strict=True)
    ]
    auto = n.attr("auto_pad", "NOTSET")
    wanted = n.attr("output_shape")
    if wanted is not None or auto in ("SAME_UPPER", "SAME_LOWER"):
        out = (
            [int(v) for v in wanted[-2:]] if wanted is not None else [i * s for i, s in zip(size, stride, strict=True)]
        )
        totals = [f - o for f, o in zip(full, out, strict=True)]
        if any(t < 0 for t in totals):
            raise n.invalid(f"output_shape {out} larger than the transposed convolution makes ({full})")
        if auto == "SAME_UPPER":
            begins, ends = [t // 2 for t in totals], [t - t // 2 for t in totals]
        else:
            begins, ends = [t - t // 2 for t in totals], [t // 2 for t in totals]
        top, left, bottom, right = begins[0], begins[1], ends[0], ends[1]
    elif auto in ("NOTSET", "", "VALID"):
        top, left, bottom, right = (0, 0, 0, 0) if auto == "VALID" else _pads(n, kernel, stride, dilation)
    else:
        raise n.refuse("auto_pad", auto, "NOTSET, VALID, SAME_UPPER, SAME_LOWER")
    symmetric = top == bottom and left == right
    module = _module(
        nn.ConvTranspose2d,
        {"weight": weight, "bias": bias},
        in_channels=weight.shape[0],
        out_channels=weight.shape[1] * groups,
        kernel_size=kernel,
        stride=stride,
        padding=(top, left) if symmetric else 0,
        output_padding=extra,
        dilation=dilation,
        groups=groups,
        bias=bias is not None,
    )
    if symmetric:
        return Steps([("", module)])
    crop = OnnxOp(
        "Crop", _slice, index=((0, None, 1), (0, None, 1), (top, full[0] - bottom, 1), (left, full[1] - right, 1))
    )
    return Steps([("", module), ("crop", crop)])


def batch_norm(n: NodeView) -> Steps:
    if int(n.attr("training_mode", 0)) or any(n.used(i) for i in range(1, 5)) or not int(n.attr("spatial", 1)):
        raise n.refuse("training_mode", 1, "inference (training_mode = 0, one output)")
    scale, bias, mean, var = (n.const(i, what) for i, what in enumerate(("scale", "B", "mean", "var"), start=1))
    rank = n.rank(0)
    cls = {2: nn.BatchNorm1d, 3: nn.BatchNorm1d, 4: nn.BatchNorm2d}.get(rank)
    if cls is None:
        raise OnnxError("rank", node=n.label, op=n.op, rank=rank - 2)
    module = _module(
        cls,
        {"weight": scale, "bias": bias, "running_mean": mean, "running_var": var},
        num_features=scale.numel(),
        eps=float(n.attr("epsilon", 1e-5)),
    )
    return Steps([("", module)])


def instance_norm(n: NodeView) -> Steps:
    _spatial(n)
    scale, bias = n.const(1, "scale"), n.const(2, "B")
    module = _module(
        nn.InstanceNorm2d,
        {"weight": scale, "bias": bias},
        num_features=scale.numel(),
        eps=float(n.attr("epsilon", 1e-5)),
        affine=True,
    )
    return Steps([("", module)])


def layer_norm(n: NodeView) -> Steps:
    if n.used(1) or n.used(2):
        raise n.refuse("outputs", "Mean, InvStdDev", "the normalised output only")
    rank = n.rank(0)
    axis = int(n.attr("axis", -1))
    axis = axis + rank if axis < 0 else axis
    if not 0 <= axis < rank:
        raise n.invalid(f"axis {axis} outside rank {rank}")
    shape = n.shape(0)[axis:]
    scale, bias = n.const(1, "Scale"), n.optional(2, "B")
    if tuple(scale.shape) != shape or (bias is not None and tuple(bias.shape) != shape):
        raise n.refuse("Scale", list(scale.shape), f"a scale of the normalised shape {list(shape)}")
    module = _module(
        nn.LayerNorm,
        {"weight": scale, "bias": bias},
        normalized_shape=shape,
        eps=float(n.attr("epsilon", 1e-5)),
        bias=bias is not None,
    )
    return Steps([("", module)])


# ---------------------------------------------------------------- activations


def _activation(module: Callable[[NodeView], nn.Module]) -> Callable[[NodeView], Steps]:
    return lambda n: Steps([("", module(n))])


def clip(n: NodeView) -> Steps:
    if n.opset < 11:
        low, high = n.attr("min"), n.attr("max")
    else:
        low = float(n.const(1, "min").reshape(-1)[0]) if n.has(1) else None
        high = float(n.const(2, "max").reshape(-1)[0]) if n.has(2) else None
    if low == 0 and high == 6:
        return Steps([("", nn.ReLU6())])
    if low == 0 and high is None:
        return Steps([("", nn.ReLU())])
    if low is not None and high is not None:
        return Steps([("", nn.Hardtanh(float(low), float(high)))])
    return Steps([("", OnnxOp("Clip", torch.clamp, min=low, max=high))])


def hard_sigmoid(n: NodeView) -> Steps:
    alpha, beta = float(n.attr("alpha", 0.2)), float(n.attr("beta", 0.5))
    if math.isclose(alpha, 1 / 6, rel_tol=1e-6) and beta == 0.5:
        return Steps([("", nn.Hardsigmoid())])
    return Steps([("", OnnxOp("HardSigmoid", _hard_sigmoid, alpha=alpha, beta=beta))])


def _hard_sigmoid(x: torch.Tensor, alpha: float, beta: float) -> torch.Tensor:
    return torch.clamp(alpha * x + beta, 0.0, 1.0)


def _prelu(x: torch.Tensor, slope: torch.Tensor) -> torch.Tensor:
    return torch.where(x >= 0, x, x * slope)


def softmax(n: NodeView) -> Steps:
    rank = n.rank(0)
    log = n.op == "LogSoftmax"
    axis = int(n.attr("axis", -1 if n.opset >= 13 else 1))
    axis = axis + rank if axis < 0 else axis
    if not 0 <= axis < rank:
        raise n.invalid(f"axis {axis} outside rank {rank}")
    if n.opset >= 13 or axis == rank - 1:  # before opset 13: over everything from axis on, as one row
        return Steps([("", nn.LogSoftmax(dim=axis) if log else nn.Softmax(dim=axis))])
    return Steps([("", OnnxOp(n.op, _softmax_flat, axis=axis, log=log))])


def _softmax_flat(x: torch.Tensor, axis: int, log: bool) -> torch.Tensor:
    rows = x.reshape(math.prod(x.shape[:axis]), -1)  # (prod of the leading dims, prod of the rest)
    out = torch.log_softmax(rows, dim=1) if log else torch.softmax(rows, dim=1)
    return out.reshape(x.shape)


def gelu(n: NodeView) -> Steps:
    approximate = n.attr("approximate", "none")
    if approximate not in ("none", "tanh"):
        raise n.refuse("approximate", approximate, "none, tanh")
    return Steps([("", nn.GELU(approximate=approximate))])


# ---------------------------------------------------------------- pooling


def _pool(n: NodeView, kind: str) -> Steps:
    _spatial(n)
    if n.used(1):
        raise n.refuse("Indices", "used", "the pooled values only")
    kernel = tuple(int(k) for k in n.attr("kernel_shape", []))
    if len(kernel) != 2:
        raise OnnxError("rank", node=n.label, op=n.op, rank=len(kernel))
    stride, dilation = _pair(n, "strides", 1), _pair(n, "dilations", 1)
    ceil = bool(n.attr("ceil_mode", 0))
    top, left, bottom, right = _pads(n, kernel, stride, dilation)
    fits = top == bottom and left == right and top <= kernel[0] // 2 and left <= kernel[1] // 2
    padding = (top, left) if fits else 0
    if kind == "max":
        module = nn.MaxPool2d(kernel, stride, padding, dilation, ceil_mode=ceil)
        fill = -math.inf
    else:
        if dilation != (1, 1):
            raise n.refuse("dilations", list(dilation), "1, 1")
        include = bool(n.attr("count_include_pad", 0))
        if not fits and not include and any((top, left, bottom, right)):
            raise n.refuse("pads", [top, left, bottom, right], "equal paddings of at most half the kernel")
        module = nn.AvgPool2d(kernel, stride, padding, ceil_mode=ceil, count_include_pad=include)
        fill = 0.0
    if fits:
        return Steps([("", module)])
    pad = OnnxOp("Pad", _pad, pad=(left, right, top, bottom), mode="constant", value=fill)
    return Steps([("pad", pad), ("", module)])


def global_pool(n: NodeView) -> Steps:
    rank = n.rank(0)
    cls = {
        ("GlobalAveragePool", 3): nn.AdaptiveAvgPool1d,
        ("GlobalAveragePool", 4): nn.AdaptiveAvgPool2d,
        ("GlobalMaxPool", 3): nn.AdaptiveMaxPool1d,
        ("GlobalMaxPool", 4): nn.AdaptiveMaxPool2d,
    }.get((n.op, rank))
    if cls is None:
        raise OnnxError("rank", node=n.label, op=n.op, rank=rank - 2)
    return Steps([("", cls(1))])


_REDUCE = {"ReduceMean": torch.mean, "ReduceSum": torch.sum, "ReduceMax": torch.amax, "ReduceMin": torch.amin}


def reduce(n: NodeView) -> Steps:
    rank = n.rank(0)
    axes_from_input = n.op == "ReduceSum" and n.opset >= 13 or n.opset >= 18
    axes = (n.ints(1, "axes") if n.has(1) else None) if axes_from_input else n.attr("axes")
    keep = bool(n.attr("keepdims", 1))
    if not axes:
        if int(n.attr("noop_with_empty_axes", 0)):
            return Alias(0)
        axes = list(range(rank))
    dims = tuple(sorted({a + rank if a < 0 else a for a in axes}))
    if any(not 0 <= a < rank for a in dims):
        raise n.invalid(f"axes {axes} outside rank {rank}")
    if n.op == "ReduceMean" and rank == 4 and dims == (2, 3) and keep:  # a global average pooling
        return Steps([("", nn.AdaptiveAvgPool2d(1))])
    return Steps([("", OnnxOp(n.op, _REDUCE[n.op], dim=dims, keepdim=keep))])


# ---------------------------------------------------------------- arithmetic


def _div(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """ONNX's Div: integers divide towards zero."""
    if a.is_floating_point() or b.is_floating_point():
        return torch.div(a, b)
    return torch.div(a, b, rounding_mode="trunc")


def _sum(*xs: torch.Tensor) -> torch.Tensor:
    out = xs[0]
    for x in xs[1:]:
        out = out + x
    return out


_BINARY = {"Add": torch.add, "Sub": torch.sub, "Mul": torch.mul, "Div": _div, "Pow": torch.pow}
_UNARY = {
    "Sqrt": torch.sqrt,
    "Reciprocal": torch.reciprocal,
    "Neg": torch.neg,
    "Exp": torch.exp,
    "Log": torch.log,
    "Abs": torch.abs,
    "Erf": torch.erf,
    "Floor": torch.floor,
    "Ceil": torch.ceil,
}


def binary(n: NodeView) -> Steps | Alias:
    bias = _bias_fusion(n)
    if bias is not None:
        return bias
    return Steps([("", OnnxOp(n.op, _BINARY[n.op]))], args=[0, 1])


def _bias_fusion(n: NodeView) -> Alias | None:
    """Add(layer, constant) right after a Conv2d or Linear without a bias, read by nothing else: the constant
    is that layer's bias (tf2onnx writes a Dense layer as MatMul then Add). None when it is not so."""
    if n.op != "Add":
        return None
    for layer, other in ((0, 1), (1, 0)):
        made, bias = n.inputs[layer], n.inputs[other]
        if not isinstance(made, Runtime) or not isinstance(bias, torch.Tensor):
            continue
        module = made.module
        if not isinstance(module, (nn.Conv2d, nn.Linear)) or module.bias is not None or not bias.is_floating_point():
            continue
        if made.readers != 1:
            continue
        channels = module.out_channels if isinstance(module, nn.Conv2d) else module.out_features
        wanted = (channels, 1, 1) if isinstance(module, nn.Conv2d) else (channels,)
        shape = tuple(bias.shape)
        while len(shape) > len(wanted) and shape[0] == 1:
            shape = shape[1:]
        if shape != wanted:
            continue
        module.bias = nn.Parameter(bias.reshape(channels).to(torch.float32).clone())
        return Alias(layer)
    return None


def unary(n: NodeView) -> Steps:
    return Steps([("", OnnxOp(n.op, _UNARY[n.op]))])


def variadic_sum(n: NodeView) -> Steps:
    return Steps([("", OnnxOp("Sum", _sum))], args=list(range(len(n.inputs))))


# ---------------------------------------------------------------- linear layers


def gemm(n: NodeView) -> Steps:
    alpha, beta = float(n.attr("alpha", 1.0)), float(n.attr("beta", 1.0))
    trans_a, trans_b = int(n.attr("transA", 0)), int(n.attr("transB", 0))
    b = n.inputs[1]
    c = n.inputs[2] if n.has(2) else None
    if isinstance(b, torch.Tensor) and not trans_a and b.dim() == 2 and not isinstance(c, Runtime):
        weight = (b if trans_b else b.T) * alpha  # (N, K)
        out_features, in_features = weight.shape
        bias = None
        if c is not None:
            if c.numel() not in (1, out_features) or (c.dim() == 2 and c.shape[0] != 1) or c.dim() > 2:
                raise n.refuse("C", list(c.shape), f"a bias of {out_features} values")
            bias = (c.reshape(-1).expand(out_features) * beta).clone()
        module = _module(nn.Linear, {"weight": weight, "bias": bias}, in_features=in_features,
                         out_features=out_features, bias=bias is not None)  # fmt: skip
        return Steps([("", module)])
    op = OnnxOp("Gemm", _gemm, alpha=alpha, beta=beta, trans_a=bool(trans_a), trans_b=bool(trans_b))
    return Steps([("", op)], args=[0, 1, 2] if n.has(2) else [0, 1])


def _gemm(a, b, c=None, *, alpha: float, beta: float, trans_a: bool, trans_b: bool) -> torch.Tensor:
    out = alpha * ((a.T if trans_a else a) @ (b.T if trans_b else b))
    return out if c is None else out + beta * c


def matmul(n: NodeView) -> Steps:
    b = n.inputs[1]
    if isinstance(b, torch.Tensor) and b.dim() == 2 and b.is_floating_point() and n.rank(0) >= 1:
        module = _module(nn.Linear, {"weight": b.T}, in_features=b.shape[0], out_features=b.shape[1], bias=False)
        return Steps([("", module)])
    return Steps([("", OnnxOp("MatMul", torch.matmul))], args=[0, 1])


# ---------------------------------------------------------------- shapes


def _reshape(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    return x.reshape(shape)


def permute(x: torch.Tensor, perm: tuple[int, ...]) -> torch.Tensor:
    return x.permute(perm)


def _concat(*xs: torch.Tensor, axis: int, order: tuple[int, ...] = ()) -> torch.Tensor:
    """torch.cat of the inputs, given in any order: ``order`` lists, for each place, which input goes there."""
    return torch.cat([xs[i] for i in order] if order else xs, dim=axis)


def _slice(x: torch.Tensor, index: tuple[tuple[int, int | None, int], ...], reverse: tuple = ()) -> torch.Tensor:
    """x[index] (a (start, stop, step) per axis), then the axes in ``reverse`` taken at the listed positions."""
    x = x[tuple(slice(*s) for s in index)]
    for axis, positions in reverse:  # a negative step: torch slices only forwards
        x = torch.index_select(x, axis, torch.tensor(positions, dtype=torch.int64, device=x.device))
    return x


def _gather(x: torch.Tensor, indices: torch.Tensor, axis: int, shape: tuple[int, ...]) -> torch.Tensor:
    return torch.index_select(x, axis, indices.reshape(-1)).reshape(shape)


def _expand(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    return x.expand(shape).contiguous()


def _split(x: torch.Tensor, sizes: tuple[int, ...], axis: int) -> tuple[torch.Tensor, ...]:
    return tuple(torch.split(x, sizes, dim=axis))


def _cast(x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    return x.to(dtype)


def _reshaped(n: NodeView, shape: tuple[int, ...]) -> Steps:
    if math.prod(shape) != math.prod(n.shape(0)):
        raise OnnxError("reshape", node=n.label, op=n.op, shape=list(n.shape(0)), target=list(shape)[:8])
    return Steps([("", OnnxOp(n.op, _reshape, shape=tuple(shape)))])


def reshape(n: NodeView) -> Steps:
    target = n.ints(1, "shape")
    source = n.shape(0)
    if len(target) > 8 or any(d < -1 for d in target) or target.count(-1) > 1:
        raise OnnxError("reshape", node=n.label, op=n.op, shape=list(source), target=target[:8])
    allow_zero = int(n.attr("allowzero", 0))
    for i, d in enumerate(target):
        if d == 0 and not allow_zero:
            if i >= len(source):
                raise OnnxError("reshape", node=n.label, op=n.op, shape=list(source), target=target)
            target[i] = source[i]
    if -1 in target:
        known = math.prod(d for d in target if d != -1)
        total = math.prod(source)
        if known == 0 or total % known:
            raise OnnxError("reshape", node=n.label, op=n.op, shape=list(source), target=target)
        target[target.index(-1)] = total // known
    return _reshaped(n, tuple(target))


def flatten(n: NodeView) -> Steps:
    rank = n.rank(0)
    axis = int(n.attr("axis", 1))
    axis = axis + rank if axis < 0 else axis
    if not 0 <= axis <= rank:
        raise n.invalid(f"axis {axis} outside rank {rank}")
    if axis == 1 and rank >= 2:
        return Steps([("", nn.Flatten())])
    shape = n.shape(0)
    return _reshaped(n, (math.prod(shape[:axis]), math.prod(shape[axis:])))


def transpose(n: NodeView) -> Steps:
    rank = n.rank(0)
    perm = tuple(int(p) for p in n.attr("perm", list(range(rank - 1, -1, -1))))
    if sorted(perm) != list(range(rank)):
        raise n.invalid(f"perm {list(perm)} is not a permutation of {rank} axes")
    return Steps([("", OnnxOp("Transpose", permute, perm=perm))])


def _axes(n: NodeView, rank: int) -> list[int] | None:
    axes = (n.ints(1, "axes") if n.has(1) else None) if n.opset >= 13 else n.attr("axes")
    if axes is None:
        return None
    normal = [a + rank if a < 0 else a for a in axes]
    if any(not 0 <= a < rank for a in normal) or len(set(normal)) != len(normal):
        raise n.invalid(f"axes {list(axes)} outside rank {rank}")
    return normal


def squeeze(n: NodeView) -> Steps:
    shape = n.shape(0)
    axes = _axes(n, len(shape))
    if axes is None:
        axes = [i for i, d in enumerate(shape) if d == 1]
    if any(shape[a] != 1 for a in axes):
        raise n.invalid(f"squeezes axes {axes} of shape {list(shape)}")
    return _reshaped(n, tuple(d for i, d in enumerate(shape) if i not in axes))


def unsqueeze(n: NodeView) -> Steps:
    shape = list(n.shape(0))
    axes = _axes(n, len(shape) + len(n.ints(1, "axes") if n.opset >= 13 else n.attr("axes", [])))
    if not axes:
        raise n.invalid("no axes")
    for a in sorted(axes):
        shape.insert(a, 1)
    return _reshaped(n, tuple(shape))


def concat(n: NodeView) -> Steps:
    present = [i for i in range(len(n.inputs)) if n.has(i)]
    rank = n.rank(present[0])
    axis = int(n.attr("axis", 1 if n.opset < 4 else 0))
    axis = axis + rank if axis < 0 else axis
    if not 0 <= axis < rank:
        raise n.invalid(f"axis {axis} outside rank {rank}")
    return Steps([("", OnnxOp("Concat", _concat, axis=axis))], args=present)


def gather(n: NodeView) -> Steps:
    shape = n.shape(0)
    indices = n.const(1, "indices")
    axis = int(n.attr("axis", 0))
    axis = axis + len(shape) if axis < 0 else axis
    if not 0 <= axis < len(shape) or indices.is_floating_point():
        raise n.invalid(f"axis {axis} of shape {list(shape)}")
    size = shape[axis]
    if bool(((indices < -size) | (indices >= size)).any()):
        raise n.invalid(f"indices outside 0..{size - 1}")
    n.inputs[1] = torch.where(indices < 0, indices + size, indices)  # passed to the module as a constant
    out = tuple(shape[:axis]) + tuple(indices.shape) + tuple(shape[axis + 1 :])
    return Steps([("", OnnxOp("Gather", _gather, axis=axis, shape=out))], args=[0, 1])


def slice_(n: NodeView) -> Steps:
    shape = n.shape(0)
    if n.opset < 10:
        starts, ends, axes, steps = n.attr("starts", []), n.attr("ends", []), n.attr("axes"), None
    else:
        starts, ends = n.ints(1, "starts"), n.ints(2, "ends")
        axes = n.ints(3, "axes") if n.has(3) else None
        steps = n.ints(4, "steps") if n.has(4) else None
    axes = list(range(len(starts))) if axes is None else [a + len(shape) if a < 0 else a for a in axes]
    steps = steps or [1] * len(starts)
    if not len(starts) == len(ends) == len(axes) == len(steps) or any(not 0 <= a < len(shape) for a in axes):
        raise n.invalid(f"starts {starts}, ends {ends}, axes {axes} for shape {list(shape)}")
    if 0 in steps:
        raise n.refuse("steps", steps, "steps other than 0")
    index = [(0, None, 1)] * len(shape)
    reverse = []
    for start, end, axis, step in zip(starts, ends, axes, steps, strict=True):
        size = shape[axis]
        start, end = start + size if start < 0 else start, end + size if end < 0 else end
        if step > 0:
            start, end = min(max(start, 0), size), min(max(end, 0), size)
            index[axis] = (start, max(end, start), step)
        else:  # ONNX clamps a backward slice to [0, size - 1] and its end to [-1, size - 1]
            start, end = min(max(start, 0), size - 1), min(max(end, -1), size - 1)
            positions = tuple(range(start, end, step))
            _checked_size(n, [len(positions)])
            reverse.append((axis, positions))
    return Steps([("", OnnxOp("Slice", _slice, index=tuple(index), reverse=tuple(reverse)))])


def shape_of(n: NodeView) -> Constant:
    shape = list(n.shape(0))
    start, end = int(n.attr("start", 0)), n.attr("end")
    return Constant([torch.tensor(shape[start : None if end is None else int(end)], dtype=torch.int64)])


def size_of(n: NodeView) -> Constant:
    return Constant([torch.tensor(math.prod(n.shape(0)), dtype=torch.int64)])


_DTYPES = {
    TensorProto.FLOAT: torch.float32,
    TensorProto.DOUBLE: torch.float32,
    TensorProto.FLOAT16: torch.float32,
    TensorProto.INT64: torch.int64,
    TensorProto.INT32: torch.int64,
    TensorProto.INT16: torch.int64,
    TensorProto.INT8: torch.int64,
    TensorProto.UINT8: torch.int64,
    TensorProto.BOOL: torch.bool,
}


def cast(n: NodeView) -> Steps | Alias:
    dtype = _DTYPES.get(int(n.attr("to", 0)))
    if dtype is None:
        raise n.refuse("to", n.attr("to"), "float, double, float16, integers, bool")
    value = n.inputs[0]
    if (value.dtype if isinstance(value, Runtime) else value.dtype) == dtype:
        return Alias(0)
    return Steps([("", OnnxOp("Cast", _cast, dtype=dtype))])


def constant(n: NodeView) -> Constant:
    for name, make in (
        ("value", lambda v: v),
        ("value_float", lambda v: torch.tensor(float(v))),
        ("value_floats", lambda v: torch.tensor([float(x) for x in v])),
        ("value_int", lambda v: torch.tensor(int(v))),
        ("value_ints", lambda v: torch.tensor([int(x) for x in v], dtype=torch.int64)),
    ):
        value = n.attr(name)
        if value is not None:
            return Constant([make(value)])
    raise n.refuse("value", "sparse or string", "a dense numeric tensor")


def _checked_size(n: NodeView, shape: list[int]) -> list[int]:
    if any(d < 0 for d in shape) or math.prod(shape) > n.limits.max_elements:
        raise OnnxError("value_too_large", node=n.label, op=n.op, shape=shape[:8], limit=f"{n.limits.max_elements:,}")
    return shape


def constant_of_shape(n: NodeView) -> Constant:
    shape = _checked_size(n, n.ints(0, "input"))
    value = n.attr("value")
    fill = value.reshape(-1)[0] if value is not None else torch.tensor(0.0)
    return Constant([torch.full(shape, fill.item(), dtype=fill.dtype)])


def range_(n: NodeView) -> Constant:
    start, limit, delta = (n.const(i, w).reshape(-1)[0].item() for i, w in enumerate(("start", "limit", "delta")))
    if delta == 0:
        raise n.invalid("delta 0")
    _checked_size(n, [max(math.ceil((limit - start) / delta), 0)])
    dtype = n.inputs[0].dtype
    return Constant([torch.arange(start, limit, delta, dtype=dtype)])


def expand(n: NodeView) -> Steps:
    try:
        out = tuple(torch.broadcast_shapes(n.shape(0), tuple(_checked_size(n, n.ints(1, "shape")))))
    except RuntimeError as exc:
        raise n.invalid(str(exc)) from exc
    _checked_size(n, list(out))
    return Steps([("", OnnxOp("Expand", _expand, shape=out))])


def split(n: NodeView) -> Steps:
    shape = n.shape(0)
    axis = int(n.attr("axis", 0))
    axis = axis + len(shape) if axis < 0 else axis
    if not 0 <= axis < len(shape):
        raise n.invalid(f"axis {axis} of shape {list(shape)}")
    sizes = n.ints(1, "split") if n.opset >= 13 and n.has(1) else n.attr("split")
    parts = len(n.proto.output)
    if not sizes:
        count = int(n.attr("num_outputs", parts))
        whole = -(-shape[axis] // count)  # the last part may be smaller (opset 18)
        sizes = [min(whole, shape[axis] - i * whole) for i in range(count)]
    if sum(sizes) != shape[axis] or len(sizes) != parts or any(s < 0 for s in sizes):
        raise n.invalid(f"split {sizes} of {shape[axis]} into {parts} outputs")
    return Steps([("", OnnxOp("Split", _split, sizes=tuple(sizes), axis=axis))])


# ---------------------------------------------------------------- padding and resizing


def _pad(x: torch.Tensor, pad: tuple[int, ...], mode: str, value: float) -> torch.Tensor:
    return F.pad(x, pad, mode=mode, value=value) if mode == "constant" else F.pad(x, pad, mode=mode)


def pad(n: NodeView) -> Steps:
    rank = n.rank(0)
    mode = n.attr("mode", "constant")
    modes = {"constant": "constant", "reflect": "reflect", "edge": "replicate", "wrap": "circular"}
    if mode not in modes:
        raise n.refuse("mode", mode, ", ".join(modes))
    if n.opset < 11:
        pads, value = n.attr("pads", n.attr("paddings", [])), float(n.attr("value", 0.0))
        axes = list(range(rank))
    else:
        pads = n.ints(1, "pads")
        value = float(n.const(2, "constant_value").reshape(-1)[0]) if n.has(2) else 0.0
        axes = [a + rank if a < 0 else a for a in n.ints(3, "axes")] if n.has(3) else list(range(rank))
    if len(pads) != 2 * len(axes) or any(not 0 <= a < rank for a in axes):
        raise n.invalid(f"pads {pads} for axes {axes}")
    begins, ends = dict(zip(axes, pads[: len(axes)], strict=True)), dict(zip(axes, pads[len(axes) :], strict=True))
    padded = [a for a in range(rank) if begins.get(a, 0) or ends.get(a, 0)]
    torch_pad: list[int] = []
    for a in range(rank - 1, (min(padded) if padded else rank) - 1, -1):  # from the last axis back, as F.pad
        torch_pad += [begins.get(a, 0), ends.get(a, 0)]
    if mode != "constant" and (rank != 4 or any(a < 2 for a in padded)):
        raise n.refuse("pads", pads, f"{mode} padding of the height and width of [N, C, H, W]")
    _checked_size(n, [d + begins.get(a, 0) + ends.get(a, 0) for a, d in enumerate(n.shape(0))])
    if mode == "constant" and value == 0 and rank == 4 and all(a >= 2 for a in padded) and min(pads) >= 0:
        top, bottom = begins.get(2, 0), ends.get(2, 0)
        left, right = begins.get(3, 0), ends.get(3, 0)
        return Steps([("", nn.ZeroPad2d((left, right, top, bottom)))])
    return Steps([("", OnnxOp("Pad", _pad, pad=tuple(torch_pad), mode=modes[mode], value=value))])


def resize(n: NodeView) -> Steps:
    """Resize (opset 10+) and Upsample (before): nearest, linear and cubic, with constant scales or sizes."""
    _spatial(n)
    shape = n.shape(0)
    mode = n.attr("mode", "nearest")
    if n.op == "Upsample":
        scales = n.attr("scales") if n.opset < 9 else [float(v) for v in n.const(1, "scales").reshape(-1).tolist()]
        sizes, transform, nearest = None, "asymmetric", "floor"  # Upsample's own semantics
    else:
        scales_at, sizes_at = (1, None) if n.opset < 11 else (2, 3)
        scales = n.const(scales_at, "scales").reshape(-1).tolist() if n.has(scales_at) else None
        sizes = n.ints(sizes_at, "sizes") if sizes_at and n.has(sizes_at) else None
        transform = n.attr("coordinate_transformation_mode", "half_pixel" if n.opset >= 11 else "asymmetric")
        nearest = n.attr("nearest_mode", "round_prefer_floor")
        if n.attr("axes") is not None or n.attr("antialias", 0) or n.attr("exclude_outside", 0):
            raise n.refuse("axes, antialias, exclude_outside", "set", "none of them")
        if n.attr("keep_aspect_ratio_policy", "stretch") != "stretch":
            raise n.refuse("keep_aspect_ratio_policy", n.attr("keep_aspect_ratio_policy"), "stretch")
    if scales:  # an empty scales input means "use sizes"
        if len(scales) != 4 or scales[0] != 1 or scales[1] != 1 or min(scales) <= 0:
            raise n.refuse("scales", scales, "[1, 1, scale of height, scale of width]")
        out = [math.floor(s * f) for s, f in zip(shape[2:], scales[2:], strict=True)]
        settings = {"scale_factor": (float(scales[2]), float(scales[3]))}
    elif sizes:
        if len(sizes) != 4 or tuple(sizes[:2]) != tuple(shape[:2]):
            raise n.refuse("sizes", sizes, "[N, C, height, width] with N and C unchanged")
        out = sizes[2:]
        settings = {"size": (int(sizes[2]), int(sizes[3]))}
    else:
        raise OnnxError("need_constant", node=n.label, op=n.op, input="scales")
    _checked_size(n, [shape[0], shape[1], *out])
    if mode == "nearest":
        upscale = all(float(f).is_integer() and f >= 1 for f in (scales or [1, 1])[2:]) and scales
        if transform == "asymmetric" and nearest == "floor":
            torch_mode = "nearest"
        elif transform in ("half_pixel", "pytorch_half_pixel") and (nearest == "round_prefer_ceil" or upscale):
            torch_mode = "nearest-exact"
        elif transform == "asymmetric" and upscale:  # whole-number scales: every rounding lands on the floor
            torch_mode = "nearest"
        else:
            raise n.refuse("coordinate_transformation_mode", f"{transform} / {nearest}", "asymmetric with floor, "
                           "half_pixel with round_prefer_ceil (any rounding for whole-number upscaling)")  # fmt: skip
        return Steps([("", nn.Upsample(mode=torch_mode, **settings))])
    if mode in ("linear", "cubic"):
        if mode == "cubic" and float(n.attr("cubic_coeff_a", -0.75)) != -0.75:
            raise n.refuse("cubic_coeff_a", n.attr("cubic_coeff_a"), "-0.75")
        if transform not in ("half_pixel", "pytorch_half_pixel", "align_corners"):
            raise n.refuse("coordinate_transformation_mode", transform, "half_pixel, pytorch_half_pixel, align_corners")
        torch_mode = "bilinear" if mode == "linear" else "bicubic"
        return Steps([("", nn.Upsample(mode=torch_mode, align_corners=transform == "align_corners", **settings))])
    raise n.refuse("mode", mode, "nearest, linear, cubic")


def identity(n: NodeView) -> Alias:
    if n.op == "Dropout" and n.used(1):
        raise n.refuse("mask", "used", "the output only (inference)")
    return Alias(0)


CONVERTERS: dict[str, Callable[[NodeView], Steps | Alias | Constant]] = {
    "Conv": conv,
    "ConvTranspose": conv_transpose,
    "BatchNormalization": batch_norm,
    "InstanceNormalization": instance_norm,
    "LayerNormalization": layer_norm,
    "Relu": _activation(lambda n: nn.ReLU()),
    "LeakyRelu": _activation(lambda n: nn.LeakyReLU(float(n.attr("alpha", 0.01)))),
    "Sigmoid": _activation(lambda n: nn.Sigmoid()),
    "Tanh": _activation(lambda n: nn.Tanh()),
    "Gelu": gelu,
    "Elu": _activation(lambda n: nn.ELU(float(n.attr("alpha", 1.0)))),
    "Softplus": _activation(lambda n: nn.Softplus()),
    "HardSwish": _activation(lambda n: nn.Hardswish()),
    "HardSigmoid": hard_sigmoid,
    "PRelu": lambda n: Steps([("", OnnxOp("PRelu", _prelu))], args=[0, 1]),
    "Clip": clip,
    "Softmax": softmax,
    "LogSoftmax": softmax,
    "MaxPool": lambda n: _pool(n, "max"),
    "AveragePool": lambda n: _pool(n, "average"),
    "GlobalAveragePool": global_pool,
    "GlobalMaxPool": global_pool,
    **dict.fromkeys(_REDUCE, reduce),
    **dict.fromkeys(_BINARY, binary),
    **dict.fromkeys(_UNARY, unary),
    "Sum": variadic_sum,
    "Gemm": gemm,
    "MatMul": matmul,
    "Flatten": flatten,
    "Reshape": reshape,
    "Transpose": transpose,
    "Squeeze": squeeze,
    "Unsqueeze": unsqueeze,
    "Concat": concat,
    "Gather": gather,
    "Slice": slice_,
    "Split": split,
    "Shape": shape_of,
    "Size": size_of,
    "Cast": cast,
    "Constant": constant,
    "ConstantOfShape": constant_of_shape,
    "Range": range_,
    "Expand": expand,
    "Pad": pad,
    "Resize": resize,
    "Upsample": resize,
    "Identity": identity,
    "Dropout": identity,
}
