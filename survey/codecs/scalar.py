"""Codecs of the questions answered by typing: numbers, dates, times, texts; and computed values.  PURE."""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from collections.abc import Mapping
from typing import Any

import polars as pl

from survey.codecs.base import Codec, Context, Variable, specials_of, texts_of
from survey.codecs.parsing import (
    EMAIL,
    PHONE,
    WORDS,
    Form,
    Unreadable,
    date,
    is_number,
    number,
    number_range,
    posted,
    time_of_day,
    unsafe_character,
    whole_number,
    whole_number_issue,
    without_unsafe,
)
from survey.schema.model import Question

MAX_REPEATS = 200  # the most items of a repeat group one page may post


def span(low: Any, high: Any, default_low: Any, default_high: Any) -> tuple[Any, Any]:
    """The bounds synthetic answers are drawn in: a question's `min` and `max`, defaults where it has none, moved
    clear of the bound it sets (`max: -1` alone draws up to -1, not from 0 to 100)."""
    if low is None:
        low = default_low if high is None else min(default_low, high)
    if high is None:
        high = max(default_high, low)
    return low, high


def _one(question: Question, context: Context, storage: str, **more: object) -> list[Variable]:
    return [Variable(question.name, question=question.name, type=question.type, storage=storage,  # type: ignore[arg-type]
                     label=texts_of(question.label, context.languages), specials=specials_of(question, context),
                     **more)]


class WholeNumberInput:
    """The input side of the codecs whose answer is a whole number (integers, scale points, NPS scores)."""

    unreadable = "not_number"

    def parse_text(self, question: Question, text: str) -> Any:
        """A whole number as typed in France (`1 200`)."""
        return whole_number(text)

    def check(self, question: Question, value: Any) -> str | None:
        """A whole number, and one of the question's points when it has some."""
        return whole_number_issue(question.codes, value)

    def range_issue(self, question: Question, value: Any) -> str | None:
        """Within `min`/`max`."""
        return number_range(question.min, question.max, value)

    def browser_range(self, question: Question) -> dict[str, Any] | None:
        return {"measure": "number", "min": question.min, "max": question.max, "below": "too_small",
                "above": "too_large"}


class Integer(WholeNumberInput, Codec):
    """A whole number."""

    types = ("integer",)
    summary = "numeric"

    def fields(self, question: Question, variables: list[Variable]) -> dict[str, pl.DataType]:
        return {question.name: pl.Int64()}

    def variables(self, question: Question, context: Context) -> list[Variable]:
        return _one(question, context, "integer", measure="scale")

    # input side: WholeNumberInput's
    def synthetic(self, question: Question, rng: random.Random, codes: list[str]) -> Any:
        low, high = span(question.min, question.max, 0, 100)
        return rng.randint(math.ceil(low), math.floor(high))


class Decimal(Integer):
    """A number with decimals."""

    types = ("decimal",)

    def fields(self, question: Question, variables: list[Variable]) -> dict[str, pl.DataType]:
        return {question.name: pl.Float64()}

    def variables(self, question: Question, context: Context) -> list[Variable]:
        return _one(question, context, "decimal", measure="scale")

    # input side
    def parse_text(self, question: Question, text: str) -> Any:
        return number(text)

    def check(self, question: Question, value: Any) -> str | None:
        return None if is_number(value) else "not_number"

    def synthetic(self, question: Question, rng: random.Random, codes: list[str]) -> Any:
        low, high = span(question.min, question.max, 0.0, 100.0)
        return min(max(round(rng.uniform(low, high), 2), low), high)  # rounding must not step out of bounds


