"""Question types kept as data: what each one stores, accepts and exports.  PURE."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Shape(Enum):
    """What an answer to a question looks like once validated."""

    CODE = "code"  # one choice code (str)
    CODES = "codes"  # several choice codes (list[str])
    TEXT = "text"  # free text (str)
    INTEGER = "integer"  # int
    DECIMAL = "decimal"  # float
    DATE = "date"  # ISO date string, YYYY-MM-DD
    BOOLEAN = "boolean"  # bool


@dataclass(frozen=True)
class QuestionType:
    """A question type: its answer shape and which optional fields it accepts."""

    name: str
    shape: Shape
    description: str
    options: frozenset[str] = frozenset()
    needs_choices: bool = False

    @property
    def free_text(self) -> bool:
        """Free text may identify people: it is left out of exports unless asked for."""
        return self.shape is Shape.TEXT

    @property
    def numeric(self) -> bool:
        return self.shape in (Shape.INTEGER, Shape.DECIMAL)


_TYPES = [
    QuestionType("single_choice", Shape.CODE, "one answer among `choices`", frozenset({"choices"}), True),
    QuestionType("multiple_choice", Shape.CODES, "any number of `choices`", frozenset({"choices", "min", "max"}), True),
    QuestionType("short_text", Shape.TEXT, "one line of text", frozenset({"max_length"})),
    QuestionType("long_text", Shape.TEXT, "a paragraph of text", frozenset({"max_length"})),
    QuestionType("integer", Shape.INTEGER, "a whole number between `min` and `max`", frozenset({"min", "max"})),
    QuestionType("decimal", Shape.DECIMAL, "a number between `min` and `max`", frozenset({"min", "max"})),
    QuestionType("likert", Shape.INTEGER, "a point on a labelled `scale`", frozenset({"scale"})),
    QuestionType("date", Shape.DATE, "a calendar date, optionally between `min` and `max`", frozenset({"min", "max"})),
    QuestionType("yes_no", Shape.BOOLEAN, "yes or no", frozenset()),
]

QUESTION_TYPES: dict[str, QuestionType] = {t.name: t for t in _TYPES}

# Fields every question may carry, whatever its type.
COMMON_FIELDS = frozenset({"name", "type", "label", "help", "required"})
