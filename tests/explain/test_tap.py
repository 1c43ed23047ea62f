"""Layers with a map, clear errors, and the shared model left as it was: hooks, requires_grad, modes, threads."""

from __future__ import annotations

import threading

import pytest
import torch
from explain_support import cifar_input, digit_input
from torch import nn

from vizconv import ParameterError
from vizconv.explain.cam import METHODS, class_activation_map, grad_cam
from vizconv.explain.errors import ExplainError
from vizconv.explain.occlusion import occlusion_map
from vizconv.explain.tap import default_layer, spatial_layers

HOOK_DICTS = (
    "_forward_hooks",
    "_forward_hooks_with_kwargs",
    "_forward_pre_hooks",
    "_forward_pre_hooks_with_kwargs",
    "_backward_hooks",
    "_backward_pre_hooks",
    "_state_dict_hooks",
)


def _state(model: nn.Module) -> dict:
    """Everything an explanation must leave as it found: hooks, training flags, requires_grad, .grad."""
    return {
        "hooks": sum(len(getattr(m, name, {})) for m in model.modules() for name in HOOK_DICTS),
        "training": [m.training for m in model.modules()],
        "requires_grad": [p.requires_grad for p in model.parameters()],
        "grads": [p.grad is None for p in model.parameters()],
        "grad_mode": torch.is_grad_enabled(),
    }


def test_spatial_layers_in_forward_order_inside_blocks(resnet20, lenet):
    layers = spatial_layers(resnet20, (3, 32, 32))
    assert layers[:3] == ["conv1", "bn1", "relu"]
    assert layers[3:10] == [
        "layer1.0.conv1",
        "layer1.0.bn1",
        "layer1.0.relu",
        "layer1.0.conv2",
        "layer1.0.bn2",
        "layer1.0.relu#2",
        "layer1.0",
    ]
    assert "layer2.0.downsample.0" in layers and layers[-1] == "layer3.2"
    assert "avgpool" not in layers and "fc" not in layers  # a 1×1 map and a vector
    assert spatial_layers(lenet, (1, 1, 28, 28)) == ["0", "1", "2", "3", "4", "5"]
    assert default_layer(resnet20, (1, 3, 32, 32)) == "layer3.2" and default_layer(lenet, (1, 28, 28)) == "5"


@pytest.mark.parametrize("method", list(METHODS))
def test_errors_a_page_can_show(resnet20, method):
    x = cifar_input(0)
    with pytest.raises(ExplainError, match="Class 10 is not one of the model's 10 classes") as raised:
        class_activation_map(resnet20, x, method=method, class_index=10)
    assert "0 到 9" in raised.value.message("zh")
    for wrong in (-1, True, 2.0):
        with pytest.raises(ExplainError, match="classes"):
            class_activation_map(resnet20, x, method=method, class_index=wrong)
    with pytest.raises(ParameterError, match="no layer layer9") as raised:
        class_activation_map(resnet20, x, "layer9", method)
    assert "layer3.2" in str(raised.value)  # the layers there are
    for flat in ("fc", "avgpool", "flatten"):
        with pytest.raises(ExplainError, match=f"Layer {flat} gives values of shape") as raised:
            class_activation_map(resnet20, x, flat, method if method != "cam" else "gradcam")
        assert raised.value.key == "explain.not_spatial"
    with pytest.raises(ExplainError, match=r"one input of shape \[1, C, H, W\]"):
        class_activation_map(resnet20, torch.zeros(2, 3, 32, 32), method=method)


def test_unknown_method():
    with pytest.raises(ExplainError, match="Method smoothgrad is not one of: gradcam, gradcampp"):
        class_activation_map(nn.Identity(), torch.zeros(1, 1, 2, 2), method="smoothgrad")


def test_messages_are_markdown_safe():
    err = ExplainError("not_spatial", layer="fc_*x*", shape=[10], available="a, b")
    assert str(err).startswith("Layer fc_*x* gives values of shape [10]")
    assert "fc\\_\\*x\\*" in err.message("en") and "层 fc\\_\\*x\\*" in err.message("zh")
    missing = ExplainError("patches_missing", model="lenet5", path="a`b", command="python -m x")
    assert "`a\ufffdb`" in missing.message("zh")


