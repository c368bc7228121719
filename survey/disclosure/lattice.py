"""The lattice of generalisation levels, searched for its k-minimal nodes.  PURE.

A node gives one level per quasi-identifier. Whether a node passes (k-anonymity and ℓ-diversity once at most
s % of the records are suppressed) is monotone: generalising further only merges classes, so every node above a
passing node passes and every node below a failing one fails. The search uses it as OLA and Flash do (El Emam
et al. 2009; Kohlmayer et al. 2012): from the lowest node not yet tagged it climbs a chain of untagged nodes,
binary-searches it, and tags the whole cone of every node it evaluates — upwards when it passes, downwards
when it fails — so that each evaluation settles many nodes; it stops when every node is tagged. The k-minimal
nodes are the passing nodes whose every direct predecessor fails; the caller picks the one that loses least
information.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

Node = tuple[int, ...]


class Search:
    """The search over the lattice of `heights` (levels per column, the value's and the suppressed one included)."""

    def __init__(self, heights: tuple[int, ...], passes: Callable[[Node], bool]):
        self.heights = heights
        self.top: Node = tuple(h - 1 for h in heights)
        self._passes = passes
        self.state: dict[Node, bool] = {}  # tagged nodes: True passes, False fails
        self._untagged: dict[int, set[Node]] = {}
        for node in itertools.product(*(range(h) for h in heights)):
            self._untagged.setdefault(sum(node), set()).add(node)
        self.evaluated = 0

    def _neighbours(self, node: Node, step: int) -> list[Node]:
        """The nodes one level above (`step` 1) or below (-1) in one column."""
        found = []
        for i, level in enumerate(node):
            if 0 <= level + step < self.heights[i]:
                found.append(node[:i] + (level + step,) + node[i + 1:])
        return found

    def _tag(self, node: Node, ok: bool) -> None:
        """Tag the node and its cone: above it when it passes, below it when it fails."""
        stack = [node]
        while stack:
            current = stack.pop()
            if current in self.state:
                continue
            self.state[current] = ok
            self._untagged[sum(current)].discard(current)
            stack.extend(n for n in self._neighbours(current, 1 if ok else -1) if n not in self.state)

    def settle(self, node: Node, ok: bool) -> None:
        """Tag a node the caller judged on its own (and its cone), unless it is tagged already."""
        if node not in self.state:
            self._tag(node, ok)

    def _path(self) -> list[Node]:
        """A chain of untagged nodes from the lowest untagged one upwards, one column raised at a time."""
        height = min((h for h, nodes in self._untagged.items() if nodes), default=None)
        if height is None:
            return []
        path = [min(self._untagged[height])]
        column = 0
        while True:
            for attempt in range(len(self.heights)):  # raise the columns in turn, so the chain climbs evenly
                i = (column + attempt) % len(self.heights)
                node = path[-1]
                if node[i] + 1 < self.heights[i]:
                    following = node[:i] + (node[i] + 1,) + node[i + 1:]
                    if following not in self.state:
                        path.append(following)
                        column = i + 1
                        break
            else:
                return path

    def _bisect(self, path: list[Node]) -> None:
        """Binary search of the chain: the failing part below, the passing part above, tagged as it goes."""
        low, high = 0, len(path) - 1
        while low <= high:
            middle = (low + high) // 2
            node = path[middle]
            if node in self.state:
                ok = self.state[node]
            else:
                self.evaluated += 1
                ok = self._passes(node)
                self._tag(node, ok)
            if ok:
                high = middle - 1
            else:
                low = middle + 1

    def minimal(self) -> list[Node]:
        """Every k-minimal node, lowest first; empty when even the top (everything suppressed) fails. Called once:
        the `passes` given is let go at the end (a closure over this search and its caller's count tables made a
        cycle that kept ~100 MB of tables alive at a million records until the next garbage collection)."""
        try:
            self.evaluated += 1
            if not self._passes(self.top):
                return []
            self._tag(self.top, True)
            while path := self._path():
                self._bisect(path)
            return sorted((node for node, ok in self.state.items()
                           if ok and all(not self.state[p] for p in self._neighbours(node, -1))),
                          key=lambda node: (sum(node), node))
        finally:
            self._passes = _searched


def _searched(node: Node) -> bool:
    """What a search's `passes` becomes once its search is done: asking again is a mistake."""
    raise RuntimeError("this search is over: Search.minimal() runs once")
