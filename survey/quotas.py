"""Where a respondent's answers fall among a questionnaire's quotas, and whether that is known yet.  PURE.

A quota (`survey.schema.model.Quota`) puts each respondent in at most one of its cells: the codes of its questions'
answers, in order (`centre|65_plus`; `` for a cap on the total). A respondent whose answer to one of them is
missing, special (« je ne sais pas ») or not asked falls in no cell: that quota does not count them, nor stop them.

The respondent flow asks two things. While the form is filled in: has a quota *decided* where these answers fall —
are all its questions behind the respondent? — and is that cell full (counts read from the store)? Then the form
ends early with the quota's message. At completion: every placement is claimed in the same transaction as the
response's INSERT (`survey.store_quotas`), which is what makes the count exact.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from survey.schema import Questionnaire
from survey.schema.localise import text_in
from survey.schema.model import Quota
from survey.schema.quotas import cell_code


@dataclass(frozen=True, order=True)
class Placement:
    """A respondent's cell in one quota, and how many real responses that cell takes."""

    quota: str
    cell: str
    limit: int


def placement(questionnaire: Questionnaire, quota: Quota, answers: Mapping[str, Any]) -> Placement | None:
    """The cell of `quota` these answers fall in; None when one of its questions has no plain answer."""
    codes = []
    for name in quota.questions:
        code = cell_code(questionnaire.question(name), answers.get(name))
        if code is None:
            return None
        codes.append(code)
    key = quota.cell_key(tuple(codes))
    return Placement(quota.name, key, quota.limit_of(key))


def placements(questionnaire: Questionnaire, answers: Mapping[str, Any]) -> list[Placement]:
    """Every cell a complete response takes a place in, one per quota at most (what completion claims)."""
    found = (placement(questionnaire, quota, answers) for quota in questionnaire.quotas)
    return [p for p in found if p is not None]


def decided(questionnaire: Questionnaire, answers: Mapping[str, Any], behind: Iterable[str]) -> list[Placement]:
    """The cells already settled for a form in progress: quotas whose questions are all in `behind` (the
    questions of the pages submitted so far, asked or not), each with its respondent's cell when there is one."""
    passed = set(behind)
    found = []
    for quota in questionnaire.quotas:
        if passed.issuperset(quota.questions):
            settled = placement(questionnaire, quota, answers)
            if settled is not None:
                found.append(settled)
    return found


def first_full(settled: Iterable[Placement], counts: Mapping[tuple[str, str], int]) -> Placement | None:
    """The first of these cells that has no place left, given the real responses counted in each."""
    for cell in settled:
        if counts.get((cell.quota, cell.cell), 0) >= cell.limit:
            return cell
    return None


def quota_named(questionnaire: Questionnaire, name: str) -> Quota | None:
    """The quota called `name`, for its message; None when the version has no such quota."""
    return next((quota for quota in questionnaire.quotas if quota.name == name), None)



class QuotaFull(Exception):
    """A response falls in a quota cell that has no place left; nothing was stored."""

    def __init__(self, place: Placement):
        self.place = place
        super().__init__(f"quota {place.quota!r}, cell {place.cell!r}: all {place.limit} places are taken")


@dataclass(frozen=True)
class CellFill:
    """One cell of a quota as the staff page shows it: what it holds, how many responses, how many it takes."""

    label: str  # the codes' labels, `Centre × 60 ans et plus`; "" for a cap on the total
    count: int
    limit: int
    hidden_below: int = 0  # a count from 1 to this − 1 is shown as « < N » (the mission's small-cell rule)

    @property
    def shown(self) -> str:
        """The count as the page shows it: exact, or « < N » for a small one the reader may not see."""
        return f"< {self.hidden_below}" if 0 < self.count < self.hidden_below else str(self.count)

    @property
    def full(self) -> bool:
        return self.count >= self.limit


def quota_fill(questionnaire: Questionnaire, counts: Mapping[tuple[str, str], int], language: str,
               hidden_below: int = 0) -> list[tuple[Quota, list[CellFill]]]:
    """Each quota with its cells that have responses or a limit of their own, fullest first (the staff page).
    `hidden_below`: the small-cell threshold for readers who may not see small counts (0: every count exact)."""
    def label(quota: Quota, key: str) -> str:
        parts = []
        for name, code in zip(quota.questions, key.split("|") if quota.questions else [], strict=False):
            option = next((c for c in questionnaire.question(name).options() if c.code == code), None)
            parts.append(str(text_in(option.label, language, questionnaire.language)) if option else code)
        return " × ".join(parts)

    listed = []
    for quota in questionnaire.quotas:
        keys = {cell for (name, cell) in counts if name == quota.name}
        keys |= {quota.cell_key(tuple(c.when[n] for n in quota.questions)) for c in quota.cells}
        if not quota.questions:
            keys = {""}
        cells = [CellFill(label(quota, key), counts.get((quota.name, key), 0), quota.limit_of(key), hidden_below)
                 for key in keys]
        cells.sort(key=lambda c: (-c.count / max(c.limit, 1), c.label))
        listed.append((quota, cells))
    return listed
