"""Learning a kernel by gradient descent, with the numbers of every step (d2l §7.2.4, "Learning a Kernel").

A hidden kernel K makes the target T = corr2d(X, K) of an input X; a kernel w, from zeros or random, learns K
back by gradient descent on the mean squared error over the N output positions,

    L(w) = 1/N · Σ (y − t)²,  y = corr2d(X, w),    w ← w − lr · ∂L/∂w.

The gradient comes from torch's autograd; it equals the closed form ∂L/∂w = 2/N · Σ (y − t) · window, the sum over
output positions of each error times the input window under the kernel there (``closed_form_grad``; the tests
hold the two equal).

Stability: L is quadratic in w. With U the [N, kH·kW] matrix of the unfolded input windows, its Hessian is the
Gram matrix H = 2/N · UᵀU, and gradient descent converges from every start exactly when lr < 2/λ_max(H): each
step multiplies the error along H's top eigenvector by |1 − lr·λ_max| (``stability``). Below the bound the loss
falls at every step; above it that direction grows and the loss, sooner or later, explodes. Unless the start's
error has no component along it: on d2l's input from zeros, w − K = [−1, 1] is the eigenvector of the small
eigenvalue (2/42 · 6), the iterates stay exactly of the form [a, −a], and rates up to 7 converge (``stability``
with the start says so, and the page can tell the student to start from random values to see it diverge).

d2l's run uses the *sum* of squares and lr = 3e-2. The mean divides the gradient by N = 42 (6×7 outputs), so
the same steps are lr = 3e-2 · 42 = 1.26 here. On d2l's input λ_max(H) = 2/42 · 30 and the bound is 1.4 (for
d2l's sum loss the bound is 1/30 ≈ 0.0333: its 3e-2 sits just below it).

Computed in float64, so the update a page writes out is the parameter change to the last digit shown.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from vizconv.errors import ParameterError
from vizconv.i18n.strings import Count, text
from vizconv.inputs.kernels import make_kernel

__all__ = [
    "D2L_KERNEL",
    "DIVERGENCE_GROWTH",
    "HIDDEN_PRESETS",
    "INPUTS",
    "MAX_KERNEL_SIDE",
    "MAX_STEPS",
    "KernelLearner",
    "LearningProblem",
    "LearningRun",
    "Stability",
    "Step",
    "WrittenUpdate",
    "closed_form_grad",
    "corr2d",
    "d2l_input",
    "divergence_text",
    "hidden_kernel",
    "learn_kernel",
    "learning_input",
    "learning_problem",
    "parse_kernel",
    "stability",
    "stability_text",
    "start_kernel",
    "written_update",
]

D2L_KERNEL = ((1.0, -1.0),)  # d2l §7.2.3: the 1×2 kernel that finds vertical edges
# The hidden kernels offered: d2l's edge kernel, then presets of vizconv.inputs.kernels (3×3 unless asked).
HIDDEN_PRESETS = (
    "d2l_edge",
    "sobel_x",
    "sobel_y",
    "laplacian",
    "sharpen",
    "emboss",
    "box_blur",
    "gaussian",
    "identity",
)
# The inputs offered: d2l's stripe image, the bundled MNIST digits, the sample photos (grey).
PHOTOS = ("camera", "chelsea", "coffee", "astronaut")
INPUTS = ("d2l", *(f"digit_{d}" for d in range(10)), *PHOTOS)
MAX_KERNEL_SIDE = 7  # a typed kernel: at most 7×7 (49 weights, each update still legible)
MAX_KERNEL_VALUE = 100.0  # a typed value: |v| ≤ 100
MAX_TEXT = 2000  # characters of typed kernel text read at all
MAX_INPUT_SIDE = 64  # a picture input is scaled to at most 64 px on its longer side
MAX_STEPS = 5000  # one run (learn_kernel) or one learner's history
DIVERGENCE_GROWTH = 100.0  # diverged: the loss is 100× the loss at the start (or inf / nan)
STARTS = ("zeros", "random")


def d2l_input() -> torch.Tensor:
    """d2l's 6×8 image: ones with a zero stripe in columns 2–5 (``X[:, 2:6] = 0``), float64 [6, 8]."""
    x = torch.ones(6, 8, dtype=torch.float64)
    x[:, 2:6] = 0
    return x


