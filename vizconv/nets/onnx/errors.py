"""The errors of an uploaded model: MessageErrors a page shows in the user's language.

Their messages are the ``onnx.*`` and ``upload.*`` entries of ``messages.toml`` beside this module (the catalogue's
format, English and Chinese side by side); importing this module adds each to the catalogue where it has no entry
of that key yet, so the page's own catalogue file may take them over unchanged (then delete that file).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from vizconv.errors import MessageError
from vizconv.i18n.strings import STRINGS

__all__ = ["MESSAGES", "OPERATORS", "SAFETENSORS_UNREADABLE", "OnnxError", "examples"]

MESSAGES = Path(__file__).resolve().parent / "messages.toml"
OPERATORS = "onnx.count_operators"  # Count(OPERATORS, n): "3 operators"
SAFETENSORS_UNREADABLE = "upload.safetensors_unreadable"  # a ModelError's key: a file that is no safetensors
MAX_EXAMPLES = 5  # names quoted in one message
MAX_NAME = 60  # characters of one quoted name


def _register() -> None:
    with MESSAGES.open("rb") as file:
        for key, entry in tomllib.load(file).items():
            STRINGS.setdefault(key, entry)


_register()


class OnnxError(MessageError):
    """An uploaded model file that cannot be loaded; ``entry`` is the message's entry in messages.toml without its
    ``onnx.`` prefix. A ValueError, as every failure of ``load_onnx_model`` is."""

    def __init__(self, entry: str, /, **params: object) -> None:
        super().__init__(f"onnx.{entry}", **params)


def examples(names: list[str], limit: int = MAX_EXAMPLES) -> str:
    """Up to ``limit`` names, each at most MAX_NAME characters, for a message (rendered escaped: see MessageError)."""
    short = [n if len(n) <= MAX_NAME else n[: MAX_NAME - 1] + "…" for n in names[:limit]]
    return ", ".join(short) + (", …" if len(names) > limit else "") if names else "—"
