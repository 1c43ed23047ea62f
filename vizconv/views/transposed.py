"""What the Transposed convolution page computes, as plain functions on its settings.

The page reads its widgets into a dict of settings (``TransposedSettings`` gives the defaults) and calls these;
tests drive the same functions without Streamlit. The layer's arithmetic itself is ``vizconv.ops.transposed``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from vizconv.inputs.samples import random_grid
from vizconv.ops.transposed import EXAMPLES, ConvTransposeTrace, LineCoverage
from vizconv.viz.steps import factor_latex, format_number, matrix_latex

__all__ = [
    "LIMITS",
    "MAX_CELLS",
    "VIEWS",
    "TransposedSettings",
    "build_input",
    "empty_line_reason",
    "example_mismatch",
    "example_settings",
    "gather_latex",
    "output_padding_choices",
    "scatter_latex",
    "unused_settings",
    "weight_signature",
]

VIEWS = ("scatter", "equivalent")
MAX_CELLS = 99  # bound on an output row or column read from a link (the page clamps it to the output)

# Bounds of every whole-number control (and of what a link may set).
LIMITS = {
    "channels": (1, 3),  # a random input: channels, height, width, seed
    "height": (2, 6),
    "width": (2, 6),
    "seed": (0, 9999),
    "out_channels": (1, 4),
    "kernel": (1, 5),
    "stride": (1, 4),
    "padding": (0, 4),
    "output_padding": (0, 3),  # torch also wants it below the stride or the dilation
    "dilation": (1, 3),
    "groups": (1, 4),
    "kernel_seed": (0, 9999),
    "position": (0, MAX_CELLS**2),  # the scatter view: the input cell and channel (state tconv_position ...)
    "step_ic": (0, 2),
    "out_oc": (0, 3),  # the scatter view: the gathered output value
    "out_y": (0, MAX_CELLS),
    "out_x": (0, MAX_CELLS),
    "eq_position": (0, MAX_CELLS**2),  # the equivalent convolution: the output cell and channel
    "eq_oc": (0, 3),
}


@dataclass
class TransposedSettings:
    """Every setting of the page with its default (the page's memory starts from these)."""

    source: str = "example"  # "example" or "random"
    example: str = "dumoulin_stride2"
    channels: int = 1  # random input: channels, height, width, seed
    height: int = 3
    width: int = 3
    seed: int = 0
    out_channels: int = 1
    kernel: int = 3  # the default example's layer: 2x2 input, 3x3 kernel, stride 2 -> 5x5
    stride: int = 2
    padding: int = 0
    output_padding: int = 0
    dilation: int = 1
    groups: int = 1
    bias: bool = False
    preset: str = "example"  # one of vizconv.ops.transposed.PRESETS
    kernel_seed: int = 0
    view: str = "scatter"  # one of VIEWS
    speed: int = 2  # the animator's steps per second
    edit_ic: int = 0  # the kernel editor's input and output channel
    edit_oc: int = 0


def example_settings(key: str) -> dict:
    """The layer an example comes with: its kernel size, stride and padding, one output channel."""
    example = EXAMPLES[key]
    return {
        "out_channels": 1,
        "kernel": len(example.weight[0][0]),
        "stride": example.stride,
        "padding": example.padding,
        "output_padding": 0,
        "dilation": 1,
        "groups": 1,
        "preset": "example",
    }


def unused_settings(values: dict) -> set[str]:
    """The settings the view of ``values`` does not use: they stay out of its link (shorter, and it reads as the
    view)."""
    unused = set() if values["source"] == "random" else {"channels", "height", "width", "seed"}
    unused |= set() if values["source"] == "example" else {"example"}
    unused |= set() if values["preset"] == "random_int" else {"kernel_seed"}
    if values["view"] == "scatter":
        return unused | {"eq_position", "eq_oc"}
    return unused | {"position", "step_ic", "out_oc", "out_y", "out_x"}


def build_input(values: dict) -> torch.Tensor:
    """The input (C_in, H, W): the example's grid, or small random whole numbers (0..4)."""
    if values["source"] == "example":
        return torch.tensor(EXAMPLES[values["example"]].grid, dtype=torch.float32)
    return random_grid(values["channels"], values["height"], values["width"], values["seed"], high=4)


def weight_signature(values: dict, in_channels: int) -> tuple:
    """What the default weight depends on: when it changes, the page draws a new weight (and drops edits)."""
    example = values["example"] if values["source"] == "example" else ""
    keys = ("preset", "kernel_seed", "out_channels", "groups", "kernel")
    return (*(values[key] for key in keys), in_channels, example)


def example_mismatch(values: dict, in_channels: int) -> tuple[str, str] | None:
    """("own", "needed") weight shapes as "1×1×3×3" where the example's kernel does not fit the layer (so the
    preset falls back), else None."""
    if values["preset"] != "example" or values["source"] != "example":
        return None
    own = tuple(np.shape(EXAMPLES[values["example"]].weight))
    needed = (in_channels, values["out_channels"] // max(values["groups"], 1), values["kernel"], values["kernel"])
    return None if own == needed else ("×".join(map(str, own)), "×".join(map(str, needed)))


def output_padding_choices(size: int, kernel: int, stride: int, padding: int, dilation: int) -> tuple[int, int] | None:
    """The output sizes an ordinary convolution with this stride maps back to ``size`` (lowest, highest), which
    output_padding picks between; None where there is no choice (stride 1, or no output at all)."""
    low = (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + 1  # the output size with output_padding 0
    return (low, low + stride - 1) if stride > 1 and low >= 1 else None


def scatter_latex(value: float, kernel: torch.Tensor, written: torch.Tensor) -> str:
    """value × kernel = what it writes onto the output."""
    return rf"{format_number(value)} \times {matrix_latex(kernel)} = {matrix_latex(written)}"


def gather_latex(trace: ConvTransposeTrace, oc: int, oy: int, ox: int) -> tuple[str, float]:
    """y[oc, oy, ox] written out as the sum of every input value × weight that lands on it (each term labelled
    with its indices), plus the bias: the LaTeX and the total."""
    terms = trace.contributions(oc, oy, ox)
    per_group = trace.weight.shape[1]  # weight [C_in, C_out/groups, kH, kW]: oc is column oc % per_group of its group
    sum_text = (
        " + ".join(
            rf"\underbrace{{{factor_latex(term.value)} \cdot {factor_latex(term.weight)}}}"
            rf"_{{x_{{{term.ic},{term.iy},{term.ix}}}\,w_{{{term.ic},{oc % per_group},{term.ky},{term.kx}}}}}"
            for term in terms
        )
        or "0"
    )
    bias = trace.bias_of(oc)
    if trace.bias is not None:
        sum_text += rf" + \underbrace{{{factor_latex(bias)}}}_{{b_{{{oc}}}}}"
    total = sum(term.product for term in terms) + bias
    return rf"y_{{{oc},{oy},{ox}}} = {sum_text} = \mathbf{{{format_number(total, 4)}}}", total


def empty_line_reason(trace: ConvTransposeTrace, axis: int, line: LineCoverage) -> tuple[str, dict]:
    """Why no input value writes to an output row (axis 0) or column (axis 1): its catalogue key
    (``tconv.empty.rows.<kind>`` or ``tconv.empty.cols.<kind>``) and the key's values."""
    dilation = trace.dilation[axis]
    key = f"tconv.empty.{('rows', 'cols')[axis]}.{line.kind}"
    return key, {
        "index": line.index,
        "source": line.source,
        "next": None if line.source is None else line.source + 1,
        "stride": trace.stride[axis],
        "span": dilation * (trace.kernel_size[axis] - 1) + 1,
        "dilation": dilation,
        "output_padding": trace.output_padding[axis],
    }
