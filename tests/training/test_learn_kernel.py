"""Learning a kernel (d2l §7.2.4): the gradient against its closed form, convergence, the update written out, divergence
and its explanation, and the kernels a student types."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from vizconv.errors import ParameterError
from vizconv.training.learn_kernel import (
    INPUTS,
    KernelLearner,
    closed_form_grad,
    d2l_input,
    divergence_text,
    hidden_kernel,
    learn_kernel,
    learning_input,
    learning_problem,
    parse_kernel,
    stability,
    stability_text,
    written_update,
)

D2L_K = torch.tensor([[1.0, -1.0]], dtype=torch.float64)


def _d2l():
    return learning_problem(d2l_input(), D2L_K)


def test_the_d2l_example_is_d2l_s():
    """X: ones with a zero stripe in columns 2-5; Y = corr2d(X, [[1, -1]]): 1 where it darkens, -1 where it brightens."""
    x = d2l_input()
    assert x.shape == (6, 8) and x[:, 2:6].eq(0).all() and x[:, :2].eq(1).all() and x[:, 6:].eq(1).all()
    row = torch.tensor([0.0, 1, 0, 0, 0, -1, 0], dtype=torch.float64)
    assert torch.equal(_d2l().target, row.expand(6, 7))
    assert _d2l().positions == 42


def test_the_stable_learning_rate_on_the_d2l_example():
    """UᵀU = [[18, 12], [12, 18]] (eigenvalues 30 and 6), N = 42: λ_max = 2/42 · 30 and the bound 2/λ_max = 1.4.
    d2l's lr 3e-2 on its sum loss is lr 3e-2 · 42 = 1.26 on the mean: stable, just below the bound."""
    problem = _d2l()
    assert problem.lam_max == pytest.approx(60 / 42)
    verdict = stability(problem, 3e-2 * 42)
    assert verdict.bound == pytest.approx(1.4) and verdict.stable
    assert verdict.factor == pytest.approx(abs(1 - 1.26 * 60 / 42))
    assert not stability(problem, 1.5).stable and stability(problem, 1.5).factor > 1


def test_a_mean_loss_step_at_lr_times_n_is_d2l_s_sum_loss_step():
    x, k = d2l_input(), D2L_K
    w0 = torch.tensor([[0.3, -0.2]], dtype=torch.float64)
    weight = w0.clone().requires_grad_(True)
    y = F.conv2d(x[None, None], k[None, None])
    ((F.conv2d(x[None, None], weight[None, None]) - y) ** 2).sum().backward()
    d2l_after = w0 - 3e-2 * weight.grad
    learner = KernelLearner(_d2l(), lr=3e-2 * 42)
    learner.kernel = w0
    assert torch.allclose(learner.step().after, d2l_after, atol=1e-12)


@pytest.mark.parametrize(
    ("x", "hidden", "shape"),
    [
        (d2l_input(), D2L_K, None),
        (
            torch.rand(9, 11, generator=torch.Generator().manual_seed(1), dtype=torch.float64),
            hidden_kernel("sobel_x"),
            None,
        ),
        (torch.rand(8, 8, generator=torch.Generator().manual_seed(2), dtype=torch.float64), D2L_K, (3, 4)),
        (learning_input("digit_3"), hidden_kernel("laplacian"), (5, 5)),
    ],
)
def test_autograd_equals_the_closed_form(x, hidden, shape):
    """∂L/∂w from autograd = 2/N · Σ (y − t) · window, at the start and after a few steps."""
    learner = KernelLearner(learning_problem(x, hidden, shape), lr=0.1, start="random", seed=3)
    for _ in range(4):
        step = learner.step()
        expected = closed_form_grad(learner.problem.x, step.before, learner.problem.target)
        assert torch.allclose(step.grad, expected, rtol=1e-10, atol=1e-12)
        assert step.loss == pytest.approx(float(((step.output - learner.problem.target) ** 2).mean()))


