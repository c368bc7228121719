"""Hypothesis strategies shared by the tests: questionnaires, and answer sets that fit them or break them.

`questionnaires()` draws small valid questionnaires (one to three pages of one to six questions) of any
question types, with optional logic (relevance, required-if, constraints, choice filters, calculations built
from the names of earlier questions) and optional translations. `valid_answers` and `broken_answers` take
questionnaires drawn with `logic=False`: they know each type's answer shape, not what the logic decides.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from hypothesis import assume
from hypothesis import strategies as st

from survey.expressions.evaluate import FUNCTIONS
from survey.expressions.syntax import KEYWORDS
from survey.schema import QUESTION_TYPES, Choice, Mission, Page, Question, Questionnaire
from survey.schema.types import SPECIAL_ANSWERS, Shape

TYPES = list(QUESTION_TYPES)
INNER_TYPES = [t for t in TYPES if t != "repeat"]  # no repeat group inside a repeat group
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
ABSENT = object()  # an answer left out of the dict altogether
_ANSWER = object()  # an answer given
OTHER = "other"
MAX_PAGES, MAX_PER_PAGE, MAX_INNER = 3, 6, 3

# Strings YAML likes to turn into something else, or to choke on.
YAML_HOSTILE = [
    "yes", "no", "on", "off", "y", "n", "true", "False", "1", "0", "1.0", "1_000", "0x1F", "0o7", ".inf", "-.5",
    "null", "~", "- x", "-", ": ", "a: b", "#", "# pas un commentaire", "'", '"', "''", "\\", " espace devant",
    "espace derrière ", "2024-01-01", "12:30", "[x]", "{x: y}", "&ancre", "*alias", "!tag", "%", "@", "`", "|", ">",
    "ligne\nsuivante", "tab\tulation", "Préfère ne pas répondre", "élu·e", "😀", "---", "...", "<b>gras</b>",
    "Vous avez voté pour ${nb_projets} projets", "${",
]
CODE_HOSTILE = ["yes", "no", "on", "off", "true", "null", "1", "0", "01", "1.0", "1_000", "0x1F", "1e5", ".inf",
                "-", ".", "-1", "2024-01-01", "NaN", "18_29", "75_plus"]
NAME_HOSTILE = ["yes", "no", "on", "off", "y", "n", "true", "null", "nan", "inf", "if", "min", "today"]
RESERVED_CODES = {OTHER, *SPECIAL_ANSWERS}
UNREFERABLE = set(KEYWORDS) | set(FUNCTIONS)  # names an expression cannot (or should not) refer to
DATA_KEYS = ["commune", "zone", "public"]

_free_text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=20)
# What a respondent may type: no control characters, no lone surrogates, no U+FFFD (README "Question types").
typed_characters = st.characters(exclude_categories=("Cs", "Cc"), exclude_characters="\ufffd")
labels = st.one_of(st.sampled_from(YAML_HOSTILE), _free_text)
optional_text = st.one_of(st.just(""), labels)
codes = st.one_of(st.sampled_from(CODE_HOSTILE),
                  st.from_regex(r"[A-Za-z0-9_.-]{1,12}", fullmatch=True)).filter(lambda c: c not in RESERVED_CODES)
names = st.one_of(
    st.sampled_from(NAME_HOSTILE), st.from_regex(r"[a-z][a-z0-9]{0,8}(_[a-z0-9]{1,5}){0,3}", fullmatch=True)
)
slugs = st.one_of(
    st.sampled_from(["1", "2024-01-01", "no", "null"]), st.from_regex(r"[a-z0-9][a-z0-9-]{0,15}", fullmatch=True)
)
dates = st.dates(FIRST_DAY, LAST_DAY)
Languages = tuple[str, ...]  # the default language first


def texts(langs: Languages, base: st.SearchStrategy[str] = labels) -> st.SearchStrategy[str | dict[str, str]]:
    """A text: a plain string, or (when translated) one per language, the translation sometimes missing."""
    if len(langs) == 1:
        return base
    return st.one_of(base, st.fixed_dictionaries({langs[0]: base, langs[1]: base}),
                     st.fixed_dictionaries({langs[0]: base}))


def optional_texts(langs: Languages) -> st.SearchStrategy[str | dict[str, str]]:
    return st.one_of(st.just(""), texts(langs))


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
def _choices(draw: st.DrawFn, langs: Languages, earlier: Sequence[Question] = (), logic: bool = False
             ) -> list[Choice]:
    unique = draw(st.lists(codes, min_size=2, max_size=6, unique=True))
    key = draw(st.sampled_from(DATA_KEYS))
    choices = []
    for code in unique:
        fields: dict[str, Any] = {"code": code, "label": draw(texts(langs))}
        if draw(st.booleans()):
            fields["data"] = {key: draw(codes)}
        if logic and draw(st.integers(0, 4)) == 0:
            fields["relevant"] = draw(_condition(earlier))
        choices.append(Choice(**fields))
    return choices


# --- logic: expressions built from earlier questions ----------------------------------------


def _referable(earlier: Sequence[Question]) -> list[Question]:
    return [q for q in earlier if q.name not in UNREFERABLE]


def _conditions_on(question: Question) -> list[str]:
    """Simple true-or-false expressions about one earlier question's answer."""
    name, shape = question.name, question.kind.shape
    first = sorted(question.codes)[0] if question.codes else None
    if question.kind.numeric:
        point = max(question.codes, key=int) if question.codes else "3"  # a likert or nps: a point it has
        return [f"{name} >= 1", f"{name} < 10", f"{name} != {point}"]
    if shape is Shape.CODE:
        return [f"{name} = '{first}'", f"selected({name}, '{first}')", f"{name} != '{first}'"]
    if shape is Shape.CODES:
        return [f"selected({name}, '{first}')", f"count_selected({name}) >= 1", f"not selected({name}, '{first}')"]
    if shape is Shape.BOOLEAN:
        return [name, f"not {name}", f"{name} = true"]
    if shape is Shape.TEXT:
        return [f"length({name}) > 3", f"not empty({name})", f"contains({name}, '@')"]
    if shape is Shape.DATE:
        return [f"{name} >= '2020-01-01'", f"days_between({name}, today()) <= 30"]
    if shape is Shape.TIME:
        return [f"{name} < '12:00'"]
    if shape is Shape.REPEAT:
        return [f"{name} >= 1"]
    if shape is Shape.COMPUTED:
        return [f"{name} != null"]
    return []


