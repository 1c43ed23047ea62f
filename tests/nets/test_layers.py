"""Layer trace: shapes, parameters and receptive fields from a real forward pass."""

from __future__ import annotations

import torch
from torch import nn

from vizconv.nets import layers
from vizconv.nets.architectures import ResNet20, lenet5
from vizconv.nets.capture import capture
from vizconv.nets.layers import layer_table, trace_layers


def test_lenet_trace_matches_the_notes():
    rows = trace_layers(lenet5(), torch.zeros(1, 28, 28))
    shapes = [r.shape for r in rows if r.kind in ("Conv2d", "MaxPool2d", "Flatten", "Linear")]
    assert shapes == [(6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5), (400,), (120,), (84,), (10,)]
    fields = {r.name: (r.receptive_field, r.jump) for r in rows}
    assert fields["0"] == (5, 1) and fields["2"] == (6, 2) and fields["3"] == (14, 2) and fields["5"] == (16, 4)
    assert fields["7"] == (None, None)
    assert sum(r.params for r in rows) == sum(p.numel() for p in lenet5().parameters())


def test_resnet20_receptive_field_follows_the_main_branch():
    model = ResNet20()
    rows = {r.name: r for r in trace_layers(model, torch.zeros(3, 32, 32))}
    assert rows["conv1"].receptive_field == 3
    assert rows["layer1.2"].receptive_field == 15  # 3 + 3 blocks x 2 convs x 2
    assert (rows["layer2.0"].receptive_field, rows["layer2.0"].jump) == (21, 2)
    assert (rows["layer3.2"].receptive_field, rows["layer3.2"].jump) == (81, 4)
    assert rows["layer2.0.downsample.0"].receptive_field == 15  # a 1x1 conv on the block input adds nothing


def test_names_agree_with_capture():
    model = ResNet20()
    x = torch.rand(3, 32, 32)
    assert [r.name for r in trace_layers(model, x)] == list(capture(model, x))
    assert sum(len(m._forward_hooks) for m in model.modules()) == 0


def test_receptive_windows_on_the_input():
    rows = {r.name: r for r in trace_layers(lenet5(), torch.zeros(1, 28, 28))}
    # conv1 (5x5, padding 2): output cell (0, 0) sees input rows/cols -2..2 (two of them padding)
    assert rows["0"].window(0, 0) == (-2.0, -2.0, 2.0, 2.0)
    # after pool1 (2x2, stride 2): cell (1, 1) sees rows 0..5 shifted by one stride of 2
    assert rows["2"].window(1, 1) == (0.0, 0.0, 5.0, 5.0)
    # conv2 (5x5, no padding) on the pooled map: cell (0, 0) covers input rows -2..11 (14 rows)
    assert rows["3"].window(0, 0) == (-2.0, -2.0, 11.0, 11.0)
    assert rows["7"].window(0, 0) is None


def test_layer_table_equals_trace_layers_on_a_real_input_and_is_computed_once():
    model = ResNet20().eval()
    x = torch.randn(1, 3, 32, 32, generator=torch.Generator().manual_seed(0))
    expected = trace_layers(model, x)
    assert layer_table(model, tuple(x.shape)) == expected  # values never change the table
    calls = []
    handle = model.register_forward_pre_hook(lambda module, inputs: calls.append(1))
    try:
        assert layer_table(model, (3, 32, 32)) == expected  # [C, H, W] is the same shape
        assert not calls  # from the cache: no forward pass
        assert layer_table(model, (1, 3, 40, 40))[0].shape == (16, 40, 40)
        assert len(calls) == 1  # a new shape is traced
    finally:
        handle.remove()


def test_layer_table_keeps_a_bounded_number_of_shapes():
    small = nn.Sequential(nn.Conv2d(1, 2, 3))
    for side in range(20, 20 + layers.MAX_SHAPES_PER_MODEL + 3):
        assert layer_table(small, (1, side, side))[0].shape == (2, side - 2, side - 2)
    assert len(layers._tables[small]) == layers.MAX_SHAPES_PER_MODEL
