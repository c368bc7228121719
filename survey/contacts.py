"""A contact list (CSV) read into the people to invite, every problem located by row and column.  PURE.

The file has a header row. One column holds the e-mail address (`email`, or `e-mail`, `courriel`, `mail`); two are
optional: `name` (`nom`) and `language` (`langue`: `fr` or `en`, the language of the e-mails and of the form).
Every other column is named after a question of the questionnaire and pre-fills that question's answer for the
person: the question is then not shown to them, and the value is stored with their response like an answer they
gave (README "Invitations"). A value is read by the question's codec, as a respondent's would be — a choice takes
its code or its label.

Refused, with the row and the column: a file that is not UTF-8 or is too large, a missing e-mail column, a column
that names no question (or a question that cannot be pre-filled), a bad or repeated address, a value the question
does not accept, a cell that starts like a spreadsheet formula (`=`, `+`, `-`, `@`: the file was exported with its
formulas, not their values), control characters. Nothing is imported from a file with a problem.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any

from survey.codecs.parsing import EMAIL
from survey.messages import LANGUAGES, translate
from survey.schema import Question, Questionnaire
from survey.validation import read_page

MAX_BYTES = 2_000_000  # of a contact file: about 20,000 people with a few columns
MAX_CONTACTS = 20_000
MAX_PROBLEMS = 50  # listed; a file with more is cut there, and a last line says so
MAX_CODES_SHOWN = 12  # of a choice question, in the message about a value it does not take
NAME_MAX = 200
EMAIL_MAX = 254
EMAIL_COLUMNS = ("email", "e-mail", "courriel", "mail", "adresse e-mail")
NAME_COLUMNS = ("name", "nom")
LANGUAGE_COLUMNS = ("language", "langue")
# Question types one cell can pre-fill: one value each. Choices among several, rankings, matrices, repeat groups,
# consent boxes, notes and calculations cannot.
PREFILLABLE = frozenset({"single_choice", "dropdown", "short_text", "long_text", "email", "phone", "integer",
                         "decimal", "likert", "nps", "date", "time", "yes_no"})
FORMULA_START = "=+-@\uff1d\uff0b\uff0d\uff20"  # as survey/export/formulas.py's TRIGGERS: = + - @ and full-width
PLAIN_NUMBER = re.compile(r"-?[0-9]+([.,][0-9]+)?")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]")


@dataclass(frozen=True)
class Contact:
    """One person to invite: their address, name, language and the answers filled in for them."""

    email: str
    name: str = ""
    language: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ContactProblem:
    """What is wrong, where: `row` counts from 1 with the header as row 1, as a spreadsheet shows it; `column` is the
    header's name (or its number when there is none). `code` names a message of `survey.messages`."""

    row: int | None
    column: str | None
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    def text(self, language: str = "en") -> str:
        """The problem as one line: where, then what and how to fix it."""
        where = []
        if self.row is not None:
            where.append(translate("contacts_where_row", language, row=self.row))
        if self.column is not None:
            where.append(translate("contacts_where_column", language, column=self.column))
        params = dict(self.params)
        if "reason" in params:  # a question's own message (survey.messages), in the same language
            code, reason_params = params["reason"]
            params["reason"] = reason_params.get("message") or translate(code, language, **reason_params)
        what = translate(self.code, language, **params)
        colon = " : " if language == "fr" else ": "  # French typography: a space before the colon
        return f"{', '.join(where)}{colon}{what}" if where else what


class ContactsInvalid(ValueError):
    """The contact file has problems; nothing of it is imported."""

    def __init__(self, problems: list[ContactProblem]):
        super().__init__("\n".join(problem.text() for problem in problems))
        self.problems = problems


