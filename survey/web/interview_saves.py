"""Saving what an interviewer typed: the posted interview form (no JavaScript) and interview.js's JSON saves, both
turned into the store's `save_text` calls, each carrying the revision it was based on and an idempotent save id.

A text is kept as typed, with line ends as `\\n` (a browser posts a textarea's with `\\r\\n`, its script reads them
as `\\n`: without this one text would differ from itself). A closed question's slot holds the JSON of its answer,
read by the question's codec exactly as a respondent's would be; an empty answer clears it (no "required" error in
the middle of an interview).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from survey.access import StaffMember
from survey.messages import translate
from survey.response_view import read_correction
from survey.schema import Question
from survey.schema.interview import InterviewGrid
from survey.store import Store
from survey.store_interviews import Interview, SaveResult
from survey.web.pages import posted_int

SLOT_FIELD, BASE_FIELD = "slot:", "base:"


class ClosedAnswerRefused(ValueError):
    """A closed question's posted fields do not make an answer; the message is the respondent's own."""


@dataclass(frozen=True)
class Edit:
    """A slot's new text and the revision it was based on."""

    slot: str
    body: str
    base: int


@dataclass(frozen=True)
class Conflict:
    """A refused save: the stored text and revision, and the interviewer's text (or posted fields) to keep."""

    stored: str
    revision: int
    yours: str
    fields: dict[str, list[str]] | None = None


def plain_text(text: str) -> str:
    """Line ends as `\\n`, whoever sent the text."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def closed_questions(grid: InterviewGrid) -> dict[str, Question]:
    """slot → closed question, for every closed question of the grid."""
    return {f"closed:{question.name}": question for _, question in grid.closed_questions()}


def closed_body(question: Question, fields: Mapping[str, Sequence[str]], language: str) -> str:
    """The stored form of a closed answer: JSON of its keys (the answer, its "Other" text), "" when empty."""
    own = {name: [v for v in values if isinstance(v, str)] for name, values in fields.items()
           if name == question.name or name.startswith(f"{question.name}__")}
    if not any(value.strip() for values in own.values() for value in values):
        return ""
    changes, issue = read_correction(question, own)
    if issue is not None:
        raise ClosedAnswerRefused(issue.params.get("message") or translate(issue.code, language, **issue.params))
    kept = {key: value for key, value in changes.items() if value is not None}
    return json.dumps(kept, sort_keys=True, ensure_ascii=False, default=str) if kept else ""


def save_key(save_id: str, slot: str) -> str:
    """One save id per slot from the form's own: resubmitting the same page applies nothing twice."""
    return f"{save_id[:40]}-{hashlib.sha256(slot.encode()).hexdigest()[:16]}"


def _base(fields: Mapping[str, Sequence[str]], slot: str) -> int | None:
    return posted_int((fields.get(BASE_FIELD + slot) or [""])[0])


def posted_edits(grid: InterviewGrid, interview: Interview, fields: Mapping[str, Sequence[str]], language: str
                 ) -> tuple[list[Edit], dict[str, str]]:
    """The slots the posted interview form changed, and the closed questions it could not read (slot → message).

    A slot is saved only when its text differs from the stored one: a page saved twice, or saved in another tab
    with the same text, is no conflict."""
    edits: list[Edit] = []
    refused: dict[str, str] = {}
    closed = closed_questions(grid)
    for slot in grid.slots():
        base = _base(fields, slot)
        if base is None:  # not on the posted page
            continue
        if slot in closed:
            try:
                body = closed_body(closed[slot], fields, language)
            except ClosedAnswerRefused as exc:
                refused[slot] = str(exc)
                continue
        elif SLOT_FIELD + slot in fields:
            body = plain_text((fields.get(SLOT_FIELD + slot) or [""])[0])
        else:
            continue
        if body != interview.body(slot):
            edits.append(Edit(slot, body, base))
    return edits, refused


def apply_edits(store: Store, member: StaffMember, interview: Interview, edits: list[Edit], save_id: str
                ) -> dict[str, SaveResult]:
    """Save each edit; the refused ones (conflicts) by slot."""
    refused: dict[str, SaveResult] = {}
    for edit in edits:
        result = store.save_text(interview.id, edit.slot, edit.body, base_revision=edit.base,
                                 save_id=save_key(save_id, edit.slot), staff_id=member.id)
        if not result.ok:
            refused[edit.slot] = result
    return refused


def json_body(grid: InterviewGrid, slot: str, body: Any, language: str) -> str:
    """The text a JSON save carries for `slot`: a note as typed; a closed question's fields (an object of lists
    of strings) read into its stored form. ClosedAnswerRefused or ValueError say what is wrong."""
    closed = closed_questions(grid)
    if slot in closed:
        fields = json.loads(body) if isinstance(body, str) else body
        if not isinstance(fields, dict) or not all(isinstance(v, list) and all(isinstance(x, str) for x in v)
                                                   for v in fields.values()):
            raise ValueError("body: a closed question's fields as an object of lists of strings")
        return closed_body(closed[slot], fields, language)
    if not isinstance(body, str):
        raise ValueError("body: the slot's text, a string")
    return plain_text(body)
