"""The questionnaire model: a questionnaire has pages, a page has questions.  PURE."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

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

    code: Code
    label: str = Field(min_length=1)


class Question(_Model):
    """One question; `name` is its stable identifier and its export column."""

    name: Identifier
    type: TypeName
    label: str = Field(min_length=1)
    help: str = ""
    required: bool = False
    choices: list[Choice] = Field(default_factory=list)
    scale: list[str] = Field(default_factory=list, description="Likert labels, from the lowest point to the highest")
    min: int | float | dt.date | None = None
    max: int | float | dt.date | None = None
    max_length: int | None = Field(default=None, gt=0, le=100_000)

    @property
    def kind(self) -> QuestionType:
        return QUESTION_TYPES[self.type]

    def options(self) -> list[Choice]:
        """The answer options with their export codes, whatever the type declares them with."""
        if self.type == "likert":
            return [Choice(code=str(i), label=label) for i, label in enumerate(self.scale, start=1)]
        return list(self.choices)


class Page(_Model):
    """A page of questions shown together."""

    id: Slug
    title: str = ""
    questions: list[Question] = Field(min_length=1)


class Mission(_Model):
    """An evaluation mission: the engagement a questionnaire belongs to."""

    id: Slug
    name: str = Field(min_length=1)
    client: str = ""
    start: dt.date | None = None
    end: dt.date | None = None


class Questionnaire(_Model):
    """A questionnaire as written by an evaluator: metadata and pages of questions."""

    id: Slug
    version: Annotated[str, BeforeValidator(_as_text), Field(min_length=1, max_length=32)]
    title: str = Field(min_length=1)
    language: Literal["fr", "en"] = "fr"
    mission: Mission | None = None
    introduction: str = ""
    privacy_notice: str = Field(min_length=1)
    pages: list[Page] = Field(min_length=1)

    def questions(self) -> Iterator[Question]:
        """Every question, in page order."""
        for page in self.pages:
            yield from page.questions

    def question(self, name: str) -> Question:
        for q in self.questions():
            if q.name == name:
                return q
        raise KeyError(name)
