"""The anonymised table as CSV, written by polars.

Choices, for the people who open these files: UTF-8 with a byte-order mark, because Excel in France otherwise
reads the file as Windows-1252 and garbles accents; `,` as separator and standard quoting, because R, Python,
SPSS and LibreOffice read that without settings; CRLF line ends as RFC 4180 says. `french=True` gives the
variant a French Excel opens right with a double click: `;` separator and decimal comma. Every text cell,
header included, that a spreadsheet would run as a formula gets a leading `'` (see `survey.anonymise.neutralise`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import BinaryIO, TextIO

import polars as pl

from survey.anonymise import FORMULA_TRIGGERS, PLAIN_NUMBER, AnonymisedTable, neutralise

BOM = "\ufeff"
_TRIGGER = "^[" + "".join("\\" + c if c in "-+" else c for c in FORMULA_TRIGGERS) + "]"


def neutralised(frame: pl.DataFrame, texts: set[str] | None = None) -> pl.DataFrame:
    """Every text column (or those in `texts`) with formula-like cells prefixed by `'`, and the header likewise."""
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.String and (texts is None or name in texts):
            risky = col.str.contains(_TRIGGER) & ~col.str.contains(f"^{PLAIN_NUMBER}$")
            col = pl.when(risky).then(pl.lit("'") + col).otherwise(col)
        exprs.append(col.alias(neutralise(name)))
    return frame.select(exprs)


def decimals_as_text(frame: pl.DataFrame, *, french: bool = False) -> pl.DataFrame:
    """Decimal columns written as people read them: `2.5` (or `2,5`), and `3`, `-7` rather than `3.0`, `-7.0`."""
    exprs = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype.is_float():
            # Within ±2^53 a whole float is exactly an integer; beyond, it is written as polars writes floats.
            whole = col.is_finite() & (col == col.floor()) & (col.abs() < 2.0**53)
            col = pl.when(whole).then(col.cast(pl.Int64, strict=False).cast(pl.String)).otherwise(col.cast(pl.String))
            if french:
                col = col.str.replace(".", ",", literal=True)
        exprs.append(col.alias(name))
    return frame.select(exprs)


SLICE_ROWS = 100_000  # rows turned into text at a time: the text of a whole million-row table is not held at once


def write_frame(frame: pl.DataFrame, target: BinaryIO, *, french: bool = False) -> None:
    """Write a frame as CSV (BOM, CRLF; `;` and decimal comma when `french`), a slice of rows at a time."""
    texts = {name for name, dtype in frame.schema.items() if dtype == pl.String}  # numbers we write need no prefix
    slices = list(frame.iter_slices(SLICE_ROWS)) if frame.height else [frame]
    for number, part in enumerate(slices):
        text = neutralised(decimals_as_text(part, french=french), texts)
        text.write_csv(target, include_bom=number == 0, include_header=number == 0, line_terminator="\r\n",
                       separator=";" if french else ",", quote_style="necessary", null_value="")


def write_rows(stream: TextIO, rows: Iterable[list[str]], *, french: bool = False) -> None:
    """Write already neutralised text rows as CSV, BOM first (the codebook)."""
    stream.write(BOM)
    writer = csv.writer(stream, lineterminator="\r\n", delimiter=";" if french else ",")
    writer.writerows(rows)


def write_csv(table: AnonymisedTable, stream: TextIO | BinaryIO, *, french: bool = False) -> None:
    """Write the anonymised table to a binary stream, or a text stream opened with `newline=""`."""
    if isinstance(stream, io.TextIOBase):
        buffer = io.BytesIO()
        write_frame(table.frame, buffer, french=french)
        stream.write(buffer.getvalue().decode("utf-8"))
    else:
        write_frame(table.frame, stream, french=french)  # type: ignore[arg-type]


def dataset_csv(table: AnonymisedTable, *, french: bool = False) -> bytes:
    """The anonymised table as the bytes of a CSV file."""
    buffer = io.BytesIO()
    write_frame(table.frame, buffer, french=french)
    return buffer.getvalue()
