"""The string catalogue: every key the code uses exists, every entry formats, and the Chinese is a translation."""

from __future__ import annotations

import re
import string
import tomllib

import pytest

from tests_support import ROOT_FILES
from vizconv.i18n.strings import CATALOGUE, CATALOGUE_DIR, LANGUAGES, STRINGS, Count, Term, text, text_n

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
# Entries whose Chinese is written in Latin letters on purpose: code identifiers (PyTorch class and argument
# names), model and data-set names, and labels drawn with a font that has no CJK glyphs.
LATIN_IN_ZH = {
    "home.title",
    "why.method.gradcam",  # the methods' names (Grad-CAM, Grad-CAM++, LayerCAM, Score-CAM)
    "why.method.gradcampp",
    "why.method.layercam",
    "why.method.scorecam",
    "why.patch_caption",  # a value and a file name
    "fm.model.resnet20",
    "fm.model.resnet18",
    "fm.model.lenet5",
    "fm.model.lenet5-classic",
    "fm.model.alexnet",
    "fm.model.vgg11",
    "fm.model.vgg16",
    "fm.model.resnet50",
    "fm.model.googlenet",
    "fm.model.mobilenet_v2",
    "fm.model.mobilenet_v3_small",
    "fm.model.mobilenet_v3_large",
    "fm.model.efficientnet_b0",
    "fm.model.regnet_y_400mf",
    "fm.model.convnext_tiny",
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
KEY_PATTERN = re.compile(
    r"""(?:\bt|\btext|\btext_n|Error|Term|Count|\blabels)\(\s*["']([a-z0-9_]+(?:\.[a-z0-9_]+)+)["']"""
)
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


def _fields(template: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(template) if f}


def test_placeholders_agree_across_languages():
    for key, entry in STRINGS.items():
        fields = {lang: _fields(entry[lang]) for lang in LANGUAGES}
        assert len({frozenset(f) for f in fields.values()}) == 1, key


def test_singular_forms_belong_to_a_language_and_use_its_placeholders():
    """An entry's ``<lang>_one`` (its text for a count of 1) sits beside that language's text and fills nothing
    the usual form does not (it may leave the number out: "The input channel, written out")."""
    forms = {field for entry in STRINGS.values() for field in entry}
    assert forms <= {*LANGUAGES, *(f"{lang}_one" for lang in LANGUAGES)}, forms
    ones = [(key, field) for key, entry in STRINGS.items() for field in entry if field.endswith("_one")]
    assert ones, "no singular forms: the plural catalogue is gone"
    for key, field in ones:
        lang = field.removesuffix("_one")
        assert _fields(STRINGS[key][field]) <= _fields(STRINGS[key][lang]), key
        assert STRINGS[key][field] != STRINGS[key][lang], key


@pytest.mark.parametrize(
    ("key", "n", "expected"),
    [
        ("count.rows", 1, "1 row"),
        ("count.rows", 2, "2 rows"),
        ("count.rows", 0, "0 rows"),
        ("count.input_channels", 1, "1 input channel"),
        ("count.window_positions", 1, "1 window position"),
        ("count.frames", 676, "676 frames"),
    ],
)
def test_counts_are_singular_for_one_only(key, n, expected):
    assert text_n(key, n, "en", n=n) == expected
    assert text_n(key, n, "zh", n=n) == text(key, "zh", n=n)  # Chinese has one form


@pytest.mark.parametrize(
    ("key", "params", "one", "many"),
    [
        (
            "conv.animation_help",
            lambda n: {"frames": Count("count.window_positions", n)},
            "1 window position.",
            "9 window positions.",
        ),
        (
            "pool.animation_help.avg",
            lambda n: {"frames": Count("count.window_positions", n)},
            "1 window position.",
            None,
        ),
        (
            "tconv.scatter_help",
            lambda n: {"frames": Count("count.input_positions", n), "mark": Term("anim.mark_short.cross")},
            "1 input position.",
            None,
        ),
        ("export.gif_help", lambda n: {"frames": Count("count.frames", n)}, ": 1 frame,", "9 frames,"),
        (
            "fm.grid_caption",
            lambda n: {"n": Count("count.channels", n), "h": 5, "w": 5},
            "1 channel of 5×5",
            "9 channels",
        ),
        (
            "tconv.equivalent_help",
            lambda n: {
                "zeros": Count("count.zeros", n),
                "top": Count("count.rows", n),
                "bottom": n,
                "left": Count("count.cols", n),
                "right": n,
                "dilation": 1,
            },
            "Insert 1 zero between",
            "pad by d·(k − 1) − p: 9 rows at the top",
        ),
    ],
)
def test_texts_with_a_count_of_one_are_singular(key, params, one, many):
    """Numbers that can be 1 in a text take their noun's singular: "1 window position", not "1 window positions"."""
    assert one in text(key, "en", **params(1))
    assert "(s)" not in text(key, "en", **params(1))
    if many:
        assert many in text(key, "en", **params(9))


def test_the_strongest_channels_title_counts_them():
    assert text_n("fm.strongest", 3, "en", n=3) == "The 3 input channels that contribute most, written out"
    assert text_n("fm.strongest", 1, "en", n=1) == "The input channel, written out"
    assert "三" not in text_n("fm.strongest", 2, "zh", n=2) and "2" in text_n("fm.strongest", 2, "zh", n=2)
    assert text_n("fm.strongest", 1, "zh", n=1) == STRINGS["fm.strongest"]["zh_one"]


def test_no_text_writes_a_plural_in_brackets():
    """ "value(s)", "row(s)": the catalogue picks the singular or the plural (Count, text_n) instead."""
    bracketed = sorted(k for k, v in STRINGS.items() if "(s)" in v["en"] or "(s)" in v.get("en_one", ""))
    assert bracketed == []


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
    assert text("err.pool_padding", "en", pad=2, kernel=2, limit=1, axis=Term("axis.rows")).count("rows") == 2
    chinese = text("err.pool_padding", "zh", pad=2, kernel=2, limit=1, axis=Term("axis.rows"))
    assert "rows" not in chinese and "行" in chinese


def test_counts_are_rendered_in_the_message_language_and_number():
    params = {"pad": 1, "size": 1, "axis": Term("axis.rows")}
    one = {"lines": Count("count.rows", 1), "size_lines": Count("count.rows", 1)}
    assert "more than 1 row of input" in text("err.reflect_too_big", "en", **params, **one)
    assert "has 1 row." in text("err.reflect_too_big", "en", **params, **one)
    two = {"lines": Count("count.cols", 2), "size_lines": Count("count.cols", 2)}
    assert "more than 2 columns" in text("err.reflect_too_big", "en", **params, **two)
    chinese = text("err.reflect_too_big", "zh", **params, **one)
    assert "row" not in chinese and "多于 1 行" in chinese


def test_unknown_language_falls_back_to_english():
    assert text("conv.title", "xx") == "Convolution"


def test_the_catalogue_is_a_toml_file_per_page_english_and_chinese_side_by_side():
    """Every file of the catalogue holds tables of English (and Chinese) texts, each key in one file only; the
    CIFAR-10 classes the models predict all have their names."""
    from vizconv.training.datasets import CIFAR10_CLASSES

    seen: set[str] = set()
    for name in CATALOGUE:
        entries = tomllib.loads((CATALOGUE_DIR / f"{name}.toml").read_text(encoding="utf-8"))
        assert entries, name
        for key, entry in entries.items():
            assert "en" in entry and set(entry) <= {"en", "zh", "en_one", "zh_one"}, (name, key)
        assert not seen & set(entries), (name, seen & set(entries))
        seen |= set(entries)
    assert seen == set(STRINGS)
    assert {f"class.{name}" for name in CIFAR10_CLASSES} <= seen


def test_a_key_in_two_catalogue_files_is_refused(tmp_path, monkeypatch):
    from vizconv.i18n import strings

    for name in strings.CATALOGUE:
        (tmp_path / f"{name}.toml").write_text('["ui.language"]\nen = "Language"\n', encoding="utf-8")
    monkeypatch.setattr(strings, "CATALOGUE_DIR", tmp_path)
    with pytest.raises(ValueError, match="repeats keys of an earlier file: ui.language"):
        strings._read_catalogue()


FULL_WIDTH_PUNCTUATION = "（）：，。；、？！“”《》「」"


def test_bold_in_chinese_closes_where_markdown_closes_it():
    """CommonMark closes ``**`` only where it is right-flanking: ``**逐通道（depthwise）**卷积`` stays literal
    (punctuation before the closing marks, a letter after), and the page showed the asterisks. Every catalogue
    text opens bold before and closes it after a letter or a space, or between punctuation."""
    word = re.compile(r"[\w\u3400-\u9fff]")
    literal = []
    for key, entry in STRINGS.items():
        for lang, value in entry.items():
            marks = [m.start() for m in re.finditer(r"\*\*", value)]
            for i, at in enumerate(marks):
                before, after = value[at - 1 : at] or " ", value[at + 2 : at + 3] or " "
                closing = i % 2 == 1
                inner, outer = (before, after) if closing else (after, before)
                if inner in FULL_WIDTH_PUNCTUATION and word.match(outer):
                    literal.append((key, lang, value[max(0, at - 8) : at + 10]))
    assert literal == []
