"""Rows and figures of a summary, computed with polars over a column of values.  PURE."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence

import polars as pl

from survey.aggregate.model import Figure, Row, format_date, format_number

MAX_BINS = 8


def percent(count: int, total: int) -> float:
    """A share in percent; 0 of nothing."""
    return 100.0 * count / total if total else 0.0


def row(code: str, label: str, count: int, total: int, language: str) -> Row:
    """One bar: an option, how many chose it, their share of `total`."""
    pct = percent(count, total)
    return Row(code, label, count, pct, format_number(pct, language))


def counts(values: pl.Series) -> dict[str, int]:
    """How many times each value occurs, values written as text (counted in their own type: a few distinct
    values are turned into text, not a million)."""
    if values.is_empty():
        return {}
    table = values.value_counts()
    return {_key(value): n for value, n in zip(table[:, 0].to_list(), table[:, 1].to_list(), strict=True)}


def _key(value: object) -> str:
    """A counted value as text: `3` for the integer 3 (and for 3.0), the code itself for a code."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def histogram(values: pl.Series | Sequence[float], integer: bool, language: str = "fr") -> tuple[Row, ...]:
    """At most `MAX_BINS` equal bins from min to max; one bin per value when integers are few."""
    series = values if isinstance(values, pl.Series) else pl.Series(values, dtype=pl.Float64)
    series = series.cast(pl.Float64)
    if series.is_empty():
        return ()
    low, high, total = float(series.min()), float(series.max()), series.len()  # type: ignore[arg-type]
    if integer and high - low < MAX_BINS:
        found = {int(float(k)): n for k, n in counts(series).items()}
        return tuple(row(str(v), format_number(v, language, 0), found.get(v, 0), total, language)
                     for v in range(int(low), int(high) + 1))
    if integer:
        width: float = math.ceil((high - low + 1) / MAX_BINS)
        bins = math.ceil((high - low + 1) / width)
    elif high == low:
        return (row("0", format_number(low, language, 2), total, total, language),)
    else:
        bins, width = MAX_BINS, (high - low) / MAX_BINS
    index = ((series - low) // width).cast(pl.Int64).clip(upper_bound=bins - 1)
    found = {int(k): n for k, n in counts(index).items()}
    rows = []
    for i in range(bins):
        start = low + i * width
        end = start + width - 1 if integer else start + width
        digits = 0 if integer else 2
        label = f"{format_number(start, language, digits)} – {format_number(end, language, digits)}"
        rows.append(row(str(i), label, found.get(i, 0), total, language))
    return tuple(rows)


def numeric_figures(values: pl.Series, language: str) -> tuple[Figure, ...]:
    """Count, minimum, median, mean and maximum."""
    if values.is_empty():
        return (Figure("answered", 0, "0"),)
    values = values.cast(pl.Float64)
    pairs = [("answered", values.len()), ("minimum", values.min()), ("median", values.median()),
             ("mean", values.mean()), ("maximum", values.max())]
    return tuple(Figure(key, value, format_number(value, language, 2)) for key, value in pairs)  # type: ignore[arg-type]


def date_figures(days: pl.Series, language: str) -> tuple[Figure, ...]:
    """Count, earliest and latest date (ISO text in, dates shown as people write them)."""
    figures = [Figure("answered", days.len(), format_number(days.len(), language, 0))]
    if not days.is_empty():
        first, last = dt.date.fromisoformat(str(days.min())), dt.date.fromisoformat(str(days.max()))
        figures += [Figure("first_date", first.isoformat(), format_date(first, language)),
                    Figure("last_date", last.isoformat(), format_date(last, language))]
    return tuple(figures)


def time_figures(times: pl.Series, language: str) -> tuple[Figure, ...]:
    """Count, earliest and latest time of day."""
    figures = [Figure("answered", times.len(), format_number(times.len(), language, 0))]
    if not times.is_empty():
        first, last = str(times.min()), str(times.max())
        figures += [Figure("first_time", first, first), Figure("last_time", last, last)]
    return tuple(figures)


def nps_figures(scores: pl.Series, language: str) -> tuple[Figure, ...]:
    """The Net Promoter Score: % promoters (9–10) − % detractors (0–6), and each share."""
    n = scores.len()
    if not n:
        return (Figure("answered", 0, "0"),)
    promoters = percent(int((scores >= 9).sum()), n)
    detractors = percent(int((scores <= 6).sum()), n)
    passives = percent(int(((scores >= 7) & (scores <= 8)).sum()), n)
    pairs = [("nps_score", promoters - detractors), ("promoters", promoters), ("passives", passives),
             ("detractors", detractors)]
    return (Figure("answered", n, format_number(n, language, 0)),
            *(Figure(key, value, format_number(value, language)) for key, value in pairs))
