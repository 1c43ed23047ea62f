"""Activation functions applied to a feature map: before, after, and what they removed.

ReLU keeps positive responses and sets the rest to zero ("removes weak
responses"); Leaky ReLU keeps a small slope for negatives; Sigmoid and Tanh
squash every value into (0, 1) or (−1, 1); GELU weighs a value by how likely
it is to be positive under a standard normal. The maps are computed with
``torch.nn.functional``, exactly as a network applies them.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from vizconv.errors import ParameterError

__all__ = ["ACTIVATIONS", "ActivationResult", "activate", "activation_latex", "histogram"]

ACTIVATIONS = ("relu", "leaky_relu", "sigmoid", "tanh", "gelu")

_LATEX = {
    "relu": r"\mathrm{ReLU}(x) = \max(0, x)",
    "leaky_relu": r"\mathrm{LeakyReLU}(x) = \begin{cases} x & x \ge 0 \\ {slope}\,x & x < 0 \end{cases}",
    "sigmoid": r"\sigma(x) = \frac{1}{1 + e^{-x}}",
    "tanh": r"\tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
    "gelu": r"\mathrm{GELU}(x) = x \, \Phi(x) \quad (\Phi: \text{standard normal CDF})",
}


@dataclass(frozen=True)
class ActivationResult:
    """A feature map before and after an activation."""

    name: str
    before: torch.Tensor  # (H, W) or (C, H, W)
    after: torch.Tensor  # same shape
    zeroed: float  # fraction of values that were not zero before and are exactly zero after
    negative: float  # fraction of values below zero before

    @property
    def changed(self) -> float:
        """Fraction of values the activation changed at all."""
        return float((self.before != self.after).float().mean())


def activate(x: torch.Tensor, name: str, negative_slope: float = 0.01) -> ActivationResult:
    """Apply activation ``name`` to x; ParameterError for an unknown name or a slope outside [0, 1)."""
    if name not in ACTIVATIONS:
        raise ParameterError("err.activation", value=repr(name), names=", ".join(ACTIVATIONS))
    if not 0 <= negative_slope < 1:
        raise ParameterError("err.leaky_slope", value=negative_slope)
    x = x.float()
    if name == "relu":
        after = F.relu(x)
    elif name == "leaky_relu":
        after = F.leaky_relu(x, negative_slope)
    elif name == "sigmoid":
        after = torch.sigmoid(x)
    elif name == "tanh":
        after = torch.tanh(x)
    else:
        after = F.gelu(x)
    zeroed = float(((x != 0) & (after == 0)).float().mean())
    return ActivationResult(name=name, before=x, after=after, zeroed=zeroed, negative=float((x < 0).float().mean()))


def activation_latex(name: str, negative_slope: float = 0.01) -> str:
    """The activation's formula as LaTeX."""
    return _LATEX[name].replace("{slope}", f"{negative_slope:g}")


def histogram(values: torch.Tensor, bins: int = 40, low: float | None = None, high: float | None = None) -> dict:
    """Counts of ``values`` in ``bins`` equal bins: {"centres": [...], "counts": [...], "width": w}."""
    values = values.detach().float().flatten()
    low = float(values.min()) if low is None else low
    high = float(values.max()) if high is None else high
    if high <= low:
        high = low + 1.0
    counts = torch.histc(values, bins=bins, min=low, max=high)
    width = (high - low) / bins
    centres = [low + (i + 0.5) * width for i in range(bins)]
    return {"centres": centres, "counts": [int(c) for c in counts.tolist()], "width": width}
