"""What a summary holds and how its figures are written for people.  PURE.

Display text (numbers, percentages, dates) is formatted here once for the summary's language, so every template
that shows a `Summary` shows the same figures.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

Kind = Literal["choice", "multiple", "ranking", "matrix", "nps", "numeric", "date", "time", "repeat", "text"]


@dataclass(frozen=True)
class Row:
    """One bar: an option (or a histogram bin), how many chose it and their share of respondents."""

    code: str
    label: str
    count: int
    percent: float
    percent_text: str
    mean: float | None = None  # for a ranking: the option's mean rank among those who ranked it
    mean_text: str = ""
    status: str = "shown"  # shown, small (« < 11 ») or masked (« × »): see survey.disclosure.cells
    count_text: str = ""  # the count as published; empty before protection

    @property
    def shown_count(self) -> str:
        """The count as a page shows it: the number, « < 11 » or « × »."""
        return self.count_text or str(self.count)


@dataclass(frozen=True)
class Figure:
    """One named figure, e.g. the median; `key` is its message key, `text` the value as shown."""

    key: str
    value: float | str
    text: str


@dataclass(frozen=True)
class MatrixRow:
    """One item of a matrix: its answers spread over the scale (percent of the item's respondents)."""

    name: str
    label: str
    answered: int
    cells: tuple[Row, ...]
    answered_text: str = ""

    @property
    def shown_answered(self) -> str:
        """The item's count as published."""
        return self.answered_text or str(self.answered)


@dataclass(frozen=True)
class QuestionSummary:
    """What one question's answers amount to."""

    name: str
    label: str
    type: str
    kind: Kind
    answered: int
    no_answer: int
    rows: tuple[Row, ...] = ()  # options, or histogram bins for numbers
    figures: tuple[Figure, ...] = ()  # count/min/median/mean/max for numbers, count/min/max for dates
    specials: tuple[Row, ...] = ()  # don't know, prefer not to say, not asked: count and percent of all responses
    items: tuple[MatrixRow, ...] = ()  # a matrix's items
    scale: tuple[str, ...] = ()  # a matrix's answer labels, its table's columns
    answered_text: str = ""  # `answered` and `no_answer` as published (« < 11 », « × »); empty before protection
    no_answer_text: str = ""

    @property
    def total(self) -> int:
        """Every response counted once: answered, left empty, or a special answer (before protection)."""
        return self.answered + self.no_answer + sum(row.count for row in self.specials)

    @property
    def shown_answered(self) -> str:
        return self.answered_text or str(self.answered)

    @property
    def shown_no_answer(self) -> str:
        return self.no_answer_text or str(self.no_answer)

    @property
    def hides_counts(self) -> bool:
        """Whether any count of it is hidden (the page then explains the signs)."""
        rows = (*self.rows, *self.specials, *(cell for item in self.items for cell in item.cells))
        texts = (self.answered_text, self.no_answer_text, *(item.answered_text for item in self.items))
        return any(r.status != "shown" for r in rows) or any(t and not t.isdigit() for t in texts)


@dataclass(frozen=True)
class PageSummary:
    """The summaries of one questionnaire page."""

    title: str
    questions: tuple[QuestionSummary, ...]


@dataclass(frozen=True)
class Summary:
    """Everything a report shows: how many responses, when, and each question's figures."""

    language: str
    response_count: int
    first_date: dt.date | None
    last_date: dt.date | None
    pages: tuple[PageSummary, ...]
    small_cells: int = 1  # counts below it are hidden (1: nothing hidden)

    @property
    def period_text(self) -> str:
        if self.first_date is None or self.last_date is None:
            return ""
        first, last = format_date(self.first_date, self.language), format_date(self.last_date, self.language)
        return first if first == last else f"{first} – {last}"

    def questions(self) -> Iterator[QuestionSummary]:
        for page in self.pages:
            yield from page.questions


def format_number(value: float, language: str = "fr", digits: int = 1) -> str:
    """A number as people read it: `1 234,5` in French, `1,234.5` in English; no needless `,0`."""
    text = f"{value:,.{digits}f}" if digits else f"{round(value):,}"
    if digits and "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    if language == "fr":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def format_date(day: dt.date, language: str = "fr") -> str:
    """A date as people write it: 31/05/2025 in French, 2025-05-31 otherwise."""
    return day.strftime("%d/%m/%Y") if language == "fr" else day.isoformat()
