"""The coded table → an anonymised table: export disclosure control before any file is written.  PURE.

`anonymise_table` takes the coded table (`survey.coded`) and drops what could trace a row back: the stored
response id (replaced by an `export_id` drawn afresh for every export), the time of day (the submission is kept
to the day), free text unless asked for, and the row order (rows are shuffled). Later disclosure-control steps
(k-anonymity checks, generalisation, suppression) take an `AnonymisedTable` and return a new one.

Special answers have codes of their own, the same in every column (`SPECIAL_CODES`), so they never read as a
missing answer. `labels="fr"` writes choice, scale and yes/no labels in that language instead of codes.
"""

from __future__ import annotations

import random
import re
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import polars as pl

from survey.codecs import SPECIAL_CODES, Variable
from survey.coded import INSTANCE, RESPONSE_ID, SUBMITTED_AT, CodedTable, Layout, build_layout, from_records
from survey.coded import VERSION as CODED_VERSION
from survey.coded.layout import identifying_names
from survey.dataset import ResponseRecord
from survey.messages import translate
from survey.schema.model import Questionnaire

Column = Variable  # an export column is a variable of the coded table, or one the export adds
EXPORT_ID = "export_id"
VERSION = "version"
SUBMITTED_DATE = "submitted_date"

# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A number we wrote ourselves cannot carry a formula; prefixing it would turn -2.5 into text.
PLAIN_NUMBER = r"-?\d+(\.\d+)?([eE][-+]?\d+)?"
_PLAIN_NUMBER = re.compile(PLAIN_NUMBER)

__all__ = ["EXPORT_ID", "FORMULA_TRIGGERS", "INSTANCE", "SPECIAL_CODES", "SUBMITTED_DATE", "VERSION",
           "AnonymisedTable", "Column", "added_column", "anonymise", "anonymise_table", "columns", "identifying_names",
           "layout", "neutralise"]


def added_column(name: str) -> Variable:
    """A column the export adds (export_id, version, submitted_date, instance): no question behind it."""
    return Variable(name, question="", type=name, storage="integer" if name == INSTANCE else "text", label={})


MAIN_ADDED = (added_column(EXPORT_ID), added_column(VERSION), added_column(SUBMITTED_DATE))
REPEAT_ADDED = (added_column(EXPORT_ID), added_column(INSTANCE))


@dataclass(frozen=True)
class AnonymisedTable:
    """Rows under described columns; no row can be traced back to a stored response.

    `repeats` holds one table per repeat group: a row per item, linked to the main table by `export_id` only.
    """

    columns: tuple[Variable, ...]
    frame: pl.DataFrame
    repeats: dict[str, AnonymisedTable] = field(default_factory=dict)
    language: str | None = None  # labels written in this language, or None for codes

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def rows(self) -> list[tuple]:
        return self.frame.rows()


@dataclass(frozen=True)
class ExportLayout:
    """The columns of an export: the main table's, and each repeat group's table's."""

    columns: tuple[Variable, ...]
    repeats: dict[str, tuple[Variable, ...]] = field(default_factory=dict)


def neutralise(cell: str) -> str:
    """Prefix `'` to a cell a spreadsheet would run as a formula; plain numbers are left as they are."""
    if cell.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def exported(variable: Variable, include_free_text: bool) -> bool:
    """Whether a column goes into an anonymised export: free text (and what copies it) only when asked for."""
    return include_free_text or not variable.identifying


def export_layout(layout: Layout, include_free_text: bool = False) -> ExportLayout:
    """The exported columns of a coded table's layout."""
    main = tuple(v for v in layout.variables if exported(v, include_free_text))
    repeats = {name: (*REPEAT_ADDED, *(v for v in variables if exported(v, include_free_text)))
               for name, variables in layout.repeats.items()}
    return ExportLayout((*MAIN_ADDED, *main), repeats)


