"""Where a respondent request's writes run (survey/web/workload.py): in the event loop when SQLite's write lock is
free, in the writer thread when it is taken or when the disk was slow; everything in a worker thread on
PostgreSQL."""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Any

import anyio
import pytest
from litestar.response import Response

from survey.schema import load_questionnaire
from survey.store import Store
from survey.web import workload
from survey.web.workload import Then, run
from tests.conftest import ROOT, _postgres_store

QUESTIONNAIRE = load_questionnaire(ROOT / "questionnaires" / "budget-participatif-habitants.yaml")


def _form(store: Store) -> str:
    store.load(QUESTIONNAIRE)
    return store.start_form(QUESTIONNAIRE.id, store.current(QUESTIONNAIRE.id).version_id, "fr", page=1).key


class Saves:
    """A form's page saves, each recording the thread it ran in (a first try that found the lock taken too)."""

    def __init__(self, store: Store, key: str):
        self.store, self.key, self.threads = store, key, []

    def __call__(self, answers: dict[str, Any]) -> Then:
        def write() -> bool:
            self.threads.append(threading.get_ident())
            return self.store.save_form(self.key, page=1, answers=answers, language="fr", flash=None,
                                        pages_visited=(0, 1))
        return Then(write, lambda saved: Response(f"saved={saved}"))


def _run_all(store: Store, works: list[Any]) -> list[str]:
    """Run each work in turn on one event loop (its writer thread and hold-off are the loop's)."""
    async def main() -> list[str]:
        return [(await run(store, work)).content for work in works]
    return anyio.run(main)


def test_a_write_runs_in_the_event_loop_when_the_lock_is_free(sqlite_store: Store) -> None:
    saves = Saves(sqlite_store, _form(sqlite_store))
    assert _run_all(sqlite_store, [lambda: saves({"avis": "un"}), lambda: saves({"avis": "deux"})]) == [
        "saved=True", "saved=True"]
    assert saves.threads == [threading.get_ident()] * 2  # anyio.run runs the loop in this thread
    assert sqlite_store.form_session(saves.key).answers == {"avis": "deux"}


def test_a_write_that_finds_the_file_locked_waits_in_the_writer_thread(sqlite_store: Store) -> None:
    saves = Saves(sqlite_store, _form(sqlite_store))
    other = sqlite3.connect(sqlite_store.engine.url.database, isolation_level=None,  # another process's writer
                            check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    release = threading.Timer(0.5, other.rollback)
    release.start()
    began = time.monotonic()
    assert _run_all(sqlite_store, [lambda: saves({"avis": "attendu"})]) == ["saved=True"]
    release.join()
    other.close()
    assert time.monotonic() - began >= 0.5  # it waited for the lock…
    loop, writer = saves.threads  # …tried at once in the loop, then made in the writer thread
    assert loop == threading.get_ident() and writer != loop
    assert sqlite_store.form_session(saves.key).answers == {"avis": "attendu"}


def test_after_a_slow_write_the_next_ones_go_to_the_writer_thread(sqlite_store: Store,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A write that held the loop longer than SLOW_WRITE (a saturated disk) sends the next to the writer thread."""
    monkeypatch.setattr(workload, "SLOW_WRITE", 0.05)
    saves = Saves(sqlite_store, _form(sqlite_store))

    def slow() -> Then:
        then = saves({"avis": "lent"})
        return Then(lambda: (time.sleep(0.1), then.write())[1], then.respond)

    assert _run_all(sqlite_store, [slow, lambda: saves({"avis": "suivant"})]) == ["saved=True", "saved=True"]
    first, second = saves.threads
    assert first == threading.get_ident() and second != first
    assert sqlite_store.form_session(saves.key).answers == {"avis": "suivant"}


@pytest.mark.postgresql
def test_on_postgresql_the_whole_work_runs_in_a_worker_thread() -> None:
    store = _postgres_store()
    store.migrate()
    try:
        saves = Saves(store, _form(store))
        assert _run_all(store, [lambda: saves({"avis": "réseau"})]) == ["saved=True"]
        assert len(saves.threads) == 1 and saves.threads[0] != threading.get_ident()
        assert store.form_session(saves.key).answers == {"avis": "réseau"}
    finally:
        store.engine.dispose()
