"""Reading an uploaded ONNX file safely: what is checked before anything is converted or run.

``read_model(data, limits, supported)`` parses the bytes with protobuf only (no pickle, no file is opened: a
tensor kept in a separate file is refused, not looked for) and checks, in this order, each failure an OnnxError
a student can read: the file's size; that it is an ONNX model at all; its IR version and opsets (ONNX's own
domain only: custom operator domains are refused, naming the nodes); no external data, sparse or local
functions; the number of nodes; every operator one vizconv computes (else one message naming every
unsupported operator and its nodes); every declared tensor of a size within ``Limits.max_elements`` and with
as many values as its shape says; the graph in order without cycles (each node reads only values made before
it) and at most ``Limits.max_depth`` nodes deep. Only then do ONNX's own checker and shape inference see it
(both in C++: they see only graphs of known operators and bounded size).

``tensor_value`` reads one TensorProto as a torch tensor (float32, int64 or bool), its length checked against
its shape first. References: the ONNX IR specification (onnx/docs/IR.md) and operator specs (Operators.md).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator
from dataclasses import dataclass

import numpy as np
import onnx
import torch
from google.protobuf.message import DecodeError
from onnx import AttributeProto, ModelProto, NodeProto, TensorProto

from vizconv.i18n.strings import Count
from vizconv.nets.onnx.errors import OPERATORS, OnnxError, examples

__all__ = [
    "DEFAULT_DOMAINS",
    "OPSETS",
    "Limits",
    "infer_shapes",
    "node_label",
    "read_model",
    "tensor_value",
]

OPSETS = (9, 23)  # the ONNX opsets whose operators vizconv's converter follows (torch.onnx.export: 17 to 20)
IR_VERSIONS = (3, onnx.IR_VERSION)
DEFAULT_DOMAINS = ("", "ai.onnx")  # ONNX's own operators; anything else needs its own runtime
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What an uploaded model may ask of the server; each default leaves room for the zoo's largest models."""

    max_bytes: int = 100 * MB  # the file (VGG-16 is 528 MB: too large to upload; ResNet-50 98 MB fits)
    max_nodes: int = 5000  # EfficientNet-B7 exports to about 1,100 nodes
    max_depth: int = 3000  # the longest chain of nodes from the input
    max_elements: int = 64 * MB  # values in any one tensor, declared or computed (256 MB as float32)
    max_memory: int = 1536 * MB  # bytes to run on one picture: weights and every value computed, all kept
    max_macs: int = 20 * 10**9  # multiply-adds for one picture (VGG-16 at 224x224: 15.5 billion)
    max_side: int = 1024  # the input's height and width


_NUMPY = {
    TensorProto.FLOAT: np.dtype("<f4"),
    TensorProto.DOUBLE: np.dtype("<f8"),
    TensorProto.FLOAT16: np.dtype("<f2"),
    TensorProto.INT64: np.dtype("<i8"),
    TensorProto.INT32: np.dtype("<i4"),
    TensorProto.INT16: np.dtype("<i2"),
    TensorProto.INT8: np.dtype("i1"),
    TensorProto.UINT8: np.dtype("u1"),
    TensorProto.BOOL: np.dtype("u1"),
}
_TYPED_FIELD = {  # where a tensor without raw_data keeps its values (onnx.proto: TensorProto)
    TensorProto.FLOAT: "float_data",
    TensorProto.DOUBLE: "double_data",
    TensorProto.INT64: "int64_data",
    TensorProto.INT32: "int32_data",
    TensorProto.INT16: "int32_data",
    TensorProto.INT8: "int32_data",
    TensorProto.UINT8: "int32_data",
    TensorProto.BOOL: "int32_data",
    TensorProto.FLOAT16: "int32_data",  # the float16 bits, one per int32
}
FLOAT_TYPES = (TensorProto.FLOAT, TensorProto.DOUBLE, TensorProto.FLOAT16)


def node_label(node: NodeProto, index: int) -> str:
    """How a message names a node: its name, or its place in the graph when it has none."""
    return node.name or f"#{index}"


def _type_name(data_type: int) -> str:
    try:
        return TensorProto.DataType.Name(data_type).lower()
    except ValueError:
        return str(data_type)


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f}"