def layout(questionnaire: Questionnaire, include_free_text: bool = False, *,
           versions: Mapping[str, Questionnaire] | None = None) -> ExportLayout:
    """The export's columns: the three it adds, the current version's, then those only older versions had."""
    return export_layout(build_layout(questionnaire, versions), include_free_text)


def columns(questionnaire: Questionnaire, include_free_text: bool = False, *,
            versions: Mapping[str, Questionnaire] | None = None) -> tuple[Variable, ...]:
    """The main table's columns (see `layout`); their texts are in every language, the codebook picks one."""
    return layout(questionnaire, include_free_text, versions=versions).columns


def _fresh_ids(count: int) -> list[str]:
    """Random ids, unique within one export and unrelated to anything stored."""
    ids: set[str] = set()
    while len(ids) < count:
        ids.add(secrets.token_hex(8))
    return list(ids)


def _labelled(variable: Variable, language: str) -> pl.Expr:
    """A coded column with its codes written as labels in `language`, special codes as their meaning.

    Only columns with value labels change: numbers, ranks, dates and texts keep their type (and their special
    codes, which the codebook explains), so a number column stays a number column in every format.
    """
    col = pl.col(variable.name)
    if not variable.values:
        return col
    mapping = {str(code): translate(f"report_{kind}", language) for kind, code in SPECIAL_CODES.items()}
    mapping |= {value.code: value.labels.get(language, value.code) for value in variable.values}
    return col.cast(pl.String).replace(mapping)


def _coded_columns(variables: Iterable[Variable], labels: str | None) -> list[pl.Expr]:
    """The columns as exported: codes, or labels in the language `labels`."""
    return [_labelled(v, labels) if labels else pl.col(v.name) for v in variables]


def anonymise_table(table: CodedTable, include_free_text: bool = False, rng: random.Random | None = None,
                    labels: str | None = None) -> AnonymisedTable:
    """One row per response, one column per exported variable; ids fresh, dates to the day, rows shuffled."""
    shape = export_layout(table.layout, include_free_text)
    data = [v for v in shape.columns if v.question]
    seed = (rng or secrets.SystemRandom()).getrandbits(63)
    # Only the exported columns are shuffled (a copy): not the free text left out, nor the status columns.
    source = table.main.select(RESPONSE_ID, CODED_VERSION, SUBMITTED_AT, *(v.name for v in data))
    shuffled = source.sample(fraction=1.0, shuffle=True, seed=seed) if table.height else source
    ids = pl.Series(EXPORT_ID, _fresh_ids(shuffled.height), dtype=pl.String)
    main = shuffled.select(
        pl.lit(ids).alias(EXPORT_ID) if shuffled.height else pl.lit(None, pl.String).alias(EXPORT_ID),
        pl.col(CODED_VERSION).alias(VERSION),
        pl.col(SUBMITTED_AT).dt.date().cast(pl.String).alias(SUBMITTED_DATE),
        *_coded_columns(data, labels),
        pl.col(RESPONSE_ID),
    )
    link = main.select(RESPONSE_ID, EXPORT_ID)
    repeats = {}
    for name, cols in shape.repeats.items():
        inner = [v for v in cols if v.question]
        part = (link.join(table.repeats[name], on=RESPONSE_ID, how="inner", maintain_order="left")
                .select(EXPORT_ID, INSTANCE, *_coded_columns(inner, labels)))
        repeats[name] = AnonymisedTable(cols, part, {}, labels)
    return AnonymisedTable(shape.columns, main.drop(RESPONSE_ID), repeats, labels)


def anonymise(questionnaire: Questionnaire, records: Iterable[ResponseRecord], include_free_text: bool = False,
              rng: random.Random | None = None, *, versions: Mapping[str, Questionnaire] | None = None,
              labels: str | None = None) -> AnonymisedTable:
    """Response records → the anonymised table (the coded table built on the spot; see `anonymise_table`)."""
    return anonymise_table(from_records(questionnaire, records, versions), include_free_text, rng, labels)
