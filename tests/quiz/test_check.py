"""Reading typed answers, judging them, and the running score."""

from __future__ import annotations

from fractions import Fraction

import pytest

from vizconv.quiz import Message, Mistake, Question, Score, answer_text, read_number, read_shape


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("13", Fraction(13)),
        (" 13 ", Fraction(13)),
        ("13.", Fraction(13)),
        ("13.0", Fraction(13)),
        ("2.5", Fraction(5, 2)),
        ("5/2", Fraction(5, 2)),
        ("5 / 2", Fraction(5, 2)),
        ("-3", Fraction(-3)),
        ("−3", Fraction(-3)),  # a typographic minus
        ("１３", Fraction(13)),  # full-width digits
        ("１３。", Fraction(13)),  # and a Chinese full stop
        ("2,416", Fraction(2416)),
        ("2 416", Fraction(2416)),
        ("1_000_000", Fraction(1_000_000)),
        ("3e1", Fraction(30)),
    ],
)
def test_numbers_are_read_exactly(typed, value):
    assert read_number(typed) == value


@pytest.mark.parametrize("typed", ["", "   ", "thirteen", "1/0", "inf", "nan", "2,5", "1 2", None, 13, "9" * 300])
def test_what_is_not_a_number(typed):
    assert read_number(typed) is None


@pytest.mark.parametrize(
    ("typed", "shape"),
    [
        ("[6, 14, 14]", (6, 14, 14)),
        ("(6,14,14)", (6, 14, 14)),
        ("6 14 14", (6, 14, 14)),
        ("6×14×14", (6, 14, 14)),
        ("6 x 14 x 14", (6, 14, 14)),
        ("6*14*14", (6, 14, 14)),
        ("torch.Size([6, 14, 14])", (6, 14, 14)),
        ("［６，１４，１４］", (6, 14, 14)),  # full width
        ("【6、14、14】", (6, 14, 14)),
        ("[6, 14, 14", (6, 14, 14)),  # a bracket left open
        ("[400]", (400,)),
        ("400", (400,)),
    ],
)
def test_shapes_are_read(typed, shape):
    assert read_shape(typed) == shape


@pytest.mark.parametrize("typed", ["", "[]", "[6, 14.5, 14]", "[6, -1, 14]", "six by fourteen", None])
def test_what_is_not_a_shape(typed):
    assert read_shape(typed) is None


def test_answers_are_written_as_typed():
    assert answer_text(Fraction(13)) == "13"
    assert answer_text(Fraction(5, 2)) == "2.5"
    assert answer_text(Fraction(28, 3)) == "28/3"
    assert answer_text((6, 14, 14)) == "[6, 14, 14]"


def _question(form="number"):
    answer = Fraction(10) if form == "number" else (6, 14, 14)
    wrong = (Fraction(9), Fraction(28, 3)) if form == "number" else ((6, 13, 13),)
    return Question(
        kind="conv_output_size" if form == "number" else "pool_shape",
        seed=7,
        prompt=Message("quiz.q.conv_output_size", {"h": 32, "k": 5, "s": 3, "p": 0, "d": 1}),
        answer=answer,
        answer_form=form,
        explanation=Message("quiz.explain.conv_output_size", {"h": 32, "k": 5, "s": 3, "p": 0, "d": 1}),
        mistakes=(Mistake("notes_formula", Message("quiz.mistake.notes_formula", {"value": "28/3"}), wrong),),
    )


def test_verdicts():
    question = _question()
    right = question.check("10")
    assert right.outcome == "right" and right.right and right.mistake is None
    assert right.headline.text("en") == "Right: 10."
    named = question.check("9")
    assert named.outcome == "wrong" and named.mistake.name == "notes_formula"
    assert named.headline.text("en") == "Not quite: you wrote 9, and the answer is 10."
    assert question.check("28/3").mistake.name == "notes_formula"
    assert question.check("9.333").mistake is None  # not exactly the notes' value
    plain = question.check("11")
    assert plain.outcome == "wrong" and plain.mistake is None
    unreadable = question.check("ten")
    assert unreadable.outcome == "unreadable" and unreadable.answer is None
    assert "`13`" in unreadable.headline.text("en") and "`13`" in unreadable.headline.text("zh")
    for verdict in (right, named, plain, unreadable):
        assert verdict.explanation == question.explanation  # the worked explanation comes whatever the outcome


def test_a_shape_without_its_channels_is_a_named_mistake():
    question = _question("shape")
    verdict = question.check("14, 14")
    assert verdict.outcome == "wrong" and verdict.mistake.name == "missing_channels"
    assert "[6, H, W]" in verdict.mistake.message.text("en")
    assert question.check("[6, 13, 13]").mistake.name == "notes_formula"
    assert question.check("6 14 14").right
    assert "`[2, 3, 4]`" in question.check("6, 14.5").headline.text("en")


def test_score_counts_the_first_readable_answer_to_each_question():
    score = Score()
    question, other = _question(), _question("shape")
    assert not score.record(question, question.check("ten"))  # unreadable: try again
    assert score.record(question, question.check("9"))
    assert not score.record(question, question.check("10"))  # answered: the retry does not count
    assert score.record(other, other.check("[6, 14, 14]"))
    assert (score.right, score.answered, score.streak) == (1, 2, 1)
    assert score.by_kind() == {"conv_output_size": (0, 1), "pool_shape": (1, 1)}
    assert score.message.text("en") == "1 of 2 right, 1 in a row"
    assert "1" in score.message.text("zh") and "答对" in score.message.text("zh")
