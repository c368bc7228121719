"""Stored answer documents → coded rows, with polars expressions: no Python loop over cells.  PURE.

Input: a frame of `response_id`, `version`, `submitted_at`, `answers` (the stored JSON document, as text) and
`channel` (how the response was collected: web, paper or telephone), which is kept beside the coded columns.
Every version's rows are decoded in one pass with the types the codecs ask for (special answers are read
apart first, then blanked), and each column of the layout is one expression over the decoded answers: a special
code, blank, or the codec's value. A question the row's version did not have is coded not asked (-7).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from survey.codecs import SPECIAL_CODES, Variable, codec
from survey.coded.layout import Layout, status_name
from survey.schema.model import Question, Questionnaire
from survey.schema.types import NOT_ASKED

RESPONSE_ID, VERSION, SUBMITTED_AT, INSTANCE = "response_id", "version", "submitted_at", "instance"
ANSWERS, CHANNEL = "answers", "channel"
WEB = "web"  # the channel of rows given without one (records, tests): a respondent's own form
# The columns a row carries beside its coded answers, in the main table's order.
KEPT = {RESPONSE_ID: pl.Int64(), VERSION: pl.String(), SUBMITTED_AT: pl.Datetime("us", "UTC"), CHANNEL: pl.String()}
DTYPES: dict[str, pl.DataType] = {"category": pl.Categorical(), "text": pl.String(), "date": pl.String(),
                                  "time": pl.String(), "integer": pl.Int64(), "decimal": pl.Float64()}


def dtype_of(variable: Variable) -> pl.DataType:
    """A column's polars type: its storage's, but one byte for an integer column whose codes are all labelled
    small numbers (yes/no, an option ticked, scale points — the special codes fit too): a million responses
    then hold 1 MB per such column instead of 8. Writers give them as the 64-bit integers files always had."""
    if variable.storage == "integer" and variable.values and all(
            _small(value.code) for value in variable.values):
        return pl.Int8()
    return DTYPES[variable.storage]


def _small(code: str) -> bool:
    """Whether a code is a whole number that fits in one signed byte."""
    try:
        return -128 <= int(code) <= 127
    except ValueError:
        return False


class UnreadableAnswers(ValueError):
    """Stored answers that do not have the form their question's codec expects."""


def raw_frame(rows: list[tuple]) -> pl.DataFrame:
    """(response id, version label, submitted at, answers JSON text[, channel]) rows as the frame `code_rows` reads;
    a row without its channel (four values) was collected on the web.

    The time may be a datetime (UTC), or its text as the databases write it (`2026-06-01 10:00:00.123456`, to
    the second at least), parsed here in one go.
    """
    if rows and len(rows[0]) == 4:
        rows = [(*row, WEB) for row in rows]
    textual = bool(rows) and isinstance(rows[0][2], str)
    schema = {RESPONSE_ID: pl.Int64, VERSION: pl.String, SUBMITTED_AT: pl.String if textual
              else pl.Datetime("us", "UTC"), ANSWERS: pl.String, CHANNEL: pl.String}
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    if textual:
        at = (pl.col(SUBMITTED_AT).str.slice(0, 19).str.replace("T", " ", literal=True)
              .str.to_datetime("%Y-%m-%d %H:%M:%S", time_unit="us").dt.replace_time_zone("UTC"))
        return frame.with_columns(at)
    return frame


def special_literal(variable: Variable, kind: str) -> pl.Expr:
    """A special code as the column's own type: -7 for a number column, "-7" for a text one."""
    code = SPECIAL_CODES[kind]
    return pl.lit(code if variable.numeric else str(code), dtype=dtype_of(variable))


def _by_question(variables: tuple[Variable, ...]) -> dict[str, list[Variable]]:
    grouped: dict[str, list[Variable]] = {}
    for v in variables:
        grouped.setdefault(v.question, []).append(v)
    return grouped


_DECODED = "\x00decoded"
# `"name": {"special": "kind"}` becomes `"name": null, "~name": "kind"`: the answer reads as blank in its own
# type, and the special answer as a text beside it, at any depth (a repeat group's items included).
_SPECIAL_PAIR = r'"([a-z][a-z0-9_]*)": ?\{"special": ?"([a-z_]+)"\}'
_SPECIAL_REWRITE = '"${1}": null, "~${1}": "${2}"'


def _schema(variables: tuple[Variable, ...], questions: Mapping[str, Question], present: set[str],
            layout: Layout) -> dict[str, pl.DataType]:
    """What to decode from a document holding `present` questions: every key the codecs read, the special
    answer beside each question, and a repeat group's items with theirs (for its own table)."""
    schema: dict[str, pl.DataType] = {}
    for name, mine in _by_question(variables).items():
        if name in present:
            schema.update(codec(questions[name]).fields(questions[name], mine))
            schema[f"~{name}"] = pl.String()
            if name in layout.repeats:
                items = _schema(layout.repeats[name], questions, set(_by_question(layout.repeats[name])), layout)
                schema[name] = pl.List(pl.Struct(items))
    return schema


def decode(answers: pl.Expr, schema: dict[str, pl.DataType]) -> pl.Expr:
    """The answers documents decoded in one JSON parse each, special answers read apart."""
    rewritten = answers.str.replace_all(_SPECIAL_PAIR, _SPECIAL_REWRITE)
    return rewritten.str.json_decode(pl.Struct(schema or {"_": pl.String()})).alias(_DECODED)


