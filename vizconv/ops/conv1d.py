"""Step-by-step 1-D convolution over a sequence (as nn.Conv1d computes it), causal padding, and WaveNet's stack.

``trace_conv1d`` mirrors ``trace_conv2d``: the whole output at once from a strided view of the padded sequence,
and ``trace.step(oc, i)`` for the window, products, channel sums, bias and value of output[oc, i]. Padding is a
number, "same", "valid" or "causal": causal pads dilation·(k − 1) on the left only, so output i reads inputs up
to i and none after (at stride 1 the output is as long as the input). ``trace.as_2d()`` is the same layer as a
one-row ``ConvTrace``, so the 2-D animator (``vizconv.viz.animator.conv_animator_data``) draws it unchanged.

A stack of causal layers with dilations 1, 2, 4, 8 (WaveNet) doubles its receptive field with each layer:
``dilated_causal_stack`` says which positions of each layer feed one output.

Sequences for the page: a noisy sine, a step, a chirp (a synthesised "audio clip": its pitch rises), and a typed
list of numbers (``parse_sequence``); each as x [1, L].

References: https://pytorch.org/docs/stable/generated/torch.nn.Conv1d.html; A. van den Oord et al., "WaveNet: a
generative model for raw audio" (2016), section 2.1 (dilated causal convolutions).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import torch

from vizconv.errors import ParameterError
from vizconv.ops.conv import ConvTrace
from vizconv.ops.convnd import SEQUENCE, ConvNdTrace, trace_convnd
from vizconv.ops.geometry import as_int, check_index_range

__all__ = [
    "MAX_SEQUENCE",
    "SEQUENCES",
    "CausalStack",
    "Conv1dStep",
    "Conv1dTrace",
    "chirp",
    "dilated_causal_stack",
    "noisy_sine",
    "parse_sequence",
    "sequence_input",
    "step_sequence",
    "trace_causal_stack",
    "trace_conv1d",
]

MAX_SEQUENCE = 512  # the longest sequence a page builds or a student types (values)


@dataclass(frozen=True)
class Conv1dStep:
    """How output[oc, i] is made."""

    oc: int
    i: int
    input_channels: tuple[int, ...]  # indices of the input channels in oc's group
    positions: torch.Tensor  # (k,) indices of ``padded`` under the kernel taps: i·stride + dilation·j
    window: torch.Tensor  # (C_in/groups, k)
    kernel: torch.Tensor  # (C_in/groups, k) = weight[oc]
    products: torch.Tensor  # (C_in/groups, k) = window * kernel
    channel_sums: torch.Tensor  # (C_in/groups,)
    bias: float
    value: float  # channel_sums.sum() + bias


@dataclass(frozen=True, eq=False)
class Conv1dTrace(ConvNdTrace):
    """A 1-D convolution with everything needed to explain each output value.

    ``pads`` is (left, right); ``padded`` (C_in, left + L + right); ``output`` (C_out, L_out).
    """

    @property
    def causal(self) -> bool:
        return self.padding == "causal"

    def step(self, oc: int, i: int) -> Conv1dStep:
        """The window, products, channel sums, bias and value of output[oc, i]."""
        parts = self._parts(("i",), oc, (i,))
        return Conv1dStep(i=i, positions=self.taps((i,))[0], **parts)

    def as_2d(self) -> ConvTrace:
        """The same layer as a one-row 2-D ConvTrace (H = 1, kH = 1): what the 2-D animator and step panel read."""
        left, right = self.pads
        return ConvTrace(
            input=self.input[:, None, :],  # (C_in, 1, L)
            weight=self.weight[:, :, None, :],  # (C_out, C_in/groups, 1, k)
            bias=self.bias,
            stride=(1, self.stride[0]),
            dilation=(1, self.dilation[0]),
            groups=self.groups,
            pads=(0, 0, left, right),
            padding=_padding_2d(self.padding, self.pads),
            padding_mode=self.padding_mode,
            padded=self.padded[:, None, :],  # (C_in, 1, left + L + right)
            output=self.output[:, None, :],  # (C_out, 1, L_out)
        )


def _padding_2d(padding: object, pads: tuple[int, ...]) -> object:
    """A 1-D padding as the 2-D trace writes it: a word as it is, a number p as (0, p), causal as its four pads."""
    if padding in ("same", "valid"):
        return padding
    return (0, 0, *pads) if padding == "causal" else (0, pads[0])


def trace_conv1d(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int = 1,
    padding: int | str = 0,
    dilation: int = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
) -> Conv1dTrace:
    """Convolve x [C_in, L] with weight [C_out, C_in/groups, k] as nn.Conv1d does.

    ``padding`` is a number (both sides), "same", "valid" or "causal" (dilation·(k − 1) on the left only: what
    nn.Conv1d with padding d·(k − 1) computes once the last d·(k − 1) outputs are dropped). Every padding mode
    of nn.Conv1d: zeros, reflect, replicate, circular. Raises ParameterError (a ValueError) naming the broken
    constraint, with the caller's numbers, for anything torch would reject or that gives an empty output.
    """
    return Conv1dTrace(
        **trace_convnd(x, weight, bias, stride, padding, dilation, groups, padding_mode, SEQUENCE, causal=True)
    )


# ---------------------------------------------------------------- WaveNet: a stack of dilated causal layers


@dataclass(frozen=True)
class CausalStack:
    """A stack of causal 1-D layers (kernel ``kernel_size``, one dilation per layer) over ``length`` positions, and
    which positions of every level feed output ``output`` of the last layer.

    Level 0 is the input, level n the n-th layer's output; ``feeds[n]`` are the positions of level n (sorted)
    that output ``output`` of the top level depends on, so ``feeds[-1] == (output,)``.
    """

    dilations: tuple[int, ...]
    kernel_size: int
    length: int
    output: int
    receptive_fields: tuple[int, ...]  # per layer: the span of input one output sees, 1 + (k−1)·Σd (all of it is
    # read when each dilation is at most the field below it, as with 1, 2, 4, 8 and k = 2; else there are gaps)
    feeds: tuple[tuple[int, ...], ...]  # per level 0..n: the positions that feed the chosen output


def dilated_causal_stack(
    dilations: Sequence[int] = (1, 2, 4, 8), kernel_size: int = 2, length: int = 16, output: int | None = None
) -> CausalStack:
    """The receptive field of each layer of a dilated causal stack and the positions that feed one output.

    With kernel 2 and dilations 1, 2, 4, 8 the receptive field is 2, 4, 8, 16: it doubles with every layer. The
    positions before 0 are the causal padding (zeros), so they feed nothing and are left out. ``output`` is the
    last position by default.
    """
    dilations = tuple(as_int(d, "dilation", 1) for d in dilations)
    if not dilations:
        raise ParameterError("nd.err.no_layers")
    kernel_size = as_int(kernel_size, "kernel_size", 1)
    length = as_int(length, "length", 1)
    output = length - 1 if output is None else as_int(output, "output", 0)
    check_index_range(("output",), (output,), (length,))
    fields, reach = [], 0
    for d in dilations:
        reach += d * (kernel_size - 1)
        fields.append(reach + 1)
    levels = [(output,)]
    for d in reversed(dilations):  # down from the output: position p reads p − d·j for taps j
        below = {p - d * j for p in levels[0] for j in range(kernel_size)}
        levels.insert(0, tuple(sorted(p for p in below if p >= 0)))
    return CausalStack(dilations, kernel_size, length, output, tuple(fields), tuple(levels))


def trace_causal_stack(
    x: torch.Tensor, weights: Sequence[torch.Tensor], dilations: Sequence[int] = (1, 2, 4, 8)
) -> list[Conv1dTrace]:
    """Run x [C, L] through causal layers (weight [C_out, C_in, k] and dilation each), each layer's output the
    next one's input; one trace per layer, every output as long as x."""
    if len(weights) != len(dilations):
        raise ParameterError("nd.err.stack_lengths", weights=len(weights), dilations=len(dilations))
    traces: list[Conv1dTrace] = []
    for weight, d in zip(weights, dilations, strict=True):
        traces.append(trace_conv1d(x, weight, padding="causal", dilation=d))
        x = traces[-1].output
    return traces


