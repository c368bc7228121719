"""Responses → an anonymised table: export disclosure control before any file is written.  PURE.

The table is the one thing every dataset writer and the codebook read. Each disclosure-control
step is a function on it: `anonymise` drops identifiers, pseudonymises rows, coarsens dates to the
day, drops free text and shuffles rows; later steps (k-anonymity checks, generalisation,
suppression) take an `AnonymisedTable` and return a new one.

Across versions, columns align by name: the current version's columns first, then those only older
versions had; each row is coded with the questionnaire of the version it answered. Special answers
have codes of their own, the same in every column, so they never read as a missing answer.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import re
import secrets
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from survey.dataset import ResponseRecord
from survey.expressions import names, parse
from survey.logic import OTHER, special_kind
from survey.messages import translate
from survey.schema.localise import localise
from survey.schema.model import Question, Questionnaire
from survey.schema.types import NOT_ASKED, QUESTION_TYPES, Shape

Cell = str | int | float | None

EXPORT_ID = "export_id"
VERSION = "version"
SUBMITTED_DATE = "submitted_date"
INSTANCE = "instance"

# Negative codes no real answer takes: analysts filter `< 0` (SPSS/Stata style missing values).
SPECIAL_CODES: dict[str, int] = {NOT_ASKED: -7, "dont_know": -8, "prefer_not_to_say": -9}
OTHER_TEXT = "other_text"  # suffix of the column holding the text typed for “Other, please specify”

# A spreadsheet reads a cell starting with one of these as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A number we wrote ourselves cannot carry a formula; prefixing it would turn -2.5 into text.
_PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?")


@dataclass(frozen=True)
class Column:
    """One export column: where it comes from and how its values are coded."""

    name: str
    question: str | None  # None for the columns the export adds: export_id, version, submitted_date, instance
    label: str  # the question text, empty for added columns
    type: str  # a question type name, or "export_id" / "version" / "submitted_date" / "instance"
    codes: tuple[tuple[str, str], ...] = ()  # (code, label) for coded columns, in questionnaire order
    option: str | None = None  # for a multiple-choice or ranking column: the option code it stands for
    option_label: str | None = None  # the option's (or matrix item's, or "Other") text
    item: str | None = None  # for a matrix column: the item (row) it stands for
    other_text: bool = False  # the text typed for “Other, please specify”
    specials: tuple[str, ...] = ()  # the special codes this column may hold: dont_know, prefer_not_to_say, not_asked

    @property
    def binary(self) -> bool:
        """Coded 1/0: a yes/no or consent question, or one option of a multiple choice."""
        return self.type in ("yes_no", "consent") or (self.type == "multiple_choice" and self.option is not None)

    @property
    def rank(self) -> bool:
        """The rank (1 = first) given to one option of a ranking."""
        return self.type == "ranking" and self.option is not None


@dataclass(frozen=True)
class AnonymisedTable:
    """Rows of cells under described columns; no row can be traced back to a stored response.

    `repeats` holds one table per repeat group: a row per instance, linked to the main table by `export_id` only.
    """

    columns: tuple[Column, ...]
    rows: list[tuple[Cell, ...]] = field(default_factory=list)
    repeats: dict[str, AnonymisedTable] = field(default_factory=dict)

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


@dataclass(frozen=True)
class Layout:
    """The columns of an export: the main table's, and each repeat group's table's."""

    columns: tuple[Column, ...]
    repeats: dict[str, tuple[Column, ...]] = field(default_factory=dict)


