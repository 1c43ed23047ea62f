"""The Convolution page as the student feels it: bytes to the browser, time until drawn, frames while playing.

``python -m vizconv.bench --browser`` starts the app (``streamlit run app.py`` on a free loopback port) and drives
it with headless Chromium (Playwright, Debian's ``/usr/bin/chromium`` or ``VIZCONV_CHROMIUM``). For inputs of
8, 28, 64 and 128 pixels (the astronaut photo in colour: 3 channels; 3×3 kernels; 4 of them) it measures:

- **open**: loading the page's address in a fresh tab until the live animator has drawn this data (its root
  carries the data's signature once drawn), and the bytes received over Streamlit's websocket meanwhile;
- **change**: a new kernel seed typed into the sidebar (1, 2, 3 …: new random kernels, so a new output, and no
  message Streamlit's browser cache already holds), from its Enter key (the keydown's time in the page) until
  the animator has drawn the new data, and the websocket bytes of that rerun;
- **play**: frames drawn per second while playing at the top speed (32 positions a second), counted by the
  animator over 3 s, and the page's JS heap before and after (Chromium's ``Performance.getMetrics``).

Medians over ``repeats`` changes (and opens). Bytes are the websocket frames' payloads as Chromium's DevTools
protocol reports them (binary frames arrive base64-encoded: 3 bytes for every 4 characters), after decompression;
"on the wire" is what the loopback interface carried meanwhile (``/proc/net/dev``: after any websocket
compression, with TCP's headers). Nothing here is a
test: tests/test_bench.py only runs ``--browser --quick`` where Chromium exists.
"""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("VIZCONV_CHROMIUM", "/usr/bin/chromium")
SIDES = (8, 28, 64, 128)
# issue 17: bytes per change "received over the websocket" (what arrives: compressed, change_wire_kb; the
# decompressed payload, change_kb, is reported beside it) and ms to drawn; playback frames per second
GOALS = {
    28: {"change_wire_kb": 60, "change_ms": 300},
    64: {"change_wire_kb": 250, "change_ms": 500, "play_fps": 30},
    128: {"change_wire_kb": 1000, "change_ms": 1000},
}
PLAY_SECONDS = 3.0
SIGNATURE = """() => { const host = document.querySelector('[data-testid=stBidiComponentIsolated]');
    const vz = host && host.shadowRoot && host.shadowRoot.querySelector('.vz');
    return vz ? (vz.dataset.signature || '') : ''; }"""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def app_server():
    """``streamlit run app.py`` on a free loopback port; its URL while the block runs."""
    port = _free_port()
    env = dict(os.environ, VIZCONV_TORCH_THREADS=os.environ.get("VIZCONV_TORCH_THREADS", "1"))
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
        + ["--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(url + "/_stcore/health", timeout=2)
                break
            time.sleep(0.5)
        else:
            raise RuntimeError("the app did not start within 120 s")
        yield url
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=20)
        if process.poll() is None:
            process.kill()


class WebsocketBytes:
    """Bytes of the websocket frames a page receives (Chromium DevTools protocol)."""

    def __init__(self, page) -> None:
        self.total = 0
        session = page.context.new_cdp_session(page)
        session.send("Network.enable")
        session.send("Performance.enable")
        session.on("Network.webSocketFrameReceived", self._frame)
        self.session = session

    def _frame(self, event: dict) -> None:
        response = event.get("response", {})
        data = response.get("payloadData", "")
        self.total += len(data) * 3 // 4 if response.get("opcode") == 2 else len(data.encode("utf-8"))

    def heap_mb(self) -> float:
        metrics = {m["name"]: m["value"] for m in self.session.send("Performance.getMetrics")["metrics"]}
        return metrics.get("JSHeapUsedSize", 0.0) / 1e6


