"""The Convolution page's matrix view: W·X and M for the page's layer, against torch, and what is outlined."""

from __future__ import annotations

import torch
import torch.nn.functional as F

from tests_support import CONV, chart_spec, open_page
from vizconv import trace_conv2d
from vizconv.views import conv_matrix as view


def _trace(**settings):
    x = torch.arange(2 * 5 * 5, dtype=torch.float32).reshape(2, 5, 5) % 7
    weight = torch.arange(2 * 2 * 3 * 3, dtype=torch.float32).reshape(2, 2, 3, 3) % 5 - 2
    return trace_conv2d(x, weight, torch.tensor([1.0, -1.0]), **settings)


def test_the_products_are_the_layer_and_the_outlines_follow_the_output():
    trace = _trace(stride=2, padding=1)
    matrices = view.view_of(trace)
    expected = F.conv2d(trace.input[None], trace.weight, trace.bias, stride=2, padding=1)[0]
    assert torch.allclose(matrices.via_matrix, expected) and torch.allclose(matrices.output, expected)
    assert view.matrix_difference(matrices, trace.output)[0] < 1e-5
    w, x, y = view.product_figures(matrices, 1, 2, 0, ("W", "X", "Y"))
    h_out, w_out = trace.out_size
    column = 2 * w_out + 0
    assert y["layout"]["shapes"][0]["x0"] == column - 0.5 and y["layout"]["shapes"][0]["y0"] == 1 - 0.5
    assert x["layout"]["shapes"][0]["x0"] == column - 0.5 and w["layout"]["shapes"][0]["y0"] == 1 - 0.5
    assert y["data"][0]["z"][1][column] == round(float(expected[1, 2, 0]), 4)


def test_m_colours_each_weight_and_outlines_the_outputs_row():
    trace = _trace(padding=1)
    matrices = view.view_of(trace)
    figure = view.matrix_figure(matrices, 0, 1, 1, "M", "%{customdata}")
    z = torch.tensor(figure["data"][0]["z"])
    assert torch.equal(z, (matrices.index + 1).float())  # 0: a structural zero; k + 1: weight k
    row = (0 * 5 + 1) * 5 + 1
    assert figure["layout"]["shapes"][0]["y0"] == row - 0.5
    assert len(figure["data"][0]["colorscale"]) == 2 * (trace.weight.numel() + 1)


def test_only_small_zero_padded_layers_are_drawn():
    assert view.fits(_trace())
    assert not view.fits(_trace(padding=1, padding_mode="reflect"))
    big = trace_conv2d(torch.zeros(1, 9, 9), torch.ones(1, 1, 3, 3))
    assert not view.fits(big)


def test_the_page_draws_the_matrices_for_a_small_input_in_both_languages():
    for lang, match in (("en", "gives this page's output"), ("zh", "与 torch 的 conv2d 相同")):
        at = open_page(CONV, {"lang": lang, "conv_source": "sample", "conv_sample": "classic_5x5"})
        assert any(match in s.value for s in at.success)
        m = chart_spec(at, 3)
        assert len(m["data"][0]["z"]) == 9 and len(m["data"][0]["z"][0]) == 25  # 3×3 outputs, 5×5 inputs
    at = open_page(CONV)  # the default picture: too large to draw as matrices, and said so
    assert any("at most 8×8" in i.value for i in at.info)


def test_a_transposed_convolution_is_m_transposed_and_no_inverse():
    from vizconv import trace_conv_transpose2d

    for settings in ({"stride": 2}, {"stride": 2, "padding": 1, "output_padding": 1}, {"stride": 1, "padding": 1}):
        y = torch.arange(1.0, 10.0).reshape(1, 3, 3)
        weight = torch.arange(18.0).reshape(1, 2, 3, 3) % 4 - 1
        trace = trace_conv_transpose2d(y, weight, **settings)
        matrices = view.transposed_matrices(trace)
        expected = F.conv_transpose2d(y[None], weight, **settings)[0]
        assert torch.allclose(matrices.via_matrix, expected), settings
        assert matrices.is_m_transposed, settings
        product = matrices.forward @ matrices.forward.T
        assert torch.allclose(matrices.inverse.product, product)
        assert matrices.inverse.max_error == float((product - torch.eye(len(product))).abs().max()) > 0


def test_the_transposed_page_draws_t_and_says_it_is_no_inverse():
    from tests_support import TCONV

    for lang, match in (("en", "Transposed, not inverse"), ("zh", "是转置，不是逆")):
        at = open_page(TCONV, {"lang": lang})
        assert any(match in m.value for m in at.markdown)
        assert any(s.value.startswith(("T·vec(y) + b", "T·vec(y) + b 得到")) for s in at.success)
