"""Structural checks of a questionnaire document, question by question, before the model sees it.  PURE."""

from __future__ import annotations

from typing import Any

from survey.errors import ErrorCode
from survey.schema.problems import Collector, Path_, suggest
from survey.schema.types import COMMON_FIELDS, QUESTION_TYPES, SPECIAL_ANSWERS

_ANY_OPTION = frozenset().union(*(t.options for t in QUESTION_TYPES.values()))
_TEXT_FIELDS = ("title", "introduction", "privacy_notice", "label", "help", "constraint_message", "unit")


def check_document(col: Collector, data: dict) -> None:
    """Every page and question: unique ids and names, fields that fit the type, choices, scales, ranges, texts."""
    languages = _languages(data)
    _check_texts(col, data, (), languages)
    pages = data.get("pages")
    if not isinstance(pages, list) or not pages:
        col.add(("pages",), ErrorCode.EMPTY_PAGES)
        return
    names: dict[str, str] = {}
    page_ids: dict[str, str] = {}
    for i, page in enumerate(pages):
        if not isinstance(page, dict):
            continue
        pid = page.get("id")
        if isinstance(pid, str):
            if pid in page_ids:
                col.add(("pages", i, "id"), ErrorCode.DUPLICATE_PAGE, value=pid, other_line=page_ids[pid])
            page_ids.setdefault(pid, col.where(("pages", i, "id")))
        _check_texts(col, page, ("pages", i), languages)
        questions = page.get("questions")
        if not isinstance(questions, list) or not questions:
            col.add(("pages", i), ErrorCode.EMPTY_PAGE, value=pid or i + 1)
            continue
        for j, q in enumerate(questions):
            if isinstance(q, dict):
                check_question(col, q, ("pages", i, "questions", j), names, languages)


def _languages(data: dict) -> list[str]:
    default = data.get("language", "fr")
    others = data.get("languages") or []
    return [str(default), *(str(lang) for lang in others if isinstance(others, list))]


def _check_texts(col: Collector, node: dict, path: Path_, languages: list[str]) -> None:
    """A text given per language must have the default language, and only declared ones."""
    for field in _TEXT_FIELDS:
        check_text(col, node.get(field), path + (field,), languages)
    for k, label in enumerate(node.get("scale") or [] if isinstance(node.get("scale"), list) else []):
        check_text(col, label, path + ("scale", k), languages)
    for key in ("choices", "items"):
        entries = node.get(key)
        for k, entry in enumerate(entries if isinstance(entries, list) else []):
            if isinstance(entry, dict):
                check_text(col, entry.get("label"), path + (key, k, "label"), languages)


def check_text(col: Collector, value: Any, path: Path_, languages: list[str]) -> None:
    """A text given per language has the default language, and only declared ones."""
    if not isinstance(value, dict):
        return
    unknown = [str(lang) for lang in value if lang not in languages]
    if unknown:
        col.add(path, ErrorCode.BAD_LANGUAGE, detail=f"language `{unknown[0]}` is not declared",
                fix=f"add it to `languages:` or use one of: {', '.join(languages)}")
    if languages[0] not in value:
        col.add(path, ErrorCode.BAD_LANGUAGE, detail=f"no text in the default language `{languages[0]}`",
                fix=f"add `{languages[0]}:` — it is shown when a translation is missing")


