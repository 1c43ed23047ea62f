"""Train a bundled model and write its weights and model card.

    python -m vizconv.training.train {lenet5,lenet5-classic,resnet20} [--data PATH] [--epochs N] ...

Without ``--data`` the data comes from torchvision's MNIST / CIFAR10 download
(needs internet); with ``--data`` from a local copy (see vizconv.training.datasets).
Seeds are fixed, the held-out test split is never used for training or model
selection, and the card records what the run measured.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn
from torch.optim.swa_utils import update_bn

from vizconv.nets.zoo import MODELS, MODELS_DIR, sha256_of
from vizconv.training.datasets import (
    CIFAR10_MEAN,
    CIFAR10_STD,
    MNIST_MEAN,
    MNIST_STD,
    DataError,
    Splits,
    load_cifar10,
    load_mnist,
)

__all__ = ["RECIPES", "evaluate_accuracy", "main", "normalise", "sha256_of"]

# Per bundled model: the training recipe's defaults, and (from the zoo, vizconv.nets.zoo) its builder and dataset.
_DEFAULTS = {
    "lenet5": {"epochs": 20, "batch": 64, "lr": 2e-3, "optimizer": "adam", "shift": 2},
    "lenet5-classic": {"epochs": 30, "batch": 64, "lr": 3e-3, "optimizer": "adam", "shift": 2},
    "resnet20": {"epochs": 30, "batch": 128, "lr": 0.1, "optimizer": "sgd", "shift": 4},
}
RECIPES = {
    name: {"build": MODELS[name].build, "dataset": MODELS[name].dataset, **recipe} for name, recipe in _DEFAULTS.items()
}


def normalise(x: torch.Tensor, dataset: str) -> torch.Tensor:
    """uint8 images [N, C, H, W] -> float, scaled to 0..1 and standardised per channel."""
    x = x.float().div_(255)
    if dataset == "mnist":
        return (x - MNIST_MEAN) / MNIST_STD
    mean = torch.tensor(CIFAR10_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(CIFAR10_STD).view(1, 3, 1, 1)
    return (x - mean) / std


def augment(x: torch.Tensor, shift: int, flip: bool, generator: torch.Generator) -> torch.Tensor:
    """Random translation by up to ``shift`` pixels (zero padding) and, for photos, horizontal flips."""
    n, c, h, w = x.shape
    padded = F.pad(x, (shift, shift, shift, shift))  # (N, C, H + 2s, W + 2s)
    dy = torch.randint(0, 2 * shift + 1, (n,), generator=generator)
    dx = torch.randint(0, 2 * shift + 1, (n,), generator=generator)
    rows = (dy[:, None] + torch.arange(h))[:, None, :, None]  # (N, 1, H, 1)
    cols = (dx[:, None] + torch.arange(w))[:, None, None, :]  # (N, 1, 1, W)
    out = padded[torch.arange(n)[:, None, None, None], torch.arange(c)[None, :, None, None], rows, cols]
    if flip:
        mirror = torch.rand(n, generator=generator) < 0.5
        out = torch.where(mirror[:, None, None, None], out.flip(3), out)
    return out


@torch.no_grad()
def evaluate_accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor, dataset: str, batch: int = 500) -> float:
    """Top-1 accuracy of ``model`` (eval mode) on uint8 images x and labels y."""
    was_training = model.training
    model.eval()
    correct = 0
    for start in range(0, len(x), batch):
        logits = model(normalise(x[start : start + batch], dataset))
        correct += int((logits.argmax(1) == y[start : start + batch]).sum())
    model.train(was_training)
    return correct / len(x)


def _progress(prefix: str, done: int, total: int, loss: float) -> None:
    width = 30
    filled = width * done // total
    sys.stderr.write(f"\r{prefix} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} loss {loss:.3f}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def _float_state(model: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in model.state_dict().items() if v.is_floating_point()}


def recompute_batchnorm(model: nn.Module, x: torch.Tensor, dataset: str, batch: int = 500) -> None:
    """Set every BatchNorm's running mean and variance to the average over the images ``x``
    (``torch.optim.swa_utils.update_bn`` over batches of ``batch`` normalised images).

    Averaged weights need statistics of their own: the running statistics of
    any single epoch belong to other weights (Izmailov et al. 2018, section 3.2).
    """
    batches = (
        normalise(x[start : start + batch], dataset).contiguous(memory_format=torch.channels_last)
        for start in range(0, len(x), batch)
    )
    update_bn(batches, model)


def _run_epoch(model, optimizer, scheduler, splits, recipe, batch, generator, label):
    dataset = recipe["dataset"]
    x_train, y_train = splits.train
    steps = math.ceil(len(x_train) / batch)
    model.train()
    order = torch.randperm(len(x_train), generator=generator)
    for step in range(steps):
        index = order[step * batch : (step + 1) * batch]
        images = augment(x_train[index], recipe["shift"], flip=dataset == "cifar10", generator=generator)
        inputs = normalise(images, dataset).contiguous(memory_format=torch.channels_last)
        loss = F.cross_entropy(model(inputs), y_train[index])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        if step % 20 == 0 or step == steps - 1:
            _progress(label, step + 1, steps, loss.item())


def _epoch_with_validation(
    model, optimizer, scheduler, splits, recipe, batch, generator, phase, epoch, of
) -> tuple[dict, float]:
    """Train one epoch, then measure validation accuracy; print it. Returns (the epoch's history entry, accuracy)."""
    started = time.perf_counter()
    _run_epoch(model, optimizer, scheduler, splits, recipe, batch, generator, f"{phase} {epoch}/{of}")
    val = evaluate_accuracy(model, *splits.val, recipe["dataset"])
    seconds = time.perf_counter() - started
    print(f"{phase} {epoch}: validation accuracy {val:.4f} ({seconds:.0f} s)", flush=True)
    return {"epoch": epoch, "val_accuracy": round(val, 4), "seconds": round(seconds, 1)}, val


def _optimiser(kind: str, model: nn.Module, lr: float, batch: int) -> tuple[torch.optim.Optimizer, str]:
    """The recipe's optimiser (``"sgd"`` or ``"adam"``) over ``model``'s parameters, and its description for the card."""
    if kind == "sgd":
        optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9, nesterov=True, weight_decay=5e-4)
        return optimizer, f"SGD (momentum 0.9, Nesterov, weight decay 5e-4), batch {batch}"
    return torch.optim.Adam(model.parameters(), lr=lr), f"Adam, batch {batch}"


