"""The output-size formula and its explanation."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from vizconv import ParameterError, conv_output_size
from vizconv.ops.geometry import resolve_padding
from vizconv.viz.formulas import output_size_latex


@given(
    size=st.integers(1, 40),
    kernel=st.integers(1, 7),
    stride=st.integers(1, 5),
    padding=st.integers(0, 4),
    dilation=st.integers(1, 4),
)
def test_output_size_matches_torch(size, kernel, stride, padding, dilation):
    span = dilation * (kernel - 1) + 1
    if size + 2 * padding < span:
        with pytest.raises(
            ParameterError,
            match="The output would be empty .*(Make the kernel or the dilation|Make the window) smaller",
        ):
            conv_output_size(size, kernel, stride, padding, dilation)
        return
    out = F.conv2d(
        torch.zeros(1, 1, size, 1),
        torch.zeros(1, 1, kernel, 1),
        stride=(stride, 1),
        padding=(padding, 0),
        dilation=(dilation, 1),
    )
    assert conv_output_size(size, kernel, stride, padding, dilation) == out.shape[2]


def test_output_size_examples_from_the_notes():
    # LeNet's first layer keeps 28x28 with a 5x5 kernel and padding 2
    assert conv_output_size(28, 5, padding=2) == 28
    # seed 003's formula (28 + 2*1 - 3 + 1) / 2 = 14 happens to agree here ...
    assert conv_output_size(28, 3, stride=2, padding=1) == 14
    # ... but not here: (7 + 0 - 3 + 1) / 2 = 2.5, while torch gives 3
    assert conv_output_size(7, 3, stride=2) == 3


def test_output_size_error_names_the_numbers():
    with pytest.raises(ParameterError) as info:
        conv_output_size(4, 3, dilation=3)
    message = str(info.value)
    assert "spans 7" in message and "only 4" in message


def test_resolve_padding():
    assert resolve_padding(2, (3, 3), (1, 1), (1, 1)) == (2, 2, 2, 2)
    assert resolve_padding((1, 0), (3, 3), (1, 1), (1, 1)) == (1, 1, 0, 0)
    assert resolve_padding("valid", (3, 3), (2, 2), (1, 1)) == (0, 0, 0, 0)
    assert resolve_padding("same", (4, 3), (1, 1), (1, 2)) == (1, 2, 2, 2)


def test_formula_shows_the_numbers_and_the_floor():
    latex = output_size_latex("H", 7, 3, 2, 1, 1, 1)
    assert r"\left\lfloor" in latex
    assert "7 + 2 \\cdot 1 - 1 \\cdot (3 - 1) - 1" in latex
    assert latex.endswith(r"= 3 + 1 = 4 \end{aligned}")
    assert output_size_latex("W", 6, 2, 1, 0, 1, 1).endswith(r"= 5 + 1 = 6 \end{aligned}")  # "same" keeps 6
    general, worked = latex.split(r" \\ ")  # two lines: the formula, then the student's numbers
    assert "H_{out} &=" in general and worked.startswith(r"&= \left\lfloor \frac{7")
