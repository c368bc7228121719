"""XLSForm rows → our questionnaire, with a report of everything that could not be carried over.

Top-level groups become pages; consecutive questions outside any group form a page of their own; groups nested in
a page are flattened into it (their `relevant` joins each question's). A broken workbook raises `WorkbookInvalid`
with every problem located to a sheet, a row and a column.
"""

from __future__ import annotations

import difflib
import gc
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from survey.errors import QuestionnaireInvalid
from survey.expressions import parse, to_text
from survey.schema.loader import questionnaire_from_data
from survey.schema.model import Questionnaire
from survey.schema.types import SPECIAL_ANSWERS
from survey.schema.yaml_limits import MAX_NODES, first_value_past
from survey.xlsform.expressions import BadExpression, Unsupported, from_xlsform
from survey.xlsform.mapping import CHOICE_RELEVANT, EXTRA, generated_terms, split
from survey.xlsform.order import order_calculations
from survey.xlsform.places import TOO_MANY_VALUES, check_file_size, place
from survey.xlsform.reader import Located, Row, Workbook, WorkbookInvalid, read_workbook
from survey.xlsform.rows import Node, SurveyRows
from survey.xlsform.stand_ins import StandIns
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
from survey.xlsform.types import known_spellings, read_type


class _Importer(StandIns, SurveyRows):
    """Converts the rows, page by page, into the questionnaire document; collects errors and report lines."""

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
            self.rows_of[id(entry)] = choice["_row"]
            out.append(entry)
        return out

    # -- the survey sheet -------------------------------------------------------------------------------------------
    def pages(self, nodes: list[Node]) -> list[dict[str, Any]]:
        pages, loose, ids = [], None, set()
        for node in nodes:
            extra = self.extras(node.row)
            if node.kind == "group" and extra.get("type") != "matrix":
                page_id = str(extra.get("id") or slug(node.row.get("name") or f"page-{len(pages) + 1}"))
                page = {"id": page_id, "title": self.text(node.row, "label"),
                        "relevant": self.expr(node.row, "relevant"), "questions": self.flatten(node.children, [])}
                self.unused(node.row, {"type", "name", "label", "relevant", "appearance", EXTRA})
                self.rows_of[id(page)] = node.row
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
                if id(page) in self.rows_of:
                    self.rows_of[id(kept[-1])] = self.rows_of[id(page)]
        return kept

    def flatten(self, nodes: list[Node], outer: list[str], in_repeat: bool = False) -> list[dict[str, Any]]:
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
        for key in ("min", "max", "max_length", "unit", "special_answers", "constraint", "constraint_message",
                    "disclosure"):
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

    def matrix(self, node: Node, outer: list[str]) -> dict[str, Any]:
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
        self.rows_of.update((id(entry), item.row) for entry, item in zip(q["items"], items, strict=True))
        entries = self.lists.get(list_name, [])
        if extra.get("scale"):
            q["scale"] = [c["label"] for c in entries]
        else:
            q["choices"] = self.choices(items[0].row, list_name, q.get("special_answers", [])) if entries else []
        return kept(q)

    def repeat(self, node: Node, outer: list[str]) -> dict[str, Any] | None:
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
                               "mission": extra.get("mission"), "disclosure": extra.get("disclosure"),
                               "quotas": extra.get("quotas") or [],
                               "introduction": self.text(s, "introduction"),
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

    def locate(self, doc: dict[str, Any], path: tuple[str | int, ...], message: str, fix: str) -> Located:
        """A problem at `path` of the document, located to the sheet, row and column it was read from."""
        settings = self.settings if "settings" in self.book.sheets else None
        row, column = place(doc, path, self.rows_of, self.origin, settings)
        return Located(self.book.name, row.sheet if row else "", row.number if row else 0, column, message, fix)


def convert(book: Workbook, file_limits: bool = True) -> tuple[Questionnaire, ConversionReport]:
    """Rows of an XLSForm workbook → our questionnaire and the report of what was not carried over.

    The document is checked as `survey validate` checks the file `survey import-xlsform` writes — the same data,
    without writing and reading YAML — each problem located to its sheet, row and column. With `file_limits`, it
    is refused when that file would pass the limits of questionnaire files (values, then bytes), which `survey
    validate` and `survey load` apply; benchmarks turn them off.
    """
    importer = _Importer(book)
    doc = importer.document()
    try:  # what `to_yaml` writes, so the checks see what the file will hold
        data = Questionnaire.model_validate(doc).model_dump(mode="json", exclude_defaults=True)
    except ValidationError:
        data = doc  # refused below, each problem worded as for a file (with a suggestion where one is close)
    past = first_value_past(data, MAX_NODES) if file_limits else None
    if past is not None:  # named at its question's row: a form is split between questions
        at = max((i for i, step in enumerate(past) if step == "questions"), default=len(past) - 2)
        raise WorkbookInvalid([importer.locate(doc, past[:at + 2], *TOO_MANY_VALUES)])
    try:
        questionnaire = questionnaire_from_data(data, book.name)
    except QuestionnaireInvalid as exc:
        raise WorkbookInvalid([importer.locate(doc, p.path, p.message, p.fix) for p in exc.problems]) from None
    if file_limits:
        check_file_size(book.name, questionnaire, data)
    return questionnaire, importer.report


def import_xlsform(path: str | Path, file_limits: bool = True) -> tuple[Questionnaire, ConversionReport]:
    """Read an `.xlsx` or `.xls` XLSForm; raise `WorkbookInvalid` with located problems when it is broken or its
    questionnaire file would pass the limits of questionnaire files (see `convert`)."""
    # An import builds millions of small objects that live until it ends and hold no cycle to collect: the cyclic
    # collector's full passes over them grow with the heap and made the time grow faster than the rows. The
    # caps of `read_workbook` bound what is built; the collector runs again as soon as the import is over.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return convert(read_workbook(path), file_limits)
    finally:
        if was_enabled:
            gc.enable()
