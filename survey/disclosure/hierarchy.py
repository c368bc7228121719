"""Generalisation hierarchies: each value of a quasi-identifier and its ancestors, level by level.  PURE.

Level 0 is the value itself and the last level is `SUPPRESSED` ("*"); the levels between come from the
questionnaire (`disclosure: {quasi_identifier: [...]}`): choice attributes and groups, number bands, date and
time periods. A hierarchy works on *leaves*, the values as text: a special answer is written `~-8` (so that a
number answer of -8 is never taken for one) and shows as `-8`; a blank is None. Special answers, blanks and
values the hierarchy does not know (`other`, a code only an older version had) keep themselves at every level
below the top: they are values of the column too, and an unknown value is never given a parent it has not got.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from survey.schema.disclosure import Bands, Level

SUPPRESSED = "*"
SPECIAL_MARK = "~"  # a leaf starting with it is a special answer's code; no choice code, number or date does

Ladder = Callable[[str], tuple[str, ...]]  # an ordinary leaf → its ancestors at levels 1 … height - 2


class BrokenHierarchy(ValueError):
    """Two values share an ancestor at one level but not at the next: the levels do not nest."""


def shown(leaf: str | None) -> str | None:
    """A leaf as an export shows it: a special answer as its code."""
    return leaf[1:] if leaf is not None and leaf.startswith(SPECIAL_MARK) else leaf


@dataclass(frozen=True)
class Hierarchy:
    """One quasi-identifier column: its level names (finest first, `*` last) and how a leaf climbs them."""

    column: str
    names: tuple[str, ...]  # "value", then one name per declared level, then "suppressed"
    ladder: Ladder

    @property
    def height(self) -> int:
        """The number of levels, the value's and the suppressed one included."""
        return len(self.names)

    def ancestors(self, leaf: str | None) -> tuple[str | None, ...]:
        """The leaf as shown at every level, from itself to `*`."""
        if leaf is None or leaf.startswith(SPECIAL_MARK):
            middle: tuple[str | None, ...] = (shown(leaf),) * (self.height - 2)
        else:
            middle = self.ladder(leaf)
        return (shown(leaf), *middle, SUPPRESSED)

    def table(self, leaves: Iterable[str | None]) -> list[tuple[str | None, ...]]:
        """Every leaf's ancestors; raises `BrokenHierarchy` when one level does not nest in the next."""
        rows = [self.ancestors(leaf) for leaf in leaves]
        for level in range(1, self.height - 1):
            parent: dict[str | None, str | None] = {}
            for row in rows:
                if parent.setdefault(row[level], row[level + 1]) != row[level + 1]:
                    raise BrokenHierarchy(f"`{self.column}`: `{row[level]}` ({self.names[level]}) goes up to both "
                                          f"`{parent[row[level]]}` and `{row[level + 1]}` ({self.names[level + 1]})")
        return rows


def flat(column: str) -> Hierarchy:
    """A quasi-identifier with no declared level: kept, or suppressed."""
    return Hierarchy(column, ("value", "suppressed"), lambda leaf: ())


def explicit(column: str, chains: Mapping[str, tuple[str, ...]], names: tuple[str, ...] | None = None) -> Hierarchy:
    """Ancestors given value by value (choice attributes and groups, or a test's own table)."""
    level_names = names or tuple(f"level {i}" for i in range(1, max(map(len, chains.values()), default=0) + 1))
    depth = len(level_names)
    return Hierarchy(column, ("value", *level_names, "suppressed"),
                     lambda leaf: chains.get(leaf, (leaf,) * depth))


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def band(value: float, spec: Bands, whole: bool) -> str:
    """The band a number falls in: `20-29` (whole numbers) or `[20, 30)`, `<18`, `80+`."""
    if spec.bottom is not None and value < spec.bottom:
        return f"<{_number(spec.bottom)}"
    if spec.top is not None and value >= spec.top:
        return f"{_number(spec.top)}+"
    if isinstance(spec.bands, tuple):
        cuts = list(spec.bands)
        if value < cuts[0]:
            return f"<{_number(cuts[0])}"
        if value >= cuts[-1]:
            return f"{_number(cuts[-1])}+"
        low = max(cut for cut in cuts if cut <= value)
        high = min(cut for cut in cuts if cut > value)
    else:
        low = math.floor(value / spec.bands) * spec.bands
        high = low + spec.bands
    if spec.top is not None:
        high = min(high, spec.top)
    if whole and float(low).is_integer() and float(high).is_integer():
        return f"{_number(low)}-{_number(high - 1)}" if high - 1 > low else _number(low)
    return f"[{_number(low)}, {_number(high)})"


def banded(column: str, levels: tuple[Bands, ...], whole: bool) -> Hierarchy:
    """A number's bands, level by level."""
    names = tuple(f"bands {list(spec.bands) if isinstance(spec.bands, tuple) else _number(spec.bands)}"
                  for spec in levels)

    def ladder(leaf: str) -> tuple[str, ...]:
        try:
            value = float(leaf)
        except ValueError:
            return (leaf,) * len(levels)
        return tuple(band(value, spec, whole) for spec in levels)

    return Hierarchy(column, ("value", *names, "suppressed"), ladder)


_PERIODS: dict[str, Callable[[str], str]] = {
    "month": lambda day: day[:7],
    "quarter": lambda day: f"{day[:4]}-T{(int(day[5:7]) - 1) // 3 + 1}",
    "year": lambda day: day[:4],
    "hour": lambda time: f"{time[:2]}h",
}


def periods(column: str, levels: tuple[str, ...]) -> Hierarchy:
    """A date's month, quarter, year (`2026-03`, `2026-T1`, `2026`), a time's hour (`14h`)."""
    def ladder(leaf: str) -> tuple[str, ...]:
        try:
            return tuple(_PERIODS[level](leaf) for level in levels)
        except (ValueError, IndexError):
            return (leaf,) * len(levels)

    return Hierarchy(column, ("value", *levels, "suppressed"), ladder)


def of_levels(column: str, levels: tuple[Level, ...], storage: str,
              chains: Callable[[], Mapping[str, tuple[str, ...]]]) -> Hierarchy:
    """The hierarchy a column's declared levels give, by what the column stores (`chains`: a choice's)."""
    if not levels:
        return flat(column)
    if storage in ("date", "time") or (storage == "text" and all(level in _PERIODS for level in levels)):
        return periods(column, tuple(str(level) for level in levels))
    if all(isinstance(level, Bands) for level in levels):
        return banded(column, tuple(levels), whole=storage == "integer")  # type: ignore[arg-type]
    names = tuple(str(level) if isinstance(level, str) else "groups" for level in levels)
    return explicit(column, chains(), names)
