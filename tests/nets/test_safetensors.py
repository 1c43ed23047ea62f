"""A student's weights as safetensors: read without pickle for any built-in or zoo architecture, checked as a
torch.save upload is, refused with a message when they do not fit."""

from __future__ import annotations

import json
import struct

import pytest
import safetensors.torch
import torch

from vizconv.nets import models
from vizconv.nets.models import ModelError, is_safetensors, load_user_weights, random_model
from vizconv.nets.safetensors_weights import load_safetensors_weights

NAMES = ["lenet5", "lenet5-classic", "resnet20", "resnet18", "mobilenet_v3_small", "regnet_y_400mf", "googlenet"]


def _state(name: str, seed: int = 11) -> dict[str, torch.Tensor]:
    model, _ = random_model(name, seed=seed)
    return {k: v.clone() for k, v in model.state_dict().items()}


def _equal(model: torch.nn.Module, state: dict[str, torch.Tensor]) -> bool:
    return all(torch.equal(model.state_dict()[k], v) for k, v in state.items())


@pytest.mark.parametrize("name", NAMES)
def test_safetensors_weights_load_for_built_in_and_zoo_architectures(name):
    state = _state(name)
    data = safetensors.torch.save(state)
    model, info = load_safetensors_weights(name, data)
    assert _equal(model, state) and not model.training
    assert info.card["source"] == "uploaded" and info.card["format"] == "safetensors"
    assert info.classes == list(models.spec(name).classes)


def test_the_state_dict_upload_takes_safetensors_too():
    state = _state("lenet5")
    data = safetensors.torch.save(state)
    assert is_safetensors(data) and not data.startswith(b"PK")
    model, info = load_user_weights("lenet5", data)
    assert _equal(model, state) and info.card["format"] == "safetensors"


def test_dataparallel_prefixes_and_other_float_types_are_taken():
    state = _state("lenet5")
    prefixed = {f"module.{k}": v.to(torch.bfloat16) if v.is_floating_point() else v for k, v in state.items()}
    model, _ = load_safetensors_weights("lenet5", safetensors.torch.save(prefixed))
    assert torch.allclose(model.state_dict()["0.weight"], state["0.weight"], atol=1e-2)
    assert model.state_dict()["0.weight"].dtype == torch.float32


def test_keys_that_do_not_fit_are_named():
    state = _state("lenet5")
    state["extra.weight"] = torch.zeros(3)
    del state["3.bias"]
    with pytest.raises(ModelError, match=r"(?s)3\.bias.*extra\.weight"):
        load_safetensors_weights("lenet5", safetensors.torch.save(state))
    state = _state("lenet5")
    state["0.weight"] = torch.zeros(6, 3, 5, 5)
    with pytest.raises(ModelError, match=r"0\.weight \[6, 3, 5, 5\] ≠ \[6, 1, 5, 5\]"):
        load_safetensors_weights("lenet5", safetensors.torch.save(state))
    with pytest.raises(ModelError, match="for example"):
        load_safetensors_weights("resnet20", safetensors.torch.save(_state("lenet5")))


def test_values_that_do_not_fit_are_named():
    state = _state("lenet5")
    state["3.bias"][0] = float("nan")
    with pytest.raises(ModelError, match=r"NaN or infinite values \(in 3\.bias\)"):
        load_safetensors_weights("lenet5", safetensors.torch.save(state))
    state = _state("lenet5")
    state["0.bias"] = state["0.bias"].to(torch.int32)
    with pytest.raises(ModelError, match="0.bias"):
        load_safetensors_weights("lenet5", safetensors.torch.save(state))


def _header_file(header: dict, body: bytes = b"") -> bytes:
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + body


def test_broken_and_hostile_files_are_refused():
    data = safetensors.torch.save(_state("lenet5"))
    with pytest.raises(ModelError, match="cannot be read as safetensors"):
        load_safetensors_weights("lenet5", data[: len(data) // 2])  # cut short
    with pytest.raises(ModelError, match="cannot be read as safetensors"):
        load_safetensors_weights("lenet5", b"1234")
    outside = _header_file({"0.weight": {"dtype": "F32", "shape": [6, 1, 5, 5], "data_offsets": [0, 10**9]}})
    with pytest.raises(ModelError, match="cannot be read as safetensors"):
        load_safetensors_weights("lenet5", outside + bytes(600))
    huge = struct.pack("<Q", 50 * 2**20) + b"{" + bytes(100)  # a header larger than any of its state_dicts needs
    with pytest.raises(ModelError, match="more entries than the weights of lenet5 can need"):
        load_safetensors_weights("lenet5", huge)
    other = _header_file(
        {"__metadata__": {"format": "pt"}, "x": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}
    )
    with pytest.raises(ModelError, match="parameters"):
        load_safetensors_weights("lenet5", other + bytes(4))


def test_a_file_larger_than_the_architecture_needs_is_refused(monkeypatch):
    monkeypatch.setattr(models, "MAX_WEIGHTS_BYTES", 1000)
    with pytest.raises(ModelError, match="larger than"):
        load_safetensors_weights("lenet5", safetensors.torch.save(_state("lenet5")))


def test_messages_come_in_chinese_too():
    with pytest.raises(ModelError) as refused:
        load_safetensors_weights("lenet5", b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all}")
    assert "safetensors" in refused.value.message("zh") and "无法" in refused.value.message("zh")
