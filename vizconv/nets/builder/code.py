"""The stack as PyTorch source: each layer's constructor call, and the whole stack as a runnable
``nn.Sequential`` script (its tests run it on real zeros and compare every child's output shape with the
builder's)."""

from __future__ import annotations

from collections.abc import Sequence

from vizconv.nets.builder.spec import ACTIVATIONS, BLOCKS, POOLS, LayerSpec, block_out, downsample
from vizconv.nets.builder.stack import build_stack, shape_text

__all__ = ["layer_code", "layer_summary", "sequential_code"]


def _args(*positional: object, **keywords: object) -> str:
    return ", ".join([*map(str, positional), *(f"{name}={value}" for name, value in keywords.items())])


def _conv_code(in_channels: int, out_channels: int, kernel: int, stride: int, padding: int, dilation: int, bias: bool):
    keywords: dict[str, object] = {"kernel_size": kernel}
    if stride != 1:
        keywords["stride"] = stride
    if padding:
        keywords["padding"] = padding
    if dilation != 1:
        keywords["dilation"] = dilation
    if not bias:
        keywords["bias"] = False
    return f"nn.Conv2d({_args(in_channels, out_channels, **keywords)})"


def _block_call(spec: LayerSpec) -> tuple[str, str, bool]:
    """A residual block's class name, its arguments, and whether it has a projection shortcut."""
    p = spec.params
    second = p["out_channels"] if spec.kind == "basic_block" else p["width"]
    keywords: dict[str, object] = {"stride": p["stride"]} if p["stride"] != 1 else {}
    projected = downsample(p["in_channels"], block_out(spec), p["stride"]) is not None
    name = "BasicBlock" if spec.kind == "basic_block" else "Bottleneck"
    return name, _args(p["in_channels"], second, **keywords), projected


def layer_summary(spec: LayerSpec) -> str:
    """One line, as the constructor call reads (blocks without their shortcut's details)."""
    if spec.kind in BLOCKS:
        name, args, projected = _block_call(spec)
        return f"{name}({args}, downsample=…)" if projected else f"{name}({args})"
    return layer_code(spec)[0]


def layer_code(spec: LayerSpec) -> list[str]:
    """Source lines that build the layer (more than one for a block with a projection shortcut)."""
    p, kind = spec.params, spec.kind
    if kind == "conv2d":
        keywords = {name: p[name] for name in ("stride", "padding", "dilation", "bias")}
        return [_conv_code(p["in_channels"], p["out_channels"], p["kernel_size"], **keywords)]
    if kind == "conv1x1":
        return [_conv_code(p["in_channels"], p["out_channels"], 1, p["stride"], 0, 1, p["bias"])]
    if kind in POOLS:
        keywords: dict[str, object] = {"kernel_size": p["kernel_size"], "stride": p["stride"]}
        if p["padding"]:
            keywords["padding"] = p["padding"]
        return [f"nn.{'MaxPool2d' if kind == 'maxpool' else 'AvgPool2d'}({_args(**keywords)})"]
    if kind == "activation":
        return [f"nn.{ACTIVATIONS[p['function']]}()"]
    if kind == "batchnorm2d":
        return [f"nn.BatchNorm2d({p['num_features']})"]
    if kind == "flatten":
        return ["nn.Flatten()"]
    if kind == "linear":
        return [f"nn.Linear({_args(p['in_features'], p['out_features'], **({} if p['bias'] else {'bias': False}))})"]
    return _block_code(spec)


def _block_code(spec: LayerSpec) -> list[str]:
    """A residual block, its projection shortcut (where it has one) written out."""
    name, args, projected = _block_call(spec)
    if not projected:
        return [f"{name}({args})"]
    p, out = spec.params, block_out(spec)
    shortcut = _conv_code(p["in_channels"], out, 1, p["stride"], 0, 1, False)
    return [
        f"{name}(",
        f"    {args},",
        "    downsample=nn.Sequential(  # the shortcut: 1×1 convolution + batch norm to match the main branch",
        f"        {shortcut},",
        f"        nn.BatchNorm2d({out}),",
        "    ),",
        ")",
    ]


def sequential_code(input_shape: Sequence[int], specs: Sequence[LayerSpec]) -> str:
    """Runnable Python that builds the stack as ``model = nn.Sequential(...)`` and runs it on zeros.

    Raises the first layer's error if the stack does not fit its input.
    """
    steps = build_stack(input_shape, specs)
    failed = next((step.error for step in steps if step.error is not None), None)
    if failed is not None:
        raise failed
    c, h, w = (int(v) for v in input_shape)
    blocks = sorted({"BasicBlock" if s.kind == "basic_block" else "Bottleneck" for s in specs if s.kind in BLOCKS})
    lines = ["import torch", "from torch import nn"]
    if blocks:
        lines.append(f"from torchvision.models.resnet import {', '.join(blocks)}")
    lines += ["", "model = nn.Sequential("]
    for step in steps:
        code = layer_code(step.spec)
        comment = f"  # {step.index}: {shape_text(step.shape)}" + (
            f", {step.params:,} parameters" if step.params else ""
        )
        code[-1] += "," + comment
        lines += ["    " + line for line in code]
    lines += [
        ")",
        "",
        "model.eval()  # inference mode: BatchNorm uses its running statistics",
        f"x = torch.zeros(1, {c}, {h}, {w})  # a batch of one input [{c}, {h}, {w}]",
        "with torch.no_grad():",
        "    y = model(x)",
        f"print(y.shape)  # torch.Size({list((1, *steps[-1].shape)) if steps else [1, c, h, w]})",
    ]
    return "\n".join(lines) + "\n"
