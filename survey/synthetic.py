"""Synthetic valid answers, for demos and benchmarks (`survey seed`).  PURE."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from survey.schema import Question, Questionnaire
from survey.schema.types import Shape

_WORDS = ("projet", "quartier", "jardin", "école", "vélo", "réunion", "budget", "mairie", "parc", "éclairage")


def _bounds(question: Question, low: float, high: float) -> tuple[float, float]:
    return (question.min if question.min is not None else low, question.max if question.max is not None else high)


def synthetic_answer(question: Question, rng: random.Random) -> Any:
    """A plausible valid answer to one question; optional questions are sometimes left empty."""
    if not question.required and rng.random() < 0.1:
        return None
    shape, codes = question.kind.shape, [c.code for c in question.options()]
    if question.type == "likert":
        return rng.randint(1, len(codes))
    if shape is Shape.CODE:
        return rng.choice(codes)
    if shape is Shape.CODES:
        low, high = _bounds(question, 1, len(codes))
        return rng.sample(codes, rng.randint(max(int(low), 1 if question.required else 0), min(int(high), len(codes))))
    if shape is Shape.BOOLEAN:
        return rng.random() < 0.6
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
    text = " ".join(rng.choice(_WORDS) for _ in range(rng.randint(1, 12)))
    return text[: question.max_length] if question.max_length else text


def synthetic_answers(questionnaire: Questionnaire, rng: random.Random) -> dict[str, Any]:
    """A complete valid answer set, without the empty answers (as the web form stores them)."""
    answers = {q.name: synthetic_answer(q, rng) for q in questionnaire.questions()}
    return {name: value for name, value in answers.items() if value not in (None, "", [])}
