"""Convolution as a matrix against torch: M·vec(x) is conv2d, W·X is conv2d, Mᵀ·vec(y) is conv_transpose2d."""

from __future__ import annotations

import warnings

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from vizconv import ParameterError, conv_matrix, im2col
from vizconv.ops.matrix import (
    MAX_MATRIX_ENTRIES,
    inverse_check,
    matrix_view,
    transposed_conv_matrix,
    weight_index_matrix,
    weight_matrix,
)


@st.composite
def layers(draw, symmetric: bool = False):
    """Small convolutions as a page shows them (up to 8×8, up to 3 channels per group), sometimes ones torch
    refuses (an empty output)."""
    groups = draw(st.integers(1, 2))
    c_in = groups * draw(st.integers(1, 2))
    c_out = groups * draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    size = (draw(st.integers(1, 8)), draw(st.integers(1, 8)))
    words = [st.just("valid")] if symmetric else [st.just("valid"), st.just("same")]
    padding = draw(st.one_of(*words, st.tuples(st.integers(0, 2), st.integers(0, 2))))
    if padding == "same":
        stride = (1, 1)
    torch.manual_seed(draw(st.integers(0, 2**16)))
    return {
        "x": torch.randn(c_in, *size),
        "weight": torch.randn(c_out, c_in // groups, *kernel),
        "bias": torch.randn(c_out) if draw(st.booleans()) else None,
        "stride": stride,
        "padding": padding,
        "dilation": dilation,
        "groups": groups,
    }


def _settings(layer):
    return {k: layer[k] for k in ("stride", "padding", "dilation", "groups")}


def _reference(layer):
    """F.conv2d's output [C_out, H_out, W_out] (no bias), or None where torch refuses."""
    try:
        with warnings.catch_warnings():  # "same" with an even kernel: torch warns that it copies the input
            warnings.simplefilter("ignore", UserWarning)
            return F.conv2d(layer["x"][None], layer["weight"], **_settings(layer))[0]
    except RuntimeError:
        return None


@settings(max_examples=80)
@given(layers())
def test_matrix_times_input_is_conv2d(layer):
    """M @ x.flatten() equals F.conv2d flattened; where torch refuses, conv_matrix raises ParameterError."""
    expected = _reference(layer)
    if expected is None:
        with pytest.raises(ParameterError):
            conv_matrix(tuple(layer["x"].shape), layer["weight"], **_settings(layer))
        return
    matrix = conv_matrix(tuple(layer["x"].shape), layer["weight"], **_settings(layer))
    assert matrix.shape == (expected.numel(), layer["x"].numel())
    torch.testing.assert_close(matrix @ layer["x"].flatten(), expected.flatten(), rtol=1e-5, atol=1e-5)


@settings(max_examples=60)
@given(layers())
def test_matrix_is_conv2d_of_each_basis_vector(layer):
    """Column j of M is the convolution of the j-th one-hot input (an independent construction), and the weight
    index map is −1 exactly where M is structurally zero, else the weight M holds."""
    if _reference(layer) is None:
        return
    shape = tuple(layer["x"].shape)
    n = layer["x"].numel()
    basis = torch.eye(n).reshape(n, *shape)  # (N, C_in, H, W): one-hot inputs
    columns = F.conv2d(basis, layer["weight"], **_settings(layer)).reshape(n, -1)  # (N, C_out·H_out·W_out)
    matrix = conv_matrix(shape, layer["weight"], **_settings(layer))
    torch.testing.assert_close(matrix, columns.T, rtol=1e-5, atol=1e-6)
    index = weight_index_matrix(shape, layer["weight"], **_settings(layer))
    assert index.shape == matrix.shape and index.dtype == torch.int64
    flat = layer["weight"].flatten()
    assert torch.equal(matrix[index >= 0], flat[index[index >= 0]])
    assert torch.all(matrix[index < 0] == 0)
    ones = F.conv2d(basis, torch.ones_like(layer["weight"]), **_settings(layer)).reshape(n, -1).T
    assert torch.equal(index >= 0, ones != 0)  # structural: a tap reads that cell


@settings(max_examples=80)
@given(layers())
def test_im2col_is_unfold_and_w_times_x_is_the_layer(layer):
    expected = _reference(layer)
    if expected is None:
        return
    x, weight = layer["x"], layer["weight"]
    kernel = tuple(weight.shape[2:])
    columns = im2col(x, kernel, layer["stride"], layer["padding"], layer["dilation"])
    if not isinstance(layer["padding"], str):
        unfold = F.unfold(x[None], kernel, dilation=layer["dilation"], padding=layer["padding"], stride=layer["stride"])
        torch.testing.assert_close(columns, unfold[0])
    assert columns.shape == (x.shape[0] * kernel[0] * kernel[1], expected.shape[1] * expected.shape[2])
    w = weight_matrix(weight, layer["groups"])
    torch.testing.assert_close((w @ columns).reshape(expected.shape), expected, rtol=1e-5, atol=1e-5)
    view = matrix_view(x, weight, layer["bias"], **_settings(layer))
    with_bias = expected if layer["bias"] is None else expected + layer["bias"][:, None, None]
    torch.testing.assert_close(view.output, with_bias, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(view.via_matrix, with_bias, rtol=1e-5, atol=1e-5)


@settings(max_examples=80)
@given(layers(symmetric=True))
def test_transposed_matrix_is_conv_transpose2d(layer):
    """Mᵀ @ y.flatten() equals F.conv_transpose2d(y, weight) with the output padding that gives the input's shape."""
    if _reference(layer) is None:
        return
    view = matrix_view(layer["x"], layer["weight"], **_settings(layer))
    y = torch.randn(view.output.shape)
    settings_t = view.transpose_settings()
    expected = F.conv_transpose2d(y[None], layer["weight"], **settings_t)[0]
    assert expected.shape == layer["x"].shape
    assert all(0 <= p < s for p, s in zip(settings_t["output_padding"], layer["stride"], strict=True))
    torch.testing.assert_close(view.transposed(y), expected, rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(view.matrix.T @ y.flatten(), expected.flatten(), rtol=1e-5, atol=1e-5)


@settings(max_examples=80)
@given(
    groups=st.integers(1, 2),
    c_in=st.integers(1, 2),
    c_out=st.integers(1, 2),
    kernel=st.integers(1, 3),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    dilation=st.integers(1, 3),
    output_padding=st.integers(0, 2),
    size=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    seed=st.integers(0, 2**16),
)
def test_transposed_conv_matrix_matches_torch(
    groups, c_in, c_out, kernel, stride, padding, dilation, output_padding, size, seed
):
    """T @ y.flatten() equals F.conv_transpose2d for any setting torch accepts, output_padding ≥ stride included."""
    torch.manual_seed(seed)
    y = torch.randn(groups * c_in, *size)
    weight = torch.randn(groups * c_in, c_out, kernel, kernel)
    kwargs = {"stride": stride, "padding": padding, "output_padding": output_padding, "groups": groups}
    try:
        expected = F.conv_transpose2d(y[None], weight, dilation=dilation, **kwargs)[0]
    except RuntimeError:
        with pytest.raises(ParameterError):
            transposed_conv_matrix(tuple(y.shape), weight, dilation=dilation, **kwargs)
        return
    if expected.numel() == 0:
        return
    matrix = transposed_conv_matrix(tuple(y.shape), weight, dilation=dilation, **kwargs)
    assert matrix.shape == (expected.numel(), y.numel())
    torch.testing.assert_close(matrix @ y.flatten(), expected.flatten(), rtol=1e-5, atol=1e-5)


def test_highlight_is_the_row_and_the_column_that_make_one_output():
    torch.manual_seed(0)
    x, weight, bias = torch.randn(2, 5, 5), torch.randn(4, 1, 3, 3), torch.randn(4)
    view = matrix_view(x, weight, bias, stride=2, padding=1, groups=2)
    light = view.highlight(3, 1, 2)
    assert light.row == (3 * 3 + 1) * 3 + 2 and light.column == 1 * 3 + 2 and light.w_row == 3
    assert light.x_rows == range(9, 18)  # output channel 3 is in group 1: input channel 1's nine taps
    value = float(view.matrix[light.row, light.inputs] @ x.flatten()[light.inputs]) + float(bias[3])
    assert value == pytest.approx(float(view.output[3, 1, 2]), abs=1e-5)
    column = view.columns[light.x_rows, light.column]
    assert float(column @ weight[3].flatten()) + float(bias[3]) == pytest.approx(value, abs=1e-5)
    # output (1, 2) at stride 2, padding 1 covers input rows 1..3 and columns 3..4 (column 5 is padding)
    assert sorted(light.inputs.tolist()) == [25 + r * 5 + c for r in (1, 2, 3) for c in (3, 4)]
    assert sorted(light.weights.tolist()) == sorted(27 + r * 3 + c for r in range(3) for c in range(2))


def test_shared_weights_repeat_down_the_rows():
    """A 1-channel 3×3 kernel on a 4×4 input: every row holds all 9 weights once (no padding), in 2×2 rows."""
    index = weight_index_matrix((1, 4, 4), torch.zeros(1, 1, 3, 3))
    assert index.shape == (4, 16)
    for row in index:
        assert sorted(row[row >= 0].tolist()) == list(range(9))
    assert int((index < 0).sum()) == 4 * 16 - 4 * 9


def test_block_diagonal_weight_matrix_with_groups():
    """Two 1×1 kernels of 2 channels each in 2 groups over 4 input channels: each reads its own group's two."""
    w = weight_matrix(torch.tensor([[[[1.0]], [[2.0]]], [[[3.0]], [[4.0]]]]), groups=2)  # (2, 2, 1, 1)
    assert w.tolist() == [[1.0, 2.0, 0.0, 0.0], [0.0, 0.0, 3.0, 4.0]]
    assert weight_matrix(torch.ones(2, 4, 1, 1)).tolist() == [[1.0] * 4] * 2


def test_the_transpose_is_not_an_inverse():
    """Dumoulin & Visin's 4×4 input, 3×3 kernel: M is 4×16, M·Mᵀ is 4×4 and far from the identity."""
    torch.manual_seed(0)
    matrix = conv_matrix((1, 4, 4), torch.randn(1, 1, 3, 3))
    check = inverse_check(matrix)
    torch.testing.assert_close(check.product, matrix @ matrix.T)
    assert check.max_error > 0.1 and not check.is_identity
    torch.testing.assert_close(check.diagonal, (matrix**2).sum(1))
    assert check.off_diagonal == 12  # the four windows overlap pairwise
    identity = inverse_check(conv_matrix((2, 3, 3), torch.eye(2).reshape(2, 2, 1, 1)))
    assert identity.is_identity and identity.max_error == 0.0


def test_round_trip_keeps_the_shape_not_the_values():
    x = torch.arange(16.0).reshape(1, 4, 4)
    view = matrix_view(x, torch.ones(1, 1, 2, 2), stride=2)
    back = view.round_trip()
    assert back.shape == x.shape
    assert not torch.allclose(back, x)
    # stride 2, 2×2 windows tile the input: each cell gets its own window's sum back
    assert back[0, 0, 0] == x[0, :2, :2].sum()


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: conv_matrix((3, 64, 64), torch.zeros(8, 3, 3, 3)), "more than the 16777216"),
        (lambda: conv_matrix((1, 3), torch.zeros(1, 1, 3, 3)), r"three whole numbers \(C_in, H, W\)"),
        (lambda: conv_matrix((1, 2, 2), torch.zeros(1, 1, 3, 3)), "empty"),
        (lambda: conv_matrix((3, 5, 5), torch.zeros(2, 2, 3, 3)), "C_in / groups"),
        (lambda: conv_matrix((1, 5, 5), torch.zeros(1, 1, 3, 3), stride=2, padding="same"), "stride 1"),
        (
            lambda: matrix_view(torch.zeros(1, 4, 4), torch.zeros(1, 1, 2, 2), padding="same").transpose_settings(),
            "both sides",
        ),
        (
            lambda: matrix_view(torch.zeros(1, 4, 4), torch.zeros(1, 1, 3, 3)).transposed(torch.zeros(1, 3, 3)),
            r"\[1, 2, 2\]",
        ),
        (lambda: matrix_view(torch.zeros(1, 4, 4), torch.zeros(1, 1, 3, 3)).highlight(0, 2, 0), "outside the output"),
        (lambda: inverse_check(torch.zeros(1024, 257)), "multiply-adds"),
        (lambda: transposed_conv_matrix((1, 3, 3), torch.zeros(2, 1, 3, 3)), "starts with 2"),
        (lambda: weight_matrix(torch.zeros(3, 1, 1, 1), groups=2), "3 kernels cannot be split"),
    ],
)
def test_refusals_are_explained(call, match):
    with pytest.raises(ParameterError, match=match):
        call()


def test_the_bound_is_what_the_message_says():
    assert MAX_MATRIX_ENTRIES == 4096 * 4096
    conv_matrix((2, 8, 8), torch.zeros(2, 2, 3, 3))  # the page's largest: far below