@st.composite
def _condition(draw: st.DrawFn, earlier: Sequence[Question]) -> str:
    """A valid condition on earlier answers (`true` when there is nothing earlier to test)."""
    pool = [c for q in _referable(earlier) for c in _conditions_on(q)]
    if not pool:
        return draw(st.sampled_from(["true", "today() >= '2020-01-01'", "1 = 1"]))
    first = draw(st.sampled_from(pool))
    if draw(st.integers(0, 3)) == 0:
        return f"{first} {draw(st.sampled_from(['and', 'or']))} {draw(st.sampled_from(pool))}"
    return first


def _constraints_for(question: Question) -> list[str]:
    """Constraints (`.` = the answer) that fit the question's type."""
    shape, low = question.kind.shape, sorted(question.codes)[0] if question.codes else ""
    if question.kind.numeric:
        return [". <= 10", ". >= 0", "16 <= . and . <= 120", ". mod 2 = 0"]
    if question.type == "email":
        return ["contains(., '@')", "regex(., '[a-z.]+@example[.]fr')"]
    if question.type == "phone":
        return ["regex(., '0[1-9][0-9]{8}')"]
    if shape is Shape.TEXT:
        return ["length(.) <= 200", "not contains(., 'http')"]
    if shape is Shape.CODES:
        return ["count_selected(.) <= 3"]
    if shape is Shape.CODE:
        return [f". != '{low}'"]
    if shape is Shape.DATE:
        return [". <= today()", ". >= '2000-01-01'"]
    if shape is Shape.TIME:
        return [". >= '06:00'"]
    if shape is Shape.BOOLEAN:
        return ["."]
    return []


