"""One language's view of a questionnaire: every text resolved to a plain string.  PURE."""

from __future__ import annotations

from typing import Any

from survey.schema.model import Questionnaire

_TEXT_FIELDS = frozenset({"title", "introduction", "privacy_notice", "label", "help", "constraint_message", "unit"})


def text_in(value: Any, language: str, default: str) -> Any:
    """A text in `language`, else in the default language, else any; plain strings as they are."""
    if isinstance(value, dict):
        return value.get(language) or value.get(default) or next(iter(value.values()), "")
    return value


def localise(questionnaire: Questionnaire, language: str) -> Questionnaire:
    """The same questionnaire with texts in `language` (the default language where a translation is missing)."""
    default = questionnaire.language

    def walk(node: Any, key: str | None = None) -> Any:
        if isinstance(node, dict):
            if key in _TEXT_FIELDS:
                return text_in(node, language, default)
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            if key == "scale":
                return [text_in(item, language, default) for item in node]
            return [walk(item) for item in node]
        return node

    data = walk(questionnaire.model_dump())
    return Questionnaire.model_validate(data)