def learning_input(name: str, side: int | None = None) -> torch.Tensor:
    """Input ``name`` of INPUTS as a grey float64 [H, W] in 0..1 (d2l's image as it is; a digit at 28 px, a photo
    at 32 px on its longer side unless ``side`` says otherwise, at most MAX_INPUT_SIDE)."""
    if name not in INPUTS:
        raise ParameterError("learn.input", value=repr(name), names=", ".join(INPUTS))
    if name == "d2l":
        return d2l_input()
    if side is not None and not 2 <= side <= MAX_INPUT_SIDE:
        raise ParameterError("learn.input_side", value=side, limit=MAX_INPUT_SIDE)
    if name.startswith("digit_"):
        from vizconv.inputs.feature_sources import digit_picture, picture_tensor  # late: it loads the nets' room

        x = picture_tensor(digit_picture(int(name.removeprefix("digit_"))), side or 28, colour=False)
    else:
        from vizconv.inputs.samples import sample_input

        x = sample_input(name, side or 32, channels=1)
    return x[0].double()  # (H, W)


def hidden_kernel(name: str, size: int = 3) -> torch.Tensor:
    """Hidden kernel ``name`` of HIDDEN_PRESETS as float64: d2l's [[1, −1]], else the preset at ``size``×``size``."""
    if name not in HIDDEN_PRESETS:
        raise ParameterError("learn.hidden", value=repr(name), names=", ".join(HIDDEN_PRESETS))
    if name == "d2l_edge":
        return torch.tensor(D2L_KERNEL, dtype=torch.float64)
    if not 1 <= size <= MAX_KERNEL_SIDE:
        raise ParameterError("learn.kernel_too_large", rows=size, cols=size, limit=MAX_KERNEL_SIDE)
    return make_kernel(name, size, size).double()


_ROWS = re.compile(r"[;\n]")
_VALUES = re.compile(r"[,\s]+")


def _rows_of(typed: str) -> list[list[str]]:
    """The typed kernel's rows of number words: JSON-like ``[[1, -1], [0, 2]]``, or rows split by ``;`` or lines
    with numbers split by spaces or commas."""
    stripped = typed.strip()
    if stripped.startswith("["):
        try:
            nested = json.loads(stripped)
        except ValueError:
            nested = None
        if isinstance(nested, list) and nested and not isinstance(nested[0], list):
            nested = [nested]  # [1, -1]: one row
        if isinstance(nested, list) and all(isinstance(row, list) for row in nested):
            return [[str(v) for v in row] for row in nested]
        stripped = stripped.replace("[", " ").replace("]", ";")
    rows = [row.strip(" ,\t\r") for row in _ROWS.split(stripped)]
    return [[word for word in _VALUES.split(row) if word] for row in rows if row]


def _number(word: str) -> float:
    try:
        value = float(word.replace("−", "-"))  # a typographic minus, as copied from a book
    except ValueError:
        raise ParameterError("learn.kernel_number", value=word[:20]) from None
    if not math.isfinite(value) or abs(value) > MAX_KERNEL_VALUE:
        raise ParameterError("learn.kernel_value", value=word[:20], limit=int(MAX_KERNEL_VALUE))
    return value


def parse_kernel(typed: str) -> torch.Tensor:
    """A kernel the student typed, as float64 [kH, kW]: rows on lines or split by ``;``, numbers split by spaces
    or commas (``1 0 -1; 2 0 -2; 1 0 -1``), or nested brackets (``[[1, -1]]``). ParameterError (learn.*) for text
    that is not numbers, ragged rows, an empty or too large kernel, or a value out of range."""
    if len(typed) > MAX_TEXT:
        raise ParameterError("learn.kernel_too_long", limit=MAX_TEXT)
    rows = _rows_of(typed)
    if not rows:
        raise ParameterError("learn.kernel_empty")
    if len(rows) > MAX_KERNEL_SIDE or max(len(row) for row in rows) > MAX_KERNEL_SIDE:
        raise ParameterError(
            "learn.kernel_too_large", rows=len(rows), cols=max(len(row) for row in rows), limit=MAX_KERNEL_SIDE
        )
    for index, row in enumerate(rows[1:], start=2):
        if len(row) != len(rows[0]):
            raise ParameterError(
                "learn.kernel_ragged",
                row=index,
                count=Count("count.values", len(row)),
                first=Count("count.values", len(rows[0])),
            )
    return torch.tensor([[_number(word) for word in row] for row in rows], dtype=torch.float64)


def _windows(x: torch.Tensor, kh: int, kw: int) -> torch.Tensor:
    """The input's windows under a kH×kW kernel, one row per output position: [N, kH·kW] (N = oH·oW)."""
    return F.unfold(x[None, None], (kh, kw))[0].T  # (N, kH*kW)