@st.composite
def _calculation(draw: st.DrawFn, earlier: Sequence[Question]) -> str:
    """A calculation from earlier numeric answers; a constant or today's date when there are none."""
    numbers = [q.name for q in _referable(earlier) if q.kind.numeric]
    if not numbers:
        return draw(st.sampled_from(["1 + 1", "today()", "concat('a', 'b')", "round(10 / 3, 1)"]))
    a, b = draw(st.sampled_from(numbers)), draw(st.sampled_from(numbers))
    return draw(st.sampled_from([f"{a} + {b}", f"{a} * 2", f"round({a} / 3, 1)", f"if({a} >= 18, 'adulte', 'mineur')",
                                 f"coalesce({a}, 0)", f"max({a}, {b})"]))


# --- questions and questionnaires ------------------------------------------------------------


@st.composite
def question_of(draw: st.DrawFn, type_name: str, name: str, langs: Languages = ("fr",),
                earlier: Sequence[Question] = (), logic: bool = False, inner_names: Sequence[str] = ()
                ) -> Question:
    """One valid question of the given type; its logic (if any) refers only to `earlier` questions.

    A repeat group holds one question per name in `inner_names` (of any type but repeat).
    """
    kind = QUESTION_TYPES[type_name]
    fields: dict[str, Any] = {"name": name, "type": type_name, "label": draw(texts(langs)),
                              "required": draw(st.booleans())}
    if type_name == "calculate":
        fields.pop("label")
        if draw(st.booleans()):
            fields["label"] = draw(texts(langs))
        fields["calculation"] = draw(_calculation(earlier))
    if draw(st.booleans()):
        fields["help"] = draw(texts(langs))
    if kind.needs_choices:
        fields["choices"] = draw(_choices(langs, earlier, logic))
    if "other" in kind.options:
        fields["other"] = draw(st.booleans())
    if "randomize" in kind.options:
        fields["randomize"] = draw(st.booleans())
    if "special_answers" in kind.options and draw(st.booleans()):
        fields["special_answers"] = draw(st.lists(st.sampled_from(SPECIAL_ANSWERS), min_size=1, unique=True))
    if type_name == "multiple_choice":
        # at least one tick allowed, so a required question can be answered
        fields.update(draw(_bounds(st.integers(1, len(fields["choices"])))))
    elif type_name == "ranking":
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
        fields["scale"] = draw(st.lists(texts(langs), min_size=2, max_size=11))
    elif type_name == "matrix":
        items = draw(st.lists(names, min_size=1, max_size=4, unique=True))
        fields["items"] = [{"name": item, "label": draw(texts(langs))} for item in items]
        if draw(st.booleans()):
            fields["scale"] = draw(st.lists(texts(langs), min_size=2, max_size=7))
        else:
            fields["choices"] = draw(_choices(langs))
    elif type_name == "repeat":
        fields.update(draw(_bounds(st.integers(0, 3))))
        if fields.get("max") == 0:
            fields["required"] = False  # a required group that allows no instance could not be answered
        inner: list[Question] = []
        for inner_name in inner_names:
            inner_type = draw(st.sampled_from(INNER_TYPES))
            inner.append(draw(question_of(inner_type, inner_name, langs, [*earlier, *inner], logic)))
        fields["questions"] = inner
        numbers = [q.name for q in _referable(earlier) if q.type == "integer"]
        if logic and numbers and draw(st.integers(0, 3)) == 0:
            fields["repeat_count"] = draw(st.sampled_from(numbers))
    if "unit" in kind.options and draw(st.booleans()):
        fields["unit"] = draw(texts(langs, st.sampled_from(["€", "heures", "km", "%", "personnes"]) | labels))
    if logic:
        fields.update(draw(_logic_fields(Question(**fields), earlier, langs)))
    return Question(**fields)


@st.composite
def _logic_fields(draw: st.DrawFn, question: Question, earlier: Sequence[Question], langs: Languages
                  ) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if draw(st.integers(0, 2)) == 0:
        fields["relevant"] = draw(_condition(earlier))
    if not question.required and draw(st.integers(0, 3)) == 0:
        fields["required_if"] = draw(_condition(earlier))
    constraints = _constraints_for(question) if "constraint" in question.kind.options else []
    if constraints and draw(st.integers(0, 2)) == 0:
        fields["constraint"] = draw(st.sampled_from(constraints))
        if draw(st.booleans()):
            fields["constraint_message"] = draw(texts(langs))
    attributes = sorted({key for c in question.choices for key in c.data})
    if "choice_filter" in question.kind.options and draw(st.integers(0, 2)) == 0:
        key = draw(st.sampled_from(attributes or ["code"]))
        codes_earlier = [q.name for q in _referable(earlier) if q.kind.shape is Shape.CODE]
        compared = draw(st.sampled_from([f"'{key}'", *codes_earlier]))
        fields["choice_filter"] = f"choice.{key} = {compared} or choice.{key} = null"
    return fields


