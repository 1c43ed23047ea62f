"""The package's shape: public API at the top level, Streamlit only in vizconv.ui, thin pages."""

from __future__ import annotations

import ast
import subprocess
import sys

from PIL import Image

import vizconv
from tests_support import ROOT

ROOMS = ("explain", "i18n", "inputs", "nets", "ops", "quiz", "training", "ui", "views", "viz")
TOP = ("__init__.py", "bench.py", "bench_browser.py", "errors.py", "server.py")  # the commands and what all share


def _modules() -> list[str]:
    """Every module of the package, dotted (vizconv.ops.conv), but the Streamlit glue (vizconv.ui)."""
    paths = [p.relative_to(ROOT).with_suffix("") for p in (ROOT / "vizconv").rglob("*.py")]
    return sorted(".".join(p.parts).removesuffix(".__init__") for p in paths if p.parts[1] != "ui")


def test_public_api():
    names = ("trace_conv2d", "trace_conv2d_backward", "conv_output_size", "load_image", "ImageError", "ParameterError")
    for name in (*names, "load_model", "available_models", "capture", "trace_layers", "ModelInfo", "LayerInfo"):
        assert name in vizconv.__all__
        assert hasattr(vizconv, name), name
    assert issubclass(vizconv.ImageError, ValueError)
    assert issubclass(vizconv.ParameterError, ValueError)
    model, info = vizconv.load_model("lenet5")
    assert vizconv.available_models()[0] == "lenet5" and isinstance(info, vizconv.ModelInfo)
    layers = vizconv.trace_layers(model, info.preprocess(Image.new("L", (28, 28))))
    assert set(vizconv.capture(model, info.preprocess(Image.new("L", (28, 28))))) >= {layer.name for layer in layers}


def test_the_package_is_in_rooms():
    """Beside the commands and the errors every room shares, each module lives in a room (a folder a newcomer can
    read: ops, nets, inputs, viz, i18n, views, ui, training)."""
    top = sorted(p.name for p in (ROOT / "vizconv").glob("*.py"))
    assert top == sorted(TOP)
    rooms = sorted(p.name for p in (ROOT / "vizconv").iterdir() if p.is_dir() and p.name != "__pycache__")
    assert rooms == sorted(ROOMS)
    assert all(
        (ROOT / "vizconv" / room / "__init__.py").read_text(encoding="utf-8").startswith('"""') for room in ROOMS
    )


def test_library_imports_without_streamlit():
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in _modules())
        + "assert 'streamlit' not in sys.modules, 'a library module imports streamlit'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_only_ui_imports_streamlit():
    importers = [
        p.relative_to(ROOT / "vizconv").as_posix()
        for p in (ROOT / "vizconv").rglob("*.py")
        if "import streamlit" in p.read_text(encoding="utf-8")
    ]
    assert importers and all(path.startswith("ui/") for path in importers), importers


def test_pages_are_thin():
    """A page reads its widgets, calls its view and draws through vizconv.ui: 250 lines at most, no function of its
    own longer than 60 (what a page computes lives in vizconv/views, what pages draw alike in vizconv/ui)."""
    pages = sorted((ROOT / "pages").glob("*.py"))
    assert len(pages) == 8
    for page in pages:
        source = page.read_text(encoding="utf-8")
        assert len(source.splitlines()) <= 250, page.name
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.FunctionDef):
                assert node.end_lineno - node.lineno < 60, (page.name, node.name)


def test_pyproject_declares_what_the_requirements_files_install():
    """``pip install -e .`` (with ``[dev]``) installs what requirements.txt (requirements-dev.txt) does."""
    import tomllib

    def requirements(name: str) -> list[str]:
        lines = (ROOT / name).read_text(encoding="utf-8").splitlines()
        return [line.strip() for line in lines if line.strip() and not line.startswith(("#", "-r"))]

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["dependencies"] == requirements("requirements.txt")
    assert project["optional-dependencies"]["dev"] == requirements("requirements-dev.txt")
