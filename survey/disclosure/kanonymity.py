"""k-anonymity and ℓ-diversity on a table: class sizes by polars group-by, the least lossy k-minimal node.  PURE.

Each quasi-identifier's values are coded once as small integers, with a lookup per level from a value's code to
its ancestor's; the table is then collapsed to its distinct combinations (of quasi-identifiers and sensitive
values) with a weight, so that judging a node of the lattice is one gather per column and one group-by over the
collapsed rows, whatever the number of records. A record is suppressed when its class (the records sharing its
generalised quasi-identifiers) has fewer than k records, or fewer than ℓ distinct values of a sensitive column;
a node passes when at most s % of the records are suppressed (`survey.disclosure.lattice` finds the k-minimal
nodes).

Information loss: the normalised certainty penalty (NCP, Xu et al. 2006) over the observed domain — a value
generalised to an ancestor covering c of the column's d observed values costs (c − 1) / (d − 1), a suppressed
value (or a suppressed record's) costs 1; the loss is the mean over records and quasi-identifiers, 0 for the
data as it is and 1 for everything suppressed. Among the k-minimal nodes the one with the least loss is kept
(ties: the lower node, then the earlier columns kept finer).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from survey.disclosure.hierarchy import Hierarchy
from survey.disclosure.lattice import Node, Search
from survey.disclosure.profile import Profile

_BLANK = "\x00"  # stands for a blank while values are coded (never a value: control characters are refused)
_WEIGHT = "~w"


@dataclass(frozen=True)
class Coded:
    """One quasi-identifier's values coded: per level, each value's ancestor (code, label) and its cost."""

    hierarchy: Hierarchy
    rows: pl.Series  # UInt32: each record's value code
    lookups: tuple[pl.Series, ...]  # per level: value code → ancestor code (UInt32)
    labels: tuple[tuple[str | None, ...], ...]  # per level: ancestor code → the text shown
    costs: tuple[pl.Series, ...]  # per level: ancestor code → its NCP (Float64)


@dataclass(frozen=True)
class Encoded:
    """A table ready for the search: its quasi-identifiers coded, collapsed to weighted distinct rows."""

    columns: tuple[Coded, ...]
    sensitive: tuple[str, ...]
    collapsed: pl.DataFrame  # q0…, then the sensitive codes s0…, then the weight
    records: int

    @property
    def heights(self) -> tuple[int, ...]:
        return tuple(c.hierarchy.height for c in self.columns)


@dataclass
class Outcome:
    """How a node fares: records suppressed, classes kept, and the loss (computed for the candidates only)."""

    node: Node
    suppressed: int
    passes: bool
    loss: float | None = None
    extra: dict[str, object] = field(default_factory=dict)


def _code(values: pl.Series) -> tuple[pl.Series, list[str | None]]:
    """Each value's code (UInt32) and the values in code order (a blank as None)."""
    filled = values.cast(pl.String).fill_null(_BLANK)
    distinct = filled.unique().sort().to_list()
    codes = filled.cast(pl.Enum(distinct)).to_physical()
    return codes, [None if value == _BLANK else value for value in distinct]


def code_column(hierarchy: Hierarchy, leaves: pl.Series) -> Coded:
    """A quasi-identifier's leaves (text; a special answer `~-8`, a blank None) coded level by level."""
    rows, leaf_values = _code(leaves)
    table = hierarchy.table(leaf_values)  # raises BrokenHierarchy
    observed = max(len(leaf_values) - 1, 1)
    lookups, labels, costs = [], [], []
    for level in range(hierarchy.height):
        shown = [ancestors[level] for ancestors in table]
        order = list(dict.fromkeys(shown))
        index = {label: number for number, label in enumerate(order)}
        covers: dict[str | None, int] = {}
        for label in shown:
            covers[label] = covers.get(label, 0) + 1
        top = level == hierarchy.height - 1
        lookups.append(pl.Series([index[label] for label in shown], dtype=pl.UInt32))
        labels.append(tuple(order))
        costs.append(pl.Series([1.0 if top else (covers[label] - 1) / observed for label in order],
                               dtype=pl.Float64))
    return Coded(hierarchy, rows, tuple(lookups), tuple(labels), tuple(costs))


def encode(frame: pl.DataFrame, hierarchies: Sequence[Hierarchy], leaves: Mapping[str, pl.Series],
           sensitive: Sequence[str]) -> Encoded:
    """Code every quasi-identifier (`leaves`: its values as text) and collapse the table."""
    columns = tuple(code_column(h, leaves[h.column]) for h in hierarchies)
    parts = {f"q{i}": c.rows for i, c in enumerate(columns)}
    parts |= {f"s{i}": _code(frame[name])[0] for i, name in enumerate(sensitive)}
    if not parts:
        return Encoded(columns, tuple(sensitive), pl.DataFrame(), frame.height)
    collapsed = pl.DataFrame(parts).group_by(list(parts)).agg(pl.len().cast(pl.UInt32).alias(_WEIGHT))
    return Encoded(columns, tuple(sensitive), collapsed, frame.height)


_KEY = "~key"


def _sizes(encoded: Encoded, node: Node) -> list[int]:
    """How many distinct ancestors each column has at the node's level."""
    return [len(coded.labels[level]) for coded, level in zip(encoded.columns, node, strict=True)]


