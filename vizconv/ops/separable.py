"""A standard convolution beside its depthwise-separable pair (MobileNet): parameters and multiply-adds.

The standard layer: C_out kernels of C_in × k × k. The separable pair: a depthwise k × k convolution (groups =
C_in: one k × k kernel per input channel, no mixing between channels) then a pointwise 1 × 1 convolution
(C_out kernels of C_in × 1 × 1: mixing channels only). Both map [C_in, H, W] to the same [C_out, H_out, W_out]
(the stride and padding sit on the depthwise layer).

Without bias, per output position::

    standard:  C_out · C_in · k²          separable:  C_in · k² + C_in · C_out
    ratio = (C_in · k² + C_in · C_out) / (C_out · C_in · k²) = 1/C_out + 1/k²

for the multiply-adds, and for the parameters alike (a kernel's weights are used once per output position). A
3 × 3 pair with 64 output channels costs 1/64 + 1/9 ≈ 0.127 of the standard layer. A bias adds C_out
parameters to the standard layer and C_in + C_out to the pair (and no multiplications).

``compare_separable`` counts three ways that must agree: the formulas; the torch modules (``sum(p.numel())``
for parameters, forward hooks for multiply-adds: every output value of a Conv2d costs C_in/groups × kH × kW,
no profiler); and the traces (``ConvTrace.mult_adds``, which the animator steps through).

Reference: A. G. Howard et al., "MobileNets: efficient convolutional neural networks for mobile vision
applications" (2017), section 3.1.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import torch
from torch import nn

from vizconv.ops.conv import ConvTrace, trace_conv2d
from vizconv.ops.geometry import as_int, conv_output_size

__all__ = [
    "SeparableCounts",
    "SeparablePair",
    "compare_separable",
    "count_mult_adds",
    "separable_counts",
    "separable_modules",
    "separable_pair",
]


@dataclass(frozen=True)
class SeparableCounts:
    """Parameters and multiply-adds of a standard layer and its depthwise-separable pair, for one input."""

    in_channels: int
    out_channels: int
    kernel_size: int
    in_size: tuple[int, int]  # (H, W)
    stride: int  # on the depthwise layer (and the standard one)
    padding: int  # likewise
    out_size: tuple[int, int]  # (H_out, W_out), the same for both
    bias: bool
    standard_params: int  # C_out·C_in·k² (+ C_out)
    depthwise_params: int  # C_in·k² (+ C_in)
    pointwise_params: int  # C_out·C_in (+ C_out)
    standard_mult_adds: int  # H_out·W_out · C_out·C_in·k²
    depthwise_mult_adds: int  # H_out·W_out · C_in·k²
    pointwise_mult_adds: int  # H_out·W_out · C_out·C_in

    @property
    def separable_params(self) -> int:
        return self.depthwise_params + self.pointwise_params

    @property
    def separable_mult_adds(self) -> int:
        return self.depthwise_mult_adds + self.pointwise_mult_adds

    @property
    def mult_add_ratio(self) -> Fraction:
        """separable / standard multiply-adds: exactly 1/C_out + 1/k²."""
        return Fraction(self.separable_mult_adds, self.standard_mult_adds)

    @property
    def param_ratio(self) -> Fraction:
        """separable / standard parameters: 1/C_out + 1/k² without bias (a little more with it)."""
        return Fraction(self.separable_params, self.standard_params)

    @property
    def formula(self) -> Fraction:
        """1/C_out + 1/k²."""
        return Fraction(1, self.out_channels) + Fraction(1, self.kernel_size**2)


def separable_counts(
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    height: int,
    width: int,
    stride: int = 1,
    padding: int | None = None,
    bias: bool = False,
) -> SeparableCounts:
    """The formulas, for an input [C_in, H, W]; ``padding`` defaults to k // 2 (the size kept at stride 1 for an
    odd k). ParameterError for a setting torch would refuse."""
    c_in, c_out = as_int(in_channels, "in_channels", 1), as_int(out_channels, "out_channels", 1)
    k = as_int(kernel_size, "kernel_size", 1)
    stride = as_int(stride, "stride", 1)
    padding = k // 2 if padding is None else as_int(padding, "padding", 0)
    out = (conv_output_size(height, k, stride, padding), conv_output_size(width, k, stride, padding))
    positions = out[0] * out[1]
    return SeparableCounts(
        in_channels=c_in,
        out_channels=c_out,
        kernel_size=k,
        in_size=(int(height), int(width)),
        stride=stride,
        padding=padding,
        out_size=out,
        bias=bool(bias),
        standard_params=c_out * c_in * k * k + (c_out if bias else 0),
        depthwise_params=c_in * k * k + (c_in if bias else 0),
        pointwise_params=c_out * c_in + (c_out if bias else 0),
        standard_mult_adds=positions * c_out * c_in * k * k,
        depthwise_mult_adds=positions * c_in * k * k,
        pointwise_mult_adds=positions * c_out * c_in,
    )


def separable_modules(
    in_channels: int,
    out_channels: int,
    kernel_size: int,
    stride: int = 1,
    padding: int | None = None,
    bias: bool = False,
) -> tuple[nn.Conv2d, nn.Sequential]:
    """The torch modules: the standard nn.Conv2d, and nn.Sequential(depthwise, pointwise). Weights are torch's
    default initialisation (seed torch first for the same numbers)."""
    padding = kernel_size // 2 if padding is None else padding
    standard = nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride, padding=padding, bias=bias)
    pair = nn.Sequential(
        nn.Conv2d(in_channels, in_channels, kernel_size, stride=stride, padding=padding, groups=in_channels, bias=bias),
        nn.Conv2d(in_channels, out_channels, 1, bias=bias),
    )
    return standard, pair


def count_mult_adds(module: nn.Module, x: torch.Tensor) -> int:
    """Multiply-adds of every Conv2d inside ``module`` for one input x [C, H, W], counted while it runs: a forward
    hook on each adds (output values) × in_channels/groups × kH × kW. The hooks are removed afterwards, also
    when the forward pass raises."""
    total = 0

    def hook(conv: nn.Conv2d, _inputs: tuple, output: torch.Tensor) -> None:
        nonlocal total
        kh, kw = conv.kernel_size
        total += output[0].numel() * (conv.in_channels // conv.groups) * kh * kw

    handles = [m.register_forward_hook(hook) for m in module.modules() if isinstance(m, nn.Conv2d)]
    try:
        with torch.no_grad():
            module(x[None])
    finally:
        for handle in handles:
            handle.remove()
    return total


@dataclass(frozen=True, eq=False)
class SeparablePair:
    """The same input through both: the standard layer's trace, the depthwise and the pointwise traces (each
    animatable as any ConvTrace), and the counts."""

    standard: ConvTrace  # (C_out, H_out, W_out)
    depthwise: ConvTrace  # (C_in, H_out, W_out): groups = C_in
    pointwise: ConvTrace  # (C_out, H_out, W_out): 1 × 1 over the depthwise output
    counts: SeparableCounts


def _trace(conv: nn.Conv2d, x: torch.Tensor) -> ConvTrace:
    return trace_conv2d(
        x,
        conv.weight.detach(),
        None if conv.bias is None else conv.bias.detach(),
        stride=conv.stride,
        padding=conv.padding,
        groups=conv.groups,
    )


def separable_pair(
    x: torch.Tensor,
    out_channels: int,
    kernel_size: int = 3,
    stride: int = 1,
    padding: int | None = None,
    bias: bool = False,
    seed: int = 0,
) -> SeparablePair:
    """x [C_in, H, W] through a standard layer and a depthwise-separable pair with seeded random weights (torch's
    default initialisation after ``torch.manual_seed(seed)``, in a forked random state)."""
    c_in, h, w = x.shape
    counts = separable_counts(c_in, out_channels, kernel_size, h, w, stride, padding, bias)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        standard, pair = separable_modules(c_in, out_channels, kernel_size, stride, padding, bias)
    depthwise = _trace(pair[0], x)
    return SeparablePair(
        standard=_trace(standard, x),
        depthwise=depthwise,
        pointwise=_trace(pair[1], depthwise.output),
        counts=counts,
    )


def compare_separable(counts: SeparableCounts) -> dict[str, tuple[int, int, int]]:
    """Each count three ways, (formula, torch modules, traces), for a check on the page or in a test:
    ``standard_params``, ``separable_params``, ``standard_mult_adds`` and ``separable_mult_adds``."""
    c_in, c_out, k = counts.in_channels, counts.out_channels, counts.kernel_size
    x = torch.zeros(c_in, *counts.in_size)
    standard, pair = separable_modules(c_in, c_out, k, counts.stride, counts.padding, counts.bias)
    depthwise = _trace(pair[0], x)
    traces = (_trace(standard, x), depthwise, _trace(pair[1], depthwise.output))
    return {
        "standard_params": (
            counts.standard_params,
            sum(p.numel() for p in standard.parameters()),
            traces[0].param_count,
        ),
        "separable_params": (
            counts.separable_params,
            sum(p.numel() for p in pair.parameters()),
            traces[1].param_count + traces[2].param_count,
        ),
        "standard_mult_adds": (counts.standard_mult_adds, count_mult_adds(standard, x), traces[0].mult_adds),
        "separable_mult_adds": (
            counts.separable_mult_adds,
            count_mult_adds(pair, x),
            traces[1].mult_adds + traces[2].mult_adds,
        ),
    }
