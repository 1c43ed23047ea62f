"""What the Learning page computes, as plain functions on its settings, lesson by lesson (``LESSONS``):

- ``backward``: one convolution layer (the Convolution page's settings, on a small grid), a loss of its output,
  ∂L/∂y, and the three gradients autograd would give (``vizconv.ops.backward``), each a sum of products;
- ``learn``: a kernel learned back from a target by gradient descent (``vizconv.training.learn_kernel``);
- ``train``: LeNet-5 trained live (``vizconv.training.live``): its settings and curves;
- ``snapshots``: the bundled models' weights after each saved epoch of their training.

Tests drive the same functions without Streamlit and compare them with ``torch.autograd``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

import torch
import torch.nn.functional as F
from PIL import Image

from vizconv.i18n.strings import text
from vizconv.inputs.kernels import make_weight
from vizconv.inputs.samples import model_samples, open_picture
from vizconv.ops.backward import BiasStep, ConvBackwardTrace, InputStep, WeightStep, trace_conv2d_backward
from vizconv.ops.conv import ConvTrace
from vizconv.ops.geometry import pad_input
from vizconv.training.learn_kernel import (
    LearningProblem,
    Step,
    hidden_kernel,
    learning_input,
    learning_problem,
    parse_kernel,
)
from vizconv.views.convolution import PlaygroundSettings, build_input, default_bias, default_weight, run_playground
from vizconv.viz.animator import Opening, conv_animator_data, scatter_animator_data
from vizconv.viz.steps import factor_latex, format_number, matrix_latex

__all__ = [
    "LESSONS",
    "LIMITS",
    "LOSSES",
    "TAKEN",
    "TARGET_PRESETS",
    "BackwardSettings",
    "KERNEL_LIMITS",
    "KernelSettings",
    "LIVE_RATES",
    "LiveSettings",
    "SNAPSHOT_EPOCHS",
    "SNAPSHOT_MODELS",
    "SNAPSHOT_PICTURES",
    "SnapshotSettings",
    "SnapshotView",
    "LEARNING_RATES",
    "Loss",
    "autograd_difference",
    "bias_latex",
    "curve_figure",
    "backward_pass",
    "forward_pass",
    "from_convolution_page",
    "input_gradient_animator",
    "input_step_latex",
    "kernel_problem",
    "learner_signature",
    "loss_figure",
    "loss_latex",
    "loss_of",
    "snapshot_accuracies",
    "snapshot_picture",
    "snapshot_uses_digits",
    "snapshot_view",
    "unused_settings",
    "update_latex",
    "weight_channel",
    "weight_gradient_animator",
    "weight_step_latex",
]

LESSONS = ("backward", "learn", "train", "snapshots")  # the page's lessons, in teaching order
LOSSES = ("sum", "cell", "mse")  # L = Σ y; L = one output value; L = mean squared error to a target map
TARGET_PRESETS = ("sobel_x", "sobel_y", "laplacian", "box_blur", "identity")  # the target layer's kernels (mse)

# Bounds of every whole-number control (and of what a link may set). A small layer: every gradient is a sum a
# student can read (a 5×5 input and a 3×3 kernel: 9 products per weight gradient).
LIMITS = {
    "random_channels": (1, 3),
    "random_height": (2, 10),
    "random_width": (2, 10),
    "random_seed": (0, 9999),
    "out_channels": (1, 4),
    "kernel_h": (1, 5),
    "kernel_w": (1, 5),
    "stride_h": (1, 3),
    "stride_w": (1, 3),
    "padding_h": (0, 3),
    "padding_w": (0, 3),
    "dilation_h": (1, 3),
    "dilation_w": (1, 3),
    "groups": (1, 3),
    "kernel_seed": (0, 9999),
    "cell_oc": (0, 3),  # the output value the "cell" loss is (the page clamps it to the output)
    "cell_oy": (0, 9),
    "cell_ox": (0, 9),
    "w_position": (0, 24),  # the weight the ∂L/∂w panel explains (state learn_w_position: the page clamps it)
    "w_channel": (0, 11),  # ... its kernel and channel: up to 3 input channels × 4 kernels
}


@dataclass(frozen=True)
class BackwardSettings(PlaygroundSettings):
    """The backward-pass lesson's settings with their defaults: a convolution layer, with every setting of the
    Convolution page (here on a small grid of random whole numbers, one kernel preset for all), and its loss."""

    source: str = "random"  # the input: random whole numbers 0..9 [C, H, W], small
    random_channels: int = 1
    random_height: int = 5
    random_width: int = 5
    out_channels: int = 1
    bias: bool = True
    preset: str = "random_int"  # the layer's weight: small whole numbers, legible products
    varied: bool = False
    loss: str = "sum"  # one of LOSSES
    target: str = "sobel_x"  # mse: the target is the same layer with this kernel (and no bias)
    cell_oc: int = 0  # cell: L = y[cell_oc, cell_oy, cell_ox]
    cell_oy: int = 0
    cell_ox: int = 0


# The Convolution page's settings this lesson takes over (its input stays a small random grid).
TAKEN = tuple(
    f.name for f in fields(PlaygroundSettings) if f.name not in ("source", "sample", "side", "colour", "varied")
)


def unused_settings(values: dict) -> set[str]:
    """The settings the view of ``values`` does not use (the other lessons' among them): they stay out of its link
    (shorter, and it reads as the view)."""
    backward = set(asdict(BackwardSettings())) | {"w_position", "w_channel"}
    kernel, live = set(asdict(KernelSettings())), set(asdict(LiveSettings()))
    snapshots = set(asdict(SnapshotSettings()))
    if values["lesson"] == "snapshots":
        picture = {"s_digit"} if not snapshot_uses_digits(values["s_model"]) else {"s_picture"}
        return backward | kernel | live | picture
    if values["lesson"] == "train":
        return backward | kernel | snapshots
    if values["lesson"] == "learn":
        unused = backward | live | snapshots
        unused |= set() if values["k_hidden"] == "typed" else {"k_typed"}
        unused |= {"k_side"} if values["k_input"] == "d2l" else set()
        return unused | (set() if values["k_start"] == "random" else {"k_seed"})
    unused = kernel | live | snapshots
    unused |= set() if values["loss"] == "mse" else {"target"}
    unused |= set() if values["loss"] == "cell" else {"cell_oc", "cell_oy", "cell_ox"}
    unused |= set() if values["padding_kind"] == "number" else {"padding_h", "padding_w"}
    return unused | (set() if values["preset"].startswith("random") else {"kernel_seed"})


@dataclass(frozen=True)
class KernelSettings:
    """The learn-a-kernel lesson's settings with their defaults (d2l 7.2.4: learn [[1, −1]] back from its stripe
    image). Named k_* in the page's memory, beside the backward lesson's."""

    k_input: str = "d2l"  # one of learn_kernel.INPUTS
    k_side: int = 16  # a digit's or a photo's longer side, in pixels (small: every step redraws its maps)
    k_hidden: str = "d2l_edge"  # one of learn_kernel.HIDDEN_PRESETS, or "typed"
    k_typed: str = "1 0 -1; 2 0 -2; 1 0 -1"  # a kernel the student types (rows by ";" or new lines)
    k_start: str = "zeros"  # the first kernel: "zeros" or "random"
    k_seed: int = 0
    k_lr: float = 0.5  # d2l's 3e-2 on its summed loss is 1.26 on this mean loss
    k_run: int = 50  # steps one click of "Run" takes


KERNEL_LIMITS = {"k_side": (8, 32), "k_seed": (0, 9999), "k_run": (1, 500)}
LEARNING_RATES = (0.001, 5.0)  # the learning rate's bounds (and a link's)


def kernel_problem(settings: KernelSettings) -> LearningProblem:
    """What the kernel learns from: the input and the hidden (or typed) kernel (ParameterError for typed text that
    is not a kernel, or a kernel larger than the input)."""
    picture = settings.k_input != "d2l"
    x = learning_input(settings.k_input, settings.k_side if picture else None)
    hidden = parse_kernel(settings.k_typed) if settings.k_hidden == "typed" else hidden_kernel(settings.k_hidden)
    return learning_problem(x, hidden)


def learner_signature(settings: KernelSettings) -> tuple:
    """What a run depends on: when it changes, the page starts a new run from the start kernel."""
    typed = settings.k_typed if settings.k_hidden == "typed" else ""
    return (
        settings.k_input,
        settings.k_side,
        settings.k_hidden,
        typed,
        settings.k_start,
        settings.k_seed,
        settings.k_lr,
    )


def update_latex(step: Step) -> str:
    """w ← w − lr · ∂L/∂w with the step's matrices: before, the gradient, after."""
    lr = format_number(step.lr, 4)
    return (
        rf"w \leftarrow {matrix_latex(step.before, 4)} - {lr} \cdot {matrix_latex(step.grad, 4)}"
        rf" = {matrix_latex(step.after, 4)}"
    )


