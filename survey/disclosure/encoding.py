"""Coding a table for the disclosure search: each quasi-identifier's values as small integers per level.  PURE.

Each quasi-identifier's values are coded once as small integers (a *leaf* code per record), with a lookup per
level from a leaf to its ancestor's code at that level, the text shown at each level and its information loss,
and a *climb* from one level's codes to a higher level's (when the lower level decides the higher one, as nested
levels do); each sensitive column's values are coded too. `survey.disclosure.counts` counts classes on these
codes; no text is built until the chosen node is shown (`shown_column`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from survey.disclosure.hierarchy import Hierarchy

LEAF = -1  # the "level" of the records' own leaf codes, below level 0 (two leaves may show alike at level 0)
_BLANK = "\x00"  # stands for a blank while values are coded (never a value: control characters are refused)


@dataclass(frozen=True)
class Coded:
    """One quasi-identifier coded: each record's leaf, and per level each leaf's ancestor, its label and cost."""

    hierarchy: Hierarchy
    rows: pl.Series  # UInt32: each record's leaf code
    lookups: tuple[pl.Series, ...]  # per level: leaf code → ancestor code (UInt32)
    labels: tuple[tuple[str | None, ...], ...]  # per level: ancestor code → the text shown
    penalties: tuple[pl.Series, ...]  # per level: ancestor code → its NCP numerator (Int64; see `observed`)
    observed: int  # the NCP denominator: distinct leaves − 1 (at least 1)
    spread: tuple[int, ...]  # per level: the NCP numerators summed over every record

    def climb(self, low: int, high: int) -> pl.Series | None:
        """Level `low` codes → level `high` codes (`low` may be LEAF); None when `low` does not decide `high`."""
        if low == LEAF:
            return self.lookups[high]
        found: dict[int, int] = {}
        for a, b in zip(self.lookups[low].to_list(), self.lookups[high].to_list(), strict=True):
            if found.setdefault(a, b) != b:
                return None
        return pl.Series([found.get(code, 0) for code in range(len(self.labels[low]))], dtype=pl.UInt32)


def _code(values: pl.Series) -> tuple[pl.Series, list[str | None]]:
    """Each value's code (UInt32) and the values in code order (a blank as None)."""
    filled = values.cast(pl.String).fill_null(_BLANK)
    distinct = filled.unique().sort().to_list()
    codes = filled.cast(pl.Enum(distinct)).to_physical().cast(pl.UInt32)
    return codes, [None if value == _BLANK else value for value in distinct]


def code_column(hierarchy: Hierarchy, leaves: pl.Series) -> Coded:
    """A quasi-identifier's leaves (text; a special answer `~-8`, a blank None) coded level by level.

    The cost of showing a value as an ancestor covering c of the d observed leaves is (c − 1) / (d − 1), and 1
    at the top (suppressed); it is kept as the integer numerator c − 1 so that losses compare exactly."""
    rows, leaf_values = _code(leaves)
    table = hierarchy.table(leaf_values)  # raises BrokenHierarchy
    observed = max(len(leaf_values) - 1, 1)
    counts = [0] * len(leaf_values)
    for code, count in rows.value_counts().iter_rows():
        counts[code] = count
    lookups, labels, penalties, spread = [], [], [], []
    for level in range(hierarchy.height):
        shown = [ancestors[level] for ancestors in table]
        order = list(dict.fromkeys(shown))
        index = {label: number for number, label in enumerate(order)}
        covers: dict[str | None, int] = {}
        for label in shown:
            covers[label] = covers.get(label, 0) + 1
        top = level == hierarchy.height - 1
        numerators = [observed if top else covers[label] - 1 for label in order]
        lookups.append(pl.Series([index[label] for label in shown], dtype=pl.UInt32))
        labels.append(tuple(order))
        penalties.append(pl.Series(numerators, dtype=pl.Int64))
        spread.append(sum(count * numerators[index[label]] for count, label in zip(counts, shown, strict=True)))
    return Coded(hierarchy, rows, tuple(lookups), tuple(labels), tuple(penalties), observed, tuple(spread))


@dataclass(frozen=True)
class Encoded:
    """A table ready for the search: its quasi-identifiers and sensitive columns coded, a row per record."""

    columns: tuple[Coded, ...]
    sensitive: tuple[str, ...]
    rows: pl.DataFrame  # c0… leaf codes, s0… sensitive codes
    widths: tuple[int, ...]  # bits of each sensitive column's codes
    records: int

    @property
    def heights(self) -> tuple[int, ...]:
        """The number of levels of each quasi-identifier."""
        return tuple(c.hierarchy.height for c in self.columns)

    @property
    def codes(self) -> list[str]:
        """The names of the quasi-identifiers' code columns."""
        return [f"c{i}" for i in range(len(self.columns))]

    @property
    def spelled(self) -> list[str]:
        """The names of the sensitive columns' code columns."""
        return [f"s{i}" for i in range(len(self.sensitive))]


def encode(frame: pl.DataFrame, hierarchies: Sequence[Hierarchy], leaves: Mapping[str, pl.Series],
           sensitive: Sequence[str]) -> Encoded:
    """Code every quasi-identifier (`leaves`: its values as text) and sensitive column."""
    columns = tuple(code_column(h, leaves[h.column]) for h in hierarchies)
    parts = {f"c{i}": c.rows for i, c in enumerate(columns)}
    widths = []
    for i, name in enumerate(sensitive):
        parts[f"s{i}"], values = _code(frame[name])
        widths.append(bits(len(values)))
    return Encoded(columns, tuple(sensitive), pl.DataFrame(parts), tuple(widths), frame.height)


def bits(count: int) -> int:
    """Bits needed for codes 0 … count − 1."""
    return max(count - 1, 0).bit_length()


def shown_column(coded: Coded, level: int, rows: pl.Series | None = None, *, compact: bool = False) -> pl.Series:
    """A quasi-identifier's values at `level`, as text, for every record (or the records at positions `rows`);
    `compact`: as an Enum of the level's texts, a byte or two per record where a text takes 16."""
    texts = list(coded.labels[level])
    labels = pl.Series(texts, dtype=pl.String)
    if compact:
        labels = labels.cast(pl.Enum([text for text in dict.fromkeys(texts) if text is not None]))
    return labels.gather(coded.lookups[level].gather(coded.rows if rows is None else coded.rows.gather(rows)))
