"""``load_onnx_model``: a student's ONNX file as a torch module and the ModelInfo every model has.

The bytes are read and checked (``checks.read_model``), the graph's one input is read as one picture
([1, C, H, W], or [1, H, W, C] as Keras models via tf2onnx take it, with C = 1 or 3; the batch 1 or symbolic),
ONNX's shape inference runs, and the graph is converted (``convert.convert``); every shape the conversion found
is checked against the one inference found. The ModelInfo says how a picture becomes the input (the
preprocessing the student chose, ``PREPROCESSING``; ``guess_preprocessing`` proposes one from the input's size),
names the classes (a text with one name per line, checked against the output's size) and carries a card that
says where the model came from: an uploaded ONNX file, its sha256, opset, producer, node count.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
import torchvision.transforms.functional as TF
from onnx import ModelProto, TensorProto
from PIL import Image
from torch import nn

from vizconv.nets.onnx.checks import Limits, infer_shapes, read_model
from vizconv.nets.onnx.convert import convert
from vizconv.nets.onnx.errors import OnnxError, examples
from vizconv.nets.onnx.ops import CONVERTERS
from vizconv.nets.zoo import IMAGENET, MNIST, ModelInfo, preprocess_digit

__all__ = [
    "MAX_CLASS_NAME",
    "PREPROCESSING",
    "guess_preprocessing",
    "load_onnx_model",
    "preprocessing",
    "read_class_names",
    "supported_operators",
]

PREPROCESSING = ("none", "unit", "imagenet", "mnist")  # 0..255, 0..1, ImageNet's mean/std, MNIST's digits
CHANNELS = (1, 3)  # grey or RGB pictures
MAX_CLASS_NAME = 200  # characters of one class name
IMAGENET_RESIZE = 256 / 224  # torchvision's ImageNet preprocessing: resize to 256, centre crop 224


def supported_operators() -> tuple[str, ...]:
    """The ONNX operators vizconv converts, in alphabetical order."""
    return tuple(sorted(CONVERTERS))


def guess_preprocessing(input_size: tuple[int, int, int]) -> str:
    """A sensible preprocessing for a model that takes ``input_size`` (C, H, W): "mnist" for one channel of
    28×28 (MNIST's digits), "imagenet" for three channels of at least 64×64 (most such models were trained on
    ImageNet, standardised with its mean and std), else "unit" (values 0..1)."""
    channels, height, width = input_size
    if channels == 1 and (height, width) == (28, 28):
        return "mnist"
    if channels == 3 and min(height, width) >= 64:
        return "imagenet"
    return "unit"


def _centre_crop(image: Image.Image, height: int, width: int) -> Image.Image:
    """The largest centred part of ``image`` with the aspect ratio width:height."""
    scale = min(image.width / width, image.height / height)
    w, h = max(1, round(width * scale)), max(1, round(height * scale))
    left, top = (image.width - w) // 2, (image.height - h) // 2
    return image.crop((left, top, left + w, top + h))


def _pixels(image: Image.Image, channels: int) -> torch.Tensor:
    """A PIL image as [1, C, H, W] on 0..1."""
    mode = "L" if channels == 1 else "RGB"
    array = np.asarray(image.convert(mode), dtype=np.float32) / 255.0
    x = torch.from_numpy(array)
    return (x[None] if channels == 1 else x.permute(2, 0, 1))[None]


def preprocessing(
    kind: str, input_size: tuple[int, int, int]
) -> tuple[Callable[[Image.Image], torch.Tensor], tuple[float, ...], tuple[float, ...]]:
    """How a picture becomes the input [1, C, H, W] for ``kind`` (one of PREPROCESSING), with the mean and std
    it standardises with (per channel, on 0..1: what ``ModelInfo.to_image`` undoes).

    "none": pixels 0..255; "unit": 0..1; both the picture's centre at the input's aspect ratio, resized.
    "imagenet": resized so the shorter side is 256/224 of the input's, centre-cropped, standardised with
    ImageNet's mean and std (torchvision's weights' transforms). "mnist": a digit as MNIST shows them
    (``preprocess_digit``), resized to the input's size when it is not 28×28.
    """
    if kind not in PREPROCESSING:
        raise OnnxError("preprocessing", value=repr(kind)[:40], options=", ".join(PREPROCESSING))
    channels, height, width = input_size
    if kind == "imagenet":
        mean = IMAGENET.mean if channels == 3 else (sum(IMAGENET.mean) / 3,)
        std = IMAGENET.std if channels == 3 else (sum(IMAGENET.std) / 3,)
    elif kind == "mnist":
        mean, std = MNIST.mean * channels, MNIST.std * channels
    else:
        mean, std = (0.0,) * channels, ((1 / 255) if kind == "none" else 1.0,) * channels
    mean_t = torch.tensor(mean).view(1, -1, 1, 1)
    std_t = torch.tensor(std).view(1, -1, 1, 1)

    def standardised(x: torch.Tensor) -> torch.Tensor:
        return ((x - mean_t) / std_t).contiguous()

    if kind == "mnist":

        def preprocess(image: Image.Image) -> torch.Tensor:
            x = preprocess_digit(image)  # (1, 1, 28, 28), standardised with MNIST's mean and std
            if (height, width) != (28, 28):
                x = F.interpolate(x, size=(height, width), mode="bilinear", align_corners=False)
            return x.expand(1, channels, height, width).contiguous()

    elif kind == "imagenet":

        def preprocess(image: Image.Image) -> torch.Tensor:
            side = max(round(min(height, width) * IMAGENET_RESIZE), height, width)
            resized = TF.resize(image.convert("RGB"), side, interpolation=TF.InterpolationMode.BILINEAR)
            return standardised(_pixels(TF.center_crop(resized, [height, width]), channels))

    else:

        def preprocess(image: Image.Image) -> torch.Tensor:
            square = _centre_crop(image.convert("RGB"), height, width)
            return standardised(_pixels(square.resize((width, height), Image.Resampling.LANCZOS), channels))

    return preprocess, tuple(mean), tuple(std)


def read_class_names(text: str | bytes | None, count: int) -> list[str] | None:
    """Class names from a text with one per line (blank lines at the end ignored), checked to be ``count``;
    None when there is no text."""
    if text is None:
        return None
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8-sig", "replace")
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if len(lines) > 100_000 or len(lines) != count:
        raise OnnxError("class_names_count", given=len(lines), expected=count)
    names = [line.strip()[:MAX_CLASS_NAME] for line in lines]
    if empty := [str(i + 1) for i, name in enumerate(names) if not name]:
        raise OnnxError("class_names_empty", lines=examples(empty))
    return names


def _input(model: ModelProto, input_size: tuple[int, int, int] | None, limits: Limits) -> tuple[tuple[int, ...], bool]:
    """The graph's one input as (shape [1, C, H, W] the module takes, whether the graph reads NHWC); the
    input's symbolic height and width (and batch) are set in ``model`` to the sizes used."""
    graph = model.graph
    initializers = {t.name for t in graph.initializer}
    inputs = [i for i in graph.input if i.name not in initializers]
    if len(inputs) != 1:
        raise OnnxError("inputs", count=len(inputs), names=examples([i.name for i in inputs]))
    if len(graph.output) != 1:
        raise OnnxError("outputs", count=len(graph.output), names=examples([o.name for o in graph.output]))
    value = inputs[0]
    tensor = value.type.tensor_type
    if tensor.elem_type != TensorProto.FLOAT:
        raise OnnxError("input_type", name=value.name, dtype=TensorProto.DataType.Name(tensor.elem_type).lower())
    dims = [d.dim_value if d.HasField("dim_value") else None for d in tensor.shape.dim]
    shown = [d if d is not None else "?" for d in dims]
    if not tensor.HasField("shape") or len(dims) != 4:
        raise OnnxError("input_shape", name=value.name, shape=str(shown))
    if dims[0] not in (None, 1):
        raise OnnxError("input_batch", name=value.name, batch=dims[0])
    nhwc = dims[1] not in CHANNELS and dims[3] in CHANNELS
    channels, height, width = (dims[3], dims[1], dims[2]) if nhwc else (dims[1], dims[2], dims[3])
    if channels not in CHANNELS:
        raise OnnxError("input_shape", name=value.name, shape=str(shown))
    if input_size is not None:
        if input_size[0] != channels or any(
            d is not None and d != s for d, s in zip((height, width), input_size[1:], strict=True)
        ):
            raise OnnxError("input_size_mismatch", name=value.name, shape=str(shown), size=list(input_size))
        height, width = input_size[1], input_size[2]
    if height is None or width is None:
        raise OnnxError("input_size_unknown", name=value.name, shape=str(shown))
    if not (1 <= height <= limits.max_side and 1 <= width <= limits.max_side):
        raise OnnxError("input_too_large", name=value.name, height=height, width=width, limit=limits.max_side)
    concrete = (1, height, width, channels) if nhwc else (1, channels, height, width)
    for dim, size in zip(tensor.shape.dim, concrete, strict=True):
        dim.dim_value = size  # symbolic sizes fixed for shape inference (the proto is this call's own)
    return (1, channels, height, width), nhwc


