"""What the Feature maps page computes, as plain functions: a picture through a network, its layers, one
channel, and one activation's dot products.

The page reads its widgets, calls these, and draws what they return; tests drive the same path without
Streamlit. The arithmetic itself is ``vizconv.nets`` (capture, the layer table, ``explain_activation``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn

from vizconv.inputs.samples import ASSETS, SampleError, model_samples, open_picture
from vizconv.nets.capture import capture, evaluating, module_path
from vizconv.nets.feature_maps import MadeBy
from vizconv.nets.layers import LayerInfo, channels_last, layer_table
from vizconv.nets.models import ModelError, available_models, max_weights_bytes, snapshot_epochs
from vizconv.nets.onnx import PREPROCESSING
from vizconv.nets.onnx.checks import Limits
from vizconv.nets.zoo import ModelInfo, spec
from vizconv.ops.conv import ConvStep
from vizconv.viz import style
from vizconv.viz.charts import cell_axis, click_targets, scale_for
from vizconv.viz.export import file_name
from vizconv.viz.steps import format_number
from vizconv.viz.torch_code import agrees

__all__ = [
    "DEFAULTS",
    "LINK_SAMPLES",
    "MAX_MAP",
    "MAX_ONNX_BYTES",
    "MAX_OWN_WEIGHTS_BYTES",
    "MODEL_CHOICES",
    "ONNX",
    "ONNX_PREPROCESSING",
    "SOURCES",
    "MAX_EPOCH",
    "WEIGHT_KINDS",
    "Analysis",
    "activation_latex",
    "alternatives",
    "analyse",
    "as_probabilities",
    "captured_check",
    "carried_cell",
    "chosen_picture",
    "channel_heatmap",
    "channel_stats",
    "drawn_picture",
    "model_dataset",
    "enlarged",
    "field_figure",
    "filters_caption",
    "first_conv",
    "grid_file_name",
    "group_note",
    "layer_columns",
    "layer_label",
    "map_layers",
    "steps_between",
    "strongest_channels",
    "table_height",
    "top_predictions",
    "model_epochs",
    "weight_kinds",
    "weights_key",
]

MAX_MAP = 4096  # bound on a channel index or a map row/column read from a link (the page clamps to the layer)
SEEN_PX = 224  # the picture the model sees is drawn about this wide, in whole pixels
PREDICTIONS = 5  # the top classes listed
STRONGEST = 3  # input channels whose dot products are written out
TABLE_ROWS = 16  # the layer table shows this many rows whole (LeNet's whole table), then scrolls
WEIGHT_KINDS = ("bundled", "epoch", "random", "own")  # "epoch": a training snapshot; "own": a state_dict uploaded
ONNX = "onnx"  # the model choice "your own ONNX file" (kept in the student's session only)
# vizconv's four models, torchvision's ImageNet classifiers, then the student's own ONNX file
MODEL_CHOICES = (*available_models(zoo=True), ONNX)
ONNX_PREPROCESSING = ("auto", *PREPROCESSING)  # "auto": the loader's guess from the input's size
MAX_ONNX_BYTES = Limits().max_bytes  # 100 MB: ResNet-50 fits, VGG-16 (528 MB) does not
# Weights a student may upload (state_dict or safetensors): the server's upload limit (.streamlit/config.toml,
# 100 MB) bounds them, so the zoo's largest (AlexNet 233 MB, VGG 507–528 MB, ConvNeXt-Tiny 109 MB) offer none.
MAX_OWN_WEIGHTS_BYTES = 100 * 1024 * 1024
SOURCES = ("sample", "upload", "draw")
LINK_SAMPLES = tuple({**model_samples("mnist"), **model_samples("cifar10")})  # the samples a link may name
DEFAULTS = {
    "model": "lenet5",
    "source": "sample",
    "sample": "digit_7",
    "shared": True,
    "layer": "",
    "channel": 0,
    "oy": -1,  # -1: the middle of the map, set on the first visit
    "ox": -1,
    "weights": "bundled",  # "epoch" (a snapshot of its training), "random" (seeded, untrained) or "own"
    "epoch": 0,  # the snapshot's epoch (0: the random initialisation its training started from)
    "preprocess": "auto",  # an ONNX model's: one of ONNX_PREPROCESSING
}
MAX_EPOCH = 200  # an epoch a link may name (the page keeps it to one the model's card lists)


def model_epochs(name: str) -> tuple[int, ...]:
    """The epochs of model ``name``'s training snapshots; () for none, or where its card cannot be read (loading
    its weights then says why)."""
    try:
        return snapshot_epochs(name)
    except ModelError:
        return ()


def weight_kinds(epochs: tuple[int, ...], model: str | None = None) -> tuple[str, ...]:
    """The weights a model offers: a snapshot of its training only where its card lists ``epochs``; a student's
    own only where ``model``'s weights fit the server's upload limit (MAX_OWN_WEIGHTS_BYTES)."""
    too_large = model is not None and max_weights_bytes(model) > MAX_OWN_WEIGHTS_BYTES
    return tuple(kind for kind in WEIGHT_KINDS if (kind != "epoch" or epochs) and (kind != "own" or not too_large))


def weights_key(kind: str, model: str) -> str:
    """The catalogue key of weights ``kind`` for ``model``: a downloaded model's own weights are not vizconv's.

    Keys: fm.weights.bundled, fm.weights.epoch, fm.weights.random, fm.weights.own, fm.weights.pretrained."""
    return "fm.weights.pretrained" if kind == "bundled" and not spec(model).bundled else f"fm.weights.{kind}"


def model_dataset(info: ModelInfo) -> str:
    """The dataset whose sample pictures suit the model: its card's (bundled and zoo models), an ONNX model's
    guess from its input and preprocessing ("mnist", "cifar10" or "ImageNet-1K")."""
    return info.card.get("dataset") or info.card.get("samples") or "mnist"


def alternatives(model: str) -> tuple[str, ...]:
    """Bundled models to offer when ``model``'s weights cannot be had: a ResNet and a LeNet, other than it."""
    return tuple(name for name in ("resnet20", "lenet5") if name != model)


