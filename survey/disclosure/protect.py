"""The disclosure-control step on one table: generalise, suppress, measure; or refuse, saying what to relax.  PURE.

`protect` takes a table (a row per respondent), its quasi-identifiers' hierarchies and its sensitive columns,
and returns the table generalised to the least lossy k-minimal node with the records of too small (or not
diverse enough) classes removed, and the figures the risk report gives. Special codes and blanks are values of a
quasi-identifier like any other (a class of "prefer not to say" is a class). With no quasi-identifier, nothing
ties a row to a person from outside: no class is formed, k and ℓ are not enforced, and the report says so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from survey.disclosure.counts import KEPT, SIZE, Counts
from survey.disclosure.encoding import Coded, Encoded, encode, shown_column
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
    """The protected table and what was done to it: the records kept, the columns shown at a coarser level."""

    source: pl.DataFrame  # the table as given
    keep: pl.Series  # for every record, whether it is kept
    shown: dict[str, tuple[Coded, int]]  # quasi-identifier shown at a coarser level → its codes and the level
    levels: dict[str, str]  # quasi-identifier → the name of the level it is shown at
    records_in: int
    suppressed: int
    before: Risk
    after: Risk
    l_achieved: int | None
    loss: float
    evaluated: int  # lattice nodes judged
    candidates: int  # k-minimal nodes compared on loss

    @property
    def frame(self) -> pl.DataFrame:
        """The kept records, generalised, in the order given: one gather of the table, and the text of a
        generalised value made for the records shown only."""
        index = self.keep.arg_true()
        return self.source.select(pl.all().gather(index)).with_columns(
            shown_column(coded, level, index).alias(name) for name, (coded, level) in self.shown.items())

    def every_row(self) -> pl.DataFrame:
        """Every record, suppressed ones included, with the generalised values: no copy of the table's other
        columns. Only for a caller that then reads the kept records alone (`keep.arg_true()`), as the export does
        through its row order. The generalised values are Enums of their texts (`shown_column`'s `compact`)."""
        return self.source.with_columns(shown_column(coded, level, compact=True).alias(name)
                                        for name, (coded, level) in self.shown.items())


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
            leaves: Mapping[str, pl.Expr] | None = None) -> Protected:
    """The table generalised and suppressed to meet `profile`; raises `Refused` when no generalisation can.

    `leaves` gives each quasi-identifier's values as text (a special answer `~-8`), as an expression on `frame`;
    by default, the column cast to text. Each is made when its column is coded, one at a time.
    """
    texts = _Texts(frame, {h.column: (leaves or {}).get(h.column, pl.col(h.column).cast(pl.String))
                           for h in hierarchies})
    try:
        encoded = encode(frame, hierarchies, texts, sensitive if hierarchies else ())
    except BrokenHierarchy as exc:
        raise Refused([f"broken hierarchy: {exc}"], ["correct the levels in the questionnaire file"]) from None
    counts = Counts(encoded)
    chosen = choose(counts, profile)
    if chosen is None:
        raise _refusal(encoded, profile, frame)
    bottom = tuple(0 for _ in hierarchies)
    before = counts.sizes(bottom, profile, codes=False)[SIZE] if hierarchies else pl.Series([frame.height])
    kept = int(chosen.keep.sum())
    if hierarchies:
        groups = counts.classes(chosen.node, profile).filter(pl.col(KEPT))
        after, l_achieved = risk_of(groups[SIZE]), _diversity(groups, len(encoded.sensitive))
    else:
        after, l_achieved = risk_of(pl.Series([kept]) if kept else pl.Series([], dtype=pl.UInt32)), None
    levels = {c.hierarchy.column: c.hierarchy.names[level] for c, level in zip(encoded.columns, chosen.node,
                                                                               strict=True)}
    shown = {c.hierarchy.column: (c, level) for c, level in zip(encoded.columns, chosen.node, strict=True)
             if level > 0}
    return Protected(frame, chosen.keep, shown, levels, frame.height, frame.height - kept,
                     risk_of(before.filter(before > 0)), after, l_achieved, chosen.loss, chosen.evaluated,
                     chosen.candidates)


class _Texts(Mapping[str, pl.Series]):
    """Each quasi-identifier's values as text, made when asked for: a million strings per column add up."""

    def __init__(self, frame: pl.DataFrame, expressions: dict[str, pl.Expr]):
        """The texts of `frame` that `expressions` give."""
        self.frame, self.expressions = frame, expressions

    def __getitem__(self, column: str) -> pl.Series:
        return self.frame.select(self.expressions[column]).to_series()

    def __iter__(self) -> Iterator[str]:
        return iter(self.expressions)

    def __len__(self) -> int:
        return len(self.expressions)
