"""The disclosure-control step on one table: generalise, suppress, measure; or refuse, saying what to relax.  PURE.

`protect` takes a table (a row per respondent), its quasi-identifiers' hierarchies and its sensitive columns,
and returns the table generalised to the least lossy k-minimal node with the records of too small (or not
diverse enough) classes removed, and the figures the risk report gives. Special codes and blanks are values of a
quasi-identifier like any other (a class of "prefer not to say" is a class). With no quasi-identifier, nothing
ties a row to a person from outside: no class is formed, k and ℓ are not enforced, and the report says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from survey.disclosure.counts import KEPT, SIZE, Counts, Encoded, encode, shown_column
from survey.disclosure.hierarchy import BrokenHierarchy, Hierarchy
from survey.disclosure.kanonymity import choose
from survey.disclosure.profile import Profile
from survey.disclosure.risk import Risk, risk_of


class Refused(Exception):
    """The constraints cannot be met: why, and what to relax."""

    def __init__(self, reasons: list[str], relax: list[str]):
        self.reasons, self.relax = reasons, relax
        super().__init__("; ".join(reasons) + (" — " + "; ".join(relax) if relax else ""))


@dataclass(frozen=True)
class Protected:
    """The protected table and what was done to it."""

    frame: pl.DataFrame
    levels: dict[str, str]  # quasi-identifier → the name of the level it is shown at
    records_in: int
    suppressed: int
    before: Risk
    after: Risk
    l_achieved: int | None
    loss: float
    evaluated: int  # lattice nodes judged
    candidates: int  # k-minimal nodes compared on loss


def _refusal(encoded: Encoded, profile: Profile, frame: pl.DataFrame) -> Refused:
    """Why even the top of the lattice (every quasi-identifier suppressed: one class) fails, and what to relax."""
    n = encoded.records
    reasons, relax = [], []
    if n < profile.k:
        reasons.append(f"{n} response(s) only: fewer than k = {profile.k} even with every quasi-identifier "
                       "suppressed")
        relax.append(f"lower k to {max(n, 1)} or less, or wait for more responses")
    for name in encoded.sensitive:
        distinct = frame[name].n_unique()
        if distinct < profile.l:
            reasons.append(f"sensitive column `{name}` has {distinct} distinct value(s) in all: fewer than "
                           f"ℓ = {profile.l}")
            relax.append(f"lower l to {distinct}, or mark `{name}` `none` if it is not sensitive")
    relax.append(f"or allow more suppression than {profile.suppression:g} % (--suppression)")
    return Refused(reasons or ["no generalisation meets the profile"], relax)


def _diversity(groups: pl.DataFrame, sensitive: int) -> int | None:
    if not sensitive or groups.is_empty():
        return None
    return int(min(groups[f"l{i}"].min() for i in range(sensitive)))  # type: ignore[type-var, arg-type]


def protect(frame: pl.DataFrame, hierarchies: Sequence[Hierarchy], sensitive: Sequence[str], profile: Profile,
            leaves: Mapping[str, pl.Series] | None = None) -> Protected:
    """The table generalised and suppressed to meet `profile`; raises `Refused` when no generalisation can.

    `leaves` gives each quasi-identifier's values as text (a special answer `~-8`); by default, the column cast
    to text.
    """
    texts = {h.column: (leaves or {}).get(h.column, frame[h.column].cast(pl.String)) for h in hierarchies}
    try:
        encoded = encode(frame, hierarchies, texts, sensitive if hierarchies else ())
    except BrokenHierarchy as exc:
        raise Refused([f"broken hierarchy: {exc}"], ["correct the levels in the questionnaire file"]) from None
    counts = Counts(encoded)
    chosen = choose(counts, profile)
    if chosen is None:
        raise _refusal(encoded, profile, frame)
    bottom = tuple(0 for _ in hierarchies)
    before = counts.classes(bottom, profile)[SIZE] if hierarchies else pl.Series([frame.height])
    kept = frame.filter(chosen.keep)
    replaced = {coded.hierarchy.column: shown_column(coded, level).filter(chosen.keep)
                for coded, level in zip(encoded.columns, chosen.node, strict=True) if level > 0}
    if replaced:
        kept = kept.with_columns(pl.Series(name, values) for name, values in replaced.items())
    if hierarchies:
        groups = counts.classes(chosen.node, profile).filter(pl.col(KEPT))
        after, l_achieved = risk_of(groups[SIZE]), _diversity(groups, len(encoded.sensitive))
    else:
        after, l_achieved = risk_of(pl.Series([kept.height]) if kept.height else pl.Series([], dtype=pl.UInt32)), None
    levels = {c.hierarchy.column: c.hierarchy.names[level] for c, level in zip(encoded.columns, chosen.node,
                                                                               strict=True)}
    return Protected(kept, levels, frame.height, frame.height - kept.height,
                     risk_of(before.filter(before > 0)), after, l_achieved, chosen.loss, chosen.evaluated,
                     chosen.candidates)
