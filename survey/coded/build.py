"""Stored answer documents → coded rows, with polars expressions: no Python loop over cells.  PURE.

Input: a frame of `response_id`, `version`, `submitted_at` and `answers` (the stored JSON document, as text).
Every version's rows are decoded in one pass with the types the codecs ask for (special answers are read
apart first, then blanked), and each column of the layout is one expression over the decoded answers: a special
code, blank, or the codec's value. A question the row's version did not have is coded not asked (-7).
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from survey.codecs import SPECIAL_CODES, Variable, codec
from survey.coded.layout import Layout, status_name
from survey.schema.model import Question, Questionnaire
from survey.schema.types import NOT_ASKED

RESPONSE_ID, VERSION, SUBMITTED_AT, INSTANCE = "response_id", "version", "submitted_at", "instance"
ANSWERS = "answers"
DTYPES: dict[str, pl.DataType] = {"category": pl.String(), "text": pl.String(), "date": pl.String(),
                                  "time": pl.String(), "integer": pl.Int64(), "decimal": pl.Float64()}
_SPECIAL = r'\{"special": ?"([a-z_]+)"\}'


class UnreadableAnswers(ValueError):
    """Stored answers that do not have the form their question's codec expects."""


def raw_frame(rows: list[tuple[int, str, object, str]]) -> pl.DataFrame:
    """(response id, version label, submitted at, answers JSON text) rows as the frame `code_rows` reads."""
    return pl.DataFrame(rows, schema={RESPONSE_ID: pl.Int64, VERSION: pl.String,
                                      SUBMITTED_AT: pl.Datetime("us", "UTC"), ANSWERS: pl.String}, orient="row")


def special_literal(variable: Variable, kind: str) -> pl.Expr:
    """A special code as the column's own type: -7 for a number column, "-7" for a text one."""
    code = SPECIAL_CODES[kind]
    return pl.lit(code if variable.numeric else str(code), dtype=DTYPES[variable.storage])


def _by_question(variables: tuple[Variable, ...]) -> dict[str, list[Variable]]:
    grouped: dict[str, list[Variable]] = {}
    for v in variables:
        grouped.setdefault(v.question, []).append(v)
    return grouped


_DECODED, _SPECIALS = "\x00decoded", "\x00specials"


def _decoded(variables: tuple[Variable, ...], questions: Mapping[str, Question], present: set[str],
             answers: pl.Expr) -> list[pl.Expr]:
    """The answers document decoded once: every key the codecs read, and every special answer (one JSON parse
    each, for all questions)."""
    schema: dict[str, pl.DataType] = {}
    for name, mine in _by_question(variables).items():
        if name in present:
            schema.update(codec(questions[name]).fields(questions[name], mine))
    plain = answers.str.replace_all(_SPECIAL, "null")
    # `"name": {"special": "kind"}` pairs, gathered into one small JSON object and decoded as such.
    pairs = answers.str.extract_all(f'"[a-z][a-z0-9_]*": ?{_SPECIAL}').list.join(", ")
    kinds = pl.Struct({name: pl.Struct({"special": pl.String()}) for name in _by_question(variables)
                       if name in present} or {"_": pl.String()})
    return [plain.str.json_decode(pl.Struct(schema or {"_": pl.String()})).alias(_DECODED),
            (pl.lit("{") + pairs + pl.lit("}")).str.json_decode(kinds).alias(_SPECIALS)]


def _columns(variables: tuple[Variable, ...], questions: Mapping[str, Question], present: set[str]) -> list[pl.Expr]:
    """One expression per variable, then one status column per question, over the decoded columns."""
    exprs, statuses = [], []
    for name, mine in _by_question(variables).items():
        if name not in present:
            exprs += [special_literal(v, NOT_ASKED).alias(v.name) for v in mine]
            statuses.append(pl.lit(SPECIAL_CODES[NOT_ASKED], dtype=pl.Int8).alias(status_name(name)))
            continue
        special = pl.col(_SPECIALS).struct.field(name).struct.field("special")
        statuses.append(special.replace_strict(SPECIAL_CODES, default=None, return_dtype=pl.Int8)
                        .alias(status_name(name)))
        own = codec(questions[name])
        fields = {key: pl.col(_DECODED).struct.field(key) for key in own.fields(questions[name], mine)}
        answer = fields[name]
        for v in mine:
            dtype = DTYPES[v.storage]
            code = special.replace_strict({k: c if v.numeric else str(c) for k, c in SPECIAL_CODES.items()},
                                          default=None, return_dtype=dtype)
            exprs.append(pl.when(special.is_not_null()).then(code)
                         .when(own.blank(answer)).then(None)
                         .otherwise(own.value(v, answer, fields).cast(dtype)).cast(dtype).alias(v.name))
    return exprs + statuses


