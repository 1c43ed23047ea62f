"""An ONNX graph as a ``torch.fx.GraphModule``, its shapes, memory and work known before it runs.

``convert(model, input_shape, layout, limits)`` walks the nodes in order (``read_model`` checked that order).
Every value is either a constant (the file's initializers, Constant nodes, and whatever is computed from
constants alone, such as a Shape and the arithmetic on it: folded here, after a check of its size) or a value
computed while running, whose shape is found by running the node's module on the meta device (shapes only: no
memory, no arithmetic). So the whole graph's shapes are known before a single number is computed, and the
memory to run it (its weights and every value computed, all kept, as ``capture`` keeps them) and its
multiply-adds are bounded by ``Limits`` node by node: a graph that would exceed them stops at the node where it
does, before anything is allocated.

Each node becomes a submodule of the GraphModule (``ops.CONVERTERS``), named by the torch module it came from
where the file says so (the weight's name, "layer1.0.conv1.weight", or the exporter's scope,
"/layer1/layer1.0/conv1/Conv"): a converted torchvision ResNet has the same layer names as the original. Its
``code`` reads as the network, one line per node.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import partial

import torch
from onnx import ModelProto, NodeProto
from torch import fx, nn

from vizconv.nets.onnx.checks import Limits, tensor_value
from vizconv.nets.onnx.errors import OnnxError
from vizconv.nets.onnx.ops import CONVERTERS, Alias, Constant, NodeView, OnnxOp, Runtime, Steps, permute

__all__ = ["Converted", "convert", "module_path"]

WINDOWED = (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)  # what widens a receptive field (as vizconv.nets.layers counts)
COMMUTATIVE = ("Add", "Mul", "Sum")
_SCOPES = re.compile(r"'([^']*)'")
_DOTTED = re.compile(r"[A-Za-z_][\w]*(\.\w+)*")
MAX_PATH_PARTS, MAX_PART = 8, 64


@dataclass(frozen=True)
class Converted:
    """A converted graph: the module, its output's shape, and what running it on one picture takes."""

    module: fx.GraphModule
    output_shape: tuple[int, ...]
    memory: int  # bytes: the weights and every value computed (batch 1), all kept
    macs: int  # multiply-adds of the convolutions and linear layers
    shapes: dict[str, tuple[int, ...]]  # ONNX value name -> its shape, for every value computed while running


def convert(model: ModelProto, input_shape: tuple[int, ...], nhwc: bool, limits: Limits) -> Converted:
    """The GraphModule of ``model`` for one input of ``input_shape`` ([1, C, H, W]; ``nhwc``: the graph reads
    [1, H, W, C], and the module permutes what it is given); OnnxError for anything it cannot compute."""
    return _Converter(model, limits).run(input_shape, nhwc)


class _Namer:
    """Module paths, unique, each a leaf under containers ("layer1.0.conv1"); see ``claim``."""

    def __init__(self) -> None:
        self.leaves: set[str] = set()
        self.containers: set[str] = set()

    def claim(self, path: str, op: str) -> str:
        """``path`` when free; a container's path gets the operator appended ("layer1.0.add"), a leaf's path a
        number ("layer1.0.relu_1"); a path under a leaf is flattened ("features_0_1")."""
        parts = [_part(p) for p in path.split(".") if p][:MAX_PATH_PARTS] or [_part(op.lower())]
        if any(".".join(parts[:i]) in self.leaves for i in range(1, len(parts))):
            parts = [_part("_".join(parts))]
        candidate = ".".join(parts)
        if candidate in self.containers:
            parts = [*parts, _part(op.lower())]
            candidate = ".".join(parts)
        number = 1
        while candidate in self.leaves or candidate in self.containers:
            candidate = ".".join([*parts[:-1], f"{parts[-1]}_{number}"])
            number += 1
        self.leaves.add(candidate)
        pieces = candidate.split(".")
        self.containers.update(".".join(pieces[:i]) for i in range(1, len(pieces)))
        return candidate


_RESERVED = frozenset(dir(fx.GraphModule))  # forward, training, code, …: a submodule must not hide them


def _part(text: str) -> str:
    part = re.sub(r"[^0-9A-Za-z_]", "_", text)[:MAX_PART] or "_"
    return part + "_" if part in _RESERVED else part


