"""Question types as codecs: a type's behaviour lives in its codec, and its input side reads back what it writes."""

from __future__ import annotations

import random
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from survey.codecs import CODECS, codec
from survey.codecs.parsing import Unreadable
from survey.schema import QUESTION_TYPES, Choice, Question
from survey.schema.types import SPECIAL_ANSWERS
from tests.strategies import OTHER, answer_to, question_of

ROOT = Path(__file__).resolve().parent.parent
# Where a question type may be looked at: the codecs, the schema (the type table and the loader's per-type checks)
# and the XLSForm mapping (a format's names for our types).
TYPE_HOMES = ("survey/codecs/", "survey/schema/", "survey/xlsform/")
# Code that picks behaviour by question type or answer shape, rather than asking the question's codec.
TYPE_BRANCH = re.compile(
    r"""\.type\s*(==|!=)\s*["']"""  # question.type == "ranking"
    r"""|\.type\s+(not\s+)?in\s+[(\[{"']"""  # question.type in ("likert", "nps")
    r"""|\btype\s*(==|!=)\s*["']"""  # type == "consent"
    r"""|\bShape\.[A-Z]+"""  # Shape.CODES
    r"""|\.shape\b"""  # question.kind.shape
    r"""|\.kind\.(numeric|answerable|free_text)\b"""  # the type table's properties, read to pick behaviour
)
# Lines that must keep a type branch outside the codecs, each with its reason. Empty: keep it so.
ALLOWED: dict[str, str] = {}
INNER = ("un", "deux", "trois")


def type_branches(source: str) -> list[tuple[int, str]]:
    """(line number, line) of every type branch in a module's source."""
    return [(number, line.strip()) for number, line in enumerate(source.splitlines(), start=1)
            if TYPE_BRANCH.search(line) and not line.lstrip().startswith("#")]


def test_the_branch_counter_finds_each_kind_of_type_branch() -> None:
    sample = "\n".join([
        'if question.type == "ranking":', 'if q.type in ("likert", "nps"):', "x = type != 'consent'",
        "if shape is Shape.CODES:", "shape = question.kind.shape", "if question.kind.numeric and codes:",
        "if old.type != question.type:", "kind = codec(question)", "# question.type == 'x' in a comment",
    ])
    assert [number for number, _ in type_branches(sample)] == [1, 2, 3, 4, 5, 6]


