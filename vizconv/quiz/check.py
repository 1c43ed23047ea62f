"""A question, the student's typed answer read and judged, and the running score.

A student types an answer as text. ``Question.check(text)`` reads it (a number such as ``13``, ``2.5`` or
``5/2``; a shape such as ``[6, 14, 14]``, ``6×14×14`` or ``torch.Size([6, 14, 14])``; full-width digits and
punctuation are read too) and returns a ``Verdict``: right, wrong, or unreadable (with how to type it). A wrong
answer that equals what a known mistake gives (the course notes' ``(H + 2p − k + 1)/s``, a forgotten bias, …)
names that mistake. Every text is a catalogue key with its parameters (``Message``), shown in either language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from fractions import Fraction

from vizconv.i18n.strings import text

__all__ = [
    "ANSWER_FORMS",
    "OUTCOMES",
    "Message",
    "Mistake",
    "Question",
    "Score",
    "Verdict",
    "answer_text",
    "read_number",
    "read_shape",
]

ANSWER_FORMS = ("number", "shape")  # a single number, or a shape [C, H, W] / [N]
OUTCOMES = ("right", "wrong", "unreadable")
_MAX_ANSWER = 200  # characters read of an answer; more is unreadable


@dataclass(frozen=True)
class Message:
    """A catalogue entry and its parameters: the same text in either language."""

    key: str
    params: dict = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return text(self.key, lang, **self.params)


@dataclass(frozen=True)
class Mistake:
    """A common mistake: its name, what explains it, and the wrong answers it gives."""

    name: str  # a short identifier: "notes_formula", "forgot_bias", …
    message: Message  # quiz.mistake.<name> with its numbers
    values: tuple  # the answers (Fraction or shape tuple) that this mistake gives


@dataclass(frozen=True)
class Verdict:
    """The judgement of one typed answer."""

    outcome: str  # one of OUTCOMES
    answer: object  # what was read: a Fraction or a shape tuple; None when unreadable
    expected: object  # the correct answer
    explanation: Message  # the worked explanation (shown whatever the outcome, once the student has answered)
    mistake: Mistake | None = None  # the common mistake the wrong answer matches, if any
    hint: Message | None = None  # unreadable: how to type the answer

    @property
    def right(self) -> bool:
        return self.outcome == "right"

    @property
    def headline(self) -> Message:
        """One line for the page: right; wrong with the correct answer; or how to type it."""
        if self.outcome == "right":
            return Message("quiz.verdict.right", {"answer": answer_text(self.expected)})
        if self.outcome == "wrong":
            return Message(
                "quiz.verdict.wrong", {"answer": answer_text(self.answer), "expected": answer_text(self.expected)}
            )
        return self.hint or Message("quiz.unreadable.number")


def answer_text(value: object) -> str:
    """An answer as the page writes it: 13, 2.5, 7/3 or [6, 14, 14]."""
    if isinstance(value, tuple):
        return "[" + ", ".join(answer_text(v) for v in value) + "]"
    if isinstance(value, Fraction):
        if value.denominator == 1:
            return str(value.numerator)
        decimal = f"{float(value):.6g}"
        return decimal if Fraction(decimal) == value else f"{value.numerator}/{value.denominator}"
    return str(value)


def _normal(typed: object) -> str | None:
    """The typed text in plain ASCII forms (full-width digits and punctuation, − as -), or None if not text."""
    if not isinstance(typed, str) or len(typed) > _MAX_ANSWER:
        return None
    return unicodedata.normalize("NFKC", typed).replace("\u2212", "-").strip()


def _fraction(word: str) -> Fraction | None:
    try:
        return Fraction(word)  # 13, -2, 2.5, 5/2, 3e1 (no inf, no nan)
    except (ValueError, ZeroDivisionError):
        return None


def read_number(typed: object) -> Fraction | None:
    """A typed number as an exact Fraction (13, 2.5, 5/2, -3, 1,234 and 1 234 as thousands), or None."""
    normal = _normal(typed)
    if not normal:
        return None
    normal = normal.rstrip("。.")  # a sentence's full stop
    if re.fullmatch(r"-?\d{1,3}([, _]\d{3})+", normal):  # thousands separators: 2,416 / 2 416 / 2_416
        normal = re.sub(r"[, _]", "", normal)
    return _fraction(re.sub(r"\s*/\s*", "/", normal))  # 5 / 2 is 5/2; 1 2 is not a number


_SHAPE_WRAP = re.compile(r"^(torch\.size)?[\[(（【{]*|[\])）】}]*$", re.IGNORECASE)
_SHAPE_SPLIT = re.compile(r"[\s,;×xX*、]+")


def read_shape(typed: object) -> tuple[int, ...] | None:
    """A typed shape as a tuple of ints: [6, 14, 14], (6, 14, 14), 6×14×14, 6 x 14 x 14, torch.Size([6, 14,
    14]), or a single size [400]; None when any part is not a whole number."""
    normal = _normal(typed)
    if not normal:
        return None
    inner = _SHAPE_WRAP.sub("", normal.rstrip("。.")).strip()
    words = [w for w in _SHAPE_SPLIT.split(inner) if w]
    if not words or not all(re.fullmatch(r"\d+", w) for w in words):
        return None
    return tuple(int(w) for w in words)


@dataclass(frozen=True)
class Question:
    """One question: its text, the answer, how it is explained, and the mistakes it names.

    ``kind`` and ``seed`` make it again (``vizconv.quiz.make_question(kind, seed)``); ``setup`` holds what a page
    draws for it (the layer's settings, the grid and kernel: plain numbers and lists).
    """

    kind: str
    seed: int
    prompt: Message  # quiz.q.<kind> with its numbers
    answer: object  # a Fraction (answer_form "number") or a tuple of ints ("shape")
    answer_form: str  # one of ANSWER_FORMS
    explanation: Message  # quiz.explain.<kind> with the worked numbers
    mistakes: tuple[Mistake, ...] = ()  # in order of precedence: the first whose values match names the answer
    setup: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        """kind:seed, unique per question (what a score remembers)."""
        return f"{self.kind}:{self.seed}"

    def check(self, typed: str) -> Verdict:
        """Read ``typed`` and judge it: right, wrong (naming a known mistake when it matches one) or unreadable."""
        read = read_number(typed) if self.answer_form == "number" else read_shape(typed)
        if read is None:
            return Verdict("unreadable", None, self.answer, self.explanation, hint=self._hint())
        if read == self.answer:
            return Verdict("right", read, self.answer, self.explanation)
        for mistake in self.all_mistakes:
            if read in mistake.values:
                return Verdict("wrong", read, self.answer, self.explanation, mistake=mistake)
        return Verdict("wrong", read, self.answer, self.explanation)

    def _hint(self) -> Message:
        if self.answer_form == "number":
            return Message("quiz.unreadable.number")
        return Message("quiz.unreadable.shape", {"example": answer_text(tuple(range(2, 2 + len(self.answer))))})

    @property
    def all_mistakes(self) -> tuple[Mistake, ...]:
        """The question's mistakes, and for a shape [C, H, W] the channels left out ([H, W])."""
        if self.answer_form != "shape" or len(self.answer) != 3:
            return self.mistakes
        spatial = self.answer[1:]
        missing = Mistake(
            "missing_channels",
            Message("quiz.mistake.missing_channels", {"channels": self.answer[0], "answer": answer_text(self.answer)}),
            (spatial,),
        )
        return (*self.mistakes, missing)


@dataclass
class Score:
    """A running score the page keeps in the session: the first readable answer to each question counts."""

    history: list[tuple[str, bool]] = field(default_factory=list)  # (question id, right) in the order answered

    @property
    def answered(self) -> int:
        return len(self.history)

    @property
    def right(self) -> int:
        return sum(right for _, right in self.history)

    @property
    def streak(self) -> int:
        """Right answers in a row, up to the last one."""
        count = 0
        for _, right in reversed(self.history):
            if not right:
                break
            count += 1
        return count

    def has_answered(self, question: Question) -> bool:
        return any(qid == question.id for qid, _ in self.history)

    def record(self, question: Question, verdict: Verdict) -> bool:
        """Count ``verdict`` unless it is unreadable or the question was answered before; whether it counted."""
        if verdict.outcome == "unreadable" or self.has_answered(question):
            return False
        self.history.append((question.id, verdict.right))
        return True

    def by_kind(self) -> dict[str, tuple[int, int]]:
        """kind -> (right, answered)."""
        tally: dict[str, tuple[int, int]] = {}
        for qid, right in self.history:
            kind = qid.split(":", 1)[0]
            good, total = tally.get(kind, (0, 0))
            tally[kind] = (good + right, total + 1)
        return tally

    @property
    def message(self) -> Message:
        """ "3 of 4 right" in the page's language."""
        return Message("quiz.score", {"right": self.right, "answered": self.answered, "streak": self.streak})