def module_path(node: NodeProto, weight: str | None) -> str:
    """Where a node's module goes: the torch module it was exported from, as far as the file says.

    The weight's name first (torch.onnx.export names initializers after the state_dict: "layer1.0.conv1.weight"),
    then the TorchScript exporter's scope ("/layer1/layer1.0/conv1/Conv": each scope starts with its parent's
    name when it is a Sequential's child), then the new exporter's ``name_scopes`` metadata, then the node's
    name; "" when there is nothing (the namer then uses the operator's name).
    """
    if weight and weight.endswith(".weight") and _DOTTED.fullmatch(weight):
        return weight[: -len(".weight")]
    parts = [p for p in node.name.split("/") if p]
    if len(parts) > 1:
        if re.fullmatch(re.escape(node.op_type) + r"(_\d+)?", parts[-1]):
            parts = parts[:-1]
        path: list[str] = []
        for part in parts:
            if path and part.startswith(path[-1] + "."):
                path[-1] = part
            else:
                path.append(part)
        return ".".join(path)
    if len(parts) == 1 and node.name.startswith("/"):  # the TorchScript exporter's top-level function: "/Relu_1"
        return parts[0].lower()
    for entry in node.metadata_props:
        if entry.key == "pkg.torch.onnx.name_scopes":
            scopes = [s for s in _SCOPES.findall(entry.value[:4000]) if s]
            if len(scopes) >= 2:
                return scopes[-2]
    return node.name


