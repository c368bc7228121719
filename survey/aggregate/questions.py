"""The coded table → one summary per question of the current version; never any free text.  PURE.

Counts come from the coded table's columns, so a count on the results page is the count an analyst gets from
the exported file. Special answers are read from each question's status column (`survey.coded.status_name`),
so a number answer of -8 is never taken for “don't know”.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import polars as pl

from survey.aggregate.figures import (
    counts,
    date_figures,
    histogram,
    nps_figures,
    numeric_figures,
    percent,
    row,
    time_figures,
)
from survey.aggregate.model import Figure, Kind, MatrixRow, QuestionSummary, Row, format_number
from survey.codecs import OTHER, SPECIAL_CODES, Variable, codec
from survey.coded import status_name
from survey.messages import translate
from survey.schema.model import Question
from survey.schema.types import NOT_ASKED, SPECIAL_ANSWERS

SPECIAL_KINDS = (*SPECIAL_ANSWERS, NOT_ASKED)


def _text(texts: Mapping[str, str], language: str) -> str:
    return texts.get(language) or next(iter(texts.values()), "")


def _special_rows(question: Question, status: pl.Series, language: str) -> tuple[Row, ...]:
    """Don't know / prefer not to say (when offered or given) and not asked (when it happened), on their own rows."""
    found = counts(status.drop_nulls())
    by_kind = {kind: found.get(str(code), 0) for kind, code in SPECIAL_CODES.items()}
    return tuple(row(kind, translate(f"report_{kind}", language), by_kind[kind], status.len(), language)
                 for kind in SPECIAL_KINDS if by_kind[kind] or kind in question.special_answers)


def _value_rows(variable: Variable, found: dict[str, int], total: int, offered: set[str], language: str,
                ) -> tuple[Row, ...]:
    """A row per value the current version offers, then per code only older answers hold (when given)."""
    rows = [row(v.code, _text(v.labels, language), found.get(v.code, 0), total, language)
            for v in variable.values if v.code in offered or found.get(v.code)]
    known = {v.code for v in variable.values}
    rows += [row(code, code, n, total, language) for code, n in sorted(found.items()) if code not in known]
    return tuple(rows)


class _Question:
    """One question's columns, restricted to the responses that gave an ordinary answer (not a special one)."""

    def __init__(self, question: Question, frame: pl.DataFrame, variables: list[Variable],
                 current: list[Variable], language: str):
        self.question, self.variables, self.language = question, variables, language
        status = status_name(question.name)
        self.specials = _special_rows(question, frame[status], language)
        # Only this question's columns are filtered: copying every column per question made a page slow.
        mine = frame.select(status, *(v.name for v in variables))
        self.ordinary = mine.filter(pl.col(status).is_null()).drop(status)
        self.offered = {v.name: {value.code for value in v.values} for v in current}
        self.offered_options = {v.option for v in current if v.option}

    def summary(self, kind: Kind, answered: int, rows: tuple[Row, ...] = (), figures: tuple[Figure, ...] = (),
                **more: object) -> QuestionSummary:
        q = self.question
        return QuestionSummary(q.name, str(q.label), q.type, kind, answered, self.ordinary.height - answered,
                               rows, figures, self.specials, **more)  # type: ignore[arg-type]

    def given(self, variable: Variable) -> pl.Series:
        return self.ordinary[variable.name].drop_nulls()

    def answered_rows(self) -> pl.DataFrame:
        """The responses that answered: at least one of the question's columns holds a value."""
        return self.ordinary.filter(pl.any_horizontal(pl.all().is_not_null()))


def _choice(s: _Question) -> QuestionSummary:
    var = s.variables[0]
    values = s.given(var)
    return s.summary("choice", values.len(), _value_rows(var, counts(values), values.len(),
                                                            s.offered.get(var.name, set()), s.language))


