"""The network architectures vizconv trains and shows: LeNet-5 (two variants) and the CIFAR ResNet-20.

References:
- LeNet-5 as written in Dive into Deep Learning §7.6 (``nn.Sequential`` with
  sigmoid and average pooling); the "lenet5" variant swaps in ReLU and max
  pooling, as most modern code does.
- ResNet-20: He, Zhang, Ren, Sun, "Deep Residual Learning for Image
  Recognition" (CVPR 2016), §4.2: a 3x3 stem with 16 channels, three stages of
  n = 3 basic blocks at 16/32/64 channels (the first block of stages 2 and 3
  has stride 2), global average pooling and a 10-way linear layer. Blocks are
  torchvision's ``BasicBlock``; where the channel count changes, the shortcut
  is a 1x1 convolution with batch norm (the paper's option B; its CIFAR
  experiments used option A, zero-padding).
"""

from __future__ import annotations

from torch import nn
from torchvision.models.resnet import BasicBlock

__all__ = ["ResNet20", "lenet5"]


def lenet5(classic: bool = False) -> nn.Sequential:
    """LeNet-5 for 1x28x28 digits: ReLU + max pooling, or (classic) sigmoid + average pooling."""
    activation = nn.Sigmoid if classic else nn.ReLU
    pool = nn.AvgPool2d if classic else nn.MaxPool2d
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2),  # (6, 28, 28)
        activation(),
        pool(kernel_size=2, stride=2),  # (6, 14, 14)
        nn.Conv2d(6, 16, kernel_size=5),  # (16, 10, 10)
        activation(),
        pool(kernel_size=2, stride=2),  # (16, 5, 5)
        nn.Flatten(),  # (400,)
        nn.Linear(16 * 5 * 5, 120),
        activation(),
        nn.Linear(120, 84),
        activation(),
        nn.Linear(84, 10),
    )


def _stage(in_channels: int, channels: int, blocks: int, stride: int) -> nn.Sequential:
    downsample = None
    if stride != 1 or in_channels != channels:
        downsample = nn.Sequential(
            nn.Conv2d(in_channels, channels, kernel_size=1, stride=stride, bias=False),
            nn.BatchNorm2d(channels),
        )
    layers = [BasicBlock(in_channels, channels, stride=stride, downsample=downsample)]
    layers += [BasicBlock(channels, channels) for _ in range(blocks - 1)]
    return nn.Sequential(*layers)


class ResNet20(nn.Module):
    """ResNet-20 for 3x32x32 CIFAR-10 images (about 0.27 M parameters)."""

    def __init__(self, num_classes: int = 10, blocks: int = 3) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 16, kernel_size=3, padding=1, bias=False)  # (16, 32, 32)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu = nn.ReLU(inplace=True)
        self.layer1 = _stage(16, 16, blocks, stride=1)  # (16, 32, 32)
        self.layer2 = _stage(16, 32, blocks, stride=2)  # (32, 16, 16)
        self.layer3 = _stage(32, 64, blocks, stride=2)  # (64, 8, 8)
        self.avgpool = nn.AdaptiveAvgPool2d(1)  # (64, 1, 1)
        self.flatten = nn.Flatten()  # (64,)
        self.fc = nn.Linear(64, num_classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)
        for module in self.modules():  # start each residual branch near identity (as torchvision's zero_init_residual)
            if isinstance(module, BasicBlock):
                nn.init.zeros_(module.bn2.weight)

    def forward(self, x):
        x = self.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        return self.fc(self.flatten(self.avgpool(x)))
