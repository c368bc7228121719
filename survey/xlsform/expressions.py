"""XLSForm (XPath) expression text ⇄ our expression language, through our parser's tree.

Import rewrites XPath tokens into our syntax (`${age}` → `age`, `count-selected(` → `count_selected(`, `div` →
`/`, a bare column in a choice filter → `choice.column`), parses the result with `survey.expressions.parse` and
prints it back canonically. Export prints a tree as XPath. What has no counterpart raises `Unsupported`, whose
message says why, so the caller can list it in its report.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from survey.expressions import (
    Binary,
    Boolean,
    Call,
    ChoiceField,
    Current,
    Expr,
    ExpressionError,
    Name,
    Null,
    Number,
    Text,
    Unary,
    format_number,
    parse,
    to_text,
)
from survey.expressions.syntax import LEVEL


class Unsupported(Exception):
    """An expression uses something our language cannot say (or XLSForm cannot, on export)."""


class BadExpression(Exception):
    """An XLSForm expression that is not well formed."""


# XLSForm function → ours. Functions missing from both tables have no counterpart.
FROM_XLSFORM = {
    "selected": "selected", "count-selected": "count_selected", "if": "if", "concat": "concat",
    "string-length": "length", "regex": "regex", "today": "today", "number": "number", "string": "string",
    "int": "int", "round": "round", "min": "min", "max": "max", "coalesce": "coalesce", "contains": "contains",
    # only inside the patterns that `_unemulate` turns back into `year`, `days_between`:
    "format-date": "format_date", "decimal-date-time": "decimal_date_time",
}
TO_XLSFORM = {ours: theirs for theirs, ours in FROM_XLSFORM.items()}

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<ref>\$\{\s*(?P<ref_name>[^}\s]+)\s*\})
  | (?P<string>'[^']*'|"[^"]*")
  | (?P<number>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)
  | (?P<word>[A-Za-z_][A-Za-z0-9_.:-]*)
  | (?P<op>!=|<=|>=|\.\.|[=<>+\-*(),.])
  | (?P<other>.)
""", re.VERBOSE)


def from_xlsform(text: str, rename: Callable[[str], str], *, in_choice_filter: bool = False,
                 literal: Callable[[str], str] = str) -> str:
    """Our canonical text for an XLSForm expression; `rename` maps an XLSForm question name to ours (or to a stand-in
    such as `null`), `literal` a quoted text (a choice name that was given another code)."""
    out: list[str] = []
    tokens = [m for m in _TOKEN.finditer(text) if m.lastgroup != "space"]
    i = 0
    while i < len(tokens):
        match, kind = tokens[i], tokens[i].lastgroup
        value = match.group()
        following = tokens[i + 1].group() if i + 1 < len(tokens) else ""
        if kind == "ref":
            out.append(rename(match.group("ref_name")))
        elif kind == "string":  # '' is XLSForm's "not answered": our null
            out.append(to_text(Text(literal(value[1:-1]))) if len(value) > 2 else "null")
        elif kind == "number":
            out.append(("0" + value if value.startswith(".") else value).removesuffix("."))
        elif kind == "word":
            out.append(_word(value, following, in_choice_filter))
            if value in ("true", "false") and following == "(":
                if i + 2 >= len(tokens) or tokens[i + 2].group() != ")":
                    raise BadExpression(f"`{value}()` takes no argument")
                i += 2
        elif value == "..":
            raise Unsupported("`..` (the parent of a node) has no counterpart")
        elif kind == "other":
            what = {"/": "a path (`/data/…`) or `/` (XPath divides with `div`)", "[": "a predicate `[…]`",
                    "|": "a node-set union `|`", "@": "an attribute `@…`"}.get(value, f"the character {value!r}")
            raise Unsupported(f"{what} has no counterpart")
        else:
            out.append(value)
        i += 1
    source = " ".join(out)
    try:
        tree = parse(source)
    except ExpressionError as exc:
        raise BadExpression(exc.message) from None
    tree = _unemulate(tree)
    leftover = _functions(tree) & {"format_date", "decimal_date_time"}
    if leftover:
        raise Unsupported(f"`{TO_XLSFORM[sorted(leftover)[0]]}()` has no counterpart")
    return to_text(tree)


def _word(word: str, following: str, in_choice_filter: bool) -> str:
    if following == "(":
        if word == "not":
            return "not"
        if word in ("true", "false"):
            return word
        if word in FROM_XLSFORM:
            return FROM_XLSFORM[word]
        raise Unsupported(f"the function `{word}()` has no counterpart")
    if word in ("and", "or", "mod"):
        return word
    if word == "div":
        return "/"
    if in_choice_filter:  # a column of the choices sheet; `name` is the choice's own code
        return "choice." + ("code" if word == "name" else re.sub(r"[^a-z0-9_]", "_", word.lower()))
    raise BadExpression(f"`{word}` is not a reference: write `${{{word}}}` for a question")


