"""The Learning page (AppTest): the backward pass of one layer, its animators' data, every explained value equal to
torch.autograd's, its links, and the Convolution page's layer taken over."""

from __future__ import annotations

import time

import pytest
import torch
import torch.nn.functional as F

from tests_support import LEARNING, animator_data, open_page
from vizconv.i18n.strings import LANGUAGES, Count, text
from vizconv.training.learn_kernel import divergence_text, stability_text
from vizconv.views import learning


def _gradients(at) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """autograd's gradients of the page's layer for its own loss: (y, grad_input, grad_weight, grad_bias)."""
    values = {name: at.session_state["learn_memory"][name] for name in learning.BackwardSettings.__dataclass_fields__}
    settings = learning.BackwardSettings(**values)
    trace = learning.forward_pass(settings)
    x = trace.input.clone().requires_grad_(True)
    weight = trace.weight.clone().requires_grad_(True)
    bias = None if trace.bias is None else trace.bias.clone().requires_grad_(True)
    top, bottom, left, right = trace.pads
    mode = "constant" if trace.padding_mode == "zeros" else trace.padding_mode
    y = F.conv2d(
        F.pad(x[None], (left, right, top, bottom), mode=mode),
        weight,
        bias,
        trace.stride,
        0,
        trace.dilation,
        trace.groups,
    )[0]
    if settings.loss == "sum":
        loss = y.sum()
    elif settings.loss == "cell":
        loss = y[settings.cell_oc, settings.cell_oy, settings.cell_ox]
    else:
        c_out, per_group, kh, kw = trace.weight.shape
        from vizconv.inputs.kernels import make_weight

        target = F.conv2d(
            F.pad(trace.input[None], (left, right, top, bottom), mode=mode),
            make_weight(settings.target, c_out, per_group, kh, kw),
            stride=trace.stride,
            dilation=trace.dilation,
            groups=trace.groups,
        )[0]
        loss = F.mse_loss(y, target)
    loss.backward()
    return y.detach(), x.grad, weight.grad, None if bias is None else bias.grad


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_page_opens_with_the_backward_pass_checked(lang):
    at = open_page(LEARNING, {"lang": lang})
    assert at.title[0].value == text("learning.title", lang)
    assert [s.value for s in at.success] == [s.value for s in at.success if "autograd" in s.value]
    assert any(text("back.autograd_match", lang, diff="0")[:20] in s.value for s in at.success)
    weight_view, input_view = animator_data(at, 0), animator_data(at, 1)
    assert weight_view["kind"] == "conv" and input_view["kind"] == "scatter"
    assert weight_view["names"]["output"][0] == text("back.anim.grad_weight", lang, oc=0, ic=0)


@pytest.mark.parametrize("loss", learning.LOSSES)
@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_the_animators_carry_autograds_gradients(loss, mode):
    """The weight view's output is ∂L/∂w and the input view's output, cropped or folded, ∂L/∂x: autograd's."""
    query = {"learn_loss": loss, "learn_padding_mode": mode, "learn_padding_h": "1", "learn_padding_w": "1"}
    query |= {"learn_random_channels": "2", "learn_out_channels": "2", "learn_stride_h": "2"}
    at = open_page(LEARNING, query)
    _, grad_input, grad_weight, grad_bias = _gradients(at)
    weight_view = animator_data(at, 0)
    c_out, per_group, kh, kw = grad_weight.shape
    # the depthwise view: input channel c's maps are the gradients of each kernel's channel c
    output = torch.tensor(weight_view["output"]).reshape(2, c_out, kh, kw).transpose(0, 1)
    torch.testing.assert_close(output, grad_weight, atol=1e-4, rtol=1e-4)
    input_view = animator_data(at, 1)
    padded = torch.tensor(input_view["output"])
    if mode == "zeros":
        torch.testing.assert_close(padded[:, 1:-1, 1:-1][:, : grad_input.shape[1]], grad_input, atol=1e-4, rtol=1e-4)
    else:  # folding puts the padding's gradient back: the totals agree
        torch.testing.assert_close(padded.sum(), grad_input.sum(), atol=1e-3, rtol=1e-4)
    assert any("autograd" in s.value for s in at.success) and not at.error


