"""Summaries for the staff page and the PDF: counts that add up, figures that match, no free text."""

from __future__ import annotations

import ast
import datetime as dt
import statistics
from collections import Counter
from pathlib import Path

import pytest
from factories import CHANNELS, record, record_lists, sample_questionnaire
from hypothesis import given, settings

from survey.aggregate import format_date, format_number, histogram, summarise

QUESTIONNAIRE = sample_questionnaire()


def by_name(summary):
    return {q.name: q for q in summary.questions()}


@settings(max_examples=80, deadline=None)
@given(record_lists)
def test_counts_equal_naive_counts(records):
    summary = summarise(QUESTIONNAIRE, records, small_cells=1)
    questions = by_name(summary)
    n = len(records)
    assert summary.response_count == n

    def answers(name):
        return [r.answers.get(name) for r in records]

    for name, code_of in [("quartier", str), ("satisfaction", str), ("connait_bp", lambda v: "1" if v else "0")]:
        q = questions[name]
        given_ = [a for a in answers(name) if a is not None]
        naive = Counter(code_of(a) for a in given_)
        assert {row.code: row.count for row in q.rows} == {row.code: naive[row.code] for row in q.rows}
        assert sum(row.count for row in q.rows) == q.answered == len(given_)
        assert q.answered + q.no_answer == n
        for row in q.rows:
            assert row.percent == pytest.approx(100 * row.count / q.answered if q.answered else 0)

    canaux = questions["canaux"]
    ticked = [a for a in answers("canaux") if a]
    assert canaux.answered == len(ticked) and canaux.no_answer == n - len(ticked)
    for row in canaux.rows:
        count = sum(row.code in a for a in ticked)
        assert row.count == count
        assert row.percent == pytest.approx(100 * count / len(ticked) if ticked else 0)
    assert [row.code for row in canaux.rows] == list(CHANNELS)

    for name in ("age", "heures"):
        values = [a for a in answers(name) if a is not None]
        q = questions[name]
        assert q.answered == len(values)
        assert sum(row.count for row in q.rows) == len(values), "every value falls in one bin"
        assert len(q.rows) <= 10
        if values:
            figures = {f.key: f.value for f in q.figures}
            assert figures["answered"] == len(values)
            assert figures["minimum"] == min(values) and figures["maximum"] == max(values)
            assert figures["median"] == pytest.approx(statistics.median(values))
            assert figures["mean"] == pytest.approx(statistics.fmean(values))

    days = [a for a in answers("date_vote") if a is not None]
    figures = {f.key: f.value for f in questions["date_vote"].figures}
    assert figures["answered"] == len(days)
    if days:
        assert (figures["first_date"], figures["last_date"]) == (min(days), max(days))

    if records:
        assert summary.first_date == min(r.submitted_at.date() for r in records)
        assert summary.last_date == max(r.submitted_at.date() for r in records)


def test_free_text_gives_only_a_count():
    records = [record({"commentaire": "Mon voisin Jean Dupont"}), record({"commentaire": ""}, "resp_2")]
    summary = summarise(QUESTIONNAIRE, records, small_cells=1)
    comment = by_name(summary)["commentaire"]
    assert (comment.kind, comment.answered, comment.no_answer, comment.rows, comment.figures) == ("text", 1, 1, (), ())
    assert "Dupont" not in repr(summary)


def test_yes_no_and_likert_rows_carry_labels_for_the_chart():
    records = [record({"connait_bp": True, "satisfaction": 4}), record({"connait_bp": False}, "resp_2")]
    questions = by_name(summarise(QUESTIONNAIRE, records, "en", small_cells=1))
    assert [(r.label, r.count, r.percent_text) for r in questions["connait_bp"].rows] == [
        ("Yes", 1, "50"),
        ("No", 1, "50"),
    ]
    assert [r.label for r in questions["satisfaction"].rows] == ["Pas du tout", "Peu", "Assez", "Très"]
    assert [r.count for r in questions["satisfaction"].rows] == [0, 0, 0, 1]


def test_a_code_no_longer_offered_still_counts():
    rows = by_name(summarise(QUESTIONNAIRE, [record({"quartier": "ouest"})], small_cells=1))["quartier"].rows
    assert [(r.code, r.count) for r in rows][-1] == ("ouest", 1)


def test_collection_period_and_no_response():
    empty = summarise(QUESTIONNAIRE, [], small_cells=1)
    assert (empty.response_count, empty.first_date, empty.period_text) == (0, None, "")
    records = [record({}, "a", "2026-03-01T08:00:00"), record({}, "b", "2026-03-31T22:00:00")]
    assert summarise(QUESTIONNAIRE, records, small_cells=1).period_text == "01/03/2026 – 31/03/2026"
    assert summarise(QUESTIONNAIRE, records, "en", small_cells=1).period_text == "2026-03-01 – 2026-03-31"


def test_histogram_bins():
    assert [r.label for r in histogram([1, 2, 2, 5], integer=True)] == ["1", "2", "3", "4", "5"]
    ages = list(range(16, 100))
    rows = histogram(ages, integer=True)
    assert 5 <= len(rows) <= 10 and sum(r.count for r in rows) == len(ages)
    assert rows[0].label.startswith("16 – ")
    assert [r.count for r in histogram([2.5, 2.5], integer=False)] == [2]
    assert sum(r.count for r in histogram([0.0, 0.1, 99.9, 100.0], integer=False)) == 4
    assert histogram([], integer=True) == ()


def test_french_number_and_date_formatting():
    assert format_number(1234.5, "fr") == "1\u00a0234,5"
    assert format_number(1234.5, "en") == "1,234.5"
    assert format_number(42.0, "fr") == "42"
    assert format_number(-0.01, "fr") == "0"
    assert format_number(2 / 3, "fr", 2) == "0,67"
    assert format_date(dt.date(2026, 5, 31), "fr") == "31/05/2026"


