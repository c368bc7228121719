"""Hypothesis strategies shared by the tests: questionnaires, and answer sets that fit them or break them."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import strategies as st

from survey.schema import QUESTION_TYPES, Choice, Mission, Page, Question, Questionnaire
from survey.schema.types import Shape

TYPES = list(QUESTION_TYPES)
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
ABSENT = object()  # an answer left out of the dict altogether

# Strings YAML likes to turn into something else, or to choke on.
YAML_HOSTILE = [
    "yes", "no", "on", "off", "y", "n", "true", "False", "1", "0", "1.0", "1_000", "0x1F", "0o7", ".inf", "-.5",
    "null", "~", "- x", "-", ": ", "a: b", "#", "# pas un commentaire", "'", '"', "''", "\\", " espace devant",
    "espace derrière ", "2024-01-01", "12:30", "[x]", "{x: y}", "&ancre", "*alias", "!tag", "%", "@", "`", "|", ">",
    "ligne\nsuivante", "tab\tulation", "Préfère ne pas répondre", "élu·e", "😀", "---", "...", "<b>gras</b>",
]
CODE_HOSTILE = ["yes", "no", "on", "off", "true", "null", "1", "0", "01", "1.0", "1_000", "0x1F", "1e5", ".inf",
                "-", ".", "-1", "2024-01-01", "NaN", "18_29", "75_plus"]
NAME_HOSTILE = ["yes", "no", "on", "off", "y", "n", "true", "null", "nan", "inf"]

_free_text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20)
labels = st.one_of(st.sampled_from(YAML_HOSTILE), _free_text)
optional_text = st.one_of(st.just(""), labels)
codes = st.one_of(st.sampled_from(CODE_HOSTILE), st.from_regex(r"[A-Za-z0-9_.-]{1,12}", fullmatch=True))
names = st.one_of(
    st.sampled_from(NAME_HOSTILE), st.from_regex(r"[a-z][a-z0-9]{0,8}(_[a-z0-9]{1,5}){0,3}", fullmatch=True)
)
slugs = st.one_of(
    st.sampled_from(["1", "2024-01-01", "no", "null"]), st.from_regex(r"[a-z0-9][a-z0-9-]{0,15}", fullmatch=True)
)
dates = st.dates(FIRST_DAY, LAST_DAY)


@st.composite
def _bounds(draw: st.DrawFn, values: st.SearchStrategy[Any]) -> dict[str, Any]:
    """Optional `min` and `max` with min <= max."""
    low, high = sorted([draw(values), draw(values)])
    out = {}
    if draw(st.booleans()):
        out["min"] = low
    if draw(st.booleans()):
        out["max"] = high
    return out


@st.composite
def _choices(draw: st.DrawFn) -> list[Choice]:
    unique = draw(st.lists(codes, min_size=2, max_size=6, unique=True))
    return [Choice(code=code, label=draw(labels)) for code in unique]


@st.composite
def question_of(draw: st.DrawFn, type_name: str, name: str) -> Question:
    """One valid question of the given type."""
    fields: dict[str, Any] = {"name": name, "type": type_name, "label": draw(labels), "required": draw(st.booleans())}
    if draw(st.booleans()):
        fields["help"] = draw(labels)
    if type_name in ("single_choice", "multiple_choice"):
        fields["choices"] = draw(_choices())
    if type_name == "multiple_choice":
        # at least one tick allowed, so a required question can be answered
        fields.update(draw(_bounds(st.integers(1, len(fields["choices"])))))
    elif type_name in ("short_text", "long_text") and draw(st.booleans()):
        fields["max_length"] = draw(st.integers(1, 200))
    elif type_name == "integer":
        fields.update(draw(_bounds(st.integers(-10_000, 10_000))))
    elif type_name == "decimal":
        number = st.one_of(st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False), st.integers(-1000, 1000))
        fields.update(draw(_bounds(number)))
    elif type_name == "date":
        fields.update(draw(_bounds(dates)))
    elif type_name == "likert":
        fields["scale"] = draw(st.lists(labels, min_size=2, max_size=11))
    return Question(**fields)


@st.composite
def questionnaires(draw: st.DrawFn, max_extra: int = 3) -> Questionnaire:
    """A valid questionnaire with at least one question of every type, on one to four pages."""
    kinds = draw(st.permutations(TYPES + draw(st.lists(st.sampled_from(TYPES), max_size=max_extra))))
    unique_names = draw(st.lists(names, min_size=len(kinds), max_size=len(kinds), unique=True))
    questions = [draw(question_of(kind, name)) for kind, name in zip(kinds, unique_names, strict=True)]
    cuts = sorted(draw(st.sets(st.integers(1, len(questions) - 1), max_size=3)))
    groups = [questions[a:b] for a, b in zip([0, *cuts], [*cuts, len(questions)], strict=True)]
    page_ids = draw(st.lists(slugs, min_size=len(groups), max_size=len(groups), unique=True))
    pages = [Page(id=pid, title=draw(optional_text), questions=group)
             for pid, group in zip(page_ids, groups, strict=True)]
    mission = None
    if draw(st.booleans()):
        mission = Mission(id=draw(slugs), name=draw(labels), client=draw(optional_text),
                          start=draw(st.none() | dates), end=draw(st.none() | dates))
    return Questionnaire(
        id=draw(slugs),
        version=draw(st.sampled_from(["1", "1.10", "2026.1", "v2", "yes"]) | labels.filter(lambda s: len(s) <= 32)),
        title=draw(labels),
        language=draw(st.sampled_from(["fr", "en"])),
        mission=mission,
        introduction=draw(optional_text),
        privacy_notice=draw(labels),
        pages=pages,
    )


def answer_to(question: Question) -> st.SearchStrategy[Any]:
    """A non-empty answer `validate_answers` accepts for this question, typed as in `survey.validation`."""
    shape = question.kind.shape
    low, high = question.min, question.max
    if question.type == "likert":
        return st.integers(1, len(question.scale))
    if shape is Shape.CODE:
        return st.sampled_from([c.code for c in question.choices])
    if shape is Shape.CODES:
        options = [c.code for c in question.choices]
        return st.lists(st.sampled_from(options), min_size=max(1, int(low or 0)), max_size=int(high or len(options)),
                        unique=True)
    if shape is Shape.TEXT:
        return st.text(min_size=1, max_size=question.max_length or 80)
    if shape is Shape.INTEGER:
        return st.integers(-10**9 if low is None else low, 10**9 if high is None else high)
    if shape is Shape.DECIMAL:
        return st.floats(-1e9 if low is None else low, 1e9 if high is None else high, allow_nan=False)
    if shape is Shape.DATE:
        return st.dates(low or dt.date.min, high or dt.date.max).map(dt.date.isoformat)
    return st.booleans()


@st.composite
def valid_answers(draw: st.DrawFn, questionnaire: Questionnaire) -> dict[str, Any]:
    """An answer set that passes every rule; optional questions may be left out or `None`."""
    answers: dict[str, Any] = {}
    for question in questionnaire.questions():
        empty = [] if question.kind.shape is Shape.CODES else None
        choice = draw(answer_to(question) if question.required else st.one_of(
            st.just(ABSENT), st.just(empty), answer_to(question)))
        if choice is not ABSENT:
            answers[question.name] = choice
    return answers


def _mutations(question: Question) -> list[str]:
    """The ways this question's answer can be broken."""
    kinds = []
    if question.required:
        kinds.append("required")
    if question.kind.shape in (Shape.CODE, Shape.CODES, Shape.BOOLEAN) or question.type == "likert":
        kinds.append("unknown_option")
    if question.kind.shape in (Shape.INTEGER, Shape.DECIMAL, Shape.DATE) and question.type != "likert":
        kinds += [k for k, bound in (("below", question.min), ("above", question.max)) if bound is not None]
    if question.type == "multiple_choice":
        if question.min is not None and question.min >= 2:
            kinds.append("too_few_choices")
        if question.max is not None and question.max < len(question.choices):
            kinds.append("too_many_choices")
    if question.kind.shape is Shape.TEXT and question.max_length:
        kinds.append("too_long")
    return kinds


