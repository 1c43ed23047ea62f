"""Helpers for tests (not a test module)."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import torch
from hypothesis import strategies as st
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest
from torch import nn

from vizconv import trace_conv2d
from vizconv.nets.builder import ACTIVATIONS, KINDS, PRESETS, LayerSpec, build_stack, fit_to, layer
from vizconv.ops.geometry import PADDING_MODES

ROOT = Path(__file__).resolve().parent.parent
# Every page's file, once (AppTest's switch_page takes it), and its address in the browser (the file's name after
# the number: Streamlit's URL path).
CONV = "pages/1_Convolution_卷积.py"
FEATURES = "pages/2_Feature_maps_特征图.py"
POOL = "pages/3_Pooling_and_activations_池化与激活.py"
TCONV = "pages/4_Transposed_convolution_转置卷积.py"
BUILDER = "pages/5_Network_builder_搭建网络.py"
LEARNING = "pages/6_Learning_学习.py"
WHY = "pages/7_Why_it_answered_为什么.py"
MORE = "pages/8_More_convolutions_更多卷积.py"
PAGE_FILES = (CONV, FEATURES, POOL, TCONV, BUILDER)


def onnx_bytes(model: nn.Module, shape: tuple[int, ...], **options) -> bytes:
    """``model`` (eval mode) as ONNX bytes from torch's TorchScript-based exporter (``dynamo=False``: the new
    exporter needs ``onnxscript``, which is not installed), as a student's ``torch.onnx.export`` writes it."""
    import io
    import warnings

    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's deprecation notice
        torch.onnx.export(model.eval(), (torch.randn(shape),), buffer, dynamo=False, **options)
    return buffer.getvalue()


def page_url(page: str) -> str:
    """The browser's path of a page file: "pages/1_Convolution_卷积.py" -> "/Convolution_卷积"."""
    return "/" + Path(page).stem.split("_", 1)[1]


ROOT_FILES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "vizconv").rglob("*.py")])


def open_page(path: str, query: dict[str, str] | None = None, **state) -> AppTest:
    """Page ``path`` (relative to the app, e.g. ``pages/1_...py``) run once through ``app.py`` with the
    given session state (and ``query``: the URL's query parameters), checked for exceptions."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for key, value in state.items():
        at.session_state[key] = value
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(path).run()
    assert not at.exception, at.exception
    return at


def metric(at: AppTest, label_start: str) -> str:
    """The value of the first metric whose label starts with ``label_start``."""
    return next(m.value for m in at.metric if m.label.startswith(label_start))


def markdown_table(at: AppTest, first_header: str) -> list[list[str]]:
    """The rows of the page's Markdown table whose first column is headed ``first_header`` (header row first),
    each cell as it reads on the page (Markdown escapes undone)."""
    cell = re.compile(r"((?:\\.|[^|\\])*)\|")  # a cell, up to its "|": escaped characters or anything but "|"
    for element in at.markdown:
        lines = element.value.splitlines()
        if len(lines) < 2 or not lines[0].startswith("|"):
            continue
        rows = [[re.sub(r"\\(.)", r"\1", c).strip() for c in cell.findall(line.strip()[1:])] for line in lines]
        if rows[0][0] == first_header:
            return [rows[0], *rows[2:]]  # without the alignment row
    raise AssertionError(f"no Markdown table headed {first_header!r}")


def animator_data(at: AppTest, index: int = 0) -> dict:
    """The live animator's data (vizconv.viz.animator) as the page sent it, its tensors decoded to numpy arrays
    (conv and pool: padded, weight, bias, output; scatter: input, weight, bias, output; upsample: input, output).
    AppTest sees the component as an unknown element holding its data; what the browser draws from it is tested
    in Chromium (tests/browser/test_browser_animator.py)."""
    from vizconv.viz.animator import decode_float32

    element = at.get("bidi_component")[index]
    assert element.proto.component_name == "vizconv.viz.animator"
    data = json.loads(element.proto.mixed.json if element.proto.HasField("mixed") else element.proto.json)
    g = data["geometry"]
    shapes = {
        "input": (g["in_channels"], g["height"], g["width"]),
        "bias": (g["out_channels"],),
        "output": (g["out_channels"], g["out_height"], g["out_width"]),
    }
    if data["kind"] == "scatter":
        shapes["weight"] = (g["in_channels"], g["per_group_out"], *g["kernel"])
    elif data["kind"] != "upsample":
        shapes["padded"] = (g["in_channels"], g["padded_height"], g["padded_width"])
        shapes["weight"] = (g["out_channels"], g["per_group"], *g["kernel"])
    for name, shape in shapes.items():
        if data.get(name) is not None:
            data[name] = decode_float32(data[name], shape)
    return data


def chart_spec(at: AppTest, index: int = 0) -> dict:
    """The Plotly figure of the page's ``index``-th chart, as a dict."""
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def path_area(path: str) -> float:
    """The area an SVG path of M, H, V and Z commands (absolute; subpaths summed, overlaps counted twice)
    encloses, by the shoelace formula: what a filled Plotly shape covers."""
    total = 0.0
    for sub in re.findall(r"M[^M]*", path):
        x = y = 0.0
        points = []
        for command, numbers in re.findall(r"([MHVZ])([^MHVZ]*)", sub):
            if command == "M":
                x, y = (float(v) for v in numbers.split(","))
            elif command == "H":
                x = float(numbers)
            elif command == "V":
                y = float(numbers)
            points.append((x, y))
        total += (
            abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True))) / 2
        )
    return total


