"""The pages' quiz (vizconv.views.quiz): a question from a seed and a number as make_quiz makes it, the settings
that show a question on its page within the page's bounds, and a next-value question's numbers drawn."""

from __future__ import annotations

import random

import pytest
import torch

from vizconv.nets.builder import build_stack
from vizconv.quiz import KINDS, Score, make_quiz
from vizconv.views import quiz as view

SEEDS = range(0, 60)


@pytest.mark.parametrize("page", list(view.PAGE_KINDS))
def test_question_n_is_make_quiz_s_nth_question(page):
    kinds = view.PAGE_KINDS[page]
    assert set(kinds) <= set(KINDS)
    for seed in (0, 7, view.SEED_LIMITS[1]):
        quiz = make_quiz(seed, kinds, 5)
        assert [view.question(page, seed, n) for n in range(1, 6)] == quiz
    assert view.question(page, 3, 0) == view.question(page, 3, 1)  # clamped, never raised
    assert view.question(page, 3, 10**6) == view.question(page, 3, view.NUMBER_LIMITS[1])


def test_a_new_seed_is_one_a_link_can_carry():
    rng = random.Random(0)
    assert all(view.SEED_LIMITS[0] <= view.new_seed(rng) <= view.SEED_LIMITS[1] for _ in range(100))


def _within(settings: dict, limits: dict, pairs: tuple = ()) -> None:
    for name, value in settings.items():
        base = name[:-2] if name[-2:] in ("_h", "_w") and name[:-2] in pairs else name
        if base in limits and isinstance(value, int) and not isinstance(value, bool):
            low, high = limits[base]
            assert low <= value <= high, (name, value)


@pytest.mark.parametrize("number", [1, 2, 3])
def test_the_convolution_page_shows_a_question_within_its_widgets_bounds(number):
    from vizconv.views.convolution import (
        LIMITS,
        PAIRS,
        PlaygroundSettings,
        build_input,
        default_bias,
        default_weight,
        run_playground,
    )

    shown_any = False
    for seed in SEEDS:
        q = view.question("conv", seed, number)
        shown = view.page_settings("conv", q)
        if shown is None:
            continue
        shown_any = True
        _within(shown.settings, LIMITS, PAIRS)
        settings = PlaygroundSettings(**{**PlaygroundSettings().__dict__, **shown.settings})
        x = build_input(settings, None)
        trace = run_playground(settings, x, default_weight(settings, x.shape[0]), default_bias(settings, x.shape[0]))
        if q.kind == "conv_output_size":
            assert trace.out_size == (int(q.answer), int(q.answer))
        else:
            assert trace.param_count == int(q.answer)
    assert shown_any or view.PAGE_KINDS["conv"][number - 1] == "next_value"


def test_the_pooling_and_transposed_pages_show_a_question_within_their_bounds():
    from vizconv.views import pooling, transposed

    for page, limits, pairs in (("pool", pooling.LIMITS, pooling.PAIRS), ("tconv", transposed.LIMITS, ())):
        found = [view.page_settings(page, view.question(page, seed, 1)) for seed in SEEDS]
        assert any(found), page
        for shown in filter(None, found):
            _within(shown.settings, limits, pairs)


@pytest.mark.parametrize("number", [1, 2])
def test_the_builder_shows_the_question_s_stack_and_its_answer(number):
    for seed in range(20):
        q = view.question("nb", seed, number)
        shown = view.page_settings("nb", q)
        if shown is None:
            continue
        shape = (shown.settings["c"], shown.settings["h"], shown.settings["w"])
        steps = build_stack(shape, shown.state["nb_stack"])
        assert all(step.error is None for step in steps)
        picked = steps[shown.settings["pick"] - 1]
        if q.kind == "network_shape":
            assert tuple(picked.shape) == q.answer
        else:
            assert picked.params == int(q.answer)


def test_a_next_value_question_shows_its_numbers():
    q = next(q for q in (view.question("conv", s, 2) for s in SEEDS) if len(q.setup["x"]) > 1)
    inputs, kernels = view.grids_latex(q)
    assert inputs.count("bmatrix") == 2 * len(q.setup["x"]) and "x_{1}" in inputs
    assert kernels.count("bmatrix") == 2 * len(q.setup["x"]) and "w_{1}" in kernels
    first = torch.tensor(q.setup["x"][0]).flatten().tolist()
    assert all(str(v) in inputs for v in first)
    assert view.grids_latex(view.question("conv", 0, 1)) == []


def test_the_score_by_kind_follows_the_library_s_order():
    score = Score()
    for number, typed in ((1, None), (2, "wrong"), (3, None)):
        q = view.question("conv", 5, number)
        score.record(q, q.check(str(q.answer) if typed is None else "0"))
    rows = view.score_by_kind(score)
    assert [kind for kind, *_ in rows] == [k for k in KINDS if k in {kind for kind, *_ in rows}]
    assert sum(n for *_, n in rows) == score.answered == 3
