"""The coded table: built once, extended as responses arrive, the same as a rebuild; what the results page
counts is what an analyst counts in the exported file."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter

import polars as pl
import pytest
from factories import CHANNELS, record_lists, sample_questionnaire
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from test_anonymise import CURRENT, OLD, mixed_records

from survey import coded
from survey.aggregate import summarise
from survey.anonymise import anonymise
from survey.dataset import ResponseRecord
from survey.export import dataset_csv

QUESTIONNAIRE = sample_questionnaire()
VERSIONS = {"1": OLD, "2": CURRENT}


def _read(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


@settings(max_examples=40, deadline=None)
@given(mixed_records(), st.lists(st.integers(0, 12), max_size=4))
def test_extending_in_batches_gives_the_table_a_rebuild_gives(records, cuts):
    raw = coded.records_frame(records)
    every = {**VERSIONS, CURRENT.version: CURRENT}
    whole = coded.build(CURRENT, VERSIONS, raw)
    table = coded.empty(coded.build_layout(CURRENT, VERSIONS))
    bounds = sorted({0, len(records), *(min(c, len(records)) for c in cuts)})
    for start, end in zip(bounds, bounds[1:], strict=False):
        table = coded.extend(table, every, raw.slice(start, end - start))
    assert_frame_equal(table.main, whole.main)
    for name in whole.repeats:
        assert_frame_equal(table.repeats[name], whole.repeats[name])
    assert table.last_id == whole.last_id == len(records)


def test_a_table_extended_response_by_response_keeps_few_chunks_and_equals_a_rebuild(monkeypatch) -> None:
    monkeypatch.setattr(coded, "SEGMENT_ROWS", 8)
    records = [ResponseRecord(f"r{i}", "2", dt.datetime(2026, 3, 1), {"q": "a"} if i % 2 else {}) for i in range(61)]
    raw = coded.records_frame(records)
    every = {**VERSIONS, CURRENT.version: CURRENT}
    table = coded.empty(coded.build_layout(CURRENT, VERSIONS))
    for i in range(len(records)):  # as the server does: one new response at a time
        table = coded.extend(table, every, raw.slice(i, 1))
        assert table.main.n_chunks() <= i // 8 + 2, "small chunks are merged as the table grows"
    assert_frame_equal(table.main, coded.build(CURRENT, VERSIONS, raw).main)
    assert table.main.get_column("response_id").chunk_lengths()[:7] == [8] * 7


def _shown(row) -> bool:
    """A count the page publishes (not « < 11 », not « × »)."""
    return row.status == "shown"


@settings(max_examples=60, deadline=None)
@given(record_lists, st.sampled_from([1, 3, 11]))
def test_the_results_page_counts_what_the_exported_file_holds(records, small_cells):
    """Every count the page shows is the file's; small-cell protection only hides, it never changes a count."""
    summary = {q.name: q for q in summarise(QUESTIONNAIRE, records, small_cells=small_cells).questions()}
    rows = _read(dataset_csv(anonymise(QUESTIONNAIRE, records)))
    if summary["quartier"].answered_text.isdigit():
        assert summary["quartier"].answered == sum(1 for row in rows
                                                   if row["quartier"] not in ("", "-7", "-8", "-9"))
    in_file = Counter(row["quartier"] for row in rows)
    assert {r.code: r.count for r in summary["quartier"].rows if _shown(r)} == {
        r.code: in_file[r.code] for r in summary["quartier"].rows if _shown(r)}
    for name in ("connait_bp", "satisfaction"):
        in_file = Counter(row[name] for row in rows if row[name])
        shown = {r.code: r.count for r in summary[name].rows if r.count and _shown(r)}
        assert shown == {code: n for code, n in in_file.items() if code in shown}, name
        assert all(r.code in shown or not in_file[r.code] or not _shown(r) for r in summary[name].rows)
        if summary[name].no_answer_text.isdigit():
            assert summary[name].no_answer == sum(1 for row in rows if row[name] == "")
    canaux = summary["canaux"]
    answered = [row for row in rows if row[f"canaux__{CHANNELS[0]}"] != ""]
    if canaux.answered_text.isdigit():
        assert canaux.answered == len(answered)
    for row_ in canaux.rows:
        if _shown(row_):
            assert row_.count == sum(int(row[f"canaux__{row_.code}"]) for row in answered)
    ages = [int(row["age"]) for row in rows if row["age"]]
    figures = {f.key: f.value for f in summary["age"].figures}
    assert figures["answered"] == len(ages)
    if ages and figures["minimum"] != "":
        assert (figures["minimum"], figures["maximum"]) == (min(ages), max(ages))
    for question in summary.values():  # and nothing below the threshold is published
        for row_ in (*question.rows, *question.specials):
            assert not (_shown(row_) and 0 < row_.count < small_cells), (question.name, row_)


def test_special_answers_count_apart_even_when_a_number_answer_is_negative():
    questionnaire = sample_questionnaire()
    data = questionnaire.model_dump()
    for page in data["pages"]:
        for q in page["questions"]:
            if q["name"] == "age":
                q["min"], q["special_answers"] = -20, ["dont_know"]
    questionnaire = type(questionnaire).model_validate(data)
    at = dt.datetime(2026, 3, 1, 10)
    records = [ResponseRecord("a", "2026.1", at, {"age": -8}),
               ResponseRecord("b", "2026.1", at, {"age": {"special": "dont_know"}})]
    age = {q.name: q for q in summarise(questionnaire, records, small_cells=1).questions()}["age"]
    assert age.answered == 1 and [(r.code, r.count) for r in age.specials] == [("dont_know", 1)], (
        "the status column, not the value, tells a special answer")


def test_each_row_is_coded_with_its_own_version_and_columns_are_typed():
    at = dt.datetime(2026, 3, 1, 10)
    records = [ResponseRecord("r1", "1", at, {"ancien": True, "reco": 3}), ResponseRecord("r2", "2", at, {"reco": 9})]
    table = coded.from_records(CURRENT, records, VERSIONS)
    assert table.main["ancien"].to_list() == [1, -7], "a question the version answered lacked: not asked (-7)"
    assert table.main["~ancien"].to_list() == [None, -7]
    assert table.main["reco"].to_list() == [3, 9]
    assert table.repeats["enfants"].schema["age_enfant"] == pl.Int64 and table.main.schema["quartier"] == pl.Categorical
    assert table.main.schema["ancien"] == table.main.schema["reco"] == pl.Int8, (
        "labelled small codes (yes/no, NPS points) are held in one byte")


def test_answers_stored_with_another_type_than_their_question_s_are_one_located_error_not_a_traceback():
    at = "2026-06-01 10:00:00"
    rows = [(1, "2", at, '{"reco": 3}'), (2, "2", at, '{"reco": "pas un nombre"}')]
    with pytest.raises(coded.UnreadableAnswers, match=r"version 2 do not match .*pas un nombre"):
        coded.build(CURRENT, VERSIONS, coded.raw_frame(rows))


def test_times_read_as_text_from_either_database_are_the_same_instants():
    rows = [(1, "2", "2026-06-01 10:00:00.123456", "{}"), (2, "2", "2026-06-01 10:00:00", "{}"),
            (3, "2", "2026-06-01T10:00:00+00:00", "{}")]
    frame = coded.raw_frame(rows)
    assert frame[coded.SUBMITTED_AT].to_list() == [dt.datetime(2026, 6, 1, 10, tzinfo=dt.UTC)] * 3
