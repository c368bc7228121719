"""Statements run on the DB-API cursor (survey/db_prepared.py) store exactly what SQLAlchemy's own execution stores,
on both databases: JSON, UTC datetimes, NULLs, literal values and column defaults."""

from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import bindparam, insert, select, update

from survey.db import FormSession
from survey.db_prepared import Busy, Prepared, at_once, one_writer, raw_transaction
from survey.schema import load_questionnaire
from survey.store import Store
from tests.conftest import ROOT

form_t = FormSession.__table__
QUESTIONNAIRE = load_questionnaire(ROOT / "questionnaires" / "budget-participatif-habitants.yaml")
MOMENT = dt.datetime(2026, 11, 29, 9, 30, 15, 123456, tzinfo=dt.UTC)


def _values(key: str) -> dict:
    # Accents, quotes, a list, nested JSON, NULLs: what a respondent's answers hold.
    return {"key": key, "questionnaire_id": QUESTIONNAIRE.id, "version_id": 0, "language": "fr",
            "pages_visited": [0, 1], "answers": {"quartier": "Croix-Rousse", "avis": "« l'été » \"chaud\"",
                                                  "projets": ["a", "b"], "note": {"special": "dont_know"}},
            "flash": None, "started_at": MOMENT, "updated_at": MOMENT, "invitation_id": None, "entered_by": None}


def _row(store: Store, key: str) -> dict:
    with store.engine.connect() as conn:
        row = conn.execute(select(form_t).where(form_t.c.key == key)).one()
    return {name: value for name, value in row._mapping.items() if name not in ("id", "key")}


def test_a_prepared_insert_and_update_store_what_sqlalchemy_stores(store: Store) -> None:
    store.load(QUESTIONNAIRE)
    version_id = store.current(QUESTIONNAIRE.id).version_id
    ours, theirs = _values("prepared-row"), _values("sqlalchemy-row")
    ours["version_id"] = theirs["version_id"] = version_id
    # Columns left out take their defaults (page, furthest_page, status, channel) in both.
    columns = tuple(ours)
    with raw_transaction(store.engine) as cursor:
        Prepared(insert(form_t), columns).execute(cursor, store.engine.dialect, ours)
    with store.engine.begin() as conn:
        conn.execute(insert(form_t), theirs)
    assert _row(store, "prepared-row") == _row(store, "sqlalchemy-row")
    assert _row(store, "prepared-row")["answers"]["avis"] == "« l'été » \"chaud\""
    assert _row(store, "prepared-row")["status"] == "in_progress"  # the column's default

    # An UPDATE with a literal in its WHERE clause and in its values, and a bound datetime.
    later = MOMENT + dt.timedelta(days=1)
    statement = update(form_t).where(form_t.c.key == bindparam("form_key"), form_t.c.status == "in_progress") \
        .values(flash={"notice": "saved"}, updated_at=bindparam("updated_at"))
    with raw_transaction(store.engine) as cursor:
        Prepared(statement).execute(cursor, store.engine.dialect, {"form_key": "prepared-row", "updated_at": later})
        assert cursor.rowcount == 1
    with store.engine.begin() as conn:
        conn.execute(statement, {"form_key": "sqlalchemy-row", "updated_at": later})
    assert _row(store, "prepared-row") == _row(store, "sqlalchemy-row")
    assert _row(store, "prepared-row")["flash"] == {"notice": "saved"}


def test_a_failed_raw_transaction_stores_nothing(store: Store) -> None:
    store.load(QUESTIONNAIRE)
    values = {**_values("rolled-back"), "version_id": store.current(QUESTIONNAIRE.id).version_id}
    try:
        with raw_transaction(store.engine) as cursor:
            Prepared(insert(form_t), tuple(values)).execute(cursor, store.engine.dialect, values)
            raise RuntimeError("after the INSERT")
    except RuntimeError:
        pass
    with store.engine.connect() as conn:
        assert conn.execute(select(form_t).where(form_t.c.key == "rolled-back")).first() is None


