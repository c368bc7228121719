"""The framework matrix: interviews as rows, themes as columns, each cell the theme's summary and its passages.  PURE.

The matrix is how a qualitative evaluation is read across cases (Ritchie & Spencer's « framework » method): down
a column, what every interviewee said about a theme; along a row, one interviewee's whole view. Each cell holds
the interviewer's summary of the theme and the coded passages and verbatim quotes that belong to it (its
questions' notes, its summary, and transcript passages whose code sits under a top-level code named like the
theme).
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.interviews.model import Corpus, ThemeInfo, pseudonym
from survey.interviews.quotes import ALL, Filters, Quote, ordered, quotes


@dataclass(frozen=True)
class MatrixCell:
    """One interview × one theme."""

    summary: str
    quotes: tuple[Quote, ...]


@dataclass(frozen=True)
class MatrixRow:
    """One interview: who (pseudonym and profile) and a cell per theme."""

    interview_id: int
    pseudonym: str
    category: str
    category_label: str
    site: str
    organisation: str
    role: str
    status: str
    cells: tuple[MatrixCell, ...]


@dataclass(frozen=True)
class FrameworkMatrix:
    """The matrix for the interviews the filters keep."""

    themes: tuple[ThemeInfo, ...]
    rows: tuple[MatrixRow, ...]
    filters: Filters


def framework_matrix(corpus: Corpus, filters: Filters = ALL) -> FrameworkMatrix:
    """Build the matrix (see the module)."""
    by_interview: dict[int, list[Quote]] = {}
    for quote in quotes(corpus, filters):
        by_interview.setdefault(quote.interview_id, []).append(quote)
    rows = []
    for interview in ordered(corpus, filters):
        found = by_interview.get(interview.id, [])
        cells = tuple(MatrixCell(interview.texts.get(f"summary:{theme.id}", ""),
                                 tuple(q for q in found if q.theme_id == theme.id)) for theme in corpus.themes)
        rows.append(MatrixRow(interview.id, pseudonym(corpus, interview), interview.category,
                              corpus.category_label(interview.category), interview.site, interview.organisation,
                              interview.role, interview.status, cells))
    return FrameworkMatrix(corpus.themes, tuple(rows), filters)
