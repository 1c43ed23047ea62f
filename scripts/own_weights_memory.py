"""Server memory for the Feature maps page's own weights: sessions that upload a ResNet-18 state_dict, then end.

    python scripts/own_weights_memory.py --sessions 10 --out artifacts/own_weights_memory.json
    python scripts/own_weights_memory.py --root /tmp/before   # the same against another checkout

Starts ``deploy/entrypoint.sh`` of ``--root`` (default: this checkout; the Docker image's entry command,
with its malloc settings) on a free loopback port, with ``--session-ttl`` as
server.disconnectedSessionTTL. One headless Chromium (Debian's, through Playwright) opens ``--sessions``
browser contexts one after another; each is a Streamlit session that picks ResNet-18 and "my own"
weights, uploads its own seeded random ResNet-18 state_dict (47 MB, a different file per session),
waits for the feature maps, and picks ``--channels`` other channels (each a new figure). The sessions stay
open until the last one has loaded; then all close. After the TTL, two short probe sessions: Streamlit's
session storage forgets expired sessions only when it is next written (the first probe's end), and frees
them, their uploads and their state, when the garbage collector runs (after the second probe's script
run, Streamlit's runner.postScriptGC); the RSS is read again ``--settle`` seconds later.

The server's RSS (VmRSS of the process tree, MB) is reported: once healthy ("cold"), after a warm-up
session on the page with a bundled model ("warm"), after each session's upload, at its highest
("peak"), right after the sessions close ("closed") and after the TTL, the probe and the settle
("after"); with each upload's seconds (file chosen until the feature maps show). Loopback only; not part
of the test suite.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

from loadtest import rss_mb, write_summary  # this folder is on sys.path when the script runs

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("VIZCONV_CHROMIUM", "/usr/bin/chromium")
PAGE = "/Feature_maps_特征图"


class Peak:
    """The highest RSS of the server, sampled every 0.2 s on a thread."""

    def __init__(self, pid: int) -> None:
        self.pid, self.value, self._stop = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.value = max(self.value, rss_mb(self.pid) or 0.0)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.value


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        with contextlib.suppress(OSError), urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.5)
    raise RuntimeError("the server did not become healthy")


def weights_files(folder: Path, count: int) -> list[Path]:
    """``count`` ResNet-18 state_dicts with different seeded random weights (47 MB each)."""
    import torch
    from torchvision.models import resnet18

    paths = []
    for index in range(count):
        torch.manual_seed(index)
        buffer = io.BytesIO()
        torch.save(resnet18().state_dict(), buffer)
        path = folder / f"student{index}.pt"
        path.write_bytes(buffer.getvalue())
        paths.append(path)
    return paths


def _open(context, base: str, query: str = ""):
    page = context.new_page()
    page.set_default_timeout(180_000)
    page.goto(base + PAGE + query)
    page.get_by_test_id("stApp").wait_for()
    page.locator("h1").first.wait_for()
    return page


def upload(context, base: str, path: Path, channels: int) -> float:
    """One session: ResNet-18, my own weights, this file; the seconds from the file chosen to the feature maps."""
    page = _open(context, base, "?fm_model=resnet18")
    page.get_by_test_id("stSidebar").get_by_text("my own", exact=True).click()
    chooser = page.locator("input[type=file]")
    chooser.wait_for(state="attached")
    started = time.monotonic()
    chooser.set_input_files(str(path))
    page.get_by_text("Your own ResNet-18").first.wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    seconds = time.monotonic() - started
    number = page.get_by_test_id("stNumberInput").first.locator("input")
    for channel in range(1, channels + 1):
        number.fill(str(channel))
        number.press("Enter")
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=180_000
        )  # the run it caused is over
        time.sleep(0.5)
    if page.get_by_test_id("stException").count():
        raise RuntimeError("an exception box on the page")
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="the vizconv checkout whose server runs")
    parser.add_argument("--sessions", type=int, default=10, help="sessions, each with its own 47 MB upload")
    parser.add_argument("--channels", type=int, default=2, help="other channels each session looks at")
    parser.add_argument("--session-ttl", type=int, default=5, help="server.disconnectedSessionTTL, seconds")
    parser.add_argument("--settle", type=float, default=10, help="seconds after the probe session")
    parser.add_argument("--out", type=Path, help="also write the JSON summary here")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= 40:
        parser.error("--sessions: 1 to 40")
    from playwright.sync_api import sync_playwright

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, PORT=str(port), VIZCONV_ADDRESS="127.0.0.1", PYTHON=sys.executable)
    summary: dict = {"root": str(args.root), "sessions": args.sessions, "rss_mb": {}, "upload_seconds": []}
    with tempfile.TemporaryDirectory() as folder:
        files = weights_files(Path(folder), args.sessions)
        log = open(Path(folder) / "server.log", "wb")  # noqa: SIM115 (closed below)
        server = subprocess.Popen(
            ["bash", str(args.root / "deploy" / "entrypoint.sh"), "--server.disconnectedSessionTTL",
             str(args.session_ttl)],
            cwd=args.root, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        rss = summary["rss_mb"]
        try:
            _healthy(base, server)
            rss["cold"] = rss_mb(server.pid)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless"])
                warm = browser.new_context(viewport={"width": 1400, "height": 1400})
                _open(warm, base).locator(".js-plotly-plot").first.wait_for()
                warm.close()
                time.sleep(args.session_ttl + 2)
                rss["warm"] = rss_mb(server.pid)
                peak = Peak(server.pid)
                contexts, rss["after_each_upload"] = [], []
                for path in files:
                    context = browser.new_context(viewport={"width": 1400, "height": 1400})
                    contexts.append(context)
                    summary["upload_seconds"].append(round(upload(context, base, path, args.channels), 2))
                    rss["after_each_upload"].append(rss_mb(server.pid))
                    print(f"session {len(contexts)}: {rss['after_each_upload'][-1]} MB", flush=True)
                for context in contexts:
                    context.close()
                time.sleep(2)
                rss["closed"] = rss_mb(server.pid)
                time.sleep(args.session_ttl + 2)
                for _ in range(2):  # the first one's end makes Streamlit forget the expired sessions; the second
                    probe = browser.new_context()  # one's script run collects them (postScriptGC)
                    _open(probe, base).locator(".js-plotly-plot").first.wait_for()
                    probe.close()
                    time.sleep(2)
                time.sleep(args.settle)
                rss["after"] = rss_mb(server.pid)
                rss["peak"] = peak.stop()
                browser.close()
        finally:
            server.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                server.wait(timeout=20)
            log.close()
            tail = (Path(folder) / "server.log").read_text(errors="replace")
            summary["tracebacks_in_log"] = tail.count("Traceback")
    summary["returned_mb"] = round(rss["peak"] - rss["after"], 1)
    summary["kept_after_sessions_mb"] = round(rss["after"] - rss["warm"], 1)
    print(json.dumps(summary, indent=2))
    write_summary(args.out, summary)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
