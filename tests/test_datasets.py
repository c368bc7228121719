"""Each questionnaire's coded table is kept and extended with new responses, never rebuilt for nothing; with a
cache folder, another process picks it up; on PostgreSQL, a response committed late is still found."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from polars.testing import assert_frame_equal
from sqlalchemy import insert

from survey import datasets, stored_answers
from survey.datasets import CodedTables
from survey.db import ResponseRow
from survey.schema import load_questionnaire
from survey.store import Store
from survey.synthetic import synthetic_responses
from tests.conftest import ROOT

BUDGET = "budget-participatif-habitants"
NOW = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)


def _load(store: Store, count: int, seed: int = 1) -> None:
    store.load(load_questionnaire(ROOT / "questionnaires" / f"{BUDGET}.yaml"))
    add(store, count, seed)


def add(store: Store, count: int, seed: int) -> None:
    loaded = store.current(BUDGET)
    store.store_many(loaded.version_id, synthetic_responses(loaded.questionnaire, count, seed, NOW))  # type: ignore[union-attr]


def test_new_responses_extend_the_table_and_equal_a_rebuild(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    _load(store, 8)
    tables = CodedTables(store, None)
    assert tables.dataset(BUDGET).table.height == 8
    read_after: list[int] = []
    original = stored_answers.raw_rows

    def spy(engine, questionnaire_id, after_id=0, *more):  # noqa: ANN001, ANN202
        read_after.append(after_id)
        return original(engine, questionnaire_id, after_id, *more)

    monkeypatch.setattr(stored_answers, "raw_rows", spy)
    add(store, 3, seed=2)
    grown = tables.dataset(BUDGET).table
    assert grown.height == 11 and read_after == [8], "only the responses stored since were read"
    rebuilt = CodedTables(store, None).dataset(BUDGET).table
    assert_frame_equal(grown.main, rebuilt.main)
    assert_frame_equal(grown.repeats["projets_votes"], rebuilt.repeats["projets_votes"])


def test_a_changed_version_rebuilds_the_table_with_its_columns(store: Store, tmp_path: Path) -> None:
    _load(store, 4)
    tables = CodedTables(store, None)
    assert "nouvelle" not in tables.dataset(BUDGET).table.main.columns
    source = (ROOT / "questionnaires" / f"{BUDGET}.yaml").read_text(encoding="utf-8")
    changed = source.replace("      - name: connait_bp\n", "      - name: nouvelle\n        type: yes_no\n"
                             "        label: Une nouvelle question\n      - name: connait_bp\n", 1)
    copy = tmp_path / "bp.yaml"
    copy.write_text(changed, encoding="utf-8")
    for choice_list in (ROOT / "questionnaires").glob("*.csv"):
        (tmp_path / choice_list.name).write_text(choice_list.read_text(encoding="utf-8"), encoding="utf-8")
    assert store.load(load_questionnaire(copy)) == "versioned"
    table = tables.dataset(BUDGET).table
    assert table.height == 4 and table.main["nouvelle"].to_list() == [-7] * 4, "not in the version answered"


def test_a_cache_folder_lets_another_process_extend_instead_of_rebuilding(store: Store, tmp_path: Path) -> None:
    _load(store, 6)
    first = CodedTables(store, tmp_path / "cache")
    first.dataset(BUDGET)
    assert (tmp_path / "cache" / BUDGET / "main.parquet").exists()
    add(store, 2, seed=3)
    second = CodedTables(store, tmp_path / "cache")
    kept = second._read(BUDGET, *_signature_and_versions(second))
    assert kept.height == 6 and kept.last_id > 0, "read from the files, not rebuilt"
    assert_frame_equal(second.dataset(BUDGET).table.main, CodedTables(store, None).dataset(BUDGET).table.main)


def _signature_and_versions(tables: CodedTables) -> tuple:
    signature, loaded = tables.signature(BUDGET)
    return signature, loaded.questionnaire, tables.store.versions(BUDGET)


def test_an_unknown_questionnaire_is_a_clear_error(store: Store) -> None:
    with pytest.raises(datasets.UnknownQuestionnaire):
        CodedTables(store, None).dataset("absent")


@pytest.mark.parametrize("store", [pytest.param("postgresql", marks=pytest.mark.postgresql)], indirect=True)
def test_a_response_committed_after_a_later_one_is_still_found(store: Store) -> None:
    _load(store, 0)
    loaded = store.current(BUDGET)
    just_now = dt.datetime.now(dt.UTC)  # responses stored moments ago: a lower id may still be committing
    store.store_many(loaded.version_id, [(f"k{i}", {"connait_bp": True}, just_now) for i in range(3)])  # type: ignore[union-attr]
    table = CodedTables(store, None).dataset(BUDGET).table
    ids = sorted(table.main["response_id"].to_list())
    with store.engine.begin() as conn:  # a gap a slow transaction leaves, then fills after a later one committed
        conn.execute(ResponseRow.__table__.delete().where(ResponseRow.__table__.c.id == ids[1]))
    late = CodedTables(store, None)
    assert late.dataset(BUDGET).table.height == 2
    with store.engine.begin() as conn:
        conn.execute(insert(ResponseRow.__table__).values(
            id=ids[1], version_id=loaded.version_id, submission_key="late", submitted_at=just_now,  # type: ignore[union-attr]
            answers={"connait_bp": True}))
    assert sorted(late.dataset(BUDGET).table.main["response_id"].to_list()) == ids


def test_the_staff_listing_counts_only_new_responses_and_stays_right(store: Store,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from survey import store_listings

    _load(store, 5)
    assert store.listing(BUDGET).responses == 5  # type: ignore[union-attr]
    add(store, 2, seed=4)
    assert store.listing(BUDGET).responses == 7, "the responses stored since are added"  # type: ignore[union-attr]
    assert store.listing(BUDGET).responses == 7, "and not counted twice"  # type: ignore[union-attr]
    monkeypatch.setattr(store_listings, "FULL_RECOUNT_SECONDS", 0.0)
    assert store.listing(BUDGET).responses == 7, "a full recount agrees"  # type: ignore[union-attr]


def test_large_questionnaires_are_built_in_the_background_at_start(store: Store,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    _load(store, 3)
    monkeypatch.setattr(datasets, "WARM_UP_FROM", 3)
    datasets.warm_up(store).join(timeout=60)
    kept = datasets.coded_tables(store)._kept
    assert BUDGET in kept and kept[BUDGET].dataset.table.height == 3