def read_model(data: bytes, limits: Limits, supported: Collection[str]) -> ModelProto:
    """The ModelProto in ``data``, once every check of the module docstring has passed; OnnxError otherwise."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"an ONNX model is read from bytes, not {type(data).__name__}")
    if len(data) > limits.max_bytes:
        raise OnnxError("too_large", size_mb=_megabytes(len(data)), limit_mb=_megabytes(limits.max_bytes))
    if not len(data):
        raise OnnxError("empty")
    model = ModelProto()
    try:
        model.ParseFromString(bytes(data))
    except (DecodeError, RecursionError, ValueError) as exc:  # truncated, not protobuf, nested too deep
        raise OnnxError("not_onnx", reason=str(exc)[:200] or type(exc).__name__) from exc
    if not model.HasField("graph") or not model.graph.node or model.ir_version <= 0:
        raise OnnxError("not_onnx", reason="no graph of nodes")
    if not _all_text(model):
        raise OnnxError("not_onnx", reason="a name that is not UTF-8 text")
    _check_versions(model)
    _check_external(model)
    graph = model.graph
    if model.functions or graph.sparse_initializer or model.training_info:
        raise OnnxError("extras")
    if len(graph.node) > limits.max_nodes:
        raise OnnxError("too_many_nodes", count=len(graph.node), limit=limits.max_nodes)
    _check_operators(model, supported)
    _check_tensors(model, limits)
    _check_order(model, limits)
    try:
        onnx.checker.check_model(model)
    except Exception as exc:  # ValidationError, and whatever else the checker raises on a crafted model
        raise OnnxError("invalid", reason=_first_line(exc)) from exc
    return model


def _all_text(model: ModelProto) -> bool:
    """Whether every name and text the conversion reads is text: protobuf gives a string field that is not valid
    UTF-8 as bytes."""
    graph = model.graph
    texts = [model.producer_name, model.producer_version, graph.name]
    texts += [o.domain for o in model.opset_import]
    for node in graph.node:
        texts += [node.name, node.op_type, node.domain, *node.input, *node.output]
        texts += [a.name for a in node.attribute]
        texts += [t for m in node.metadata_props for t in (m.key, m.value)]
    texts += [t.name for t in graph.initializer]
    texts += [v.name for v in (*graph.input, *graph.output, *graph.value_info)]
    texts += [d.dim_param for v in (*graph.input, *graph.output) for d in v.type.tensor_type.shape.dim]
    return all(isinstance(t, str) for t in texts)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:300] if text else type(exc).__name__


def _check_versions(model: ModelProto) -> None:
    """IR version and opsets within what vizconv follows; ONNX's own domain only."""
    if not IR_VERSIONS[0] <= model.ir_version <= IR_VERSIONS[1]:
        raise OnnxError("ir_version", version=model.ir_version, low=IR_VERSIONS[0], high=IR_VERSIONS[1])
    custom = sorted({o.domain for o in model.opset_import if o.domain not in DEFAULT_DOMAINS})
    used = [(n.domain, n.op_type, i) for i, n in enumerate(model.graph.node) if n.domain not in DEFAULT_DOMAINS]
    if custom or used:
        domains = sorted(set(custom) | {d for d, _, _ in used})
        nodes = [f"{op} ({node_label(model.graph.node[i], i)})" for _, op, i in used]
        raise OnnxError("custom_domain", domains=examples(domains), nodes=examples(nodes))
    versions = [o.version for o in model.opset_import if o.domain in DEFAULT_DOMAINS]
    if len(versions) != 1:
        raise OnnxError("not_onnx", reason="no opset of ONNX's own operators, or more than one")
    if not OPSETS[0] <= versions[0] <= OPSETS[1]:
        raise OnnxError("opset", opset=versions[0], low=OPSETS[0], high=OPSETS[1])


def _tensors(model: ModelProto) -> Iterator[tuple[str, TensorProto]]:
    """Every tensor the model carries: initializers and the tensors in node attributes (Constant's value)."""
    for tensor in model.graph.initializer:
        yield tensor.name, tensor
    for index, node in enumerate(model.graph.node):
        for attribute in node.attribute:
            if attribute.type == AttributeProto.TENSOR:
                yield f"{node_label(node, index)}.{attribute.name}", attribute.t
            elif attribute.type == AttributeProto.TENSORS:
                for tensor in attribute.tensors:
                    yield f"{node_label(node, index)}.{attribute.name}", tensor


def _check_external(model: ModelProto) -> None:
    """External data is refused without a look at where it points (it names files on the server's disk)."""
    external = [name for name, t in _tensors(model) if t.data_location == TensorProto.EXTERNAL or t.external_data]
    if external:
        raise OnnxError("external_data", count=Count("count.tensors", len(external)), examples=examples(external))


def _check_operators(model: ModelProto, supported: Collection[str]) -> None:
    """One message naming every operator vizconv does not compute, and a few of its nodes; subgraphs (If, Loop,
    Scan's bodies) are refused with them."""
    unsupported: dict[str, list[str]] = {}
    for index, node in enumerate(model.graph.node):
        subgraph = any(a.type in (AttributeProto.GRAPH, AttributeProto.GRAPHS) for a in node.attribute)
        if node.op_type not in supported or subgraph:
            unsupported.setdefault(node.op_type or "?", []).append(node_label(node, index))
    if unsupported:
        ops = [f"{op} ({examples(nodes, 2)})" for op, nodes in unsupported.items()]
        raise OnnxError(
            "unsupported_ops",
            count=Count(OPERATORS, len(unsupported)),
            ops=examples(ops, 8),
            supported=", ".join(sorted(supported)),
        )


def _declared_elements(dims: list[int]) -> int | None:
    """Values in a tensor of shape ``dims``; None if a dimension is negative."""
    if any(d < 0 for d in dims):
        return None
    return math.prod(dims)