def check_question(col: Collector, q: dict, path: Path_, names: dict[str, str], languages: list[str],
                   in_repeat: bool = False) -> None:
    """One question: its type, name, fields, and what its type needs."""
    type_name = q.get("type")
    qtype = QUESTION_TYPES.get(type_name) if isinstance(type_name, str) else None
    if type_name is not None and qtype is None:
        col.add(path + ("type",), ErrorCode.UNKNOWN_TYPE, value=type_name, allowed=", ".join(QUESTION_TYPES),
                suggestion=suggest(str(type_name), list(QUESTION_TYPES)))
    _check_name(col, q.get("name"), path, names)
    _check_texts(col, q, path, languages)
    allowed = COMMON_FIELDS | (qtype.options if qtype else _ANY_OPTION)
    for key in q:
        if key in allowed:
            continue
        if key in _ANY_OPTION and qtype is not None:
            code = ErrorCode.CHOICES_NOT_ALLOWED if key == "choices" else ErrorCode.OPTION_NOT_ALLOWED
            col.add(path + (key,), code, field=key, type=qtype.name)
        else:
            col.add(path + (key,), ErrorCode.UNKNOWN_FIELD, field=key, suggestion=suggest(key, allowed))
    if qtype is None:
        return
    if not q.get("label") and qtype.name != "calculate":
        col.add(path, ErrorCode.NO_LABEL, type=qtype.name)
    _check_choices(col, q, path, qtype.needs_choices)
    scale, items = q.get("scale"), q.get("items")
    if qtype.name == "likert" and (not isinstance(scale, list) or not 2 <= len(scale) <= 11):
        col.add(path + ("scale",), ErrorCode.BAD_SCALE)
    if qtype.name == "matrix":
        if not isinstance(items, list) or not items or not (scale or q.get("choices")):
            col.add(path + ("items",), ErrorCode.NO_ITEMS)
        elif isinstance(scale, list) and not 2 <= len(scale) <= 11:
            col.add(path + ("scale",), ErrorCode.BAD_SCALE)
        seen: set[str] = set()
        for k, item in enumerate(items if isinstance(items, list) else []):
            item_name = item.get("name") if isinstance(item, dict) else None
            if isinstance(item_name, str) and item_name in seen:
                col.add(path + ("items", k, "name"), ErrorCode.DUPLICATE_CODE, value=item_name)
            seen.add(str(item_name))
    if qtype.name == "calculate" and not q.get("calculation"):
        col.add(path, ErrorCode.NO_CALCULATION)
    if qtype.name == "repeat":
        inner = q.get("questions")
        if in_repeat:
            col.add(path, ErrorCode.NESTED_REPEAT)
        elif not isinstance(inner, list) or not inner:
            col.add(path + ("questions",), ErrorCode.NO_QUESTIONS)
        else:
            for k, sub in enumerate(inner):
                if isinstance(sub, dict):
                    check_question(col, sub, path + ("questions", k), names, languages, in_repeat=True)
    _check_range(col, q, path)


def _check_name(col: Collector, name: Any, path: Path_, names: dict[str, str]) -> None:
    if not isinstance(name, str):
        return
    if "__" in name:
        col.add(path + ("name",), ErrorCode.BAD_NAME, value=name)
    elif name in names:
        col.add(path + ("name",), ErrorCode.DUPLICATE_NAME, value=name, other_line=names[name])
    else:
        names[name] = col.where(path + ("name",))


def _check_choices(col: Collector, q: dict, path: Path_, needed: bool) -> None:
    choices = q.get("choices")
    if needed and path not in col.unread_choice_files and (not isinstance(choices, list) or len(choices) < 2):
        col.add(path + ("choices",), ErrorCode.NO_CHOICES, type=q.get("type"))
    if not isinstance(choices, list):
        return
    seen: set[str] = set()
    reserved = {code: "special answers" for code in SPECIAL_ANSWERS}
    if q.get("other"):
        reserved["other"] = "“Other, please specify” (`other: true`)"
    for i, choice in enumerate(choices):
        code = str(choice.get("code")) if isinstance(choice, dict) and "code" in choice else None
        if code is None:
            continue
        if code in seen:
            col.add(path + ("choices", i, "code"), ErrorCode.DUPLICATE_CODE, value=code)
        elif code in reserved:
            col.add(path + ("choices", i, "code"), ErrorCode.RESERVED_CODE, value=code, what=reserved[code])
        seen.add(code)


def _check_range(col: Collector, q: dict, path: Path_) -> None:
    low, high = q.get("min"), q.get("max")
    try:
        if low is not None and high is not None and low > high:
            col.add(path + ("min",), ErrorCode.BAD_RANGE, min=low, max=high)
    except TypeError:
        pass  # mixed types: reported by check_bounds
    choices = q.get("choices")
    if q.get("type") == "ranking" and isinstance(choices, list):  # a bound no respondent could reach
        for bound in ("min", "max"):
            value = q.get(bound)
            if isinstance(value, int | float) and not isinstance(value, bool) and value > len(choices):
                col.add(path + (bound,), ErrorCode.WRONG_VALUE, field=bound,
                        detail=f"{value} options to rank, but the question has only {len(choices)}",
                        fix=f"give `{bound}:` at most {len(choices)}, or add choices")
