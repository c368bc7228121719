"""What a codec is, and the variables (export columns) codecs describe.  PURE.

A codec owns one question type's coding: the type its stored answer is decoded as, the variables (columns) it
gives in the coded table, how each variable's value is computed from the decoded answer, the value labels and
missing codes, and the kind of summary it gets. Code elsewhere asks the codec; it does not branch on
`question.type`.

The stored answer format, written down once (the `answers` JSON document of a response, one key per question):

| question | stored value |
|---|---|
| single_choice, dropdown | the choice code, a string; `"other"` for “Other, please specify” |
| multiple_choice | the list of codes ticked, in the order offered |
| ranking | the list of codes ranked, first choice first |
| likert, nps | the scale point, an integer (1 = first label; 0–10 for an NPS) |
| matrix | an object item name → code (the scale point as a string, or a choice code) |
| integer, decimal | a number |
| yes_no, consent | `true` / `false` |
| date, time | `"YYYY-MM-DD"`, `"HH:MM"` |
| short_text, long_text, email, phone | the text |
| calculate | the computed value: number, text or boolean |
| repeat | a list with one answers object per item |
| note | nothing |

Beside them: `"{name}__other"` holds the text typed for “Other” (only when `other` is picked); a special answer
is stored in place of the value as `{"special": "dont_know"}`, `{"special": "prefer_not_to_say"}`, or
`{"special": "not_asked"}` for a question its relevance hid. A key that is absent means “left blank”.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import polars as pl

from survey.codecs.parsing import Form, Unreadable, posted, posted_special
from survey.schema.model import Question
from survey.schema.types import NOT_ASKED

# Negative codes no real answer takes: analysts filter `< 0` (SPSS/Stata-style missing values).
SPECIAL_CODES: dict[str, int] = {NOT_ASKED: -7, "dont_know": -8, "prefer_not_to_say": -9}

Texts = Mapping[str, str]  # language → text
Storage = Literal["category", "integer", "decimal", "text", "date", "time"]
Role = Literal["value", "binary", "rank", "item", "other_text", "count"]
SummaryKind = Literal["choice", "multiple", "ranking", "matrix", "nps", "numeric", "date", "time", "repeat", "text"]
Measure = Literal["nominal", "ordinal", "scale"]


@dataclass(frozen=True)
class ValueLabel:
    """One value a coded variable may hold and what it means, per language."""

    code: str
    labels: Texts


@dataclass(frozen=True)
class Variable:
    """One column of the coded table: which question it comes from and how its values are coded.

    `storage` is the column's type: `category` (choice codes as text), `integer` (scale points, 1/0, ranks,
    whole numbers), `decimal`, `text`, `date` (ISO `YYYY-MM-DD`) or `time` (`HH:MM`). Every storage carries the
    special codes of `SPECIAL_CODES` in the column itself (as numbers, or as their text for text storages).
    """

    name: str
    question: str
    type: str  # the question type
    storage: Storage
    label: Texts  # the question text
    role: Role = "value"
    option: str | None = None  # the option a binary or rank column stands for
    item: str | None = None  # the matrix item (row) an item column stands for
    part_label: Texts = field(default_factory=dict)  # the option's or item's text, or “Other”
    values: tuple[ValueLabel, ...] = ()  # value labels, in questionnaire order
    specials: tuple[str, ...] = ()  # the special answers this column may hold (dont_know, …, not_asked)
    identifying: bool = False  # may identify a person: left out of anonymised exports unless asked for
    measure: Measure = "nominal"

    @property
    def numeric(self) -> bool:
        """Whether the column holds numbers (special codes included as negative numbers)."""
        return self.storage in ("integer", "decimal")


@dataclass(frozen=True)
class Context:
    """What a codec needs to know beyond its question to describe its variables."""

    languages: tuple[str, ...]  # the questionnaire's languages, the default first
    conditional: bool  # the question, its page or its group has a `relevant`: it may be not asked
    identifying: bool  # free text, or a calculation reading free text
    texts: Mapping[str, Texts]  # interface texts per language: "other", "yes", "no"


class Codec:
    """One question type's coding. Subclasses set `types` and override what differs."""

    types: tuple[str, ...] = ()
    summary: SummaryKind = "text"

    def fields(self, question: Question, variables: list[Variable]) -> dict[str, pl.DataType]:
        """The keys of the answers document `variables` (this question's columns) are read from, and the type
        each is decoded as."""
        return {question.name: pl.String()}

    def variables(self, question: Question, context: Context) -> list[Variable]:
        """The columns this question gives in the coded table."""
        return []

    def blank(self, answer: pl.Expr) -> pl.Expr:
        """Whether a decoded answer counts as left blank."""
        return answer.is_null()

    def value(self, variable: Variable, answer: pl.Expr, fields: dict[str, pl.Expr]) -> pl.Expr:
        """A column's value for an answer that is neither special nor blank (`fields`: every decoded key)."""
        return answer

    # --- The input side: posted fields → a typed answer, its checks, and back ---------------------------------
    answered = True  # the respondent answers it on a page (a note and a calculation are not answered)
    computed = False  # its value is `calculation`'s, taken when the logic's walk reaches it
    offers = False  # picks among `choices` that relevance and choice filters narrow (the logic lists those offered)
    always_required = False  # must be answered to go on, whatever `required` says (a consent box)
    group = False  # holds `questions` answered once per item (a repeat group): each item checked like a page
    picks = False  # its answer is choice codes (`picked`): checked against the options offered and “Other”
    seen_as = "answer"  # what expressions see (`expression_value`), told to form.js: answer, count or nothing
    unreadable = "not_text"  # the issue code of a posted text that cannot be read as this type

    def read(self, question: Question, form: Form) -> Any:
        """The typed answer a question's posted fields hold (a special answer as stored); None when empty.

        Raises `Unreadable`, keeping what was typed."""
        return posted_special(form, question.name) or self.parse(question, form)

    def parse(self, question: Question, form: Form) -> Any:
        """The ordinary answer posted: the first non-blank value of the question's field, read by `parse_text`."""
        values = posted(form, question.name)
        if not values:
            return None
        try:
            return self.parse_text(question, values[0])
        except Unreadable:
            raise
        except ValueError:
            raise Unreadable(self.unreadable, values[0]) from None

    def parse_text(self, question: Question, text: str) -> Any:
        """One posted text as this type's answer; raises ValueError (or `Unreadable`) when it is not one."""
        return text

    def check(self, question: Question, value: Any) -> str | None:
        """The issue code when a given (non-empty, non-special) answer is not of the form this type stores."""
        return "unknown_question"  # notes and calculations take no answer

    def refused(self, value: Any) -> bool:
        """Whether an answer leaves a question that must be agreed to unagreed (`always_required`)."""
        return False

    def range_issue(self, question: Question, value: Any) -> str | None:
        """`too_small`, `too_late`, `too_long`, `too_many_choices`… when a typed answer is out of its bounds."""
        return None

    def browser_range(self, question: Question) -> dict[str, Any] | None:
        """`range_issue` as data for form.js: what is measured (number, date, length, count), the bounds, and
        the issue codes below and above them; None when the type has no bounds."""
        return None

    def length_limit(self, question: Question) -> int | None:
        """The most characters a typed answer may hold; None when the answer is not typed text."""
        return None

    def picked(self, value: Any) -> list[str]:
        """The choice codes an answer picks, to check against those offered and against “Other”."""
        return []

    def refill(self, question: Question, answer: Any) -> dict[str, list[str]]:
        """A typed answer back to the posted fields that show it (to refill a page); `read` reads them back."""
        if isinstance(answer, dict) and set(answer) == {"special"}:
            return {question.name: [f"@{answer['special']}"]}
        if answer is None:
            return {}
        return self.fields_of(question, answer)

    def fields_of(self, question: Question, answer: Any) -> dict[str, list[str]]:
        """An ordinary answer's posted fields."""
        return {question.name: [str(answer)]}

    def expression_value(self, question: Question, answer: Any) -> Any:
        """What an expression sees of an ordinary answer (special answers are null before this is asked)."""
        return answer

    def synthetic(self, question: Question, rng: random.Random, codes: list[str]) -> Any:
        """A plausible ordinary answer drawn at random (`codes`: the options offered), for demos and benchmarks."""
        return None

    def synthetic_fields(self, question: Question, value: Any, rng: random.Random) -> dict[str, Any]:
        """The answers a drawn value is posted as (choice codecs add the text of “Other”)."""
        return {question.name: value}

    def points(self, question: Question) -> bool:
        """Whether the stored codes are points of a scale (1 = first label) rather than choice codes."""
        return False

    def browser(self, question: Question) -> dict[str, Any]:
        """What `survey/static/form.js` is told of the type, to read and check the question's fields: the same
        attributes and bounds the server's logic asks the codec for, so the browser needs no branch on types."""
        return {"type": question.type, "answered": self.answered, "computed": self.computed, "offers": self.offers,
                "always_required": self.always_required, "group": self.group, "picks": self.picks,
                "seen_as": self.seen_as, "range": self.browser_range(question)}


def texts_of(text: object, languages: tuple[str, ...]) -> dict[str, str]:
    """A questionnaire text in every language: the default language's text where a translation is missing."""
    if isinstance(text, dict):
        default = str(text.get(languages[0], next(iter(text.values()), "")))
        return {lang: str(text.get(lang, default)) for lang in languages}
    return {lang: str(text or "") for lang in languages}


def specials_of(question: Question, context: Context) -> tuple[str, ...]:
    """The special codes a question's columns may hold: its special answers, and `not_asked` when conditional."""
    return (*question.special_answers, *((NOT_ASKED,) if context.conditional else ()))
