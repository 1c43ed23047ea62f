"""What a channel looks for: the input patches that activate a convolution channel most (Zeiler & Fergus).

For a conv layer, a channel and a set of pictures, ``top_patches`` runs every picture through the model, takes
the channel's largest value on each (and where on its map it is), and keeps the ``k`` pictures where that value
is largest, with the patch of the input the value was computed from: the receptive field of that map cell.
One patch per picture, so nine near-copies from one picture never fill the grid.

The receptive field comes from the layers' kernel sizes, strides, dilations and paddings, propagated through
the forward pass (``vizconv.nets.layers``: size, jump and the centre of cell (0, 0)); a cell's field is the
window of that size around its centre, and may reach past the picture (padding), so ``boxes`` can be negative
or beyond the picture's size. The tests check it against the gradient's support.

The bundled models' patches are precomputed, because the pictures they come from (the held-out digits and
images of the training data) are not deployed with the app::

    python -m vizconv.explain.top_patches --mnist ../shared/data/mnist-8k.npz --cifar /tmp/cifar10

writes, per model, ``assets/top_patches/<model>/index.json`` (layers, values, positions, sources, the
weights' sha256) and ``images.png`` (the pictures used, once each, as a grid: uint8, exactly the model's input
before standardisation). ``load_top_patches(model, layer, channel)`` reads them.

Reference: M. D. Zeiler and R. Fergus, "Visualizing and Understanding Convolutional Networks" (ECCV 2014), §2.1
and Fig. 2 (the top 9 activations of a feature map, with the image patches).
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

from vizconv.errors import ParameterError
from vizconv.explain.errors import ExplainError
from vizconv.nets.capture import capture
from vizconv.nets.layers import LayerInfo, layer_table
from vizconv.nets.models import BUNDLED_MODELS, MODELS_DIR, load_model
from vizconv.nets.zoo import spec

__all__ = [
    "COMMAND",
    "K",
    "TOP_PATCHES_DIR",
    "TopPatches",
    "conv_layers",
    "load_top_patches",
    "main",
    "top_patch_layers",
    "top_patches",
]

TOP_PATCHES_DIR = Path(__file__).resolve().parents[2] / "assets" / "top_patches"
COMMAND = "python -m vizconv.explain.top_patches --mnist ../shared/data/mnist-8k.npz --cifar /tmp/cifar10"
K = 9  # patches per channel, Zeiler & Fergus's 3 × 3
CIFAR_COUNT = 2000  # held-out CIFAR-10 images searched (of 5,000); MNIST: all 1,000 held-out digits
BATCH = 250  # pictures per forward pass
SPRITE_COLUMNS = 40  # pictures per row of images.png
PAD = 128  # grey drawn where a receptive field reaches past the picture


@dataclass(frozen=True, eq=False)
class TopPatches:
    """The ``k`` pictures on which one channel of one conv layer is largest, best first, with where."""

    layer: str
    channel: int
    values: torch.Tensor  # (k,) the channel's largest value on each picture
    positions: torch.Tensor  # (k, 2) long: its (row, col) on the layer's map
    boxes: torch.Tensor  # (k, 4) long: input pixels (top, left, bottom, right), inclusive, that the cell sees
    sources: tuple[int, ...]  # each picture's index in the set searched (the bundled ones: ``source_files``)
    pixels: torch.Tensor  # (k, C, H, W) uint8: the pictures, as the model takes them before standardisation
    receptive_field: int  # side of the boxes
    source_files: tuple[str, ...] = ()  # the bundled patches: each picture's file or index in the data it came from

    @property
    def images(self) -> np.ndarray:
        """(k, H, W, 3) uint8: the pictures for display (grey ones repeated over three channels)."""
        pictures = self.pixels.permute(0, 2, 3, 1).numpy()
        return np.repeat(pictures, 3, axis=3) if pictures.shape[3] == 1 else pictures

    def patches(self, pad: int = PAD) -> np.ndarray:
        """(k, rf, rf, 3) uint8: each picture's box cut out, ``pad`` where the box reaches past the picture."""
        images = self.images
        k, height, width, _ = images.shape
        side = self.receptive_field
        out = np.full((k, side, side, 3), pad, dtype=np.uint8)
        for n, (top, left, bottom, right) in enumerate(self.boxes.tolist()):
            y0, x0, y1, x1 = max(top, 0), max(left, 0), min(bottom, height - 1), min(right, width - 1)
            if y0 <= y1 and x0 <= x1:
                out[n, y0 - top : y1 - top + 1, x0 - left : x1 - left + 1] = images[n, y0 : y1 + 1, x0 : x1 + 1]
        return out


