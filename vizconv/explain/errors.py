"""The errors of ``vizconv.explain``: MessageErrors a page shows in the user's language, their messages the
catalogue's ``explain.*`` entries (vizconv/i18n/catalogue/explain.toml)."""

from __future__ import annotations

from vizconv.errors import MessageError

__all__ = ["ExplainError"]


class ExplainError(MessageError):
    """A class activation map, occlusion or top-patch request that cannot be answered; ``name`` is the message's
    catalogue entry without its ``explain.`` prefix. ``str(err)`` is the English message, ``message(lang)`` the
    message in ``lang`` as Markdown, as for every MessageError."""

    def __init__(self, name: str, **params: object) -> None:
        super().__init__(f"explain.{name}", **params)