def test_the_explained_weight_and_input_value_are_autograds():
    """Stepping the weight panel and picking an input cell explains exactly autograd's numbers."""
    at = open_page(LEARNING, {"learn_loss": "mse", "learn_bias": "1"})
    _, grad_input, grad_weight, grad_bias = _gradients(at)
    at.session_state["learn_w_position"] = 5  # row 1, column 2 of the 3x3 kernel
    at.session_state["learn_x_y"] = 2
    at.session_state["learn_x_x"] = 3
    at.run()
    assert not at.exception
    latex = [element.value for element in at.latex]
    weight_line = next(line for line in latex if "w_{0,0,1,2}" in line)
    assert f"{float(grad_weight[0, 0, 1, 2]):.4g}"[:5] in weight_line.replace(" ", "")
    input_line = next(line for line in latex if "x_{0,2,3}" in line)
    assert f"{float(grad_input[0, 2, 3]):.4g}"[:5] in input_line.replace(" ", "")
    bias_line = next(line for line in latex if "b_{0}" in line)
    assert f"{float(grad_bias[0]):.4g}"[:5] in bias_line.replace(" ", "")


def test_the_cell_loss_stays_inside_a_shrunk_output():
    """A link's cell beyond the output is clamped to it; L is that one value."""
    at = open_page(LEARNING, {"learn_loss": "cell", "learn_cell_oy": "9", "learn_cell_ox": "9"})
    y, *_ = _gradients(at)
    assert at.session_state["learn_memory"]["cell_oy"] == y.shape[1] - 1
    assert any(f"y_{{0,{y.shape[1] - 1},{y.shape[2] - 1}}}" in element.value for element in at.latex)


def test_the_convolution_pages_layer_is_taken_over():
    conv = {"source": "sample", "kernel_h": 2, "kernel_w": 2, "stride_h": 2, "stride_w": 2, "padding_mode": "reflect"}
    conv |= {"padding_h": 1, "padding_w": 1, "groups": 1, "preset": "lenet5_conv1", "dilation_h": 1, "dilation_w": 1}
    at = open_page(LEARNING, conv_memory=conv)
    at.button(key="learn_take").click().run()
    assert not at.exception
    memory = at.session_state["learn_memory"]
    assert (memory["kernel_h"], memory["stride_w"], memory["padding_mode"]) == (2, 2, "reflect")
    assert memory["preset"] == learning.BackwardSettings.preset  # a learned 5x5 kernel does not fit 2x2
    assert any("autograd" in s.value for s in at.success)


def test_without_the_convolution_page_the_button_waits():
    at = open_page(LEARNING)
    assert at.button(key="learn_take").disabled


@pytest.mark.parametrize(
    "query",
    [
        {"learn_kernel_h": "99", "learn_loss": "nope", "learn_padding_mode": "<script>"},
        {"learn_stride_h": "-3", "learn_groups": "3", "learn_out_channels": "2"},  # groups that do not divide
        {"learn_padding_kind": "same", "learn_stride_h": "2"},  # same padding needs stride 1: explained
        {"learn_random_height": "2", "learn_random_width": "2", "learn_kernel_h": "5"},  # no output
    ],
)
def test_hand_edited_links_are_clamped_or_explained(query):
    at = open_page(LEARNING, query)  # no exception, whatever the link says
    assert at.success or at.error
    assert not any("Traceback" in e.value for e in at.error)


def test_a_link_carries_the_lesson():
    at = open_page(LEARNING, {"learn_loss": "mse", "learn_target": "laplacian", "learn_stride_h": "2"})
    params = at.query_params
    assert (params["learn_loss"], params["learn_target"], params["learn_stride_h"]) == ("mse", "laplacian", "2")
    assert "learn_cell_oy" not in params  # only the cell loss uses it


