"""The output-size formula written out with a student's numbers, as LaTeX."""

from __future__ import annotations

__all__ = ["output_size_latex", "transposed_output_size_latex", "COMMON_MISTAKE_LATEX"]

# What seed notes and many blog posts write. It can agree by chance (stride 1 without dilation it is exact), but
# with a stride above 1 or dilation it is wrong for many sizes; the page shows the right one beside it.
COMMON_MISTAKE_LATEX = r"\frac{H + 2p - k + 1}{s}"


def output_size_latex(
    symbol: str, size: int, kernel: int, stride: int, pad_before: int, pad_after: int, dilation: int
) -> str:
    """``symbol = floor((size + padding - d(k-1) - 1) / s) + 1``, general form, numbers, and result.

    Works for any (possibly empty) output: the result is whatever the formula gives.
    """
    name = symbol[0]
    if pad_before == pad_after:
        pad_sym, pad_num = "2p", f"2 \\cdot {pad_before}"
    else:
        pad_sym, pad_num = "p_1 + p_2", f"{pad_before} + {pad_after}"
    numerator = size + pad_before + pad_after - dilation * (kernel - 1) - 1
    quotient = numerator // stride
    result = quotient + 1
    general = rf"{symbol}_{{out}} = \left\lfloor \frac{{{name} + {pad_sym} - d\,(k - 1) - 1}}{{s}} \right\rfloor + 1"
    numbers = rf"= \left\lfloor \frac{{{size} + {pad_num} - {dilation} \cdot ({kernel} - 1) - 1}}{{{stride}}} \right\rfloor + 1"
    steps = rf"= \left\lfloor \frac{{{numerator}}}{{{stride}}} \right\rfloor + 1 = {quotient} + 1 = {result}"
    return _two_lines(general, f"{numbers} {steps}")


def _two_lines(general: str, worked: str) -> str:
    """The general formula on one line and the student's numbers under it, aligned at '=' so neither overflows."""
    left, right = general.split(" = ", 1)
    return rf"\begin{{aligned}} {left} &= {right} \\ &{worked} \end{{aligned}}"


def transposed_output_size_latex(
    symbol: str, size: int, kernel: int, stride: int, padding: int, output_padding: int, dilation: int
) -> str:
    """``symbol = (size − 1)·s − 2p + d(k − 1) + output_padding + 1``: general form, numbers, and result.

    nn.ConvTranspose2d's formula; no floor, since nothing is divided. Works for any (possibly empty) output.
    """
    name = symbol[0]
    grown = (size - 1) * stride
    span = dilation * (kernel - 1)
    result = grown - 2 * padding + span + output_padding + 1
    general = rf"{symbol}_{{out}} = ({name} - 1)\,s - 2p + d\,(k - 1) + p_{{out}} + 1"
    numbers = (
        rf"= ({size} - 1) \cdot {stride} - 2 \cdot {padding} + {dilation} \cdot ({kernel} - 1) + {output_padding} + 1"
    )
    steps = rf"= {grown} - {2 * padding} + {span} + {output_padding} + 1 = {result}"
    return _two_lines(general, f"{numbers} {steps}")
