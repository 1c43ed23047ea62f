"""Class activation maps: which places of the input a class score rests on, at one layer, with the numbers.

For an input x, a class c with pre-softmax score y^c (the logit) and a layer whose output is A [K, h, w]
(K channels of h × w), every method here weighs the channels and adds them up::

    pre_relu[y, x] = Σ_k w_k · A_k[y, x]         map = ReLU(pre_relu)   (CAM: map = pre_relu)

and differs in the weights w:

- Grad-CAM (``grad_cam``): α_k = the mean over the map of ∂y^c/∂A_k, the score's gradient at the layer;
- Grad-CAM++: Σ_{i,j} a_k[i, j] · ReLU(∂y^c/∂A_k[i, j]), the paper's pixel coefficients a_k being
  g² / (2·g² + Σ_{a,b} A_k[a, b] · g³) with g = ∂y^c/∂A_k[i, j]. torchcam 0.5.0 leaves the denominator out (its
  in-place division acts on a copy), so its weights, and these, are Σ_{i,j} g² · ReLU(g) (tested: a torchcam
  that divides fails that test);
- LayerCAM: a weight per cell, ReLU(∂y^c/∂A_k[y, x]) (``weights`` is then [K, h, w]);
- Score-CAM: no gradient; each channel, min-max scaled to 0..1 and upsampled to the input, multiplies the
  (standardised) input, and w is the softmax over channels of the masked input's score less the input's score
  (K more forward passes, in batches);
- CAM: the final linear layer's weights of the class, W[c, k], for a model that ends in global average pooling
  and one linear layer, read at the pooling's input. There y^c = Σ_k W[c, k] · mean(A_k) + b_c, so the map's
  mean is the score less the bias.

``grad_cam`` computes Grad-CAM itself (one forward pass, one backward pass from the score to the layer);
``class_activation_map`` runs the other methods through torchcam (``torchcam.methods``) and returns the same
``CamExplanation``. Maps are kept as computed, at the layer's resolution, never scaled: ``normalized()`` is
torchcam's 0..1 scaling, ``upsampled(size)`` the bilinear upsampling to the input that Grad-CAM's paper and
torchcam's demo overlay.

Safe on a shared model: everything runs under the model's lock in eval mode (``vizconv.nets.capture.evaluating``,
the same lock as capture), the model's training flags are restored afterwards, also after an exception, and the
only hook on the model is ``vizconv.explain.tap``'s, removed in ``finally``. torchcam's own hooks go on a probe
module outside the shared model (``_Probed``), and no ``requires_grad`` of the model or of x is changed.

References: B. Zhou et al., "Learning Deep Features for Discriminative Localization" (CVPR 2016, CAM);
R. R. Selvaraju et al., "Grad-CAM: Visual Explanations from Deep Networks via Gradient-based Localization"
(ICCV 2017); A. Chattopadhyay et al., "Grad-CAM++" (WACV 2018); H. Wang et al., "Score-CAM" (CVPR Workshops 2020);
P.-T. Jiang et al., "LayerCAM" (IEEE TIP 2021); F.-G. Fernandez, TorchCAM (github.com/frgfm/torch-cam).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from vizconv.explain.errors import ExplainError
from vizconv.explain.tap import explained_class, one_input, resolve_layer, tapped
from vizconv.nets.capture import evaluating, modules_by_path
from vizconv.nets.layers import layer_table

__all__ = [
    "GRADIENT_METHODS",
    "METHODS",
    "CamExplanation",
    "CamTerm",
    "cam_layers",
    "class_activation_map",
    "grad_cam",
]

# method -> (torchcam class, whether the map is ReLU(pre_relu)); "gradcam" is grad_cam's own.
METHODS = {
    "gradcam": ("GradCAM", True),
    "gradcampp": ("GradCAMpp", True),
    "layercam": ("LayerCAM", True),
    "scorecam": ("ScoreCAM", True),
    "cam": ("CAM", False),  # torchcam's CAM (as the paper's) applies no ReLU
}
GRADIENT_METHODS = ("gradcam", "gradcampp", "layercam")
NORMALIZE_EPS = 1e-8  # torchcam's: (map − min) / (max − min + eps)


@dataclass(frozen=True)
class CamTerm:
    """One cell of the map written out: pre_relu[y, x] = Σ_k weights[k] · activations[k] (= products.sum())."""

    y: int
    x: int
    weights: torch.Tensor  # (K,) w_k (LayerCAM: the weight of this cell)
    activations: torch.Tensor  # (K,) A_k[y, x]
    products: torch.Tensor  # (K,) w_k · A_k[y, x]
    total: float  # Σ_k products = pre_relu[y, x]
    value: float  # map[y, x]: ReLU(total), or total for CAM


@dataclass(frozen=True, eq=False)
class CamExplanation:
    """A class activation map of one input at one layer, with what made it.

    ``map`` is the method's map at the layer's resolution as computed, never scaled to 0..1 (``normalized()`` is
    torchcam's scaling). For every method map = ReLU(pre_relu) (``relu``; CAM: map = pre_relu) with
    pre_relu = Σ_k weights[k] · activations[k].
    """

    method: str  # a key of METHODS
    layer: str  # the layer's name in the layer table ("layer3.2", "layer1.0.relu#2")
    class_index: int
    score: float  # the class's pre-softmax score (logit) for the input
    logits: torch.Tensor  # (n_classes,) every class's score
    activations: torch.Tensor  # (K, h, w) A: the layer's output
    gradients: torch.Tensor | None  # (K, h, w) ∂score/∂A; None for the methods without (Score-CAM, CAM)
    weights: torch.Tensor  # (K,) w_k (Grad-CAM: α_k = gradients[k].mean()); LayerCAM: (K, h, w), one per cell
    pre_relu: torch.Tensor  # (h, w) Σ_k w_k · A_k
    map: torch.Tensor  # (h, w) ReLU(pre_relu), or pre_relu where relu is False
    relu: bool
    input_size: tuple[int, int]  # (H, W) of the input

    @property
    def contributions(self) -> torch.Tensor:
        """(K, h, w) each channel's map times its weight, w_k · A_k: the terms pre_relu adds up."""
        weights = self.weights if self.weights.dim() == 3 else self.weights[:, None, None]
        return weights * self.activations

    def term(self, y: int, x: int) -> CamTerm:
        """Cell (y, x) of the map as its sum Σ_k w_k · A_k[y, x], each channel's product listed."""
        h, w = self.map.shape
        if not (0 <= y < h and 0 <= x < w):
            raise IndexError(f"cell ({y}, {x}) is outside the {h}×{w} map")
        weights = self.weights[:, y, x] if self.weights.dim() == 3 else self.weights
        activations = self.activations[:, y, x]
        products = weights * activations
        total = float(products.sum())
        return CamTerm(y, x, weights, activations, products, total, float(self.map[y, x]))

    def top_channels(self, n: int = 8, by: str = "contribution") -> list[int]:
        """The ``n`` channels that matter most, best first.

        ``by="contribution"``: largest |mean of w_k · A_k| (how much channel k moves the map's mean value, up or
        down); ``by="weight"``: largest w_k, signed (LayerCAM: its mean weight), the channels the class wants most.
        """
        if by == "contribution":
            key = self.contributions.mean(dim=(1, 2)).abs()
        elif by == "weight":
            key = self.weights.mean(dim=(1, 2)) if self.weights.dim() == 3 else self.weights
        else:
            raise ValueError(f"by must be 'contribution' or 'weight', not {by!r}")
        return key.argsort(descending=True, stable=True)[:n].tolist()

    def normalized(self) -> torch.Tensor:
        """(h, w) the map scaled to 0..1 as torchcam scales it: (map − min) / (max − min + 1e-8)."""
        shifted = self.map - self.map.min()
        return shifted / (shifted.max() + NORMALIZE_EPS)

    def upsampled(self, size: tuple[int, int] | None = None, normalized: bool = False) -> torch.Tensor:
        """(H, W) the map (0..1 scaled if ``normalized``) upsampled bilinearly to ``size`` (default: the input's),
        ``align_corners=False``: what is laid over the picture."""
        values = self.normalized() if normalized else self.map
        size = tuple(size) if size is not None else self.input_size
        return F.interpolate(values[None, None], size=size, mode="bilinear", align_corners=False)[0, 0]


def _explanation(
    method: str,
    layer: str,
    class_index: int,
    logits: torch.Tensor,
    activations: torch.Tensor,
    gradients: torch.Tensor | None,
    weights: torch.Tensor,
    cam: torch.Tensor | None,
    x: torch.Tensor,
) -> CamExplanation:
    relu, logits = METHODS[method][1], logits.detach()
    expand = weights if weights.dim() == 3 else weights[:, None, None]
    pre_relu = torch.nansum(expand * activations, dim=0)  # (h, w), as torchcam adds the channels up
    if cam is None:
        cam = F.relu(pre_relu) if relu else pre_relu
    return CamExplanation(
        method=method,
        layer=layer,
        class_index=class_index,
        score=float(logits[0, class_index]),
        logits=logits[0],
        activations=activations,
        gradients=gradients,
        weights=weights,
        pre_relu=pre_relu,
        map=cam,
        relu=relu,
        input_size=tuple(x.shape[-2:]),
    )


def grad_cam(
    model: nn.Module, x: torch.Tensor, layer: str | None = None, class_index: int | None = None
) -> CamExplanation:
    """Grad-CAM of class ``class_index`` (default: the predicted class) at ``layer`` (a layer table name, default
    the last layer with a map) for x [1, C, H, W] (as ``info.preprocess`` gives it; [C, H, W] is taken as a batch
    of one).

    One forward pass, in eval mode under the model's lock; from the layer on, autograd records it, and
    ``torch.autograd.grad`` takes the score's gradient at the layer's output (no parameter's ``.grad`` is
    touched). Then α_k = mean of ∂y^c/∂A_k and map = ReLU(Σ_k α_k · A_k).

    ParameterError for an unknown layer; ExplainError for a layer without a map, a class out of range, or a layer
    the score does not depend on.
    """
    x = one_input(x)
    row = resolve_layer(model, x, layer)
    with evaluating(model), tapped(model, row.name) as tap:
        tap.armed = True
        with torch.no_grad():  # autograd starts at the layer (the tap switches it on); off again after
            logits = model(x)
        class_index = explained_class(logits, class_index)
        activations = tap.output
        if activations is None or not logits.requires_grad:
            raise ExplainError("not_connected", layer=row.name)
        with torch.enable_grad():
            score = logits[0, class_index]
        (gradients,) = torch.autograd.grad(score, activations, allow_unused=True)
        if gradients is None:
            raise ExplainError("not_connected", layer=row.name)
    gradients = gradients[0]  # (K, h, w)
    weights = gradients.mean(dim=(1, 2))  # (K,) α_k
    activations = activations.detach()[0]  # (K, h, w)
    return _explanation("gradcam", row.name, class_index, logits, activations, gradients, weights, None, x)


def cam_layers(model: nn.Module, input_size: tuple[int, ...]) -> tuple[list[str], str]:
    """(the layers the original CAM can read, the path of the final linear layer) for an input of ``input_size``.

    The model must end in global average pooling to 1×1, perhaps a Flatten, and one Linear layer giving the
    scores; CAM reads what the pooling takes: the last layer with a map (a residual block's output, listed first,
    and its last ReLU call, the same tensor). ExplainError, which the page can show, for any other model.
    """
    rows = layer_table(model, tuple(input_size))
    maps = [i for i, row in enumerate(rows) if row.receptive_field is not None and row.shape[1] * row.shape[2] > 1]
    last = maps[-1] if maps else -1
    tail = rows[last + 1 :]
    kinds = [row.kind for row in tail]
    pooled = bool(tail) and tail[0].kind in ("AdaptiveAvgPool2d", "AvgPool2d") and tail[0].shape[1:] == (1, 1)
    fc = tail[-1].name if tail else ""
    if not maps or not pooled or kinds[1:] not in (["Linear"], ["Flatten", "Linear"]):
        raise ExplainError("cam_head", tail=" → ".join(kinds[-4:]) if kinds else rows[-1].kind)
    if not isinstance(modules_by_path(model).get(fc), nn.Linear):
        raise ExplainError("cam_head", tail=" → ".join(kinds))
    layers = [rows[last].name]
    if rows[last].kind in ("BasicBlock", "Bottleneck") and last > 0 and rows[last - 1].name.startswith(layers[0] + "."):
        layers.append(rows[last - 1].name)  # the block's last ReLU call: its output is the block's
    return layers, fc


class _Probed(nn.Module):
    """The shared model with a probe beside it, for torchcam: torchcam hooks ``probe`` (which ``tapped`` passes
    the layer's output through) and this wrapper, never the shared model. Built per call, discarded after."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model
        self.probe = nn.Identity()
        self.tap = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self.tap.calls = 0  # a new forward pass: count the tapped module's calls afresh
        return self.model(x)


def _extractor(method: str, probed: _Probed, fc: str | None, batch_size: int):
    from torchcam import methods

    cls = getattr(methods, METHODS[method][0])
    if method == "cam":
        return cls(probed, "probe", fc_layer=probed.model.get_submodule(fc))
    if method == "scorecam":
        return cls(probed, "probe", batch_size=batch_size)
    return cls(probed, "probe")


def class_activation_map(
    model: nn.Module,
    x: torch.Tensor,
    layer: str | None = None,
    method: str = "gradcam",
    class_index: int | None = None,
    *,
    batch_size: int = 32,
    via_torchcam: bool = False,
) -> CamExplanation:
    """The class activation map of ``method`` (a key of METHODS) for class ``class_index`` (default: the predicted
    class) at ``layer`` (default: the last layer with a map), for x [1, C, H, W] as ``info.preprocess`` gives it.

    "gradcam" is ``grad_cam`` (``via_torchcam``: torchcam's GradCAM instead, to check one with the other); the
    others run torchcam's extractor of that name (Score-CAM forwards its K masked
    inputs ``batch_size`` at a time). ``weights`` are the weights torchcam computed (read as its ``_get_weights``
    returns them), ``gradients`` the gradient torchcam took (gradient methods only), ``map`` torchcam's map with
    ``normalized=False``. "cam" needs a model ending in global average pooling and one linear layer, read at the
    pooling's input (``cam_layers``; default layer: the first of them): ExplainError otherwise, as for ``grad_cam``.
    """
    if method not in METHODS:
        raise ExplainError("method", value=str(method), methods=", ".join(METHODS))
    if method == "gradcam" and not via_torchcam:
        return grad_cam(model, x, layer, class_index)
    x = one_input(x)
    fc = None
    if method == "cam":
        readable, fc = cam_layers(model, tuple(x.shape))
        row = resolve_layer(model, x, readable[0] if layer is None else layer)
        if row.name not in readable:
            raise ExplainError("cam_layer", layer=row.name, expected=readable[0])
    else:
        row = resolve_layer(model, x, layer)
    with evaluating(model):
        probed = _Probed(model)
        with tapped(model, row.name, probe=probed.probe) as tap:
            probed.tap = tap
            with _extractor(method, probed, fc, batch_size) as extractor:  # removes torchcam's hooks on exit
                recorded: list[torch.Tensor] = []
                get_weights = extractor._get_weights

                def recording(*args, **kwargs):
                    weights = get_weights(*args, **kwargs)
                    recorded.append(weights[0][0].detach().clone())  # (K,) or LayerCAM's (K, h, w)
                    return weights

                extractor._get_weights = recording
                tap.armed = method in GRADIENT_METHODS
                with torch.no_grad():
                    logits = probed(x)
                class_index = explained_class(logits, class_index)
                if method in GRADIENT_METHODS and not logits.requires_grad:
                    raise ExplainError("not_connected", layer=row.name)
                with torch.enable_grad():
                    cam = extractor(class_idx=class_index, scores=logits, normalized=False)[0][0]
                activations = extractor.hook_a[0][0].detach()
                gradients = extractor.hook_g[0][0].detach() if method in GRADIENT_METHODS else None
    return _explanation(method, row.name, class_index, logits, activations, gradients, recorded[-1], cam.detach(), x)
