"""The codebook: what each column of the anonymised CSV holds, one row per code."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import TextIO

from survey.anonymise import EXPORT_ID, SUBMITTED_DATE, VERSION, Column, neutralise
from survey.export.csv_writer import write_rows
from survey.messages import translate

# Fixed machine-readable names, like the dataset's own header; the text in them follows `language`.
HEADER = ("column", "question", "question_text", "type", "option", "code", "label")

_ADDED = {
    EXPORT_ID: "codebook_export_id",
    VERSION: "codebook_version",
    SUBMITTED_DATE: "codebook_submitted_date",
}


def codebook_rows(columns: tuple[Column, ...], language: str = "fr") -> Iterator[tuple[str, ...]]:
    """One row per code of a coded column, one row for any other column (not yet neutralised)."""
    yield HEADER
    for col in columns:
        text = translate(_ADDED[col.name], language) if col.name in _ADDED else col.label
        base = (col.name, col.question or "", text, col.type, col.option_label or "")
        if col.binary:
            codes: tuple[tuple[str, str], ...] = (
                ("1", translate("yes", language)),
                ("0", translate("no", language)),
            )
        else:
            codes = col.codes
        if not codes:
            yield (*base, "", "")
        for code, label in codes:
            yield (*base, code, label)


def write_codebook(columns: tuple[Column, ...], stream: TextIO, language: str = "fr") -> None:
    """Write the codebook as CSV (same encoding and neutralisation as the dataset)."""
    write_rows(stream, ([neutralise(cell) for cell in row] for row in codebook_rows(columns, language)))


def codebook_csv(columns: tuple[Column, ...], language: str = "fr") -> bytes:
    """The codebook as the bytes of a CSV file."""
    buffer = io.StringIO(newline="")
    write_codebook(columns, buffer, language)
    return buffer.getvalue().encode("utf-8")
