"""Re-identification risk and the anonymised/pseudonymised verdict, as the risk report gives them.  PURE.

Prosecutor risk: someone who knows that a person answered, and knows that person's quasi-identifiers, finds them
among the records of their class: the risk of a record is 1 / the size of its class. The report gives the
largest and the mean (over records), the share of records above `RISK_THRESHOLD`, and the sample uniques (records
alone in their class) before and after. The verdict follows the three criteria of the G29's opinion 05/2014 on
anonymisation techniques (singling out, linkability, inference), answered one by one.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from survey.disclosure.profile import RISK_THRESHOLD, Profile


@dataclass(frozen=True)
class Risk:
    """Class sizes of a table and the prosecutor risks they give."""

    records: int
    classes: int
    smallest: int | None  # the achieved k (None: no record)
    uniques: int
    highest: float
    mean: float
    above_threshold: float  # share of records whose risk is above RISK_THRESHOLD


def risk_of(sizes: pl.Series) -> Risk:
    """The risk figures from the size of every class (one entry per class)."""
    records = int(sizes.sum() or 0)
    if records == 0:
        return Risk(0, 0, None, 0, 0.0, 0.0, 0.0)
    smallest = int(sizes.min())  # type: ignore[arg-type]
    at_risk = int(sizes.filter(1 / sizes > RISK_THRESHOLD).sum() or 0)
    return Risk(records, sizes.len(), smallest, int((sizes == 1).sum()), 1 / smallest,
                sizes.len() / records, at_risk / records)


def _criteria(profile: Profile, k: int | None, l_achieved: int | None, quasi: int, sensitive: int,
              free_text: bool) -> dict[str, tuple[bool, str, str]]:
    """The G29 criteria: whether the risk remains, and why (in French, in English)."""
    k = k or profile.k
    if free_text:
        singling = (True, "des textes libres sont inclus : même nettoyés, ils peuvent décrire une personne",
                    "free text is included: even scrubbed, it may describe a person")
    elif quasi == 0:
        singling = (False, "aucune colonne n'est déclarée quasi-identifiante : rien ne relie une ligne à une personne",
                    "no column is declared a quasi-identifier: nothing ties a row to a person")
    elif k < 2:
        singling = (True, f"k = {k} : une combinaison de quasi-identifiants peut ne désigner qu'une ligne",
                    f"k = {k}: a combination of quasi-identifiers may point at a single row")
    else:
        singling = (False, f"chaque combinaison de quasi-identifiants est partagée par au moins {k} lignes",
                    f"every combination of quasi-identifiers is shared by at least {k} rows")
    if singling[0]:
        linking = (True, "une ligne isolable peut être rapprochée d'une autre source",
                   "a row that can be singled out can be linked to another source")
    else:
        linking = (False, "identifiants retirés, identifiants d'export tirés au hasard à chaque export, lignes "
                          f"mélangées, quasi-identifiants généralisés : un rapprochement désigne au moins {k} lignes",
                   "identifiers dropped, export ids drawn afresh for each export, rows shuffled, quasi-identifiers "
                   f"generalised: linking to another source points at {k} rows or more")
    if sensitive == 0:
        inference = (False, "aucune colonne n'est déclarée sensible", "no column is declared sensitive")
    elif l_achieved is not None and l_achieved >= 2:
        inference = (False, f"chaque classe compte au moins {l_achieved} valeurs distinctes de chaque colonne "
                            "sensible (ℓ-diversité)",
                     f"every class holds at least {l_achieved} distinct values of each sensitive column (ℓ-diversity)")
    else:
        inference = (True, "une classe peut n'avoir qu'une valeur d'une colonne sensible : en être la révèle",
                     "a class may hold a single value of a sensitive column: belonging to it reveals the value")
    return {"singling_out": singling, "linkability": linking, "inference": inference}


def verdict(profile: Profile, k: int | None, l_achieved: int | None, quasi: int, sensitive: int,
            free_text: bool) -> dict[str, object]:
    """`anonymised` when none of the three criteria leaves a risk, `pseudonymised` otherwise."""
    criteria = _criteria(profile, k, l_achieved, quasi, sensitive, free_text)
    anonymous = not any(risk for risk, _, _ in criteria.values())
    return {"classification": "anonymised" if anonymous else "pseudonymised",
            "g29": {name: {"risk_remains": risk, "why_fr": fr, "why_en": en}
                    for name, (risk, fr, en) in criteria.items()}}
