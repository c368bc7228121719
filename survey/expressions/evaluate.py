"""Evaluate an expression tree against answers. Never raises: a wrong type gives null.  PURE.

Twin of `survey/static/expressions.js`; change both together (tests/test_expressions_browser.py compares them).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Mapping
from decimal import ROUND_HALF_UP, Decimal, localcontext

from survey.expressions.patterns import compiled, matches
from survey.expressions.syntax import (
    Binary,
    Boolean,
    Call,
    ChoiceField,
    Current,
    Expr,
    Name,
    Null,
    Number,
    Text,
    Unary,
)
from survey.expressions.values import (
    Value,
    day_number,
    equal,
    finite,
    is_empty,
    normalise,
    order,
    parse_date,
    to_number,
    to_text,
    truthy,
)


def _arithmetic(op: str, a: float, b: float) -> float | None:
    if op == "+":
        return finite(a + b)
    if op == "-":
        return finite(a - b)
    if op == "*":
        return finite(a * b)
    if b == 0:
        return None  # x / 0 and x mod 0 are null, not infinities
    return finite(a / b) if op == "/" else math.fmod(a, b)  # fmod keeps the dividend's sign, like JS `%`


_ORDER = {"<": (-1,), "<=": (-1, 0), ">": (1,), ">=": (1, 0)}


def _selected(answer: Value, code: Value) -> bool:
    wanted = to_text(code)
    if isinstance(answer, list):
        return code is not None and wanted in answer
    return isinstance(answer, str) and code is not None and answer == wanted


def _count_selected(answer: Value) -> float | None:
    if answer is None:
        return 0.0
    if isinstance(answer, list):
        return float(len(answer))
    return (1.0 if answer else 0.0) if isinstance(answer, str) else None


def _numbers(args: list[Value]) -> list[float]:
    return [number for number in map(to_number, args) if number is not None]


def _min(*args: Value) -> float | None:
    best = None
    for number in _numbers(list(args)):
        best = number if best is None or number < best else best
    return best


def _max(*args: Value) -> float | None:
    best = None
    for number in _numbers(list(args)):
        best = number if best is None or number > best else best
    return best


def _int(value: Value) -> float | None:
    number = to_number(value)
    return None if number is None else float(math.trunc(number))


def _round(value: Value, digits: Value = 0.0) -> float | None:
    """Half away from zero on the number's exact binary value: what JavaScript's toFixed does."""
    number, places = to_number(value), to_number(digits)
    if number is None or places is None or places != int(places) or not 0 <= places <= 15:
        return None
    if abs(number) >= 1e21:
        return number
    with localcontext() as context:
        context.prec = 80
        return float(Decimal(number).quantize(Decimal(1).scaleb(-int(places)), rounding=ROUND_HALF_UP))


def _coalesce(*args: Value) -> Value:
    return next((arg for arg in args if not is_empty(arg)), None)


def _year(value: Value) -> float | None:
    date = parse_date(value)
    return float(date[0]) if date else None


def _days_between(start: Value, end: Value) -> float | None:
    first, last = parse_date(start), parse_date(end)
    return float(day_number(*last) - day_number(*first)) if first and last else None


def _contains(text: Value, part: Value) -> bool:
    return text is not None and to_text(part) in to_text(text)


def _regex(text: Value, pattern: Value) -> bool | None:
    matcher = compiled(pattern) if isinstance(pattern, str) else None
    if matcher is None:
        return None
    return text is not None and matches(matcher, to_text(text))


# name → (fewest arguments, most arguments or None for any number, implementation). `if` is handled lazily.
FUNCTIONS: dict[str, tuple[int, int | None, Callable[..., Value]]] = {
    "selected": (2, 2, _selected),
    "count_selected": (1, 1, _count_selected),
    "if": (3, 3, lambda condition, yes, no: yes if truthy(condition) else no),
    "concat": (1, None, lambda *args: "".join(map(to_text, args))),
    "length": (1, 1, lambda value: float(len(to_text(value)))),
    "contains": (2, 2, _contains),
    "regex": (2, 2, _regex),
    "today": (0, 0, lambda: None),  # replaced by the evaluation's `today`
    "number": (1, 1, to_number),
    "string": (1, 1, to_text),
    "int": (1, 1, _int),
    "round": (1, 2, _round),
    "min": (1, None, _min),
    "max": (1, None, _max),
    "coalesce": (2, None, _coalesce),
    "empty": (1, 1, is_empty),
    "year": (1, 1, _year),
    "days_between": (2, 2, _days_between),
}


class _Evaluation:
    def __init__(self, env: Mapping[str, object], current: Value, choice: Mapping[str, object], today: str):
        self.env, self.current, self.choice, self.today = env, current, choice, today

    def value(self, tree: Expr) -> Value:  # noqa: C901, PLR0911 - one branch per node kind reads best
        if isinstance(tree, (Number, Text, Boolean)):
            return tree.value
        if isinstance(tree, Null):
            return None
        if isinstance(tree, Name):
            # Normalised when read: an expression reads a few names of a questionnaire that may have hundreds.
            return normalise(self.env.get(tree.name))
        if isinstance(tree, Current):
            return self.current
        if isinstance(tree, ChoiceField):
            attribute = self.choice.get(tree.attribute)
            return attribute if isinstance(attribute, str) else None
        if isinstance(tree, Unary):
            if tree.op == "not":
                return not truthy(self.value(tree.operand))
            number = to_number(self.value(tree.operand))
            return None if number is None else -number
        if isinstance(tree, Binary):
            return self.binary(tree)
        return self.call(tree)

    def binary(self, tree: Binary) -> Value:
        if tree.op == "and":
            return truthy(self.value(tree.left)) and truthy(self.value(tree.right))
        if tree.op == "or":
            return truthy(self.value(tree.left)) or truthy(self.value(tree.right))
        left, right = self.value(tree.left), self.value(tree.right)
        if tree.op == "=":
            return equal(left, right)
        if tree.op == "!=":
            return not equal(left, right)
        if tree.op in _ORDER:
            return order(left, right) in _ORDER[tree.op]
        a, b = to_number(left), to_number(right)
        return None if a is None or b is None else _arithmetic(tree.op, a, b)

    def call(self, tree: Call) -> Value:
        known = FUNCTIONS.get(tree.function)
        if known is None or len(tree.args) < known[0] or (known[1] is not None and len(tree.args) > known[1]):
            return None
        if tree.function == "if":
            condition, yes, no = tree.args
            return self.value(yes if truthy(self.value(condition)) else no)
        if tree.function == "today":
            return self.today
        if tree.function == "regex" and not isinstance(tree.args[1], Text):
            return None  # only a quoted pattern can be vetted for both engines
        return known[2](*(self.value(arg) for arg in tree.args))


def evaluate(expr: Expr, env: Mapping[str, object], *, current: object = None,
             choice: Mapping[str, object] | None = None, today: str | None = None) -> Value:
    """The expression's value given the answers `env` (missing names are null); never raises."""
    evaluation = _Evaluation(env, normalise(current), choice or {},
                             today if today is not None else dt.date.today().isoformat())
    try:
        return evaluation.value(expr)
    except RecursionError:  # only a hand-built tree deeper than parse() allows can get here
        return None