def neutralise(cell: str) -> str:
    """Prefix `'` to a cell a spreadsheet would run as a formula; plain numbers are left as they are."""
    if cell.startswith(FORMULA_TRIGGERS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def cell_text(value: Cell) -> str:
    """A cell as written to a file: empty for no answer, numbers in plain `.` notation."""
    if value is None:
        return ""
    return str(value)


def identifying_names(questionnaire: Questionnaire) -> frozenset[str]:
    """Questions that may identify a person: free text, e-mail, phone, and calculations that read them."""
    found = {q.name for q in questionnaire.all_questions() if q.kind.identifying}
    calculations = {q.name: names(parse(q.calculation)) for q in questionnaire.all_questions()
                    if q.type == "calculate" and q.calculation}
    grew = True
    while grew:  # a calculation reading a calculation that reads free text is free text too
        grew = False
        for name, read in calculations.items():
            if name not in found and read & found:
                found.add(name)
                grew = True
    return frozenset(found)


def exported(question: Question, include_free_text: bool = False, identifying: frozenset[str] | None = None) -> bool:
    """Whether a question has columns in the main export: free text only when asked for; no note, no repeat."""
    if question.type in ("note", "repeat"):
        return False
    is_identifying = question.kind.identifying if identifying is None else question.name in identifying
    return include_free_text or not is_identifying


def _question_columns(q: Question, conditional: bool, language: str, include_free_text: bool,
                      identifying: frozenset[str]) -> list[Column]:
    """The columns of one question (already localised): one, one per option or item, plus “Other” text."""
    if not exported(q, include_free_text, identifying):
        return []
    specials = (*q.special_answers, *((NOT_ASKED,) if conditional else ()))
    base = {"question": q.name, "label": q.label, "type": q.type, "specials": specials}
    options = [(c.code, c.label) for c in q.options()]
    if q.other:
        options.append((OTHER, translate("other_option", language)))
    shape = q.kind.shape
    if shape is Shape.CODES:
        cols = [Column(f"{q.name}__{code}", option=code, option_label=label, **base) for code, label in options]
    elif shape is Shape.MATRIX:
        cols = [Column(f"{q.name}__{item.name}", codes=tuple(options), option_label=item.label, item=item.name,
                       **base) for item in q.items]
    else:
        cols = [Column(q.name, codes=tuple(options), **base)]
    if q.other and include_free_text:
        cols.append(Column(f"{q.name}__{OTHER_TEXT}", option_label=translate("other_option", language),
                           other_text=True, **base))
    return cols


def _conditional(questionnaire: Questionnaire) -> dict[str, bool]:
    """For every question, whether it may be not asked: it, its page or its repeat group has a `relevant`."""
    found: dict[str, bool] = {}

    def walk(questions: list[Question], hidden: bool) -> None:
        for q in questions:
            found[q.name] = hidden or q.relevant is not None
            walk(q.questions, found[q.name])

    for page in questionnaire.pages:
        walk(page.questions, page.relevant is not None)
    return found


def _version_columns(questionnaire: Questionnaire, include_free_text: bool, language: str | None
                     ) -> tuple[list[Column], dict[str, list[Column]]]:
    """One version's main columns (no added ones) and repeat groups' columns, texts in `language`."""
    lang = language or questionnaire.language
    identifying, conditional = identifying_names(questionnaire), _conditional(questionnaire)

    def of(q: Question) -> list[Column]:
        return _question_columns(q, conditional[q.name], lang, include_free_text, identifying)

    local = localise(questionnaire, lang)
    main = [c for q in local.questions() if q.type != "repeat" for c in of(q)]
    repeats = {q.name: [c for sub in q.questions if sub.type != "repeat" for c in of(sub)]
               for q in local.questions() if q.type == "repeat"}
    return main, repeats


def _merge(current: list[Column], older: Iterable[list[Column]], missing_in: dict[str, bool]) -> list[Column]:
    """Current columns in order, then any column only an older version had: after its question's, else at the end.

    A column whose question some version lacks may also be `not_asked`; codes only older versions used are kept.
    """
    merged = list(current)
    position = {c.name: i for i, c in enumerate(merged)}
    for columns_ in older:
        for col in columns_:
            if col.name in position:
                kept = merged[position[col.name]]
                extra = tuple(pair for pair in col.codes if pair[0] not in {code for code, _ in kept.codes})
                specials = tuple(dict.fromkeys((*kept.specials, *col.specials)))
                merged[position[col.name]] = dataclasses.replace(kept, codes=kept.codes + extra, specials=specials)
                continue
            siblings = [i for i, c in enumerate(merged) if c.question == col.question]
            at = siblings[-1] + 1 if siblings else len(merged)
            merged.insert(at, col)
            position = {c.name: i for i, c in enumerate(merged)}
    for i, col in enumerate(merged):
        if missing_in.get(col.question or "") and NOT_ASKED not in col.specials:
            merged[i] = dataclasses.replace(col, specials=(*col.specials, NOT_ASKED))
    return merged


def _ordered_versions(questionnaire: Questionnaire, versions: Mapping[str, Questionnaire] | None
                      ) -> dict[str, Questionnaire]:
    """Every version by label, the current one (`questionnaire`) first, then the others in the given order."""
    return {questionnaire.version: questionnaire,
            **{label: q for label, q in (versions or {}).items() if label != questionnaire.version}}


def layout(questionnaire: Questionnaire, include_free_text: bool = False, *, language: str | None = None,
           versions: Mapping[str, Questionnaire] | None = None) -> Layout:
    """The export's columns: the three it adds, the current version's, then those only older versions had."""
    every = _ordered_versions(questionnaire, versions)
    built = {label: _version_columns(q, include_free_text, language) for label, q in every.items()}
    names_in = {label: {q.name for q in v.all_questions()} for label, v in every.items()}
    everywhere = set.intersection(*names_in.values())
    missing = {name: name not in everywhere for label in names_in for name in names_in[label]}
    main = _merge(built[questionnaire.version][0], [b[0] for label, b in built.items()
                                                    if label != questionnaire.version], missing)
    repeat_names = list(dict.fromkeys(name for b in built.values() for name in b[1]))
    repeats = {
        name: (Column(EXPORT_ID, None, "", EXPORT_ID), Column(INSTANCE, None, "", INSTANCE),
               *_merge(built[questionnaire.version][1].get(name, []),
                       [b[1].get(name, []) for label, b in built.items() if label != questionnaire.version], missing))
        for name in repeat_names
    }
    added = (Column(EXPORT_ID, None, "", EXPORT_ID), Column(VERSION, None, "", VERSION),
             Column(SUBMITTED_DATE, None, "", SUBMITTED_DATE))
    return Layout((*added, *main), repeats)


def columns(questionnaire: Questionnaire, include_free_text: bool = False, *, language: str | None = None,
            versions: Mapping[str, Questionnaire] | None = None) -> tuple[Column, ...]:
    """The main table's columns (see `layout`)."""
    return layout(questionnaire, include_free_text, language=language, versions=versions).columns


def _day(value: Any) -> str | None:
    """An ISO date, whatever finer time it came with."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        return None


def _empty(answer: Any) -> bool:
    return answer is None or answer in ("", [], {})


class _Coder:
    """Turns one version's answers into cells: codes, or labels in one language."""

    def __init__(self, labels: str | None, version_columns: dict[str, Column], asked: frozenset[str]):
        self.labels = labels
        self.version_columns = version_columns  # this version's own definition of each column
        self.asked = asked  # question names this version has

    def special(self, kind: str) -> Cell:
        return SPECIAL_CODES[kind] if self.labels is None else translate(f"report_{kind}", self.labels)

    def boolean(self, value: bool) -> Cell:
        if self.labels is None:
            return 1 if value else 0
        return translate("yes" if value else "no", self.labels)

    def code(self, col: Column, code: str) -> Cell:
        if self.labels is None:
            return code
        return dict(col.codes).get(code, code)

    def cell(self, merged: Column, answers: Mapping[str, Any]) -> Cell:
        """The cell of one column for one answer set."""
        if merged.question not in self.asked:
            return self.special(NOT_ASKED)  # the question was not in the version this person answered
        col = self.version_columns.get(merged.name, merged)
        answer = answers.get(merged.question)
        kind = special_kind(answer)
        if kind is not None:
            return self.special(kind)
        if col.other_text:
            text = answers.get(f"{col.question}__other")
            return str(text) if text else None
        if _empty(answer):
            return None
        if col.option is not None:
            picked = answer if isinstance(answer, list) else [answer]
            if col.rank:
                return picked.index(col.option) + 1 if col.option in picked else None
            return self.boolean(col.option in picked)
        if col.item is not None:
            value = answer.get(col.item) if isinstance(answer, dict) else None
            if special_kind(value) is not None:
                return self.special(special_kind(value))  # type: ignore[arg-type]
            return None if _empty(value) else self.code(col, str(value))
        return self.value(col, answer)

    def value(self, col: Column, answer: Any) -> Cell:
        shape = QUESTION_TYPES[col.type].shape
        if shape is Shape.BOOLEAN:
            return self.boolean(bool(answer))
        if shape is Shape.CODE:
            return self.code(col, str(answer))
        if col.type == "likert":
            return int(answer) if self.labels is None else self.code(col, str(answer))
        if shape is Shape.INTEGER:
            return int(answer)
        if shape is Shape.DECIMAL:
            return float(answer)
        if shape is Shape.DATE:
            return _day(answer)
        if shape is Shape.COMPUTED:
            if isinstance(answer, bool):
                return 1 if answer else 0
            return answer if isinstance(answer, int | float) else str(answer)
        return str(answer)


def _fresh_ids(count: int) -> list[str]:
    """Random ids, unique within one export and unrelated to anything stored."""
    ids: set[str] = set()
    while len(ids) < count:
        ids.add(secrets.token_hex(8))
    return list(ids)


def anonymise(
    questionnaire: Questionnaire,
    records: Iterable[ResponseRecord],
    include_free_text: bool = False,
    rng: random.Random | None = None,
    *,
    versions: Mapping[str, Questionnaire] | None = None,
    labels: str | None = None,
) -> AnonymisedTable:
    """One row per response, one column per exported question; ids fresh, dates to the day, rows shuffled.

    `questionnaire` is the current version; `versions` (label → questionnaire) codes each older response with
    its own version. `labels` (a language code) writes choice labels in that language instead of codes.
    """
    every = _ordered_versions(questionnaire, versions)
    shape = layout(questionnaire, include_free_text, language=labels, versions=every)
    coders: dict[str, _Coder] = {}
    for label, version in every.items():
        main, repeats = _version_columns(version, include_free_text, labels)
        own = {c.name: c for c in main} | {f"{name}/{c.name}": c for name, cols in repeats.items() for c in cols}
        coders[label] = _Coder(labels, own, frozenset(q.name for q in version.all_questions()))
    fallback = coders[questionnaire.version]
    body = []
    for record in records:
        coder = coders.get(record.version, fallback)
        cells = [coder.cell(c, record.answers) for c in shape.columns[3:]]
        body.append((record, (record.version, record.submitted_at.date().isoformat(), *cells)))
    (rng or secrets.SystemRandom()).shuffle(body)
    ids = _fresh_ids(len(body))
    rows = [(export_id, *row) for export_id, (_, row) in zip(ids, body, strict=True)]
    repeats = {
        name: AnonymisedTable(cols, list(_instance_rows(name, cols, zip(ids, (r for r, _ in body), strict=True),
                                                        coders, fallback)))
        for name, cols in shape.repeats.items()
    }
    return AnonymisedTable(shape.columns, rows, repeats)


def _instance_rows(name: str, cols: tuple[Column, ...], parents: Iterable[tuple[str, ResponseRecord]],
                   coders: Mapping[str, _Coder], fallback: _Coder) -> Iterator[tuple[Cell, ...]]:
    """One row per instance of a repeat group: the parent's export id, the instance number, the inner answers."""
    for export_id, record in parents:
        instances = record.answers.get(name)
        if not isinstance(instances, list):
            continue  # not asked, or no instance
        coder = coders.get(record.version, fallback)
        inner = _Coder(coder.labels, {key.partition("/")[2]: c for key, c in coder.version_columns.items()
                                      if key.startswith(f"{name}/")}, coder.asked)
        for number, instance in enumerate(instances, start=1):
            answers = instance if isinstance(instance, dict) else {}
            yield (export_id, number, *(inner.cell(c, answers) for c in cols[2:]))


def text_rows(table: AnonymisedTable) -> Iterable[list[str]]:
    """The header then every row, as neutralised text ready for a writer."""
    yield [neutralise(name) for name in table.header]
    for row in table.rows:
        yield [neutralise(cell_text(value)) for value in row]