def _inferred(model: ModelProto) -> dict[str, list[int | None]]:
    """Every value's shape as ONNX's shape inference finds it (None for a dimension it leaves open)."""
    inferred = infer_shapes(model)
    shapes = {}
    for info in (*inferred.graph.value_info, *inferred.graph.output):
        tensor = info.type.tensor_type
        if tensor.HasField("shape"):
            shapes[info.name] = [d.dim_value if d.HasField("dim_value") else None for d in tensor.shape.dim]
    return shapes


def _check_shapes(found: dict[str, tuple[int, ...]], inferred: dict[str, list[int | None]]) -> None:
    """OnnxError where the converted graph's shape of a value is not the one ONNX infers (a mode torch computes
    otherwise, or a converter's mistake): a model that would show wrong numbers is refused instead."""
    for name, shape in found.items():
        expected = inferred.get(name)
        if expected is None:
            continue
        if len(expected) != len(shape) or any(e is not None and e != s for e, s in zip(expected, shape, strict=False)):
            shown = [e if e is not None else "?" for e in expected]
            raise OnnxError("shape_mismatch", value=name, expected=str(shown), got=list(shape))


def _classes(output: tuple[int, ...], class_names: str | bytes | None, input_size: tuple[int, int, int]) -> list[str]:
    """The class names: the given ones (checked), else ImageNet's for 1000 scores, digits for 10 scores from a
    28×28 digit, else numbers; [] when the output is not one score per class."""
    scores = math.prod(output[1:]) if output and output[0] == 1 and all(d == 1 for d in output[2:]) else None
    if scores is None or len(output) < 2:
        if class_names:
            raise OnnxError("class_names_not_scores", shape=list(output))
        return []
    named = read_class_names(class_names, scores)
    if named is not None:
        return named
    if scores == len(IMAGENET.classes):
        return list(IMAGENET.classes)
    if scores == 10 and input_size[1:] == (28, 28):
        return list(MNIST.classes)
    return [str(i) for i in range(scores)]


