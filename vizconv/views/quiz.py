"""What the pages' quiz mode (predict, then reveal) computes, as plain functions: no Streamlit.

Each page asks the kinds of question that fit it (``PAGE_KINDS``, by the page's memory prefix). A quiz is a seed
and a question number: question ``number`` of ``seed`` is ``make_quiz(seed, kinds, number)[number - 1]``, made
alone, so a teacher's link (``?conv_quiz_seed=42``) gives every student the same questions in the same order.
``page_settings`` says how a page shows a question's settings in its own widgets, where it can.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import torch

from vizconv.quiz import KINDS, Question, Score, make_question
from vizconv.viz.steps import matrix_latex

__all__ = [
    "NUMBER_LIMITS",
    "PAGE_KINDS",
    "SEED_LIMITS",
    "Shown",
    "grids_latex",
    "new_seed",
    "page_settings",
    "question",
    "score_by_kind",
]

# The kinds each page asks, in turn (question 1 is the first kind, question 2 the second, …).
PAGE_KINDS: dict[str, tuple[str, ...]] = {
    "conv": ("conv_output_size", "next_value", "param_count"),
    "pool": ("pool_shape",),
    "tconv": ("tconv_shape",),
    "nb": ("network_shape", "param_count"),
}
SEED_LIMITS = (0, 999_999)  # what a link may carry: a seed and a question number
NUMBER_LIMITS = (1, 999)


def new_seed(rng: random.Random | None = None) -> int:
    """A fresh quiz's seed (a student alone: a different quiz each time the quiz is switched on)."""
    return (rng or random.Random()).randint(*SEED_LIMITS)


def question(page: str, seed: int, number: int) -> Question:
    """Question ``number`` (from 1) of the quiz ``seed`` on ``page``: the kinds taken in turn, each question's own
    seed drawn from ``seed`` as ``make_quiz`` draws them, so any question is made without the ones before it."""
    kinds = PAGE_KINDS[page]
    low, high = NUMBER_LIMITS
    number = min(max(int(number), low), high)
    rng = random.Random(int(seed))
    own = [rng.randrange(2**32) for _ in range(number)][-1]
    return make_question(kinds[(number - 1) % len(kinds)], own)


@dataclass(frozen=True)
class Shown:
    """How a page shows a question: its memory's settings, and other session state (the builder's stack)."""

    settings: dict
    state: dict = field(default_factory=dict)


def _within(value: int, bounds: tuple[int, int]) -> bool:
    return bounds[0] <= value <= bounds[1]


def _conv(q: Question) -> Shown | None:
    from vizconv.views.convolution import LIMITS

    s = q.setup
    if q.kind == "conv_output_size":
        size = s["size"]
        fits = _within(size, LIMITS["random_height"]) and all(
            _within(s[name], LIMITS[name]) for name in ("kernel", "stride", "padding", "dilation")
        )
        if not fits:
            return None
        pairs = {f"{name}_{axis}": s[name] for name in ("kernel", "stride", "padding", "dilation") for axis in "hw"}
        return Shown(
            {"source": "random", "random_height": size, "random_width": size, "padding_kind": "number", **pairs}
        )
    if q.kind == "param_count":
        c_in, c_out, k, groups = s["in_channels"], s["out_channels"], s["kernel_size"], s["groups"]
        fits = (
            _within(c_in, LIMITS["random_channels"])
            and _within(c_out, LIMITS["out_channels"])
            and _within(k, LIMITS["kernel"])
            and _within(groups, LIMITS["groups"])
        )
        if not fits:
            return None
        size = max(k, 6)
        return Shown(
            {
                "source": "random",
                "random_channels": c_in,
                "random_height": size,
                "random_width": size,
                "out_channels": c_out,
                "kernel_h": k,
                "kernel_w": k,
                "groups": groups,
                "bias": bool(s["bias"]),
            }
        )
    return None  # next_value: the page cannot take the question's own grid


