"""k-anonymity and ℓ-diversity on a table: judging a lattice node from its count table, the least lossy one.  PURE.

A record is suppressed when its class (the records sharing its generalised quasi-identifiers) has fewer than k
records, or fewer than ℓ distinct values of a sensitive column; a node passes when at most s % of the records
are suppressed (`survey.disclosure.lattice` finds the k-minimal nodes). Classes are counted by
`survey.disclosure.counts`, a node's from the smallest count table below it.

Information loss: the normalised certainty penalty (NCP, Xu et al. 2006) over the observed domain — a value
generalised to an ancestor covering c of the column's d observed values costs (c − 1) / (d − 1), a suppressed
value (or a suppressed record's) costs 1; the loss is the mean over records and quasi-identifiers, 0 for the
data as it is and 1 for everything suppressed. It is computed as an exact fraction, so that ties are ties.
Among the k-minimal nodes the one with the least loss is kept (ties: the lower node, then the earlier columns
kept finer). A node's loss is at least its `bound`, the loss of its generalisation with nothing suppressed (a
suppressed value costs 1, the most a value can), which needs no count: once a k-minimal node is known, every
node whose bound is above its loss — and every node above that one — is left out of the search (`choose`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import polars as pl

from survey.disclosure.counts import KEPT, SIZE, Counts, Node
from survey.disclosure.encoding import Encoded
from survey.disclosure.lattice import Search
from survey.disclosure.profile import Profile


@dataclass
class Outcome:
    """How a node fares: records suppressed, whether it passes, and its loss (computed when it passes)."""

    node: Node
    suppressed: int | None  # None: failed on its number of classes, before counting its records
    passes: bool
    loss: Fraction | None = None


def _loss(encoded: Encoded, node: Node, groups: pl.DataFrame) -> Fraction:
    """The normalised certainty penalty of the node, from its classes: a kept class costs its size times the NCP
    of its ancestors, a suppressed record 1 per quasi-identifier."""
    width = len(encoded.columns)
    kept = groups.filter(pl.col(KEPT))
    size = pl.col(SIZE).cast(pl.Int64)
    totals = kept.select(*((size * pl.lit(coded.penalties[level]).gather(pl.col(name))).sum().alias(name)
                           for coded, level, name in zip(encoded.columns, node, encoded.codes, strict=True)))
    total = sum((Fraction(int(totals[name][0] or 0), coded.observed)
                 for coded, name in zip(encoded.columns, encoded.codes, strict=True)), Fraction(0))
    suppressed = encoded.records - int(kept[SIZE].sum() or 0)
    return (total + suppressed * width) / max(encoded.records * width, 1)


def bound(encoded: Encoded, node: Node) -> Fraction:
    """The node's loss if nothing were suppressed: a lower bound of its loss."""
    width = len(encoded.columns)
    total = sum((Fraction(coded.spread[level], coded.observed) for coded, level in zip(encoded.columns, node,
                                                                                        strict=True)), Fraction(0))
    return total / max(encoded.records * width, 1)


def most_classes(records: int, profile: Profile) -> int:
    """The most classes a passing node can have: (n − s) / k kept ones and s suppressed ones, s ≤ the budget."""
    budget = profile.most_suppressed(records)
    return math.floor(records / profile.k + budget * (1 - 1 / profile.k))


def _projection(encoded: Encoded, node: Node, most: int) -> Node | None:
    """The node with its columns of fewest codes suppressed, as long as the others can still make more than
    twice `most` classes: a cheap node above it that often fails, and then settles many nodes below it at once.
    None when that leaves the node as it is."""
    columns = sorted(range(len(node)), key=lambda i: -len(encoded.columns[i].labels[node[i]]))
    kept, product = set(), 1
    for i in columns:
        if product > 2 * most:
            break
        kept.add(i)
        product *= len(encoded.columns[i].labels[node[i]])
    if product <= 2 * most:
        return None
    probe = tuple(level if i in kept else h - 1 for i, (level, h) in enumerate(zip(node, encoded.heights,
                                                                                 strict=True)))
    return None if probe == node else probe


def judge(counts: Counts, node: Node, profile: Profile) -> Outcome:
    """Records the node suppresses, whether that is within the profile's share, and (when it is) the loss."""
    budget = profile.most_suppressed(counts.encoded.records)
    if counts.exceeds(node, most_classes(counts.encoded.records, profile)):
        return Outcome(node, None, False)
    if counts.encoded.sensitive:  # most nodes fail on k alone, which needs no sensitive value
        small = int(counts.sizes(node, profile, codes=False).filter(~pl.col(KEPT))[SIZE].sum() or 0)
        if small > budget:
            return Outcome(node, small, False)
    groups = counts.classes(node, profile)
    suppressed = int(groups.filter(~pl.col(KEPT))[SIZE].sum() or 0)
    passes = suppressed <= budget
    return Outcome(node, suppressed, passes, _loss(counts.encoded, node, groups) if passes else None)