def _average_weights(
    model, optimizer, splits, recipe, batch, generator, swa_epochs: int, swa_lr: float
) -> tuple[dict, float]:
    """Stochastic weight averaging: ``swa_epochs`` more epochs at the constant rate ``swa_lr``, the weights at the
    end of each averaged into ``model``, its BatchNorm statistics recomputed on the training split.

    Returns the card's ``weight_averaging`` entry (epochs, lr, history, val_accuracy rounded, seconds) and the
    average's validation accuracy.
    """
    dataset = recipe["dataset"]
    for group in optimizer.param_groups:
        group["lr"] = swa_lr
    average: dict[str, torch.Tensor] = {}
    swa_history = []
    for epoch in range(1, swa_epochs + 1):
        entry, _ = _epoch_with_validation(
            model, optimizer, None, splits, recipe, batch, generator, "averaging", epoch, swa_epochs
        )
        swa_history.append(entry)
        current = _float_state(model)
        if not average:
            average = current
        else:  # running mean over the end-of-epoch weights
            for key, value in current.items():
                average[key].mul_((epoch - 1) / epoch).add_(value, alpha=1 / epoch)
    started = time.perf_counter()
    model.load_state_dict(average, strict=False)
    recompute_batchnorm(model, splits.train[0], dataset)
    swa_val = evaluate_accuracy(model, *splits.val, dataset)
    print(f"averaged weights: validation accuracy {swa_val:.4f}", flush=True)
    entry = {
        "epochs": swa_epochs,
        "lr": swa_lr,
        "history": swa_history,
        "val_accuracy": round(swa_val, 4),
        "seconds": round(sum(h["seconds"] for h in swa_history) + time.perf_counter() - started, 1),
    }
    return entry, swa_val


