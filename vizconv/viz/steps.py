"""One output value written out as LaTeX.

Convolution: per-channel window ⊙ kernel, channel sums, bias, total.
Pooling: the window and its maximum (the winner boxed) or its mean.
"""

from __future__ import annotations

import math

import torch

from vizconv.ops.conv import ConvStep
from vizconv.ops.pool import PoolStep

__all__ = [
    "ONE_LINE_MAX_COLUMNS",
    "approximate_number",
    "exact_number",
    "factor_latex",
    "format_number",
    "matrix_latex",
    "pool_step_latex",
    "step_latex",
    "window_span",
]

# Three matrices this wide, with three-decimal numbers, fit a 900-pixel column side by side; wider ones do not.
ONE_LINE_MAX_COLUMNS = 3


def _non_finite(value: float) -> str | None:
    """NaN and the infinities as "nan", "∞", "-∞" (readable both in Markdown and in KaTeX); None for a number.
    The minus is ASCII, as in every other number written here, so that code splitting off a sign still can."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "-∞" if value < 0 else "∞"
    return None


def format_number(value: float, digits: int = 3) -> str:
    """Integers as integers, other values with at most ``digits`` decimals (trailing zeros dropped); NaN and
    infinities as "nan", "∞", "-∞"."""
    value = float(value)
    if (special := _non_finite(value)) is not None:
        return special
    if abs(value) >= 1e12:  # not 1000000000000000052504760255204420248704468581108159154915854115511802…
        return format(value, f".{max(digits, 1)}g")
    if value == round(value):
        return str(int(round(value)))
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def factor_latex(value: float, digits: int = 3) -> str:
    """A factor in a written-out product: negative numbers in parentheses, ``2 · (−1)``."""
    return format_number(value, digits) if value >= 0 else f"({format_number(value, digits)})"


def approximate_number(value: float, digits: int = 3) -> str:
    """``format_number`` with "≈ " in front where rounding turned a value into a whole number it is not (a
    sigmoid's 0.99999 would otherwise read 1, a value it never reaches)."""
    text = format_number(value, digits)
    whole = "." not in text and _non_finite(float(value)) is None
    return f"≈ {text}" if whole and float(text) != float(value) else text


def exact_number(value: float) -> str:
    """A float32 value written so that reading it back gives the same value (9 significant digits); 0 × −1
    written 0, not −0; NaN and infinities as "nan", "∞", "-∞". For files and code, where format_number's rounding
    would lose digits."""
    value = float(value)
    special = _non_finite(value)
    return special if special is not None else format(value + 0.0, ".9g")


def matrix_latex(values: torch.Tensor, digits: int = 3, boxed: tuple[int, int] | None = None) -> str:
    """A 2-D tensor as a LaTeX bmatrix; the cell ``boxed`` (row, col), if given, drawn in a box."""
    rows = []
    for i, row in enumerate(values.tolist()):
        cells = [format_number(v, digits) for v in row]
        if boxed is not None and boxed[0] == i:
            cells[boxed[1]] = rf"\boxed{{{cells[boxed[1]]}}}"
        rows.append(" & ".join(cells))
    return r"\begin{bmatrix}" + r" \\ ".join(rows) + r"\end{bmatrix}"


def _signed_sum(terms: list[str]) -> str:
    out = terms[0]
    for term in terms[1:]:
        out += f" - {term[1:]}" if term.startswith("-") else f" + {term}"
    return out


def window_span(rows: torch.Tensor, cols: torch.Tensor) -> dict[str, str]:
    """The input rows and columns a window covers, as text ("rows": "2–4", "cols": "0–2") for a step's caption."""
    return {"rows": f"{int(rows[0])}–{int(rows[-1])}", "cols": f"{int(cols[0])}–{int(cols[-1])}"}


def step_latex(step: ConvStep, with_bias: bool = True) -> list[str]:
    """One formula per input channel (window ⊙ kernel = products, Σ), then Σ channel sums + bias = value.

    A channel's formula is one line for kernels up to ONE_LINE_MAX_COLUMNS wide, else one matrix per line.
    """
    lines = []
    sums = []
    for i, channel in enumerate(step.input_channels):
        total = format_number(float(step.channel_sums[i]), 4)  # the digits of the value they add up to
        sums.append(total)
        window, kernel, products = (matrix_latex(m[i]) for m in (step.window, step.kernel, step.products))
        if step.kernel.shape[-1] <= ONE_LINE_MAX_COLUMNS:
            lines.append(rf"c={channel}:\quad {window} \odot {kernel} = {products} \;\xrightarrow{{\Sigma}}\; {total}")
        else:  # three wide matrices side by side do not fit a page: one per line
            lines.append(
                rf"\begin{{aligned}} c={channel}:\quad & {window} \\ \odot\, & {kernel} \\"
                rf" = \, & {products} \;\xrightarrow{{\Sigma}}\; {total} \end{{aligned}}"
            )
    total = _signed_sum(sums)
    if with_bias:
        bias = format_number(step.bias, 4)
        sign, magnitude = ("-", bias[1:]) if bias.startswith("-") else ("+", bias)
        total += rf" {sign} \underbrace{{{magnitude}}}_{{b_{{{step.oc}}}}}"
    lines.append(rf"y_{{{step.oc},{step.oy},{step.ox}}} = {total} = \mathbf{{{format_number(step.value, 4)}}}")
    return lines


def pool_step_latex(step: PoolStep) -> str:
    """max(window) = value with the winner boxed, or the mean written as a sum over the window's cells."""
    target = rf"y_{{{step.c},{step.oy},{step.ox}}}"
    if step.kind == "max":
        winner = (step.winner[0] - int(step.rows[0]), step.winner[1] - int(step.cols[0]))
        window = matrix_latex(step.window, 4, boxed=winner)
        return rf"{target} = \max {window} = \mathbf{{{format_number(step.value, 4)}}}"
    total = format_number(float(step.window.sum()), 4)
    return (  # the window with as many decimals as its sum and mean, so that adding it up by hand agrees
        rf"{target} = \frac{{1}}{{{step.count}}} \sum {matrix_latex(step.window, 4)}"
        rf" = \frac{{{total}}}{{{step.count}}} = \mathbf{{{format_number(step.value, 4)}}}"
    )
