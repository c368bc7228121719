"""Answers against a questionnaire → typed values and issues named by question.  PURE.

`read_page` turns what a browser posts into typed answers and the page's issues; `validate_answers`
checks a whole answer set against every rule before it is stored; `finalise` gives what is stored (questions
not asked marked so, calculations kept). Rules that depend on the logic come from `survey.logic.assess`,
which the browser mirrors; this module adds the checks of each answer's form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from survey.codecs import OTHER, Unreadable, codec
from survey.codecs.parsing import OTHER_MAX_LENGTH, unsafe_character, without_unsafe
from survey.logic import (
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
from survey.schema.types import NOT_ASKED

Answer = Any


@dataclass(frozen=True)
class AnswerIssue:
    """A problem with one question's answer; `code` keys a message in `survey.messages`."""

    question: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)


def _is_empty(value: Answer) -> bool:
    return value is None or value == "" or value == [] or value == {}


def check_answer(question: Question, value: Answer) -> AnswerIssue | None:
    """Check one typed answer's form against its question (the logic's rules come from `assess`)."""
    if _is_empty(value):
        return AnswerIssue(question.name, "required") if question.required else None
    kind = special_kind(value)
    if kind is not None:
        return None if kind in question.special_answers else AnswerIssue(question.name, "unknown_option")
    kind = codec(question)
    issue = kind.check(question, value)
    if issue is None and kind.refused(value):
        issue = "required"
    if issue is None:
        issue = range_issue(question, value)
        if issue:
            return _logic_issue(question, issue)
    return AnswerIssue(question.name, issue) if issue else None


def _logic_issue(question: Question, code: str) -> AnswerIssue:
    params: dict[str, Any] = {"min": question.min, "max": question.max}
    if code == "too_long":
        params["max"] = codec(question).length_limit(question)
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
    other_issues: dict[str, AnswerIssue] = {}  # the answer is read; only its “Other” text is refused
    for question in page.questions:
        if not codec(question).answered:
            continue
        try:
            typed[question.name] = codec(question).read(question, form)
        except Unreadable as exc:
            typed[question.name] = exc.kept
            unreadable[question.name] = AnswerIssue(question.name, exc.code, exc.params)
        if question.other:
            other_text = (form.get(f"{question.name}__other") or [""])[0].strip()
            if issue := other_issue(question, typed.get(question.name), other_text):
                other_issues[question.name] = issue
                other_text = without_unsafe(other_text)
            typed[f"{question.name}__other"] = other_text or None
    if questionnaire is None:
        issues = list(unreadable.values())
        for question in page.questions:
            if question.name not in unreadable and codec(question).answered:
                issue = other_issues.get(question.name) or check_answer(question, typed.get(question.name))
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
        issue = (unreadable.get(question.name) or other_issues.get(question.name)
                 or _form_issue(question, typed.get(question.name)))
        if issue is None and question.name in verdict.issues:
            issue = _logic_issue(question, verdict.issues[question.name])
        if issue is None and codec(question).group:  # a repeat group: its items, each by the rules of a page
            issue = _repeat_issue(question, typed.get(question.name), verdict.resolution.env, verdict.resolution.today)
        if issue:
            issues.append(issue)
    return typed, issues


def other_issue(question: Question, answer: Answer, text: Any) -> AnswerIssue | None:
    """What is wrong with the text typed for “Other, please specify” when “Other” is picked (otherwise it is not
    kept): refused characters, or too long."""
    if text is None or text == "" or OTHER not in codec(question).picked(answer):
        return None
    if not isinstance(text, str):
        return AnswerIssue(question.name, "not_text")
    if unsafe_character(text):
        return AnswerIssue(question.name, "other_bad_character")
    if len(text) > OTHER_MAX_LENGTH:
        return AnswerIssue(question.name, "other_too_long", {"max": OTHER_MAX_LENGTH})
    return None


def _form_issue(question: Question, value: Answer) -> AnswerIssue | None:
    """Form only: emptiness is the logic's business (required may depend on other answers)."""
    if _is_empty(value) or codec(question).always_required:
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
            if sub.name in hidden or not codec(sub).answered:
                continue
            value = instance.get(sub.name)
            issue = _form_issue(sub, value) or (other_issue(sub, value, instance.get(f"{sub.name}__other"))
                                                if sub.other else None)
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
        if not codec(question).answered:
            continue
        issue = _form_issue(question, value)
        if issue is None and question.other:
            issue = other_issue(question, value, answers.get(f"{question.name}__other"))
        if issue is None and question.name in verdict.issues:
            issue = _logic_issue(question, verdict.issues[question.name])
        if issue is None and codec(question).group:  # a repeat group: its items, each by the rules of a page
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
        elif codec(question).computed:
            if resolution.calculations.get(question.name) is not None:
                stored[question.name] = resolution.calculations[question.name]
        elif codec(question).group:  # a repeat group: each item by the same rules
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
        elif codec(sub).computed:
            if inner.get(sub.name) is not None:
                stored[sub.name] = inner[sub.name]
        elif not _is_empty(instance.get(sub.name)):
            stored[sub.name] = instance[sub.name]
            stored.update(_other_text(sub, instance))
    return stored