def conv_layers(model: nn.Module, input_size: tuple[int, ...]) -> list[LayerInfo]:
    """The layer table's Conv2d rows for an input of ``input_size`` ([C, H, W] or [1, C, H, W]), in forward order."""
    return [row for row in layer_table(model, tuple(input_size)) if row.kind == "Conv2d"]


def _box(row: LayerInfo, position: tuple[int, int]) -> tuple[int, int, int, int]:
    """The receptive field of cell ``position`` of layer ``row`` in whole input pixels (top, left, bottom, right)."""
    return tuple(round(v) for v in row.window(*position))


def _standardised(pixels: torch.Tensor, mean: tuple[float, ...], std: tuple[float, ...]) -> torch.Tensor:
    """uint8 pictures [N, C, H, W] as the model's preprocessing standardises them."""
    channels = pixels.shape[1]
    mean_t = torch.tensor(mean, dtype=torch.float32).view(1, -1, 1, 1).expand(1, channels, 1, 1)
    std_t = torch.tensor(std, dtype=torch.float32).view(1, -1, 1, 1).expand(1, channels, 1, 1)
    return (pixels.float() / 255.0 - mean_t) / std_t


def _maxima(
    model: nn.Module, layers: list[str], pixels: torch.Tensor, mean: tuple[float, ...], std: tuple[float, ...]
) -> dict[str, tuple[torch.Tensor, torch.Tensor]]:
    """Per layer: (each picture's largest value per channel [N, K], its flat position on the map [N, K])."""
    found: dict[str, list[tuple[torch.Tensor, torch.Tensor]]] = {layer: [] for layer in layers}
    for start in range(0, len(pixels), BATCH):
        outputs = capture(model, _standardised(pixels[start : start + BATCH], mean, std), layers)
        for layer in layers:
            found[layer].append(outputs[layer].flatten(2).max(dim=2))  # (B, K) values and flat positions
    return {
        layer: (torch.cat([v for v, _ in parts]), torch.cat([i for _, i in parts])) for layer, parts in found.items()
    }


def _best(values: torch.Tensor, k: int) -> torch.Tensor:
    """Indices of the k largest of values [N], largest first (ties: the earlier picture)."""
    return values.argsort(descending=True, stable=True)[:k]