def _code(frame: pl.DataFrame, variables: tuple[Variable, ...], questions: Mapping[str, Question],
          present: set[str], keep: list[str]) -> pl.DataFrame:
    """Code one version's rows: the kept system columns, every variable, then the status columns."""
    try:
        decoded = frame.select(*keep, *_decoded(variables, questions, present, pl.col(ANSWERS)))
        return decoded.select(*keep, *_columns(variables, questions, present))
    except pl.exceptions.PolarsError as error:
        raise UnreadableAnswers(f"stored answers do not match their questions' types: {error}") from None


def code_rows(layout: Layout, versions: Mapping[str, Questionnaire], raw: pl.DataFrame
              ) -> tuple[pl.DataFrame, dict[str, pl.DataFrame]]:
    """Raw rows of any versions → the main table's coded rows and each repeat group's (by response id)."""
    mains, repeats = [], {name: [] for name in layout.repeats}
    for (label,), part in raw.group_by(VERSION, maintain_order=True):
        version = versions[str(label)]
        present = {q.name for q in version.questions()}
        mains.append(_code(part, layout.variables, layout.questions, present, [RESPONSE_ID, VERSION, SUBMITTED_AT]))
        for group, variables in layout.repeats.items():
            inner = {q.name for q in version.all_questions()} - present
            instances = _instances(part, group) if group in present else _no_instances()
            repeats[group].append(_code(instances, variables, layout.questions, inner, [RESPONSE_ID, INSTANCE]))
    main = pl.concat(mains).sort(RESPONSE_ID) if mains else empty_main(layout)
    return main, {name: pl.concat(parts).sort(RESPONSE_ID, INSTANCE) if parts else empty_repeat(layout, name)
                  for name, parts in repeats.items()}


def _no_instances() -> pl.DataFrame:
    return pl.DataFrame(schema={RESPONSE_ID: pl.Int64, INSTANCE: pl.Int64, ANSWERS: pl.String})


def _instances(part: pl.DataFrame, group: str) -> pl.DataFrame:
    """One row per instance of a repeat group: its response, its number (1, 2…), its answers document.

    A loop over instance numbers (at most the group's `max`), not over responses: the n-th items of every
    response are taken together; each item's document is then coded like a response's.
    """
    # The group's list, cut out of the document once; its n-th item is then read from that short text.
    lists = part.select(RESPONSE_ID, pl.col(ANSWERS).str.json_path_match(f"$.{group}").alias("items"))
    lists = lists.filter(pl.col("items").str.starts_with("["))
    counts = pl.col("items").str.replace_all(_SPECIAL, "null").str.json_decode(
        pl.List(pl.Struct({"_": pl.String()}))).list.len()
    counted = lists.with_columns(counts.alias("count"))
    parts = [counted.filter(pl.col("count") > i).select(
        RESPONSE_ID, pl.lit(i + 1, pl.Int64).alias(INSTANCE),
        pl.col("items").str.json_path_match(f"$[{i}]").alias(ANSWERS))
        for i in range(int(counted["count"].max() or 0))]
    return pl.concat(parts).sort(RESPONSE_ID, INSTANCE) if parts else _no_instances()


def empty_main(layout: Layout) -> pl.DataFrame:
    """The main table with no row."""
    schema = {RESPONSE_ID: pl.Int64(), VERSION: pl.String(), SUBMITTED_AT: pl.Datetime("us", "UTC")}
    return pl.DataFrame(schema={**schema, **{v.name: DTYPES[v.storage] for v in layout.variables},
                                **{name: pl.Int8() for name in layout.statuses()}})


def empty_repeat(layout: Layout, group: str) -> pl.DataFrame:
    """A repeat group's table with no row."""
    schema = {RESPONSE_ID: pl.Int64(), INSTANCE: pl.Int64()}
    return pl.DataFrame(schema={**schema, **{v.name: DTYPES[v.storage] for v in layout.repeats[group]},
                                **{name: pl.Int8() for name in layout.statuses(group)}})
