"""The "More convolutions" page: convolution along one axis (a sequence) and three (a short video, a small volume),
and a standard layer beside its depthwise-separable pair (MobileNet).

Plain functions, no Streamlit: the settings' bounds and defaults, the inputs and kernels each mode builds, the traces
(``vizconv.ops.conv1d``, ``conv3d``, ``separable``), the figures as plain dicts and the worked numbers as LaTeX.
Every setting a student or a link can give is bounded here; what torch would refuse raises ParameterError (a
MessageError) with the student's numbers, for the page to show.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import torch

from vizconv.errors import ParameterError
from vizconv.ops.conv1d import (
    CausalStack,
    Conv1dTrace,
    dilated_causal_stack,
    parse_sequence,
    sequence_input,
    trace_conv1d,
)
from vizconv.ops.conv3d import Conv3dStep, Conv3dTrace, ball_volume, moving_digit, random_volume, trace_conv3d
from vizconv.ops.separable import SeparablePair, compare_separable, separable_pair
from vizconv.viz.charts import colour_range
from vizconv.viz.formulas import output_size_latex
from vizconv.viz.steps import format_number, matrix_latex

__all__ = [
    "AXES_3D",
    "MAX_TYPED",
    "MAX_TYPED_CHARS",
    "SliceBox",
    "DEFAULTS",
    "KERNELS_1D",
    "KERNELS_3D",
    "LIMITS",
    "MODES",
    "PADDINGS_1D",
    "SEQUENCE_SOURCES",
    "VOLUMES",
    "build_sequence",
    "build_volume",
    "counts_rows",
    "formulas_1d",
    "formulas_3d",
    "markdown_table",
    "ratio_latex",
    "run_1d",
    "run_3d",
    "run_separable",
    "separable_checks",
    "separable_input",
    "shape_text",
    "shapes_agree",
    "slices_figure",
    "stack_figure",
    "stack_of",
    "typed_text",
    "step3d_latex",
    "unused_settings",
    "window_boxes",
    "weight_1d",
    "weight_3d",
]

MODES = ("1d", "2d", "3d", "separable")  # "2d" is the Convolution page: the mode links there
SEQUENCE_SOURCES = ("sine", "step", "chirp", "typed")
PADDINGS_1D = ("number", "same", "valid", "causal")
KERNELS_1D = ("smooth", "edge", "random")
VOLUMES = ("digit", "ball", "random")
KERNELS_3D = ("motion", "smooth", "random")
AXES_3D = ("d", "h", "w")
STACK_DILATIONS = (1, 2, 4, 8, 16)  # WaveNet's doubling dilations, one per layer
MAX_TYPED = 64  # the longest typed sequence (values): one row of the animator stays legible
MAX_TYPED_CHARS = 8 * MAX_TYPED  # the longest typed text a link carries

# Each whole-number setting: (lowest, highest). A link's value outside is ignored; the widgets allow no other.
LIMITS: dict[str, tuple[int, int]] = {
    "length": (4, 64),
    "in_channels": (1, 4),
    "out_channels": (1, 4),
    "kernel": (1, 9),
    "stride": (1, 4),
    "padding": (0, 8),
    "dilation": (1, 8),
    "groups": (1, 4),
    "seed": (0, 999),
    "layers": (1, 5),
    "stack_length": (8, 32),
    "stack_output": (0, 31),
    "digit": (0, 9),
    "frames": (2, 8),
    "side": (4, 12),
    "v_channels": (1, 2),
    "v_out_channels": (1, 2),
    **{f"v_kernel_{a}": (1, 3) for a in AXES_3D},
    **{f"v_stride_{a}": (1, 3) for a in AXES_3D},
    **{f"v_padding_{a}": (0, 2) for a in AXES_3D},
    **{f"v_dilation_{a}": (1, 2) for a in AXES_3D},
    "v_seed": (0, 999),
    "s_in_channels": (1, 4),
    "s_out_channels": (1, 8),
    "s_kernel": (1, 5),
    "s_side": (3, 8),
    "s_stride": (1, 2),
    "s_seed": (0, 999),
}

DEFAULTS: dict[str, object] = {
    "mode": "1d",
    # 1-D
    "source": "sine",
    "typed": "0 0 1 3 1 0 0 -2 0 0",
    "length": 16,
    "in_channels": 1,
    "out_channels": 1,
    "kernel": 3,
    "stride": 1,
    "padding_kind": "causal",
    "padding": 1,
    "dilation": 1,
    "groups": 1,
    "preset": "smooth",
    "seed": 0,
    "layers": 4,
    "dilated": True,
    "stack_length": 16,
    "stack_output": 15,
    "speed": 4,
    # 3-D
    "volume": "digit",
    "digit": 7,
    "frames": 5,
    "side": 10,
    "v_channels": 1,
    "v_out_channels": 1,
    "v_preset": "motion",
    "v_kernel_d": 2,
    "v_kernel_h": 3,
    "v_kernel_w": 3,
    **{f"v_stride_{a}": 1 for a in AXES_3D},
    **{f"v_padding_{a}": 0 for a in AXES_3D},
    **{f"v_dilation_{a}": 1 for a in AXES_3D},
    "v_seed": 0,
    # depthwise-separable
    "s_in_channels": 3,
    "s_out_channels": 4,
    "s_kernel": 3,
    "s_side": 5,
    "s_stride": 1,
    "s_seed": 0,
}

_ONE_D = (
    "source",
    "typed",
    "length",
    "in_channels",
    "out_channels",
    "kernel",
    "stride",
    "padding_kind",
    "padding",
    "dilation",
    "groups",
    "preset",
    "seed",
    "layers",
    "dilated",
    "stack_length",
    "stack_output",
)


def unused_settings(values: dict) -> set[str]:
    """Settings the chosen mode does not read (left out of the link, so it names only what the view shows)."""
    mode = values.get("mode")
    three = {name for name in DEFAULTS if name.startswith("v_")} | {"volume", "digit", "frames", "side"}
    separable = {name for name in DEFAULTS if name.startswith("s_")}
    three |= {"v_position", "v_oc"}  # the step panel's output: state keys a link carries too
    used = {"1d": {*_ONE_D, "position", "step_oc"}, "3d": three, "separable": separable}.get(mode, set())
    unused = ({*_ONE_D, "position", "step_oc"} | three | separable) - used
    if mode == "1d":
        unused |= {"typed"} if values.get("source") != "typed" else {"length"}
        unused |= {"padding"} if values.get("padding_kind") != "number" else set()
        unused |= {"seed"} if values.get("preset") != "random" else set()
    if mode != "1d" and mode != "separable":  # no animator to set the speed of
        unused.add("speed")
    if mode == "3d" and values.get("volume") != "digit":
        unused.add("digit")
    if mode == "3d" and values.get("v_preset") != "random" and values.get("volume") != "random":
        unused.add("v_seed")
    if mode == "3d" and values.get("volume") != "random":
        unused.add("v_channels")
    return unused


def typed_text(value: object) -> str | None:
    """A typed sequence as a link carries it: the text as it is (at most MAX_TYPED_CHARS characters), else nothing."""
    return value if isinstance(value, str) and 0 < len(value) <= MAX_TYPED_CHARS else None


def _whole(values: dict, name: str) -> int:
    """Setting ``name`` as a whole number within LIMITS (a hand-edited session cannot go past them)."""
    low, high = LIMITS[name]
    value = values.get(name, DEFAULTS[name])
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ParameterError("more.err.bounds", name=name, value=repr(value), low=low, high=high)
    return int(value)


# ---------------------------------------------------------------- 1-D


def build_sequence(values: dict) -> torch.Tensor:
    """The 1-D input x [C_in, L]: the chosen sequence (or the typed one) in channel 0, and in each further channel
    the same sequence delayed by one more sample (zeros before it), so that channels differ and can be mixed."""
    source = values.get("source")
    if source == "typed":
        text = values.get("typed")
        x = parse_sequence(text if isinstance(text, str) else "", limit=MAX_TYPED)
    elif source in SEQUENCE_SOURCES:
        x = sequence_input(source, _whole(values, "length"))
    else:
        raise ParameterError("nd.err.sequence_kind", value=repr(source), kinds=", ".join(SEQUENCE_SOURCES))
    channels = _whole(values, "in_channels")
    rows = [torch.cat([torch.zeros(c), x[0]])[: x.shape[1]] for c in range(channels)]
    return torch.stack(rows)


def weight_1d(values: dict, in_channels: int) -> torch.Tensor:
    """The 1-D kernels [C_out, C_in/groups, k]: a moving average (smooth), a difference (edge: −1 … 1, the
    derivative's sign), or seeded random whole numbers −2..2 (random). ParameterError where the groups do not
    divide the channels."""
    k, c_out, groups = _whole(values, "kernel"), _whole(values, "out_channels"), _whole(values, "groups")
    if in_channels % groups or c_out % groups:
        raise ParameterError("more.err.groups", groups=groups, c_in=in_channels, c_out=c_out)
    shape = (c_out, in_channels // groups, k)
    preset = values.get("preset")
    if preset == "random":
        generator = torch.Generator().manual_seed(_whole(values, "seed"))
        return torch.randint(-2, 3, shape, generator=generator).float()
    base = torch.linspace(-1.0, 1.0, k) if preset == "edge" and k > 1 else torch.full((k,), 1.0 / k)
    return base.expand(shape).clone()


def run_1d(values: dict, x: torch.Tensor) -> Conv1dTrace:
    """The 1-D layer over x [C_in, L], as nn.Conv1d computes it (causal: left padding d·(k − 1) only)."""
    kind = values.get("padding_kind")
    padding = _whole(values, "padding") if kind == "number" else kind
    return trace_conv1d(
        x,
        weight_1d(values, x.shape[0]),
        stride=_whole(values, "stride"),
        padding=padding,
        dilation=_whole(values, "dilation"),
        groups=_whole(values, "groups"),
    )


def formulas_1d(trace: Conv1dTrace) -> list[str]:
    """The output-size formula for the one axis, with the trace's numbers (left and right pads as they are)."""
    left, right = trace.pads
    return [
        output_size_latex("L", trace.in_size[0], trace.kernel_size[0], trace.stride[0], left, right, trace.dilation[0])
    ]


def stack_of(values: dict) -> CausalStack:
    """The WaveNet stack the page draws: kernel 2, one layer per dilation 1, 2, 4, … (or all 1 when not dilated)."""
    layers, length = _whole(values, "layers"), _whole(values, "stack_length")
    dilations = STACK_DILATIONS[:layers] if values.get("dilated", True) else (1,) * layers
    output = min(_whole(values, "stack_output"), length - 1)
    return dilated_causal_stack(dilations, kernel_size=2, length=length, output=output)


def stack_figure(stack: CausalStack, level_names: list[str], hover: str) -> dict:
    """The stack as dots, one row per level (the input at the bottom): the positions that feed the chosen output
    filled and joined to the positions each one reads (its causal taps), every other position hollow."""
    edges_x: list[float | None] = []
    edges_y: list[float | None] = []
    for level, d in enumerate(stack.dilations, start=1):
        for p in stack.feeds[level]:
            for j in range(stack.kernel_size):
                if p - d * j >= 0:
                    edges_x += [p, p - d * j, None]
                    edges_y += [level, level - 1, None]
    levels = range(len(stack.feeds))
    all_x = [p for _ in levels for p in range(stack.length)]
    all_y = [level for level in levels for _ in range(stack.length)]
    fed_x = [p for level in levels for p in stack.feeds[level]]
    fed_y = [level for level in levels for _ in stack.feeds[level]]
    data = [
        {"type": "scatter", "x": edges_x, "y": edges_y, "mode": "lines", "hoverinfo": "skip",
         "line": {"color": "#d62728", "width": 1.5}},
        {"type": "scatter", "x": all_x, "y": all_y, "mode": "markers", "hoverinfo": "skip",
         "marker": {"size": 9, "color": "white", "line": {"color": "#999", "width": 1}}},
        {"type": "scatter", "x": fed_x, "y": fed_y, "mode": "markers", "hovertemplate": hover,
         "marker": {"size": 11, "color": "#d62728"}},
    ]  # fmt: skip
    return {
        "data": data,
        "layout": {
            "height": 90 + 60 * len(stack.feeds),
            "showlegend": False,
            "margin": {"l": 10, "r": 10, "t": 10, "b": 30},
            "xaxis": {"range": [-0.7, stack.length - 0.3], "dtick": 1 if stack.length <= 16 else 2, "zeroline": False},
            "yaxis": {
                "tickvals": list(levels),
                "ticktext": level_names,
                "range": [-0.5, len(stack.feeds) - 0.5],
                "automargin": True,
                "zeroline": False,
                "showgrid": False,
            },
            "plot_bgcolor": "white",
        },
    }


# ---------------------------------------------------------------- 3-D


def _axes(values: dict, name: str) -> tuple[int, int, int]:
    return tuple(_whole(values, f"v_{name}_{a}") for a in AXES_3D)


def build_volume(values: dict) -> torch.Tensor:
    """The 3-D input x [C_in, D, H, W]: a digit moving one pixel a frame (``frames`` frames of ``side``²), a ball
    in a cube of ``side``, or random whole numbers 0..9 (``frames`` deep, ``v_channels`` channels)."""
    volume, frames, side = values.get("volume"), _whole(values, "frames"), _whole(values, "side")
    if volume == "digit":
        return moving_digit(_whole(values, "digit"), frames=frames, side=side)
    if volume == "ball":
        return ball_volume(min(side, 8))
    if volume == "random":
        seed = _whole(values, "v_seed")
        return random_volume(_whole(values, "v_channels"), frames, min(side, 6), min(side, 6), seed=seed)
    raise ParameterError("more.err.volume", value=repr(volume), kinds=", ".join(VOLUMES))


def weight_3d(values: dict, in_channels: int) -> torch.Tensor:
    """The 3-D kernels [C_out, C_in, kD, kH, kW]: motion (the later slices minus the earlier ones, summed
    over the window's rows and columns, weights −1, 0, 1: a moving edge lights up), smooth (the window's mean), or random −1..1."""
    kd, kh, kw = _axes(values, "kernel")
    shape = (_whole(values, "v_out_channels"), in_channels, kd, kh, kw)
    preset = values.get("v_preset")
    if preset == "random":
        generator = torch.Generator().manual_seed(_whole(values, "v_seed"))
        return torch.randint(-1, 2, shape, generator=generator).float()
    if preset == "motion" and kd > 1:
        depth = torch.linspace(-1.0, 1.0, kd).round()[:, None, None]  # −1 … 1: whole numbers in the step panel
        return depth.expand(kd, kh, kw).expand(shape).clone()
    return torch.full(shape, 1.0 / (kd * kh * kw * in_channels))


def run_3d(values: dict, x: torch.Tensor) -> Conv3dTrace:
    """The 3-D layer over x [C_in, D, H, W], as nn.Conv3d computes it (zeros padding)."""
    return trace_conv3d(
        x,
        weight_3d(values, x.shape[0]),
        stride=_axes(values, "stride"),
        padding=_axes(values, "padding"),
        dilation=_axes(values, "dilation"),
    )


def formulas_3d(trace: Conv3dTrace) -> list[str]:
    """The output-size formula for depth, height and width, each with the trace's numbers."""
    lines = []
    for axis, symbol in enumerate("DHW"):
        before, after = trace.pads[2 * axis], trace.pads[2 * axis + 1]
        size, k = trace.in_size[axis], trace.kernel_size[axis]
        lines.append(output_size_latex(symbol, size, k, trace.stride[axis], before, after, trace.dilation[axis]))
    return lines


@dataclass(frozen=True)
class SliceBox:
    """One slice's outline: which drawn slice, and the cells (row, col) to outline in it."""

    slice: int
    cells: tuple[tuple[int, int], ...]


def window_boxes(step: Conv3dStep) -> list[SliceBox]:
    """Where the step's window lies in the padded volume: one box per depth slice it covers."""
    cells = tuple((int(r), int(c)) for r in step.rows for c in step.cols)
    return [SliceBox(int(z), cells) for z in step.slices]


def slices_figure(
    volume: torch.Tensor,
    titles: list[str],
    boxes: list[SliceBox],
    hover: str,
    marked: tuple[int, ...] = (),
    per_row: int = 6,
) -> dict:
    """A volume [D, H, W] as its depth slices side by side (``per_row`` to a row), one heatmap each on one colour
    scale, titled ``titles``; each box's cells outlined in red on its slice, and the titles of the slices in
    ``marked`` (the window's, the chosen output's) in red."""
    depth, h, w = volume.shape
    per_row = max(1, min(per_row, depth))  # a short volume spreads over the width: its titles have room
    colours, low, high = colour_range(volume)
    rows = math.ceil(depth / per_row)
    gap_x, gap_y = 0.02, 0.2 / rows
    data, layout = [], {"annotations": [], "shapes": []}
    for z in range(depth):
        row, col = divmod(z, per_row)
        n = "" if z == 0 else str(z + 1)
        x0, x1 = col / per_row + gap_x / 2, (col + 1) / per_row - gap_x / 2
        y1 = 1 - row / rows - gap_y
        y0 = 1 - (row + 1) / rows + gap_y / 2
        values = torch.round(volume[z].double() * 1000).div(1000).tolist()
        data.append({
            "type": "heatmap", "z": values, "xaxis": f"x{n}", "yaxis": f"y{n}", "colorscale": colours,
            "zmin": low, "zmax": high, "showscale": False, "hovertemplate": hover, "xgap": 1, "ygap": 1,
            "customdata": [[z] * w for _ in range(h)],
        })  # fmt: skip
        layout[f"xaxis{n}"] = {"domain": [x0, x1], "anchor": f"y{n}", "range": [-0.5, w - 0.5], "visible": False}
        layout[f"yaxis{n}"] = {
            "domain": [y0, y1], "anchor": f"x{n}", "range": [h - 0.5, -0.5], "visible": False,
            "scaleanchor": f"x{n}",
        }  # fmt: skip
        colour = "#d62728" if z in marked else "#333"
        layout["annotations"].append({
            "text": titles[z], "x": (x0 + x1) / 2, "y": y1, "xref": "paper", "yref": "paper", "showarrow": False,
            "yanchor": "bottom", "font": {"size": 11, "color": colour},
        })  # fmt: skip
    for box in boxes:
        n = "" if box.slice == 0 else str(box.slice + 1)
        for r, c in box.cells:
            layout["shapes"].append({
                "type": "rect", "xref": f"x{n}", "yref": f"y{n}", "x0": c - 0.5, "x1": c + 0.5, "y0": r - 0.5,
                "y1": r + 0.5, "line": {"color": "#d62728", "width": 2},
            })  # fmt: skip
    side_px = 150 if per_row <= 6 else 110
    layout |= {
        "height": 40 + rows * side_px,
        "margin": {"l": 5, "r": 5, "t": 35, "b": 5},
        "plot_bgcolor": "#e6e6e6",
        "showlegend": False,
    }
    return {"data": data, "layout": layout}


def step3d_latex(step: Conv3dStep, depth_names: list[str]) -> list[str]:
    """One line per input channel and depth slice of the window (window ⊙ kernel = products → Σ), then the sum
    over slices and channels: output[oc, d, y, x] written out. ``depth_names``: the padded slices' indices."""
    lines, sums = [], []
    for i, channel in enumerate(step.input_channels):
        for j, z in enumerate(step.slices.tolist()):
            total = format_number(float(step.slice_sums[i, j]), 4)
            sums.append(total)
            window, kernel, products = (matrix_latex(m[i, j]) for m in (step.window, step.kernel, step.products))
            lines.append(
                rf"c={channel},\ z={depth_names[z]}:\quad {window} \odot {kernel} = {products}"
                rf" \;\xrightarrow{{\Sigma}}\; {total}"
            )
    total = sums[0] + "".join(f" - {s[1:]}" if s.startswith("-") else f" + {s}" for s in sums[1:])
    target = rf"y_{{{step.oc},{step.d},{step.y},{step.x}}}"
    lines.append(rf"{target} = {total} = \mathbf{{{format_number(step.value, 4)}}}")
    return lines


# ---------------------------------------------------------------- depthwise-separable


def separable_input(values: dict) -> torch.Tensor:
    """Random whole numbers 0..9 as x [C_in, side, side] (legible in the animator and the step panel)."""
    side = _whole(values, "s_side")
    generator = torch.Generator().manual_seed(_whole(values, "s_seed"))
    shape = (_whole(values, "s_in_channels"), side, side)
    return torch.randint(0, 10, shape, generator=generator).float()


def run_separable(values: dict) -> SeparablePair:
    """The same input through a standard k × k layer and through depthwise k × k + pointwise 1 × 1 (padding k // 2,
    the stride on the depthwise layer), seeded weights, no bias."""
    x = separable_input(values)
    k = _whole(values, "s_kernel")
    return separable_pair(x, _whole(values, "s_out_channels"), k, _whole(values, "s_stride"), k // 2, seed=0)


def shapes_agree(pair: SeparablePair) -> bool:
    return tuple(pair.standard.output.shape) == tuple(pair.pointwise.output.shape)


def counts_rows(pair: SeparablePair) -> list[tuple[str, int, int, int, int, int]]:
    """(what, standard, depthwise, pointwise, depthwise + pointwise) for parameters and multiply-adds."""
    c = pair.counts
    return [
        ("params", c.standard_params, c.depthwise_params, c.pointwise_params, c.separable_params),
        ("mult_adds", c.standard_mult_adds, c.depthwise_mult_adds, c.pointwise_mult_adds, c.separable_mult_adds),
    ]


def _fraction(value: Fraction) -> str:
    return rf"\tfrac{{{value.numerator}}}{{{value.denominator}}}" if value.denominator != 1 else str(value.numerator)


def ratio_latex(pair: SeparablePair) -> list[str]:
    """The ratio separable / standard multiply-adds: the general form, the student's numbers, and 1/C_out + 1/k²."""
    c = pair.counts
    c_in, c_out, k = c.in_channels, c.out_channels, c.kernel_size
    general = (
        r"\frac{\text{separable}}{\text{standard}} = \frac{C_{in} k^2 + C_{in} C_{out}}{C_{out} C_{in} k^2}"
        r" = \frac{1}{C_{out}} + \frac{1}{k^2}"
    )
    worked = (
        rf"= \frac{{{c_in} \cdot {k}^2 + {c_in} \cdot {c_out}}}{{{c_out} \cdot {c_in} \cdot {k}^2}}"
        rf" = \frac{{1}}{{{c_out}}} + \frac{{1}}{{{k * k}}} = {_fraction(c.formula)}"
        rf" \approx {float(c.formula):.3f}"
    )
    return [general, worked]


def separable_checks(pair: SeparablePair) -> bool:
    """Whether every count agrees three ways: the formulas, the torch modules (parameters, forward hooks) and the
    traces the animators step through."""
    return all(len(set(three)) == 1 for three in compare_separable(pair.counts).values())


def shape_text(tensor: torch.Tensor) -> str:
    """A tensor's shape as the pages write it: ``[4, 5, 5]``."""
    return "[" + ", ".join(map(str, tensor.shape)) + "]"


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table, the first column left-aligned and the numbers right-aligned ("|" in a cell escaped)."""

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(cell.replace("|", r"\|") for cell in cells) + " |"

    align = "| :-- | " + " | ".join("--:" for _ in header[1:]) + " |"
    return "\n".join([line(header), align, *(line(row) for row in rows)])
