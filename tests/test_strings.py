"""The string catalogue: every key the code uses exists, every entry formats, and the Chinese is a translation."""

from __future__ import annotations

import re
import string

import pytest

from tests_support import ROOT_FILES
from vizconv.strings import LANGUAGES, STRINGS, Term, text

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# Entries whose Chinese is written in Latin letters on purpose: code identifiers (PyTorch class and argument
# names), model and data-set names, and labels drawn with a font that has no CJK glyphs.
LATIN_IN_ZH = {
    "home.title",
    "fm.model.resnet20",
    "fm.model.resnet18",
    "fm.model.lenet5",
    "fm.model.lenet5-classic",
    "pool.stage.conv1",
    "pool.stage.relu1",
    "fm.bar_max",
    "fm.bar_min",
    "pool.source.lenet",
    "act.source.lenet",
    *(f"act.{name}" for name in ("relu", "leaky_relu", "sigmoid", "tanh", "gelu")),
    *(f"nb.kind.{kind}" for kind in ("conv2d", "conv1x1", "maxpool", "avgpool", "batchnorm2d", "flatten", "linear")),
    *(
        f"nb.param.{name}"
        for name in (
            "in_channels",
            "out_channels",
            "kernel_size",
            "stride",
            "padding",
            "dilation",
            "bias",
            "function",
            "num_features",
            "in_features",
            "out_features",
            "width",
        )
    ),
    "nb.col_index",
}
# Markup that must survive translation: Plotly hover templates, Markdown, LaTeX, code.
MARKUP = ["<br>", "%{x}", "%{y}", "%{z}", "%{customdata}", "**", "`", "  \n", "\n\n", "$"]
KEY_PATTERN = re.compile(r"""(?:\bt|\btext|Error|Term|\blabels)\(\s*["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']""")
PREFIX_PATTERN = re.compile(r"""\bt\(\s*["']([a-z0-9_]+\.[a-z0-9_.]*\.)["']\s*\+""")
LABELS_PATTERN = re.compile(r"""\blabels\(\s*["']([a-z0-9_]+\.[a-z0-9_.]*\.)["']""")  # ui.labels("conv.mode.")


def _used_keys():
    keys, prefixes = set(), set()
    for path in ROOT_FILES:
        source = path.read_text(encoding="utf-8")
        keys |= set(KEY_PATTERN.findall(source))
        prefixes |= set(PREFIX_PATTERN.findall(source)) | set(LABELS_PATTERN.findall(source))
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


def _has_words(template: str) -> bool:
    """Whether a template has letters outside its {placeholders} and Plotly %{fields}."""
    return bool(re.search(r"[A-Za-z]", re.sub(r"%?\{[a-z_]*\}|<[^>]*>", "", template)))


def test_chinese_is_translated_not_copied():
    copies = sorted(k for k, v in STRINGS.items() if v.get("zh") == v["en"] and k not in LATIN_IN_ZH)
    assert copies == []
    no_chinese = sorted(
        k
        for k, v in STRINGS.items()
        if k not in LATIN_IN_ZH and _has_words(v["en"]) and not CJK.search(v.get("zh", "x"))
    )
    assert no_chinese == []


def test_the_latin_allowance_is_current():
    assert sorted(LATIN_IN_ZH - set(STRINGS)) == []
    assert [k for k in sorted(LATIN_IN_ZH) if CJK.search(STRINGS[k]["zh"])] == []


@pytest.mark.parametrize("mark", MARKUP)
def test_markup_agrees_across_languages(mark):
    assert [k for k, v in STRINGS.items() if len({v[lang].count(mark) for lang in LANGUAGES if lang in v}) > 1] == []


def test_terms_are_rendered_in_the_message_language():
    assert text("err.reflect_too_big", "en", pad=3, size=2, axis=Term("axis.rows")).count("rows") == 1
    chinese = text("err.reflect_too_big", "zh", pad=3, size=2, axis=Term("axis.rows"))
    assert "rows" not in chinese and "行" in chinese


def test_unknown_language_falls_back_to_english():
    assert text("conv.title", "xx") == "Convolution"
