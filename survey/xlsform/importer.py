"""XLSForm rows → our questionnaire, with a report of everything that could not be carried over.

Top-level groups become pages; consecutive questions outside any group form a page of their own; groups nested in
a page are flattened into it (their `relevant` joins each question's). A broken workbook raises `WorkbookInvalid`
with every problem located to a sheet, a row and a column.
"""

from __future__ import annotations

import difflib
import gc
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from survey.errors import QuestionnaireInvalid
from survey.expressions import parse, to_text
from survey.schema.loader import parse_questionnaire, to_yaml
from survey.schema.model import Questionnaire
from survey.schema.types import SPECIAL_ANSWERS
from survey.xlsform.expressions import BadExpression, Unsupported, from_xlsform
from survey.xlsform.mapping import CHOICE_RELEVANT, EXTRA, generated_terms, split
from survey.xlsform.order import order_calculations
from survey.xlsform.reader import Located, Row, Workbook, WorkbookInvalid, read_workbook
from survey.xlsform.sheets import SheetReader
from survey.xlsform.tables import (
    CONSUMED_APPEARANCES,
    NO,
    PLACEHOLDER_NOTICE,
    YES,
    ConversionReport,
    identifier,
    kept,
    slug,
)
from survey.xlsform.types import RowType, known_spellings, read_type


@dataclass
class _Node:
    kind: str  # group, repeat, loop, question
    row: Row
    children: list[_Node] = field(default_factory=list)
    type: RowType | None = None


def _survey_sheet(book: Workbook) -> str | None:
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