# ---------------------------------------------------------------- random convolutions


@st.composite
def conv_configs(draw, valid_only: bool = False):
    """Random convolution shapes and settings, sometimes ones torch rejects (test_conv, test_convolution_view)."""
    groups = draw(st.integers(1, 3))
    c_in = groups * draw(st.integers(1, 3))
    c_out = groups * draw(st.integers(1, 2))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    size = (draw(st.integers(1, 10)), draw(st.integers(1, 10)))
    padding = draw(
        st.one_of(
            st.just("valid"),
            st.just("same"),
            st.tuples(st.integers(0, 3), st.integers(0, 3)),
        )
    )
    if padding == "same" and draw(st.booleans()):
        stride = (1, 1)
    return {
        "c_in": c_in,
        "c_out": c_out,
        "kernel": kernel,
        "size": size,
        "groups": groups,
        "stride": stride,
        "dilation": dilation,
        "padding": padding,
        "padding_mode": draw(st.sampled_from(PADDING_MODES)),
        "bias": draw(st.booleans()),
        "seed": draw(st.integers(0, 2**16)),
    }


def conv_module(config, module=nn.Conv2d, padding=None):
    """``module`` (nn.Conv1d, nn.Conv2d, nn.Conv3d) with the config's settings (``padding`` in place of the
    config's, if given), its weights drawn from torch's generator as it stands."""
    return module(
        config["c_in"],
        config["c_out"],
        config["kernel"],
        stride=config["stride"],
        padding=config["padding"] if padding is None else padding,
        dilation=config["dilation"],
        groups=config["groups"],
        bias=config["bias"],
        padding_mode=config["padding_mode"],
    )


def reference_conv(config):
    """nn.Conv2d with the config's random weights: (module, x, output) or the exception torch raises."""
    torch.manual_seed(config["seed"])
    x = torch.randn(config["c_in"], *config["size"])
    conv = conv_module(config)
    with torch.no_grad():
        return conv, x, conv(x.unsqueeze(0))[0]


def trace_of(config, conv, x):
    return trace_conv2d(
        x,
        conv.weight.detach(),
        conv.bias.detach() if conv.bias is not None else None,
        stride=config["stride"],
        padding=config["padding"],
        dilation=config["dilation"],
        groups=config["groups"],
        padding_mode=config["padding_mode"],
    )


def run_script(code: str) -> torch.Tensor:
    """Run a generated script as a student would, in a namespace of its own (it imports what it needs), quietly;
    its ``y``."""
    namespace: dict = {"print": lambda *args: None}
    exec(code, namespace)  # our own generated code, built from numbers only
    return namespace["y"]


# ---------------------------------------------------------------- network builder stacks


def _fits(name: str) -> bool:
    steps = build_stack(*PRESETS[name])
    return not steps or steps[-1].error is None


FITTING_PRESETS = [name for name in PRESETS if _fits(name)]  # lenet5, basic_block, bottleneck
MISTAKE_PRESETS = [name for name in PRESETS if not _fits(name)]  # mismatch, no_flatten


def stack_error(input_shape, specs):
    """The ParameterError of the layer that does not fit (the stack is expected not to fit)."""
    steps = build_stack(input_shape, specs)
    assert steps and steps[-1].error is not None, "the stack was expected not to fit"
    return steps[-1].error


