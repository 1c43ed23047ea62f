"""The benchmark: how fast vizconv is against its natural floors and peers, in one run.

    python -m vizconv.bench [--quick] [--json]

Every case is the median of repeated runs after a warm-up. Ratios compare
two cases measured in the same run on the same machine. ``--json`` prints one
JSON object (keys below); otherwise a table. ``--quick`` repeats less and
finishes in a few minutes on 2 CPU cores.

Keys and goals (issue 7):
- ``trace_vs_loop``: a per-pixel Python loop (the notes' ``corr2d`` extended
  to channels) ÷ ``trace_conv2d`` on a 3×64×64 input with 8 kernels of 3×3 (≥ 50);
- ``trace_vs_torch``: ``trace_conv2d`` ÷ ``F.conv2d``, same case (≤ 5);
- ``backward_vs_autograd`` (issue 19): ``trace_conv2d_backward`` ÷ autograd's forward and backward pass of
  ``F.conv2d`` (input, weight and bias gradients), same case with a bias (≤ 5);
- ``capture_overhead``: ``capture`` ÷ a plain forward pass, per model
  (lenet5 ≤ 2.0, resnet20 ≤ 1.5, resnet18 at 224×224 ≤ 1.3);
- ``fx_vs_hooks``: torchvision's ``create_feature_extractor`` for the same
  layers ÷ ``capture`` (≥ 1);
- ``animator``: {side: {build_ms, bytes}} for the data the Convolution page
  sends its live animator (``vizconv.viz.animator``, as JSON) for a 3-channel
  input, 3×3 kernel, 4 output channels, at 8, 28, 64 and 128 pixels (at 28:
  ≤ 300 ms, the goal the Plotly animation it replaced had; what reaches the
  browser, and when, is ``--browser``'s);
- ``feature_grid``: {layer: {ms, bytes}} for every channel of a layer as the
  Feature maps page's PNG grid;
- ``rerun_ms``: {page: ms} for an AppTest rerun after one widget change (≤ 1500);
- ``live_epoch_s`` (issue 19): one epoch of the Learning page's live LeNet-5 training on the 6,000 training
  digits, on one torch thread, from start() to done (loading the digits and both held-out evaluations
  included; ≤ 15); None where the digits file is missing;
- ``snapshot_switch_ms`` (issue 19): an AppTest rerun of the Feature maps page with LeNet-5's "weights after
  epoch" moved between its first and last snapshot (≤ 1500);
- ``gradcam_vs_backward`` (issue 20): ``grad_cam`` at the last layer with a map ÷ a plain forward and backward
  pass of the class score (every parameter's gradient), per model (resnet20 at 32×32 ≤ 3, resnet18 at 224×224
  ≤ 2.5; ResNet-18 with random weights where none are downloaded: the time does not depend on the values);
- ``occlusion_s`` (issue 20): ``occlusion_map`` of ResNet-20 at 32×32, patch 8, stride 4 (49 occluded inputs,
  batched; ≤ 1);
- ``onnx_load_s`` (issue 21): ``load_onnx_model`` of a ResNet-18 exported here (random weights, 45 MB; the
  median of warm loads, the first one in the details; ≤ 3);
- ``onnx_capture_overhead`` (issue 21): ``capture`` ÷ a plain forward pass of that converted ResNet-18 (≤ 1.5);
- ``depthwise_explain_ms`` (issue 21): ``explain_activation`` of one value of MobileNet V3 Large's depthwise
  convolution with the largest map (random weights, 224×224, its captured output given, as the page gives it;
  ≤ 200);
- ``rss_mb``: resident memory with every bundled model loaded.

``--only explain`` (any of PARTS, comma-separated) runs only those cases.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils import benchmark

from vizconv.server import ALLOCATOR_ENV, THREADS_ENV, configure_allocator

ROOT = Path(__file__).resolve().parent.parent
GOALS = {
    "trace_vs_loop": ">= 50",
    "trace_vs_torch": "<= 5",
    "backward_vs_autograd": "<= 5",
    "capture_overhead": {"lenet5": "<= 2.0", "resnet20": "<= 1.5", "resnet18": "<= 1.3"},
    "fx_vs_hooks": ">= 1",
    "animator": {"28": "build_ms <= 300"},
    "rerun_ms": "<= 1500 each",
    "live_epoch_s": "<= 15",
    "snapshot_switch_ms": "<= 1500",
    "gradcam_vs_backward": {"resnet20": "<= 3", "resnet18": "<= 2.5"},
    "occlusion_s": {"resnet20": "<= 1"},
    "onnx_load_s": {"resnet18": "<= 3"},
    "onnx_capture_overhead": {"resnet18": "<= 1.5"},
    "depthwise_explain_ms": {"mobilenet_v3_large": "<= 200"},
}
GRADCAM_LIMITS = {"resnet20": 3.0, "resnet18": 2.5}
ONNX_LIMITS = {"onnx_load_s": 3.0, "onnx_capture_overhead": 1.5, "depthwise_explain_ms": 200.0}


def _timer(fn: Callable[[], object]) -> benchmark.Timer:
    """A Timer of ``fn()`` on torch's threads as they are set (Timer's own default would be one thread)."""
    return benchmark.Timer(stmt="fn()", globals={"fn": fn}, num_threads=torch.get_num_threads())


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    """Median wall time of ``fn()`` over ``repeats`` timed runs, each after Timer.timeit's two warm-up runs."""
    timer = _timer(fn)
    return benchmark.Measurement.merge([timer.timeit(1) for _ in range(repeats)])[0].median


