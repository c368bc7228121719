"""Statements run straight on a DB-API cursor: the few a respondent's every page runs.

Through a SQLAlchemy `Connection`, each of these statements cost about twice the CPU of running it (building the
execution context, the compiled-cache key, the result object: `bench/profile_respondent.py`). A `Prepared`
statement is compiled once per dialect, with the bind processors of its columns' types (JSON, UTC datetimes: the
same ones SQLAlchemy would apply, so rows read either way are the same), and executed on a DB-API cursor — of a raw
pool connection (`raw_transaction`) or of the connection under an open SQLAlchemy transaction (`cursor_of`), so
that it can share a transaction with ordinary statements.
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.sql import ClauseElement


@dataclass(frozen=True)
class _Compiled:
    sql: str
    order: tuple[str, ...] | None  # bind names in order, for dialects that take values by position (SQLite's `?`)
    processors: dict[str, Callable[[Any], Any]]
    literals: dict[str, Any]  # values written in the statement itself (`status == 'in_progress'`)


class Prepared:
    """One fixed statement; `columns`: for an INSERT, the columns given (every execution gives the same ones)."""

    def __init__(self, statement: ClauseElement, columns: Sequence[str] | None = None):
        self.statement = statement
        self.columns = list(columns) if columns is not None else None
        # By the dialect object itself, held weakly: an id() could be reused by another engine's dialect.
        self._by_dialect: weakref.WeakKeyDictionary[Dialect, _Compiled] = weakref.WeakKeyDictionary()

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect)
        if found is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=self.columns)
            processors, literals = {}, {}
            for bind, name in compiled.bind_names.items():
                processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
                if processor is not None:
                    processors[name] = processor
                if not bind.required:
                    literals[name] = bind.effective_value
            # Columns left out of an INSERT (or an UPDATE) whose default SQLAlchemy computes: scalars only here.
            prefetched = [(c, c.default) for c in compiled.insert_prefetch]
            prefetched += [(c, c.onupdate) for c in compiled.update_prefetch]
            for column, default in prefetched:
                if not default.is_scalar:
                    raise TypeError(f"{column}: only scalar defaults are supported by a prepared statement")
                literals[column.key] = default.arg
            order = tuple(compiled.positiontup or ()) if compiled.positional else None
            found = self._by_dialect[dialect] = _Compiled(str(compiled), order, processors, literals)
        return found

    def execute(self, cursor: Any, dialect: Dialect, values: Mapping[str, Any]) -> Any:  # noqa: ANN401 - DB-API
        """Run the statement with `values` (by bind name) on `cursor`; the cursor, to fetch a RETURNING row."""
        compiled = self._compiled(dialect)
        given = {**compiled.literals, **values}
        processors = compiled.processors
        params = {name: processors[name](value) if name in processors else value for name, value in given.items()}
        cursor.execute(compiled.sql, tuple(params[name] for name in compiled.order)
                       if compiled.order is not None else params)
        return cursor


# How long a SQLite connection waits for another's write lock before "database is locked" (every connection's).
SQLITE_BUSY_TIMEOUT_MS = 30_000

_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_AT_ONCE: ContextVar[bool] = ContextVar("SQLite writes at once, or not at all", default=False)


class Busy(Exception):  # noqa: N818 - a state, not a failure: the caller makes the write elsewhere
    """A write asked `at_once` found SQLite's write lock taken (by this process's writer or another process)."""


@contextmanager
def at_once() -> Iterator[None]:
    """Within this block, a writing transaction on SQLite that would wait for the write lock — this process's
    (`one_writer`) or the file's, held by another process — raises `Busy` at once instead of waiting. Used by the
    event loop, which must never wait (survey/web/workload.py); no effect on PostgreSQL."""
    token = _AT_ONCE.set(True)
    try:
        yield
    finally:
        _AT_ONCE.reset(token)


@contextmanager
def one_writer(engine: Engine) -> Iterator[bool]:
    """On SQLite, this process's writing transactions one at a time (nothing on PostgreSQL); True when the
    transaction must take SQLite's lock at once (`at_once`).

    SQLite lets one transaction write at a time; the others wait in its busy handler, which sleeps and tries again
    (up to 100 ms a sleep), so under load a writer could be overtaken for seconds while others came and went. A
    lock wakes the next writer as soon as the file is free. Other processes still wait in the busy handler."""
    if engine.dialect.name != "sqlite":
        yield False
        return
    lock = _WRITE_LOCKS.get(engine)
    if lock is None:
        lock = _WRITE_LOCKS.setdefault(engine, threading.Lock())
    now = _AT_ONCE.get()
    if not lock.acquire(blocking=not now):
        raise Busy()
    try:
        yield now
    finally:
        lock.release()


def _begin_at_once(dbapi_connection: Any) -> None:  # noqa: ANN401 - a sqlite3 connection
    """Take the file's write lock now or raise `Busy`: BEGIN IMMEDIATE under a busy timeout of zero."""
    dbapi_connection.execute("PRAGMA busy_timeout=0")
    try:
        dbapi_connection.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if exc.sqlite_errorname != "SQLITE_BUSY":
            raise
        raise Busy() from exc
    finally:
        dbapi_connection.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")


@contextmanager
def raw_transaction(engine: Engine, *, durable: bool = True) -> Iterator[Any]:
    """A cursor on a pool connection, for a writing transaction committed at the end of the block (rolled back on
    an exception): one writer at a time in this process, or `Busy` under `at_once`.

    Not `durable` (a form's saved page, not a response): on SQLite its commit does not wait for the disk
    (synchronous=NORMAL for this transaction): it survives the process being killed, and a power cut may lose it."""
    with one_writer(engine) as now:
        connection = engine.raw_connection()
        relaxed = not durable and engine.dialect.name == "sqlite"
        try:
            if relaxed:  # before the transaction: SQLite refuses it inside one
                connection.dbapi_connection.execute("PRAGMA synchronous=NORMAL")
            if now:
                _begin_at_once(connection.dbapi_connection)
            cursor = connection.cursor()
            try:
                yield cursor
                connection.commit()
            except BaseException:
                connection.rollback()
                raise
            finally:
                cursor.close()
        finally:
            if relaxed:
                connection.dbapi_connection.execute("PRAGMA synchronous=FULL")
            connection.close()


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A SQLAlchemy connection in a writing transaction committed at the end of the block (rolled back on an
    exception), like `raw_transaction`: one writer at a time in this process, or `Busy` under `at_once`."""
    with one_writer(engine) as now, engine.connect() as conn:
        if now:
            _begin_at_once(conn.connection.dbapi_connection)
        with conn.begin():
            yield conn


def cursor_of(conn: Connection) -> Any:  # noqa: ANN401 - a DB-API cursor
    """A cursor on the DB-API connection under `conn`, inside its transaction: close it after use."""
    return conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
