"""Statements run on the DB-API cursor (survey/db_prepared.py) store exactly what SQLAlchemy's own execution stores,
on both databases: JSON, UTC datetimes, NULLs, literal values and column defaults."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import bindparam, insert, select, update

from survey.db import FormSession
from survey.db_prepared import Prepared, one_writer, raw_transaction
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
