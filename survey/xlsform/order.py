"""Calculations put after the calculations they use, as XLSForm tools evaluate them: in dependency order.

ODK and Enketo recompute every `calculate` from its dependencies wherever it stands on the sheet, so a form may
compute `total` from a `part` defined further down. Our forms compute a calculation when the walk through the
pages reaches it (see `survey.logic`): the importer moves such a calculation to just after the last calculation
it uses, in the same list of questions or on a later page, and reports the move. A cycle is left as it is;
the questionnaire's own checks refuse it with the rows of its calculations.
"""

from __future__ import annotations

import graphlib
from typing import Any

from survey.expressions import ExpressionError, dependency_cycles, names, parse
from survey.xlsform.reader import Row
from survey.xlsform.tables import ConversionReport

Question = dict[str, Any]


def _uses(question: Question) -> set[str]:
    try:
        return names(parse(question["calculation"]))
    except ExpressionError:
        return set()  # reported by the questionnaire's own checks


def _reorder(slots: list[list[Question]], report: ConversionReport, origin: dict[str, Row]) -> None:
    """Move calculations within `slots` (lists of questions that follow each other) after what they use.

    One pass in dependency order: a calculation that uses one placed after it is attached right after that one
    (its position extends the other's, so positions compare as tuples), then each slot is rebuilt in one walk.
    """
    calculations = {q["name"]: q for slot in slots for q in slot if q.get("type") == "calculate" and
                    q.get("calculation")}
    uses = {name: _uses(q) & calculations.keys() for name, q in calculations.items()}
    if not any(uses.values()) or dependency_cycles({n: parse(calculations[n]["calculation"]) for n in uses
                                                    if uses[n]}):
        return
    position: dict[str, tuple[int, ...]] = {q["name"]: (s, i) for s, slot in enumerate(slots)
                                            for i, q in enumerate(slot)}
    attached: dict[str, list[Question]] = {}
    moved: set[str] = set()
    for name in graphlib.TopologicalSorter(uses).static_order():  # what a calculation uses comes before it
        if not uses.get(name):
            continue
        last = max(uses[name], key=position.__getitem__)
        if position[last] <= position[name]:
            continue
        attached.setdefault(last, []).append(calculations[name])
        position[name] = (*position[last], len(attached[last]))
        moved.add(name)
        row = origin.get(name)
        report.add("survey", row.number if row else 0, f"calculation `{name}` moved after `{last}`, which it uses "
                                                        "(our forms compute in page order)")
    if not moved:
        return

    def emit(question: Question, into: list[Question]) -> None:
        into.append(question)
        for follower in attached.get(question["name"], []):
            emit(follower, into)

    for index, slot in enumerate(slots):
        rebuilt: list[Question] = []
        for question in slot:
            if question["name"] not in moved:
                emit(question, rebuilt)
        slots[index][:] = rebuilt


def order_calculations(pages: list[dict[str, Any]], report: ConversionReport, origin: dict[str, Row]) -> None:
    """Reorder the calculations of the pages, and those inside each repeat group, in dependency order."""
    _reorder([page["questions"] for page in pages], report, origin)
    for page in pages:
        for question in page["questions"]:
            if question.get("questions"):
                _reorder([question["questions"]], report, origin)
