"""Finding a coded passage again after the text it was marked in has changed.  PURE.

A coded segment keeps its place (`start`, `end`, in characters) and a snapshot of the passage. When the slot's
text is saved again, the passage is looked for in the new text: where the edit left it untouched (before or after
the change) it only shifts; where the edit touched it, the snapshot is searched for and the occurrence nearest to
where it was is taken. A passage that no longer exists has no place (`None`): it is kept detached, never lost,
and found again if a later text holds it.
"""

from __future__ import annotations

Span = tuple[int, int]


_BLOCK = 4096  # characters compared at a time: whole slices compare in C, and never more than a block is copied


def _first_difference(old: str, new: str, limit: int, at: int) -> int:
    """The first index in [at, limit) where the texts differ (limit when none), comparing block by block."""
    while at < limit:
        end = min(at + _BLOCK, limit)
        if old[at:end] != new[at:end]:
            low, high = at, end - 1  # the first difference is in this block: halve it
            while low < high:
                middle = (low + high) // 2
                if old[at:middle + 1] == new[at:middle + 1]:
                    low = middle + 1
                else:
                    high = middle
            return low
        at = end
    return limit


def _common_prefix(old: str, new: str) -> int:
    """How many characters both texts start with."""
    return _first_difference(old, new, min(len(old), len(new)), 0)


def _common_suffix(old: str, new: str, prefix: int) -> int:
    """How many characters both texts end with, not counting into the common prefix."""
    return _first_difference(old[::-1], new[::-1], min(len(old), len(new)) - prefix, 0)


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
    return reanchor_all(old, new, [(span, snapshot)])[0]


def reanchor_all(old: str, new: str, passages: list[tuple[Span | None, str]]) -> list[Span | None]:
    """`reanchor` for every passage of a text, the edit located once: (span, snapshot) → its new span or None."""
    prefix = _common_prefix(old, new)
    suffix = _common_suffix(old, new, prefix)
    shift = len(new) - len(old)
    found: list[Span | None] = []
    for span, snapshot in passages:
        if span is None:  # detached: found again anywhere the text holds it
            found.append(nearest(new, snapshot, 0))
            continue
        start, end = span
        if end <= prefix and new[start:end] == snapshot:
            found.append(span)  # the edit came after it
        elif start >= len(old) - suffix and new[start + shift:end + shift] == snapshot:
            found.append((start + shift, end + shift))  # the edit came before it
        else:  # the edit touched it: the occurrence nearest to where it was
            found.append(nearest(new, snapshot, start + shift if start >= prefix else start))
    return found
