"""The questionnaire model: a questionnaire has pages, a page has questions.  PURE.

Texts shown to people (`Text`) are either one string, in the questionnaire's `language`, or a mapping
language → string (`{fr: …, en: …}`); `localise()` (survey.schema.localise) resolves them for one
language. Logic (`relevant`, `required_if`, `constraint`, `calculation`, `choice_filter`,
`repeat_count`) is written in the expression language of `survey.expressions`, kept here as source text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import cached_property
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainValidator, WithJsonSchema

from survey.schema.disclosure import Disclosure, DisclosureBlock
from survey.schema.types import QUESTION_TYPES, SPECIAL_ANSWERS, QuestionType


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
Language = Annotated[str, Field(pattern=r"^[a-z]{2}$")]
def _text(value: object) -> str | dict[str, str]:
    """A text: a string, or a mapping language → string. One clear error instead of one per union member."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and value and all(
            isinstance(k, str) and len(k) == 2 and isinstance(v, str | int | float) for k, v in value.items()):
        return {k: str(v) for k, v in value.items()}
    raise ValueError("must be text, or one text per language such as `{fr: …, en: …}`")


Text = Annotated[
    str | dict[str, str],
    PlainValidator(_text),
    WithJsonSchema({"anyOf": [{"type": "string"}, {"type": "object", "propertyNames": {"pattern": "^[a-z]{2}$"},
                                                   "additionalProperties": {"type": "string"}, "minProperties": 1}]}),
]
Expression = Annotated[str, BeforeValidator(_as_text), Field(min_length=1, max_length=2000)]
TypeName = Literal[tuple(QUESTION_TYPES)]  # type: ignore[valid-type]
SpecialAnswer = Literal[SPECIAL_ANSWERS]  # type: ignore[valid-type]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Choice(_Model):
    """One answer option: `code` goes in exports, `label` is shown."""

    code: Code = Field(description="Stable code written in exports, e.g. `affiches`")
    label: Text = Field(description="Text shown to the respondent")
    relevant: Expression | None = Field(default=None, description="Show this option only when true")
    data: dict[Identifier, Annotated[str, BeforeValidator(_as_text)]] = Field(
        default_factory=dict, description="Attributes for `choice_filter`, e.g. `{commune: saint-aubin}`"
    )


class Item(_Model):
    """A row of a matrix question."""

    name: Identifier = Field(description="Row identifier; the export column is `{question}__{item}`")
    label: Text = Field(description="The row's text")


class Question(_Model):
    """One question; `name` is its stable identifier and its export column."""

    name: Identifier = Field(description="Stable identifier and export column, e.g. `satisfaction_globale`")
    type: TypeName = Field(description="Question type: what the answer looks like")
    label: Text = Field(default="", description="The question as shown to the respondent")
    help: Text = Field(default="", description="Hint shown under the question")
    required: bool = Field(default=False, description="Whether an answer is needed to go on")
    required_if: Expression | None = Field(default=None, description="Required only when this is true")
    relevant: Expression | None = Field(default=None, description="Asked only when this is true (skip logic)")
    constraint: Expression | None = Field(default=None, description="Must be true of the answer, written `.`")
    constraint_message: Text | None = Field(default=None, description="Shown when the constraint fails")
    special_answers: list[SpecialAnswer] = Field(
        default_factory=list, description="`dont_know`, `prefer_not_to_say`: offered beside the normal answers"
    )
    choices: list[Choice] = Field(default_factory=list, description="Answer options")
    choice_filter: Expression | None = Field(default=None, description="Offer a choice only when true")
    other: bool = Field(default=False, description="Add “Other, please specify” with a text field")
    randomize: bool = Field(default=False, description="Shuffle the options (Other and special answers last)")
    scale: list[Text] = Field(default_factory=list, description="Likert or matrix labels, lowest point first")
    items: list[Item] = Field(default_factory=list, description="Rows of a matrix")
    min: int | float | dt.date | None = Field(
        default=None, description="Lowest value (numbers, dates), fewest ticks or repeats"
    )
    max: int | float | dt.date | None = Field(
        default=None, description="Highest value (numbers, dates), most ticks or repeats"
    )
    max_length: int | None = Field(default=None, gt=0, le=100_000, description="Most characters accepted")
    unit: Text | None = Field(default=None, description="Unit shown after a number, e.g. `€` or `heures`")
    calculation: Expression | None = Field(default=None, description="How a `calculate` value is computed")
    questions: list[Question] = Field(default_factory=list, description="The questions of a repeat group")
    repeat_count: Expression | None = Field(default=None, description="How many times a repeat group is asked")
    disclosure: Disclosure | None = Field(
        default=None, description="Disclosure role of its columns: identifier, quasi_identifier (with levels), "
                                  "sensitive, free_text or none; the type's default when left out")

    @property
    def kind(self) -> QuestionType:
        return QUESTION_TYPES[self.type]

    # Options are asked for on every answer checked and every field drawn: built once, kept in the instance's own
    # dict (a cached_property reads at the speed of an attribute, a pydantic private attribute about 40 × slower).
    @cached_property
    def answer_options(self) -> tuple[Choice, ...]:
        """The answer options with their export codes, whatever the type declares them with."""
        if self.type == "likert" or (self.type == "matrix" and not self.choices):
            return tuple(Choice(code=str(i), label=label) for i, label in enumerate(self.scale, start=1))
        if self.type == "nps":
            return tuple(Choice(code=str(i), label=str(i)) for i in range(11))
        return tuple(self.choices)

    def options(self) -> tuple[Choice, ...]:
        """`answer_options`, as most callers ask for them."""
        return self.answer_options

    @cached_property
    def codes(self) -> frozenset[str]:
        """The export codes of the options (without `other` and special answers)."""
        return frozenset(c.code for c in self.answer_options)

    def expressions(self) -> Iterator[tuple[str, str]]:
        """(field, source) of every expression this question carries, its choices' included."""
        for field in ("relevant", "required_if", "constraint", "choice_filter", "calculation", "repeat_count"):
            source = getattr(self, field)
            if source is not None:
                yield field, source
        for choice in self.choices:
            if choice.relevant is not None:
                yield f"choices[{choice.code}].relevant", choice.relevant


