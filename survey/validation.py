"""Answers against a questionnaire → typed values and issues named by question.  PURE.

Two steps, both used by the web form and by tests:
`read_page` turns what a browser posts (text) into typed answers;
`validate_answers` checks a whole answer set against every rule before it is stored.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from survey.schema.model import Page, Question, Questionnaire
from survey.schema.types import Shape

Answer = str | list[str] | int | float | bool | None


@dataclass(frozen=True)
class AnswerIssue:
    """A problem with one question's answer; `code` keys a message in `survey.messages`."""

    question: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


def _number(text: str) -> float:
    """Numbers as people type them in France: `3,5`, `1 200`."""
    cleaned = text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def _date(text: str) -> dt.date:
    """ISO dates (what `<input type=date>` posts) and French ones typed by hand: 25/11/2026."""
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return dt.date(year, month, day)
    return dt.date.fromisoformat(text)


def parse_answer(question: Question, raw: Sequence[str]) -> tuple[Answer, AnswerIssue | None]:
    """Turn posted form values into a typed answer; an empty field is `None`."""
    values = [v.strip() for v in raw if v is not None and v.strip() != ""]
    shape = question.kind.shape
    if shape is Shape.CODES:
        return list(dict.fromkeys(values)), None
    if not values:
        return None, None
    text = values[0] if shape is not Shape.TEXT else raw[0].strip()
    try:
        if shape is Shape.INTEGER:
            number = _number(text)
            if number != int(number):
                return text, AnswerIssue(question.name, "not_integer")
            return int(number), None
        if shape is Shape.DECIMAL:
            return _number(text), None
        if shape is Shape.DATE:
            return _date(text).isoformat(), None
        if shape is Shape.BOOLEAN:
            if text not in ("1", "0"):
                return text, AnswerIssue(question.name, "unknown_option")
            return text == "1", None
    except ValueError:  # keep what was typed, to refill the form with it
        return text, AnswerIssue(question.name, {Shape.DATE: "not_date"}.get(shape, "not_number"))
    return text, None


def _is_empty(value: Answer) -> bool:
    return value is None or value == "" or value == []


def check_answer(question: Question, value: Answer) -> AnswerIssue | None:
    """Check one typed answer against its question's rules."""
    name = question.name
    if _is_empty(value):
        return AnswerIssue(name, "required") if question.required else None
    shape = question.kind.shape
    codes = question.codes
    if shape is Shape.CODE:
        if not isinstance(value, str) or value not in codes:
            return AnswerIssue(name, "unknown_option")
    elif shape is Shape.CODES:
        if not isinstance(value, list) or any(not isinstance(v, str) or v not in codes for v in value):
            return AnswerIssue(name, "unknown_option")
        if len(set(value)) != len(value):
            return AnswerIssue(name, "unknown_option")
        return _check_range(question, len(value), "too_few_choices", "too_many_choices")
    elif shape is Shape.TEXT:
        if not isinstance(value, str):
            return AnswerIssue(name, "not_text")
        if question.max_length and len(value) > question.max_length:
            return AnswerIssue(name, "too_long", {"max": question.max_length})
    elif shape is Shape.BOOLEAN:
        if not isinstance(value, bool):
            return AnswerIssue(name, "unknown_option")
    elif shape is Shape.DATE:
        try:
            day = dt.date.fromisoformat(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return AnswerIssue(name, "not_date")
        return _check_range(question, day, "too_early", "too_late")
    elif question.type == "likert":
        if isinstance(value, bool) or not isinstance(value, int) or str(value) not in codes:
            return AnswerIssue(name, "unknown_option")
    elif shape is Shape.INTEGER:
        if isinstance(value, bool) or not isinstance(value, int):
            return AnswerIssue(name, "not_integer")
        return _check_range(question, value, "too_small", "too_large")
    elif shape is Shape.DECIMAL:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            return AnswerIssue(name, "not_number")
        return _check_range(question, value, "too_small", "too_large")
    return None


def _check_range(question: Question, value: Any, below: str, above: str) -> AnswerIssue | None:
    if question.min is not None and value < question.min:
        return AnswerIssue(question.name, below, {"min": question.min, "max": question.max})
    if question.max is not None and value > question.max:
        return AnswerIssue(question.name, above, {"min": question.min, "max": question.max})
    return None


def read_page(page: Page, form: Mapping[str, Sequence[str]]) -> tuple[dict[str, Answer], list[AnswerIssue]]:
    """Read one page's posted fields: typed answers (kept even when wrong, to refill the form) and issues."""
    answers: dict[str, Answer] = {}
    issues: list[AnswerIssue] = []
    for question in page.questions:
        value, issue = parse_answer(question, form.get(question.name, ()))
        answers[question.name] = value
        issue = issue or check_answer(question, value)
        if issue:
            issues.append(issue)
    return answers, issues


def validate_answers(questionnaire: Questionnaire, answers: Mapping[str, Answer]) -> list[AnswerIssue]:
    """Every rule, for a whole answer set: the last check before a response is stored."""
    issues = [AnswerIssue(name, "unknown_question") for name in answers if not _known(questionnaire, name)]
    for question in questionnaire.questions():
        issue = check_answer(question, answers.get(question.name))
        if issue:
            issues.append(issue)
    return issues


def _known(questionnaire: Questionnaire, name: str) -> bool:
    return re.fullmatch(r"[a-z][a-z0-9_]*", name) is not None and any(q.name == name for q in questionnaire.questions())
