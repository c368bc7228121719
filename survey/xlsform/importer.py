"""XLSForm rows → our questionnaire, with a report of everything that could not be carried over.

Top-level groups become pages; consecutive questions outside any group form a page of their own; groups nested in
a page are flattened into it (their `relevant` joins each question's). A broken workbook raises `WorkbookInvalid`
with every problem located to a sheet, a row and a column.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from survey.errors import QuestionnaireInvalid
from survey.expressions import parse, to_text
from survey.schema.loader import parse_questionnaire, to_yaml
from survey.schema.model import Questionnaire
from survey.xlsform.expressions import BadExpression, Unsupported, from_xlsform
from survey.xlsform.mapping import CHOICE_RELEVANT, EXTRA, generated_terms, split
from survey.xlsform.reader import Located, Row, Workbook, WorkbookInvalid, read_workbook
from survey.xlsform.sheets import SheetReader
from survey.xlsform.tables import (
    CHOICE_TYPES,
    CONSUMED_APPEARANCES,
    NO,
    NOT_CARRIED,
    PLACEHOLDER_NOTICE,
    SIMPLE_TYPES,
    YES,
    ConversionReport,
    identifier,
    kept,
    slug,
)


@dataclass
class _Node:
    kind: str  # group, repeat, question
    row: Row
    children: list[_Node] = field(default_factory=list)


class _Importer(SheetReader):
    def __init__(self, book: Workbook):
        super().__init__(book)
        self.origin: dict[str, Row] = {}
        self.names, self.dropped = self._names()
        self.lists = self.choice_lists()

    def _names(self) -> tuple[dict[str, str], set[str]]:
        """Our name for every question (repeat groups and matrices included; not pages, not matrix rows)."""
        names: dict[str, str] = {}
        dropped, used, in_matrix = set(), set(), False
        for row in self.book.sheets.get("survey", []):
            name, kind = row.get("name"), re.sub(r"[\s_]+", " ", row.get("type").lower())
            if kind == "end group":
                in_matrix = False
            if not name or in_matrix or kind.startswith("end") or kind.split(" ")[0] in NOT_CARRIED:
                dropped |= {name} if name and kind.split(" ")[0] in NOT_CARRIED else set()
                continue
            if kind == "begin group":
                in_matrix = self.extras(row).get("type") == "matrix"
                if not in_matrix:
                    continue
            ours = base = identifier(name) or "q"
            n = 2
            while ours in used:
                ours, n = f"{base}_{n}", n + 1
            used.add(ours)
            names[name] = ours
            if ours != name:
                self.report.add("survey", row.number, f"name `{name}` renamed `{ours}` (lower-case letters, digits, "
                                                       "single underscores)")
        return names, dropped

    def rename(self, name: str) -> str:
        if name in self.dropped:
            raise Unsupported(f"it uses `${{{name}}}`, which is not carried over")
        if name not in self.names:
            raise BadExpression(f"`${{{name}}}` is not a question of this form")
        return self.names[name]

    def expr(self, row: Row, column: str, text: str | None = None, *, choice: bool = False) -> str | None:
        text = row.get(column) if text is None else text
        if not text:
            return None
        try:
            return from_xlsform(text, self.rename, in_choice_filter=choice)
        except Unsupported as exc:
            self.report.add(row.sheet, row.number, f"column '{column}': `{text}` is not carried over: {exc}")
        except BadExpression as exc:
            self.error(row, column, f"cannot read the expression `{text}`: {exc}",
                       "correct it: `${name}` for a question, `and`, `or`, `selected(${q}, 'code')`…")
        return None

    def choices(self, row: Row, list_name: str, special: list[str]) -> list[dict[str, Any]]:
        out = []
        for choice in self.lists[list_name]:
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
            kind = re.sub(r"[\s_]+", " ", row.get("type").lower())
            if not kind:
                self.error(row, "type", "the row has no type", "give it a type (e.g. `text`) or delete the row")
            elif kind.startswith("#"):
                continue
            elif kind in ("begin group", "begin repeat"):
                node = _Node(kind.split()[1], row)
                stack[-1].children.append(node)
                stack.append(node)
            elif kind in ("end group", "end repeat"):
                if stack[-1].kind != kind.split()[1]:
                    opened = f"`begin {stack[-1].kind}` of row {stack[-1].row.number}" if len(stack) > 1 else "nothing"
                    self.error(row, "type", f"`{kind}` closes {opened}", "match every `begin` with its own `end`")
                else:
                    stack.pop()
            else:
                stack[-1].children.append(_Node("question", row))
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
                self.report.add("survey", row.number, f"repeat `{row.get('name')}` inside a repeat is not carried "
                                                      "over, nor its questions")
            else:
                out.append(self.repeat(node, outer))
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
        name = self.names[row.get("name")]
        self.origin[name] = row
        label = self.text(row, "label")
        if not label and our_type != "calculate":
            label = row.get("name")
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
        words = row.get("type").split()
        kind, name = words[0], row.get("name")
        if kind in NOT_CARRIED:
            self.report.add("survey", row.number, f"`{name}`: {NOT_CARRIED[kind]} (type `{kind}`) is not carried over")
            return None
        if kind not in SIMPLE_TYPES and kind not in CHOICE_TYPES:
            known = [*SIMPLE_TYPES, *CHOICE_TYPES]
            close = difflib.get_close_matches(kind, known, n=1)
            self.error(row, "type", f"unknown type '{kind}'", "use an XLSForm type such as " + ", ".join(known[:9])
                       + (f" (did you mean `{close[0]}`?)" if close else ""))
            return None
        if not name:
            self.error(row, "name", f"a `{kind}` question has no name", "give it a unique name")
            return None
        extra = self.extras(row)
        appearance = row.get("appearance").lower().split()
        used = {"type", "name", "label", "hint", "required", "relevant", "constraint", "constraint_message", EXTRA}
        our_type = extra.get("type") or SIMPLE_TYPES.get(kind) or CHOICE_TYPES[kind]
        if kind == "text" and "multiline" in appearance and "type" not in extra:
            our_type = "long_text"
        list_name = words[1] if kind in CHOICE_TYPES and len(words) > 1 else ""
        if kind in CHOICE_TYPES and list_name not in self.lists:
            self.error(row, "type", f"list `{list_name}` is not on the choices sheet" if list_name else
                       f"`{kind}` needs a list name", f"write `{kind} LIST` and add the list to the choices sheet")
            return None
        codes = [c["code"] for c in self.lists.get(list_name, [])]
        if kind in ("select_one", "select1") and "type" not in extra:
            if {"minimal", "autocomplete"} & set(appearance):
                our_type = "dropdown"
            elif "likert" in appearance and codes == [str(i) for i in range(1, len(codes) + 1)]:
                our_type = "likert"
        params = dict(p.split("=", 1) for p in re.split(r"[\s;,]+", row.get("parameters")) if "=" in p)
        if kind == "range":
            our_type = self.range(row, params, extra)
        q = self.common(row, outer, our_type, extra)
        if our_type == "likert":
            q["scale"] = [c["label"] for c in self.lists[list_name]]
        elif kind in CHOICE_TYPES and our_type != "yes_no":
            q["choices"] = self.choices(row, list_name, q.get("special_answers", []))
            q["other"] = "or_other" in words[2:]
            used |= {"choice_filter"}
            q["choice_filter"] = self.expr(row, "choice_filter", choice=True)
        if params.get("randomize", "").lower() == "true":
            q["randomize"] = True
        used |= {"parameters"} if kind == "range" or set(params) <= {"randomize"} else set()
        if our_type == "calculate":
            used |= {"calculation"}
            q["calculation"] = self.expr(row, "calculation")
        ok, own = split(row.get("constraint"), generated_terms(our_type, extra))
        if not ok:
            self.report.add("survey", row.number, "the constraint was edited: `min`/`max` kept apart from it")
        q["constraint"] = self.expr(row, "constraint", own) or q.get("constraint")
        q["constraint_message"] = self.text(row, "constraint_message") or q.get("constraint_message")
        self.unused(row, used)
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

    def repeat(self, node: _Node, outer: list[str]) -> dict[str, Any]:
        extra = self.extras(node.row)
        q = self.common(node.row, outer, "repeat", extra)
        q["repeat_count"] = self.expr(node.row, "repeat_count")
        q["questions"] = self.flatten(node.children, [], in_repeat=True)
        self.unused(node.row, {"type", "name", "label", "hint", "relevant", "repeat_count", "required", EXTRA})
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
        if not pages and not self.errors:
            self.error(None, "", "no question can be carried over", "add questions to the survey sheet", "survey")
        if self.errors:
            raise WorkbookInvalid(self.errors)
        return {k: v for k, v in doc.items() if v not in (None, "")}

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
    return convert(read_workbook(path))
