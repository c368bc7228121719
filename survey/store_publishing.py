"""SQL of publishing: a questionnaire's state and dates, and its mission's branding. A mixin of `Store`.

Every change of state, of dates or of branding is written with its audit event in one transaction. What the
respondent's pages ask at each request (the publication, the branding) is kept in memory for a few seconds, like
the current version: a `survey close` run in another process is seen within `PUBLICATION_TTL` seconds.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from survey.access import StaffMember
from survey.db import Mission, MissionBranding, QuestionnaireRow
from survey.publishing import ARCHIVED, CLOSED, OPEN, Publication, TransitionRefused, check_dates, check_transition
from survey.store_audit import record_audit
from survey.store_listings import QUESTIONNAIRE_ID

PUBLICATION_TTL = 5.0  # seconds a state or branding read from the database is trusted
STATE_CHANGE = "state_change"  # audit actions
DATES_CHANGE = "dates_change"
BRANDING_CHANGE = "branding_change"

questionnaire_t, mission_t, branding_t = QuestionnaireRow.__table__, Mission.__table__, MissionBranding.__table__


class UnknownQuestionnaire(LookupError):
    """No questionnaire has this id."""


@dataclass(frozen=True)
class Branding:
    """How a mission's local government appears in the header of respondents' pages and in the PDF."""

    mission_id: str
    name: str = ""
    background: str = ""
    text_colour: str = ""
    logo: bytes | None = None  # PNG, re-encoded (survey/branding.py)
    logo_width: int = 0
    logo_height: int = 0
    updated_at: dt.datetime | None = None

    @property
    def version(self) -> str:
        """Changes with every save: the logo's URL carries it, so a browser never shows an old logo."""
        return str(int(self.updated_at.timestamp())) if self.updated_at else "0"

    @property
    def is_empty(self) -> bool:
        return not (self.name or self.background or self.logo)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive datetimes; every time stored here is UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


def _actor(actor: StaffMember | str) -> dict[str, Any]:
    return {"actor_id": actor.id, "actor": actor.email} if isinstance(actor, StaffMember) else {"actor": actor}


class _Cache:
    """Publications and brandings by questionnaire id, each with the moment it stops being trusted."""

    def __init__(self) -> None:
        self.publications: dict[str, tuple[float, Publication | None]] = {}
        self.brandings: dict[str, tuple[float, Branding | None]] = {}
        self.lock = threading.Lock()

    def forget(self) -> None:
        with self.lock:
            self.publications.clear()
            self.brandings.clear()


