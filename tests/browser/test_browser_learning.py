"""The Learning page in headless Chromium, as a student uses it: click a weight's gradient in the live animator
and read its sum of products (equal to autograd's), switch language mid-lesson, learn a kernel step by step.

Uses tests/browser/conftest.py's server and page fixtures (one ``streamlit run app.py``, Debian's Chromium).
"""

from __future__ import annotations

import pytest
from browser_support import animator_cell_point, require_browser

from vizconv.views import learning
from vizconv.viz.steps import format_number

pytestmark = pytest.mark.browser

require_browser()

LEARNING = "/Learning_学习"
TIMEOUT_MS = 30_000


def _panel(page, text: str) -> None:
    """Wait until the weight panel explains ``text`` (the server has rerun after the animator moved)."""
    page.locator(".st-key-learn_w_panel").get_by_test_id("stMarkdownContainer").filter(has_text=text).first.wait_for(
        timeout=TIMEOUT_MS
    )


def test_a_clicked_weight_gradient_is_explained_and_equals_autograd_in_both_languages(server, page):  # noqa: F811
    settings = learning.BackwardSettings(loss="mse")
    back, _ = learning.backward_pass(learning.forward_pass(settings), settings)
    page.goto(f"{server}{LEARNING}?lang=en&learn_loss=mse")
    page.locator(".vz canvas").first.wait_for(timeout=60_000)
    x, y = animator_cell_point(page, "outputs", 0, 2, 0)  # ∂L/∂w's map: weight row 2, column 0
    page.mouse.click(x, y)
    _panel(page, "Weight w[0, 0, 2, 0]")
    value = format_number(float(back.grad_weight[0, 0, 2, 0]), 4)
    latex = page.locator(".st-key-learn_w_panel .katex-html").first.text_content()
    assert value.replace("-", "−") in latex or value in latex, (value, latex)
    # the language switched mid-lesson: the same weight, its text and the animator's names in Chinese
    page.get_by_test_id("stSidebar").get_by_text("中文", exact=True).click()
    _panel(page, "权重 w[0, 0, 2, 0]")
    page.get_by_text("∂L/∂w，卷积核 0，通道 0").first.wait_for(timeout=TIMEOUT_MS)
    assert page.get_by_test_id("stException").count() == 0
    assert page.get_by_test_id("stAlertContentSuccess").filter(has_text="torch.autograd").count() == 1


def test_learning_a_kernel_step_by_step(server, page):  # noqa: F811
    """Run, then one more step: the count, the loss curve and the written update follow; nothing breaks."""
    page.goto(f"{server}{LEARNING}?lang=en&learn_lesson=learn&learn_k_lr=1.26&learn_k_run=20")
    run = page.locator(".st-key-learn_k_do_run button")
    run.wait_for(timeout=60_000)
    run.click()
    page.get_by_text("After 20 steps").first.wait_for(timeout=TIMEOUT_MS)
    page.locator(".st-key-learn_k_do_step button").click()
    page.get_by_text("After 21 steps").first.wait_for(timeout=TIMEOUT_MS)
    page.get_by_text("Step 21: the loss was").first.wait_for(timeout=TIMEOUT_MS)
    assert page.locator(".js-plotly-plot").count() == 4  # x, target, output and the loss curve
    assert page.get_by_test_id("stException").count() == 0


def test_a_live_training_is_redrawn_while_it_runs_and_finishes(server, page):  # noqa: F811
    """Start: the page stays usable, the progress bar and the curves are redrawn by the fragment, and the done
    state arrives without a click (one epoch of 6,000 digits takes seconds on one thread)."""
    page.goto(f"{server}{LEARNING}?lang=en&learn_lesson=train&learn_t_epochs=1")
    start = page.locator(".st-key-learn_t_start button")
    start.wait_for(timeout=60_000)
    start.click()
    page.get_by_text("Done: 1 epoch trained.").first.wait_for(timeout=120_000)
    page.get_by_text("Held-out accuracy after 1 epoch:").first.wait_for(timeout=TIMEOUT_MS)
    assert page.locator(".st-key-learn_t_start button").is_disabled()
    assert page.get_by_test_id("stException").count() == 0
