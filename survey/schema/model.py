"""The questionnaire model: a questionnaire has pages, a page has questions.  PURE."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr

from survey.schema.types import QUESTION_TYPES, QuestionType


def _as_text(value: object) -> object:
    """YAML reads `code: 1` or `version: 2` as numbers; the model keeps them as text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    return value


Code = Annotated[str, BeforeValidator(_as_text), Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$", max_length=48)]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)]
TypeName = Literal[tuple(QUESTION_TYPES)]  # type: ignore[valid-type]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Model):
    """One answer option: `code` goes in exports, `label` is shown."""

    code: Code = Field(description="Stable code written in exports, e.g. `affiches`")
    label: str = Field(min_length=1, description="Text shown to the respondent")


class Question(_Model):
    """One question; `name` is its stable identifier and its export column."""

    name: Identifier = Field(description="Stable identifier and export column, e.g. `satisfaction_globale`")
    type: TypeName = Field(description="Question type: what the answer looks like")
    label: str = Field(min_length=1, description="The question as shown to the respondent")
    help: str = Field(default="", description="Hint shown under the question")
    required: bool = Field(default=False, description="Whether an answer is needed to go on")
    choices: list[Choice] = Field(default_factory=list, description="Answer options (single/multiple_choice)")
    scale: list[str] = Field(
        default_factory=list, description="Likert labels, from the lowest point to the highest"
    )
    min: int | float | dt.date | None = Field(
        default=None, description="Lowest value (integer, decimal, date) or fewest ticks (multiple_choice)"
    )
    max: int | float | dt.date | None = Field(
        default=None, description="Highest value (integer, decimal, date) or most ticks (multiple_choice)"
    )
    max_length: int | None = Field(
        default=None, gt=0, le=100_000, description="Most characters accepted (short_text, long_text)"
    )

    _options: tuple[Choice, ...] = PrivateAttr(default=())
    _codes: frozenset[str] = PrivateAttr(default=frozenset())

    @property
    def kind(self) -> QuestionType:
        return QUESTION_TYPES[self.type]

    def model_post_init(self, _context: object) -> None:
        # Options are asked for on every answer checked and every field drawn: build them once.
        if self.type == "likert":
            options = tuple(Choice(code=str(i), label=label) for i, label in enumerate(self.scale, start=1))
        else:
            options = tuple(self.choices)
        self._options = options
        self._codes = frozenset(c.code for c in options)

    def options(self) -> list[Choice]:
        """The answer options with their export codes, whatever the type declares them with."""
        return list(self._options)

    @property
    def codes(self) -> frozenset[str]:
        """The export codes of the options."""
        return self._codes


class Page(_Model):
    """A page of questions shown together."""

    id: Slug = Field(description="Page identifier, unique in the questionnaire, e.g. `profil`")
    title: str = Field(default="", description="Heading shown above the page's questions")
    questions: list[Question] = Field(min_length=1, description="The page's questions, in order")


class Mission(_Model):
    """An evaluation mission: the engagement a questionnaire belongs to."""

    id: Slug = Field(description="Mission identifier, e.g. `saint-aubin-bp-2026`")
    name: str = Field(min_length=1, description="Name of the evaluation mission")
    client: str = Field(default="", description="The local government the evaluation is for")
    start: dt.date | None = Field(default=None, description="First day of the mission, YYYY-MM-DD")
    end: dt.date | None = Field(default=None, description="Last day of the mission, YYYY-MM-DD")


class Questionnaire(_Model):
    """A questionnaire as written by an evaluator: metadata and pages of questions."""

    id: Slug = Field(description="Questionnaire identifier, e.g. `budget-participatif-habitants`")
    version: Annotated[str, BeforeValidator(_as_text), Field(min_length=1, max_length=32)] = Field(
        description="Version label; responses record the version they answered"
    )
    title: str = Field(min_length=1, description="Title shown to respondents")
    language: Literal["fr", "en"] = Field(default="fr", description="Language of the questionnaire's text")
    mission: Mission | None = Field(default=None, description="The evaluation mission it belongs to")
    introduction: str = Field(default="", description="Text shown before the first page")
    privacy_notice: str = Field(
        min_length=1, description="How answers are used and kept (purpose, controller, retention, rights)"
    )
    pages: list[Page] = Field(min_length=1, description="Pages of questions, in order")

    def questions(self) -> Iterator[Question]:
        """Every question, in page order."""
        for page in self.pages:
            yield from page.questions

    def question(self, name: str) -> Question:
        for q in self.questions():
            if q.name == name:
                return q
        raise KeyError(name)
