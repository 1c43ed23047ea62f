"""Errors that carry a string-catalogue key, so a page can show them in the user's language."""

from __future__ import annotations

from vizconv.strings import text

__all__ = ["ImageError", "MessageError", "ParameterError"]


class MessageError(ValueError):
    """A ValueError whose message comes from the string catalogue.

    ``str(err)`` is the English message; ``err.message(lang)`` renders it in
    another language from the same ``key`` and ``params``.
    """

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(text(key, "en", **params))

    def message(self, lang: str = "en") -> str:
        """The message in ``lang``."""
        return text(self.key, lang, **self.params)


class ParameterError(MessageError):
    """A layer configuration that torch would reject or that gives an empty output."""


class ImageError(MessageError):
    """An upload that cannot be read as an image."""
