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


class _SqueezeExcitation(nn.Module):
    """Squeeze-and-excitation as torchvision writes it: a 1×1 scale per channel from a global average pooling,
    multiplied onto the input (``input * scale``, no module of its own)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1 = nn.Conv2d(channels, 2, 1)
        self.relu = nn.ReLU()
        self.fc2 = nn.Conv2d(2, channels, 1)
        self.gate = nn.Sigmoid()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gate(self.fc2(self.relu(self.fc1(self.pool(x)))))


class _SENet(nn.Module):
    """conv1 3×3 → conv2 3×3 stride 2 → SE → conv3 3×3 → SE written out (a mean) added to its input → conv4."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, padding=1)
        self.conv2 = nn.Conv2d(4, 4, 3, stride=2, padding=1)
        self.se = _SqueezeExcitation(4)
        self.conv3 = nn.Conv2d(4, 4, 3, padding=1)
        self.conv4 = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv3(self.se(self.conv2(self.conv1(x))))
        x = x + torch.sigmoid(x.mean((2, 3), keepdim=True))  # a gate added, not multiplied: no module at all
        return self.conv4(x)


def test_a_squeeze_and_excitation_block_keeps_its_inputs_field():
    """By hand, on a 16×16 input: conv1 (3×3) r = 3, j = 1; conv2 (3×3, stride 2) r = 3 + 2 = 5, j = 2; the SE
    pooling sees the whole 8×8 map: r = 5 + 7·2 = 19, j = 16, centred on pixel 7 (window -2..16). Its scale
    multiplies each cell by one number per channel, so conv3 sees conv2's cells: r = 5 + 2·2 = 9, j = 2 (not
    19 + 2·16 = 51 from the pooling's field), and conv4 after the added gate 9 + 2·2 = 13."""
    rows = {r.name: r for r in trace_layers(_SENet(), torch.zeros(1, 16, 16))}
    fields = {name: (r.receptive_field, r.jump, r.start) for name, r in rows.items()}
    assert fields["conv1"] == (3, 1, 0.0)
    assert fields["conv2"] == (5, 2, 0.0)
    assert fields["se.pool"] == fields["se.fc1"] == fields["se.fc2"] == fields["se.gate"] == (19, 16, 7.0)
    assert rows["se.pool"].window(0, 0) == (-2.0, -2.0, 16.0, 16.0)  # the whole picture and its padding
    assert fields["conv3"] == (9, 2, 0.0)
    assert fields["conv4"] == (13, 2, 0.0)


def test_the_fields_hold_every_input_pixel_an_output_reads_after_se():
    """The gradient of a conv4 value reaches only pixels inside its window, apart from the gates' global
    pooling (which reaches every pixel): with the gates held constant, exactly the window's pixels."""
    torch.manual_seed(0)
    model = _SENet().eval()
    row = {r.name: r for r in trace_layers(model, torch.zeros(1, 16, 16))}["conv4"]
    x = torch.randn(1, 1, 16, 16, requires_grad=True)
    model.se.gate.register_forward_hook(lambda m, i, o: o.detach())  # the SE scale as a constant
    with torch.autograd.set_grad_enabled(True):
        h = model.conv3(model.se(model.conv2(model.conv1(x))))
        y = model.conv4(h + torch.sigmoid(h.mean((2, 3), keepdim=True)).detach())
    (grad,) = torch.autograd.grad(y[0, 0, 4, 4], x)
    pixels = grad[0, 0].abs().nonzero()
    top, left, bottom, right = row.window(4, 4)
    assert (pixels.min(0).values.tolist(), pixels.max(0).values.tolist()) == ([top, left], [bottom, right])


class _Inception(nn.Module):
    """Two branches of different fields, concatenated: each output cell sees the wider one's window."""

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Conv2d(1, 2, 3, padding=1)
        self.narrow = nn.Conv2d(2, 2, 1)
        self.wide = nn.Conv2d(2, 2, 5, padding=2)
        self.after = nn.Conv2d(4, 2, 3, padding=1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.stem(x)
        return self.after(torch.cat([self.wide(x), self.narrow(x)], dim=1))  # the narrow branch traced last


def test_a_concatenation_sees_its_widest_branch():
    rows = {r.name: r.receptive_field for r in trace_layers(_Inception(), torch.zeros(1, 12, 12))}
    assert rows == {"stem": 3, "narrow": 3, "wide": 7, "after": 9}


def test_a_transposed_convolution_halves_the_jump_and_its_windows_hold_what_it_reads():
    """ConvTranspose2d(k 3, stride 2, padding 1) after a stride-2 conv: jump 2 / 2 = 1, and the window grows by
    (k - 1) / s input cells of 2 pixels, 2 pixels; every output cell's gradient lies inside its window."""
    torch.manual_seed(1)
    model = nn.Sequential(nn.Conv2d(1, 2, 3, stride=2, padding=1), nn.ConvTranspose2d(2, 1, 3, 2, 1, 1)).eval()
    rows = trace_layers(model, torch.zeros(1, 12, 12))
    assert [(r.kind, r.shape, r.receptive_field, r.jump) for r in rows] == [
        ("Conv2d", (2, 6, 6), 3, 2),
        ("ConvTranspose2d", (1, 12, 12), 5, 1),
    ]
    x = torch.randn(1, 1, 12, 12, requires_grad=True)
    y = model(x)
    for oy in range(12):
        (grad,) = torch.autograd.grad(y[0, 0, oy, 5], x, retain_graph=True)
        pixels = grad[0, 0].abs().nonzero()
        top, left, bottom, right = rows[1].window(oy, 5)
        assert pixels[:, 0].min() >= max(top, 0) and pixels[:, 0].max() <= bottom, oy
        assert pixels[:, 1].min() >= max(left, 0) and pixels[:, 1].max() <= right, oy


def test_convnexts_channels_last_layers_are_named_and_its_maps_kept():
    """Inside a ConvNeXt block the LayerNorm, the two Linear layers and the GELU between them work on (H, W, C):
    ``channels_last`` names exactly those, so no page draws them as H channels of W × C."""
    from torchvision.models import convnext_tiny

    from vizconv.nets.layers import channels_last

    rows = layer_table(convnext_tiny(), (1, 3, 64, 64))
    found = channels_last(rows)
    block = [r for r in rows if r.name.startswith("features.1.0.")]
    assert {r.name for r in block if r.name in found} == {f"features.1.0.block.{i}" for i in (2, 3, 4, 5)}
    assert [r.kind for r in block if r.name in found] == ["LayerNorm", "Linear", "GELU", "Linear"]
    assert {r.kind for r in rows if len(r.shape) == 3 and r.name not in found} == {
        "Conv2d",
        "LayerNorm2d",
        "AdaptiveAvgPool2d",
    }
    assert not channels_last(layer_table(lenet5(), (1, 1, 28, 28)))  # channels first everywhere else