def test_aggregate_stays_pure():
    for path in Path("survey/aggregate").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        modules = {
            node.module if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        pure = ("survey.schema", "survey.dataset", "survey.messages", "survey.aggregate", "survey.codecs",
                "survey.coded", "survey.disclosure.cells")
        assert all(m.split(".")[0] in {"__future__", "datetime", "math", "collections", "concurrent",
                                       "dataclasses", "typing", "polars"} or m.startswith(pure)
                   for m in modules), (path, modules)  # fmt: skip


# --- new question types and special answers -------------------------------------------------------------

def _rich():
    from test_anonymise import CURRENT, OLD

    return CURRENT, OLD


def _at(answers: dict, version: str = "2", i: int = 0):
    from survey.dataset import ResponseRecord

    return ResponseRecord(f"resp_{i}", version, dt.datetime(2026, 3, 1, 10), answers)


def test_special_answers_are_counted_on_their_own_rows_and_everything_adds_up():
    current, _ = _rich()
    records = [_at({"quartier": "nord"}, i=0), _at({"quartier": {"special": "dont_know"}}, i=1),
               _at({"quartier": "other", "quartier__other": "chez Marie"}, i=2), _at({}, i=3),
               _at({"canaux": {"special": "not_asked"}}, i=4)]
    questions = by_name(summarise(current, records, "fr", small_cells=1))
    quartier = questions["quartier"]
    assert (quartier.answered, quartier.no_answer) == (2, 2)
    assert [(r.label, r.count) for r in quartier.specials] == [("Ne sait pas", 1)]
    assert [(r.code, r.label, r.count) for r in quartier.rows][-1] == ("other", "Autre", 1)
    assert "Marie" not in repr(questions), "the “other” text never appears"
    canaux = questions["canaux"]
    assert [(r.label, r.count) for r in canaux.specials] == [("Non concerné (question non posée)", 1)]
    for q in questions.values():
        assert q.total == len(records), q.name
    assert "info" not in questions, "a note has nothing to summarise"


def test_ranking_matrix_nps_calculate_and_repeat():
    current, _ = _rich()
    records = [
        _at({"priorites": ["c", "a"], "services": {"eau": "3", "voirie": "1"}, "reco": 10, "score": 100,
             "enfants": [{"age_enfant": 3}, {"age_enfant": 5}]}, i=0),
        _at({"priorites": ["a", "c", "b"], "services": {"eau": "3"}, "reco": 6, "score": 60, "enfants": []}, i=1),
        _at({"reco": 8, "score": 80}, i=2),
    ]
    questions = by_name(summarise(current, records, "fr", small_cells=1))
    ranking = questions["priorites"]
    assert [(r.code, r.count, r.mean) for r in ranking.rows] == [("a", 2, 1.5), ("c", 2, 1.5), ("b", 1, 3.0)]
    matrix = questions["services"]
    assert matrix.scale == ("Mauvais", "Moyen", "Bon")
    eau, voirie = matrix.items
    assert (eau.answered, [c.count for c in eau.cells], eau.cells[2].percent) == (2, [0, 0, 2], 100.0)
    assert (voirie.answered, [c.count for c in voirie.cells]) == (1, [1, 0, 0])
    nps = {f.key: f.value for f in questions["reco"].figures}
    assert nps["nps_score"] == pytest.approx(100 / 3 - 100 / 3) and nps["passives"] == pytest.approx(100 / 3)
    assert [r.count for r in questions["reco"].rows] == [0] * 6 + [1, 0, 1, 0, 1]
    score = questions["score"]
    assert score.kind == "numeric" and {f.key: f.value for f in score.figures}["mean"] == 80
    enfants = questions["enfants"]
    figures = {f.key: f.value for f in enfants.figures}
    assert (enfants.kind, enfants.answered, enfants.no_answer, figures["instances"]) == ("repeat", 2, 1, 2)


def test_versions_count_missing_questions_as_not_asked_and_keep_old_labels():
    current, old = _rich()
    records = [_at({"quartier": "nord", "ancien": True}, "1", 0), _at({"quartier": "ouest"}, "1", 1),
               _at({"quartier": "sud"}, "2", 2)]
    data = old.model_dump()
    data["pages"][0]["questions"] = [q for q in data["pages"][0]["questions"] if q["name"] != "heure"]
    data["pages"][0]["questions"][0]["choices"].append({"code": "ouest", "label": "Ouest"})
    without_time = type(old).model_validate(data)
    questions = by_name(summarise(current, records, "fr", versions={"1": without_time, "2": current}, small_cells=1))
    assert "ancien" not in questions, "the summary follows the current version"
    assert [(r.code, r.label, r.count) for r in questions["quartier"].rows if r.count] == [
        ("nord", "Nord", 1), ("sud", "Sud", 1), ("ouest", "Ouest", 1)], "a code only an older version had"
    heure = questions["heure"]
    assert [(r.code, r.count) for r in heure.specials] == [("not_asked", 2)] and heure.no_answer == 1


def test_matrix_and_ranking_render_in_the_report():
    from survey.report.pdf import render_report_html

    current, _ = _rich()
    records = [_at({"priorites": ["c", "a"], "services": {"eau": "3"}, "reco": 9,
                    "quartier": {"special": "dont_know"}}, i=0)]
    html = render_report_html(current, summarise(current, records, "fr", small_cells=1), "fr")
    assert "Rang moyen" in html and "Barres empilées : Services" in html and "Ne sait pas" in html
    assert "Score NPS" in html
    assert html.count('role="img"') == html.count("<svg")
