"""The anonymised table as CSV, written by polars.

Choices, for the people who open these files: UTF-8 with a byte-order mark, because Excel in France otherwise
reads the file as Windows-1252 and garbles accents; `,` as separator, because R, Python, SPSS and LibreOffice
read that without settings; CRLF line ends as RFC 4180 says. `french=True` gives the variant a French Excel opens
right with a double click: `;` separator and decimal comma. Every text cell, header included, is quoted and has a
`'` before any formula trigger that could begin a cell under any separator (`survey.export.formulas`); number
columns are written bare, so `-8` or `-2.5` stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import BinaryIO, TextIO

import polars as pl

from survey.anonymise import AnonymisedTable
from survey.export.formulas import (
    needs_neutralising,
    neutralise,
    neutralised_expr,
    neutralised_where,
    quoted,
    quoted_expr,
)

BOM = "\ufeff"


def _is_number(dtype: pl.DataType) -> bool:
    """Whether a column is written as bare numbers (the coded table's integer and decimal storages)."""
    return dtype.is_integer() or dtype.is_float()


def _texts(frame: pl.DataFrame) -> pl.DataFrame:
    """Every column that is not a number as text, formula triggers neutralised: the cheap test runs on every
    column at once, the change only on the cells it flags."""
    texts = [name for name, dtype in frame.schema.items() if not _is_number(dtype)]
    as_text = frame.select(pl.col(name).cast(pl.String) for name in texts)
    flags = as_text.select(needs_neutralising(pl.col(name)) for name in texts)
    return as_text.with_columns(neutralised_where(as_text[name], flags[name]) for name in texts if flags[name].any())


def _decimal_cell(col: pl.Expr, *, french: bool) -> pl.Expr:
    """A decimal as people read it: `2.5` (or `2,5`), and `3`, `-7` rather than `3.0`, `-7.0`; NaN and infinities
    (never a number a spreadsheet reads, and `-inf` could start a formula) as neutralised text."""
    # Within ±2^53 a whole float is exactly an integer; beyond, it is written as polars writes floats.
    whole = col.is_finite() & (col == col.floor()) & (col.abs() < 2.0**53)
    number = pl.when(whole).then(col.cast(pl.Int64, strict=False).cast(pl.String)).otherwise(col.cast(pl.String))
    if french:
        number = number.str.replace(".", ",", literal=True)
    text = col.cast(pl.String)
    return pl.when(col.is_finite()).then(number).otherwise(quoted_expr(neutralised_expr(text)))


def as_written(frame: pl.DataFrame, *, french: bool = False) -> pl.DataFrame:
    """Every column as the text the file holds, the header quoted and neutralised too: polars then writes it with
    no quoting of its own. Integer columns stay as they are; every column that is not a number is quoted text."""
    texts = _texts(frame)
    exprs = []
    for name, dtype in frame.schema.items():
        if dtype.is_float():
            col = _decimal_cell(pl.col(name), french=french)
        elif dtype.is_integer():
            col = pl.col(name)
        else:
            col = quoted_expr(pl.col(name))
        exprs.append(col.alias(quoted(neutralise(name))))
    return frame.with_columns(texts).select(exprs)


SLICE_ROWS = 25_000  # rows turned into text at a time: the text of a whole million-row table is not held at once


def write_slices(slices: Iterable[pl.DataFrame], target: BinaryIO, *, french: bool = False) -> None:
    """Write slices of one table (`AnonymisedTable.slices`) as one CSV file: BOM and header first, CRLF; `;` and
    decimal comma when `french`. A slice of rows at a time is turned into text."""
    for number, part in enumerate(slices):
        as_written(part, french=french).write_csv(
            target, include_bom=number == 0, include_header=number == 0, line_terminator="\r\n",
            separator=";" if french else ",", quote_style="never", null_value="")


def write_rows(stream: TextIO, rows: Iterable[Iterable[str]], *, french: bool = False) -> None:
    """Write text rows as CSV (the codebook), BOM first: every cell neutralised and quoted."""
    stream.write(BOM)
    writer = csv.writer(stream, lineterminator="\r\n", delimiter=";" if french else ",", quoting=csv.QUOTE_ALL)
    writer.writerows([neutralise(cell) for cell in row] for row in rows)


def write_csv(table: AnonymisedTable, stream: TextIO | BinaryIO, *, french: bool = False) -> None:
    """Write the anonymised table to a binary stream, or a text stream opened with `newline=""`."""
    if isinstance(stream, io.TextIOBase):
        buffer = io.BytesIO()
        write_slices(table.slices(SLICE_ROWS), buffer, french=french)
        stream.write(buffer.getvalue().decode("utf-8"))
    else:
        write_slices(table.slices(SLICE_ROWS), stream, french=french)  # type: ignore[arg-type]


def dataset_csv(table: AnonymisedTable, *, french: bool = False) -> bytes:
    """The anonymised table as the bytes of a CSV file."""
    buffer = io.BytesIO()
    write_slices(table.slices(SLICE_ROWS), buffer, french=french)
    return buffer.getvalue()
