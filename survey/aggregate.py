"""Responses → summary tables for the staff page and the PDF; never any free text.  PURE.

Display text (numbers, percentages, dates) is formatted here once for the summary's language,
so every template that shows a `Summary` shows the same figures.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from survey.dataset import ResponseRecord
from survey.logic import OTHER, special_kind
from survey.messages import translate
from survey.schema.localise import localise
from survey.schema.model import Question, Questionnaire
from survey.schema.types import NOT_ASKED, SPECIAL_ANSWERS, Shape

Kind = Literal["choice", "multiple", "ranking", "matrix", "nps", "numeric", "date", "time", "repeat", "text"]
MAX_BINS = 8
SPECIAL_KINDS = (*SPECIAL_ANSWERS, NOT_ASKED)


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

    @property
    def total(self) -> int:
        """Every response counted once: answered, left empty, or a special answer."""
        return self.answered + self.no_answer + sum(row.count for row in self.specials)


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


def _choice_rows(question: Question, counts: Counter[str], total: int, language: str,
                 old_labels: dict[str, str] | None = None) -> tuple[Row, ...]:
    """Rows for the declared options, then any code no longer offered (answered under an older version)."""
    if question.kind.shape is Shape.BOOLEAN:
        options = [("1", translate("yes", language)), ("0", translate("no", language))]
    else:
        options = [(c.code, str(c.label)) for c in question.options()]
    if question.other:
        options.append((OTHER, translate("other_option", language)))
    known = {code for code, _ in options}
    labels = old_labels or {}
    options += [(code, labels.get(code, code)) for code in sorted(counts) if code not in known]
    return tuple(_row(code, label, counts[code], total, language) for code, label in options)


def _code(question: Question, value: Any) -> str:
    if question.kind.shape is Shape.BOOLEAN:
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


def _special_rows(question: Question, answers: list[Any], language: str) -> tuple[Row, ...]:
    """Don't know / prefer not to say (when offered or given) and not asked (when it happened), on their own rows."""
    counts = Counter(special_kind(a) for a in answers)
    return tuple(_row(kind, translate(f"report_{kind}", language), counts[kind], len(answers), language)
                 for kind in SPECIAL_KINDS if counts[kind] or kind in question.special_answers)


def _ranking_rows(question: Question, given: list[Any], language: str) -> tuple[Row, ...]:
    """Each option: how many ranked it, their share, and its mean rank; best ranked first."""
    rows = []
    for choice in question.options():
        ranks = [a.index(choice.code) + 1 for a in given if choice.code in a]
        mean = statistics.fmean(ranks) if ranks else None
        pct = _percent(len(ranks), len(given))
        rows.append(Row(choice.code, str(choice.label), len(ranks), pct, format_number(pct, language), mean,
                        "" if mean is None else format_number(mean, language, 2)))
    return tuple(sorted(rows, key=lambda r: (r.mean is None, r.mean or 0.0)))


def _matrix_items(question: Question, given: list[Any], language: str) -> tuple[MatrixRow, ...]:
    items = []
    for item in question.items:
        values = [str(a[item.name]) for a in given
                  if isinstance(a, dict) and not _empty(a.get(item.name)) and special_kind(a.get(item.name)) is None]
        counts = Counter(values)
        cells = tuple(_row(c.code, str(c.label), counts[c.code], len(values), language) for c in question.options())
        items.append(MatrixRow(item.name, str(item.label), len(values), cells))
    return tuple(items)