class Page(_Model):
    """A page of questions shown together."""

    id: Slug = Field(description="Page identifier, unique in the questionnaire, e.g. `profil`")
    title: Text = Field(default="", description="Heading shown above the page's questions")
    relevant: Expression | None = Field(default=None, description="Show the page only when true")
    questions: list[Question] = Field(min_length=1, description="The page's questions, in order")


_NAMES_SCHEMA = {"anyOf": [
    {"type": "string", "pattern": r"\.csv$", "description": "a CSV file beside the questionnaire, column `name`"},
    {"type": "array", "items": {"type": "string", "minLength": 1}},
]}
Names = Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], WithJsonSchema(_NAMES_SCHEMA)]


class MissionNames(_Model):
    """The people, places and organisations of a mission whose names never leave the platform in free text;
    a CSV file given here is read when the questionnaire is loaded and stored with its version."""

    people: Names = Field(default_factory=list, description="People: residents, agents, elected officials")
    places: Names = Field(default_factory=list, description="Places: communes, quartiers, streets, buildings")
    organisations: Names = Field(default_factory=list, description="Organisations: associations, services, firms")


class Mission(_Model):
    """An evaluation mission: the engagement a questionnaire belongs to."""

    id: Slug = Field(description="Mission identifier, e.g. `saint-aubin-bp-2026`")
    name: str = Field(min_length=1, description="Name of the evaluation mission")
    client: str = Field(default="", description="The local government the evaluation is for")
    start: dt.date | None = Field(default=None, description="First day of the mission, YYYY-MM-DD")
    end: dt.date | None = Field(default=None, description="Last day of the mission, YYYY-MM-DD")
    small_cells: int = Field(
        default=11, ge=2, le=1000,
        description="Counts below it are never published: shown as `< 11` on the results page and in the PDF, "
                    "with other cells hidden so that none can be worked out (the French rule: 11)")
    retention_days: int | None = Field(
        default=None, ge=1, le=36_500,
        description="Days raw responses are kept, counted from `end` (else from each response's submission); "
                    "then `survey purge` and the service delete them. Shown in the privacy notice")
    contact: str = Field(
        default="", max_length=300,
        description="Who respondents write to about their data (the data protection officer): an e-mail or "
                    "postal address, shown in the privacy notice and the register of processing")
    purpose: str = Field(
        default="", max_length=2000,
        description="Why the answers are collected, for the register of processing (art. 30 GDPR)")
    lists: MissionNames = Field(
        default_factory=lambda: MissionNames(),
        description="Names taken out of free text when an export scrubs it: `people`, `places`, `organisations`, "
                    "each a CSV file beside the questionnaire (column `name`) or a list of names")


