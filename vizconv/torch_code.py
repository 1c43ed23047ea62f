"""The PyTorch code equivalent to a traced convolution, and running it to check the trace."""

from __future__ import annotations

import torch
from torch import nn

from vizconv.conv import ConvTrace

__all__ = ["conv2d_code", "check_with_torch"]


def _arg(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"({pair[0]}, {pair[1]})"


def _padding_arg(trace: ConvTrace) -> str:
    if isinstance(trace.padding, str):
        return repr(trace.padding)
    top, _, left, _ = trace.pads
    return _arg((top, left))


def conv2d_code(trace: ConvTrace) -> str:
    """Python that builds the same nn.Conv2d, loads the trace's weights and runs it on ``x``."""
    c_out, c_per_group, kh, kw = trace.weight.shape
    lines = [
        "conv = nn.Conv2d(",
        f"    in_channels={trace.in_channels}, out_channels={c_out}, kernel_size={_arg((kh, kw))},",
        f"    stride={_arg(trace.stride)}, padding={_padding_arg(trace)}, dilation={_arg(trace.dilation)},",
        f"    groups={trace.groups}, bias={trace.bias is not None}, padding_mode={trace.padding_mode!r},",
        ")",
        "with torch.no_grad():",
        f"    conv.weight.copy_(weight)  # [{c_out}, {c_per_group}, {kh}, {kw}]",
    ]
    if trace.bias is not None:
        lines.append(f"    conv.bias.copy_(bias)  # [{c_out}]")
    h_out, w_out = trace.out_size
    lines.append(
        f"    y = conv(x.unsqueeze(0))[0]  # x [{trace.in_channels}, {trace.input.shape[1]}, {trace.input.shape[2]}] -> y [{c_out}, {h_out}, {w_out}]"
    )
    return "\n".join(lines)


def check_with_torch(trace: ConvTrace) -> float:
    """Run ``conv2d_code(trace)`` and return max |y - trace.output|."""
    namespace = {"torch": torch, "nn": nn, "x": trace.input, "weight": trace.weight, "bias": trace.bias}
    exec(conv2d_code(trace), namespace)  # our own generated code, built from numbers only
    return float((namespace["y"] - trace.output).abs().max())