def corr2d(x: torch.Tensor, kernel: torch.Tensor) -> torch.Tensor:
    """d2l's corr2d: [H, W] ⋆ [kH, kW] -> [H − kH + 1, W − kW + 1] (what nn.Conv2d computes, no padding)."""
    return F.conv2d(x[None, None], kernel[None, None])[0, 0]


@dataclass(frozen=True)
class LearningProblem:
    """What a kernel learns from: the input, the hidden kernel, the target it makes, the learned kernel's shape."""

    x: torch.Tensor  # (H, W) float64
    hidden: torch.Tensor  # (hH, hW): the kernel the target was made with
    expected: torch.Tensor  # (kH, kW): the hidden kernel at the centre of the learned shape (zeros around it)
    target: torch.Tensor  # (oH, oW) = corr2d(x, expected)
    eigenvalues: torch.Tensor  # (kH·kW,) ascending: of the loss's Hessian, the Gram matrix 2/N · UᵀU
    eigenvectors: torch.Tensor  # (kH·kW, kH·kW): column i belongs to eigenvalues[i]

    @property
    def lam_max(self) -> float:
        """The largest eigenvalue of the Hessian 2/N · UᵀU: the curvature along the steepest direction."""
        return float(self.eigenvalues[-1])

    @property
    def kernel_shape(self) -> tuple[int, int]:
        return tuple(self.expected.shape)

    @property
    def positions(self) -> int:
        """N: the output positions the loss averages over."""
        return self.target.numel()


def learning_problem(
    x: torch.Tensor, hidden: torch.Tensor, kernel_shape: tuple[int, int] | None = None
) -> LearningProblem:
    """The problem of learning ``hidden`` back from ``x`` [H, W] (or [1, H, W]) with a kernel of ``kernel_shape``
    (default: the hidden kernel's). A larger learned kernel gets the hidden one at its centre, zeros around it,
    as kernel presets are placed (the same map over a larger window); a smaller one cannot make the target."""
    x = x.detach().double()
    x = x[0] if x.dim() == 3 and x.shape[0] == 1 else x
    hidden = hidden.detach().double()
    if x.dim() != 2 or hidden.dim() != 2:
        raise ParameterError("learn.shapes", x=list(x.shape), kernel=list(hidden.shape))
    hh, hw = hidden.shape
    kh, kw = kernel_shape or (hh, hw)
    if kh < hh or kw < hw:
        raise ParameterError("learn.kernel_shape", kh=kh, kw=kw, hh=hh, hw=hw)
    if kh > MAX_KERNEL_SIDE or kw > MAX_KERNEL_SIDE:
        raise ParameterError("learn.kernel_too_large", rows=kh, cols=kw, limit=MAX_KERNEL_SIDE)
    if kh > x.shape[0] or kw > x.shape[1]:
        raise ParameterError("learn.kernel_bigger_than_input", kh=kh, kw=kw, h=x.shape[0], w=x.shape[1])
    expected = torch.zeros(kh, kw, dtype=torch.float64)
    top, left = (kh - hh) // 2, (kw - hw) // 2
    expected[top : top + hh, left : left + hw] = hidden
    windows = _windows(x, kh, kw)  # (N, kH*kW)
    gram = 2.0 / len(windows) * windows.T @ windows  # (kH*kW, kH*kW): the Hessian of the mean squared error
    eigenvalues, eigenvectors = torch.linalg.eigh(gram)
    return LearningProblem(x, hidden, expected, corr2d(x, expected), eigenvalues.clamp(min=0), eigenvectors)


EXCITED = 1e-10  # a direction the start's error has a component along: more than this fraction of the error


@dataclass(frozen=True)
class Stability:
    """Whether gradient descent at ``lr`` converges on a problem (from every start, and from a given one), and why."""

    lr: float
    lam_max: float  # the largest eigenvalue of the Hessian 2/N · UᵀU
    bound: float  # 2 / lam_max: the largest learning rate that converges from every start (inf for a zero input)
    factor: float  # |1 − lr · lam_max|: what each step multiplies the error along the top eigenvector by
    lam_start: float  # the largest eigenvalue along whose eigenvector the start's error lies (lam_max without a start)
    start_bound: float  # 2 / lam_start: the largest learning rate that converges from that start

    @property
    def stable(self) -> bool:
        """Converges from every start."""
        return self.lr < self.bound

    @property
    def converges(self) -> bool:
        """Converges from the start given (as ``stable`` when none was)."""
        return self.lr < self.start_bound