def _one_cycle(
    model,
    optimizer,
    scheduler,
    splits,
    recipe,
    batch,
    generator,
    epochs: int,
    save_checkpoint,
    resume,
    snapshot=None,
    stop_after: int | None = None,
) -> tuple[list[dict], float, dict | None]:
    """The one-cycle phase: ``epochs`` epochs (after those ``resume`` holds, if given), validated after each, the
    state handed to ``save_checkpoint`` after each; ``snapshot(epoch, model)`` called before the first (epoch 0)
    and after each. ``stop_after``: end after that epoch, the schedule still that of ``epochs`` (the start of a
    long run). Returns (history, best validation accuracy, its weights)."""
    history, best, best_state = [], -1.0, None
    if resume is not None:
        model.load_state_dict(resume["model"])
        optimizer.load_state_dict(resume["optimizer"])
        if scheduler is not None:
            scheduler.load_state_dict(resume["scheduler"])
        generator.set_state(resume["generator"])
        history, best, best_state = resume["history"], resume["best"], resume["best_state"]
        print(f"resuming after epoch {len(history)} of {epochs}", flush=True)
    elif snapshot is not None:
        snapshot(0, model)  # the weights training starts from (seeded initialisation, or --init's)
    for epoch in range(len(history) + 1, (stop_after or epochs) + 1):
        entry, val = _epoch_with_validation(
            model, optimizer, scheduler, splits, recipe, batch, generator, "epoch", epoch, epochs
        )
        history.append(entry)
        if val > best:
            best, best_state = val, {k: v.clone() for k, v in model.state_dict().items()}
        if snapshot is not None:  # before the checkpoint: a run resumed after this epoch has its snapshot
            snapshot(epoch, model)
        if save_checkpoint is not None:
            save_checkpoint(
                {
                    "model": model.state_dict(),
                    "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler.state_dict(),
                    "generator": generator.get_state(),
                    "history": history,
                    "best": best,
                    "best_state": best_state,
                }
            )
    return history, best, best_state


def train(
    name: str,
    splits: Splits,
    epochs: int,
    batch: int,
    lr: float,
    seed: int,
    init: dict | None = None,
    swa_epochs: int = 0,
    swa_lr: float = 0.01,
    save_checkpoint: Callable[[dict], None] | None = None,
    resume: dict | None = None,
    snapshot: Callable[[int, nn.Module], None] | None = None,
    stop_after: int | None = None,
) -> tuple[nn.Module, dict]:
    """Train model ``name`` (from ``init`` weights if given); keep the epoch with the best validation accuracy.

    With ``swa_epochs``, training then goes on at the constant rate ``swa_lr``
    and the weights at the end of each of those epochs are averaged
    (stochastic weight averaging, Izmailov et al. 2018), BatchNorm statistics
    recomputed for the average. Whichever of the best epoch and the average
    has the higher validation accuracy is kept: the held-out split decides nothing.

    ``save_checkpoint`` is given the state of the one-cycle phase (weights,
    optimiser, schedule, random generator, history, best epoch) after every
    epoch; ``resume`` (such a state) continues from it as if the run had not stopped. ``snapshot(epoch, model)``
    is called with the weights training starts from (epoch 0, unless resuming) and after each one-cycle epoch;
    it must leave the model and the random state alone (saving a copy does). ``stop_after`` ends the run after
    that one-cycle epoch, its learning rate still scheduled for ``epochs`` (the first epochs of a long run,
    e.g. for their snapshots); the details then say ``stopped_after``.
    """
    if epochs < 0 or swa_epochs < 0 or epochs + swa_epochs == 0:
        raise ValueError("train for at least one epoch (--epochs or --swa-epochs)")
    recipe = RECIPES[name]
    dataset = recipe["dataset"]
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    model = recipe["build"]()
    if init is not None:
        model.load_state_dict(init)
    model = model.to(memory_format=torch.channels_last)  # about 1.3x faster on the CPU (oneDNN) than NCHW
    steps = math.ceil(len(splits.train[0]) / batch)
    optimizer, optimiser_text = _optimiser(recipe["optimizer"], model, lr, batch)
    scheduler = (
        torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=epochs * steps, pct_start=0.15)
        if epochs
        else None
    )
    history, best, best_state = _one_cycle(
        model,
        optimizer,
        scheduler,
        splits,
        recipe,
        batch,
        generator,
        epochs,
        save_checkpoint,
        resume,
        snapshot,
        stop_after,
    )
    schedule = (
        [f"one-cycle learning rate, peak {lr} after 15% of {epochs * steps} steps, cosine annealing"] if epochs else []
    )
    best_epoch = max(history, key=lambda h: h["val_accuracy"])["epoch"] if history else None
    details: dict = {} if stop_after is None else {"stopped_after": stop_after}
    if swa_epochs:
        averaging, swa_val = _average_weights(model, optimizer, splits, recipe, batch, generator, swa_epochs, swa_lr)
        schedule.append(
            f"then {swa_epochs} epochs at a constant learning rate {swa_lr}, the weights at the end of each "
            "averaged (stochastic weight averaging) and BatchNorm statistics recomputed on the training split"
        )
        details["weight_averaging"] = averaging
        if swa_val > best:
            best, best_state = swa_val, {k: v.clone() for k, v in model.state_dict().items()}
            details["kept"] = "averaged weights"
        else:
            details["kept"] = f"epoch {best_epoch}"
    model.load_state_dict(best_state)
    # Back to the default layout, so the held-out figure is computed exactly as vizconv.training.evaluate computes it.
    model = model.to(memory_format=torch.contiguous_format)
    return model, {
        "optimiser": optimiser_text,
        "schedule": "; ".join(schedule),
        "augmentation": f"random shifts up to {recipe['shift']} px"
        + (" and horizontal flips" if dataset == "cifar10" else ""),
        "best_epoch": best_epoch,
        "history": history,
        **details,
        "selected_val_accuracy": round(best, 4),
    }


