"""Small-cell protection: no count below the threshold is published, and no hidden count can be worked out from
the totals and the cells that are shown — checked by brute force over every table a reader could believe in."""

from __future__ import annotations

import itertools
from functools import lru_cache

import numpy as np
from factories import record, sample_questionnaire
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.aggregate import summarise
from survey.disclosure.cells import Cell, protect_counts, protect_table

# --- what a reader can deduce, computed independently -------------------------------------------------------------


def _reader_bounds(value: int, status: Cell, threshold: int, total: int) -> tuple[int, int]:
    """What the page tells: the number itself, « < t » (1 … t − 1), or « × » (not small, so at least t)."""
    return {Cell.SHOWN: (value, value), Cell.SMALL: (1, threshold - 1), Cell.MASKED: (threshold, total)}[status]


def _one_way_values(counts: list[int], statuses: tuple[Cell, ...], threshold: int) -> list[set[int]]:
    """For each cell, every value it can take in some table that fits what is shown (sums enumerated by
    dynamic programming over the other cells)."""
    total = sum(counts)
    bounds = [_reader_bounds(v, s, threshold, total) for v, s in zip(counts, statuses, strict=True)]
    values = []
    for i, (lo, hi) in enumerate(bounds):
        others = {0}
        for j, (olo, ohi) in enumerate(bounds):
            if j != i:
                others = {a + b for a in others for b in range(olo, ohi + 1) if a + b <= total}
        values.append({v for v in range(lo, hi + 1) if total - v in others})
    return values


@settings(max_examples=400, deadline=None)
@given(st.lists(st.integers(0, 40), min_size=1, max_size=7), st.integers(2, 12))
def test_no_hidden_count_of_a_one_way_table_can_be_worked_out(counts, threshold):
    statuses = protect_counts(counts, threshold)
    if statuses is None:  # withheld: only the total is shown
        return
    for value, status in zip(counts, statuses, strict=True):
        assert (status is Cell.SMALL) == (0 < value < threshold)  # every small count is hidden, as « < t »
        assert status is not Cell.MASKED or value >= threshold  # « × » never hides a small count or a zero
    possible = _one_way_values(counts, statuses, threshold)
    for value, status, values in zip(counts, statuses, possible, strict=True):
        assert value in values  # the true table fits what is shown
        if status is not Cell.SHOWN:
            assert len(values) >= 2, (counts, statuses, values)


def test_the_next_smallest_count_is_masked_when_one_alone_would_give_it_away():
    assert protect_counts([50, 5, 30, 12], 11) == (Cell.SHOWN, Cell.SMALL, Cell.SHOWN, Cell.MASKED)
    assert protect_counts([50, 5, 3, 0], 11) == (Cell.SHOWN, Cell.SMALL, Cell.SMALL, Cell.SHOWN)
    assert protect_counts([0, 40, 20], 11) == (Cell.SHOWN, Cell.SHOWN, Cell.SHOWN)
    assert protect_counts([10, 10], 11) is None  # both « < 11 » and adding up to 20: both are 10


@lru_cache(maxsize=64)
def _compositions(total: int, parts: int) -> np.ndarray:
    """Every way of writing `total` as `parts` non-negative integers (stars and bars), one per row."""
    rows = []
    for bars in itertools.combinations(range(total + parts - 1), parts - 1):
        edges = (-1, *bars, total + parts - 1)
        rows.append([edges[k + 1] - edges[k] - 1 for k in range(parts)])
    return np.array(rows, dtype=np.int64).reshape(-1, parts)


def _candidate_tables(counts: list[list[int]], protection, threshold: int) -> np.ndarray:
    """Every table of the same grand total that fits the shown cells, the shown margins and the signs."""
    rows, columns = len(counts), len(counts[0])
    total = sum(map(sum, counts))
    tables = _compositions(total, rows * columns).reshape(-1, rows, columns)
    keep = np.ones(len(tables), dtype=bool)
    entries = [(tables[:, i, j], counts[i][j], protection.cells[i][j]) for i in range(rows) for j in range(columns)]
    entries += [(tables[:, i, :].sum(axis=1), sum(counts[i]), protection.row_totals[i]) for i in range(rows)]
    entries += [(tables[:, :, j].sum(axis=1), sum(r[j] for r in counts), protection.column_totals[j])
                for j in range(columns)]
    for candidate, value, status in entries:
        lo, hi = _reader_bounds(value, status, threshold, total)
        keep &= (candidate >= lo) & (candidate <= hi)
    return tables[keep]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from([(2, 2), (2, 3), (3, 2), (3, 3)]).flatmap(
    lambda shape: st.lists(st.lists(st.integers(0, 6), min_size=shape[1], max_size=shape[1]),
                           min_size=shape[0], max_size=shape[0])),
       st.integers(2, 5))
def test_no_hidden_cell_or_margin_of_a_two_way_table_can_be_worked_out(counts, threshold):
    if sum(map(sum, counts)) > 16:  # keep the brute force small
        counts = [[min(v, 1) for v in row] for row in counts]
    protection = protect_table(counts, threshold)
    if protection is None:
        return
    rows, columns = len(counts), len(counts[0])
    tables = _candidate_tables(counts, protection, threshold)
    truth = np.array(counts)
    assert any((t == truth).all() for t in tables)
    for i, j in itertools.product(range(rows), range(columns)):
        assert (protection.cells[i][j] is Cell.SMALL) == (0 < counts[i][j] < threshold)
        if protection.cells[i][j] is not Cell.SHOWN:
            assert len(set(tables[:, i, j].tolist())) >= 2, (counts, protection)
    for i in range(rows):
        if protection.row_totals[i] is not Cell.SHOWN:
            assert len(set(tables[:, i, :].sum(axis=1).tolist())) >= 2, (counts, protection)
    for j in range(columns):
        if protection.column_totals[j] is not Cell.SHOWN:
            assert len(set(tables[:, :, j].sum(axis=1).tolist())) >= 2, (counts, protection)


def test_a_lone_small_cell_of_a_two_way_table_gets_a_cycle_of_masked_cells():
    protection = protect_table([[20, 5], [30, 40]], 11)
    assert protection is not None
    hidden = [(i, j) for i in range(2) for j in range(2) if protection.cells[i][j] is not Cell.SHOWN]
    assert protection.cells[0][1] is Cell.SMALL and len(hidden) >= 2
    # every row and column holds no hidden cell or at least two
    for line in ([protection.cells[i][j] for j in range(2)] for i in range(2)):
        assert sum(s is not Cell.SHOWN for s in line) in (0, 2)


# --- the summary ----------------------------------------------------------------------------------------------------


def test_summary_shows_small_counts_as_below_the_threshold_and_hides_their_percentages():
    questionnaire = sample_questionnaire()
    records = ([record({"quartier": "centre"}, f"c{i}") for i in range(30)]
               + [record({"quartier": "nord"}, f"n{i}") for i in range(3)]
               + [record({"quartier": "sud"}, f"s{i}") for i in range(15)])
    summary = summarise(questionnaire, records, "fr", small_cells=11)
    quartier = next(q for q in summary.questions() if q.name == "quartier")
    by_code = {row.code: row for row in quartier.rows}
    assert by_code["nord"].shown_count == "<\u00a011" and by_code["nord"].percent_text == ""
    assert by_code["nord"].count == 0  # the true count is not in the summary at all
    assert by_code["centre"].shown_count == "30"
    # 3 alone would follow from 48 answered − 30 − 15: the next smallest is masked too
    assert by_code["sud"].shown_count == "×" and by_code["sud"].percent == 0.0
    assert quartier.hides_counts