def interleaved_medians(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Median wall time of each function, timed in turn (one of each per round, each timed run after
    Timer.timeit's two warm-up runs).

    For ratios: both sides see the same moments of the machine (another process, a frequency change),
    so a slow spell slows both instead of skewing one.
    """
    timers = {name: _timer(fn) for name, fn in fns.items()}
    runs: dict[str, list[benchmark.Measurement]] = {name: [] for name in fns}
    for _ in range(repeats):
        for name, timer in timers.items():
            runs[name].append(timer.timeit(1))
    return {name: benchmark.Measurement.merge(measured)[0].median for name, measured in runs.items()}


def loop_conv2d(x: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """The notes' corr2d, extended to channels: one Python step per output value and input channel."""
    c_out, c_in, kh, kw = weight.shape
    h_out, w_out = x.shape[1] - kh + 1, x.shape[2] - kw + 1
    y = torch.zeros(c_out, h_out, w_out)
    for o in range(c_out):
        for i in range(h_out):
            for j in range(w_out):
                total = 0.0
                for c in range(c_in):
                    total += float((x[c, i : i + kh, j : j + kw] * weight[o, c]).sum())
                y[o, i, j] = total
    return y


def bench_conv(quick: bool) -> dict:
    from vizconv.ops.conv import trace_conv2d

    generator = torch.Generator().manual_seed(0)
    x = torch.randn(3, 64, 64, generator=generator)
    weight = torch.randn(8, 3, 3, 3, generator=generator)
    loop = median_seconds(lambda: loop_conv2d(x, weight), repeats=1 if quick else 3)
    repeats = 200 if quick else 1000
    trace = median_seconds(lambda: trace_conv2d(x, weight), repeats)
    reference = median_seconds(lambda: F.conv2d(x[None], weight), repeats)
    assert torch.allclose(trace_conv2d(x, weight).output, F.conv2d(x[None], weight)[0], atol=1e-4)
    return {
        "trace_vs_loop": loop / trace,
        "trace_vs_torch": trace / reference,
        "_ms": {"loop": loop * 1e3, "trace_conv2d": trace * 1e3, "F.conv2d": reference * 1e3},
    }


def bench_backward(quick: bool) -> dict:
    from vizconv.ops.backward import trace_conv2d_backward

    generator = torch.Generator().manual_seed(0)
    x = torch.randn(3, 64, 64, generator=generator)
    weight = torch.randn(8, 3, 3, 3, generator=generator)
    bias = torch.randn(8, generator=generator)
    grad_output = torch.randn(8, 62, 62, generator=generator)
    leaves = [t.clone().requires_grad_() for t in (x, weight, bias)]

    def autograd():
        xs, ws, bs = leaves
        return torch.autograd.grad(F.conv2d(xs[None], ws, bs), leaves, grad_output[None])

    medians = interleaved_medians(
        {"trace": lambda: trace_conv2d_backward(x, weight, grad_output, bias), "autograd": autograd},
        repeats=200 if quick else 1000,
    )
    back = trace_conv2d_backward(x, weight, grad_output, bias)
    for ours, theirs in zip((back.grad_input, back.grad_weight, back.grad_bias), autograd(), strict=True):
        assert torch.allclose(ours, theirs, rtol=1e-4, atol=1e-3)
    return {
        "backward_vs_autograd": medians["trace"] / medians["autograd"],
        "_backward_ms": {"trace_conv2d_backward": medians["trace"] * 1e3, "autograd": medians["autograd"] * 1e3},
    }


def _models() -> dict:
    """The three models of the capture cases, with their inputs (ResNet-18: random weights if none downloaded)."""
    from torchvision.models import resnet18

    from vizconv.nets.models import load_model, resnet18_weights_path

    lenet, _ = load_model("lenet5")
    resnet20, _ = load_model("resnet20")
    big = resnet18()
    source = "random weights"
    path = resnet18_weights_path()
    if path.exists():
        big.load_state_dict(torch.load(path, map_location="cpu", weights_only=True))
        source = "ImageNet weights"
    generator = torch.Generator().manual_seed(0)
    return {
        "lenet5": (lenet, torch.randn(1, 1, 28, 28, generator=generator), "bundled"),
        "resnet20": (resnet20, torch.randn(1, 3, 32, 32, generator=generator), "bundled"),
        "resnet18": (big.eval(), torch.randn(1, 3, 224, 224, generator=generator), source),
    }


def _fx_extractor(model: torch.nn.Module, wanted: list[str]) -> tuple[torch.nn.Module, list[str]]:
    """The same layers through torch.fx, and their graph nodes: every leaf module capture() records (blocks are
    traced through, so their outputs are the graph nodes named after the block)."""
    from torchvision.models.feature_extraction import create_feature_extractor, get_graph_node_names

    _, nodes = get_graph_node_names(model)
    return_nodes = []
    for layer in wanted:
        if layer in nodes:
            return_nodes.append(layer)
        else:  # a block: its output is the last graph node inside it
            inside = [node for node in nodes if node.startswith(layer + ".")]
            if inside and inside[-1] not in return_nodes:
                return_nodes.append(inside[-1])
    return create_feature_extractor(model, return_nodes=return_nodes).eval(), return_nodes


def _no_grad(fn: Callable[[], object]) -> Callable[[], object]:
    """``fn`` called under torch.no_grad()."""

    def call():
        with torch.no_grad():
            return fn()

    return call


def _hooks_floor(model: torch.nn.Module, wanted: list[str], x: torch.Tensor) -> Callable[[], list]:
    """The least any hook-based capture does: a hook on each layer that keeps its output, nothing else."""
    from vizconv.nets.capture import modules_by_path

    by_path = modules_by_path(model)
    modules = [by_path[layer] for layer in wanted]

    def floor():
        kept: list = []
        handles = [module.register_forward_hook(lambda m, i, o: kept.append(o)) for module in modules]
        try:
            with torch.no_grad():
                model(x)
        finally:
            for handle in handles:
                handle.remove()
        return kept

    return floor


def _hooks_left_on(model: torch.nn.Module, wanted: list[str], x: torch.Tensor) -> Callable[[], list]:
    """Hooks registered once and left on (on a copy, so no other case sees them): what a hook costs when it is
    called, without registering and removing it. capture() cannot work this way: issue 3 asks that no hook
    remains on the shared model, and hooks left on would slow every plain forward pass through it."""
    twin = copy.deepcopy(model)
    kept: list = []
    twin_modules = dict(twin.named_modules())
    for layer in wanted:
        twin_modules[layer].register_forward_hook(lambda m, i, o: kept.append(o))

    def hooks_left_on():
        kept.clear()
        with torch.no_grad():
            twin(x)
        return kept

    return hooks_left_on


def bench_capture(quick: bool) -> dict:
    from vizconv.nets.capture import capturable_layers, capture

    overhead, fx, detail = {}, {}, {}
    for name, (model, x, source) in _models().items():
        model.eval()
        repeats = {"lenet5": 200, "resnet20": 60, "resnet18": 30}[name] // (4 if quick else 1)
        wanted = capturable_layers(model)
        extractor, return_nodes = _fx_extractor(model, wanted)
        medians = interleaved_medians(
            {
                "forward": _no_grad(lambda model=model, x=x: model(x)),
                "capture": lambda model=model, x=x: capture(model, x),
                "fx": _no_grad(lambda extractor=extractor, x=x: extractor(x)),
                "hooks_floor": _hooks_floor(model, wanted, x),
                "hooks_left_on": _hooks_left_on(model, wanted, x),
            },
            repeats,
        )
        plain, hooked, peer = medians["forward"], medians["capture"], medians["fx"]
        # FX returns the forward pass's own tensors: an output that a later in-place op overwrites (a
        # BatchNorm before ReLU(inplace=True)) comes back overwritten. Count them against capture's values.
        with torch.no_grad():
            theirs = extractor(x)
        ours = capture(model, x)
        overwritten = [n for n in return_nodes if n in ours and not torch.allclose(theirs[n], ours[n], atol=1e-5)]
        overhead[name] = hooked / plain
        fx[name] = peer / hooked
        detail[name] = {
            "weights": source,
            "layers_captured": len(wanted),
            "layers_fx": len(return_nodes),
            "forward_ms": plain * 1e3,
            "capture_ms": hooked * 1e3,
            "fx_ms": peer * 1e3,
            "hooks_floor_ms": medians["hooks_floor"] * 1e3,  # hooks that only keep outputs: no clones, no checks
            "hooks_left_on_ms": medians["hooks_left_on"] * 1e3,  # the same hooks, registered once beforehand
            "fx_overwritten_outputs": len(overwritten),
        }
    return {"capture_overhead": overhead, "fx_vs_hooks": fx, "_capture": detail}


def bench_animator(quick: bool) -> dict:
    from vizconv.ops.conv import trace_conv2d
    from vizconv.viz.animator import conv_animator_data

    results = {}
    for side in (8, 28, 64, 128):
        generator = torch.Generator().manual_seed(side)
        x = torch.rand(3, side, side, generator=generator)
        weight = torch.randn(4, 3, 3, 3, generator=generator)
        payload: list[str] = []

        def build(x=x, weight=weight, payload=payload):
            payload[:] = [json.dumps(conv_animator_data(trace_conv2d(x, weight)), separators=(",", ":"))]

        seconds = median_seconds(build, repeats=5 if quick else 11)
        results[str(side)] = {"build_ms": seconds * 1e3, "bytes": len(payload[0].encode())}
    return {"animator": results}


def bench_feature_grid(quick: bool) -> dict:
    from vizconv.nets.capture import capture
    from vizconv.nets.feature_maps import channel_grid

    results = {}
    models = _models()
    for name, layer in (("resnet20", None), ("resnet18", "conv1")):
        model, x, _ = models[name]
        acts = capture(model, x)
        if layer is None:  # the largest map (most values) of the model
            layer = max((n for n, a in acts.items() if a.dim() == 4), key=lambda n: acts[n].numel())
        maps = acts[layer][0]
        grid = channel_grid(maps)
        seconds = median_seconds(lambda maps=maps: channel_grid(maps), repeats=3 if quick else 7)
        shape = "×".join(map(str, maps.shape))
        results[f"{name}:{layer} ({shape})"] = {"ms": seconds * 1e3, "bytes": len(grid.png)}
    return {"feature_grid": results}


# One widget change per page, by its key: (page, widget kind, key, new value).
RERUN_CASES = (
    ("app.py", None, None, None),
    ("pages/1_Convolution_卷积.py", "number_input", "conv_stride_h", 2),
    ("pages/2_Feature_maps_特征图.py", "toggle", "fm_shared", False),
    ("pages/3_Pooling_and_activations_池化与激活.py", "radio", "pool_kind", "avg"),
    ("pages/4_Transposed_convolution_转置卷积.py", "number_input", "tconv_stride", 1),
    ("pages/5_Network_builder_搭建网络.py", "number_input", "nb_h", 32),
    ("pages/6_Learning_学习.py", "selectbox", "learn_loss", "mse"),
    ("pages/7_Why_it_answered_为什么.py", "slider", "why_opacity", 80),  # Grad-CAM, with torchcam's beside it
    ("pages/8_More_convolutions_更多卷积.py", "number_input", "more_stride", 2),
)


def bench_reruns(quick: bool) -> dict:
    from streamlit.testing.v1 import AppTest

    results = {}
    for page, kind, key, value in RERUN_CASES:
        if not (ROOT / page).exists():
            continue
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        if page != "app.py":
            at.switch_page(page)
        at.run()
        times = []
        for attempt in range(2 if quick else 5):
            if kind is not None:
                widget = getattr(at, kind)(key=key)
                current = widget.value
                widget.set_value(value if attempt % 2 == 0 else current)
            started = time.perf_counter()
            at.run()
            times.append(time.perf_counter() - started)
            if at.exception:
                raise RuntimeError(f"{page}: {at.exception}")
        results[Path(page).stem] = statistics.median(times) * 1e3
    return {"rerun_ms": results}


def bench_live_epoch(quick: bool) -> dict:
    """One epoch of live training as a student starts it (vizconv.training.live), timed to its end."""
    from vizconv.training.live import LiveConfig, LiveTraining, mnist_path

    if not mnist_path().exists():
        return {"live_epoch_s": None}
    times = []
    for _ in range(1 if quick else 3):
        training = LiveTraining(LiveConfig(epochs=1))
        started = time.perf_counter()
        training.start()
        while training.running:
            time.sleep(0.02)
        times.append(time.perf_counter() - started)
        if training.snapshot().state != "done":
            raise RuntimeError(f"live training: {training.snapshot().error}")
    return {"live_epoch_s": statistics.median(times)}


def bench_snapshot_switch(quick: bool) -> dict:
    """The Feature maps page's "weights after epoch" moved between LeNet-5's first and last snapshot: a rerun."""
    from streamlit.testing.v1 import AppTest

    from vizconv.nets.models import snapshot_epochs

    epochs = snapshot_epochs("lenet5")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.query_params["fm_weights"] = "epoch"
    at.switch_page("pages/2_Feature_maps_特征图.py").run()
    times = []
    for attempt in range(4 if quick else 10):
        at.select_slider(key="fm_epoch").set_value(epochs[-1] if attempt % 2 == 0 else epochs[0])
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
        if at.exception:
            raise RuntimeError(f"snapshot switch: {at.exception}")
    return {"snapshot_switch_ms": statistics.median(times) * 1e3}


def bench_explain(quick: bool) -> dict:
    """Grad-CAM against a plain forward and backward pass, the other CAM methods, and an occlusion map."""
    from vizconv.explain.cam import METHODS, class_activation_map, grad_cam
    from vizconv.explain.occlusion import occlusion_map

    ratios, occlusion, detail = {}, {}, {}
    models = _models()
    for name in ("resnet20", "resnet18"):
        model, x, source = models[name]
        model.eval()
        twin = copy.deepcopy(model)  # the plain pass fills .grad: never on the model grad_cam explains
        class_index = int(grad_cam(model, x).class_index)

        def plain(twin=twin, x=x, class_index=class_index):
            twin.zero_grad(set_to_none=True)
            twin(x)[0, class_index].backward()

        repeats = {"resnet20": 40, "resnet18": 12}[name] // (4 if quick else 1)
        medians = interleaved_medians(
            {
                "forward": _no_grad(lambda model=model, x=x: model(x)),
                "forward_backward": plain,
                "grad_cam": lambda model=model, x=x: grad_cam(model, x),
            },
            repeats,
        )
        ratios[name] = medians["grad_cam"] / medians["forward_backward"]
        detail[name] = {
            "weights": source,
            "layer": grad_cam(model, x).layer,
            **{k: v * 1e3 for k, v in medians.items()},
        }
    model, x, _ = models["resnet20"]
    seconds = median_seconds(lambda: occlusion_map(model, x, patch=8, stride=4), repeats=3 if quick else 10)
    occlusion["resnet20"] = seconds
    methods = {}
    for method in METHODS:  # ResNet-20, the last layer with a map (64 channels of 8×8)
        methods[method] = median_seconds(lambda m=method: class_activation_map(model, x, method=m), 3 if quick else 7)
    methods["scorecam layer1.2 (16 channels of 32×32)"] = median_seconds(
        lambda: class_activation_map(model, x, "layer1.2", "scorecam"), 3 if quick else 7
    )
    detail["resnet20_methods_ms"] = {k: v * 1e3 for k, v in methods.items()}
    return {"gradcam_vs_backward": ratios, "occlusion_s": occlusion, "_explain": detail}


def bench_onnx(quick: bool) -> dict:
    """Issue 21: a ResNet-18 exported to ONNX here (random weights) loaded and captured; one depthwise activation
    of MobileNet V3 Large explained."""
    import io
    import warnings

    from torchvision.models import resnet18

    from vizconv.nets.capture import capture
    from vizconv.nets.feature_maps import explain_activation
    from vizconv.nets.models import random_model
    from vizconv.nets.onnx import load_onnx_model

    generator = torch.Generator().manual_seed(0)
    x = torch.randn(1, 3, 224, 224, generator=generator)
    torch.manual_seed(0)
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notice
        torch.onnx.export(resnet18().eval(), (x,), buffer, dynamo=False)
    data = buffer.getvalue()
    started = time.perf_counter()
    model, info = load_onnx_model(data)
    first = time.perf_counter() - started
    load = median_seconds(lambda: load_onnx_model(data), repeats=3 if quick else 7)
    medians = interleaved_medians(
        {"forward": _no_grad(lambda: model(x)), "capture": lambda: capture(model, x)}, repeats=8 if quick else 30
    )
    mobile, _ = random_model("mobilenet_v3_large")
    acts = capture(mobile, x)
    convs = {k: mobile.get_submodule(k) for k in acts if isinstance(mobile.get_submodule(k), torch.nn.Conv2d)}
    depthwise = [k for k, m in convs.items() if m.groups == m.in_channels > 1]
    layer = max(depthwise, key=lambda k: acts[k].numel())  # the largest map: the most windows to trace
    out = acts[layer][0]  # (C, H, W)
    cell = (out.shape[0] // 2, out.shape[1] // 2, out.shape[2] // 2)
    explain = median_seconds(lambda: explain_activation(mobile, x, layer, *cell, out), repeats=5 if quick else 15)
    return {
        "onnx_load_s": {"resnet18": load},
        "onnx_capture_overhead": {"resnet18": medians["capture"] / medians["forward"]},
        "depthwise_explain_ms": {"mobilenet_v3_large": explain * 1e3},
        "_onnx": {
            "file_mb": len(data) / 2**20,
            "first_load_s": first,  # with the imports and caches a first load pays
            "nodes": info.card["nodes"],
            "memory_mb": info.card["memory_mb"],  # weights and every value computed, all kept (the card's estimate)
            "forward_ms": medians["forward"] * 1e3,
            "capture_ms": medians["capture"] * 1e3,
            "depthwise_layer": f"{layer} {list(out.shape)}, groups {convs[layer].groups}",
        },
    }


def onnx_rows(results: dict) -> list[str]:
    """The Markdown table rows of issue 21's cases (``--only onnx --markdown`` prints them alone)."""
    case = results["details"]["onnx"]
    load, ratio = results["onnx_load_s"]["resnet18"], results["onnx_capture_overhead"]["resnet18"]
    explain = results["depthwise_explain_ms"]["mobilenet_v3_large"]

    def met(value: float, key: str) -> str:
        return "yes" if value <= ONNX_LIMITS[key] else "**no**"

    return [
        f"| onnx_load_s resnet18 ({case['file_mb']:.0f} MB, {case['nodes']} nodes; first load "
        f"{case['first_load_s']:.2f} s) | {load:.2f} s | ≤ 3 s | {met(load, 'onnx_load_s')} |",
        f"| onnx_capture_overhead resnet18 ({case['capture_ms']:.0f} ms ÷ {case['forward_ms']:.0f} ms) "
        f"| {ratio:.2f}× | ≤ 1.5 | {met(ratio, 'onnx_capture_overhead')} |",
        f"| depthwise_explain_ms mobilenet_v3_large ({case['depthwise_layer']}) | {explain:.0f} ms | ≤ 200 ms "
        f"| {met(explain, 'depthwise_explain_ms')} |",
    ]


def resident_mb() -> float:
    """This process's resident memory (VmRSS) in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_memory() -> dict:
    """Resident memory of a fresh Python process that has imported vizconv and loaded every bundled model."""
    import subprocess

    script = (
        "import json; from vizconv import bench; from vizconv.nets.models import BUNDLED_MODELS, load_model; "
        "before = bench.resident_mb(); models = [load_model(n) for n in BUNDLED_MODELS]; "
        "print(json.dumps({'before': before, 'after': bench.resident_mb(), 'models': list(BUNDLED_MODELS)}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True, timeout=300
    )
    measured = json.loads(result.stdout.strip().splitlines()[-1])
    return {
        "rss_mb": measured["after"],
        "_rss": {"after_imports_mb": measured["before"], "models": measured["models"], "process": "fresh"},
    }


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "torch": torch.__version__,
        "allocator": configure_allocator(),  # as the server runs (vizconv.server); applied once, first in main()
    }


PARTS = {
    "conv": bench_conv,
    "backward": bench_backward,
    "capture": bench_capture,
    "animator": bench_animator,
    "feature_grid": bench_feature_grid,
    "reruns": bench_reruns,
    "live_epoch": bench_live_epoch,
    "snapshot_switch": bench_snapshot_switch,
    "explain": bench_explain,
    "onnx": bench_onnx,
}


def run(quick: bool, only: list[str] | None = None) -> dict:
    """Every case (or those of the PARTS named in ``only``), in one process; keys as in the module docstring
    (plus ``machine`` and ``details``)."""
    started = time.perf_counter()
    out: dict = {}
    for name, part in PARTS.items():
        if only is None or name in only:
            out.update(part(quick))
    if only is None:
        out.update(bench_memory())
    details = {key[1:]: out.pop(key) for key in [k for k in out if k.startswith("_")]}
    out["machine"] = machine()
    out["details"] = details
    out["goals"] = GOALS
    out["quick"] = quick
    out["seconds"] = time.perf_counter() - started
    return out


def _table(results: dict) -> str:
    lines = [f"machine: {results['machine']}", ""]
    lines.append(f"trace_vs_loop    {results['trace_vs_loop']:10.1f}   (goal >= 50)")
    lines.append(f"trace_vs_torch   {results['trace_vs_torch']:10.2f}   (goal <= 5)")
    lines.append(f"backward_vs_autograd {results['backward_vs_autograd']:6.2f}   (goal <= 5)")
    for name, ratio in results["capture_overhead"].items():
        goal = GOALS["capture_overhead"][name]
        lines.append(f"capture_overhead {name:9} {ratio:6.2f}   (goal {goal})")
    for name, ratio in results["fx_vs_hooks"].items():
        lines.append(f"fx_vs_hooks      {name:9} {ratio:6.2f}   (goal >= 1)")
    for side, case in results["animator"].items():
        lines.append(f"animator {side:>3}     {case['build_ms']:8.1f} ms {case['bytes']:>11,} bytes")
    for layer, case in results["feature_grid"].items():
        lines.append(f"feature_grid {layer}: {case['ms']:.1f} ms, {case['bytes']:,} bytes")
    for page, ms in results["rerun_ms"].items():
        lines.append(f"rerun_ms {page:28} {ms:8.0f}   (goal <= 1500)")
    live = results["live_epoch_s"]
    lines.append(f"live_epoch_s     {'(no digits)' if live is None else f'{live:10.2f}'}   (goal <= 15)")
    lines.append(f"snapshot_switch_ms {results['snapshot_switch_ms']:8.0f}   (goal <= 1500)")
    for name, ratio in results["gradcam_vs_backward"].items():
        lines.append(f"gradcam_vs_backward {name:9} {ratio:6.2f}   (goal {GOALS['gradcam_vs_backward'][name]})")
    lines.append(f"occlusion_s      {results['occlusion_s']['resnet20']:10.3f}   (goal <= 1)")
    lines.append(f"onnx_load_s      {results['onnx_load_s']['resnet18']:10.2f}   (goal <= 3)")
    lines.append(f"onnx_capture_overhead {results['onnx_capture_overhead']['resnet18']:5.2f}   (goal <= 1.5)")
    lines.append(f"depthwise_explain_ms {results['depthwise_explain_ms']['mobilenet_v3_large']:6.0f}   (goal <= 200)")
    lines.append(f"rss_mb           {results['rss_mb']:10.0f}")
    lines.append(f"({results['seconds']:.0f} s in all)")
    return "\n".join(lines)


def markdown(results: dict) -> str:
    """The results as the Markdown tables of BENCHMARKS.md (every number is this run's)."""
    m = results["machine"]
    out = [
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['torch_threads']} torch threads, {m['platform']}, "
        f"Python {m['python']}, torch {m['torch']}, malloc {m.get('allocator', '?')}. "
        f"{'Quick run' if results['quick'] else 'Full run'}, "
        f"{results['seconds']:.0f} s.",
        "",
        "| case | measured | goal | met |",
        "| --- | --- | --- | --- |",
    ]

    def row(case: str, value: float, text: str, goal: str, met: bool) -> None:
        out.append(f"| {case} | {text.format(value)} | {goal} | {'yes' if met else '**no**'} |")

    row("trace_vs_loop", results["trace_vs_loop"], "{:,.0f}×", "≥ 50", results["trace_vs_loop"] >= 50)
    row("trace_vs_torch", results["trace_vs_torch"], "{:.2f}×", "≤ 5", results["trace_vs_torch"] <= 5)
    ratio = results["backward_vs_autograd"]
    row("backward_vs_autograd", ratio, "{:.2f}×", "≤ 5", ratio <= 5)
    limits = {"lenet5": 2.0, "resnet20": 1.5, "resnet18": 1.3}
    for name, ratio in results["capture_overhead"].items():
        row(f"capture_overhead {name}", ratio, "{:.2f}×", f"≤ {limits[name]}", ratio <= limits[name])
    for name, ratio in results["fx_vs_hooks"].items():
        row(f"fx_vs_hooks {name}", ratio, "{:.2f}×", "≥ 1", ratio >= 1)
    for side, case in results["animator"].items():
        text = f"{case['build_ms']:.1f} ms, {case['bytes']:,} bytes"
        goal = "≤ 300 ms" if side == "28" else "(growth)"
        met = case["build_ms"] <= 300 if side == "28" else True
        out.append(f"| animator data {side}×{side}×3 | {text} | {goal} | {'yes' if met else '**no**'} |")
    for layer, case in results["feature_grid"].items():
        out.append(f"| feature_grid {layer} | {case['ms']:.0f} ms, {case['bytes']:,} bytes | | |")
    for page, ms in results["rerun_ms"].items():
        row(f"rerun_ms {page}", ms, "{:.0f} ms", "≤ 1500", ms <= 1500)
    live = results["live_epoch_s"]
    if live is not None:
        row("live_epoch_s (one epoch, one thread)", live, "{:.2f} s", "≤ 15", live <= 15)
    switch = results["snapshot_switch_ms"]
    row("snapshot_switch_ms (Feature maps page)", switch, "{:.0f} ms", "≤ 1500", switch <= 1500)
    out.extend(explain_rows(results))
    out.extend(onnx_rows(results))
    out.append(f"| rss_mb (every bundled model loaded) | {results['rss_mb']:.0f} MB | | |")
    return "\n".join(out)


def explain_rows(results: dict) -> list[str]:
    """The Markdown table rows of issue 20's cases (``--only explain --markdown`` prints them alone)."""
    rows = []
    for name, ratio in results["gradcam_vs_backward"].items():
        case = results["details"]["explain"][name]
        text = f"{ratio:.2f}× ({case['grad_cam']:.1f} ms ÷ {case['forward_backward']:.1f} ms)"
        limit = GRADCAM_LIMITS[name]
        met = "yes" if ratio <= limit else "**no**"
        rows.append(f"| gradcam_vs_backward {name} ({case['weights']}, {case['layer']}) | {text} | ≤ {limit} | {met} |")
    seconds = results["occlusion_s"]["resnet20"]
    met = "yes" if seconds <= 1 else "**no**"
    rows.append(f"| occlusion_s resnet20 (patch 8, stride 4, 49 inputs) | {seconds * 1e3:.0f} ms | ≤ 1 s | {met} |")
    for method, ms in results["details"]["explain"]["resnet20_methods_ms"].items():
        rows.append(f"| resnet20 {method} | {ms:.1f} ms | | |")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vizconv.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (a few minutes on 2 cores)")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument("--markdown", action="store_true", help="print the tables of BENCHMARKS.md")
    parser.add_argument("--save", type=Path, help="also write the JSON results to this file")
    parser.add_argument("--threads", type=int, help="torch CPU threads (default: torch's own choice)")
    parser.add_argument("--only", help=f"only these cases, comma-separated: {', '.join(PARTS)} (no memory case)")
    parser.add_argument(
        "--browser",
        action="store_true",
        help="only the Convolution page in headless Chromium: bytes, ms to drawn, playback (vizconv.bench_browser)",
    )
    parser.add_argument(
        "--malloc",
        choices=("tuned", "default"),
        default="tuned",
        help="glibc malloc as the server tunes it (default) or glibc's defaults, to measure the difference",
    )
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    # the pages timed by rerun_ms set torch's threads from this variable when vizconv.ui is imported
    os.environ[THREADS_ENV] = str(args.threads) if args.threads else "auto"
    os.environ[ALLOCATOR_ENV] = args.malloc  # also for the fresh process that measures rss_mb
    configure_allocator()
    import logging

    logging.getLogger("streamlit").setLevel(logging.ERROR)
    if args.browser:
        from vizconv.bench_browser import markdown_table, run_browser

        results = run_browser(args.quick)
        if args.save:
            args.save.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
        print(json.dumps(results, indent=2) if args.json else markdown_table(results))
        return 0
    only = None if args.only is None else [name.strip() for name in args.only.split(",")]
    if only is not None and not set(only) <= set(PARTS):
        parser.error(f"--only: choose from {', '.join(PARTS)}")
    results = run(args.quick, only)
    if args.save:
        args.save.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    rows = {"explain": explain_rows, "onnx": onnx_rows}  # the parts whose rows print alone
    if args.json or (only is not None and not (args.markdown and set(only) <= set(rows))):
        print(json.dumps(results, indent=2))
    elif only is not None:
        print("\n".join(line for name in only for line in rows[name](results)))
    else:
        print(markdown(results) if args.markdown else _table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