def loopback_bytes() -> int | None:
    """Bytes the loopback interface has carried (Linux's /proc/net/dev; None elsewhere): what went over the
    wire, after any websocket compression, which Chromium's DevTools (decompressed payloads) cannot show."""
    try:
        for line in Path("/proc/net/dev").read_text().splitlines():
            name, _, counters = line.partition(":")
            if name.strip() == "lo":
                return int(counters.split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _query(side: int, stride: int = 1) -> str:
    return (
        f"lang=en&conv_source=sample&conv_sample=astronaut&conv_side={side}&conv_colour=1&conv_out_channels=4"
        f"&conv_kernel_h=3&conv_kernel_w=3&conv_stride_h={stride}&conv_stride_w={stride}&conv_padding_h=0"
        "&conv_padding_w=0&conv_preset=random_normal&conv_kernel_seed=0"
    )


def _wait_drawn(page, before: str, timeout_s: float = 120) -> float:
    """Seconds from the Enter key (its keydown, stamped in the page) until the animator shows data other than
    ``before``: polled on every animation frame, in the page's own clock."""
    handle = page.wait_for_function(
        f"""(before) => {{ const s = ({SIGNATURE})();
            return s && s !== before && window.vizconvEnter !== undefined
                ? performance.now() - window.vizconvEnter : false; }}""",
        arg=before,
        timeout=timeout_s * 1000,
        polling="raf",
    )
    return handle.json_value() / 1000


STAMP_ENTER = """() => { delete window.vizconvEnter;
    document.addEventListener('keydown', e => { if (e.key === 'Enter') window.vizconvEnter = performance.now(); },
                              { capture: true, once: true }); }"""


def _case(browser, url: str, side: int, repeats: int) -> dict:
    opens, open_bytes, changes, change_bytes, wire = [], [], [], [], []
    for _ in range(max(1, repeats // 2)):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        counter = WebsocketBytes(page)
        started = time.perf_counter()
        page.goto(f"{url}/Convolution_卷积?{_query(side)}")
        page.wait_for_function(f"() => ({SIGNATURE})() !== ''", timeout=120_000, polling="raf")
        opens.append(time.perf_counter() - started)
        open_bytes.append(counter.total)
        context.close()

    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    counter = WebsocketBytes(page)
    page.goto(f"{url}/Convolution_卷积?{_query(side)}")
    page.wait_for_function(f"() => ({SIGNATURE})() !== ''", timeout=120_000, polling="raf")
    page.wait_for_timeout(1000)  # the run's trailing messages
    field = page.locator(".st-key-conv_kernel_seed input")
    for i in range(repeats):
        before = page.evaluate(SIGNATURE)
        field.fill(str(i + 1))  # a seed not seen before: new weights, a new output (no cached message to reuse)
        page.evaluate(STAMP_ENTER)
        counter.total = 0
        wire_before = loopback_bytes()
        field.press("Enter")
        changes.append(_wait_drawn(page, before))
        page.wait_for_timeout(800)  # the rerun's last messages (the step panel, the code) count too
        change_bytes.append(counter.total)
        wire_after = loopback_bytes()
        if wire_before is not None and wire_after is not None:
            wire.append(wire_after - wire_before)

    # playback at the top speed
    page.locator(".vz-speed select").select_option("32")
    page.wait_for_timeout(800)
    heap_before = counter.heap_mb()
    frames_before = int(page.locator(".vz").get_attribute("data-frames") or 0)
    page.locator(".vz-play").click()
    page.wait_for_timeout(PLAY_SECONDS * 1000)
    frames = int(page.locator(".vz").get_attribute("data-frames") or 0) - frames_before
    heap_after = counter.heap_mb()
    page.locator(".vz-play").click()
    context.close()
    return {
        "side": side,
        "open_ms": round(statistics.median(opens) * 1000),
        "open_kb": round(statistics.median(open_bytes) / 1000, 1),
        "change_ms": round(statistics.median(changes) * 1000),
        "change_kb": round(statistics.median(change_bytes) / 1000, 1),
        "change_wire_kb": round(statistics.median(wire) / 1000, 1) if wire else None,
        "play_fps": round(frames / PLAY_SECONDS, 1),
        "heap_mb_before_after": [round(heap_before, 1), round(heap_after, 1)],
    }


def run_browser(quick: bool = False) -> dict:
    """Every size's open, change and playback figures, with the goals and whether each is met."""
    from playwright.sync_api import sync_playwright

    repeats = 3 if quick else 7
    sides = (8, 28) if quick else SIDES
    started = time.perf_counter()
    with app_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        try:
            _case(browser, url, 28, 1)  # warm-up: the server's first run imports torch and loads the samples
            cases = [_case(browser, url, side, repeats) for side in sides]
        finally:
            browser.close()
    for case in cases:
        goals = GOALS.get(case["side"], {})
        case["goals"] = goals
        case["met"] = all(case[key] >= goal if key == "play_fps" else case[key] <= goal for key, goal in goals.items())
    compression = os.environ.get("STREAMLIT_SERVER_ENABLE_WEBSOCKET_COMPRESSION", "false (Streamlit's default)")
    return {
        "repeats": repeats,
        "seconds": round(time.perf_counter() - started),
        "websocket_compression": compression,
        "cases": cases,
    }


def markdown_table(results: dict) -> str:
    lines = [
        "| input | open ms | open KB | change ms | change KB | change KB on the wire | play fps "
        "| JS heap MB before / after 3 s of play | goals | met |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for case in results["cases"]:
        goals = ", ".join(f"{key} {'≥' if key == 'play_fps' else '≤'} {value}" for key, value in case["goals"].items())
        heap = " / ".join(str(v) for v in case["heap_mb_before_after"])
        lines.append(
            f"| {case['side']}×{case['side']}×3 | {case['open_ms']} | {case['open_kb']} | {case['change_ms']} "
            f"| {case['change_kb']} | {case['change_wire_kb']} | {case['play_fps']} | {heap} | {goals or '—'} "
            f"| {'yes' if case['met'] else 'no'} |"
        )
    return "\n".join(lines)