@st.composite
def _page_sizes(draw: st.DrawFn) -> list[int]:
    return draw(st.lists(st.integers(1, MAX_PER_PAGE), min_size=1, max_size=MAX_PAGES))


@st.composite
def questionnaires(draw: st.DrawFn, logic: bool = True, include: str | None = None) -> Questionnaire:
    """A small valid questionnaire: one to three pages of one to six questions, of any types.

    `include` makes sure a question of that type is among them; `logic=False` leaves out relevance, required-if,
    constraints, choice filters and `repeat_count` (calculations stay: a `calculate` question needs one).
    """
    default = draw(st.sampled_from(["fr", "en"]))
    langs: Languages = (default, "en" if default == "fr" else "fr") if draw(st.booleans()) else (default,)
    sizes = draw(_page_sizes())
    count = sum(sizes)
    kinds = list(draw(st.permutations(TYPES)))
    if include is not None:
        kinds.remove(include)
        kinds.insert(draw(st.integers(0, count - 1)), include)
    kinds = kinds[:count]
    inner_counts = [draw(st.integers(1, MAX_INNER)) if kind == "repeat" else 0 for kind in kinds]
    unique_names = draw(st.lists(names, min_size=count + sum(inner_counts), max_size=count + sum(inner_counts),
                                 unique=True))
    pool = iter(unique_names)
    questions: list[Question] = []
    for kind, inner in zip(kinds, inner_counts, strict=True):
        name, inner_names = next(pool), [next(pool) for _ in range(inner)]
        questions.append(draw(question_of(kind, name, langs, questions, logic, inner_names)))
    pages, start = [], 0
    page_ids = draw(st.lists(slugs, min_size=len(sizes), max_size=len(sizes), unique=True))
    for pid, size in zip(page_ids, sizes, strict=True):
        fields: dict[str, Any] = {"id": pid, "title": draw(optional_texts(langs)),
                                  "questions": questions[start:start + size]}
        if logic and start and draw(st.integers(0, 2)) == 0:
            fields["relevant"] = draw(_condition(questions[:start]))
        pages.append(Page(**fields))
        start += size
    mission = None
    if draw(st.booleans()):
        mission = Mission(id=draw(slugs), name=draw(labels), client=draw(optional_text),
                          start=draw(st.none() | dates), end=draw(st.none() | dates))
    return Questionnaire(
        id=draw(slugs),
        version=draw(st.sampled_from(["1", "1.10", "2026.1", "v2", "yes"]) | labels.filter(lambda s: len(s) <= 32)),
        title=draw(texts(langs)),
        language=default,
        languages=list(langs[1:]),
        mission=mission,
        introduction=draw(optional_texts(langs)),
        privacy_notice=draw(texts(langs)),
        pages=pages,
    )


# --- answers -------------------------------------------------------------------------------------


def _times() -> st.SearchStrategy[str]:
    return st.times().map(lambda t: f"{t.hour:02d}:{t.minute:02d}")


