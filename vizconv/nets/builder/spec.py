"""One layer of the network builder: its kind and settings (checked, with defaults), the page's bounds on them,
and the torch module it stands for.

Settings are named as the constructors name them (``in_channels``, ``kernel_size``, ``num_features``,
``in_features``), so most layers are built by passing them on as they are.

References:
- Residual blocks are torchvision's ``BasicBlock`` and ``Bottleneck``
  (torchvision/models/resnet.py, "ResNet V1.5": the bottleneck's stride sits
  on its 3×3 convolution); where the stride is not 1 or the channel count
  changes, the shortcut is a 1×1 convolution with batch norm, as ResNet does.
- Pooling padding: torch refuses padding larger than half the window
  ("pad should be at most half of effective kernel size").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from torch import nn
from torchvision.models.resnet import BasicBlock, Bottleneck

from vizconv.errors import ParameterError
from vizconv.i18n.strings import Term
from vizconv.ops.geometry import as_int

__all__ = [
    "ACTIVATIONS",
    "BLOCKS",
    "CONVS",
    "INPUT_SIZE",
    "KINDS",
    "LIMITS",
    "MAP_KINDS",
    "MAX_LAYERS",
    "POOLS",
    "LayerSpec",
    "Shape",
    "block_out",
    "downsample",
    "kind_name",
    "layer",
    "limits",
    "to_module",
    "to_sequential",
]

Shape = tuple[int, ...]  # one example's shape: (C, H, W) for a feature map, (F,) for a vector

# kind -> its settings and their defaults, named and ordered as the constructor takes them
KINDS: dict[str, dict[str, object]] = {
    "conv2d": {
        "in_channels": 1,
        "out_channels": 6,
        "kernel_size": 3,
        "stride": 1,
        "padding": 0,
        "dilation": 1,
        "bias": True,
    },
    "conv1x1": {"in_channels": 1, "out_channels": 6, "stride": 1, "bias": True},  # kernel 1: mixes channels only
    "maxpool": {"kernel_size": 2, "stride": 2, "padding": 0},
    "avgpool": {"kernel_size": 2, "stride": 2, "padding": 0},
    "activation": {"function": "relu"},
    "batchnorm2d": {"num_features": 6},
    "flatten": {},
    "linear": {"in_features": 400, "out_features": 10, "bias": True},
    "basic_block": {"in_channels": 64, "out_channels": 64, "stride": 1},
    "bottleneck": {"in_channels": 256, "width": 64, "stride": 1},  # out: width * 4 channels
}
# the widgets' bounds on the page (torch itself has no upper limits; the builder runs on the meta device)
LIMITS: dict[str, tuple[int, int]] = {
    "input": (1, 4096),
    "in_channels": (1, 16384),
    "out_channels": (1, 4096),
    "num_features": (1, 16384),
    "width": (1, 1024),
    "kernel_size": (1, 31),
    "stride": (1, 8),
    "padding": (0, 15),
    "dilation": (1, 8),
    "in_features": (1, 100_000_000),
    "out_features": (1, 100_000),
}
MAX_LAYERS = 64  # the longest stack the page builds and a link carries
ACTIVATIONS = {"relu": "ReLU", "leaky_relu": "LeakyReLU", "sigmoid": "Sigmoid", "tanh": "Tanh", "gelu": "GELU"}
CONVS = ("conv2d", "conv1x1")
POOLS = ("maxpool", "avgpool")
BLOCKS = ("basic_block", "bottleneck")
MAP_KINDS = (*CONVS, *POOLS, "batchnorm2d", *BLOCKS)  # the kinds that need a feature map [C, H, W]
# kind -> its setting that must equal the incoming size (what fit_to sets; what "fit to the stack" fills in)
INPUT_SIZE = {kind: "in_channels" for kind in (*CONVS, *BLOCKS)} | {
    "batchnorm2d": "num_features",
    "linear": "in_features",
}
_MINIMUM = {"padding": 0}  # every other number is at least 1


def kind_name(kind: str) -> Term:
    """The kind's name in messages ("Layer 3 (Conv2d): …"), in the message's language."""
    return Term(f"nb.kind.{kind}")  # catalogue: nb.kind.<…> (10 keys: nb.kind.conv2d … nb.kind.bottleneck)


def limits(kind: str, name: str) -> tuple[int, int]:
    """The page's bounds for setting ``name`` of a ``kind`` layer (the Add form's and a link's): LIMITS, except
    that a pooling stride may be as large as any window, since PyTorch's default stride is the window."""
    if name == "stride" and kind in POOLS:
        return LIMITS["kernel_size"]
    return LIMITS[name]