def snapshot_file(name: str, epoch: int) -> str:
    """Where ``--snapshots`` keeps model ``name``'s weights after ``epoch``, relative to the card's folder."""
    return f"snapshots/{name}/epoch{epoch}.pt"


def _epoch_list(text: str) -> tuple[int, ...]:
    """``--snapshots 1,2,5``: distinct positive epochs, in order."""
    try:
        epochs = sorted({int(part) for part in text.split(",")})
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of epochs: {text!r} (write e.g. 1,2,5,10)") from None
    if epochs[0] < 1:
        raise argparse.ArgumentTypeError("snapshot epochs count from 1 (epoch 0, before training, is always kept)")
    return tuple(epochs)


class _Refused(Exception):
    """A command that cannot run as asked: main prints ``error: <message>`` and exits with 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m vizconv.training.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("model", choices=sorted(RECIPES))
    parser.add_argument("--data", type=Path, help="local copy: an .npz of MNIST digits or a CIFAR-10 ImageFolder tree")
    parser.add_argument("--epochs", type=int, help="epochs of the one-cycle schedule (0: none, with --swa-epochs)")
    parser.add_argument("--batch-size", type=int)
    parser.add_argument("--lr", type=float, help="peak learning rate")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=os.cpu_count(), help="torch CPU threads")
    parser.add_argument("--out", type=Path, default=MODELS_DIR, help="folder for NAME.pt and NAME.json")
    parser.add_argument(
        "--init", type=Path, help="continue from these weights (a NAME.pt with its NAME.json card beside it)"
    )
    parser.add_argument(
        "--swa-epochs",
        type=int,
        default=0,
        help="then train this many epochs at --swa-lr and average their weights (stochastic weight averaging)",
    )
    parser.add_argument("--swa-lr", type=float, default=0.01, help="constant learning rate while averaging")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="continue a stopped run of the same command from OUT/NAME.checkpoint.pt (written after every epoch)",
    )
    parser.add_argument(
        "--snapshots",
        type=_epoch_list,
        default=(),
        metavar="E1,E2,...",
        help="also keep the weights training starts from (epoch 0) and those after each of these one-cycle epochs, "
        "as OUT/snapshots/NAME/epochN.pt, listed in the card (epoch, file, sha256, "
        "held-out accuracy); the kept epoch's entry names NAME.pt itself. Not with --init: snapshots start "
        "from the random initialisation",
    )
    parser.add_argument(
        "--stop-after",
        type=int,
        metavar="EPOCH",
        help="end the run after this one-cycle epoch, the learning rate still scheduled for --epochs: the first "
        "epochs of a long run (with --snapshots, the snapshots of its start; the card says stopped_after)",
    )
    return parser


def _load_init(path: Path) -> tuple[dict, dict]:
    """``--init``: the weights at ``path`` and the card beside them; _Refused when the card's sha256 differs."""
    init = torch.load(path, map_location="cpu", weights_only=True)
    previous = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    if previous.get("sha256") != sha256_of(path):
        raise _Refused(f"{path} does not match the sha256 in its card")
    return init, previous


