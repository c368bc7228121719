"""Synthetic valid answers, for demos and benchmarks (`survey seed`).  PURE.

Answers are drawn page by page under the questionnaire's logic: questions not asked are skipped, choices come
from those offered, required-if and constraints are respected (a few draws are tried until one holds).
"""

from __future__ import annotations

import datetime as dt
import random
import secrets
from collections.abc import Mapping
from typing import Any

from survey.codecs import codec
from survey.expressions import evaluate
from survey.logic import (
    compiled,
    constraint_holds,
    expression_value,
    holds,
    is_required,
    offered,
    special,
)
from survey.schema import Question, Questionnaire
from survey.validation import finalise

_TRIES = 20


def synthetic_answer(question: Question, rng: random.Random, codes: list[str] | None = None) -> Any:
    """A plausible answer of the right form; optional questions are sometimes left empty."""
    if not question.required and rng.random() < 0.1:
        return None
    if question.special_answers and rng.random() < 0.05:
        return special(rng.choice(question.special_answers))
    codes = codes if codes is not None else [c.code for c in question.options()]
    return codec(question).synthetic(question, rng, codes)


def _draw(question: Question, rng: random.Random, env: Mapping[str, Any], today: str,
          codes: list[str] | None) -> Any:
    """A draw that keeps the question's rules: required(-if) and constraint."""
    needed = is_required(question, env, today) or codec(question).always_required
    for _ in range(_TRIES):
        value = synthetic_answer(question, rng, codes)
        if value in (None, [], {}) and needed:
            continue
        if value is None or constraint_holds(question, value, env, today):
            return value
    return None


def _instances(question: Question, rng: random.Random, env: Mapping[str, Any], today: str) -> list[dict[str, Any]]:
    low = int(question.min) if isinstance(question.min, int | float) else 0
    high = int(question.max) if isinstance(question.max, int | float) else low + 3
    instances = []
    for _ in range(rng.randint(low, max(low, high))):
        instance = {}
        for sub in question.questions:
            if codec(sub).answered and sub.relevant is None:
                value = _draw(sub, rng, {**env, **instance}, today, None)
                if value is not None:
                    instance[sub.name] = value
        instances.append(instance)
    return instances


def synthetic_answers(questionnaire: Questionnaire, rng: random.Random, today: str | None = None) -> dict[str, Any]:
    """A complete valid answer set, as the web form posts it page by page (before `finalise`).

    The logic is walked once, page by page, as `resolve` walks it: each question's relevance, options and rules
    see the answers drawn above it and the calculations reached so far. (Resolving the whole questionnaire again
    for each question made seeding quadratic in its length: 1M responses took an hour.)
    """
    today = today or dt.date.today().isoformat()
    answers: dict[str, Any] = {}
    env: dict[str, Any] = {q.name: expression_value(q, None) for q in questionnaire.questions()}
    for page in questionnaire.pages:
        page_shown = holds(page.relevant, env, today)
        for question in page.questions:
            if not page_shown or not holds(question.relevant, env, today):
                env[question.name] = None  # not asked: null for the expressions below, as in `resolve`
                continue
            if codec(question).computed:
                env[question.name] = evaluate(compiled(question.calculation), env, today=today)  # type: ignore[arg-type]
                continue
            value = _answer(question, rng, env, today)
            if value is not None:
                answers.update(value)
                env[question.name] = expression_value(question, value[question.name])
    return answers


def _answer(question: Question, rng: random.Random, env: Mapping[str, Any], today: str) -> dict[str, Any] | None:
    """The posted fields of one asked question (its answer and any "Other" text), or None when left empty."""
    if question.repeat_count is not None:
        return None
    kind = codec(question)
    if kind.group:
        return {question.name: _instances(question, rng, env, today)}
    if not kind.answered:
        return None
    codes = [c.code for c in offered(question, env, today)] if question.choices else None
    value = _draw(question, rng, env, today, codes)
    if value in (None, [], {}):
        return None
    return kind.synthetic_fields(question, value, rng)


def synthetic_responses(questionnaire: Questionnaire, count: int, seed: int, now: dt.datetime,
                        today: str | None = None) -> list[tuple[str, dict[str, Any], dt.datetime]]:
    """`count` responses as `Store.store_many` takes them: a one-time key, the stored (finalised) answers, and a
    submission time in the 30 days before `now`.

    The same `seed` gives the same answers and times; the keys are random, so seeding twice adds responses.
    """
    rng = random.Random(seed)
    today = today or dt.date.today().isoformat()
    responses = []
    for _ in range(count):
        at = now - dt.timedelta(minutes=rng.randint(0, 60 * 24 * 30))
        answers = finalise(questionnaire, synthetic_answers(questionnaire, rng, today), today)
        responses.append((secrets.token_urlsafe(18), answers, at))
    return responses