def drawn_picture(drawing: np.ndarray | None) -> Image.Image | None:
    """The canvas's RGBA drawing (H, W, 4) as an RGB picture; None while nothing is drawn."""
    if drawing is None or int(drawing[..., :3].max()) == 0:
        return None
    return Image.fromarray(np.ascontiguousarray(drawing[..., :3]))


def chosen_picture(
    source: str, samples: dict[str, Path], sample: str | None, drawing: np.ndarray | None
) -> Image.Image | None:
    """The picture of a sample (``source`` "sample": ``samples[sample]``, RGB) or a drawing ("draw"); None while
    nothing is drawn. SampleError when the install has no sample pictures, or the picture cannot be read."""
    if source == "draw":
        return drawn_picture(drawing)
    if not samples:
        raise SampleError("asset.samples_none", folder=str(ASSETS / "samples"))
    return open_picture(samples[sample], "RGB")


@dataclass(frozen=True)
class Analysis:
    """A picture through a network: its input, every layer's output, the layer table and the prediction."""

    x: torch.Tensor  # (1, C, H, W), preprocessed
    acts: dict[str, torch.Tensor]  # layer -> its output [1, ...], forward order
    rows: list[LayerInfo]
    probabilities: torch.Tensor | None  # (classes,); None where the output is not one score per class


def as_probabilities(output: torch.Tensor) -> torch.Tensor:
    """A classifier's output for one picture as probabilities (classes,): softmax of its scores, or the output
    itself where the model ends in a softmax already (an ONNX graph often does): no value below 0, sum 1."""
    scores = output.detach().flatten().float()
    if bool((scores >= 0).all()) and abs(float(scores.sum()) - 1.0) < 1e-4:
        return scores
    return torch.softmax(scores, dim=0)


def analyse(model: nn.Module, info: ModelInfo, picture: Image.Image) -> Analysis:
    """Preprocess ``picture`` as the model was trained, capture every layer, read the prediction."""
    x = info.preprocess(picture)  # (1, C, H, W)
    acts = capture(model, x)
    rows = layer_table(model, tuple(x.shape))  # no second forward pass: the table depends on the shape only
    if not info.classes:  # an ONNX model whose output is a map, not one score per class
        return Analysis(x, acts, rows, None)
    if info.card.get("source") == "onnx":  # its graph's own output: it may end after the last layer captured
        with evaluating(model), torch.no_grad():  # the student's model, in their session only: no lock needed
            return Analysis(x, acts, rows, as_probabilities(model(x)))
    return Analysis(x, acts, rows, as_probabilities(next(reversed(acts.values()))[0]))


