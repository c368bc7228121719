"""Code frequencies by interviewee category — interviews and passages per code — with the small-cell rule.  PURE.

For each code and category: how many interviews carry the code at least once, and how many passages. The
interview counts are counts of people, published under the mission's small-cell rule exactly as a questionnaire's
multiple choice is (`survey.disclosure.cells`): each category's number of interviews is protected with the other
categories' (they add up to the total, which is shown), and each cell with its complement in its category (who
did not mention the code), as a table of two; a category whose number is hidden hides its whole column. A passage
count is shown only beside a shown interview count: passages of a hidden cell would tell that someone spoke.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.aggregate.protection import MASK, small_text
from survey.disclosure.cells import Cell, protect_counts
from survey.interviews.model import Category, Corpus
from survey.interviews.quotes import ALL, Filters, all_codes, ordered

TOTAL = ""  # the column of all categories together


@dataclass(frozen=True)
class Count:
    """A published count: its value (0 when hidden), its text (« 7 », « < 11 », « × ») and its status."""

    value: int
    text: str
    status: str = Cell.SHOWN.value

    @property
    def shown(self) -> bool:
        return self.status == Cell.SHOWN.value


@dataclass(frozen=True)
class FrequencyRow:
    """A code: per column (each category, then all), interviews carrying it and its passages."""

    code: str
    label: str
    depth: int
    interviews: tuple[Count, ...]
    passages: tuple[Count, ...]
    percent: float  # of all interviews kept, when the total's cell is shown; else 0
    percent_text: str


@dataclass(frozen=True)
class Frequencies:
    """The table: columns (categories, then all), each column's number of interviews, a row per code."""

    categories: tuple[Category, ...]
    bases: tuple[Count, ...]
    rows: tuple[FrequencyRow, ...]
    threshold: int
    total: int


def _hidden(value: int, status: Cell | None, threshold: int) -> Count:
    """A count as published under its status (None: withheld, shown as small or masked whatever its value)."""
    if status is Cell.SHOWN:
        return Count(value, str(value))
    if status is Cell.SMALL or (status is None and 0 < value < threshold):
        return Count(0, small_text(threshold), Cell.SMALL.value)
    return Count(0, MASK, Cell.MASKED.value)


def _bases(sizes: list[int], threshold: int) -> list[Count]:
    """Each category's number of interviews, protected together (they add up to the total, shown)."""
    statuses = protect_counts(sizes, threshold) if threshold > 1 else tuple(Cell.SHOWN for _ in sizes)
    return [_hidden(n, None if statuses is None else s, threshold) for n, s in zip(sizes, statuses or sizes,
                                                                                  strict=True)]


def _cell(value: int, base: int, base_shown: bool, threshold: int) -> Count:
    """An interview count protected with its complement in its column (the binary rule of multiple choices)."""
    if threshold <= 1:
        return Count(value, str(value))
    if not base_shown:
        return _hidden(value, None, threshold)
    statuses = protect_counts([value, base - value], threshold)
    return _hidden(value, None if statuses is None else statuses[0], threshold)


def code_frequencies(corpus: Corpus, filters: Filters = ALL) -> Frequencies:
    """Interviews and passages per code × category for the interviews the filters keep (see the module)."""
    threshold = corpus.small_cells
    interviews = ordered(corpus, filters)
    present = {i.category for i in interviews}
    categories = tuple(c for c in corpus.categories if c.code in present or not filters.category)
    categories += tuple(Category(code, code) for code in sorted(present - {c.code for c in corpus.categories}))
    columns = [c.code for c in categories] + [TOTAL]
    sizes = {code: sum(1 for i in interviews if i.category == code) for code in columns[:-1]}
    total = len(interviews)
    bases = _bases([sizes[code] for code in columns[:-1]], threshold) + [Count(total, str(total))]
    shown = {code: base.shown and (sizes.get(code, total) >= threshold or threshold <= 1)
             for code, base in zip(columns, bases, strict=True)}
    rows = []
    for info in all_codes(corpus):
        carrying = {code: 0 for code in columns}
        passages = {code: 0 for code in columns}
        for interview in interviews:
            tagged = sum(1 for s in interview.segments if info.code in s.codes)
            if tagged:
                for column in (interview.category, TOTAL):
                    carrying[column] += 1
                    passages[column] += tagged
        counts = tuple(_cell(carrying[c], sizes.get(c, total), shown[c], threshold) for c in columns)
        passage_counts = tuple(Count(passages[c], str(passages[c])) if n.shown else Count(0, MASK, n.status)
                               for c, n in zip(columns, counts, strict=True))
        whole = counts[-1]
        percent = 100 * whole.value / total if whole.shown and total and shown[TOTAL] else 0.0
        rows.append(FrequencyRow(info.code, info.label, corpus.depth(info.code), counts, passage_counts, percent,
                                 f"{percent:.0f}" if whole.shown and shown[TOTAL] and total else ""))
    return Frequencies(categories, tuple(bases), tuple(rows), threshold, total)
