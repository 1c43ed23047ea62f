"""vizconv.nets.builder.code: the exported nn.Sequential code run for real, each child's output shape and
parameters against the builder's."""

from __future__ import annotations

import contextlib
import io

import pytest
import torch
from hypothesis import given
from torch import nn

from tests_support import FITTING_PRESETS, MISTAKE_PRESETS, fitting_stacks
from vizconv.errors import ParameterError
from vizconv.nets.builder import PRESETS, build_stack, sequential_code


def _run_code(code: str) -> tuple[nn.Sequential, list[tuple[int, ...]], str]:
    """exec the exported code; the model, the output shape after each child (run one after the other), and what
    it printed."""
    namespace: dict = {}
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(code, namespace)  # our own generated code
    model, x = namespace["model"], namespace["x"]
    shapes: list[tuple[int, ...]] = []
    with torch.no_grad():
        for child in model:
            x = child(x)
            shapes.append(tuple(x.shape[1:]))
    return model, shapes, printed.getvalue()


def _check_code_against_builder(input_shape, specs) -> None:
    steps = build_stack(input_shape, specs)
    model, shapes, printed = _run_code(sequential_code(input_shape, specs))
    assert shapes == [step.shape for step in steps]
    assert [sum(p.numel() for p in child.parameters()) for child in model] == [step.params for step in steps]
    final = steps[-1].shape if steps else tuple(input_shape)
    assert printed.strip() == str(torch.Size([1, *final]))


@pytest.mark.parametrize("name", FITTING_PRESETS)
def test_exported_code_runs_with_the_builders_shapes(name):
    _check_code_against_builder(*PRESETS[name])
    code = sequential_code(*PRESETS[name])
    assert "model = nn.Sequential(" in code
    assert ("BasicBlock" in code) == (name == "basic_block")
    assert ("Bottleneck" in code) == (name == "bottleneck")


def test_exported_code_names_the_shortcut_and_the_shapes():
    code = sequential_code(*PRESETS["basic_block"])
    assert "nn.Conv2d(64, 128, kernel_size=1, stride=2, bias=False)," in code
    assert "# 2: [128, 28, 28], 230,144 parameters" in code
    assert "from torchvision.models.resnet import BasicBlock\n" in code


def test_an_empty_stack_is_the_identity():
    assert build_stack((3, 8, 8), []) == []
    _check_code_against_builder((3, 8, 8), [])


@pytest.mark.parametrize("name", MISTAKE_PRESETS)
def test_code_of_a_stack_that_does_not_fit_raises_its_error(name):
    with pytest.raises(ParameterError, match="Layer"):
        sequential_code(*PRESETS[name])


# ---------------------------------------------------------------- random stacks against the exported code


@given(fitting_stacks())
def test_random_stacks_match_the_exported_code(stack):
    input_shape, specs = stack
    steps = build_stack(input_shape, specs)
    assert all(step.error is None for step in steps)
    _check_code_against_builder(input_shape, specs)
