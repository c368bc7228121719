"""Answering a questionnaire the way a browser does: helpers shared by web tests and the browser test."""

from __future__ import annotations

from typing import Any

from survey.schema import Page


def form_values(value: Any) -> list[str]:
    """A typed answer as the strings a browser would post for it."""
    if value is None:
        return []
    if isinstance(value, bool):
        return ["1" if value else "0"]
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def page_form(page: Page, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The fields a browser posts for one page."""
    return [(q.name, v) for q in page.questions for v in form_values(answers.get(q.name))]
