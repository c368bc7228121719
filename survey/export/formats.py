"""One anonymised table → one file, in each analysis format: CSV (two flavours), Excel, Parquet, JSON.

SPSS and Stata, which carry labels and missing codes inside the file, are in `survey.export.statistical`.
Every writer takes the table and a path and writes that one file. A format's library (xlsxwriter, pyarrow) is
imported by its writer, when that format is asked for: with pyreadstat they added about 35 MB to every export and
web process, which an export to CSV — or a web process that never writes Excel — need not carry.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from survey.anonymise import AnonymisedTable
from survey.export.csv_writer import SLICE_ROWS, write_slices
from survey.export.errors import TooLargeForFormat
from survey.export.metadata import variable_metadata

XLSX_MAX_ROWS = 1_048_575  # Excel's sheet size, header row aside


def write_csv_file(table: AnonymisedTable, path: Path) -> None:
    """CSV for every tool: UTF-8 with BOM, `,`, `.` decimals, CRLF."""
    with path.open("wb") as out:
        write_slices(table.slices(SLICE_ROWS), out)


def write_csv_fr_file(table: AnonymisedTable, path: Path) -> None:
    """CSV a French Excel opens right with a double click: `;`, decimal comma, UTF-8 with BOM."""
    with path.open("wb") as out:
        write_slices(table.slices(SLICE_ROWS), out, french=True)


def write_xlsx_file(table: AnonymisedTable, path: Path) -> None:
    """An Excel workbook, one sheet; texts are written as text cells, so nothing in them runs as a formula."""
    import xlsxwriter

    if table.height > XLSX_MAX_ROWS:
        raise TooLargeForFormat(f"{table.height} rows do not fit in an Excel sheet ({XLSX_MAX_ROWS} at most) "
                                "— choose CSV, Parquet, SPSS or Stata")
    options = {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
               "strings_to_numbers": False}
    with xlsxwriter.Workbook(str(path), options) as book:
        sheet = book.add_worksheet("donnees")
        bold = book.add_format({"bold": True})
        sheet.write_row(0, 0, table.header, bold)
        sheet.freeze_panes(1, 0)
        rows = (values for part in table.slices(SLICE_ROWS) for values in part.iter_rows())
        for number, values in enumerate(rows, start=1):
            for column, value in enumerate(values):
                if value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(number, column, value)
                else:
                    sheet.write_number(number, column, value)


def write_parquet_file(table: AnonymisedTable, path: Path) -> None:
    """Parquet, typed; each column's label, value labels and missing codes in its field metadata. Written a
    slice of rows at a time, so the Arrow copy of a whole million-row table is never held at once."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fields = []
    wide = table.empty.with_columns(pl.col(pl.Int8).cast(pl.Int64))  # small codes held in one byte
    for field, column in zip(wide.to_arrow().schema, table.columns, strict=True):
        meta = variable_metadata(column, table.language or "fr")
        fields.append(field.with_metadata({"survey": json.dumps(meta, ensure_ascii=False)}))
    schema = pa.schema(fields, metadata={"survey": json.dumps({"labels": table.language})})
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for part in table.slices(SLICE_ROWS):
            writer.write_table(part.to_arrow().cast(schema))


def write_json_file(table: AnonymisedTable, path: Path) -> None:
    """JSON: an array with one object per row, column → value."""
    table.frame.write_json(path)


WRITERS = {
    "csv": (".csv", write_csv_file),
    "csv-fr": (".csv", write_csv_fr_file),
    "xlsx": (".xlsx", write_xlsx_file),
    "parquet": (".parquet", write_parquet_file),
    "json": (".json", write_json_file),
}

