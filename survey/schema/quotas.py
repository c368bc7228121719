"""Which questions can carry a quota, and the code an answer puts a respondent under.  PURE.

A quota (`survey.schema.model.Quota`) names the questions that split respondents into cells (`questions:
[quartier, tranche_age]`: one cell per quartier × age band) and how many real responses each cell takes (`limit`,
and `cells` for a cell that takes another number). A quota without `questions` has one cell, every respondent: a
cap on the total. Designed after LimeSurvey's and Qualtrics' quotas, kept declarative: a full cell ends the form
with the quota's `message`.

A cell is written with codes: a choice's `code`, a scale point (`1`… for a Likert scale, `0`…`10` for an NPS),
`yes`/`no` for a yes/no question. `cell_codes` and `cell_code` are the one place that knows which questions can
split respondents so and what code an answer puts them under.
"""

from __future__ import annotations

from typing import Any

from survey.schema.types import QUESTION_TYPES, Shape

YES, NO = "yes", "no"
CELL_SEPARATOR = "|"  # never in a code (`Code` allows letters, digits, `_`, `.`, `-`)
# The question types whose answer is one code, so that each respondent falls in one cell.
QUOTA_TYPES = ("single_choice", "dropdown", "likert", "nps", "yes_no")


def cell_codes(question: Any) -> frozenset[str] | None:
    """The codes a question's answers put respondents under; None when the question cannot split them into
    cells (free text, numbers, several ticks, a repeat group…)."""
    if question.type not in QUOTA_TYPES:
        return None
    if QUESTION_TYPES[question.type].shape is Shape.BOOLEAN:
        return frozenset({YES, NO})
    return question.codes | ({"other"} if question.other else frozenset())


def cell_code(question: Any, answer: Any) -> str | None:
    """The code a stored answer puts a respondent under; None for no answer, a special answer or not asked."""
    if answer is None or isinstance(answer, dict | list):
        return None
    if isinstance(answer, bool):
        return YES if answer else NO
    return str(answer)