def test_sqlite_writers_take_turns_and_postgresql_does_not_wait(store: Store) -> None:
    held = one_writer(store.engine)
    entered = threading.Event()

    def writer() -> None:
        with one_writer(store.engine):
            entered.set()

    with held:
        thread = threading.Thread(target=writer)
        thread.start()
        waited = not entered.wait(0.3)  # SQLite: the second writer waits for the first
    thread.join(5)
    assert entered.is_set()
    assert waited == (store.engine.dialect.name == "sqlite")


@contextmanager
def _file_locked(store: Store) -> Iterator[None]:
    """SQLite's write lock held by another connection, as another process's writing transaction holds it."""
    other = sqlite3.connect(store.engine.url.database, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.rollback()
        other.close()


def _pragma(store: Store, name: str) -> int:
    """A pragma of the connection the pool gives next (the one used last: the pool is last-in first-out)."""
    connection = store.engine.raw_connection()
    try:
        return connection.dbapi_connection.execute(f"PRAGMA {name}").fetchone()[0]
    finally:
        connection.close()


def _started_form(store: Store) -> str:
    store.load(QUESTIONNAIRE)
    return store.start_form(QUESTIONNAIRE.id, store.current(QUESTIONNAIRE.id).version_id, "fr", page=1).key


def _save(store: Store, key: str, answers: dict) -> bool:
    return store.save_form(key, page=1, answers=answers, language="fr", flash=None, pages_visited=(0, 1))


def test_a_write_at_once_finds_the_file_locked_and_waits_for_nothing(sqlite_store: Store) -> None:
    key = _started_form(sqlite_store)
    with _file_locked(sqlite_store):
        began = time.monotonic()
        with pytest.raises(Busy), at_once():
            _save(sqlite_store, key, {"avis": "pendant"})
        assert time.monotonic() - began < 5  # the busy timeout is 30 s: it did not wait
    assert sqlite_store.form_session(key).answers == {}  # nothing written
    assert _pragma(sqlite_store, "busy_timeout") == 30_000  # the connection waits again for later writers
    with at_once():
        assert _save(sqlite_store, key, {"avis": "après"})
    assert sqlite_store.form_session(key).answers == {"avis": "après"}


def test_a_write_at_once_finds_this_process_writer_busy(sqlite_store: Store) -> None:
    key = _started_form(sqlite_store)
    taken = threading.Event()
    release = threading.Event()

    def writer() -> None:
        with one_writer(sqlite_store.engine):
            taken.set()
            release.wait(5)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert taken.wait(5)
        with pytest.raises(Busy), at_once():
            _save(sqlite_store, key, {"avis": "pendant"})
    finally:
        release.set()
        thread.join(5)
    assert sqlite_store.form_session(key).answers == {}


def test_a_completion_at_once_finds_the_file_locked_and_stores_nothing(sqlite_store: Store) -> None:
    key = _started_form(sqlite_store)
    form = sqlite_store.form_session(key)
    with _file_locked(sqlite_store), pytest.raises(Busy), at_once():
        sqlite_store.complete_form(form, {"quartier": "Croix-Rousse"})
    assert sqlite_store.response_count(QUESTIONNAIRE.id) == 0
    with at_once():
        assert sqlite_store.complete_form(form, {"quartier": "Croix-Rousse"})
    assert sqlite_store.response_count(QUESTIONNAIRE.id) == 1


def test_a_form_save_commits_without_an_fsync_and_a_response_with_one(sqlite_store: Store) -> None:
    """A saved page is committed under synchronous=NORMAL (it survives the process being killed, not a power cut);
    the connection is FULL again afterwards, for the response, which is."""
    key = _started_form(sqlite_store)
    connection = sqlite_store.engine.raw_connection()
    seen: list[str] = []
    connection.dbapi_connection.set_trace_callback(seen.append)
    connection.close()  # back to the pool: the next write takes it (last-in first-out)
    assert _save(sqlite_store, key, {"avis": "sauvé"})
    assert seen[0] == "PRAGMA synchronous=NORMAL" and seen[-1] == "PRAGMA synchronous=FULL", seen
    assert any(statement.startswith("UPDATE form_session") for statement in seen)
    assert _pragma(sqlite_store, "synchronous") == 2  # FULL
