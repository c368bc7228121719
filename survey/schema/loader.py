"""Questionnaire files (YAML) → `Questionnaire`, with every problem located to a line.  PURE."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from survey.errors import ErrorCode, Problem, QuestionnaireInvalid
from survey.schema.checks import check_document
from survey.schema.choice_lists import resolve_choice_files
from survey.schema.disclosure_checks import check_disclosure
from survey.schema.interview import InterviewGrid
from survey.schema.interview_checks import grid_from_data
from survey.schema.logic_checks import check_logic
from survey.schema.mission_lists import resolve_mission_lists
from survey.schema.model import Questionnaire
from survey.schema.problems import Collector, Path_, suggest
from survey.schema.quota_checks import check_quotas
from survey.schema.scope import Entry, entries_of, salvage
from survey.schema.yaml_limits import MAX_FILE_BYTES, MAX_NODES, CountingComposer, LimitExceeded, check_alias_expansion


class _Loader(CountingComposer, yaml.SafeLoader):
    """YAML 1.2 booleans only: `code: no` or `code: on` stay text, as an evaluator means them; aliases and the
    number of values limited (`survey.schema.yaml_limits`) before anything is unfolded."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _compose(text: str, filename: str, max_nodes: int | None = None) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML, remembering the line of every mapping key and list item."""
    try:
        loader = _Loader(text)
        loader.max_nodes = max_nodes
    except yaml.reader.ReaderError as exc:  # a control character, refused before parsing starts
        what, fix = ErrorCode.YAML_SYNTAX.format(detail=f"character #x{exc.character:04x} is not allowed")
        line = text.count("\n", 0, exc.position) + 1
        raise QuestionnaireInvalid([Problem(filename, line, None, what, fix, "YAML_SYNTAX")]) from None
    lines: dict[Path_, int] = {}
    try:
        root = loader.get_single_node()
        check_alias_expansion(root, loader.alias_uses)

        def build(node: yaml.Node, path: Path_) -> Any:
            lines.setdefault(path, node.start_mark.line + 1)
            if isinstance(node, yaml.MappingNode):
                out: dict[Any, Any] = {}
                for key_node, value_node in node.value:
                    key = loader.construct_object(key_node, deep=True)
                    lines[path + (str(key),)] = key_node.start_mark.line + 1
                    out[str(key)] = build(value_node, path + (str(key),))
                return out
            if isinstance(node, yaml.SequenceNode):
                return [build(item, path + (i,)) for i, item in enumerate(node.value)]
            return loader.construct_object(node, deep=True)

        data = build(root, ()) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        what, fix = ErrorCode.YAML_SYNTAX.format(detail=getattr(exc, "problem", None) or str(exc))
        line = mark.line + 1 if mark else 1
        raise QuestionnaireInvalid([Problem(filename, line, None, what, fix, "YAML_SYNTAX")]) from None
    except LimitExceeded as exc:
        what, fix = ErrorCode.FILE_LIMIT.format(detail=exc.detail, fix=exc.fix)
        raise QuestionnaireInvalid([Problem(filename, exc.line, None, what, fix, "FILE_LIMIT")]) from None
    except RecursionError:
        what, fix = ErrorCode.YAML_SYNTAX.format(detail="an alias (`*name`) contains itself, or nesting is too deep")
        raise QuestionnaireInvalid([Problem(filename, 1, None, what, fix, "YAML_SYNTAX")]) from None
    finally:
        loader.dispose()
    return data, lines


def _pydantic_problems(col: Collector, exc: ValidationError) -> None:
    for err in exc.errors():
        loc = tuple(err["loc"])
        field = str(loc[-1]) if loc else "file"
        kind = err["type"]
        if kind == "missing":
            col.add(loc[:-1], ErrorCode.MISSING_FIELD, field=field)
        elif kind == "extra_forbidden":
            if len(loc) >= 3 and loc[-3] == "questions":
                continue  # reported by check_question with the type in mind
            col.add(loc, ErrorCode.UNKNOWN_FIELD, field=field, suggestion=suggest(field, _known_fields(loc)))
        elif field == "type" and kind == "literal_error":
            continue  # reported by _check_question with a suggestion
        elif kind == "string_pattern_mismatch" and field == "name":
            col.add(loc, ErrorCode.BAD_NAME, value=err.get("input"))
        else:
            col.add(loc, ErrorCode.WRONG_VALUE, field=field, detail=err["msg"].lower(), fix=_fix_for(kind, field))


