"""Checks of the logic a questionnaire carries: every expression parses, names exist, types fit, no cycles.  PURE."""

from __future__ import annotations

from survey.errors import ErrorCode
from survey.expressions import ExpressionError, check, dependency_cycles, parse
from survey.schema.model import Question, Questionnaire
from survey.schema.problems import Collector, Path_
from survey.schema.types import Shape

# What a question's answer is, for the expression checker.
KIND_OF_SHAPE = {
    Shape.CODE: "code", Shape.CODES: "codes", Shape.TEXT: "text", Shape.INTEGER: "number",
    Shape.DECIMAL: "number", Shape.DATE: "date", Shape.TIME: "time", Shape.BOOLEAN: "boolean",
    Shape.REPEAT: "number", Shape.COMPUTED: "any", Shape.MATRIX: "any",
}


def expression_kinds(questions: list[Question]) -> dict[str, str]:
    """Names an expression may use, with the kind of value each stands for."""
    return {q.name: KIND_OF_SHAPE[q.kind.shape] for q in questions if q.kind.shape in KIND_OF_SHAPE}


def check_logic(col: Collector, questionnaire: Questionnaire, paths: list[tuple[Path_, Question]]) -> None:
    """Parse and check every expression; report cycles among calculations."""
    kinds = expression_kinds(list(questionnaire.all_questions()))
    for i, page in enumerate(questionnaire.pages):
        if page.relevant is not None:
            _check(col, ("pages", i, "relevant"), "relevant", page.relevant, kinds)
    calculations = {}
    for path, question in paths:
        for field, source in question.expressions():
            where = path + _field_path(question, field)
            own = {**kinds, ".": kinds.get(question.name, "any")} if field == "constraint" else kinds
            tree = _check(col, where, field, source, own, current=field == "constraint",
                          choice=field == "choice_filter")
            if tree is not None and field == "calculation":
                calculations[question.name] = tree
    for cycle in dependency_cycles(calculations):
        first = next(path for path, q in paths if q.name == cycle[0])
        col.add(first + ("calculation",), ErrorCode.CYCLE, cycle=" → ".join([*cycle, cycle[0]]))


def _field_path(question: Question, field: str) -> Path_:
    if field.startswith("choices["):
        code = field[len("choices["):field.index("]")]
        index = next(k for k, c in enumerate(question.choices) if c.code == code)
        return ("choices", index, "relevant")
    return (field,)


def _check(col: Collector, where: Path_, field: str, source: str, kinds: dict[str, str], *,
           current: bool = False, choice: bool = False):  # noqa: ANN202
    fix = "see “The expression language” in the README"
    try:
        tree = parse(source)
    except ExpressionError as exc:
        col.add(where, ErrorCode.BAD_EXPRESSION, field=field, detail=f"{exc.message} (at character {exc.position + 1} "
                f"of `{source}`)", fix=fix)
        return None
    for message in check(tree, kinds, allow_current=current, allow_choice=choice):
        col.add(where, ErrorCode.BAD_EXPRESSION, field=field, detail=message, fix=fix)
    return tree
