"""The browser tests' fixtures: the real app (``streamlit run app.py`` on a free loopback port, one per test
module), Debian's Chromium through Playwright (one per module), a fresh 1400 × 1400 page per test (its
screenshot saved in artifacts/ when the test fails), and a 1024 × 768 projector page."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

import pytest
from browser_support import ARGS, ARTIFACTS, CHROMIUM, free_port, shot, sync_api

from tests_support import ROOT


@pytest.fixture(scope="module")
def server():
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = open(ARTIFACTS / "server.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.port",
            str(port),
            "--server.address",
            "127.0.0.1",
            "--server.headless",
            "true",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("streamlit did not start within 90 s")
    yield url
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:  # a loaded machine: stopping is not what these tests check
        process.kill()
        process.wait(timeout=30)
    log.close()


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1400, "height": 1400})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    if getattr(request.node, "vizconv_failed", False):
        shot(page, "failed_" + request.node.name.replace("/", "_"))
    context.close()


@pytest.fixture
def projector(browser):
    """A page on a 1024 × 768 projector."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()
