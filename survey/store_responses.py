"""SQL of managing stored responses: list and open them, mark them as test data, correct an answer, delete them,
purge synthetic ones. A mixin of `survey.store.Store`.

Every change is one transaction that also appends its row to the audit log (`record_audit`: who, when, what, and
for a correction the answer before and after) and bumps the questionnaire's `responses_revision`. The coded table
(`survey.datasets`) and the staff listing's counts (`survey.store_listings`) only add responses with higher ids; the
revision is how they learn that a response they already hold changed, so their next read rebuilds.

A deletion's audit row names the response (id, version, time, status), never its answers: what was deleted stays
deleted.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection, Engine

from survey.access import StaffMember
from survey.db import REAL, RESPONSE_STATUSES, SYNTHETIC, TEST, QuestionnaireRow, QuestionnaireVersion, ResponseRow
from survey.quotas import placements
from survey.store_audit import record_audit
from survey.store_quotas import release_places, replace_places, restore_places

version_t, response_t = QuestionnaireVersion.__table__, ResponseRow.__table__
questionnaire_t = QuestionnaireRow.__table__
PAGE_SIZE = 50

# Audit actions (survey.store_audit); each row carries the response id in `detail`.
MARKED = "response_status"  # marked as test data, or back to real
CORRECTED = "response_correct"  # one answer changed: detail has the question, before and after
DELETED = "response_delete"
PURGED = "purge_synthetic"  # `survey purge-synthetic`: detail has how many


@dataclass(frozen=True)
class ResponseFilter:
    """Which responses a listing shows: one status (or every status with None), a version, a range of days."""

    status: str | None = REAL
    version: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None  # included


@dataclass(frozen=True)
class ResponseLine:
    """One row of the responses list."""

    id: int
    version: str
    submitted_at: dt.datetime
    status: str
    corrected_at: dt.datetime | None


@dataclass(frozen=True)
class StoredResponse:
    """One stored response, whole: its answers as stored (see `survey.codecs.base`)."""

    id: int
    questionnaire_id: str
    version_id: int
    version: str
    submitted_at: dt.datetime
    status: str
    corrected_at: dt.datetime | None
    answers: dict[str, Any] = field(default_factory=dict)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive datetimes; every time stored here is UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def _versions_of(questionnaire_id: str):  # noqa: ANN202 - a SQLAlchemy select
    return select(version_t.c.id).where(version_t.c.questionnaire_id == questionnaire_id)


def _who(actor: StaffMember | str) -> tuple[int | None, str]:
    """(account id, name) of whoever acts: a member of staff, or a name such as « cli:alice »."""
    return (actor.id, actor.email) if isinstance(actor, StaffMember) else (None, actor)


def bump_revision(conn: Connection, questionnaire_id: str) -> None:
    """Tell the coded table and the listing's counts that responses they hold changed (see the module's doc)."""
    conn.execute(update(questionnaire_t).where(questionnaire_t.c.id == questionnaire_id)
                 .values(responses_revision=questionnaire_t.c.responses_revision + 1))


class ResponseAdmin:
    """Stored responses as staff manage them, each change audited."""

    engine: Engine

    def _filtered(self, questionnaire_id: str, chosen: ResponseFilter):  # noqa: ANN202 - a SQLAlchemy select
        """The responses of a questionnaire within the filter's version and days (any status)."""
        query = (select(response_t.c.id, version_t.c.version, response_t.c.submitted_at, response_t.c.status,
                        response_t.c.corrected_at)
                 .join(version_t, version_t.c.id == response_t.c.version_id)
                 .where(version_t.c.questionnaire_id == questionnaire_id))
        if chosen.version is not None:
            query = query.where(version_t.c.version == chosen.version)
        if chosen.since is not None:
            query = query.where(response_t.c.submitted_at >= _day_start(chosen.since))
        if chosen.until is not None:
            query = query.where(response_t.c.submitted_at < _day_start(chosen.until + dt.timedelta(days=1)))
        return query

    def response_lines(self, questionnaire_id: str, chosen: ResponseFilter, offset: int = 0,
                       limit: int = PAGE_SIZE) -> list[ResponseLine]:
        """One page of the responses the filter keeps, newest first."""
        query = self._filtered(questionnaire_id, chosen)
        if chosen.status is not None:
            query = query.where(response_t.c.status == chosen.status)
        query = query.order_by(response_t.c.id.desc()).offset(max(offset, 0)).limit(limit)
        with self.engine.connect() as conn:
            return [ResponseLine(r.id, r.version, _aware(r.submitted_at), r.status, _aware(r.corrected_at))  # type: ignore[arg-type]
                    for r in conn.execute(query)]

    def response_status_counts(self, questionnaire_id: str, chosen: ResponseFilter) -> dict[str, int]:
        """How many responses of each status the filter's version and days hold (every status, 0 included)."""
        inner = self._filtered(questionnaire_id, chosen).subquery()
        query = select(inner.c.status, func.count()).group_by(inner.c.status)
        with self.engine.connect() as conn:
            found = dict(conn.execute(query).all())
        return {status: int(found.get(status, 0)) for status in RESPONSE_STATUSES}

    def stored_response(self, questionnaire_id: str, response_id: int) -> StoredResponse | None:
        """One response of the questionnaire; None when there is none with this id (or it is another's)."""
        query = (select(response_t, version_t.c.version).join(version_t, version_t.c.id == response_t.c.version_id)
                 .where(response_t.c.id == response_id, version_t.c.questionnaire_id == questionnaire_id))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        return StoredResponse(row.id, questionnaire_id, row.version_id, row.version, _aware(row.submitted_at),  # type: ignore[arg-type]
                              row.status, _aware(row.corrected_at), dict(row.answers or {}))

    def set_response_status(self, actor: StaffMember | str, questionnaire_id: str, response_id: int,
                            status: str) -> str | None:
        """Mark a response as test data (`test`) or as a real one again (`real`); its former status, or None when
        there is no such response. Synthetic responses keep theirs: they are purged, not promoted."""
        if status not in (REAL, TEST):
            raise ValueError(f"a response can be marked {REAL} or {TEST}, not {status!r}")
        actor_id, name = _who(actor)
        where = (response_t.c.id == response_id, response_t.c.version_id.in_(_versions_of(questionnaire_id)))
        with self.engine.begin() as conn:
            before = conn.execute(select(response_t.c.status).where(*where).with_for_update()).scalar()
            if before is None or before == SYNTHETIC:
                return before
            if before != status:
                if status == TEST:  # its quota places are given back; marked real again, it takes them back
                    release_places(conn, [response_id])
                conn.execute(update(response_t).where(*where).values(status=status))
                if status == REAL:
                    restore_places(conn, response_id)
                record_audit(conn, MARKED, actor=name, actor_id=actor_id, questionnaire_id=questionnaire_id,
                             detail={"response": response_id, "before": before, "after": status})
                bump_revision(conn, questionnaire_id)
        return before

    def correct_response(self, actor: StaffMember | str, questionnaire_id: str, response_id: int, question: str,
                         revise: Callable[[dict[str, Any]], dict[str, Any]]
                         ) -> tuple[dict[str, Any], dict[str, Any]] | None:
        """Replace one response's answers by `revise(stored answers)` (`survey.response_view.corrected`: one question
        corrected). Returns (before, after) of the keys that changed — absent keys as None — or None when there is
        no such response; both go to the audit log with who and when. An exception from `revise` changes nothing."""
        actor_id, name = _who(actor)
        now = dt.datetime.now(dt.UTC)
        where = (response_t.c.id == response_id, response_t.c.version_id.in_(_versions_of(questionnaire_id)))
        with self.engine.begin() as conn:
            # Writing first takes the row's lock (PostgreSQL) or the database's (SQLite): a correction made at the
            # same moment waits, so the « before » recorded is what this one replaced.
            row = conn.execute(update(response_t).where(*where).values(corrected_at=now)
                               .returning(response_t.c.answers, response_t.c.version_id, response_t.c.status)).first()
            if row is None:
                return None
            stored = row.answers
            answers = revise(dict(stored))
            loaded = self.version(row.version_id)  # type: ignore[attr-defined]  # Store's
            if row.status == REAL and loaded is not None:  # a changed answer may move it to another quota cell
                replace_places(conn, questionnaire_id, response_id, placements(loaded.questionnaire, answers))
            keys = sorted(key for key in {*stored, *answers} if stored.get(key) != answers.get(key))
            before, after = {key: stored.get(key) for key in keys}, {key: answers.get(key) for key in keys}
            conn.execute(update(response_t).where(*where).values(answers=answers))
            record_audit(conn, CORRECTED, actor=name, actor_id=actor_id, questionnaire_id=questionnaire_id, at=now,
                         detail={"response": response_id, "question": question, "before": before, "after": after})
            bump_revision(conn, questionnaire_id)
        return before, after

    def delete_response(self, actor: StaffMember | str, questionnaire_id: str, response_id: int) -> bool:
        """Delete one response for good; False when there is none. The audit row does not keep its answers."""
        actor_id, name = _who(actor)
        where = (response_t.c.id == response_id, response_t.c.version_id.in_(_versions_of(questionnaire_id)))
        with self.engine.begin() as conn:
            release_places(conn, select(response_t.c.id).where(*where))
            gone = conn.execute(delete(response_t).where(*where)
                                .returning(response_t.c.version_id, response_t.c.submitted_at,
                                           response_t.c.status)).first()
            if gone is None:
                return False
            label = conn.execute(select(version_t.c.version).where(version_t.c.id == gone.version_id)).scalar()
            record_audit(conn, DELETED, actor=name, actor_id=actor_id, questionnaire_id=questionnaire_id,
                         detail={"response": response_id, "version": label, "status": gone.status,
                                 "submitted_at": _aware(gone.submitted_at).isoformat()})  # type: ignore[union-attr]
            bump_revision(conn, questionnaire_id)
        return True

    def purge_synthetic(self, actor: StaffMember | str, questionnaire_id: str) -> int:
        """Delete every synthetic response of a questionnaire (`survey seed`'s); how many went."""
        actor_id, name = _who(actor)
        with self.engine.begin() as conn:
            count = conn.execute(delete(response_t).where(
                response_t.c.version_id.in_(_versions_of(questionnaire_id)), response_t.c.status == SYNTHETIC
            )).rowcount
            record_audit(conn, PURGED, actor=name, actor_id=actor_id, questionnaire_id=questionnaire_id,
                         detail={"deleted": count})
            if count:
                bump_revision(conn, questionnaire_id)
        return count