@pytest.mark.parametrize(("start", "lr"), [("zeros", 0.5), ("zeros", 1.0), ("random", 1.26), ("random", 0.5)])
def test_it_learns_d2l_s_kernel_back(start, lr):
    run = learn_kernel(d2l_input(), D2L_K, start=start, lr=lr, steps=300, seed=0)
    assert not run.diverged and run.reason is None
    assert (run.kernel - D2L_K).abs().max() < 1e-3
    assert all(b <= a for a, b in zip(run.losses, run.losses[1:], strict=False))  # below the bound: always falling


def test_a_larger_kernel_learns_zeros_around_the_hidden_one():
    x = learning_input("digit_7", side=16)
    run = learn_kernel(x, D2L_K, (3, 3), lr=0.9 * stability(learning_problem(x, D2L_K, (3, 3)), 1).bound, steps=3000)
    expected = torch.tensor([[0, 0, 0], [1, -1, 0], [0, 0, 0]], dtype=torch.float64)
    assert torch.equal(run.problem.expected, expected)
    assert run.losses[-1] < 1e-3 * run.losses[0]


def test_the_update_written_out_is_the_parameter_change():
    learner = KernelLearner(learning_problem(d2l_input(), hidden_kernel("box_blur", 2)), lr=0.7, start="random")
    for _ in range(5):
        step = learner.step()
        assert torch.equal(step.after, step.before - 0.7 * step.grad)
        assert torch.equal(learner.kernel, step.after)
        rows = written_update(step, decimals=4)
        assert [(r.row, r.col) for r in rows] == [(0, 0), (0, 1), (1, 0), (1, 1)]
        for r in rows:
            assert r.after == round(float(step.after[r.row, r.col]), 4)
            assert r.before - r.lr * r.grad == pytest.approx(r.after, abs=1e-4 * (1 + r.lr))
            assert r.latex.startswith(f"w_{{{r.row},{r.col}}} \\leftarrow {r.before} - 0.7 \\cdot ")
    assert len(learner.losses) == 5 and learner.losses[-1] < learner.losses[0]


def test_a_learning_rate_above_the_bound_diverges_and_the_page_says_why():
    problem = _d2l()
    bound = stability(problem, 1).bound
    above = KernelLearner(problem, lr=1.05 * bound, start="random", seed=1)
    above.run(500)
    assert above.diverged and above.reason == "growth"
    assert above.losses[-1] > 100 * above.losses[0]
    assert len(above.steps) < 500  # run() stops at the first diverged step
    why = stability_text(above.stability())
    assert "above 1.4," in why and "|1 − lr · λ_max| = " in why
    assert "大于 1.4" in stability_text(above.stability(), "zh")
    assert "100 times" in divergence_text(above.reason)
    below = KernelLearner(problem, lr=0.95 * bound, start="random", seed=1)
    below.run(500)
    assert not below.diverged and (below.kernel - D2L_K).abs().max() < 1e-3
    assert "below 1.4," in stability_text(below.stability())


def test_an_overflowing_loss_is_reported_as_not_finite():
    learner = KernelLearner(_d2l(), lr=1e200, start="random")
    learner.run(10)
    assert learner.diverged and learner.reason == "nonfinite" and not math.isfinite(learner.losses[-1])
    assert "finite" in divergence_text(learner.reason)


