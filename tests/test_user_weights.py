"""A student's own state_dict: loaded with weights_only=True, checked against the architecture, explained."""

from __future__ import annotations

import io
import os
import pickle

import pytest
import torch

from vizconv import models
from vizconv.architectures import ResNet20, lenet5
from vizconv.models import ModelError, load_model, load_user_weights


def _bytes(obj: object) -> bytes:
    buffer = io.BytesIO()
    torch.save(obj, buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(("name", "build"), [("lenet5", lenet5), ("resnet20", ResNet20)])
def test_own_weights_are_used_and_the_shared_model_is_untouched(name, build):
    torch.manual_seed(1)
    mine = build()
    shared, _ = load_model(name)
    before = {k: v.clone() for k, v in shared.state_dict().items()}
    model, info = load_user_weights(name, _bytes(mine.state_dict()))
    for key, value in mine.state_dict().items():
        assert torch.equal(model.state_dict()[key], value)
    assert not model.training and info.card["source"] == "uploaded"
    assert len(info.classes) == 10
    assert all(torch.equal(shared.state_dict()[k], v) for k, v in before.items())


def test_resnet18_weights_need_no_download():
    from torchvision.models import resnet18

    model, info = load_user_weights("resnet18", _bytes(resnet18().state_dict()))
    assert info.input_size == (3, 224, 224) and len(info.classes) == 1000
    assert model(torch.zeros(1, 3, 224, 224)).shape == (1, 1000)


def test_a_training_checkpoint_and_dataparallel_names_are_accepted():
    state = lenet5().state_dict()
    load_user_weights("lenet5", _bytes({"state_dict": state, "epoch": 3}))
    load_user_weights("lenet5", _bytes({f"module.{k}": v for k, v in state.items()}))


class _Exploit:
    def __reduce__(self):
        return (os.system, ("touch /tmp/vizconv_pwned",))


def test_pickled_code_never_runs(tmp_path):
    if os.path.exists("/tmp/vizconv_pwned"):
        os.remove("/tmp/vizconv_pwned")
    with pytest.raises(ModelError, match="weights_only=True"):
        load_user_weights("lenet5", _bytes({"conv": _Exploit()}))
    with pytest.raises(ModelError, match="weights_only=True"):
        load_user_weights("lenet5", pickle.dumps(_Exploit()))
    assert not os.path.exists("/tmp/vizconv_pwned")


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "cannot be loaded safely"),
        (b"not a checkpoint at all", "cannot be loaded safely"),
        (_bytes([1, 2, 3]), "holds a list, not a state_dict"),
        (_bytes({"a": 1}), "not a state_dict"),
        (_bytes(ResNet20().state_dict()), r"10 parameter\(s\) missing .* and 128 unexpected"),
    ],
    ids=["empty", "text", "list", "dict of numbers", "another architecture"],
)
def test_what_does_not_fit_is_explained(payload, message):
    with pytest.raises(ModelError, match=message):
        load_user_weights("lenet5", payload)


def test_a_wrong_shape_and_nan_values_are_named():
    state = lenet5().state_dict()
    state["0.weight"] = torch.zeros(6, 3, 5, 5)
    with pytest.raises(ModelError, match=r"0.weight \[6, 3, 5, 5\] ≠ \[6, 1, 5, 5\]"):
        load_user_weights("lenet5", _bytes(state))
    state = lenet5().state_dict()
    state["3.bias"][0] = float("nan")
    with pytest.raises(ModelError, match="NaN or infinite values \\(in 3.bias\\)"):
        load_user_weights("lenet5", _bytes(state))


def test_size_limit_and_unknown_architecture(monkeypatch):
    monkeypatch.setattr(models, "MAX_WEIGHTS_BYTES", 1000)
    with pytest.raises(ModelError, match="larger than"):
        load_user_weights("resnet20", _bytes(ResNet20().state_dict()))
    with pytest.raises(ModelError, match="There is no model"):
        load_user_weights("vgg16", b"")