def enlarged(seen: np.ndarray) -> np.ndarray:
    """A small (H, W, 3) picture enlarged by a whole factor to about SEEN_PX: 28 × 8, 32 × 7, 224 × 1."""
    factor = max(1, SEEN_PX // max(seen.shape[:2]))
    return seen.repeat(factor, axis=0).repeat(factor, axis=1)


def top_predictions(probabilities: torch.Tensor, classes: list[str], k: int = PREDICTIONS) -> list[tuple[str, float]]:
    """The ``k`` likeliest classes (at most as many as there are), most likely first, as (class, probability)."""
    top = torch.topk(probabilities, k=min(k, len(classes)))
    return [(classes[i], p) for i, p in zip(top.indices.tolist(), top.values.tolist(), strict=True)]


def layer_columns(rows: list[LayerInfo]) -> dict[str, list]:
    """The layer table's columns, by their heading's catalogue key."""
    return {
        "fm.col_layer": [r.name for r in rows],
        "fm.col_kind": [r.kind for r in rows],
        "fm.col_shape": ["×".join(map(str, r.shape)) for r in rows],
        "fm.col_params": [r.params for r in rows],
        "fm.col_rf": ["" if r.receptive_field is None else f"{r.receptive_field}×{r.receptive_field}" for r in rows],
        "fm.col_jump": ["" if r.jump is None else str(r.jump) for r in rows],
    }


def table_height(rows: int) -> int:
    """Pixels for a table of ``rows`` rows: every row in view up to TABLE_ROWS (its parameters summed by eye),
    then a scroll."""
    return 3 + 35 * (rows + 1) if rows <= TABLE_ROWS else 420


def map_layers(rows: list[LayerInfo]) -> list[str]:
    """The layers whose output is a stack of maps (C, H, W): the ones a grid can show. Outputs laid out channels
    last (ConvNeXt's blocks) are left out: read as (C, H, W) they would be H "channels" (``channels_last``)."""
    left_out = channels_last(rows)
    return [r.name for r in rows if len(r.shape) == 3 and r.name not in left_out]


def layer_label(layer: str, modules: dict[str, nn.Module]) -> str:
    """A layer as the picker shows it: its name and its module's kind ("layer1.0.relu#2 · ReLU")."""
    return f"{layer} · {type(modules[module_path(layer)]).__name__}"


def grid_file_name(model: str, layer: str, shared: bool) -> str:
    """The channel grid's PNG file name."""
    return file_name("feature_maps", model, layer, "shared" if shared else "each", ext="png")


def channel_heatmap(values: torch.Tensor, channel: int, hover: str) -> dict:
    """One channel [H, W] as a Plotly heatmap whose cells a click picks (``hover``: the markers' hover text)."""
    scale, low, high = scale_for(float(values.min()), float(values.max()))  # diverging around 0 where signed
    rounded = [[round(v, 4) for v in row] for row in values.tolist()]
    heatmap = {
        "type": "heatmap",
        "z": rounded,
        "colorscale": scale,
        "zmin": low,
        "zmax": high,
        "colorbar": {"thickness": 14},
        "hoverinfo": "skip",
    }
    return {
        "data": [heatmap, click_targets(rounded, channel, hover)],
        "layout": {
            "height": 420,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "hovermode": "closest",
            "hoverdistance": -1,  # a click picks the cell under the pointer (see click_targets)
            "yaxis": {**cell_axis(values.shape[0], downwards=True), "scaleanchor": "x"},
            "xaxis": cell_axis(values.shape[1]),
        },
    }


def channel_stats(values: torch.Tensor) -> list[tuple[str, str]]:
    """A channel's minimum, maximum, mean and share of zeros, as (catalogue key of the label, value)."""
    return [
        ("fm.min", format_number(float(values.min()), 4)),
        ("fm.max", format_number(float(values.max()), 4)),
        ("fm.mean", format_number(float(values.mean()), 4)),
        ("fm.zeros", f"{float((values == 0).float().mean()):.0%}"),
    ]


def steps_between(made_by: MadeBy, modules: dict[str, nn.Module]) -> str:
    """The per-channel layers after the producing convolution, by kind: "ReLU → MaxPool2d"."""
    return " → ".join(type(modules[module_path(name)]).__name__ for name in made_by.between)


def carried_cell(cell: tuple[int, int], size: tuple[int, int], previous: tuple[int, int] | None) -> tuple[int, int]:
    """The explained cell (row, col) on a map of ``size`` (H, W): -1 means the middle (a first visit); after a
    map of another size (``previous``), the cell at the same place of the picture; clamped to the map."""
    (oy, ox), (h, w) = cell, size
    oy = h // 2 if oy < 0 else oy
    ox = w // 2 if ox < 0 else ox
    if previous is not None and tuple(previous) != (h, w):
        oy, ox = int((oy + 0.5) * h / previous[0]), int((ox + 0.5) * w / previous[1])
    return min(max(oy, 0), h - 1), min(max(ox, 0), w - 1)


def field_figure(seen: np.ndarray, window: tuple[float, float, float, float]) -> dict:
    """The picture the model sees (H, W, 3) with the receptive field ``window`` (top, left, bottom, right) drawn.

    The axes take in the whole field, also where it reaches past the picture into the padding (deep layers'
    fields are larger than the picture): the picture is outlined, the field always drawn.
    """
    height, width = seen.shape[:2]
    top, left, bottom, right = window
    picture = {"type": "rect", "x0": -0.5, "x1": width - 0.5, "y0": -0.5, "y1": height - 0.5}
    field = {"type": "rect", "x0": left - 0.5, "x1": right + 0.5, "y0": top - 0.5, "y1": bottom + 0.5}
    return {
        "data": [{"type": "image", "z": seen.tolist(), "hoverinfo": "skip"}],
        "layout": {
            "height": 300,
            "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
            "xaxis": {"visible": False, "range": [min(-0.5, field["x0"]) - 1, max(width - 0.5, field["x1"]) + 1]},
            "yaxis": {
                "visible": False,
                "range": [max(height - 0.5, field["y1"]) + 1, min(-0.5, field["y0"]) - 1],
                "scaleanchor": "x",
            },
            "plot_bgcolor": "rgba(0,0,0,0)",
            "shapes": [
                {**picture, "line": {"color": "#888888", "width": 1, "dash": "dot"}},
                {**field, "line": {"color": style.WINDOW_COLOUR, "width": 3}},
            ],
        },
    }


def activation_latex(step: ConvStep, window: str, kernel: str) -> str:
    """The activation as LaTeX: Σ_c (window_c ⊙ kernel_c) + b = Σ + b = value (``window``, ``kernel``: the words)."""
    sums = step.channel_sums.tolist()
    total = format_number(float(np.sum(sums)), 4)
    bias = format_number(step.bias, 4)
    bias_term = f"- {bias[1:]}" if bias.startswith("-") else f"+ {bias}"
    return (
        rf"\sum_{{c=0}}^{{{len(sums) - 1}}} (\text{{{window}}}_c \odot \text{{{kernel}}}_c) + b"
        rf" = {total} {bias_term} = \mathbf{{{format_number(step.value, 4)}}}"
    )


def strongest_channels(sums: torch.Tensor, k: int = STRONGEST) -> list[int]:
    """The input channels of largest |window ⊙ kernel| sum, strongest first (ties: the lower channel)."""
    order = np.argsort(-np.abs(np.asarray(sums.tolist(), dtype=float)), kind="stable")
    return [int(c) for c in order[:k]]


def captured_check(value: float, captured: float) -> tuple[str, dict[str, str]]:
    """The recomputed activation against the one the forward hook captured: the catalogue key of the verdict
    (``fm.captured`` when they agree within torch's tolerance, else ``fm.captured_differs``) and its values."""
    difference = value - captured
    values = {"value": format_number(captured, 4)}
    if agrees(difference, captured):
        return "fm.captured", values
    return "fm.captured_differs", {**values, "diff": f"{abs(difference):.2g}"}


def filters_caption(weight: torch.Tensor) -> str:
    """The catalogue key of the first-layer filters' caption: ``filter_grid`` draws RGB filters [C_out, 3, kH, kW]
    as pictures (``fm.filters_caption_rgb``), others on one scale (``fm.filters_caption_gray``)."""
    return "fm.filters_caption_rgb" if weight.shape[1] == 3 else "fm.filters_caption_gray"


def group_note(conv: nn.Conv2d, oc: int) -> tuple[str, dict[str, int]] | None:
    """What a grouped convolution's output channel ``oc`` reads, as (catalogue key, values): only its group's
    input channels. ``fm.depthwise`` where each group is one input channel (MobileNet), ``fm.grouped`` otherwise
    (RegNet, ResNeXt); None for an ordinary convolution (every output channel reads every input channel)."""
    if conv.groups == 1:
        return None
    per_group = conv.in_channels // conv.groups
    group = oc // (conv.out_channels // conv.groups)
    first = group * per_group
    values = {"groups": conv.groups, "c": oc, "g": group, "first": first, "last": first + per_group - 1}
    values |= {"n": per_group, "total": conv.in_channels, "mult": conv.out_channels // conv.groups}
    return ("fm.depthwise" if per_group == 1 else "fm.grouped"), values


def first_conv(modules: dict[str, nn.Module]) -> str:
    """The module path of the network's first Conv2d (whose filters look at the picture itself)."""
    return next(name for name, m in modules.items() if isinstance(m, nn.Conv2d))
