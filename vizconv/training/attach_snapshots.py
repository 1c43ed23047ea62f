"""Give a bundled model made in stages the snapshots of its start, from a stopped rerun of its first stage.

    python -m vizconv.training.attach_snapshots resnet20 --run FOLDER [--models assets/models]

``--snapshots`` (vizconv.training.train) keeps the weights of one run from its random initialisation. A model
whose shipped weights came from several stages (``--init``: ResNet-20's 100 + 30 epochs) has no such run to
keep them from, and rerunning all its stages takes hours. Instead its first stage's command is run again with
``--snapshots`` and ``--stop-after`` (the same seed, split and schedule, stopped after a few epochs), and this
command attaches that run's snapshots to the shipped card: it checks the stopped run is the start of the
first stage, copies the snapshot files beside the card, lists them under ``snapshots`` (each with its held-out
and validation accuracy), the shipped weights last (their epoch: all stages' epochs together), keeps the
stopped run's own card as ``snapshots_run``, and writes each snapshot's card beside it.

Epoch 0 is the first stage's very start (PyTorch's initialisation seeded with the card's seed); the later
snapshots come from the rerun, not from the run that made the shipped weights: training with more than one
thread is not bit-for-bit repeatable, so the rerun's epochs 1, 2, ... are as close as a rerun gets (the card
keeps both runs' validation accuracies to compare).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from vizconv.nets.zoo import MODELS_DIR, sha256_of
from vizconv.training.train import RECIPES, snapshot_card

__all__ = ["SAME_RUN", "attach", "first_stage", "main", "total_epochs"]

# What the stopped rerun and the shipped model's first stage must share to be the same schedule from the same start.
SAME_RUN = ("name", "architecture", "dataset", "data_source", "split", "seed", "epochs", "optimiser", "schedule")


class AttachError(Exception):
    """The stopped run cannot stand for the start of the shipped model's training: says why."""


def first_stage(card: dict) -> dict:
    """The card of the stage a model's training began with (following ``continued_from``)."""
    while "continued_from" in card:
        card = card["continued_from"]
    return card


def total_epochs(card: dict) -> int:
    """Epochs of all a model's stages together (``epochs`` of each card along ``continued_from``)."""
    total = card["epochs"]
    while "continued_from" in card:
        card = card["continued_from"]
        total += card["epochs"]
    return total


def _checked_run(card: dict, run: dict) -> None:
    """AttachError unless ``run`` is a stopped rerun, with snapshots, of ``card``'s first stage."""
    stage = first_stage(card)
    differs = [key for key in SAME_RUN if run.get(key) != stage.get(key)]
    if differs:
        raise AttachError(f"the run is not a rerun of {card['name']}'s first stage: {', '.join(differs)} differ")
    if "stopped_after" not in run:
        raise AttachError("the run was not stopped early (--stop-after): it is a whole run, not the start of one")
    if not run.get("snapshots") or run["snapshots"][0]["epoch"] != 0:
        raise AttachError("the run kept no snapshots from its start (train it with --snapshots)")


def attach(name: str, run_folder: Path, models_dir: Path = MODELS_DIR) -> dict:
    """Attach the snapshots of the stopped run in ``run_folder`` to the card of model ``name`` in ``models_dir``
    (see the module's text); returns the new card. AttachError when the run does not fit, or a file is not
    what its card says."""
    if name not in RECIPES:
        raise AttachError(f"unknown model {name!r}: one of {', '.join(sorted(RECIPES))}")
    card_path = models_dir / f"{name}.json"
    card = json.loads(card_path.read_text(encoding="utf-8"))
    run = json.loads((run_folder / f"{name}.json").read_text(encoding="utf-8"))
    _checked_run(card, run)
    if card["sha256"] != sha256_of(models_dir / f"{name}.pt"):
        raise AttachError(f"{name}.pt does not match the sha256 in its card")
    for old in card.get("snapshots", []):  # attaching again replaces the earlier snapshots
        if old["file"] != f"{name}.pt":
            (models_dir / old["file"]).unlink(missing_ok=True)
            (models_dir / old["file"]).with_suffix(".json").unlink(missing_ok=True)
    entries = []
    for entry in run["snapshots"]:
        source = run_folder / entry["file"]
        if sha256_of(source) != entry["sha256"]:
            raise AttachError(f"{source} does not match the sha256 in the run's card")
        target = models_dir / entry["file"]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        entries.append(entry)
    shipped = {
        "epoch": total_epochs(card),
        "file": f"{name}.pt",
        "sha256": card["sha256"],
        "test_accuracy": card["test_accuracy"],
        "val_accuracy": card["val_accuracy"],
    }
    card["snapshots"] = [*entries, shipped]
    card["snapshots_run"] = {key: value for key, value in run.items() if key not in ("snapshots", "classes")}
    card_path.write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    for entry in entries:
        beside = json.dumps(snapshot_card(card, entry), indent=2) + "\n"
        (models_dir / entry["file"]).with_suffix(".json").write_text(beside, encoding="utf-8")
    return card


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vizconv.training.attach_snapshots", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("model", choices=sorted(RECIPES))
    parser.add_argument("--run", type=Path, required=True, help="the --out folder of the stopped rerun")
    parser.add_argument("--models", type=Path, default=MODELS_DIR, help="the folder of the model's card and weights")
    args = parser.parse_args(argv)
    try:
        card = attach(args.model, args.run, args.models)
    except (AttachError, OSError, KeyError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for entry in card["snapshots"]:
        print(f"{entry['file']}: epoch {entry['epoch']}, held-out accuracy {entry['test_accuracy']:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
