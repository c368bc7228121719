"""Our questionnaire → an XLSForm workbook (survey, choices, settings) that KoboToolbox and pyxform accept.

Every page is a `field-list` group; what XLSForm has no column for travels in the `survey_extra` column as JSON
(see `mapping.py`), so that importing the export gives back the same questionnaire.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from survey.schema.model import Question, Questionnaire
from survey.xlsform.expressions import Unsupported, to_xlsform
from survey.xlsform.mapping import CHOICE_RELEVANT, EXTRA, combine, dump_extra, generated_terms
from survey.xlsform.reader import language_column

SPECIAL_LABELS = {"dont_know": {"fr": "Ne sait pas", "en": "Don't know"},
                  "prefer_not_to_say": {"fr": "Préfère ne pas répondre", "en": "Prefer not to say"}}
YES_NO = (("1", {"fr": "Oui", "en": "Yes"}), ("0", {"fr": "Non", "en": "No"}))
# Our type → (XLSForm type word, appearance); choice types get their list name appended.
TYPE_WORDS = {"single_choice": ("select_one", ""), "dropdown": ("select_one", "minimal"),
              "multiple_choice": ("select_multiple", ""), "ranking": ("rank", ""), "likert": ("select_one", "likert"),
              "yes_no": ("select_one", ""), "short_text": ("text", ""), "long_text": ("text", "multiline"),
              "email": ("text", ""), "phone": ("text", ""), "integer": ("integer", ""), "decimal": ("decimal", ""),
              "nps": ("range", ""), "date": ("date", ""), "time": ("time", ""), "consent": ("acknowledge", ""),
              "note": ("note", ""), "calculate": ("calculate", "")}
# Types the XLSForm type and appearance alone do not tell apart: the extra column names them.
NAMED_TYPES = {"email", "phone", "yes_no", "matrix"}


class _Sheets:
    """The rows being written, and notes about what the XLSForm cannot express."""

    def __init__(self, questionnaire: Questionnaire):
        self.q = questionnaire
        self.languages = questionnaire.all_languages
        self.survey: list[dict[str, str]] = []
        self.choices: list[dict[str, str]] = []
        self.notes: list[str] = []

    def text(self, base: str, value: Any) -> dict[str, str]:
        """Cells for a text: one plain column, or one per language."""
        if value is None or value == "":
            return {}
        if len(self.languages) == 1:
            plain = value if isinstance(value, str) else value.get(self.languages[0]) or next(iter(value.values()))
            return {base: plain}
        by_language = value if isinstance(value, dict) else {self.q.language: value}
        return {f"{base}::{language_column(lang)}": text for lang, text in by_language.items() if text}

    def xpath(self, source: str | None, where: str) -> str:
        if not source:
            return ""
        try:
            return to_xlsform(source)
        except Unsupported as exc:
            self.notes.append(f"{where}: {exc} — left out of the XLSForm")
            return ""

    def choice_list(self, name: str, entries: list[tuple[str, Any, dict[str, str]]]) -> None:
        for code, label, data in entries:
            self.choices.append({"list_name": name, "name": code, **self.text("label", label), **data})


def _bounds(q: Question) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    for key in ("min", "max", "max_length"):
        value = getattr(q, key)
        if value is not None:
            extra[key] = value.isoformat() if hasattr(value, "isoformat") else value
    return extra


def _question(sheets: _Sheets, q: Question) -> None:
    where = f"question '{q.name}'"
    extra: dict[str, Any] = _bounds(q)
    if q.type in NAMED_TYPES:
        extra["type"] = q.type
    if q.unit:
        extra["unit"] = q.unit
    if q.special_answers:
        extra["special_answers"] = list(q.special_answers)
    extra |= q.model_dump(mode="json", include={"disclosure"}, exclude_defaults=True)  # export disclosure control
    if q.required and q.required_if:
        extra["required_if"] = q.required_if
    condition = sheets.xpath(q.required_if, where)
    if condition in ("true()", "false()"):
        condition = f"({condition})"  # an expression, not the yes/no of the column
    row: dict[str, str] = {"name": q.name, **sheets.text("label", q.label), **sheets.text("hint", q.help),
                           "required": "yes" if q.required else condition,
                           "relevant": sheets.xpath(q.relevant, where)}
    if q.type == "matrix":
        _matrix(sheets, q, row, extra)
        return
    if q.type == "repeat":
        row.update({"type": "begin repeat", "repeat_count": sheets.xpath(q.repeat_count, where),
                    EXTRA: dump_extra(extra)})
        sheets.survey.append(row)
        for inner in q.questions:
            _question(sheets, inner)
        sheets.survey.append({"type": "end repeat", "name": q.name})
        return
    word, appearance = TYPE_WORDS[q.type]
    type_cell = word
    if q.kind.needs_choices or q.type in ("likert", "yes_no"):
        type_cell = f"{word} {q.name}" + (" or_other" if q.other else "")
        _choices_of(sheets, q)
    if q.type == "nps":
        row["parameters"] = "start=0 end=10 step=1"
    elif q.randomize:
        row["parameters"] = "randomize=true"
    ours = sheets.xpath(q.constraint, where)
    row.update({"type": type_cell, "appearance": appearance,
                "constraint": combine(generated_terms(q.type, extra), ours),
                **sheets.text("constraint_message", q.constraint_message),
                "calculation": sheets.xpath(q.calculation, where),
                "choice_filter": sheets.xpath(q.choice_filter, where), EXTRA: dump_extra(extra)})
    sheets.survey.append(row)


def _choices_of(sheets: _Sheets, q: Question) -> None:
    if q.type == "yes_no":
        entries = [(code, {lang: label.get(lang, label["en"]) for lang in sheets.languages}, {})
                   for code, label in YES_NO]
    elif q.type == "likert":
        entries = [(str(i), label, {}) for i, label in enumerate(q.scale, start=1)]
    else:
        entries = []
        for choice in q.choices:
            data = dict(choice.data)
            if choice.relevant:
                data[CHOICE_RELEVANT] = sheets.xpath(choice.relevant, f"question '{q.name}', choice '{choice.code}'")
            entries.append((choice.code, choice.label, data))
        for special in q.special_answers:
            labels = SPECIAL_LABELS[special]
            entries.append((special, {lang: labels.get(lang, labels["en"]) for lang in sheets.languages}, {}))
    sheets.choice_list(q.name, entries)


def _matrix(sheets: _Sheets, q: Question, row: dict[str, str], extra: dict[str, Any]) -> None:
    """A matrix is a field-list group of one `select_one` per item, sharing one list."""
    for key in ("constraint", "constraint_message"):
        if getattr(q, key):
            extra[key] = getattr(q, key)
    if q.scale:
        extra["scale"] = True
    row.update({"type": "begin group", "appearance": "field-list", EXTRA: dump_extra(extra)})
    required = row.pop("required")
    sheets.survey.append(row)
    for item in q.items:
        sheets.survey.append({"type": f"select_one {q.name}", "name": f"{q.name}__{item.name}",
                              **sheets.text("label", item.label), "required": required})
    sheets.survey.append({"type": "end group", "name": q.name})
    if q.scale:
        sheets.choice_list(q.name, [(str(i), label, {}) for i, label in enumerate(q.scale, start=1)])
    else:
        _choices_of(sheets, q)


def xlsform_rows(questionnaire: Questionnaire) -> tuple[dict[str, list[dict[str, str]]], list[str]]:
    """The three sheets as lists of rows (header → text), and notes on what could not be written."""
    sheets = _Sheets(questionnaire)
    for page in questionnaire.pages:
        name = page.id if page.id[0].isalpha() else f"page-{page.id}"
        extra = dump_extra({"id": page.id} if name != page.id else {})
        sheets.survey.append({"type": "begin group", "name": name, **sheets.text("label", page.title),
                              "relevant": sheets.xpath(page.relevant, f"page '{page.id}'"),
                              "appearance": "field-list", EXTRA: extra})
        for q in page.questions:
            _question(sheets, q)
        sheets.survey.append({"type": "end group", "name": name})
    q = questionnaire
    title = q.title if isinstance(q.title, str) else q.title.get(q.language) or next(iter(q.title.values()))
    extra: dict[str, Any] = {}
    if isinstance(q.title, dict):
        extra["title"] = q.title
    if q.languages:
        extra["languages"] = list(q.languages)
    if q.mission:
        extra["mission"] = q.mission.model_dump(mode="json", exclude_defaults=True)
    extra |= q.model_dump(mode="json", include={"disclosure", "quotas"}, exclude_defaults=True)
    settings = {"form_title": title, "form_id": q.id, "version": q.version,
                "default_language": language_column(q.language), "style": "pages",
                **sheets.text("privacy_notice", q.privacy_notice), **sheets.text("introduction", q.introduction),
                EXTRA: dump_extra(extra)}
    return {"survey": sheets.survey, "choices": sheets.choices, "settings": [settings]}, sheets.notes


def _header(rows: list[dict[str, str]]) -> list[str]:
    return list(dict.fromkeys(key for row in rows for key, value in row.items() if value))


def write_xlsform(questionnaire: Questionnaire, path: str | Path | None = None) -> tuple[bytes, list[str]]:
    """The `.xlsx` bytes (also written to `path` when given) and notes on what could not be written."""
    import openpyxl
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    tables, notes = xlsform_rows(questionnaire)
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in tables.items():
        sheet = book.create_sheet(title)
        header = _header(rows) or (["list_name", "name", "label"] if title == "choices" else [])
        sheet.append(header)
        for row in rows:
            values = []
            for key in header:
                value = row.get(key, "")
                if ILLEGAL_CHARACTERS_RE.search(value):
                    notes.append(f"sheet '{title}', column '{key}': control characters removed from {value!r}")
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)
                if "\r" in value:  # a workbook's XML reads a carriage return back as a line feed
                    notes.append(f"sheet '{title}', column '{key}': carriage returns written as line feeds")
                    value = value.replace("\r\n", "\n").replace("\r", "\n")
                values.append(value or None)
            sheet.append(values)
        for line in sheet.iter_rows(min_row=2):
            for cell in line:
                if isinstance(cell.value, str):
                    cell.data_type = "s"  # a text starting with `=` stays text, not a formula
    buffer = io.BytesIO()
    book.save(buffer)
    content = buffer.getvalue()
    if path is not None:
        Path(path).write_bytes(content)
    return content, notes
