"""What the browser tests share (not a test module): Chromium's path and flags, the artifacts folder, and helpers
that load a page, take a screenshot and find a cell on the screen. The fixtures (the app's server, Chromium, a
page) are in this folder's conftest.py."""

from __future__ import annotations

import importlib.util
import shutil
import socket
import sys
import time

import pytest

from tests_support import ROOT

try:
    from playwright import sync_api
except ImportError:  # requirements-dev.txt installs it; without it the browser tests skip
    sync_api = None

LOADTEST_SCRIPT = ROOT / "scripts" / "loadtest.py"
_spec = importlib.util.spec_from_file_location("vizconv_loadtest", LOADTEST_SCRIPT)
loadtest = sys.modules.setdefault(_spec.name, importlib.util.module_from_spec(_spec))  # dataclasses look it up
if not hasattr(loadtest, "CHROMIUM"):
    _spec.loader.exec_module(loadtest)  # the load test's browser settings are the tests' too
CHROMIUM, ARGS = loadtest.CHROMIUM, loadtest.CHROMIUM_ARGS
ARTIFACTS = ROOT / "artifacts"


def require_browser() -> None:
    """Skip the calling test module, saying why, where Chromium or Playwright is missing (.ci/run installs both)."""
    if not shutil.which(CHROMIUM):
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)
    if sync_api is None:
        pytest.skip("Playwright is missing (pip install -r requirements-dev.txt)", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def load(page, url: str) -> None:
    """Open ``url`` and wait until the page's script run is over and drawn."""
    page.goto(url)
    page.get_by_test_id("stApp").wait_for()
    page.locator("h1").first.wait_for()  # every page's title, written right after its style sheets
    # wait for the script run to finish: the status widget disappears
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=60_000)
    time.sleep(0.5)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def plotly_cell_point(page, axis: str, row: int, col: int) -> tuple[float, float]:
    """Screen position of heatmap cell (row, col) on axes ``axis`` ("" or "2") of the first Plotly chart."""
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    time.sleep(0.5)
    return page.evaluate(
        """([axis, row, col]) => {
            const gd = document.querySelector('.js-plotly-plot');
            const xa = gd._fullLayout['xaxis' + axis], ya = gd._fullLayout['yaxis' + axis];
            const box = gd.getBoundingClientRect();
            return [box.left + xa._offset + xa.l2p(col), box.top + ya._offset + ya.l2p(row)];
        }""",
        [axis, row, col],
    )


def animator_cell_point(page, maps: str, index: int, row: float, col: float) -> tuple[float, float]:
    """Screen position of cell (row, col) (fractions allowed: 2.4 is inside row 2, near its bottom) on the live
    animator's ``index``-th map among ``maps`` ("inputs" or "outputs"), scrolled into view."""
    canvas = page.locator(f".vz-{maps} canvas").nth(index)
    canvas.scroll_into_view_if_needed()
    time.sleep(0.3)
    box = canvas.bounding_box()
    cell = box["width"] / int(canvas.get_attribute("data-cols"))
    return (box["x"] + (col + 0.5) * cell, box["y"] + (row + 0.5) * cell)


def animator_position(page) -> str | None:
    """The position the live animator shows (its root's data-position)."""
    return page.locator(".vz").get_attribute("data-position")
