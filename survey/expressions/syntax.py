"""Expression text ⇄ tree: the tokenizer, the parser, the canonical printer and the browser's JSON form.  PURE."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Union

from survey.expressions.patterns import compiled, javascript_source
from survey.expressions.values import format_number


class ExpressionError(Exception):
    """The one error of this package: an expression that cannot be read. `position` is a 0-based column."""

    def __init__(self, message: str, position: int = 0):
        self.message, self.position = message, position
        super().__init__(f"{message} (column {position + 1})")


@dataclass(frozen=True, slots=True)
class Number:
    value: float


@dataclass(frozen=True, slots=True)
class Text:
    value: str


@dataclass(frozen=True, slots=True)
class Boolean:
    value: bool


@dataclass(frozen=True, slots=True)
class Null:
    pass


@dataclass(frozen=True, slots=True)
class Name:
    """A question's (or a calculation's) answer."""

    name: str


@dataclass(frozen=True, slots=True)
class Current:
    """`.`: the answer a constraint is checking."""


@dataclass(frozen=True, slots=True)
class ChoiceField:
    """`choice.commune`: an attribute of the choice a choice filter is testing."""

    attribute: str


@dataclass(frozen=True, slots=True)
class Unary:
    op: str  # "-" or "not"
    operand: Expr


@dataclass(frozen=True, slots=True)
class Binary:
    op: str  # or and = != < <= > >= + - * / mod
    left: Expr
    right: Expr


@dataclass(frozen=True, slots=True)
class Call:
    function: str
    args: tuple[Expr, ...]


Expr = Union[Number, Text, Boolean, Null, Name, Current, ChoiceField, Unary, Binary, Call]  # noqa: UP007

KEYWORDS = {"and", "or", "not", "mod", "true", "false", "null"}
COMPARISONS = ("=", "!=", "<", "<=", ">", ">=")
# Binding strength: or 1, and 2, not 3, comparisons 4, + - 5, * / mod 6, unary - 7, calls and atoms 8.
LEVEL = {"or": 1, "and": 2, **dict.fromkeys(COMPARISONS, 4), "+": 5, "-": 5, "*": 6, "/": 6, "mod": 6}
MAX_DEPTH = 64

_TOKEN = re.compile(r"""
    (?P<space>[ \t\r\n]+)
  | (?P<number>[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)
  | (?P<string>["'])
  | (?P<op><=|>=|!=|[=<>+\-*/(),.])
""", re.VERBOSE)
_NAME = re.compile(r"[a-z_][a-z0-9_]*")


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # number, string, word, op, end
    text: str
    position: int
    value: object = None


def _read_string(text: str, start: int) -> tuple[str, int]:
    """The text literal opening at `start`; `\\` escapes the quote and itself, and is kept before anything else."""
    quote, out, i = text[start], [], start + 1
    while i < len(text):
        char = text[i]
        if char == quote:
            return "".join(out), i + 1
        if char == "\\" and i + 1 < len(text) and text[i + 1] in (quote, "\\"):
            out.append(text[i + 1])
            i += 2
        else:
            out.append(char)
            i += 1
    raise ExpressionError(f"the text opened by {quote} is never closed", start)


def _tokens(text: str) -> list[_Token]:
    found, i = [], 0
    while i < len(text):
        match = _TOKEN.match(text, i)
        if not match:
            raise ExpressionError(f"unexpected character {text[i]!r}", i)
        kind = match.lastgroup or ""
        if kind == "string":
            value, end = _read_string(text, i)
            found.append(_Token("string", text[i:end], i, value))
            i = end
            continue
        if kind == "number":
            number = float(match.group())
            if not math.isfinite(number):
                raise ExpressionError("this number is too large", i)
            found.append(_Token("number", match.group(), i, number))
        elif kind == "word":
            found.append(_word(match.group(), i))
        elif kind == "op":
            found.append(_Token("op", match.group(), i))
        i = match.end()
    found.append(_Token("end", "", len(text)))
    return found


def _word(word: str, position: int) -> _Token:
    if word.lower() != word:
        raise ExpressionError(f"`{word}`: names and keywords are written in lower case (`{word.lower()}`)", position)
    if "." in word:
        head, _, attribute = word.partition(".")
        if head != "choice" or "." in attribute:
            raise ExpressionError(f"`{word}`: only `choice.<attribute>` is written with a dot", position)
        if attribute in KEYWORDS:
            raise ExpressionError(f"`{word}`: `{attribute}` is a keyword", position)
        return _Token("choice", word, position, attribute)
    return _Token("keyword" if word in KEYWORDS else "word", word, position, word)


class _Parser:
    def __init__(self, text: str):
        self.tokens, self.index, self.nesting = _tokens(text), 0, 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def take(self, *texts: str) -> _Token | None:
        token = self.token
        if token.kind in ("op", "keyword") and token.text in texts:
            self.index += 1
            return token
        return None

    def expect(self, text: str, what: str) -> None:
        if not self.take(text):
            raise ExpressionError(f"expected {what}, found {self.describe()}", self.token.position)

    def describe(self) -> str:
        return "the end of the expression" if self.token.kind == "end" else f"`{self.token.text}`"

    def nested(self, parse):  # noqa: ANN001, ANN201 - one guard for every recursive descent
        self.nesting += 1
        if self.nesting > MAX_DEPTH:
            raise ExpressionError("the expression is nested too deeply", self.token.position)
        try:
            return parse()
        finally:
            self.nesting -= 1

    def expression(self) -> Expr:
        return self.nested(self.disjunction)

    def disjunction(self) -> Expr:
        tree = self.conjunction()
        while self.take("or"):
            tree = Binary("or", tree, self.conjunction())
        return tree

    def conjunction(self) -> Expr:
        tree = self.negation()
        while self.take("and"):
            tree = Binary("and", tree, self.negation())
        return tree

    def negation(self) -> Expr:
        if self.take("not"):
            return Unary("not", self.nested(self.negation))
        return self.comparison()

    def comparison(self) -> Expr:
        tree = self.sum()
        token = self.take(*COMPARISONS)
        if token:
            tree = Binary(token.text, tree, self.sum())
            if self.token.text in COMPARISONS and self.token.kind == "op":
                raise ExpressionError("comparisons do not chain: write `a < b and b < c`", self.token.position)
        return tree

    def sum(self) -> Expr:
        tree = self.product()
        while token := self.take("+", "-"):
            tree = Binary(token.text, tree, self.product())
        return tree

    def product(self) -> Expr:
        tree = self.unary()
        while token := self.take("*", "/", "mod"):
            tree = Binary(token.text, tree, self.unary())
        return tree

    def unary(self) -> Expr:
        if self.take("-"):
            return Unary("-", self.nested(self.unary))
        return self.primary()

    def primary(self) -> Expr:
        token = self.token
        self.index += 1
        if token.kind == "number":
            return Number(token.value)  # type: ignore[arg-type]
        if token.kind == "string":
            return Text(token.value)  # type: ignore[arg-type]
        if token.kind == "choice":
            return ChoiceField(token.value)  # type: ignore[arg-type]
        if token.kind == "keyword" and token.text in ("true", "false", "null"):
            return {"true": Boolean(True), "false": Boolean(False), "null": Null()}[token.text]
        if token.kind == "op" and token.text == ".":
            return Current()
        if token.kind == "op" and token.text == "(":
            tree = self.expression()
            self.expect(")", "`)` to close the `(`")
            return tree
        if token.kind == "word":
            if not _NAME.fullmatch(token.text):
                raise ExpressionError(f"`{token.text}` is not a name: names start with a letter or `_`", token.position)
            if self.take("("):
                return Call(token.text, self.arguments())
            return Name(token.text)
        self.index -= 1
        raise ExpressionError(f"expected a value, found {self.describe()}", token.position)

    def arguments(self) -> tuple[Expr, ...]:
        if self.take(")"):
            return ()
        args = [self.expression()]
        while self.take(","):
            args.append(self.expression())
        self.expect(")", "`,` or `)` in the list of arguments")
        return tuple(args)


def parse(text: str) -> Expr:
    """Read an expression; raise ExpressionError, located to a column, when it is not well formed."""
    parser = _Parser(text)
    if parser.token.kind == "end":
        raise ExpressionError("the expression is empty", 0)
    tree = parser.expression()
    if parser.token.kind != "end":
        raise ExpressionError(f"unexpected {parser.describe()} after a complete expression", parser.token.position)
    if depth(tree) > MAX_DEPTH * 2:
        raise ExpressionError("the expression is too long: split it into calculations", 0)
    return tree


def children(tree: Expr) -> tuple[Expr, ...]:
    if isinstance(tree, Unary):
        return (tree.operand,)
    if isinstance(tree, Binary):
        return (tree.left, tree.right)
    if isinstance(tree, Call):
        return tree.args
    return ()


def depth(tree: Expr) -> int:
    """The tree's height, walked without recursion (left-leaning chains like a + b + c… get long)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack += [(child, level + 1) for child in children(node)]
    return deepest


def names(tree: Expr) -> frozenset[str]:
    """The question (or calculation) names the expression reads; `.` and `choice.*` are not names."""
    found, stack = set(), [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Name):
            found.add(node.name)
        stack += children(node)
    return frozenset(found)


def _quote(value: str) -> str:
    quote = '"' if "'" in value and '"' not in value else "'"
    out = []
    for i, char in enumerate(value):
        following = value[i + 1: i + 2]
        if char == quote or (char == "\\" and following in ("", "\\", quote)):
            out.append("\\")
        out.append(char)
    return quote + "".join(out) + quote


def _level(tree: Expr) -> int:
    if isinstance(tree, Binary):
        return LEVEL[tree.op]
    if isinstance(tree, Unary):
        return 3 if tree.op == "not" else 7
    return 8


def to_text(tree: Expr) -> str:
    """The canonical text of a tree, with no more parentheses than needed: parse(to_text(t)) == t."""
    if isinstance(tree, Number):
        return format_number(tree.value)
    if isinstance(tree, Text):
        return _quote(tree.value)
    if isinstance(tree, Boolean):
        return "true" if tree.value else "false"
    if isinstance(tree, Null):
        return "null"
    if isinstance(tree, Name):
        return tree.name
    if isinstance(tree, Current):
        return "."
    if isinstance(tree, ChoiceField):
        return f"choice.{tree.attribute}"
    if isinstance(tree, Call):
        return f"{tree.function}({', '.join(to_text(arg) for arg in tree.args)})"
    if isinstance(tree, Unary):
        inner = _wrap(tree.operand, _level(tree))
        return f"not {inner}" if tree.op == "not" else f"-{inner}"
    level = LEVEL[tree.op]
    left_min, right_min = (level + 1, level + 1) if level == 4 else (level, level + 1)
    return f"{_wrap(tree.left, left_min)} {tree.op} {_wrap(tree.right, right_min)}"


def _wrap(tree: Expr, minimum: int) -> str:
    text = to_text(tree)
    return f"({text})" if _level(tree) < minimum else text


def to_json(tree: Expr) -> object:
    """The compact tree the browser evaluates: literals as JSON scalars, everything else as ["op", …] lists."""
    if isinstance(tree, (Number, Text, Boolean)):
        return tree.value
    if isinstance(tree, Null):
        return None
    if isinstance(tree, Name):
        return ["name", tree.name]
    if isinstance(tree, Current):
        return ["current"]
    if isinstance(tree, ChoiceField):
        return ["choice", tree.attribute]
    if isinstance(tree, Unary):
        return ["neg" if tree.op == "-" else "not", to_json(tree.operand)]
    if isinstance(tree, Binary):
        return [tree.op, to_json(tree.left), to_json(tree.right)]
    if tree.function == "regex" and len(tree.args) == 2:
        # The server vets the pattern; the browser gets a ready RegExp source, or null when it is not portable.
        pattern = tree.args[1]
        usable = isinstance(pattern, Text) and compiled(pattern.value) is not None
        return ["regex", to_json(tree.args[0]), javascript_source(pattern.value) if usable else None]  # type: ignore[union-attr]
    return ["call", tree.function, *(to_json(arg) for arg in tree.args)]
