"""Codecs of the questions answered by picking: one choice, several, a ranking, a scale, a matrix, yes/no.  PURE."""

from __future__ import annotations

import random
from typing import Any

import polars as pl

from survey.codecs.base import Codec, Context, ValueLabel, Variable, specials_of, texts_of
from survey.codecs.parsing import (
    WORDS,
    Form,
    Unreadable,
    bound,
    posted,
)
from survey.codecs.scalar import WholeNumberInput
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

    # input side
    offers = True
    picks = True
    unreadable = "not_text"

    def check(self, question: Question, value: Any) -> str | None:
        """One of the choices' codes, or “Other” when offered."""
        return None if isinstance(value, str) and value in allowed_codes(question) else "unknown_option"

    def picked(self, value: Any) -> list[str]:
        return value if isinstance(value, list) else [value] if isinstance(value, str) else []

    def synthetic(self, question: Question, rng: random.Random, codes: list[str]) -> Any:
        return rng.choice(codes) if codes else None

    def synthetic_fields(self, question: Question, value: Any, rng: random.Random) -> dict[str, Any]:
        """Now and then “Other” with a word typed, instead of the code drawn."""
        if question.other and rng.random() < 0.1:
            return {question.name: OTHER, f"{question.name}__other": rng.choice(WORDS)}
        return {question.name: value}


def allowed_codes(question: Question) -> frozenset[str]:
    """The codes a choice answer may hold: the choices', and “Other” when offered."""
    return question.codes | {OTHER} if question.other else question.codes


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

    # input side
    too_few, too_many = "too_few_choices", "too_many_choices"

    def parse(self, question: Question, form: Form) -> Any:
        """Every code ticked, once each, in the order posted (an empty list when none)."""
        return list(dict.fromkeys(posted(form, question.name)))

    def check(self, question: Question, value: Any) -> str | None:
        """Codes of the choices (or “Other”), none twice."""
        codes = allowed_codes(question)
        ok = isinstance(value, list) and all(isinstance(v, str) and v in codes for v in value)
        return None if ok and len(set(value)) == len(value) else "unknown_option"

    def range_issue(self, question: Question, value: Any) -> str | None:
        """`min` / `max` codes: an empty list never gets here, so `min` applies once something is picked
        (`required` says the rest)."""
        if isinstance(value, list):
            if question.min is not None and len(value) < question.min:
                return self.too_few
            if question.max is not None and len(value) > question.max:
                return self.too_many
        return None

    def browser_range(self, question: Question) -> dict[str, Any] | None:
        return {"measure": "count", "min": question.min, "max": question.max, "below": self.too_few,
                "above": self.too_many}

    def fields_of(self, question: Question, answer: Any) -> dict[str, list[str]]:
        return {question.name: [str(v) for v in answer] if isinstance(answer, list) else [str(answer)]}

    def synthetic(self, question: Question, rng: random.Random, codes: list[str]) -> Any:
        fewest = max(int(bound(question.min, 1)), 1 if question.required else 0)
        most = int(bound(question.max, len(codes)))
        return rng.sample(codes, rng.randint(min(fewest, len(codes)), min(most, len(codes))))

    def synthetic_fields(self, question: Question, value: Any, rng: random.Random) -> dict[str, Any]:
        """The codes drawn, with a word typed for “Other” when it is among them."""
        if question.other and OTHER in self.picked(value):
            return {question.name: value, f"{question.name}__other": rng.choice(WORDS)}
        return {question.name: value}


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

    # input side
    too_few, too_many = "too_few_ranked", "too_many_ranked"

    def parse(self, question: Question, form: Form) -> Any:
        """Ranks posted per option (`{name}__{code}` = 1, 2…) → codes in rank order; ranks run 1, 2… unrepeated."""
        ranks: dict[str, int] = {}
        for choice in question.options():
            picked = posted(form, f"{question.name}__{choice.code}")
            if picked:
                try:
                    ranks[choice.code] = int(picked[0])
                except ValueError:
                    raise Unreadable("bad_ranking") from None
        if len(set(ranks.values())) != len(ranks) or sorted(ranks.values()) != list(range(1, len(ranks) + 1)):
            raise Unreadable("bad_ranking")
        return sorted(ranks, key=ranks.__getitem__)

    def fields_of(self, question: Question, answer: Any) -> dict[str, list[str]]:
        if isinstance(answer, list):
            return {f"{question.name}__{code}": [str(rank)] for rank, code in enumerate(answer, start=1)}
        return {question.name: [str(answer)]}

    def synthetic(self, question: Question, rng: random.Random, codes: list[str]) -> Any:
        """Every option offered, or the first `max` of a shuffle: `min` holds too."""
        return rng.sample(codes, min(int(bound(question.max, len(codes))), len(codes)))


