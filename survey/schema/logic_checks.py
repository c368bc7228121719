"""Checks of the logic a questionnaire carries: every expression parses, names exist, types fit, no cycles.  PURE."""

from __future__ import annotations

from survey.errors import ErrorCode
from survey.expressions import ExpressionError, check, dependency_cycles, parse
from survey.schema.problems import Collector, Path_
from survey.schema.scope import Entry, Scope, scopes

_README = "see “The expression language” in the README"


def check_logic(col: Collector, pages: list[tuple[Path_, str]], entries: list[Entry]) -> None:
    """Parse and check every expression where it stands; report cycles among calculations.

    `pages` holds each page's `relevant` (path, source); `entries` every question, valid or salvaged.
    A repeat group's own fields are read outside it; its questions' fields inside it, where they see the item's
    answers and every answer outside.
    """
    places = scopes(entries)
    for where, source in pages:
        _check(col, where, "relevant", source, places[None])
    calculations = {}
    for entry in entries:
        for field, source in entry.expressions:
            scope = _with_current(places[entry.group], entry) if field == "constraint" else places[entry.group]
            tree = _check(col, entry.path + _field_path(col, entry, field), field, source, scope,
                          current=field == "constraint", choice=field == "choice_filter")
            if tree is not None and field == "calculation":
                calculations[entry.name] = tree
    for cycle in dependency_cycles(calculations):
        first = next(entry.path for entry in entries if entry.name == cycle[0])
        col.add(first + ("calculation",), ErrorCode.CYCLE, cycle=" → ".join([*cycle, cycle[0]]))


def _with_current(scope: Scope, entry: Entry) -> Scope:
    """The scope of a constraint: `.` stands for the question's own answer, its kind and its values."""
    values = scope.values if entry.values is None else {**scope.values, ".": entry.values}
    return Scope({**scope.kinds, ".": entry.kind or "any"}, values, scope.unseen)


def _field_path(col: Collector, entry: Entry, field: str) -> Path_:
    """Where a field's expression sits: `choices[code].relevant` → that choice's own line."""
    if not field.startswith("choices["):
        return (field,)
    code = field[len("choices["):field.index("]")]
    node = col.data
    try:
        for step in entry.path + ("choices",):
            node = node[step]
        index = next(k for k, c in enumerate(node) if isinstance(c, dict) and str(c.get("code")) == code)
    except (KeyError, IndexError, TypeError, StopIteration):
        return ("choices",)
    return ("choices", index, "relevant")


def _check(col: Collector, where: Path_, field: str, source: str, scope: Scope, *,
           current: bool = False, choice: bool = False):  # noqa: ANN202
    try:
        tree = parse(source)
    except ExpressionError as exc:
        col.add(where, ErrorCode.BAD_EXPRESSION, field=field, detail=f"{exc.message} (at character {exc.position + 1} "
                f"of `{source}`)", fix=_README)
        return None
    for message in check(tree, scope.kinds, allow_current=current, allow_choice=choice, values=scope.values,
                         unseen=scope.unseen):
        detail, _, fix = message.partition(" — ")
        col.add(where, ErrorCode.BAD_EXPRESSION, field=field, detail=detail, fix=fix or _README)
    return tree