def _known_fields(loc: Path_) -> list[str]:
    """The fields of the object holding the unknown one, for a did-you-mean suggestion."""
    from survey.schema.disclosure import DisclosureBlock, ProfileSpec
    from survey.schema.model import Choice, Item, Mission, Page, Quota, QuotaCell

    container = loc[-3] if len(loc) >= 3 and isinstance(loc[-2], int) else loc[-2] if len(loc) >= 2 else None
    if len(loc) >= 3 and loc[-3] == "profiles":
        container = "profiles"
    model = {"choices": Choice, "items": Item, "pages": Page, "mission": Mission, None: Questionnaire,
             "disclosure": DisclosureBlock, "profiles": ProfileSpec, "quotas": Quota,
             "cells": QuotaCell}.get(container)
    return list(model.model_fields) if model else []


def _fix_for(kind: str, field: str) -> str:
    if field == "id":
        return "use lower-case letters, digits and dashes (e.g. `budget-participatif-2026`)"
    if field == "code":
        return "use letters, digits, `_`, `.` or `-` (e.g. `affiches`)"
    if kind.startswith("date"):
        return "write the date as YYYY-MM-DD"
    if kind.startswith("too_short"):
        return f"give `{field}` at least one entry or some text"
    if kind.startswith(("int", "float", "bool")):
        return f"give `{field}` a value of the right kind"
    return f"correct `{field}` as the README's questionnaire format describes"


def _check_bounds(col: Collector, entries: list[Entry]) -> None:
    """A date question's bounds are dates, any other's are numbers: answers are compared with them."""
    for entry in entries:
        q = entry.question
        for bound in ("min", "max"):
            value = getattr(q, bound) if q is not None else None
            if q is None or value is None or isinstance(value, dt.date) == (q.type == "date"):
                continue
            dated = q.type == "date"
            want, fix = ("a date", "write it as YYYY-MM-DD") if dated else ("a number", "write a number")
            col.add(entry.path + (bound,), ErrorCode.WRONG_VALUE, field=bound,
                    detail=f"a question of type `{q.type}` needs {want}", fix=fix)


def parse_questionnaire(text: str, filename: str = "<questionnaire>", base_dir: Path | None = None,
                        *, max_nodes: int | None = None) -> Questionnaire:
    """Parse questionnaire YAML; raise `QuestionnaireInvalid` listing every problem, located.

    `base_dir` is the folder `choices_from` CSV files are read from (the questionnaire file's own). Aliases are
    always limited; `max_nodes` also limits the number of values (files people write: `MAX_NODES`).
    """
    data, lines = _compose(text, filename, max_nodes)
    return questionnaire_from_data(data, filename, base_dir, lines=lines)


def questionnaire_from_data(data: Any, filename: str = "<questionnaire>", base_dir: Path | None = None, *,
                            lines: Mapping[Path_, int] | None = None) -> Questionnaire:
    """Check a questionnaire document already read into dicts and lists; raise `QuestionnaireInvalid` listing
    every problem.

    The checks `parse_questionnaire` runs once the YAML is read, without the YAML: an XLSForm import builds its
    document in memory. Each problem carries its `path` in the document and the line `lines` gives that path
    (or the nearest part holding it; 1 when `lines` is not given), so a caller with other places — a workbook's
    sheets and rows — locates it itself.
    """
    col = Collector(filename, data, lines or {})
    if not isinstance(data, dict):
        col.add((), ErrorCode.NOT_A_MAPPING)
        raise QuestionnaireInvalid(col.problems)
    resolve_choice_files(col, data, base_dir)
    resolve_mission_lists(col, data, base_dir)
    check_document(col, data)
    try:
        questionnaire: Questionnaire | None = Questionnaire.model_validate(data)
    except ValidationError as exc:
        _pydantic_problems(col, exc)
        questionnaire = None
    if questionnaire is not None:
        pages = [(("pages", i, "relevant"), p.relevant) for i, p in enumerate(questionnaire.pages) if p.relevant]
        entries = entries_of(questionnaire)
    else:  # every problem in one pass: check each question that can be checked on its own
        pages, entries = salvage(data)
    _check_bounds(col, entries)
    check_logic(col, pages, entries)
    if questionnaire is not None:
        check_disclosure(col, questionnaire, entries)
        check_quotas(col, questionnaire)
    if col.problems or questionnaire is None:
        unique = list(dict.fromkeys(col.problems))
        raise QuestionnaireInvalid(unique)
    return questionnaire


