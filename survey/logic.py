"""The questionnaire's logic, decided on the server: what is asked, required, offered and computed.  PURE.

`resolve` walks the pages in order with the answers given so far. A page or question whose `relevant` is
false is not asked: its answer counts as null for the expressions after it, and it is stored as
`{"special": "not_asked"}`. A `calculate` question takes its value when the walk reaches it, so it sees the
calculations above it. `survey/static/form.js` runs the same walk in the browser.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from survey.codecs import OTHER, codec, special, special_kind
from survey.expressions import Expr, Value, evaluate, parse, truthy
from survey.schema.model import Choice, Question, Questionnaire
from survey.schema.types import SPECIAL_ANSWERS

__all__ = ["OTHER", "special", "special_kind"]  # re-exported: where the logic's callers have always found them


@lru_cache(maxsize=8192)
def compiled(source: str) -> Expr:
    """An expression's tree, parsed once (the loader has already checked it parses)."""
    return parse(source)


def expression_value(question: Question, answer: Any) -> Any:
    """What an expression sees of an answer: special answers are null, a repeat group its count."""
    if special_kind(answer) is not None:
        return None
    return codec(question).expression_value(question, answer)


def holds(source: str | None, env: Mapping[str, Any], today: str, *, current: Any = None,
          choice: Mapping[str, str] | None = None, default: bool = True) -> bool:
    """Whether an optional expression is true (`default` when there is none)."""
    if source is None:
        return default
    return truthy(evaluate(compiled(source), env, current=current, choice=choice, today=today))


@dataclass(frozen=True)
class Resolution:
    """What the logic decided for one set of answers."""

    env: dict[str, Value]  # the values expressions see, calculations included
    shown_pages: tuple[int, ...]
    hidden: frozenset[str]  # top-level questions not asked
    calculations: dict[str, Value]
    today: str


_RECENT = threading.local()  # per thread: the last few resolutions, see `resolve`
_RECENT_SIZE = 4


def resolve(questionnaire: Questionnaire, answers: Mapping[str, Any], today: str | None = None) -> Resolution:
    """Walk the pages in order: which pages and questions are asked, and the calculated values.

    One request asks the same question several times (reading the posted page, choosing the next page, the
    last check, what is stored), so the last few answers are remembered per thread: the walk is a pure
    function of the questionnaire, the answers and the day. Answers are compared by a snapshot of their
    `repr` (taken now, so an answer set changed in place later is a different key); a Resolution is frozen and
    its dicts are only read by its callers.
    """
    today = today or dt.date.today().isoformat()
    key = (today, repr(sorted(answers.items())))
    recent: list[tuple[Questionnaire, tuple[str, str], Resolution]] = _RECENT.__dict__.setdefault("entries", [])
    for known, known_key, resolution in recent:
        if known is questionnaire and known_key == key:
            return resolution
    resolution = _walk(questionnaire, answers, today)
    recent.insert(0, (questionnaire, key, resolution))
    del recent[_RECENT_SIZE:]
    return resolution


def _walk(questionnaire: Questionnaire, answers: Mapping[str, Any], today: str) -> Resolution:
    env: dict[str, Any] = {q.name: expression_value(q, answers.get(q.name)) for q in questionnaire.questions()}
    hidden: set[str] = set()
    shown_pages: list[int] = []
    calculations: dict[str, Value] = {}
    for index, page in enumerate(questionnaire.pages):
        page_shown = holds(page.relevant, env, today)
        if page_shown:
            shown_pages.append(index)
        for question in page.questions:
            if not page_shown or not holds(question.relevant, env, today):
                hidden.add(question.name)
                env[question.name] = None
            elif codec(question).computed:
                env[question.name] = calculations[question.name] = evaluate(
                    compiled(question.calculation), env, today=today)  # type: ignore[arg-type]
    return Resolution(env, tuple(shown_pages), frozenset(hidden), calculations, today)


def instance_env(repeat: Question, instance: Mapping[str, Any], env: Mapping[str, Any], today: str
                 ) -> tuple[dict[str, Any], frozenset[str]]:
    """The values inside one instance of a repeat group (outer answers included) and its questions not asked."""
    inner = {**env, **{q.name: expression_value(q, instance.get(q.name)) for q in repeat.questions}}
    hidden = set()
    for question in repeat.questions:
        if not holds(question.relevant, inner, today):
            hidden.add(question.name)
            inner[question.name] = None
        elif codec(question).computed:
            inner[question.name] = evaluate(compiled(question.calculation), inner, today=today)  # type: ignore[arg-type]
    return inner, frozenset(hidden)


def is_required(question: Question, env: Mapping[str, Any], today: str) -> bool:
    return question.required or holds(question.required_if, env, today, default=False)


def offered(question: Question, env: Mapping[str, Any], today: str) -> list[Choice]:
    """The options shown now: each choice's `relevant` and the question's `choice_filter` applied."""
    return [c for c in question.options()
            if holds(c.relevant, env, today)
            and holds(question.choice_filter, env, today, choice={"code": c.code, **c.data})]


