"""Limits on what a questionnaire file may make the YAML reader build.  PURE.

A YAML alias (`*name`) repeats what its anchor (`&name`) names without copying it in the file, so a few hundred
bytes of nested aliases ("billion laughs") unfold into billions of values. The limits are checked on the node
graph PyYAML composes — which shares every anchored node, so it stays as small as the file — before anything
is unfolded into Python values.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml

# What reading costs is counted in values: 250,000 (a 13,000-row XLSForm import: 20 s and +140 MB to read). Bytes
# are capped before reading so that a file's text stays small beside them: 8 MB is 32 bytes a value, what long
# labels in several languages reach; the 510-question KoboToolbox questionnaire of bench/ is 79 KB, 10,000 values.
MAX_FILE_BYTES = 8_000_000
MAX_NODES = 250_000
MAX_ALIASES = 100  # `*name` uses in one file; the examples use 3
MAX_ALIAS_NODES = 10_000  # values aliases may add once unfolded, all aliases of the file together


@dataclass
class LimitExceeded(Exception):
    """The file asks for more than a limit allows: what, where (1-based line) and how to fix it."""

    line: int
    detail: str
    fix: str


class CountingComposer:
    """Counts the nodes and aliases a loader composes, and refuses past the limits as soon as one is crossed.

    Mixed into a `yaml.SafeLoader` subclass; `max_nodes=None` leaves the number of written values unbounded
    (text a program generated, such as an imported XLSForm, which is bounded by its own source's limits).
    """

    max_nodes: int | None = None
    node_count = 0
    alias_uses: tuple[tuple[int, yaml.Node], ...] | list[tuple[int, yaml.Node]] = ()  # an empty file has none

    def compose_document(self):  # noqa: ANN201 - PyYAML's own signature
        """Compose one document, counting from zero."""
        self.node_count, self.alias_uses = 0, []  # alias_uses: (line, anchor node) of every `*name`
        return super().compose_document()  # type: ignore[misc]

    def compose_node(self, parent, index):  # noqa: ANN001, ANN201 - PyYAML's own signature
        """Count this node (or alias) before composing it."""
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, yaml.AliasEvent):
            line = event.start_mark.line + 1
            if len(self.alias_uses) >= MAX_ALIASES:
                raise LimitExceeded(line, f"more than {MAX_ALIASES} aliases (`*name`) in one file",
                                    "write the repeated part out, or use fewer aliases")
            node = self.anchors.get(event.anchor)  # type: ignore[attr-defined]
            if node is not None:
                self.alias_uses.append((line, node))
        else:
            self.node_count += 1
            if self.max_nodes is not None and self.node_count > self.max_nodes:
                raise LimitExceeded(event.start_mark.line + 1, f"more than {self.max_nodes:,} values in one file",
                                    "split the questionnaire, or move long choice lists to `choices_from` CSV files")
        return super().compose_node(parent, index)  # type: ignore[misc]


def check_alias_expansion(root: yaml.Node | None, alias_uses: Sequence[tuple[int, yaml.Node]]) -> None:
    """Refuse a document whose aliases, unfolded, would add more than `MAX_ALIAS_NODES` values.

    Sizes are computed once per node of the shared graph, so the check costs the file's size, not the unfolded one.
    """
    if root is None or not alias_uses:
        return
    sizes: dict[int, int] = {}
    in_progress: set[int] = set()

    def unfolded(node: yaml.Node) -> int:
        """The number of values `node` stands for once every alias in it is unfolded (capped)."""
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            raise LimitExceeded(node.start_mark.line + 1, "an anchor (`&name`) contains an alias to itself",
                                "remove the `*name` inside the part it names")
        in_progress.add(key)
        children: list[yaml.Node] = []
        if isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        elif isinstance(node, yaml.SequenceNode):
            children = node.value
        total = 1
        for child in children:
            total = min(total + unfolded(child), 1 << 40)  # capped: the count itself must not grow without end
        in_progress.discard(key)
        sizes[key] = total
        return total

    written = _distinct_nodes(root)
    added = unfolded(root) - written
    if added > MAX_ALIAS_NODES:
        line, _ = max(alias_uses, key=lambda use: unfolded(use[1]))
        raise LimitExceeded(line, f"aliases (`*name`) unfold into more than {MAX_ALIAS_NODES:,} values "
                                  f"({min(added, 10**12):,}); nested aliases multiply",
                            "write the repeated part out, or use aliases only for small parts such as a `scale:`")


def _distinct_nodes(root: yaml.Node) -> int:
    """The number of nodes in the composed graph, each shared node once."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return len(seen)


def first_value_past(data: Any, limit: int) -> tuple[str | int, ...] | None:
    """The path of the value that makes a YAML file of `data` hold more than `limit` values, counted as the reader
    counts them (every mapping, list, key and scalar, in the order they are written); None when it holds fewer.

    A program that writes a questionnaire file (an XLSForm import) checks it this way before the file exists.
    """
    count = 0
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:  # depth first, children pushed in reverse: the order a YAML dump writes them in
        node, path = stack.pop()
        count += 1
        if count > limit:
            return path
        if isinstance(node, dict):
            for key, value in reversed(node.items()):
                stack.append((value, (*path, key)))
                stack.append((_KEY, (*path, key)))
        elif isinstance(node, list):
            stack.extend(reversed([(item, (*path, i)) for i, item in enumerate(node)]))
    return None


_KEY = object()  # stands for a mapping key while counting: a scalar


def yaml_size_estimate(data: Any, depth: int = 0) -> int:
    """About the bytes `to_yaml` writes for `data` (texts, keys, indentation, punctuation), without writing it.

    Above the truth for questionnaires (by about half: a list is written at its key's indentation, not deeper);
    below it only through long texts folded over several lines and escaped characters, which do not double a size.
    """
    if isinstance(data, dict):
        return sum(2 * depth + len(str(key).encode()) + 3 + yaml_size_estimate(value, depth + 1)
                   for key, value in data.items())
    if isinstance(data, list):
        return sum(2 * depth + 3 + yaml_size_estimate(item, depth + 1) for item in data)
    return len(str(data).encode())
