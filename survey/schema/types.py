"""Question types kept as data: what each one stores, accepts and exports.  PURE."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Shape(Enum):
    """What an answer to a question looks like once validated."""

    CODE = "code"  # one choice code (str)
    CODES = "codes"  # several choice codes (list[str]); in rank order for a ranking
    TEXT = "text"  # free text (str)
    INTEGER = "integer"  # int
    DECIMAL = "decimal"  # float
    DATE = "date"  # ISO date string, YYYY-MM-DD
    TIME = "time"  # HH:MM
    BOOLEAN = "boolean"  # bool
    MATRIX = "matrix"  # {item name: choice code}
    REPEAT = "repeat"  # [{sub-question name: answer}, …]
    COMPUTED = "computed"  # a calculated value: number, text or null
    NONE = "none"  # nothing to answer (a note)


# Options every question may carry, whatever its type.
COMMON_FIELDS = frozenset({"name", "type", "label", "help", "required", "required_if", "relevant", "disclosure"})
_ANSWERED = frozenset({"constraint", "constraint_message", "special_answers"})
_CHOICES = frozenset({"choices", "choice_filter", "other", "randomize"})


@dataclass(frozen=True)
class QuestionType:
    """A question type: its answer shape, which optional fields it accepts, how it is exported."""

    name: str
    shape: Shape
    description: str
    options: frozenset[str] = frozenset()
    needs_choices: bool = False
    identifying: bool = False  # may identify a person: left out of exports unless asked for
    # The disclosure role a question of this type has when its file gives none (README, "Disclosure roles");
    # None: the file must say, since only the evaluator knows whether it helps to single people out.
    disclosure: str | None = None

    @property
    def free_text(self) -> bool:
        """Free text (and e-mails, phone numbers) may identify people: left out of exports unless asked for."""
        return self.identifying

    @property
    def numeric(self) -> bool:
        return self.shape in (Shape.INTEGER, Shape.DECIMAL)

    @property
    def answerable(self) -> bool:
        """Whether a respondent types or ticks something (not a note, not a calculation)."""
        return self.shape not in (Shape.NONE, Shape.COMPUTED)


def _t(name: str, shape: Shape, description: str, options: set[str] | frozenset[str] = frozenset(),
       needs_choices: bool = False, identifying: bool = False, answered: bool = True,
       disclosure: str | None = None) -> QuestionType:
    extra = _ANSWERED if answered else frozenset()
    return QuestionType(name, shape, description, frozenset(options) | extra, needs_choices, identifying,
                        disclosure)


_TYPES = [
    _t("single_choice", Shape.CODE, "one answer among `choices`", _CHOICES, True),
    _t("dropdown", Shape.CODE, "one answer in a drop-down list: `choices` or `choices_from: file.csv`", _CHOICES, True),
    _t("multiple_choice", Shape.CODES, "any number of `choices` (`min`/`max` ticks)", _CHOICES | {"min", "max"}, True),
    _t("ranking", Shape.CODES, "the `choices` put in order of preference (`min`/`max` options ranked)",
       {"choices", "choice_filter", "min", "max", "randomize"}, True),
    _t("short_text", Shape.TEXT, "one line of text", {"max_length"}, identifying=True,
       disclosure="free_text"),
    _t("long_text", Shape.TEXT, "a paragraph of text", {"max_length"}, identifying=True, disclosure="free_text"),
    _t("email", Shape.TEXT, "an e-mail address", set(), identifying=True, disclosure="identifier"),
    _t("phone", Shape.TEXT, "a French phone number (10 digits, or +33)", set(), identifying=True,
       disclosure="identifier"),
    _t("integer", Shape.INTEGER, "a whole number between `min` and `max`, with an optional `unit`",
       {"min", "max", "unit"}),
    _t("decimal", Shape.DECIMAL, "a number between `min` and `max`, with an optional `unit`", {"min", "max", "unit"}),
    _t("likert", Shape.INTEGER, "a point on a labelled `scale`", {"scale"}),
    _t("nps", Shape.INTEGER, "a 0–10 recommendation score (Net Promoter Score)", set()),
    _t("matrix", Shape.MATRIX, "several `items` rated on one `scale` (or `choices`)", {"items", "scale", "choices"}),
    _t("date", Shape.DATE, "a calendar date, optionally between `min` and `max`", {"min", "max"}),
    _t("time", Shape.TIME, "a time of day, HH:MM", set()),
    _t("yes_no", Shape.BOOLEAN, "yes or no", set()),
    # A consent box is always ticked (1) in a stored response: a constant tells nothing about anyone.
    _t("consent", Shape.BOOLEAN, "a box that must be ticked to go on", set(), answered=False, disclosure="none"),
    _t("note", Shape.NONE, "text shown between questions; nothing to answer", set(), answered=False,
       disclosure="none"),
    _t("calculate", Shape.COMPUTED, "a value computed from other answers by `calculation`", {"calculation"},
       answered=False),
    _t("repeat", Shape.REPEAT, "a group of `questions` answered several times (`min`/`max`, `repeat_count`)",
       {"questions", "min", "max", "repeat_count"}, answered=False),
]

QUESTION_TYPES: dict[str, QuestionType] = {t.name: t for t in _TYPES}

# Special answers a question may offer beside its normal ones; exports code them apart from a missing answer.
SPECIAL_ANSWERS = ("dont_know", "prefer_not_to_say")
NOT_ASKED = "not_asked"  # a question hidden by its relevance: neither answered nor left blank