@dataclass(frozen=True)
class LiveSettings:
    """The live-training lesson's settings with their defaults (the bundled LeNet-5's recipe: Adam at 2e-3)."""

    t_model: str = "lenet5"  # one of vizconv.training.live.LIVE_MODELS
    t_epochs: int = 2  # at most live.MAX_EPOCHS
    t_lr: float = 0.002
    t_digit: int = 7  # the sample digit whose first-layer maps are redrawn as it trains


LIVE_RATES = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.05)  # Adam's rates offered (0.05: too large, it stalls)


@dataclass(frozen=True)
class SnapshotSettings:
    """The snapshot lesson's settings with their defaults: from random weights (epoch 0) to trained."""

    s_model: str = "lenet5"  # one of SNAPSHOT_MODELS
    s_epoch: int = 0  # the snapshot shown (the page clamps it to one the card lists)
    s_digit: int = 7  # the sample digit the LeNets read
    s_picture: str = "cifar_cat"  # the sample picture ResNet-20 reads (a key of SNAPSHOT_PICTURES)


SNAPSHOT_MODELS = ("lenet5", "lenet5-classic", "resnet20")  # the bundled models whose cards list snapshots
SNAPSHOT_EPOCHS = (0, 200)  # an epoch a link may name (the LeNets trained 20 and 30 epochs, ResNet-20 130)
SNAPSHOT_PICTURES = tuple(key for key in model_samples("cifar10") if key.startswith("cifar_"))  # ResNet-20's


