"""Small-cell protection of published tables of counts: primary and secondary suppression.  PURE.

A count from 1 to `threshold − 1` is *small*: it is shown as « < 11 » (primary suppression). Zero is shown: a
hidden cell is then never 0, and a reader cannot tell a structural zero from a suppressed one anyway. A count
that a reader could work out from the table's total and the other cells is *masked* too (secondary
suppression), shown as « × »; the cells masked are the smallest that make every hidden cell uncertain.

What a reader is assumed to know — the model the property tests check against: every shown count exactly; the
total (and, for a two-way table, every margin not hidden); that a « < t » cell holds 1 to t − 1; that a « × »
cell holds at least t (it would be « < t » otherwise). A hidden cell is safe when at least two values of it fit
all of that. When no choice of masked cells makes every hidden cell safe, the table is withheld (`None`): only
its total is shown.

A one-way table (counts summing to a shown total) is checked with the interval each hidden cell can take. A
two-way table with its margins is checked as a circulation: written as a matrix whose rows and columns all
sum to zero (the margins negated, the grand total in the corner), another table fitting what is shown differs
from the true one by a sum of cycles of hidden cells, so a hidden cell is safe exactly when one unit can be
moved around a cycle through it without leaving any hidden cell's bounds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

DEFAULT_THRESHOLD = 11  # the usual French rule: no published count of fewer than 11 people


class Cell(StrEnum):
    """How a count is published."""

    SHOWN = "shown"
    SMALL = "small"  # 1 … threshold − 1: shown as « < threshold »
    MASKED = "masked"  # hidden so that a small count cannot be worked out: « × »


def _bounds(value: int, status: Cell, threshold: int, ceiling: int) -> tuple[int, int]:
    """The values a reader knows a cell can hold."""
    if status is Cell.SMALL:
        return 1, threshold - 1
    if status is Cell.MASKED:
        return threshold, ceiling
    return value, value


def _primary(value: int, threshold: int) -> Cell:
    return Cell.SMALL if 0 < value < threshold else Cell.SHOWN


# --- one-way tables ---------------------------------------------------------------------------------------------


def one_way_ranges(counts: Sequence[int], statuses: Sequence[Cell], threshold: int) -> list[tuple[int, int]]:
    """The range each cell can take for a reader who knows the total and the shown cells (see the module)."""
    total = sum(counts)
    bounds = [_bounds(v, s, threshold, total) for v, s in zip(counts, statuses, strict=True)]
    low_sum, high_sum = sum(lo for lo, _ in bounds), sum(hi for _, hi in bounds)
    return [(max(lo, total - (high_sum - hi)), min(hi, total - (low_sum - lo))) for lo, hi in bounds]


def protect_counts(counts: Sequence[int], threshold: int = DEFAULT_THRESHOLD) -> tuple[Cell, ...] | None:
    """How to publish the cells of a one-way table whose total is shown; `None`: withhold the table."""
    if threshold <= 1:
        return tuple(Cell.SHOWN for _ in counts)
    statuses = [_primary(v, threshold) for v in counts]
    while True:
        ranges = one_way_ranges(counts, statuses, threshold)
        if all(lo < hi for (lo, hi), s in zip(ranges, statuses, strict=True) if s is not Cell.SHOWN):
            return tuple(statuses)
        # Mask the smallest shown count (never a zero: a hidden cell is never 0 for the reader).
        candidates = [i for i, (v, s) in enumerate(zip(counts, statuses, strict=True)) if s is Cell.SHOWN and v]
        if not candidates:
            return None
        statuses[min(candidates, key=lambda i: counts[i])] = Cell.MASKED


# --- two-way tables ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableProtection:
    """How to publish a two-way table: its cells (rows × columns), row totals and column totals."""

    cells: tuple[tuple[Cell, ...], ...]
    row_totals: tuple[Cell, ...]
    column_totals: tuple[Cell, ...]


def protect_table(counts: Sequence[Sequence[int]], threshold: int = DEFAULT_THRESHOLD) -> TableProtection | None:
    """How to publish a two-way table of counts with its row and column totals and its grand total (always
    shown); `None`: withhold the table."""
    rows, columns = len(counts), len(counts[0]) if counts else 0
    if any(len(row) != columns for row in counts):
        raise ValueError("every row of a two-way table needs the same number of cells")
    values = _augmented(counts)
    statuses = [[_primary(v, threshold) if threshold > 1 else Cell.SHOWN for v in row] for row in values]
    statuses[rows][columns] = Cell.SHOWN  # the grand total: the number of responses, shown elsewhere anyway
    while True:
        unsafe = _first_unsafe(values, statuses, threshold)
        if unsafe is None:
            return TableProtection(tuple(tuple(row[:columns]) for row in statuses[:rows]),
                                   tuple(row[columns] for row in statuses[:rows]), tuple(statuses[rows][:columns]))
        i, j = unsafe
        shown = [(a, b) for a, row in enumerate(values) for b, v in enumerate(row)
                 if statuses[a][b] is Cell.SHOWN and v and (a, b) != (rows, columns)]
        if not shown:
            return None
        # The smallest shown count on the unsafe cell's row or column closes a cycle through it; failing that,
        # the smallest anywhere.
        near = [(a, b) for a, b in shown if a == i or b == j] or shown
        a, b = min(near, key=lambda ab: values[ab[0]][ab[1]])
        statuses[a][b] = Cell.MASKED


def _augmented(counts: Sequence[Sequence[int]]) -> list[list[int]]:
    """The table with its row totals as a last column, its column totals as a last row, the grand total last."""
    body = [list(row) + [sum(row)] for row in counts]
    return body + [[sum(column) for column in zip(*body, strict=True)]]


def _first_unsafe(values: list[list[int]], statuses: list[list[Cell]], threshold: int) -> tuple[int, int] | None:
    """A hidden entry (row, column) of the augmented table that a reader could work out; None if there is none."""
    rows, columns = len(values) - 1, len(values[0]) - 1
    ceiling = values[rows][columns]
    # In the zero-sum form the totals are negated: raising that form's entry lowers a total.
    up: dict[tuple[int, int], bool] = {}
    down: dict[tuple[int, int], bool] = {}
    for i, row in enumerate(values):
        for j, value in enumerate(row):
            if statuses[i][j] is Cell.SHOWN:
                continue
            lo, hi = _bounds(value, statuses[i][j], threshold, ceiling)
            can_raise, can_lower = value + 1 <= hi, value - 1 >= lo
            negated = (i == rows) != (j == columns)
            up[i, j], down[i, j] = (can_lower, can_raise) if negated else (can_raise, can_lower)
    for cell in up:
        i, j = cell
        # Row node i, column node j: an entry that can rise is an edge row → column, one that can fall column → row;
        # a unit moved around a directed cycle keeps every row and column sum.
        if up[cell] and _reaches(("c", j), ("r", i), up, down, cell):
            continue
        if down[cell] and _reaches(("r", i), ("c", j), up, down, cell):
            continue
        return cell
    return None


def _reaches(start: tuple[str, int], goal: tuple[str, int], up: dict[tuple[int, int], bool],
             down: dict[tuple[int, int], bool], without: tuple[int, int]) -> bool:
    """Whether a directed path leads from `start` to `goal` over the hidden entries other than `without`."""
    edges: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for (i, j), rises in up.items():
        if (i, j) == without:
            continue
        if rises:
            edges.setdefault(("r", i), []).append(("c", j))
        if down[i, j]:
            edges.setdefault(("c", j), []).append(("r", i))
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return True
        for nxt in edges.get(node, []):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False
