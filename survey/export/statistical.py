"""SPSS (.sav) and Stata (.dta) files, with variable labels, value labels and missing codes inside (pyreadstat).

Both want numbers where there are value labels: a column of choice codes is written as numbers — the code
itself when every code is a whole number (scale points, 1/0), else the code's position in the codebook (1, 2…)
— and `value_numbers` says which number stands for which code (the codebook written beside lists it). Special
codes stay -7, -8, -9: declared user-missing in SPSS; plain values in Stata, labelled (filter `< 0`).
Stata names are at most 31 characters here: longer ones are shortened, and the codebook gives the name in the file.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl

from survey.anonymise import SPECIAL_CODES, AnonymisedTable, Column
from survey.export.metadata import column_label, missing_codes

STATA_NAME = 31  # Stata allows 32, but a value label set named after the column must fit too


def value_numbers(column: Column) -> dict[str, int] | None:
    """Code → the number written for it in SPSS/Stata, for a column of text codes; None for other columns."""
    if column.storage != "category" or not column.values:
        return None
    codes = [value.code for value in column.values]
    # The code itself when it reads as one number and only one (`1`, not `01`), unlike any special code.
    as_numbers = {code: int(code) for code in codes if re.fullmatch(r"0|-?[1-9]\d*", code)}
    if len(as_numbers) == len(codes) and len(set(as_numbers.values())) == len(codes) and not (
            set(as_numbers.values()) & set(SPECIAL_CODES.values())):
        return as_numbers
    return {code: number for number, code in enumerate(codes, start=1)}


def stata_names(columns: tuple[Column, ...]) -> dict[str, str]:
    """Column name → a Stata name (31 characters at most, unique)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for column in columns:
        name = column.name
        if len(name) > STATA_NAME:
            stem, n = name[: STATA_NAME - 4], 1
            while (name := f"{stem}_{n:03d}") in taken:
                n += 1
        taken.add(name)
        names[column.name] = name
    return names


def _numbered(table: AnonymisedTable) -> tuple[pl.DataFrame, dict[str, dict[float, str]]]:
    """Code columns as numbers, and the value labels of every labelled column (number → label)."""
    language = table.language or "fr"
    exprs, labels = [], {}
    for column in table.columns:
        col = pl.col(column.name)
        numbers = value_numbers(column) if table.language is None else None
        specials = {str(code): code for code in SPECIAL_CODES.values()}
        if numbers is not None:
            col = col.replace_strict({**numbers, **specials}, default=None, return_dtype=pl.Int64)
            mapping = {float(n): v.labels.get(language, v.code) for v, n in
                       ((v, numbers[v.code]) for v in column.values)}
        elif column.storage == "integer" and column.values and table.language is None:
            mapping = {float(v.code): v.labels.get(language, v.code) for v in column.values}
            col = col.cast(pl.Int64)  # held in one byte in the coded table; written as files always had it
        else:
            mapping = {}
        if mapping or (column.numeric and column.specials and table.language is None):
            mapping |= {float(code): meaning for code, meaning in missing_codes(column, language).items()}
            labels[column.name] = mapping
        exprs.append(col.alias(column.name))
    return table.frame.select(exprs), labels


def write_sav_file(table: AnonymisedTable, path: Path) -> None:
    """An SPSS file: variable labels, value labels, -7/-8/-9 declared user-missing, measure levels."""
    import pyreadstat  # when SPSS is asked for, not before (survey.export.formats)

    frame, labels = _numbered(table)
    language = table.language or "fr"
    missing = {}
    for column in table.columns:
        if column.specials and frame.schema[column.name].is_numeric():
            missing[column.name] = [{"lo": -9, "hi": -7}]
        elif column.specials:
            missing[column.name] = [str(SPECIAL_CODES[kind]) for kind in column.specials][:3]
    measures = {c.name: c.measure for c in table.columns if c.question}
    pyreadstat.write_sav(frame, str(path), column_labels={c.name: column_label(c, language)[:255]
                                                                      for c in table.columns},
                         variable_value_labels=labels, missing_ranges=missing, variable_measure=measures)


def write_dta_file(table: AnonymisedTable, path: Path) -> None:
    """A Stata file: variable labels and value labels (names shortened to 31 characters where needed)."""
    import pyreadstat

    frame, labels = _numbered(table)
    language = table.language or "fr"
    names = stata_names(table.columns)
    frame = frame.rename(names)
    pyreadstat.write_dta(frame, str(path), column_labels={names[c.name]: column_label(c, language)[:80]
                                                                      for c in table.columns},
                         variable_value_labels={names[k]: v for k, v in labels.items()}, version=15)
