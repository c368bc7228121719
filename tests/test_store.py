"""Storage on SQLite and PostgreSQL: migrations, versions, one row per submission, durability settings."""

from __future__ import annotations

import datetime as dt
import json
import random
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text

from survey.db import metadata
from survey.schema import load_questionnaire
from survey.store import Store, VersionConflict
from survey.synthetic import synthetic_answers
from tests.conftest import DATABASES, PG_URL, ROOT, require_in_ci

# The example, pinned to one version label so that the version arithmetic below reads plainly.
EXAMPLE = load_questionnaire(ROOT / "questionnaires" / "budget-participatif-habitants.yaml").model_copy(
    update={"version": "2026.1"})


def test_migrations_create_exactly_the_declared_tables(store: Store) -> None:
    with store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_migrating_twice_changes_nothing(store: Store) -> None:
    store.load(EXAMPLE)
    store.migrate()
    assert store.current(EXAMPLE.id).questionnaire == EXAMPLE  # type: ignore[union-attr]


def test_editing_an_answered_version_makes_a_new_version_and_responses_keep_theirs(store: Store) -> None:
    assert store.load(EXAMPLE) == "new"
    assert store.load(EXAMPLE) == "unchanged"
    edited = EXAMPLE.model_copy(update={"title": "Titre corrigé"})
    assert store.load(edited) == "updated"  # no response yet: the version is replaced in place
    loaded = store.current(EXAMPLE.id)
    store.store_response(loaded.version_id, "k1", synthetic_answers(edited, random.Random(1)))  # type: ignore[union-attr]
    assert store.load(EXAMPLE) == "versioned"  # answered and changed: a new version, automatically
    assert store.current(EXAMPLE.id).questionnaire.version == "2026.1+2"  # type: ignore[union-attr]
    assert store.load(EXAMPLE) == "unchanged", "loading the same file again makes no third version"
    again = EXAMPLE.model_copy(update={"title": "Encore"})
    assert store.load(again) == "updated", "+2 has no response yet: replaced in place"
    store.store_response(store.current(EXAMPLE.id).version_id, "k2", {})  # type: ignore[union-attr]
    assert store.load(EXAMPLE.model_copy(update={"title": "Et encore"})) == "versioned"
    assert store.load(EXAMPLE.model_copy(update={"version": "2026.2"})) == "new"
    listing = store.listing(EXAMPLE.id)
    assert listing.versions == ["2026.1", "2026.1+2", "2026.1+3", "2026.2"]  # type: ignore[union-attr]
    assert listing.current_version == "2026.2"  # type: ignore[union-attr]
    assert [r.version for r in store.responses(EXAMPLE.id)] == ["2026.1", "2026.1+2"]
    versions = store.versions(EXAMPLE.id)
    assert list(versions) == listing.versions  # type: ignore[union-attr]
    assert versions["2026.1"].title == "Titre corrigé" and versions["2026.1+2"].title == "Encore"
    assert versions["2026.1+2"].version == "2026.1+2"
    assert store.versions("nope") == {}


def _with_choice_label(questionnaire, name: str, code: str, label: str):  # noqa: ANN001, ANN202
    data = questionnaire.model_dump()
    for page in data["pages"]:
        for q in page["questions"]:
            if q["name"] == name:
                for choice in q["choices"]:
                    if choice["code"] == code:
                        choice["label"] = label
                if not q["choices"] and q["scale"]:
                    q["scale"][int(code) - 1] = label
    return type(questionnaire).model_validate(data)


def _answered(store: Store, n: int = 2) -> None:
    store.load(EXAMPLE)
    loaded = store.current(EXAMPLE.id)
    for i in range(n):
        store.store_response(loaded.version_id, f"k{i}", synthetic_answers(EXAMPLE, random.Random(i)))  # type: ignore[union-attr]


def _first_choice(questionnaire, type_: str):  # noqa: ANN001, ANN202
    return next(q for q in questionnaire.questions() if q.type == type_ and q.choices)


def test_a_code_given_a_new_meaning_is_refused_with_a_clear_message(store: Store) -> None:
    _answered(store)
    question = _first_choice(EXAMPLE, "single_choice")
    code, old = question.choices[0].code, question.choices[0].label
    changed = _with_choice_label(EXAMPLE, question.name, code, "Tout autre chose").model_copy(update={"version": "9"})
    with pytest.raises(VersionConflict) as caught:
        store.load(changed, source="bp.yaml")
    message = str(caught.value)
    assert message.startswith("bp.yaml: question '" + question.name + "'")
    assert f"code `{code}` meant “{old}” in version 2026.1 (2 response(s))" in message
    assert "now means “Tout autre chose”" in message and "give the new meaning a new code" in message
    assert store.listing(EXAMPLE.id).versions == ["2026.1"]  # type: ignore[union-attr]
    # case, surrounding spaces and punctuation are not a new meaning
    reworded = _with_choice_label(EXAMPLE, question.name, code, f"  {old.upper()} ! ").model_copy(
        update={"version": "9"})
    assert store.load(reworded) == "new"


