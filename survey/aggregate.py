"""Responses → summary tables for the staff page and the PDF; never any free text.  PURE.

Display text (numbers, percentages, dates) is formatted here once for the summary's language,
so every template that shows a `Summary` shows the same figures.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from survey.dataset import ResponseRecord
from survey.messages import translate
from survey.schema.model import Question, Questionnaire
from survey.schema.types import Shape

Kind = Literal["choice", "multiple", "numeric", "date", "text"]
MAX_BINS = 8


@dataclass(frozen=True)
class Row:
    """One bar: an option (or a histogram bin), how many chose it and their share of respondents."""

    code: str
    label: str
    count: int
    percent: float
    percent_text: str


@dataclass(frozen=True)
class Figure:
    """One named figure, e.g. the median; `key` is its message key, `text` the value as shown."""

    key: str
    value: float | str
    text: str


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


def _percent(count: int, total: int) -> float:
    return 100.0 * count / total if total else 0.0


def _row(code: str, label: str, count: int, total: int, language: str) -> Row:
    pct = _percent(count, total)
    return Row(code, label, count, pct, format_number(pct, language))


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _choice_rows(question: Question, counts: Counter[str], total: int, language: str) -> tuple[Row, ...]:
    """Rows for the declared options, then any code no longer offered (answered under an older version)."""
    if question.type == "yes_no":
        options = [("1", translate("yes", language)), ("0", translate("no", language))]
    else:
        options = [(c.code, c.label) for c in question.options()]
    known = {code for code, _ in options}
    options += [(code, code) for code in sorted(counts) if code not in known]
    return tuple(_row(code, label, counts[code], total, language) for code, label in options)


def _code(question: Question, value: Any) -> str:
    if question.type == "yes_no":
        return "1" if value else "0"
    return str(value)


def histogram(values: list[float], integer: bool, language: str = "fr") -> tuple[Row, ...]:
    """At most `MAX_BINS` equal bins from min to max; one bin per value when integers are few."""
    if not values:
        return ()
    low, high = min(values), max(values)
    total = len(values)
    if integer and high - low < MAX_BINS:
        counts = Counter(int(v) for v in values)
        return tuple(
            _row(str(v), format_number(v, language, 0), counts[v], total, language)
            for v in range(int(low), int(high) + 1)
        )
    if integer:
        width: float = math.ceil((high - low + 1) / MAX_BINS)
        bins = math.ceil((high - low + 1) / width)
    elif high == low:
        return (_row("0", format_number(low, language, 2), total, total, language),)
    else:
        bins, width = MAX_BINS, (high - low) / MAX_BINS
    counts = Counter(min(int((v - low) // width), bins - 1) for v in values)
    rows = []
    for i in range(bins):
        start = low + i * width
        end = start + width - 1 if integer else start + width
        digits = 0 if integer else 2
        label = f"{format_number(start, language, digits)} – {format_number(end, language, digits)}"
        rows.append(_row(str(i), label, counts[i], total, language))
    return tuple(rows)


def _numeric_figures(values: list[float], language: str) -> tuple[Figure, ...]:
    if not values:
        return (Figure("answered", 0, "0"),)
    pairs = [
        ("answered", len(values)),
        ("minimum", min(values)),
        ("median", statistics.median(values)),
        ("mean", statistics.fmean(values)),
        ("maximum", max(values)),
    ]
    return tuple(Figure(key, value, format_number(value, language, 2)) for key, value in pairs)


def _date_figures(days: list[dt.date], language: str) -> tuple[Figure, ...]:
    figures = [Figure("answered", len(days), format_number(len(days), language, 0))]
    if days:
        first, last = min(days), max(days)
        figures += [
            Figure("first_date", first.isoformat(), format_date(first, language)),
            Figure("last_date", last.isoformat(), format_date(last, language)),
        ]
    return tuple(figures)


def summarise_question(question: Question, answers: list[Any], language: str = "fr") -> QuestionSummary:
    """One question's summary from its answers (one per response, `None` when unanswered)."""
    given = [a for a in answers if not _empty(a)]
    answered, no_answer = len(given), len(answers) - len(given)
    base = (question.name, question.label, question.type)
    shape = question.kind.shape
    if shape is Shape.CODES:
        counts = Counter(code for a in given for code in dict.fromkeys(a))
        rows = _choice_rows(question, counts, answered, language)
        return QuestionSummary(*base, "multiple", answered, no_answer, rows)
    if shape in (Shape.CODE, Shape.BOOLEAN) or question.type == "likert":
        counts = Counter(_code(question, a) for a in given)
        rows = _choice_rows(question, counts, answered, language)
        return QuestionSummary(*base, "choice", answered, no_answer, rows)
    if question.kind.numeric:
        values = [float(a) for a in given]
        rows = histogram(values, shape is Shape.INTEGER, language)
        return QuestionSummary(*base, "numeric", answered, no_answer, rows, _numeric_figures(values, language))
    if shape is Shape.DATE:
        days = [dt.date.fromisoformat(str(a)[:10]) for a in given]
        return QuestionSummary(*base, "date", answered, no_answer, (), _date_figures(days, language))
    return QuestionSummary(*base, "text", answered, no_answer)


def summarise(questionnaire: Questionnaire, records: Iterable[ResponseRecord], language: str = "fr") -> Summary:
    """Count, collection period and one summary per question, page by page."""
    records = list(records)
    days = [r.submitted_at.date() for r in records]
    pages = tuple(
        PageSummary(
            page.title,
            tuple(summarise_question(q, [r.answers.get(q.name) for r in records], language) for q in page.questions),
        )
        for page in questionnaire.pages
    )
    return Summary(language, len(records), min(days, default=None), max(days, default=None), pages)