class _Importer(SheetReader):
    def __init__(self, book: Workbook):
        stand_in = _survey_sheet(book)
        super().__init__(book)
        if stand_in:
            self.report.add(stand_in, 0, f"no sheet is named 'survey': sheet '{stand_in}', which has `type` and "
                                         "`name` columns, is read as the survey sheet")
        self.origin: dict[str, Row] = {}
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

    def expr(self, row: Row, column: str, text: str | None = None, *, choice: bool = False) -> str | None:
        text = row.get(column) if text is None else text
        if not text:
            return None
        try:
            return from_xlsform(text, self.rename, in_choice_filter=choice, literal=self.code_of)
        except Unsupported as exc:
            self.report.add(row.sheet, row.number, f"column '{column}': `{text}` is not carried over: {exc}")
        except BadExpression as exc:
            self.error(row, column, f"cannot read the expression `{text}`: {exc}",
                       "correct it: `${name}` for a question, `and`, `or`, `selected(${q}, 'code')`…")
        return None

    def choices(self, row: Row, list_name: str, special: list[str], external: bool = False) -> list[dict[str, Any]]:
        out = []
        for choice in (self.external_lists if external else self.lists)[list_name]:
            if choice["code"] in special:
                continue
            entry = {k: v for k, v in choice.items() if k != "_row"}
            relevant = self.expr(choice["_row"], CHOICE_RELEVANT)
            if relevant:
                entry["relevant"] = relevant
            out.append(entry)
        return out

    # -- the survey sheet -------------------------------------------------------------------------------------------
    def tree(self) -> list[_Node]:
        root = _Node("root", Row("survey", 0))
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
                node = _Node(kind.container, row, type=kind)
                stack[-1].children.append(node)
                stack.append(node)
            elif kind.control == "end":
                if stack[-1].kind != kind.container:
                    opened = f"`begin {stack[-1].kind}` of row {stack[-1].row.number}" if len(stack) > 1 else "nothing"
                    self.error(row, "type", f"`{text}` closes {opened}", "match every `begin` with its own `end`")
                else:
                    stack.pop()
            else:
                stack[-1].children.append(_Node("question", row, type=kind))
        for node in stack[1:]:
            self.error(node.row, "type", f"`begin {node.kind}` is never closed", f"add an `end {node.kind}` row")
        return root.children

    def pages(self, nodes: list[_Node]) -> list[dict[str, Any]]:
        pages, loose, ids = [], None, set()
        for node in nodes:
            extra = self.extras(node.row)
            if node.kind == "group" and extra.get("type") != "matrix":
                page_id = str(extra.get("id") or slug(node.row.get("name") or f"page-{len(pages) + 1}"))
                page = {"id": page_id, "title": self.text(node.row, "label"),
                        "relevant": self.expr(node.row, "relevant"), "questions": self.flatten(node.children, [])}
                self.unused(node.row, {"type", "name", "label", "relevant", "appearance", EXTRA})
                pages.append(page)
                loose = None
            else:
                if loose is None:
                    loose = {"id": f"page-{len(pages) + 1}", "questions": []}
                    pages.append(loose)
                loose["questions"] += self.flatten([node], [])
        kept = []
        for page in pages:
            while page["id"] in ids:
                page["id"] += "-2"
            ids.add(page["id"])
            if page["questions"]:
                kept.append({k: v for k, v in page.items() if v not in (None, "")})
        return kept

    def flatten(self, nodes: list[_Node], outer: list[str], in_repeat: bool = False) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for node in nodes:
            row = node.row
            if node.kind == "question":
                question = self.question(row, outer)
                out += [question] if question else []
            elif node.kind == "group" and self.extras(row).get("type") == "matrix":
                out.append(self.matrix(node, outer))
            elif node.kind == "group":
                relevant = self.expr(row, "relevant")
                self.report.add("survey", row.number, f"group `{row.get('name')}` inside a page is flattened into it")
                out += self.flatten(node.children, outer + ([relevant] if relevant else []), in_repeat)
            elif in_repeat:
                self.report.add("survey", row.number, f"{node.kind} `{row.get('name')}` inside a repeat is flattened "
                                                      "into it: its questions are asked once per entry of the outer "
                                                      "repeat")
                out += self.flatten(node.children, outer, in_repeat)
            else:
                repeat = self.repeat(node, outer)
                out += [repeat] if repeat else []
        return out

    def relevant(self, row: Row, outer: list[str]) -> str | None:
        parts = [*outer, *([own] if (own := self.expr(row, "relevant")) else [])]
        if len(parts) <= 1:
            return parts[0] if parts else None
        return to_text(parse(" and ".join(f"({part})" for part in parts)))

    def unused(self, row: Row, used: set[str]) -> None:
        for column, value in row.cells.items():
            base = column.split("::")[0]
            leftover = [word for word in value.split() if word not in CONSUMED_APPEARANCES]
            if base in used or not value.strip() or (base == "appearance" and not leftover):
                continue
            if base == "appearance":
                what = f"appearance `{' '.join(leftover)}` is not carried over (our forms lay themselves out)"
            elif base == "required_message":
                what = "`required_message` is not carried over: our forms say “this answer is required” themselves"
            elif base == "default":
                what = f"default `{value.strip()}` is not carried over: questions start empty"
            else:
                what = f"column '{column}' (`{value.strip()[:40]}`) is not carried over"
            self.report.add(row.sheet, row.number, what)

    def common(self, row: Row, outer: list[str], our_type: str, extra: dict[str, Any]) -> dict[str, Any]:
        name = self.row_names[row.number]
        self.origin[name] = row
        label = self.text(row, "label")
        if not label and our_type != "calculate":
            label = row.get("name") or name
            self.report.add("survey", row.number, f"`{label}` has no label: its name is used as the label")
        q: dict[str, Any] = {"name": name, "type": our_type, "label": label, "help": self.text(row, "hint"),
                             "relevant": self.relevant(row, outer)}
        required = row.get("required")
        if required.lower() in YES:
            q["required"] = True
        elif required and required.lower() not in NO:
            q["required_if"] = self.expr(row, "required")
        q["required_if"] = q.get("required_if") or extra.get("required_if")
        for key in ("min", "max", "max_length", "unit", "special_answers", "constraint", "constraint_message"):
            if key in extra:
                q[key] = extra[key]
        return q

    def question(self, row: Row, outer: list[str]) -> dict[str, Any] | None:
        kind, name = read_type(row.get("type")), row.get("name")
        where = f"`{name}`: " if name else ""
        if kind.treatment == "meta":
            self.report.add("survey", row.number, f"{where}{kind.what} (type `{kind.spelling}`) is left out")
            return None
        if not kind.treatment:
            close = difflib.get_close_matches(kind.spelling.lower(), known_spellings(), n=1)
            self.error(row, "type", f"unknown type '{kind.spelling}'", "use an XLSForm type such as "
                       + ", ".join(known_spellings()) + (f" (did you mean `{close[0]}`?)" if close else ""))
            return None
        if row.number not in self.row_names:
            self.error(row, "name", f"a `{kind.spelling}` question has no name", "give it a unique name")
            return None
        extra = self.extras(row)
        appearance = row.get("appearance").lower().split()
        used = {"type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message", EXTRA}
        list_name, external = kind.list_name, kind.treatment == "external"
        our_type = extra.get("type") or kind.ours
        if kind.treatment in ("choice", "external", "from_file") and not list_name:
            self.error(row, "type", f"`{kind.spelling}` needs a list name",
                       f"write `{kind.spelling} LIST` and add the list to the choices sheet")
            return None
        if kind.treatment == "choice" and list_name not in self.lists:
            self.error(row, "type", f"list `{list_name}` is not on the choices sheet",
                       f"write `{kind.spelling} LIST` and add the list to the choices sheet")
            return None
        if external and list_name in self.external_lists:
            our_type = "dropdown"
            self.report.add("survey", row.number, f"`{name}`: the list `{list_name}` is taken from the "
                                                  "external_choices sheet")
        elif kind.treatment in ("external", "from_file", "as_text", "as_note") or kind.rest and kind.ours != "range":
            return self.stand_in(row, outer, kind, extra)
        if kind.what == "a date and time":
            self.report.add("survey", row.number, f"`{name}`: a date and time (type `{kind.spelling}`) is asked as a "
                                                  "date: the time of day is not collected")
        if kind.treatment == "choice" and len(self.lists[list_name]) == 1 and "type" not in extra:
            return self.single_box(row, outer, kind)
        if kind.ours == "short_text" and "multiline" in appearance and "type" not in extra:
            our_type = "long_text"
        codes = [c["code"] for c in (self.external_lists if external else self.lists).get(list_name, [])]
        if kind.ours == "single_choice" and "type" not in extra:
            if {"minimal", "autocomplete"} & set(appearance):
                our_type = "dropdown"
            elif "likert" in appearance and codes == [str(i) for i in range(1, len(codes) + 1)]:
                our_type = "likert"
        params = dict(p.split("=", 1) for p in re.split(r"[\s;,]+", row.get("parameters")) if "=" in p)
        if kind.ours == "range":
            our_type = self.range(row, params, extra)
        if row.number in self.dropped_calculations:
            self.report.add("survey", row.number, f"`{name}`: a calculation left out: column 'calculation': "
                                                  f"{self.dropped_calculations[row.number]}")
            return None
        if our_type == "calculate" and not row.get("calculation"):
            if not row.get("default"):
                self.report.add("survey", row.number, f"`{name}`: a calculation with neither `calculation` nor "
                                                      "`default` is left out")
                return None
            row.cells["calculation"] = row.cells.pop("default")
            self.report.add("survey", row.number, f"`{name}`: its `default` is used as its calculation")
        q = self.common(row, outer, our_type, extra)
        if our_type == "likert":
            q["scale"] = [c["label"] for c in self.lists[list_name]]
        elif kind.treatment in ("choice", "external") and our_type != "yes_no":
            if "special_answers" not in extra and set(SPECIAL_ANSWERS) & set(codes):
                q["special_answers"] = [code for code in SPECIAL_ANSWERS if code in codes]
                self.report.add("survey", row.number, f"`{name}`: the choices {', '.join(q['special_answers'])} become "
                                                      "special answers, coded apart in exports")
            if kind.other and "other" in codes:
                q["special_answers"] = [*q.get("special_answers", []), "other"]  # left out of the choices below
                self.report.add("survey", row.number, f"`{name}`: the choice `other` of list `{list_name}` is the "
                                                      "“Other, please specify” answer `or_other` adds")
            q["choices"] = self.choices(row, list_name, q.get("special_answers", []), external)
            if "other" in q.get("special_answers", []):
                q["special_answers"].remove("other")
            q["other"] = kind.other
            used |= {"choice_filter"}
            q["choice_filter"] = self.expr(row, "choice_filter", choice=True)
        if params.get("randomize", "").lower() == "true":
            q["randomize"] = True
        used |= {"parameters"} if kind.ours == "range" or set(params) <= {"randomize"} else set()
        if our_type == "calculate":
            used |= {"calculation"}
            q["calculation"] = self.expr(row, "calculation")
            self.unused(row, used | {"appearance"})  # a constraint, a hint… mean nothing on a hidden value
            return kept(q)
        ok, own = split(row.get("constraint"), generated_terms(our_type, extra))
        if not ok:
            self.report.add("survey", row.number, "the constraint was edited: `min`/`max` kept apart from it")
        q["constraint"] = self.expr(row, "constraint", own) or q.get("constraint")
        q["constraint_message"] = self.text(row, "constraint_message") or q.get("constraint_message")
        self.unused(row, used)
        return kept(q)

    def single_box(self, row: Row, outer: list[str], kind: RowType) -> dict[str, Any]:
        """A list question with a single choice (one box a person ticks or not): a yes/no question, marked."""
        only = self.lists[kind.list_name][0]
        label = only["label"] if isinstance(only["label"], str) else next(iter(only["label"].values()))
        q = self.common(row, outer, "yes_no", {})
        marker = f"[XLSForm : une liste d'un seul choix, « {label} » ; oui = ce choix]"
        help_ = q.get("help")
        q["help"] = {c: f"{t} {marker}" for c, t in help_.items()} if isinstance(help_, dict) else \
            (f"{help_} {marker}" if help_ else marker)
        self.report.add("survey", row.number, f"`{row.get('name')}`: list `{kind.list_name}` has a single choice "
                                              f"(`{only['code']}`): asked as a marked yes/no question")
        self.unused(row, {"type", "name", "label", "hint", "required", "relevant", EXTRA})
        return kept(q)

    def stand_in(self, row: Row, outer: list[str], kind: RowType, extra: dict[str, Any]) -> dict[str, Any]:
        """A question we cannot ask as it is: a text question (something a person can type) or a note, its hint
        marked so that whoever reviews the form sees what it was."""
        as_note = kind.treatment == "as_note"
        if kind.rest:
            what, quoi = f"`{row.get('type')}`", f"« {row.get('type')} »"
        elif kind.treatment in ("external", "from_file"):
            what = f"{kind.what} (`{kind.list_name}`)"
            quoi = f"{kind.quoi} ({kind.list_name})"
        else:
            what, quoi = kind.what, kind.quoi
        q = self.common(row, outer, "note" if as_note else "short_text", {})
        marker = f"[XLSForm : {quoi}, {'non collecté ici' if as_note else 'à saisir en texte'}]"
        help_ = q.get("help")
        if isinstance(help_, dict):
            q["help"] = {code: f"{text} {marker}" for code, text in help_.items()}
        else:
            q["help"] = f"{help_} {marker}" if help_ else marker
        if as_note:
            q.pop("required", None)
            q.pop("required_if", None)
        self.report.add("survey", row.number, f"`{row.get('name')}`: {what} (type `{row.get('type')}`) is "
                                              + ("kept as a marked note: nothing is collected" if as_note
                                                 else "asked as a marked text question"))
        self.unused(row, {"type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message",
                          "choice_filter", "parameters", EXTRA})
        return kept(q)

    def range(self, row: Row, params: dict[str, str], extra: dict[str, Any]) -> str:
        try:
            start, end, step = (float(params.get(k, d)) for k, d in (("start", "1"), ("end", "10"), ("step", "1")))
        except ValueError:
            self.error(row, "parameters", f"cannot read `{row.get('parameters')}`", "write `start=0 end=10 step=1`")
            return "integer"
        if (start, end, step) == (0, 10, 1):
            return "nps"
        whole = all(v.is_integer() for v in (start, end, step))
        low, high = sorted([start, end])
        extra.update({"min": int(low) if whole else low, "max": int(high) if whole else high})
        if step != 1:
            self.report.add("survey", row.number, f"the range step {params.get('step')} is not carried over: any "
                                                  "number between the bounds is accepted")
        return "integer" if whole else "decimal"

    def matrix(self, node: _Node, outer: list[str]) -> dict[str, Any]:
        extra = self.extras(node.row)
        q = self.common(node.row, outer, "matrix", extra)
        items = [child for child in node.children if child.kind == "question"]
        words = items[0].row.get("type").split() if items else []
        list_name = words[1] if len(words) > 1 else ""
        required = items[0].row.get("required") if items else ""  # the matrix's own, written on every row
        if required.lower() in YES:
            q["required"] = True
        elif required and required.lower() not in NO:
            q["required_if"] = self.expr(items[0].row, "required")
        q["items"] = [{"name": identifier(item.row.get("name").removeprefix(node.row.get("name") + "__")),
                       "label": self.text(item.row, "label")} for item in items]
        entries = self.lists.get(list_name, [])
        if extra.get("scale"):
            q["scale"] = [c["label"] for c in entries]
        else:
            q["choices"] = self.choices(items[0].row, list_name, q.get("special_answers", [])) if entries else []
        return kept(q)

    def repeat(self, node: _Node, outer: list[str]) -> dict[str, Any] | None:
        extra = self.extras(node.row)
        if node.row.number not in self.row_names:
            self.error(node.row, "name", f"a `begin {node.kind}` row has no name", "give it a unique name")
            return None
        q = self.common(node.row, outer, "repeat", extra)
        q["repeat_count"] = self.expr(node.row, "repeat_count")
        if node.kind == "loop":
            list_name = node.type.list_name if node.type else ""
            if list_name not in self.lists:
                self.error(node.row, "type", f"`begin loop` needs a list of the choices sheet, not `{list_name}`",
                           "write `begin loop over LIST`")
                return None
            q["repeat_count"] = str(len(self.lists[list_name]))
            self.report.add("survey", node.row.number, f"loop `{node.row.get('name')}` over `{list_name}` becomes a "
                                                       f"repeat of {len(self.lists[list_name])} entries, one per "
                                                       "choice, which are not named after the choices")
        q["questions"] = self.flatten(node.children, [], in_repeat=True)
        self.unused(node.row, {"type", "name", "label", "hint", "relevant", "repeat_count", "required", EXTRA})
        if not q["questions"]:
            self.report.add("survey", node.row.number, f"{node.kind} `{node.row.get('name')}` has no question left "
                                                       "to ask: it is left out")
            return None
        return kept(q)

    # -- the whole form ---------------------------------------------------------------------------------------------
    def document(self) -> dict[str, Any]:
        if "survey" not in self.book.sheets:
            self.error(None, "", "the workbook has no 'survey' sheet", "name the sheet of questions `survey`",
                       sheet="survey")
            raise WorkbookInvalid(self.errors)
        missing = [h for h in ("type", "name") if h not in self.book.headers["survey"]]
        for header in missing:
            self.errors.append(Located(self.book.name, "survey", self.book.header_rows.get("survey", 1), header,
                                       f"the header has no `{header}` column", f"add a `{header}` column"))
        if missing:
            raise WorkbookInvalid(self.errors)
        pages = self.pages(self.tree())
        s, extra = self.settings, self.extras(self.settings)
        stem = Path(self.book.name).stem
        doc: dict[str, Any] = {"id": slug(s.get("form_id") or stem), "version": s.cells.get("version") or "1",
                               "title": extra.get("title") or self.text(s, "form_title") or s.get("form_id") or stem,
                               "language": self.default, "languages": extra.get("languages")
                               or (self.all_languages if len(self.all_languages) > 1 else None),
                               "mission": extra.get("mission"), "introduction": self.text(s, "introduction"),
                               "privacy_notice": self.text(s, "privacy_notice"), "pages": pages}
        if not s.cells.get("version"):
            self.report.add("settings", 0, "no `version`: `1` is used")
        if not doc["privacy_notice"]:
            doc["privacy_notice"] = PLACEHOLDER_NOTICE
            self.report.add("settings", 0, "no `privacy_notice`: a placeholder marked “À COMPLÉTER” is used — write "
                                           "the real notice before collecting answers")
        order_calculations(pages, self.report, self.origin)
        if not any(self.answerable(page["questions"]) for page in pages) and not self.errors:
            self.error(None, "", "no question that can be answered is left once what cannot be carried over is "
                       "taken out", "add questions to the survey sheet", "survey")
        if self.errors:
            raise WorkbookInvalid(self.errors)
        return {k: v for k, v in doc.items() if v not in (None, "")}

    @staticmethod
    def answerable(questions: list[dict[str, Any]]) -> bool:
        """Whether any of these questions asks something (a note or a calculation does not)."""
        return any(q["type"] not in ("note", "calculate") for q in questions)

    def locate(self, question: str | None, message: str, fix: str) -> Located:
        row = self.origin.get(question or "")
        return Located(self.book.name, row.sheet if row else "", row.number if row else 0, "", message, fix)


