"""Export profiles: how anonymous an export must be (k, suppression, ℓ), from the file or the command line.  PURE.

Defaults: k = 5 (every combination of quasi-identifiers shared by at least five records), at most 5 % of the
records suppressed, ℓ = 2 (at least two distinct values of each sensitive column in every class). A
questionnaire may name profiles in its `disclosure:` block (`profiles: {diffusion: {k: 10}}`); a profile named
`default` replaces the defaults; `--k`, `--suppression`, `--l` override one parameter of the profile chosen.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from survey.schema.disclosure import DisclosureBlock
from survey.schema.disclosure_checks import profile_problems

RISK_THRESHOLD = 0.2  # a record whose prosecutor risk (1 / its class size) is above this is "at risk"


class ProfileInvalid(ValueError):
    """Export parameters that mean nothing (k = 0, 150 %…), or a profile the questionnaire does not name."""


@dataclass(frozen=True)
class Profile:
    """k-anonymity, the most records suppressed (a percentage), ℓ-diversity, and the profile's name."""

    k: int = 5
    suppression: float = 5.0
    l: int = 2  # noqa: E741 - the letter of ℓ-diversity
    name: str = "default"

    def __post_init__(self) -> None:
        problems = profile_problems(self.k, self.suppression, self.l)
        if problems:
            what, fix = problems[0]
            raise ProfileInvalid(f"{what} — {fix}")

    def most_suppressed(self, records: int) -> int:
        """How many of `records` may be suppressed."""
        return math.floor(records * self.suppression / 100 + 1e-9)

    def as_dict(self) -> dict[str, object]:
        """The parameters, as the risk report gives them."""
        return {"profile": self.name, "k": self.k, "suppression_percent": self.suppression, "l": self.l,
                "risk_threshold": RISK_THRESHOLD}


def resolve_profile(block: DisclosureBlock | None, name: str | None = None, *, k: int | None = None,
                    suppression: float | None = None, l: int | None = None) -> Profile:  # noqa: E741
    """The profile an export uses: the one named (else `default`, else the defaults), then the overrides."""
    profiles = block.profiles if block is not None else {}
    if name is not None and name not in profiles:
        known = ", ".join(sorted(profiles)) or "none"
        raise ProfileInvalid(f"no export profile `{name[:40]}` in this questionnaire (profiles: {known}) — "
                             "name one of them, or give --k, --suppression and --l")
    chosen = name or ("default" if "default" in profiles else None)
    spec = profiles.get(chosen) if chosen else None
    base = Profile(spec.k, spec.suppression, spec.l, chosen or "default") if spec else Profile()
    return Profile(base.k if k is None else k, base.suppression if suppression is None else suppression,
                   base.l if l is None else l, base.name)
