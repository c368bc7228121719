"""Answers against a questionnaire → typed values and issues named by question.  PURE.

`read_page` turns what a browser posts into typed answers and the page's issues; `validate_answers`
checks a whole answer set against every rule before it is stored; `finalise` gives what is stored (questions
not asked marked so, calculations kept). Rules that depend on the logic come from `survey.logic.assess`,
which the browser mirrors; this module adds the checks of each answer's form.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from survey.form_input import EMAIL, Unreadable, read_answer, read_instances, time_of_day
from survey.logic import (
    OTHER,
    assess,
    constraint_holds,
    instance_env,
    is_required,
    range_issue,
    repeat_bounds,
    resolve,
    special,
    special_kind,
)
from survey.schema.model import Page, Question, Questionnaire
from survey.schema.types import NOT_ASKED, Shape

Answer = Any


@dataclass(frozen=True)
class AnswerIssue:
    """A problem with one question's answer; `code` keys a message in `survey.messages`."""

    question: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


def _is_empty(value: Answer) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _number_ok(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _shape_issue(question: Question, value: Answer) -> str | None:
    """Whether a (non-empty, non-special) answer has the form its question's type stores."""
    shape, codes = question.kind.shape, question.codes
    extra = {OTHER} if question.other else set()
    if shape is Shape.CODE:
        return None if isinstance(value, str) and value in codes | extra else "unknown_option"
    if shape is Shape.CODES:
        ok = isinstance(value, list) and all(isinstance(v, str) and v in codes | extra for v in value)
        return None if ok and len(set(value)) == len(value) else "unknown_option"
    if shape is Shape.MATRIX:
        items = {item.name for item in question.items}
        ok = isinstance(value, dict) and all(k in items and isinstance(v, str) and v in codes for k, v in value.items())
        return None if ok else "unknown_option"
    if shape is Shape.TEXT:
        if not isinstance(value, str):
            return "not_text"
        return "not_email" if question.type == "email" and not EMAIL.fullmatch(value) else None
    if shape is Shape.BOOLEAN:
        return None if isinstance(value, bool) else "unknown_option"
    if shape is Shape.DATE:
        try:
            dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return "not_date"
        return None
    if shape is Shape.TIME:
        try:
            return None if isinstance(value, str) and time_of_day(value) == value else "not_time"
        except ValueError:
            return "not_time"
    if shape is Shape.INTEGER:
        if not isinstance(value, int) or isinstance(value, bool):
            return "not_integer"
        return None if not codes or str(value) in codes else "unknown_option"
    if shape is Shape.DECIMAL:
        return None if _number_ok(value) else "not_number"
    if shape is Shape.REPEAT:
        return None if isinstance(value, list) and all(isinstance(i, dict) for i in value) else "unknown_option"
    return "unknown_question"  # notes and calculations take no answer


def check_answer(question: Question, value: Answer) -> AnswerIssue | None:
    """Check one typed answer's form against its question (the logic's rules come from `assess`)."""
    if _is_empty(value):
        return AnswerIssue(question.name, "required") if question.required else None
    kind = special_kind(value)
    if kind is not None:
        return None if kind in question.special_answers else AnswerIssue(question.name, "unknown_option")
    issue = _shape_issue(question, value)
    if issue is None and question.type == "consent" and value is not True:
        issue = "required"
    if issue is None:
        issue = range_issue(question, value)
        if issue:
            return _logic_issue(question, issue)
    return AnswerIssue(question.name, issue) if issue else None


def _logic_issue(question: Question, code: str) -> AnswerIssue:
    params: dict[str, Any] = {"min": question.min, "max": question.max}
    if question.max_length:
        params["max"] = question.max_length
    if code == "constraint" and question.constraint_message:
        params = {"message": question.constraint_message}
    return AnswerIssue(question.name, code, params)


def read_page(page: Page, form: Mapping[str, Sequence[str]], *, questionnaire: Questionnaire | None = None,
              answers: Mapping[str, Answer] | None = None, today: str | None = None,
              ) -> tuple[dict[str, Answer], list[AnswerIssue]]:
    """Read one page's posted fields: typed answers (what was typed, when unreadable) and the page's issues.

    With the `questionnaire` and the earlier `answers`, questions the logic hides are skipped and the logic's
    rules (required-if, constraints, offered options) apply; without them only each answer's form is checked.
    """
    typed: dict[str, Answer] = {}
    unreadable: dict[str, AnswerIssue] = {}
    for question in page.questions:
        if question.type == "repeat":
            typed[question.name], problem = read_instances(question, form)
            if problem:
                number, sub, code = problem
                unreadable[question.name] = AnswerIssue(question.name, "repeat_instance",
                                                        {"number": number, "question": sub, "code": code})
            continue
        if not question.kind.answerable and question.type != "consent":
            continue
        try:
            typed[question.name] = read_answer(question, form)
        except Unreadable as exc:
            typed[question.name] = exc.kept
            unreadable[question.name] = AnswerIssue(question.name, exc.code)
        if question.other:
            other_text = (form.get(f"{question.name}__other") or [""])[0].strip()
            typed[f"{question.name}__other"] = other_text or None
    if questionnaire is None:
        issues = list(unreadable.values())
        for question in page.questions:
            if question.name not in unreadable and question.kind.answerable:
                issue = check_answer(question, typed.get(question.name))
                if issue:
                    issues.append(issue)
        return typed, issues
    merged = {**(answers or {}), **{k: v for k, v in typed.items() if k not in unreadable}}
    verdict = assess(questionnaire, merged, today, only={q.name for q in page.questions})
    issues = []
    for question in page.questions:
        if question.name in verdict.resolution.hidden:
            typed.pop(question.name, None)
            continue
        issue = unreadable.get(question.name) or _form_issue(question, typed.get(question.name))
        if issue is None and question.name in verdict.issues:
            issue = _logic_issue(question, verdict.issues[question.name])
        if issue is None and question.type == "repeat":
            issue = _repeat_issue(question, typed.get(question.name), verdict.resolution.env, verdict.resolution.today)
        if issue:
            issues.append(issue)
    return typed, issues


def _form_issue(question: Question, value: Answer) -> AnswerIssue | None:
    """Form only: emptiness is the logic's business (required may depend on other answers)."""
    if _is_empty(value) or question.type == "consent":
        return None
    return check_answer(question, value)


def _repeat_issue(question: Question, instances: Any, env: Mapping[str, Any], today: str) -> AnswerIssue | None:
    """Instance count within bounds, then each instance's questions."""
    instances = instances or []
    low, high = repeat_bounds(question, env, today)
    if len(instances) < low:
        return AnswerIssue(question.name, "too_few_repeats", {"min": low})
    if high is not None and len(instances) > high:
        return AnswerIssue(question.name, "too_many_repeats", {"max": high})
    for number, instance in enumerate(instances, start=1):
        inner, hidden = instance_env(question, instance, env, today)
        for sub in question.questions:
            if sub.name in hidden or not sub.kind.answerable:
                continue
            value = instance.get(sub.name)
            issue = _form_issue(sub, value)
            if issue is None and _is_empty(value) and is_required(sub, inner, today):
                issue = AnswerIssue(sub.name, "required")
            if issue is None and not _is_empty(value) and not constraint_holds(sub, value, inner, today):
                issue = _logic_issue(sub, "constraint")
            if issue:
                return AnswerIssue(question.name, "repeat_instance",
                                   {"number": number, "question": sub.name, "code": issue.code})
    return None


def validate_answers(questionnaire: Questionnaire, answers: Mapping[str, Answer],
                     today: str | None = None) -> list[AnswerIssue]:
    """Every rule, for a whole answer set: the last check before a response is stored."""
    questions = {q.name: q for q in questionnaire.questions()}
    others = {f"{q.name}__other" for q in questions.values() if q.other}
    issues = [AnswerIssue(name, "unknown_question") for name in answers if name not in questions and name not in others]
    verdict = assess(questionnaire, answers, today)
    for question in questions.values():
        value = answers.get(question.name)
        if question.name in verdict.resolution.hidden:
            if not _is_empty(value) and special_kind(value) != NOT_ASKED:
                issues.append(AnswerIssue(question.name, "not_asked"))
            continue
        if question.type == "calculate" or question.type == "note":
            continue
        issue = _form_issue(question, value)
        if issue is None and question.name in verdict.issues:
            issue = _logic_issue(question, verdict.issues[question.name])
        if issue is None and question.type == "repeat":
            issue = _repeat_issue(question, value, verdict.resolution.env, verdict.resolution.today)
        if issue:
            issues.append(issue)
    return issues


def finalise(questionnaire: Questionnaire, answers: Mapping[str, Answer], today: str | None = None) -> dict[str, Any]:
    """What is stored: given answers, calculations, and questions not asked marked as such."""
    resolution = resolve(questionnaire, answers, today)
    stored: dict[str, Any] = {}
    for question in questionnaire.questions():
        if question.name in resolution.hidden:
            stored[question.name] = special(NOT_ASKED)
        elif question.type == "calculate":
            if resolution.calculations.get(question.name) is not None:
                stored[question.name] = resolution.calculations[question.name]
        elif question.type == "repeat":
            instances = answers.get(question.name) or []
            stored[question.name] = [_finalise_instance(question, i, resolution.env, resolution.today)
                                     for i in instances]
        elif not _is_empty(answers.get(question.name)):
            stored[question.name] = answers[question.name]
            stored.update(_other_text(question, answers))
    return stored


def _other_text(question: Question, answers: Mapping[str, Any]) -> dict[str, Any]:
    """`{name}__other` to store beside an answer: its text only when “Other” is picked. A text left in the field
    after another option was chosen is not the respondent's answer, and must not reach the exports."""
    key = f"{question.name}__other"
    answer, text = answers.get(question.name), answers.get(key)
    picked = answer if isinstance(answer, list) else [answer]
    return {key: text} if question.other and text and OTHER in picked else {}


def _finalise_instance(question: Question, instance: Mapping[str, Any], env: Mapping[str, Any],
                       today: str) -> dict[str, Any]:
    """What is stored of one repeat instance, by the same rules as `finalise` at the top level."""
    inner, hidden = instance_env(question, instance, env, today)
    stored: dict[str, Any] = {}
    for sub in question.questions:
        if sub.name in hidden:
            stored[sub.name] = special(NOT_ASKED)
        elif sub.type == "calculate":
            if inner.get(sub.name) is not None:
                stored[sub.name] = inner[sub.name]
        elif not _is_empty(instance.get(sub.name)):
            stored[sub.name] = instance[sub.name]
            stored.update(_other_text(sub, instance))
    return stored