def _as_cell_code(value: object) -> object:
    """YAML reads `tranche_age: 1` or `yes` as a number or a boolean; a cell's codes are text."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return _as_text(value)


class QuotaCell(_Model):
    """A cell of a quota that takes its own number: the code of each of the quota's questions, and that number."""

    when: dict[Identifier, Annotated[str, BeforeValidator(_as_cell_code)]] = Field(
        description="The code of each of the quota's questions, e.g. `{quartier: centre, tranche_age: 65_plus}`")
    limit: int = Field(ge=0, le=10_000_000, description="Real responses this cell takes (0 closes it)")


class Quota(_Model):
    """A cap on real responses: overall (no `questions`), or per combination of answers to `questions`
    (survey.schema.quotas says which questions can split respondents, survey.quotas where an answer set falls)."""

    name: Identifier = Field(description="Identifier of the quota, unique in the questionnaire, e.g. `quartier_age`")
    questions: list[Identifier] = Field(
        default_factory=list, max_length=4,
        description="Questions whose answers split respondents into cells (one code each: single choice, "
                    "drop-down, Likert, NPS, yes/no); none: one cell holding every respondent, a cap on the total")
    limit: int = Field(ge=0, le=10_000_000, description="Real responses each cell takes")
    cells: list[QuotaCell] = Field(default_factory=list, description="Cells that take another number than `limit`")
    message: Text = Field(default="", description="Shown to a respondent who falls in a full cell; a general "
                                                  "thank-you when left out")

    def cell_key(self, codes: tuple[str, ...]) -> str:
        """The stored name of the cell made by these codes (one per question, in order): `centre|65_plus`, or ``
        for a cap on the total. `|` is never in a code."""
        return "|".join(codes)

    def limit_of(self, key: str) -> int:
        """How many real responses the cell `key` takes."""
        for cell in self.cells:
            if self.cell_key(tuple(cell.when.get(name, "") for name in self.questions)) == key:
                return cell.limit
        return self.limit


class Questionnaire(_Model):
    """A questionnaire as written by an evaluator: metadata and pages of questions."""

    id: Slug = Field(description="Questionnaire identifier, e.g. `budget-participatif-habitants`")
    version: Annotated[str, BeforeValidator(_as_text), Field(min_length=1, max_length=32)] = Field(
        description="Version label; responses record the version they answered"
    )
    title: Text = Field(description="Title shown to respondents")
    language: Language = Field(default="fr", description="Default language: the one plain strings are in")
    languages: list[Language] = Field(
        default_factory=list, description="Every language the texts are given in (default: `language` alone)"
    )
    mission: Mission | None = Field(default=None, description="The evaluation mission it belongs to")
    introduction: Text = Field(default="", description="Text shown before the first page")
    privacy_notice: Text = Field(description="How answers are used and kept (purpose, controller, retention, rights)")
    pages: list[Page] = Field(min_length=1, description="Pages of questions, in order")
    disclosure: DisclosureBlock = Field(
        default_factory=DisclosureBlock,
        description="Roles of the columns exports add (submitted_date, version) and named export profiles")
    quotas: list[Quota] = Field(
        default_factory=list, description="Caps on real responses, overall or per combination of answers "
                                          "(`quartier` × `tranche_age`); a full one ends the form with its message")

    @property
    def all_languages(self) -> list[str]:
        """The default language first, then the others."""
        return [self.language, *(lang for lang in self.languages if lang != self.language)]

    def questions(self) -> Iterator[Question]:
        """Every top-level question, in page order (a repeat group, not its inner questions)."""
        for page in self.pages:
            yield from page.questions

    def all_questions(self) -> Iterator[Question]:
        """Every question, those inside repeat groups included."""
        def walk(questions: list[Question]) -> Iterator[Question]:
            for q in questions:
                yield q
                yield from walk(q.questions)

        for page in self.pages:
            yield from walk(page.questions)

    def question(self, name: str) -> Question:
        """The question of that name, wherever it is (KeyError when there is none)."""
        return self.questions_by_name[name]

    @cached_property
    def questions_by_name(self) -> dict[str, Question]:
        """Every question by name (`all_questions`), the first of a name kept: looked up on every posted page."""
        found: dict[str, Question] = {}
        for q in self.all_questions():
            found.setdefault(q.name, q)
        return found