def _checked(name: str, value: object) -> object:
    """One setting's value, checked (numbers as ints)."""
    if name == "bias":
        if not isinstance(value, bool):
            raise ParameterError("nb.err.not_bool", name=name, value=repr(value))
        return value
    if name == "function":
        if value not in ACTIVATIONS:
            raise ParameterError("nb.err.activation", value=repr(value), names=", ".join(ACTIVATIONS))
        return value
    return as_int(value, name, _MINIMUM.get(name, 1))


@dataclass(frozen=True)
class LayerSpec:
    """One layer of the stack: its kind and its settings (checked and completed with defaults)."""

    kind: str  # one of KINDS
    params: dict = field(default_factory=dict)  # setting -> value; missing ones take KINDS' defaults

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or self.kind not in KINDS:
            raise ParameterError("nb.err.kind", value=repr(self.kind), kinds=", ".join(KINDS))
        defaults = KINDS[self.kind]
        unknown = [name for name in self.params if name not in defaults]
        if unknown:
            raise ParameterError(
                "nb.err.unknown_param",
                layer=kind_name(self.kind),
                name=unknown[0],
                names=", ".join(defaults) or "—",
            )
        params = {name: _checked(name, self.params.get(name, default)) for name, default in defaults.items()}
        if self.kind in POOLS and params["padding"] > params["kernel_size"] // 2:
            raise ParameterError(
                "nb.err.pool_padding",
                layer=kind_name(self.kind),
                padding=params["padding"],
                kernel=params["kernel_size"],
                half=params["kernel_size"] // 2,
            )
        object.__setattr__(self, "params", params)

    def __hash__(self) -> int:
        return hash((self.kind, tuple(self.params.items())))

    def replace(self, **changes: object) -> LayerSpec:
        """The same layer with some settings changed (checked again)."""
        return LayerSpec(self.kind, {**self.params, **changes})


def layer(kind: str, **params: object) -> LayerSpec:
    """LayerSpec(kind, params): ``layer("conv2d", in_channels=1, out_channels=6, kernel_size=5)``."""
    return LayerSpec(kind, params)


# ---------------------------------------------------------------- the torch module


def block_out(spec: LayerSpec) -> int:
    """The channels a residual block puts out (a bottleneck: ``width`` × 4)."""
    p = spec.params
    return p["out_channels"] if spec.kind == "basic_block" else p["width"] * Bottleneck.expansion


def downsample(in_channels: int, out_channels: int, stride: int) -> nn.Sequential | None:
    """ResNet's projection shortcut, when the block changes the size or the channel count."""
    if stride == 1 and in_channels == out_channels:
        return None
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False),
        nn.BatchNorm2d(out_channels),
    )


def to_module(spec: LayerSpec) -> nn.Module:
    """The torch module for one layer (on the current default device)."""
    p, kind = spec.params, spec.kind
    if kind == "conv2d":
        return nn.Conv2d(**p)
    if kind == "conv1x1":
        return nn.Conv2d(kernel_size=1, **p)
    if kind in POOLS:
        return (nn.MaxPool2d if kind == "maxpool" else nn.AvgPool2d)(**p)
    if kind == "activation":
        return getattr(nn, ACTIVATIONS[p["function"]])()
    if kind == "batchnorm2d":
        return nn.BatchNorm2d(**p)
    if kind == "flatten":
        return nn.Flatten()
    if kind == "linear":
        return nn.Linear(**p)
    shortcut = downsample(p["in_channels"], block_out(spec), p["stride"])
    if kind == "basic_block":
        return BasicBlock(p["in_channels"], p["out_channels"], stride=p["stride"], downsample=shortcut)
    return Bottleneck(p["in_channels"], p["width"], stride=p["stride"], downsample=shortcut)


def to_sequential(specs: Sequence[LayerSpec]) -> nn.Sequential:
    """nn.Sequential of every layer, children named "0", "1", … as in the exported code."""
    return nn.Sequential(*(to_module(spec) for spec in specs))
