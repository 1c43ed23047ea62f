"""Forward-hook capture: order, clones, hook hygiene, mode, concurrency."""

from __future__ import annotations

import threading

import pytest
import torch
from torch import nn

from vizconv import ParameterError
from vizconv.nets.architectures import ResNet20, lenet5
from vizconv.nets.capture import capturable_layers, capture, modules_by_path, overwritten_outputs


def _hook_count(model: nn.Module) -> int:
    return sum(len(m._forward_hooks) for m in model.modules())


@pytest.fixture
def lenet():
    torch.manual_seed(0)
    return lenet5()


def test_every_layer_in_forward_order_with_shapes(lenet):
    x = torch.rand(1, 28, 28)
    acts = capture(lenet, x)
    assert list(acts) == [str(i) for i in range(12)]
    shapes = [tuple(a.shape[1:]) for a in acts.values()]
    assert shapes[0] == (6, 28, 28) and shapes[2] == (6, 14, 14) and shapes[3] == (16, 10, 10)
    assert shapes[5] == (16, 5, 5) and shapes[6] == (400,) and shapes[-1] == (10,)
    with torch.no_grad():
        torch.testing.assert_close(acts["11"], lenet.eval()(x[None]))


def test_resnet_blocks_and_reused_relus_are_named_by_path():
    torch.manual_seed(0)
    model = ResNet20()
    acts = capture(model, torch.rand(3, 32, 32))
    names = list(acts)
    assert names[:3] == ["conv1", "bn1", "relu"]
    assert "layer1.0" in names and "layer3.2" in names and names[-1] == "fc"
    # torchvision's BasicBlock calls its ReLU twice: the second call is kept apart
    assert "layer1.0.relu" in names and "layer1.0.relu#2" in names
    assert acts["layer2.0"].shape == (1, 32, 16, 16)
    assert acts["layer2.0.downsample.0"].shape == (1, 32, 16, 16)


def test_stored_values_are_clones_not_views_an_inplace_relu_overwrites():
    """BatchNorm's output followed by ReLU(inplace=True): the stored BN output keeps its negatives."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(1, 4, 3), nn.BatchNorm2d(4), nn.ReLU(inplace=True))
    acts = capture(model, torch.randn(1, 8, 8))
    assert float(acts["1"].min()) < 0
    assert float(acts["2"].min()) == 0.0


def _reference_activations(model: nn.Module, x: torch.Tensor) -> dict[str, torch.Tensor]:
    """Every captured layer's output recomputed by hand: ResNet-20's forward written out, nothing in place."""
    acts, relu = {}, nn.functional.relu
    with torch.no_grad():
        acts["conv1"] = model.conv1(x)
        acts["bn1"] = model.bn1(acts["conv1"])
        h = acts["relu"] = relu(acts["bn1"])
        for stage in ("layer1", "layer2", "layer3"):
            for i, block in enumerate(getattr(model, stage)):
                p = f"{stage}.{i}"
                acts[p + ".conv1"] = block.conv1(h)
                acts[p + ".bn1"] = block.bn1(acts[p + ".conv1"])
                acts[p + ".relu"] = relu(acts[p + ".bn1"])
                acts[p + ".conv2"] = block.conv2(acts[p + ".relu"])
                acts[p + ".bn2"] = block.bn2(acts[p + ".conv2"])
                identity = h if block.downsample is None else block.downsample(h)
                h = acts[p] = acts[p + ".relu#2"] = relu(acts[p + ".bn2"] + identity)
    return acts


def test_every_capture_equals_a_forward_pass_written_out_by_hand():
    """Only outputs an in-place op overwrites are cloned (learned on the first capture): every value stays right."""
    torch.manual_seed(0)
    model = ResNet20()
    for bn in (m for m in model.modules() if isinstance(m, nn.BatchNorm2d)):
        nn.init.normal_(bn.weight)  # the zero-initialised bn2 would hide a wrong value
        nn.init.normal_(bn.running_mean)
    model.eval()
    for seed in range(3):  # the first capture learns what to clone; the next ones rely on it
        x = torch.randn(1, 3, 32, 32, generator=torch.Generator().manual_seed(seed))
        acts, expected = capture(model, x), _reference_activations(model, x)
        for name, value in expected.items():
            torch.testing.assert_close(acts[name], value, msg=name)
        assert float(acts["layer1.0.bn2"].min()) < 0  # overwritten by `out += identity` and ReLU in place
    # exactly bn1 (before ReLU(inplace=True)) and bn2 (before `out += identity`), not the shortcut's BatchNorm
    norms = {name for name in capturable_layers(model) if name.endswith("bn1") or name.endswith("bn2")}
    assert overwritten_outputs(model) == norms and len(norms) == 19


class _SometimesInPlace(nn.Module):
    """Doubles its input in place only when told to: the pattern learned on a first capture no longer holds."""

    def __init__(self) -> None:
        super().__init__()
        self.in_place = False

    def forward(self, x):
        return x.mul_(2) if self.in_place else x * 2


def test_an_output_overwritten_unexpectedly_is_captured_again_with_clones():
    model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), _SometimesInPlace()).eval()
    x = torch.randn(1, 6, 6)
    assert overwritten_outputs(model) == frozenset()  # not captured yet
    capture(model, x)  # learns: nothing is overwritten
    assert overwritten_outputs(model) == frozenset()
    model[2].in_place = True
    acts = capture(model, x)
    assert overwritten_outputs(model) == {"1"}
    with torch.no_grad():
        torch.testing.assert_close(acts["1"], model[1](model[0](x[None])))


def test_no_hook_remains_and_mode_is_restored(lenet):
    lenet.train()
    capture(lenet, torch.rand(1, 28, 28))
    assert _hook_count(lenet) == 0
    assert lenet.training


def test_no_hook_remains_after_an_exception(lenet):
    lenet.eval()
    with pytest.raises(RuntimeError):
        capture(lenet, torch.rand(3, 28, 28))  # LeNet takes one channel
    assert _hook_count(lenet) == 0
    assert not lenet.training


def test_a_chosen_subset_and_unknown_names(lenet):
    assert list(capture(lenet, torch.rand(1, 28, 28), layers=["3", "0"])) == ["0", "3"]
    with pytest.raises(ParameterError, match="no layer features"):
        capture(lenet, torch.rand(1, 28, 28), layers=["features"])
    assert _hook_count(lenet) == 0


def test_capturable_layers_do_not_assume_a_features_attribute():
    torch.manual_seed(0)
    layers = capturable_layers(ResNet20())
    assert layers[0] == "conv1" and "avgpool" in layers and layers[-1] == "fc"


def test_concurrent_captures_on_one_shared_model_never_mix(lenet):
    """Four threads capture different inputs on one model; each gets exactly its own activations."""
    inputs = [torch.full((1, 28, 28), float(i)) for i in range(4)]
    expected = [capture(lenet, x) for x in inputs]
    errors = []

    def worker(i: int) -> None:
        for _ in range(25):
            acts = capture(lenet, inputs[i])
            if list(acts) != list(expected[i]) or not all(torch.equal(acts[k], expected[i][k]) for k in acts):
                errors.append(i)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _hook_count(lenet) == 0


def test_modules_by_path_is_named_modules_read_once_and_read_only():
    model = ResNet20()
    modules = modules_by_path(model)
    assert list(modules.items()) == list(model.named_modules())
    assert modules_by_path(model) is modules  # one walk per model
    with pytest.raises(TypeError):
        modules["conv1"] = torch.nn.Identity()  # shared by every session: nobody may change it
