"""The values expressions compute with, and the conversions between them.  PURE.

Every rule here has a twin in `survey/static/expressions.js`; the browser test holds them to the same results.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Union

# null, a boolean, a finite number, a text, or the codes ticked in a multiple choice.
Value = Union[None, bool, float, str, list[str]]  # noqa: UP007 - a runtime alias, kept readable

_NUMERAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")


def normalise(raw: object) -> Value:
    """An answer as stored (int, Decimal, date, list of codes…) → a Value; anything else is null."""
    if raw is None or isinstance(raw, (bool, str)):
        return raw
    if isinstance(raw, (int, float, Decimal)):
        try:
            number = float(raw)
        except (OverflowError, ValueError):
            return None
        return number if math.isfinite(number) else None
    if isinstance(raw, (dt.date, dt.time)):  # datetime is a date: its date part is what a question holds
        return raw.isoformat() if not isinstance(raw, dt.datetime) else raw.date().isoformat()
    if isinstance(raw, (list, tuple)) and all(isinstance(item, str) for item in raw):
        return list(raw)
    return None


def normalise_env(env: Mapping[str, object]) -> dict[str, Value]:
    return {name: normalise(value) for name, value in env.items()}


def truthy(value: Value) -> bool:
    """null, false, 0, '' and the empty list are false; every other value is true."""
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, float):
        return value != 0
    return len(value) > 0


def is_empty(value: Value) -> bool:
    """null, '' or an empty list."""
    return value is None or (isinstance(value, (str, list)) and len(value) == 0)


def finite(number: float) -> float | None:
    return number if math.isfinite(number) else None


def to_number(value: Value) -> float | None:
    """number(): numbers as they are, true/false as 1/0, texts written as numerals, else null."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    if isinstance(value, str) and _NUMERAL.fullmatch(value):
        return finite(float(value))
    return None


def format_number(number: float) -> str:
    """The text of a number exactly as JavaScript's String(number) writes it: 12, 0.1, 1e+21, 1e-7."""
    if number == 0:
        return "0"
    if number < 0:
        return "-" + format_number(-number)
    _, digit_tuple, exponent = Decimal(repr(number)).normalize().as_tuple()
    digits = "".join(map(str, digit_tuple))
    k, n = len(digits), int(exponent) + len(digits)  # value = 0.digits × 10**n
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return f"{digits[:n]}.{digits[n:]}"
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    mantissa = digits if k == 1 else f"{digits[0]}.{digits[1:]}"
    return f"{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"


def to_text(value: Value) -> str:
    """string(): null → '', true/false → 'true'/'false', numbers as JavaScript writes them, lists joined by spaces."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, list):
        return " ".join(value)
    return value


def _code_points_order(a: str, b: str) -> int:
    return (a > b) - (a < b)  # Python compares str by code point; the JS twin does it by hand


def equal(a: Value, b: Value) -> bool:
    """`=`: null equals only null; lists equal lists; two texts compare as texts; else as numbers when both are."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, list) or isinstance(b, list):
        return isinstance(a, list) and isinstance(b, list) and a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    x, y = to_number(a), to_number(b)
    return x is not None and y is not None and x == y


def order(a: Value, b: Value) -> int | None:
    """-1, 0 or 1 for `<`, `<=`, `>`, `>=`; None (so the comparison is false) for null, lists, or no common type."""
    if a is None or b is None or isinstance(a, list) or isinstance(b, list):
        return None
    if isinstance(a, str) and isinstance(b, str):
        return _code_points_order(a, b)
    x, y = to_number(a), to_number(b)
    if x is None or y is None:
        return None
    return (x > y) - (x < y)


def parse_date(value: Value) -> tuple[int, int, int] | None:
    """'YYYY-MM-DD' naming a real calendar day → (year, month, day); anything else → None."""
    match = _DATE.fullmatch(value) if isinstance(value, str) else None
    if not match:
        return None
    year, month, day = (int(part) for part in match.groups())
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    last = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] if 1 <= month <= 12 else 0
    return (year, month, day) if 1 <= day <= last else None


def day_number(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 in the proleptic Gregorian calendar (H. Hinnant's days_from_civil)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468
