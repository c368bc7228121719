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
        self.recoded: dict[str, str] = {}  # choice name → the code it was given
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
                    self.report.add(sheet, self.book.header_rows.get(sheet, 1), f"column '{header}' is not carried "
                                    f"over: cannot tell the language of `{language}` — write the header as "
                                    f"`{base}::{language} (xx)` with its two-letter code")
                else:
                    self.language_of[header] = code
        stated = self.settings.get("default_language")
        found = list(dict.fromkeys(self.language_of.values()))
        plain = any(h in TEXT_COLUMNS for headers in self.book.headers.values() for h in headers)
        default = language_code(stated) if stated else (found[0] if found and not plain else None)
        if stated and default is None:
            self.report.add("settings", self.settings.number, f"`default_language` `{stated}` is not carried over: "
                            "cannot tell its language — write it as `Français (fr)`")
            default = found[0] if found and not plain else None
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

    def _recode(self, row: Row, list_name: str, name: str, taken: set[str], quiet: bool = False) -> str:
        """A code of ours for a choice name such as `>150` or `red’s` (expressions that quote it follow), or for the
        second choice of a list with the same name (`quiet`: expressions keep meaning the first)."""
        base = re.sub(r"[^A-Za-z0-9_.-]+", "_", name).strip("_")[:60] or "choice"
        code, n = base, 2
        while code in taken:
            code, n = f"{base}_{n}", n + 1
        if quiet:
            return code
        self.recoded.setdefault(name, code)
        self.report.add(row.sheet, row.number, f"choice name `{name}` of list `{list_name}` becomes the code `{code}` "
                                               "(letters, digits, `_`, `.` or `-`)")
        return code

    def code_of(self, literal: str) -> str:
        """A quoted text in an expression, with a choice name that was given a new code replaced by that code."""
        return self.recoded.get(literal, literal)

    def choice_lists(self, sheet: str = "choices") -> dict[str, list[dict[str, Any]]]:
        """The lists of a choices sheet; a choice name that cannot be one of our codes is given one (reported)."""
        lists: dict[str, list[dict[str, Any]]] = {}
        codes: dict[str, set[str]] = {}
        originals: dict[str, set[str]] = {}
        reported: set[str] = set()
        for row in self.book.sheets.get(sheet, []):
            list_name, code = row.get("list_name"), row.get("name")
            if not list_name and not code:
                self.report.add(sheet, row.number, "a row with neither `list_name` nor `name` is skipped")
                continue
            if not list_name:
                self.error(row, "list_name", "the choice has no `list_name`", "name the list it belongs to")
                continue
            if not code:
                self.error(row, "name", "the choice has no name", "give it a code: letters, digits, `_`, `.` or `-`")
                continue
            taken = codes.setdefault(list_name, set())
            if code in originals.get(list_name, set()):
                # pyxform lets a cascading list repeat a name under different filters; ours are unique codes
                self.report.add(sheet, row.number, f"choice `{code}` appears twice in list `{list_name}`: this one is "
                                                   "given another code")
                code = self._recode(row, list_name, code, taken, quiet=True)
            else:
                originals.setdefault(list_name, set()).add(code)
                if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", code):
                    code = self._recode(row, list_name, code, taken)
            taken.add(code)
            choice: dict[str, Any] = {"code": code, "label": self.text(row, "label") or code, "_row": row}
            data = {}
            for column, value in row.cells.items():
                base = column.split("::")[0]
                if base in ("list_name", "name", "label", CHOICE_RELEVANT) or not value.strip():
                    continue
                if base in ("image", "audio", "video", "media"):
                    if column not in reported:
                        reported.add(column)
                        self.report.add(sheet, row.number, f"column '{column}': choice media are not carried over")
                    continue
                data[re.sub(r"[^a-z0-9_]", "_", column.lower())] = value.strip()
            if data:
                choice["data"] = data
            lists.setdefault(list_name, []).append(choice)
        return lists

