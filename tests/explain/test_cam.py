"""Class activation maps: Grad-CAM against torchcam and against autograd, CAM against the linear layer, the other
methods against torchcam, and the numbers a page writes out."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F
from explain_support import cifar_input, digit_input, resnet20_by_hand
from hypothesis import given, settings
from hypothesis import strategies as st
from torchcam import methods

from vizconv import CamExplanation, grad_cam
from vizconv.explain.cam import METHODS, cam_layers, class_activation_map
from vizconv.explain.errors import ExplainError
from vizconv.explain.tap import spatial_layers
from vizconv.nets.capture import capture
from vizconv.nets.models import load_model

RESNET20_MAPS = spatial_layers(load_model("resnet20")[0], (1, 3, 32, 32))  # every layer with a map, blocks' too


def _torchcam(model, x, layer, method, class_index, **kwargs):
    """torchcam used as its README shows, on a copy of the model: (map with normalized=False, normalized map)."""
    twin = copy.deepcopy(model)
    with getattr(methods, METHODS[method][0])(twin, layer, **kwargs) as extractor:
        scores = twin(x)
        raw = extractor(class_index, scores, normalized=False)[0][0]
    with getattr(methods, METHODS[method][0])(twin, layer, **kwargs) as extractor:
        scores = twin(x)
        normalized = extractor(class_index, scores)[0][0]
    return raw.detach(), normalized.detach()


def test_grad_cam_is_exported_and_holds_what_the_issue_lists(resnet20):
    explained = grad_cam(resnet20, cifar_input(0))
    assert isinstance(explained, CamExplanation)
    assert explained.layer == "layer3.2" and explained.method == "gradcam"
    assert explained.activations.shape == explained.gradients.shape == (64, 8, 8)
    assert explained.weights.shape == (64,) and explained.map.shape == (8, 8)
    assert explained.class_index == int(explained.logits.argmax())
    assert explained.score == pytest.approx(float(explained.logits[explained.class_index]))
    torch.testing.assert_close(explained.weights, explained.gradients.mean(dim=(1, 2)))
    torch.testing.assert_close(explained.map, F.relu((explained.weights[:, None, None] * explained.activations).sum(0)))
    assert not explained.map.requires_grad and not explained.activations.requires_grad


@pytest.mark.parametrize(
    "layer", ["layer3.2", "layer3.2.conv2", "layer2.0.conv1", "layer1.1", "layer2.0.downsample.0", "conv1", "relu"]
)
@pytest.mark.parametrize("class_index", [None, 0, 7])
def test_grad_cam_equals_torchcams(resnet20, layer, class_index):
    """Layers whose output nothing overwrites in place, where torchcam's own hooks see the right tensor."""
    x = cifar_input(1)
    explained = grad_cam(resnet20, x, layer, class_index)
    raw, normalized = _torchcam(resnet20, x, layer, "gradcam", explained.class_index)
    torch.testing.assert_close(explained.map, raw, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(explained.normalized(), normalized, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("layer", ["0", "1", "2", "3", "4", "5"])
def test_grad_cam_equals_torchcams_on_lenet(lenet, layer):
    x = digit_input(2)
    explained = grad_cam(lenet, x, layer)
    raw, normalized = _torchcam(lenet, x, layer, "gradcam", explained.class_index)
    torch.testing.assert_close(explained.map, raw, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(explained.normalized(), normalized, rtol=1e-5, atol=1e-6)


@settings(max_examples=40)
@given(layer=st.sampled_from(RESNET20_MAPS), class_index=st.integers(0, 9), seed=st.integers(0, 2**16))
def test_grad_cam_equals_autograd_on_the_forward_pass_written_out(resnet20, layer, class_index, seed):
    """Every layer with a map, also those an in-place ReLU or ``out += identity`` overwrites afterwards."""
    x = cifar_input(seed)
    explained = grad_cam(resnet20, x, layer, class_index)
    logits, output = resnet20_by_hand(resnet20, x, layer)
    (gradient,) = torch.autograd.grad(logits[0, class_index], output)
    activations, gradient = output.detach()[0], gradient[0]
    alpha = gradient.mean(dim=(1, 2))
    torch.testing.assert_close(explained.activations, activations, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(explained.gradients, gradient, rtol=1e-5, atol=1e-7)
    torch.testing.assert_close(explained.weights, alpha, rtol=1e-5, atol=1e-7)
    torch.testing.assert_close(explained.map, F.relu((alpha[:, None, None] * activations).sum(0)), rtol=1e-4, atol=1e-5)
    assert explained.score == pytest.approx(float(logits.detach()[0, class_index]), rel=1e-5, abs=1e-5)


def test_activations_before_an_in_place_relu_keep_their_negatives(resnet20):
    """bn1's output inside a block is overwritten by ReLU(inplace=True) in the model; Grad-CAM keeps it as made."""
    x = cifar_input(3)
    explained = grad_cam(resnet20, x, "layer1.0.bn1")
    assert float(explained.activations.min()) < 0
    torch.testing.assert_close(explained.activations, capture(resnet20, x, ["layer1.0.bn1"])["layer1.0.bn1"][0])


def test_a_module_called_twice_is_explained_at_the_call_named(resnet20):
    x = cifar_input(4)
    first, second = grad_cam(resnet20, x, "layer1.0.relu"), grad_cam(resnet20, x, "layer1.0.relu#2")
    acts = capture(resnet20, x, ["layer1.0.relu"])
    torch.testing.assert_close(first.activations, acts["layer1.0.relu"][0])
    torch.testing.assert_close(second.activations, acts["layer1.0.relu#2"][0])
    torch.testing.assert_close(second.map, grad_cam(resnet20, x, "layer1.0").map)  # the block's output


def test_the_sum_of_a_cell_written_out(resnet20):
    explained = grad_cam(resnet20, cifar_input(5), "layer2.2")
    term = explained.term(3, 5)
    torch.testing.assert_close(term.products, explained.weights * explained.activations[:, 3, 5])
    assert term.total == pytest.approx(float(term.products.sum()))
    assert term.total == pytest.approx(float(explained.pre_relu[3, 5]), abs=1e-5)
    assert term.value == pytest.approx(max(term.total, 0.0), abs=1e-5)
    torch.testing.assert_close(explained.contributions.sum(0), explained.pre_relu)
    with pytest.raises(IndexError):
        explained.term(16, 0)


def test_top_channels_by_contribution_and_by_weight(resnet20):
    explained = grad_cam(resnet20, cifar_input(6))
    by_contribution = explained.top_channels(5)
    shares = (explained.weights * explained.activations.mean(dim=(1, 2))).abs()
    assert by_contribution == shares.argsort(descending=True)[:5].tolist()
    by_weight = explained.top_channels(64, by="weight")
    assert sorted(by_weight) == list(range(64))
    assert [float(explained.weights[k]) for k in by_weight] == sorted(explained.weights.tolist(), reverse=True)
    with pytest.raises(ValueError, match="contribution"):
        explained.top_channels(3, by="size")


def test_upsampled_to_the_input_bilinearly(resnet20):
    explained = grad_cam(resnet20, cifar_input(7))
    up = explained.upsampled()
    assert up.shape == (32, 32) and explained.input_size == (32, 32)
    expected = F.interpolate(explained.map[None, None], size=(32, 32), mode="bilinear", align_corners=False)[0, 0]
    torch.testing.assert_close(up, expected)
    scaled = explained.upsampled((64, 48), normalized=True)
    assert scaled.shape == (64, 48) and float(scaled.min()) >= 0 and float(scaled.max()) <= 1


@pytest.mark.parametrize("method", ["gradcampp", "layercam", "scorecam", "cam"])
def test_the_torchcam_methods_equal_torchcam_used_directly(resnet20, method):
    x = cifar_input(8)
    explained = class_activation_map(resnet20, x, "layer3.2", method, class_index=3)
    kwargs = {"fc_layer": "fc"} if method == "cam" else {}
    raw, normalized = _torchcam(resnet20, x, "layer3.2", method, 3, **kwargs)
    torch.testing.assert_close(explained.map, raw, rtol=1e-4, atol=1e-6)
    torch.testing.assert_close(explained.normalized(), normalized, rtol=1e-4, atol=1e-5)
    assert explained.method == method and explained.class_index == 3


@pytest.mark.parametrize("method", ["gradcampp", "layercam", "scorecam"])
@pytest.mark.parametrize("layer", ["layer1.0.bn1", "layer2.1.bn2", "layer3.2.conv1"])
def test_every_map_is_its_weights_times_the_activations(resnet20, method, layer):
    """torchcam's map, recomputed from the weights it computed and the activations it saw: map = ReLU(Σ w·A)."""
    explained = class_activation_map(resnet20, cifar_input(9), layer, method)
    torch.testing.assert_close(explained.map, F.relu(explained.pre_relu), rtol=1e-5, atol=1e-6)
    _, expected = resnet20_by_hand(resnet20, cifar_input(9), layer)
    torch.testing.assert_close(explained.activations, expected.detach()[0], rtol=1e-5, atol=1e-5)
    assert explained.relu
    if method == "layercam":
        assert explained.weights.shape == explained.activations.shape
        torch.testing.assert_close(explained.weights, F.relu(explained.gradients))
    else:
        assert explained.weights.shape == (explained.activations.shape[0],)
    assert (explained.gradients is None) == (method == "scorecam")


def test_gradcam_through_class_activation_map_is_grad_cam(resnet20):
    x = cifar_input(10)
    torch.testing.assert_close(class_activation_map(resnet20, x, "layer2.2").map, grad_cam(resnet20, x, "layer2.2").map)


def test_torchcams_grad_cam_plus_plus_leaves_out_its_denominator(resnet20):
    """torchcam 0.5.0: ``alpha[idx][mask].div_(...)`` divides a copy, so a_k = (∂y/∂A)² and
    w_k = Σ (∂y/∂A)² · ReLU(∂y/∂A), not the paper's a_k. We show torchcam's numbers; this test says when that
    changes (then the page's wording must too)."""
    explained = class_activation_map(resnet20, cifar_input(11), method="gradcampp")
    g = explained.gradients
    torch.testing.assert_close(explained.weights, (g.pow(2) * F.relu(g)).sum(dim=(1, 2)))


@settings(max_examples=20)
@given(class_index=st.integers(0, 9), seed=st.integers(0, 2**16))
def test_cam_on_resnet20_is_the_linear_layers_weights_times_the_last_maps(resnet20, class_index, seed):
    x = cifar_input(seed)
    explained = class_activation_map(resnet20, x, method="cam", class_index=class_index)
    assert explained.layer == "layer3.2" and not explained.relu and explained.gradients is None
    weights = resnet20.fc.weight.detach()[class_index]
    activations = capture(resnet20, x, ["layer3.2"])["layer3.2"][0]
    torch.testing.assert_close(explained.weights, weights)
    torch.testing.assert_close(explained.map, (weights[:, None, None] * activations).sum(0), rtol=1e-5, atol=1e-5)
    # global average pooling then the linear layer: the map's mean is the score less the bias
    bias = float(resnet20.fc.bias.detach()[class_index])
    assert float(explained.map.mean()) + bias == pytest.approx(explained.score, rel=1e-4, abs=1e-4)


def test_cam_reads_the_pooling_input_only(resnet20, lenet):
    assert cam_layers(resnet20, (1, 3, 32, 32)) == (["layer3.2", "layer3.2.relu#2"], "fc")
    x = cifar_input(12)
    torch.testing.assert_close(
        class_activation_map(resnet20, x, "layer3.2.relu#2", "cam").map,
        class_activation_map(resnet20, x, None, "cam").map,
    )
    with pytest.raises(ExplainError, match="layer3.2") as raised:
        class_activation_map(resnet20, x, "layer3.1", "cam")
    assert raised.value.key == "explain.cam_layer"
    with pytest.raises(ExplainError, match="global average pooling") as raised:
        class_activation_map(lenet, digit_input(0), method="cam")
    assert "Linear" in str(raised.value) and "Grad-CAM" in str(raised.value)


def test_maps_are_never_normalised_unless_asked(resnet20):
    """torchcam scales to 0..1 by default; ``map`` keeps the sum's own numbers, ``normalized()`` scales as torchcam."""
    explained = class_activation_map(resnet20, cifar_input(13), method="cam")
    assert float(explained.map.max()) > 1
    unlikely = class_activation_map(resnet20, cifar_input(13), method="cam", class_index=0)
    assert float(unlikely.map.min()) < 0  # CAM has no ReLU
    low, high = explained.map.min(), explained.map.max()
    torch.testing.assert_close(explained.normalized(), (explained.map - low) / (high - low + 1e-8))
