"""The benchmark runs and prints every key (no timing assertions: benchmarks are not tests)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest

from tests_support import ROOT
from vizconv.bench_browser import CHROMIUM

KEYS = {
    "trace_vs_loop",
    "trace_vs_torch",
    "capture_overhead",
    "fx_vs_hooks",
    "animator",
    "feature_grid",
    "rerun_ms",
    "backward_vs_autograd",
    "live_epoch_s",
    "snapshot_switch_ms",
    "gradcam_vs_backward",
    "occlusion_s",
    "onnx_load_s",
    "onnx_capture_overhead",
    "depthwise_explain_ms",
    "rss_mb",
}


def _bench_json(*args: str) -> dict:
    """``python -m vizconv.bench --quick --json ARGS``: its results, after it exited 0."""
    result = subprocess.run(
        [sys.executable, "-m", "vizconv.bench", "--quick", "--json", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_quick_json_prints_every_key():
    results = _bench_json("--threads", "1")
    assert set(results) >= KEYS
    assert set(results["capture_overhead"]) == set(results["fx_vs_hooks"]) == {"lenet5", "resnet20", "resnet18"}
    assert set(results["animator"]) == {"8", "28", "64", "128"}
    assert all({"build_ms", "bytes"} == set(case) for case in results["animator"].values())
    assert len(results["feature_grid"]) == 2
    pages = {"app"} | {path.stem for path in (ROOT / "pages").glob("*.py")}
    assert set(results["rerun_ms"]) == pages
    assert results["machine"]["cores"] >= 1 and results["rss_mb"] > 0


def test_clone_cost_script_prints_its_figure():
    """scripts/clone_cost.py, quoted in BENCHMARKS.md: ResNet-18's outputs that capture must copy."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "clone_cost.py"), "--repeats", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert re.fullmatch(r"17 overwritten outputs, 8\.8 MiB: cloning them takes \d+\.\d\d ms\n", result.stdout)


@pytest.mark.browser
@pytest.mark.skipif(not shutil.which(CHROMIUM), reason=f"Chromium not found at {CHROMIUM}")
def test_the_browser_section_prints_every_key():
    """``--browser --quick``: the app started, two sizes opened, changed and played in Chromium."""
    results = _bench_json("--browser")
    assert [case["side"] for case in results["cases"]] == [8, 28]
    keys = {"side", "open_ms", "open_kb", "change_ms", "change_kb", "change_wire_kb", "play_fps"}
    keys |= {"heap_mb_before_after", "goals", "met"}
    for case in results["cases"]:
        assert set(case) == keys
        assert case["change_kb"] > 0 and case["play_fps"] > 0  # it ran: the numbers themselves are not checked