class Date(Codec):
    """A calendar date, kept as ISO text `YYYY-MM-DD` so that missing codes fit in the same column."""

    types = ("date",)
    summary = "date"

    def variables(self, question: Question, context: Context) -> list[Variable]:
        return _one(question, context, "date")

    def value(self, variable: Variable, answer: pl.Expr, fields: dict[str, pl.Expr]) -> pl.Expr:
        return answer.str.slice(0, 10)

    # input side
    unreadable = "not_date"

    def parse_text(self, question: Question, text: str) -> Any:
        return date(text).isoformat()

    def check(self, question: Question, value: Any) -> str | None:
        try:
            dt.date.fromisoformat(value)
        except (TypeError, ValueError):
            return "not_date"
        return None

    def range_issue(self, question: Question, value: Any) -> str | None:
        if isinstance(value, str):
            if isinstance(question.min, dt.date) and value < question.min.isoformat():
                return "too_early"
            if isinstance(question.max, dt.date) and value > question.max.isoformat():
                return "too_late"
        return None

    def browser_range(self, question: Question) -> dict[str, Any] | None:
        """ISO dates compare as text, in the browser as here."""
        def iso(bound: Any) -> str | None:
            return bound.isoformat() if isinstance(bound, dt.date) else None
        return {"measure": "date", "min": iso(question.min), "max": iso(question.max), "below": "too_early",
                "above": "too_late"}

    def synthetic(self, question: Question, rng: random.Random, codes: list[str]) -> Any:
        low, high = span(question.min, question.max, dt.date(2024, 1, 1), dt.date(2026, 12, 31))
        return (low + dt.timedelta(days=rng.randint(0, (high - low).days))).isoformat()


class Time(Codec):
    """A time of day, `HH:MM`."""

    types = ("time",)
    summary = "time"

    def variables(self, question: Question, context: Context) -> list[Variable]:
        return _one(question, context, "time")

    # input side
    unreadable = "not_time"

    def parse_text(self, question: Question, text: str) -> Any:
        return time_of_day(text)

    def check(self, question: Question, value: Any) -> str | None:
        try:
            return None if isinstance(value, str) and time_of_day(value) == value else "not_time"
        except ValueError:
            return "not_time"

    def synthetic(self, question: Question, rng: random.Random, codes: list[str]) -> Any:
        return f"{rng.randint(8, 20):02d}:{rng.choice((0, 15, 30, 45)):02d}"


class Text(Codec):
    """One line of free text (and the base of e-mails and phone numbers): may identify a person."""

    types = ("short_text",)
    summary = "text"
    default_max_length = 500  # characters, when the question sets no `max_length`
    multiline = False  # a paragraph keeps its line breaks; one line does not take any

    def variables(self, question: Question, context: Context) -> list[Variable]:
        return _one(question, context, "text", identifying=True)

    def blank(self, answer: pl.Expr) -> pl.Expr:
        return answer.is_null() | (answer == "")

    # input side
    def parse(self, question: Question, form: Form) -> Any:
        """The first value posted, stripped: spaces typed around a text are not part of it. A control character
        or a lone surrogate is refused here, before anything is kept (what is kept to show again lacks it)."""
        if not posted(form, question.name):
            return None
        text = form[question.name][0].strip()
        if unsafe_character(text, self.multiline):
            raise Unreadable("bad_character", without_unsafe(text, self.multiline))
        return self.parse_text(question, text)

    def check(self, question: Question, value: Any) -> str | None:
        if not isinstance(value, str):
            return "not_text"
        return "bad_character" if unsafe_character(value, self.multiline) else None

    def length_limit(self, question: Question) -> int | None:
        """The question's `max_length`, or the type's default: no text is unbounded."""
        return question.max_length or self.default_max_length

    def range_issue(self, question: Question, value: Any) -> str | None:
        too_long = isinstance(value, str) and len(value) > self.length_limit(question)  # type: ignore[operator]
        return "too_long" if too_long else None

    def browser_range(self, question: Question) -> dict[str, Any] | None:
        return {"measure": "length", "min": None, "max": self.length_limit(question), "below": None,
                "above": "too_long"}

    def synthetic(self, question: Question, rng: random.Random, codes: list[str]) -> Any:
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 12)))
        return text[: question.max_length] if question.max_length else text


class LongText(Text):
    """A paragraph of free text: keeps its line breaks."""

    types = ("long_text",)
    default_max_length = 10_000
    multiline = True

    def parse_text(self, question: Question, text: str) -> Any:
        """Line breaks as `\\n`: browsers post a textarea's as `\\r\\n` but count them as one character against
        its `maxlength`, as the server then does."""
        return text.replace("\r\n", "\n").replace("\r", "\n")


