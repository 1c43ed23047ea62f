"""Helpers for tests (not a test module)."""

from __future__ import annotations

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

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


def chart_spec(at: AppTest, index: int = 0) -> dict:
    """The Plotly figure of the page's ``index``-th chart, as a dict."""
    return json.loads(at.get("plotly_chart")[index].proto.spec)
