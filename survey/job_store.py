"""All SQL about background jobs: create, claim, record progress, finish, cancel, list, expire.

Every change of status is one conditional UPDATE (`… WHERE status = 'running'`), so a cancel that lands while a
job finishes, or two workers offered the same job, cannot both win: the loser learns it from RETURNING.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import Engine

from survey.db import Job, QuestionnaireRow

job_t, questionnaire_t = Job.__table__, QuestionnaireRow.__table__

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)
# Any fixed number: it names the lock `ensure_procrastinate_schema` holds so that two processes starting at once
# do not both create the queue's tables.
_SCHEMA_LOCK = 720_814_003


@dataclass(frozen=True)
class JobRecord:
    """One job as the runner and the pages see it; `mission_id` is its questionnaire's, for access checks."""

    id: str
    kind: str
    questionnaire_id: str
    mission_id: str
    params: dict[str, Any]
    owner: int
    status: str
    progress: float
    message: str
    file_name: str
    path: str
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @property
    def finished(self) -> bool:
        """Done, failed or cancelled: nothing more will happen to it."""
        return self.status in FINISHED


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive datetimes; every time stored here is UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


_COLUMNS = [*job_t.c, questionnaire_t.c.mission_id]


def _record(row: Any) -> JobRecord:
    return JobRecord(row.id, row.kind, row.questionnaire_id, row.mission_id, dict(row.params), row.owner, row.status,
                     row.progress, row.message, row.file_name, row.path, row.error, _aware(row.created_at),
                     _aware(row.finished_at))


class JobStore:
    """The job table; one per process, safe to share between threads (each call is its own transaction)."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def create(self, kind: str, questionnaire_id: str, params: dict[str, Any], owner: int) -> str:
        """A new queued job; its id is a random token, so a job page cannot be found by counting."""
        job_id = secrets.token_urlsafe(24)
        with self.engine.begin() as conn:
            conn.execute(insert(job_t).values(id=job_id, kind=kind, questionnaire_id=questionnaire_id, params=params,
                                              owner=owner, status=QUEUED, created_at=_now()))
        return job_id

    def get(self, job_id: str) -> JobRecord | None:
        """The job, or None when there is no such id."""
        query = select(*_COLUMNS).join(questionnaire_t, questionnaire_t.c.id == job_t.c.questionnaire_id)
        with self.engine.connect() as conn:
            row = conn.execute(query.where(job_t.c.id == job_id[:64])).first()
        return _record(row) if row else None

    def recent(self, owner: int, questionnaire_id: str, limit: int = 10) -> list[JobRecord]:
        """A member's latest jobs on one questionnaire, newest first."""
        query = (select(*_COLUMNS).join(questionnaire_t, questionnaire_t.c.id == job_t.c.questionnaire_id)
                 .where(job_t.c.owner == owner, job_t.c.questionnaire_id == questionnaire_id)
                 .order_by(job_t.c.created_at.desc()).limit(limit))
        with self.engine.connect() as conn:
            return [_record(row) for row in conn.execute(query)]

    def _move(self, job_id: str, from_status: tuple[str, ...], **values: Any) -> bool:
        """Set `values` if the job is still in one of `from_status`; tell whether it was."""
        with self.engine.begin() as conn:
            row = conn.execute(update(job_t).where(job_t.c.id == job_id, job_t.c.status.in_(from_status))
                               .values(**values).returning(job_t.c.id)).first()
        return row is not None

    def claim(self, job_id: str) -> JobRecord | None:
        """Queued → running; None when it was cancelled before it started or another worker took it."""
        if not self._move(job_id, (QUEUED,), status=RUNNING, progress=0.0, heartbeat_at=_now()):
            return None
        return self.get(job_id)

    def record_progress(self, job_id: str, fraction: float, message: str) -> bool:
        """Store how far a running job got; False when it is no longer running (cancelled)."""
        return self._move(job_id, (RUNNING,), progress=min(max(fraction, 0.0), 1.0), message=message[:200],
                          heartbeat_at=_now())

    def beat(self, job_id: str) -> bool:
        """Say that the job's worker is alive; False when the job is no longer running."""
        return self._move(job_id, (RUNNING,), heartbeat_at=_now())

    def stalled(self, silent_since: dt.datetime) -> list[str]:
        """Ids of running jobs whose worker has not beaten since `silent_since` (claimed before the column
        existed: since they were created)."""
        last = func.coalesce(job_t.c.heartbeat_at, job_t.c.created_at)
        query = select(job_t.c.id).where(job_t.c.status == RUNNING, last < silent_since)
        with self.engine.connect() as conn:
            return [row.id for row in conn.execute(query)]

    def fail_stalled(self, job_id: str, silent_since: dt.datetime, error: str) -> bool:
        """Running → failed, only if its worker is still silent since `silent_since` (a late beat wins)."""
        last = func.coalesce(job_t.c.heartbeat_at, job_t.c.created_at)
        with self.engine.begin() as conn:
            row = conn.execute(update(job_t).where(job_t.c.id == job_id, job_t.c.status == RUNNING,
                                                   last < silent_since)
                               .values(status=FAILED, error=error[:300], finished_at=_now())
                               .returning(job_t.c.id)).first()
        return row is not None

    def finish(self, job_id: str, path: str, file_name: str) -> bool:
        """Running → done with its file; False when it was cancelled meanwhile (the caller removes the file)."""
        return self._move(job_id, (RUNNING,), status=DONE, progress=1.0, path=path, file_name=file_name,
                          finished_at=_now())

    def fail(self, job_id: str, error: str) -> bool:
        """Queued or running → failed, with one line for the user."""
        return self._move(job_id, (QUEUED, RUNNING), status=FAILED, error=error.splitlines()[0][:300] if error else "",
                          finished_at=_now())

    def cancel(self, job_id: str) -> bool:
        """Queued or running → cancelled; a running job notices at its next progress report."""
        return self._move(job_id, (QUEUED, RUNNING), status=CANCELLED, finished_at=_now())

    def unfinished(self) -> list[tuple[str, str]]:
        """(id, status) of every queued or running job, oldest first (to recover after a restart)."""
        query = select(job_t.c.id, job_t.c.status).where(job_t.c.status.in_((QUEUED, RUNNING)))
        with self.engine.connect() as conn:
            return [(row.id, row.status) for row in conn.execute(query.order_by(job_t.c.created_at))]

    def expired_files(self, finished_before: dt.datetime) -> Iterator[tuple[str, str]]:
        """(id, path) of finished jobs whose file is older than `finished_before`."""
        query = select(job_t.c.id, job_t.c.path).where(job_t.c.path != "", job_t.c.finished_at < finished_before)
        with self.engine.connect() as conn:
            yield from ((row.id, row.path) for row in conn.execute(query).all())

    def forget_file(self, job_id: str) -> None:
        """The job's file was deleted: keep the row (who exported what, when), drop the path."""
        with self.engine.begin() as conn:
            conn.execute(update(job_t).where(job_t.c.id == job_id).values(path=""))


def ensure_procrastinate_schema(engine: Engine, schema_sql: str) -> bool:
    """Create procrastinate's tables once (PostgreSQL); True when this call created them.

    A transaction-level advisory lock makes concurrent starts wait for each other instead of racing.
    """
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _SCHEMA_LOCK})
        if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is not None:
            return False
        # The driver's own cursor, without parameters: the script has `%` signs and many statements.
        conn.connection.driver_connection.execute(schema_sql)  # type: ignore[union-attr]
    return True