def _bound(lam: float) -> float:
    return 2.0 / lam if lam > 0 else math.inf


def stability(problem: LearningProblem, lr: float, start: torch.Tensor | None = None) -> Stability:
    """The stability of gradient descent at ``lr`` on ``problem``: the bound 2/λ_max and the growth per step; with
    ``start`` (the first kernel) also the bound from there. The error w − K evolves on its own along each
    eigenvector of the Hessian, multiplied by 1 − lr·λ per step; a start whose error has no component along the
    steep directions (d2l's example from zeros: w − K = [−1, 1], the eigenvector of the small eigenvalue) converges
    at rates up to 2/λ of the steepest direction it does have."""
    lam = problem.lam_max
    lam_start = lam
    if start is not None:
        error = (start.double() - problem.expected).flatten()  # (kH*kW,)
        parts = (problem.eigenvectors.T @ error).abs()  # (kH*kW,): the error along each eigenvector
        excited = parts > EXCITED * float(error.norm())
        lam_start = float(problem.eigenvalues[excited].max()) if bool(excited.any()) else 0.0
    return Stability(lr, lam, _bound(lam), abs(1.0 - lr * lam), lam_start, _bound(lam_start))


def stability_text(verdict: Stability, lang: str = "en") -> str:
    """The page's sentence on ``verdict``: the bound; above it, why the loss explodes, or why it does not from
    this start."""
    key = "learn.stable" if verdict.stable else "learn.unstable" if not verdict.converges else "learn.start_spared"
    params = {"lr": verdict.lr, "bound": verdict.bound, "lam": verdict.lam_max, "factor": verdict.factor}
    return text(key, lang, **params, lam_start=verdict.lam_start, start_bound=verdict.start_bound)


def divergence_text(reason: str, lang: str = "en") -> str:
    """The page's line for a diverged run's ``reason`` ("growth" or "nonfinite", as ``KernelLearner.reason``)."""
    if reason == "growth":
        return text("learn.diverged_growth", lang, growth=DIVERGENCE_GROWTH)
    return text("learn.diverged_nonfinite", lang)


