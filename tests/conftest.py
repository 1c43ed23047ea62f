"""Shared test set-up: deterministic torch, a hypothesis profile for CI, the repository root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
from hypothesis import HealthCheck, settings

ROOT = Path(__file__).resolve().parent.parent

settings.register_profile("default", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("ci", max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "default")
torch.set_num_threads(1)


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Mark a test that failed, so fixtures (the browser page) can save a screenshot."""
    report = yield
    item.vizconv_failed = getattr(item, "vizconv_failed", False) or report.failed
    return report
