"""The Convolution page's compute path without Streamlit: any settings give a trace or a ParameterError."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from tests_support import conv_configs, reference_conv, run_script, trace_of
from vizconv import ParameterError, trace_conv2d
from vizconv.inputs.kernels import KERNEL_PRESETS
from vizconv.inputs.samples import SAMPLES
from vizconv.ops.geometry import PADDING_MODES
from vizconv.views.convolution import (
    EXAMPLE_PRESET,
    LIMITS,
    PAIRS,
    PlaygroundSettings,
    build_input,
    default_bias,
    default_weight,
    example_kernel,
    kernel_presets,
    layer_shapes,
    opening_position,
    run_playground,
    sample_settings,
    unread_lines,
    unused_settings,
    weight_signature,
)
from vizconv.viz.animator import conv_animator_data
from vizconv.viz.steps import approximate_number, format_number, step_latex
from vizconv.viz.torch_code import check_with_torch, conv2d_code, conv2d_script


def _within(name):
    low, high = LIMITS[name]
    return st.integers(low, high)


settings_strategy = st.builds(
    PlaygroundSettings,
    source=st.sampled_from(["sample", "random"]),
    sample=st.sampled_from(list(SAMPLES)),
    side=st.integers(5, 16),
    colour=st.booleans(),
    random_channels=_within("random_channels"),
    random_height=_within("random_height"),
    random_width=_within("random_width"),
    out_channels=_within("out_channels"),
    kernel_h=_within("kernel"),
    kernel_w=_within("kernel"),
    stride_h=st.sampled_from([1, 1, 1, 2, 3, LIMITS["stride"][1]]),
    stride_w=st.sampled_from([1, 1, 1, 2, 3, LIMITS["stride"][1]]),
    padding_kind=st.sampled_from(["number", "same", "valid"]),
    padding_h=_within("padding"),
    padding_w=_within("padding"),
    padding_mode=st.sampled_from(PADDING_MODES),
    dilation_h=_within("dilation"),
    dilation_w=_within("dilation"),
    groups=st.sampled_from([1, 1, 1, 1, 1, 1, 2, 3, 4, 8]),  # mostly valid, sometimes not
    bias=st.booleans(),
    preset=st.sampled_from([*KERNEL_PRESETS, "example"]),
    varied=st.booleans(),
    kernel_seed=_within("kernel_seed"),
)


@given(settings_strategy)
def test_any_settings_give_a_trace_or_an_explained_error(settings):
    x = build_input(settings)
    try:
        trace = run_playground(settings, x)
    except ParameterError as exc:
        assert str(exc)
        return
    assert check_with_torch(trace) < 1e-3
    data = conv_animator_data(trace)
    assert data["geometry"]["out_height"] * data["geometry"]["out_width"] == trace.positions
    step = trace.step(trace.out_channels - 1, *trace.position(trace.positions - 1))
    assert len(step_latex(step, settings.bias)) == len(step.input_channels) + 1


def test_torch_code_names_every_setting():
    trace = trace_conv2d(
        torch.rand(4, 9, 9),
        torch.rand(6, 2, 3, 2),
        torch.rand(6),
        stride=(2, 1),
        padding=(1, 0),
        dilation=2,
        groups=2,
        padding_mode="circular",
    )
    code = conv2d_code(trace)
    for fragment in (
        "in_channels=4",
        "out_channels=6",
        "kernel_size=(3, 2)",
        "stride=(2, 1)",
        "padding=(1, 0)",
        "dilation=2",
        "groups=2",
        "bias=True",
        "padding_mode='circular'",
    ):
        assert fragment in code
    assert check_with_torch(trace) < 1e-5


@given(conv_configs())
def test_the_script_runs_as_copied_and_gives_the_pages_output(config):
    """The page's code, with its imports and every value written out, gives exactly the traced output."""
    try:
        conv, x, _ = reference_conv(config)
    except (RuntimeError, ValueError, NotImplementedError):  # torch refuses: the page explains, shows no code
        return
    trace = trace_of(config, conv, x)
    torch.testing.assert_close(run_script(conv2d_script(trace, max_values=None)), trace.output, rtol=0, atol=1e-5)


def test_the_script_stands_in_for_a_photo_too_large_to_print():
    trace = trace_conv2d(torch.rand(3, 20, 20), torch.rand(2, 3, 3, 3), torch.rand(2))
    script = conv2d_script(trace)
    assert "x = torch.rand(3, 20, 20)  # stand-in: 1,200 values" in script and "weight = torch.tensor(" in script
    assert run_script(script).shape == trace.output.shape  # it still runs, on other numbers
    assert "torch.rand" not in conv2d_script(trace, max_values=None)


