"""What the "Why it answered" page computes, as plain functions on its settings, lesson by lesson (``LESSONS``):

- ``gradcam``: Grad-CAM at a layer, explained in numbers: each channel's weight α_k (the mean of the class
  score's gradient over the channel's map), the channels that matter most multiplied by their weights, their
  sum, the ReLU, the upsampling, and one cell written out as Σ_k α_k·A_k[y, x]; checked against torchcam;
- ``methods``: Grad-CAM, Grad-CAM++, LayerCAM, Score-CAM and the original CAM side by side (torchcam);
- ``occlusion``: a grey patch slid over the picture, the class score's drop as a map, and one patch placed;
- ``channel``: what one conv channel looks for: the nine bundled pictures it answers most (Zeiler & Fergus).

The computing is ``vizconv.explain``'s; this module turns it into pictures, figures, formulas and files. Tests
drive the same functions without Streamlit.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from vizconv.explain.cam import CamExplanation
from vizconv.explain.occlusion import OcclusionMap
from vizconv.viz.charts import click_targets, heatmap_figure
from vizconv.viz.steps import format_number
from vizconv.viz.style import colour_lut

__all__ = [
    "DEFAULTS",
    "HEAT_SCALE",
    "LESSONS",
    "LIMITS",
    "MAX_OCCLUSION_POSITIONS",
    "MAX_SCORECAM_WORK",
    "METHOD_ORDER",
    "OVERLAY_PX",
    "TERMS_SHOWN",
    "TOP_SHOWN",
    "Prediction",
    "agreement",
    "cam_grid",
    "enlarged",
    "layer_channels",
    "layer_labels",
    "map_steps",
    "occlusion_positions",
    "scorecam_work",
    "smallest_stride",
    "map_csv",
    "occlusion_figure",
    "overlay_png",
    "patched_picture",
    "predict",
    "sample_picture",
    "term_latex",
    "unused_settings",
    "weights_figure",
]

LESSONS = ("gradcam", "methods", "occlusion", "channel")  # the page's lessons, in teaching order
METHOD_ORDER = ("gradcam", "gradcampp", "layercam", "scorecam", "cam")  # vizconv.explain.cam.METHODS, as shown
HEAT_SCALE = "Jet"  # the heat map laid over the picture: blue (nothing) to red (what the class rests on)
OVERLAY_PX = 256  # the overlay's side on screen, about (a whole factor of the model's input)
TOP_SHOWN = 8  # channels drawn with their weight
TERMS_SHOWN = 6  # products written out in one cell's sum (the rest added up in one number)
PREDICTIONS = 5  # classes listed
MAX_OCCLUSION_POSITIONS = 1024  # patch positions one occlusion map may take (a forward pass each)
MAX_SCORECAM_WORK = 64 * 224 * 224  # Score-CAM: channels × input pixels (one masked forward pass per channel)

# The page's settings with their defaults (the model, picture, class and layer shared by every lesson).
DEFAULTS = {
    "lesson": "gradcam",
    "model": "resnet20",
    "weights": "bundled",  # or "random" (vizconv.ui.sections.model_source)
    "preprocess": "auto",  # an ONNX model's
    "sample": "cifar_cat",
    "target": -1,  # the class explained: -1 the predicted one
    "layer": "",  # "" the last layer with a map
    "opacity": 50,  # % of heat laid over the picture
    "cy": 0,  # the map cell written out
    "cx": 0,
    "method": "gradcam",
    "patch": 8,  # occlusion: the patch's side and stride, in input pixels
    "stride": 4,
    "py": 8,  # the patch placed by hand: its top-left pixel (row, column of the picture)
    "px": 8,
    "conv": "",  # the conv layer whose channel is shown ("" the first)
    "channel": 0,
}
LIMITS = {"opacity": (0, 100), "cy": (0, 511), "cx": (0, 511), "patch": (1, 64), "stride": (1, 64)}


@dataclass(frozen=True)
class Prediction:
    """What the model answers for the picture: x as it takes it, every class's probability, the likeliest."""

    x: torch.Tensor  # (1, C, H, W) as info.preprocess gives it
    probabilities: torch.Tensor  # (classes,)
    top: list[tuple[int, float]]  # (class index, probability), most likely first

    @property
    def predicted(self) -> int:
        return self.top[0][0]


def sample_picture(path) -> Image.Image:
    """A bundled sample picture, opened as RGB (what a model's preprocess expects of an upload)."""
    from vizconv.inputs.samples import open_picture

    return open_picture(path, "RGB")


# The settings each lesson reads beside the model, picture and class (the rest stay out of its link).
_USED = {
    "gradcam": {"layer", "opacity", "cy", "cx"},
    "methods": {"layer", "opacity", "method", "cy", "cx"},
    "occlusion": {"opacity", "patch", "stride", "py", "px"},
    "channel": {"conv", "channel"},
}


