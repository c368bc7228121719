"""The survey sheet as rows that know what they are: our name for each, what a reference to a row that is not a
question reads as (`null` for a note, `today()` for `today`, nothing for metadata), and the tree of groups."""

from __future__ import annotations

from dataclasses import dataclass, field

from survey.xlsform.expressions import BadExpression, Unsupported, from_xlsform
from survey.xlsform.reader import Row, Workbook
from survey.xlsform.sheets import SheetReader
from survey.xlsform.tables import identifier
from survey.xlsform.types import RowType, read_type


@dataclass
class Node:
    kind: str  # group, repeat, loop, question
    row: Row
    children: list[Node] = field(default_factory=list)
    type: RowType | None = None


def survey_sheet(book: Workbook) -> str | None:
    """When no sheet is named `survey` and exactly one sheet has `type` and `name` columns, read it as the survey
    sheet (pyxform takes a lone sheet for the survey); its name, or None."""
    if "survey" in book.sheets:
        return None
    candidates = [name for name, headers in book.headers.items() if {"type", "name"} <= set(headers)]
    if len(candidates) != 1:
        return None
    book.sheets["survey"] = [Row("survey", row.number, row.cells) for row in book.sheets[candidates[0]]]
    book.headers["survey"] = book.headers[candidates[0]]
    book.header_rows["survey"] = book.header_rows.get(candidates[0], 1)
    return candidates[0]


class SurveyRows(SheetReader):
    """Names, stand-ins for references and choice lists, read once before any question is converted."""

    def __init__(self, book: Workbook):
        stand_in = survey_sheet(book)
        super().__init__(book)
        if stand_in:
            self.report.add(stand_in, 0, f"no sheet is named 'survey': sheet '{stand_in}', which has `type` and "
                                         "`name` columns, is read as the survey sheet")
        self.origin: dict[str, Row] = {}  # question name → its row
        self.rows_of: dict[int, Row] = {}  # id() of a page, choice or matrix item of the document → its row
        self.dropped_calculations: dict[int, str] = {}  # row → why
        self.names, self.stand_ins = self._names()
        self._drop_calculations_not_carried()
        self.lists = self.choice_lists()
        self.external_lists = self.choice_lists("external_choices")

    def _names(self) -> tuple[dict[str, str], dict[str, str]]:
        """Our name for every question row (repeat groups and matrices included; not pages, not matrix rows), and
        how a reference to each row that is not a question reads: `null` for a note, `today()` for `today`…"""
        names: dict[str, str] = {}
        self.row_names: dict[int, str] = {}
        stand_ins: dict[str, str] = {}
        used, in_matrix = set(), False
        for row in self.book.sheets.get("survey", []):
            kind = read_type(row.get("type"))
            name = row.get("name") or (f"note_{row.number}" if kind.ours == "note" else "")
            if kind.control == "end":
                in_matrix = False if kind.container == "group" else in_matrix
                continue
            if kind.treatment == "meta":
                stand_ins.setdefault(name, "today()" if kind.spelling.lower() == "today" else "")
                continue
            if not name or in_matrix:
                continue
            if kind.control == "begin" and kind.container == "group":
                in_matrix = self.extras(row).get("type") == "matrix"
                if not in_matrix:
                    continue
            ours = base = identifier(name) or "q"
            n = 2
            while ours in used:
                ours, n = f"{base}_{n}", n + 1
            used.add(ours)
            self.row_names[row.number] = ours
            if kind.treatment == "as_note":
                stand_ins.setdefault(name, "")
            elif kind.ours == "note":
                stand_ins.setdefault(name, "null")  # a note's value is empty in XLSForm
            elif name not in names:
                names[name] = ours
            if ours != name and row.get("name"):
                self.report.add("survey", row.number, f"name `{name}` renamed `{ours}` (lower-case letters, digits, "
                                                       "single underscores)")
        return names, stand_ins

    def _drop_calculations_not_carried(self) -> None:
        """Leave out each calculation whose expression has no counterpart (`pulldata()`, `instance()`…), and then
        those that use one left out, before any expression refers to them."""
        calculations = [row for row in self.book.sheets.get("survey", [])
                        if read_type(row.get("type")).ours == "calculate" and row.get("name") in self.names]
        changed = True
        while changed:
            changed = False
            for row in calculations:
                name, text = row.get("name"), row.get("calculation") or row.get("default")
                if name not in self.names or not text:
                    continue
                try:
                    from_xlsform(text, self.rename, literal=self.code_of)
                except Unsupported as exc:
                    del self.names[name]
                    self.stand_ins[name] = ""
                    self.dropped_calculations[row.number] = f"`{text}` is not carried over: {exc}"
                    changed = True
                except BadExpression:
                    pass  # reported where the calculation is read

    def rename(self, name: str) -> str:
        if name in self.names:
            return self.names[name]
        if self.stand_ins.get(name):
            return self.stand_ins[name]
        if name in self.stand_ins:
            raise Unsupported(f"it uses `${{{name}}}`, which is not carried over")
        raise BadExpression(f"`${{{name}}}` is not a question of this form")

    def tree(self) -> list[Node]:
        root = Node("root", Row("survey", 0))
        stack = [root]
        for row in self.book.sheets.get("survey", []):
            text = row.get("type")
            kind = read_type(text)
            if not text and not row.get("name") and not row.get("label"):
                self.report.add("survey", row.number, "a row with no type, name or label is skipped")
            elif not text:
                self.error(row, "type", "the row has no type", "give it a type (e.g. `text`) or delete the row")
            elif text.startswith("#"):
                continue
            elif kind.control == "begin":
                node = Node(kind.container, row, type=kind)
                stack[-1].children.append(node)
                stack.append(node)
            elif kind.control == "end":
                if stack[-1].kind != kind.container:
                    opened = f"`begin {stack[-1].kind}` of row {stack[-1].row.number}" if len(stack) > 1 else "nothing"
                    self.error(row, "type", f"`{text}` closes {opened}", "match every `begin` with its own `end`")
                else:
                    stack.pop()
            else:
                stack[-1].children.append(Node("question", row, type=kind))
        for node in stack[1:]:
            self.error(node.row, "type", f"`begin {node.kind}` is never closed", f"add an `end {node.kind}` row")
        return root.children
