"""The network builder: stack layers on an input shape, see each layer's shape, parameters and receptive field.

- ``spec``: one layer (``LayerSpec``): its kind, its settings with their defaults and the page's bounds, its torch
  module;
- ``stack``: a stack on an input [C, H, W]: shapes, parameters, receptive fields, the first layer that does not
  fit explained, input sizes fitted (``build_stack``, ``fit_to``, ``auto_fix``);
- ``code``: the PyTorch source of a layer and of the whole stack as ``nn.Sequential``;
- ``link``: the stack as hand-editable text in a share link (``encode_stack``, ``read_stack``);
- ``presets``: the classic stacks and the notes' residual block.

``from vizconv.nets import builder; builder.build_stack(...)`` reaches every public name.
"""

from __future__ import annotations

from vizconv.nets.builder.code import layer_code, layer_summary, sequential_code
from vizconv.nets.builder.link import MAX_STACK_CHARS, StackTextError, encode_stack, parse_stack, read_stack
from vizconv.nets.builder.presets import CORRECTED_RESIDUAL_CODE, NOTES_RESIDUAL_CODE, PRESETS
from vizconv.nets.builder.spec import (
    ACTIVATIONS,
    INPUT_SIZE,
    KINDS,
    LIMITS,
    MAX_LAYERS,
    LayerSpec,
    Shape,
    layer,
    limits,
    to_module,
    to_sequential,
)
from vizconv.nets.builder.stack import StepResult, auto_fix, build_stack, fit_stack, fit_to

__all__ = [
    "ACTIVATIONS",
    "CORRECTED_RESIDUAL_CODE",
    "INPUT_SIZE",
    "KINDS",
    "LIMITS",
    "MAX_LAYERS",
    "MAX_STACK_CHARS",
    "NOTES_RESIDUAL_CODE",
    "PRESETS",
    "LayerSpec",
    "Shape",
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
