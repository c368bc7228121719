"""Alembic migrations: `survey.store.migrate()` runs them on SQLite and PostgreSQL alike, through `upgrade`."""

from __future__ import annotations

from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Engine

LOCK_KEY = 0x7375727665790001  # the PostgreSQL advisory lock held while migrating ("survey", 1)


def upgrade(engine: Engine) -> None:
    """Create or upgrade the schema to the newest revision; safe when several processes start at once.

    Upgrades are serialised, and the revision is read again once the lock is held: a process that waited
    finds the work done and changes nothing.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("survey") / "migrations"))
    head = ScriptDirectory.from_config(cfg).get_current_head()
    with engine.connect() as conn:
        if MigrationContext.configure(conn).get_current_revision() == head:
            return  # the usual start: nothing to do, nothing to lock
    with engine.begin() as conn:
        _lock(conn)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")  # reads the revision again, under the lock


def _lock(conn: Any) -> None:
    """Take, until this transaction ends, a lock that one migrating process at a time can hold."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    else:
        # The sqlite3 module opens a transaction only before INSERT/UPDATE/DELETE, so CREATE TABLE would
        # otherwise run on its own. BEGIN EXCLUSIVE waits (busy_timeout) for a migrating process to commit,
        # then holds every other writer off; and the whole upgrade commits or rolls back as one.
        conn.exec_driver_sql("BEGIN EXCLUSIVE")
