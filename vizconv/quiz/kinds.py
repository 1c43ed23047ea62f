"""Question generators, one per kind, each seeded: the same seed gives the same question, so a teacher's link
gives the whole class the same quiz.

Kinds (labels: catalogue ``quiz.kind.<kind>``):

- ``conv_output_size``: a convolution's output size along one axis from H, k, s, p, d;
- ``next_value``: the value the animator writes at its next step, on a small integer grid;
- ``param_count``: the parameters of an ``nn.Conv2d`` (groups and bias included);
- ``pool_shape``: the shape after ``nn.MaxPool2d`` / ``nn.AvgPool2d`` (the default stride is the window);
- ``tconv_shape``: the shape after ``nn.ConvTranspose2d`` (output_padding included);
- ``network_shape``: the shape after one layer of a small network (the network builder's layers).

Each answer is computed the way the page computes it (the output-size formula, ``trace_conv2d``, the builder's
shapes, which run torch on the meta device); the tests check every kind against torch itself.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from fractions import Fraction

import torch

from vizconv.errors import ParameterError
from vizconv.i18n.strings import Count, Term
from vizconv.ops.conv import trace_conv2d
from vizconv.ops.geometry import as_int
from vizconv.ops.transposed import conv_transpose_output_size
from vizconv.quiz.check import Message, Mistake, Question, answer_text

__all__ = ["KINDS", "MAX_QUESTIONS", "make_question", "make_quiz"]

MAX_QUESTIONS = 50  # the longest quiz make_quiz builds


def _floor_size(size: int, kernel: int, stride: int, padding: int, dilation: int = 1) -> int:
    """⌊(size + 2p − d·(k − 1) − 1)/s⌋ + 1 (PyTorch's formula; may be below 1 for a wrong variant)."""
    return (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1


def _mistakes(
    answer: object, candidates: Sequence[tuple[str, dict, Sequence[object]]], sizes: bool = True
) -> tuple[Mistake, ...]:
    """The mistakes whose values differ from the answer (and from every earlier mistake's): each value names
    one mistake, the first listed. With ``sizes``, values below 1 (a size or a shape no one would type) go."""
    taken: set = {answer}
    found = []
    for name, params, values in candidates:
        typed = [v for v in values if not sizes or min(v if isinstance(v, tuple) else (v,)) >= 1]
        fresh = tuple(dict.fromkeys(v for v in typed if v not in taken))
        if fresh:
            taken.update(fresh)
            shown = {"value": answer_text(values[0]), **params}  # what the mistaken formula gives
            found.append(Mistake(name, Message(f"quiz.mistake.{name}", shown), fresh))
    return tuple(found)


def _exact_or_floor(value: Fraction) -> list[Fraction]:
    """A formula's value as a student might type it: exactly (2.5) and rounded down (2)."""
    return [value, Fraction(math.floor(value))]


# ---------------------------------------------------------------- the output size of a convolution


def _conv_output_size(rng: random.Random, seed: int) -> Question:
    for _ in range(1000):  # settings where the notes' formula gives a wrong answer, and the output is not empty
        h, k = rng.randint(5, 32), rng.choice((1, 2, 3, 3, 4, 5, 5, 7))
        s, p, d = rng.choice((1, 2, 2, 3)), rng.randint(0, 3), rng.choice((1, 1, 1, 2))
        answer = _floor_size(h, k, s, p, d)
        notes = Fraction(h + 2 * p - k + 1, s)
        if answer >= 1 and notes != answer and p <= (k * d) // 2 + 1:
            break
    top = h + 2 * p - d * (k - 1) - 1
    settings = {"h": h, "k": k, "s": s, "p": p, "d": d}
    candidates = [
        ("notes_formula", {}, _exact_or_floor(notes)),
        ("forgot_dilation", {"d": d}, [Fraction(_floor_size(h, k, s, p))] if d > 1 else []),
        ("no_floor", {}, [Fraction(top, s) + 1]),
        ("ceil", {}, [Fraction(-(-top // s) + 1)]),
        ("padding_once", {"p": p}, [Fraction(_floor_size(h - p, k, s, p, d))] if p else []),
        ("forgot_padding", {"p": p}, [Fraction(_floor_size(h, k, s, 0, d))] if p else []),
        ("forgot_plus_one", {}, [Fraction(top // s)]),
        ("forgot_stride", {"s": s}, [Fraction(top + 1)] if s > 1 else []),
    ]
    return Question(
        kind="conv_output_size",
        seed=seed,
        prompt=Message("quiz.q.conv_output_size", settings),
        answer=Fraction(answer),
        answer_form="number",
        explanation=Message(
            "quiz.explain.conv_output_size", {**settings, "top": top, "floor": top // s, "answer": answer}
        ),
        mistakes=_mistakes(Fraction(answer), candidates),
        setup={"size": h, "kernel": k, "stride": s, "padding": p, "dilation": d},
    )


# ---------------------------------------------------------------- the animator's next value


def _window_value(padded, kernel, top: int, left: int) -> float | None:
    """Σ padded[:, top:top+k, left:left+k] × kernel, or None where the window leaves the padded input."""
    k = kernel.shape[-1]
    if top < 0 or left < 0 or top + k > padded.shape[1] or left + k > padded.shape[2]:
        return None
    return float((padded[:, top : top + k, left : left + k] * kernel).sum())


def _next_value(rng: random.Random, seed: int) -> Question:
    for _ in range(1000):
        c_in, side, k = rng.choice((1, 1, 2)), rng.randint(4, 6), rng.choice((2, 3, 3))
        s, p = rng.choice((1, 1, 2)), rng.choice((0, 0, 1))
        if _floor_size(side, k, s, p) ** 2 >= 2:  # a previous step to stop at, and a next one
            break
    grid = [[[rng.randint(0, 4) for _ in range(side)] for _ in range(side)] for _ in range(c_in)]
    kernel = [[[[rng.randint(-1, 2) for _ in range(k)] for _ in range(k)] for _ in range(c_in)]]
    bias = rng.choice((0, 0, 1, -1, 2, -2))
    x, weight = torch.tensor(grid, dtype=torch.float32), torch.tensor(kernel, dtype=torch.float32)
    trace = trace_conv2d(x, weight, torch.tensor([float(bias)]), stride=s, padding=p)
    index = rng.randint(1, trace.positions - 1)
    (oy, ox), (py, px) = trace.position(index), trace.position(index - 1)
    step = trace.step(0, oy, ox)
    answer = Fraction(round(step.value))
    window_sum = answer - bias
    w = trace.weight[0]
    flipped = _window_value(trace.padded, w.flip(-2, -1), oy * s, ox * s)
    moved = (py * s, px * s + 1) if oy == py else (py * s + 1, 0)  # the window moved one cell, not the stride
    one_step = _window_value(trace.padded, w, *moved) if s > 1 else None
    unpadded = _window_value(trace.input, w, oy * s, ox * s) if p else None
    candidates = [
        ("forgot_bias_value", {"bias": bias}, [window_sum] if bias else []),
        ("flipped_kernel", {}, [] if flipped is None else [Fraction(round(flipped)) + bias]),
        ("one_channel", {}, [Fraction(round(float(step.channel_sums[0]))) + bias] if c_in > 1 else []),
        ("stride_ignored", {"s": s}, [] if one_step is None else [Fraction(round(one_step)) + bias]),
        ("previous_value", {}, [Fraction(round(float(trace.output[0, py, px])))]),
        ("unpadded_window", {"p": p}, [] if unpadded is None else [Fraction(round(unpadded)) + bias]),
    ]
    terms = " + ".join(
        "(" + " + ".join(f"{_int(a)}·{_int(b)}" for a, b in zip(win.flatten(), ker.flatten(), strict=True)) + ")"
        for win, ker in zip(step.window, step.kernel, strict=True)
    )
    place = {"row": oy, "col": ox, "prev_row": py, "prev_col": px, "s": s, "p": p, "bias": bias}
    return Question(
        kind="next_value",
        seed=seed,
        prompt=Message("quiz.q.next_value", place),
        answer=answer,
        answer_form="number",
        explanation=Message(
            "quiz.explain.next_value",
            {
                **place,
                "rows": f"{int(step.rows[0])}–{int(step.rows[-1])}",
                "cols": f"{int(step.cols[0])}–{int(step.cols[-1])}",
                "terms": terms,
                "total": answer_text(window_sum),
                "answer": answer_text(answer),
            },
        ),
        mistakes=_mistakes(answer, candidates, sizes=False),
        setup={
            "x": grid,
            "weight": kernel,
            "bias": [bias],
            "stride": s,
            "padding": p,
            "channel": 0,
            "step": index,  # the position (row-major) to reveal; the animator stops at index − 1
            "position": [oy, ox],
        },
    )


def _int(value: object) -> str:
    """A grid or kernel value in a sum: 3, or (-1) in brackets when negative."""
    number = float(value)
    shown = str(int(number)) if number == int(number) else f"{number:g}"
    return f"({shown})" if number < 0 else shown


# ---------------------------------------------------------------- the parameters of a layer


def _conv_code(c_in: int, c_out: int, k: int, groups: int = 1, bias: bool = True, **more: int) -> str:
    words = [str(c_in), str(c_out), f"kernel_size={k}"]
    words += [f"{name}={value}" for name, value in more.items() if value]
    words += [f"groups={groups}"] if groups != 1 else []
    words += ["bias=False"] if not bias else []
    return f"nn.Conv2d({', '.join(words)})"


def _param_count(rng: random.Random, seed: int) -> Question:
    c_in, c_out = rng.choice((1, 3, 6, 16, 32, 64)), rng.choice((6, 8, 16, 32, 64, 128))
    k, bias = rng.choice((1, 3, 3, 5, 7)), rng.random() < 0.7
    divisors = [g for g in (2, 4, 8, c_in) if g > 1 and c_in % g == 0 and c_out % g == 0]
    groups = rng.choice(divisors) if divisors and rng.random() < 0.3 else 1
    per_group = c_in // groups
    weights = c_out * per_group * k * k
    b = c_out if bias else 0
    answer = Fraction(weights + b)
    candidates = [
        ("forgot_bias", {"c_out": c_out}, [Fraction(weights)] if bias else []),
        ("bias_counted", {"c_out": c_out}, [Fraction(weights + c_out)] if not bias else []),
        ("forgot_in_channels", {"c_in": per_group}, [Fraction(c_out * k * k + b)]),
        ("ignored_groups", {"groups": groups}, [Fraction(c_out * c_in * k * k + b)] if groups > 1 else []),
        ("kernel_not_squared", {"k": k}, [Fraction(c_out * per_group * k + b)] if k > 1 else []),
    ]
    code = _conv_code(c_in, c_out, k, groups, bias)
    return Question(
        kind="param_count",
        seed=seed,
        prompt=Message("quiz.q.param_count", {"code": code}),
        answer=answer,
        answer_form="number",
        explanation=Message(
            "quiz.explain.param_count",
            {
                "c_out": c_out,
                "per_group": per_group,
                "k": k,
                "per_kernel": per_group * k * k,
                "weights": weights,
                "biases": b,
                "answer": weights + b,
            },
        ),
        mistakes=_mistakes(answer, candidates),
        setup={"in_channels": c_in, "out_channels": c_out, "kernel_size": k, "groups": groups, "bias": bias},
    )


# ---------------------------------------------------------------- shapes after pooling and transposed convolution


def _pool_shape(rng: random.Random, seed: int) -> Question:
    kind = rng.choice(("max", "avg"))
    c, h = rng.choice((1, 3, 6, 16, 32)), rng.randint(6, 32)
    w = h if rng.random() < 0.6 else rng.randint(6, 32)
    k = rng.choice((2, 2, 3))
    given = rng.choice((None, None, 1, 2))  # None: PyTorch's default stride, the window
    s = k if given is None else given
    p = rng.randint(0, k // 2) if rng.random() < 0.4 else 0
    answer = (c, _floor_size(h, k, s, p), _floor_size(w, k, s, p))
    more = ([f"stride={given}"] if given is not None else []) + ([f"padding={p}"] if p else [])
    code = f"nn.{'MaxPool2d' if kind == 'max' else 'AvgPool2d'}({', '.join([f'kernel_size={k}', *more])})"

    def shape(size: Callable[[int], int | Fraction]) -> tuple:
        return (c, size(h), size(w))

    candidates = [
        ("pool_stride_one", {"k": k}, [shape(lambda n: _floor_size(n, k, 1, p))] if given is None else []),
        ("ceil", {}, [shape(lambda n: -(-(n + 2 * p - k) // s) + 1)]),
        ("notes_formula", {}, [shape(lambda n: (n + 2 * p - k + 1) // s)]),
        ("forgot_padding", {"p": p}, [shape(lambda n: _floor_size(n, k, s, 0))] if p else []),
    ]
    numbers = {"c": c, "h": h, "w": w, "k": k, "s": s, "p": p, "h_out": answer[1], "w_out": answer[2]}
    numbers["channels"] = Count("count.channels", c)
    return Question(
        kind="pool_shape",
        seed=seed,
        prompt=Message("quiz.q.pool_shape", {"c": c, "h": h, "w": w, "code": code}),
        answer=answer,
        answer_form="shape",
        explanation=Message("quiz.explain.pool_shape_default" if given is None else "quiz.explain.pool_shape", numbers),
        mistakes=_mistakes(answer, candidates),
        setup={"kind": kind, "input": [c, h, w], "kernel_size": k, "stride": s, "padding": p},
    )


def _tconv_shape(rng: random.Random, seed: int) -> Question:
    for _ in range(1000):
        c_in, c_out = rng.choice((1, 4, 16, 64)), rng.choice((1, 3, 8, 32))
        h = rng.randint(2, 16)
        w = h if rng.random() < 0.7 else rng.randint(2, 16)
        k, s = rng.choice((2, 3, 4, 5)), rng.choice((1, 2, 2, 3))
        p, d = rng.randint(0, 2), rng.choice((1, 1, 1, 2))
        op = rng.randint(0, max(s, d) - 1) if rng.random() < 0.6 else 0
        try:
            h_out, w_out = (conv_transpose_output_size(n, k, s, p, op, d) for n in (h, w))
            break
        except ParameterError:
            continue
    answer = (c_out, h_out, w_out)

    def shape(size: Callable[[int], int]) -> tuple:
        return (c_out, size(h), size(w))

    def raw(n: int, p_: int = p, op_: int = op, d_: int = d, sign: int = -1) -> int:
        return (n - 1) * s + sign * 2 * p_ + d_ * (k - 1) + op_ + 1

    candidates = [
        ("ignored_output_padding", {"op": op}, [shape(lambda n: raw(n, op_=0))] if op else []),
        ("conv_formula", {}, [shape(lambda n: _floor_size(n, k, s, p, d))]),
        ("padding_added", {"p": p}, [shape(lambda n: raw(n, sign=1))] if p else []),
        ("forgot_dilation", {"d": d}, [shape(lambda n: raw(n, d_=1))] if d > 1 else []),
        (
            "kept_in_channels",
            {"c_in": Count("count.input_channels", c_in)},
            [(c_in, h_out, w_out)] if c_in != c_out else [],
        ),
    ]
    more = {"stride": s if s != 1 else 0, "padding": p, "output_padding": op, "dilation": d if d != 1 else 0}
    code = _conv_code(c_in, c_out, k, **more).replace("nn.Conv2d", "nn.ConvTranspose2d")
    numbers = {"h": h, "w": w, "k": k, "s": s, "p": p, "op": op, "d": d, "c_out": c_out, "h_out": h_out, "w_out": w_out}
    numbers["channels"] = Count("count.output_channels", c_out)
    return Question(
        kind="tconv_shape",
        seed=seed,
        prompt=Message("quiz.q.tconv_shape", {"c": c_in, "h": h, "w": w, "code": code}),
        answer=answer,
        answer_form="shape",
        explanation=Message("quiz.explain.tconv_shape", numbers),
        mistakes=_mistakes(answer, candidates),
        setup={
            "input": [c_in, h, w],
            "out_channels": c_out,
            "kernel_size": k,
            "stride": s,
            "padding": p,
            "output_padding": op,
            "dilation": d,
        },
    )


# ---------------------------------------------------------------- the shape after a layer of a network


def _network_shape(rng: random.Random, seed: int) -> Question:
    from vizconv.nets.builder import build_stack, encode_stack, layer, layer_summary  # torchvision: when asked

    for _ in range(1000):  # a stack that fits all the way to its classifier
        c, side = rng.choice((1, 1, 3)), rng.choice((16, 28, 32))
        c1, k1 = rng.choice((6, 8, 16)), rng.choice((3, 5))
        c2, k2 = rng.choice((16, 32)), rng.choice((3, 5))
        pool = rng.choice(("maxpool", "avgpool"))
        specs = [
            layer("conv2d", in_channels=c, out_channels=c1, kernel_size=k1, padding=rng.choice((0, k1 // 2))),
            layer("activation", function=rng.choice(("relu", "sigmoid"))),
            layer(pool, kernel_size=2, stride=2),
            layer("conv2d", in_channels=c1, out_channels=c2, kernel_size=k2, stride=rng.choice((1, 1, 2))),
            layer("activation", function="relu"),
            layer(pool, kernel_size=2, stride=2),
            layer("flatten"),
        ]
        steps = build_stack((c, side, side), specs)
        if steps[-1].error is None:
            break
    specs.append(layer("linear", in_features=math.prod(steps[-1].shape), out_features=rng.choice((10, 84, 120))))
    steps = build_stack((c, side, side), specs)
    fitting = [st for st in steps if st.error is None and st.shape != st.input_shape]
    step = rng.choice(fitting)
    answer = tuple(step.shape)
    before = tuple(step.input_shape)
    p_ = step.spec.params
    candidates: list[tuple[str, dict, list]] = [("previous_shape", {}, [before])]
    if step.spec.kind == "conv2d":
        k, s, p = p_["kernel_size"], p_["stride"], p_["padding"]
        notes = tuple((n + 2 * p - k + 1) // s for n in before[1:])
        candidates += [
            ("notes_formula", {}, [(answer[0], *notes)]),
            ("kept_channels", {"c_in": Count("count.input_channels", before[0])}, [(before[0], *answer[1:])]),
        ]
    elif step.spec.kind == "flatten":
        channels = Count("count.channels", before[0])
        candidates += [("flatten_forgot_channels", {"channels": channels}, [(before[1] * before[2],)])]
    lines = "\n".join(f"{st.index}. {layer_summary(st.spec)}" for st in steps)
    trail = " → ".join(answer_text(tuple(st.shape)) for st in steps[: step.index])
    return Question(
        kind="network_shape",
        seed=seed,
        prompt=Message(
            "quiz.q.network_shape",
            {"c": c, "h": side, "w": side, "layers": lines, "index": step.index, "layer": layer_summary(step.spec)},
        ),
        answer=answer,
        answer_form="shape",
        explanation=Message(
            "quiz.explain.network_shape",
            {
                "input": answer_text((c, side, side)),
                "trail": trail,
                "index": step.index,
                "rule": Term(f"quiz.rule.{step.spec.kind}"),
                "answer": answer_text(answer),
            },
        ),
        mistakes=_mistakes(answer, candidates),
        setup={"input": [c, side, side], "stack": encode_stack((c, side, side), specs), "index": step.index},
    )


# ---------------------------------------------------------------- making questions

_GENERATORS: dict[str, Callable[[random.Random, int], Question]] = {
    "conv_output_size": _conv_output_size,
    "next_value": _next_value,
    "param_count": _param_count,
    "pool_shape": _pool_shape,
    "tconv_shape": _tconv_shape,
    "network_shape": _network_shape,
}
KINDS = tuple(_GENERATORS)  # labels: catalogue quiz.kind.<kind>


def make_question(kind: str, seed: int) -> Question:
    """The question of ``kind`` for ``seed`` (a whole number ≥ 0): the same for the same pair, anywhere."""
    if kind not in _GENERATORS:
        raise ParameterError("quiz.err.kind", value=repr(kind), kinds=", ".join(KINDS))
    seed = as_int(seed, "seed", 0)
    return _GENERATORS[kind](random.Random(seed), seed)


def make_quiz(seed: int, kinds: Sequence[str] = KINDS, count: int = 5) -> list[Question]:
    """``count`` questions cycling through ``kinds``, each with its own seed drawn from ``seed``: a teacher's link
    carries the seed (and the kinds), and every student gets the same questions in the same order."""
    seed = as_int(seed, "seed", 0)
    count = as_int(count, "count", 1)
    if count > MAX_QUESTIONS:
        raise ParameterError("quiz.err.count", count=count, limit=MAX_QUESTIONS)
    kinds = tuple(kinds)
    if not kinds:
        raise ParameterError("quiz.err.no_kinds", kinds=", ".join(KINDS))
    rng = random.Random(seed)
    return [make_question(kinds[i % len(kinds)], rng.randrange(2**32)) for i in range(count)]