def answer_to(question: Question) -> st.SearchStrategy[Any]:
    """A non-empty ordinary answer `validate_answers` accepts, typed as in `survey.validation`.

    Not for notes and calculations (nothing to answer) nor repeat groups (see `_instances`).
    """
    shape, kind = question.kind.shape, question.type
    low, high = question.min, question.max
    options = sorted(question.codes)
    if kind in ("likert", "nps"):
        return st.sampled_from(options).map(int)
    if kind == "consent":
        return st.just(True)
    if shape is Shape.CODE:
        return st.sampled_from(options)
    if kind == "ranking":
        fewest, most = max(1, int(low or 0)), int(high or len(options))
        return st.permutations(options).flatmap(lambda order: st.integers(fewest, most).map(
            lambda n: list(order[:n])))
    if shape is Shape.CODES:
        return st.lists(st.sampled_from(options), min_size=max(1, int(low or 0)),
                        max_size=int(high or len(options)), unique=True)
    if shape is Shape.MATRIX:
        items = [item.name for item in question.items]
        return st.lists(st.sampled_from(items), min_size=1, unique=True).flatmap(
            lambda rows: st.fixed_dictionaries({row: st.sampled_from(options) for row in rows}))
    if kind == "email":
        return st.from_regex(r"[a-z0-9][a-z0-9._-]{0,10}@example\.(fr|org)", fullmatch=True)
    if kind == "phone":
        return st.from_regex(r"0[1-9][0-9]{8}", fullmatch=True)
    if shape is Shape.TEXT:
        # stripped and not blank, as the web keeps typed text
        return st.text(typed_characters, min_size=1, max_size=question.max_length or 80).map(str.strip).filter(bool)
    if shape is Shape.INTEGER:
        return st.integers(-10**9 if low is None else low, 10**9 if high is None else high)
    if shape is Shape.DECIMAL:
        return st.floats(-1e9 if low is None else low, 1e9 if high is None else high, allow_nan=False)
    if shape is Shape.DATE:
        return st.dates(low or dt.date.min, high or dt.date.max).map(dt.date.isoformat)
    if shape is Shape.TIME:
        return _times()
    return st.booleans()


def _repeat_range(question: Question) -> tuple[int, int]:
    low = max(int(question.min or 0), 1 if question.required else 0)
    high = int(question.max) if question.max is not None else low + 2
    return low, max(low, high)


@st.composite
def _answer(draw: st.DrawFn, question: Question, into: dict[str, Any]) -> None:
    """Put a valid answer to one question (or none, when allowed) into `into`, “Other” text included."""
    kind = question.kind
    if not kind.answerable:
        return
    if kind.shape is Shape.REPEAT:
        low, high = _repeat_range(question)
        into[question.name] = draw(st.integers(low, high).flatmap(
            lambda n: st.lists(_instance(question), min_size=n, max_size=n)))
        return
    if question.special_answers and draw(st.integers(0, 4)) == 0:
        into[question.name] = {"special": draw(st.sampled_from(question.special_answers))}
        return
    if not question.required and question.type != "consent":
        empty = [] if kind.shape is Shape.CODES else {} if kind.shape is Shape.MATRIX else None
        left = draw(st.sampled_from([ABSENT, empty, _ANSWER, _ANSWER]))
        if left is not _ANSWER:
            if left is not ABSENT:
                into[question.name] = left
            return
    answer = draw(answer_to(question))
    if question.other and draw(st.booleans()):
        if kind.shape is Shape.CODES:
            most = int(question.max) if question.max is not None else len(question.choices) + 1
            answer = [*answer[: most - 1], OTHER]
        else:
            answer = OTHER
        into[f"{question.name}__other"] = draw(st.text(typed_characters, min_size=1, max_size=30).filter(str.strip))
    into[question.name] = answer


@st.composite
def _instance(draw: st.DrawFn, repeat: Question) -> dict[str, Any]:
    """One valid instance of a repeat group: answers to its questions."""
    instance: dict[str, Any] = {}
    for sub in repeat.questions:
        draw(_answer(sub, instance))
    return instance


@st.composite
def valid_answers(draw: st.DrawFn, questionnaire: Questionnaire) -> dict[str, Any]:
    """An answer set that passes every rule; optional questions may be left out or empty.

    For questionnaires drawn with `logic=False`: the logic's rules are not taken into account.
    """
    answers: dict[str, Any] = {}
    for question in questionnaire.questions():
        draw(_answer(question, answers))
    return answers