def _run_settings(
    args: argparse.Namespace, splits: Splits, epochs: int, batch: int, lr: float, previous: dict | None
) -> dict:
    """What must not change between a run and its resumption (kept in its checkpoint)."""
    return {
        "model": args.model,
        "data": splits.source,
        "split": splits.split,
        "epochs": epochs,
        "batch": batch,
        "lr": lr,
        "seed": args.seed,
        "init": None if args.init is None else previous["sha256"],
        "swa_epochs": args.swa_epochs,
        "swa_lr": args.swa_lr,
        "snapshots": list(args.snapshots),
        "stop_after": args.stop_after,
    }


def _load_resume(checkpoint: Path, settings: dict) -> dict:
    """``--resume``: the checkpoint a stopped run of the same settings left; _Refused when there is none, or it is
    from a run with other settings."""
    if not checkpoint.exists():
        raise _Refused(f"--resume: no checkpoint at {checkpoint}")
    resume = torch.load(checkpoint, map_location="cpu", weights_only=True)
    if resume["settings"] != settings:
        changed = sorted(k for k in settings if resume["settings"].get(k) != settings[k])
        raise _Refused(f"--resume: the checkpoint is from a different run ({', '.join(changed)})")
    return resume


def _snapshot_saver(folder: Path, name: str, epochs: set[int]) -> Callable[[int, nn.Module], None]:
    """``train``'s ``snapshot``: a copy of the weights after each epoch in ``epochs`` (0: before training), saved
    in the default memory layout (as NAME.pt is) at ``folder / snapshot_file(name, epoch)``."""

    def save(epoch: int, model: nn.Module) -> None:
        if epoch not in epochs:
            return
        path = folder / snapshot_file(name, epoch)
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().clone(memory_format=torch.contiguous_format) for k, v in model.state_dict().items()}
        torch.save(state, path.with_suffix(".tmp"))
        os.replace(path.with_suffix(".tmp"), path)  # never a half-written snapshot

    return save


def _snapshot_entries(
    name: str, folder: Path, epochs: set[int], splits: Splits, kept: int | None, weights: Path, history: list[dict]
) -> list[dict]:
    """The card's ``snapshots``: for each saved epoch its epoch, file (relative to ``folder``), sha256, accuracy
    on the card's held-out split (measured now, after training: no snapshot chose anything) and the validation
    accuracy ``history`` recorded after that epoch (none for epoch 0). The ``kept`` epoch
    (the weights of NAME.pt) is listed with NAME.pt as its file, its duplicate removed."""
    dataset = RECIPES[name]["dataset"]
    val = {h["epoch"]: h["val_accuracy"] for h in history}
    entries = []
    for epoch in sorted(epochs | ({kept} if kept is not None else set())):
        path = folder / snapshot_file(name, epoch)
        if epoch == kept:  # the same tensors as NAME.pt (the best epoch's copy): keep one file
            path.unlink(missing_ok=True)
            path = weights
        model = RECIPES[name]["build"]()
        model.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        accuracy = evaluate_accuracy(model, *splits.test, dataset)
        file = path.relative_to(folder).as_posix()
        entry = {"epoch": epoch, "file": file, "sha256": sha256_of(path), "test_accuracy": round(accuracy, 4)}
        entries.append({**entry, **({"val_accuracy": val[epoch]} if epoch in val else {})})
        print(f"snapshot {file}: epoch {epoch}, held-out accuracy {accuracy:.4f}", flush=True)
    return entries


