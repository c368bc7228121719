"""Storage on SQLite and PostgreSQL: migrations, versions, one row per submission, durability settings."""

from __future__ import annotations

import datetime as dt
import random
import threading

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from survey.db import metadata
from survey.schema import load_questionnaire
from survey.store import Store, VersionConflict
from survey.synthetic import synthetic_answers
from tests.conftest import ROOT

EXAMPLE = load_questionnaire(ROOT / "questionnaires" / "budget-participatif-habitants.yaml")


def test_migrations_create_exactly_the_declared_tables(store: Store) -> None:
    with store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_migrating_twice_changes_nothing(store: Store) -> None:
    store.load(EXAMPLE)
    store.migrate()
    assert store.current(EXAMPLE.id).questionnaire == EXAMPLE  # type: ignore[union-attr]


def test_loading_keeps_versions_and_refuses_silent_edits_of_answered_ones(store: Store) -> None:
    assert store.load(EXAMPLE) == "new"
    assert store.load(EXAMPLE) == "unchanged"
    edited = EXAMPLE.model_copy(update={"title": "Titre corrigé"})
    assert store.load(edited) == "updated"  # no response yet: the version is replaced in place
    loaded = store.current(EXAMPLE.id)
    store.store_response(loaded.version_id, "k1", synthetic_answers(edited, random.Random(1)))  # type: ignore[union-attr]
    with pytest.raises(VersionConflict, match="already has 1 response"):
        store.load(EXAMPLE)
    assert store.current(EXAMPLE.id).questionnaire.title == "Titre corrigé"  # type: ignore[union-attr]
    assert store.load(EXAMPLE.model_copy(update={"version": "2026.2"})) == "new"
    listing = store.listing(EXAMPLE.id)
    assert listing.versions == ["2026.1", "2026.2"] and listing.current_version == "2026.2"  # type: ignore[union-attr]
    records = list(store.responses(EXAMPLE.id))
    assert [r.version for r in records] == ["2026.1"]  # the response keeps the version it answered


def test_a_submission_key_stores_one_response_even_when_raced(store: Store) -> None:
    store.load(EXAMPLE)
    version_id = store.current(EXAMPLE.id).version_id  # type: ignore[union-attr]
    answers = synthetic_answers(EXAMPLE, random.Random(2))
    results: list[bool] = []
    threads = [threading.Thread(target=lambda: results.append(store.store_response(version_id, "same", answers)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [False] * 7 + [True]
    assert store.response_count(EXAMPLE.id) == 1
    assert next(store.responses(EXAMPLE.id)).answers == answers


def test_responses_stream_back_in_full(store: Store) -> None:
    store.load(EXAMPLE)
    version_id = store.current(EXAMPLE.id).version_id  # type: ignore[union-attr]
    rng = random.Random(3)
    at = dt.datetime(2026, 3, 1, 10, 30, tzinfo=dt.UTC)
    batch = [(f"k{i}", synthetic_answers(EXAMPLE, rng), at) for i in range(25)]
    store.store_many(version_id, batch)
    records = list(store.responses(EXAMPLE.id, batch=7))
    assert len(records) == 25 == store.response_count(EXAMPLE.id)
    assert [r.answers for r in records] == [answers for _, answers, _ in batch]
    assert all(r.submitted_at.replace(tzinfo=dt.UTC) == at for r in records)


def test_the_signing_key_is_made_once(store: Store) -> None:
    assert store.secret_key() == store.secret_key()
    assert len(store.secret_key()) >= 40


def test_sqlite_runs_in_wal_with_full_sync_busy_timeout_and_foreign_keys(sqlite_store: Store) -> None:
    with sqlite_store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_unknown_or_malformed_ids_find_nothing(store: Store) -> None:
    for qid in ("nope", "", "a\x00b", "../x", "A" * 300):
        assert store.current(qid) is None
        assert store.listing(qid) is None