def test_a_layer_the_score_does_not_use():
    class TwoHeads(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.used, self.unused = nn.Conv2d(1, 2, 3), nn.Conv2d(1, 2, 3)
            self.fc = nn.Linear(2 * 6 * 6, 3)

        def forward(self, x):
            self.unused(x)
            return self.fc(self.used(x).flatten(1))

    model = TwoHeads().eval()
    with pytest.raises(ExplainError, match="does not depend on layer unused"):
        grad_cam(model, torch.randn(1, 1, 8, 8), "unused")
    assert grad_cam(model, torch.randn(1, 1, 8, 8), "used").map.shape == (6, 6)


@pytest.mark.parametrize("method", list(METHODS))
def test_the_shared_model_is_left_as_it_was(resnet20, method):
    before = _state(resnet20)
    class_activation_map(resnet20, cifar_input(1), method=method)
    assert _state(resnet20) == before
    assert before["hooks"] == 0 and before["grads"] == [True] * len(before["grads"])


def test_a_model_in_training_mode_is_explained_in_eval_mode_and_restored(resnet20):
    x = cifar_input(2)
    expected = grad_cam(resnet20, x).map
    resnet20.layer2.train()  # a mixed-mode model: exactly these modules train
    try:
        before = _state(resnet20)
        for method in METHODS:
            class_activation_map(resnet20, x, method=method)
        torch.testing.assert_close(grad_cam(resnet20, x).map, expected)
        assert _state(resnet20) == before
    finally:
        resnet20.eval()


class _Raises(nn.Module):
    """Raises in its forward pass when told to (after the explained layer has run)."""

    def __init__(self) -> None:
        super().__init__()
        self.fail = False

    def forward(self, x):
        if self.fail:
            raise RuntimeError("the model failed")
        return x


def _failing_model() -> nn.Sequential:
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1),
        nn.BatchNorm2d(4),
        nn.ReLU(inplace=True),
        _Raises(),
        nn.AdaptiveAvgPool2d(1),
        nn.Flatten(),
        nn.Linear(4, 3),
    )


@pytest.mark.parametrize("method", list(METHODS))
def test_the_model_is_restored_after_it_raises(method):
    model = _failing_model().train()
    model[0].weight.requires_grad_(False)  # a frozen layer stays frozen, the others trainable
    x = digit_input(0)[:, :, :8, :8]
    before = _state(model)
    expected = class_activation_map(model, x, "2", method).map
    assert _state(model) == before
    model[3].fail = True  # now the forward pass fails after the layer's hook has run
    with pytest.raises(RuntimeError, match="the model failed"):
        class_activation_map(model, x, "2", method)
    assert _state(model) == before
    model[3].fail = False
    torch.testing.assert_close(class_activation_map(model, x, "2", method).map, expected)  # the lock was released


@pytest.mark.parametrize("method", ["gradcam", "layercam", "scorecam"])
def test_threads_on_one_shared_model_give_what_one_thread_gives(resnet20, method):
    cases = [(seed, layer, seed % 10) for seed in range(12) for layer in ("layer3.2", "layer2.1.bn1")]
    expected = [class_activation_map(resnet20, cifar_input(s), layer, method, c) for s, layer, c in cases]
    results: dict[int, object] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def work(worker: int) -> None:
        try:
            start.wait()
            for n in range(worker, len(cases), 6):
                seed, layer, c = cases[n]
                results[n] = class_activation_map(resnet20, cifar_input(seed), layer, method, c)
                occlusion_map(resnet20, cifar_input(seed), c, patch=16, stride=16)  # another user of the lock
        except BaseException as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    for n, want in enumerate(expected):
        got = results[n]
        torch.testing.assert_close(got.map, want.map, rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(got.activations, want.activations, rtol=1e-5, atol=1e-6)
        torch.testing.assert_close(got.weights, want.weights, rtol=1e-5, atol=1e-7)
    assert _state(resnet20)["hooks"] == 0
