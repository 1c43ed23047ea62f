"""A student's own model as an ONNX file: read safely, converted to torch, shown like any other model.

``load_onnx_model(data)`` returns (module, ModelInfo) as ``vizconv.nets.models.load_model`` does: the module a
``torch.fx.GraphModule`` whose ONNX Conv nodes are ``nn.Conv2d`` submodules (so ``capture``, the layer table
and the activation explanations work on it unchanged), the ModelInfo with the preprocessing and class names the
student chose. Nothing on this path unpickles, opens a file or runs code from the upload; every limit
(``Limits``: the file, nodes, depth, one tensor's size, memory and multiply-adds to run) is checked before the
work it bounds, and every refusal is an ``OnnxError`` (a ValueError) whose message names what does not fit.

Rooms: ``checks`` (reading the bytes, before anything is converted), ``ops`` (one converter per operator),
``convert`` (the graph walk, shapes and limits), ``loader`` (the input, preprocessing, class names, card).
"""

from vizconv.nets.onnx.checks import OPSETS, Limits
from vizconv.nets.onnx.errors import OnnxError
from vizconv.nets.onnx.loader import (
    PREPROCESSING,
    guess_preprocessing,
    load_onnx_model,
    preprocessing,
    read_class_names,
    supported_operators,
)

__all__ = [
    "OPSETS",
    "PREPROCESSING",
    "Limits",
    "OnnxError",
    "guess_preprocessing",
    "load_onnx_model",
    "preprocessing",
    "read_class_names",
    "supported_operators",
]
