"""Disclosure control: what an export may show, and what a table a person sees may count.  PURE.

`roles` reads every column's declared role (fail-closed), `hierarchy` its generalisation levels, `lattice` and
`kanonymity` find the least lossy generalisation meeting k-anonymity and ℓ-diversity, `protect` applies it,
`risk` and `report` measure and explain it (`rapport-anonymisation.json`); `scrub` takes personal data out of free
text. `survey.anonymise.anonymise_table` runs them on the coded table.
"""
