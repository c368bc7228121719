"""Count tables: a lattice node's equivalence classes, counted once from the records and then rolled up.  PURE.

Each quasi-identifier's values are coded once as small integers (a *leaf* code per record), with a lookup per
level from a leaf to its ancestor's code at that level, and a *climb* from one level's codes to a higher level's
(when the lower level decides the higher one, as nested levels do). A node's **count table** has a row per
class and combination of sensitive values: the columns' ancestor codes, the sensitive columns' codes and the
number of records; its **size table** leaves the sensitive codes out. From the records, a node with few enough
possible classes is counted with numpy's `bincount` on one integer per record (the codes in mixed radix), any
other by a polars group-by on the codes packed in one 64-bit integer; either way only counts and sums.

A node above a node already counted is counted from that node's table (its classes merged), much smaller than
the records once anything is generalised: `Counts` keeps the tables of the nodes counted so far, within a
budget of rows, and rolls each new node up from the smallest one below it. Nodes whose levels group the values
alike are counted once. No text is built until the chosen node is shown (`shown_column`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from survey.disclosure.hierarchy import Hierarchy
from survey.disclosure.profile import Profile

Node = tuple[int, ...]
LEAF = -1  # the "level" of the records' own leaf codes, below level 0 (two leaves may show alike at level 0)
WEIGHT = "~w"
SIZE = "size"
KEPT = "kept"
_KEY = "~key"
_GLIMPSE = 4096  # records looked at before counting a sample's distinct classes
NARROW = 1 << 32  # possible classes up to which a record's class is packed in 32 bits
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
        widths.append(_bits(len(values)))
    return Encoded(columns, tuple(sensitive), pl.DataFrame(parts), tuple(widths), frame.height)


def _bits(count: int) -> int:
    """Bits needed for codes 0 … count − 1."""
    return max(count - 1, 0).bit_length()


def _grouped(source: pl.LazyFrame, keys: list[str], widths: list[int], aggregates: list[pl.Expr],
             decode: bool = True) -> pl.LazyFrame:
    """`source` grouped on `keys` (codes of `widths` bits each): on one packed integer when they fit in 64 bits,
    its fields read back into the key columns unless `decode` is False (the packed key is left as it is)."""
    if sum(widths) > 64:
        return source.group_by(keys).agg(aggregates)
    packed, shift = pl.lit(0, pl.UInt64), 0
    for key, width in zip(keys, widths, strict=True):
        packed = packed + pl.col(key).cast(pl.UInt64) * pl.lit(1 << shift, pl.UInt64)
        shift += width
    grouped = source.group_by(packed.alias(_KEY)).agg(aggregates)
    return _decoded(grouped, keys, widths) if decode else grouped


def _decoded(grouped: pl.LazyFrame, keys: list[str], widths: list[int]) -> pl.LazyFrame:
    """The packed key of a grouping read back into its key columns."""
    if _KEY not in grouped.collect_schema():
        return grouped
    fields, shift = [], 0
    for key, width in zip(keys, widths, strict=True):
        unit = pl.lit(1 << shift, pl.UInt64)
        fields.append(((pl.col(_KEY) // unit) % pl.lit(1 << width, pl.UInt64)).cast(pl.UInt32).alias(key))
        shift += width
    return grouped.select(*fields, pl.exclude(_KEY))


class Counts:
    """The count and size tables of the nodes counted so far, each rolled up from the smallest table below it.

    Tables are kept for roll-ups within `budget` rows in all (by default as many as the records), the least
    recently used dropped first; a table hardly smaller than the records is not kept."""

    def __init__(self, encoded: Encoded, budget: int | None = None, dense: int | None = None):
        """Nothing counted yet; `budget`: the most rows of tables kept (by default as many as the records);
        `dense`: the most possible classes counted in an array (by default four per record, at least 65,536)."""
        self.encoded = encoded
        self.budget = budget if budget is not None else max(encoded.records, 10_000)
        self.dense = dense if dense is not None else max(4 * encoded.records, 1 << 16)
        self.tables: dict[tuple[Node, bool], pl.DataFrame] = {}  # (node, with sensitive codes) → table
        self._rows = 0
        self._sample: pl.DataFrame | None = None
        self._arrays: list[np.ndarray] | None = None
        self._lookups: dict[tuple[int, int], np.ndarray] = {}
        self._same: dict[Node, Node] = {}
        self._exceeds: dict[tuple[Node, int], bool] = {}
        self._climbs: dict[tuple[int, int, int], pl.Series | None] = {}
        # The last table counted too large to keep, with its codes: the chosen node's is asked for several times
        # in a row (judged, its records kept, its risk), and the bottom's of a million records costs a count each.
        self._recent: tuple[tuple[Node, bool], pl.DataFrame] | None = None

    def _climb(self, column: int, low: int, high: int) -> pl.Series | None:
        """`Coded.climb`, remembered."""
        key = (column, low, high)
        if key not in self._climbs:
            self._climbs[key] = self.encoded.columns[column].climb(low, high)
        return self._climbs[key]

    def _reaches(self, low: Sequence[int], high: Sequence[int]) -> bool:
        """Whether a table at `low` can be rolled up to `high`."""
        return all(a <= b and (a == b or self._climb(i, a, b) is not None)
                   for i, (a, b) in enumerate(zip(low, high, strict=True)))

    def _source(self, node: Node, full: bool) -> tuple[Node | None, pl.DataFrame]:
        """The smallest table the node can be rolled up from: a counted node below it, else the records."""
        best: tuple[Node | None, pl.DataFrame] = (None, self.encoded.rows)
        for (below, spelled), table in self.tables.items():
            if (spelled or not full) and table.height < best[1].height and self._reaches(below, node):
                best = (below, table)
        return best

    def table(self, node: Node, full: bool = True, codes: bool = True) -> pl.DataFrame:
        """The node's count table (`full`: codes c0…, sensitive codes s0…, WEIGHT) or size table (no s0…);
        without `codes`, a table too large to keep may come with its codes still packed (one key column)."""
        full = full and bool(self.encoded.sensitive)
        same = self.same(node)
        if same != node:  # the same classes under other names: counted once
            table = self.table(same, full, codes)
            return table.with_columns(
                pl.lit(self._climb(i, low, high)).gather(pl.col(f"c{i}")).alias(f"c{i}")
                for i, (low, high) in enumerate(zip(same, node, strict=True)) if low != high) if codes else table
        for key in ((node, True), (node, False)) if not full else ((node, True),):
            if key in self.tables:
                self.tables[key] = self.tables.pop(key)  # most recently used last
                return self.tables[key]
            if self._recent is not None and self._recent[0] == key:
                return self._recent[1]
        encoded = self.encoded
        below, source = self._source(node, full)
        if below is None and self._dense(node, full):
            return self._bincount(node, full, codes)
        levels = below or (LEAF,) * len(node)
        climbed = [pl.col(name) if low == high else pl.lit(self._climb(i, low, high)).gather(pl.col(name)).alias(name)
                   for i, (name, low, high) in enumerate(zip(encoded.codes, levels, node, strict=True))]
        weight = pl.len() if below is None else pl.col(WEIGHT).sum()
        keys = [*encoded.codes, *(encoded.spelled if full else ())]
        widths = [_bits(len(c.labels[level])) for c, level in zip(encoded.columns, node, strict=True)]
        widths += list(encoded.widths) if full else []
        counted = _grouped(source.lazy().with_columns(climbed), keys, widths, [weight.cast(pl.UInt32).alias(WEIGHT)],
                           decode=False).collect()
        kept = counted.height * 10 <= encoded.records * 9  # else hardly smaller than the records: no help
        if kept or codes:  # reading the codes back costs as much as counting: only when they are needed
            counted = _decoded(counted.lazy(), keys, widths).collect()
        if kept:
            self._keep((node, full), counted)
        elif codes:
            self._recent = ((node, full), counted)
        return counted

    def _radix(self, node: Node, full: bool) -> list[int]:
        """The number of codes of each key column: the columns' at the node, then the sensitive columns'."""
        sizes = [len(c.labels[level]) for c, level in zip(self.encoded.columns, node, strict=True)]
        return sizes + ([1 << width for width in self.encoded.widths] if full else [])

    def _dense(self, node: Node, full: bool) -> bool:
        """Whether the node's classes are few enough to be counted in an array with a cell for each possible one."""
        return math.prod(self._radix(node, full)) <= self.dense

    def _digits(self, node: Node, full: bool) -> list[tuple[int, np.ndarray, np.ndarray | None]]:
        """Per key column with more than one code: its number of codes, each record's code there (at the leaves)
        and the lookup from a leaf to the node's code (None when the node's codes are the leaves')."""
        encoded = self.encoded
        if self._arrays is None:
            self._arrays = [c.rows.to_numpy() for c in encoded.columns]
            self._arrays += [encoded.rows[name].to_numpy() for name in encoded.spelled]
        digits = []
        for i, (coded, level) in enumerate(zip(encoded.columns, node, strict=True)):
            if (i, level) not in self._lookups:
                lookup = coded.lookups[level].to_numpy()
                same = np.array_equal(lookup, np.arange(lookup.size, dtype=lookup.dtype))
                self._lookups[i, level] = None if same else lookup
            digits.append((len(coded.labels[level]), self._arrays[i], self._lookups[i, level]))
        for j, width in enumerate(encoded.widths if full else ()):
            digits.append((1 << width, self._arrays[len(node) + j], None))
        return [digit for digit in digits if digit[0] > 1]  # a column of one code adds nothing to the key

    def _packed(self, node: Node, full: bool) -> np.ndarray:
        """Each record's class (and sensitive values, when `full`) as one integer in mixed radix: 32 bits where
        the possible classes fit (a `_dense` node's do up to a billion records), half the memory to go through."""
        wide = math.prod(self._radix(node, full)) > NARROW
        key = np.zeros(self.encoded.records, dtype=np.int64 if wide else np.uint32)
        looked = np.empty(self.encoded.records, dtype=np.uint32)  # a lookup's codes (UInt32)
        for size, codes, lookup in self._digits(node, full):
            np.multiply(key, size, out=key)
            if lookup is None:
                np.add(key, codes, out=key)
            else:
                np.take(lookup, codes, out=looked, mode="clip")
                np.add(key, looked, out=key)
        return key

    def _bincount(self, node: Node, full: bool, codes: bool) -> pl.DataFrame:
        """The node's table counted from the records with one array cell per possible class (`_dense` nodes)."""
        encoded = self.encoded
        radix = self._radix(node, full)
        counts = np.bincount(self._packed(node, full), minlength=math.prod(radix))
        present = np.flatnonzero(counts)
        kept = present.size * 10 <= encoded.records * 9
        weights = pl.Series(WEIGHT, counts[present], dtype=pl.UInt32)
        if not (kept or codes):
            return weights.to_frame()
        names = [*encoded.codes, *(encoded.spelled if full else ())]
        fields, stride = [], 1
        for name, size in reversed(list(zip(names, radix, strict=True))):  # the last column varies fastest
            fields.append(((pl.col(_KEY) // stride) % size).cast(pl.UInt32).alias(name))
            stride *= size
        table = pl.DataFrame({_KEY: present}).select(*reversed(fields), weights)
        if kept:
            self._keep((node, full), table)
        else:
            self._recent = ((node, full), table)
        return table

    def same(self, node: Node) -> Node:
        """The lowest node with the same classes: each column at its lowest level grouping values alike (a level
        whose values all fall in one month, say, groups them as the suppressed level does)."""
        if node not in self._same:
            lowest = []
            for i, (coded, level) in enumerate(zip(self.encoded.columns, node, strict=True)):
                lowest.append(next(low for low in range(level + 1) if low == level or (
                    len(coded.labels[low]) == len(coded.labels[level]) and self._climb(i, low, level) is not None)))
            self._same[node] = tuple(lowest)
        return self._same[node]

    def _keep(self, key: tuple[Node, bool], table: pl.DataFrame) -> None:
        """Keep the table for roll-ups, dropping the least recently used ones past the budget."""
        self.tables[key] = table
        self._rows += table.height
        while self._rows > self.budget and len(self.tables) > 1:
            self._rows -= self.tables.pop(next(iter(self.tables))).height

    def exceeds(self, node: Node, most: int) -> bool:
        """Whether the node surely has more than `most` classes, seen on a sample of the records (a class seen
        there is a class): cheaper than counting every class of a node whose only source is the records."""
        encoded, node = self.encoded, self.same(node)
        if (node, most) in self._exceeds:
            return self._exceeds[node, most]
        if encoded.records <= most or math.prod(len(c.labels[level])
                                                for c, level in zip(encoded.columns, node, strict=True)) <= most:
            return False  # cannot have that many
        if self._dense(node, False):
            return False  # counting every record in an array costs less than a sample's distinct classes
        size = min(encoded.records, 2 * most + 1)  # a node seen half distinct on the sample fails
        if self._sample is None or self._sample.height != size:
            self._sample = encoded.rows.select(encoded.codes).sample(size, seed=0) if size else encoded.rows
        sample = self._sample
        widths = [_bits(len(c.labels[level])) for c, level in zip(encoded.columns, node, strict=True)]
        if sample.height <= most or sum(widths) > 64 or self._source(node, False)[1].height < 2 * sample.height:
            return False
        packed, shift = pl.lit(0, pl.UInt64), 0
        for coded, name, level, width in zip(encoded.columns, encoded.codes, node, widths, strict=True):
            packed = packed + pl.lit(coded.lookups[level]).gather(pl.col(name)).cast(pl.UInt64) * pl.lit(
                1 << shift, pl.UInt64)
            shift += width
        # A node whose classes are not nearly all distinct on a few thousand records will not be half distinct on
        # the sample (only a matter of time: the answer "not seen" is always safe).
        if sample.head(_GLIMPSE).select(packed.n_unique()).item() < 0.95 * min(_GLIMPSE, sample.height):
            self._exceeds[node, most] = False
            return False
        self._exceeds[node, most] = sample.select(packed.n_unique()).item() > most
        return self._exceeds[node, most]

    def sizes(self, node: Node, profile: Profile, codes: bool = True) -> pl.DataFrame:
        """The node's classes as far as k goes: codes c0… (unless not `codes`), SIZE, KEPT (at least k records)."""
        encoded = self.encoded
        table = self.table(node, full=False, codes=codes).lazy()
        if encoded.sensitive and encoded.spelled[0] in table.collect_schema():  # a full table: classes summed
            widths = [_bits(len(c.labels[level])) for c, level in zip(encoded.columns, node, strict=True)]
            table = _grouped(table, encoded.codes, widths, [pl.col(WEIGHT).sum()], decode=codes)
        return table.select(*(encoded.codes if codes else ()), pl.col(WEIGHT).cast(pl.UInt32).alias(SIZE)
                            ).with_columns((pl.col(SIZE) >= profile.k).alias(KEPT)).collect()

    def classes(self, node: Node, profile: Profile) -> pl.DataFrame:
        """The node's classes: codes c0…, SIZE, l<i> (distinct values of each sensitive column), KEPT."""
        encoded = self.encoded
        if not encoded.sensitive:
            return self.sizes(node, profile)
        widths = [_bits(len(c.labels[level])) for c, level in zip(encoded.columns, node, strict=True)]
        # one row per class and sensitive combination: with one sensitive column, its distinct values are the rows
        diversity = ([pl.len().alias("l0")] if len(encoded.sensitive) == 1 else
                     [pl.col(name).n_unique().alias(f"l{name[1:]}") for name in encoded.spelled])
        grouped = _grouped(self.table(node).lazy(), encoded.codes, widths,
                           [pl.col(WEIGHT).sum().cast(pl.UInt32).alias(SIZE), *diversity])
        kept = pl.col(SIZE) >= profile.k
        for i in range(len(encoded.sensitive)):
            kept = kept & (pl.col(f"l{i}") >= profile.l)
        return grouped.with_columns(pl.col(f"l{i}").cast(pl.UInt32) for i in range(len(encoded.sensitive))
                                    ).with_columns(kept.alias(KEPT)).collect()

    def kept_rows(self, node: Node, profile: Profile) -> pl.Series:
        """For every record, whether its class at `node` is kept."""
        encoded = self.encoded
        classes = self.classes(node, profile)
        if classes[KEPT].all():  # every class kept (k = 1, or data k-anonymous as it is): no join needed
            return pl.repeat(True, encoded.records, dtype=pl.Boolean, eager=True).alias(KEPT)
        kept = classes.filter(pl.col(KEPT)).select(*encoded.codes, pl.col(KEPT))
        climbed = [pl.lit(c.lookups[level]).gather(pl.col(name)).alias(name)
                   for c, name, level in zip(encoded.columns, encoded.codes, node, strict=True)]
        joined = encoded.rows.lazy().select(climbed).join(kept.lazy(), on=encoded.codes, how="left",
                                                          maintain_order="left")
        return joined.select(pl.col(KEPT).fill_null(False)).collect().to_series()


def shown_column(coded: Coded, level: int, rows: pl.Series | None = None, *, compact: bool = False) -> pl.Series:
    """A quasi-identifier's values at `level`, as text, for every record (or the records at positions `rows`);
    `compact`: as an Enum of the level's texts, a byte or two per record where a text takes 16."""
    texts = list(coded.labels[level])
    labels = pl.Series(texts, dtype=pl.String)
    if compact:
        labels = labels.cast(pl.Enum([text for text in dict.fromkeys(texts) if text is not None]))
    return labels.gather(coded.lookups[level].gather(coded.rows if rows is None else coded.rows.gather(rows)))
