"""Recompute a bundled model's held-out accuracy from the shipped weights.

    python -m vizconv.training.evaluate {lenet5,lenet5-classic,resnet20} --data PATH [--limit N]

The split is rebuilt from the seed in the model card, so the images are the
ones the card's accuracy was measured on; the weights' sha256 is checked
against the card before they are used.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import torch

from vizconv.nets.zoo import MODELS, MODELS_DIR, sha256_of
from vizconv.training.datasets import DataError, load_cifar10, load_cifar10_test, load_mnist
from vizconv.training.train import RECIPES, evaluate_accuracy

__all__ = ["evaluate", "main"]


def evaluate(name: str, data: Path | None, limit: int | None = None, models_dir: Path = MODELS_DIR) -> dict:
    """Accuracy of the shipped ``name`` weights on the card's held-out split (its first ``limit`` images)."""
    model_spec = MODELS[name]
    card = json.loads(model_spec.card_path(models_dir).read_text(encoding="utf-8"))
    weights = model_spec.weights_path(models_dir)
    digest = sha256_of(weights)
    if digest != card["sha256"]:
        raise DataError(f"{weights} has sha256 {digest}, but its model card says {card['sha256']}.")
    dataset = model_spec.dataset
    model = model_spec.build()
    model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    if dataset == "cifar10" and data is not None:
        x, y = load_cifar10_test(data)  # the held-out set is all of test/, no split needed
    else:
        loader = load_mnist if dataset == "mnist" else load_cifar10
        x, y = loader(data, seed=card["seed"]).test
    if limit:
        x, y = x[:limit], y[:limit]
    return {
        "name": name,
        "accuracy": evaluate_accuracy(model, x, y, dataset),
        "images": len(x),
        "card_accuracy": card["test_accuracy"],
        "card_images": card["test_images"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vizconv.training.evaluate", description=__doc__.split("\n\n")[0])
    parser.add_argument("model", choices=sorted(RECIPES))
    parser.add_argument("--data", type=Path, help="the local copy the model was trained from (default: download)")
    parser.add_argument("--limit", type=int, help="evaluate only the first N held-out images")
    args = parser.parse_args(argv)
    try:
        result = evaluate(args.model, args.data, args.limit)
    except (DataError, FileNotFoundError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(
        f"{result['name']}: held-out accuracy {result['accuracy']:.4f} on {result['images']:,} images "
        f"(model card: {result['card_accuracy']:.4f} on {result['card_images']:,})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
