"""Helpers for the explanation tests (not a test module): inputs, and ResNet-20's forward pass written out by hand
(nothing in place), to take gradients at any layer without hooks."""

from __future__ import annotations

import torch
from torch import nn


def cifar_input(seed: int) -> torch.Tensor:
    """A standardised-looking random input [1, 3, 32, 32]."""
    return torch.randn(1, 3, 32, 32, generator=torch.Generator().manual_seed(seed))


def digit_input(seed: int) -> torch.Tensor:
    return torch.randn(1, 1, 28, 28, generator=torch.Generator().manual_seed(seed))


def resnet20_by_hand(model: nn.Module, x: torch.Tensor, layer: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(logits [1, 10], the output of ``layer`` [1, K, h, w]) from ResNet-20's forward pass written out with
    functional, out-of-place operations: the layer's output is a tensor of the graph that nothing overwrites."""
    relu = nn.functional.relu
    kept = {}

    def keep(name: str, value: torch.Tensor) -> torch.Tensor:
        kept[name] = value
        return value

    h = keep("conv1", model.conv1(x))
    h = keep("bn1", model.bn1(h))
    h = keep("relu", relu(h))
    for stage in ("layer1", "layer2", "layer3"):
        for i, block in enumerate(getattr(model, stage)):
            p = f"{stage}.{i}"
            out = keep(p + ".conv1", block.conv1(h))
            out = keep(p + ".bn1", block.bn1(out))
            out = keep(p + ".relu", relu(out))
            out = keep(p + ".conv2", block.conv2(out))
            out = keep(p + ".bn2", block.bn2(out))
            identity = h
            if block.downsample is not None:
                identity = keep(p + ".downsample.0", block.downsample[0](h))
                identity = keep(p + ".downsample.1", block.downsample[1](identity))
            h = keep(p + ".relu#2", relu(out + identity))
            kept[p] = h
    logits = model.fc(torch.flatten(model.avgpool(h), 1))
    return logits, kept[layer]
