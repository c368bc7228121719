"""What a browser posts (text fields) → typed answers, one question type at a time.  PURE.

Field names: a question's own name; `{name}__{item}` for each row of a matrix; `{name}__{code}` for the rank
of each option of a ranking; `{name}__other` for the text of “Other, please specify”. A special answer is
posted as `@dont_know` or `@prefer_not_to_say`. Numbers are read as people type them in France (`3,5`,
`1 200`), dates as `25/11/2026` or ISO, times as `14:30` or `14h30`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from survey.logic import special
from survey.schema.model import Question
from survey.schema.types import SPECIAL_ANSWERS, Shape

Form = Mapping[str, Sequence[str]]
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?:\+33|0033|0)([1-9][0-9]{8})")


class Unreadable(ValueError):
    """A field that cannot be read as the question's type; `code` keys the message."""

    def __init__(self, code: str, kept: Any = None):
        super().__init__(code)
        self.code, self.kept = code, kept


def number(text: str) -> float:
    """A number as typed in France: `3,5`, `1 200`, `1 200,50`."""
    cleaned = re.sub(r"[\s\u202f\xa0]", "", text).replace(",", ".")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def date(text: str) -> dt.date:
    """ISO dates (what `<input type=date>` posts) and French ones typed by hand: 25/11/2026."""
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return dt.date(year, month, day)
    return dt.date.fromisoformat(text)


def time_of_day(text: str) -> str:
    """`14:30`, `14h30`, `14h` → `14:30` / `14:00`."""
    match = re.fullmatch(r"([01]?\d|2[0-3])\s*[:hH]\s*([0-5]\d)?", text)
    if not match:
        raise ValueError(text)
    return f"{int(match.group(1)):02d}:{match.group(2) or '00'}"


def _values(form: Form, field: str) -> list[str]:
    return [v.strip() for v in form.get(field, ()) if isinstance(v, str) and v.strip() != ""]


def read_answer(question: Question, form: Form) -> Any:
    """The typed answer a question's fields hold; None when empty. Raises `Unreadable` (keeping the text)."""
    values = _values(form, question.name)
    for value in values:
        if value.startswith("@") and value[1:] in SPECIAL_ANSWERS:
            return special(value[1:])
    shape = question.kind.shape
    if shape is Shape.CODES and question.type == "ranking":
        return _ranking(question, form)
    if shape is Shape.CODES:
        return list(dict.fromkeys(values))
    if shape is Shape.MATRIX:
        rows = {item.name: _values(form, f"{question.name}__{item.name}") for item in question.items}
        return {name: picked[0] for name, picked in rows.items() if picked}
    if shape in (Shape.NONE, Shape.COMPUTED, Shape.REPEAT) or not values:
        return None
    text = values[0] if shape is not Shape.TEXT else form[question.name][0].strip()
    try:
        return _typed(question, shape, text)
    except Unreadable:
        raise
    except ValueError:
        codes = {Shape.DATE: "not_date", Shape.TIME: "not_time", Shape.BOOLEAN: "unknown_option",
                 Shape.INTEGER: "not_number", Shape.DECIMAL: "not_number"}
        raise Unreadable(codes.get(shape, "not_text"), text) from None


def _typed(question: Question, shape: Shape, text: str) -> Any:
    if shape is Shape.INTEGER:
        value = number(text)
        if value != int(value):
            raise Unreadable("not_integer", text)
        return int(value)
    if shape is Shape.DECIMAL:
        return number(text)
    if shape is Shape.DATE:
        return date(text).isoformat()
    if shape is Shape.TIME:
        return time_of_day(text)
    if shape is Shape.BOOLEAN:
        if text not in ("1", "0"):
            raise ValueError(text)
        return text == "1"
    if question.type == "email":
        if not EMAIL.fullmatch(text):
            raise Unreadable("not_email", text)
        return text
    if question.type == "phone":
        digits = re.sub(r"[\s.\-()]", "", text)
        match = PHONE.fullmatch(digits)
        if not match:
            raise Unreadable("not_phone", text)
        return "0" + match.group(1)
    return text


def _ranking(question: Question, form: Form) -> list[str]:
    """Ranks posted per option (`{name}__{code}` = 1, 2…) → codes in rank order; ranks must not repeat."""
    ranks: dict[str, int] = {}
    for choice in question.options():
        picked = _values(form, f"{question.name}__{choice.code}")
        if picked:
            try:
                ranks[choice.code] = int(picked[0])
            except ValueError:
                raise Unreadable("bad_ranking") from None
    if len(set(ranks.values())) != len(ranks) or sorted(ranks.values()) != list(range(1, len(ranks) + 1)):
        raise Unreadable("bad_ranking")
    return sorted(ranks, key=ranks.__getitem__)


def form_values(question: Question, answer: Any) -> dict[str, list[str]]:
    """A typed answer back to the fields that show it (to refill a page)."""
    name = question.name
    if isinstance(answer, dict) and set(answer) == {"special"}:
        return {name: [f"@{answer['special']}"]}
    if answer is None:
        return {}
    shape = question.kind.shape
    if question.type == "ranking" and isinstance(answer, list):
        return {f"{name}__{code}": [str(rank)] for rank, code in enumerate(answer, start=1)}
    if shape is Shape.MATRIX and isinstance(answer, dict):
        return {f"{name}__{item}": [str(code)] for item, code in answer.items()}
    if shape is Shape.CODES and isinstance(answer, list):
        return {name: [str(v) for v in answer]}
    if shape is Shape.BOOLEAN:
        return {name: ["1" if answer else "0"]}
    return {name: [str(answer)]}


MAX_REPEATS = 200


def repeat_count(question: Question, form: Form) -> int:
    """How many instances of a repeat group the page holds (its hidden `{name}__count` field)."""
    try:
        count = int((form.get(f"{question.name}__count") or ["0"])[0])
    except ValueError:
        return 0
    return max(0, min(count, MAX_REPEATS))


def read_instances(question: Question, form: Form) -> tuple[list[dict[str, Any]], tuple[int, str, str] | None]:
    """A repeat group's instances from fields `{repeat}__{i}__{question}`; the first unreadable one as
    (instance number, question, code)."""
    instances: list[dict[str, Any]] = []
    problem = None
    for i in range(repeat_count(question, form)):
        prefix = f"{question.name}__{i}__"
        sub_form = {key[len(prefix):]: value for key, value in form.items() if key.startswith(prefix)}
        instance: dict[str, Any] = {}
        for sub in question.questions:
            if not sub.kind.answerable and sub.type != "consent":
                continue
            try:
                value = read_answer(sub, sub_form)
            except Unreadable as exc:
                problem = problem or (i + 1, sub.name, exc.code)
                continue
            if value not in (None, "", [], {}):
                instance[sub.name] = value
            other = _values(sub_form, f"{sub.name}__other") if sub.other else []
            if other:
                instance[f"{sub.name}__other"] = other[0]
        instances.append(instance)
    return instances, problem
