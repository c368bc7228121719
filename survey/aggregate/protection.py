"""Small-cell protection of a question's summary: what the results page, the PDF and their charts may show.  PURE.

Each table a summary shows goes through `survey.disclosure.cells` (the rules are there):

- the top table — answered, no answer, each special answer — adds up to the number of responses;
- the options of a single choice, a scale, an NPS, and a number's histogram bins add up to `answered`; shown
  only when `answered` is;
- a multiple choice's or a ranking's rows do not add up: each is protected with its complement (who did not
  tick it), as a table of two cells adding up to `answered`;
- each matrix item's answers add up to the item's own count.

A hidden count becomes 0 in the summary (with its status and text), so no template, chart or percentage can
show it. A percentage is shown only beside a shown count on a base of at least the threshold. Figures computed
from hidden counts go too: a number's mean (with the bins it gives a weighted sum of them), a repeat group's
number of instances, the NPS shares when a score's count is hidden, and every figure when fewer than the
threshold answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from survey.aggregate.model import Figure, MatrixRow, QuestionSummary, Row
from survey.disclosure.cells import Cell, protect_counts

MASK = "×"
# Figures that are sums of the (possibly hidden) counts, by kind.
_SUM_FIGURES = {"mean", "instances", "nps_score", "promoters", "passives", "detractors"}


def small_text(threshold: int) -> str:
    """How a small count is shown: « < 11 »."""
    return f"<\u00a0{threshold}"


def _hide(row: Row, status: Cell, threshold: int) -> Row:
    """The row with its count, percentage and mean hidden, or as it is when shown."""
    if status is Cell.SHOWN:
        return replace(row, count_text=str(row.count))
    text = small_text(threshold) if status is Cell.SMALL else MASK
    return replace(row, count=0, percent=0.0, percent_text="", mean=None, mean_text="", status=status.value,
                   count_text=text)


def _protect_rows(rows: Sequence[Row], statuses: Sequence[Cell] | None, threshold: int) -> tuple[Row, ...]:
    """Rows with the given statuses; all masked when the table is withheld (`None`)."""
    if statuses is None:
        statuses = [Cell.SMALL if 0 < r.count < threshold else Cell.MASKED if r.count else Cell.SHOWN for r in rows]
        # Withheld: zeros too, or the reader could place the rest.
        statuses = [Cell.MASKED if s is Cell.SHOWN else s for s in statuses]
    return tuple(_hide(r, s, threshold) for r, s in zip(rows, statuses, strict=True))


def _additive(rows: Sequence[Row], threshold: int, base_shown: bool) -> tuple[Row, ...]:
    """Rows adding up to a shown base, protected together; every row hidden when the base is."""
    if not base_shown:
        return _protect_rows(rows, None, threshold)
    return _protect_rows(rows, protect_counts([r.count for r in rows], threshold), threshold)


def _binary(rows: Sequence[Row], base: int, threshold: int, base_shown: bool) -> tuple[Row, ...]:
    """Rows that do not add up: each with its complement (`base − count`), as a table of two."""
    protected = []
    for r in rows:
        statuses = protect_counts([r.count, base - r.count], threshold) if base_shown else None
        protected += _protect_rows([r], None if statuses is None else statuses[:1], threshold)
    return tuple(protected)


def _figures(figures: Sequence[Figure], keep: bool, drop_sums: bool) -> tuple[Figure, ...]:
    """Figures with those computed from hidden counts masked (all of them when `keep` is false)."""
    return tuple(f if keep and not (drop_sums and f.key in _SUM_FIGURES) or f.key == "answered"
                 else Figure(f.key, "", MASK) for f in figures)


def protect_question(q: QuestionSummary, threshold: int) -> QuestionSummary:
    """The question's summary as it may be published (see the module)."""
    if threshold <= 1:
        return q
    specials = list(q.specials)
    top = protect_counts([q.answered, q.no_answer, *(r.count for r in specials)], threshold)
    top_rows = _protect_rows([Row("answered", "", q.answered, 0.0, ""), Row("no_answer", "", q.no_answer, 0.0, ""),
                              *specials], top, threshold)
    answered_row, no_answer_row, specials_rows = top_rows[0], top_rows[1], top_rows[2:]
    base_shown = answered_row.status == Cell.SHOWN.value and q.answered >= threshold
    if q.kind in ("multiple", "ranking"):
        rows = _binary(q.rows, q.answered, threshold, base_shown)
    else:
        rows = _additive(q.rows, threshold, base_shown)
    if not base_shown:
        rows = tuple(replace(r, percent=0.0, percent_text="") for r in rows)
    items = tuple(_protect_item(item, threshold) for item in q.items)
    hidden_rows = any(r.status != Cell.SHOWN.value for r in rows)
    figures = _figures(q.figures, keep=base_shown, drop_sums=hidden_rows)
    return replace(q, answered=answered_row.count, no_answer=no_answer_row.count, rows=rows, figures=figures,
                   specials=specials_rows, items=items, answered_text=answered_row.count_text,
                   no_answer_text=no_answer_row.count_text)


def _protect_item(item: MatrixRow, threshold: int) -> MatrixRow:
    """A matrix item: its answers adding up to its count, shown only when the count is."""
    shown = item.answered >= threshold
    cells = _additive(item.cells, threshold, shown)
    if not shown:
        return replace(item, answered=0, answered_text=small_text(threshold) if item.answered else "0", cells=cells)
    return replace(item, cells=cells, answered_text=str(item.answered))
