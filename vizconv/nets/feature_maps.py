"""Feature maps as pictures, and one activation of a trained network explained.

``channel_grid`` draws every channel of a layer as one PNG (a grid of
heatmaps with a colour bar), far smaller than a Plotly heatmap per channel.
``explain_activation`` recomputes one value of a trained convolution layer
with ``trace_conv2d`` on the layer's real input and weights.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont
from torch import nn
from torchvision.models.resnet import BasicBlock, Bottleneck

from vizconv.errors import ParameterError
from vizconv.nets.capture import CAPTURED_TYPES, capture, evaluating, layer_input, module_path, modules_by_path
from vizconv.ops.conv import ConvStep, ConvTrace, trace_conv2d
from vizconv.viz import style

__all__ = [
    "ActivationExplained",
    "GridImage",
    "MadeBy",
    "channel_grid",
    "explain_activation",
    "filter_grid",
    "no_single_kernel",
    "producing_conv",
]

MIN_CELL_PX = 96  # each channel drawn at least this large (legible on a projector)
GAP_PX = 3
BAR_PX = 18
LEVELS = 254  # colour-scale entries of the grid's palette
WHITE, TEXT = 254, 255  # the palette's background and text entries


@dataclass(frozen=True)
class GridImage:
    """A layer's channels as one PNG."""

    png: bytes
    low: float  # value at the bottom of the colour bar (shared scale)
    high: float  # value at the top
    shared: bool
    signed: bool
    columns: int
    rows: int
    cell: int  # pixels per channel tile


def _normalise(maps: np.ndarray, shared: bool, signed: bool) -> tuple[np.ndarray, float, float]:
    """Values to 0..1 for the LUT: zero at the middle when signed."""
    if shared:
        if signed:
            bound = float(np.abs(maps).max()) or 1.0
            return (maps / bound + 1) / 2, -bound, bound
        high = float(maps.max()) or 1.0
        return maps / high, 0.0, high
    out = np.empty_like(maps)
    for i, m in enumerate(maps):
        if signed:
            out[i] = (m / (float(np.abs(m).max()) or 1.0) + 1) / 2
        else:
            low, high = float(m.min()), float(m.max())
            out[i] = (m - low) / ((high - low) or 1.0)
    return out, float(maps.min()), float(maps.max())


def channel_grid(maps: torch.Tensor, shared: bool = True, labels: tuple[str, str] = ("max", "min")) -> GridImage:
    """maps [C, H, W] as a grid of coloured tiles, numbered, with a colour bar on the right.

    Signed maps use the diverging scale with zero at white (symmetric range),
    non-negative maps cividis from zero. With ``shared`` every tile uses one
    range (its ends are written on the bar); otherwise each tile is scaled to
    its own range and the bar is labelled with ``labels`` (top, bottom), or, for signed maps, each tile's
    own ±max|v| (drawn in Pillow's default font, so ASCII only).
    """
    values = maps.detach().float().cpu().numpy()  # (C, H, W)
    if values.ndim != 3:
        raise ParameterError("err.not_feature_map", shape=list(maps.shape))
    values = np.nan_to_num(values)
    channels, height, width = values.shape
    signed = bool(values.min() < 0)
    scaled, low, high = _normalise(values, shared, signed)
    # A palette PNG: one byte per pixel. Entries 0..253 are the colour scale, 254 white, 255 the text grey.
    lut = style.colour_lut(style.DIVERGING_SCALE if signed else style.SEQUENTIAL_SCALE)
    palette = np.concatenate([lut[np.linspace(0, 255, LEVELS).round().astype(int)], [[255, 255, 255], [51, 51, 51]]])
    factor = max(1, math.ceil(MIN_CELL_PX / max(height, width)))
    cell_h, cell_w = height * factor, width * factor
    columns = math.ceil(math.sqrt(channels))
    rows = math.ceil(channels / columns)
    label_px = 16  # room for the channel numbers, 13 px type
    grid_w = columns * (cell_w + GAP_PX) + GAP_PX
    grid_h = rows * (cell_h + GAP_PX + label_px) + GAP_PX
    pixels = np.full((max(grid_h, 120), grid_w + BAR_PX + 70), WHITE, dtype=np.uint8)  # (H_png, W_png)
    indices = np.clip(np.rint(scaled * (LEVELS - 1)), 0, LEVELS - 1).astype(np.uint8)  # (C, H, W)
    tiles = indices.repeat(factor, axis=1).repeat(factor, axis=2)  # (C, cell_h, cell_w), nearest upscaling
    origins = []
    for c in range(channels):
        row, col = divmod(c, columns)
        x0 = GAP_PX + col * (cell_w + GAP_PX)
        y0 = GAP_PX + row * (cell_h + GAP_PX + label_px)
        pixels[y0 + label_px : y0 + label_px + cell_h, x0 : x0 + cell_w] = tiles[c]
        origins.append((x0, y0))
    # the colour bar: top = high, bottom = low
    bar_h = max(grid_h - 2 * GAP_PX, 100)
    bar_x = grid_w + 6
    pixels[GAP_PX : GAP_PX + bar_h, bar_x : bar_x + BAR_PX] = np.linspace(LEVELS - 1, 0, bar_h).round()[:, None]
    canvas = Image.fromarray(pixels, mode="P")
    canvas.putpalette(palette.astype(np.uint8).tobytes())
    if shared:
        ends = f"{high:.3g}", f"{low:.3g}"
    elif signed:  # each tile from its own -max|v| to +max|v|, zero at white in the middle
        ends = "+max|v|", "-max|v|"
    else:
        ends = labels
    _write_labels(canvas, origins, (bar_x + BAR_PX + 4, bar_h), ends, signed)
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG", compress_level=6)
    return GridImage(buffer.getvalue(), low, high, shared, signed, columns, rows, max(cell_h, cell_w))