def _columns(variables: tuple[Variable, ...], questions: Mapping[str, Question], present: set[str]) -> list[pl.Expr]:
    """One expression per variable, then one status column per question, over the decoded documents."""
    exprs, statuses = [], []
    for name, mine in _by_question(variables).items():
        if name not in present:
            exprs += [special_literal(v, NOT_ASKED).alias(v.name) for v in mine]
            statuses.append(pl.lit(SPECIAL_CODES[NOT_ASKED], dtype=pl.Int8).alias(status_name(name)))
            continue
        special = pl.col(_DECODED).struct.field(f"~{name}")
        statuses.append(special.replace_strict(SPECIAL_CODES, default=None, return_dtype=pl.Int8)
                        .alias(status_name(name)))
        own = codec(questions[name])
        fields = {key: pl.col(_DECODED).struct.field(key) for key in own.fields(questions[name], mine)}
        answer = fields[name]
        for v in mine:
            dtype = dtype_of(v)
            code = special.replace_strict({k: c if v.numeric else str(c) for k, c in SPECIAL_CODES.items()},
                                          default=None, return_dtype=dtype)
            exprs.append(pl.when(special.is_not_null()).then(code)
                         .when(own.blank(answer)).then(None)
                         .otherwise(own.value(v, answer, fields).cast(dtype)).cast(dtype).alias(v.name))
    return exprs + statuses


def _items(decoded: pl.DataFrame, group: str) -> pl.DataFrame:
    """One row per item of a repeat group: its response, its number (1, 2…) and its decoded answers."""
    items = decoded.select(RESPONSE_ID, pl.col(_DECODED).struct.field(group).alias(_DECODED))
    items = items.filter(pl.col(_DECODED).list.len() > 0)
    numbered = items.with_columns(pl.int_ranges(1, pl.col(_DECODED).list.len() + 1, dtype=pl.Int64).alias(INSTANCE))
    return numbered.explode(_DECODED, INSTANCE).select(RESPONSE_ID, INSTANCE, _DECODED)


@dataclass
class _Plan:
    """The expressions that code one version's documents: built once, used for every batch."""

    schema: dict[str, pl.DataType]
    main: list[pl.Expr]
    repeats: dict[str, list[pl.Expr]]
    present: set[str]


def _plan(layout: Layout, version: Questionnaire) -> _Plan:
    present = {q.name for q in version.questions()}
    inner = {q.name for q in version.all_questions()} - present
    return _Plan(_schema(layout.variables, layout.questions, present, layout),
                 _columns(layout.variables, layout.questions, present),
                 {group: _columns(variables, layout.questions, inner) for group, variables in layout.repeats.items()},
                 present)


def code_rows(layout: Layout, versions: Mapping[str, Questionnaire], raw: pl.DataFrame,
              plans: dict[str, _Plan] | None = None) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    """Raw rows of any versions → the main table's coded rows and each repeat group's (by response id).

    `plans` keeps each version's expressions between batches (a wide questionnaire has over a thousand).
    """
    plans = {} if plans is None else plans
    mains, repeats = [], {name: [] for name in layout.repeats}
    keep = list(KEPT)
    for (label,), part in raw.group_by(VERSION, maintain_order=True):
        plan = plans.get(str(label)) or plans.setdefault(str(label), _plan(layout, versions[str(label)]))
        try:
            # Decoded through a lazy query: polars then parses the documents on every core, a slice each (an eager
            # `select` parsed them on one: 8.8 → 4.8 s per million). The columns' expressions stay eager: lazily
            # they took 5.5 s per million instead of 1.6.
            decoded = part.lazy().select(*keep, decode(pl.col(ANSWERS), plan.schema)).collect()
            mains.append(decoded.select(*keep, *plan.main))
            for group, exprs in plan.repeats.items():
                items = _items(decoded, group) if group in plan.present else _no_items()
                repeats[group].append(items.select(RESPONSE_ID, INSTANCE, *exprs))
        except pl.exceptions.PolarsError as error:
            raise UnreadableAnswers(f"stored answers of version {label} do not match their questions' types: "
                                    f"{str(error).splitlines()[0]}") from None
    main = _in_id_order(mains, [RESPONSE_ID]) if mains else empty_main(layout)
    return main, {name: _in_id_order(parts, [RESPONSE_ID, INSTANCE]) if parts else empty_repeat(layout, name)
                  for name, parts in repeats.items()}


def _in_id_order(parts: list[pl.DataFrame], keys: list[str]) -> pl.DataFrame:
    """The parts' rows sorted on `keys`. One version's rows of raw rows in id order are in order already (a repeat
    group's items too: numbered in order within each response), and sorting copies every column: 12 % of coding."""
    if len(parts) == 1 and parts[0][RESPONSE_ID].is_sorted():
        return parts[0]
    return pl.concat(parts).sort(keys)


def _no_items() -> pl.DataFrame:
    """A repeat group's items where the version has no such group."""
    return pl.DataFrame(schema={RESPONSE_ID: pl.Int64, INSTANCE: pl.Int64, _DECODED: pl.Struct({"_": pl.String()})})


def empty_main(layout: Layout) -> pl.DataFrame:
    """The main table with no row."""
    return pl.DataFrame(schema={**KEPT, **{v.name: dtype_of(v) for v in layout.variables},
                                **{name: pl.Int8() for name in layout.statuses()}})


def empty_repeat(layout: Layout, group: str) -> pl.DataFrame:
    """A repeat group's table with no row."""
    schema = {RESPONSE_ID: pl.Int64(), INSTANCE: pl.Int64()}
    return pl.DataFrame(schema={**schema, **{v.name: dtype_of(v) for v in layout.repeats[group]},
                                **{name: pl.Int8() for name in layout.statuses(group)}})