def test_a_target_kernel_too_large_for_the_layer_is_not_offered():
    """A 3×2 kernel cannot hold the Laplacian: the target list offers what fits, and the loss uses it."""
    at = open_page(LEARNING, {"learn_loss": "mse", "learn_target": "laplacian", "learn_kernel_w": "2"})
    target = at.selectbox(key="learn_target")
    offered = set(target.options)
    assert text("preset.box_blur", "en") in offered
    assert not {text("preset.laplacian", "en"), text("preset.sobel_x", "en")} & offered
    assert at.session_state["learn_memory"]["target"] in learning.TARGET_PRESETS
    assert any("autograd" in s.value for s in at.success)


# ---------------------------------------------------------------- learn a kernel


def _learn(query: dict | None = None):
    return open_page(LEARNING, {"learn_lesson": "learn", **(query or {})})


def test_learning_d2ls_kernel_back_step_by_step():
    """d2l 7.2.4: from zeros at lr 1.26 (d2l's 3e-2 on its summed loss) the kernel becomes [[1, −1]]; every update
    written out is before − lr · gradient."""
    at = _learn({"learn_k_lr": "1.26", "learn_k_run": "300"})
    assert any(text("learn.no_steps", "en") in i.value for i in at.info)
    at.button(key="learn_k_do_step").click().run()
    learner = at.session_state["learn_k_learner"][1]
    first = learner.steps[0]
    torch.testing.assert_close(first.after, first.before - 1.26 * first.grad)
    assert any(r"w \leftarrow" in element.value for element in at.latex)
    at.button(key="learn_k_do_run").click().run()
    assert not at.exception
    learner = at.session_state["learn_k_learner"][1]
    assert len(learner.steps) == 301 and not learner.diverged
    torch.testing.assert_close(learner.kernel, torch.tensor([[1.0, -1.0]], dtype=torch.float64), atol=1e-3, rtol=0)
    assert list(learner.losses) == sorted(learner.losses, reverse=True)  # below the bound 1.4 the loss only falls


def test_too_large_a_learning_rate_diverges_and_the_page_says_why():
    at = _learn({"learn_k_lr": "2", "learn_k_start": "random", "learn_k_run": "100"})
    at.button(key="learn_k_do_run").click().run()
    learner = at.session_state["learn_k_learner"][1]
    verdict = learner.stability()
    assert not verdict.converges and verdict.bound == pytest.approx(1.4, abs=0.01)  # 2/λ_max on d2l's image
    assert [w.value for w in at.warning] == [stability_text(verdict, "en")]
    assert learner.diverged and len(learner.steps) < 100  # it stops at the step the loss exploded
    assert [e.value for e in at.error] == [divergence_text(learner.reason, "en")]


@pytest.mark.parametrize("typed", ["1 2; 3", "a b", "", "1e9", "[[1, 2], [3]]", "9" * 199])
def test_a_typed_kernel_that_is_not_one_is_explained(typed):
    at = _learn({"learn_k_hidden": "typed", "learn_k_typed": typed})
    assert at.error and not at.exception


def test_a_typed_kernel_is_learned_back_from_a_digit():
    at = _learn({"learn_k_hidden": "typed", "learn_k_typed": "0 1; -1 0", "learn_k_input": "digit_3"})
    at.session_state["learn_memory"]["k_run"] = 200
    at.button(key="learn_k_do_run").click().run()
    learner = at.session_state["learn_k_learner"][1]
    assert learner.problem.hidden.tolist() == [[0.0, 1.0], [-1.0, 0.0]]
    assert learner.losses[-1] < learner.losses[0] / 100


def test_switching_language_keeps_the_run():
    at = _learn()
    at.button(key="learn_k_do_run").click().run()
    steps = len(at.session_state["learn_k_learner"][1].steps)
    at.segmented_control(key="ui_lang").set_value("zh").run()
    assert not at.exception and len(at.session_state["learn_k_learner"][1].steps) == steps
    assert any(text("learn.last_step", "zh", n=steps, loss="")[:4] in m.value for m in at.markdown)