class _Converter:
    def __init__(self, model: ModelProto, limits: Limits) -> None:
        self.model = model
        self.limits = limits
        self.opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
        self.graph = fx.Graph()
        self.root = nn.Module()
        self.namer = _Namer()
        self.values: dict[str, torch.Tensor | Runtime] = {}
        self.readers = Counter(name for node in model.graph.node for name in node.input if name)
        self.readers.update(o.name for o in model.graph.output)
        self.memory = 0
        self.macs = 0
        self.constants = 0
        self.shapes: dict[str, tuple[int, ...]] = {}

    # ------------------------------------------------------------ the walk

    def run(self, input_shape: tuple[int, ...], nhwc: bool) -> Converted:
        graph = self.model.graph
        for tensor in graph.initializer:
            self.values[tensor.name] = tensor_value(tensor, self.limits)
            self.memory += self.values[tensor.name].numel() * 4
        self._check_memory("initializers")
        initializers = {t.name for t in graph.initializer}
        (name,) = [i.name for i in graph.input if i.name not in initializers]
        x = self.graph.placeholder("x")
        value = Runtime(x, tuple(input_shape), torch.float32, readers=self.readers[name])
        if nhwc:  # the module takes [1, C, H, W]; the graph reads [1, H, W, C]
            to_nhwc = OnnxOp("Transpose", permute, perm=(0, 2, 3, 1))
            value = self._call(to_nhwc, self.namer.claim("to_nhwc", "Transpose"), [value], None)[0]
            value.readers = self.readers[name]
        self.values[name] = value
        self.shapes[name] = value.shape
        for index, node in enumerate(graph.node):
            self._node(index, node)
        (output,) = graph.output
        result = self.values[output.name]
        if not isinstance(result, Runtime):
            raise OnnxError("output_constant", name=output.name)
        self.graph.output(result.node)
        module = fx.GraphModule(self.root, self.graph, class_name="OnnxModel")
        return Converted(module.eval(), result.shape, self.memory, self.macs, self.shapes)

    def _node(self, index: int, node: NodeProto) -> None:
        inputs = [self.values[name] if name else None for name in node.input]
        view = NodeView(
            node, index, self.opset, inputs, [self.readers[o] if o else 0 for o in node.output], self.limits
        )
        try:
            result = CONVERTERS[node.op_type](view)
        except OnnxError:
            raise
        except Exception as exc:  # a torch module's own check (channels not divisible by groups, …)
            raise view.invalid(str(exc) or type(exc).__name__) from exc
        outputs = list(node.output)
        if isinstance(result, Alias):
            value = view.inputs[result.index]
            if isinstance(value, Runtime):
                value = replace(value, readers=value.readers - 1 + self.readers[outputs[0]])
            self._store(view, outputs, [value])
            return
        if isinstance(result, Constant):
            self._store(view, outputs, [self._small(view, v) for v in result.values])
            return
        args = [view.inputs[i] for i in result.args]
        if node.op_type in (*COMMUTATIVE, "Concat"):
            args = self._widest_first(args, result)
        if not any(isinstance(a, Runtime) for a in args):
            self._store(view, outputs, self._fold(view, result, args))
            return
        path = self.namer.claim(module_path(node, self._weight_name(node)), node.op_type)
        values = args
        for suffix, module in result.modules:
            name = path if not suffix else self.namer.claim(f"{path}_{suffix}", suffix)
            values = self._call(module, name, values, view)
        self._store(view, outputs, values)

    def _widest_first(self, args: list, steps: Steps) -> list:
        """The inputs with the widest receptive field first: vizconv.nets.layers follows a module's first input, so
        the layer after a residual sum or a concatenation sees the largest window any of its values sees (the
        order of a sum does not change it; a Concat is told where each input goes). A product with a per-channel
        scale (squeeze-and-excitation: a [1, C, 1, 1] from a global pooling) follows the map it scales."""
        module = steps.modules[0][1]
        concat = isinstance(module, OnnxOp) and module.op_type == "Concat"
        try:
            out = () if concat else tuple(torch.broadcast_shapes(*(_shape(a) for a in args)))
        except RuntimeError:  # shapes that do not broadcast: the node's run on the meta device says so
            out = ()
        order = sorted(range(len(args)), key=lambda i: _width(args[i], out))
        if concat:
            places = tuple(order.index(i) for i in range(len(args)))
            module.fn = partial(module.fn.func, **{**module.fn.keywords, "order": places})
        return [args[i] for i in order]

    def _store(self, view: NodeView, names: list[str], values: list) -> None:
        """The node's outputs by name; an output it does not make (MaxPool's indices, Dropout's mask) must be
        read by nothing."""
        for i, name in enumerate(names):
            if not name:
                continue
            if i >= len(values):
                if self.readers[name]:
                    raise view.refuse("outputs", len(names), f"{len(values)} output(s)")
                continue
            value = values[i]
            if isinstance(value, Runtime):
                self.shapes[name] = value.shape
                if value.readers != self.readers[name]:
                    value = replace(value, readers=self.readers[name])
            self.values[name] = value

    def _weight_name(self, node: NodeProto) -> str | None:
        return node.input[1] if len(node.input) > 1 and node.input[1] in self.values else None

    # ------------------------------------------------------------ running modules

    def _call(self, module: nn.Module, name: str, args: list, view: NodeView | None) -> list[Runtime]:
        """``module`` as submodule ``name`` applied to ``args``: its shapes from a run on the meta device, its
        memory and multiply-adds counted; the fx node(s) of its output(s)."""
        owner, _, leaf = name.rpartition(".")
        parent = self.root
        for part in owner.split(".") if owner else ():
            if not hasattr(parent, part):
                parent.add_module(part, nn.Module())
            parent = getattr(parent, part)
        parent.add_module(leaf, module)
        out = self._meta_run(module, args, view)
        fx_args = tuple(a.node if isinstance(a, Runtime) else self._constant(a) for a in args)
        node = self.graph.call_module(name, fx_args)
        field = _field(module, args)
        outs = out if isinstance(out, tuple) else (out,)
        results = []
        for i, tensor in enumerate(outs):
            fx_node = node if not isinstance(out, tuple) else self.graph.call_function(_item, (node, i))
            results.append(Runtime(fx_node, tuple(tensor.shape), tensor.dtype, field, module))
            self.memory += tensor.numel() * tensor.element_size()
        self.macs += _macs(module, args, outs)
        label = view.label if view is not None else name
        self._check_memory(label)
        if self.macs > self.limits.max_macs:
            raise OnnxError(
                "too_much_compute",
                gmacs=f"{self.macs / 1e9:.1f}",
                limit=f"{self.limits.max_macs / 1e9:.0f}",
                node=label,
            )
        return results

    def _meta_run(self, module: nn.Module, args: list, view: NodeView | None):
        """The module's output(s) on the meta device: shapes and dtypes, nothing computed."""
        state = {k: v.to("meta") for k, v in (*module.named_parameters(), *module.named_buffers())}
        meta = [
            torch.empty(a.shape, dtype=a.dtype, device="meta") if isinstance(a, Runtime) else a.to("meta") for a in args
        ]
        try:
            out = torch.func.functional_call(module, state, tuple(meta))
        except Exception as exc:  # shapes that do not fit the operator
            shapes = ", ".join(str(list(a.shape)) for a in args)
            label, op = (view.label, view.op) if view is not None else ("?", type(module).__name__)
            raise OnnxError("node_failed", node=label, op=op, shapes=shapes, reason=_short(exc)) from exc
        outs = out if isinstance(out, tuple) else (out,)
        for tensor in outs:
            if tensor.numel() > self.limits.max_elements:
                label, op = (view.label, view.op) if view is not None else ("?", "?")
                raise OnnxError(
                    "value_too_large",
                    node=label,
                    op=op,
                    shape=list(tensor.shape),
                    limit=f"{self.limits.max_elements:,}",
                )
        return out

    def _constant(self, tensor: torch.Tensor) -> fx.Node:
        """A constant input of a module, kept as a buffer of the model ("constants.c3")."""
        if not hasattr(self.root, "constants"):
            self.root.add_module("constants", nn.Module())
        name = f"c{self.constants}"
        self.constants += 1
        self.root.constants.register_buffer(name, tensor)
        return self.graph.get_attr(f"constants.{name}")

    def _fold(self, view: NodeView, steps: Steps, args: list[torch.Tensor]) -> list[torch.Tensor]:
        """A node whose inputs are all constants, computed now (its size checked first, on the meta device)."""
        values: list | tuple = args
        for _, module in steps.modules:
            self._meta_run(module, list(values), view)
            with torch.no_grad():
                out = module(*values)
            values = list(out) if isinstance(out, tuple) else [out]
        return [self._small(view, v) for v in values]

    def _small(self, view: NodeView, value: torch.Tensor) -> torch.Tensor:
        if value.numel() > self.limits.max_elements:
            raise OnnxError(
                "value_too_large",
                node=view.label,
                op=view.op,
                shape=list(value.shape),
                limit=f"{self.limits.max_elements:,}",
            )
        return value.detach()

    def _check_memory(self, label: str) -> None:
        if self.memory > self.limits.max_memory:
            raise OnnxError(
                "too_much_memory",
                need_mb=f"{self.memory / 2**20:,.0f}",
                limit_mb=f"{self.limits.max_memory / 2**20:,.0f}",
                node=label,
            )


