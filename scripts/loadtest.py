"""Load test: concurrent browser sessions against the real vizconv server, bounded in count and time.

    python scripts/loadtest.py --sessions 10 --seconds 120 --out artifacts/loadtest.json
    python scripts/loadtest.py --url http://127.0.0.1:8501 --pid 1234   # a server that is already running
    python scripts/loadtest.py --thread-bench                           # torch threads: 1 vs all cores

Starts ``deploy/entrypoint.sh`` (the Docker image's entry command) on a free loopback port, warms it
up with one session over every page, then opens ``--sessions`` browser contexts in one headless
Chromium (Debian's, through Playwright): each is one Streamlit session that cycles over every page
(the home page and each file in ``pages/``) through the sidebar navigation, uploads a small generated
PNG on the Convolution page and nudges a slider or a number input on each page, until ``--seconds``
have passed. It is not part of the test suite: it runs for minutes and loads the machine.

Latency: from the user's input event (pointer down, key down, file chosen) until the script run it
caused has finished, Streamlit's status widget (``stStatusWidget``) is gone, no HTTP request of the
page is in flight (lazily loaded scripts, fonts, pictures) and the page has stopped changing (the
last DOM change before 0.3 s without one), timed inside the page. Runs are seen on the
websocket itself (ForwardMsg new_session and script_finished). It includes the browser's rendering,
and the browser shares the machine with the server: ``cpu_cores`` says how busy each was
(``--server-cpus`` pins them apart).

Errors (goal 0): exception boxes (``stException``), actions that time out, JavaScript page errors,
a lost websocket connection, and tracebacks in the server's log (when this script started it).

Memory: the server's RSS (VmRSS of the process and its children, from /proc) once started
("cold"), after the warm-up ("before"), every second during the run ("peak"), when the sessions end
("end") and ``--settle`` seconds later ("after"); the server this script starts keeps disconnected
sessions ``--session-ttl`` seconds (Streamlit's server.disconnectedSessionTTL), and one short probe
session after that lets Streamlit drop the expired ones. Streamlit's own ``/_stcore/metrics``
(active sessions, cache memory by cache) is read at the same moments.

Prints one JSON object (and writes it with ``--out``, with the RSS samples). Loopback only; at most
40 sessions and 600 seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import math
import os
import platform
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("VIZCONV_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MAX_SESSIONS = 40
MAX_SECONDS = 600
MAX_SETTLE = 180
HEALTH = "/_stcore/health"

# Installed in every page before Streamlit loads. It notes, with performance.now():
# - the user's input events (pointer down, key down, a file chosen), in __vzInputs;
# - each script run's start and end from the websocket itself, in __vzRuns: Streamlit sends a ForwardMsg
#   new_session (field 4) when a run starts and script_finished (field 6, an enum; 2 = stopped for a
#   rerun) when it ends. The app's data-test-script-state attribute is not enough: when both messages
#   are handled in one task, React renders once and the "running" state never reaches the DOM.
PAGE_HOOKS = """
(() => {
  const inputs = (window.__vzInputs = []);
  const runs = (window.__vzRuns = []);
  window.__vzChanged = 0;
  for (const type of ["pointerdown", "keydown", "change"]) {
    window.addEventListener(type, () => inputs.push(performance.now()), true);
  }
  new MutationObserver(() => { window.__vzChanged = performance.now(); })
    .observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  const varint = (bytes, i) => {
    let value = 0, shift = 0, byte;
    do { byte = bytes[i++]; value += (byte & 0x7f) * 2 ** shift; shift += 7; } while (byte & 0x80);
    return [value, i];
  };
  const topFields = (buffer) => {  // the top-level fields of one protobuf message: {number: varint or true}
    const bytes = new Uint8Array(buffer), out = {};
    let i = 0, tag, value;
    while (i < bytes.length) {
      [tag, i] = varint(bytes, i);
      const wire = tag & 7, number = Math.floor(tag / 8);
      if (wire === 0) { [value, i] = varint(bytes, i); out[number] = value; }
      else if (wire === 2) { [value, i] = varint(bytes, i); out[number] = true; i += value; }
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else break;
    }
    return out;
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (event) => {
        const now = performance.now();
        const note = (buffer) => {
          const fields = topFields(buffer);
          if (4 in fields) runs.push(["started", now]);
          if (6 in fields) runs.push([fields[6] === 2 ? "restopped" : "finished", now]);
        };
        if (event.data instanceof ArrayBuffer) note(event.data);
        else if (event.data instanceof Blob) event.data.arrayBuffer().then(note);
      });
    }
  };
})();
"""
# [input time, run finished, last change] once a run that started after the first input event since
# t0 has finished, the status widget is gone and the page has not changed for QUIET_MS (Streamlit
# renders after the messages arrive: on a busy browser, seconds after); false until then.
QUIET_MS = 300
RUN_DONE = """
(t0) => {
  const start = t0 === 0 ? 0 : (window.__vzInputs || []).find((t) => t >= t0);
  if (start === undefined) return false;
  let ran = false, finished = null;
  for (const [kind, t] of window.__vzRuns || []) {
    if (t < start) continue;
    if (kind === "started") ran = true;
    else if (kind === "finished" && ran) { finished = t; break; }
  }
  if (finished === null || document.querySelector('[data-testid="stStatusWidget"]')) return false;
  const changed = Math.max(finished, window.__vzChanged || 0);
  return performance.now() - changed >= QUIET_MS && [start, finished, changed];
}
""".replace("QUIET_MS", str(QUIET_MS))
# After a full page load: the first script run has finished.
LOADED = "() => (" + RUN_DONE.strip() + ")(0)"
DIAGNOSIS = """
() => {
  const app = document.querySelector('[data-testid="stApp"]');
  const runs = (window.__vzRuns || []).slice(-4).map(([s, t]) => `${s}@${Math.round(t)}`).join(" ");
  const inputs = (window.__vzInputs || []).slice(-3).map(Math.round).join(" ");
  return `now ${Math.round(performance.now())}, inputs ${inputs}, runs ${runs}, connection `
    + `${app && app.getAttribute("data-test-connection-state")}, status widget `
    + `${!!document.querySelector('[data-testid="stStatusWidget"]')}`;
}
"""


@dataclass(frozen=True)
class AppPage:
    """One page of the app: its URL path and its label in the sidebar navigation."""

    path: str
    label: str
    uploads: bool = False  # the Convolution page: an upload through the sidebar's "Upload" source


def app_pages(root: Path = ROOT) -> list[AppPage]:
    """The home page and every file in pages/, as Streamlit's file-name discovery names them."""
    pages = [AppPage("/", Path("app.py").stem)]
    for file in sorted((root / "pages").glob("*.py")):
        name = re.sub(r"^\d+_", "", file.stem)
        pages.append(AppPage("/" + name, name.replace("_", " "), uploads=name.startswith("Convolution")))
    return pages