@st.composite
def broken_answers(draw: st.DrawFn, questionnaire: Questionnaire) -> tuple[dict[str, Any], str, str]:
    """A valid answer set with one answer broken: (answers, the question's name, the expected issue code)."""
    answers = draw(valid_answers(questionnaire))
    targets = [(q, kind) for q in questionnaire.questions() for kind in _mutations(q)]
    question, kind = draw(st.sampled_from(targets))
    name, shape = question.name, question.kind.shape
    options = [c.code for c in question.options()]
    code = kind
    if kind == "required":
        answers.pop(name, None)
        empty = draw(st.sampled_from([ABSENT, None, "", []]))
        if empty is not ABSENT:
            answers[name] = empty
    elif kind == "unknown_option":
        stranger = "~" + (options[0] if options else "")  # `~` is never in a code
        if question.type == "likert":
            answers[name] = draw(st.sampled_from([0, len(options) + 1, -1, str(options[0]), True]))
        elif shape is Shape.BOOLEAN:
            answers[name] = draw(st.sampled_from(["oui", 1, 0, "true"]))
        elif shape is Shape.CODES:
            answers[name] = [stranger]
        else:
            answers[name] = draw(st.sampled_from([stranger, ["~"], 3]))
    elif kind in ("below", "above"):
        bound = question.min if kind == "below" else question.max
        if shape is Shape.DATE:
            step = dt.timedelta(days=draw(st.integers(1, 400)))
            answers[name] = (bound - step if kind == "below" else bound + step).isoformat()
            code = "too_early" if kind == "below" else "too_late"
        else:
            step = draw(st.integers(1, 1000))
            answers[name] = bound - step if kind == "below" else bound + step
            code = "too_small" if kind == "below" else "too_large"
    elif kind == "too_few_choices":
        answers[name] = draw(st.lists(st.sampled_from(options), min_size=1, max_size=question.min - 1, unique=True))
    elif kind == "too_many_choices":
        answers[name] = draw(st.permutations(options))[: question.max + 1]
    elif kind == "too_long":
        answers[name] = "x" * (question.max_length + draw(st.integers(1, 5)))
    return answers, name, code
