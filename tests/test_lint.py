"""The code passes ruff with the project's configuration (pyproject.toml)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests_support import ROOT


def test_ruff_check():
    pytest.importorskip("ruff")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