def _mutations(question: Question) -> list[str]:
    """The ways this question's answer can be broken."""
    kinds, shape, name = [], question.kind.shape, question.type
    if not question.kind.answerable:
        return []
    if question.required or name == "consent":
        kinds.append("required")
    if name == "consent":
        kinds.append("refused")
    if shape in (Shape.CODE, Shape.CODES, Shape.MATRIX) or name in ("likert", "nps", "yes_no"):
        kinds.append("unknown_option")
    if shape in (Shape.INTEGER, Shape.DECIMAL, Shape.DATE) and name not in ("likert", "nps"):
        kinds += [k for k, bound in (("below", question.min), ("above", question.max)) if bound is not None]
    if name in ("multiple_choice", "ranking"):
        if question.min is not None and question.min >= 2:
            kinds.append("too_few_choices" if name == "multiple_choice" else "too_few_ranked")
        if question.max is not None and question.max < len(question.choices):
            kinds.append("too_many_choices" if name == "multiple_choice" else "too_many_ranked")
    if shape is Shape.TEXT and question.max_length:
        kinds.append("too_long")
    if name == "email":
        kinds.append("not_email")
    if name == "time":
        kinds.append("not_time")
    if "special_answers" in question.kind.options and set(SPECIAL_ANSWERS) - set(question.special_answers):
        kinds.append("special_not_offered")
    if question.other and (shape is Shape.CODE or (question.min or 0) <= 1):
        kinds.append("other_unspecified")
    if shape is Shape.REPEAT:
        if question.min is not None and question.min >= 1:
            kinds.append("too_few_repeats")
        if question.max is not None:
            kinds.append("too_many_repeats")
    return kinds


@st.composite
def broken_answers(draw: st.DrawFn, questionnaire: Questionnaire) -> tuple[dict[str, Any], str, str]:
    """A valid answer set with one answer broken: (answers, the question's name, the expected issue code)."""
    answers = draw(valid_answers(questionnaire))
    targets = [(q, kind) for q in questionnaire.questions() for kind in _mutations(q)]
    assume(targets)
    question, kind = draw(st.sampled_from(targets))
    name, shape = question.name, question.kind.shape
    options = sorted(question.codes)
    code = kind
    stranger = "~" + (options[0] if options else "")  # `~` is never in a code
    if kind == "required":
        answers.pop(name, None)
        empty = draw(st.sampled_from([ABSENT, None, "", [], {}]))
        if empty is not ABSENT:
            answers[name] = empty
    elif kind == "refused":
        answers[name], code = False, "required"
    elif kind == "unknown_option":
        if question.type in ("likert", "nps"):
            answers[name] = draw(st.sampled_from([-1, len(options) + int(question.type == "likert"), 99]))
        elif shape is Shape.BOOLEAN:
            answers[name] = draw(st.sampled_from(["oui", 1, 0, "true"]))
        elif shape is Shape.MATRIX:
            item = question.items[0].name
            answers[name] = draw(st.sampled_from([{item: stranger}, {"~": options[0]}, [options[0]]]))
        elif shape is Shape.CODES:
            answers[name] = draw(st.sampled_from([[stranger], [options[0], options[0]], stranger]))
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
    elif kind in ("too_few_choices", "too_few_ranked"):
        answers[name] = draw(st.lists(st.sampled_from(options), min_size=1, max_size=question.min - 1, unique=True))
    elif kind in ("too_many_choices", "too_many_ranked"):
        answers[name] = draw(st.permutations(options))[: question.max + 1]
    elif kind == "too_long":
        answers[name] = "x" * (question.max_length + draw(st.integers(1, 5)))
    elif kind == "not_email":
        answers[name] = draw(st.sampled_from(["pas-un-courriel", "a@b", "x @example.fr", "@example.fr"]))
    elif kind == "not_time":
        answers[name] = draw(st.sampled_from(["25:00", "9:05", "14h30", "12:60", "midi"]))
    elif kind == "special_not_offered":
        missing = sorted(set(SPECIAL_ANSWERS) - set(question.special_answers))
        answers[name], code = {"special": draw(st.sampled_from(missing))}, "unknown_option"
    elif kind == "other_unspecified":
        answers[name] = [OTHER] if shape is Shape.CODES else OTHER
        answers.pop(f"{name}__other", None) if draw(st.booleans()) else answers.update({f"{name}__other": " "})
        code = "specify_other"
    elif kind in ("too_few_repeats", "too_many_repeats"):
        count = int(question.min) - 1 if kind == "too_few_repeats" else int(question.max) + 1
        answers[name] = draw(st.lists(_instance(question), min_size=count, max_size=count))
        if count == 0 and question.required:
            code = "required"
    return answers, name, code
