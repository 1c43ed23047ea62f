"""The Learning page's view functions without Streamlit, against torch.autograd and F.mse_loss."""

from __future__ import annotations

from dataclasses import asdict, replace

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from vizconv.views import learning as view

LAYERS = st.builds(
    view.BackwardSettings,
    random_channels=st.integers(1, 3),
    random_height=st.integers(3, 7),
    random_width=st.integers(3, 7),
    out_channels=st.integers(1, 3),
    kernel_h=st.integers(1, 3),
    kernel_w=st.integers(1, 3),
    stride_h=st.integers(1, 2),
    padding_h=st.integers(0, 1),
    padding_w=st.integers(0, 1),
    padding_mode=st.sampled_from(["zeros", "reflect", "replicate", "circular"]),
    dilation_w=st.integers(1, 2),
    groups=st.sampled_from([1, 1, 2, 3]),
    bias=st.booleans(),
    loss=st.sampled_from(view.LOSSES),
    target=st.sampled_from(["box_blur", "identity"]),
    cell_oy=st.integers(0, 9),
)


@settings(max_examples=60, deadline=None)
@given(LAYERS)
def test_every_loss_and_gradient_is_autograds(layer):
    """The loss's value and ∂L/∂y are torch's (Σ, one value, F.mse_loss); the backward pass from it is autograd's;
    each map of the weight view is the gradient of the weight it names."""
    try:
        trace = view.forward_pass(layer)
    except ValueError:  # groups that do not divide, no output: the page explains (tests/pages)
        return
    y = trace.output.clone().requires_grad_(True)
    back, loss = view.backward_pass(trace, layer)
    if layer.loss == "sum":
        reference = y.sum()
    elif layer.loss == "cell":
        reference = y[0, min(layer.cell_oy, y.shape[1] - 1), 0]
    else:
        reference = F.mse_loss(y, loss.target)
    reference.backward()
    assert loss.value == pytest.approx(float(reference.detach()), rel=1e-5, abs=1e-5)
    torch.testing.assert_close(loss.grad_output, y.grad)
    assert view.autograd_difference(back) < 1e-3
    for channel in range(back.weight_conv.out_channels):
        oc, ic = view.weight_channel(back, channel)
        torch.testing.assert_close(back.weight_conv.output[channel], back.grad_weight[oc, ic], atol=1e-4, rtol=1e-4)


def test_the_animators_name_every_map_for_its_gradient():
    back, _ = view.backward_pass(
        view.forward_pass(view.BackwardSettings(random_channels=2, out_channels=2)), view.BackwardSettings()
    )
    data = view.weight_gradient_animator(back)
    assert data["names"]["output"] == [
        "∂L/∂w, kernel 0, channel 0",
        "∂L/∂w, kernel 1, channel 0",
        "∂L/∂w, kernel 0, channel 1",
        "∂L/∂w, kernel 1, channel 1",
    ]
    assert view.input_gradient_animator(back)["text"]["input"] == "∂L/∂y, channel {c}"


def test_the_convolution_pages_layer_comes_within_this_lessons_bounds():
    conv = {"source": "upload", "kernel_h": 7, "stride_w": 5, "padding_h": 6, "groups": 8, "preset": "lenet5_conv1"}
    conv |= {"random_channels": 4, "loss": "x", "side": 128}
    taken = view.from_convolution_page(conv)
    assert taken["kernel_h"] == 5 and taken["stride_w"] == 3 and taken["padding_h"] == 3 and taken["groups"] == 3
    assert taken["preset"] == view.BackwardSettings.preset and "random_channels" not in taken and "loss" not in taken
    assert set(taken) <= set(asdict(view.BackwardSettings()))


def test_a_link_names_only_its_lessons_settings():
    values = {"lesson": "backward", **asdict(view.BackwardSettings()), **asdict(view.KernelSettings())}
    backward = view.unused_settings(values)
    assert "k_lr" in backward and "loss" not in backward and "cell_oy" in backward
    assert "cell_oy" not in view.unused_settings(values | {"loss": "cell"})
    learn = view.unused_settings(values | {"lesson": "learn"})
    assert "loss" in learn and "k_lr" not in learn and "k_typed" in learn and "k_side" in learn
    assert "k_typed" not in view.unused_settings(values | {"lesson": "learn", "k_hidden": "typed"})


def test_a_run_depends_on_its_settings_but_not_on_how_many_steps_a_click_takes():
    kernel = view.KernelSettings()
    assert view.learner_signature(replace(kernel, k_run=300)) == view.learner_signature(kernel)
    assert view.learner_signature(replace(kernel, k_lr=1.0)) != view.learner_signature(kernel)
    problem = view.kernel_problem(kernel)
    assert problem.hidden.tolist() == [[1.0, -1.0]] and tuple(problem.x.shape) == (6, 8)


def test_the_update_is_written_with_its_numbers():
    from vizconv.training.learn_kernel import KernelLearner

    learner = KernelLearner(view.kernel_problem(view.KernelSettings()), 0.5)
    step = learner.step()
    latex = view.update_latex(step)
    assert latex.startswith(r"w \leftarrow") and r"0.5 \cdot" in latex
    assert view.loss_figure((4.0, 1.0, 0.25), "L", "step")["layout"]["yaxis"]["type"] == "log"
    assert view.loss_figure((0.0, 1.0), "L", "step")["layout"]["yaxis"]["type"] == "linear"
