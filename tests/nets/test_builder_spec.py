"""vizconv.nets.builder.spec: a layer's settings checked and completed, torch's own rules (pool padding), and the
module each spec stands for."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from vizconv.errors import ParameterError
from vizconv.nets.builder import KINDS, PRESETS, LayerSpec, build_stack, layer, to_module


@pytest.mark.parametrize("name", list(PRESETS))
def test_params_are_the_real_modules(name):
    input_shape, specs = PRESETS[name]
    for step in build_stack(input_shape, specs):
        if step.error is None:
            assert step.params == sum(p.numel() for p in to_module(step.spec).parameters())


def test_pool_padding_follows_torchs_rule():
    with pytest.raises(ParameterError, match="at most 1") as caught:
        layer("maxpool", kernel_size=3, stride=1, padding=2)
    assert caught.value.key == "nb.err.pool_padding"
    with pytest.raises(RuntimeError):  # torch refuses the same layer
        nn.MaxPool2d(kernel_size=3, stride=1, padding=2)(torch.zeros(1, 1, 8, 8))
    spec = layer("avgpool", kernel_size=3, stride=1, padding=1)  # half the window: allowed
    assert build_stack((1, 8, 8), [spec])[0].shape == (1, 8, 8)


@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: layer("conv2d", kernel_size=0), "kernel_size must be at least 1"),
        (lambda: layer("conv2d", stride="2"), "stride must be a whole number"),
        (lambda: layer("conv2d", padding=-1), "padding must be at least 0"),
        (lambda: layer("conv2d", out_channels=2.5), "out_channels must be a whole number"),
        (lambda: layer("linear", in_features=True), "in_features must be a whole number"),
        (lambda: layer("linear", bias="yes"), "bias must be True or False"),
        (lambda: layer("activation", function="swish"), "Activation 'swish' is not one of"),
        (lambda: layer("conv3d"), "Layer type 'conv3d' is not one of"),
        (lambda: layer("flatten", start_dim=1), "Flatten has no setting start_dim"),
        (lambda: build_stack((0, 28, 28), []), "channels C must be at least 1"),
        (lambda: build_stack((1, 28), []), r"three numbers \[C, H, W\]"),
        (lambda: build_stack((1, 28, 28), ["conv2d"]), "is not one of"),
    ],
)
def test_bad_numbers_raise_an_explained_value_error(make, match):
    with pytest.raises(ValueError, match=match) as caught:
        make()
    assert isinstance(caught.value, ParameterError)


def test_specs_fill_defaults_and_compare_by_value():
    spec = layer("conv2d", in_channels=3, out_channels=8)
    assert spec.params == {**KINDS["conv2d"], "in_channels": 3, "out_channels": 8}
    assert spec == LayerSpec("conv2d", {"out_channels": 8, "in_channels": 3})
    assert len({spec, spec.replace(kernel_size=3)}) == 1
    assert spec.replace(kernel_size=5).params["kernel_size"] == 5