def read_contacts(content: bytes, questionnaire: Questionnaire) -> list[Contact]:
    """The people a contact file lists, in its order; `ContactsInvalid` with every problem found (up to a limit)."""
    if len(content) > MAX_BYTES:
        raise ContactsInvalid([ContactProblem(None, None, "contacts_too_large", {"max": MAX_BYTES // 1_000_000})])
    text = _decoded(content)
    rows = list(csv.reader(io.StringIO(text, newline=""), _dialect(text)))
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise ContactsInvalid([ContactProblem(None, None, "contacts_empty")])
    columns, problems = _columns(rows[0], questionnaire)
    if problems:
        raise ContactsInvalid(problems)
    if len(rows) - 1 > MAX_CONTACTS:
        raise ContactsInvalid([ContactProblem(None, None, "contacts_too_many", {"max": MAX_CONTACTS})])
    contacts: list[Contact] = []
    first_row: dict[str, int] = {}
    for number, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # a blank line between people
        contact, found = _contact(number, cells, columns, questionnaire)
        problems += found
        if contact is not None:
            key = contact.email.lower()
            if key in first_row:
                problems.append(ContactProblem(number, columns[0].title, "contacts_duplicate",
                                               {"email": contact.email, "first": first_row[key]}))
            else:
                first_row[key] = number
                contacts.append(contact)
        if len(problems) >= MAX_PROBLEMS:
            problems.append(ContactProblem(None, None, "contacts_more_problems", {"max": MAX_PROBLEMS}))
            break
    if problems:
        raise ContactsInvalid(problems)
    if not contacts:
        raise ContactsInvalid([ContactProblem(None, None, "contacts_empty")])
    return contacts


def _decoded(content: bytes) -> str:
    """UTF-8 text, with or without a byte order mark; a located problem for anything else (Excel's « CSV » is
    Windows-1252: « CSV UTF-8 » is the choice to make when saving)."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        row = content[:exc.start].count(b"\n") + 1
        raise ContactsInvalid([ContactProblem(row, None, "contacts_not_utf8")]) from None


def _dialect(text: str) -> type[csv.Dialect]:
    """Commas, or semicolons (a French spreadsheet's CSV), or tabs: whichever the header row holds most of."""
    header = text.split("\n", 1)[0]
    separator = max(",;\t", key=header.count)

    class Contacts(csv.excel):
        delimiter = separator

    return Contacts


@dataclass(frozen=True)
class _Column:
    """A column of the file: what it holds (email, name, language or attribute), its header, where it is."""

    role: str
    title: str
    index: int  # from 0
    question: Question | None = None


def _columns(header: list[str], questionnaire: Questionnaire) -> tuple[list[_Column], list[ContactProblem]]:
    """The header read: the e-mail column first in the list, then the others in file order."""
    questions = {q.name: q for q in questionnaire.questions()}
    columns: list[_Column] = []
    problems: list[ContactProblem] = []
    seen: dict[str, int] = {}
    for index, written in enumerate(header):
        title = written.strip()
        key = title.lower()
        if not key:
            problems.append(ContactProblem(1, str(index + 1), "contacts_blank_column"))
            continue
        if key in seen:
            problems.append(ContactProblem(1, title, "contacts_repeated_column", {"first": seen[key]}))
            continue
        seen[key] = index + 1
        if key in EMAIL_COLUMNS:
            columns.append(_Column("email", title, index))
        elif key in NAME_COLUMNS:
            columns.append(_Column("name", title, index))
        elif key in LANGUAGE_COLUMNS:
            columns.append(_Column("language", title, index))
        elif (question := questions.get(title)) is None:
            near = [name for name in questions if key in name or name in key]
            problems.append(ContactProblem(1, title, "contacts_unknown_column", {
                "questionnaire": questionnaire.id, "hint": ", ".join(near[:3] or list(questions)[:3])}))
        elif question.type not in PREFILLABLE:
            problems.append(ContactProblem(1, title, "contacts_not_prefillable", {"type": question.type}))
        else:
            columns.append(_Column("attribute", title, index, question))
    emails = [c for c in columns if c.role == "email"]
    if not emails:
        problems.insert(0, ContactProblem(1, None, "contacts_no_email"))
    elif len(emails) > 1:
        problems.append(ContactProblem(1, emails[1].title, "contacts_two_email_columns", {"first": emails[0].title}))
    return sorted(columns, key=lambda c: c.role != "email"), problems


def _contact(number: int, cells: list[str], columns: list[_Column], questionnaire: Questionnaire
             ) -> tuple[Contact | None, list[ContactProblem]]:
    """One row read: the contact, or None with what is wrong in it."""
    problems: list[ContactProblem] = []
    values: dict[str, str] = {}
    attributes: dict[str, Any] = {}
    for column in columns:
        cell = cells[column.index].strip() if column.index < len(cells) else ""
        if problem := _cell_problem(cell):
            problems.append(ContactProblem(number, column.title, problem))
        elif column.question is None:
            values[column.role] = cell
        elif cell:
            answer, why = _prefilled(column.question, cell, questionnaire)
            codes = ", ".join(str(c.code) for c in column.question.choices[:MAX_CODES_SHOWN])
            if len(column.question.choices) > MAX_CODES_SHOWN:
                codes += ", …"
            if why is not None:
                problems.append(ContactProblem(number, column.title,
                                               "contacts_bad_choice" if codes else "contacts_bad_value",
                                               {"value": cell[:40], "reason": why, "codes": codes}))
            else:
                attributes[column.question.name] = answer
    email, name, language = values.get("email", ""), values.get("name", ""), values.get("language", "").lower()
    where = {c.role: c.title for c in columns}
    if "email" in values and not email:
        problems.append(ContactProblem(number, where["email"], "contacts_missing_email"))
    elif email and (len(email) > EMAIL_MAX or not EMAIL.fullmatch(email)):
        problems.append(ContactProblem(number, where["email"], "contacts_bad_email", {"email": email[:60]}))
    if len(name) > NAME_MAX:
        problems.append(ContactProblem(number, where["name"], "contacts_long_name", {"max": NAME_MAX}))
    if language and language not in LANGUAGES:
        problems.append(ContactProblem(number, where["language"], "contacts_bad_language",
                                       {"value": language[:12], "languages": ", ".join(LANGUAGES)}))
    if problems:
        return None, problems
    return Contact(email, name, language, attributes), []


def _cell_problem(cell: str) -> str | None:
    """A message code when a cell cannot be taken as it is: a formula left in, or control characters."""
    if CONTROL.search(cell):
        return "contacts_control_character"
    if cell and cell[0] in FORMULA_START and not PLAIN_NUMBER.fullmatch(cell):
        return "contacts_formula"
    return None


def _prefilled(question: Question, cell: str, questionnaire: Questionnaire) -> tuple[Any, tuple[str, dict] | None]:
    """The answer a cell gives `question`, read as a respondent's posted text is (a choice's label, in any of the
    questionnaire's languages, stands for its code); (None, (message code, params)) when the question refuses it."""
    if question.choices:
        wanted = cell.casefold()
        for choice in question.choices:
            labels = choice.label.values() if isinstance(choice.label, dict) else [choice.label]
            if any(str(label).strip().casefold() == wanted for label in labels):
                cell = choice.code
                break
    page = next(p for p in questionnaire.pages if question in p.questions)
    typed, issues = read_page(page.model_copy(update={"questions": [question]}), {question.name: [cell]})
    if issues:
        return None, (issues[0].code, dict(issues[0].params))
    return typed[question.name], None