def test_from_zeros_the_d2l_error_lies_along_the_slow_direction():
    """From zeros, w − K = [−1, 1] is the eigenvector of UᵀU's small eigenvalue 6 (λ = 2/42 · 6): rates above the
    bound 1.4 still converge from there, up to 2/λ = 7, and the page says why."""
    spared = KernelLearner(_d2l(), lr=1.5, start="zeros")
    spared.run(2000)
    assert not spared.diverged and (spared.kernel - D2L_K).abs().max() < 1e-9
    verdict = spared.stability()
    assert not verdict.stable and verdict.converges and verdict.start_bound == pytest.approx(7)
    assert "still converges at rates below 7." in stability_text(verdict)
    beyond = KernelLearner(_d2l(), lr=7.5, start="zeros")
    beyond.run(500)
    assert beyond.diverged and not beyond.stability().converges
    assert "explodes" in stability_text(beyond.stability())
    random = KernelLearner(_d2l(), lr=1.5, start="random")
    assert random.stability().start_bound == pytest.approx(1.4)
    random.run(500)
    assert random.diverged


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1 -1", [[1, -1]]),
        ("1, -1", [[1, -1]]),
        ("[[1, -1]]", [[1, -1]]),
        ("[1, -1]", [[1, -1]]),
        ("1 0 -1; 2 0 -2; 1 0 -1", [[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
        ("1 0 -1\n2 0 -2\n1 0 -1\n", [[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
        ("[[0.5, 0.25], [1e-1, −2]]", [[0.5, 0.25], [0.1, -2]]),
        ("[1 2] [3 4]", [[1, 2], [3, 4]]),
    ],
)
def test_a_typed_kernel_is_read(typed, expected):
    assert torch.equal(parse_kernel(typed), torch.tensor(expected, dtype=torch.float64))


@pytest.mark.parametrize(
    ("typed", "key", "english", "chinese"),
    [
        ("", "learn.kernel_empty", "rows of numbers", "按行输入"),
        ("  ;\n ", "learn.kernel_empty", "rows of numbers", "按行输入"),
        ("1 x", "learn.kernel_number", "x is not a number", "不是数字"),
        ("1 2; 3", "learn.kernel_ragged", "Row 2 has 1 value, but row 1 has 2 values", "第 2 行有 1 个值"),
        ("; ".join(["1 " * 8] * 8), "learn.kernel_too_large", "8×8 kernel is too large", "最大为 7×7"),
        ("1 1e9", "learn.kernel_value", "1e9 cannot be a kernel value", "不能作为"),
        ("nan 1", "learn.kernel_value", "nan cannot be a kernel value", "不能作为"),
        ("1" * 3000, "learn.kernel_too_long", "at most 2000 characters", "2000 个字符"),
    ],
)
def test_a_typed_kernel_is_refused_clearly(typed, key, english, chinese):
    with pytest.raises(ParameterError, match=english) as caught:
        parse_kernel(typed)
    assert caught.value.key == key
    assert chinese in caught.value.message("zh")


@pytest.mark.parametrize(
    ("call", "key"),
    [
        (lambda: learning_problem(d2l_input(), hidden_kernel("sobel_x"), (2, 2)), "learn.kernel_shape"),
        (lambda: learning_problem(torch.ones(2, 2), hidden_kernel("sobel_x")), "learn.kernel_bigger_than_input"),
        (lambda: learning_problem(torch.ones(3, 2, 2), D2L_K), "learn.shapes"),
        (lambda: learn_kernel(d2l_input(), D2L_K, lr=-1), "learn.lr"),
        (lambda: learn_kernel(d2l_input(), D2L_K, lr=math.nan), "learn.lr"),
        (lambda: learn_kernel(d2l_input(), D2L_K, start="ones"), "learn.start"),
        (lambda: learn_kernel(d2l_input(), D2L_K, steps=0), "learn.steps"),
        (lambda: learning_input("lena"), "learn.input"),
        (lambda: learning_input("camera", side=500), "learn.input_side"),
        (lambda: hidden_kernel("blur"), "learn.hidden"),
    ],
)
def test_settings_out_of_bounds_are_refused(call, key):
    with pytest.raises(ParameterError) as caught:
        call()
    assert caught.value.key == key


def test_every_input_and_hidden_kernel_makes_a_problem():
    for name in INPUTS:
        x = learning_input(name)
        assert x.dim() == 2 and x.dtype == torch.float64 and float(x.min()) >= 0 and float(x.max()) <= 1, name
    problem = learning_problem(learning_input("camera"), hidden_kernel("sobel_y"))
    assert problem.x.shape == (32, 32) and problem.target.shape == (30, 30)
    assert torch.allclose(problem.target, F.conv2d(problem.x[None, None], problem.hidden[None, None])[0, 0])
