"""SQL of the audit log: one row per event worth answering for later (exports, state changes, unlocks).

Writing only; reading the log (`survey audit`, its staff page) belongs with them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Connection, Engine

from survey.db import AuditEvent

audit_t = AuditEvent.__table__


def record_audit(target: Engine | Connection, action: str, *, actor: str, actor_id: int | None = None,
                 questionnaire_id: str | None = None, reason: str = "",
                 detail: dict[str, Any] | None = None) -> int:
    """Store one audit event and return its id; on a Connection it joins the caller's transaction.

    `actor` is the member's e-mail or "cli:<user>", kept even if the account is deleted later.
    """
    values = {"at": dt.datetime.now(dt.UTC), "actor_id": actor_id, "actor": actor[:254], "action": action[:32],
              "questionnaire_id": questionnaire_id, "reason": reason, "detail": detail or {}}
    if isinstance(target, Connection):
        return target.execute(insert(audit_t).values(**values)).inserted_primary_key[0]
    with target.begin() as conn:
        return conn.execute(insert(audit_t).values(**values)).inserted_primary_key[0]