class Publishing:
    """States, dates and branding as `Store` methods."""

    engine: Engine

    @property
    def _publishing_cache(self) -> _Cache:
        return self.__dict__.setdefault("_publishing", _Cache())  # one per Store, made on first use

    def publication(self, questionnaire_id: str) -> Publication | None:
        """The questionnaire's state and dates with its mission's; None when there is no such questionnaire."""
        cache = self._publishing_cache
        kept = cache.publications.get(questionnaire_id)
        if kept is not None and kept[0] >= time.monotonic():
            return kept[1]
        if not QUESTIONNAIRE_ID.fullmatch(questionnaire_id):
            return None
        query = (select(questionnaire_t.c.state, questionnaire_t.c.opens_at, questionnaire_t.c.closes_at,
                        questionnaire_t.c.closed_at, mission_t.c.start, mission_t.c.end)
                 .join(mission_t, mission_t.c.id == questionnaire_t.c.mission_id)
                 .where(questionnaire_t.c.id == questionnaire_id))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        found = None if row is None else Publication(row.state, _aware(row.opens_at), _aware(row.closes_at),
                                                     _aware(row.closed_at), row.start, row.end)
        with cache.lock:
            cache.publications[questionnaire_id] = (time.monotonic() + PUBLICATION_TTL, found)
        return found

    def set_state(self, questionnaire_id: str, target: str, actor: StaffMember | str,
                  now: dt.datetime | None = None) -> str:
        """Move the questionnaire to `target` if the rules allow it (`TransitionRefused` else), audited; returns
        the state it left. Closing or archiving records the moment (the grace period counts from it)."""
        now = now or dt.datetime.now(dt.UTC)
        with self.engine.begin() as conn:
            row = conn.execute(select(questionnaire_t.c.state, questionnaire_t.c.closed_at)
                               .where(questionnaire_t.c.id == questionnaire_id).with_for_update()).first()
            if row is None:
                raise UnknownQuestionnaire(questionnaire_id)
            check_transition(row.state, target)
            values: dict[str, Any] = {"state": target}
            if (target == CLOSED and row.state == OPEN) or (target == ARCHIVED and row.closed_at is None):
                values["closed_at"] = now  # an archived draft was never open: it closes now, for good
            elif target == OPEN:
                values["closed_at"] = None
            conn.execute(update(questionnaire_t).where(questionnaire_t.c.id == questionnaire_id).values(**values))
            record_audit(conn, STATE_CHANGE, questionnaire_id=questionnaire_id, at=now,
                         detail={"from": row.state, "to": target}, **_actor(actor))
        self._publishing_cache.forget()
        return row.state

    def set_dates(self, questionnaire_id: str, opens_at: dt.datetime | None, closes_at: dt.datetime | None,
                  actor: StaffMember | str) -> None:
        """Set (or clear, with None) the opening and closing moments, audited; `DateRefused` when it would close
        before it opens."""
        check_dates(opens_at, closes_at)
        with self.engine.begin() as conn:
            row = conn.execute(select(questionnaire_t.c.opens_at, questionnaire_t.c.closes_at)
                               .where(questionnaire_t.c.id == questionnaire_id).with_for_update()).first()
            if row is None:
                raise UnknownQuestionnaire(questionnaire_id)
            conn.execute(update(questionnaire_t).where(questionnaire_t.c.id == questionnaire_id)
                         .values(opens_at=opens_at, closes_at=closes_at))

            def text(moment: dt.datetime | None) -> str:
                return _aware(moment).isoformat() if moment else ""  # type: ignore[union-attr]

            record_audit(conn, DATES_CHANGE, questionnaire_id=questionnaire_id, **_actor(actor),
                         detail={"opens_at": [text(row.opens_at), text(opens_at)],
                                 "closes_at": [text(row.closes_at), text(closes_at)]})
        self._publishing_cache.forget()

    def mission_of(self, questionnaire_id: str) -> str | None:
        """The id of the questionnaire's mission, None when there is no such questionnaire."""
        if not QUESTIONNAIRE_ID.fullmatch(questionnaire_id):
            return None
        with self.engine.connect() as conn:
            return conn.execute(select(questionnaire_t.c.mission_id)
                                .where(questionnaire_t.c.id == questionnaire_id)).scalar()

    def branding(self, mission_id: str) -> Branding:
        """The mission's branding; an empty one (the service's own look) when none was set."""
        with self.engine.connect() as conn:
            row = conn.execute(select(branding_t).where(branding_t.c.mission_id == mission_id)).first()
        if row is None:
            return Branding(mission_id)
        return Branding(row.mission_id, row.name, row.background, row.text_colour, row.logo, row.logo_width,
                        row.logo_height, _aware(row.updated_at))

    def branding_for(self, questionnaire_id: str) -> Branding | None:
        """The branding of the questionnaire's mission (kept in memory a few seconds); None when it has none."""
        cache = self._publishing_cache
        kept = cache.brandings.get(questionnaire_id)
        if kept is not None and kept[0] >= time.monotonic():
            return kept[1]
        mission_id = self.mission_of(questionnaire_id)
        found = self.branding(mission_id) if mission_id else None
        found = None if found is None or found.is_empty else found
        with cache.lock:
            cache.brandings[questionnaire_id] = (time.monotonic() + PUBLICATION_TTL, found)
        return found

    def save_branding(self, branding: Branding, actor: StaffMember | str, *, keep_logo: bool = True) -> Branding:
        """Store the mission's name, colours and logo (already checked), audited. `keep_logo` with no new logo
        keeps the one stored; else the logo given (None: removed)."""
        now = dt.datetime.now(dt.UTC)
        with self.engine.begin() as conn:
            old = conn.execute(select(branding_t).where(branding_t.c.mission_id == branding.mission_id)
                               .with_for_update()).first()
            logo, width, height = branding.logo, branding.logo_width, branding.logo_height
            if logo is None and keep_logo and old is not None:
                logo, width, height = old.logo, old.logo_width, old.logo_height
            values = {"name": branding.name, "background": branding.background, "text_colour": branding.text_colour,
                      "logo": logo, "logo_width": width, "logo_height": height, "updated_at": now}
            if old is None:
                conn.execute(insert(branding_t).values(mission_id=branding.mission_id, **values))
            else:
                conn.execute(update(branding_t).where(branding_t.c.mission_id == branding.mission_id).values(**values))
            record_audit(conn, BRANDING_CHANGE, **_actor(actor), at=now,
                         detail={"mission": branding.mission_id, "name": branding.name,
                                 "background": branding.background, "text_colour": branding.text_colour,
                                 "logo": f"{width}×{height} PNG, {len(logo)} bytes" if logo else "none"})
        self._publishing_cache.forget()
        return Branding(branding.mission_id, branding.name, branding.background, branding.text_colour, logo, width,
                        height, now)


__all__ = ["Branding", "Publishing", "TransitionRefused", "UnknownQuestionnaire"]