def test_torch_code_keeps_same_padding_as_a_word():
    trace = trace_conv2d(torch.rand(1, 5, 5), torch.rand(1, 1, 4, 4), padding="same")
    assert "padding='same'" in conv2d_code(trace)
    assert check_with_torch(trace) < 1e-5


def test_step_latex_writes_the_sum_with_signs():
    trace = trace_conv2d(
        torch.tensor([[[1.0, 2.0]], [[3.0, 4.0]]]), torch.tensor([[[[1.0, -1.0]], [[1.0, 1.0]]]]), torch.tensor([-0.5])
    )
    lines = step_latex(trace.step(0, 0, 0))
    assert lines[-1] == r"y_{0,0,0} = -1 + 7 - \underbrace{0.5}_{b_{0}} = \mathbf{5.5}"


def test_a_wide_kernel_puts_each_matrix_on_its_own_line():
    narrow = step_latex(trace_conv2d(torch.rand(1, 6, 6), torch.rand(1, 1, 3, 3)).step(0, 0, 0))[0]
    assert "aligned" not in narrow and narrow.count("bmatrix}") == 6  # window, kernel, products: one line
    wide = step_latex(trace_conv2d(torch.rand(2, 6, 6), torch.rand(1, 2, 5, 5)).step(0, 1, 1))
    assert len(wide) == 3 and wide[1].startswith(r"\begin{aligned} c=1:")
    assert r"\end{bmatrix} \\ \odot" in wide[1] and r"\end{bmatrix} \\ = " in wide[1]  # three lines
    assert wide[1].count("bmatrix}") == 6  # one matrix each


def test_format_number():
    assert format_number(3.0) == "3"
    assert format_number(-0.25) == "-0.25"
    assert format_number(1 / 3) == "0.333"
    assert format_number(-0.0001) == "0"


def test_approximate_number_marks_a_value_rounded_to_a_whole_number():
    """A sigmoid's 0.99999 reads "≈ 1", not 1 (a value it never reaches); exact whole numbers stay plain."""
    assert approximate_number(0.99999) == "≈ 1"
    assert approximate_number(-0.99996) == "≈ -1"
    assert approximate_number(1.0) == "1" and approximate_number(0.0) == "0"
    assert approximate_number(0.00001) == "≈ 0"  # a tiny sigmoid output is not exactly 0 either
    assert approximate_number(0.5) == "0.5" and approximate_number(0.1234) == "0.123"


def test_step_latex_writes_the_channel_sums_with_the_digits_of_the_value():
    """Σ of the channel sums as written is the value as written: 0.2781 + 0.3615 + 0.2311 = 0.8707 (with three
    decimals the sums read 0.278 + 0.361 + 0.231 = 0.870, under a value of 0.8707)."""
    x = torch.tensor([[[0.27812]], [[0.36149]], [[0.23106]]])
    step = trace_conv2d(x, torch.ones(1, 3, 1, 1)).step(0, 0, 0)
    assert step_latex(step, with_bias=False)[-1] == r"y_{0,0,0} = 0.2781 + 0.3615 + 0.2311 = \mathbf{0.8707}"


def test_the_step_panel_opens_where_the_kernel_meets_the_digit():
    """The default view explains a window with ink in it, not the blank corner ("0 ⊙ kernel = 0")."""
    settings = PlaygroundSettings()
    x = build_input(settings)
    trace = run_playground(settings, x, default_weight(settings, x.shape[0]), default_bias(settings, x.shape[0]))
    position = opening_position(trace.output)
    oy, ox = trace.position(position)
    step = trace.step(0, oy, ox)
    assert float(step.window.abs().sum()) > 0 and float(trace.output[0, oy, ox]) != 0
    assert abs(float(trace.output[0, oy, ox])) == float(trace.output[0].abs().max())


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        (torch.zeros(2, 3, 3), 0),  # nothing stands out: the first cell
        (torch.tensor([[[0.0, -2.0], [2.0, 1.0]]]), 1),  # the largest magnitude, the first of a tie
        (torch.tensor([[[0.0, 1.0]], [[9.0, 0.0]]]), 1),  # the first channel decides
        (torch.full((1, 2, 2), float("nan")), 0),
    ],
)
def test_opening_position(output, expected):
    assert opening_position(output) == expected


def test_non_finite_and_huge_numbers_are_written_not_raised():
    """NaN and infinities (a student's weights that overflow) as "nan", "∞", "-∞"; huge values in e-notation."""
    from vizconv.viz.steps import exact_number

    for value, written in ((float("nan"), "nan"), (float("inf"), "∞"), (float("-inf"), "-∞")):
        assert format_number(value) == format_number(value, 4) == written
        assert approximate_number(value) == exact_number(value) == written
    assert format_number(1e300) == "1e+300" and format_number(-3e38, 4) == "-3e+38"
    assert format_number(999_999_999_999.0) == "999999999999" and exact_number(1e300) == "1e+300"


