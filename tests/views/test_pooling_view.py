"""The Pooling & activations page's view functions without Streamlit: torch's check, the link's settings, the
upsampling texts."""

from __future__ import annotations

from dataclasses import asdict

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from vizconv.inputs.samples import SAMPLES
from vizconv.ops.pool import trace_pool2d
from vizconv.ops.upsample import UPSAMPLE_MODES, trace_interpolate
from vizconv.views.pooling import (
    LIMITS,
    PAIRS,
    SECTIONS,
    PoolingSettings,
    pool_torch_difference,
    shown_settings,
    upsample_coordinates,
    upsample_shape_latex,
    upsample_step_latex,
    value_span,
)


@given(
    kind=st.sampled_from(["max", "avg"]),
    size=st.integers(4, 9),  # at least the window
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    stride=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    data=st.data(),
)
def test_the_torch_check_is_torchs_own_pooling(kind, size, kernel, stride, data):
    """pool_torch_difference compares the page's output with F.max_pool2d / F.avg_pool2d at the same settings
    (padding at most half the window, as torch requires)."""
    padding = tuple(data.draw(st.integers(0, k // 2)) for k in kernel)
    x = torch.randn(2, size + 3, size)
    trace = trace_pool2d(x, kind, kernel, stride, padding)
    function, difference = pool_torch_difference(trace)
    assert function == {"max": "max_pool2d", "avg": "avg_pool2d"}[kind]
    assert difference < 1e-6
    reference = getattr(F, function)(x[None], kernel, stride, padding)[0]
    assert reference.shape == trace.output.shape


def test_the_torch_check_sees_a_wrong_output():
    trace = trace_pool2d(torch.arange(16.0).reshape(1, 4, 4), "max", 2, 2, 0)
    trace.output[0, 0, 0] += 1  # as a broken step would write it
    assert pool_torch_difference(trace)[1] == pytest.approx(1.0)


def test_every_default_setting_is_within_its_bounds_and_a_link_carries_each():
    defaults = asdict(PoolingSettings())
    for name, (low, high) in LIMITS.items():
        if name in PAIRS:
            assert all(low <= defaults[f"{name}_{axis}"] <= high for axis in "hw")
        else:
            assert low <= defaults[name] <= high, name
    assert defaults["section"] in SECTIONS


@pytest.mark.parametrize("section", SECTIONS)
def test_a_link_names_only_what_its_lesson_uses(section):
    values = asdict(PoolingSettings(section=section))
    shown = shown_settings(values)
    assert "section" in shown
    lesson_settings = {
        "pooling": {"kind", "kernel_h", "stage"},
        "activations": {"activation", "act_channel"},
        "upsampling": {"mode", "up_oy", "up_channel"},
    }
    for other, names in lesson_settings.items():
        assert (names <= shown) == (other == section)


def test_a_link_names_the_stride_only_where_it_is_not_the_window():
    values = asdict(PoolingSettings())
    assert "stride_h" not in shown_settings(values | {"stride_default": True})
    assert "stride_h" in shown_settings(values | {"stride_default": False})


def test_a_link_names_a_pictures_side_only_for_pictures():
    values = asdict(PoolingSettings(source="sample"))
    picture = next(key for key, sample in SAMPLES.items() if sample.is_image)
    grid = next(key for key, sample in SAMPLES.items() if not sample.is_image)
    assert "side" in shown_settings(values | {"sample": picture})
    assert "side" not in shown_settings(values | {"sample": grid})
    assert "corners" not in shown_settings(asdict(PoolingSettings(section="upsampling", mode="nearest")))
    assert "corners" in shown_settings(asdict(PoolingSettings(section="upsampling", mode="bilinear")))


def test_value_span():
    assert value_span(torch.tensor([[-1.5, 0.0], [2.0, 3.25]])) == "-1.5 … 3.25"


@pytest.mark.parametrize("mode", UPSAMPLE_MODES)
@pytest.mark.parametrize("corners", [False, True])
def test_the_explained_cell_is_f_interpolates(mode, corners):
    """The step's LaTeX ends in the value F.interpolate gives at that cell; the coordinates name where it falls."""
    source = torch.randn(1, 4, 5)
    trace = trace_interpolate(source, mode, 3, corners and mode != "nearest")
    expected = F.interpolate(
        source[None], scale_factor=3, mode=mode, **({} if mode == "nearest" else {"align_corners": corners})
    )[0]
    for oy, ox in ((0, 0), (5, 7), (11, 14)):
        step = trace.step(0, oy, ox)
        assert step.value == pytest.approx(float(expected[0, oy, ox]), abs=1e-5)
        assert upsample_step_latex(step).startswith(f"y_{{{oy},{ox}}} = ")
        rows, cols = upsample_coordinates(step)
        assert ("→" in rows) == (step.unclamped[0] != step.source[0])
        assert ("→" in cols) == (step.unclamped[1] != step.source[1])


def test_bilinear_clamps_a_corner_cell_and_says_so():
    step = trace_interpolate(torch.randn(1, 3, 3), "bilinear", 2).step(0, 0, 0)
    assert upsample_coordinates(step) == ("-0.25 → 0", "-0.25 → 0")  # (0 + 0.5) / 2 - 0.5, clamped at 0


def test_upsample_shape_latex_gives_the_new_size():
    latex = upsample_shape_latex(5, 7, 3, "bicubic")
    assert latex.startswith("[1, 1, 5, 7]") and latex.endswith("[1, 1, 15, 21]") and "bicubic" in latex
