"""SQL of the audit log: who did what, when, to which questionnaire and why. A mixin of `survey.store.Store`.

Every export download, every raw export (with its reason) and whatever else must be answered for later (an
account unlocked, a token issued) is one row of `audit_event`, written by `record_audit` and read back, newest
first, by `list_audit` — for the admin page and `survey audit`. Both take a connection, so an event can be part
of the transaction it records; `Store.audit` and `Store.audit_events` open one of their own. Rows are only ever
added: nothing here updates or deletes one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection, Engine

from survey.access import StaffMember
from survey.db import AuditEvent
from survey.job_store import JobRecord

audit_t = AuditEvent.__table__

# The actions this module's callers record; others may add their own (at most 32 characters).
DOWNLOAD = "download"  # an export or a PDF taken away, through a job's download link or the API
RAW_EXPORT = "raw_export"  # an export with identifiers kept, asked for by an admin, with a reason
RAW_DOWNLOAD = "raw_download"  # that export's file taken away (the reason repeated)
RAW_PROFILE = "raw"  # the profile column of both: no disclosure profile applied
CLI_EXPORT = "cli_export"  # `survey export` on the server's command line
ACTION_MAX = 32
LIST_LIMIT = 1000


@dataclass(frozen=True)
class AuditRecord:
    """One event of the audit log as pages and the command line show it."""

    id: int
    at: dt.datetime
    actor: str
    actor_id: int | None
    action: str
    questionnaire_id: str | None
    reason: str
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def profile(self) -> str:
        """The export profile the event concerns, if any (`detail["profile"]`)."""
        return str(self.detail.get("profile", ""))


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes; every time stored here is UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


def record_audit(conn: Connection, action: str, *, actor: str, actor_id: int | None = None,
                 questionnaire_id: str | None = None, reason: str = "", detail: dict[str, Any] | None = None,
                 at: dt.datetime | None = None) -> int:
    """Append one event inside the caller's transaction (so it commits or rolls back with what it records)."""
    if not action or len(action) > ACTION_MAX:
        raise ValueError(f"audit action {action!r} must have 1 to {ACTION_MAX} characters")
    values = {"at": at or dt.datetime.now(dt.UTC), "actor_id": actor_id, "actor": actor[:254], "action": action,
              "questionnaire_id": questionnaire_id, "reason": reason, "detail": detail or {}}
    return conn.execute(insert(audit_t).values(**values)).inserted_primary_key[0]


def list_audit(conn: Connection, questionnaire_id: str | None = None, since: dt.datetime | None = None,
               action: str | None = None, limit: int = LIST_LIMIT) -> list[AuditRecord]:
    """Events, newest first, optionally of one questionnaire, from a moment on, of one action."""
    query = select(audit_t).order_by(audit_t.c.at.desc(), audit_t.c.id.desc()).limit(limit)
    if questionnaire_id is not None:
        query = query.where(audit_t.c.questionnaire_id == questionnaire_id)
    if since is not None:
        query = query.where(audit_t.c.at >= since)
    if action is not None:
        query = query.where(audit_t.c.action == action)
    return [AuditRecord(row.id, _aware(row.at), row.actor, row.actor_id, row.action, row.questionnaire_id,
                        row.reason, dict(row.detail or {})) for row in conn.execute(query).all()]


class AuditLog:
    """The audit log as `Store` methods, each in a transaction of its own."""

    engine: Engine

    def audit(self, action: str, actor: StaffMember | str, questionnaire_id: str | None = None, reason: str = "",
              detail: dict[str, Any] | None = None, at: dt.datetime | None = None) -> int:
        """Record one event by a member of staff, or by a name (« cli:alice »); its id."""
        actor_id, name = (actor.id, actor.email) if isinstance(actor, StaffMember) else (None, actor)
        with self.engine.begin() as conn:
            return record_audit(conn, action, actor=name, actor_id=actor_id, questionnaire_id=questionnaire_id,
                                reason=reason, detail=detail, at=at)

    def audit_download(self, actor: StaffMember | str, job: JobRecord) -> int:
        """Record that a job's file (an export or a PDF) was downloaded: the web page and the API both call it."""
        params = job.params or {}
        raw = bool(params.get("raw"))
        detail = {"job": job.id, "kind": job.kind, "file": job.file_name, "format": params.get("format") or "",
                  "profile": RAW_PROFILE if raw else params.get("profile") or "", "raw": raw}
        action = RAW_DOWNLOAD if raw else DOWNLOAD
        return self.audit(action, actor, job.questionnaire_id, reason=str(params.get("reason") or ""), detail=detail)

    def audit_events(self, questionnaire_id: str | None = None, since: dt.datetime | None = None,
                     action: str | None = None, limit: int = LIST_LIMIT) -> list[AuditRecord]:
        """Events, newest first (see `list_audit`)."""
        with self.engine.connect() as conn:
            return list_audit(conn, questionnaire_id, since, action, limit)
