"""Errors that carry a string-catalogue key, so a page can show them in the user's language."""

from __future__ import annotations

import re
from string import Formatter

from vizconv.i18n.strings import STRINGS, Count, Term, text

__all__ = ["ImageError", "Markdown", "MessageError", "ParameterError", "escape_markdown"]

# What makes Markdown of text: links and images ([ ]), autolinks (<…>, and http: needs its colon), HTML (<) and
# entities (&), code (`), emphasis (*, ~, and _ where it is not inside a word: out_channels stays as it is),
# headings (#), math ($), Streamlit's :icon: and :red[…] (:), and the backslash itself. Parentheses, ! and .
# mean nothing without these.
_ACTIVE = re.compile(r"[\\`*\[\]<>&$~:#]|(?<![^\W_])_|_(?![^\W_])")
# Streamlit's Markdown also links what merely looks like an address after parsing, escapes or not (GFM's
# literal autolinks: http://…, www.…, a@b.c) and draws :material/…: as an icon: a WORD JOINER (U+2060, zero
# width, invisible) after each colon, before each @ and after www keeps those patterns from matching.
_LOOKS_LINKED = re.compile(r"(?<=:)|(?=@)|(?<=www)(?=\.)", re.IGNORECASE)
_JOINER = "\u2060"
_LINE_START = re.compile(r"^(\d{0,9})((?<=\d)[.)]|(?<!\d)[-+])(?=\s|$)")  # a list item, should a line start so


class Markdown(str):
    """A message parameter that is Markdown written by vizconv itself (a link): inserted as it is."""

    __slots__ = ()


def escape_markdown(value: str) -> str:
    """``value`` as literal text in Markdown: every character that could make Markdown of it escaped with a
    backslash, addresses kept from being linked (an invisible U+2060), and line breaks and other unprintable
    characters written as U+FFFD (one line, one paragraph)."""
    value = "".join(c if c.isprintable() else "\ufffd" for c in value)
    value = _LOOKS_LINKED.sub(_JOINER, value)
    value = _ACTIVE.sub(lambda match: "\\" + match.group(), value)
    return _LINE_START.sub(lambda match: match.group(1) + "\\" + match.group(2), value)


def _contexts(template: str) -> dict[str, str]:
    """Where ``template`` places each parameter: "code" inside a `code span` (after an odd number of
    backticks), "raw" with a format spec or conversion ({n:,}, left to str.format), else "text"."""
    places: dict[str, set[str]] = {}
    ticks = 0
    for literal, field, spec, conversion in Formatter().parse(template):
        ticks += literal.count("`")
        if field:
            name = re.split(r"[.\[]", field, maxsplit=1)[0]
            place = "raw" if spec or conversion else "code" if ticks % 2 else "text"
            places.setdefault(name, set()).add(place)
    return {
        name: "raw" if "raw" in found else "code" if found == {"code"} else "text" for name, found in places.items()
    }


def _shown(value: object, place: str) -> object:
    """A parameter as it may enter a message shown as Markdown: numbers, catalogue terms and counts, and vizconv's
    own Markdown as they are; other values as text, inside a code span without backticks, elsewhere escaped."""
    if place == "raw" or isinstance(value, (Term, Count, Markdown, bool, int, float)):
        return value
    if isinstance(value, (list, tuple)) and all(isinstance(v, (int, float)) for v in value):
        return value  # a shape, [6, 1, 5, 5]: numbers only
    value = str(value)
    if place == "code":
        return "".join(c if c.isprintable() and c != "`" else "\ufffd" for c in value)
    return escape_markdown(value)


class MessageError(ValueError):
    """A ValueError whose message comes from the string catalogue.

    ``str(err)`` is the English message, as written (for logs and tests); ``err.message(lang)`` renders it in
    another language from the same ``key`` and ``params``, as Markdown for the page: every parameter that is
    not a number, a catalogue Term or ``Markdown`` is written as literal text (escaped, or in a code span
    without backticks), since parameters quote what users wrote (key names, file contents, link text).
    """

    def __init__(self, key: str, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(text(key, "en", **params))

    def message(self, lang: str = "en") -> str:
        """The message in ``lang``, as Markdown in which no parameter is Markdown."""
        entry = STRINGS[self.key]
        places = _contexts(entry.get(lang) or entry["en"])
        shown = {name: _shown(value, places.get(name, "text")) for name, value in self.params.items()}
        return text(self.key, lang, **shown)


class ParameterError(MessageError):
    """A layer configuration that torch would reject or that gives an empty output."""


class ImageError(MessageError):
    """An upload that cannot be read as an image."""
