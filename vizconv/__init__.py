"""vizconv: see what a convolution computes, one output value at a time.

The library is plain Python on tensors; only ``vizconv.ui`` imports Streamlit.
"""

from vizconv.conv import ConvStep, ConvTrace, trace_conv2d
from vizconv.errors import ImageError, MessageError, ParameterError
from vizconv.geometry import conv_output_size
from vizconv.images import load_image
from vizconv.pool import PoolStep, PoolTrace, trace_pool2d
from vizconv.transposed import ConvTransposeTrace, conv_transpose_output_size, trace_conv_transpose2d
from vizconv.upsample import UpsampleStep, UpsampleTrace, trace_interpolate

__all__ = [
    "ConvStep",
    "ConvTrace",
    "ConvTransposeTrace",
    "ImageError",
    "MessageError",
    "ParameterError",
    "PoolStep",
    "PoolTrace",
    "UpsampleStep",
    "UpsampleTrace",
    "conv_output_size",
    "conv_transpose_output_size",
    "load_image",
    "trace_conv2d",
    "trace_conv_transpose2d",
    "trace_interpolate",
    "trace_pool2d",
]
