"""Questionnaire files (YAML) → `Questionnaire`, with every problem located to a line.  PURE."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from survey.errors import ErrorCode, Problem, QuestionnaireInvalid
from survey.schema.model import Questionnaire
from survey.schema.types import COMMON_FIELDS, QUESTION_TYPES

Path_ = tuple[str | int, ...]


class _Loader(yaml.SafeLoader):
    """YAML 1.2 booleans only: `code: no` or `code: on` stay text, as an evaluator means them."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _compose(text: str, filename: str) -> tuple[Any, dict[Path_, int]]:
    """Parse YAML, remembering the line of every mapping key and list item."""
    try:
        loader = _Loader(text)
    except yaml.reader.ReaderError as exc:  # a control character, refused before parsing starts
        what, fix = ErrorCode.YAML_SYNTAX.format(detail=f"character #x{exc.character:04x} is not allowed")
        line = text.count("\n", 0, exc.position) + 1
        raise QuestionnaireInvalid([Problem(filename, line, None, what, fix, "YAML_SYNTAX")]) from None
    lines: dict[Path_, int] = {}
    try:
        root = loader.get_single_node()

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
    except RecursionError:
        what, fix = ErrorCode.YAML_SYNTAX.format(detail="an alias (`*name`) contains itself, or nesting is too deep")
        raise QuestionnaireInvalid([Problem(filename, 1, None, what, fix, "YAML_SYNTAX")]) from None
    finally:
        loader.dispose()
    return data, lines


class _Collector:
    """Gathers problems, locating each from its path in the document."""

    def __init__(self, filename: str, data: Any, lines: dict[Path_, int]):
        self.filename, self.data, self.lines = filename, data, lines
        self.problems: list[Problem] = []

    def line(self, path: Path_) -> int:
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def question_name(self, path: Path_) -> str | None:
        if len(path) >= 4 and path[0] == "pages" and path[2] == "questions":
            try:
                name = self.data["pages"][path[1]]["questions"][path[3]].get("name")
            except (KeyError, IndexError, TypeError, AttributeError):
                return None
            return str(name) if name is not None else f"#{int(path[3]) + 1} of page {int(path[1]) + 1}"
        return None

    def add(self, path: Path_, code: ErrorCode, **params: Any) -> None:
        what, fix = code.format(**params)
        self.problems.append(Problem(self.filename, self.line(path), self.question_name(path), what, fix, code.name))


