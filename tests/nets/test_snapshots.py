"""Snapshots of the bundled models (issue 19): the weights before training and after some epochs, sha256-checked."""

from __future__ import annotations

import json
import shutil

import pytest
import torch
from PIL import Image

from tests_support import ROOT
from vizconv.inputs.samples import ASSETS
from vizconv.nets.models import ModelError, load_model, load_snapshot, random_model, snapshot_epochs
from vizconv.nets.zoo import sha256_of
from vizconv.training.attach_snapshots import SAME_RUN, first_stage, total_epochs
from vizconv.training.datasets import load_mnist
from vizconv.training.train import evaluate_accuracy

MODELS = ROOT / "assets" / "models"
MNIST_NPZ = ROOT.parent / "shared" / "data" / "mnist-8k.npz"
WITH_SNAPSHOTS = ["lenet5", "lenet5-classic", "resnet20"]


def _card(name: str) -> dict:
    return json.loads((MODELS / f"{name}.json").read_text(encoding="utf-8"))


def _equal_states(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True))


@pytest.mark.parametrize("name", WITH_SNAPSHOTS)
def test_every_listed_snapshot_exists_and_matches_its_sha256(name):
    entries = _card(name)["snapshots"]
    assert [e["epoch"] for e in entries] == list(snapshot_epochs(name))
    assert snapshot_epochs(name)[0] == 0 and len(entries) >= 4
    for entry in entries:
        assert sha256_of(MODELS / entry["file"]) == entry["sha256"], entry["file"]


def test_snapshots_stay_within_the_size_budget():
    """Issue 19: the snapshots add at most 10 MB to the repository."""
    total = sum(p.stat().st_size for p in (MODELS / "snapshots").rglob("*") if p.is_file())
    assert total <= 10 * 1024 * 1024
    listed = {(MODELS / e["file"]).resolve() for name in WITH_SNAPSHOTS for e in _card(name)["snapshots"]}
    assert {p.resolve() for p in (MODELS / "snapshots").rglob("*.pt")} <= listed  # no file the cards do not list


@pytest.mark.parametrize("name", WITH_SNAPSHOTS)
def test_the_last_snapshot_is_the_shipped_weights(name):
    card = _card(name)
    last = card["snapshots"][-1]
    # One run: its best epoch. A model made in stages (ResNet-20): all its stages' epochs.
    epoch = card["best_epoch"] if "snapshots_run" not in card else total_epochs(card)
    assert last["epoch"] == epoch and last["file"] == f"{name}.pt" and last["sha256"] == card["sha256"]
    assert last["test_accuracy"] == card["test_accuracy"]
    model, info = load_snapshot(name, last["epoch"])
    assert _equal_states(model, load_model(name)[0])
    assert info.card["epoch"] == last["epoch"] and info.card["source"] == "snapshot"


@pytest.mark.parametrize("name", WITH_SNAPSHOTS)
def test_epoch_0_is_the_untrained_initialisation(name):
    card = _card(name)
    model, info = load_snapshot(name, 0)
    assert not model.training and info.card["epoch"] == 0 and "val_accuracy" not in info.card
    assert _equal_states(model, random_model(name, seed=card["seed"])[0])  # the seeded start of training
    assert info.card["test_accuracy"] < 0.3 < 0.85 < card["test_accuracy"]  # near chance (0.1), far below trained
    if card["dataset"] != "mnist":
        return
    trained, _ = load_model(name)
    right = {"snapshot": 0, "trained": 0}
    for digit in range(10):
        with Image.open(ASSETS / "samples" / "mnist" / f"digit_{digit}.png") as image:
            x = info.preprocess(image)
        right["snapshot"] += int(model(x).argmax()) == digit
        right["trained"] += int(trained(x).argmax()) == digit
    assert right["snapshot"] <= 4 and right["trained"] >= 9, right


