"""Occlusion sensitivity: sizes, the input itself as the fill changes nothing, batched equals one by one, errors."""

from __future__ import annotations

import pytest
import torch
from explain_support import cifar_input, digit_input
from hypothesis import given, settings
from hypothesis import strategies as st

from vizconv.explain.errors import ExplainError
from vizconv.explain.occlusion import occluded_score, occlusion_map
from vizconv.nets.capture import evaluating


def _score(model, x, class_index):
    with evaluating(model):
        return float(model(x)[0, class_index])


def test_resnet20_patch_8_stride_4(resnet20):
    x = cifar_input(0)
    occluded = occlusion_map(resnet20, x, patch=8, stride=4)
    assert occluded.scores.shape == (7, 7) and occluded.patch == (8, 8) and occluded.stride == (4, 4)
    assert occluded.class_index == int(resnet20(x).argmax())
    assert occluded.base_score == pytest.approx(_score(resnet20, x, occluded.class_index), abs=1e-5)
    torch.testing.assert_close(occluded.drop, occluded.base_score - occluded.scores)
    assert occluded.box(6, 6) == (24, 24, 31, 31)
    # the grey patch is 0: the training set's mean colour after standardisation
    grey = x.clone()
    grey[..., 4:12, 8:16] = 0
    assert float(occluded.scores[1, 2]) == pytest.approx(_score(resnet20, grey, occluded.class_index), abs=1e-4)


def test_a_patch_showing_the_input_itself_changes_nothing(resnet20):
    x = cifar_input(1)
    occluded = occlusion_map(resnet20, x, class_index=4, patch=8, stride=4, fill=x)
    torch.testing.assert_close(occluded.scores, torch.full((7, 7), occluded.base_score), rtol=1e-5, atol=1e-5)
    torch.testing.assert_close(occluded.pixel_map(), torch.zeros(32, 32), atol=1e-5, rtol=0)


def test_a_blank_area_under_a_patch_of_its_own_colour_changes_nothing(lenet):
    """A digit on a blank (background-coloured) border: a patch of that colour over the border is no change."""
    x = digit_input(2)
    background = float(x.min())
    x[..., :8, :] = background
    occluded = occlusion_map(lenet, x, patch=(8, 28), stride=4, fill=background)
    assert occluded.scores.shape == (6, 1)
    assert float(occluded.scores[0, 0]) == pytest.approx(occluded.base_score, abs=1e-5)


@settings(max_examples=30)
@given(
    ph=st.integers(1, 28),
    pw=st.integers(1, 28),
    sh=st.integers(1, 30),
    sw=st.integers(1, 30),
    seed=st.integers(0, 100),
)
def test_sizes_and_batched_equals_one_by_one(lenet, ph, pw, sh, sw, seed):
    x = digit_input(seed)
    occluded = occlusion_map(lenet, x, 3, patch=(ph, pw), stride=(sh, sw))
    rows, cols = (28 - ph) // sh + 1, (28 - pw) // sw + 1
    assert occluded.scores.shape == (rows, cols)
    one_by_one = occlusion_map(lenet, x, 3, patch=(ph, pw), stride=(sh, sw), batch_size=1)
    torch.testing.assert_close(occluded.scores, one_by_one.scores, rtol=1e-5, atol=1e-5)
    i, j = rows - 1, cols - 1
    single = occluded_score(lenet, x, 3, (i * sh, j * sw, ph, pw))
    assert single.score == pytest.approx(float(occluded.scores[i, j]), abs=1e-4)
    assert single.base_score == pytest.approx(occluded.base_score, abs=1e-5)
    top, left, bottom, right = occluded.box(i, j)
    assert bottom < 28 and right < 28 and (bottom - top + 1, right - left + 1) == (ph, pw)
    total, count = torch.zeros(28, 28), torch.zeros(28, 28)
    for i in range(rows):
        for j in range(cols):
            top, left, bottom, right = occluded.box(i, j)
            total[top : bottom + 1, left : right + 1] += occluded.drop[i, j]
            count[top : bottom + 1, left : right + 1] += 1
    torch.testing.assert_close(occluded.pixel_map(), total / count.clamp(min=1), rtol=1e-5, atol=1e-5)


def test_the_pixel_map_averages_the_patches_over_each_pixel(lenet):
    occluded = occlusion_map(lenet, digit_input(3), 1, patch=4, stride=2)
    pixels = occluded.pixel_map()
    assert pixels.shape == (28, 28)
    drop = occluded.drop
    assert float(pixels[0, 0]) == pytest.approx(float(drop[0, 0]))
    assert float(pixels[2, 2]) == pytest.approx(float(drop[:2, :2].mean()), abs=1e-6)


def test_a_dragged_patch(resnet20):
    x = cifar_input(4)
    single = occluded_score(resnet20, x, None, (10, 12, 6, 5))
    assert single.box == (10, 12, 6, 5) and single.class_index == int(resnet20(x).argmax())
    grey = x.clone()
    grey[..., 10:16, 12:17] = 0
    assert single.score == pytest.approx(_score(resnet20, grey, single.class_index), abs=1e-4)
    assert single.drop == pytest.approx(single.base_score - single.score)
    assert 0 <= single.probability <= 1 and 0 <= single.base_probability <= 1
    per_channel = occluded_score(resnet20, x, 2, (0, 0, 32, 32), fill=torch.tensor([1.0, -1.0, 0.5]))
    flat = torch.tensor([1.0, -1.0, 0.5]).view(1, 3, 1, 1).expand(1, 3, 32, 32)
    assert per_channel.score == pytest.approx(_score(resnet20, flat, 2), abs=1e-4)


@pytest.mark.parametrize(
    ("patch", "stride", "message"),
    [
        (0, 4, "at least one pixel"),
        (33, 4, "fit inside the 32 × 32 input"),
        ((8, 40), 4, "8 × 40 pixels"),
        (8, 0, "stride must be at least 1 pixel, but it is 0"),
        (8, (4, -1), "but it is -1"),
    ],
)
def test_impossible_patches_and_strides(resnet20, patch, stride, message):
    with pytest.raises(ExplainError, match=message) as raised:
        occlusion_map(resnet20, cifar_input(5), patch=patch, stride=stride)
    assert "输入" in raised.value.message("zh") or "步幅" in raised.value.message("zh")


def test_other_errors(resnet20):
    x = cifar_input(6)
    for box in ((0, 0, 0, 4), (30, 0, 4, 4), (-1, 0, 4, 4), (0, 29, 4, 4)):
        with pytest.raises(ExplainError, match="must cover at least one pixel and lie inside the 32 × 32 input"):
            occluded_score(resnet20, x, 0, box)
    with pytest.raises(ExplainError, match="Class 12"):
        occlusion_map(resnet20, x, 12)
    with pytest.raises(ExplainError, match="one number per channel"):
        occlusion_map(resnet20, x, 0, fill=torch.zeros(2))
    with pytest.raises(ExplainError, match="one input of shape"):
        occlusion_map(resnet20, x[0, 0])