def test_no_module_outside_the_codecs_branches_on_question_type() -> None:
    found = []
    for path in sorted((ROOT / "survey").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith(TYPE_HOMES):
            continue
        found += [f"{relative}:{number}: {line}" for number, line in type_branches(path.read_text(encoding="utf-8"))
                  if f"{relative}: {line}" not in ALLOWED]
    assert found == []


def test_every_question_type_has_a_codec() -> None:
    assert set(CODECS) == set(QUESTION_TYPES)


# --- the input side: refill then read gives the answer back ---------------------------------------------------


@st.composite
def typed_answers(draw: st.DrawFn, question: Question) -> Any:
    """A typed answer as `read_page` gives it: special, empty-free, “Other” picked now and then, texts stripped."""
    if question.special_answers and draw(st.integers(0, 4)) == 0:
        return {"special": draw(st.sampled_from(question.special_answers))}
    if not codec(question).answered:
        return None
    if codec(question).group:
        return draw(st.lists(_item(question), max_size=3))
    answer = draw(answer_to(question))
    if question.other and draw(st.booleans()):
        answer = [*answer, OTHER] if isinstance(answer, list) else OTHER
    if isinstance(answer, str):
        assume(not (answer.startswith("@") and answer[1:] in SPECIAL_ANSWERS))  # how a special answer is posted
    return answer


@st.composite
def _item(draw: st.DrawFn, repeat: Question) -> dict[str, Any]:
    """One item of a repeat group as posted fields carry it: blanks left out, “Other” texts stripped."""
    item: dict[str, Any] = {}
    for sub in repeat.questions:
        if codec(sub).answered and draw(st.booleans()):
            item[sub.name] = draw(typed_answers(sub))
            if sub.other and item[sub.name] == OTHER:
                item[f"{sub.name}__other"] = draw(st.text(min_size=1, max_size=20).map(str.strip).filter(bool))
    return item


questions = st.sampled_from(sorted(QUESTION_TYPES)).flatmap(lambda t: question_of(t, "q", inner_names=INNER))


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_reading_the_fields_a_typed_answer_refills_gives_the_answer_back(data: st.DataObject) -> None:
    question = data.draw(questions)
    answer = data.draw(typed_answers(question))
    kind = codec(question)
    fields = kind.refill(question, answer)
    assert all(isinstance(v, str) for values in fields.values() for v in values)
    assert kind.read(question, fields) == answer


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_valid_typed_answer_has_its_codecs_form(data: st.DataObject) -> None:
    question = data.draw(questions)
    assume(codec(question).answered and not codec(question).group)
    answer = data.draw(answer_to(question))
    assert codec(question).check(question, answer) is None
    assert codec(question).range_issue(question, answer) is None


@given(questions)
@settings(max_examples=60, deadline=None)
def test_nothing_posted_reads_as_an_empty_answer(question: Question) -> None:
    assert codec(question).refill(question, None) == {}
    assert codec(question).read(question, {}) in (None, [], {})


@given(questions, st.integers(0, 2**32))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_synthetic_answer_has_its_codecs_form(question: Question, seed: int) -> None:
    kind = codec(question)
    assume(kind.answered and not kind.group)
    answer = kind.synthetic(question, random.Random(seed), [c.code for c in question.options()])
    assume(answer not in (None, [], {}))
    assert kind.check(question, answer) is None


# --- examples, with their expected values written out ----------------------------------------------------------


def _question(type_name: str, **fields: Any) -> Question:
    return Question(name="q", type=type_name, label="Q", **fields)


@pytest.mark.parametrize(("type_name", "text", "expected"), [
    ("integer", "1 200", 1200), ("decimal", "3,5", 3.5), ("date", "25/11/2026", "2026-11-25"),
    ("time", "14h", "14:00"), ("phone", "+33 6 12 34 56 78", "0612345678"), ("yes_no", "0", False),
    ("short_text", "  bonjour  ", "bonjour"), ("email", "a@example.fr", "a@example.fr"),
])
def test_each_codec_reads_text_as_people_type_it(type_name: str, text: str, expected: Any) -> None:
    assert codec(_question(type_name)).read(_question(type_name), {"q": [text]}) == expected


@pytest.mark.parametrize(("type_name", "text", "code"), [
    ("integer", "3,5", "not_integer"), ("decimal", "abc", "not_number"), ("date", "31/02/2026", "not_date"),
    ("time", "25:00", "not_time"), ("phone", "12", "not_phone"), ("email", "a@b", "not_email"),
    ("yes_no", "peut-être", "unknown_option"),
])
def test_each_codec_names_what_it_cannot_read(type_name: str, text: str, code: str) -> None:
    with pytest.raises(Unreadable) as caught:
        codec(_question(type_name)).read(_question(type_name), {"q": [text]})
    assert (caught.value.code, caught.value.kept) == (code, text)


def test_a_consent_box_must_be_ticked_and_a_yes_no_need_not_be_yes() -> None:
    consent, yes_no = _question("consent"), _question("yes_no")
    assert (codec(consent).always_required, codec(consent).refused(False), codec(consent).refused(True)) == (
        True, True, False)
    assert (codec(yes_no).always_required, codec(yes_no).refused(False)) == (False, False)


def test_a_ranking_counts_its_min_and_max_in_options_ranked() -> None:
    ranking = _question("ranking", choices=[Choice(code=c, label=c) for c in "abcd"], min=2, max=3)
    assert [codec(ranking).range_issue(ranking, list(order)) for order in ("a", "ab", "abc", "abcd")] == [
        "too_few_ranked", None, None, "too_many_ranked"]


def test_a_repeat_group_refills_each_items_other_text() -> None:
    repeat = Question(name="r", type="repeat", label="R", questions=[
        Question(name="mode", type="single_choice", label="M", other=True,
                 choices=[Choice(code="bus", label="Bus")])])
    items = [{"mode": "other", "mode__other": "trottinette"}, {"mode": "bus"}]
    assert codec(repeat).refill(repeat, items) == {
        "r__count": ["2"], "r__0__mode": ["other"], "r__0__mode__other": ["trottinette"], "r__1__mode": ["bus"]}
    assert codec(repeat).read(repeat, codec(repeat).refill(repeat, items)) == items


def test_an_unreadable_repeat_item_keeps_every_item_and_says_which() -> None:
    repeat = Question(name="r", type="repeat", label="R", questions=[Question(name="age", type="integer", label="A")])
    with pytest.raises(Unreadable) as caught:
        codec(repeat).read(repeat, {"r__count": ["2"], "r__0__age": ["12"], "r__1__age": ["douze"]})
    assert (caught.value.code, caught.value.kept, caught.value.params) == (
        "repeat_instance", [{"age": 12}, {}], {"number": 2, "question": "age", "code": "not_number"})


def test_form_js_has_one_field_reader_per_question_type() -> None:
    script = (ROOT / "survey/static/form.js").read_text(encoding="utf-8")
    table = script[script.index("var READERS = {"):script.index("\n  };", script.index("var READERS = {"))]
    assert sorted(re.findall(r"^    ([a-z_]+):", table, flags=re.MULTILINE)) == sorted(QUESTION_TYPES)