# ---------------------------------------------------------------- train LeNet-5 live


def _until_stopped(training, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while training.running and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not training.running


def test_training_live_learns_and_is_redrawn():
    """Start: the training runs in its own thread while the page answers; done, the page shows the held-out
    accuracy (far above chance after one epoch), the curves, the filters and the digit's maps."""
    at = open_page(LEARNING, {"learn_lesson": "train", "learn_t_epochs": "1"})
    assert at.get("progress")[0].proto.value == 0
    at.button(key="learn_t_start").click().run()
    assert not at.exception
    training = at.session_state["learn_live"]
    _until_stopped(training)
    at.run()
    now = training.snapshot()
    assert now.state == "done" and now.test_accuracy[-1] > 0.8 > now.test_accuracy[0]
    assert any(
        text("train.test_now", "en", n=Count("count.epochs", 1), accuracy=f"{now.test_accuracy[-1]:.1%}") == c.value
        for c in at.caption
    )
    assert at.get("progress")[0].proto.value == 100
    assert len(at.get("plotly_chart")) == 2 and len(at.get("image")) == 2
    assert at.button(key="learn_t_start").disabled  # done: only "start again"
    at.button(key="learn_t_reset").click().run()
    assert training.snapshot().state == "ready" and not at.button(key="learn_t_start").disabled


def test_a_full_server_says_busy(monkeypatch):
    import threading

    from vizconv.training import live

    full = threading.BoundedSemaphore(1)
    full.acquire()
    monkeypatch.setattr(live, "_SLOTS", full)
    at = open_page(LEARNING, {"learn_lesson": "train"})
    at.button(key="learn_t_start").click().run()
    assert not at.exception
    assert [e.value for e in at.error] == [text("training.busy", "en", limit=live.SLOT_LIMIT)]
    assert not at.session_state["learn_live"].running


def test_two_sessions_train_apart():
    """Each session has its own training: one's reset leaves the other's weights as they were."""
    first = open_page(LEARNING, {"learn_lesson": "train", "learn_t_epochs": "1"})
    second = open_page(LEARNING, {"learn_lesson": "train", "learn_t_epochs": "1"})
    one, two = first.session_state["learn_live"], second.session_state["learn_live"]
    assert one is not two
    first.button(key="learn_t_start").click().run()
    _until_stopped(one)
    trained = one.snapshot().filters.clone()
    second.button(key="learn_t_reset").click().run()
    assert torch.equal(one.snapshot().filters, trained) and two.snapshot().state == "ready"


# ---------------------------------------------------------------- from random to trained


def test_the_epoch_scrubber_goes_from_random_to_the_shipped_weights():
    from vizconv.nets.models import load_model, load_snapshot, snapshot_epochs

    epochs = snapshot_epochs("lenet5")
    at = open_page(LEARNING, {"learn_lesson": "snapshots"})
    scrubber = at.select_slider(key="learn_s_epoch")
    assert list(scrubber.options) == [str(epoch) for epoch in epochs] and scrubber.value == 0
    random_accuracy = load_snapshot("lenet5", 0)[1].card["test_accuracy"]
    assert at.metric[0].value == f"{random_accuracy:.1%}" and random_accuracy < 0.2
    scrubber.set_value(epochs[-1]).run()
    assert not at.exception
    shipped = load_model("lenet5")[1].card["test_accuracy"]
    assert at.metric[0].value == f"{shipped:.1%}" == at.metric[2].value
    assert at.metric[1].value.startswith("7 (")  # the trained network reads the sample 7
    assert len(at.get("image")) == 3 and len(at.get("plotly_chart")) == 1  # the digit, filters, maps


def test_a_link_to_an_epoch_without_a_snapshot_shows_a_saved_one():
    at = open_page(LEARNING, {"learn_lesson": "snapshots", "learn_s_epoch": "4", "learn_s_model": "lenet5-classic"})
    from vizconv.nets.models import snapshot_epochs

    assert at.select_slider(key="learn_s_epoch").value in snapshot_epochs("lenet5-classic")


def test_resnet20s_snapshots_read_a_cifar_picture_and_say_where_they_come_from():
    """ResNet-20's weights came from two stages: its snapshots (a stopped rerun of the first stage, then the
    shipped weights after all 130 epochs) read a CIFAR-10 picture, and the page says so, in both languages."""
    from vizconv.nets.models import load_model, snapshot_epochs

    epochs = snapshot_epochs("resnet20")
    card = load_model("resnet20")[1].card
    at = open_page(LEARNING, {"learn_lesson": "snapshots", "learn_s_model": "resnet20", "learn_s_epoch": "0"})
    assert not at.exception
    assert [s.key for s in at.sidebar.selectbox] == ["learn_s_model", "learn_s_picture"]  # no digit to pick
    scrubber = at.select_slider(key="learn_s_epoch")
    assert list(scrubber.options) == [str(epoch) for epoch in epochs] and epochs[-1] == 130
    assert at.metric[0].value == f"{card['snapshots'][0]['test_accuracy']:.1%}"  # epoch 0: the seeded start
    stopped = card["snapshots_run"]["stopped_after"]
    assert any(f"stopped after epoch {stopped}" in c.value for c in at.caption)
    scrubber.set_value(130).run()
    assert at.metric[0].value == f"{card['test_accuracy']:.1%}" == at.metric[2].value
    assert at.metric[1].value.startswith("cat (")  # the shipped network reads the sample cat
    assert len(at.get("image")) == 3  # the picture, filters, maps
    at.segmented_control(key="ui_lang").set_value("zh").run()  # mid-lesson: the same epoch, in Chinese
    assert at.select_slider(key="learn_s_epoch").value == 130 and at.metric[1].value.startswith("猫")
    assert any(f"第 {stopped} 轮后停止" in c.value for c in at.caption)
    at.selectbox(key="learn_s_picture").set_value("cifar_dog").run()
    params = at.query_params
    assert (params["learn_s_model"], params["learn_s_picture"], params["learn_s_epoch"]) == (
        "resnet20",
        "cifar_dog",
        "130",
    )
    assert "learn_s_digit" not in params  # ResNet-20 reads no digit: the link leaves it out


def test_a_model_without_snapshots_says_so(monkeypatch):
    """An install whose card lists no snapshots: the lesson says so instead of an empty scrubber."""
    import vizconv.ui.sections.snapshots as section

    monkeypatch.setattr(section, "snapshot_epochs", lambda name: ())
    at = open_page(LEARNING, {"learn_lesson": "snapshots", "learn_s_model": "resnet20"})
    assert any("no training snapshots of ResNet-20" in i.value for i in at.info)
    assert not at.get("select_slider")


def test_the_weight_panel_names_each_kernel_and_channel():
    at = open_page(LEARNING, {"learn_random_channels": "2", "learn_out_channels": "2"})
    picker = at.selectbox(key="learn_w_channel")
    assert picker.options == ["w[0, 0]", "w[1, 0]", "w[0, 1]", "w[1, 1]"]  # the depthwise view's order
    picker.set_value(1).run()
    assert any("w[1, 0," in m.value for m in at.markdown)


def test_without_the_digits_start_says_where_to_put_them(monkeypatch, tmp_path):
    monkeypatch.setenv("VIZCONV_MNIST", str(tmp_path / "missing.npz"))
    at = open_page(LEARNING, {"learn_lesson": "train"})
    at.button(key="learn_t_start").click().run()
    assert not at.exception and not at.session_state["learn_live"].running
    assert len(at.error) == 1 and "missing.npz" in at.error[0].value and "VIZCONV_MNIST" in at.error[0].value
