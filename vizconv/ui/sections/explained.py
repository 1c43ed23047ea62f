"""What the lessons of the "Why it answered" page share: the model, the picture it reads, its prediction, the
class explained and the layer, chosen in the page's sidebar."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from vizconv.ui.url_state import WidgetMemory
from vizconv.views.explain import Prediction

__all__ = ["Explained"]


@dataclass(frozen=True)
class Explained:
    """One picture read by one model: the page's ``memory`` (prefix ``why``), the ``model`` and its ``info``, the
    ``prediction``, the picture as the model sees it (``seen``, H × W × 3 uint8), the class explained and its
    name, the layer with a map chosen (a layer-table name) and every such layer, and the chosen layer's channels."""

    memory: WidgetMemory
    name: str  # the model's name (vizconv.nets.zoo's), "onnx" for the student's own file
    model: torch.nn.Module
    info: object  # vizconv.nets.zoo.ModelInfo
    prediction: Prediction
    seen: np.ndarray
    class_index: int
    class_name: str
    layer: str
    layers: tuple[str, ...]
    layer_channels: int  # channels of the layer's output (its maps)
    weights: str = "bundled"  # "random", or "onnx" for the student's ONNX file (vizconv.ui.sections.model_source)
