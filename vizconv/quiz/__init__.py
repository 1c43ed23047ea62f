"""Predict, then reveal: questions a student answers before the page shows the result.

``make_question(kind, seed)`` and ``make_quiz(seed, kinds, count)`` make questions from a seed (the same seed, the
same questions: a teacher's link gives the class one quiz); ``Question.check(text)`` reads a typed answer and
returns a ``Verdict`` (right, wrong or unreadable) with the worked explanation, naming the common mistake a
wrong answer matches; ``Score`` is the running score a page keeps in the session. Every text is a catalogue key
with its parameters (``Message``, ``quiz.*`` in ``vizconv/i18n/catalogue/quiz.toml``). No Streamlit here.
"""

from vizconv.quiz.check import (
    ANSWER_FORMS,
    OUTCOMES,
    Message,
    Mistake,
    Question,
    Score,
    Verdict,
    answer_text,
    read_number,
    read_shape,
)
from vizconv.quiz.kinds import KINDS, MAX_QUESTIONS, make_question, make_quiz

__all__ = [
    "ANSWER_FORMS",
    "KINDS",
    "MAX_QUESTIONS",
    "OUTCOMES",
    "Message",
    "Mistake",
    "Question",
    "Score",
    "Verdict",
    "answer_text",
    "make_question",
    "make_quiz",
    "read_number",
    "read_shape",
]