def snapshot_uses_digits(name: str) -> bool:
    """Whether snapshot model ``name`` reads the sample digits (the LeNets) rather than CIFAR-10 pictures."""
    from vizconv.nets.zoo import MODELS  # late: it loads the nets' room

    return MODELS[name].dataset == "mnist"


def snapshot_picture(settings: SnapshotSettings) -> Image.Image:
    """The bundled sample the snapshot lesson's model reads: the chosen digit, or the chosen CIFAR-10 picture."""
    from vizconv.inputs.feature_sources import digit_picture  # late: it loads the nets' room

    if snapshot_uses_digits(settings.s_model):
        return digit_picture(settings.s_digit)
    return open_picture(model_samples("cifar10")[settings.s_picture], "RGB")


@dataclass(frozen=True)
class SnapshotView:
    """What one snapshot makes of a picture: its top classes, the first layer's filters and feature maps."""

    top: list[tuple[str, float]]  # (class, probability), most likely first
    filters: torch.Tensor  # the first convolution's weights: (6, 1, 5, 5) for LeNet-5, (16, 3, 3, 3) for ResNet-20
    maps: torch.Tensor  # its output for the picture: (6, 28, 28) for LeNet-5, (16, 32, 32) for ResNet-20


def snapshot_view(model: torch.nn.Module, info, picture: Image.Image, top: int = 3) -> SnapshotView:
    """Snapshot ``model`` reading ``picture``: its prediction, its first convolution's filters and output."""
    from vizconv.nets.capture import capture  # late: it loads the nets' room

    path, first = next((p, m) for p, m in model.named_modules() if isinstance(m, torch.nn.Conv2d))
    x = info.preprocess(picture)
    with torch.no_grad():
        probabilities = model(x).softmax(dim=1)[0]  # (classes,)
    order = probabilities.argsort(descending=True)[:top].tolist()
    maps = capture(model, x, layers=[path])[path][0]
    return SnapshotView([(info.classes[i], float(probabilities[i])) for i in order], first.weight.detach(), maps)


