"""Finding a coded passage again after the text it was marked in has changed.  PURE.

A coded segment keeps its place (`start`, `end`, in characters) and a snapshot of the passage. When the slot's
text is saved again, the passage is looked for in the new text: where the edit left it untouched (before or after
the change) it only shifts; where the edit touched it, the snapshot is searched for and the occurrence nearest to
where it was is taken. A passage that no longer exists has no place (`None`): it is kept detached, never lost,
and found again if a later text holds it.
"""

from __future__ import annotations

Span = tuple[int, int]


def _common_prefix(old: str, new: str) -> int:
    """How many characters both texts start with."""
    limit = min(len(old), len(new))
    low, high = 0, limit
    while low < high:  # halving on slices compares in C: fast on long transcripts
        middle = (low + high + 1) // 2
        if old[:middle] == new[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(old: str, new: str, prefix: int) -> int:
    """How many characters both texts end with, not counting into the common prefix."""
    limit = min(len(old), len(new)) - prefix
    low, high = 0, limit
    while low < high:
        middle = (low + high + 1) // 2
        if old[len(old) - middle:] == new[len(new) - middle:]:
            low = middle
        else:
            high = middle - 1
    return low


def nearest(text: str, snapshot: str, around: int) -> Span | None:
    """The occurrence of `snapshot` in `text` whose start is nearest to `around`, or None."""
    if not snapshot:
        return None
    best: int | None = None
    at = text.find(snapshot)
    while at != -1:
        if best is None or abs(at - around) < abs(best - around):
            best = at
        if at > around:
            break  # later occurrences are only further away
        at = text.find(snapshot, at + 1)
    return None if best is None else (best, best + len(snapshot))


def reanchor(old: str, new: str, span: Span | None, snapshot: str) -> Span | None:
    """Where the passage `snapshot`, at `span` in `old`, is in `new`; None when `new` no longer holds it."""
    if span is None:  # detached: found again anywhere the text holds it
        return nearest(new, snapshot, 0)
    start, end = span
    if new[start:end] == snapshot and old[:start] == new[:start]:
        return span  # the edit came after it
    prefix = _common_prefix(old, new)
    suffix = _common_suffix(old, new, prefix)
    if end <= prefix:
        return span if new[start:end] == snapshot else nearest(new, snapshot, start)
    shift = len(new) - len(old)
    if start >= len(old) - suffix and new[start + shift:end + shift] == snapshot:
        return start + shift, end + shift  # the edit came before it
    return nearest(new, snapshot, start + shift if start >= prefix else start)
