"""Kernel presets and classroom samples."""

from __future__ import annotations

import pytest
import torch

from vizconv import ParameterError, trace_conv2d
from vizconv.inputs.kernels import KERNEL_PRESETS, available_presets, make_kernel, make_weight
from vizconv.inputs.samples import SAMPLES, model_samples, random_grid, sample_input


@pytest.mark.parametrize("name", KERNEL_PRESETS)
@pytest.mark.parametrize("size", [(3, 3), (5, 4), (7, 7)])
def test_presets_have_the_requested_size(name, size):
    assert make_kernel(name, *size).shape == size


def test_fixed_filters_are_centred_in_larger_kernels():
    kernel = make_kernel("sobel_x", 5, 5)
    assert kernel[1:4, 1:4].tolist() == [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
    assert float(kernel.abs().sum()) == 8.0


def test_small_kernels_offer_only_sized_presets():
    assert "sobel_x" not in available_presets(2, 3)
    with pytest.raises(ParameterError, match="3×3"):
        make_kernel("sobel_x", 2, 2)


def test_blurs_sum_to_one():
    for name in ("box_blur", "gaussian"):
        assert float(make_kernel(name, 5, 3).sum()) == pytest.approx(1.0)


def test_random_kernels_follow_their_seed():
    assert torch.equal(make_kernel("random_normal", 3, 3, seed=4), make_kernel("random_normal", 3, 3, seed=4))
    assert not torch.equal(make_kernel("random_normal", 3, 3, seed=4), make_kernel("random_normal", 3, 3, seed=5))
    assert set(make_kernel("random_int", 7, 7).unique().tolist()) <= {-1.0, 0.0, 1.0}


def test_varied_weight_starts_with_the_chosen_preset_and_then_varies():
    weight = make_weight("box_blur", 3, 2, 3, 3, varied=True)
    assert weight.shape == (3, 2, 3, 3)
    assert weight[0, 0].tolist() == make_kernel("box_blur", 3, 3).tolist()  # the preset the user picked
    assert weight[1, 1].tolist() == make_kernel("sobel_x", 3, 3).tolist()
    assert weight[2, 0].tolist() == make_kernel("sobel_y", 3, 3).tolist()
    skipping = make_weight("sobel_y", 3, 1, 3, 3, varied=True)  # the chosen preset is not repeated later
    assert [skipping[i, 0].tolist() for i in range(3)] == [
        make_kernel(name, 3, 3).tolist() for name in ("sobel_y", "sobel_x", "laplacian")
    ]


def test_varied_does_not_touch_random_presets():
    assert torch.equal(make_weight("random_int", 3, 2, 3, 3, varied=True), make_weight("random_int", 3, 2, 3, 3))


def test_classic_5x5_example_gives_the_textbook_answer():
    sample = SAMPLES["classic_5x5"]
    trace = trace_conv2d(sample_input("classic_5x5"), torch.tensor(sample.weight, dtype=torch.float32))
    assert trace.output[0].tolist() == [[4, 3, 4], [2, 4, 3], [2, 3, 4]]


def test_cs231n_example_is_3x3x2():
    sample = SAMPLES["cs231n_7x7x3"]
    trace = trace_conv2d(
        sample_input(sample.key),
        torch.tensor(sample.weight, dtype=torch.float32),
        torch.tensor(sample.bias, dtype=torch.float32),
        **sample.settings,
    )
    assert trace.padded.shape == (3, 7, 7)
    assert trace.output.shape == (2, 3, 3)


@pytest.mark.parametrize("key", [k for k, s in SAMPLES.items() if s.is_image])
def test_image_samples_load_at_the_chosen_size(key):
    x = sample_input(key, side=20)
    assert x.shape[0] in (1, 3)
    assert max(x.shape[1:]) == 20
    assert float(x.min()) >= 0.0 and float(x.max()) <= 1.0


def test_random_grid_is_integers_and_seeded():
    grid = random_grid(2, 4, 5, seed=1)
    assert grid.shape == (2, 4, 5)
    assert torch.equal(grid, grid.round())
    assert torch.equal(grid, random_grid(2, 4, 5, seed=1))


def test_lenet_learned_filters_are_offered_for_5x5_kernels():
    from vizconv.nets.models import load_model

    assert "lenet5_conv1" in available_presets(5, 5)
    assert "lenet5_conv1" not in available_presets(3, 3)
    model, _ = load_model("lenet5")
    weight = make_weight("lenet5_conv1", 7, 2, 5, 5)
    conv1 = model[0].weight.detach()  # (6, 1, 5, 5)
    assert torch.equal(weight[0, 1], conv1[0, 0])
    assert torch.equal(weight[5, 0], conv1[5, 0])
    assert torch.equal(weight[6, 0], conv1[0, 0])  # cycles after the sixth filter
    with pytest.raises(ParameterError, match="5×5"):
        make_kernel("lenet5_conv1", 3, 3)


def test_imagenet_models_offer_photos_first():
    """ResNet-18 starts on a full-size photo of one of its classes (a cat), not a 32-pixel CIFAR image."""
    assert next(iter(model_samples("ImageNet-1K"))) == "chelsea"
    assert next(iter(model_samples("cifar10"))).startswith("cifar_")
    assert set(model_samples("ImageNet-1K")) == set(model_samples("cifar10"))