def snapshot_accuracies(card: dict) -> tuple[tuple[int, ...], tuple[float, ...]]:
    """The card's snapshots as (epochs, held-out accuracies), in order of epoch."""
    entries = sorted(card.get("snapshots", []), key=lambda entry: entry["epoch"])
    return tuple(entry["epoch"] for entry in entries), tuple(entry["test_accuracy"] for entry in entries)


def curve_figure(curves: list[tuple[str, tuple[float, ...], tuple[float, ...]]], x_title: str) -> dict:
    """Named curves (name, x, y) on one Plotly chart, lines with markers, legend on top."""
    return {
        "data": [
            {"type": "scatter", "mode": "lines+markers", "name": name, "x": list(x), "y": list(y)}
            for name, x, y in curves
        ],
        "layout": {
            "height": 260,
            "margin": {"l": 50, "r": 10, "t": 30, "b": 40},
            "xaxis": {"title": {"text": x_title}},
            "legend": {"orientation": "h", "y": 1.15},
        },
    }


def loss_figure(losses: tuple[float, ...], loss_title: str, step_title: str) -> dict:
    """The loss after each step as a line, on a log scale where every loss is positive (it spans decades)."""
    figure = curve_figure([(loss_title, tuple(range(len(losses))), losses)], step_title)
    finite = [loss for loss in losses if math.isfinite(loss)]
    log = bool(finite) and min(finite) > 0
    figure["layout"] |= {"height": 280, "showlegend": False}
    figure["layout"]["yaxis"] = {"title": {"text": loss_title}, "type": "log" if log else "linear"}
    return figure


def from_convolution_page(values: dict) -> dict:
    """The Convolution page's layer settings (its memory's values) as this lesson's, within this lesson's bounds;
    its input becomes a small random grid with the same number of channels (a picture's gradients would be too
    many numbers to read)."""
    taken = {name: values[name] for name in TAKEN if name in values}
    if values.get("source") != "random":  # a sample or a picture: its channel count, on a small grid
        taken.pop("random_channels", None)
    for name, (low, high) in LIMITS.items():
        if name in taken:
            taken[name] = min(max(int(taken[name]), low), high)
    if taken.get("preset", "").startswith(("lenet5", "resnet20")) or taken.get("preset") == "example":
        taken["preset"] = BackwardSettings.preset  # a learned or a sample's kernel does not fit a new layer
    return taken


@dataclass(frozen=True)
class Loss:
    """A loss of the layer's output y: its value, ∂L/∂y (the output gradient the backward pass starts from) and,
    for the mean squared error, the target map."""

    name: str  # one of LOSSES
    value: float
    grad_output: torch.Tensor  # (C_out, H_out, W_out)
    target: torch.Tensor | None  # (C_out, H_out, W_out) for "mse"


def loss_of(trace: ConvTrace, settings: BackwardSettings) -> Loss:
    """The loss the settings name, of the forward pass ``trace``, and its gradient with respect to the output:

    - ``sum``: L = Σ y, so ∂L/∂y = 1 everywhere (each weight's gradient is the sum of the inputs it met);
    - ``cell``: L = y[oc, oy, ox], one output value: ∂L/∂y is 1 there and 0 elsewhere (which weights and inputs
      made that one value);
    - ``mse``: L = mean((y − t)²) with t the same layer with a classic kernel (``target``), ∂L/∂y = 2(y − t)/N.
    """
    y = trace.output
    if settings.loss == "sum":
        return Loss("sum", float(y.sum()), torch.ones_like(y), None)
    if settings.loss == "cell":
        oc, oy, ox = (min(value, size - 1) for value, size in zip(_cell(settings), y.shape, strict=True))
        grad = torch.zeros_like(y)
        grad[oc, oy, ox] = 1.0
        return Loss("cell", float(y[oc, oy, ox]), grad, None)
    c_out, per_group, kh, kw = trace.weight.shape
    target_weight = make_weight(settings.target, c_out, per_group, kh, kw)
    target = F.conv2d(  # the same padded input, the classic kernel
        trace.padded[None],
        target_weight,
        stride=trace.stride,
        dilation=trace.dilation,
        groups=trace.groups,
    )[0]
    difference = y - target
    return Loss("mse", float((difference**2).mean()), 2 * difference / y.numel(), target)