def _functions(tree: Expr) -> set[str]:
    found, stack = set(), [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, Call):
            found.add(node.function)
            stack.extend(node.args)
        elif isinstance(node, Unary):
            stack.append(node.operand)
        elif isinstance(node, Binary):
            stack += [node.left, node.right]
    return found


def _unemulate(tree: Expr) -> Expr:
    """Turn the XPath spellings `to_xlsform` gives our `empty`, `year` and `days_between` back into calls."""
    if isinstance(tree, Unary):
        return Unary(tree.op, _unemulate(tree.operand))
    if isinstance(tree, Binary):
        left, right = _unemulate(tree.left), _unemulate(tree.right)
        if (tree.op == "=" and right == Number(0) and isinstance(left, Call) and left.function == "length"
                and isinstance(left.args[0], Call) and left.args[0].function == "string"):
            return Call("empty", left.args[0].args)
        return Binary(tree.op, left, right)
    if isinstance(tree, Call):
        args = tuple(_unemulate(arg) for arg in tree.args)
        inner = args[0] if len(args) == 1 else None
        if tree.function == "int" and isinstance(inner, Call) and inner.function == "format_date" \
                and len(inner.args) == 2 and inner.args[1] == Text("%Y"):
            return Call("year", inner.args[:1])
        if tree.function == "int" and isinstance(inner, Binary) and inner.op == "-" and all(
                isinstance(side, Call) and side.function == "decimal_date_time" and len(side.args) == 1
                for side in (inner.left, inner.right)):
            return Call("days_between", (inner.right.args[0], inner.left.args[0]))  # type: ignore[union-attr]
        return Call(tree.function, args)
    return tree


def to_xlsform(source: str) -> str:
    """The XPath text of one of our expressions (already valid in our language)."""
    return _xpath(parse(source))


def _literal(value: str) -> str:
    if "'" not in value:
        return f"'{value}'"
    if '"' not in value:
        return f'"{value}"'
    parts = [f"'{part}'" for part in value.split("'")]
    return "concat(" + ", \"'\", ".join(parts) + ")"


def _level(tree: Expr) -> int:
    if isinstance(tree, Binary):
        return LEVEL[tree.op]
    if isinstance(tree, Unary) and tree.op == "-":
        return 7
    return 8


def _wrap(tree: Expr, minimum: int) -> str:
    text = _xpath(tree)
    return f"({text})" if _level(tree) < minimum else text


def _xpath(tree: Expr) -> str:  # noqa: PLR0911 - one branch per node kind
    if isinstance(tree, Number):
        text = format_number(tree.value)
        if "e" in text:
            raise Unsupported(f"the number {text} cannot be written without an exponent in XPath")
        return text
    if isinstance(tree, Text):
        return _literal(tree.value)
    if isinstance(tree, Boolean):
        return "true()" if tree.value else "false()"
    if isinstance(tree, Null):
        return "''"  # an unanswered question is the empty string in XLSForm (and '' reads back as null)
    if isinstance(tree, Name):
        return "${" + tree.name + "}"
    if isinstance(tree, Current):
        return "."
    if isinstance(tree, ChoiceField):
        return "name" if tree.attribute == "code" else tree.attribute
    if isinstance(tree, Unary):
        return f"not({_xpath(tree.operand)})" if tree.op == "not" else f"-{_wrap(tree.operand, 7)}"
    if isinstance(tree, Binary):
        level = LEVEL[tree.op]
        left_min, right_min = (level + 1, level + 1) if level == 4 else (level, level + 1)
        op = "div" if tree.op == "/" else tree.op
        return f"{_wrap(tree.left, left_min)} {op} {_wrap(tree.right, right_min)}"
    return _call(tree)


def _call(tree: Call) -> str:
    args = [_xpath(arg) for arg in tree.args]
    if tree.function == "empty":
        return f"(string-length(string({args[0]})) = 0)"
    if tree.function == "year":
        return f"int(format-date({args[0]}, '%Y'))"
    if tree.function == "days_between":
        return f"int(decimal-date-time({args[1]}) - decimal-date-time({args[0]}))"
    name = TO_XLSFORM.get(tree.function)
    if name is None or name in ("format-date", "decimal-date-time"):
        raise Unsupported(f"the function `{tree.function}()` has no XLSForm counterpart")
    return f"{name}({', '.join(args)})"
