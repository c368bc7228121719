"""Collecting located problems while checking a questionnaire document.  PURE."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from survey.errors import ErrorCode, Problem

Path_ = tuple[str | int, ...]


class Collector:
    """Gathers problems, locating each from its path in the document (line and question name)."""

    # The lists whose items are questions, and the key that names an item of each.
    QUESTION_LISTS: Mapping[str, str] = {"questions": "name"}

    def __init__(self, filename: str, data: Any, lines: Mapping[Path_, int]):
        self.filename, self.data, self.lines = filename, data, lines
        self.problems: list[Problem] = []
        self.unread_choice_files: set[Path_] = set()  # questions whose `choices_from` could not be read

    def line(self, path: Path_) -> int:
        """The line of `path`, or of the nearest part holding it whose line is known (1 when none is)."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)

    def where(self, path: Path_) -> str:
        """`on line N` for a part of a file; `earlier in the form` when the document came with no lines (an
        import, whose problems are then located by their path)."""
        return f"on line {self.line(path)}" if self.lines else "earlier in the form"

    def question_name(self, path: Path_) -> str | None:
        """The name of the innermost question `path` points into, if any."""
        node, found = self.data, None
        for depth, step in enumerate(path):
            try:
                node = node[step]
            except (KeyError, IndexError, TypeError):
                break
            key = self.QUESTION_LISTS.get(path[depth - 1]) if depth >= 1 else None
            if key is not None and isinstance(node, dict):
                name = node.get(key)
                found = str(name) if name is not None else f"#{int(step) + 1}"
        return found

    def add(self, path: Path_, code: ErrorCode, **params: Any) -> None:
        what, fix = code.format(**params)
        self.problems.append(Problem(self.filename, self.line(path), self.question_name(path), what, fix, code.name,
                                     path))


def suggest(word: str, candidates: list[str] | tuple[str, ...] | set[str]) -> str:
    """` (did you mean `x`?)` when a close candidate exists."""
    close = difflib.get_close_matches(word, sorted(candidates), n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""
