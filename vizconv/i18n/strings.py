"""The one string catalogue: every user-facing text, by key and language.

The texts live in ``vizconv/i18n/catalogue/<file>.toml`` (one table per key, English and Chinese side by side), one file
per page and one each for the live animator and what every page shares (``CATALOGUE``), read once with ``tomllib``
into ``STRINGS``; a key stands in one file only.

Pages never hold literal UI text; they call ``text(key, lang, **params)``
(``vizconv.ui.t`` in a page). Parameters are filled with ``str.format``; a
parameter given as ``Term("key")`` is itself looked up in the same language,
so an error raised in the library can name "rows" or "columns" in whichever
language the page shows it.

Counts: an entry whose text holds a number that can be 1 has an ``en_one``
form, the English singular ("1 input channel"); Chinese has no plural, so it
needs none (a ``zh_one`` is used where the Chinese for one reads differently).
``text_n(key, n, lang, **params)`` picks the form for ``n``, and a parameter
given as ``Count("count.rows", n)`` becomes "1 row" or "3 rows" (the entry
``count.rows`` with ``{n}``), so one message can hold several counts.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

__all__ = ["CATALOGUE", "LANGUAGES", "LANGUAGE_NAMES", "STRINGS", "Count", "Term", "text", "text_n"]

LANGUAGES = ("en", "zh")  # English, Simplified Chinese
LANGUAGE_NAMES = {"en": "English", "zh": "中文"}  # each in its own language, for the switch


class Term(str):
    """A catalogue key used as a message parameter; rendered in the message's language."""

    __slots__ = ()


@dataclass(frozen=True)
class Count:
    """A number with its noun, as a message parameter: the catalogue entry ``key`` (such as ``count.rows``,
    "{n} rows") with ``{n}`` = ``n``, singular or plural in the message's language."""

    key: str
    n: int


def _filled(template: str, lang: str, params: dict[str, object]) -> str:
    if not params:
        return template
    filled = {
        name: text(value, lang)
        if isinstance(value, Term)
        else text_n(value.key, value.n, lang, n=value.n)
        if isinstance(value, Count)
        else value
        for name, value in params.items()
    }
    return template.format(**filled)


def text(key: str, lang: str = "en", **params: object) -> str:
    """The catalogue entry ``key`` in ``lang`` (English if missing), formatted with params."""
    entry = STRINGS[key]
    return _filled(entry.get(lang) or entry["en"], lang, params)


def text_n(key: str, count: int, lang: str = "en", **params: object) -> str:
    """The catalogue entry ``key`` for a number ``count``: its ``<lang>_one`` form when ``count`` is 1 and the entry
    has one (the English singular), else the usual form; formatted with params (which name the number themselves).
    """
    entry = STRINGS[key]
    lang = lang if entry.get(lang) else "en"
    one = entry.get(f"{lang}_one") if count == 1 else None
    return _filled(one or entry[lang], lang, params)


CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
# The catalogue's files, in the order they are read: what every page shares, the animator, then page by page.
CATALOGUE = (
    "shared",
    "animator",
    "home",
    "convolution",
    "feature_maps",
    "pooling",
    "transposed",
    "network_builder",
    "learning",
    "explain",
    "conv_matrix",
    "transposed_matrix",
    "onnx",
    "model_source",
    "quiz",
    "more_conv",
)


def _read_catalogue() -> dict[str, dict[str, str]]:
    """Every file of CATALOGUE, as one dict key -> {language: text}; ValueError where a key stands in two files."""
    strings: dict[str, dict[str, str]] = {}
    for name in CATALOGUE:
        with (CATALOGUE_DIR / f"{name}.toml").open("rb") as file:
            entries = tomllib.load(file)
        again = sorted(set(entries) & set(strings))
        if again:
            raise ValueError(f"catalogue/{name}.toml repeats keys of an earlier file: {', '.join(again)}")
        strings.update(entries)
    return strings


STRINGS: dict[str, dict[str, str]] = _read_catalogue()
