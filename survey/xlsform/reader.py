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
    header = header.strip()
    if "::" not in header and re.match(r"(?i)(label|hint|constraint[ _]message|required[ _]message|guidance_hint"
                                       r"|media|image|audio|video):[^:]", header):
        header = header.replace(":", "::", 1)  # `label:English`, an old spelling pyxform still reads
    base, sep, rest = header.partition("::")
    base = base.strip().lower()
    base = HEADER_ALIASES.get(base, base)
    return f"{base}::{rest.strip()}" if sep else base


@dataclass(frozen=True)
class Limits:
    """What a workbook may hold, checked before anything is read into memory (the README lists the defaults)."""

    file_bytes: int = 20 * 1024 * 1024  # the file as given
    unpacked_bytes: int = 100 * 1024 * 1024  # an .xlsx's parts once decompressed (the largest real form: 6 MB)
    rows: int = 200_000  # the last row holding a value, per sheet
    columns: int = 1_000  # the last column holding a value, per sheet

    def check_cell(self, book: str, sheet: str, row: int, column: int) -> None:
        """Refuse a value beyond the last row or column a form may use, naming its cell."""
        if row > self.rows or column > self.columns:
            ref = f"{_column_letters(column)}{row}"
            what = f"row {row:,}" if row > self.rows else f"column {_column_letters(column)} ({column:,})"
            raise WorkbookInvalid([Located(book, sheet, row, ref, f"cell {ref} holds a value in {what}: a form "
                                           f"may use {self.rows:,} rows and {self.columns:,} columns per sheet",
                                           f"delete what is in {ref} (and any other far cell), then save again")])


LIMITS = Limits()
Grid = list[tuple[int, list[object]]]  # (row number, values from column A) for the rows that hold a value


def _column_letters(column: int) -> str:
    letters = ""
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _check_unpacked(path: Path, name: str, limits: Limits) -> None:
    """Refuse a zip whose parts would decompress beyond the limit (Python's zipfile never inflates a part past the
    size its header declares, so the declared sizes bound what reading can cost)."""
    with zipfile.ZipFile(path) as archive:
        total = sum(info.file_size for info in archive.infolist())
    if total > limits.unpacked_bytes:
        raise WorkbookInvalid([Located(name, message=f"the workbook unpacks to {total / 2**20:,.0f} MB: more than "
                                       f"the {limits.unpacked_bytes / 2**20:,.0f} MB a form may take",
                                       fix="remove what is not the form (pictures, other sheets, pasted data) or "
                                           "split it")])


