"""Snapshots for a model made in stages: a stopped rerun of its first stage, attached to the shipped card."""

from __future__ import annotations

import json

import pytest
import torch

from tests.training.test_train import _tiny_npz
from vizconv.nets.models import load_model, load_snapshot, random_model, snapshot_epochs
from vizconv.nets.zoo import sha256_of
from vizconv.training.attach_snapshots import AttachError, attach, first_stage, main, total_epochs
from vizconv.training.train import main as train_main
from vizconv.training.train import snapshot_card


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    """A lenet5 made in two stages (3 epochs, then 2 more from those weights) and a rerun of the first stage
    stopped after epoch 2 with its snapshots: the shape of the shipped ResNet-20, in seconds."""
    root = tmp_path_factory.mktemp("staged")
    data = str(_tiny_npz(root / "tiny.npz"))
    common = ["lenet5", "--data", data, "--threads", "1"]
    assert train_main([*common, "--epochs", "3", "--out", str(root / "stage1")]) == 0
    assert (
        train_main(
            [*common, "--epochs", "2", "--init", str(root / "stage1" / "lenet5.pt"), "--out", str(root / "shipped")]
        )
        == 0
    )
    rerun = [*common, "--epochs", "3", "--snapshots", "1,2", "--stop-after", "2", "--out", str(root / "rerun")]
    assert train_main(rerun) == 0
    return root


def _same_weights(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values(), strict=True))


def test_attached_snapshots_lead_from_the_first_stage_start_to_the_shipped_weights(staged, capsys):
    models = staged / "shipped"
    assert snapshot_epochs("lenet5", models) == ()
    assert main(["lenet5", "--run", str(staged / "rerun"), "--models", str(models)]) == 0
    assert "lenet5.pt: epoch 5" in capsys.readouterr().out  # the shipped weights: after 3 + 2 epochs
    card = json.loads((models / "lenet5.json").read_text())
    run = json.loads((staged / "rerun" / "lenet5.json").read_text())
    assert total_epochs(card) == 5 and first_stage(card)["epochs"] == 3
    assert snapshot_epochs("lenet5", models) == (0, 1, 2, 5)
    assert card["snapshots_run"]["command"] == run["command"] and card["snapshots_run"]["stopped_after"] == 2
    zero, info = load_snapshot("lenet5", 0, models)
    assert _same_weights(zero, random_model("lenet5")[0])
    assert "val_accuracy" not in info.card and "snapshots_run" not in info.card
    _, info = load_snapshot("lenet5", 2, models)  # the rerun's validation accuracy, not the card's stage's epoch 2
    assert info.card["val_accuracy"] == run["history"][1]["val_accuracy"]
    last, info = load_snapshot("lenet5", 5, models)
    assert info.card["val_accuracy"] == card["val_accuracy"] and info.card["sha256"] == card["sha256"]
    assert _same_weights(last, load_model("lenet5", models_dir=models)[0])
    for entry in card["snapshots"][:-1]:
        beside = json.loads((models / entry["file"]).with_suffix(".json").read_text())
        assert beside == snapshot_card(card, entry) and beside["command"] == run["command"]
        assert "stopped after epoch 2" in beside["note"] and sha256_of(models / entry["file"]) == entry["sha256"]
    # Attaching again gives the same card, and leaves no file the card does not list.
    assert main(["lenet5", "--run", str(staged / "rerun"), "--models", str(models)]) == 0
    assert json.loads((models / "lenet5.json").read_text()) == card
    listed = {(models / e["file"]).resolve() for e in card["snapshots"]}
    assert {p.resolve() for p in (models / "snapshots").rglob("*.pt")} <= listed


def test_a_run_that_is_not_the_first_stage_start_is_refused(staged, tmp_path, capsys):
    models = staged / "shipped"
    with pytest.raises(AttachError, match="not stopped early"):
        attach("lenet5", staged / "stage1", models)  # a whole run: no snapshots of a start to attach
    run = json.loads((staged / "rerun" / "lenet5.json").read_text())
    other = tmp_path / "other"
    other.mkdir()
    (other / "lenet5.json").write_text(json.dumps({**run, "seed": 1}))
    with pytest.raises(AttachError, match="seed differ"):
        attach("lenet5", other, models)
    (other / "lenet5.json").write_text(json.dumps(run))  # the card, without the snapshot files it lists
    assert main(["lenet5", "--run", str(other), "--models", str(models)]) == 2
    assert "error:" in capsys.readouterr().err