def _read(path: Path) -> str:
    """A questionnaire or grid file's text; `QuestionnaireInvalid` when it cannot be read or is too large."""
    try:
        with path.open("rb") as file:
            data = file.read(MAX_FILE_BYTES + 1)  # never more than the limit in memory, whatever the file's size
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise QuestionnaireInvalid(
            [Problem(str(path), 1, None, f"cannot read the file: {reason}", "check the path and save it as UTF-8")]
        ) from None
    if len(data) > MAX_FILE_BYTES:
        what, fix = ErrorCode.FILE_LIMIT.format(
            detail=f"the file is larger than {MAX_FILE_BYTES:,} bytes",
            fix="split the questionnaire, or move long choice lists to `choices_from` CSV files")
        raise QuestionnaireInvalid([Problem(str(path), 1, None, what, fix, "FILE_LIMIT")])
    return text


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Read and parse one questionnaire file (an interview grid is refused, saying so)."""
    document = load_document(path)
    if isinstance(document, InterviewGrid):
        raise QuestionnaireInvalid([Problem(str(path), 1, None, "this file is an interview grid (`kind: interview`), "
                                            "not a questionnaire", "give a questionnaire file here")])
    return document


def parse_document(text: str, filename: str = "<questionnaire>", base_dir: Path | None = None,
                   *, max_nodes: int | None = None) -> Questionnaire | InterviewGrid:
    """Parse a file of the questionnaires folder: an interview grid when it says `kind: interview`, else a
    questionnaire; raise `QuestionnaireInvalid` listing every problem, located."""
    data, lines = _compose(text, filename, max_nodes)
    if isinstance(data, dict) and data.get("kind") == "interview":
        return grid_from_data(data, filename, base_dir, lines=lines)
    return questionnaire_from_data(data, filename, base_dir, lines=lines)


def load_document(path: str | Path) -> Questionnaire | InterviewGrid:
    """Read and parse one file of the questionnaires folder: a questionnaire or an interview grid."""
    path = Path(path)
    return parse_document(_read(path), str(path), path.parent, max_nodes=MAX_NODES)


def question_lines(path: str | Path) -> dict[str, int]:
    """The line of every question name in a questionnaire file (and of the top-level `disclosure:` block, under
    its own name); empty when the file cannot be read. Problems found after loading are located with it."""
    try:
        data, lines = _compose(Path(path).read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError, QuestionnaireInvalid):
        return {}
    found = {"disclosure": lines[("disclosure",)]} if ("disclosure",) in lines else {}
    pages = data.get("pages") if isinstance(data, dict) else None
    for i, page in enumerate(pages if isinstance(pages, list) else []):
        questions = page.get("questions") if isinstance(page, dict) else None
        for j, q in enumerate(questions if isinstance(questions, list) else []):
            inner = q.get("questions") if isinstance(q, dict) else None
            for path_, question in [(("pages", i, "questions", j), q),
                                    *((("pages", i, "questions", j, "questions", k), sub)
                                      for k, sub in enumerate(inner if isinstance(inner, list) else []))]:
                if isinstance(question, dict) and isinstance(question.get("name"), str):
                    found.setdefault(question["name"], lines.get(path_ + ("name",), lines.get(path_, 1)))
    return found


class _Dumper(yaml.SafeDumper):
    """PyYAML writes NEL (U+0085) raw inside single quotes, where it reads back as a space."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"' if "\x85" in value else None)


_Dumper.add_representer(str, _represent_str)


def to_yaml(questionnaire: Questionnaire) -> str:
    """Write a questionnaire back as YAML that `parse_questionnaire` reads to an equal model."""
    data = questionnaire.model_dump(mode="json", exclude_defaults=True)
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
