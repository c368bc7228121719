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

from survey.expressions import evaluate
from survey.logic import (
    OTHER,
    compiled,
    constraint_holds,
    expression_value,
    holds,
    is_required,
    offered,
    special,
)
from survey.schema import Question, Questionnaire
from survey.schema.types import Shape
from survey.validation import finalise

_WORDS = ("projet", "quartier", "jardin", "école", "vélo", "réunion", "budget", "mairie", "parc", "éclairage")
_TRIES = 20


def _bounds(question: Question, low: float, high: float) -> tuple[float, float]:
    return (question.min if isinstance(question.min, int | float) else low,
            question.max if isinstance(question.max, int | float) else high)


def synthetic_answer(question: Question, rng: random.Random, codes: list[str] | None = None) -> Any:
    """A plausible answer of the right form; optional questions are sometimes left empty."""
    if not question.required and rng.random() < 0.1:
        return None
    if question.special_answers and rng.random() < 0.05:
        return special(rng.choice(question.special_answers))
    shape = question.kind.shape
    codes = codes if codes is not None else [c.code for c in question.options()]
    if question.kind.numeric and codes:  # likert, nps: a point of the scale
        return int(rng.choice(codes))
    if shape is Shape.CODE:
        return rng.choice(codes) if codes else None
    if shape is Shape.CODES:
        low, high = _bounds(question, 1, len(codes))
        if question.type == "ranking":  # every option offered, or the first `max` of a shuffle: `min` holds too
            return rng.sample(codes, min(int(high), len(codes)))
        fewest = max(int(low), 1 if question.required else 0)
        return rng.sample(codes, rng.randint(min(fewest, len(codes)), min(int(high), len(codes))))
    if shape is Shape.MATRIX:
        return {item.name: rng.choice(codes) for item in question.items}
    if shape is Shape.BOOLEAN:
        return True if question.type == "consent" else rng.random() < 0.6
    if shape is Shape.INTEGER:
        low, high = _bounds(question, 0, 100)
        return rng.randint(int(low), int(high))
    if shape is Shape.DECIMAL:
        low, high = _bounds(question, 0, 100)
        return round(rng.uniform(float(low), float(high)), 2)
    if shape is Shape.DATE:
        low = question.min if isinstance(question.min, dt.date) else dt.date(2024, 1, 1)
        high = question.max if isinstance(question.max, dt.date) else dt.date(2026, 12, 31)
        return (low + dt.timedelta(days=rng.randint(0, (high - low).days))).isoformat()
    if shape is Shape.TIME:
        return f"{rng.randint(8, 20):02d}:{rng.choice((0, 15, 30, 45)):02d}"
    if question.type == "email":
        return f"habitant{rng.randint(1, 9999)}@example.fr"
    if question.type == "phone":
        return f"06{rng.randint(0, 99_999_999):08d}"
    if shape is Shape.TEXT:
        text = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 12)))
        return text[: question.max_length] if question.max_length else text
    return None


def _draw(question: Question, rng: random.Random, env: Mapping[str, Any], today: str,
          codes: list[str] | None) -> Any:
    """A draw that keeps the question's rules: required(-if) and constraint."""
    needed = is_required(question, env, today) or question.type == "consent"
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
            if sub.kind.answerable and sub.relevant is None:
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
            if question.type == "calculate":
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
    if question.type == "repeat":
        return {question.name: _instances(question, rng, env, today)}
    if not question.kind.answerable and question.type != "consent":
        return None
    codes = [c.code for c in offered(question, env, today)] if question.choices else None
    value = _draw(question, rng, env, today, codes)
    if value in (None, [], {}):
        return None
    fields = {question.name: value}
    picked = value if isinstance(value, list) else [value]
    if question.other and rng.random() < 0.1 and question.kind.shape is Shape.CODE:
        fields = {question.name: OTHER, f"{question.name}__other": rng.choice(_WORDS)}
    elif question.other and OTHER in picked:
        fields[f"{question.name}__other"] = rng.choice(_WORDS)
    return fields


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