def _cell(settings: BackwardSettings) -> tuple[int, int, int]:
    return settings.cell_oc, settings.cell_oy, settings.cell_ox


def forward_pass(
    settings: BackwardSettings, weight: torch.Tensor | None = None, bias: torch.Tensor | None = None
) -> ConvTrace:
    """The lesson's layer run forward on its input (ParameterError for settings the layer refuses); ``weight`` and
    ``bias`` default to the preset's."""
    x = build_input(settings)
    weight = default_weight(settings, x.shape[0]) if weight is None else weight
    bias = default_bias(settings, x.shape[0]) if bias is None else bias
    return run_playground(settings, x, weight, bias)


def backward_pass(trace: ConvTrace, settings: BackwardSettings) -> tuple[ConvBackwardTrace, Loss]:
    """The settings' loss of the forward pass ``trace``, and the backward pass from that loss's output gradient."""
    loss = loss_of(trace, settings)
    back = trace_conv2d_backward(
        trace.input,
        trace.weight,
        loss.grad_output,
        trace.bias,
        stride=trace.stride,
        padding=settings.padding,
        dilation=trace.dilation,
        groups=trace.groups,
        padding_mode=trace.padding_mode,
    )
    return back, loss


def weight_channel(back: ConvBackwardTrace, channel: int) -> tuple[int, int]:
    """The weight (oc, ic) whose gradient is output channel ``channel`` of ``back.weight_conv``: a depthwise
    convolution, input channel c giving C_out/groups channels, one per output channel of c's group."""
    f = back.forward
    per_group_out, per_group_in = f.out_channels // f.groups, f.weight.shape[1]
    c, m = divmod(channel, per_group_out)
    return (c // per_group_in) * per_group_out + m, c % per_group_in


def weight_gradient_animator(back: ConvBackwardTrace, opening: Opening | None = None) -> dict:
    """The live animator's data for ∂L/∂w as the convolution it is: ∂L/∂y (dilated by the stride) slides over the
    padded input (stride: the layer's dilation), one weight tap per step; each map and kernel named for the
    weight it makes."""
    data, lang = conv_animator_data(back.weight_conv, opening), (opening or Opening()).lang
    named = [weight_channel(back, k) for k in range(back.weight_conv.out_channels)]
    data["names"] = {
        "output": [text("back.anim.grad_weight", lang, oc=oc, ic=ic) for oc, ic in named],
        "kernel": [text("back.anim.grad_output", lang, oc=oc) for oc, _ in named],
    }
    data["text"] |= {"where": text("back.anim.weight_where", lang), "window": text("back.anim.inputs_met", lang)}
    return data


def input_gradient_animator(back: ConvBackwardTrace, opening: Opening | None = None) -> dict:
    """The live animator's data for ∂L/∂x as the transposed convolution it is: each value of ∂L/∂y writes
    value × kernel onto the gradient of the padded input, one output position per step."""
    data, lang = scatter_animator_data(back.transposed, opening), (opening or Opening()).lang
    # catalogue: back.anim.input, back.anim.output, back.anim.output_other, back.anim.kernel_scatter,
    # back.anim.where_scatter, back.anim.scatter_done
    names = ("input", "output", "output_other", "kernel_scatter", "where_scatter", "scatter_done")
    data["text"] |= {name: text(f"back.anim.{name}", lang) for name in names}
    return data


def loss_latex(loss: Loss) -> list[str]:
    """The loss and its output gradient, as formulas with the loss's value."""
    value = format_number(loss.value, 4)
    if loss.name == "sum":
        return [rf"L = \sum_{{c,y,x}} y_{{c,y,x}} = {value}", r"\frac{\partial L}{\partial y_{c,y,x}} = 1"]
    if loss.name == "cell":
        oc, oy, ox = (int(v) for v in loss.grad_output.nonzero()[0])
        return [
            rf"L = y_{{{oc},{oy},{ox}}} = {value}",
            rf"\frac{{\partial L}}{{\partial y}} = 1 \text{{ at }} ({oc}, {oy}, {ox}),\ 0 \text{{ elsewhere}}",
        ]
    n = loss.grad_output.numel()
    return [
        rf"L = \frac{{1}}{{N}} \sum (y - t)^2 = {value} \quad (N = {n})",
        rf"\frac{{\partial L}}{{\partial y}} = \frac{{2}}{{N}} (y - t) = \frac{{2}}{{{n}}} (y - t)",
    ]


def weight_step_latex(step: WeightStep) -> str:
    """∂L/∂w[oc, ic, i, j] = Σ (the inputs that weight met) ⊙ (∂L/∂y there) = its value."""
    return (
        rf"\frac{{\partial L}}{{\partial w_{{{step.oc},{step.ic},{step.i},{step.j}}}}} = \sum "
        rf"{matrix_latex(step.inputs)} \odot {matrix_latex(step.grads)} = \mathbf{{{format_number(step.value, 4)}}}"
    )


def input_step_latex(step: InputStep, per_group_in: int) -> str:
    """∂L/∂x[ic, y, x] = Σ ∂L/∂y[o, oy, ox] · w[o, c, i, j] over every window position and tap that read the cell
    (each term labelled; the weight's input channel c is ic's place in its group of ``per_group_in``), = its value;
    0 where no window read it."""
    c = step.ic % per_group_in
    terms = " + ".join(
        rf"\underbrace{{{factor_latex(g)} \cdot {factor_latex(w)}}}_{{g_{{{o},{oy},{ox}}}\,w_{{{o},{c},{i},{j}}}}}"
        for g, w, o, oy, ox, i, j in zip(
            step.grads.tolist(),
            step.weights.tolist(),
            *(t.tolist() for t in (step.oc, step.oy, step.ox, step.i, step.j)),
            strict=True,
        )
    )
    return rf"\frac{{\partial L}}{{\partial x_{{{step.ic},{step.y},{step.x}}}}} = {terms or '0'} = \mathbf{{{format_number(step.value, 4)}}}"


def bias_latex(step: BiasStep) -> str:
    """∂L/∂b[oc] = Σ ∂L/∂y[oc] = its value."""
    return (
        rf"\frac{{\partial L}}{{\partial b_{{{step.oc}}}}} = \sum {matrix_latex(step.grads)}"
        rf" = \mathbf{{{format_number(step.value, 4)}}}"
    )


def autograd_difference(back: ConvBackwardTrace) -> float:
    """The largest difference between the lesson's three gradients and torch.autograd's for the same layer and
    output gradient (nn.Conv2d's forward, then ``y.backward(grad_output)``)."""
    f = back.forward
    x = f.input.clone().requires_grad_(True)
    weight = f.weight.clone().requires_grad_(True)
    bias = None if f.bias is None else f.bias.clone().requires_grad_(True)
    padded = pad_input(x, f.pads, f.padding_mode)[None]  # F.pad, which autograd differentiates
    y = F.conv2d(padded, weight, bias, stride=f.stride, dilation=f.dilation, groups=f.groups)[0]
    y.backward(back.grad_output)
    pairs = [(back.grad_input, x.grad), (back.grad_weight, weight.grad)]
    if bias is not None:
        pairs.append((back.grad_bias, bias.grad))
    return max(float((ours - theirs).abs().max()) for ours, theirs in pairs)