def unused_settings(values: dict) -> set[str]:
    """The settings the lesson of ``values`` does not use: they stay out of its link (shorter, and it reads as
    the view)."""
    return set().union(*_USED.values()) - _USED[values["lesson"]]


def predict(model: torch.nn.Module, info, picture: Image.Image) -> Prediction:
    """The picture through ``info.preprocess`` and the model (eval mode, no gradients)."""
    from vizconv.nets.capture import evaluating  # late: it loads the nets' room
    from vizconv.views.feature_maps import as_probabilities

    x = info.preprocess(picture)
    with evaluating(model), torch.no_grad():
        probabilities = as_probabilities(model(x))  # an ONNX model may end in a softmax already
    top = torch.topk(probabilities, k=min(PREDICTIONS, len(probabilities)))
    return Prediction(x, probabilities, list(zip(top.indices.tolist(), top.values.tolist(), strict=True)))


def enlarged(rgb: np.ndarray) -> np.ndarray:
    """A small (H, W, 3) picture enlarged by a whole factor to about OVERLAY_PX (28 × 9, 32 × 8, 224 × 1)."""
    factor = max(1, OVERLAY_PX // max(rgb.shape[:2]))
    return rgb.repeat(factor, axis=0).repeat(factor, axis=1)


def overlay_png(seen: np.ndarray, heat: torch.Tensor, opacity: float) -> bytes:
    """The picture the model sees (H, W, 3) uint8 with ``heat`` (H, W) laid over it: scaled to 0..1 (its largest
    value red), coloured with HEAT_SCALE, mixed in at ``opacity`` (0..1), enlarged by a whole factor; PNG bytes."""
    values = heat.detach().float()
    values = values - values.min()
    values = values / values.max() if float(values.max()) > 0 else values
    colours = colour_lut(HEAT_SCALE)[(values.numpy() * 255).round().astype(np.int64)]  # (H, W, 3)
    mixed = (1 - opacity) * seen.astype(np.float64) + opacity * colours.astype(np.float64)
    buffer = io.BytesIO()
    Image.fromarray(enlarged(mixed.round().clip(0, 255).astype(np.uint8))).save(buffer, format="PNG")
    return buffer.getvalue()


def map_csv(values: torch.Tensor) -> bytes:
    """A map (h, w) as CSV: a header of column numbers, then one line per row, the row number first."""
    h, w = values.shape
    lines = ["row," + ",".join(str(j) for j in range(w))]
    lines += [f"{i}," + ",".join(f"{float(v):.6g}" for v in values[i]) for i in range(h)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def weights_figure(explanation: CamExplanation, title: str, x_title: str) -> dict:
    """α_k as one bar per channel (positive red, negative blue), the channels drawn below outlined in black."""
    weights = explanation.weights if explanation.weights.dim() == 1 else explanation.weights.mean(dim=(1, 2))
    top = set(explanation.top_channels(TOP_SHOWN))
    return {
        "data": [
            {
                "type": "bar",
                "x": list(range(len(weights))),
                "y": [float(w) for w in weights],
                "marker": {
                    "color": ["#b2182b" if w >= 0 else "#2166ac" for w in weights.tolist()],
                    "line": {"color": ["black" if k in top else "rgba(0,0,0,0)" for k in range(len(weights))]},
                },
                "hovertemplate": "k = %{x}: %{y:.4g}<extra></extra>",
            }
        ],
        "layout": {
            "title": {"text": title, "font": {"size": 14}},
            "height": 240,
            "margin": {"l": 50, "r": 10, "t": 40, "b": 40},
            "xaxis": {"title": {"text": x_title}},
            "bargap": 0.1,
        },
    }


def _clickable(figure: dict, values: torch.Tensor) -> dict:
    """``figure`` (one heatmap of ``values``) with invisible markers on its cells: a click picks a cell (heatmaps
    cannot be selected; vizconv.viz.charts.click_targets), its value in the hover."""
    figure["data"][0]["hoverinfo"] = "skip"
    rounded = torch.round(values.double() * 10_000).div(10_000).tolist()
    figure["data"].append(click_targets(rounded, 0, "(%{y}, %{x}): %{customdata}<extra></extra>"))
    figure["layout"] |= {"hovermode": "closest", "hoverdistance": -1}
    return figure


def cam_grid(explanation: CamExplanation, title: str) -> dict:
    """One map at the layer's resolution as a heatmap (rows downwards); a click picks the cell written out."""
    return _clickable(heatmap_figure(explanation.map, title, height=320), explanation.map)


def _signed(value: float) -> str:
    text = f"{value:.3g}".replace("e-0", "e-").replace("e+0", "e")
    if "e" in text:  # 1.2e-5 as 1.2·10^{-5}
        mantissa, exponent = text.split("e")
        text = rf"{mantissa} \cdot 10^{{{int(exponent)}}}"
    return f"({text})" if value < 0 else text


def term_latex(
    explanation: CamExplanation,
    y: int,
    x: int,
    more: Callable[[int], str] = "{} more".format,
    shown: int = TERMS_SHOWN,
    per_line: int = 3,
) -> str:
    """Cell (y, x) of the map as its sum: the ``shown`` largest products α_k·A_k[y, x] written out with their
    numbers (3 significant digits), ``per_line`` to a line, the others added up in one term (labelled
    ``more(count)``), the total, and the ReLU (CAM: none)."""
    term = explanation.term(y, x)
    order = term.products.abs().argsort(descending=True, stable=True).tolist()
    parts = [
        rf"\underbrace{{{_signed(float(term.weights[k]))} \cdot {_signed(float(term.activations[k]))}}}_{{k={k}}}"
        for k in order[:shown]
    ]
    rest = order[shown:]
    if rest:
        parts.append(rf"\underbrace{{{_signed(float(term.products[rest].sum()))}}}_{{\text{{{more(len(rest))}}}}}")
    lines = [" + ".join(parts[i : i + per_line]) for i in range(0, len(parts), per_line)]
    total = format_number(term.total, 4)
    relu = rf" \quad \mathrm{{ReLU}} \to {format_number(term.value, 4)}" if explanation.relu else ""
    body = r" \\ &+ ".join(lines)
    return rf"\begin{{aligned}} \sum_k \alpha_k A_k[{y},{x}] &= {body} \\ &= {total}{relu} \end{{aligned}}"


def map_steps(explanation: CamExplanation) -> list[tuple[torch.Tensor, str]]:
    """How the map is made from the weighted channels, each step a map with its catalogue key: their sum
    Σ_k w_k·A_k (signed), the ReLU (CAM: none, the sum is the map), the map upsampled to the picture."""
    relu = "why.step.relu" if explanation.relu else "why.step.no_relu"
    return [
        (explanation.pre_relu, "why.step.sum"),
        (explanation.map, relu),
        (explanation.upsampled(), "why.step.upsampled"),
    ]


def occlusion_positions(size: tuple[int, int], patch: int, stride: int) -> int:
    """How many places a ``patch``-pixel patch takes, ``stride`` apart, inside a picture of ``size`` (H, W)."""
    return ((size[0] - patch) // stride + 1) * ((size[1] - patch) // stride + 1)


def smallest_stride(size: tuple[int, int], patch: int) -> int:
    """The smallest stride at which an occlusion map of ``patch`` keeps within MAX_OCCLUSION_POSITIONS."""
    return next(s for s in range(1, max(size) + 1) if occlusion_positions(size, patch, s) <= MAX_OCCLUSION_POSITIONS)


def scorecam_work(channels: int, size: tuple[int, int]) -> int:
    """Score-CAM's cost in channels × input pixels: one forward pass of the masked picture per channel."""
    return channels * size[0] * size[1]


def agreement(ours: torch.Tensor, theirs: torch.Tensor) -> tuple[float, float]:
    """(largest difference between two maps, the larger map's largest magnitude): torch_verdict's numbers."""
    return float((ours - theirs).abs().max()), float(torch.maximum(ours.abs().max(), theirs.abs().max()))


def occlusion_figure(occluded: OcclusionMap, title: str) -> dict:
    """The score's drop at each patch position (red: hiding it costs the class), a cell per position."""
    return _clickable(heatmap_figure(occluded.drop, title, height=320), occluded.drop)


def patched_picture(seen: np.ndarray, box: tuple[int, int, int, int], mean: tuple[float, ...]) -> np.ndarray:
    """The picture (H, W, 3) uint8 with the box (top, left, bottom, right, inclusive) filled grey with the
    dataset's mean colour (what the occluded input holds there: 0 after standardisation)."""
    top, left, bottom, right = box
    out = seen.copy()
    grey = np.array([round(m * 255) for m in mean] * (3 // len(mean)), dtype=np.uint8)
    out[top : bottom + 1, left : right + 1] = grey
    return enlarged(out)


def layer_labels(model: torch.nn.Module, input_size: tuple[int, ...], names: list[str]) -> dict[str, str]:
    """Each layer of ``names`` as the layer table shows it: "layer3.2 · BasicBlock · 64×8×8"."""
    from vizconv.nets.layers import layer_table  # late: it loads the nets' room

    rows = {row.name: row for row in layer_table(model, tuple(input_size))}
    return {name: f"{name} · {rows[name].kind} · {'×'.join(map(str, rows[name].shape))}" for name in names}


def layer_channels(model: torch.nn.Module, input_size: tuple[int, ...], name: str) -> int:
    """The channels of layer ``name``'s output (its maps), from the layer table."""
    from vizconv.nets.layers import layer_table  # late: it loads the nets' room

    return next(row.shape[0] for row in layer_table(model, tuple(input_size)) if row.name == name)