def _multiple(s: _Question) -> QuestionSummary:
    answered = s.answered_rows()
    total = answered.height
    rows = []
    for var in s.variables:
        if var.role != "binary":
            continue
        count = int(answered[var.name].sum() or 0)
        if var.option in s.offered_options or count:
            rows.append(row(var.option or "", _text(var.part_label, s.language), count, total, s.language))
    return s.summary("multiple", total, tuple(rows))


def _ranking(s: _Question) -> QuestionSummary:
    answered = s.answered_rows()
    rows = []
    for var in s.variables:
        ranks = answered[var.name].drop_nulls()
        if var.option not in s.offered_options and not ranks.len():
            continue
        mean = float(ranks.mean()) if ranks.len() else None  # type: ignore[arg-type]
        pct = percent(ranks.len(), answered.height)
        mean_text = "" if mean is None else format_number(mean, s.language, 2)
        rows.append(Row(var.option or "", _text(var.part_label, s.language), ranks.len(), pct,
                        format_number(pct, s.language), mean, mean_text))
    rows.sort(key=lambda r: (r.mean is None, r.mean or 0.0))
    return s.summary("ranking", answered.height, tuple(rows))


def _matrix(s: _Question) -> QuestionSummary:
    options = [c for c in s.question.options()]
    items = []
    for var in s.variables:
        if var.item not in {item.name for item in s.question.items}:
            continue
        values = s.given(var)
        found = counts(values)
        cells = tuple(row(c.code, str(c.label), found.get(c.code, 0), values.len(), s.language) for c in options)
        items.append(MatrixRow(var.item or "", _text(var.part_label, s.language), values.len(), cells))
    return s.summary("matrix", s.answered_rows().height, items=tuple(items),
                     scale=tuple(str(c.label) for c in options))


def _nps(s: _Question) -> QuestionSummary:
    var = s.variables[0]
    values = s.given(var)
    rows = _value_rows(var, counts(values), values.len(), s.offered.get(var.name, set()), s.language)
    return s.summary("nps", values.len(), rows, nps_figures(values, s.language))


def _numeric(s: _Question) -> QuestionSummary:
    values = s.given(s.variables[0])
    numbers = values.cast(pl.Float64, strict=False)
    if numbers.null_count():  # a calculation giving text: the count only
        return s.summary("text", values.len())
    integer = s.variables[0].storage == "integer" or bool((numbers == numbers.floor()).all())
    return s.summary("numeric", values.len(), histogram(numbers, integer, s.language),
                     numeric_figures(numbers, s.language))


def _date(s: _Question) -> QuestionSummary:
    values = s.given(s.variables[0])
    return s.summary("date", values.len(), (), date_figures(values, s.language))


def _time(s: _Question) -> QuestionSummary:
    values = s.given(s.variables[0])
    return s.summary("time", values.len(), (), time_figures(values, s.language))


def _repeat(s: _Question) -> QuestionSummary:
    sizes = s.given(s.variables[0]).cast(pl.Float64)
    total = float(sizes.sum()) if sizes.len() else 0.0
    figures = (*numeric_figures(sizes, s.language), Figure("instances", total, format_number(total, s.language, 0)))
    return s.summary("repeat", sizes.len(), histogram(sizes, True, s.language), figures)


def _text_count(s: _Question) -> QuestionSummary:
    return s.summary("text", s.given(s.variables[0]).len())


_BY_KIND: dict[str, Callable[[_Question], QuestionSummary]] = {
    "choice": _choice, "multiple": _multiple, "ranking": _ranking, "matrix": _matrix, "nps": _nps,
    "numeric": _numeric, "date": _date, "time": _time, "repeat": _repeat, "text": _text_count,
}


def summarise_question(question: Question, frame: pl.DataFrame, variables: list[Variable],
                       current: list[Variable], language: str) -> QuestionSummary:
    """One question's summary (`question` localised) from the coded main table's columns (`variables`, every
    version's), `current` being the current version's own columns of the question."""
    return _BY_KIND[codec(question).summary](_Question(question, frame, variables, current, language))


__all__ = ["OTHER", "summarise_question"]