def check_loopback(url: str) -> str:
    """The URL without a trailing slash; ValueError unless it is http(s) on a loopback address."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http URL: {url!r}")
    host = parts.hostname
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the load test runs against loopback addresses only, not {host!r}")
    return url.rstrip("/")


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile (None for no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def process_tree(pid: int) -> list[int]:
    """pid and all its living descendants (empty once pid is gone)."""
    found: list[int] = []
    stack = [pid]
    while stack:
        current = stack.pop()
        if current in found or not Path(f"/proc/{current}").exists():
            continue
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            with contextlib.suppress(OSError):
                stack += [int(child) for child in (task / "children").read_text().split()]
    return found


def rss_mb(pid: int) -> float | None:
    """Resident memory (VmRSS) of a process and all its descendants, in MB (None once it is gone)."""
    pids = process_tree(pid)
    if not pids:
        return None
    total = 0
    for current in pids:
        with contextlib.suppress(OSError):
            match = re.search(r"^VmRSS:\s+(\d+) kB", Path(f"/proc/{current}/status").read_text(), re.MULTILINE)
            total += int(match.group(1)) if match else 0
    return round(total / 1024, 1)


def cpu_seconds(pid: int, exclude: int | None = None) -> float | None:
    """CPU time of a process tree so far: user + system, threads and reaped children included.

    ``exclude``: a subtree left out (the server, when measuring this script and its browser).
    """
    pids = process_tree(pid)
    if not pids:
        return None
    skip = set(process_tree(exclude)) if exclude else set()
    ticks = 0
    for current in pids:
        if current in skip:
            continue
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += sum(int(fields[i]) for i in (11, 12, 13, 14))  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def streamlit_metrics(url: str) -> dict | None:
    """Active sessions and cache memory (MB by cache type) from Streamlit's /_stcore/metrics."""
    try:
        with urllib.request.urlopen(url + "/_stcore/metrics", timeout=10) as response:
            text = response.read().decode()
    except OSError:
        return None
    out: dict = {"cache_memory_mb": {}}
    for line in text.splitlines():
        if line.startswith("#") or " " not in line:
            continue
        name, value = line.rsplit(" ", 1)
        if name == "active_sessions":
            out["active_sessions"] = int(float(value))
        elif name.startswith("cache_memory_bytes"):
            kind = re.search(r'cache_type="([^"]*)"', name)
            key = kind.group(1) if kind else "?"
            out["cache_memory_mb"][key] = round(out["cache_memory_mb"].get(key, 0) + float(value) / 2**20, 3)
        elif name.startswith("session_events_total"):
            kind = re.search(r'type="([^"]*)"', name)
            out.setdefault("session_events", {})[kind.group(1) if kind else "?"] = int(float(value))
    return out


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(url: str, process: subprocess.Popen | None, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + HEALTH, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url}{HEALTH} did not answer within {seconds:.0f} s")


