"""Answering a questionnaire the way a browser does: helpers shared by web tests and the browser test."""

from __future__ import annotations

from typing import Any

from survey.form_input import form_values
from survey.schema import Page


def page_form(page: Page, answers: dict[str, Any]) -> list[tuple[str, str]]:
    """The fields a browser posts for one page, for typed answers (repeat groups and `other` texts included)."""
    fields: list[tuple[str, str]] = []
    for question in page.questions:
        for field, values in form_values(question, answers.get(question.name)).items():
            if question.type != "repeat":
                fields += [(field, v) for v in values]
        if question.other and answers.get(f"{question.name}__other"):
            fields.append((f"{question.name}__other", answers[f"{question.name}__other"]))
        if question.type == "repeat":
            instances = answers.get(question.name) or []
            fields.append((f"{question.name}__count", str(len(instances))))
            for i, instance in enumerate(instances):
                for sub in question.questions:
                    for field, values in form_values(sub, instance.get(sub.name)).items():
                        fields += [(f"{question.name}__{i}__{field}", v) for v in values]
                    if sub.other and instance.get(f"{sub.name}__other"):
                        fields.append((f"{question.name}__{i}__{sub.name}__other", instance[f"{sub.name}__other"]))
    return fields
