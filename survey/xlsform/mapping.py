"""What the exporter and the importer agree on: extra columns, and constraints written for our bounds."""

from __future__ import annotations

import json
from typing import Any

# Our fields that XLSForm has no column for travel as JSON in this column of the survey and settings sheets.
# pyxform and KoboToolbox ignore columns they do not know; the importer reads it back.
EXTRA = "survey_extra"
# A choice's own `relevant` (XLSForm has none), on the choices sheet.
CHOICE_RELEVANT = "survey_relevant"

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
PHONE_PATTERN = r"^\+?[0-9 .-]{10,16}$"


def _number(value: Any) -> str:
    return str(value)


def generated_terms(type_name: str, extra: dict[str, Any]) -> list[str]:
    """The XPath constraint terms that let XLSForm tools enforce what our type and bounds mean."""
    low, high = extra.get("min"), extra.get("max")
    if type_name == "multiple_choice":
        terms = [f"count-selected(.) >= {_number(low)}"] if low is not None else []
        return terms + ([f"count-selected(.) <= {_number(high)}"] if high is not None else [])
    if type_name in ("short_text", "long_text"):
        length = extra.get("max_length")
        return [f"string-length(.) <= {length}"] if length is not None else []
    if type_name == "email":
        return [f"regex(., '{EMAIL_PATTERN}')"]
    if type_name == "phone":
        return [f"regex(., '{PHONE_PATTERN}')"]
    if type_name in ("integer", "decimal"):
        terms = [f". >= {_number(low)}"] if low is not None else []
        return terms + ([f". <= {_number(high)}"] if high is not None else [])
    if type_name == "date":
        terms = [f". >= date('{low}')"] if low is not None else []
        return terms + ([f". <= date('{high}')"] if high is not None else [])
    return []


def combine(terms: list[str], ours: str | None) -> str:
    """One XLSForm constraint: the generated terms, then ours in parentheses."""
    if not terms:
        return ours or ""
    return " and ".join(terms + ([f"({ours})"] if ours else []))


def split(constraint: str, terms: list[str]) -> tuple[bool, str]:
    """(whether `constraint` starts with the generated terms, what is left of it: our own constraint)."""
    if not terms:
        return True, constraint
    prefix = " and ".join(terms)
    if constraint == prefix:
        return True, ""
    if constraint.startswith(prefix + " and (") and constraint.endswith(")"):
        return True, constraint[len(prefix) + len(" and ("):-1]
    return False, constraint


def dump_extra(extra: dict[str, Any]) -> str:
    return json.dumps(extra, ensure_ascii=False, sort_keys=True, default=str) if extra else ""


def load_extra(text: str) -> dict[str, Any]:
    """The extra column's JSON; raises ValueError when it is not a JSON object."""
    if not text:
        return {}
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value
