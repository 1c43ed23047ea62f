"""The errors of ``vizconv.explain``: MessageErrors a page shows in the user's language.

Their messages are the ``explain.*`` entries of ``messages.toml`` beside this module (the catalogue's format,
English and Chinese side by side); importing this module adds each to the catalogue where it has no entry of that
key yet, so the page's own catalogue file may take them over unchanged.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from vizconv.errors import MessageError
from vizconv.i18n.strings import STRINGS

__all__ = ["MESSAGES", "ExplainError"]

MESSAGES = Path(__file__).resolve().parent / "messages.toml"


def _register() -> None:
    with MESSAGES.open("rb") as file:
        for key, entry in tomllib.load(file).items():
            STRINGS.setdefault(key, entry)


_register()


class ExplainError(MessageError):
    """A class activation map, occlusion or top-patch request that cannot be answered; ``name`` is the message's
    entry in messages.toml without its ``explain.`` prefix."""

    def __init__(self, name: str, **params: object) -> None:
        super().__init__(f"explain.{name}", **params)