def parse_cpus(text: str) -> set[int]:
    """A CPU list as taskset writes it ("0", "0-3", "0,2-3") as a set of CPU numbers."""
    cpus: set[int] = set()
    for part in text.split(","):
        low, _, high = part.strip().partition("-")
        cpus.update(range(int(low), int(high or low) + 1))
    return cpus


def start_server(
    port: int, threads: str | None, session_ttl: int, log_path: Path, cpus: set[int] | None = None
) -> subprocess.Popen:
    """deploy/entrypoint.sh on 127.0.0.1:port, as the Docker image runs it (pinned to ``cpus`` if given)."""
    env = dict(os.environ, PORT=str(port), VIZCONV_ADDRESS="127.0.0.1", PYTHON=sys.executable)
    if threads is not None:
        env["VIZCONV_TORCH_THREADS"] = threads
        env.pop("OMP_NUM_THREADS", None)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "wb") as log:
        return subprocess.Popen(
            ["bash", str(ROOT / "deploy" / "entrypoint.sh"), "--server.disconnectedSessionTTL", str(session_ttl)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,  # every server thread inherits it
        )


@dataclass
class Stats:
    """What the sessions measured: latencies by action kind, errors by kind, a few error messages."""

    latency_ms: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    console_errors: int = 0  # the browser console's errors: reported, not counted as errors
    console_examples: list[str] = field(default_factory=list)
    http_errors: int = 0  # responses with status >= 400 seen by the pages: reported, not counted as errors
    http_examples: list[str] = field(default_factory=list)
    warmup_errors: list[str] = field(default_factory=list)
    recording: bool = True  # False during the warm-up: its numbers are not kept, its errors are listed apart
    verbose: bool = False

    def ok(self, kind: str, ms: float) -> None:
        if self.verbose:
            print(f"{time.strftime('%H:%M:%S')} {kind:9} {ms:9.0f} ms", file=sys.stderr, flush=True)
        if self.recording:
            self.latency_ms.setdefault(kind, []).append(ms)

    def error(self, kind: str, message: str) -> None:
        if self.verbose:
            print(f"{time.strftime('%H:%M:%S')} {kind:9} ERROR {message[:300]}", file=sys.stderr, flush=True)
        if not self.recording:
            self.warmup_errors.append(f"{kind}: {message[:300]}")
            return
        self.errors[kind] = self.errors.get(kind, 0) + 1
        if len(self.examples) < 20:
            self.examples.append(f"{kind}: {message[:300]}")


class Session:
    """One browser context = one Streamlit session, driven through the app like a student would."""

    def __init__(self, index: int, browser, base: str, pages: list[AppPage], stats: Stats, args, png: Path) -> None:
        self.index, self.browser, self.base, self.pages = index, browser, base, pages
        self.stats, self.args, self.png = stats, args, png
        self.page = None
        self.current = pages[0]
        self.loading = 0  # HTTP requests in flight (scripts, fonts, media): the page is not done before they are
        self.idle = asyncio.Event()
        self.idle.set()

    async def run(self, deadline: float, cycles: int | None = None) -> None:
        context = await self.browser.new_context(viewport={"width": 1300, "height": 1000})
        try:
            await context.add_init_script(PAGE_HOOKS)
            self.page = page = await context.new_page()
            page.set_default_timeout(self.args.action_timeout * 1000)
            page.on("pageerror", lambda exc: self.stats.error("page_error", f"session {self.index}: {exc}"))
            page.on("crash", lambda _: self.stats.error("page_crash", f"session {self.index}"))
            page.on("console", self._console)
            page.on("response", self._response)
            page.on("request", self._request_started)
            page.on("requestfinished", self._request_ended)
            page.on("requestfailed", self._request_ended)
            order = self.pages[self.index % len(self.pages) :] + self.pages[: self.index % len(self.pages)]
            await self._open(order[0])
            done = 0
            while time.monotonic() < deadline and (cycles is None or done < cycles):
                for target in order:
                    if time.monotonic() >= deadline:
                        break
                    if target != self.current:
                        await self._act("navigate", self._navigate, target)
                    if target.uploads and time.monotonic() < deadline:
                        await self._upload()
                    for step in range(self.args.actions_per_page):
                        if time.monotonic() >= deadline:
                            break
                        await self._nudge(up=step % 2 == 0)
                done += 1
        finally:
            await context.close()

    def _console(self, message) -> None:
        if message.type == "error" and self.stats.recording:
            self.stats.console_errors += 1
            if len(self.stats.console_examples) < 5:
                self.stats.console_examples.append(message.text[:200])

    def _request_started(self, _) -> None:
        self.loading += 1
        self.idle.clear()

    def _request_ended(self, _) -> None:
        self.loading = max(0, self.loading - 1)
        if not self.loading:
            self.idle.set()

    async def _settled(self, t0: float) -> list[float]:
        """Wait until RUN_DONE holds with no HTTP request in flight: [input time, run finished, last change]."""
        while True:
            handle = await self.page.wait_for_function(RUN_DONE, arg=t0, polling="raf")
            if self.idle.is_set():
                return await handle.json_value()
            await asyncio.wait_for(self.idle.wait(), self.args.action_timeout)

    def _response(self, response) -> None:
        if response.status >= 400 and self.stats.recording:
            self.stats.http_errors += 1
            if len(self.stats.http_examples) < 5:
                self.stats.http_examples.append(f"{response.status} {urllib.parse.unquote(response.url)[:200]}")

    async def _open(self, target: AppPage) -> None:
        """A full page load (a new websocket, so a new session on the server)."""
        try:
            await self.page.goto(self.base + target.path)
            _, _, changed = await self._settled(0)
            self.current = target
            self.stats.ok("open", changed)  # ms since the navigation started
            await self._check(f"open {target.path}")
        except Exception as exc:  # a timeout or a lost page: count it and go on
            name = "timeout" if "Timeout" in type(exc).__name__ else "open_failed"
            message = str(exc).splitlines()[0] if str(exc) else repr(exc)
            self.stats.error(name, f"session {self.index} open {target.path}: {message}; {await self._state()}")

    async def _act(self, kind: str, action, *args) -> None:
        """Run an action that causes a rerun and time it until that rerun has finished."""
        page = self.page
        try:
            t0 = await page.evaluate("() => performance.now()")
            if not await action(*args):
                return  # nothing to do on this page
            started, _, changed = await self._settled(t0)
            self.stats.ok(kind, changed - started)
            await self._check(f"{kind} on {self.current.path}")
        except Exception as exc:
            name = "timeout" if "Timeout" in type(exc).__name__ else "action_failed"
            message = str(exc).splitlines()[0] if str(exc) else repr(exc)
            self.stats.error(
                name, f"session {self.index} {kind} on {self.current.path}: {message}; {await self._state()}"
            )
            await self._open(self.current)  # start again from a fresh load of the same page

    async def _state(self) -> str:
        """What the page shows now, for an error message: its last script states and the status widget."""
        try:
            return await self.page.evaluate(DIAGNOSIS)
        except Exception as exc:
            return f"page unreadable: {type(exc).__name__}"

    async def _check(self, where: str) -> None:
        page = self.page
        boxes = page.get_by_test_id("stException")
        if await boxes.count():
            self.stats.error("exception_box", f"session {self.index} {where}: {await boxes.first.inner_text()}")
        state = await page.get_attribute('[data-testid="stApp"]', "data-test-connection-state")
        if state not in (None, "CONNECTED"):
            self.stats.error("disconnected", f"session {self.index} {where}: {state}")

    async def _navigate(self, target: AppPage) -> bool:
        nav = self.page.get_by_test_id("stSidebarNav")
        await nav.get_by_text(target.label, exact=True).click()
        self.current = target
        return True

    async def _upload(self) -> None:
        """Choose the sidebar's "Upload" source (unless chosen) and upload this session's PNG."""
        sidebar = self.page.get_by_test_id("stSidebar")
        option = sidebar.get_by_test_id("stRadioOption").filter(has_text=re.compile(r"^\s*Upload\s*$"))

        async def choose_upload() -> bool:
            if await option.first.get_attribute("data-selected") == "true":
                return False  # chosen on an earlier visit: the session remembers it
            await option.first.click()
            return True

        async def upload() -> bool:
            file_input = self.page.locator("input[type=file]")
            await file_input.wait_for(state="attached")
            await file_input.set_input_files(str(self.png))
            return True

        await self._act("radio", choose_upload)
        await self._act("upload", upload)

    async def _nudge(self, up: bool) -> None:
        """Move the first slider one step with the keyboard (sidebar first, then the main area), else type a
        new value into the first enabled number input."""
        page = self.page
        for area in ("stSidebar", "stMain"):
            sliders = page.get_by_test_id(area).locator('[data-testid="stSlider"] input[type=range]')
            if await sliders.count():
                slider = sliders.first

                async def press(slider=slider) -> bool:
                    now, low, high = [float(await slider.get_attribute(name) or 0) for name in ("value", "min", "max")]
                    key = "ArrowRight" if (up and now < high) or now <= low else "ArrowLeft"
                    await slider.focus()
                    await slider.press(key)
                    return True

                await self._act("slider", press)
                return
        for area in ("stSidebar", "stMain"):
            fields = page.get_by_test_id(area).locator(
                '[data-testid="stNumberInput"] input[type=number]:not([disabled])'
            )
            if await fields.count():
                field = fields.first

                async def retype(field=field) -> bool:
                    now = float(await field.input_value() or 0)
                    low, high = [await field.get_attribute(name) for name in ("min", "max")]
                    step = float(await field.get_attribute("step") or 1)
                    new = now + step if up else now - step
                    if (high not in (None, "") and new > float(high)) or (low not in (None, "") and new < float(low)):
                        new = now - step if up else now + step
                    await field.fill(str(int(new)) if new == int(new) else str(new))
                    await field.press("Enter")
                    return True

                await self._act("number", retype)
                return


class Sampler:
    """The server's RSS and CPU time, sampled every second in the background."""

    def __init__(self, pid: int | None) -> None:
        self.pid = pid
        self.samples: list[tuple[float, float]] = []
        self.started = time.monotonic()

    def now(self) -> float | None:
        if self.pid is None:
            return None
        value = rss_mb(self.pid)
        if value is not None:
            self.samples.append((round(time.monotonic() - self.started, 1), value))
        return value

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.now()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=1.0)


