"""Responses → an anonymised table: export disclosure control before any file is written.  PURE.

The table is the one thing every dataset writer and the codebook read. Each disclosure-control
step is a function on it: `anonymise` drops identifiers, pseudonymises rows, coarsens dates to the
day, drops free text and shuffles rows; later steps (k-anonymity checks, generalisation,
suppression) take an `AnonymisedTable` and return a new one.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from survey.dataset import ResponseRecord
from survey.schema.model import Question, Questionnaire
from survey.schema.types import Shape

Cell = str | int | float | None

EXPORT_ID = "export_id"
VERSION = "version"
SUBMITTED_DATE = "submitted_date"

# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A number we wrote ourselves cannot carry a formula; prefixing it would turn -2.5 into text.
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


@dataclass(frozen=True)
class Column:
    """One export column: where it comes from and how its values are coded."""

    name: str
    question: str | None  # None for the columns the export adds: export_id, version, submitted_date
    label: str  # the question text, empty for added columns
    type: str  # a question type name, or "export_id" / "version" / "submitted_date"
    codes: tuple[tuple[str, str], ...] = ()  # (code, label) for coded columns, in questionnaire order
    option: str | None = None  # for a split multiple-choice column: the option code it stands for
    option_label: str | None = None

    @property
    def binary(self) -> bool:
        """Coded 1/0: a yes_no question or one option of a multiple choice."""
        return self.type == "yes_no" or self.option is not None


@dataclass(frozen=True)
class AnonymisedTable:
    """Rows of cells under described columns; no row can be traced back to a stored response."""

    columns: tuple[Column, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def neutralise(cell: str) -> str:
    """Prefix `'` to a cell a spreadsheet would run as a formula; plain numbers are left as they are."""
    if cell.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def cell_text(value: Cell) -> str:
    """A cell as written to a file: empty for no answer, numbers in plain `.` notation."""
    if value is None:
        return ""
    return str(value)


def exported(question: Question, include_free_text: bool = False) -> bool:
    """Whether a question has columns in the export: free text only when asked for."""
    return include_free_text or not question.kind.free_text


def columns(questionnaire: Questionnaire, include_free_text: bool = False) -> tuple[Column, ...]:
    """The export columns, in questionnaire order after the three columns the export adds."""
    cols = [
        Column(EXPORT_ID, None, "", EXPORT_ID),
        Column(VERSION, None, "", VERSION),
        Column(SUBMITTED_DATE, None, "", SUBMITTED_DATE),
    ]
    for q in questionnaire.questions():
        if not exported(q, include_free_text):
            continue
        codes = tuple((c.code, c.label) for c in q.options())
        if q.kind.shape is Shape.CODES:
            cols.extend(
                Column(f"{q.name}__{c.code}", q.name, q.label, q.type, (), c.code, c.label) for c in q.options()
            )
        else:
            cols.append(Column(q.name, q.name, q.label, q.type, codes))
    return tuple(cols)


def _day(value: Any) -> str | None:
    """An ISO date, whatever finer time it came with."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        return None


def _value(column: Column, answer: Any) -> Cell:
    """One answer as the cell of one column."""
    if column.option is not None:
        if answer is None or answer == []:
            return None
        return 1 if column.option in answer else 0
    if answer is None or answer == "":
        return None
    if column.type == "yes_no":
        return 1 if answer else 0
    if column.type in ("likert", "integer"):
        return int(answer)
    if column.type == "decimal":
        return float(answer)
    if column.type == "date":
        return _day(answer)
    return str(answer)


def _fresh_ids(count: int) -> list[str]:
    """Random ids, unique within one export and unrelated to anything stored."""
    ids: set[str] = set()
    while len(ids) < count:
        ids.add(secrets.token_hex(8))
    return list(ids)


def anonymise(
    questionnaire: Questionnaire,
    records: Iterable[ResponseRecord],
    include_free_text: bool = False,
    rng: random.Random | None = None,
) -> AnonymisedTable:
    """One row per response, one column per exported question; ids fresh, dates to the day, rows shuffled."""
    cols = columns(questionnaire, include_free_text)
    body = []
    for record in records:
        answers = record.answers
        cells = [_value(c, answers.get(c.question)) for c in cols[3:]]  # type: ignore[arg-type]
        body.append((record.version, record.submitted_at.date().isoformat(), *cells))
    (rng or secrets.SystemRandom()).shuffle(body)
    rows = [(export_id, *row) for export_id, row in zip(_fresh_ids(len(body)), body, strict=True)]
    return AnonymisedTable(cols, rows)


def text_rows(table: AnonymisedTable) -> Iterable[list[str]]:
    """The header then every row, as neutralised text ready for a writer."""
    yield [neutralise(name) for name in table.header]
    for row in table.rows:
        yield [neutralise(cell_text(value)) for value in row]