def _key(encoded: Encoded, node: Node, codes: Sequence[pl.Series]) -> pl.Series:
    """One integer per row naming its class: the columns' ancestor codes in mixed radix (or a struct if too many)."""
    ancestors = [coded.lookups[level].gather(column)
                 for coded, level, column in zip(encoded.columns, node, codes, strict=True)]
    sizes = _sizes(encoded, node)
    if math.prod(sizes) >= 2**63:  # too many combinations for one integer: a struct of the codes
        return pl.DataFrame({f"q{i}": a for i, a in enumerate(ancestors)}).to_struct(_KEY)
    key = pl.Series(_KEY, [0] * len(ancestors[0]) if ancestors else [], dtype=pl.UInt64)
    for size, ancestor in zip(sizes, ancestors, strict=True):
        key = key * size + ancestor.cast(pl.UInt64)
    return key


def classes(encoded: Encoded, node: Node, profile: Profile, *, diverse: bool = True) -> pl.DataFrame:
    """The equivalence classes of the node: key, size, and whether the class is kept (ℓ-diversity checked only
    when `diverse`)."""
    rows = encoded.collapsed
    key = _key(encoded, node, [rows[f"q{i}"] for i in range(len(encoded.columns))])
    sensitive = [f"s{i}" for i in range(len(encoded.sensitive))] if diverse else []
    frame = pl.DataFrame([key, rows[_WEIGHT], *(rows[name] for name in sensitive)])
    diversity = [pl.col(name).n_unique().alias(f"l{i}") for i, name in enumerate(sensitive)]
    grouped = frame.group_by(_KEY).agg(pl.col(_WEIGHT).sum().alias("size"), *diversity)
    kept = pl.col("size") >= profile.k
    for i in range(len(sensitive)):
        kept = kept & (pl.col(f"l{i}") >= profile.l)
    return grouped.with_columns(kept.alias("kept"))


def _loss(encoded: Encoded, node: Node, groups: pl.DataFrame) -> float:
    """The normalised certainty penalty of the node, from its classes: a kept class costs its size times the NCP
    of its ancestors, a suppressed record 1 per quasi-identifier."""
    width = len(encoded.columns)
    kept = groups.filter(pl.col("kept"))
    if kept.schema[_KEY] == pl.UInt64:
        codes, rest = [], kept[_KEY]
        for size in reversed(_sizes(encoded, node)):
            codes.append((rest % size).cast(pl.UInt32))
            rest = rest // size
        codes.reverse()
    else:
        codes = [kept[_KEY].struct.field(f"q{i}") for i in range(width)]
    cost = pl.Series([0.0] * kept.height, dtype=pl.Float64)
    for coded, level, column in zip(encoded.columns, node, codes, strict=True):
        cost = cost + coded.costs[level].gather(column)
    suppressed = encoded.records - int(kept["size"].sum() or 0)
    total = float((cost * kept["size"]).sum() or 0.0) + suppressed * width
    return total / max(encoded.records * width, 1)


def judge(encoded: Encoded, node: Node, profile: Profile) -> Outcome:
    """Records the node suppresses, whether that is within the profile's share, and (when it is) the loss.

    Class sizes alone are counted first: most nodes fail on k, and counting distinct sensitive values is dearer."""
    budget = profile.most_suppressed(encoded.records)
    if encoded.sensitive:
        sizes = classes(encoded, node, profile, diverse=False)
        small = int(sizes.filter(~pl.col("kept"))["size"].sum() or 0)
        if small > budget:
            return Outcome(node, small, False)
    groups = classes(encoded, node, profile)
    suppressed = int(groups.filter(~pl.col("kept"))["size"].sum() or 0)
    passes = suppressed <= budget
    return Outcome(node, suppressed, passes, _loss(encoded, node, groups) if passes else None)


@dataclass(frozen=True)
class Choice:
    """The node chosen, the records it keeps (a boolean per record) and how the search went."""

    node: Node
    keep: pl.Series
    loss: float
    evaluated: int
    candidates: int


def choose(encoded: Encoded, profile: Profile) -> Choice | None:
    """The least lossy k-minimal node and the records it keeps; None when no node passes."""
    if not encoded.columns:
        return Choice((), pl.Series([True] * encoded.records, dtype=pl.Boolean), 0.0, 0, 1)
    judged: dict[Node, Outcome] = {}

    def passes(node: Node) -> bool:
        judged[node] = judge(encoded, node, profile)
        return judged[node].passes

    search = Search(encoded.heights, passes)
    minimal = search.minimal()
    if not minimal:
        return None
    for node in minimal:  # a k-minimal node tagged from its cone was never judged itself
        if node not in judged:
            judged[node] = judge(encoded, node, profile)
    best = min(minimal, key=lambda node: (judged[node].loss, sum(node), node))
    return Choice(best, kept_rows(encoded, best, profile), judged[best].loss or 0.0, len(judged), len(minimal))


def kept_rows(encoded: Encoded, node: Node, profile: Profile) -> pl.Series:
    """For every record, whether its class at `node` is kept."""
    key = _key(encoded, node, [c.rows for c in encoded.columns])
    kept = classes(encoded, node, profile).filter(pl.col("kept"))[_KEY]
    return key.is_in(kept.implode()) if len(key) else pl.Series([], dtype=pl.Boolean)


def shown_column(coded: Coded, level: int) -> pl.Series:
    """A quasi-identifier's values at `level`, as text, for every record."""
    labels = pl.Series(list(coded.labels[level]), dtype=pl.String)
    return labels.gather(coded.lookups[level].gather(coded.rows))
