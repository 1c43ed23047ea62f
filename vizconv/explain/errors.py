"""The errors of ``vizconv.explain``: MessageErrors a page shows in the user's language.

Their messages are the ``explain.*`` entries of ``messages.toml`` beside this module, in the catalogue's format
(English and Chinese side by side). An entry the catalogue itself holds (``vizconv.i18n.strings.STRINGS``) wins,
so the page's catalogue file can take them over unchanged, and then messages.toml goes; until then they are read
from here and the catalogue is left as it is.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from vizconv.errors import MessageError, _contexts, _shown
from vizconv.i18n.strings import STRINGS

__all__ = ["MESSAGES", "ExplainError", "messages"]

MESSAGES = Path(__file__).resolve().parent / "messages.toml"


def messages() -> dict[str, dict[str, str]]:
    """The entries of messages.toml: key -> {language: text}."""
    with MESSAGES.open("rb") as file:
        return tomllib.load(file)


_OWN = messages()


class ExplainError(MessageError):
    """A class activation map, occlusion or top-patch request that cannot be answered; ``name`` is the message's
    entry in messages.toml without its ``explain.`` prefix. ``str(err)`` is the English message, ``message(lang)``
    the message in ``lang`` as Markdown, as for every MessageError."""

    def __init__(self, name: str, **params: object) -> None:
        key = f"explain.{name}"
        if key in STRINGS:  # the catalogue has taken it over
            super().__init__(key, **params)
            return
        self.key, self.params = key, params
        ValueError.__init__(self, _OWN[key]["en"].format(**params))

    def message(self, lang: str = "en") -> str:
        if self.key in STRINGS:
            return super().message(lang)
        template = _OWN[self.key].get(lang) or _OWN[self.key]["en"]
        places = _contexts(template)
        return template.format(**{name: _shown(value, places.get(name, "text")) for name, value in self.params.items()})
