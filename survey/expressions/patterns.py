"""regex() patterns: the subset on which RE2 (the server) and the browser's RegExp agree.  PURE.

The server matches with RE2 (google-re2), whose time grows linearly with the text: no pattern, however
written, can make a check take longer than reading the answer (`(a+)+$` on a long answer included). The
browser matches the same pattern with `new RegExp(^(?:…)$, "su")`.

Allowed: literal characters, `.`, classes `[a-z]` `[^0-9]`, `\\d \\D \\w \\W` (ASCII), `\\n \\t \\r \\f \\v`,
escaped punctuation `\\. \\( \\$`…, quantifiers `* + ? {n} {n,} {n,m}` (lazy with `?`, counts up to 1000),
anchors `^ $`, groups `(…)` `(?:…)`, alternation `|`. The whole text must match.
Refused, because one engine lacks them or the two read them differently: lookaheads and lookbehinds (RE2 has
none), backreferences, named groups, inline flags, `\\s \\b \\u… \\Z \\z \\A`, possessive quantifiers, counts above
1000, unescaped `{ } ]` used as plain characters, and control characters typed in the pattern itself.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import re2

_SYNTAX = set("^$\\.*+?()[]{}|/")
_CONTROL = set("ntrfv")
_SETS = set("dDwW")
_REPEAT = re.compile(r"\{([0-9]{1,4})(?:(,)([0-9]{0,4}))?\}")
MAX_COUNT = 1000  # the largest count RE2 accepts in `{n,m}`


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


def _typed_control(pattern: str) -> str | None:
    """A control character or lone surrogate typed in the pattern itself (write `\\n`, `\\t` for the usual ones)."""
    for char in pattern:
        if unicodedata.category(char) in ("Cc", "Cs"):
            return f"the pattern holds the invisible character U+{ord(char):04X}: remove it (write `\\n` or `\\t`)"
    return None


def _repeat_problem(repeat: re.Match[str]) -> str | None:
    """Why a `{n,m}` count is refused: counting down, or beyond what RE2 accepts."""
    low, high = int(repeat.group(1)), int(repeat.group(3)) if repeat.group(3) else None
    if max(low, high or 0) > MAX_COUNT:
        return f"the repetition `{repeat.group(0)}` counts beyond {MAX_COUNT}: use `+` or `*`, or check the length"
    if high is not None and low > high:
        return f"the repetition `{repeat.group(0)}` counts down"
    return None


def _syntax_problem(pattern: str) -> str | None:  # noqa: C901, PLR0911, PLR0912 - one branch per token kind
    """Why `pattern` is outside the subset's syntax, or None."""
    depth = 0
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
                if pattern[i + 2: i + 3] != ":":
                    return ("only the groups (…) and (?:…) are supported (no lookahead or lookbehind, no names, "
                            "no flags): test one condition per regex() and join them with `and`")
                i += 3
            else:
                i += 1
            depth += 1
            can_repeat = False
        elif char == ")":
            if not depth:
                return "a `)` has no `(`: write `\\)` for the character"
            depth, can_repeat, i = depth - 1, True, i + 1
        elif char in "*+?{":
            repeat = _REPEAT.match(pattern, i) if char == "{" else None
            if char == "{" and not repeat:
                return "`{` starts a repetition {n}, {n,} or {n,m}: write `\\{` for the character"
            if not can_repeat:
                return f"`{char}` has nothing to repeat"
            if repeat and (problem := _repeat_problem(repeat)):
                return problem
            i = repeat.end() if repeat else i + 1
            if pattern.startswith("?", i):
                i += 1
            can_repeat = False
        elif char in "]}":
            return f"write `\\{char}` for the character `{char}`"
        else:
            can_repeat, i = char not in "^$|", i + 1
    if depth:
        return "a `(` is never closed with `)`"
    return None


def _options() -> re2.Options:
    """RE2 read like the browser's `su` flags: `.` matches a line break too; errors are ours to report."""
    options = re2.Options()
    options.dot_nl = True
    options.log_errors = False
    return options


def _compile(pattern: str) -> tuple[re2._Regexp | None, str | None]:
    """The RE2 program that fully matches `pattern`, or why there is none."""
    problem = _typed_control(pattern) or _syntax_problem(pattern)
    if problem:
        return None, problem
    try:
        # RE2's `$` is the very end of the text, as in JavaScript without the `m` flag (Python's is not).
        return re2.compile(f"(?:{pattern})", _options()), None
    except re2.error as exc:
        reason = exc.args[0].decode(errors="replace") if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        if "too large" in reason or "repetition" in reason:
            return None, "too large for the server's engine: use fewer or smaller `{n,m}` repetitions"
        return None, f"not valid ({reason})"


@lru_cache(maxsize=256)
def _vetted(pattern: str) -> tuple[re2._Regexp | None, str | None]:
    return _compile(pattern)


def pattern_problem(pattern: str) -> str | None:
    """Why `pattern` is outside the portable subset, or None when RE2 and the browser read it alike."""
    return _vetted(pattern)[1]


def javascript_source(pattern: str) -> str:
    """The source for `new RegExp(source, 'su')` that fully matches like `compiled(pattern)`."""
    return f"^(?:{pattern})$"


def compiled(pattern: str) -> re2._Regexp | None:
    """The compiled full-match pattern (use `fullmatch`), or None when it is outside the subset."""
    return _vetted(pattern)[0]


_SURROGATE = re.compile("[\ud800-\udfff]")


def matches(matcher: re2._Regexp, text: str) -> bool:
    """Whether `text` fully matches, in time linear in its length. A lone surrogate, which UTF-8 cannot hold (and
    answers never keep: they are refused on input), is read as U+FFFD rather than raising."""
    return matcher.fullmatch(_SURROGATE.sub("\ufffd", text)) is not None
