"""The PyTorch code equivalent to a traced layer (convolution, transposed convolution), and running it to
check the trace."""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import nn

from vizconv.ops.conv import ConvTrace
from vizconv.viz.steps import exact_number

if TYPE_CHECKING:
    from vizconv.ops.transposed import ConvTransposeTrace

__all__ = [
    "SCRIPT_VALUES",
    "TOLERANCE",
    "agrees",
    "check_transpose_with_torch",
    "check_with_torch",
    "conv2d_code",
    "conv2d_script",
    "conv_transpose2d_code",
    "conv_transpose2d_script",
    "run_transpose_code",
]


def _arg(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def _padding_arg(trace: ConvTrace) -> str:
    if isinstance(trace.padding, str):
        return repr(trace.padding)
    top, _, left, _ = trace.pads
    return _arg((top, left))


def _module_code(name: str, cls: str, arguments: list[str], trace: ConvTrace | ConvTransposeTrace) -> str:
    """Build ``name = nn.<cls>(arguments)``, load ``weight`` (and ``bias``) and run it on ``x`` into ``y``."""
    shape = ", ".join(map(str, trace.weight.shape))
    lines = [f"{name} = nn.{cls}(", *(f"    {line}" for line in arguments), ")"]
    lines += ["with torch.no_grad():", f"    {name}.weight.copy_(weight)  # [{shape}]"]
    if trace.bias is not None:
        lines.append(f"    {name}.bias.copy_(bias)  # [{trace.out_channels}]")
    c, h, w = trace.input.shape
    h_out, w_out = trace.out_size
    lines.append(
        f"    y = {name}(x.unsqueeze(0))[0]  # x [{c}, {h}, {w}] -> y [{trace.out_channels}, {h_out}, {w_out}]"
    )
    return "\n".join(lines)


def conv2d_code(trace: ConvTrace) -> str:
    """Python that builds the same nn.Conv2d, loads the trace's weights and runs it on ``x``."""
    kernel = _arg(trace.kernel_size)
    return _module_code(
        "conv",
        "Conv2d",
        [
            f"in_channels={trace.in_channels}, out_channels={trace.out_channels}, kernel_size={kernel},",
            f"stride={_arg(trace.stride)}, padding={_padding_arg(trace)}, dilation={_arg(trace.dilation)},",
            f"groups={trace.groups}, bias={trace.bias is not None}, padding_mode={trace.padding_mode!r},",
        ],
        trace,
    )


# Tensors up to this many values are written out in the page's script; larger ones (a photo) get a stand-in.
SCRIPT_VALUES = 300


def _tensor_literal(values: torch.Tensor) -> str:
    """A float32 tensor as ``torch.tensor([...])`` source, every value exact (9 significant digits)."""

    def nested(v: object) -> str:
        if isinstance(v, list):
            return "[" + ", ".join(nested(item) for item in v) + "]"
        return exact_number(v)

    return f"torch.tensor({nested(values.tolist())}, dtype=torch.float32)"


def _script(trace: ConvTrace | ConvTransposeTrace, code: str, max_values: int | None) -> str:
    """``code`` after the imports and ``x``, ``weight`` and ``bias`` written out, then ``print(y)``."""
    lines = ["import torch", "from torch import nn", ""]
    tensors = [("x", trace.input), ("weight", trace.weight)]
    if trace.bias is not None:
        tensors.append(("bias", trace.bias))
    for name, values in tensors:
        shape = ", ".join(map(str, values.shape))
        if max_values is None or values.numel() <= max_values:
            lines.append(f"{name} = {_tensor_literal(values)}  # [{shape}]")
        else:
            lines.append(f"{name} = torch.rand({shape})  # stand-in: {values.numel():,} values, too many to print")
    # every value, as the page shows them (torch shortens a large tensor to its corners and "...")
    ending = 'torch.set_printoptions(profile="full", precision=4, sci_mode=False)\nprint(y)\n'
    return "\n".join(lines) + "\n\n" + code + "\n" + ending


def conv2d_script(trace: ConvTrace, max_values: int | None = SCRIPT_VALUES) -> str:
    """``conv2d_code`` as a script that runs as copied: the imports, then ``x``, ``weight`` and ``bias``.

    A tensor of more than ``max_values`` values (None: no limit) is replaced by random numbers of its shape,
    with a comment saying so: the script still runs, but its ``y`` is not the page's.
    """
    return _script(trace, conv2d_code(trace), max_values)


def conv_transpose2d_code(trace: ConvTransposeTrace) -> str:
    """Python that builds the same nn.ConvTranspose2d, loads the trace's weights and runs it on ``x``."""
    kernel, padding, output_padding = _arg(trace.kernel_size), _arg(trace.padding), _arg(trace.output_padding)
    return _module_code(
        "tconv",
        "ConvTranspose2d",
        [
            f"in_channels={trace.in_channels}, out_channels={trace.out_channels}, kernel_size={kernel},",
            f"stride={_arg(trace.stride)}, padding={padding}, output_padding={output_padding},",
            f"groups={trace.groups}, bias={trace.bias is not None}, dilation={_arg(trace.dilation)},",
        ],
        trace,
    )


def conv_transpose2d_script(trace: ConvTransposeTrace, max_values: int | None = SCRIPT_VALUES) -> str:
    """``conv_transpose2d_code`` as a script that runs as copied (as ``conv2d_script``): it prints the output."""
    return _script(trace, conv_transpose2d_code(trace), max_values)


def _run(code: str, trace: ConvTrace | ConvTransposeTrace) -> torch.Tensor:
    """``y`` from running ``code`` on the trace's own ``x``, ``weight`` and ``bias``."""
    namespace = {"torch": torch, "nn": nn, "x": trace.input, "weight": trace.weight, "bias": trace.bias}
    exec(code, namespace)  # our own generated code, built from numbers only
    return namespace["y"]


TOLERANCE = 1e-4  # relative to the larger of 1 and the values' size: float32's rounding, never another sum


def agrees(difference: float, size: float) -> bool:
    """Whether a ``difference`` from torch's value is rounding only, for values of magnitude ``size`` (the value
    itself, or a whole output's largest |value|): at most TOLERANCE × max(1, size)."""
    return abs(difference) <= TOLERANCE * max(1.0, abs(size))


def _difference(code: str, trace: ConvTrace | ConvTransposeTrace) -> float:
    return float((_run(code, trace) - trace.output).abs().max())


def check_with_torch(trace: ConvTrace) -> float:
    """Run ``conv2d_code(trace)`` and return max |y - trace.output|."""
    return _difference(conv2d_code(trace), trace)


def run_transpose_code(trace: ConvTransposeTrace) -> torch.Tensor:
    """The output [C_out, H_out, W_out] that nn.ConvTranspose2d gives: ``conv_transpose2d_code(trace)``, run."""
    return _run(conv_transpose2d_code(trace), trace)


def check_transpose_with_torch(trace: ConvTransposeTrace) -> float:
    """Run ``conv_transpose2d_code(trace)`` and return max |y - trace.output|."""
    return _difference(conv_transpose2d_code(trace), trace)
