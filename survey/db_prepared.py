"""Statements run straight on a DB-API cursor: the few a respondent's every page runs.

Through a SQLAlchemy `Connection`, each of these statements cost about twice the CPU of running it (building the
execution context, the compiled-cache key, the result object: `bench/profile_respondent.py`). A `Prepared`
statement is compiled once per dialect, with the bind processors of its columns' types (JSON, UTC datetimes: the
same ones SQLAlchemy would apply, so rows read either way are the same), and executed on a DB-API cursor — of a raw
pool connection (`raw_transaction`) or of the connection under an open SQLAlchemy transaction (`cursor_of`), so
that it can share a transaction with ordinary statements.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
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


_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


def one_writer(engine: Engine) -> Any:  # noqa: ANN401 - a context manager
    """On SQLite, this process's writing transactions one at a time (a no-op on PostgreSQL).

    SQLite lets one transaction write at a time; the others wait in its busy handler, which sleeps and tries again
    (up to 100 ms a sleep), so under load a writer could be overtaken for seconds while others came and went. A
    lock wakes the next writer as soon as the file is free. Other processes still wait in the busy handler."""
    if engine.dialect.name != "sqlite":
        return nullcontext()
    lock = _WRITE_LOCKS.get(engine)
    if lock is None:
        lock = _WRITE_LOCKS.setdefault(engine, threading.Lock())
    return lock


@contextmanager
def raw_transaction(engine: Engine) -> Iterator[Any]:
    """A cursor on a pool connection, for a writing transaction committed at the end of the block (rolled back on
    an exception), with `one_writer`."""
    with one_writer(engine):
        connection = engine.raw_connection()
        try:
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
            connection.close()


def cursor_of(conn: Connection) -> Any:  # noqa: ANN401 - a DB-API cursor
    """A cursor on the DB-API connection under `conn`, inside its transaction: close it after use."""
    return conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
