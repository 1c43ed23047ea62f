"""Sections of a page that shows one thing at a time, a module each.

- The Pooling & activations page teaches three lessons, one at a time (its setting ``section``): ``pooling``,
  ``activations``, ``upsampling``. Each module's ``show(lesson)`` draws its lesson: its input and layer in the
  sidebar, then the main column; ``Lesson`` (``inputs``) carries the page's memory and the inputs lessons share.
- The Learning page teaches how a layer learns (its setting ``lesson``): ``backward``, the backward pass of one
  convolution layer, ``learn_kernel``, a kernel learned by gradient descent, and ``train_live``, LeNet-5 trained
  live on the bundled digits, and ``snapshots``, the bundled LeNet from random weights to trained.
- The Transposed convolution page shows its layer in one of two views (its setting ``view``): ``scatter`` (each
  input value writes value × kernel; one output value gathered) and ``equivalent`` (the ordinary convolution of a
  zero-inserted input). Each module's ``show(memory, trace, torch_output)`` draws its view.
"""

from __future__ import annotations

from types import ModuleType

from vizconv.ui.sections import (
    activations,
    backward,
    equivalent,
    learn_kernel,
    pooling,
    scatter,
    snapshots,
    train_live,
    upsampling,
)
from vizconv.ui.sections.inputs import Lesson, lenet

__all__ = ["LESSONS", "TRANSPOSED_VIEWS", "Lesson", "lenet", "lesson", "transposed_view"]

LESSONS: dict[str, ModuleType] = {
    "pooling": pooling,  # the Pooling & activations page
    "activations": activations,
    "upsampling": upsampling,
    "backward": backward,  # the Learning page
    "learn": learn_kernel,
    "train": train_live,
    "snapshots": snapshots,
}
TRANSPOSED_VIEWS: dict[str, ModuleType] = {"scatter": scatter, "equivalent": equivalent}


def lesson(section: str) -> ModuleType:
    """The module that draws lesson ``section`` (one of vizconv.views.pooling.SECTIONS or learning.LESSONS)."""
    return LESSONS[section]


def transposed_view(view: str) -> ModuleType:
    """The module that draws the Transposed page's ``view`` (one of vizconv.views.transposed.VIEWS)."""
    return TRANSPOSED_VIEWS[view]
