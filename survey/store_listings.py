"""SQL of the staff home's listing: questionnaires, missions, versions, response counts. A mixin of `Store`.

Counting every response at each staff request would cost more as a consultation grows: counts are kept per
questionnaire and only the responses stored since the last count (a higher id) are counted, with a full recount
every few minutes so that a response committed late on PostgreSQL is never missed for long.

Only real responses are counted: those marked as test data and synthetic ones are not results. A response already
counted that is marked, corrected or deleted bumps its questionnaire's responses revision; the sum of the revisions
is read with each count, and a new sum recounts everything, in this process and every other.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Connection, Engine

from survey.access import StaffMember
from survey.db import REAL, Mission, QuestionnaireRow, QuestionnaireVersion, ResponseRow

QUESTIONNAIRE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
FULL_RECOUNT_SECONDS = 300.0

mission_t, questionnaire_t = Mission.__table__, QuestionnaireRow.__table__
version_t, response_t = QuestionnaireVersion.__table__, ResponseRow.__table__


@dataclass(frozen=True)
class QuestionnaireListing:
    """A line of the staff home: a questionnaire, its mission, versions and response count."""

    id: str
    title: str
    mission_id: str
    mission_name: str
    client: str
    versions: list[str]
    current_version: str
    responses: int
    state: str = "open"  # draft, open, closed or archived (survey/publishing.py)
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None


@dataclass(frozen=True)
class VersionListing:
    """One version of a questionnaire: when it was loaded and first served, its exact response count."""

    label: str
    loaded_at: dt.datetime
    served_at: dt.datetime | None
    responses: int
    current: bool


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive datetimes; every time stored here is UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


class _Counts:
    """Responses per questionnaire, and the highest response id counted."""

    def __init__(self) -> None:
        self.by_questionnaire: dict[str, int] = {}
        self.last_id = 0
        self.recounted_at = float("-inf")
        self.revisions = -1  # the sum of the questionnaires' responses revisions at the last full count
        self.lock = threading.Lock()


class Listings:
    """The questionnaires a member of staff sees, with their versions and response counts."""

    engine: Engine

    def response_counts(self, conn: Connection) -> dict[str, int]:
        """Responses per questionnaire: only those stored since the last count are counted."""
        counts: _Counts = self.__dict__.setdefault("_counts", _Counts())  # one per Store, made on first use
        with counts.lock:
            revisions = conn.execute(select(func.coalesce(func.sum(questionnaire_t.c.responses_revision), 0))).scalar()
            full = (time.monotonic() - counts.recounted_at > FULL_RECOUNT_SECONDS or revisions != counts.revisions)
            above = 0 if full else counts.last_id
            # Every new response is above `last_id`, whatever its status: the highest id seen moves past them all.
            real = func.count(response_t.c.id).filter(response_t.c.status == REAL)
            query = (select(version_t.c.questionnaire_id, real, func.max(response_t.c.id))
                     .select_from(response_t)
                     .join(version_t, version_t.c.id == response_t.c.version_id + 0)  # the id range, not the index
                     .where(response_t.c.id > above).group_by(version_t.c.questionnaire_id))
            found = {qid: (n, top) for qid, n, top in conn.execute(query)}
            if full:
                counts.by_questionnaire, counts.last_id, counts.recounted_at = {}, 0, time.monotonic()
                counts.revisions = revisions
            for qid, (n, top) in found.items():
                counts.by_questionnaire[qid] = counts.by_questionnaire.get(qid, 0) + n
                counts.last_id = max(counts.last_id, top)
            return dict(counts.by_questionnaire)

    def listings(self, member: StaffMember | None = None) -> list[QuestionnaireListing]:
        """Questionnaires with versions and response counts, limited to `member`'s missions."""
        query = (select(questionnaire_t.c.id, questionnaire_t.c.title, questionnaire_t.c.current_version_id,
                        mission_t.c.id.label("mission_id"), mission_t.c.name, mission_t.c.client,
                        questionnaire_t.c.state, questionnaire_t.c.opens_at, questionnaire_t.c.closes_at)
                 .join(mission_t, mission_t.c.id == questionnaire_t.c.mission_id)
                 .order_by(mission_t.c.name, questionnaire_t.c.title))
        if member is not None and not member.sees_all_missions:
            query = query.where(questionnaire_t.c.mission_id.in_(sorted(member.missions)))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            counts = self.response_counts(conn)
            versions: dict[str, list[tuple[int, str]]] = {}
            for qid, vid, label in conn.execute(select(version_t.c.questionnaire_id, version_t.c.id,
                                                       version_t.c.version).order_by(version_t.c.id)):
                versions.setdefault(qid, []).append((vid, label))
        listings = []
        for r in rows:
            mine = versions.get(r.id, [])
            current = next((label for vid, label in mine if vid == r.current_version_id), "")
            listings.append(QuestionnaireListing(r.id, r.title, r.mission_id, r.name, r.client,
                                                 [label for _, label in mine], current, counts.get(r.id, 0),
                                                 r.state, _aware(r.opens_at), _aware(r.closes_at)))
        return listings

    def listing(self, questionnaire_id: str, member: StaffMember | None = None) -> QuestionnaireListing | None:
        """One questionnaire if `member` may see it: None both when it is missing and when it is not theirs."""
        if not QUESTIONNAIRE_ID.fullmatch(questionnaire_id):
            return None
        return next((item for item in self.listings(member) if item.id == questionnaire_id), None)


    def version_listing(self, questionnaire_id: str) -> list[VersionListing]:
        """Every version of a questionnaire, oldest first, with real responses counted exactly (no cached count)."""
        if not QUESTIONNAIRE_ID.fullmatch(questionnaire_id):
            return []
        ids = select(version_t.c.id).where(version_t.c.questionnaire_id == questionnaire_id)
        counted = (select(response_t.c.version_id, func.count().label("n"))  # on the (version, time) index
                   .where(response_t.c.version_id.in_(ids), response_t.c.status == REAL)
                   .group_by(response_t.c.version_id).subquery())
        query = (select(version_t.c.version, version_t.c.loaded_at, version_t.c.served_at,
                        func.coalesce(counted.c.n, 0).label("n"),
                        (questionnaire_t.c.current_version_id == version_t.c.id).label("current"))
                 .join(questionnaire_t, questionnaire_t.c.id == version_t.c.questionnaire_id)
                 .outerjoin(counted, counted.c.version_id == version_t.c.id)
                 .where(version_t.c.questionnaire_id == questionnaire_id).order_by(version_t.c.id))
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [VersionListing(r.version, _aware(r.loaded_at), _aware(r.served_at), r.n, bool(r.current))  # type: ignore[arg-type]
                for r in rows]
