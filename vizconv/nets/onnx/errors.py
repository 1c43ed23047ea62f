"""The errors of an uploaded model: MessageErrors a page shows in the user's language, their messages the
catalogue's ``onnx.*`` and ``upload.*`` entries (vizconv/i18n/catalogue/onnx.toml)."""

from __future__ import annotations

from vizconv.errors import MessageError

__all__ = ["OPERATORS", "SAFETENSORS_UNREADABLE", "OnnxError", "examples"]

OPERATORS = "onnx.count_operators"  # Count(OPERATORS, n): "3 operators"
SAFETENSORS_UNREADABLE = "upload.safetensors_unreadable"  # a ModelError's key: a file that is no safetensors
MAX_EXAMPLES = 5  # names quoted in one message
MAX_NAME = 60  # characters of one quoted name


class OnnxError(MessageError):
    """An uploaded model file that cannot be loaded; ``entry`` is the message's catalogue entry without its
    ``onnx.`` prefix. A ValueError, as every failure of ``load_onnx_model`` is."""

    def __init__(self, entry: str, /, **params: object) -> None:
        super().__init__(f"onnx.{entry}", **params)


def examples(names: list[str], limit: int = MAX_EXAMPLES) -> str:
    """Up to ``limit`` names, each at most MAX_NAME characters, for a message (rendered escaped: see MessageError)."""
    short = [n if len(n) <= MAX_NAME else n[: MAX_NAME - 1] + "…" for n in names[:limit]]
    return ", ".join(short) + (", …" if len(names) > limit else "") if names else "—"
