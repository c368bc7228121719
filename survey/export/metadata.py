"""What a column holds, for the formats that carry it inside the file (Parquet, JSON codebook, SPSS, Stata)."""

from __future__ import annotations

from survey.anonymise import SPECIAL_CODES, Column
from survey.export.codebook import column_codes
from survey.messages import translate


def column_label(column: Column, language: str) -> str:
    """The variable label: the question's text, with the option's or item's text after a dash."""
    if not column.question:
        return translate(f"codebook_{column.name}", language)  # a column the export adds
    text = column.label.get(language) or next(iter(column.label.values()), "")
    part = column.part_label.get(language) or ""
    return f"{text} — {part}" if part else text


def missing_codes(column: Column, language: str) -> dict[str, str]:
    """The special codes a column may hold, code → meaning."""
    return {str(code): translate(f"report_{kind}", language) for kind, code in SPECIAL_CODES.items()
            if kind in column.specials}


def variable_metadata(column: Column, language: str) -> dict:
    """A column described: its question, type, label, value labels and missing codes."""
    missing = missing_codes(column, language)
    values = {code: label for code, label in column_codes(column, language) if code and code not in missing}
    return {"name": column.name, "question": column.question, "type": column.type, "storage": column.storage,
            "label": column_label(column, language), "values": values, "missing": missing}
