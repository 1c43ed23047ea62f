"""Your own weights on the Feature maps page, kept per session; nothing user-controlled rendered as HTML."""

from __future__ import annotations

import gc
import io
import re
import weakref

import torch
from streamlit.testing.v1 import AppTest

from tests_support import FEATURES, ROOT, ROOT_FILES, open_page
from vizconv.i18n.strings import text
from vizconv.nets.architectures import lenet5

FM = FEATURES


def _weights(seed: int) -> bytes:
    torch.manual_seed(seed)
    buffer = io.BytesIO()
    torch.save(lenet5().state_dict(), buffer)
    return buffer.getvalue()


def _upload(at: AppTest, data: bytes, name: str = "mine.pt") -> None:
    at.file_uploader(key="fm_weights_file").set_value((name, data, "application/octet-stream")).run()
    assert not at.exception, at.exception


def test_own_weights_are_used_in_this_session_only():
    student = open_page(FM, fm_weights="own")
    assert any("Upload your LeNet-5 (ReLU) · MNIST state_dict" in i.value for i in student.info)
    _upload(student, _weights(3))
    assert any("Your own LeNet-5 (ReLU) · MNIST weights" in c.value for c in student.caption)
    assert text("share.own_weights_note", "en") in [c.value for c in student.caption]  # a link cannot carry them
    assert not student.error
    own_model = student.session_state["ui_own_model"][1]
    torch.manual_seed(3)
    expected = lenet5().state_dict()
    assert all(torch.equal(own_model.state_dict()[k], v) for k, v in expected.items())

    other = open_page(FM)  # another student, at the same time, on the same server process
    assert "ui_own_model" not in other.session_state
    assert not any("Your own" in c.value for c in other.caption)
    assert text("share.own_weights_note", "en") not in [c.value for c in other.caption]
    assert any("%" in c.value for c in other.caption)  # the bundled model's card accuracy


def test_weights_that_do_not_fit_are_explained():
    at = open_page(FM, fm_weights="own", fm_model="resnet20")
    _upload(at, _weights(0))
    assert any("do not fit resnet20" in e.value for e in at.error)
    _upload(at, b"<script>alert(1)</script>", name="<b>x</b>.pt")
    assert any("cannot be loaded safely" in e.value for e in at.error)


def test_no_user_controlled_text_is_rendered_as_html():
    """No unsafe_allow_html anywhere; st.html only in vizconv.ui.page, and only with a constant (the style sheets, and the
    two scripts allowed to run JavaScript: the one that fits formulas to their column, and the one that gives
    the keyboard back to the page after the sidebar switches)."""
    for path in ROOT_FILES:
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"unsafe_allow_html\s*=\s*True", source), path.name
        calls = re.findall(r"st\.html\(([^)]*)\)", source)
        if path.relative_to(ROOT).as_posix() != "vizconv/ui/page.py":
            assert not calls, path.name
        for argument in calls:
            constant, *options = (part.strip() for part in argument.split(","))
            assert re.fullmatch(r"[A-Z_]+", constant), calls
            assert options == [] or (
                constant in ("FIT_TO_WIDTH_HTML", "KEYBOARD_HTML") and options == ["unsafe_allow_javascript=True"]
            )


def test_a_session_holds_one_own_model_and_lets_it_go():
    """New weights replace the old model, other weights drop it, and nothing outlives the session (weakref + gc)."""
    at = open_page(FM, fm_weights="own")
    _upload(at, _weights(1))
    first = weakref.ref(at.session_state["ui_own_model"][1])
    _upload(at, _weights(2))
    gc.collect()
    assert first() is None  # at most one model of its own per session
    second = weakref.ref(at.session_state["ui_own_model"][1])
    at.radio(key="fm_weights").set_value("bundled").run()
    assert not at.exception and "ui_own_model" not in at.session_state
    gc.collect()
    assert second() is None
    at.radio(key="fm_weights").set_value("own").run()
    _upload(at, _weights(3))
    third = weakref.ref(at.session_state["ui_own_model"][1])
    del at  # the session ends
    gc.collect()
    assert third() is None


def test_a_key_named_like_a_markdown_image_is_shown_as_text():
    """A state_dict key ![x](http://host/p.png) is quoted in the message, never an image the browser fetches."""
    at = open_page(FM, fm_weights="own")
    torch.manual_seed(0)
    state = lenet5().state_dict()
    state["![x](http://host/p.png)"] = torch.zeros(1)
    buffer = io.BytesIO()
    torch.save(state, buffer)
    _upload(at, buffer.getvalue(), name="![y](http://host/q.png).pt")
    (error,) = [e.value for e in at.error]
    assert "do not fit lenet5" in error
    bare = re.sub(r"\\[!-/:-@\[-`{-~]", "", error)  # what Markdown reads as syntax: the unescaped characters
    assert "![" not in bare and "](" not in bare and "http:" not in bare and "q.png" not in error