def _write_labels(
    canvas: Image.Image, origins: list[tuple[int, int]], bar: tuple[int, int], ends: tuple[str, str], signed: bool
) -> None:
    """Each tile's channel number above it, and the colour bar's ends (top, bottom) beside it, with 0 in the
    middle where the scale is signed. ``bar``: (x of the labels, height of the bar)."""
    draw = ImageDraw.Draw(canvas)
    try:  # Pillow's built-in FreeType font at a size a projector shows; the tiny bitmap one without FreeType
        font = ImageFont.load_default(size=13)
    except (OSError, TypeError, ValueError):
        font = ImageFont.load_default()
    for c, (x0, y0) in enumerate(origins):
        draw.text((x0, y0), str(c), fill=TEXT, font=font)
    x, height = bar
    draw.text((x, GAP_PX), ends[0], fill=TEXT, font=font)
    draw.text((x, GAP_PX + height - 15), ends[1], fill=TEXT, font=font)
    if signed:  # zero, at white in the middle, shared or not
        draw.text((x, GAP_PX + height // 2 - 7), "0", fill=TEXT, font=font)


@dataclass(frozen=True)
class ActivationExplained:
    """One activation of a Conv2d layer recomputed from the layer's real input and weights."""

    layer: str
    trace: ConvTrace
    step: ConvStep
    captured: float  # the value the forward hook recorded


def explain_activation(
    model: nn.Module, x: torch.Tensor, layer: str, oc: int, oy: int, ox: int, captured: torch.Tensor | None = None
) -> ActivationExplained:
    """Recompute output[oc, oy, ox] of Conv2d ``layer`` for input x with trace_conv2d.

    ``captured`` is the layer's output [C, H, W] from an earlier capture of the same x (saves a forward pass).
    """
    module = modules_by_path(model).get(layer)
    if not isinstance(module, nn.Conv2d):
        raise ParameterError("err.not_conv_layer", layer=layer)
    inputs = layer_input(model, x, layer)[0]  # (C_in, H, W)
    trace = trace_conv2d(
        inputs,
        module.weight.detach(),
        None if module.bias is None else module.bias.detach(),
        stride=module.stride,
        padding=module.padding,
        dilation=module.dilation,
        groups=module.groups,
        padding_mode=module.padding_mode,
    )
    if captured is None:
        captured = capture(model, x, layers=[layer])[layer][0]
    step = trace.step(oc, oy, ox)
    return ActivationExplained(layer, trace, step, float(captured[oc, oy, ox]))


# Captured layers that mix channels, or make them with a kernel of their own: a LayerNorm normalises each
# position over all channels (their mean and variance), a ConvTranspose2d scatters its kernels onto the output.
MIXING = (nn.Conv2d, nn.ConvTranspose2d, nn.LayerNorm, nn.Flatten, nn.Linear, BasicBlock, Bottleneck)
# Layers that map channel c to channel c and nothing else: a kernel's output channel goes through them whole
# (activations, BatchNorm and InstanceNorm, pooling).
PER_CHANNEL = tuple(kind for kind in CAPTURED_TYPES if not issubclass(kind, MIXING))


@dataclass(frozen=True)
class MadeBy:
    """The convolution whose output channel c is channel c of a later layer, and what came in between."""

    conv: str  # module path of the Conv2d
    between: tuple[str, ...]  # the per-channel layers after it, in forward order, up to the layer asked about


def producing_conv(model: nn.Module, acts: dict[str, torch.Tensor], layer: str) -> MadeBy | None:
    """Which Conv2d made the channels of ``layer`` (a BatchNorm, activation or pooling after it), or None.

    ``acts`` is ``capture(model, x)`` (forward order). Walks back through per-channel layers to the nearest
    Conv2d and checks the claim on the captured values: the layers in between, applied to the convolution's
    output, must give ``layer``'s output. A residual block adds its shortcut before its last ReLU, so that
    ReLU's channels are not one kernel's: the check fails and the answer is None, as for a Linear layer.
    """
    names = list(acts)
    if layer not in acts:
        raise ParameterError("err.unknown_layers", layers=layer, available=", ".join(names))
    modules = modules_by_path(model)
    between: list[str] = []
    for name in reversed(names[: names.index(layer) + 1]):
        module = modules[module_path(name)]
        if isinstance(module, nn.Conv2d):
            break
        if not isinstance(module, PER_CHANNEL) or acts[name].dim() != 4:
            return None
        between.append(name)
    else:
        return None
    if not between:  # the layer is a convolution itself
        return MadeBy(name, ())
    values = acts[name]
    with evaluating(model):  # eval mode (BatchNorm's running statistics untouched), and no capture meanwhile
        for step in reversed(between):
            values = modules[module_path(step)](values.clone())  # a clone: ReLU(inplace=True) must not touch acts
    if values.shape != acts[layer].shape or not torch.allclose(values, acts[layer], rtol=1e-4, atol=1e-5):
        return None
    return MadeBy(name, tuple(reversed(between)))


def no_single_kernel(model: nn.Module, acts: dict[str, torch.Tensor], layer: str) -> str:
    """Why no single kernel made ``layer``'s channels (where ``producing_conv`` says None), as a catalogue key.

    Walks back from ``layer`` through the layers that work on each channel by itself to the one that made its
    channels, and names it:
    ``fm.not_conv.mixed``: a Flatten or Linear layer, or any output that is not a stack of maps, mixes every
    channel. ``fm.not_conv.block``: a residual block's output is its convolutions' output plus the shortcut.
    ``fm.not_conv.norm``: a LayerNorm normalises each position over all channels (ConvNeXt's, an ONNX
    LayerNormalization). ``fm.not_conv.transposed``: a ConvTranspose2d made them, whose kernels the page does not
    explain. ``fm.not_conv.after_block``: a layer that works on each channel by itself, but whose input is such a
    sum (a block's last ReLU, the global average pooling after the last block).
    """
    if layer not in acts:
        raise ParameterError("err.unknown_layers", layers=layer, available=", ".join(acts))
    modules = modules_by_path(model)
    module = modules[module_path(layer)]
    if isinstance(module, (nn.Flatten, nn.Linear)) or acts[layer].dim() != 4:
        return "fm.not_conv.mixed"
    if isinstance(module, (BasicBlock, Bottleneck)):
        return "fm.not_conv.block"
    names = list(acts)
    for name in reversed(names[: names.index(layer) + 1]):
        module = modules[module_path(name)]
        if isinstance(module, PER_CHANNEL) and acts[name].dim() == 4:
            continue
        if isinstance(module, nn.LayerNorm):
            return "fm.not_conv.norm"
        if isinstance(module, nn.ConvTranspose2d):
            return "fm.not_conv.transposed"
        if isinstance(module, (nn.Flatten, nn.Linear)) or acts[name].dim() != 4:
            return "fm.not_conv.mixed"
        break
    return "fm.not_conv.after_block"


def filter_grid(weight: torch.Tensor) -> bytes:
    """First-layer filters [C_out, C_in, kH, kW] as one PNG: colour tiles for RGB input, else channel 0's."""
    if weight.shape[1] != 3:
        return channel_grid(weight[:, 0]).png
    out, _, kh, kw = weight.shape
    factor = max(1, math.ceil(MIN_CELL_PX / max(kh, kw)))
    columns = math.ceil(math.sqrt(out))
    rows = math.ceil(out / columns)
    canvas = Image.new(
        "RGB", (columns * (kw * factor + GAP_PX) + GAP_PX, rows * (kh * factor + GAP_PX) + GAP_PX), "white"
    )
    for i, kernel in enumerate(weight.detach().float()):
        low, high = float(kernel.min()), float(kernel.max())
        rgb = ((kernel - low) / ((high - low) or 1.0)).permute(1, 2, 0).numpy()  # (kH, kW, 3), each filter stretched
        tile = Image.fromarray((rgb * 255).round().astype(np.uint8)).resize(
            (kw * factor, kh * factor), Image.Resampling.NEAREST
        )
        row, col = divmod(i, columns)
        canvas.paste(tile, (GAP_PX + col * (kw * factor + GAP_PX), GAP_PX + row * (kh * factor + GAP_PX)))
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
