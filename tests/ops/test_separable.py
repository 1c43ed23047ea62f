"""Depthwise-separable vs standard: counts three ways (formulas, torch modules and hooks, traces), the ratio."""

from __future__ import annotations

from fractions import Fraction

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from vizconv import ParameterError
from vizconv.ops.separable import (
    compare_separable,
    count_mult_adds,
    separable_counts,
    separable_modules,
    separable_pair,
)


@settings(max_examples=50)
@given(
    c_in=st.integers(1, 6),
    c_out=st.integers(1, 8),
    kernel=st.integers(1, 5),
    size=st.tuples(st.integers(1, 9), st.integers(1, 9)),
    stride=st.integers(1, 3),
    padding=st.one_of(st.none(), st.integers(0, 2)),
    bias=st.booleans(),
)
def test_counts_agree_three_ways(c_in, c_out, kernel, size, stride, padding, bias):
    """Formula = sum(p.numel()) / forward hooks = the traces' counts, for parameters and multiply-adds."""
    try:
        counts = separable_counts(c_in, c_out, kernel, *size, stride=stride, padding=padding, bias=bias)
    except ParameterError:  # the window does not fit: torch refuses too
        standard, _ = separable_modules(c_in, c_out, kernel, stride, padding, bias)
        with pytest.raises(RuntimeError):
            standard(torch.zeros(1, c_in, *size))
        return
    for name, (formula, modules, traces) in compare_separable(counts).items():
        assert formula == modules == traces, name
    if not bias:
        assert counts.mult_add_ratio == counts.param_ratio == counts.formula
    assert counts.mult_add_ratio == Fraction(1, c_out) + Fraction(1, kernel**2)


@settings(max_examples=30)
@given(
    c_in=st.integers(1, 4),
    c_out=st.integers(1, 6),
    kernel=st.sampled_from([1, 3, 5]),
    side=st.integers(5, 9),
    stride=st.integers(1, 2),
    bias=st.booleans(),
    seed=st.integers(0, 2**16),
)
def test_pair_traces_are_the_torch_modules(c_in, c_out, kernel, side, stride, bias, seed):
    """Both ways map the same input to the same output shape; each trace equals its seeded torch module."""
    x = torch.randn(c_in, side, side)
    pair = separable_pair(x, c_out, kernel, stride=stride, bias=bias, seed=seed)
    assert pair.standard.output.shape == pair.pointwise.output.shape == (c_out, *pair.counts.out_size)
    assert pair.depthwise.output.shape[0] == c_in and pair.depthwise.groups == c_in
    torch.manual_seed(seed)
    standard, modules = separable_modules(c_in, c_out, kernel, stride, bias=bias)
    with torch.no_grad():
        torch.testing.assert_close(pair.standard.output, standard(x[None])[0], rtol=1e-5, atol=1e-5)
        torch.testing.assert_close(pair.pointwise.output, modules(x[None])[0], rtol=1e-5, atol=1e-5)


def test_mobilenet_numbers():
    """3×3, 32 -> 64 channels on 112×112 (MobileNet's second layer, stride 1): 576/73, about 7.9 times cheaper."""
    counts = separable_counts(32, 64, 3, 112, 112)
    assert counts.standard_params == 64 * 32 * 9 == 18432
    assert counts.separable_params == 32 * 9 + 32 * 64 == 2336
    assert counts.standard_mult_adds == 112 * 112 * 18432
    assert counts.formula == Fraction(1, 64) + Fraction(1, 9)
    assert 1 / counts.mult_add_ratio == Fraction(576, 73)
    with_bias = separable_counts(32, 64, 3, 112, 112, bias=True)
    assert with_bias.standard_params == 18432 + 64 and with_bias.separable_params == 2336 + 32 + 64
    assert with_bias.param_ratio != with_bias.formula and with_bias.mult_add_ratio == with_bias.formula


def test_hooks_are_removed_after_success_and_after_an_exception():
    standard, pair = separable_modules(2, 4, 3)
    assert count_mult_adds(pair, torch.zeros(2, 5, 5)) == 25 * 2 * 9 + 25 * 4 * 2
    with pytest.raises(RuntimeError):
        count_mult_adds(pair, torch.zeros(3, 5, 5))  # wrong channel count: the forward pass raises
    for module in (*standard.modules(), *pair.modules()):
        assert not module._forward_hooks
    assert count_mult_adds(nn.Sequential(nn.ReLU()), torch.zeros(1, 2, 2)) == 0


def test_settings_torch_refuses_are_explained():
    with pytest.raises(ParameterError, match="window spans 5 rows"):
        separable_counts(2, 4, 5, 3, 3, padding=0)
    with pytest.raises(ParameterError, match="in_channels must be at least 1"):
        separable_counts(0, 4, 3, 8, 8)
