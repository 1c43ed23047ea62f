"""Load test: concurrent browser sessions against the real vizconv server, bounded in count and time.

    python scripts/loadtest.py --sessions 10 --seconds 120 --out artifacts/loadtest.json
    python scripts/loadtest.py --clients websocket --sessions 30 --seconds 60   # no browser: the server's load
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

``--clients websocket`` replaces the browser with plain websocket clients speaking Streamlit's protocol
to ``/_stcore/stream`` (the protobuf classes of the streamlit package, the ``websockets`` package that
Streamlit requires): a session connects, sends a ``rerun_script`` BackMsg naming a random page, then
changes one keyed slider or number input of the page (found in the deltas) one step at a time, sending
every tracked widget's state as the browser would, and after ``--actions-per-page`` changes switches to
another random page in the same session. Latency is from sending the BackMsg to the ForwardMsg
``script_finished`` of the run it caused: the server's time alone, no rendering. Errors: an
``exception`` element in the deltas, a run that does not finish successfully, ``page_not_found``, a
timeout, a lost connection, tracebacks in the server's log. No uploads in this mode.

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


def write_summary(path: Path | None, summary: dict) -> None:
    """``summary`` as indented JSON (UTF-8, one trailing newline) at ``path``, its folder made; nothing for None."""
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


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
        if target.path == "/":  # the home entry's text ("app") is hidden; it reads "Home 首页" (vizconv.ui.NAV_CSS)
            await nav.get_by_test_id("stSidebarNavLink").first.click()
        else:
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


# ---------------------------------------------------------------- websocket clients, without a browser

STREAM = "/_stcore/stream"
# The first entry of Sec-WebSocket-Protocol is the subprotocol the server selects; the browser puts an XSRF token
# second and a session id to resume third, which only matter with authentication or a reconnection.
SUBPROTOCOL = "streamlit"
# The widget protos whose value a websocket session keeps, as the browser's widget manager does, and the
# WidgetState field each value travels in (streamlit/elements/widgets/*.py, register_widget's value_type).
# Other widgets are left out of the states sent: the server keeps their values from the previous run.
TRACKED_WIDGETS = {"slider": "double_array_value", "number_input": "double_value", "checkbox": "bool_value"}
FINISHED_EARLY_FOR_RERUN = 2  # ForwardMsg.ScriptFinishedStatus: st.rerun() or a newer request stopped the run
FINISHED_OK = {0, 3}  # FINISHED_SUCCESSFULLY, FINISHED_FRAGMENT_RUN_SUCCESSFULLY


@dataclass(frozen=True)
class Widget:
    """A widget of the last script run, as its proto describes it, with the value the client holds for it."""

    id: str
    kind: str  # a TRACKED_WIDGETS key
    value: object  # list[float] (slider), float (number_input), bool (checkbox); None: empty
    key: str | None = None  # the user key in the id (st.slider(..., key=...)), None when the widget has none
    sidebar: bool = False
    low: float | None = None
    high: float | None = None
    step: float = 1.0
    integer: bool = False
    usable: bool = False  # a single-valued number the client can move: enabled, outside forms, not a select_slider


def widget_from_element(element, sidebar: bool = False, held: object = None) -> Widget | None:
    """A tracked widget from a Delta's new_element (None for any other element).

    ``held``: the value the client sent for this widget before; the proto's value counts when the script
    set it (``set_value``), then what the client holds, then the widget's default.
    """
    from streamlit.elements.lib.utils import user_key_from_element_id

    kind = element.WhichOneof("type")
    if kind not in TRACKED_WIDGETS:
        return None
    proto = getattr(element, kind)
    key = user_key_from_element_id(proto.id)
    if kind == "checkbox":
        value = proto.value if proto.set_value else held if held is not None else proto.default
        return Widget(proto.id, kind, bool(value), key, sidebar)
    if kind == "slider":
        if proto.type == 2:  # SELECT_SLIDER: its state is the chosen options, as strings; left out
            return None
        value = list(proto.value) if proto.set_value else held if held is not None else list(proto.default)
        usable = (
            len(value) == 1
            and proto.data_type in (0, 1)  # INT, FLOAT (not dates and times)
            and proto.max > proto.min
            and proto.step > 0
        )
        return Widget(
            proto.id, kind, value, key, sidebar, proto.min, proto.max, proto.step or 1.0,
            proto.data_type == 0, usable and not proto.disabled and not proto.form_id,
        )  # fmt: skip
    if proto.set_value:
        value = proto.value if proto.HasField("value") else None
    else:
        value = held if held is not None else proto.default if proto.HasField("default") else None
    return Widget(
        proto.id, kind, value, key, sidebar,
        proto.min if proto.has_min else None, proto.max if proto.has_max else None, proto.step or 1.0,
        proto.data_type == 0, value is not None and proto.step > 0 and not proto.disabled and not proto.form_id,
    )  # fmt: skip


def widget_state(widget: Widget, value: object = None):
    """The WidgetState the browser sends for ``widget`` holding ``value`` (default: its current value)."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    value = widget.value if value is None else value
    state = WidgetState(id=widget.id)
    field_name = TRACKED_WIDGETS[widget.kind]
    if field_name == "double_array_value":
        state.double_array_value.data.extend(float(v) for v in value)
    elif field_name == "double_value":
        state.double_value = float(value)
    else:
        state.bool_value = bool(value)
    return state