def _suggest(word: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(word, candidates, n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _pydantic_problems(col: _Collector, exc: ValidationError) -> None:
    for err in exc.errors():
        loc = tuple(err["loc"])
        field = str(loc[-1]) if loc else "file"
        kind = err["type"]
        if kind == "missing":
            col.add(loc[:-1], ErrorCode.MISSING_FIELD, field=field)
        elif kind == "extra_forbidden":
            if len(loc) == 5 and loc[2] == "questions":
                continue  # reported by _check_question with the type in mind
            col.add(loc, ErrorCode.UNKNOWN_FIELD, field=field, suggestion=_suggest(field, _known_fields(loc)))
        elif field == "type" and kind == "literal_error":
            continue  # reported by _check_question with a suggestion
        elif kind == "string_pattern_mismatch" and field == "name":
            col.add(loc, ErrorCode.BAD_NAME, value=err.get("input"))
        else:
            col.add(loc, ErrorCode.WRONG_VALUE, field=field, detail=err["msg"].lower(), fix=_fix_for(kind, field))


def _known_fields(loc: Path_) -> list[str]:
    from survey.schema.model import Choice, Mission, Page

    depth = {1: Questionnaire, 3: Page, 5: None}.get(len(loc))
    if loc and loc[0] == "mission":
        return list(Mission.model_fields)
    if len(loc) == 7 and loc[4] == "choices":
        return list(Choice.model_fields)
    return list(depth.model_fields) if depth else []


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


def _check_question(col: _Collector, q: dict, path: Path_, names: dict[str, int]) -> None:
    type_name = q.get("type")
    qtype = QUESTION_TYPES.get(type_name) if isinstance(type_name, str) else None
    if type_name is not None and qtype is None:
        col.add(path + ("type",), ErrorCode.UNKNOWN_TYPE, value=type_name, allowed=", ".join(QUESTION_TYPES),
                suggestion=_suggest(str(type_name), list(QUESTION_TYPES)))
    name = q.get("name")
    if isinstance(name, str):
        if "__" in name:
            col.add(path + ("name",), ErrorCode.BAD_NAME, value=name)
        elif name in names:
            col.add(path + ("name",), ErrorCode.DUPLICATE_NAME, value=name, other_line=names[name])
        else:
            names[name] = col.line(path + ("name",))
    allowed = COMMON_FIELDS | (qtype.options if qtype else frozenset())
    for key in q:
        if key in allowed or qtype is None and key in {"choices", "scale", "min", "max", "max_length"}:
            continue
        if any(key in t.options for t in QUESTION_TYPES.values()) and qtype is not None:
            if key == "choices":
                col.add(path + (key,), ErrorCode.CHOICES_NOT_ALLOWED, type=qtype.name)
            else:
                col.add(path + (key,), ErrorCode.OPTION_NOT_ALLOWED, field=key, type=qtype.name)
        else:
            col.add(path + (key,), ErrorCode.UNKNOWN_FIELD, field=key, suggestion=_suggest(key, sorted(allowed)))
    if qtype is None:
        return
    choices = q.get("choices")
    if qtype.needs_choices and (not isinstance(choices, list) or len(choices) < 2):
        col.add(path + ("choices",), ErrorCode.NO_CHOICES, type=qtype.name)
    if isinstance(choices, list):
        seen: set[str] = set()
        for i, choice in enumerate(choices):
            code = str(choice.get("code")) if isinstance(choice, dict) and "code" in choice else None
            if code is not None and code in seen:
                col.add(path + ("choices", i, "code"), ErrorCode.DUPLICATE_CODE, value=code)
            seen.add(code or "")
    scale = q.get("scale")
    if qtype.name == "likert" and (not isinstance(scale, list) or not 2 <= len(scale) <= 11):
        col.add(path + ("scale",), ErrorCode.BAD_SCALE)
    low, high = q.get("min"), q.get("max")
    try:
        if low is not None and high is not None and low > high:
            col.add(path + ("min",), ErrorCode.BAD_RANGE, min=low, max=high)
    except TypeError:
        pass  # mixed types: reported by the model


def _check_document(col: _Collector, data: dict) -> None:
    pages = data.get("pages")
    if not isinstance(pages, list) or not pages:
        col.add(("pages",), ErrorCode.EMPTY_PAGES)
        return
    names: dict[str, int] = {}
    page_ids: dict[str, int] = {}
    for i, page in enumerate(pages):
        if not isinstance(page, dict):
            continue
        pid = page.get("id")
        if isinstance(pid, str):
            if pid in page_ids:
                col.add(("pages", i, "id"), ErrorCode.DUPLICATE_PAGE, value=pid, other_line=page_ids[pid])
            page_ids.setdefault(pid, col.line(("pages", i, "id")))
        questions = page.get("questions")
        if not isinstance(questions, list) or not questions:
            col.add(("pages", i), ErrorCode.EMPTY_PAGE, value=pid or i + 1)
            continue
        for j, q in enumerate(questions):
            if isinstance(q, dict):
                _check_question(col, q, ("pages", i, "questions", j), names)


def _check_bounds(col: _Collector, questionnaire: Questionnaire) -> None:
    """A date question's bounds are dates, any other's are numbers: answers are compared with them."""
    for i, page in enumerate(questionnaire.pages):
        for j, q in enumerate(page.questions):
            for bound in ("min", "max"):
                value = getattr(q, bound)
                if value is None or isinstance(value, dt.date) == (q.type == "date"):
                    continue
                dated = q.type == "date"
                want, fix = ("a date", "write it as YYYY-MM-DD") if dated else ("a number", "write a number")
                col.add(("pages", i, "questions", j, bound), ErrorCode.WRONG_VALUE, field=bound,
                        detail=f"a question of type `{q.type}` needs {want}", fix=fix)


def parse_questionnaire(text: str, filename: str = "<questionnaire>") -> Questionnaire:
    """Parse questionnaire YAML; raise `QuestionnaireInvalid` listing every problem, located."""
    data, lines = _compose(text, filename)
    col = _Collector(filename, data, lines)
    if not isinstance(data, dict):
        col.add((), ErrorCode.NOT_A_MAPPING)
        raise QuestionnaireInvalid(col.problems)
    _check_document(col, data)
    try:
        questionnaire = Questionnaire.model_validate(data)
        _check_bounds(col, questionnaire)
    except ValidationError as exc:
        _pydantic_problems(col, exc)
        questionnaire = None
    if col.problems or questionnaire is None:
        unique = list(dict.fromkeys(col.problems))
        raise QuestionnaireInvalid(unique)
    return questionnaire


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Read and parse one questionnaire file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise QuestionnaireInvalid(
            [Problem(str(path), 1, None, f"cannot read the file: {reason}", "check the path and save it as UTF-8")]
        ) from None
    return parse_questionnaire(text, str(path))


class _Dumper(yaml.SafeDumper):
    """PyYAML writes NEL (U+0085) raw inside single quotes, where it reads back as a space."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style='"' if "\x85" in value else None)


_Dumper.add_representer(str, _represent_str)


def to_yaml(questionnaire: Questionnaire) -> str:
    """Write a questionnaire back as YAML that `parse_questionnaire` reads to an equal model."""
    data = questionnaire.model_dump(mode="json", exclude_defaults=True)
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
