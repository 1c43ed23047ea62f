"""trace_conv2d_backward against autograd: the three gradients, every step's sum of products, and its errors."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from tests_support import conv_configs, reference_conv
from vizconv import ParameterError, trace_conv2d_backward
from vizconv.ops.geometry import pad_input

CLOSE = {"rtol": 1e-4, "atol": 1e-4}


def _autograd(config):
    """nn.Conv2d of the config with a random output gradient: (module, x, grad_output, autograd's gradients), or
    None where torch refuses the layer."""
    try:
        conv, x, expected = reference_conv(config)
    except (RuntimeError, ValueError, NotImplementedError):
        return None
    grad_output = torch.randn(expected.shape)
    x = x.clone().requires_grad_()
    params = [conv.weight] if conv.bias is None else [conv.weight, conv.bias]
    grads = torch.autograd.grad(conv(x[None])[0], [x, *params], grad_output)
    return conv, x.detach(), grad_output, grads


def _backward(config, conv, x, grad_output):
    return trace_conv2d_backward(
        x,
        conv.weight.detach(),
        grad_output,
        None if conv.bias is None else conv.bias.detach(),
        stride=config["stride"],
        padding=config["padding"],
        dilation=config["dilation"],
        groups=config["groups"],
        padding_mode=config["padding_mode"],
    )


@given(conv_configs())
def test_gradients_match_autograd_or_both_reject(config):
    """grad_input, grad_weight and grad_bias equal autograd's for nn.Conv2d; where torch refuses the layer, ours
    raises ParameterError."""
    reference = _autograd(config)
    if reference is None:
        x = torch.randn(config["c_in"], *config["size"])
        weight = torch.randn(config["c_out"], config["c_in"] // config["groups"], *config["kernel"])
        with pytest.raises(ParameterError):
            trace_conv2d_backward(
                x,
                weight,
                torch.zeros(1, 1, 1),
                stride=config["stride"],
                padding=config["padding"],
                dilation=config["dilation"],
                groups=config["groups"],
                padding_mode=config["padding_mode"],
            )
        return
    conv, x, grad_output, grads = reference
    back = _backward(config, conv, x, grad_output)
    torch.testing.assert_close(back.grad_input, grads[0], **CLOSE)
    torch.testing.assert_close(back.grad_weight, grads[1], **CLOSE)
    if conv.bias is None:
        assert back.grad_bias is None
    else:
        torch.testing.assert_close(back.grad_bias, grads[2], **CLOSE)
    # the convolutions it is made of: the transposed convolution covers the padded input, with its padding
    assert back.grad_padded.shape == back.forward.padded.shape
    torch.testing.assert_close(back.transposed.output, back.grad_padded)


@given(conv_configs(), st.data())
def test_weight_step_is_the_tap_met_at_every_output_position(config, data):
    reference = _autograd(config)
    if reference is None:
        return
    conv, x, grad_output, grads = reference
    back = _backward(config, conv, x, grad_output)
    oc, ic, i, j = (data.draw(st.integers(0, n - 1)) for n in back.grad_weight.shape)
    step = back.weight_step(oc, ic, i, j)
    f = back.forward
    (sh, sw), (dh, dw), (h_out, w_out) = f.stride, f.dilation, f.out_size
    assert step.channel == f.group_channels(oc)[ic]
    assert step.rows.tolist() == [oy * sh + i * dh for oy in range(h_out)]
    assert step.cols.tolist() == [ox * sw + j * dw for ox in range(w_out)]
    # what the forward window put on this tap, at every output position
    torch.testing.assert_close(step.inputs, f.padded[step.channel][step.rows][:, step.cols])
    for oy, ox in ((0, 0), (h_out - 1, w_out - 1)):
        assert step.inputs[oy, ox] == f.step(oc, oy, ox).window[ic, i, j]
    torch.testing.assert_close(step.grads, grad_output[oc])
    torch.testing.assert_close(step.products, step.inputs * step.grads)
    assert step.value == pytest.approx(float(step.products.sum()))
    assert step.value == pytest.approx(float(grads[1][oc, ic, i, j]), rel=1e-4, abs=1e-4)


def _readers(back, ic, y, x):
    """Brute force: every (oc, oy, ox, i, j, padded row, padded column) whose forward window read input[ic, y, x],
    found by padding a one-hot input the layer's way."""
    f = back.forward
    one_hot = torch.zeros(1, *f.in_size, dtype=torch.float64)
    one_hot[0, y, x] = 1.0
    copies = pad_input(one_hot, f.pads, f.padding_mode)[0].tolist()  # 1 where a padded cell holds input[ic, y, x]
    (kh, kw), (sh, sw), (dh, dw), (h_out, w_out) = f.kernel_size, f.stride, f.dilation, f.out_size
    per_group_out = f.out_channels // f.groups
    group = ic // (f.in_channels // f.groups)
    found = set()
    for oc in range(group * per_group_out, (group + 1) * per_group_out):
        for oy in range(h_out):
            for ox in range(w_out):
                for i in range(kh):
                    for j in range(kw):
                        row, col = oy * sh + i * dh, ox * sw + j * dw
                        if copies[row][col] == 1:
                            found.add((oc, oy, ox, i, j, row, col))
    return found


@given(conv_configs(), st.data())
def test_input_step_is_every_pair_that_read_the_cell(config, data):
    reference = _autograd(config)
    if reference is None:
        return
    conv, x, grad_output, grads = reference
    back = _backward(config, conv, x, grad_output)
    ic, y, xx = (data.draw(st.integers(0, n - 1)) for n in back.grad_input.shape)
    step = back.input_step(ic, y, xx)
    f = back.forward
    (sh, sw), (dh, dw) = f.stride, f.dilation
    top, _, left, _ = f.pads
    terms = list(
        zip(*(t.tolist() for t in (step.oc, step.oy, step.ox, step.i, step.j, step.rows, step.cols)), strict=True)
    )
    assert len(terms) == len(set(terms)) and set(terms) == _readers(back, ic, y, xx)
    torch.testing.assert_close(step.rows, step.oy * sh + step.i * dh, rtol=0, atol=0)
    torch.testing.assert_close(step.cols, step.ox * sw + step.j * dw, rtol=0, atol=0)
    # its own cell first, then the padding cells that copy it; every term reads one of them, which holds the value
    assert step.cells[0].tolist() == [y + top, xx + left]
    assert {tuple(c) for c in step.cells.tolist()} >= set(zip(step.rows.tolist(), step.cols.tolist(), strict=True))
    assert (f.padded[ic][step.cells[:, 0], step.cells[:, 1]] == x[ic, y, xx]).all()
    if f.padding_mode == "zeros":
        assert len(step.padding_cells) == 0 and not step.through_padding.any()
    torch.testing.assert_close(step.through_padding, (step.rows != y + top) | (step.cols != xx + left))
    weight = conv.weight.detach()
    torch.testing.assert_close(step.grads, grad_output[step.oc, step.oy, step.ox])
    torch.testing.assert_close(step.weights, weight[step.oc, ic % (f.in_channels // f.groups), step.i, step.j])
    torch.testing.assert_close(step.products, step.grads * step.weights)
    assert step.value == pytest.approx(float(step.products.sum()))
    assert step.value == pytest.approx(float(grads[0][ic, y, xx]), rel=1e-4, abs=1e-4)


@given(conv_configs(), st.data())
def test_bias_step_sums_the_output_gradient(config, data):
    reference = _autograd(config)
    if reference is None:
        return
    conv, x, grad_output, grads = reference
    back = _backward(config, conv, x, grad_output)
    oc = data.draw(st.integers(0, grad_output.shape[0] - 1))
    step = back.bias_step(oc)
    torch.testing.assert_close(step.grads, grad_output[oc])
    assert step.value == pytest.approx(float(grad_output[oc].sum()), rel=1e-5, abs=1e-5)
    if conv.bias is not None:
        assert step.value == pytest.approx(float(grads[2][oc]), rel=1e-4, abs=1e-4)


@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_same_padding_with_its_extra_row_at_the_bottom_right(mode):
    """An even kernel with padding "same" pads its rows unevenly (0 above, 1 below), as torch does: autograd's."""
    config = {"c_in": 2, "c_out": 4, "kernel": (2, 4), "size": (5, 6), "groups": 2, "stride": (1, 1)}
    config |= {"dilation": (1, 2), "padding": "same", "padding_mode": mode, "bias": True, "seed": 7}
    conv, x, grad_output, grads = _autograd(config)
    back = _backward(config, conv, x, grad_output)
    assert back.forward.pads == (0, 1, 3, 3)
    for ours, theirs in zip((back.grad_input, back.grad_weight, back.grad_bias), grads, strict=True):
        torch.testing.assert_close(ours, theirs, **CLOSE)
    assert back.input_step(1, 4, 5).value == pytest.approx(float(grads[0][1, 4, 5]), rel=1e-4, abs=1e-4)


def test_d2l_example_by_hand():
    """corr2d's 3×3 input and 2×2 kernel, all output gradients 1: each weight gets the sum of the 2×2 block of
    inputs it met, each input the sum of the weights that read it."""
    x = torch.arange(9.0).reshape(1, 3, 3)
    weight = torch.tensor([[[[0.0, 1.0], [2.0, 3.0]]]])
    back = trace_conv2d_backward(x, weight, torch.ones(1, 2, 2), bias=torch.zeros(1))
    assert back.grad_weight[0, 0].tolist() == [[8.0, 12.0], [20.0, 24.0]]  # 0+1+3+4, 1+2+4+5, ...
    assert back.grad_input[0].tolist() == [[0.0, 1.0, 1.0], [2.0, 6.0, 4.0], [2.0, 5.0, 3.0]]
    assert back.grad_bias.tolist() == [4.0]
    step = back.weight_step(0, 0, 1, 1)
    assert step.inputs.tolist() == [[4.0, 5.0], [7.0, 8.0]] and step.value == 24.0
    step = back.input_step(0, 1, 1)  # the centre: read by every window, by a different tap each
    assert list(zip(step.oy.tolist(), step.ox.tolist(), strict=True)) == [(1, 1), (1, 0), (0, 1), (0, 0)]
    assert step.weights.tolist() == [0.0, 1.0, 2.0, 3.0] and step.value == 6.0
    assert back.bias_step(0).value == 4.0


def test_reflect_padding_folds_the_copies_back():
    """Reflect padding of 1 around 3×3: the centre also sits in 8 padding cells, and their gradients come home."""
    x = torch.arange(9.0).reshape(1, 3, 3)
    back = trace_conv2d_backward(x, torch.ones(1, 1, 3, 3), torch.ones(1, 3, 3), padding=1, padding_mode="reflect")
    step = back.input_step(0, 1, 1)
    assert step.cells[0].tolist() == [2, 2]
    copies = [(r, c) for r in (0, 2, 4) for c in (0, 2, 4) if (r, c) != (2, 2)]
    assert sorted(map(tuple, step.padding_cells.tolist())) == copies
    assert int(step.through_padding.sum()) == len(step.oc) - 9  # 9 windows read (2, 2) itself
    xg = x.clone().requires_grad_()
    F.conv2d(F.pad(xg[None], (1, 1, 1, 1), mode="reflect"), torch.ones(1, 1, 3, 3)).sum().backward()
    torch.testing.assert_close(back.grad_input, xg.grad)
    assert step.value == pytest.approx(float(xg.grad[0, 1, 1]))


def test_a_stride_that_leaves_rows_unread_gives_them_no_gradient():
    """Kernel 2, stride 3 over 7 columns: windows read columns 0, 1 and 3, 4; columns 2, 5 and 6 get no gradient
    (the transposed convolution's output padding adds the last two)."""
    back = trace_conv2d_backward(torch.randn(1, 1, 7), torch.randn(1, 1, 1, 2), torch.randn(1, 1, 2), stride=3)
    assert back.transposed.output_padding == (0, 2)
    assert back.grad_input[0, 0, [2, 5, 6]].tolist() == [0.0, 0.0, 0.0]
    assert back.input_step(0, 0, 5).value == 0.0 and len(back.input_step(0, 0, 5).oc) == 0


@pytest.mark.parametrize(
    ("kwargs", "match", "zh"),
    [
        ({"grad_output": torch.zeros(1, 3, 3)}, r"forward output's shape \[1, 2, 2\].*\[1, 3, 3\]", "前向输出"),
        ({"grad_output": torch.zeros(2, 2)}, r"grad_output must have shape \[C_out, H_out, W_out\]", "形状"),
        ({"grad_output": "gradients"}, "real numbers", "实数"),
        ({"stride": 0}, "stride must be at least 1", "至少"),
        ({"groups": 2}, "cannot be split into 2", "分成"),
        ({"padding": 3, "padding_mode": "reflect"}, "Reflect padding of 3", "反射填充"),
        ({"padding_mode": "mirror"}, "not one of", "填充模式"),
    ],
)
def test_invalid_inputs_are_explained_in_both_languages(kwargs, match, zh):
    arguments = {"x": torch.zeros(1, 3, 3), "weight": torch.zeros(1, 1, 2, 2), "grad_output": torch.zeros(1, 2, 2)}
    with pytest.raises(ParameterError, match=match) as raised:
        trace_conv2d_backward(**(arguments | kwargs))
    assert zh in raised.value.message("zh")


def test_steps_outside_the_layer_are_explained():
    back = trace_conv2d_backward(torch.zeros(1, 3, 3), torch.zeros(2, 1, 2, 2), torch.zeros(2, 2, 2))
    with pytest.raises(ParameterError, match="outside the weight") as raised:
        back.weight_step(0, 0, 2, 0)
    assert "权重" in raised.value.message("zh")
    with pytest.raises(ParameterError, match="outside the input"):
        back.input_step(0, 3, 0)
    with pytest.raises(ParameterError, match="outside the output"):
        back.bias_step(2)