def top_patches(
    model: nn.Module,
    layer: str,
    channel: int,
    pixels: torch.Tensor,
    k: int = K,
    *,
    mean: tuple[float, ...] = (0.0,),
    std: tuple[float, ...] = (1.0,),
) -> TopPatches:
    """The ``k`` pictures of ``pixels`` (uint8 [N, C, H, W], the model sees (pixels/255 − mean)/std, as
    ``ModelInfo.mean``/``std`` say) on which channel ``channel`` of conv layer ``layer`` is largest, each with
    the receptive field of its largest cell. ExplainError for a layer that is not a convolution, a channel
    outside it or a k outside 1..N."""
    rows = {row.name: row for row in conv_layers(model, tuple(pixels.shape[1:]))}
    row = _conv_row(model, rows, layer, pixels.shape[1:])
    channels, count = row.shape[0], len(pixels)
    if not 0 <= channel < channels:
        raise ExplainError("channel_range", value=channel, layer=layer, last=channels - 1)
    if not 1 <= k <= count:
        raise ExplainError("top_count", k=k, count=count)
    values, places = _maxima(model, [layer], pixels, mean, std)[layer]
    best = _best(values[:, channel], k)
    width = row.shape[2]
    positions = torch.stack([places[best, channel] // width, places[best, channel] % width], dim=1)
    return TopPatches(
        layer=layer,
        channel=channel,
        values=values[best, channel],
        positions=positions,
        boxes=torch.tensor([_box(row, tuple(p)) for p in positions.tolist()], dtype=torch.long),
        sources=tuple(best.tolist()),
        pixels=pixels[best],
        receptive_field=row.receptive_field,
    )


def _conv_row(model: nn.Module, rows: dict[str, LayerInfo], layer: str, input_size: tuple[int, ...]) -> LayerInfo:
    if layer in rows:
        return rows[layer]
    if any(row.name == layer for row in layer_table(model, tuple(input_size))):
        raise ExplainError("not_conv", layer=layer, available=", ".join(rows))
    raise ParameterError("err.unknown_layers", layers=layer, available=", ".join(rows))


# --- the bundled models' patches: written by main(), read by load_top_patches() -------------------------------


def _card_sha256(name: str) -> str:
    """The sha256 of model ``name``'s bundled weights, as its card states it."""
    card = json.loads(spec(name).card_path(MODELS_DIR).read_text(encoding="utf-8"))
    return card["sha256"]


@functools.cache
def _read(root: Path, name: str) -> tuple[dict, torch.Tensor]:
    """(index.json, the pictures [M, C, H, W] uint8) of model ``name`` in ``root``, read once."""
    folder = root / name
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    sprite = index["sprite"]
    channels, height, width = sprite["picture"]
    with Image.open(folder / sprite["file"]) as image:
        grid = np.asarray(image.convert("L" if channels == 1 else "RGB"))
    grid = grid[..., None] if grid.ndim == 2 else grid
    columns = sprite["columns"]
    pictures = [
        grid[(n // columns) * height : (n // columns + 1) * height, (n % columns) * width : (n % columns + 1) * width]
        for n in range(len(index["pictures"]))
    ]
    return index, torch.from_numpy(np.stack(pictures)).permute(0, 3, 1, 2).contiguous()


def _index(name: str, root: Path) -> tuple[dict, torch.Tensor]:
    """The model's index and pictures; ExplainError when they are missing or for other weights."""
    folder = root / name
    try:
        index, pictures = _read(root, name)
    except (OSError, ValueError, KeyError) as exc:
        raise ExplainError("patches_missing", model=name, path=str(folder), command=COMMAND) from exc
    current = _card_sha256(name)
    if index.get("weights_sha256") != current:
        stored = str(index.get("weights_sha256"))[:12]
        raise ExplainError(
            "patches_stale", model=name, path=str(folder), stored=stored, current=current[:12], command=COMMAND
        )
    return index, pictures


def top_patch_layers(model: str, root: Path | None = None) -> list[str]:
    """The conv layers of bundled model ``model`` whose top patches are stored, in forward order."""
    index, _ = _index(model, TOP_PATCHES_DIR if root is None else root)
    return list(index["layers"])


def load_top_patches(model: str, layer: str, channel: int, root: Path | None = None) -> TopPatches:
    """The stored top patches of channel ``channel`` of conv layer ``layer`` of bundled model ``model``
    (``assets/top_patches``; ``root`` another folder). ExplainError when the files are missing or were computed
    for other weights than the bundled ones (both say the command that writes them), or for a layer or channel
    they do not hold."""
    index, pictures = _index(model, TOP_PATCHES_DIR if root is None else root)
    layers = index["layers"]
    if layer not in layers:
        raise ExplainError("not_conv", layer=layer, available=", ".join(layers))
    entry = layers[layer]
    channels = len(entry["value"])
    if isinstance(channel, bool) or not isinstance(channel, int) or not 0 <= channel < channels:
        raise ExplainError("channel_range", value=str(channel), layer=layer, last=channels - 1)
    picked = entry["picture"][channel]
    files = [index["pictures"][n]["source"] for n in picked]
    return TopPatches(
        layer=layer,
        channel=channel,
        values=torch.tensor(entry["value"][channel], dtype=torch.float32),
        positions=torch.tensor(entry["position"][channel], dtype=torch.long),
        boxes=torch.tensor(entry["box"][channel], dtype=torch.long),
        sources=tuple(index["pictures"][n]["index"] for n in picked),
        pixels=pictures[picked],
        receptive_field=entry["receptive_field"],
        source_files=tuple(files),
    )


def _pictures(name: str, mnist: Path, cifar: Path, count: int) -> tuple[torch.Tensor, list[str], str]:
    """(uint8 pictures [N, C, H, W], where each came from, a description) of the held-out data of model ``name``."""
    from vizconv.training.datasets import CIFAR10_CLASSES, load_cifar10_test, load_mnist

    if spec(name).dataset == "mnist":
        splits = load_mnist(mnist, seed=0)
        pixels = splits.test[0]
        files = [f"held-out digit {n}" for n in range(len(pixels))]
        return pixels, files, f"the {len(pixels):,} held-out digits of {mnist.name} ({splits.split})"
    pixels, _ = load_cifar10_test(cifar)
    names = [f"test/{c}/{f.name}" for c in CIFAR10_CLASSES for f in sorted((cifar / "test" / c).iterdir())]
    chosen = torch.randperm(len(pixels), generator=torch.Generator().manual_seed(0))[:count].sort().values
    description = f"{len(chosen):,} of the {len(pixels):,} held-out images of {cifar.name}/test (random, seed 0)"
    return pixels[chosen], [names[n] for n in chosen.tolist()], description


def _significant(value: float) -> float:
    return float(f"{value:.6g}")


def write_model(name: str, pixels: torch.Tensor, files: list[str], description: str, out: Path) -> int:
    """Compute and write model ``name``'s top patches for every conv layer and channel; returns the bytes written."""
    model, info = load_model(name)
    rows = conv_layers(model, tuple(pixels.shape[1:]))
    maxima = _maxima(model, [row.name for row in rows], pixels, info.mean, info.std)
    used: dict[int, int] = {}  # index in pixels -> index in images.png
    layers: dict[str, dict] = {}
    best_of = {row.name: [_best(maxima[row.name][0][:, c], K) for c in range(row.shape[0])] for row in rows}
    for n in sorted({int(i) for picks in best_of.values() for best in picks for i in best}):
        used[n] = len(used)
    for row in rows:
        values, places = maxima[row.name]
        entry = {"receptive_field": row.receptive_field, "picture": [], "value": [], "position": [], "box": []}
        for channel, best in enumerate(best_of[row.name]):
            positions = [divmod(int(p), row.shape[2]) for p in places[best, channel]]
            entry["picture"].append([used[int(i)] for i in best])
            entry["value"].append([_significant(float(v)) for v in values[best, channel]])
            entry["position"].append([list(p) for p in positions])
            entry["box"].append([list(_box(row, p)) for p in positions])
        layers[row.name] = entry
    folder = out / name
    folder.mkdir(parents=True, exist_ok=True)
    chosen = sorted(used, key=used.get)
    channels, height, width = pixels.shape[1:]
    columns = min(SPRITE_COLUMNS, len(chosen))
    grid = np.zeros((math.ceil(len(chosen) / columns) * height, columns * width, channels), dtype=np.uint8)
    for slot, n in enumerate(chosen):
        y, x = (slot // columns) * height, (slot % columns) * width
        grid[y : y + height, x : x + width] = pixels[n].permute(1, 2, 0).numpy()
    picture = Image.fromarray(grid[..., 0] if channels == 1 else grid)
    picture.save(folder / "images.png", optimize=True)
    index = {
        "model": name,
        "weights_sha256": _card_sha256(name),
        "k": K,
        "searched": description,
        "command": COMMAND,
        "sprite": {"file": "images.png", "picture": [int(channels), int(height), int(width)], "columns": columns},
        "pictures": [{"index": n, "source": files[n]} for n in chosen],
        "layers": layers,
    }
    (folder / "index.json").write_text(json.dumps(index, separators=(",", ":")) + "\n", encoding="utf-8")
    return sum(path.stat().st_size for path in folder.iterdir())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m vizconv.explain.top_patches",
        description="Precompute the top 9 patches of every conv channel of the bundled models (assets/top_patches).",
    )
    parser.add_argument("--mnist", type=Path, required=True, help="mnist-8k.npz (../shared/data)")
    parser.add_argument("--cifar", type=Path, required=True, help="CIFAR-10 as JPEG folders: a folder with test/")
    parser.add_argument("--out", type=Path, default=TOP_PATCHES_DIR, help="where to write (default: %(default)s)")
    parser.add_argument("--count", type=int, default=CIFAR_COUNT, help="held-out CIFAR-10 images searched")
    parser.add_argument("--models", nargs="*", default=list(BUNDLED_MODELS), choices=list(BUNDLED_MODELS))
    parser.add_argument("--limit-mb", type=float, default=5.0, help="fail when the files add up to more")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    total = 0
    for name in args.models:
        pixels, files, description = _pictures(name, args.mnist, args.cifar, args.count)
        written = write_model(name, pixels, files, description, args.out)
        total += written
        print(f"{name}: {written / 1e6:.2f} MB ({description})")
    _read.cache_clear()
    print(f"{total / 1e6:.2f} MB in all, in {args.out}")
    if total > args.limit_mb * 1e6:
        print(f"more than {args.limit_mb} MB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
