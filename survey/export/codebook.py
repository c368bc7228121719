"""The codebook: what each column of the anonymised CSV files holds, one row per code."""

from __future__ import annotations

import io
from collections.abc import Iterator, Mapping
from typing import TextIO

from survey.anonymise import EXPORT_ID, INSTANCE, SPECIAL_CODES, SUBMITTED_DATE, VERSION, Column, neutralise
from survey.export.csv_writer import write_rows
from survey.messages import translate

# Fixed machine-readable names, like the dataset's own header; the text in them follows `language`.
# `table` is empty for the main file and the repeat group's name for its own file (`FILE.<name>.csv`).
HEADER = ("table", "column", "question", "question_text", "type", "option", "code", "label")

_ADDED = {
    EXPORT_ID: "codebook_export_id",
    VERSION: "codebook_version",
    SUBMITTED_DATE: "codebook_submitted_date",
}
_ADDED_IN_REPEATS = {EXPORT_ID: "codebook_parent_id", INSTANCE: "codebook_instance"}


def _column_rows(table: str, col: Column, language: str, added: Mapping[str, str]) -> Iterator[tuple[str, ...]]:
    text = translate(added[col.name], language) if col.question is None and col.name in added else col.label
    base = (table, col.name, col.question or "", text, col.type, col.option_label or "")
    if col.binary:
        codes: tuple[tuple[str, str], ...] = (("1", translate("yes", language)), ("0", translate("no", language)))
    elif col.rank:
        codes = (("", translate("codebook_rank", language)),)
    elif col.other_text:
        codes = (("", translate("codebook_other_text", language)),)
    else:
        codes = col.codes
    if not codes:
        yield (*base, "", "")
    for code, label in codes:
        yield (*base, code, label)
    for kind, code in SPECIAL_CODES.items():
        if kind in col.specials:
            yield (*base, str(code), translate(f"report_{kind}", language))


def codebook_rows(columns: tuple[Column, ...], language: str = "fr",
                  repeats: Mapping[str, tuple[Column, ...]] | None = None) -> Iterator[tuple[str, ...]]:
    """One row per code of a coded column (special codes included), one row for any other column."""
    yield HEADER
    for col in columns:
        yield from _column_rows("", col, language, _ADDED)
    for name, cols in (repeats or {}).items():
        for col in cols:
            yield from _column_rows(name, col, language, _ADDED_IN_REPEATS)


def write_codebook(columns: tuple[Column, ...], stream: TextIO, language: str = "fr",
                   repeats: Mapping[str, tuple[Column, ...]] | None = None) -> None:
    """Write the codebook as CSV (same encoding and neutralisation as the dataset)."""
    rows = codebook_rows(columns, language, repeats)
    write_rows(stream, ([neutralise(cell) for cell in row] for row in rows))


def codebook_csv(columns: tuple[Column, ...], language: str = "fr",
                 repeats: Mapping[str, tuple[Column, ...]] | None = None) -> bytes:
    """The codebook as the bytes of a CSV file."""
    buffer = io.StringIO(newline="")
    write_codebook(columns, buffer, language, repeats)
    return buffer.getvalue().encode("utf-8")
