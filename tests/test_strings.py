"""The string catalogue: every key the code uses exists, and every entry formats."""

from __future__ import annotations

import re
import string

import pytest

from tests_support import ROOT_FILES
from vizconv.strings import LANGUAGES, STRINGS, Term, text

KEY_PATTERN = re.compile(r"""(?:\bt|\btext|Error|Term)\(\s*["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""")
PREFIX_PATTERN = re.compile(r"""\bt\(\s*["']([a-z0-9_]+\.[a-z0-9_.]*\.)["']\s*\+""")


def _used_keys():
    keys, prefixes = set(), set()
    for path in ROOT_FILES:
        source = path.read_text(encoding="utf-8")
        keys |= set(KEY_PATTERN.findall(source))
        prefixes |= set(PREFIX_PATTERN.findall(source))
    return keys, prefixes


def test_every_used_key_exists():
    keys, prefixes = _used_keys()
    assert keys, "the scan found no keys: the pattern is broken"
    assert sorted(k for k in keys if k not in STRINGS) == []
    for prefix in prefixes:
        assert any(k.startswith(prefix) for k in STRINGS), prefix


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_has_every_language(lang):
    assert [k for k, v in STRINGS.items() if not v.get(lang)] == []


def test_placeholders_agree_across_languages():
    for key, entry in STRINGS.items():
        fields = {lang: {f for _, f, _, _ in string.Formatter().parse(value) if f} for lang, value in entry.items()}
        assert len({frozenset(f) for f in fields.values()}) == 1, key


def test_terms_are_rendered_in_the_message_language():
    assert text("err.reflect_too_big", "en", pad=3, size=2, axis=Term("axis.rows")).count("rows") == 1