# ---------------------------------------------------------------- sequences for the page


def noisy_sine(length: int = 48, periods: float = 2.0, noise: float = 0.2, seed: int = 0) -> torch.Tensor:
    """sin over ``periods`` periods plus Gaussian noise of standard deviation ``noise``: x [1, L]."""
    length = _length(length)
    t = torch.arange(length, dtype=torch.float32) / length
    generator = torch.Generator().manual_seed(seed)
    noisy = torch.sin(2 * math.pi * periods * t) + noise * torch.randn(length, generator=generator)
    return noisy[None]


def step_sequence(length: int = 32, at: int | None = None, low: float = 0.0, high: float = 1.0) -> torch.Tensor:
    """``low`` before position ``at`` (the middle by default), ``high`` from it on: x [1, L] (an edge to detect)."""
    length = _length(length)
    at = length // 2 if at is None else at
    return torch.where(torch.arange(length) < at, low, high).float()[None]


def chirp(length: int = 128, start: float = 2.0, end: float = 16.0, sample_rate: int | None = None) -> torch.Tensor:
    """A synthesised "audio clip": a sine whose frequency rises linearly from ``start`` to ``end`` cycles per clip,
    with a short fade in and out: x [1, L]. Nothing is downloaded. (``sample_rate`` only names the clip's rate for
    a caller that plays it; the values are the same.)"""
    length = _length(length)
    t = torch.arange(length, dtype=torch.float64) / length  # 0..1: the clip
    phase = 2 * math.pi * (start * t + (end - start) * t**2 / 2)  # d(phase)/dt = 2π · (start + (end − start)·t)
    fade = torch.clamp(torch.minimum(t, 1 - t) * 10, max=1.0)  # 10 % in, 10 % out
    return (torch.sin(phase) * fade).float()[None]


