"""The codebook: what each column of the exported files holds, one row per code."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Mapping

from survey.anonymise import CHANNEL, EXPORT_ID, INSTANCE, SPECIAL_CODES, SUBMITTED_DATE, VERSION, Column
from survey.coded import RESPONSE_ID, SUBMITTED_AT
from survey.export.csv_writer import write_rows
from survey.messages import translate

# Fixed machine-readable names, like the dataset's own header; the text in them follows `language`.
# `table` is empty for the main file and the repeat group's name for its own file.
HEADER = ("table", "column", "question", "question_text", "type", "option", "code", "label")

_ADDED = {
    EXPORT_ID: "codebook_export_id",
    VERSION: "codebook_version",
    SUBMITTED_DATE: "codebook_submitted_date",
    CHANNEL: "codebook_channel",
    RESPONSE_ID: "codebook_response_id",  # a raw export's
    SUBMITTED_AT: "codebook_submitted_at",
}
_ADDED_IN_REPEATS = {EXPORT_ID: "codebook_parent_id", INSTANCE: "codebook_instance",
                     RESPONSE_ID: "codebook_parent_response_id"}
# (table, column) → the column's name in the file and the number written for each code (SPSS, Stata).
InFile = Callable[[str, Column], tuple[str, Mapping[str, int] | None]]


def column_codes(col: Column, language: str) -> tuple[tuple[str, str], ...]:
    """(code, label) of every value a column may hold, special codes last; ("", what it holds) otherwise."""
    if col.role == "rank":
        codes: tuple[tuple[str, str], ...] = (("", translate("codebook_rank", language)),)
    elif col.role == "other_text":
        codes = (("", translate("codebook_other_text", language)),)
    else:
        codes = tuple((value.code, value.labels.get(language, value.code)) for value in col.values)
    specials = tuple((str(code), translate(f"report_{kind}", language))
                     for kind, code in SPECIAL_CODES.items() if kind in col.specials)
    return codes + specials


def _column_rows(table: str, col: Column, language: str, added: Mapping[str, str]) -> Iterator[tuple[str, ...]]:
    text = translate(added[col.name], language) if not col.question and col.name in added else (
        col.label.get(language, ""))
    part = col.part_label.get(language, "")
    base = (table, col.name, col.question, text, col.type, part)
    codes = column_codes(col, language)
    if not codes or codes[0][0] == "-7" and not col.values:
        yield (*base, "", "")
    for code, label in codes:
        yield (*base, code, label)


def codebook_rows(columns: tuple[Column, ...], language: str = "fr",
                  repeats: Mapping[str, tuple[Column, ...]] | None = None,
                  in_file: InFile | None = None) -> Iterator[tuple[str, ...]]:
    """One row per code of a coded column (special codes included), one row for any other column.

    `in_file` (SPSS, Stata) adds two columns: the column's name in the file and the number written for each code.
    """
    yield HEADER + (("name_in_file", "value_in_file") if in_file else ())
    tables = [("", col, _ADDED) for col in columns]
    tables += [(name, col, _ADDED_IN_REPEATS) for name, cols in (repeats or {}).items() for col in cols]
    for table, col, added in tables:
        for row in _column_rows(table, col, language, added):
            if in_file is None:
                yield row
            else:
                name, numbers = in_file(table, col)
                yield (*row, name, str(numbers.get(row[6], row[6])) if numbers else row[6])


def codebook_csv(columns: tuple[Column, ...], language: str = "fr",
                 repeats: Mapping[str, tuple[Column, ...]] | None = None, *, french: bool = False,
                 in_file: InFile | None = None) -> bytes:
    """The codebook as the bytes of a CSV file (same encoding and neutralisation as the dataset)."""
    buffer = io.StringIO(newline="")
    rows = codebook_rows(columns, language, repeats, in_file)
    write_rows(buffer, rows, french=french)
    return buffer.getvalue().encode("utf-8")
