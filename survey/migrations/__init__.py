"""Alembic migrations: `survey.store.migrate()` runs them on SQLite and PostgreSQL alike."""
