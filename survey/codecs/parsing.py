"""What the input side of every codec shares: posted fields, special answers, and text read as people type it.  PURE.

Field names: a question's own name; `{name}__{item}` for each row of a matrix; `{name}__{code}` for the rank
of each option of a ranking; `{name}__other` for the text of “Other, please specify”; `{repeat}__{i}__{name}`
inside item `i` of a repeat group, whose `{repeat}__count` says how many items the page holds. A special
answer is posted as `@dont_know` or `@prefer_not_to_say`. Numbers are read as people type them in France
(`3,5`, `1 200`), dates as `25/11/2026` or ISO, times as `14:30` or `14h30`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from survey.schema.types import NOT_ASKED, SPECIAL_ANSWERS

Form = Mapping[str, Sequence[str]]  # field name → the values posted under it
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
PHONE = re.compile(r"(?:\+33|0033|0)([1-9][0-9]{8})")
# Characters no typed text keeps: C0 controls (NUL included: PostgreSQL refuses it in JSON), DEL, C1 controls, lone
# surrogates (UTF-8 cannot hold them) and U+FFFD, what bytes that are not UTF-8 become when a form is read.
# A one-line text keeps the tab; a paragraph keeps tab, LF and CR too.
_UNSAFE = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffd"
UNSAFE_IN_LINE = re.compile(f"[{_UNSAFE}\n\r]")
UNSAFE_IN_PARAGRAPH = re.compile(f"[{_UNSAFE}]")
OTHER_MAX_LENGTH = 500  # the text typed for “Other, please specify”
WORDS = ("projet", "quartier", "jardin", "école", "vélo", "réunion", "budget", "mairie", "parc", "éclairage")


class Unreadable(ValueError):
    """A field that cannot be read as the question's type; `code` keys the message, `kept` is what was typed,
    `params` fills the message (a repeat group's item number, question and code)."""

    def __init__(self, code: str, kept: Any = None, params: Mapping[str, Any] | None = None):
        super().__init__(code)
        self.code, self.kept, self.params = code, kept, dict(params or {})


def unsafe_character(text: str, multiline: bool = False) -> bool:
    """Whether a typed text holds a character that is refused (a control character, a lone surrogate)."""
    return (UNSAFE_IN_PARAGRAPH if multiline else UNSAFE_IN_LINE).search(text) is not None


def without_unsafe(text: str, multiline: bool = False) -> str:
    """The text with its refused characters taken out: what is kept to show again beside the message."""
    return (UNSAFE_IN_PARAGRAPH if multiline else UNSAFE_IN_LINE).sub("", text)


def special(kind: str) -> dict[str, str]:
    """The stored form of a special answer (`dont_know`, `prefer_not_to_say`) or of a question not asked."""
    return {"special": kind}


def special_kind(answer: Any) -> str | None:
    """`dont_know`, `prefer_not_to_say`, `not_asked`, or None for an ordinary answer."""
    if isinstance(answer, dict) and set(answer) == {"special"} and answer["special"] in (*SPECIAL_ANSWERS, NOT_ASKED):
        return answer["special"]
    return None


def posted(form: Form, field: str) -> list[str]:
    """The non-blank values posted under a field, stripped."""
    return [v.strip() for v in form.get(field, ()) if isinstance(v, str) and v.strip() != ""]


def posted_special(form: Form, field: str) -> dict[str, str] | None:
    """The special answer posted under a field (`@dont_know`…), if any."""
    for value in posted(form, field):
        if value.startswith("@") and value[1:] in SPECIAL_ANSWERS:
            return special(value[1:])
    return None


def number(text: str) -> float:
    """A number as typed in France: `3,5`, `1 200`, `1 200,50`."""
    cleaned = re.sub(r"[\s\u202f\xa0]", "", text).replace(",", ".")
    value = float(cleaned)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


def date(text: str) -> dt.date:
    """ISO dates (what `<input type=date>` posts) and French ones typed by hand: 25/11/2026."""
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
    if match:
        day, month, year = (int(g) for g in match.groups())
        return dt.date(year, month, day)
    return dt.date.fromisoformat(text)


def time_of_day(text: str) -> str:
    """`14:30`, `14h30`, `14h` → `14:30` / `14:00`."""
    match = re.fullmatch(r"([01]?\d|2[0-3])\s*[:hH]\s*([0-5]\d)?", text)
    if not match:
        raise ValueError(text)
    return f"{int(match.group(1)):02d}:{match.group(2) or '00'}"


def is_number(value: Any) -> bool:
    """A finite int or float, not a truth value."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def bound(value: Any, default: float) -> float:
    """A numeric `min` or `max`, or `default` when there is none."""
    return value if isinstance(value, int | float) else default


def whole_number(text: str) -> int:
    """A whole number as typed in France; `Unreadable("not_integer")` for `3,5`."""
    value = number(text)
    if value != int(value):
        raise Unreadable("not_integer", text)
    return int(value)


def whole_number_issue(codes: frozenset[str], value: Any) -> str | None:
    """Whether an answer is a whole number, one of `codes` when the question has some (a scale's points)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return "not_integer"
    return None if not codes or str(value) in codes else "unknown_option"


def number_range(low: Any, high: Any, value: Any) -> str | None:
    """`too_small` / `too_large` for a number outside optional bounds."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if low is not None and value < low:
            return "too_small"
        if high is not None and value > high:
            return "too_large"
    return None
