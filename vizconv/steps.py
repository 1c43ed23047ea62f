"""One output value written out as LaTeX: per-channel window ⊙ kernel, channel sums, bias, total."""

from __future__ import annotations

import torch

from vizconv.conv import ConvStep

__all__ = ["format_number", "matrix_latex", "step_latex"]


def format_number(value: float, digits: int = 3) -> str:
    """Integers as integers, other values with at most ``digits`` decimals (trailing zeros dropped)."""
    value = float(value)
    if value == round(value) and abs(value) < 1e12:
        return str(int(round(value)))
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def matrix_latex(values: torch.Tensor, digits: int = 3) -> str:
    """A 2-D tensor as a LaTeX bmatrix."""
    rows = [" & ".join(format_number(v, digits) for v in row) for row in values.tolist()]
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def _signed_sum(terms: list[str]) -> str:
    out = terms[0]
    for term in terms[1:]:
        out += f" - {term[1:]}" if term.startswith("-") else f" + {term}"
    return out


def step_latex(step: ConvStep, with_bias: bool = True) -> list[str]:
    """One line per input channel (window ⊙ kernel = products, Σ), then Σ channel sums + bias = value."""
    lines = []
    sums = []
    for i, channel in enumerate(step.input_channels):
        total = format_number(float(step.channel_sums[i]))
        sums.append(total)
        lines.append(
            rf"c={channel}:\quad {matrix_latex(step.window[i])} \odot {matrix_latex(step.kernel[i])}"
            rf" = {matrix_latex(step.products[i])} \;\xrightarrow{{\Sigma}}\; {total}"
        )
    total = _signed_sum(sums)
    if with_bias:
        bias = format_number(step.bias)
        sign, magnitude = ("-", bias[1:]) if bias.startswith("-") else ("+", bias)
        total += rf" {sign} \underbrace{{{magnitude}}}_{{b_{{{step.oc}}}}}"
    lines.append(rf"y_{{{step.oc},{step.oy},{step.ox}}} = {total} = \mathbf{{{format_number(step.value, 4)}}}")
    return lines