def _png(folder: Path, index: int) -> Path:
    """A small random picture per session (PIL comes with Streamlit)."""
    from PIL import Image

    rng = random.Random(index)
    width, height = rng.randint(16, 48), rng.randint(16, 48)
    picture = Image.frombytes("RGB", (width, height), bytes(rng.randrange(256) for _ in range(width * height * 3)))
    path = folder / f"session{index}.png"
    picture.save(path)
    return path


def _latency_summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": _round(percentile(values, 50)),
        "p95_ms": _round(percentile(values, 95)),
        "max_ms": _round(max(values) if values else None),
    }


def _rate(start: float | None, end: float | None, seconds: float) -> float | None:
    return None if start is None or end is None else round((end - start) / seconds, 2)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


async def drive(args, base: str, pid: int | None, log_path: Path | None) -> dict:
    from playwright.async_api import async_playwright

    pages = app_pages()
    stats = Stats(verbose=args.verbose)
    sampler = Sampler(pid)
    cpu_before = cpu_seconds(pid) if pid else None
    rss: dict = {"cold": sampler.now()}
    metrics: dict = {}
    with tempfile.TemporaryDirectory() as folder:
        pngs = [_png(Path(folder), i) for i in range(args.sessions + 1)]
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                if args.warmup:  # one session over every page: imports, models and caches are loaded
                    stats.recording = False
                    await Session(args.sessions, browser, base, pages, stats, args, pngs[-1]).run(
                        time.monotonic() + 180, cycles=1
                    )
                    stats.recording = True
                    await asyncio.sleep(2)
                rss["before"] = sampler.now()
                metrics["before"] = streamlit_metrics(base)
                stop = asyncio.Event()
                sampling = asyncio.create_task(sampler.run(stop))
                started = time.monotonic()
                deadline = started + args.seconds
                cpu_start = cpu_seconds(pid) if pid else None
                client_start = cpu_seconds(os.getpid(), exclude=pid)

                async def one(i: int) -> None:
                    await asyncio.sleep(args.ramp * i / max(1, args.sessions))  # arrivals spread over --ramp
                    await Session(i, browser, base, pages, stats, args, pngs[i]).run(deadline)

                results = await asyncio.gather(*(one(i) for i in range(args.sessions)), return_exceptions=True)
                for result in results:
                    if isinstance(result, BaseException):
                        stats.error("session_failed", repr(result))
                elapsed = time.monotonic() - started
                cpu_end = cpu_seconds(pid) if pid else None
                client_end = cpu_seconds(os.getpid(), exclude=pid)
                stop.set()
                await sampling
                rss["end"] = sampler.now()
                metrics["end"] = streamlit_metrics(base)
                peak_samples = [mb for t, mb in sampler.samples if t >= started - sampler.started]
                rss["peak"] = max(peak_samples) if peak_samples else None
                # Settle: disconnected sessions expire after the TTL; a short probe session's disconnect
                # lets Streamlit drop them (it reaps expired sessions when it stores another).
                settle_end = time.monotonic() + args.settle
                probe_at = time.monotonic() + min(args.session_ttl + 2, args.settle / 2)
                while time.monotonic() < settle_end:
                    if probe_at and time.monotonic() >= probe_at:
                        probe_at = 0
                        context = await browser.new_context()
                        await context.add_init_script(PAGE_HOOKS)
                        probe = await context.new_page()
                        try:
                            await probe.goto(base + "/")
                            await probe.wait_for_function(LOADED, polling=100, timeout=60_000)
                        except Exception as exc:
                            stats.error("probe_failed", str(exc))
                        await context.close()
                    sampler.now()
                    await asyncio.sleep(1)
                rss["after"] = sampler.now()
                metrics["after"] = streamlit_metrics(base)
            finally:
                await browser.close()
    if log_path is not None and log_path.exists():
        tracebacks = log_path.read_text(errors="replace").count("Traceback (most recent call last)")
        if tracebacks:
            stats.errors["server_traceback"] = tracebacks
            stats.examples.append(f"server_traceback: {tracebacks} in {log_path}")
    everything = [ms for values in stats.latency_ms.values() for ms in values]
    update = [ms for kind, values in stats.latency_ms.items() if kind != "open" for ms in values]
    return {
        "sessions": args.sessions,
        "seconds": args.seconds,
        "elapsed_s": round(elapsed, 1),
        "url": base,
        "pages": [page.path for page in pages],
        "torch_threads": os.environ.get("VIZCONV_TORCH_THREADS", "1") if args.threads is None else args.threads,
        "actions": len(everything),
        "actions_by_kind": {kind: len(values) for kind, values in sorted(stats.latency_ms.items())},
        "errors": sum(stats.errors.values()),
        "errors_by_kind": dict(sorted(stats.errors.items())),
        "error_examples": stats.examples,
        "console_errors": stats.console_errors,
        "console_examples": stats.console_examples,
        "http_errors": stats.http_errors,
        "http_examples": stats.http_examples,
        "warmup_errors": stats.warmup_errors,
        "latency_ms": {
            **_latency_summary(update),
            "by_kind": {kind: _latency_summary(values) for kind, values in sorted(stats.latency_ms.items())},
        },
        "rss_mb": rss,
        # Mean CPU cores busy during the run: the server, and this script with its browser (the client).
        "cpu_cores": {
            "server": _rate(cpu_start, cpu_end, elapsed),
            "client": _rate(client_start, client_end, elapsed),
        },
        "server_cpu_s_total": round(cpu_end - cpu_before, 1) if cpu_before is not None and cpu_end else None,
        "streamlit": metrics,
        "session_ttl_s": args.session_ttl if args.url is None else None,
        "server_cpus": args.server_cpus,
        "machine": {
            "cores": os.cpu_count(),
            "load_average": [round(x, 2) for x in os.getloadavg()],
            "platform": platform.platform(),
            "python": platform.python_version(),
        },
        "rss_samples": sampler.samples,
    }


