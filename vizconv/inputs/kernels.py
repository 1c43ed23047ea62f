"""Kernel presets: classic image filters and seeded random kernels.

``make_kernel(name, kh, kw)`` gives one 2-D kernel; ``make_weight`` fills a
whole [C_out, C_in/groups, kH, kW] weight from a preset. The fixed 3x3
filters are placed at the centre of larger kernels (zeros around them, which
computes the same thing over a larger window).
"""

from __future__ import annotations

import math
from functools import cache

import torch

from vizconv.errors import ParameterError

__all__ = [
    "FIXED_3X3",
    "KERNEL_PRESETS",
    "LEARNED_PRESETS",
    "VARIED_ORDER",
    "available_presets",
    "learned_filters",
    "make_kernel",
    "make_weight",
]

FIXED_3X3: dict[str, list[list[float]]] = {
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "sobel_x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],  # responds to left-to-right brightening
    "sobel_y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],  # responds to top-to-bottom brightening
    "laplacian": [[0, 1, 0], [1, -4, 1], [0, 1, 0]],
    "emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
}
SIZED = ("identity", "box_blur", "gaussian", "random_int", "random_normal")
KERNEL_PRESETS = ("identity", "box_blur", "gaussian", *FIXED_3X3, "random_int", "random_normal")
# Filters a trained network learned: preset name -> (bundled model, module path of its first conv layer).
LEARNED_PRESETS = {"lenet5_conv1": ("lenet5", "0"), "resnet20_conv1": ("resnet20", "conv1")}
# "A different preset for each kernel" cycles through these.
VARIED_ORDER = ("sobel_x", "sobel_y", "laplacian", "sharpen", "gaussian", "emboss", "box_blur", "identity")


def available_presets(kh: int, kw: int) -> tuple[str, ...]:
    """Presets that fit a kH x kW kernel (the fixed 3x3 filters need at least 3x3; learned ones their own size)."""
    fitting = KERNEL_PRESETS if kh >= 3 and kw >= 3 else tuple(name for name in KERNEL_PRESETS if name in SIZED)
    learned = []
    for name in LEARNED_PRESETS:
        filters = learned_filters(name)
        if filters is not None and tuple(filters.shape[2:]) == (kh, kw):
            learned.append(name)
    return fitting + tuple(learned)


@cache
def learned_filters(name: str) -> torch.Tensor | None:
    """The first-layer filters [K, C_in, kH, kW] of a bundled trained model; None if it cannot be loaded."""
    from vizconv.nets.capture import modules_by_path  # late: only these presets need a model
    from vizconv.nets.models import ModelError, load_model

    model_name, path = LEARNED_PRESETS[name]
    try:
        model, _ = load_model(model_name)
    except ModelError:
        return None
    return modules_by_path(model)[path].weight.detach().clone()


def _gaussian_1d(size: int) -> torch.Tensor:
    sigma = max(size / 4.0, 0.5)
    positions = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    values = torch.exp(-(positions**2) / (2 * sigma**2))
    return values / values.sum()


def make_kernel(name: str, kh: int, kw: int, seed: int = 0) -> torch.Tensor:
    """Preset ``name`` as a float32 kernel [kH, kW]."""
    if name in LEARNED_PRESETS:
        filters = _learned(name, kh, kw)
        return filters[seed % len(filters), 0].clone()
    if name not in KERNEL_PRESETS:
        raise ParameterError("err.kernel_preset", value=repr(name), presets=", ".join(KERNEL_PRESETS))
    if kh < 1 or kw < 1:
        raise ParameterError("err.empty_weight", shape=[kh, kw])
    if name == "identity":
        kernel = torch.zeros(kh, kw)
        kernel[(kh - 1) // 2, (kw - 1) // 2] = 1.0
    elif name == "box_blur":
        kernel = torch.full((kh, kw), 1.0 / (kh * kw))
    elif name == "gaussian":
        kernel = torch.outer(_gaussian_1d(kh), _gaussian_1d(kw)).float()
    elif name in ("random_int", "random_normal"):
        generator = torch.Generator().manual_seed(seed)
        if name == "random_int":
            kernel = torch.randint(-1, 2, (kh, kw), generator=generator).float()
        else:
            kernel = torch.randn(kh, kw, generator=generator) / math.sqrt(kh * kw)
    else:
        if kh < 3 or kw < 3:
            raise ParameterError("err.kernel_too_small_for_preset", preset=name, kh=kh, kw=kw)
        kernel = torch.zeros(kh, kw)
        top, left = (kh - 3) // 2, (kw - 3) // 2
        kernel[top : top + 3, left : left + 3] = torch.tensor(FIXED_3X3[name])
    return kernel.float()


def _learned(name: str, kh: int, kw: int) -> torch.Tensor:
    filters = learned_filters(name)
    if filters is None:
        raise ParameterError("err.kernel_preset", value=repr(name), presets=", ".join(KERNEL_PRESETS))
    if tuple(filters.shape[2:]) != (kh, kw):
        raise ParameterError("err.kernel_learned_size", preset=name, size=f"{filters.shape[2]}×{filters.shape[3]}")
    return filters


def make_weight(
    preset: str, out_channels: int, channels_per_group: int, kh: int, kw: int, seed: int = 0, varied: bool = False
) -> torch.Tensor:
    """A weight [C_out, C_in/groups, kH, kW] filled from a preset.

    Every input channel of a kernel gets the same 2-D filter, so channel sums
    add up the filter's response on each channel. With ``varied``, kernel 0
    uses ``preset`` and the next kernels the presets of VARIED_ORDER that fit,
    in order, skipping ``preset`` (cycling). Random presets draw a different
    kernel for every (output, input) channel pair from one seed, and learned
    presets give kernel i the network's filter i (cycling): both already differ
    from kernel to kernel, so ``varied`` does not apply to them.
    """
    weight = torch.empty(out_channels, channels_per_group, kh, kw)  # (C_out, C_in/groups, kH, kW)
    varied = varied and preset in VARIED_ORDER
    order = [preset] + [name for name in VARIED_ORDER if name != preset and name in available_presets(kh, kw)]
    for oc in range(out_channels):
        name = order[oc % len(order)] if varied else preset
        for ic in range(channels_per_group):
            if name in LEARNED_PRESETS:  # the network's filter oc, its input channel ic (both cycling)
                filters = _learned(name, kh, kw)
                weight[oc, ic] = filters[oc % filters.shape[0], ic % filters.shape[1]]
            else:
                weight[oc, ic] = make_kernel(name, kh, kw, seed=seed + 1000 * oc + ic)
    return weight
