"""XLSForm vocabulary kept as data, and the report of what an import could not carry over."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

SIMPLE_TYPES = {"integer": "integer", "int": "integer", "decimal": "decimal", "date": "date", "time": "time",
                "note": "note", "calculate": "calculate", "acknowledge": "consent", "text": "short_text",
                "string": "short_text", "range": "integer"}
CHOICE_TYPES = {"select_one": "single_choice", "select1": "single_choice", "select_multiple": "multiple_choice",
                "rank": "ranking"}
NOT_CARRIED = {"geopoint": "a GPS location", "geotrace": "a GPS trace", "geoshape": "a GPS shape",
               "start-geopoint": "a GPS location", "image": "a photo", "audio": "an audio recording",
               "video": "a video", "file": "a file upload", "barcode": "a barcode scan", "background-audio":
               "a background recording", "datetime": "a date and time", "dateTime": "a date and time",
               "select_one_from_file": "a list from an external file", "select_multiple_from_file":
               "a list from an external file", "xml-external": "an external instance", "csv-external":
               "an external instance", "hidden": "a hidden value", "trigger": "a trigger", "audit": "an audit log",
               **dict.fromkeys(("start", "end", "today", "deviceid", "username", "email", "phonenumber", "simserial",
                                "subscriberid", "uri:email", "uri:username"), "device metadata")}
TEXT_COLUMNS = ("label", "hint", "constraint_message", "required_message", "privacy_notice", "introduction",
                "form_title", "guidance_hint")
CONSUMED_APPEARANCES = {"minimal", "autocomplete", "likert", "multiline", "field-list"}
PLACEHOLDER_NOTICE = ("À COMPLÉTER — avis de confidentialité : finalité, responsable du traitement, durée de "
                      "conservation, droits des personnes (accès, rectification, effacement) et anonymisation.")
YES, NO = {"yes", "true", "true()", "1", "oui"}, {"no", "false", "false()", "0", "non"}



@dataclass(frozen=True, order=True)
class Note:
    """One thing of the workbook that is not carried over, or carried with a change, and where it is."""

    sheet: str
    row: int
    what: str

    def __str__(self) -> str:
        return f"sheet '{self.sheet}'{f', row {self.row}' if self.row else ''}: {self.what}"


@dataclass
class ConversionReport:
    notes: list[Note] = field(default_factory=list)

    def add(self, sheet: str, row: int, what: str) -> None:
        self.notes.append(Note(sheet, row, what))

    def lines(self) -> list[str]:
        return [str(note) for note in sorted(set(self.notes))]


def identifier(name: str) -> str:
    cleaned = re.sub(r"_+", "_", re.sub(r"[^a-z0-9]", "_", name.lower())).strip("_")
    return (cleaned if cleaned[:1].isalpha() else f"q_{cleaned}".rstrip("_"))[:48]


def kept(fields: dict[str, Any]) -> dict[str, Any]:
    """The fields that are set (`0` is set; `False`, empty text and empty lists are not)."""
    return {k: v for k, v in fields.items() if v is not None and v is not False and v != "" and v != []}


def slug(name: str) -> str:
    """An id of ours: kept as it is when it already is one, else lower-cased with dashes."""
    if re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", name):
        return name
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", name.lower())).strip("-")[:64] or "questionnaire"


