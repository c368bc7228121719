"""Drop-outs: how many forms were started and sent, and on which page the unfinished ones stopped.  PURE.

Input: web form sessions counted by version, furthest page reached and status (`Store.form_funnel`). A page is
named by its id across versions, so that a page kept from one version to the next counts once. The per-page
counts are about people — a page asked only after a given answer (`relevant`) says what those who stopped
there answered — so they follow the results' small-cell rule: counts under the mission's threshold are shown as
« < 11 », and enough others masked that none can be worked out from the total of unfinished forms.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from survey.aggregate.model import format_number
from survey.aggregate.protection import MASK, small_text
from survey.disclosure.cells import Cell, protect_counts

COMPLETED = "completed"  # FormSession's status of a form whose response is stored (survey.db.COMPLETED)


@dataclass(frozen=True)
class StopRow:
    """The unfinished forms whose furthest page was this one."""

    page_id: str
    label: str
    count: int
    text: str  # as published: the count, « < 11 » or « × »


@dataclass(frozen=True)
class Dropouts:
    started: int
    completed: int
    rate_text: str  # completed / started, as people read it ("" before any form is started)
    rows: tuple[StopRow, ...]  # in page order; empty when the table is withheld or nobody stopped
    threshold: int
    withheld: bool = False  # the page table cannot be published safely: only its total is

    @property
    def unfinished(self) -> int:
        return self.started - self.completed


def dropouts(counts: Iterable[tuple[int, int, str, int]], pages: Mapping[int, Sequence[tuple[str, str]]],
             threshold: int, language: str = "fr") -> Dropouts:
    """`counts`: (version id, furthest page index, status, forms); `pages`: each version's pages as (id, label),
    the current version first (its order is the table's)."""
    started = completed = 0
    stopped: dict[str, int] = {}
    labels: dict[str, str] = {}
    order: list[str] = []
    for version_pages in pages.values():
        for page_id, label in version_pages:
            if page_id not in labels:
                labels[page_id] = label
                order.append(page_id)
    for version_id, furthest, status, n in counts:
        started += n
        if status == COMPLETED:
            completed += n
            continue
        version_pages = pages.get(version_id, ())
        page_id = version_pages[furthest][0] if 0 <= furthest < len(version_pages) else "?"
        if page_id not in labels:
            labels[page_id] = page_id
            order.append(page_id)
        stopped[page_id] = stopped.get(page_id, 0) + n
    values = [stopped.get(page_id, 0) for page_id in order]
    statuses = protect_counts(values, threshold) if any(values) else tuple(Cell.SHOWN for _ in values)
    rate = format_number(100 * completed / started, language) + ("\u00a0%" if language == "fr" else "%") \
        if started else ""
    if statuses is None:
        return Dropouts(started, completed, rate, (), threshold, withheld=True)
    rows = tuple(StopRow(page_id, labels[page_id], value, _text(value, status, threshold))
                 for page_id, value, status in zip(order, values, statuses, strict=True))
    return Dropouts(started, completed, rate, rows, threshold)


def _text(value: int, status: Cell, threshold: int) -> str:
    if status is Cell.SMALL:
        return small_text(threshold)
    return MASK if status is Cell.MASKED else str(value)
