"""Activations on a feature map, the histograms, and the real feature maps the page uses."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from vizconv.errors import ParameterError
from vizconv.inputs.feature_sources import digit_path, kernel_response, lenet_maps
from vizconv.nets.models import load_model
from vizconv.ops.activations import ACTIVATIONS, activate, activation_latex, histogram

REFERENCE = {
    "relu": F.relu,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.2),
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "gelu": F.gelu,
}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_equals_torch(name):
    torch.manual_seed(0)
    x = torch.randn(2, 9, 9)
    result = activate(x, name, 0.2)
    torch.testing.assert_close(result.after, REFERENCE[name](x))
    assert result.negative == pytest.approx(float((x < 0).float().mean()))
    assert activation_latex(name, 0.2)


def test_relu_zeroes_exactly_the_negative_values():
    x = torch.tensor([[-2.0, 0.0, 3.0], [-1.0, 5.0, -0.5]])
    result = activate(x, "relu")
    assert result.zeroed == pytest.approx(3 / 6)
    assert result.changed == pytest.approx(3 / 6)
    assert activate(x, "leaky_relu", 0.1).zeroed == 0.0
    assert activate(x, "sigmoid").zeroed == 0.0


@pytest.mark.parametrize(("name", "slope", "message"), [("swish", 0.01, "is not one of"), ("leaky_relu", 1.5, "slope")])
def test_invalid_activation_settings(name, slope, message):
    with pytest.raises(ParameterError, match=message):
        activate(torch.zeros(2, 2), name, slope)


def test_histogram_counts_every_value():
    values = torch.tensor([0.0, 0.0, 1.0, 2.0, 2.0, 2.0])
    counts = histogram(values, bins=4)
    assert sum(counts["counts"]) == 6
    assert counts["counts"][0] == 2 and counts["counts"][-1] == 3
    assert histogram(torch.zeros(5))["counts"][0] == 5  # a constant map still gets a bin


def test_lenet_maps_are_the_real_first_layer():
    model, info = load_model("lenet5")
    with Image.open(digit_path(7)) as picture:
        maps = lenet_maps(model, info, picture.convert("RGB"))
    assert maps["conv1"].shape == (6, 28, 28) and maps["pool1"].shape == (6, 14, 14)
    torch.testing.assert_close(maps["relu1"], F.relu(maps["conv1"]))
    torch.testing.assert_close(maps["pool1"], F.max_pool2d(maps["relu1"][None], 2)[0])
    assert float(maps["conv1"].min()) < 0  # signed: something for ReLU to remove


def test_kernel_response_keeps_the_size_and_is_signed():
    x = torch.zeros(1, 8, 8)
    x[:, :, 4:] = 1.0  # a vertical edge
    response = kernel_response(x, "sobel_x")
    assert response.shape == (1, 8, 8)
    assert float(response.max()) > 0 and float(response[0, 4, 0]) == 0.0