def closed_form_grad(x: torch.Tensor, kernel: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """∂L/∂w written out: 2/N · Σ over output positions of (y − t) times the input window there; [kH, kW]."""
    kh, kw = kernel.shape
    error = (corr2d(x, kernel) - target).flatten()  # (N,)
    return (2.0 / error.numel() * (_windows(x, kh, kw).T @ error)).reshape(kh, kw)


def start_kernel(shape: tuple[int, int], start: str = "zeros", seed: int = 0) -> torch.Tensor:
    """The kernel learning starts from: zeros, or random in ±1/√(kH·kW) (the range nn.Conv2d draws from)."""
    if start not in STARTS:
        raise ParameterError("learn.start", value=repr(start))
    if start == "zeros":
        return torch.zeros(shape, dtype=torch.float64)
    generator = torch.Generator().manual_seed(seed)
    bound = 1.0 / math.sqrt(shape[0] * shape[1])
    return (torch.rand(shape, generator=generator, dtype=torch.float64) * 2 - 1) * bound


@dataclass(frozen=True)
class Step:
    """One step of gradient descent, with every number a page writes out."""

    index: int  # 0 for the first step
    lr: float
    before: torch.Tensor  # (kH, kW): the kernel before the step
    output: torch.Tensor  # (oH, oW): corr2d(x, before)
    loss: float  # the mean squared error of output against the target
    grad: torch.Tensor  # (kH, kW): ∂L/∂w at ``before`` (autograd)
    after: torch.Tensor  # (kH, kW): before − lr · grad
    diverged: bool  # the loss is inf / nan, or DIVERGENCE_GROWTH times the loss at the start


def _check_lr(lr: float) -> float:
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not math.isfinite(lr) or lr <= 0:
        raise ParameterError("learn.lr", value=repr(lr))
    return float(lr)


def _step(problem: LearningProblem, kernel: torch.Tensor, lr: float, index: int, first_loss: float | None) -> Step:
    weight = kernel.detach().clone().requires_grad_(True)
    output = corr2d(problem.x, weight)
    loss = ((output - problem.target) ** 2).mean()
    (grad,) = torch.autograd.grad(loss, weight)
    value = float(loss.detach())
    start = value if first_loss is None else first_loss
    diverged = not math.isfinite(value) or value > DIVERGENCE_GROWTH * max(start, 1e-300)
    before = kernel.detach().clone()
    return Step(index, lr, before, output.detach(), value, grad, before - lr * grad, diverged)


class KernelLearner:
    """Gradient descent on a problem, a step at a time (what a page keeps in its session and steps or runs)."""

    def __init__(self, problem: LearningProblem, lr: float, start: str = "zeros", seed: int = 0) -> None:
        self.problem = problem
        self.lr = _check_lr(lr)
        self.start = start_kernel(problem.kernel_shape, start, seed)  # (kH, kW): the first kernel
        self.kernel = self.start  # (kH, kW): the current kernel
        self.steps: list[Step] = []

    @property
    def losses(self) -> tuple[float, ...]:
        """The loss at the start of each step taken."""
        return tuple(step.loss for step in self.steps)

    @property
    def diverged(self) -> bool:
        return any(step.diverged for step in self.steps)

    @property
    def reason(self) -> str | None:
        """Why the run counts as diverged: "nonfinite" (inf or nan), "growth" (the loss grew DIVERGENCE_GROWTH
        times), or None."""
        first = next((step for step in self.steps if step.diverged), None)
        if first is None:
            return None
        return "growth" if math.isfinite(first.loss) else "nonfinite"

    def stability(self) -> Stability:
        return stability(self.problem, self.lr, self.start)

    def step(self) -> Step:
        """One update ``w ← w − lr · ∂L/∂w``; the step's record (also appended to ``steps``)."""
        if len(self.steps) >= MAX_STEPS:
            raise ParameterError("learn.steps", value=len(self.steps) + 1, limit=MAX_STEPS)
        first = self.steps[0].loss if self.steps else None
        step = _step(self.problem, self.kernel, self.lr, len(self.steps), first)
        self.steps.append(step)
        self.kernel = step.after
        return step

    def run(self, steps: int, stop_on_divergence: bool = True) -> list[Step]:
        """Up to ``steps`` more steps; stops after the first that diverged (unless told otherwise)."""
        if isinstance(steps, bool) or not isinstance(steps, int) or not 1 <= steps <= MAX_STEPS:
            raise ParameterError("learn.steps", value=repr(steps), limit=MAX_STEPS)
        taken = []
        for _ in range(steps):
            taken.append(self.step())
            if stop_on_divergence and taken[-1].diverged:
                break
        return taken


@dataclass(frozen=True)
class LearningRun:
    """A whole run of ``learn_kernel``."""

    problem: LearningProblem
    steps: tuple[Step, ...]
    kernel: torch.Tensor  # (kH, kW): the kernel after the last step
    diverged: bool
    reason: str | None  # "nonfinite", "growth" or None
    stability: Stability

    @property
    def losses(self) -> tuple[float, ...]:
        return tuple(step.loss for step in self.steps)


def learn_kernel(
    x: torch.Tensor,
    hidden: torch.Tensor,
    kernel_shape: tuple[int, int] | None = None,
    *,
    start: str = "zeros",
    lr: float = 0.5,
    steps: int = 200,
    seed: int = 0,
) -> LearningRun:
    """Learn ``hidden`` back from ``x`` by ``steps`` steps of gradient descent (stopping at divergence)."""
    learner = KernelLearner(learning_problem(x, hidden, kernel_shape), lr, start, seed)
    learner.run(steps)
    return LearningRun(
        learner.problem, tuple(learner.steps), learner.kernel, learner.diverged, learner.reason, learner.stability()
    )


@dataclass(frozen=True)
class WrittenUpdate:
    """One weight's update as a page writes it: ``w[i,j] ← before − lr · grad = after``, rounded to show."""

    row: int
    col: int
    before: float
    lr: float
    grad: float
    after: float

    @property
    def latex(self) -> str:
        grad = f"({self.grad})" if self.grad < 0 else f"{self.grad}"
        return f"w_{{{self.row},{self.col}}} \\leftarrow {self.before} - {self.lr} \\cdot {grad} = {self.after}"


def written_update(step: Step, decimals: int = 4) -> tuple[WrittenUpdate, ...]:
    """Every weight's update in ``step``, row by row, its numbers rounded to ``decimals`` (the learning rate as given)."""
    rows, cols = step.before.shape

    def shown(value: torch.Tensor) -> float:
        return round(float(value), decimals) + 0.0  # + 0.0: never "-0.0"

    return tuple(
        WrittenUpdate(i, j, shown(step.before[i, j]), step.lr, shown(step.grad[i, j]), shown(step.after[i, j]))
        for i in range(rows)
        for j in range(cols)
    )
