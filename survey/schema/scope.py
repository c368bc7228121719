"""What each expression of a questionnaire can see: the questions in scope, their kinds and their values.  PURE.

The logic checks work from `Entry` rows rather than from a validated `Questionnaire`, so that a file with one
broken question (an unknown type, a bad name…) still has every other expression checked in the same pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from survey.expressions import Value
from survey.schema.model import Question, Questionnaire
from survey.schema.problems import Path_
from survey.schema.types import Shape

# What a question's answer is, for the expression checker.
KIND_OF_SHAPE = {
    Shape.CODE: "code", Shape.CODES: "codes", Shape.TEXT: "text", Shape.INTEGER: "number",
    Shape.DECIMAL: "number", Shape.DATE: "date", Shape.TIME: "time", Shape.BOOLEAN: "boolean",
    Shape.REPEAT: "number", Shape.COMPUTED: "any", Shape.MATRIX: "matrix",
}
_EXPRESSION_FIELDS = ("relevant", "required_if", "constraint", "choice_filter", "calculation", "repeat_count")


@dataclass(frozen=True)
class Entry:
    """A question as the logic checks see it; `question` is None when it did not pass the model's checks."""

    path: Path_
    name: str
    group: str | None  # the repeat group it is inside, None at the top level
    question: Question | None
    expressions: tuple[tuple[str, str], ...] = field(default=())  # (field, source), choices' relevance included

    @property
    def kind(self) -> str | None:
        """The kind of value an expression sees for this question: "any" when unknown, None for a note."""
        return KIND_OF_SHAPE.get(self.question.kind.shape) if self.question else "any"

    @property
    def values(self) -> tuple[Value, ...] | None:
        """Every value the answer can be, for a question with a closed set of answers; None otherwise."""
        q = self.question
        if q is None:
            return None
        if q.kind.shape is Shape.BOOLEAN:
            return (True, False)
        if not q.codes or q.kind.shape not in (Shape.CODE, Shape.CODES, Shape.INTEGER):
            return None  # an open answer, or a list that could not be read (already reported)
        codes = sorted(q.codes | ({"other"} if q.other else set()))
        if q.kind.shape is Shape.INTEGER:  # likert and nps: the answer is the point's number
            return tuple(float(code) for code in codes)
        return tuple(codes)


def entries_of(questionnaire: Questionnaire) -> list[Entry]:
    """Every question of a valid questionnaire, those inside repeat groups included, in document order."""
    found = []
    for i, page in enumerate(questionnaire.pages):
        for j, q in enumerate(page.questions):
            found.append(_entry(("pages", i, "questions", j), q, None))
            found.extend(_entry(("pages", i, "questions", j, "questions", k), sub, q.name)
                         for k, sub in enumerate(q.questions))
    return found


def _entry(path: Path_, question: Question, group: str | None) -> Entry:
    return Entry(path, question.name, group, question, tuple(question.expressions()))


def salvage(data: dict) -> tuple[list[tuple[Path_, str]], list[Entry]]:
    """Page conditions and questions of a document the model refused: each question checked on its own.

    A question that does not validate keeps its name (so references to it are not "unknown") and its
    expressions (so they are still checked); its inner questions, if it is a repeat group, are salvaged too.
    """
    pages: list[tuple[Path_, str]] = []
    found: list[Entry] = []
    for i, page in _indexed(data.get("pages")):
        source = _source(page.get("relevant"))
        if source is not None:
            pages.append((("pages", i, "relevant"), source))
        for j, raw in _indexed(page.get("questions")):
            path = ("pages", i, "questions", j)
            found.extend(_salvaged(path, raw, None))
            name = raw.get("name")
            for k, sub in _indexed(raw.get("questions")):
                found.extend(_salvaged(path + ("questions", k), sub, name if isinstance(name, str) else None))
    return pages, found


def _salvaged(path: Path_, raw: dict, group: str | None) -> list[Entry]:
    name = raw.get("name")
    if not isinstance(name, str):
        return []
    try:
        question = Question.model_validate({**raw, "questions": []})  # inner questions are salvaged one by one
    except ValidationError:
        question = None
    if question is not None:
        return [Entry(path, name, group, question, tuple(question.expressions()))]
    expressions = [(key, _source(raw.get(key))) for key in _EXPRESSION_FIELDS]
    for _, choice in _indexed(raw.get("choices")):
        expressions.append((f"choices[{choice.get('code')}].relevant", _source(choice.get("relevant"))))
    return [Entry(path, name, group, None, tuple((key, src) for key, src in expressions if src is not None))]


def _indexed(nodes: Any) -> Iterable[tuple[int, dict]]:
    """The mappings of a YAML list with their indexes; anything else is skipped (reported elsewhere)."""
    return [(i, node) for i, node in enumerate(nodes) if isinstance(node, dict)] if isinstance(nodes, list) else []


def _source(value: Any) -> str | None:
    """An expression's text as the model reads it: YAML numbers become text, anything else is not one."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return None


@dataclass(frozen=True)
class Scope:
    """The names an expression sees where it stands, and the ones it cannot see (questions of a repeat group)."""

    kinds: dict[str, str]
    values: dict[str, tuple[Value, ...]]
    unseen: dict[str, str]  # name → the repeat group it is inside


def scopes(entries: list[Entry]) -> dict[str | None, Scope]:
    """One scope per place: the top level (None) and inside each repeat group (its name)."""
    groups = {entry.group for entry in entries} | {None}
    found = {}
    for group in groups:
        seen = [e for e in entries if e.group is None or e.group == group]
        found[group] = Scope(
            kinds={e.name: e.kind for e in seen if e.kind is not None},
            values={e.name: e.values for e in seen if e.values is not None},
            unseen={e.name: e.group for e in entries if e.group is not None and e.group != group},
        )
    return found
