"""The languages of a workbook, its texts and its choices sheet: what every part of an import reads."""

from __future__ import annotations

import re
from typing import Any

from survey.xlsform.mapping import CHOICE_RELEVANT, EXTRA, load_extra
from survey.xlsform.reader import Located, Row, Workbook, language_code
from survey.xlsform.tables import TEXT_COLUMNS, ConversionReport


class SheetReader:
    """Reads texts in every language and the choice lists; collects located errors and report notes."""

    def __init__(self, book: Workbook):
        self.book, self.report, self.errors = book, ConversionReport(), []
        self.settings = (book.sheets.get("settings") or [Row("settings", 2)])[0]
        self._languages()

    def error(self, row: Row | None, column: str, message: str, fix: str, sheet: str = "") -> None:
        self.errors.append(Located(self.book.name, row.sheet if row else sheet, row.number if row else 0, column,
                                   message, fix))

    def _languages(self) -> None:
        self.language_of: dict[str, str] = {}
        for sheet, headers in self.book.headers.items():
            for header in headers:
                base, _, language = header.partition("::")
                if not language or base not in TEXT_COLUMNS:
                    continue
                code = language_code(language)
                if code is None:
                    self.errors.append(Located(self.book.name, sheet, self.book.header_rows.get(sheet, 1), header,
                                               f"cannot tell the language of `{language}`",
                                               f"write the header as `{base}::Français (fr)`"))
                else:
                    self.language_of[header] = code
        stated = self.settings.get("default_language")
        found = list(dict.fromkeys(self.language_of.values()))
        plain = any(h in TEXT_COLUMNS for headers in self.book.headers.values() for h in headers)
        default = language_code(stated) if stated else (found[0] if found and not plain else None)
        if stated and default is None:
            self.error(self.settings, "default_language", f"cannot tell the language of `{stated}`",
                       "write it as `Français (fr)`")
        if default is None:
            default = "fr"
            self.report.add("settings", 0, "no `default_language`: the texts without a language are taken as French "
                                           "(fr) — set `language:` if they are not")
        self.default = default
        self.all_languages = [default, *(code for code in found if code != default)]

    def text(self, row: Row, base: str) -> Any:
        values = {self.language_of[h]: v for h, v in row.cells.items() if h in self.language_of
                  and h.startswith(base + "::")}
        plain = row.cells.get(base)
        if plain and self.default not in values:
            values[self.default] = plain
        if not values:
            return ""
        if self.default not in values:
            first = next(iter(values))
            values[self.default] = values[first]
            self.report.add(row.sheet, row.number, f"`{base}` has no text in `{self.default}`: the `{first}` text is "
                                                   "used in its place")
        return values[self.default] if len(values) == 1 else {k: values[k] for k in self.all_languages if k in values}

    def extras(self, row: Row) -> dict[str, Any]:
        try:
            return load_extra(row.get(EXTRA))
        except ValueError:
            self.error(row, EXTRA, "the column is not the JSON this program writes", "empty the cell")
            return {}

    def choice_lists(self) -> dict[str, list[dict[str, Any]]]:
        lists: dict[str, list[dict[str, Any]]] = {}
        reported: set[str] = set()
        for row in self.book.sheets.get("choices", []):
            list_name, code = row.get("list_name"), row.get("name")
            if not list_name:
                self.error(row, "list_name", "the choice has no `list_name`", "name the list it belongs to")
                continue
            if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", code):
                self.error(row, "name", f"choice name `{code}` cannot be a code" if code else "the choice has no name",
                           "use letters, digits, `_`, `.` or `-` (e.g. `saint_aubin`)")
                continue
            if any(c["code"] == code for c in lists.get(list_name, [])):
                self.error(row, "name", f"choice `{code}` appears twice in list `{list_name}`", "give it another name")
                continue
            choice: dict[str, Any] = {"code": code, "label": self.text(row, "label") or code, "_row": row}
            data = {}
            for column, value in row.cells.items():
                base = column.split("::")[0]
                if base in ("list_name", "name", "label", CHOICE_RELEVANT) or not value.strip():
                    continue
                if base in ("image", "audio", "video", "media"):
                    if column not in reported:
                        reported.add(column)
                        self.report.add("choices", row.number, f"column '{column}': choice media are not carried over")
                    continue
                data[re.sub(r"[^a-z0-9_]", "_", column.lower())] = value.strip()
            if data:
                choice["data"] = data
            lists.setdefault(list_name, []).append(choice)
        return lists