class Email(Text):
    """An e-mail address."""

    types = ("email",)
    default_max_length = 254  # the longest address mail servers deliver to (RFC 5321)

    def parse_text(self, question: Question, text: str) -> Any:
        if not EMAIL.fullmatch(text):
            raise Unreadable("not_email", text)
        return text

    def check(self, question: Question, value: Any) -> str | None:
        return super().check(question, value) or (None if EMAIL.fullmatch(value) else "not_email")

    def synthetic(self, question: Question, rng: random.Random, codes: list[str]) -> Any:
        return f"habitant{rng.randint(1, 9999)}@example.fr"


class Phone(Text):
    """A French phone number, stored as its ten digits (`+33 6 12…` → `0612…`)."""

    types = ("phone",)
    default_max_length = 30  # ten digits, or +33 and nine, with the spaces and dots people type

    def parse_text(self, question: Question, text: str) -> Any:
        match = PHONE.fullmatch(re.sub(r"[\s.\-()]", "", text))
        if not match:
            raise Unreadable("not_phone", text)
        return "0" + match.group(1)

    def synthetic(self, question: Question, rng: random.Random, codes: list[str]) -> Any:
        return f"06{rng.randint(0, 99_999_999):08d}"


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

    # input side
    answered = False
    computed = True

    def parse(self, question: Question, form: Form) -> Any:
        return None


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

    # input side: items posted as `{repeat}__{i}__{question}`, how many in `{repeat}__count`
    group = True

    def read(self, question: Question, form: Form) -> list[dict[str, Any]]:
        """The items of a repeat group, each an answers object (“Other” texts included). Raises `Unreadable`
        (`repeat_instance`, keeping every item) at the first answer that cannot be read."""
        from survey.codecs import codec  # the registry imports this module

        items: list[dict[str, Any]] = []
        problem: dict[str, Any] | None = None
        for i in range(repeat_count(question, form)):
            prefix = f"{question.name}__{i}__"
            sub_form = {key[len(prefix):]: value for key, value in form.items() if key.startswith(prefix)}
            item: dict[str, Any] = {}
            for sub in question.questions:
                if not codec(sub).answered:
                    continue
                try:
                    value = codec(sub).read(sub, sub_form)
                except Unreadable as exc:
                    problem = problem or {"number": i + 1, "question": sub.name, "code": exc.code}
                    continue
                if value not in (None, "", [], {}):
                    item[sub.name] = value
                other = posted(sub_form, f"{sub.name}__other") if sub.other else []
                if other:
                    item[f"{sub.name}__other"] = other[0]
            items.append(item)
        if problem:
            raise Unreadable("repeat_instance", items, problem)
        return items

    def check(self, question: Question, value: Any) -> str | None:
        """A list of answers objects (each item's answers are checked by the logic's rules)."""
        return None if isinstance(value, list) and all(isinstance(i, dict) for i in value) else "unknown_option"

    def refill(self, question: Question, answer: Any) -> dict[str, list[str]]:
        """The count of items, and each item's fields (its “Other” texts included)."""
        from survey.codecs import codec  # the registry imports this module

        items = answer if isinstance(answer, list) else []
        fields: dict[str, list[str]] = {f"{question.name}__count": [str(len(items))]} if items else {}
        for i, item in enumerate(items):
            for sub in question.questions:
                for field, shown in codec(sub).refill(sub, item.get(sub.name)).items():
                    fields[f"{question.name}__{i}__{field}"] = shown
                if sub.other and item.get(f"{sub.name}__other"):
                    fields[f"{question.name}__{i}__{sub.name}__other"] = [str(item[f"{sub.name}__other"])]
        return fields

    seen_as = "count"

    def expression_value(self, question: Question, answer: Any) -> Any:
        """Expressions see how many items were given."""
        return float(len(answer)) if isinstance(answer, list) else 0.0


def repeat_count(question: Question, form: Mapping[str, Any]) -> int:
    """How many items of a repeat group the page holds (its hidden `{name}__count` field)."""
    try:
        count = int((form.get(f"{question.name}__count") or ["0"])[0])
    except ValueError:
        return 0
    return max(0, min(count, MAX_REPEATS))


class Nothing(Codec):
    """A note shows text and stores nothing."""

    types = ("note",)
    answered = False

    def parse(self, question: Question, form: Form) -> Any:
        return None

    def fields(self, question: Question, variables: list[Variable]) -> dict[str, pl.DataType]:
        return {}
