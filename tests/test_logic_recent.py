"""`logic.resolve` remembers its last few walks per thread: what it returns must always be a fresh walk's answer."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey import logic
from survey.schema import Questionnaire
from tests.strategies import questionnaires, valid_answers


def _fresh(questionnaire: Questionnaire, answers: dict[str, Any], today: str) -> logic.Resolution:
    return logic._walk(questionnaire, copy.deepcopy(answers), today)


@st.composite
def _sequences(draw: st.DrawFn) -> tuple[Questionnaire, list[dict[str, Any]]]:
    questionnaire = draw(questionnaires())
    return questionnaire, draw(st.lists(valid_answers(questionnaire), min_size=1, max_size=6))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_sequences(), st.sampled_from(["2026-01-15", "2026-11-29"]))
def test_a_remembered_resolution_is_the_fresh_walk(case: tuple[Questionnaire, list[dict[str, Any]]],
                                                   today: str) -> None:
    questionnaire, answer_sets = case
    for answers in [*answer_sets, *reversed(answer_sets)]:  # the second pass is answered from memory
        assert logic.resolve(questionnaire, answers, today) == _fresh(questionnaire, answers, today)


def test_answers_changed_in_place_are_walked_again() -> None:
    questionnaire = Questionnaire.model_validate({
        "id": "memo", "version": "1", "title": "Memo", "privacy_notice": "…", "pages": [
            {"id": "p1", "questions": [{"name": "age", "type": "integer", "label": "Âge"}]},
            {"id": "p2", "relevant": "age >= 18",
             "questions": [{"name": "vote", "type": "short_text", "label": "Vote"}]},
        ]})
    answers: dict[str, Any] = {"age": 12}
    assert logic.resolve(questionnaire, answers, "2026-11-29").shown_pages == (0,)
    answers["age"] = 30  # the same dict, changed: not the remembered answer set
    assert logic.resolve(questionnaire, answers, "2026-11-29").shown_pages == (0, 1)
    assert logic.resolve(questionnaire, {"age": 12}, "2026-11-30").today == "2026-11-30"  # another day, walked again