# ---------------------------------------------------------------- torch threads, without a server


def thread_bench(concurrency: list[int], repeats: int) -> dict:
    """Latency of concurrent 'requests' with 1 torch thread vs one per core, in this process.

    A request is what a page does with torch: a capture() on a shared model (LeNet-5, ResNet-20 and
    ResNet-18 at 224x224 in turn) and a trace_conv2d of a 3x64x64 input with 8 kernels. Models are
    shared as st.cache_resource shares them, so captures on one model wait for its lock.
    """
    import threading

    import torch
    from torchvision.models import resnet18

    from vizconv.capture import capture
    from vizconv.conv import trace_conv2d
    from vizconv.models import load_model

    generator = torch.Generator().manual_seed(0)
    models = [
        (load_model("lenet5")[0], torch.randn(1, 1, 28, 28, generator=generator)),
        (load_model("resnet20")[0], torch.randn(1, 3, 32, 32, generator=generator)),
        (resnet18().eval(), torch.randn(1, 3, 224, 224, generator=generator)),  # random weights: timing only
    ]
    image, kernels = torch.randn(3, 64, 64, generator=generator), torch.randn(8, 3, 3, 3, generator=generator)

    def request(which: int) -> None:
        model, x = models[which % len(models)]
        capture(model, x)
        trace_conv2d(image, kernels, padding=1)

    def work(worker: int, latencies: list[float]) -> None:
        for i in range(repeats):  # every worker cycles over the three models: the same mix at every concurrency
            started = time.perf_counter()
            request(worker + i)
            latencies.append((time.perf_counter() - started) * 1000)

    out: dict = {"cores": os.cpu_count(), "repeats": repeats, "load_average": list(os.getloadavg()), "cases": []}
    for threads in sorted({1, os.cpu_count() or 1}):
        torch.set_num_threads(threads)
        for worker in range(len(models)):
            request(worker)  # warm-up: first captures clone everything, allocators grow
        for workers in concurrency:
            latencies: list[float] = []  # list.append is atomic: the workers share it
            started = time.perf_counter()
            pool = [threading.Thread(target=work, args=(w, latencies)) for w in range(workers)]
            for thread in pool:
                thread.start()
            for thread in pool:
                thread.join()
            wall = time.perf_counter() - started
            out["cases"].append(
                {
                    "torch_threads": threads,
                    "concurrent": workers,
                    **_latency_summary(latencies),
                    "requests_per_s": round(len(latencies) / wall, 1),
                }
            )
    return out


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sessions", type=int, default=5, help=f"concurrent browser sessions (1-{MAX_SESSIONS})")
    parser.add_argument("--seconds", type=float, default=60, help=f"how long they run (at most {MAX_SECONDS})")
    parser.add_argument("--url", help="a running server on loopback (default: start deploy/entrypoint.sh)")
    parser.add_argument("--port", type=int, help="port for the server this script starts (default: a free one)")
    parser.add_argument("--pid", type=int, help="with --url: the server's process id, for RSS and CPU")
    parser.add_argument("--threads", help="VIZCONV_TORCH_THREADS for the server this script starts")
    parser.add_argument(
        "--server-cpus", help="pin the server this script starts to these CPUs (e.g. 0-3); the browser gets the rest"
    )
    parser.add_argument("--session-ttl", type=int, default=10, help="server.disconnectedSessionTTL, seconds")
    parser.add_argument("--settle", type=float, default=30, help="seconds to watch the RSS after the sessions end")
    parser.add_argument("--ramp", type=float, default=5, help="seconds over which the sessions arrive")
    parser.add_argument("--actions-per-page", type=int, default=2, help="slider or number changes per page visit")
    parser.add_argument("--action-timeout", type=float, default=60, help="seconds before an action counts as failed")
    parser.add_argument("--no-warmup", dest="warmup", action="store_false", help="skip the warm-up session")
    parser.add_argument("--verbose", action="store_true", help="print every action and error as it happens")
    parser.add_argument("--out", type=Path, help="also write the JSON summary (with RSS samples) here")
    parser.add_argument("--thread-bench", action="store_true", help="only compare torch thread counts (no server)")
    parser.add_argument("--concurrent", type=int, nargs="+", default=[1, 2, 4], help="--thread-bench: workers")
    parser.add_argument("--repeats", type=int, default=12, help="--thread-bench: requests per worker")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS:
        parser.error(f"--sessions must be between 1 and {MAX_SESSIONS}")
    if not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be in (0, {MAX_SECONDS}]")
    if not 0 <= args.settle <= MAX_SETTLE:
        parser.error(f"--settle must be in [0, {MAX_SETTLE}]")
    if args.thread_bench and (max(args.concurrent) > MAX_SESSIONS or args.repeats > 1000):
        parser.error("--thread-bench: at most 40 workers and 1000 repeats")
    if args.url is not None:
        try:
            args.url = check_loopback(args.url)
        except ValueError as exc:
            parser.error(str(exc))
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.thread_bench:
        sys.path.insert(0, str(ROOT))
        summary = thread_bench(args.concurrent, args.repeats)
    else:
        if not Path(CHROMIUM).exists():
            print(f"Chromium not found at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
            return 2
        process = log_path = None
        if args.url is None:
            port = args.port or free_port()
            base = f"http://127.0.0.1:{port}"
            log_path = ROOT / "artifacts" / "loadtest_server.log"
            server_cpus = None
            if args.server_cpus:  # the server on these CPUs, this script and its browser on the others
                server_cpus = parse_cpus(args.server_cpus)
                client_cpus = os.sched_getaffinity(0) - server_cpus
                if not client_cpus or not server_cpus <= os.sched_getaffinity(0):
                    print(f"--server-cpus {args.server_cpus}: leave the browser at least one CPU", file=sys.stderr)
                    return 2
                os.sched_setaffinity(0, client_cpus)
            process = start_server(port, args.threads, args.session_ttl, log_path, server_cpus)
            pid = process.pid  # the entry script execs the server: same process
        else:
            base, pid = args.url, args.pid
        try:
            wait_healthy(base, process)
            summary = asyncio.run(drive(args, base, pid, log_path))
        finally:
            if process is not None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    printed = {k: v for k, v in summary.items() if k != "rss_samples"}
    print(json.dumps(printed, indent=2, ensure_ascii=False))
    return 0 if summary.get("errors", 0) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