def snapshot_card(card: dict, entry: dict) -> dict:
    """The small card written beside a snapshot's weights: which model and epoch they are, their sha256 and
    held-out accuracy, and where the whole run is described (the model's own card, two folders up)."""
    keep = ("name", "architecture", "dataset", "data_source", "split", "seed", "torch_version", "command")
    run = card.get("snapshots_run")  # a model made in stages: its snapshots come from a stopped rerun of the first
    note = (
        "a snapshot of the run that made the bundled weights; epoch 0 is its random initialisation"
        if run is None
        else f"a snapshot of a rerun of the first stage's command, stopped after epoch {run['stopped_after']} "
        "(vizconv.training.attach_snapshots); epoch 0 is the first stage's random initialisation"
    )
    return {
        **{key: (run or card)[key] for key in keep if key in (run or card)},
        "epoch": entry["epoch"],
        "sha256": entry["sha256"],
        "test_accuracy": entry["test_accuracy"],
        "run_card": f"../../{card['name']}.json",
        "note": note,
    }


def _write_snapshot_cards(card: dict, folder: Path) -> None:
    """A card beside each snapshot file (the kept epoch's file is NAME.pt, whose card is the model card)."""
    for entry in card.get("snapshots", []):
        path = folder / entry["file"]
        if path.parent != folder:
            text = json.dumps(snapshot_card(card, entry), indent=2) + "\n"
            path.with_suffix(".json").write_text(text, encoding="utf-8")


def _model_card(
    name: str,
    model: nn.Module,
    splits: Splits,
    *,
    epochs: int,
    seed: int,
    details: dict,
    test_accuracy: float,
    train_seconds: float,
    sessions: int,
    command: list[str],
    weights: Path,
    previous: dict | None,
) -> dict:
    """The model card written beside the weights: what was trained on what, how, and what it measured."""
    card = {
        "name": name,
        "architecture": MODELS[name].architecture,
        "parameters": sum(p.numel() for p in model.parameters()),
        "dataset": RECIPES[name]["dataset"],
        "classes": list(MODELS[name].classes),
        "data_source": splits.source,
        "split": splits.split,
        "epochs": epochs,
        "seed": seed,
        **{k: v for k, v in details.items() if k != "selected_val_accuracy"},  # written once, as val_accuracy
        "val_accuracy": details["selected_val_accuracy"],
        "test_accuracy": round(test_accuracy, 4),
        "test_images": len(splits.test[0]),
        "training_seconds": round(train_seconds),
        **({"sessions": sessions} if sessions > 1 else {}),  # stopped and resumed (--resume) this many times, plus 1
        "machine": f"{platform.machine()}, {os.cpu_count()} CPU cores, {torch.get_num_threads()} torch threads, {platform.platform()}",
        "torch_version": torch.__version__,
        "command": "python -m vizconv.training.train " + " ".join(command),
        "sha256": sha256_of(weights),
    }
    if previous is not None:  # the earlier stage this run continued from, with its own card
        card["continued_from"] = previous
        card["training_seconds_all_stages"] = card["training_seconds"] + previous.get(
            "training_seconds_all_stages", previous["training_seconds"]
        )
    return card


def _check_epochs(parser: argparse.ArgumentParser, args: argparse.Namespace, epochs: int) -> None:
    """Refuse (exit 2, with the reason) epochs and snapshots that cannot be: no epoch at all, a snapshot after the
    last one-cycle epoch, snapshots of a run that does not start from the random initialisation."""
    if epochs < 0 or args.swa_epochs < 0 or epochs + args.swa_epochs == 0:
        parser.error("train for at least one epoch: --epochs N or --swa-epochs N")
    if args.snapshots and args.snapshots[-1] > epochs:
        parser.error(f"--snapshots: epoch {args.snapshots[-1]} is after the last one-cycle epoch ({epochs})")
    if args.snapshots and args.init is not None:
        parser.error("--snapshots start from the random initialisation: train without --init")
    if args.stop_after is not None:
        if not 1 <= args.stop_after <= epochs:
            parser.error(f"--stop-after: an epoch from 1 to {epochs} (the one-cycle epochs)")
        if args.swa_epochs:
            parser.error("--stop-after ends the one-cycle phase: no --swa-epochs after it")
        if args.snapshots and args.snapshots[-1] > args.stop_after:
            parser.error(f"--snapshots: epoch {args.snapshots[-1]} is after --stop-after {args.stop_after}")