def _check_tensors(model: ModelProto, limits: Limits) -> None:
    """Every tensor of a type vizconv computes, of a size within limits, with as many values as its shape says;
    every declared input, output and value shape within limits too."""
    for name, tensor in _tensors(model):
        _check_tensor(name, tensor, limits)
    graph = model.graph
    for info in (*graph.input, *graph.output, *graph.value_info):
        if not info.type.HasField("tensor_type"):
            raise OnnxError("not_tensor", name=info.name)
        dims = [d.dim_value for d in info.type.tensor_type.shape.dim if d.HasField("dim_value")]
        elements = _declared_elements(dims)
        if elements is None or elements > limits.max_elements:
            raise OnnxError("tensor_too_large", tensor=info.name, shape=dims, limit=f"{limits.max_elements:,}")


def _check_tensor(name: str, tensor: TensorProto, limits: Limits) -> None:
    dims = list(tensor.dims)
    elements = _declared_elements(dims)
    if elements is None or elements > limits.max_elements:
        raise OnnxError("tensor_too_large", tensor=name, shape=dims, limit=f"{limits.max_elements:,}")
    if tensor.data_type not in _NUMPY:
        raise OnnxError("tensor_type", tensor=name, dtype=_type_name(tensor.data_type))
    if tensor.HasField("raw_data"):
        have = len(tensor.raw_data) // _NUMPY[tensor.data_type].itemsize
        exact = len(tensor.raw_data) % _NUMPY[tensor.data_type].itemsize == 0
    else:
        have, exact = len(getattr(tensor, _TYPED_FIELD[tensor.data_type])), True
    if have != elements or not exact:
        raise OnnxError("tensor_data", tensor=name, shape=dims, have=have, want=elements)


def tensor_value(tensor: TensorProto, limits: Limits, name: str | None = None) -> torch.Tensor:
    """A TensorProto's values as a new torch tensor: floating point as float32, integers as int64, booleans as
    bool; OnnxError when its type, size or length does not fit (``read_model`` checked the file's own tensors;
    this also guards those a node makes)."""
    label = name or tensor.name
    _check_tensor(label, tensor, limits)
    if tensor.data_type not in _NUMPY:
        raise OnnxError("tensor_type", tensor=label, dtype=_type_name(tensor.data_type))
    dtype = _NUMPY[tensor.data_type]
    if tensor.HasField("raw_data"):
        values = np.frombuffer(tensor.raw_data, dtype=dtype)
    elif tensor.data_type == TensorProto.FLOAT16:  # the bits, one per int32 (wrapped as numpy would not)
        values = np.asarray(tensor.int32_data, dtype=np.int64).astype(np.uint16).view(np.float16)
    elif tensor.data_type in FLOAT_TYPES:
        values = np.asarray(getattr(tensor, _TYPED_FIELD[tensor.data_type]), dtype=np.float64)
    else:  # int32_data may hold any int32, also for int8: read wide, as numpy 2 refuses out-of-range values
        values = np.asarray(getattr(tensor, _TYPED_FIELD[tensor.data_type]), dtype=np.int64)
    values = values.reshape(tuple(tensor.dims))
    if tensor.data_type == TensorProto.BOOL:
        return torch.from_numpy(values != 0)
    if tensor.data_type in FLOAT_TYPES:
        return torch.from_numpy(values.astype(np.float32))  # a copy: the proto's bytes stay the proto's
    return torch.from_numpy(values.astype(np.int64))


def _check_order(model: ModelProto, limits: Limits) -> None:
    """Every node reads only the graph's inputs, initializers and values made by nodes before it (so there is no
    cycle), each value is made once, and no chain of nodes is longer than ``limits.max_depth``."""
    graph = model.graph
    depth = {name: 0 for name in (*(i.name for i in graph.input), *(t.name for t in graph.initializer))}
    for index, node in enumerate(graph.node):
        reads = [name for name in node.input if name]
        missing = [name for name in reads if name not in depth]
        if missing:
            raise OnnxError("not_sorted", node=node_label(node, index), op=node.op_type, value=missing[0])
        level = 1 + max((depth[name] for name in reads), default=0)
        if level > limits.max_depth:
            raise OnnxError("too_deep", limit=limits.max_depth)
        for name in node.output:
            if not name:
                continue
            if name in depth:
                raise OnnxError("made_twice", value=name, node=node_label(node, index), op=node.op_type)
            depth[name] = level
    missing = [o.name for o in graph.output if o.name not in depth]
    if missing:
        raise OnnxError("no_output", value=missing[0])


def infer_shapes(model: ModelProto) -> ModelProto:
    """ONNX's shape inference (types checked, strict: an inconsistent graph is an error), as a new ModelProto;
    OnnxError with the inference's reason."""
    try:
        return onnx.shape_inference.infer_shapes(model, check_type=True, strict_mode=True)
    except Exception as exc:  # InferenceError, and whatever else inference raises on a crafted model
        raise OnnxError("shapes", reason=_first_line(exc)) from exc