def nudged(widget: Widget, up: bool) -> object:
    """The widget's value one step up (down when ``up`` is false), turned back at a bound, as a user moves it."""
    now = widget.value[0] if widget.kind == "slider" else widget.value
    step = widget.step
    new = now + step if up else now - step
    if (widget.high is not None and new > widget.high) or (widget.low is not None and new < widget.low):
        new = now - step if up else now + step
    if widget.low is not None:
        new = max(widget.low, new)
    if widget.high is not None:
        new = min(widget.high, new)
    new = int(round(new)) if widget.integer else round(new, 10)
    return [new] if widget.kind == "slider" else new


def rerun_message(states: list, query_string: str = "", page_script_hash: str = "", page_name: str = "", url: str = ""):
    """The BackMsg rerun_script the browser sends: its query string, every widget's state and the page."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    msg = BackMsg()
    client = msg.rerun_script
    client.query_string = query_string
    client.widget_states.widgets.extend(states)
    client.page_script_hash = page_script_hash
    client.page_name = page_name
    if url:
        client.context_info.url = url
        client.context_info.timezone = "UTC"
        client.context_info.timezone_offset = 0
        client.context_info.locale = "en-US"
        client.context_info.color_scheme = "light"
    return msg


@dataclass
class RunResult:
    """What a websocket session saw of one script run (and of the runs st.rerun() chained to it)."""

    status: int | None = None  # ScriptFinishedStatus of the last run; None until it finished
    page_script_hash: str = ""
    widgets: dict[str, Widget] = field(default_factory=dict)
    exceptions: list[str] = field(default_factory=list)
    not_found: str | None = None
    runs: int = 0


class WebsocketSession:
    """One websocket = one Streamlit session, speaking the browser's protocol: rerun_script BackMsgs out,
    ForwardMsgs (new_session, deltas, script_finished) in. It opens a random page, changes a number widget of
    it ``--actions-per-page`` times, then goes to another page in the same session, like the sidebar does."""

    def __init__(self, index: int, base: str, pages: list[AppPage], stats: Stats, args) -> None:
        self.index, self.base, self.pages, self.stats, self.args = index, base, pages, stats, args
        self.rng = random.Random(args.seed * 1000 + index)
        self.socket = None
        self.current = pages[0]
        self.query = ""
        self.page_hashes: dict[str, str] = {}  # url_pathname ("" for the home page) -> page_script_hash
        self.page_hash = ""
        self.widgets: dict[str, Widget] = {}  # the current page's tracked widgets, by id
        self.held: dict[str, object] = {}  # the current widgets' values as this client holds them, by id
        self.chosen: str | None = None  # the widget this page visit changes

    async def run(self, deadline: float, cycles: int | None = None) -> None:
        try:
            # A random first page; the warm-up (cycles) visits every page in turn.
            order = [self.rng.choice(self.pages)] if cycles is None else list(self.pages)
            await self._open(order[0])
            visits = 1
            while time.monotonic() < deadline:
                if self.socket is None:  # the last open failed: try again, as a user reloads
                    await asyncio.sleep(1)
                    await self._open(self.current)
                    continue
                for step in range(self.args.actions_per_page):
                    if time.monotonic() >= deadline:
                        break
                    await self._nudge(up=step % 2 == 0)
                if cycles is not None and visits >= len(order) * cycles:
                    break
                if time.monotonic() >= deadline:
                    break
                target = order[visits % len(order)] if cycles is not None else self._another_page()
                visits += 1
                await self._act("navigate", self._navigate_message(target), target)
        finally:
            await self._close()

    def _another_page(self) -> AppPage:
        others = [page for page in self.pages if page != self.current]
        return self.rng.choice(others) if others else self.current

    @staticmethod
    def _pathname(page: AppPage) -> str:
        return page.path.strip("/")

    def _url(self, page: AppPage, query: str = "") -> str:
        return self.base + urllib.parse.quote(page.path) + ("?" + query if query else "")

    async def _close(self) -> None:
        if self.socket is not None:
            with contextlib.suppress(Exception):
                await self.socket.close()
            self.socket = None

    async def _open(self, target: AppPage) -> None:
        """A new websocket on ``target`` (a new session on the server), as a full page load opens one."""
        from websockets.asyncio.client import connect

        await self._close()
        self.current, self.query, self.widgets, self.held = target, "", {}, {}
        started = time.perf_counter()
        try:
            self.socket = await asyncio.wait_for(
                connect(
                    self.base.replace("http", "ws", 1) + STREAM,
                    subprotocols=[SUBPROTOCOL],
                    origin=self.base,
                    max_size=None,  # a page's Plotly figures exceed websockets' 1 MiB default
                    ping_interval=None,  # the server pings; an answer needs no timer here
                    open_timeout=self.args.action_timeout,  # a busy server is slow to answer the handshake too
                    # compression offered as a browser offers it; the server's enableWebsocketCompression decides
                ),
                self.args.action_timeout,
            )
        except Exception as exc:
            self.stats.error("open_failed", f"session {self.index} open {target.path}: {exc!r}")
            return
        # Opened by its address: the browser names the page by its path; the server answers with its hash.
        message = rerun_message([], "", "", self._pathname(target), self._url(target))
        await self._act("open", message, target, started=started)

    def _navigate_message(self, target: AppPage):
        """A sidebar page switch: the target's hash, the query dropped, the widgets' states as they are."""
        pathname = self._pathname(target)
        return rerun_message(self._states(), "", self.page_hashes.get(pathname, ""), pathname, self._url(target))

    def _states(self, changed: Widget | None = None, value: object = None) -> list:
        states = []
        for widget in self.widgets.values():
            if widget.value is None:
                continue
            states.append(widget_state(widget, value if widget is changed else None))
        return states

    async def _nudge(self, up: bool) -> None:
        """Move one keyed number widget (a slider or a number input) of the page one step and rerun."""
        candidates = [w for w in self.widgets.values() if w.usable and w.key and w.kind != "checkbox"]
        if not candidates:
            return
        # One widget per page visit: the first one chosen stays while it exists.
        candidates.sort(key=lambda w: w.id)
        widget = next((w for w in candidates if w.id == self.chosen), None) or self.rng.choice(candidates)
        self.chosen = widget.id
        value = nudged(widget, up)
        message = rerun_message(
            self._states(widget, value), self.query, self.page_hash, "", self._url(self.current, self.query)
        )
        self.held[widget.id] = value
        await self._act("slider" if widget.kind == "slider" else "number", message, self.current)

    async def _act(self, kind: str, message, target: AppPage, started: float | None = None) -> None:
        """Send one rerun request and wait for the run it causes; time it, check it; reopen after a failure."""
        where = f"session {self.index} {kind} on {target.path}"
        if self.socket is None:
            return
        started = time.perf_counter() if started is None else started
        try:
            await self.socket.send(message.SerializeToString())
            result = await asyncio.wait_for(self._read_run(), self.args.action_timeout)
        except TimeoutError:
            self.stats.error("timeout", f"{where}: no script_finished within {self.args.action_timeout:.0f} s")
            await self._recover(kind, target)
            return
        except Exception as exc:  # websockets.ConnectionClosed and the like
            self.stats.error("disconnected", f"{where}: {type(exc).__name__}: {exc}")
            await self._recover(kind, target)
            return
        self.stats.ok(kind, (time.perf_counter() - started) * 1000)
        if kind in ("open", "navigate"):
            self.current, self.chosen = target, None
        self.page_hash = result.page_script_hash or self.page_hash
        expected = self.page_hashes.get(self._pathname(target))
        if expected and result.page_script_hash and result.page_script_hash != expected:
            self.stats.error("wrong_page", f"{where}: ran {result.page_script_hash}, not {expected}")
        if result.not_found is not None:
            self.stats.error("page_not_found", f"{where}: {result.not_found}")
        for text in result.exceptions[:1]:
            self.stats.error("exception", f"{where}: {text}")
        if result.status not in FINISHED_OK:
            self.stats.error("script_status", f"{where}: script_finished status {result.status}")
        self.widgets = result.widgets
        self.held = {w.id: w.value for w in result.widgets.values()}  # the browser drops inactive widgets' states

    async def _recover(self, kind: str, target: AppPage) -> None:
        """After a timeout or a lost connection: a fresh session on the same page, as a reload would (after a
        failed open, the run loop tries again)."""
        await self._close()
        if kind != "open":
            await self._open(target)

    async def _read_run(self) -> RunResult:
        """ForwardMsgs until a run finishes for good (a run stopped by st.rerun() is followed by the next)."""
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        result = RunResult()
        while True:
            data = await self.socket.recv()
            if isinstance(data, str):
                continue
            msg = ForwardMsg.FromString(data)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                result.runs += 1
                result.widgets = {}  # every run sends all its elements again
                result.page_script_hash = msg.new_session.page_script_hash
                self._learn_pages(msg.new_session.app_pages)
            elif kind == "navigation":
                self._learn_pages(msg.navigation.app_pages)
                result.page_script_hash = msg.navigation.page_script_hash or result.page_script_hash
            elif kind == "delta" and msg.delta.HasField("new_element"):
                element = msg.delta.new_element
                if element.WhichOneof("type") == "exception":
                    error = element.exception
                    result.exceptions.append(f"{error.type}: {error.message}"[:300])
                    continue
                sidebar = bool(msg.metadata.delta_path) and msg.metadata.delta_path[0] == 1
                proto_id = getattr(getattr(element, element.WhichOneof("type") or "", None), "id", None)
                widget = widget_from_element(element, sidebar, self.held.get(proto_id))
                if widget is not None:
                    result.widgets[widget.id] = widget
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "page_not_found":
                result.not_found = msg.page_not_found.page_name or "?"
            elif kind == "script_finished":
                result.status = msg.script_finished
                if result.status != FINISHED_EARLY_FOR_RERUN:
                    return result

    def _learn_pages(self, app_pages) -> None:
        for page in app_pages:
            self.page_hashes[page.url_pathname] = page.page_script_hash
            if page.is_default:
                self.page_hashes[""] = page.page_script_hash


async def websocket_probe(base: str, stats: Stats, args) -> None:
    """One short session on the home page (it lets Streamlit drop the expired sessions)."""
    probe = WebsocketSession(-1, base, app_pages()[:1], stats, args)
    try:
        await probe._open(probe.pages[0])
    finally:
        await probe._close()


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


class BrowserClients:
    """Sessions as browser contexts of one headless Chromium (Playwright)."""

    def __init__(self, base: str, pages: list[AppPage], stats: Stats, args) -> None:
        self.base, self.pages, self.stats, self.args = base, pages, stats, args

    async def __aenter__(self) -> BrowserClients:
        from playwright.async_api import async_playwright

        self._stack = contextlib.AsyncExitStack()
        folder = self._stack.enter_context(tempfile.TemporaryDirectory())
        self.pngs = [_png(Path(folder), i) for i in range(self.args.sessions + 1)]  # the last one: the warm-up's
        playwright = await self._stack.enter_async_context(async_playwright())
        self.browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self._stack.push_async_callback(self.browser.close)
        return self

    async def __aexit__(self, *exc) -> None:
        await self._stack.aclose()

    def session(self, index: int) -> Session:
        return Session(index, self.browser, self.base, self.pages, self.stats, self.args, self.pngs[index])

    async def probe(self) -> None:
        """One short page load of the home page."""
        context = await self.browser.new_context()
        await context.add_init_script(PAGE_HOOKS)
        probe = await context.new_page()
        try:
            await probe.goto(self.base + "/")
            await probe.wait_for_function(LOADED, polling=100, timeout=60_000)
        except Exception as exc:
            self.stats.error("probe_failed", str(exc))
        await context.close()


class WebsocketClients:
    """Sessions as plain websocket clients speaking Streamlit's protocol (no browser, no rendering)."""

    def __init__(self, base: str, pages: list[AppPage], stats: Stats, args) -> None:
        self.base, self.pages, self.stats, self.args = base, pages, stats, args

    async def __aenter__(self) -> WebsocketClients:
        return self

    async def __aexit__(self, *exc) -> None:
        pass

    def session(self, index: int) -> WebsocketSession:
        return WebsocketSession(index, self.base, self.pages, self.stats, self.args)

    async def probe(self) -> None:
        await websocket_probe(self.base, self.stats, self.args)