def _samples(kind: str, input_size: tuple[int, int, int]) -> str:
    """Which of vizconv's sample pictures suit the model (a dataset name the Feature maps page knows)."""
    if kind == "mnist" or input_size[0] == 1:
        return "mnist"
    return "cifar10" if input_size[1:] == (32, 32) else "ImageNet-1K"


def load_onnx_model(
    data: bytes,
    *,
    name: str = "ONNX model",
    preprocess: str | None = None,
    class_names: str | bytes | None = None,
    input_size: tuple[int, int, int] | None = None,
    limits: Limits | None = None,
    max_bytes: int | None = None,
) -> tuple[nn.Module, ModelInfo]:
    """An ONNX model file's bytes as (module in eval mode, ModelInfo); OnnxError (a ValueError) with a message
    for a student when it cannot be loaded.

    The module is a ``torch.fx.GraphModule`` that takes the graph's input as [1, C, H, W] (also where the graph
    reads [1, H, W, C]) and returns the graph's output; each ONNX Conv is an ``nn.Conv2d`` submodule, in graph
    order. ``preprocess``: one of PREPROCESSING (None: ``guess_preprocessing``). ``class_names``: a text, one
    name per line (None: ImageNet's for 1000 scores, else numbers). ``input_size`` (C, H, W): for a graph whose
    height and width are symbolic. ``limits`` (``Limits``; ``max_bytes`` alone overrides its file size).
    The model is new: nothing shared is changed, so the page keeps it in the student's session only.
    """
    limits = limits or Limits()
    if max_bytes is not None:
        limits = Limits(**{**limits.__dict__, "max_bytes": max_bytes})
    if preprocess is not None and preprocess not in PREPROCESSING:
        raise OnnxError("preprocessing", value=repr(preprocess)[:40], options=", ".join(PREPROCESSING))
    model = read_model(data, limits, CONVERTERS)
    shape, nhwc = _input(model, input_size, limits)
    inferred = _inferred(model)
    converted = convert(model, shape, nhwc, limits)
    _check_shapes(converted.shapes, inferred)
    size = tuple(shape[1:])
    kind = preprocess or guess_preprocessing(size)
    transform, mean, std = preprocessing(kind, size)
    classes = _classes(converted.output_shape, class_names, size)
    module = converted.module
    opset = next(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    card = {
        "source": "onnx",
        "format": "ONNX",
        "sha256": hashlib.sha256(data).hexdigest(),
        "bytes": len(data),
        "opset": opset,
        "ir_version": model.ir_version,
        "producer": f"{model.producer_name} {model.producer_version}".strip(),
        "graph": model.graph.name,
        "nodes": len(model.graph.node),
        "input": _input_name(model),
        "layout": "NHWC" if nhwc else "NCHW",
        "output": model.graph.output[0].name,
        "output_shape": list(converted.output_shape),
        "preprocessing": kind,
        "preprocessing_guessed": preprocess is None,
        "class_names": "given" if class_names else "default",
        "parameters": sum(p.numel() for p in module.parameters()),
        "convolutions": sum(isinstance(m, nn.Conv2d) for m in module.modules()),
        "macs": converted.macs,
        "memory_mb": round(converted.memory / 2**20, 1),
        "samples": _samples(kind, size),
    }
    return module, ModelInfo(name, classes, size, transform, card, mean, std)


def _input_name(model: ModelProto) -> str:
    initializers = {t.name for t in model.graph.initializer}
    return next(i.name for i in model.graph.input if i.name not in initializers)
