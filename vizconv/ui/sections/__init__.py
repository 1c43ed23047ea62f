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
- The "Why it answered" page explains a prediction (its setting ``lesson``): ``cam_numbers`` (Grad-CAM in
  numbers), ``cam_methods`` (the methods side by side), ``occlusion`` and ``channel_patches`` (what a channel looks
  for). Each module's ``show(explained)`` draws its lesson; ``Explained`` (``explained``) carries the model, the
  picture, the prediction, the class and the layer the page's sidebar chose.
- The model the Feature maps and "Why it answered" pages explain (``model_source``): vizconv's, torchvision's
  zoo or the student's ONNX file, chosen in the sidebar with its weights; ``pick(memory, page)`` returns it.
- The Convolution page's layer as one matrix product (``conv_matrix``), under its step panel; the Transposed
  page's as the matrix Mᵀ (``transposed_matrix``).
- The quiz mode (predict, then reveal) of the Convolution, Pooling, Transposed and Network builder pages
  (``quiz``): ``SHARED`` joins the page's link settings, ``show(memory)`` draws it at the top of the main column.
- The Network builder page's teaching notes (``builder_notes``), at its foot.
"""

from __future__ import annotations

from types import ModuleType

from vizconv.ui.sections import (
    activations,
    backward,
    builder_notes,
    cam_methods,
    cam_numbers,
    channel_patches,
    conv_matrix,
    equivalent,
    learn_kernel,
    model_source,
    occlusion,
    pooling,
    quiz,
    scatter,
    snapshots,
    train_live,
    transposed_matrix,
    upsampling,
)
from vizconv.ui.sections.explained import Explained
from vizconv.ui.sections.inputs import Lesson, lenet

__all__ = [
    "LESSONS",
    "TRANSPOSED_VIEWS",
    "WHY_LESSONS",
    "Explained",
    "Lesson",
    "builder_notes",
    "conv_matrix",
    "lenet",
    "lesson",
    "model_source",
    "quiz",
    "transposed_matrix",
    "transposed_view",
]

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
# The "Why it answered" page's lessons (vizconv.views.explain.LESSONS): each module's show(explained) draws one.
WHY_LESSONS: dict[str, ModuleType] = {
    "gradcam": cam_numbers,
    "methods": cam_methods,
    "occlusion": occlusion,
    "channel": channel_patches,
}


def lesson(section: str) -> ModuleType:
    """The module that draws lesson ``section`` (one of vizconv.views.pooling.SECTIONS or learning.LESSONS)."""
    return LESSONS[section]


def transposed_view(view: str) -> ModuleType:
    """The module that draws the Transposed page's ``view`` (one of vizconv.views.transposed.VIEWS)."""
    return TRANSPOSED_VIEWS[view]
