"""trace_pool2d against torch: outputs, winners, steps, invalid settings, and its animation."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from vizconv import ParameterError, PoolTrace, trace_pool2d
from vizconv.viz.animator import decode_float32, pool_animator_data
from vizconv.viz.steps import pool_step_latex


@st.composite
def pool_configs(draw):
    """Random shapes and settings, some of which torch rejects (padding too large, empty output)."""
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    return {
        "kind": draw(st.sampled_from(["max", "avg"])),
        "c": draw(st.integers(1, 3)),
        "size": (draw(st.integers(1, 9)), draw(st.integers(1, 9))),
        "kernel": kernel,
        "stride": stride,
        "padding": (draw(st.integers(0, 3)), draw(st.integers(0, 3))),
        "seed": draw(st.integers(0, 2**16)),
    }


def _torch_pool(config, x):
    function = F.max_pool2d if config["kind"] == "max" else F.avg_pool2d
    return function(x[None], config["kernel"], config["stride"], config["padding"])[0]


@given(pool_configs())
def test_output_equals_torch_or_both_refuse(config):
    torch.manual_seed(config["seed"])
    x = torch.randn(config["c"], *config["size"])
    try:
        expected = _torch_pool(config, x)
    except (RuntimeError, ValueError):
        with pytest.raises(ParameterError):
            trace_pool2d(x, config["kind"], config["kernel"], config["stride"], config["padding"])
        return
    trace = trace_pool2d(x, config["kind"], config["kernel"], config["stride"], config["padding"])
    assert trace.output.shape == expected.shape
    torch.testing.assert_close(trace.output, expected, rtol=1e-5, atol=1e-6)
    assert trace.out_channels == trace.in_channels == config["c"]
    assert trace.param_count == 0


@given(pool_configs())
def test_every_step_explains_its_output_value(config):
    torch.manual_seed(config["seed"])
    x = torch.randn(config["c"], *config["size"])
    try:
        trace = trace_pool2d(x, config["kind"], config["kernel"], config["stride"], config["padding"])
    except ParameterError:
        return
    h_out, w_out = trace.out_size
    for c in range(trace.out_channels):
        for oy in range(h_out):
            for ox in range(w_out):
                step = trace.step(c, oy, ox)
                assert step.value == pytest.approx(float(trace.output[c, oy, ox]), abs=1e-6)
                rows, cols = step.rows.tolist(), step.cols.tolist()
                assert torch.equal(step.window, trace.padded[c][rows][:, cols])
                if config["kind"] == "max":
                    assert float(trace.padded[c, step.winner[0], step.winner[1]]) == step.value
                    assert step.winner[0] in rows and step.winner[1] in cols
                else:
                    assert step.value == pytest.approx(float(step.window.sum()) / step.count, abs=1e-6)


def test_max_winner_is_the_cell_torch_returns():
    torch.manual_seed(0)
    x = torch.randn(2, 7, 6)
    trace = trace_pool2d(x, "max", 3, 2, 1)
    _, indices = F.max_pool2d(x[None], 3, 2, 1, return_indices=True)  # flat index into the unpadded H x W
    top, _, left, _ = trace.pads
    for c in range(2):
        for oy in range(trace.out_size[0]):
            for ox in range(trace.out_size[1]):
                row, col = divmod(int(indices[0, c, oy, ox]), 6)
                assert trace.winner_cell(c, oy, ox) == (row + top, col + left)


def test_defaults_follow_torch():
    x = torch.arange(16.0).reshape(1, 4, 4)
    trace = trace_pool2d(x, "max", 2)
    assert trace.stride == (2, 2)  # stride defaults to the kernel size
    assert trace.output.tolist() == [[[5.0, 7.0], [13.0, 15.0]]]
    padded_avg = trace_pool2d(x, "avg", 3, 1, 1)
    assert padded_avg.step(0, 0, 0).value == pytest.approx((0 + 1 + 4 + 5) / 9)  # padding counted
    assert float(trace_pool2d(x, "max", 3, 1, 1).padded[0, 0, 0]) == float("-inf")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("max", 3, 1, 2), "more than half"),
        (("avg", 2, 1, (0, 2)), "more than half"),
        (("min", 2), "is not one of"),
        (("max", 5), "The output would be empty .* the window spans 5 rows"),
        (("max", 0), "at least 1"),
        (("avg", 2, 0), "at least 1"),
        (("max", 2.5), "whole number"),
    ],
)
def test_invalid_settings_are_explained(args, message):
    with pytest.raises(ParameterError, match=message):
        trace_pool2d(torch.zeros(1, 4, 4), *args)


def test_step_outside_the_output_is_a_parameter_error():
    trace = trace_pool2d(torch.zeros(1, 4, 4), "avg", 2)
    with pytest.raises(ParameterError, match="outside the output"):
        trace.step(0, 2, 0)
    with pytest.raises(ParameterError, match="no winning cell"):
        trace.winner_cell(0, 0, 0)


def test_step_latex_boxes_the_winner_and_writes_the_mean():
    x = torch.arange(16.0).reshape(1, 4, 4)
    line = pool_step_latex(trace_pool2d(x, "max", 3, 2, 1).step(0, 0, 0))
    assert r"\boxed{5}" in line and "-∞" in line and line.endswith(r"\mathbf{5}")
    mean = pool_step_latex(trace_pool2d(x, "avg", 2).step(0, 1, 1))
    assert r"\frac{50}{4}" in mean and mean.endswith(r"\mathbf{12.5}")


def test_pooling_uses_the_live_animator_each_channel_its_own():
    """Pooling's animator data: each output channel reads its own input channel (groups = channels, one input
    per group), no weights; max pooling's padding is −∞ (it never wins), carried in the float32 data, so the
    JSON stays valid; the winner and the mean are drawn in the browser (tests/browser/test_browser_animator.py)."""
    torch.manual_seed(1)
    trace = trace_pool2d(torch.randn(2, 5, 5), "max", 2, 1, 1)
    assert isinstance(trace, PoolTrace)
    data = pool_animator_data(trace)
    json.dumps(data, allow_nan=False)
    g = data["geometry"]
    assert (g["pool"], g["groups"], g["per_group"], g["padding_mode"]) == ("max", 2, 1, "-inf")
    assert data["weight"] is None and data["bias"] is None
    padded = decode_float32(data["padded"], (2, 7, 7))
    assert np.isneginf(padded[:, 0]).all() and np.isfinite(padded[:, 1:6, 1:6]).all()
    assert g["out_height"] * g["out_width"] == trace.positions == 36
    avg = pool_animator_data(trace_pool2d(torch.randn(2, 5, 5), "avg", 2))
    assert (avg["geometry"]["pool"], avg["geometry"]["padding_mode"]) == ("avg", "zeros")


def test_step_latex_writes_the_window_with_the_decimals_of_its_sum():
    """Adding up the window as written gives the written sum: 3.2794 + 4.2496 + … not 3.279 + 4.25 + …"""
    x = torch.tensor([[[3.27941, 4.24963], [2.05318, 3.20354]]])
    mean = pool_step_latex(trace_pool2d(x, "avg", 2).step(0, 0, 0))
    assert "3.2794 & 4.2496" in mean and "2.0532 & 3.2035" in mean
    # the written entries add to 12.7857; the exact sum rounds to 12.7858: at most the last digit differs
    assert r"\frac{12.7858}{4}" in mean
    top = pool_step_latex(trace_pool2d(x, "max", 2).step(0, 0, 0))
    assert r"\boxed{4.2496}" in top and top.endswith(r"\mathbf{4.2496}")
