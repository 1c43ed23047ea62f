"""Step-by-step 2-D convolution (cross-correlation, as nn.Conv2d computes it).

``trace_conv2d`` computes the whole output at once from a strided view of the
padded input (no Python loop over pixels) and keeps what a page needs to
explain any one output value: ``trace.step(oc, oy, ox)`` returns the window,
the elementwise products with the kernel, one sum per input channel, the bias
and their total. Settings and error cases follow ``torch.nn.Conv2d``.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from vizconv.i18n.strings import Count
from vizconv.ops.geometry import (
    KernelLayer,
    SlidingWindows,
    check_index_range,
    check_kernel_groups,
    layer_bias,
    layer_settings,
    output_length,
    pad_input,
    resolve_padding,
    sliding_windows,
)

__all__ = ["ConvStep", "ConvTrace", "trace_conv2d"]


@dataclass(frozen=True)
class ConvStep:
    """How output[oc, oy, ox] is made."""

    oc: int
    oy: int
    ox: int
    input_channels: tuple[int, ...]  # indices of the input channels in oc's group
    rows: torch.Tensor  # (kH,) rows of ``padded`` under the kernel taps
    cols: torch.Tensor  # (kW,) columns of ``padded`` under the kernel taps
    window: torch.Tensor  # (C_in/groups, kH, kW)
    kernel: torch.Tensor  # (C_in/groups, kH, kW) = weight[oc]
    products: torch.Tensor  # (C_in/groups, kH, kW) = window * kernel
    channel_sums: torch.Tensor  # (C_in/groups,)
    bias: float
    value: float  # channel_sums.sum() + bias


@dataclass(frozen=True, eq=False)
class ConvTrace(KernelLayer, SlidingWindows):
    """A convolution with everything needed to explain each output value."""

    pads: tuple[int, int, int, int]  # (top, bottom, left, right)
    padding: object  # as given: int, pair, "same" or "valid"
    padding_mode: str
    padded: torch.Tensor  # (C_in, H + top + bottom, W + left + right)
    output: torch.Tensor  # (C_out, H_out, W_out)

    @property
    def out_channels(self) -> int:
        return self.weight.shape[0]

    @property
    def mult_adds(self) -> int:
        """Multiply-adds for one image: every output value costs C_in/groups * kH * kW."""
        return self.output.numel() * self.weight[0].numel()

    def group_channels(self, oc: int) -> range:
        """The input channels that output channel ``oc`` reads."""
        per_group = self.in_channels // self.groups
        group = oc // (self.out_channels // self.groups)
        return range(group * per_group, (group + 1) * per_group)

    def step(self, oc: int, oy: int, ox: int) -> ConvStep:
        """The window, products, channel sums, bias and value of output[oc, oy, ox]."""
        check_index_range(("oc", "oy", "ox"), (oc, oy, ox), self.output.shape)
        channels = self.group_channels(oc)
        window = self.windows[channels.start : channels.stop, oy, ox]  # (C_in/groups, kH, kW)
        kernel = self.weight[oc]  # (C_in/groups, kH, kW)
        products = window * kernel
        channel_sums = products.sum(dim=(1, 2))  # (C_in/groups,)
        bias = 0.0 if self.bias is None else float(self.bias[oc])
        (kh, kw), (sh, sw), (dh, dw) = self.kernel_size, self.stride, self.dilation
        return ConvStep(
            oc=oc,
            oy=oy,
            ox=ox,
            input_channels=tuple(channels),
            rows=oy * sh + dh * torch.arange(kh),
            cols=ox * sw + dw * torch.arange(kw),
            window=window.clone(),
            kernel=kernel,
            products=products,
            channel_sums=channel_sums,
            bias=bias,
            value=float(channel_sums.sum()) + bias,
        )


def trace_conv2d(
    x: torch.Tensor,
    weight: torch.Tensor,
    bias: torch.Tensor | None = None,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    groups: int = 1,
    padding_mode: str = "zeros",
) -> ConvTrace:
    """Convolve x [C_in, H, W] with weight [C_out, C_in/groups, kH, kW] as nn.Conv2d does.

    Raises ParameterError (a ValueError) naming the broken constraint, with
    the caller's numbers, for anything torch would reject or that gives an
    empty output.
    """
    x, weight, stride, dilation, groups = layer_settings(
        x, weight, "[C_out, C_in/groups, kH, kW]", stride, dilation, groups
    )
    c_in, h, w = x.shape
    c_out, c_per_group, kh, kw = weight.shape
    check_kernel_groups(c_in, tuple(weight.shape), groups)
    bias = layer_bias(bias, x.dtype, c_out, "err.bias_shape", c_out=Count("count.kernels", c_out))
    pads = resolve_padding(padding, (kh, kw), stride, dilation)
    h_out = output_length(h, kh, stride[0], pads[0], pads[1], dilation[0], axis=0)
    w_out = output_length(w, kw, stride[1], pads[2], pads[3], dilation[1], axis=1)
    padded = pad_input(x, pads, padding_mode).contiguous()

    windows = sliding_windows(padded, (kh, kw), stride, dilation)  # (C_in, H_out, W_out, kH, kW)
    g_windows = windows.reshape(groups, c_in // groups, h_out, w_out, kh, kw)  # (G, C_in/G, H_out, W_out, kH, kW)
    g_weight = weight.reshape(groups, c_out // groups, c_per_group, kh, kw)  # (G, C_out/G, C_in/G, kH, kW)
    output = torch.einsum("gchwij,gocij->gohw", g_windows, g_weight).reshape(c_out, h_out, w_out)
    if bias is not None:
        output = output + bias[:, None, None]
    return ConvTrace(
        input=x,
        weight=weight,
        bias=bias,
        stride=stride,
        dilation=dilation,
        pads=pads,
        padding=padding,
        padding_mode=padding_mode,
        groups=groups,
        padded=padded,
        output=output,
    )
