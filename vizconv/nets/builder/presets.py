"""The classic stacks the page opens with (LeNet-5, ResNet's residual blocks, two classic mistakes), and the
course notes' residual block as written and corrected.

References: LeNet-5 as in the course notes and Dive into Deep Learning §7.6; the blocks are torchvision's
``BasicBlock`` and ``Bottleneck`` (torchvision/models/resnet.py).
"""

from __future__ import annotations

from vizconv.nets.builder.spec import LayerSpec, layer

__all__ = ["CORRECTED_RESIDUAL_CODE", "NOTES_RESIDUAL_CODE", "PRESETS"]

PRESETS: dict[str, tuple[tuple[int, int, int], tuple[LayerSpec, ...]]] = {
    # LeNet-5 as in the notes: sigmoid and average pooling, 28×28 digits padded to keep 28×28 in conv1
    "lenet5": (
        (1, 28, 28),
        (
            layer("conv2d", in_channels=1, out_channels=6, kernel_size=5, padding=2),  # [6, 28, 28]
            layer("activation", function="sigmoid"),
            layer("avgpool", kernel_size=2, stride=2),  # [6, 14, 14]
            layer("conv2d", in_channels=6, out_channels=16, kernel_size=5),  # [16, 10, 10]
            layer("activation", function="sigmoid"),
            layer("avgpool", kernel_size=2, stride=2),  # [16, 5, 5]
            layer("flatten"),  # [400]
            layer("linear", in_features=400, out_features=120),
            layer("activation", function="sigmoid"),
            layer("linear", in_features=120, out_features=84),
            layer("activation", function="sigmoid"),
            layer("linear", in_features=84, out_features=10),
        ),
    ),
    # ResNet-18/34's conv2_x input; the second block halves the size and doubles the channels
    "basic_block": (
        (64, 56, 56),
        (
            layer("basic_block", in_channels=64, out_channels=64),  # [64, 56, 56], identity shortcut
            layer("basic_block", in_channels=64, out_channels=128, stride=2),  # [128, 28, 28], 1×1 shortcut
        ),
    ),
    # ResNet-50's bottlenecks: 1×1 squeezes 256 -> 64, 3×3 works on 64, 1×1 expands to 256
    "bottleneck": (
        (256, 56, 56),
        (
            layer("bottleneck", in_channels=256, width=64),  # [256, 56, 56]
            layer("bottleneck", in_channels=256, width=128, stride=2),  # [512, 28, 28]
        ),
    ),
    # a [16, 3, 5, 5] weight on a 1-channel digit
    "mismatch": (
        (1, 28, 28),
        (
            layer("conv2d", in_channels=3, out_channels=16, kernel_size=5),
            layer("activation", function="relu"),
            layer("maxpool", kernel_size=2, stride=2),
            layer("flatten"),
            layer("linear", in_features=16 * 12 * 12, out_features=10),
        ),
    ),
    # a classifier head without Flatten
    "no_flatten": (
        (1, 28, 28),
        (
            layer("conv2d", in_channels=1, out_channels=6, kernel_size=5, padding=2),
            layer("activation", function="relu"),
            layer("maxpool", kernel_size=2, stride=2),
            layer("linear", in_features=6 * 14 * 14, out_features=10),
        ),
    ),
}

# ---------------------------------------------------------------- the notes' residual block

# The three-convolution residual block from the course notes, as written (comments dropped).
NOTES_RESIDUAL_CODE = """\
class Res(nn.Module):
    def __init__(self, cha_in, cha_out):
        super().__init__()
        self.conv1 = nn.Conv2d(cha_in, cha_out, kernel_size=1, stride=1)
        self.conv2 = nn.Conv2d(cha_out, cha_out, kernel_size=3, stride=1, padding=1)
        self.conv3 = nn.Conv2d(cha_out, 256, kernel_size=1, stride=1)
        self.bn1 = nn.BatchNorm2d(cha_out)
        self.bn1 = nn.BatchNorm2d(cha_out)
        self.bn3 = nn.BatchNorm2d(256)
        self.extra = nn.Sequential()
        if cha_in != 256:
            self.extra = nn.Sequential(
                nn.Conv2d(cha_in, 256, kernel_size=1, stride=1),
                nn.BatchNorm2d(256)
                )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = F.relu(self.bn3(self.conv3(out)))
        sout = self.extra(x) + out
        return out
"""

# The same block corrected: what the "bottleneck" preset builds (torchvision's Bottleneck, stride 1).
CORRECTED_RESIDUAL_CODE = """\
class Res(nn.Module):
    def __init__(self, cha_in, cha_out):
        super().__init__()
        self.conv1 = nn.Conv2d(cha_in, cha_out, kernel_size=1, bias=False)
        self.conv2 = nn.Conv2d(cha_out, cha_out, kernel_size=3, padding=1, bias=False)
        self.conv3 = nn.Conv2d(cha_out, 4 * cha_out, kernel_size=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cha_out)
        self.bn2 = nn.BatchNorm2d(cha_out)  # was a second bn1: bn2 never existed
        self.bn3 = nn.BatchNorm2d(4 * cha_out)
        self.extra = nn.Sequential()  # identity shortcut when the shapes already agree
        if cha_in != 4 * cha_out:
            self.extra = nn.Sequential(
                nn.Conv2d(cha_in, 4 * cha_out, kernel_size=1, bias=False),
                nn.BatchNorm2d(4 * cha_out),
            )

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = F.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))  # no ReLU before the sum
        return F.relu(out + self.extra(x))  # return the sum with the shortcut, then ReLU
"""
