"""vizconv.nets.builder.presets: the classic stacks against the bundled LeNet-5, torchvision's blocks and
trace_layers on a real pass; the notes' residual block as written fails, corrected it is torchvision's Bottleneck."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torchvision.models.resnet import Bottleneck

from vizconv.nets.architectures import lenet5
from vizconv.nets.builder import (
    CORRECTED_RESIDUAL_CODE,
    NOTES_RESIDUAL_CODE,
    PRESETS,
    build_stack,
    layer,
    layer_summary,
    to_module,
    to_sequential,
)
from vizconv.nets.layers import trace_layers


def test_lenet_preset_follows_the_notes():
    steps = build_stack(*PRESETS["lenet5"])
    assert [s.shape for s in steps if s.spec.kind != "activation"] == [
        (6, 28, 28),
        (6, 14, 14),
        (16, 10, 10),
        (16, 5, 5),
        (400,),
        (120,),
        (84,),
        (10,),
    ]
    assert [s.params for s in steps if s.params] == [156, 2416, 48120, 10164, 850]
    assert all(s.error is None and s.note is None for s in steps)


def test_lenet_preset_is_the_bundled_classic_lenet():
    """Same modules (the weights load), same receptive fields and parameters as trace_layers on a real pass."""
    _, specs = PRESETS["lenet5"]
    reference = lenet5(classic=True)
    to_sequential(specs).load_state_dict(reference.state_dict())  # strict: same layers, same shapes
    rows = trace_layers(reference, torch.zeros(1, 28, 28))
    steps = build_stack(*PRESETS["lenet5"])
    assert [(r.receptive_field, r.jump, r.shape, r.params) for r in rows] == [
        (s.receptive_field, s.jump, s.shape, s.params) for s in steps
    ]
    assert [s.receptive_field for s in steps[:6]] == [5, 5, 6, 14, 14, 16]


@pytest.mark.parametrize("name", ["basic_block", "bottleneck"])
def test_block_receptive_fields_match_trace_layers(name):
    input_shape, specs = PRESETS[name]
    rows = {r.name: r for r in trace_layers(to_sequential(specs), torch.zeros(input_shape))}
    for step in build_stack(input_shape, specs):
        row = rows[str(step.index - 1)]
        assert (row.receptive_field, row.jump, row.shape) == (step.receptive_field, step.jump, step.shape)


def test_block_presets_shapes_and_shortcuts():
    basic = build_stack(*PRESETS["basic_block"])
    assert [s.shape for s in basic] == [(64, 56, 56), (128, 28, 28)]
    assert [(s.receptive_field, s.jump) for s in basic] == [(5, 1), (11, 2)]
    bottleneck = build_stack(*PRESETS["bottleneck"])
    assert [s.shape for s in bottleneck] == [(256, 56, 56), (512, 28, 28)]
    assert [(s.receptive_field, s.jump) for s in bottleneck] == [(3, 1), (5, 2)]
    identity, projected = (to_module(s) for s in PRESETS["basic_block"][1])
    assert identity.downsample is None
    assert isinstance(projected.downsample[0], nn.Conv2d) and projected.downsample[0].stride == (2, 2)
    assert to_module(PRESETS["bottleneck"][1][0]).downsample is None  # 256 in, 4 × 64 out, stride 1
    assert "downsample=…" in layer_summary(PRESETS["basic_block"][1][1])


# ---------------------------------------------------------------- the notes' residual block


def test_the_notes_residual_block_fails_as_the_page_says():
    namespace = {"nn": nn, "F": F}
    exec(NOTES_RESIDUAL_CODE, namespace)
    block = namespace["Res"](256, 64)
    assert not hasattr(block, "bn2")
    with pytest.raises(AttributeError, match="bn2"):
        block(torch.zeros(1, 256, 8, 8))


def test_the_corrected_block_is_torchvisions_bottleneck():
    namespace = {"nn": nn, "F": F}
    exec(CORRECTED_RESIDUAL_CODE, namespace)
    torch.manual_seed(0)
    reference = to_module(layer("bottleneck", in_channels=256, width=64)).eval()
    assert isinstance(reference, Bottleneck)
    for module in reference.modules():  # non-trivial batch-norm statistics
        if isinstance(module, nn.BatchNorm2d):
            nn.init.uniform_(module.running_mean, -0.5, 0.5)
            nn.init.uniform_(module.running_var, 0.5, 1.5)
            nn.init.uniform_(module.weight, 0.5, 1.5)
    corrected = namespace["Res"](256, 64).eval()
    corrected.load_state_dict(reference.state_dict())  # strict: the same layers
    x = torch.randn(2, 256, 6, 6)
    with torch.no_grad():
        torch.testing.assert_close(corrected(x), reference(x))