def _nps_figures(scores: list[int], language: str) -> tuple[Figure, ...]:
    """The Net Promoter Score: % promoters (9–10) − % detractors (0–6), and each share."""
    n = len(scores)
    promoters = _percent(sum(s >= 9 for s in scores), n)
    detractors = _percent(sum(s <= 6 for s in scores), n)
    passives = _percent(sum(7 <= s <= 8 for s in scores), n)
    pairs = [("nps_score", promoters - detractors), ("promoters", promoters), ("passives", passives),
             ("detractors", detractors)]
    return (Figure("answered", n, format_number(n, language, 0)),
            *(Figure(key, value, format_number(value, language)) for key, value in pairs)) if n else (
        Figure("answered", 0, "0"),)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def summarise_question(question: Question, answers: list[Any], language: str = "fr",
                       old_labels: dict[str, str] | None = None) -> QuestionSummary:
    """One question's summary from its answers (one per response, `None` when unanswered)."""
    specials = _special_rows(question, answers, language)
    ordinary = [a for a in answers if special_kind(a) is None]
    given = [a for a in ordinary if not _empty(a)]
    shape = question.kind.shape
    if shape is Shape.REPEAT:  # an empty list is an answer: no instance
        given = [a for a in ordinary if isinstance(a, list)]
    answered, no_answer = len(given), len(ordinary) - len(given)
    base = (question.name, str(question.label), question.type)

    def summary(kind: Kind, rows: tuple[Row, ...] = (), figures: tuple[Figure, ...] = (),
                **more: Any) -> QuestionSummary:
        return QuestionSummary(*base, kind, answered, no_answer, rows, figures, specials, **more)

    if question.type == "ranking":
        return summary("ranking", _ranking_rows(question, given, language))
    if shape is Shape.CODES:
        counts = Counter(code for a in given for code in dict.fromkeys(a))
        return summary("multiple", _choice_rows(question, counts, answered, language, old_labels))
    if shape is Shape.MATRIX:
        scale = tuple(str(c.label) for c in question.options())
        return summary("matrix", items=_matrix_items(question, given, language), scale=scale)
    if question.type == "nps":
        counts = Counter(_code(question, a) for a in given)
        rows = _choice_rows(question, counts, answered, language)
        return summary("nps", rows, _nps_figures([int(a) for a in given], language))
    if shape in (Shape.CODE, Shape.BOOLEAN) or question.type == "likert":
        counts = Counter(_code(question, a) for a in given)
        return summary("choice", _choice_rows(question, counts, answered, language, old_labels))
    if shape is Shape.REPEAT:
        sizes = [float(len(a)) for a in given]
        figures = (*_numeric_figures(sizes, language),
                   Figure("instances", sum(sizes), format_number(sum(sizes), language, 0)))
        return summary("repeat", histogram(sizes, True, language), figures)
    numeric = question.kind.numeric or (shape is Shape.COMPUTED and given and all(_number(a) for a in given))
    if numeric:
        values = [float(a) for a in given]
        integer = shape is Shape.INTEGER or all(float(v).is_integer() for v in values)
        return summary("numeric", histogram(values, integer, language), _numeric_figures(values, language))
    if shape is Shape.DATE:
        days = [dt.date.fromisoformat(str(a)[:10]) for a in given]
        return summary("date", (), _date_figures(days, language))
    if shape is Shape.TIME:
        times = sorted(str(a) for a in given)
        figures = [Figure("answered", len(times), format_number(len(times), language, 0))]
        if times:
            figures += [Figure("first_time", times[0], times[0]), Figure("last_time", times[-1], times[-1])]
        return summary("time", (), tuple(figures))
    return summary("text")  # free text, e-mail, phone, a calculated text: the count only, never the text


def _answers(question: Question, records: list[ResponseRecord], asked: dict[str, frozenset[str]]) -> list[Any]:
    """One answer per response; `not_asked` when the version the person answered had no such question."""
    not_asked = {"special": NOT_ASKED}
    return [r.answers.get(question.name) if r.version not in asked or question.name in asked[r.version]
            else not_asked for r in records]


def _old_labels(versions: Mapping[str, Questionnaire], language: str) -> dict[str, dict[str, str]]:
    """Per question, the labels of codes as older versions gave them (for codes no longer offered)."""
    found: dict[str, dict[str, str]] = {}
    for version in versions.values():
        for q in localise(version, language).all_questions():
            for choice in q.options():
                found.setdefault(q.name, {}).setdefault(choice.code, str(choice.label))
    return found


def summarise(questionnaire: Questionnaire, records: Iterable[ResponseRecord], language: str = "fr",
              versions: Mapping[str, Questionnaire] | None = None) -> Summary:
    """Count, collection period and one summary per question of the current version, page by page.

    With `versions` (label → questionnaire), a response to a version without the question counts as not asked.
    """
    records = list(records)
    days = [r.submitted_at.date() for r in records]
    local = localise(questionnaire, language)
    asked = {label: frozenset(q.name for q in v.all_questions()) for label, v in (versions or {}).items()}
    old = _old_labels(versions or {}, language)
    pages = tuple(
        PageSummary(
            str(page.title),
            tuple(summarise_question(q, _answers(q, records, asked), language, old.get(q.name))
                  for q in page.questions if q.type != "note"),
        )
        for page in local.pages
    )
    return Summary(language, len(records), min(days, default=None), max(days, default=None), pages)