async def drive(args, base: str, pid: int | None, log_path: Path | None) -> dict:
    pages = app_pages()
    stats = Stats(verbose=args.verbose)
    sampler = Sampler(pid)
    cpu_before = cpu_seconds(pid) if pid else None
    rss: dict = {"cold": sampler.now()}
    metrics: dict = {}
    kind = WebsocketClients if args.clients == "websocket" else BrowserClients
    async with kind(base, pages, stats, args) as clients:
        if args.warmup:  # one session over every page: imports, models and caches are loaded
            stats.recording = False
            await clients.session(args.sessions).run(time.monotonic() + 180, cycles=1)
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
            await clients.session(i).run(deadline)

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
                await clients.probe()
            sampler.now()
            await asyncio.sleep(1)
        rss["after"] = sampler.now()
        metrics["after"] = streamlit_metrics(base)
    if log_path is not None and log_path.exists():
        tracebacks = log_path.read_text(errors="replace").count("Traceback (most recent call last)")
        if tracebacks:
            stats.errors["server_traceback"] = tracebacks
            stats.examples.append(f"server_traceback: {tracebacks} in {log_path}")
    everything = [ms for values in stats.latency_ms.values() for ms in values]
    update = [ms for kind, values in stats.latency_ms.items() if kind != "open" for ms in values]
    return {
        "clients": args.clients,
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

    from vizconv.nets.capture import capture
    from vizconv.nets.models import load_model
    from vizconv.ops.conv import trace_conv2d

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
    parser.add_argument(
        "--clients",
        choices=("browser", "websocket"),
        default="browser",
        help="browser: Chromium pages (default); websocket: protocol-level clients, no browser (the server's load)",
    )
    parser.add_argument("--sessions", type=int, default=5, help=f"concurrent sessions (1-{MAX_SESSIONS})")
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
    parser.add_argument("--seed", type=int, default=0, help="websocket clients: seed of their page and widget choices")
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
        if args.clients == "browser" and not Path(CHROMIUM).exists():
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
    write_summary(args.out, summary)
    printed = {k: v for k, v in summary.items() if k != "rss_samples"}
    print(json.dumps(printed, indent=2, ensure_ascii=False))
    return 0 if summary.get("errors", 0) == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
