"""vizconv: see what a convolution computes, one output value at a time.

The library is plain Python on tensors, in rooms: ``ops`` (the maths, step by step), ``nets`` (networks, their
weights, capture and layers), ``inputs`` (images, samples, kernels), ``viz`` (what a page draws), ``i18n`` (every
text in English and Chinese), ``views`` (each page's logic), ``training``; only ``vizconv.ui`` imports Streamlit.
The names below are the public API.
"""

import importlib

from vizconv.errors import ImageError, MessageError, ParameterError
from vizconv.inputs.images import load_image
from vizconv.ops.backward import ConvBackwardTrace, trace_conv2d_backward
from vizconv.ops.conv import ConvStep, ConvTrace, trace_conv2d
from vizconv.ops.conv1d import Conv1dStep, Conv1dTrace, trace_conv1d
from vizconv.ops.conv3d import Conv3dStep, Conv3dTrace, trace_conv3d
from vizconv.ops.geometry import conv_output_size
from vizconv.ops.matrix import conv_matrix, im2col
from vizconv.ops.pool import PoolStep, PoolTrace, trace_pool2d
from vizconv.ops.transposed import ConvTransposeTrace, conv_transpose_output_size, trace_conv_transpose2d
from vizconv.ops.upsample import UpsampleStep, UpsampleTrace, trace_interpolate

__all__ = [
    "CamExplanation",
    "Conv1dStep",
    "Conv1dTrace",
    "Conv3dStep",
    "Conv3dTrace",
    "ConvBackwardTrace",
    "ConvStep",
    "ConvTrace",
    "ConvTransposeTrace",
    "ImageError",
    "LayerInfo",
    "MessageError",
    "ModelInfo",
    "ParameterError",
    "PoolStep",
    "PoolTrace",
    "UpsampleStep",
    "UpsampleTrace",
    "available_models",
    "capture",
    "conv_matrix",
    "conv_output_size",
    "conv_transpose_output_size",
    "grad_cam",
    "im2col",
    "load_image",
    "load_model",
    "load_onnx_model",
    "trace_conv1d",
    "trace_conv2d",
    "trace_conv2d_backward",
    "trace_conv3d",
    "trace_conv_transpose2d",
    "trace_interpolate",
    "trace_layers",
    "trace_pool2d",
]

# The networks' names load their modules (and torchvision) when first used: ``import vizconv`` stays light.
_NETS = {
    "CamExplanation": "vizconv.explain.cam",
    "LayerInfo": "vizconv.nets.layers",
    "ModelInfo": "vizconv.nets.zoo",
    "available_models": "vizconv.nets.models",
    "capture": "vizconv.nets.capture",
    "grad_cam": "vizconv.explain.cam",
    "load_model": "vizconv.nets.models",
    "load_onnx_model": "vizconv.nets.onnx",
    "trace_layers": "vizconv.nets.layers",
}


def __getattr__(name: str) -> object:
    if name in _NETS:
        value = getattr(importlib.import_module(_NETS[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'vizconv' has no attribute {name!r}")