@dataclass(frozen=True)
class Choice:
    """The node chosen, the records it keeps (a boolean per record) and how the search went."""

    node: Node
    keep: pl.Series
    loss: float
    evaluated: int
    candidates: int


def _descend(counts: Counts, node: Node, bounds: Bounds, judged: dict[Node, Outcome], profile: Profile) -> Node:
    """A k-minimal node under the passing `node`: step down to the least bounded passing predecessor until none
    passes. Its loss bounds the best loss from above, so that the search can leave out every node whose bound
    is higher."""
    while True:
        below = [node[:i] + (level - 1,) + node[i + 1:] for i, level in enumerate(node) if level > 0]
        for candidate in sorted(below, key=lambda n: (bounds(n), sum(n), n)):
            if candidate not in judged:
                judged[candidate] = judge(counts, candidate, profile)
            if judged[candidate].passes:
                node = candidate
                break
        else:
            return node


class Bounds:
    """`bound` of each node, remembered."""

    def __init__(self, encoded: Encoded):
        """No bound known yet."""
        self.encoded = encoded
        self.known: dict[Node, Fraction] = {}

    def __call__(self, node: Node) -> Fraction:
        """The node's bound."""
        if node not in self.known:
            self.known[node] = bound(self.encoded, node)
        return self.known[node]


def choose(counts: Counts, profile: Profile) -> Choice | None:
    """The least lossy k-minimal node and the records it keeps; None when no node passes.

    A first k-minimal node is found by descending from the top; its loss L leaves out of the search every node
    whose loss bound is above L (they and all nodes above them lose more than it). The search proper then
    counts only nodes within that bound: the others are taken as passing without being counted, which keeps
    passing monotone and cannot make a node within the bound look k-minimal wrongly (its predecessors are all
    within the bound too). The bottom (the data as it is) is judged first: when it passes losing nothing, it is
    the answer (no loss is below 0, and the lowest node wins ties) and nothing else is counted."""
    encoded = counts.encoded
    if not encoded.columns:
        return Choice((), pl.Series([True] * encoded.records, dtype=pl.Boolean), 0.0, 0, 1)
    bottom = tuple(0 for _ in encoded.heights)
    judged = {bottom: judge(counts, bottom, profile)}
    if judged[bottom].loss == 0:  # the data as it is passes and loses nothing: no node can do better (k = 1, say)
        return Choice(bottom, counts.kept_rows(bottom, profile), 0.0, 1, 1)
    bounds = Bounds(encoded)
    top = tuple(h - 1 for h in encoded.heights)
    judged[top] = judge(counts, top, profile)
    if not judged[top].passes:
        return None
    first = _descend(counts, top, bounds, judged, profile)
    ceiling = judged[first].loss
    assert ceiling is not None
    most = most_classes(encoded.records, profile)
    pending: set[Node] = set()  # judged passing nodes below the ceiling, not yet known to be k-minimal

    def lower_ceiling() -> None:
        """Lower the ceiling to the loss of every pending node now known k-minimal (its predecessors fail)."""
        nonlocal ceiling
        for node in list(pending):
            loss = judged[node].loss
            assert loss is not None and ceiling is not None
            if loss >= ceiling:
                pending.discard(node)
            elif all(search.state.get(node[:i] + (level - 1,) + node[i + 1:]) is False
                     for i, level in enumerate(node) if level > 0):
                ceiling = loss
                pending.discard(node)

    def passes(node: Node) -> bool:
        """Whether the node passes, for the search: counted when within the ceiling, after its projection."""
        lower_ceiling()
        if bounds(node) > ceiling:  # type: ignore[operator]
            return True  # left out: loses more than a k-minimal node found, whether it passes or not
        probe = _projection(encoded, node, most)
        if probe is not None and probe not in search.state:
            judged[probe] = judged.get(probe) or judge(counts, probe, profile)
            search.settle(probe, judged[probe].passes)
            if not judged[probe].passes:
                return False  # below a failing node
        if node not in judged:
            judged[node] = judge(counts, node, profile)
        if judged[node].passes:
            pending.add(node)
        return judged[node].passes

    search = Search(encoded.heights, passes)
    found = search.minimal()
    lower_ceiling()
    minimal = [node for node in found if bounds(node) <= ceiling]  # type: ignore[operator]
    best: tuple[Fraction, int, Node] | None = None
    for node in minimal:
        if node not in judged:  # a k-minimal node tagged from its cone was never judged itself
            judged[node] = judge(counts, node, profile)
        ranked = (judged[node].loss or Fraction(0), sum(node), node)
        best = ranked if best is None or ranked < best else best
    assert best is not None, "the first k-minimal node is within its own bound"
    chosen = best[2]
    return Choice(chosen, counts.kept_rows(chosen, profile), float(best[0]), len(judged), len(minimal))
