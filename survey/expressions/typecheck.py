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
from survey.expressions.values import Value, equal, format_number, parse_date, to_number, to_text

# Kinds of answers: number, text, date, time, code (single choice), codes (multiple choice), boolean; "any" unknown.
_NOT_NUMBERS = {"text": "a text", "codes": "a multiple choice", "date": "a date", "time": "a time"}
_CLASHES = [{"number", "date"}, {"number", "time"}, {"date", "time"}, {"boolean", "date"}, {"boolean", "time"}]
_RETURNS = {"selected": "boolean", "count_selected": "number", "concat": "text", "length": "number",
            "contains": "boolean", "regex": "boolean", "today": "date", "number": "number", "string": "text",
            "int": "number", "round": "number", "min": "number", "max": "number", "empty": "boolean",
            "year": "number", "days_between": "number"}
_CHOICE_FUNCTIONS = {"selected", "count_selected"}
# How people write yes and no when they forget that a yes/no answer is true or false.
_YES_NO_WORDS = {"oui": True, "yes": True, "o": True, "y": True, "vrai": True, "true": True,
                 "non": False, "no": False, "n": False, "faux": False, "false": False}


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


def _shown(values: list[str]) -> str:
    """A list of codes short enough for a message."""
    return ", ".join(values[:12]) + (", …" if len(values) > 12 else "")


def _literal(tree: Expr) -> Value | None:
    """The value of a quoted text, a number or true/false written in the expression; None for anything else."""
    return tree.value if isinstance(tree, Text | Number | Boolean) else None


class _Checker:
    def __init__(self, kinds: Mapping[str, str], allow_current: bool, allow_choice: bool,
                 values: Mapping[str, tuple[Value, ...]], unseen: Mapping[str, str]):
        self.kinds, self.allow_current, self.allow_choice = kinds, allow_current, allow_choice
        self.values, self.unseen = values, unseen
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
            group = self.unseen.get(tree.name)
            if tree.name not in self.kinds and group is not None:
                self.say(f"`{tree.name}` is a question of the repeat group `{group}`: here, outside the group, it "
                         f"has no value (always null) — use it inside the group, where each item sees its own "
                         f"answers, or use `{group}` here (its number of items)")
            elif tree.name not in self.kinds:
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
        if tree.op in ("=", "!="):
            for (node, kind), (other, _) in (sides, sides[::-1]):
                self.never_equal(tree, node, kind, other)

    def never_equal(self, tree: Binary, node: Expr, kind: str, other: Expr) -> None:
        """A question compared with a literal its answer can never be: the test never (or always) holds."""
        literal = _literal(other)
        possible = self.values.get(node.name if isinstance(node, Name) else "." if isinstance(node, Current) else "")
        if possible is None or literal is None or kind == "codes" or any(equal(v, literal) for v in possible):
            return
        if kind == "number" and to_number(literal) is None:
            return  # "compares a number with …, which is not a number", said above
        label, verdict = to_label(node), "never" if tree.op == "=" else "always"
        so = f"so `{to_label(tree)}` is {verdict} true"
        said = f"{to_label(other)}, {so}"
        if kind == "boolean":
            meant = _YES_NO_WORDS.get(to_text(literal).strip().casefold())
            if meant is None:
                fix = f"compare it with true or false: `{label} {tree.op} true`"
            elif meant or tree.op == "!=":
                fix = f"write `{label} {tree.op} {to_label(Boolean(meant))}`"
            else:
                fix = f"write `{label} = false` (`not {label}` is true also while it is unanswered)"
            self.say(f"`{label}` is a yes/no question: its answer is true or false, never {said} — {fix}")
        elif kind == "number":
            points = sorted(number for v in possible if (number := to_number(v)) is not None)
            low, high = format_number(points[0]), format_number(points[-1])
            self.say(f"`{label}` is a point from {low} to {high}, never {said} — use a point from {low} to {high}")
        else:
            codes = [str(v) for v in possible]
            self.say(f"`{label}` has no code {to_label(other)} (its codes: {_shown(codes)}), {so} — "
                     f"{self.closest(literal, codes)}")

    @staticmethod
    def closest(literal: Value, codes: list[str]) -> str:
        """Did you mean the nearest code, or use one of them."""
        close = difflib.get_close_matches(to_text(literal), codes, n=1, cutoff=0.6)
        return f"did you mean '{close[0]}'?" if close else "use one of its codes"

    def unknown_code(self, tree: Call) -> None:
        """selected(q, 'code') with a code q does not have: it is never true."""
        question, code = tree.args
        literal = _literal(code)
        possible = self.values.get(question.name if isinstance(question, Name) else "."
                                   if isinstance(question, Current) else "")
        if possible is None or literal is None or to_text(literal) in possible:
            return
        codes = [str(v) for v in possible]
        self.say(f"`{to_label(question)}` has no code {to_label(code)} (its codes: {_shown(codes)}), so "
                 f"`{to_label(tree)}` is never true — {self.closest(literal, codes)}")

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
        elif tree.function == "selected":
            self.unknown_code(tree)
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


def check(expr: Expr, kinds: Mapping[str, str], *, allow_current: bool = False, allow_choice: bool = False,
          values: Mapping[str, tuple[Value, ...]] | None = None, unseen: Mapping[str, str] | None = None
          ) -> list[str]:
    """Problems a reader can fix: unknown names and functions, wrong argument counts, obvious type clashes.

    `kinds` maps each name to number, text, date, time, code, codes, boolean or matrix; give `"."` a kind to
    type-check the answer a constraint checks. `values` gives the only values a closed question's answer can be
    (its codes; 1…n for a scale; true and false), so that a comparison with anything else is reported. `unseen`
    maps the questions of a repeat group to the group, where they have no value. A message may end with
    ` — ` and how to fix it.
    """
    checker = _Checker(kinds, allow_current, allow_choice, values or {}, unseen or {})
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