def _map_settings(draw, kind: str, side: int) -> dict:
    """Settings of a layer that keeps a feature map, chosen so that it fits a map whose smaller side is ``side``."""
    if kind == "conv2d":
        padding, dilation = draw(st.integers(0, 2)), draw(st.integers(1, 2))
        kernel = draw(st.integers(1, min(5, (side + 2 * padding - 1) // dilation + 1)))
        params = {"out_channels": draw(st.integers(1, 6)), "kernel_size": kernel, "padding": padding}
        return params | {"stride": draw(st.integers(1, 3)), "dilation": dilation, "bias": draw(st.booleans())}
    if kind in ("conv1x1", "basic_block"):
        return {"out_channels": draw(st.integers(1, 6)), "stride": draw(st.integers(1, 2))}
    if kind in ("maxpool", "avgpool"):
        kernel = draw(st.integers(1, min(3, side)))
        return {"kernel_size": kernel, "stride": draw(st.integers(1, 3)), "padding": draw(st.integers(0, kernel // 2))}
    if kind == "activation":
        return {"function": draw(st.sampled_from(list(ACTIVATIONS)))}
    if kind == "bottleneck":
        return {"width": draw(st.integers(1, 3)), "stride": draw(st.integers(1, 2))}
    return {}  # batchnorm2d: its size is fitted


@st.composite
def fitting_stacks(draw):
    """A random network-builder stack that fits: layers that keep a feature map (every kind but Flatten and
    Linear), then maybe a Flatten and Linear layers; (input_shape, specs)."""
    input_shape = (draw(st.integers(1, 4)), draw(st.integers(1, 14)), draw(st.integers(1, 14)))
    shape, specs = input_shape, []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.sampled_from([kind for kind in KINDS if kind not in ("flatten", "linear")]))
        specs.append(fit_to(shape, LayerSpec(kind, _map_settings(draw, kind, min(shape[1:])))))
        shape = build_stack(input_shape, specs)[-1].shape
    if draw(st.booleans()):
        specs.append(layer("flatten"))
        features = math.prod(shape)
        for _ in range(draw(st.integers(0, 2))):
            out = draw(st.integers(1, 8))
            specs.append(layer("linear", in_features=features, out_features=out, bias=draw(st.booleans())))
            features = out
            if draw(st.booleans()):
                specs.append(layer("activation", function="relu"))
    return input_shape, specs


# ---------------------------------------------------------------- what the browser holds


CHOICE_WIDGETS = ("selectbox", "radio", "select_slider")  # a choice travels between browser and server as its label
SETTING_WIDGETS = (*CHOICE_WIDGETS, "slider", "number_input", "checkbox", "toggle", "text_input")


def shown_label(widget) -> str | None:
    """The label of a choice widget's value, as this run formats it (what the server means)."""
    value = widget.value
    if value is None:
        return None
    if isinstance(value, (list, tuple)):  # a range select slider
        return " – ".join(str(widget.format_func(v)) for v in value)
    return str(widget.format_func(value))


class Browser:
    """A model of what Streamlit's browser side keeps between runs, for AppTest.

    AppTest formats each choice with the *current* run's ``format_func`` before it sends it, so it never
    sends stale text. A browser does: it keeps the label it shows until the server sends a new value
    (``set_value`` in the widget's message), and sends that label back on every run. After a language
    switch (or any change of a choice's labels) a browser left with the old label shows nothing selected
    and sends text that is none of the options. ``send`` makes AppTest send what the browser would;
    ``drawn`` records what it shows after a run; ``stale`` lists the choices whose shown label is not what
    the server means.
    """

    def __init__(self) -> None:
        self.held: dict[str, str | None] = {}

    @staticmethod
    def _choices(at: AppTest) -> list:
        return [w for kind in CHOICE_WIDGETS for w in at.get(kind) if w.key]

    def drawn(self, at: AppTest, touched: str | None = None) -> None:
        """Record what the browser shows after a run (``touched``: the widget the student just changed)."""
        now = {}
        for widget in self._choices(at):
            keeps = widget.key in self.held and widget.key != touched and not widget.proto.set_value
            now[widget.key] = self.held[widget.key] if keeps else shown_label(widget)
        self.held = now

    def stale(self, at: AppTest) -> dict[str, tuple]:
        """Choices whose label in the browser is not the server's: key -> (browser's, server's)."""
        found = {}
        for widget in self._choices(at):
            server = shown_label(widget)
            if self.held.get(widget.key, server) != server:
                found[widget.key] = (self.held[widget.key], server)
        return found

    def send(self, at: AppTest, touched: str | None = None) -> None:
        """Before a run: every untouched choice sends the label its browser holds."""
        for widget in self._choices(at):
            if widget.key == touched or widget.key not in self.held:
                continue
            held = self.held[widget.key]
            widget.__class__ = type(type(widget).__name__, (type(widget),), {"_widget_state": _held_state(held)})


def _held_state(label: str | None) -> property:
    def state(widget) -> WidgetState:
        ws = WidgetState()
        ws.id = widget.id
        if label is not None:
            if widget.type == "select_slider":
                ws.string_array_value.data[:] = label.split(" – ")
            else:
                ws.string_value = label
        return ws

    return property(state)


def settings(at: AppTest) -> dict[str, object]:
    """Every keyed setting widget's value on the page now (the language switch and presenter mode left out)."""
    return {w.key: w.value for kind in SETTING_WIDGETS for w in at.get(kind) if w.key and not w.key.startswith("ui_")}