class Scale(WholeNumberInput, Codec):
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

    # input side: WholeNumberInput's (a point of the scale)
    def synthetic(self, question: Question, rng: random.Random, codes: list[str]) -> Any:
        return int(rng.choice(codes))

    def points(self, question: Question) -> bool:
        """Whether the stored codes are points of a scale (1 = first label) rather than choice codes."""
        return True


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

    # input side
    offers = True

    def parse(self, question: Question, form: Form) -> Any:
        """Item → the code posted in its row (`{name}__{item}`); rows left blank are left out."""
        rows = {item.name: posted(form, f"{question.name}__{item.name}") for item in question.items}
        return {name: picked[0] for name, picked in rows.items() if picked}

    def check(self, question: Question, value: Any) -> str | None:
        """Items of the question, each with one of the codes."""
        items = {item.name for item in question.items}
        ok = isinstance(value, dict) and all(k in items and isinstance(v, str) and v in question.codes
                                             for k, v in value.items())
        return None if ok else "unknown_option"

    def fields_of(self, question: Question, answer: Any) -> dict[str, list[str]]:
        if isinstance(answer, dict):
            return {f"{question.name}__{item}": [str(code)] for item, code in answer.items()}
        return {question.name: [str(answer)]}

    seen_as = "nothing"

    def expression_value(self, question: Question, answer: Any) -> Any:
        """Expressions do not see a matrix's answers."""
        return None

    def synthetic(self, question: Question, rng: random.Random, codes: list[str]) -> Any:
        return {item.name: rng.choice(codes) for item in question.items}

    def points(self, question: Question) -> bool:
        """Scale points when rated on a scale, choice codes when on `choices`."""
        return not question.choices


class YesNo(Codec):
    """Yes or no (a consent box is ticked or not): 1 / 0."""

    types = ("yes_no",)
    summary = "choice"

    def fields(self, question: Question, variables: list[Variable]) -> dict[str, pl.DataType]:
        return {question.name: pl.Boolean()}

    def variables(self, question: Question, context: Context) -> list[Variable]:
        return [Variable(question.name, storage="integer", values=yes_no_labels(context),
                         **_base(question, context))]

    def value(self, variable: Variable, answer: pl.Expr, fields: dict[str, pl.Expr]) -> pl.Expr:
        return answer.cast(pl.Int64)

    # input side
    unreadable = "unknown_option"

    def parse_text(self, question: Question, text: str) -> Any:
        """`1` (yes) or `0` (no)."""
        if text not in ("1", "0"):
            raise ValueError(text)
        return text == "1"

    def check(self, question: Question, value: Any) -> str | None:
        return None if isinstance(value, bool) else "unknown_option"

    def fields_of(self, question: Question, answer: Any) -> dict[str, list[str]]:
        return {question.name: ["1" if answer else "0"]}

    def synthetic(self, question: Question, rng: random.Random, codes: list[str]) -> Any:
        return rng.random() < 0.6


class Consent(YesNo):
    """A box that must be ticked to go on: stored and coded as a yes/no, but never answered “no”."""

    types = ("consent",)
    always_required = True

    def refused(self, value: Any) -> bool:
        return value is not True

    def synthetic(self, question: Question, rng: random.Random, codes: list[str]) -> Any:
        return True
