"""The live animator's data: everything the browser needs to draw any step of a sliding-window trace.

The animator (``static/animator.js``, mounted by ``vizconv.ui.Stepper.live``) computes every frame in the
browser from this data alone: the window on the input channels, the kernel beside each, the element-wise
products, each channel's sum, Σ + bias = value, and the output maps filling in. Python sends it once per
settings change; playing sends nothing back, pausing or clicking sends the position (``AnimatorView``).

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

from vizconv import style
from vizconv.animation import is_integral
from vizconv.conv import ConvTrace
from vizconv.pool import PoolTrace
from vizconv.strings import STRINGS, text

__all__ = [
    "AnimatorView",
    "LIVE_TEXT_KEYS",
    "conv_animator_data",
    "decode_float32",
    "float32_base64",
    "pool_animator_data",
    "reading_positions",
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


def float32_base64(values: torch.Tensor) -> str:
    """A tensor as base64 of its float32 values, little-endian, row-major (the browser's Float32Array)."""
    array = values.detach().to(torch.float32).contiguous().numpy().astype("<f4", copy=False)
    return base64.b64encode(array.tobytes()).decode("ascii")


def _range(values: torch.Tensor) -> tuple[float, float]:
    finite = values[torch.isfinite(values)]
    if finite.numel() == 0:
        return (0.0, 1.0)
    return (float(finite.min()), float(finite.max()))


def _output_scale(low: float, high: float) -> tuple[list, float, float]:
    """The output maps' colour scale and range: diverging around 0 for signed values, else sequential from 0."""
    if low < 0:
        bound = max(abs(low), abs(high)) or 1.0
        return style.DIVERGING_SCALE, -bound, bound
    return style.SEQUENTIAL_SCALE, 0.0, high if high > 0 else 1.0


def reading_positions(trace: ConvTrace | PoolTrace, y: int, x: int) -> list[int]:
    """The row-major output positions whose window reads padded cell (y, x): the reverse view. The browser
    computes the same; this is its reference."""
    (kh, kw), (sh, sw), (dh, dw) = trace.kernel_size, trace.stride, trace.dilation
    h_out, w_out = trace.out_size
    rows = [oy for oy in range(h_out) for i in range(kh) if oy * sh + i * dh == y]
    cols = [ox for ox in range(w_out) for j in range(kw) if ox * sw + j * dw == x]
    return sorted({oy * w_out + ox for oy in rows for ox in cols})


def conv_animator_data(
    trace: ConvTrace, *, position: int = 0, channel: int = 0, speed: int = 4, lang: str = "en", large: bool = False
) -> dict:
    """The animator's data for a convolution ``trace``, opening at ``position`` of output ``channel``.

    ``speed``: positions per second (one of SPEEDS); ``large``: presenter mode's larger type. The ``signature``
    names the data that makes the frames (not the position, speed or size): the browser keeps its place while
    it stays the same.
    """
    _, per_group, kh, kw = trace.weight.shape
    arrays = {
        "weight": float32_base64(trace.weight),
        "bias": None if trace.bias is None else float32_base64(trace.bias),
    }
    extra = {"per_group": per_group, "groups": trace.groups, "kernel": [kh, kw], "padding_mode": trace.padding_mode}
    return _sliding_data(trace, "conv", arrays, extra, position, channel, speed, lang, large)


def pool_animator_data(
    trace: PoolTrace, *, position: int = 0, channel: int = 0, speed: int = 4, lang: str = "en", large: bool = False
) -> dict:
    """The animator's data for a pooling ``trace``: no weights; each output channel reads its own input channel,
    and the browser marks max pooling's winner (the first largest value, as torch picks it) or writes the mean.
    Max pooling's padding is −∞ (it never wins), sent as such."""
    extra = {
        "per_group": 1,
        "groups": trace.in_channels,
        "kernel": list(trace.kernel_size),
        "padding_mode": "-inf" if trace.kind == "max" else "zeros",
        "pool": trace.kind,
    }
    return _sliding_data(trace, "pool", {"weight": None, "bias": None}, extra, position, channel, speed, lang, large)


def _sliding_data(
    trace: ConvTrace | PoolTrace,
    kind: str,
    arrays: dict,
    extra: dict,
    position: int,
    channel: int,
    speed: int,
    lang: str,
    large: bool,
) -> dict:
    c_in, h, w = trace.input.shape
    c_out, h_out, w_out = trace.output.shape
    rows_read, cols_read = trace.read
    low_in, high_in = _range(trace.padded)
    out_scale, low_out, high_out = _output_scale(*_range(trace.output))
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
    colours = {
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
    signature = hashlib.sha256(json.dumps([kind, arrays, geometry, lang], sort_keys=True).encode()).hexdigest()[:16]
    positions = h_out * w_out
    weights = [] if arrays["weight"] is None else [trace.weight]
    return {
        "kind": kind,
        "signature": signature,
        "lang": lang,
        **arrays,
        "geometry": geometry,
        "colours": colours,
        "numbers_in_maps": max(trace.padded.shape[1:]) < NUMBERS_IN_MAPS_BELOW
        and max(h_out, w_out) < NUMBERS_IN_MAPS_BELOW,
        "integral": all(is_integral(t) for t in (trace.padded, *weights)),
        "position": min(max(int(position), 0), positions - 1),
        "channel": min(max(int(channel), 0), c_out - 1),
        "speed": speed if speed in SPEEDS else 4,
        "speeds": list(SPEEDS),
        "large": bool(large),
        "text": {key.removeprefix("live."): text(key, lang) for key in LIVE_TEXT_KEYS},
    }


def decode_float32(data: str, shape: tuple[int, ...]) -> np.ndarray:
    """The inverse of float32_base64, for tests and tools."""
    return np.frombuffer(base64.b64decode(data), dtype="<f4").reshape(shape)
