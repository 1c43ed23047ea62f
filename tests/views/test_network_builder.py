"""The Network builder page's logic without Streamlit: what a link opens, what each button does to the stack, what
the link leaves out, and the layer table and totals against real torch models run on zeros."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given
from torch import nn
from torchvision.models.resnet import BasicBlock, Bottleneck

from tests_support import FITTING_PRESETS, MISTAKE_PRESETS, fitting_stacks
from vizconv.errors import MessageError, ParameterError
from vizconv.i18n.strings import text
from vizconv.nets.architectures import lenet5
from vizconv.nets.builder import (
    KINDS,
    LIMITS,
    MAX_LAYERS,
    MAX_STACK_CHARS,
    PRESETS,
    StackTextError,
    auto_fix,
    build_stack,
    encode_stack,
    layer,
    layer_summary,
    to_sequential,
)
from vizconv.views.network_builder import (
    COLUMNS,
    CUSTOM,
    DEFAULTS,
    FORM,
    Fix,
    Totals,
    append_layer,
    build,
    fitted_sizes,
    fix_offer,
    layer_rows,
    layer_table,
    left_out,
    markdown_table,
    move_layer,
    open_link,
    pick_labels,
    remove_layer,
    stack_text,
    totals,
)

# Each fitting preset written out by hand in torch (torchvision's blocks as torchvision builds them): the reference
# the table's shapes and parameter counts are checked against.
REFERENCES = {
    "lenet5": lambda: lenet5(classic=True),
    "basic_block": lambda: nn.Sequential(
        BasicBlock(64, 64),
        BasicBlock(
            64, 128, stride=2, downsample=nn.Sequential(nn.Conv2d(64, 128, 1, 2, bias=False), nn.BatchNorm2d(128))
        ),
    ),
    "bottleneck": lambda: nn.Sequential(
        Bottleneck(256, 64),
        Bottleneck(
            256, 128, stride=2, downsample=nn.Sequential(nn.Conv2d(256, 512, 1, 2, bias=False), nn.BatchNorm2d(512))
        ),
    ),
}


def _children_on_zeros(model: nn.Module, input_shape) -> list[tuple[tuple[int, ...], int]]:
    """(output shape, parameters) of each child of ``model`` run one after the other on zeros."""
    x, found = torch.zeros(1, *input_shape), []
    with torch.no_grad():
        for child in model.children():
            x = child(x)
            found.append((tuple(x.shape[1:]), sum(p.numel() for p in child.parameters())))
    return found


# ---------------------------------------------------------------- the table and the totals against torch


@pytest.mark.parametrize("name", FITTING_PRESETS)
def test_the_table_reads_torchs_shapes_and_parameters(name):
    input_shape, specs = PRESETS[name]
    reference = _children_on_zeros(REFERENCES[name]().eval(), input_shape)
    rows = layer_rows(build(input_shape, specs), "en")
    assert rows[0] == ["0", "input", "", "×".join(map(str, input_shape)), "", "1×1", "1"]
    assert [(row[3], row[4]) for row in rows[1:]] == [("×".join(map(str, s)), f"{n:,}") for s, n in reference]
    assert [row[2] for row in rows[1:]] == [layer_summary(spec) for spec in specs]
    result = totals(build(input_shape, specs))
    assert result.params == f"{sum(n for _, n in reference):,}"
    assert result.final_shape == "×".join(map(str, reference[-1][0]))
    assert result.layers == len(specs)


def test_lenet_totals_and_receptive_field():
    result = totals(build(*PRESETS["lenet5"]))
    assert result.params == f"{sum(p.numel() for p in lenet5(classic=True).parameters()):,}" == "61,706"
    assert (result.final_shape, result.layers, result.receptive_field) == ("10", 12, "16×16")


@given(fitting_stacks())
def test_the_totals_of_any_fitting_stack_are_torchs(stack):
    input_shape, specs = stack
    reference = _children_on_zeros(to_sequential(specs).eval(), input_shape)  # real modules on real zeros
    result = totals(build(input_shape, specs))
    assert result.params == f"{sum(n for _, n in reference):,}"
    assert result.final_shape == "×".join(map(str, reference[-1][0] if reference else input_shape))


@pytest.mark.parametrize("name", MISTAKE_PRESETS)
def test_a_stack_that_does_not_fit_shows_no_output_shape(name):
    input_shape, specs = PRESETS[name]
    built = build(input_shape, specs)
    assert built.failed is built.steps[-1] and built.incoming is None
    result = totals(built)
    assert result.final_shape == "—" and result.layers == len(specs)
    rows = layer_rows(built, "en")
    assert rows[built.failed.index][3] == text("nb.does_not_fit", "en") and rows[built.failed.index][4] == ""
    assert all(row[3] == text("nb.not_built", "en") for row in rows[built.failed.index + 1 :])
    assert len(rows) == len(specs) + 1


def test_an_empty_stack():
    built = build((3, 8, 8), [])
    assert built.incoming == (3, 8, 8) and built.failed is None and built.fitting == []
    assert totals(built) == Totals("0", "3×8×8", 0, "—")


def test_the_table_is_markdown_that_reads_as_written():
    table = markdown_table(["#", "a|b"], [["1", ":red[x] *y*"]], [True, False])
    assert table.splitlines() == ["| \\# | a\\|b |", "|---:|---|", "| 1 | \\:red\\[x\\] \\*y\\* |"]
    lines = layer_table(build(*PRESETS["lenet5"]), "zh").splitlines()
    assert len(lines) == 2 + 1 + len(PRESETS["lenet5"][1]) and lines[1].count("---:") == 3
    assert len(COLUMNS) == lines[0].count("|") - 1


# ---------------------------------------------------------------- the buttons


def test_append_fits_the_input_size_with_autofit():
    input_shape, specs = PRESETS["basic_block"]
    settings = dict(KINDS["batchnorm2d"])
    stack = append_layer(specs, input_shape, "batchnorm2d", settings, autofit=True)
    assert stack[-1] == layer("batchnorm2d", num_features=128) and len(stack) == 3
    kept = append_layer(specs, input_shape, "batchnorm2d", settings, autofit=False)
    assert kept[-1] == layer("batchnorm2d", num_features=KINDS["batchnorm2d"]["num_features"])
    # after a layer that does not fit, nothing can be fitted: the form's size is kept
    mismatch_shape, mismatch = PRESETS["mismatch"]
    assert append_layer(mismatch, mismatch_shape, "conv2d", dict(KINDS["conv2d"]), True)[-1] == layer("conv2d")


def test_append_refuses_with_a_reason():
    with pytest.raises(ParameterError, match="at most 1"):
        append_layer([], (1, 8, 8), "maxpool", {"kernel_size": 3, "stride": 1, "padding": 2}, True)
    relus = [layer("activation")] * MAX_LAYERS
    with pytest.raises(MessageError) as caught:
        append_layer(relus, (1, 8, 8), "flatten", {}, True)
    assert caught.value.key == "nb.err.too_many"


def test_move_and_remove():
    a, b, c = layer("activation", function="relu"), layer("flatten"), layer("activation", function="tanh")
    assert move_layer([a, b, c], 2, -1) == ([b, a, c], 1)
    assert move_layer([a, b, c], 3, 1) is None and move_layer([a, b, c], 1, -1) is None
    assert move_layer([], 1, 1) is None
    assert remove_layer([a, b, c], 3) == ([a, b], 2)
    assert remove_layer([a], 1) == ([], 1)
    assert remove_layer([a], 2) is None


def test_pick_labels_read_as_the_constructor():
    labels = pick_labels(PRESETS["lenet5"][1])
    assert labels[1] == "1 · nn.Conv2d(1, 6, kernel_size=5, padding=2)" and list(labels) == list(range(1, 13))


@pytest.mark.parametrize(
    ("name", "fix"),
    [
        ("mismatch", Fix("nb.fix.size", {"name": "in_channels", "value": 1})),
        ("no_flatten", Fix("nb.fix.flatten", {"value": 6 * 14 * 14})),
    ],
)
def test_the_fix_button_says_what_auto_fix_does(name, fix):
    input_shape, specs = PRESETS[name]
    assert fix_offer(build(input_shape, specs)) == fix
    assert build_stack(input_shape, auto_fix(input_shape, specs))[0].error is None


def test_no_fix_is_offered_where_a_decision_is_needed():
    assert fix_offer(build((1, 8, 8), PRESETS["lenet5"][1])) is None  # a window too large
    assert fix_offer(build(*PRESETS["lenet5"])) is None  # nothing to fix


def test_fitted_sizes_stay_within_the_widgets_bounds():
    assert fitted_sizes("conv2d", (7, 9, 9)) == {"in_channels": 7}
    assert fitted_sizes("linear", (16, 5, 5)) == {"in_features": 400}
    assert fitted_sizes("linear", (4096, 4096, 4096)) == {"in_features": LIMITS["in_features"][1]}
    assert fitted_sizes("maxpool", (7, 9, 9)) == {}


# ---------------------------------------------------------------- links


def test_a_link_without_settings_opens_nothing():
    assert open_link({}, None, (1, 28, 28)) is None


def test_a_preset_link_takes_its_input_shape():
    opening = open_link({"preset": "basic_block", "h": 28, "kind": "linear"}, None, (1, 28, 28))
    assert (opening.preset, opening.shape) == ("basic_block", (64, 28, 56))
    assert opening.stack == list(PRESETS["basic_block"][1]) and opening.kept is None
    assert opening.settings == {"kind": "linear"}
    assert open_link({"preset": CUSTOM}, None, (3, 8, 8)).stack == []


def test_a_stack_link_is_the_preset_only_while_it_is_the_presets_stack():
    input_shape, specs = PRESETS["lenet5"]
    text = encode_stack(input_shape, specs)
    assert open_link({"preset": "lenet5"}, text, (1, 1, 1)).preset == "lenet5"
    assert open_link({"preset": "lenet5"}, text + "-relu", (1, 1, 1)).preset == CUSTOM
    opening = open_link({"c": 3}, "conv3c16p1", (1, 28, 28))  # a hand-written stack on the default preset's input
    assert (opening.preset, opening.shape) == (CUSTOM, (3, 28, 28))
    assert opening.stack == [layer("conv2d", in_channels=3, out_channels=16, padding=1)]


def test_unreadable_link_text_is_kept_while_the_stack_is_what_was_read():
    opening = open_link({}, "relu-swish", (1, 28, 28))
    kept = opening.kept
    assert isinstance(kept.problem, StackTextError) and kept.text == "relu-swish"
    assert opening.stack == [layer("activation")] and kept.holds(opening.stack, (1, 28, 28))
    assert stack_text(opening.stack, (1, 28, 28), kept) == "relu-swish"
    assert not kept.holds(opening.stack, (1, 28, 29))
    assert stack_text(opening.stack, (1, 28, 29), kept) == "relu"
    assert stack_text([*opening.stack, layer("flatten")], (1, 28, 28), kept) == "relu-flatten"
    too_long = open_link({}, "relu-" * 500, (1, 28, 28))
    assert too_long.kept.text is None and len("relu-" * 500) > MAX_STACK_CHARS
    assert stack_text(too_long.stack, (1, 28, 28), too_long.kept) is None  # an empty stack stays out


def test_the_link_leaves_out_what_the_view_does_not_use():
    unused = left_out("conv2d", autofitted=True, has_stack=False)
    assert "conv2d_in_channels" in unused and "pick" in unused and "conv2d_kernel_size" not in unused
    assert unused == {key for key, (kind, _) in FORM.items() if kind != "conv2d"} | {"conv2d_in_channels", "pick"}
    assert left_out("flatten", autofitted=True, has_stack=True) == {k for k, (kind, _) in FORM.items()}
    assert "conv2d_in_channels" not in left_out("conv2d", autofitted=False, has_stack=True)


def test_defaults_hold_every_form_setting():
    assert {key: DEFAULTS[key] for key in FORM} == {key: KINDS[kind][name] for key, (kind, name) in FORM.items()}
    assert DEFAULTS["preset"] in PRESETS and DEFAULTS["kind"] in KINDS