def convert(book: Workbook) -> tuple[Questionnaire, ConversionReport]:
    """Rows of an XLSForm workbook → our questionnaire and the report of what was not carried over."""
    importer = _Importer(book)
    doc = importer.document()
    try:
        text = to_yaml(Questionnaire.model_validate(doc))
        return parse_questionnaire(text, book.name), importer.report
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = list(err["loc"])
            name = None
            if len(loc) >= 4 and loc[0] == "pages" and loc[2] == "questions":
                name = doc["pages"][loc[1]]["questions"][loc[3]].get("name")
            problems.append(importer.locate(name, f"`{loc[-1]}`: {err['msg'].lower()}", "correct the cell"))
        raise WorkbookInvalid(problems) from None
    except QuestionnaireInvalid as exc:
        raise WorkbookInvalid([importer.locate(p.question, p.message, p.fix) for p in exc.problems]) from None


def import_xlsform(path: str | Path) -> tuple[Questionnaire, ConversionReport]:
    """Read an `.xlsx` or `.xls` XLSForm; raise `WorkbookInvalid` with located problems when it is broken."""
    # An import builds millions of small objects that live until it ends and hold no cycle to collect: the cyclic
    # collector's full passes over them grow with the heap and made the time grow faster than the rows. The
    # caps of `read_workbook` bound what is built; the collector runs again as soon as the import is over.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return convert(read_workbook(path))
    finally:
        if was_enabled:
            gc.enable()