# ---------------------------------------------------------------- what the page reads from the view


@pytest.mark.parametrize("key", [key for key, sample in SAMPLES.items() if not sample.is_image])
def test_a_grid_sample_brings_the_layer_its_own_kernel_fits(key):
    """A classroom grid's settings give a layer whose weight shape is the grid's kernel: the page then runs the
    grid's own kernel (example_kernel fits) and matches torch."""
    brought = sample_settings(key, "sobel_x")
    settings = PlaygroundSettings(source="sample", sample=key, **brought)
    x = build_input(settings)
    per_group = x.shape[0] // settings.groups
    assert example_kernel(settings, per_group) is not None
    trace = run_playground(settings, x)
    assert torch.equal(trace.weight, torch.tensor(SAMPLES[key].weight, dtype=torch.float32))
    assert check_with_torch(trace) < 1e-4


def test_an_image_sample_brings_its_side_and_leaves_a_grids_kernel():
    image = next(key for key, sample in SAMPLES.items() if sample.is_image)
    assert sample_settings(image, "sobel_x") == {"side": SAMPLES[image].default_side}
    assert sample_settings(image, EXAMPLE_PRESET)["preset"] == PlaygroundSettings.preset


@given(settings_strategy)
def test_the_link_leaves_out_exactly_what_the_view_does_not_use(settings):
    unused = unused_settings(settings)
    assert ("random_seed" in unused) == (settings.source != "random")
    assert ("sample" in unused) == (settings.source != "sample")
    assert ("padding_h" in unused) == (settings.padding_kind != "number")
    assert ("kernel_seed" in unused) == (not settings.preset.startswith("random"))
    if settings.source == "sample":
        assert ("side" in unused) == (not SAMPLES[settings.sample].is_image)
        assert ("colour" in unused) == (not SAMPLES[settings.sample].is_colour)
    assert unused <= set(LIMITS) | {"sample", "colour", *(f"{n}_{a}" for n in PAIRS for a in "hw")}


def test_the_weight_signature_changes_with_what_the_weight_depends_on_only():
    settings = PlaygroundSettings()
    same = weight_signature(settings, 3)
    assert weight_signature(PlaygroundSettings(stride_h=3, padding_h=2, bias=True), 3) == same
    for changed in (dict(preset="laplacian"), dict(kernel_h=5), dict(out_channels=4), dict(varied=False)):
        assert weight_signature(PlaygroundSettings(**changed), 3) != same
    assert weight_signature(settings, 1) != same  # channels per group


def test_kernel_presets_offer_a_grids_own_kernel_first():
    grid = next(key for key, sample in SAMPLES.items() if sample.weight)
    assert kernel_presets((3, 3), grid)[0] == EXAMPLE_PRESET
    assert EXAMPLE_PRESET not in kernel_presets((3, 3), None)
    assert set(kernel_presets((2, 5), None)) < set(kernel_presets((3, 3), None))  # Sobel needs 3x3


@given(conv_configs())
def test_layer_shapes_are_torchs(config):
    """The page's shape metrics are those of nn.Conv2d's tensors, and its parameter count nn.Conv2d's."""
    try:
        conv, x, output = reference_conv(config)
    except (RuntimeError, ValueError, NotImplementedError):  # torch refuses: the page explains, shows no shapes
        return
    shapes = dict(layer_shapes(trace_of(config, conv, x)))
    assert shapes["conv.shape_input"] == str(list(x.shape))
    assert shapes["conv.shape_weight"] == str(list(conv.weight.shape))
    assert shapes["conv.shape_bias"] == (None if conv.bias is None else str(list(conv.bias.shape)))
    assert shapes["conv.shape_output"] == str(list(output.shape))
    assert shapes["conv.params"] == f"{sum(p.numel() for p in conv.parameters()):,}"


def test_unread_lines_are_the_lines_no_window_covers():
    # 7 columns, kernel 2, stride 3: windows read columns 0-1 and 3-4; 2, 5 and 6 are skipped
    trace = trace_conv2d(torch.ones(1, 1, 7), torch.ones(1, 1, 1, 2), stride=(1, 3))
    assert unread_lines(trace) == [("col", [2, 5, 6])]
    assert unread_lines(trace_conv2d(torch.ones(1, 4, 4), torch.ones(1, 1, 3, 3), padding=1)) == []
