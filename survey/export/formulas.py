"""Cells no spreadsheet runs as a formula, whatever separator it splits the file on ("CSV injection").

A spreadsheet runs a cell as a formula when it starts with `=`, `+`, `-` or `@` (OWASP adds a leading tab or
carriage return; some programs trim spaces first, some accept the full-width `＝＋－＠`). Quoting keeps a cell whole
only for a program that splits on the separator we wrote: a French Excel splits a `,` file on `;`, and the quotes
of `x,"a;=cmd|' /C calc'!A0"` then no longer hold the cell `=cmd|…` together. So a cell may begin at the start and
after any character some spreadsheet splits on (`,`, `;`, tab, line breaks); from there a run of such
characters, spaces and double quotes (`;""=x` reads as the empty quoted text `""`, then `=x`) followed by a
trigger gets a `'` just before the trigger — every cell that could begin inside the run then begins, once
trimmed, with `'`, which makes it text. A cell that starts with a tab or carriage return also gets a leading `'`.
Every text cell is quoted besides, so a program splitting on our separator reads it whole. Plain numbers are left
alone: `-2.5` is a number, not a formula.

The same rule exists twice, for Python strings (the codebook, headers) and as a polars expression (the data,
written a slice of 100k rows at a time); a test checks they agree.
"""

from __future__ import annotations

import re

import polars as pl

TRIGGERS = "=+-@\uff1d\uff0b\uff0d\uff20"  # = + - @, and the full-width ＝ ＋ － ＠
LEADING_TRIGGERS = "\t\r"  # a risk at the very start of a cell (OWASP); elsewhere they are trimmed like spaces
SEPARATORS = ",;\t\r\n"  # where a spreadsheet may start a new cell or row, whatever separator it was told
SPACES = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())  # all a program may trim (`str.strip`)
PLAIN_NUMBER = r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?"  # a number we wrote (ASCII digits): stays a number


def _class(chars: str) -> str:
    """A regular-expression character class of `chars`, the same in Python's `re` and polars' (Rust) engine."""
    return "[" + "".join(f"\\u{ord(c):04x}" for c in sorted(set(chars))) + "]"  # every character < U+FFFF


# Group 1: where a cell may begin; group 2: the run of separators, spaces and quotes after it; group 3: the trigger.
_RISK = f"(^|{_class(SEPARATORS)})({_class(SEPARATORS + SPACES + chr(34))}*)({_class(TRIGGERS)})"
_LEADING = f"^{_class(LEADING_TRIGGERS)}"
_RISK_OR_LEADING = f"{_RISK}|{_LEADING}"
_NUMBER = f"^{PLAIN_NUMBER}$"
_PY_RISK, _PY_LEADING, _PY_NUMBER = re.compile(_RISK), re.compile(_LEADING), re.compile(PLAIN_NUMBER)


def neutralise(cell: str) -> str:
    """`cell` with a `'` before every formula trigger that could begin a cell; a plain number unchanged."""
    if _PY_NUMBER.fullmatch(cell):
        return cell
    cell = _PY_RISK.sub(r"\1\2'\3", cell)
    return "'" + cell if _PY_LEADING.match(cell) else cell


def quoted(cell: str) -> str:
    """`cell` between double quotes, its own quotes doubled, as RFC 4180 writes a field."""
    return '"' + cell.replace('"', '""') + '"'


def neutralised_expr(column: pl.Expr) -> pl.Expr:
    """The polars twin of `neutralise`, for a text column."""
    prefixed = column.str.replace_all(_RISK, "${1}${2}'${3}")
    prefixed = pl.when(prefixed.str.contains(_LEADING)).then(pl.lit("'") + prefixed).otherwise(prefixed)
    return pl.when(column.str.contains(_NUMBER)).then(column).otherwise(prefixed)


def needs_neutralising(column: pl.Expr) -> pl.Expr:
    """Whether `neutralise` may change a text cell (plain numbers aside): one cheap scan, so that the change runs
    only on the few cells that need it — polars' `replace_all` costs about 0.4 µs a cell even where nothing matches."""
    return column.str.contains(_RISK_OR_LEADING).fill_null(False)


def neutralised_where(texts: pl.Series, flagged: pl.Series) -> pl.Series:
    """`texts` with the cells `needs_neutralising` flagged neutralised (plain numbers, such as the special codes
    `-7`, left as they are); the other cells untouched."""
    rows = flagged.arg_true()
    if rows.len() == 0:
        return texts
    subset = texts.gather(rows)
    words = ~subset.str.contains(_NUMBER)
    rows, subset = rows.filter(words), subset.filter(words)
    if rows.len() == 0:
        return texts
    fixed = subset.to_frame().select(neutralised_expr(pl.col(texts.name))).to_series()
    return texts.clone().scatter(rows, fixed)


def quoted_expr(column: pl.Expr) -> pl.Expr:
    """The polars twin of `quoted`; a missing value stays missing (written as an empty, unquoted cell)."""
    return pl.format('"{}"', column.str.replace_all('"', '""', literal=True))