def _pool(q: Question) -> Shown | None:
    from vizconv.views.pooling import LIMITS

    s = q.setup
    c, h, w = s["input"]
    k, stride, padding = s["kernel_size"], s["stride"], s["padding"]
    fits = (
        h == w
        and _within(c, LIMITS["random_channels"])
        and _within(h, LIMITS["random_size"])
        and _within(k, LIMITS["kernel"])
        and _within(stride, LIMITS["stride"])
        and _within(padding, LIMITS["padding"])
    )
    if not fits:
        return None
    sizes = (("kernel", k), ("stride", stride), ("padding", padding))
    pairs = {f"{name}_{axis}": value for name, value in sizes for axis in "hw"}
    settings = {"section": "pooling", "source": "random", "random_channels": c, "random_size": h, "kind": s["kind"]}
    return Shown({**settings, **pairs, "stride_default": k == stride})


def _tconv(q: Question) -> Shown | None:
    from vizconv.views.transposed import LIMITS

    s = q.setup
    c, h, w = s["input"]
    settings = {"channels": c, "height": h, "width": w, **{n: s[n] for n in ("out_channels", "stride", "padding")}}
    settings |= {"kernel": s["kernel_size"], "output_padding": s["output_padding"], "dilation": s["dilation"]}
    if not all(_within(value, LIMITS[name]) for name, value in settings.items()):
        return None
    return Shown({"source": "random", "groups": 1, **settings})


def _builder(q: Question) -> Shown | None:
    from vizconv.nets.builder import build_stack, layer, read_stack
    from vizconv.views.network_builder import CUSTOM

    s = q.setup
    if q.kind == "network_shape":
        shape = tuple(s["input"])
        stack, problem = read_stack(s["stack"], shape)
        pick = s["index"]
    else:  # param_count: the layer alone, on a 32 × 32 input with its channels
        if s["groups"] != 1:
            return None
        shape = (s["in_channels"], 32, 32)
        params = {name: s[name] for name in ("in_channels", "out_channels", "kernel_size", "bias")}
        stack, problem, pick = [layer("conv2d", **params)], None, 1
        if build_stack(shape, stack)[-1].error is not None:
            return None
    if problem is not None:
        return None
    settings = {"preset": CUSTOM, "c": shape[0], "h": shape[1], "w": shape[2], "pick": pick}
    return Shown(settings, {"nb_stack": list(stack), "nb_loaded": CUSTOM})


_SHOWERS = {"conv": _conv, "pool": _pool, "tconv": _tconv, "nb": _builder}


def page_settings(page: str, q: Question) -> Shown | None:
    """The settings that put question ``q`` on ``page`` (its widgets then show the layer and the answer), or None
    where the page cannot show it (sizes beyond its widgets' bounds, a grid of the question's own)."""
    shower = _SHOWERS.get(page)
    return shower(q) if shower is not None else None


def grids_latex(q: Question) -> list[str]:
    """A next-value question's numbers as two LaTeX lines, the input x and the kernel w, a matrix per channel
    (x_0, x_1, … where there are several): on a phone each line is scaled to fit on its own. [] for other kinds
    (their prompt holds every number)."""
    if q.kind != "next_value":
        return []
    inputs, kernel = q.setup["x"], q.setup["weight"][0]

    def named(symbol: str, index: int, values: list) -> str:
        name = f"{symbol}_{{{index}}}" if len(inputs) > 1 else symbol
        return f"{name} = " + matrix_latex(torch.tensor(values, dtype=torch.float32))

    xs = r" \quad ".join(named("x", i, channel) for i, channel in enumerate(inputs))
    ws = r" \quad ".join(named("w", i, part) for i, part in enumerate(kernel))
    return [xs, ws]


def score_by_kind(score: Score) -> list[tuple[str, int, int]]:
    """(kind, right, answered) for each kind answered, in the library's order of kinds."""
    tally = score.by_kind()
    return [(kind, *tally[kind]) for kind in KINDS if kind in tally]