def _grids_xlsx(path: Path, limits: Limits) -> dict[str, Grid]:
    """Every sheet's rows that hold a value, streamed: empty and styled-only cells are never materialised."""
    import openpyxl
    from openpyxl.worksheet._reader import WorkSheetParser  # the row parser of openpyxl's own read-only mode

    _check_unpacked(path, path.name, limits)
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    grids: dict[str, Grid] = {}
    try:
        for sheet in book.worksheets:
            if not hasattr(sheet, "_get_source"):
                continue  # a chart sheet
            rows: Grid = []
            with sheet._get_source() as source:
                parser = WorkSheetParser(source, sheet._shared_strings, data_only=True, epoch=book.epoch,
                                         date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
                for number, cells in parser.parse():
                    values = [(cell["column"], cell["value"]) for cell in cells if cell["value"] not in (None, "")]
                    if not values:
                        continue
                    for column, _ in values:
                        limits.check_cell(path.name, sheet.title, number, column)
                    row: list[object] = [None] * max(column for column, _ in values)
                    for column, value in values:
                        row[column - 1] = value
                    rows.append((number, row))
            grids[sheet.title] = rows
    finally:
        book.close()
    return grids


def _grids_xls(path: Path, limits: Limits) -> dict[str, Grid]:
    """Every sheet's rows that hold a value from a legacy `.xls` (at most 65,536 × 256 cells by its format)."""
    import xlrd

    book = xlrd.open_workbook(str(path), on_demand=True, ragged_rows=True)
    grids: dict[str, Grid] = {}
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            rows: Grid = []
            for r in range(sheet.nrows):
                row: list[object] = []
                for c, cell in enumerate(sheet.row(r)):
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        row.append(xlrd.xldate.xldate_as_datetime(cell.value, book.datemode))
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                        row.append(bool(cell.value))
                    elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                        row.append(None)
                    else:
                        row.append(cell.value)
                        limits.check_cell(path.name, sheet.name, r + 1, c + 1)
                if any(value is not None for value in row):
                    rows.append((r + 1, row))
            grids[sheet.name] = rows
            book.unload_sheet(index)
    finally:
        book.release_resources()
    return grids


def read_workbook(path: str | Path, limits: Limits = LIMITS) -> Workbook:
    """Read every sheet: the first non-empty row is the header; sheet names are matched in lower case.

    The file's size, an `.xlsx`'s unpacked size, and the row and column of every value are checked against
    `limits` before the rows are kept, so a crafted file is refused in about the time it takes to stream it.
    """
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if size > limits.file_bytes:
            raise WorkbookInvalid([Located(name, message=f"the file is {size / 2**20:,.1f} MB: more than the "
                                           f"{limits.file_bytes / 2**20:,.0f} MB a form may take",
                                           fix="remove what is not the form (pictures, pasted data) or split it")])
        if path.suffix.lower() == ".xls":
            grids = _grids_xls(path, limits)
        elif path.suffix.lower() in (".xlsx", ".xlsm"):
            grids = _grids_xlsx(path, limits)
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
        start = next((i for i, (_, row) in enumerate(grid) if any(cell_text(v).strip() for v in row)), None)
        if start is None:
            sheets[key], headers[key] = [], []
            continue
        header = [normalise_header(cell_text(v)) for v in grid[start][1]]
        header_rows[key] = grid[start][0]
        headers[key] = [h for h in header if h]
        rows = []
        for number, values in grid[start + 1:]:
            cells = {h: text for h, v in zip(header, values, strict=False) if h and (text := cell_text(v))}
            if any(value.strip() for value in cells.values()):
                rows.append(Row(key, number, cells))
        sheets[key] = rows
    return Workbook(name, sheets, headers, header_rows)


_LANGUAGE_CODE = re.compile(r"\(\s*([A-Za-z]{2})(?:[-_][A-Za-z0-9]+)?\s*\)\s*$")
LANGUAGE_NAMES = {"fr": "Français", "en": "English", "es": "Español", "de": "Deutsch", "it": "Italiano",
                  "pt": "Português", "nl": "Nederlands", "ar": "العربية", "br": "Brezhoneg", "eu": "Euskara",
                  "ca": "Català", "oc": "Occitan", "co": "Corsu", "wo": "Wolof", "sw": "Kiswahili"}
# English and French names of languages forms are written in, for headers without a `(code)`.
_BY_NAME = {**{v.lower(): k for k, v in LANGUAGE_NAMES.items()}, "french": "fr", "anglais": "en", "spanish": "es",
            "espagnol": "es", "german": "de", "allemand": "de", "italian": "it", "portuguese": "pt", "dutch": "nl",
            "arabic": "ar", "arabe": "ar", "francais": "fr", "english": "en", "swahili": "sw", "chinese": "zh",
            "hindi": "hi", "bengali": "bn", "bangla": "bn", "urdu": "ur", "nepali": "ne", "russian": "ru",
            "ukrainian": "uk", "polish": "pl", "romanian": "ro", "turkish": "tr", "persian": "fa", "farsi": "fa",
            "dari": "fa", "pashto": "ps", "kurdish": "ku", "somali": "so", "amharic": "am", "tigrinya": "ti",
            "oromo": "om", "hausa": "ha", "yoruba": "yo", "igbo": "ig", "fula": "ff", "fulfulde": "ff", "lingala": "ln",
            "kinyarwanda": "rw", "kirundi": "rn", "luganda": "lg", "chichewa": "ny", "zulu": "zu", "xhosa": "xh",
            "malagasy": "mg", "indonesian": "id", "bahasa": "id", "malay": "ms", "thai": "th", "vietnamese": "vi",
            "khmer": "km", "lao": "lo", "burmese": "my", "tagalog": "tl", "filipino": "tl", "japanese": "ja",
            "korean": "ko", "greek": "el", "hebrew": "he", "haitian creole": "ht", "creole": "ht", "quechua": "qu",
            "tamil": "ta", "telugu": "te", "marathi": "mr", "gujarati": "gu", "punjabi": "pa", "sinhala": "si",
            "wolof": "wo", "bambara": "bm", "kiswahili": "sw"}
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