def _checkpoint_saver(checkpoint: Path, settings: dict, offset: float, sessions: int) -> Callable[[dict], None]:
    """What train() calls after every epoch: the state, with the run's settings, its seconds so far (``offset``
    + the clock now: earlier sessions' time, minus when this one started) and its sessions, written whole."""

    def save(state: dict) -> None:
        seconds = offset + time.perf_counter()
        torch.save(
            {**state, "settings": settings, "seconds": seconds, "sessions": sessions}, checkpoint.with_suffix(".tmp")
        )
        os.replace(checkpoint.with_suffix(".tmp"), checkpoint)  # never a half-written checkpoint

    return save


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    recipe = RECIPES[args.model]
    epochs = recipe["epochs"] if args.epochs is None else args.epochs
    _check_epochs(parser, args, epochs)
    batch = args.batch_size or recipe["batch"]
    lr = args.lr or recipe["lr"]
    torch.set_num_threads(args.threads)
    try:
        loader = load_mnist if recipe["dataset"] == "mnist" else load_cifar10
        splits = loader(args.data, seed=args.seed)
        print(f"{args.model}: {splits.source}; {splits.split}", flush=True)
        init, previous = (None, None) if args.init is None else _load_init(args.init)
        args.out.mkdir(parents=True, exist_ok=True)
        checkpoint = args.out / f"{args.model}.checkpoint.pt"
        settings = _run_settings(args, splits, epochs, batch, lr, previous)
        resume = _load_resume(checkpoint, settings) if args.resume else None
    except (DataError, _Refused) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    seconds_before, sessions = (0.0, 1) if resume is None else (resume["seconds"], resume["sessions"] + 1)
    snapshot_epochs = {0, *args.snapshots} if args.snapshots else set()  # 0: the seeded random initialisation
    started = time.perf_counter()
    save_checkpoint = _checkpoint_saver(checkpoint, settings, seconds_before - started, sessions)
    model, details = train(
        args.model,
        splits,
        epochs,
        batch,
        lr,
        args.seed,
        init,
        args.swa_epochs,
        args.swa_lr,
        save_checkpoint=save_checkpoint if epochs else None,
        resume=resume,
        snapshot=_snapshot_saver(args.out, args.model, snapshot_epochs) if snapshot_epochs else None,
        stop_after=args.stop_after,
    )
    train_seconds = seconds_before + time.perf_counter() - started
    test_accuracy = evaluate_accuracy(model, *splits.test, recipe["dataset"])
    print(f"held-out test accuracy: {test_accuracy:.4f} on {len(splits.test[0]):,} images", flush=True)

    weights = args.out / f"{args.model}.pt"
    torch.save(model.state_dict(), weights)
    command = sys.argv[1:] if argv is None else argv
    card = _model_card(
        args.model,
        model,
        splits,
        epochs=epochs + args.swa_epochs,
        seed=args.seed,
        details=details,
        test_accuracy=test_accuracy,
        train_seconds=train_seconds,
        sessions=sessions,
        command=command,
        weights=weights,
        previous=previous,
    )
    if snapshot_epochs:
        # A stopped run's snapshots all keep their own files: its NAME.pt is not what they lead to.
        stopped = "stopped_after" in card or card.get("kept") == "averaged weights"
        kept = None if stopped else card["best_epoch"]
        card["snapshots"] = _snapshot_entries(
            args.model, args.out, snapshot_epochs, splits, kept, weights, card["history"]
        )
    (args.out / f"{args.model}.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    _write_snapshot_cards(card, args.out)
    checkpoint.unlink(missing_ok=True)  # the run is complete
    print(f"wrote {weights} and {weights.with_suffix('.json')}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
