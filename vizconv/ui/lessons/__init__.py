"""Lessons that share one page, a module each: the Pooling & activations page teaches pooling, activation functions
and upsampling, one at a time (its setting ``section``). Each module's ``show(lesson)`` draws its lesson: its input
and layer in the sidebar, then the main column; ``Lesson`` carries the page's memory and what the lessons share."""

from __future__ import annotations

from types import ModuleType

from vizconv.ui.lessons import activations, pooling, upsampling
from vizconv.ui.lessons.lesson import Lesson, lenet

__all__ = ["LESSONS", "Lesson", "lenet", "pick"]

LESSONS: dict[str, ModuleType] = {"pooling": pooling, "activations": activations, "upsampling": upsampling}


def pick(section: str) -> ModuleType:
    """The module that draws lesson ``section`` (one of vizconv.views.pooling.SECTIONS)."""
    return LESSONS[section]
