"""The package's shape: public API at the top level, Streamlit only in vizconv.ui."""

from __future__ import annotations

import subprocess
import sys

import vizconv
from tests_support import ROOT


def test_public_api():
    for name in ("trace_conv2d", "conv_output_size", "load_image", "ImageError", "ParameterError"):
        assert name in vizconv.__all__
        assert hasattr(vizconv, name)
    assert issubclass(vizconv.ImageError, ValueError)
    assert issubclass(vizconv.ParameterError, ValueError)


def test_library_imports_without_streamlit():
    modules = sorted(p.stem for p in (ROOT / "vizconv").glob("*.py") if p.stem not in ("__init__", "ui"))
    code = (
        "import sys\n"
        + "".join(f"import vizconv.{m}\n" for m in modules)
        + "assert 'streamlit' not in sys.modules, 'a library module imports streamlit'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_only_ui_imports_streamlit():
    importers = [p.name for p in (ROOT / "vizconv").glob("*.py") if "import streamlit" in p.read_text(encoding="utf-8")]
    assert importers == ["ui.py"]