def _field(module: nn.Module, args: list) -> tuple[int, int]:
    """(receptive field, jump) of the module's output along the height, from its first input's, as
    vizconv.nets.layers computes them (Distill 2019: r + (k - 1) · d · j, j · s)."""
    first = next((a for a in args if isinstance(a, Runtime)), None)
    rf, jump = first.field if first is not None else (1, 1)
    if isinstance(module, WINDOWED):
        kernel, dilation, stride = (
            _first(v) for v in (module.kernel_size, getattr(module, "dilation", 1), module.stride)
        )
        return rf + (kernel - 1) * dilation * jump, jump * stride
    if isinstance(module, nn.AdaptiveAvgPool2d) and first is not None and len(first.shape) == 4:
        size = first.shape[2]
        return rf + (size - 1) * jump, jump * size
    return rf, jump


def _shape(value: torch.Tensor | Runtime) -> tuple[int, ...]:
    return value.shape if isinstance(value, Runtime) else tuple(value.shape)


def _width(value: torch.Tensor | Runtime, out: tuple[int, ...]) -> tuple[int, int]:
    """Sort key, smallest first: inputs of the output's full shape before broadcast ones, then the widest field."""
    broadcast = out != () and tuple(_shape(value)) != tuple(out)
    return (broadcast, -value.field[0] if isinstance(value, Runtime) else 0)


def _first(value: int | tuple[int, ...]) -> int:
    return value[0] if isinstance(value, tuple) else value


def _item(values: tuple, index: int) -> torch.Tensor:
    return values[index]


def _short(exc: BaseException) -> str:
    text = (str(exc).strip() or type(exc).__name__).splitlines()[0]
    return text[:200]


def _macs(module: nn.Module, args: list, outs: tuple) -> int:
    """Multiply-adds of one call: every output value of a convolution or linear layer costs its fan-in."""
    if isinstance(module, nn.Conv2d):
        return outs[0].numel() * math.prod(module.weight.shape[1:])
    if isinstance(module, nn.ConvTranspose2d):
        return math.prod(args[0].shape) * math.prod(module.weight.shape[1:])
    if isinstance(module, nn.Linear):
        return outs[0].numel() * module.in_features
    if isinstance(module, OnnxOp) and module.op_type in ("MatMul", "Gemm"):
        return outs[0].numel() * (args[0].shape[-1] if args[0].shape else 1)
    return 0
