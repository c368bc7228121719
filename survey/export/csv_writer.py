"""The anonymised table as CSV.

Choices, for the people who open these files: UTF-8 with a byte-order mark, because Excel in
France otherwise reads the file as Windows-1252 and garbles accents; `,` as separator and the
standard `csv` quoting, because R, Python, SPSS and LibreOffice read that without settings
(Excel in a French locale may need "Données > À partir d'un fichier texte"); CRLF line ends as
RFC 4180 says. Every cell, header included, goes through `survey.anonymise.neutralise`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import TextIO

from survey.anonymise import AnonymisedTable, text_rows

BOM = "\ufeff"


def write_rows(stream: TextIO, rows: Iterable[list[str]]) -> None:
    """Write already neutralised rows as CSV, BOM first."""
    stream.write(BOM)
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerows(rows)


def write_csv(table: AnonymisedTable, stream: TextIO) -> None:
    """Write the anonymised table to a text stream opened with `newline=""`."""
    write_rows(stream, text_rows(table))


def dataset_csv(table: AnonymisedTable) -> bytes:
    """The anonymised table as the bytes of a CSV file."""
    buffer = io.StringIO(newline="")
    write_csv(table, buffer)
    return buffer.getvalue().encode("utf-8")
