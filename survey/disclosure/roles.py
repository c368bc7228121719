"""Every exported column's disclosure role, from the questionnaire, failing closed.  PURE.

A column takes its question's `disclosure:` (or its type's default, see `survey.schema.types`); the columns the
platform adds take the top-level block's. A column with no role is not exported at all: the export is refused
with the list (`Undeclared`), since only the evaluator can say whether it helps to single people out. Columns
of free text — the texts typed, “Other” texts, calculations reading them — are `free_text` whatever their
question says, unless it says `identifier`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from survey.codecs import Variable
from survey.coded import Layout
from survey.disclosure.hierarchy import Hierarchy, flat, of_levels
from survey.schema.disclosure import ADDED_COLUMNS, ADDED_DEFAULTS, DisclosureBlock, Role
from survey.schema.disclosure_checks import BrokenHierarchy, choice_chains
from survey.schema.model import Question

IDENTIFIER, QUASI, SENSITIVE, FREE_TEXT, NONE = "identifier", "quasi_identifier", "sensitive", "free_text", "none"
_ADDED_STORAGE = {"submitted_date": "date", "version": "text", "channel": "text"}


class Undeclared(Exception):
    """Columns without a disclosure role: (column, question — empty for a column the platform adds)."""

    def __init__(self, missing: list[tuple[str, str]]):
        self.missing = missing
        super().__init__(", ".join(column for column, _ in missing))


class BadRole(ValueError):
    """A role that cannot apply (a broken hierarchy, a quasi-identifier inside a repeat group…)."""


@dataclass(frozen=True)
class Policy:
    """The role of every column of the main table and of each repeat group's table, and the hierarchies."""

    roles: dict[str, str]
    hierarchies: dict[str, Hierarchy] = field(default_factory=dict)
    repeats: dict[str, dict[str, str]] = field(default_factory=dict)

    def having(self, role: str) -> list[str]:
        """The main table's columns with this role, in table order."""
        return [name for name, r in self.roles.items() if r == role]


def _declared(question: Question) -> Role | None:
    """The question's role: as written, else its type's default."""
    if question.disclosure is not None:
        return question.disclosure
    default = question.kind.disclosure
    return Role(default) if default else None


def role_of(variable: Variable, question: Question) -> Role | None:
    """A column's role; free text stays free text (or identifier) whatever else its question says."""
    declared = _declared(question)
    if variable.identifying:
        return declared if declared is not None and declared.role == IDENTIFIER else Role(FREE_TEXT)
    return declared


def _hierarchy(variable: Variable, question: Question, role: Role) -> Hierarchy:
    try:
        return of_levels(variable.name, role.levels, variable.storage, lambda: choice_chains(question, role.levels))
    except BrokenHierarchy as exc:
        raise BadRole(f"question '{question.name}': broken hierarchy: {exc}") from None


def _table(variables: Iterable[Variable], layout: Layout, missing: list[tuple[str, str]],
           hierarchies: dict[str, Hierarchy] | None, group: str = "") -> dict[str, str]:
    roles = {}
    for variable in variables:
        question = layout.questions[variable.question]
        role = role_of(variable, question)
        if role is None:
            missing.append((variable.name, variable.question))
            continue
        if role.role == QUASI:
            if hierarchies is None:
                raise BadRole(f"question '{question.name}' of repeat group '{group}' is a quasi-identifier: "
                              "k-anonymity counts respondents — move it out of the group or mark it `none`")
            hierarchies[variable.name] = _hierarchy(variable, question, role)
        roles[variable.name] = role.role
    return roles


def policy_of(layout: Layout, block: DisclosureBlock | None) -> Policy:
    """Every column's role; raises `Undeclared` listing the columns with none, `BadRole` for one that cannot be."""
    missing: list[tuple[str, str]] = []
    hierarchies: dict[str, Hierarchy] = {}
    roles: dict[str, str] = {}
    added = block.added() if block is not None else {name: ADDED_DEFAULTS.get(name) for name in ADDED_COLUMNS}
    for name, role in added.items():
        if role is None:
            missing.append((name, ""))
            continue
        roles[name] = role.role
        if role.role == QUASI:
            hierarchies[name] = (of_levels(name, role.levels, _ADDED_STORAGE[name], dict) if role.levels
                                 else flat(name))
    roles |= _table(layout.variables, layout, missing, hierarchies)
    repeats = {group: _table(variables, layout, missing, None, group) for group, variables in layout.repeats.items()}
    if missing:
        raise Undeclared(missing)
    return Policy(roles, hierarchies, repeats)
