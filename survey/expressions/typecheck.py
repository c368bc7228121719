"""What `survey validate` says about an expression before anyone answers: names, functions, types, cycles.  PURE."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from survey.expressions.evaluate import FUNCTIONS
from survey.expressions.patterns import compiled, pattern_problem
from survey.expressions.syntax import (
    Binary,
    Boolean,
    Call,
    ChoiceField,
    Current,
    Expr,
    Name,
    Number,
    Text,
    Unary,
    names,
)
from survey.expressions.syntax import to_text as to_label
from survey.expressions.values import parse_date, to_number

# Kinds of answers: number, text, date, time, code (single choice), codes (multiple choice), boolean; "any" unknown.
_NOT_NUMBERS = {"text": "a text", "codes": "a multiple choice", "date": "a date", "time": "a time"}
_CLASHES = [{"number", "date"}, {"number", "time"}, {"date", "time"}, {"boolean", "date"}, {"boolean", "time"}]
_RETURNS = {"selected": "boolean", "count_selected": "number", "concat": "text", "length": "number",
            "contains": "boolean", "regex": "boolean", "today": "date", "number": "number", "string": "text",
            "int": "number", "round": "number", "min": "number", "max": "number", "empty": "boolean",
            "year": "number", "days_between": "number"}
_CHOICE_FUNCTIONS = {"selected", "count_selected"}


def _suggest(word: str, known: object) -> str:
    close = difflib.get_close_matches(word, sorted(known), n=1, cutoff=0.6)  # type: ignore[arg-type]
    return f"; did you mean `{close[0]}`?" if close else ""


def _arity(function: str, count: int) -> str | None:
    fewest, most, _ = FUNCTIONS[function]
    if fewest <= count and (most is None or count <= most):
        return None
    wanted = (f"{fewest}" if fewest == most else f"at least {fewest}" if most is None else f"{fewest} or {most}")
    plural = "" if wanted.endswith(" 1") or wanted == "1" else "s"
    return f"{function}() takes {wanted} argument{plural}, not {count}"


class _Checker:
    def __init__(self, kinds: Mapping[str, str], allow_current: bool, allow_choice: bool):
        self.kinds, self.allow_current, self.allow_choice = kinds, allow_current, allow_choice
        self.messages: list[str] = []

    def say(self, message: str) -> None:
        if message not in self.messages:
            self.messages.append(message)

    def kind(self, tree: Expr) -> str:  # noqa: PLR0911
        if isinstance(tree, Number):
            return "number"
        if isinstance(tree, Text):
            return "text"
        if isinstance(tree, Name):
            if tree.name not in self.kinds:
                self.say(f"unknown name `{tree.name}`{_suggest(tree.name, self.kinds)}")
            return self.kinds.get(tree.name, "any")
        if isinstance(tree, Current):
            if not self.allow_current:
                self.say("`.` (the answer being checked) can only be used in a constraint")
            return self.kinds.get(".", "any")
        if isinstance(tree, ChoiceField):
            if not self.allow_choice:
                self.say(f"`choice.{tree.attribute}` can only be used in a choice filter")
            return "text"
        if isinstance(tree, Unary):
            operand = self.kind(tree.operand)
            if tree.op == "not":
                return "boolean"
            self.numeric(tree.operand, operand, "-")
            return "number"
        if isinstance(tree, Binary):
            return self.binary(tree)
        if isinstance(tree, Call):
            return self.call(tree)
        return "boolean" if isinstance(tree, Boolean) else "any"

    def numeric(self, tree: Expr, kind: str, op: str) -> None:
        shown = f"`{tree.name}`" if isinstance(tree, Name) else "this operand"
        if kind in _NOT_NUMBERS and not (isinstance(tree, Text) and to_number(tree.value) is not None):
            self.say(f"`{op}` needs numbers, but {shown} is {_NOT_NUMBERS[kind]}")

    def binary(self, tree: Binary) -> str:
        left, right = self.kind(tree.left), self.kind(tree.right)
        if tree.op in ("and", "or"):
            return "boolean"
        if tree.op in ("+", "-", "*", "/", "mod"):
            self.numeric(tree.left, left, tree.op)
            self.numeric(tree.right, right, tree.op)
            return "number"
        self.comparison(tree, (tree.left, left), (tree.right, right))
        return "boolean"

    def comparison(self, tree: Binary, *sides: tuple[Expr, str]) -> None:
        (a, ka), (b, kb) = sides
        for (node, kind), (other, other_kind) in (sides, sides[::-1]):
            if kind == "codes" and other_kind not in ("codes", "any"):
                name = node.name if isinstance(node, Name) else "q"
                self.say(f"`{to_label(node)}` is a multiple choice: test a code with selected({name}, 'code')")
            if kind == "number" and isinstance(other, Text) and to_number(other.value) is None:
                self.say(f"`{tree.op}` compares a number with {other.value!r}, which is not a number")
            if kind == "date" and isinstance(other, Text) and parse_date(other.value) is None:
                self.say(f"`{tree.op}` compares a date with {other.value!r}: write dates as 'YYYY-MM-DD'")
        if {ka, kb} in _CLASHES:
            self.say(f"`{tree.op}` compares {ka} `{to_label(a)}` with {kb} `{to_label(b)}`")

    def call(self, tree: Call) -> str:
        kinds = [self.kind(arg) for arg in tree.args]
        if tree.function not in FUNCTIONS:
            self.say(f"unknown function `{tree.function}`{_suggest(tree.function, FUNCTIONS)}")
            return "any"
        problem = _arity(tree.function, len(tree.args))
        if problem:
            self.say(problem)
            return _RETURNS.get(tree.function, "any")
        first = tree.args[0] if tree.args else None
        if tree.function in _CHOICE_FUNCTIONS and kinds[0] not in ("code", "codes", "any"):
            self.say(f"{tree.function}() needs a choice question's name as its first argument, "
                     f"not `{to_label(first)}`")  # type: ignore[arg-type]
        if tree.function == "regex":
            pattern = tree.args[1]
            if not isinstance(pattern, Text):
                self.say("regex() takes its pattern as a quoted text, e.g. regex(code_postal, '[0-9]{5}')")
            elif problem := pattern_problem(pattern.value) or (compiled(pattern.value) is None and "not valid"):
                self.say(f"regex() pattern {pattern.value!r}: {problem}")
        if tree.function in ("year", "days_between"):
            for arg, kind in zip(tree.args, kinds, strict=True):
                if kind in ("number", "boolean", "codes", "time"):
                    self.say(f"{tree.function}() needs dates ('YYYY-MM-DD'), not `{to_label(arg)}`")
        if tree.function == "if":
            return kinds[1] if kinds[1] == kinds[2] else "any"
        if tree.function == "coalesce":
            return kinds[0] if len(set(kinds)) == 1 else "any"
        return _RETURNS[tree.function]


def check(expr: Expr, kinds: Mapping[str, str], *, allow_current: bool = False,
          allow_choice: bool = False) -> list[str]:
    """Problems a reader can fix: unknown names and functions, wrong argument counts, obvious type clashes.

    `kinds` maps each name to number, text, date, time, code, codes or boolean; give `"."` a kind to type-check
    the answer a constraint checks.
    """
    checker = _Checker(kinds, allow_current, allow_choice)
    checker.kind(expr)
    return checker.messages


def dependency_cycles(definitions: Mapping[str, Expr]) -> list[list[str]]:
    """Calculations that depend on themselves, each as the names around the loop: [['a', 'b']] for a → b → a."""
    graph = {name: sorted(names(tree) & definitions.keys()) for name, tree in definitions.items()}

    def reachable(start: str) -> set[str]:
        seen, stack = set(), list(graph[start])
        while stack:
            node = stack.pop()
            if node not in seen:
                seen.add(node)
                stack += graph[node]
        return seen

    reach = {name: reachable(name) for name in graph}
    cycles, done = [], set()
    for start in sorted(graph):
        if start in done or start not in reach[start]:
            continue
        component = {node for node in reach[start] if start in reach[node]}
        done |= component
        paths, queue = {start: [start]}, [start]  # breadth first: the shortest way back to `start`
        while queue:
            node = queue.pop(0)
            if start in graph[node]:
                cycles.append(paths[node])
                break
            for following in graph[node]:
                if following in component and following not in paths:
                    paths[following] = [*paths[node], following]
                    queue.append(following)
    return cycles
