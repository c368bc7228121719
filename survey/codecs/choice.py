"""Codecs of the questions answered by picking: one choice, several, a ranking, a scale, a matrix, yes/no.  PURE."""

from __future__ import annotations

import polars as pl

from survey.codecs.base import Codec, Context, ValueLabel, Variable, specials_of, texts_of
from survey.schema.model import Question

OTHER = "other"  # the choice code `other: true` adds


def option_labels(question: Question, context: Context) -> tuple[ValueLabel, ...]:
    """Every code a choice question may hold, with its label per language; “Other” last when offered."""
    values = [ValueLabel(c.code, texts_of(c.label, context.languages)) for c in question.options()]
    if question.other:
        values.append(ValueLabel(OTHER, context.texts["other"]))
    return tuple(values)


def yes_no_labels(context: Context) -> tuple[ValueLabel, ...]:
    """The value labels of a 1/0 column."""
    return (ValueLabel("1", context.texts["yes"]), ValueLabel("0", context.texts["no"]))


def _base(question: Question, context: Context) -> dict:
    return {"question": question.name, "type": question.type, "label": texts_of(question.label, context.languages),
            "specials": specials_of(question, context)}


def other_text(question: Question, context: Context) -> list[Variable]:
    """The column of the text typed for “Other, please specify” (free text: identifying)."""
    if not question.other:
        return []
    return [Variable(f"{question.name}__other_text", storage="text", role="other_text",
                     part_label=context.texts["other"], identifying=True, **_base(question, context))]


class SingleChoice(Codec):
    """One code among the choices (a drop-down list is the same answer shown another way)."""

    types = ("single_choice", "dropdown")
    summary = "choice"

    def fields(self, question: Question, variables: list[Variable]) -> dict[str, pl.DataType]:
        """The answer, and the text typed for “Other”."""
        found: dict[str, pl.DataType] = {question.name: pl.String()}
        if any(v.role == "other_text" for v in variables):
            found[f"{question.name}__other"] = pl.String()
        return found

    def variables(self, question: Question, context: Context) -> list[Variable]:
        return [Variable(question.name, storage="category", values=option_labels(question, context),
                         **_base(question, context)), *other_text(question, context)]

    def value(self, variable: Variable, answer: pl.Expr, fields: dict[str, pl.Expr]) -> pl.Expr:
        if variable.role == "other_text":
            return fields[f"{variable.question}__other"]
        return answer


class MultipleChoice(SingleChoice):
    """Several codes ticked: one 1/0 column per option."""

    types = ("multiple_choice",)
    summary = "multiple"

    def fields(self, question: Question, variables: list[Variable]) -> dict[str, pl.DataType]:
        return {**super().fields(question, variables), question.name: pl.List(pl.String())}

    def variables(self, question: Question, context: Context) -> list[Variable]:
        base = _base(question, context)
        return [Variable(f"{question.name}__{v.code}", storage="integer", role="binary", option=v.code,
                         part_label=v.labels, values=yes_no_labels(context), **base)
                for v in option_labels(question, context)] + other_text(question, context)

    def blank(self, answer: pl.Expr) -> pl.Expr:
        return answer.is_null() | (answer.list.len() == 0)

    def value(self, variable: Variable, answer: pl.Expr, fields: dict[str, pl.Expr]) -> pl.Expr:
        if variable.role == "other_text":
            return fields[f"{variable.question}__other"]
        return answer.list.contains(pl.lit(variable.option)).cast(pl.Int64)


class Ranking(MultipleChoice):
    """The options in order of preference: one column per option holding its rank (1 = first)."""

    types = ("ranking",)
    summary = "ranking"

    def variables(self, question: Question, context: Context) -> list[Variable]:
        base = _base(question, context)
        return [Variable(f"{question.name}__{v.code}", storage="integer", role="rank", option=v.code,
                         part_label=v.labels, measure="ordinal", **base)
                for v in option_labels(question, context)]

    def value(self, variable: Variable, answer: pl.Expr, fields: dict[str, pl.Expr]) -> pl.Expr:
        position = answer.list.eval(pl.element() == pl.lit(variable.option)).list.arg_max().cast(pl.Int64) + 1
        return pl.when(answer.list.contains(pl.lit(variable.option))).then(position).otherwise(None)


class Scale(Codec):
    """A point on a labelled scale (likert: 1 = first label) or a 0–10 score (NPS)."""

    types = ("likert", "nps")

    def __init__(self, summary: str = "choice"):
        self.summary = summary  # type: ignore[assignment]

    def fields(self, question: Question, variables: list[Variable]) -> dict[str, pl.DataType]:
        return {question.name: pl.Int64()}

    def variables(self, question: Question, context: Context) -> list[Variable]:
        return [Variable(question.name, storage="integer", values=option_labels(question, context),
                         measure="ordinal", **_base(question, context))]

    def value(self, variable: Variable, answer: pl.Expr, fields: dict[str, pl.Expr]) -> pl.Expr:
        return answer


class Matrix(Codec):
    """Several items rated on one scale (or one set of choices): one column per item."""

    types = ("matrix",)
    summary = "matrix"

    def fields(self, question: Question, variables: list[Variable]) -> dict[str, pl.DataType]:
        # A struct of every item: an item added or removed between versions simply reads as null.
        return {question.name: pl.Struct({v.item: pl.String() for v in variables if v.item})}

    def variables(self, question: Question, context: Context) -> list[Variable]:
        scale = not question.choices
        return [Variable(f"{question.name}__{item.name}", storage="integer" if scale else "category", role="item",
                         item=item.name, part_label=texts_of(item.label, context.languages),
                         values=option_labels(question, context), measure="ordinal" if scale else "nominal",
                         **_base(question, context))
                for item in question.items]

    def value(self, variable: Variable, answer: pl.Expr, fields: dict[str, pl.Expr]) -> pl.Expr:
        cell = answer.struct.field(variable.item or "")
        return cell.cast(pl.Int64, strict=False) if variable.storage == "integer" else cell


class YesNo(Codec):
    """Yes or no (a consent box is ticked or not): 1 / 0."""

    types = ("yes_no", "consent")
    summary = "choice"

    def fields(self, question: Question, variables: list[Variable]) -> dict[str, pl.DataType]:
        return {question.name: pl.Boolean()}

    def variables(self, question: Question, context: Context) -> list[Variable]:
        return [Variable(question.name, storage="integer", values=yes_no_labels(context),
                         **_base(question, context))]

    def value(self, variable: Variable, answer: pl.Expr, fields: dict[str, pl.Expr]) -> pl.Expr:
        return answer.cast(pl.Int64)