def test_a_likert_point_given_a_new_meaning_is_refused(store: Store) -> None:
    _answered(store, 1)
    likert = next(q for q in EXAMPLE.questions() if q.type == "likert")
    changed = _with_choice_label(EXAMPLE, likert.name, "1", "Excellent")
    with pytest.raises(VersionConflict, match=r"scale point 1 meant .* now means “Excellent”"):
        store.load(changed)


def test_a_name_that_changes_type_is_refused(store: Store) -> None:
    _answered(store, 1)
    data = EXAMPLE.model_dump()
    question = data["pages"][0]["questions"][0]
    question.update(type="short_text", choices=[], scale=[], min=None, max=None)
    for field in ("other", "randomize"):
        question[field] = False
    changed = type(EXAMPLE).model_validate(data)
    with pytest.raises(VersionConflict, match="keep the old name for the old question, give the new one a new name"):
        store.load(changed)


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


# --- several processes starting together on a fresh database ------------------------------------------

# Each racer imports the store, says it is ready, then for every database URL it reads, migrates it and
# reads the signing key, as `survey serve` and every CLI command do at start.
RACER = """
import json, sys
from survey.store import Store
print("ready", flush=True)
for line in sys.stdin:
    try:
        store = Store.from_url(line.strip())
        store.migrate()
        print(json.dumps({"key": store.secret_key()}), flush=True)
        store.engine.dispose()
    except Exception as exc:
        print(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:400]}), flush=True)
"""


HEADS = tuple(ScriptDirectory(str(ROOT / "survey" / "migrations")).get_heads())


def _fresh_databases(database: str, tmp_path: Path, rounds: int) -> list[str]:
    """URLs of `rounds` fresh, empty databases: SQLite files, or PostgreSQL schemas (search_path set in the URL)."""
    if database == "sqlite":
        return [f"sqlite:///{tmp_path / f'race{i}.db'}" for i in range(rounds)]
    require_in_ci("PostgreSQL (SURVEY_TEST_DATABASE_URL)", bool(PG_URL))
    engine = create_engine(PG_URL)
    with engine.begin() as conn:
        for i in range(rounds):
            conn.execute(text(f"DROP SCHEMA IF EXISTS race{i} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA race{i}"))
    engine.dispose()
    return [f"{PG_URL}?options=-csearch_path%3Drace{i}" for i in range(rounds)]


@pytest.mark.parametrize("database", DATABASES)
def test_processes_starting_together_on_a_fresh_database_all_start_and_share_one_key(
        database: str, tmp_path: Path) -> None:
    """Six processes start on each fresh database. Even rounds: the database is empty, they race to create the
    schema. Odd rounds: the schema is there but no key yet, they race to make the key."""
    urls = _fresh_databases(database, tmp_path, rounds=6)
    for url in urls[1::2]:
        made = Store.from_url(url)
        made.migrate()
        made.engine.dispose()
    racers = [subprocess.Popen([sys.executable, "-c", RACER], cwd=ROOT, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True) for _ in range(6)]
    try:
        assert [racer.stdout.readline().strip() for racer in racers] == ["ready"] * 6  # type: ignore[union-attr]
        for url in urls:
            for racer in racers:  # all imports done: the six start this database within a millisecond or so
                racer.stdin.write(url + "\n")  # type: ignore[union-attr]
                racer.stdin.flush()  # type: ignore[union-attr]
            outcomes = [json.loads(racer.stdout.readline()) for racer in racers]  # type: ignore[union-attr]
            assert [o.get("error") for o in outcomes] == [None] * 6, url
            assert len({o["key"] for o in outcomes}) == 1, "every process signs with the same key"
            store = Store.from_url(url)
            with store.engine.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM app_setting")).scalar() == 1
                assert MigrationContext.configure(conn).get_current_heads() == HEADS
            assert store.secret_key() == outcomes[0]["key"]
            store.engine.dispose()
    finally:
        for racer in racers:
            racer.stdin.close()  # type: ignore[union-attr]
            racer.wait(timeout=60)
        if database == "postgresql":
            engine = create_engine(PG_URL)
            with engine.begin() as conn:
                for i in range(len(urls)):
                    conn.execute(text(f"DROP SCHEMA IF EXISTS race{i} CASCADE"))
            engine.dispose()
