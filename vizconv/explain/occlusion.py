"""Occlusion sensitivity: cover part of the input with a grey patch and watch the class score drop.

``occlusion_map`` slides a patch of ``patch`` pixels with ``stride`` over the input, top-left corners at
(i·s_h, j·s_w) for i < rows = ⌊(H − p_h)/s_h⌋ + 1 and j < cols = ⌊(W − p_w)/s_w⌋ + 1 (a patch always lies inside
the input; a last strip narrower than the stride stays uncovered, as Captum's ``Occlusion`` does), fills it,
and records the class's pre-softmax score for every position: drop[i, j] = score(x) − score(x occluded at
(i, j)). Positive: the patch hid something the class relies on. The occluded inputs go through the model in
batches, under the model's lock in eval mode (no gradients).

The fill is grey by default: 0 in the standardised input, which is the training set's mean colour (a model's
preprocessing subtracts that mean; ``ModelInfo.mean``). A number fills with that standardised value, one number
per channel with those, and a whole input [1, C, H, W] with its own values under the patch (the input itself
changes nothing, which the tests check).

``occluded_score`` answers one patch the student drags on the picture.

Reference: M. D. Zeiler and R. Fergus, "Visualizing and Understanding Convolutional Networks" (ECCV 2014), §4.2.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from vizconv.explain.errors import ExplainError
from vizconv.explain.tap import explained_class, one_input
from vizconv.nets.capture import evaluating

__all__ = ["BATCH", "Occluded", "OcclusionMap", "occluded_score", "occlusion_map"]

BATCH = 64  # occluded inputs per forward pass (ResNet-20 at 32 px, patch 8, stride 4: 49, one pass)


@dataclass(frozen=True, eq=False)
class OcclusionMap:
    """The class score with a patch at each position, and its drop from the unoccluded score."""

    class_index: int
    base_score: float  # the class's score (logit) for the input as it is
    scores: torch.Tensor  # (rows, cols) the score with the patch whose top-left corner is (i·s_h, j·s_w)
    patch: tuple[int, int]  # (p_h, p_w) pixels
    stride: tuple[int, int]  # (s_h, s_w) pixels
    input_size: tuple[int, int]  # (H, W)

    @property
    def drop(self) -> torch.Tensor:
        """(rows, cols) base_score − scores: how much hiding each place costs the class (negative: it helps)."""
        return self.base_score - self.scores

    def box(self, i: int, j: int) -> tuple[int, int, int, int]:
        """Input pixels (top, left, bottom, right), inclusive, that the patch of position (i, j) covers."""
        top, left = i * self.stride[0], j * self.stride[1]
        return top, left, top + self.patch[0] - 1, left + self.patch[1] - 1

    def pixel_map(self) -> torch.Tensor:
        """(H, W) each input pixel's mean drop over the patches that cover it (0 where none does), as Captum
        attributes occlusion to pixels: a map to lay over the picture."""
        (ph, pw), (sh, sw) = self.patch, self.stride
        rows, cols = self.scores.shape
        covered = ((rows - 1) * sh + ph, (cols - 1) * sw + pw)  # the last strip narrower than a stride: none
        spread = self.drop.reshape(1, 1, rows * cols).expand(1, ph * pw, rows * cols)  # each patch's drop, per pixel
        total = F.fold(spread, covered, (ph, pw), stride=(sh, sw))[0, 0]  # (covered) sum over the patches
        count = F.fold(torch.ones_like(spread), covered, (ph, pw), stride=(sh, sw))[0, 0]
        out = torch.zeros(self.input_size)
        out[: covered[0], : covered[1]] = torch.where(count > 0, total / count.clamp(min=1), 0.0)  # gaps: none
        return out


@dataclass(frozen=True)
class Occluded:
    """The class score with one patch over the input."""

    class_index: int
    box: tuple[int, int, int, int]  # (top, left, height, width) pixels
    score: float  # the class's score (logit) with the patch
    base_score: float  # … without
    probability: float  # the class's softmax probability with the patch
    base_probability: float  # … without

    @property
    def drop(self) -> float:
        """base_score − score."""
        return self.base_score - self.score


def _pair(value: int | tuple[int, int], name: str) -> tuple[int, int]:
    pair = (value, value) if isinstance(value, int) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in pair):
        raise ValueError(f"{name} must be an int or a pair of ints, not {value!r}")
    return pair


def _fill(x: torch.Tensor, fill: float | torch.Tensor | None) -> torch.Tensor:
    """The values a patch writes, as a tensor broadcastable to x [1, C, H, W]."""
    if fill is None:
        return torch.zeros((), dtype=x.dtype)
    fill = torch.as_tensor(fill, dtype=x.dtype)
    channels = x.shape[1]
    if fill.dim() == 0:
        return fill
    if fill.numel() == channels and fill.dim() == 1:
        return fill.view(1, channels, 1, 1)
    if tuple(fill.shape) == tuple(x.shape):
        return fill
    raise ExplainError("fill", channels=channels, shape=list(x.shape), got=list(fill.shape))


def _patched(x: torch.Tensor, fill: torch.Tensor, boxes: list[tuple[int, int, int, int]]) -> torch.Tensor:
    """x repeated once per box (top, left, height, width), each copy with its box filled: [len(boxes), C, H, W]."""
    batch = x.repeat(len(boxes), 1, 1, 1)
    full = fill.expand_as(x)[0]  # (C, H, W)
    for n, (top, left, height, width) in enumerate(boxes):
        batch[n, :, top : top + height, left : left + width] = full[:, top : top + height, left : left + width]
    return batch


def occlusion_map(
    model: nn.Module,
    x: torch.Tensor,
    class_index: int | None = None,
    patch: int | tuple[int, int] = 8,
    stride: int | tuple[int, int] = 4,
    fill: float | torch.Tensor | None = None,
    *,
    batch_size: int = BATCH,
) -> OcclusionMap:
    """The score of class ``class_index`` (default: the predicted class) with a ``patch``-pixel patch (int or
    (height, width)) at every ``stride``-th position of x [1, C, H, W] (as ``info.preprocess`` gives it).

    ``fill``: None (grey: 0, the training set's mean colour after standardisation), a number, one per channel,
    or a whole input [1, C, H, W] whose values the patch shows. The unoccluded input and the occluded ones go
    through the model ``batch_size`` at a time. ExplainError for a patch that does not fit, a stride below 1,
    a class out of range or a fill of another shape.
    """
    x = one_input(x)
    (ph, pw), (sh, sw) = _pair(patch, "patch"), _pair(stride, "stride")
    height, width = x.shape[-2:]
    if not (1 <= ph <= height and 1 <= pw <= width):
        raise ExplainError("patch", height=ph, width=pw, input_height=height, input_width=width)
    if sh < 1 or sw < 1:
        raise ExplainError("stride", value=min(sh, sw))
    values = _fill(x, fill)
    rows, cols = (height - ph) // sh + 1, (width - pw) // sw + 1
    boxes = [(i * sh, j * sw, ph, pw) for i in range(rows) for j in range(cols)]
    batch_size = max(1, batch_size)
    chunks = [boxes[start : start + batch_size] for start in range(0, len(boxes), batch_size)]
    with evaluating(model):
        logits = model(x)
        class_index = explained_class(logits, class_index)
        scores = torch.cat([model(_patched(x, values, chunk))[:, class_index] for chunk in chunks])
    return OcclusionMap(
        class_index=class_index,
        base_score=float(logits[0, class_index]),
        scores=scores.view(rows, cols),
        patch=(ph, pw),
        stride=(sh, sw),
        input_size=(height, width),
    )


def occluded_score(
    model: nn.Module,
    x: torch.Tensor,
    class_index: int | None,
    box: tuple[int, int, int, int],
    fill: float | torch.Tensor | None = None,
) -> Occluded:
    """The score of class ``class_index`` (None: the predicted class) for x [1, C, H, W] with the patch ``box``
    = (top, left, height, width) in input pixels filled as ``occlusion_map`` fills (one forward pass of the
    input and the occluded input together). ExplainError for a box that is empty or not inside the input."""
    x = one_input(x)
    top, left, h, w = (int(v) for v in box)
    height, width = x.shape[-2:]
    if not (h >= 1 and w >= 1 and top >= 0 and left >= 0 and top + h <= height and left + w <= width):
        raise ExplainError("box", top=top, left=left, height=h, width=w, input_height=height, input_width=width)
    both = torch.cat([x, _patched(x, _fill(x, fill), [(top, left, h, w)])])
    with evaluating(model):
        logits = model(both)
    class_index = explained_class(logits[:1], class_index)
    probabilities = logits.softmax(dim=1)[:, class_index]
    return Occluded(
        class_index=class_index,
        box=(top, left, h, w),
        score=float(logits[1, class_index]),
        base_score=float(logits[0, class_index]),
        probability=float(probabilities[1]),
        base_probability=float(probabilities[0]),
    )
