"""One stored response as staff read and correct it: its answers beside their questions' labels, and a corrected
answer read from a posted form by the question's own codec.  PURE.

The stored-answer format is `survey.codecs.base`'s; values are shown with their choice labels (in the language of
the questionnaire given, already localised), special answers by name, a matrix item by item, a repeat group item by
item. Reading a correction goes through `validation.read_page`, as a respondent's page does: the same codec reads
the fields, and the same checks (form, range, required) hold. The corrected answer set is then finalised as a
respondent's is (`validation.finalise`): calculations that read the corrected answer are computed again, and a
question the correction hides is stored as not asked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from survey.codecs import OTHER, codec, special_kind
from survey.schema.model import Page, Question, Questionnaire
from survey.schema.types import NOT_ASKED
from survey.validation import AnswerIssue, finalise, read_page

Translate = Callable[..., str]


class CorrectionRefused(ValueError):
    """A correction that cannot be stored as asked; `issue` says why, in the form's words."""

    def __init__(self, issue: AnswerIssue):
        super().__init__(issue.code)
        self.issue = issue


@dataclass(frozen=True)
class AnswerLine:
    """One question of a response: its label, its answer as a person reads it, and whether staff may correct it."""

    name: str
    label: str
    shown: str
    blank: bool
    correctable: bool


def correctable(question: Question) -> bool:
    """Answered on a page as one value (not a note, not a calculation, not a repeat group's items)."""
    kind = codec(question)
    return kind.answered and not kind.computed and not kind.group


def _label_of(question: Question, code: Any, t: Translate) -> str:
    """A code, a scale point or a yes/no as its label."""
    if code is True or code is False:
        return t("yes") if code else t("no")
    if code == OTHER and question.other:
        return t("other_option")
    text = str(int(code)) if isinstance(code, float) and code.is_integer() else str(code)
    return next((str(c.label) for c in question.options() if c.code == text), text)


def readable(question: Question, value: Any, t: Translate) -> str:
    """A stored answer as a person reads it (empty for a blank)."""
    if value is None:
        return ""
    kind = special_kind(value)
    if kind is not None:
        return t("report_not_asked") if kind == "not_asked" else t(f"special_{kind}")
    if isinstance(value, list) and question.questions:  # a repeat group: one line per item
        return " / ".join(f"{number}. " + "; ".join(f"{sub.label} : {readable(sub, item.get(sub.name), t)}"
                                                     for sub in question.questions if sub.name in item)
                          for number, item in enumerate(value, start=1))
    if isinstance(value, list):
        return ", ".join(_label_of(question, code, t) for code in value)
    if isinstance(value, dict):  # a matrix: item → point or code
        items = {item.name: str(item.label) for item in question.items}
        return "; ".join(f"{items.get(name, name)} : {_label_of(question, code, t)}" for name, code in value.items())
    return _label_of(question, value, t)


def answer_lines(questionnaire: Questionnaire, answers: Mapping[str, Any], t: Translate) -> list[AnswerLine]:
    """Every top-level question of the response's version, in page order, with its answer (and any “Other” text)."""
    lines = []
    for question in questionnaire.questions():
        if not codec(question).answered and not codec(question).computed:
            continue  # a note holds no answer
        value = answers.get(question.name)
        shown = readable(question, value, t)
        other = answers.get(f"{question.name}__other")
        if other:
            shown = f"{shown} — {t('other_option')} : {other}"
        lines.append(AnswerLine(question.name, str(question.label), shown, value is None, correctable(question)))
    return lines


def read_correction(question: Question, fields: Mapping[str, Sequence[str]]
                    ) -> tuple[dict[str, Any], AnswerIssue | None]:
    """The stored keys a correction posted for `question` changes (key → new value, None to remove it), or the
    issue that refuses it, in the words a respondent would get."""
    typed, issues = read_page(Page(id="correction", questions=[question]), fields)
    if issues:
        return {}, issues[0]
    value = typed.get(question.name)
    changes: dict[str, Any] = {question.name: None if value in (None, "", [], {}) else value}
    if question.other:
        text = typed.get(f"{question.name}__other")
        changes[f"{question.name}__other"] = text if text and OTHER in codec(question).picked(value) else None
    return changes, None


def corrected(questionnaire: Questionnaire, stored: Mapping[str, Any], question: str, changes: Mapping[str, Any],
              today: str | None = None) -> dict[str, Any]:
    """The stored answers once `changes` are made, finalised as a respondent's: what was computed or marked not
    asked is worked out again. `CorrectionRefused` when the corrected question is not asked given the other answers
    (correct those first)."""
    computed = {q.name for q in questionnaire.questions() if codec(q).computed}
    posted = {key: value for key, value in stored.items()
              if key not in computed and special_kind(value) != NOT_ASKED}
    for key, value in changes.items():
        if value is None:
            posted.pop(key, None)
        else:
            posted[key] = value
    answers = finalise(questionnaire, posted, today)
    if special_kind(answers.get(question)) == NOT_ASKED and changes.get(question) is not None:
        raise CorrectionRefused(AnswerIssue(question, "correction_not_asked"))
    return answers