def test_a_snapshot_card_says_which_epoch():
    epochs = snapshot_epochs("lenet5")
    middle = epochs[len(epochs) // 2]
    _, info = load_snapshot("lenet5", middle)
    history = {h["epoch"]: h["val_accuracy"] for h in _card("lenet5")["history"]}
    assert info.card["epoch"] == middle and info.card["val_accuracy"] == history[middle]
    assert info.card["sha256"] == sha256_of(MODELS / info.card["file"]) and "snapshots" not in info.card
    assert info.classes[0] == "0" and info.input_size == (1, 28, 28)


def _copy_lenet5(folder):
    card = _card("lenet5")
    for entry in card["snapshots"]:
        (folder / entry["file"]).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(MODELS / entry["file"], folder / entry["file"])
    shutil.copy(MODELS / "lenet5.json", folder / "lenet5.json")
    return card


def test_a_tampered_or_missing_snapshot_is_refused(tmp_path):
    card = _copy_lenet5(tmp_path)
    first = card["snapshots"][1]
    assert load_snapshot("lenet5", first["epoch"], models_dir=tmp_path)[1].card["epoch"] == first["epoch"]
    with open(tmp_path / first["file"], "ab") as file:
        file.write(b"tampered")
    with pytest.raises(ModelError, match="sha256"):
        load_snapshot("lenet5", first["epoch"], models_dir=tmp_path)
    (tmp_path / card["snapshots"][0]["file"]).unlink()
    with pytest.raises(ModelError, match="missing"):
        load_snapshot("lenet5", 0, models_dir=tmp_path)


def test_a_card_may_name_only_files_beside_it(tmp_path):
    card = _copy_lenet5(tmp_path)
    card["snapshots"][0]["file"] = "../../etc/passwd"
    (tmp_path / "lenet5.json").write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match="model card"):
        snapshot_epochs("lenet5", models_dir=tmp_path)


def test_epochs_without_a_snapshot():
    with pytest.raises(ValueError, match="no snapshot of epoch 7"):
        load_snapshot("lenet5", 7 if 7 not in snapshot_epochs("lenet5") else 999)
    assert snapshot_epochs("resnet18") == ()
    with pytest.raises(ValueError, match="not bundled"):
        load_snapshot("resnet18", 0)


@pytest.mark.skipif(not MNIST_NPZ.exists(), reason="../shared/data/mnist-8k.npz is not beside the repository")
def test_snapshot_accuracy_agrees_with_the_card():
    """Each snapshot's held-out accuracy, recomputed on the card's split (as vizconv.training.evaluate does)."""
    card = _card("lenet5")
    x, y = load_mnist(MNIST_NPZ, seed=card["seed"]).test
    assert len(x) == card["test_images"]
    for epoch in snapshot_epochs("lenet5"):
        model, info = load_snapshot("lenet5", epoch)
        assert evaluate_accuracy(model, x, y, "mnist") == pytest.approx(info.card["test_accuracy"], abs=1e-4)


@pytest.mark.parametrize("name", WITH_SNAPSHOTS)
def test_each_snapshot_has_its_card_beside_it(name):
    """A snapshot's own card (what the training command writes beside it) names its model, epoch, sha256 and
    accuracy as the model card lists them."""
    from vizconv.training.train import snapshot_card

    card = json.loads((MODELS / f"{name}.json").read_text(encoding="utf-8"))
    for entry in card["snapshots"]:
        path = MODELS / entry["file"]
        if path.parent == MODELS:  # the kept epoch is NAME.pt, described by the model card itself
            continue
        beside = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        assert beside == snapshot_card(card, entry)


def test_resnet20s_snapshots_are_a_rerun_of_its_first_stage():
    """ResNet-20's shipped weights came from two stages; its snapshots from its first stage's command run again,
    stopped early (vizconv.training.attach_snapshots): the same schedule from the same seeded start, whose
    validation accuracy follows the first stage's own history (a rerun on other threads, not bit for bit)."""
    card = _card("resnet20")
    run, stage = card["snapshots_run"], first_stage(card)
    assert all(run[key] == stage[key] for key in SAME_RUN)
    assert "--stop-after" in run["command"] and "--snapshots" in run["command"] and "--init" not in run["command"]
    epochs = snapshot_epochs("resnet20")
    assert epochs[-1] == total_epochs(card) == 130 and epochs[-2] == run["stopped_after"]
    history = {h["epoch"]: h["val_accuracy"] for h in stage["history"]}
    for entry in card["snapshots"][1:-1]:
        assert entry["val_accuracy"] == pytest.approx(history[entry["epoch"]], abs=0.1), entry["epoch"]
        _, info = load_snapshot("resnet20", entry["epoch"])
        assert info.card["val_accuracy"] == entry["val_accuracy"]  # the rerun's, not the card's last stage's
