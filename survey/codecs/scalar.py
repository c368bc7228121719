"""Codecs of the questions answered by typing: numbers, dates, times, texts; and computed values.  PURE."""

from __future__ import annotations

import polars as pl

from survey.codecs.base import Codec, Context, Variable, specials_of, texts_of
from survey.schema.model import Question


def _one(question: Question, context: Context, storage: str, **more: object) -> list[Variable]:
    return [Variable(question.name, question=question.name, type=question.type, storage=storage,  # type: ignore[arg-type]
                     label=texts_of(question.label, context.languages), specials=specials_of(question, context),
                     **more)]


class Integer(Codec):
    """A whole number."""

    types = ("integer",)
    summary = "numeric"

    def fields(self, question: Question, variables: list[Variable]) -> dict[str, pl.DataType]:
        return {question.name: pl.Int64()}

    def variables(self, question: Question, context: Context) -> list[Variable]:
        return _one(question, context, "integer", measure="scale")


class Decimal(Integer):
    """A number with decimals."""

    types = ("decimal",)

    def fields(self, question: Question, variables: list[Variable]) -> dict[str, pl.DataType]:
        return {question.name: pl.Float64()}

    def variables(self, question: Question, context: Context) -> list[Variable]:
        return _one(question, context, "decimal", measure="scale")


class Date(Codec):
    """A calendar date, kept as ISO text `YYYY-MM-DD` so that missing codes fit in the same column."""

    types = ("date",)
    summary = "date"

    def variables(self, question: Question, context: Context) -> list[Variable]:
        return _one(question, context, "date")

    def value(self, variable: Variable, answer: pl.Expr, fields: dict[str, pl.Expr]) -> pl.Expr:
        return answer.str.slice(0, 10)


class Time(Codec):
    """A time of day, `HH:MM`."""

    types = ("time",)
    summary = "time"

    def variables(self, question: Question, context: Context) -> list[Variable]:
        return _one(question, context, "time")


class Text(Codec):
    """Free text, an e-mail address or a phone number: may identify a person."""

    types = ("short_text", "long_text", "email", "phone")
    summary = "text"

    def variables(self, question: Question, context: Context) -> list[Variable]:
        return _one(question, context, "text", identifying=True)

    def blank(self, answer: pl.Expr) -> pl.Expr:
        return answer.is_null() | (answer == "")


class Calculated(Codec):
    """A value computed by `calculation`: a number, a text or a truth value, kept as text (true/false as 1/0)."""

    types = ("calculate",)
    summary = "numeric"  # when every value is a number; the summary falls back to a count otherwise

    def variables(self, question: Question, context: Context) -> list[Variable]:
        return _one(question, context, "text", identifying=context.identifying)

    def blank(self, answer: pl.Expr) -> pl.Expr:
        return answer.is_null()

    def value(self, variable: Variable, answer: pl.Expr, fields: dict[str, pl.Expr]) -> pl.Expr:
        return answer.replace({"true": "1", "false": "0"})


class Repeat(Codec):
    """A repeat group: its items go to a table of their own; the main table holds how many items were given."""

    types = ("repeat",)
    summary = "repeat"

    def fields(self, question: Question, variables: list[Variable]) -> dict[str, pl.DataType]:
        # Each item is an object; one placeholder field is enough to count them.
        return {question.name: pl.List(pl.Struct({"_": pl.String()}))}

    def variables(self, question: Question, context: Context) -> list[Variable]:
        return _one(question, context, "integer", measure="scale", role="count")

    def value(self, variable: Variable, answer: pl.Expr, fields: dict[str, pl.Expr]) -> pl.Expr:
        return answer.list.len()


class Nothing(Codec):
    """A note shows text and stores nothing."""

    types = ("note",)

    def fields(self, question: Question, variables: list[Variable]) -> dict[str, pl.DataType]:
        return {}