SEQUENCES = {"sine": noisy_sine, "step": step_sequence, "chirp": chirp}  # labels: the page's own catalogue entries


def sequence_input(kind: str, length: int, seed: int = 0) -> torch.Tensor:
    """A generated sequence of ``kind`` (one of SEQUENCES) and ``length``: x [1, L]."""
    if kind not in SEQUENCES:
        raise ParameterError("nd.err.sequence_kind", value=repr(kind), kinds=", ".join(SEQUENCES))
    return noisy_sine(length, seed=seed) if kind == "sine" else SEQUENCES[kind](length)


def _length(length: object) -> int:
    length = as_int(length, "length", 1)
    if length > MAX_SEQUENCE:
        raise ParameterError("nd.err.sequence_too_long", count=length, limit=MAX_SEQUENCE)
    return length


_SEPARATORS = re.compile(r"[\s,;、]+")


def parse_sequence(text: str, limit: int = MAX_SEQUENCE) -> torch.Tensor:
    """A typed sequence of numbers as x [1, L].

    Numbers are separated by spaces, commas or semicolons (full-width ones too: ``１，２；３``); a minus may be
    typed as − (U+2212). ParameterError for empty text, a word that is not a finite number (quoted), or more
    than ``limit`` numbers.
    """
    if not isinstance(text, str):
        raise ParameterError("nd.err.sequence_empty")
    if len(text) > 8 * limit:
        raise ParameterError("nd.err.sequence_text_too_long", limit=8 * limit)
    normal = unicodedata.normalize("NFKC", text).replace("\u2212", "-")
    words = [w for w in _SEPARATORS.split(normal.strip().strip("[]()")) if w]
    if not words:
        raise ParameterError("nd.err.sequence_empty")
    if len(words) > limit:
        raise ParameterError("nd.err.sequence_too_long", count=len(words), limit=limit)
    values = []
    for position, word in enumerate(words, start=1):
        try:
            value = float(word)
        except ValueError:
            raise ParameterError("nd.err.sequence_number", value=word, position=position) from None
        if not math.isfinite(value):
            raise ParameterError("nd.err.sequence_number", value=word, position=position)
        values.append(value)
    return torch.tensor(values, dtype=torch.float32)[None]
