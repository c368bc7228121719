"""What can make an export impossible, each said in one line for the person who asked for it."""

from __future__ import annotations


class ExportError(ValueError):
    """An export that cannot be made as asked: unknown format or language, too many rows for the format…"""


class TooLargeForFormat(ExportError):
    """A table that a file format cannot hold (Excel's million rows)."""
