"""Count tables: a lattice node's equivalence classes, counted once from the records and then rolled up.  PURE.

The records come coded (`survey.disclosure.encoding`): a leaf code per record and quasi-identifier, a lookup per
level from a leaf to its ancestor's code. A node's **count table** has a row per class and combination of
sensitive values: the columns' ancestor codes, the sensitive columns' codes and the number of records; its
**size table** leaves the sensitive codes out. From the records, a node with few enough possible classes is
counted with numpy's `bincount` on one integer per record (the codes in mixed radix, 32 bits where they fit), any
other by a polars group-by on the codes packed in one 64-bit integer; either way only counts and sums.

A node above a node already counted is counted from that node's table (its classes merged), much smaller than
the records once anything is generalised: `Counts` keeps the tables of the nodes counted so far, within a
budget of rows, and rolls each new node up from the smallest one below it. Nodes whose levels group the values
alike are counted once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import polars as pl

from survey.disclosure.encoding import LEAF, Encoded, bits
from survey.disclosure.profile import Profile

Node = tuple[int, ...]
WEIGHT = "~w"
SIZE = "size"
KEPT = "kept"
_KEY = "~key"
_GLIMPSE = 4096  # records looked at before counting a sample's distinct classes
NARROW = 1 << 32  # possible classes up to which a record's class is packed in 32 bits


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
        self._levels: dict[tuple[int, int], np.ndarray] = {}  # (column, level) → each record's code there
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
        widths = [bits(len(c.labels[level])) for c, level in zip(encoded.columns, node, strict=True)]
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

    def _digits(self, node: Node, full: bool) -> list[tuple[int, np.ndarray]]:
        """Per key column with more than one code: its number of codes and each record's code there."""
        encoded = self.encoded
        if self._arrays is None:
            self._arrays = [c.rows.to_numpy() for c in encoded.columns]
            self._arrays += [encoded.rows[name].to_numpy() for name in encoded.spelled]
        digits = []
        for i, (coded, level) in enumerate(zip(encoded.columns, node, strict=True)):
            digits.append((len(coded.labels[level]), self._at_level(i, level)))
        for j, width in enumerate(encoded.widths if full else ()):
            digits.append((1 << width, self._arrays[len(node) + j]))
        return [digit for digit in digits if digit[0] > 1]  # a column of one code adds nothing to the key

    def _at_level(self, column: int, level: int) -> np.ndarray:
        """Each record's code in a column at a level, looked up once and kept in the fewest bytes (a byte a record
        for most levels): the leaves' own array when the level's codes are the leaves'."""
        assert self._arrays is not None
        if (column, level) not in self._levels:
            coded, leaves = self.encoded.columns[column], self._arrays[column]
            lookup = coded.lookups[level].to_numpy()
            if np.array_equal(lookup, np.arange(lookup.size, dtype=lookup.dtype)):
                self._levels[column, level] = leaves
            else:
                narrow = np.min_scalar_type(len(coded.labels[level]) - 1)  # unsigned: uint8 up to 256 codes
                self._levels[column, level] = lookup.astype(narrow)[leaves]
        return self._levels[column, level]

    def _packed(self, node: Node, full: bool) -> np.ndarray:
        """Each record's class (and sensitive values, when `full`) as one integer in mixed radix: 32 bits where
        the possible classes fit (a `_dense` node's do up to a billion records), half the memory to go through."""
        wide = math.prod(self._radix(node, full)) > NARROW
        key = np.zeros(self.encoded.records, dtype=np.int64 if wide else np.uint32)
        for size, codes in self._digits(node, full):
            np.multiply(key, size, out=key)
            np.add(key, codes, out=key)
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
        widths = [bits(len(c.labels[level])) for c, level in zip(encoded.columns, node, strict=True)]
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
            widths = [bits(len(c.labels[level])) for c, level in zip(encoded.columns, node, strict=True)]
            table = _grouped(table, encoded.codes, widths, [pl.col(WEIGHT).sum()], decode=codes)
        return table.select(*(encoded.codes if codes else ()), pl.col(WEIGHT).cast(pl.UInt32).alias(SIZE)
                            ).with_columns((pl.col(SIZE) >= profile.k).alias(KEPT)).collect()

    def classes(self, node: Node, profile: Profile) -> pl.DataFrame:
        """The node's classes: codes c0…, SIZE, l<i> (distinct values of each sensitive column), KEPT."""
        encoded = self.encoded
        if not encoded.sensitive:
            return self.sizes(node, profile)
        widths = [bits(len(c.labels[level])) for c, level in zip(encoded.columns, node, strict=True)]
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