def constraint_holds(question: Question, answer: Any, env: Mapping[str, Any], today: str) -> bool:
    """The constraint (`.` = this answer) is true, or there is none; a special answer is not constrained."""
    if question.constraint is None or special_kind(answer) is not None:
        return True
    return holds(question.constraint, env, today, current=expression_value(question, answer))


def repeat_bounds(question: Question, env: Mapping[str, Any], today: str) -> tuple[int, int | None]:
    """(fewest, most) instances of a repeat group; `repeat_count` fixes both."""
    if question.repeat_count is not None:
        count = evaluate(compiled(question.repeat_count), env, today=today)
        fixed = int(count) if isinstance(count, float) and 0 <= count <= 1000 else 0
        return fixed, fixed
    low = int(question.min) if isinstance(question.min, int | float) else 0
    high = int(question.max) if isinstance(question.max, int | float) else None
    return low, high


def ordered_options(question: Question, options: list[Choice], seed: str) -> list[Choice]:
    """Options in display order: shuffled per respondent when `randomize` is set (same order on every visit)."""
    if not question.randomize:
        return options
    shuffled = list(options)
    random.Random(f"{seed}:{question.name}").shuffle(shuffled)  # noqa: S311 - presentation order, not security
    return shuffled


PIPED_NAME = re.compile(r"\$\{([a-z][a-z0-9_]*)\}")


def display_value(questionnaire: Questionnaire, name: str, value: Any) -> str:
    """A value as a person reads it: labels for codes, `12` not `12.0`."""
    if value is None:
        return "…"
    try:
        question = questionnaire.question(name)
    except KeyError:
        return str(value)
    labels = {c.code: c.label for c in question.options()}
    if isinstance(value, list):
        return ", ".join(str(labels.get(v, v)) for v in value)
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, int | float) and float(value).is_integer():
        whole = str(int(value))
        return str(labels.get(whole, whole))  # a Likert or NPS point: its label
    return str(labels.get(value, value)) if isinstance(value, str) else str(value)


@dataclass(frozen=True)
class Assessment:
    """The logic's verdict on a whole answer set; `survey/static/form.js` computes the same in the browser."""

    resolution: Resolution
    required: frozenset[str]  # asked questions that need an answer
    offered: dict[str, list[str]]  # choice questions → codes offered now
    issues: dict[str, str]  # question → issue code, for the rules both sides check


def _given(answer: Any) -> bool:
    return answer is not None and answer != "" and answer != [] and answer != {}


def range_issue(question: Question, answer: Any) -> str | None:
    """`too_small`, `too_late`, `too_long`, `too_many_choices`, `too_few_ranked`… when a typed answer is out of
    its bounds."""
    return codec(question).range_issue(question, answer)


def _option_issue(question: Question, answer: Any, codes: list[str], answers: Mapping[str, Any]) -> str | None:
    allowed = set(codes) | ({OTHER} if question.other else set())
    picked = codec(question).picked(answer)
    if any(code not in allowed for code in picked):
        return "unknown_option"
    if OTHER in picked and question.other and not str(answers.get(f"{question.name}__other") or "").strip():
        return "specify_other"
    return None


def assess(questionnaire: Questionnaire, answers: Mapping[str, Any], today: str | None = None,
           only: frozenset[str] | set[str] | None = None) -> Assessment:
    """Which questions are asked and required, which options are offered, and which answers break a rule.

    `only` limits the rules checked to some questions (one page's); what is asked is always decided on the whole.
    Covers the rules that depend on the logic — relevance, required / required_if, offered options (choice
    filters), constraints, ranges, `other` — for typed answers. Type errors (text in a number field…) are
    `survey.validation`'s, before this runs.
    """
    resolution = resolve(questionnaire, answers, today)
    env, today = resolution.env, resolution.today
    required: set[str] = set()
    offered_codes: dict[str, list[str]] = {}
    issues: dict[str, str] = {}
    for question in questionnaire.questions():
        kind = codec(question)
        if question.name in resolution.hidden or not kind.answered:
            continue
        if only is not None and question.name not in only:  # a page's rules only: the walk is still whole
            continue
        answer = answers.get(question.name)
        needed = is_required(question, env, today) or kind.always_required
        if needed:
            required.add(question.name)
        if kind.offers:
            offered_codes[question.name] = [c.code for c in offered(question, env, today)]
        if not _given(answer):
            if needed:
                issues[question.name] = "required"
            continue
        if special_kind(answer) in SPECIAL_ANSWERS:
            if special_kind(answer) not in question.special_answers:
                issues[question.name] = "unknown_option"
            continue
        if kind.refused(answer):
            issues[question.name] = "required"
            continue
        issue = range_issue(question, answer)
        if issue is None and question.name in offered_codes:
            issue = _option_issue(question, answer, offered_codes[question.name], answers)
        if issue is None and not constraint_holds(question, answer, env, today):
            issue = "constraint"
        if issue:
            issues[question.name] = issue
    return Assessment(resolution, frozenset(required), offered_codes, issues)
