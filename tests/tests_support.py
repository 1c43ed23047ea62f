"""Helpers for tests (not a test module)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import torch
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest
from torch import nn

from vizconv import trace_conv2d
from vizconv.geometry import PADDING_MODES

ROOT = Path(__file__).resolve().parent.parent
ROOT_FILES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "vizconv").glob("*.py")])


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
    """Random convolution shapes and settings, sometimes ones torch rejects (test_conv, test_playground)."""
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


def reference_conv(config):
    """nn.Conv2d with the config's random weights: (module, x, output) or the exception torch raises."""
    torch.manual_seed(config["seed"])
    x = torch.randn(config["c_in"], *config["size"])
    conv = nn.Conv2d(
        config["c_in"],
        config["c_out"],
        config["kernel"],
        stride=config["stride"],
        padding=config["padding"],
        dilation=config["dilation"],
        groups=config["groups"],
        bias=config["bias"],
        padding_mode=config["padding_mode"],
    )
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
