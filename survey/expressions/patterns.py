"""regex() patterns: the subset on which Python's `re` and the browser's RegExp agree.  PURE.

Allowed: literal characters, `.`, classes `[a-z]` `[^0-9]`, `\\d \\D \\w \\W` (ASCII), `\\n \\t \\r \\f \\v`,
escaped punctuation `\\. \\( \\$`…, quantifiers `* + ? {n} {n,} {n,m}` (lazy with `?`), anchors `^ $`,
groups `(…)` `(?:…)`, lookaheads `(?=…)` `(?!…)`, alternation `|`. The whole text must match.
Refused, because the engines disagree on them: lookbehind, backreferences, named groups, inline flags,
`\\s \\b \\u…`, possessive quantifiers, and unescaped `{ } ]` used as plain characters.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache

_SYNTAX = set("^$\\.*+?()[]{}|/")
_CONTROL = set("ntrfv")
_SETS = set("dDwW")
_REPEAT = re.compile(r"\{([0-9]{1,4})(?:(,)([0-9]{0,4}))?\}")


def _class_end(pattern: str, start: int) -> tuple[int, str | None]:
    """Index after the class opened at `start`, or the problem with it."""
    i = start + 1
    if pattern.startswith("^", i):
        i += 1
    if pattern.startswith("]", i):
        return i, "a class cannot be empty or start with `]`: write `\\]` for the character"
    # atoms: "c" a single character, "s" a set like \d, "-" a dash, "r" a completed range
    atoms: list[str] = []
    while i < len(pattern) and pattern[i] != "]":
        char = pattern[i]
        if char == "\\":
            escaped = pattern[i + 1: i + 2]
            if not escaped or not (escaped in _SYNTAX or escaped in _CONTROL or escaped in _SETS or escaped == "-"):
                return i, f"`\\{escaped}` is not allowed in a class"
            atoms.append("s" if escaped in _SETS else "c")
            i += 2
        elif char == "[":
            return i, "write `\\[` for a `[` inside a class"
        else:
            atoms.append("-" if char == "-" else "c")
            i += 1
        if len(atoms) >= 3 and atoms[-2] == "-" and atoms[-3] in "cs" and atoms[-1] != "-":
            if "s" in (atoms[-3], atoms[-1]):
                return i, "a range cannot start or end with \\d or \\w"
            atoms[-3:] = ["r"]
    if i >= len(pattern):
        return i, "a class `[` is never closed with `]`"
    if any(atoms[k] == "-" and atoms[k - 1] in "r-" for k in range(1, len(atoms) - 1)):
        return i, "write `\\-` for a `-` after a range"
    return i + 1, None


def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` is outside the portable subset, or None when both engines read it alike."""
    groups: list[bool] = []  # True for a lookahead
    can_repeat, i = False, 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escaped = pattern[i + 1: i + 2]
            if escaped.isdigit():
                return "backreferences such as `\\1` are not supported"
            if not escaped or not (escaped in _SYNTAX or escaped in _CONTROL or escaped in _SETS):
                return f"`\\{escaped}` is not supported (use a class such as `[ ]` or type the character)"
            can_repeat, i = True, i + 2
        elif char == "[":
            i, problem = _class_end(pattern, i)
            if problem:
                return problem
            can_repeat = True
        elif char == "(":
            if pattern.startswith("(?", i):
                if pattern[i + 2: i + 3] not in (":", "=", "!"):
                    return "only the groups (…), (?:…), (?=…) and (?!…) are supported (no lookbehind, no names)"
                groups.append(pattern[i + 2] != ":")
                i += 3
            else:
                groups.append(False)
                i += 1
            can_repeat = False
        elif char == ")":
            if not groups:
                return "a `)` has no `(`: write `\\)` for the character"
            can_repeat, i = not groups.pop(), i + 1
        elif char in "*+?{":
            repeat = _REPEAT.match(pattern, i) if char == "{" else None
            if char == "{" and not repeat:
                return "`{` starts a repetition {n}, {n,} or {n,m}: write `\\{` for the character"
            if not can_repeat:
                return f"`{char}` has nothing to repeat"
            if repeat and repeat.group(2) and repeat.group(3) and int(repeat.group(1)) > int(repeat.group(3)):
                return f"the repetition `{repeat.group(0)}` counts down"
            i = repeat.end() if repeat else i + 1
            if pattern.startswith("?", i):
                i += 1
            can_repeat = False
        elif char in "]}":
            return f"write `\\{char}` for the character `{char}`"
        else:
            can_repeat, i = char not in "^$|", i + 1
    if groups:
        return "a `(` is never closed with `)`"
    return None


def _python_source(pattern: str) -> str:
    """`$` outside classes → `\\Z`: Python's `$` also matches before a final newline, JavaScript's does not."""
    out, i, in_class = [], 0, False
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            out.append(pattern[i: i + 2])
            i += 2
            continue
        if char == "[" and not in_class:
            in_class = True
            if pattern.startswith("^", i + 1):
                out.append("[^")
                i += 2
                continue
        elif char == "]" and in_class:
            in_class = False
        out.append("\\Z" if char == "$" and not in_class else char)
        i += 1
    return "".join(out)


def javascript_source(pattern: str) -> str:
    """The source for `new RegExp(source, 'su')` that fully matches like `compiled(pattern)`."""
    return f"^(?:{pattern})$"


@lru_cache(maxsize=256)
def compiled(pattern: str) -> re.Pattern[str] | None:
    """The compiled full-match pattern, or None when it is outside the subset."""
    if pattern_problem(pattern):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "possible nested set" warnings: we read `&&` `--` literally, as JS does
            return re.compile(f"(?:{_python_source(pattern)})", re.ASCII | re.DOTALL)
    except (re.error, OverflowError, RecursionError):
        return None
