"""The live animator's data: everything the browser needs to draw any step of a sliding operation.

The animator (``static/animator.js``, mounted by ``vizconv.ui.Stepper.live``) computes every frame in the
browser from this data alone. One component, four kinds: ``conv`` (a convolution, and the equivalent view of a
transposed convolution: the window on the input channels, the kernel beside each, the element-wise products,
each channel's sum, Σ + bias = value, the output maps filling in), ``pool`` (max pooling's winner, average
pooling's mean), ``scatter`` (a transposed convolution's input values each stamping value × kernel onto the
uncropped canvas, which sums them) and ``upsample`` (each output cell's taps and weights). Python sends the data
once per settings change; playing sends nothing back, pausing or clicking sends the position (``AnimatorView``).

Tensors travel as base64 float32, little-endian, row-major (4 bytes a value, exact: the browser reads the same
float32 values torch computed with, and rounds only to write them). Everything else is JSON. Texts are the
catalogue's ``live.*`` entries in the page's language, with ``{name}`` placeholders the browser fills.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass

import numpy as np
import torch

from vizconv.i18n.strings import STRINGS, text
from vizconv.ops.conv import ConvTrace
from vizconv.ops.pool import PoolTrace
from vizconv.ops.transposed import ConvTransposeTrace, partial_canvases
from vizconv.ops.upsample import UpsampleTrace
from vizconv.viz import style
from vizconv.viz.charts import is_integral, scale_for

__all__ = [
    "AnimatorView",
    "LIVE_TEXT_KEYS",
    "Opening",
    "conv_animator_data",
    "decode_float32",
    "equivalent_animator_data",
    "float32_base64",
    "pool_animator_data",
    "reading_positions",
    "scatter_animator_data",
    "upsample_animator_data",
]

LIVE_TEXT_KEYS = tuple(key for key in STRINGS if key.startswith("live."))
SPEEDS = (1, 2, 4, 8, 16, 32)  # window positions per second the speed menu offers
NUMBERS_IN_MAPS_BELOW = 16  # a padded input or output of fewer cells a side has its values written in the maps


@dataclass(frozen=True)
class AnimatorView:
    """What the browser sends back when the student pauses, steps or clicks: the position and output channel."""

    position: int
    channel: int

    @classmethod
    def parse(cls, raw: object, positions: int, channels: int) -> AnimatorView | None:
        """The view in a component's state, clamped to this trace; None for anything else (a hostile client
        sends what it likes)."""
        if not isinstance(raw, dict):
            return None
        position, channel = raw.get("position"), raw.get("channel")
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (position, channel)):
            return None
        return cls(min(max(position, 0), positions - 1), min(max(channel, 0), channels - 1))


@dataclass(frozen=True)
class Opening:
    """Where the animator opens and how it looks, not part of the data that makes the frames: the position and
    channel (clamped to the trace), the speed (positions a second, one of SPEEDS, else 4), the language of its
    texts and presenter mode's larger type. ``vizconv.ui.Stepper.live`` makes one from the page's state."""

    position: int = 0
    channel: int = 0
    speed: int = 4
    lang: str = "en"
    large: bool = False


def float32_base64(values: torch.Tensor) -> str:
    """A tensor as base64 of its float32 values, little-endian, row-major (the browser's Float32Array)."""
    array = values.detach().to(torch.float32).contiguous().numpy().astype("<f4", copy=False)
    return base64.b64encode(array.tobytes()).decode("ascii")


def _range(values: torch.Tensor) -> tuple[float, float]:
    finite = values[torch.isfinite(values)]
    if finite.numel() == 0:
        return (0.0, 1.0)
    return (float(finite.min()), float(finite.max()))


def reading_positions(trace: ConvTrace | PoolTrace, y: int, x: int) -> list[int]:
    """The row-major output positions whose window reads padded cell (y, x): the reverse view. The browser
    computes the same; this is its reference."""
    (kh, kw), (sh, sw), (dh, dw) = trace.kernel_size, trace.stride, trace.dilation
    h_out, w_out = trace.out_size
    rows = [oy for oy in range(h_out) for i in range(kh) if oy * sh + i * dh == y]
    cols = [ox for ox in range(w_out) for j in range(kw) if ox * sw + j * dw == x]
    return sorted({oy * w_out + ox for oy in rows for ox in cols})


def conv_animator_data(trace: ConvTrace, opening: Opening | None = None) -> dict:
    """The animator's data for a convolution ``trace``, opening as ``opening`` says (the first output position
    of channel 0 by default). The ``signature`` names the data that makes the frames (not the opening): the
    browser keeps its place while it stays the same.
    """
    return _sliding_data(trace, "conv", _conv_arrays(trace), _conv_geometry(trace), opening)


def equivalent_animator_data(trace: ConvTransposeTrace, opening: Opening | None = None) -> dict:
    """The animator's data for the equivalent view of a transposed convolution: ``trace.equivalent``, an ordinary
    convolution over the padded zero-inserted input with the flipped kernel, its inserted zeros marked (rows and
    columns ``inserted_rows`` / ``inserted_cols`` of the padded input: a cell on either holds an inserted 0)."""
    equivalent = trace.equivalent
    top = trace.equivalent_padding[0]
    left = trace.equivalent_padding[2]
    geometry = _conv_geometry(equivalent) | {
        "inserted_rows": _inserted_lines(equivalent.padded.shape[1], top, trace.in_size[0], trace.stride[0]),
        "inserted_cols": _inserted_lines(equivalent.padded.shape[2], left, trace.in_size[1], trace.stride[1]),
    }
    return _sliding_data(equivalent, "conv", _conv_arrays(equivalent), geometry, opening)


def _inserted_lines(padded: int, pad: int, size: int, stride: int) -> list[bool]:
    """Which of ``padded`` lines of the equivalent convolution's input are inserted zeros: line y is line
    y − pad of the zero-inserted input (``pad`` < 0 crops), which holds input line (y − pad) / stride where that
    divides, else a 0 between two input lines."""
    inserted = []
    for y in range(padded):
        line = y - pad
        inserted.append(0 <= line <= (size - 1) * stride and line % stride != 0)
    return inserted


def pool_animator_data(trace: PoolTrace, opening: Opening | None = None) -> dict:
    """The animator's data for a pooling ``trace``: no weights; each output channel reads its own input channel,
    and the browser marks max pooling's winner (the first largest value, as torch picks it) or writes the mean.
    Max pooling's padding is −∞ (it never wins), sent as such."""
    geometry = {
        "per_group": 1,
        "groups": trace.in_channels,
        "kernel": list(trace.kernel_size),
        "padding_mode": "-inf" if trace.kind == "max" else "zeros",
        "pool": trace.kind,
    }
    return _sliding_data(trace, "pool", {"weight": None, "bias": None}, geometry, opening)


def _conv_arrays(trace: ConvTrace) -> dict:
    return {
        "weight": float32_base64(trace.weight),
        "bias": None if trace.bias is None else float32_base64(trace.bias),
    }


def _conv_geometry(trace: ConvTrace) -> dict:
    _, per_group, kh, kw = trace.weight.shape
    return {"per_group": per_group, "groups": trace.groups, "kernel": [kh, kw], "padding_mode": trace.padding_mode}


def _colours(input_range: tuple[float, float], output_range: tuple[float, float]) -> dict:
    low_in, high_in = input_range
    out_scale, low_out, high_out = scale_for(*output_range)
    return {
        "input_scale": style.INPUT_SCALE,
        "input_range": [low_in, high_in if high_in > low_in else low_in + 1],
        "output_scale": out_scale,
        "output_range": [low_out, high_out],
        "window": style.WINDOW_COLOUR,
        "cursor": style.CURSOR_COLOUR,
        "cover": style.COVER_COLOUR,
        "padding": style.PADDING_TINT,
        "boundary": style.BOUNDARY_COLOUR,
        "unread": style.UNREACHED_COLOUR,
        "reader": style.WINNER_COLOUR,
        "winner": style.WINNER_COLOUR,
    }


def _sliding_data(trace: ConvTrace | PoolTrace, kind: str, arrays: dict, extra: dict, opening: Opening | None) -> dict:
    c_in, h, w = trace.input.shape
    c_out, h_out, w_out = trace.output.shape
    rows_read, cols_read = trace.read
    arrays = {"padded": float32_base64(trace.padded), **arrays, "output": float32_base64(trace.output)}
    geometry = {
        "in_channels": c_in,
        "height": h,
        "width": w,
        "padded_height": int(trace.padded.shape[1]),
        "padded_width": int(trace.padded.shape[2]),
        "out_channels": c_out,
        "out_height": h_out,
        "out_width": w_out,
        "stride": list(trace.stride),
        "dilation": list(trace.dilation),
        "pads": list(trace.pads),
        "rows_read": [bool(v) for v in rows_read],
        "cols_read": [bool(v) for v in cols_read],
        **extra,
    }
    weights = [] if arrays["weight"] is None else [trace.weight]
    return _finish(
        kind,
        arrays,
        geometry,
        _colours(_range(trace.padded), _range(trace.output)),
        positions=h_out * w_out,
        channels=c_out,
        numbers=max(*trace.padded.shape[1:], h_out, w_out) < NUMBERS_IN_MAPS_BELOW,
        integral=all(is_integral(t) for t in (trace.padded, *weights)),
        opening=opening,
    )


def scatter_animator_data(trace: ConvTransposeTrace, opening: Opening | None = None) -> dict:
    """The animator's data for the scatter view of a transposed convolution: one step per input position
    (row-major), ``channel`` the input channel whose arithmetic is written out. At each step every input value
    x[·, iy, ix] writes value × kernel onto the uncropped canvas (rows iy·s + d·ky, columns ix·s + d·kx), which
    accumulates the partial sums; ``padding`` crops the canvas to the output and the bias is added at the end.

    The browser computes the stamps and the running sums from the input and the weight; the colour range covers
    every partial sum and the output, so colours do not jump while the sums grow."""
    c_in, h, w = trace.input.shape
    c_out, h_out, w_out = trace.output.shape
    _, canvas_h, canvas_w = trace.canvas.shape
    kh, kw = trace.kernel_size
    low, high = _range(torch.cat([partial_canvases(trace).flatten().float(), trace.output.flatten()]))
    arrays = {
        "input": float32_base64(trace.input),
        "weight": float32_base64(trace.weight),
        "bias": None if trace.bias is None else float32_base64(trace.bias),
        "output": float32_base64(trace.output),
    }
    geometry = {
        "in_channels": c_in,
        "height": h,
        "width": w,
        "out_channels": c_out,
        "out_height": h_out,
        "out_width": w_out,
        "canvas_height": canvas_h,
        "canvas_width": canvas_w,
        "groups": trace.groups,
        "per_group_out": trace.weight.shape[1],
        "kernel": [kh, kw],
        "stride": list(trace.stride),
        "dilation": list(trace.dilation),
        "padding": list(trace.padding),
        "output_padding": list(trace.output_padding),
    }
    return _finish(
        "scatter",
        arrays,
        geometry,
        _colours(_range(trace.input), (low, high)),
        positions=h * w,
        channels=c_in,
        numbers=max(h, w, canvas_h, canvas_w) < NUMBERS_IN_MAPS_BELOW,
        integral=is_integral(trace.input) and is_integral(trace.weight),
        opening=opening,
    )


def upsample_animator_data(trace: UpsampleTrace, opening: Opening | None = None) -> dict:
    """The animator's data for upsampling: one step per output cell (row-major), each made from the input cells
    its taps read, weighted. The taps and weights of every output row and column come from
    ``UpsampleTrace.axis`` (torch's rule, written once in Python); the browser multiplies the row and column
    weights and adds the products."""
    c, h, w = trace.input.shape
    _, h_out, w_out = trace.output.shape
    axes = []
    for size, out in ((h, h_out), (w, w_out)):
        axes.append([_axis_entry(*trace.axis(dst, size)) for dst in range(out)])
    geometry = {
        "in_channels": c,
        "height": h,
        "width": w,
        "out_channels": c,
        "out_height": h_out,
        "out_width": w_out,
        "mode": trace.mode,
        "scale": trace.scale,
        "align_corners": trace.align_corners,
        "row_taps": axes[0],
        "col_taps": axes[1],
    }
    arrays = {"input": float32_base64(trace.input), "output": float32_base64(trace.output)}
    colours = _colours(_range(trace.input), _range(torch.cat([trace.input.flatten(), trace.output.flatten()])))
    # one scale for both maps: the same value looks the same before and after upsampling
    colours["input_scale"], colours["input_range"] = colours["output_scale"], colours["output_range"]
    return _finish(
        "upsample",
        arrays,
        geometry,
        colours,
        positions=h_out * w_out,
        channels=c,
        numbers=max(h, w, h_out, w_out) < NUMBERS_IN_MAPS_BELOW,
        integral=False,  # weights are fractions (nearest's are 1, but its values are then the input's)
        opening=opening,
    )


def _axis_entry(source: float, unclamped: float, taps: tuple[int, ...], weights: tuple[float, ...]) -> dict:
    return {"source": source, "unclamped": unclamped, "taps": list(taps), "weights": list(weights)}


def _finish(
    kind: str,
    arrays: dict,
    geometry: dict,
    colours: dict,
    *,
    positions: int,
    channels: int,
    numbers: bool,
    integral: bool,
    opening: Opening | None,
) -> dict:
    view = opening or Opening()
    signature = hashlib.sha256(json.dumps([kind, arrays, geometry, view.lang], sort_keys=True).encode()).hexdigest()
    return {
        "kind": kind,
        "signature": signature[:16],
        "lang": view.lang,
        **arrays,
        "geometry": geometry,
        "colours": colours,
        "numbers_in_maps": bool(numbers),
        "integral": bool(integral),
        "position": min(max(int(view.position), 0), positions - 1),
        "channel": min(max(int(view.channel), 0), channels - 1),
        "speed": view.speed if view.speed in SPEEDS else 4,
        "speeds": list(SPEEDS),
        "large": bool(view.large),
        "text": {key.removeprefix("live."): text(key, view.lang) for key in LIVE_TEXT_KEYS},
    }


def decode_float32(data: str, shape: tuple[int, ...]) -> np.ndarray:
    """The inverse of float32_base64, for tests and tools."""
    return np.frombuffer(base64.b64decode(data), dtype="<f4").reshape(shape)
