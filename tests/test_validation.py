"""Answers: valid sets pass, each broken answer is named with its code, posted text is read the French way."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from respondent import page_form
from strategies import broken_answers, questionnaires, valid_answers

from survey.messages import MESSAGES
from survey.schema import Page, Question, Questionnaire, parse_questionnaire
from survey.validation import AnswerIssue, finalise, read_page, validate_answers

SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.data())
def test_valid_answer_sets_are_accepted(data: st.DataObject) -> None:
    questionnaire = data.draw(questionnaires(logic=False))
    answers = data.draw(valid_answers(questionnaire))
    assert validate_answers(questionnaire, answers) == []


@SETTINGS
@given(st.data())
def test_a_broken_answer_is_named_with_its_code(data: st.DataObject) -> None:
    questionnaire = data.draw(questionnaires(logic=False))
    answers, name, code = data.draw(broken_answers(questionnaire))
    issues = validate_answers(questionnaire, answers)
    assert [(i.question, i.code) for i in issues] == [(name, code)]
    assert code in MESSAGES


def test_an_unknown_question_is_reported() -> None:
    questionnaire = _one_page(Question(name="age", type="integer", label="Âge"))
    assert validate_answers(questionnaire, {"agee": 3}) == [AnswerIssue("agee", "unknown_question")]


# --- read_page: what a browser posts ---------------------------------------------------------


def _page(*questions: Question) -> Page:
    return Page(id="p", questions=list(questions))


def _one_page(*questions: Question) -> Questionnaire:
    return Questionnaire(id="q", version="1", title="T", privacy_notice="P", pages=[_page(*questions)])


HOURS = Question(name="heures", type="decimal", label="Heures", min=0, max=2000)
COUNT = Question(name="nombre", type="integer", label="Nombre", min=0, max=10_000)
AGE = Question(name="age", type="integer", label="Âge", min=0, max=120, required=True)
DISTRICT = Question(name="quartier", type="single_choice", label="Quartier",
                    choices=[{"code": "centre", "label": "Centre"}, {"code": "garenne", "label": "La Garenne"}])
CHANNELS = Question(name="canaux", type="multiple_choice", label="Canaux",
                    choices=[{"code": "affiches", "label": "Affiches"}, {"code": "site_web", "label": "Site web"}])
AGAIN = Question(name="encore", type="yes_no", label="Encore ?")
SEEN = Question(name="vu_le", type="date", label="Vu le", min=dt.date(2024, 1, 1))


@pytest.mark.parametrize(
    ("question", "typed", "value"),
    [
        (HOURS, "3,5", 3.5),
        (HOURS, " 3.5 ", 3.5),
        (HOURS, "1 200,75", 1200.75),
        (COUNT, "1 200", 1200),
        (COUNT, "1\u202f200", 1200),
        (COUNT, "1\xa0200", 1200),
        (COUNT, "12,0", 12),
        (SEEN, "2025-03-14", "2025-03-14"),
        (SEEN, "14/03/2025", "2025-03-14"),
        (AGAIN, "1", True),
        (AGAIN, "0", False),
        (DISTRICT, "garenne", "garenne"),
    ],
)
def test_read_page_reads_french_input(question: Question, typed: str, value: object) -> None:
    answers, issues = read_page(_page(question), {question.name: [typed]})
    assert issues == []
    assert answers[question.name] == value
    assert type(answers[question.name]) is type(value)


@pytest.mark.parametrize(
    ("question", "typed", "code", "kept"),
    [
        (AGE, "douze", "not_number", "douze"),
        (AGE, " 12,5 ", "not_integer", "12,5"),
        (AGE, "130", "too_large", 130),
        (AGE, "-1", "too_small", -1),
        (HOURS, "trois", "not_number", "trois"),
        (HOURS, "inf", "not_number", "inf"),
        (SEEN, "31/02/2025", "not_date", "31/02/2025"),
        (SEEN, "mars 2025", "not_date", "mars 2025"),
        (SEEN, "2023-12-31", "too_early", "2023-12-31"),
        (DISTRICT, "bourg", "unknown_option", "bourg"),
        (AGAIN, "peut-être", "unknown_option", "peut-être"),
    ],
)
def test_read_page_keeps_what_was_typed_on_error(question: Question, typed: str, code: str, kept: object) -> None:
    answers, issues = read_page(_page(question), {question.name: [typed]})
    assert [(i.question, i.code) for i in issues] == [(question.name, code)]
    assert answers[question.name] == kept  # to refill the form with it


def test_read_page_rejects_an_unknown_option_among_ticked_ones() -> None:
    answers, issues = read_page(_page(CHANNELS), {"canaux": ["affiches", "tracts"]})
    assert issues == [AnswerIssue("canaux", "unknown_option")]
    assert answers["canaux"] == ["affiches", "tracts"]


def test_read_page_reports_a_missing_required_answer() -> None:
    answers, issues = read_page(_page(AGE, DISTRICT), {"age": ["  "]})
    assert issues == [AnswerIssue("age", "required")]
    assert answers == {"age": None, "quartier": None}


@SETTINGS
@given(st.data())
def test_posted_valid_answers_read_back_to_the_same_values(data: st.DataObject) -> None:
    questionnaire = data.draw(questionnaires(logic=False))
    answers = data.draw(valid_answers(questionnaire))
    for page in questionnaire.pages:
        posted = [(field, value.replace(".", ",") if _is_decimal(questionnaire, field) else value)
                  for field, value in page_form(page, answers)]  # decimals typed the French way
        form: dict[str, list[str]] = {}
        for field, value in posted:
            form.setdefault(field, []).append(value)
        read, issues = read_page(page, form)
        assert issues == [] or all(i.code == "required" for i in issues)  # only empty optional/required ones
        for question in page.questions:
            if question.name in answers and question.kind.answerable and question.type != "repeat":
                assert read[question.name] == answers[question.name], question.type
            if question.type == "repeat" and question.name in answers:
                given = [{k: v for k, v in instance.items() if v not in (None, [], {})}
                         for instance in answers[question.name]]
                assert read[question.name] == given


# --- fuzzing: read_page reports, it never raises ----------------------------------------------

_forms = st.dictionaries(st.text(max_size=12), st.lists(st.text(max_size=40), max_size=4), max_size=6)


@SETTINGS
@given(st.data())
def test_read_page_never_raises_on_any_form(data: st.DataObject) -> None:
    questionnaire = data.draw(questionnaires(logic=False))
    names = [q.name for q in questionnaire.questions()]
    posted = st.lists(st.one_of(st.text(max_size=30), st.sampled_from(["1 200", "3,5", "-0", "1e309", "nan",
                                                                          "2024-02-30", "\u202f", "0x10", "١٢"])),
                      max_size=3)
    form = data.draw(st.one_of(_forms, st.dictionaries(st.sampled_from(names), posted)))
    for page in questionnaire.pages:
        answers, issues = read_page(page, form)
        asked = {q.name for q in page.questions if q.kind.answerable or q.type in ("consent", "repeat")}
        assert asked <= set(answers)
        assert all(issue.code in MESSAGES for issue in issues)


@settings(max_examples=200, deadline=None)
@given(st.from_type(Mapping[str, Sequence[str]]))
def test_read_page_never_raises_on_typed_fuzz(form: Mapping[str, Sequence[str]]) -> None:
    page = _page(HOURS, COUNT, AGE, DISTRICT, CHANNELS, AGAIN, SEEN,
                 Question(name="avis", type="long_text", label="Avis", max_length=5))
    answers, issues = read_page(page, form)
    assert all(isinstance(issue, AnswerIssue) and issue.code in MESSAGES for issue in issues)


def _is_decimal(questionnaire, field: str) -> bool:  # noqa: ANN001
    try:
        return questionnaire.question(field).type == "decimal"
    except KeyError:
        return False


# --- a ranking's bounds: fewest and most options ranked --------------------------------------------------------

PRIORITIES = textwrap.dedent("""\
    id: priorites
    version: "1"
    title: Priorités
    privacy_notice: Réponses anonymes.
    pages:
      - id: p
        questions:
          - name: priorites
            type: ranking
            label: Classez vos priorités
            required: {required}
            min: 2
            max: 3
            choices:
              - {{code: parcs, label: Parcs}}
              - {{code: velo, label: Vélo}}
              - {{code: ecoles, label: Écoles}}
              - {{code: marches, label: Marchés}}
    """)


def _ranks(*codes: str) -> dict[str, list[str]]:
    """The fields a browser posts for options ranked in this order (1 = first)."""
    return {f"priorites__{code}": [str(rank)] for rank, code in enumerate(codes, start=1)}


@pytest.mark.parametrize(
    ("required", "ranked", "expected"),
    [
        (False, (), []),  # left entirely empty and not required: fine, whatever `min` says
        (True, (), [AnswerIssue("priorites", "required", {"min": 2, "max": 3})]),
        (False, ("velo",), [AnswerIssue("priorites", "too_few_ranked", {"min": 2, "max": 3})]),
        (True, ("velo",), [AnswerIssue("priorites", "too_few_ranked", {"min": 2, "max": 3})]),
        (False, ("velo", "parcs"), []),
        (False, ("velo", "parcs", "ecoles"), []),
        (False, ("velo", "parcs", "ecoles", "marches"), [AnswerIssue("priorites", "too_many_ranked",
                                                                     {"min": 2, "max": 3})]),
    ],
)
def test_a_ranking_takes_between_min_and_max_options_once_anything_is_ranked(
        required: bool, ranked: tuple[str, ...], expected: list[AnswerIssue]) -> None:
    questionnaire = parse_questionnaire(PRIORITIES.format(required=str(required).lower()))  # the loader takes max
    answers, issues = read_page(questionnaire.pages[0], _ranks(*ranked), questionnaire=questionnaire)
    assert issues == expected
    assert answers["priorites"] == list(ranked)
    assert validate_answers(questionnaire, {"priorites": list(ranked)} if ranked else {}) == expected


def test_a_ranking_out_of_bounds_is_explained_in_french_and_english() -> None:
    from survey.messages import translate

    assert translate("too_few_ranked", "fr", min=2, max=3) == "Classez au moins 2 réponses."
    assert translate("too_few_ranked", "en", min=2, max=3) == "Rank at least 2 options."
    assert translate("too_many_ranked", "fr", min=2, max=3) == "Classez au plus 3 réponses."
    assert translate("too_many_ranked", "en", min=2, max=3) == "Rank at most 3 options."


# --- “Other” texts: kept only when “Other” is picked -----------------------------------------------------------

TRANSPORT = Question(name="transport", type="single_choice", label="Transport", other=True,
                     choices=[{"code": "velo", "label": "Vélo"}, {"code": "bus", "label": "Bus"}])
TRIPS = Question(name="trajets", type="repeat", label="Trajets", questions=[TRANSPORT])


@pytest.mark.parametrize(
    ("picked", "kept"),
    [("bus", None), ("other", "Trottinette"), (["bus"], None), (["bus", "other"], "Trottinette")],
)
def test_an_other_text_is_stored_only_when_other_is_picked(picked: object, kept: str | None) -> None:
    """At the top level and inside a repeat group's instances alike."""
    question = TRANSPORT if isinstance(picked, str) else TRANSPORT.model_copy(update={"type": "multiple_choice"})
    repeat = TRIPS.model_copy(update={"questions": [question]})
    top = _one_page(question)
    nested = _one_page(repeat)
    answer = {"transport": picked, "transport__other": "Trottinette"}
    expected = {"transport": picked, **({"transport__other": kept} if kept else {})}
    assert finalise(top, answer) == expected
    assert finalise(nested, {"trajets": [answer, {"transport": "velo"}]}) == {
        "trajets": [expected, {"transport": "velo"}]}
