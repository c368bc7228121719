"""SQL of GDPR retention and erasure: raw responses and forms in progress past their mission's period are deleted,
and a respondent's own response is erased at their request; and what the register of processing counts. A mixin of
`survey.store.Store`.

What is deleted is counted in the audit log, never shown: a purge's row says how many responses and forms went and
up to when; an erasure's row says that one response was erased, not which answers it held. Quota places are given
back first (`survey.store_quotas.release_places`), and the questionnaire's `responses_revision` is bumped so that the
coded table — in memory and in `SURVEY_CACHE_DIR` — is rebuilt without the deleted responses. Export files already
made are outside the database and stay (they expire on their own, `SURVEY_EXPORT_HOURS`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, or_, select
from sqlalchemy.engine import Engine

from survey.db import FormSession, Membership, QuestionnaireRow, QuestionnaireVersion, ResponseRow, StaffUser
from survey.retention import Retention, due
from survey.store_audit import record_audit
from survey.store_quotas import release_places
from survey.store_responses import bump_revision

version_t, response_t, form_t = QuestionnaireVersion.__table__, ResponseRow.__table__, FormSession.__table__
questionnaire_t, membership_t, user_t = QuestionnaireRow.__table__, Membership.__table__, StaffUser.__table__

PURGED = "retention_purge"  # audit: detail has how many responses and forms, and the moment before which
ERASED = "response_erasure"  # audit: a respondent erased their own response; detail has how it was asked, no answers
RESUME_LINK = "resume_link"  # how an erasure was asked: from the form's own link


@dataclass(frozen=True)
class Purged:
    """What retention deleted from one questionnaire."""

    questionnaire_id: str
    responses: int
    forms: int
    rule: Retention


class DataRetention:
    """Deleting what a mission's retention period no longer allows to keep, and what a respondent asks to erase."""

    engine: Engine

    def purge_expired(self, actor: str, now: dt.datetime | None = None, today: dt.date | None = None,
                      *, dry_run: bool = False) -> list[Purged]:
        """Delete, in every questionnaire whose mission declares `retention_days`, the responses and forms in
        progress its period no longer covers; one transaction and one audit row per questionnaire that lost any.
        `dry_run`: count what would go, delete nothing."""
        now = now or dt.datetime.now(dt.UTC)
        with self.engine.connect() as conn:
            ids = list(conn.execute(select(questionnaire_t.c.id).order_by(questionnaire_t.c.id)).scalars())
        done = []
        for questionnaire_id in ids:
            loaded = self.current(questionnaire_id)  # type: ignore[attr-defined]  # Store's
            rule = due(loaded.questionnaire.mission, now, today) if loaded is not None else None
            if rule is not None:
                purged = self._purge(questionnaire_id, rule, actor, dry_run)
                if purged.responses or purged.forms:
                    done.append(purged)
        return done

    def _purge(self, questionnaire_id: str, rule: Retention, actor: str, dry_run: bool) -> Purged:
        versions = select(version_t.c.id).where(version_t.c.questionnaire_id == questionnaire_id)
        responses = [response_t.c.version_id.in_(versions)]
        forms = [form_t.c.questionnaire_id == questionnaire_id]
        if not rule.everything:
            responses.append(response_t.c.submitted_at < rule.before)
            forms.append(form_t.c.started_at < rule.before)
        with self.engine.begin() as conn:
            if dry_run:
                count = len(conn.execute(select(response_t.c.id).where(*responses)).all())
                return Purged(questionnaire_id, count, len(conn.execute(select(form_t.c.id).where(*forms)).all()),
                              rule)
            release_places(conn, select(response_t.c.id).where(*responses))
            count = conn.execute(delete(response_t).where(*responses)).rowcount
            form_count = conn.execute(delete(form_t).where(*forms)).rowcount
            if count or form_count:
                record_audit(conn, PURGED, actor=actor, questionnaire_id=questionnaire_id,
                             detail={"responses": count, "forms": form_count, "before": rule.before.isoformat(),
                                     "everything": rule.everything})
                bump_revision(conn, questionnaire_id)
        return Purged(questionnaire_id, count, form_count, rule)

    def erase_response(self, questionnaire_id: str, submission_key: str, via: str) -> bool:
        """Erase the response stored under a form's key, at its respondent's request (`via`: `resume_link` or
        `invitation`); False when there is none. The audit row records that an erasure happened, nothing else."""
        where = (response_t.c.submission_key == submission_key,
                 response_t.c.version_id.in_(select(version_t.c.id)
                                             .where(version_t.c.questionnaire_id == questionnaire_id)))
        with self.engine.begin() as conn:
            release_places(conn, select(response_t.c.id).where(*where))
            gone = conn.execute(delete(response_t).where(*where).returning(response_t.c.id)).first()
            if gone is None:
                return False
            record_audit(conn, ERASED, actor="respondent", questionnaire_id=questionnaire_id, detail={"via": via})
            bump_revision(conn, questionnaire_id)
        return True

    def mission_team(self, mission_id: str) -> tuple[list[str], dict[str, int]]:
        """For the register of processing: the mission's questionnaire ids, and its staff accounts per role
        (administrators see every mission, so all of them count)."""
        with self.engine.connect() as conn:
            ids = list(conn.execute(select(questionnaire_t.c.id).where(questionnaire_t.c.mission_id == mission_id)
                                    .order_by(questionnaire_t.c.id)).scalars())
            members = select(membership_t.c.user_id).where(membership_t.c.mission_id == mission_id)
            rows = conn.execute(select(user_t.c.role, func.count()).where(
                or_(user_t.c.id.in_(members), user_t.c.role == "admin")).group_by(user_t.c.role)).all()
        return ids, {role: int(count) for role, count in rows}

    def response_exists(self, questionnaire_id: str, submission_key: str) -> bool:
        """Whether a response of the questionnaire is stored under this form key (the erasure page asks)."""
        if not submission_key or len(submission_key) > 64:
            return False
        query = (select(response_t.c.id).join(version_t, version_t.c.id == response_t.c.version_id)
                 .where(response_t.c.submission_key == submission_key,
                        version_t.c.questionnaire_id == questionnaire_id))
        with self.engine.connect() as conn:
            return conn.execute(query).first() is not None
