"""An XLSForm workbook (`.xlsx` with openpyxl, legacy `.xls` with xlrd) → rows of text that know where they are."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

# Header spellings XLSForm tools accept for the same column.
HEADER_ALIASES = {"list name": "list_name", "value": "name", "caption": "label", "required message": "required_message",
                  "constraint message": "constraint_message", "choice filter": "choice_filter",
                  "repeat count": "repeat_count"}


@dataclass(frozen=True, order=True)
class Located:
    """One problem in a workbook, located to a sheet, a row and a column where they are known."""

    file: str
    sheet: str = ""
    row: int = 0
    column: str = ""
    message: str = ""
    fix: str = ""

    def where(self) -> str:
        parts = [f"sheet '{self.sheet}'"] if self.sheet else []
        parts += [f"row {self.row}"] if self.row else []
        parts += [f"column '{self.column}'"] if self.column else []
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{self.file}: {where + ': ' if where else ''}{self.message}" + (f" — {self.fix}" if self.fix else "")


class WorkbookInvalid(Exception):
    """The workbook cannot be converted; `problems` lists every located problem found."""

    def __init__(self, problems: list[Located]):
        self.problems = sorted(set(problems))
        super().__init__("\n".join(map(str, self.problems)))


@dataclass
class Row:
    """A row of a sheet: header → cell text (empty cells left out)."""

    sheet: str
    number: int
    cells: dict[str, str] = field(default_factory=dict)

    def get(self, column: str) -> str:
        return self.cells.get(column, "").strip()


@dataclass
class Workbook:
    name: str
    sheets: dict[str, list[Row]]
    headers: dict[str, list[str]]
    header_rows: dict[str, int] = field(default_factory=dict)


def cell_text(value: object) -> str:
    """A cell as text: 1.0 → `1`, TRUE → `true`, a date → `YYYY-MM-DD`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def normalise_header(header: str) -> str:
    """`Label::English (en)` → `label::English (en)`; `list name` → `list_name`."""
    base, sep, rest = header.strip().partition("::")
    base = base.strip().lower()
    base = HEADER_ALIASES.get(base, base)
    return f"{base}::{rest.strip()}" if sep else base


def _grids_xlsx(path: Path) -> dict[str, list[list[object]]]:
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        return {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}
    finally:
        book.close()


def _grids_xls(path: Path) -> dict[str, list[list[object]]]:
    import xlrd

    book = xlrd.open_workbook(str(path))
    grids: dict[str, list[list[object]]] = {}
    for sheet in book.sheets():
        rows = []
        for r in range(sheet.nrows):
            row: list[object] = []
            for c in range(sheet.ncols):
                cell = sheet.cell(r, c)
                if cell.ctype == xlrd.XL_CELL_DATE:
                    row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                    row.append(bool(cell.value))
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                    row.append(None)
                else:
                    row.append(cell.value)
            rows.append(row)
        grids[sheet.name] = rows
    return grids


def read_workbook(path: str | Path) -> Workbook:
    """Read every sheet: the first non-empty row is the header; sheet names are matched in lower case."""
    path = Path(path)
    name = path.name
    try:
        if path.suffix.lower() == ".xls":
            grids = _grids_xls(path)
        elif path.suffix.lower() in (".xlsx", ".xlsm"):
            grids = _grids_xlsx(path)
        else:
            raise WorkbookInvalid([Located(name, message=f"`{path.suffix or path.name}` is not a workbook",
                                           fix="give an `.xlsx` or `.xls` file")])
    except WorkbookInvalid:
        raise
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, Exception) as exc:  # noqa: B014 - xlrd/openpyxl raise many kinds
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else f"{exc.__class__.__name__}: {exc}"
        raise WorkbookInvalid([Located(name, message=f"cannot read the workbook ({reason.splitlines()[0]})",
                                       fix="check the path; save it from a spreadsheet program as .xlsx")]) from None
    sheets: dict[str, list[Row]] = {}
    headers: dict[str, list[str]] = {}
    header_rows: dict[str, int] = {}
    for title, grid in grids.items():
        key = title.strip().lower()
        start = next((i for i, row in enumerate(grid) if any(cell_text(v).strip() for v in row)), None)
        if start is None:
            sheets[key], headers[key] = [], []
            continue
        header = [normalise_header(cell_text(v)) for v in grid[start]]
        header_rows[key] = start + 1
        headers[key] = [h for h in header if h]
        rows = []
        for offset, values in enumerate(grid[start + 1:], start=start + 2):
            cells = {h: cell_text(v) for h, v in zip(header, values, strict=False) if h and cell_text(v)}
            if any(value.strip() for value in cells.values()):
                rows.append(Row(key, offset, cells))
        sheets[key] = rows
    return Workbook(name, sheets, headers, header_rows)


_LANGUAGE_CODE = re.compile(r"\(\s*([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)?\s*\)\s*$")
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "es": "Español", "de": "Deutsch", "it": "Italiano",
                  "pt": "Português", "nl": "Nederlands", "ar": "العربية", "br": "Brezhoneg", "eu": "Euskara",
                  "ca": "Català", "oc": "Occitan", "co": "Corsu", "wo": "Wolof", "sw": "Kiswahili"}
_BY_NAME = {**{v.lower(): k for k, v in LANGUAGE_NAMES.items()}, "french": "fr", "anglais": "en", "spanish": "es",
            "espagnol": "es", "german": "de", "allemand": "de", "italian": "it", "portuguese": "pt", "dutch": "nl",
            "arabic": "ar", "arabe": "ar", "francais": "fr"}


def language_code(name: str) -> str | None:
    """`English (en)` → `en`, `Français` → `fr`, `fr` → `fr`; None when it cannot be told."""
    name = name.strip()
    match = _LANGUAGE_CODE.search(name)
    if match:
        return match.group(1).lower()
    if re.fullmatch(r"[A-Za-z]{2}", name):
        return name.lower()
    return _BY_NAME.get(name.lower())


def language_column(code: str) -> str:
    """The XLSForm language name for a code: `fr` → `Français (fr)`."""
    return f"{LANGUAGE_NAMES.get(code, code)} ({code})"
