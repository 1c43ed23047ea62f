"""MessageError: catalogue messages in both languages, whose parameters never become Markdown."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from vizconv.errors import Markdown, MessageError, escape_markdown
from vizconv.i18n.strings import Term
from vizconv.nets.models import ModelError

ACTIVE = set("\\`*[]<>&$~:#")  # what escape_markdown must never leave bare (and _ outside a word)


def _unescape(markdown: str) -> str:
    """What CommonMark shows for a text with backslash escapes (a backslash before ASCII punctuation), less the
    invisible word joiners (U+2060) that keep addresses from being linked."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


def _bare(markdown: str) -> str:
    """The characters Markdown reads as themselves: escaped pairs removed."""
    return re.sub(r"\\[!-/:-@\[-`{-~]", "\x00", markdown)


@given(st.text())
def test_escaped_text_reads_back_as_itself_and_leaves_nothing_active(value):
    escaped = escape_markdown(value)
    shown = "".join(c if c.isprintable() else "\ufffd" for c in value)
    assert _unescape(escaped) == shown
    bare = _bare(escaped)
    assert not ACTIVE & set(bare), escaped
    for match in re.finditer("_", bare):  # an underscore left bare sits inside a word: never emphasis
        before, after = bare[match.start() - 1 : match.start()], bare[match.end() : match.end() + 1]
        assert before.isalnum() and after.isalnum(), escaped
    assert "\n" not in escaped and "\r" not in escaped
    # nothing Streamlit links or turns into an icon after parsing: http://, www., a@b, :material/…:
    plain = escaped.replace("\\", "")
    assert not re.search(r"https?:/|www\.|[\w.+-]@|:[\w/]+:", plain, re.IGNORECASE), escaped


@given(st.lists(st.from_regex(r"[A-Za-z0-9]+", fullmatch=True), min_size=1, max_size=6), st.sampled_from("._-"))
def test_identifiers_stay_as_they_are(parts, separator):
    """Key names and layer paths (layer1.0.bn1.running_var, out_channels) need no escaping: the text stays
    readable in the page's source as well."""
    name = separator.join(parts)
    assert escape_markdown(name) == name


def test_markdown_that_would_fetch_or_link_is_escaped():
    assert escape_markdown("![x](http://host/p.png)") == "!\\[x\\](http\\:\u2060//host/p.png)"
    assert escape_markdown("www.host.org a@b.c") == "www\u2060.host.org a\u2060@b.c"
    assert escape_markdown("<img src=x onerror=alert(1)>") == r"\<img src=x onerror=alert(1)\>"
    assert escape_markdown("**b** $x$ `c` # h <i>") == r"\*\*b\*\* \$x\$ \`c\` \# h \<i\>"
    assert escape_markdown(":red[big]") == "\\:\u2060red\\[big\\]"
    assert escape_markdown("- item") == r"\- item" and escape_markdown("1. item") == r"1\. item"
    assert escape_markdown("a\nb") == "a\ufffdb"


def test_message_escapes_parameters_but_not_numbers_terms_or_vizconv_markdown():
    error = ModelError(
        "weights.keys",
        name="lenet5",
        missing=2,
        missing_examples="**bold**",
        unexpected=1,
        unexpected_examples="![x](http://host/p.png)",
    )
    assert "**bold**" in str(error)  # str(): the English text as written, for logs
    for lang in ("en", "zh"):
        shown = error.message(lang)
        assert r"\*\*bold\*\*" in shown and "!\\[x\\](http\\:\u2060//host/p.png)" in shown and "2" in shown
    offline = ModelError("model.offline", name="ResNet-18", url=Markdown("https://host/w.pth"), path="/tmp/w_1.pth")
    assert "https://host/w.pth" in offline.message("en") and "/tmp/w_1.pth" in offline.message("zh")
    assert "行" in MessageError("err.not_int", name=Term("axis.rows"), value="'x'").message("zh")


def test_a_parameter_inside_a_code_span_loses_its_backticks_only():
    error = MessageError("nb.link.word", word="x`![a](b)`*y*", words="conv, relu")
    shown = error.message("en")
    code = re.search(r"`([^`]*)`", shown).group(1)
    assert code == "x\ufffd![a](b)\ufffd*y*"  # in a code span nothing is Markdown; a backtick would end it
