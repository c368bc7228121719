"""SQL of interviews: profiles, what is typed in them and the audit trail of completed ones. A mixin of
`survey.store.Store`, built on the grids (`store_grids.py`), coded passages (`store_segments.py`) and the codebook
with its recoding (`store_codebook.py`).

Nothing typed is lost and nothing is overwritten silently. Every save of a slot names the revision it was based on
(0 for a slot never saved) and a `save_id` its client chose: a save based on another revision than the stored one
is refused with the stored text (a conflict the interviewer resolves, seeing both), and a save resent because its
acknowledgement was lost finds its `save_id` already applied and is answered with the revision it made. The check
is one conditional UPDATE (`WHERE revision = base`), so it holds between processes and across restarts on SQLite
and PostgreSQL alike. Once an interview is complete, every change to it is also written to `interview_audit`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from survey.db_interviews import (
    InterviewAudit,
    InterviewGridRow,
    InterviewRow,
    InterviewSave,
    InterviewSegment,
    InterviewSegmentCode,
    InterviewText,
)
from survey.schema.interview import InterviewGrid
from survey.store_codebook import InterviewError, NewCode, StoredCode, is_row_id
from survey.store_grids import GridListing, Grids, LoadedGrid
from survey.store_segments import COMPLETE, IN_PROGRESS, Segment, Segments, _audit, _aware, _now, _stored

interview_t, text_t, save_t = InterviewRow.__table__, InterviewText.__table__, InterviewSave.__table__
audit_t, segment_t = InterviewAudit.__table__, InterviewSegment.__table__
segment_code_t, grid_row_t = InterviewSegmentCode.__table__, InterviewGridRow.__table__

CHANNELS = ("face_to_face", "telephone", "video")
TEXT_MAX = 1_000_000  # characters in one slot: a two-hour transcript is about 150,000
SAVE_ID = re.compile(r"[A-Za-z0-9_.:-]{8,64}")
PROFILE_CHANGES = ("category", "organisation", "role", "site", "interviewee_name", "channel", "consent")

__all__ = ["CHANNELS", "COMPLETE", "IN_PROGRESS", "AuditEntry", "GridListing", "Interview", "InterviewError",
           "Interviews", "LoadedGrid", "NewCode", "SaveResult", "Segment", "StoredCode", "StoredText"]


@dataclass(frozen=True)
class StoredText:
    slot: str
    body: str
    revision: int
    updated_at: dt.datetime
    updated_by: int | None


@dataclass(frozen=True)
class Interview:
    """An interview with everything typed in it and its coded passages."""

    id: int
    grid_id: str
    grid_version_id: int
    number: int
    category: str
    organisation: str
    role: str
    site: str
    interviewee_name: str  # staff only: never exported
    channel: str
    interviewer_id: int | None
    consent: bool | None
    status: str
    synthetic: bool
    started_at: dt.datetime
    completed_at: dt.datetime | None
    updated_at: dt.datetime
    texts: dict[str, StoredText] = field(default_factory=dict)
    segments: tuple[Segment, ...] = ()

    @property
    def complete(self) -> bool:
        return self.status == COMPLETE

    def body(self, slot: str) -> str:
        """The slot's text ("" when nothing was saved in it)."""
        stored = self.texts.get(slot)
        return stored.body if stored else ""

    def revision(self, slot: str) -> int:
        """The slot's revision (0 when nothing was saved in it): the base of the next save."""
        stored = self.texts.get(slot)
        return stored.revision if stored else 0


@dataclass(frozen=True)
class SaveResult:
    """What a save did: `saved` (revision made), `duplicate` (this save_id was applied before, as `revision`) or
    `conflict` (refused: `revision` and `body` are the stored ones, to show beside the client's)."""

    status: Literal["saved", "duplicate", "conflict"]
    revision: int
    body: str

    @property
    def ok(self) -> bool:
        return self.status != "conflict"


@dataclass(frozen=True)
class AuditEntry:
    id: int
    interview_id: int
    staff_id: int | None
    at: dt.datetime
    slot: str  # a slot, or `profile:<field>`
    before: str
    after: str


class _Applied(Exception):
    """The save_id went in from another process meanwhile: roll back and answer as for a resend."""


class Interviews(Segments, Grids):
    """Interview grids and interviews (mixin of `Store`, which provides `engine`)."""

    # --- interviews ---------------------------------------------------------

    def start_interview(self, grid_id: str, *, category: str, interviewer_id: int | None = None,
                        interviewee_name: str = "", organisation: str = "", role: str = "", site: str = "",
                        channel: str = "face_to_face", consent: bool | None = None, synthetic: bool = False,
                        at: dt.datetime | None = None) -> Interview:
        """Start an interview on the grid's current version; it is numbered within its category ("Élu·e 3")."""
        loaded = self.grid(grid_id)
        if loaded is None:
            raise InterviewError(f"no interview grid '{grid_id}'")
        profile = {"category": category, "interviewee_name": interviewee_name, "organisation": organisation,
                   "role": role, "site": site, "channel": channel, "consent": consent}
        _check_profile(loaded.grid, profile)
        moment = at or _now()
        for _ in range(10):  # two interviews started at once may draw the same number: the loser draws again
            try:
                with self.engine.begin() as conn:
                    number = _next_number(conn, grid_id, category)
                    new_id = conn.execute(insert(interview_t).values(
                        grid_version_id=loaded.version_id, grid_id=grid_id, number=number,
                        interviewer_id=interviewer_id, status=IN_PROGRESS, synthetic=synthetic, started_at=moment,
                        updated_at=moment, **profile)).inserted_primary_key[0]
                break
            except IntegrityError:
                continue
        else:
            raise InterviewError("could not number the interview: too many started at once — try again")
        started = self.interview(new_id)
        assert started is not None
        return started

    def interview(self, interview_id: int) -> Interview | None:
        """An interview with its texts and coded passages, or None."""
        found = self._interviews(interview_t.c.id == interview_id) if is_row_id(interview_id) else []
        return found[0] if found else None

    def interviews(self, grid_id: str, include_synthetic: bool = True) -> list[Interview]:
        """Every interview of a grid (any version), by category and number, with texts and coded passages."""
        condition = interview_t.c.grid_id == grid_id
        if not include_synthetic:
            condition = condition & interview_t.c.synthetic.is_(False)
        return self._interviews(condition)

    def _interviews(self, condition: Any) -> list[Interview]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(interview_t).where(condition)
                                .order_by(interview_t.c.category, interview_t.c.number)).all()
            ids = [row.id for row in rows]
            texts: dict[int, dict[str, StoredText]] = {i: {} for i in ids}
            segments: dict[int, list[Segment]] = {i: [] for i in ids}
            for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
                for t in conn.execute(select(text_t).where(text_t.c.interview_id.in_(chunk))):
                    texts[t.interview_id][t.slot] = StoredText(t.slot, t.body, t.revision, _aware(t.updated_at),
                                                               t.updated_by)  # type: ignore[arg-type]
                for segment in self._segments(conn, segment_t.c.interview_id.in_(chunk)):
                    segments[segment.interview_id].append(segment)
        return [Interview(
            r.id, r.grid_id, r.grid_version_id, r.number, r.category, r.organisation, r.role, r.site,
            r.interviewee_name, r.channel, r.interviewer_id, r.consent, r.status, r.synthetic,
            _aware(r.started_at), _aware(r.completed_at), _aware(r.updated_at),  # type: ignore[arg-type]
            texts[r.id], tuple(segments[r.id])) for r in rows]

    def update_interview(self, interview_id: int, staff_id: int | None, **changes: Any) -> Interview:
        """Change profile fields (category, organisation, role, site, interviewee_name, channel, consent); a new
        category gives a new number in it. Audited once the interview is complete."""
        unknown = sorted(set(changes) - set(PROFILE_CHANGES))
        if unknown:
            raise InterviewError(f"cannot change {', '.join(unknown)} of an interview")
        current = self.interview(interview_id)
        if current is None:
            raise InterviewError(f"no interview {interview_id}")
        loaded = self.grid_version(current.grid_version_id)
        assert loaded is not None
        profile = {name: getattr(current, name) for name in PROFILE_CHANGES} | changes
        _check_profile(loaded.grid, profile)
        changed = {name: value for name, value in changes.items() if getattr(current, name) != value}
        if not changed:
            return current
        moment = _now()
        for _ in range(10):  # a new category's number may be drawn at once by an interview started in it
            try:
                with self.engine.begin() as conn:
                    values = dict(changed, updated_at=moment)
                    if "category" in changed:
                        values["number"] = _next_number(conn, current.grid_id, changed["category"])
                    conn.execute(update(interview_t).where(interview_t.c.id == interview_id).values(**values))
                    if current.complete:
                        for name, value in changed.items():
                            _audit(conn, interview_id, staff_id, moment, f"profile:{name}", getattr(current, name),
                                   value)
                break
            except IntegrityError:
                continue
        else:
            raise InterviewError("could not number the interview in its new category — try again")
        updated = self.interview(interview_id)
        assert updated is not None
        return updated

    def complete_interview(self, interview_id: int, staff_id: int | None = None) -> Interview:
        """Mark an interview complete (again: no change); from now on every edit is audited."""
        moment = _now()
        with self.engine.begin() as conn:
            changed = conn.execute(update(interview_t).where(interview_t.c.id == interview_id,
                                                             interview_t.c.status == IN_PROGRESS)
                                   .values(status=COMPLETE, completed_at=moment, updated_at=moment)).rowcount
            if changed:
                _audit(conn, interview_id, staff_id, moment, "status", IN_PROGRESS, COMPLETE)
        done = self.interview(interview_id)
        if done is None:
            raise InterviewError(f"no interview {interview_id}")
        return done

    def purge_synthetic_interviews(self, grid_id: str) -> int:
        """Delete the synthetic interviews of a grid (`survey seed`'s) with all they hold; how many went."""
        from sqlalchemy import delete

        synthetic = select(interview_t.c.id).where(interview_t.c.grid_id == grid_id, interview_t.c.synthetic.is_(True))
        passages = select(segment_t.c.id).where(segment_t.c.interview_id.in_(synthetic))
        with self.engine.begin() as conn:
            conn.execute(delete(segment_code_t).where(segment_code_t.c.segment_id.in_(passages)))
            for table in (segment_t, text_t, save_t, audit_t):
                conn.execute(delete(table).where(table.c.interview_id.in_(synthetic)))
            return conn.execute(delete(interview_t).where(interview_t.c.id.in_(synthetic))).rowcount

    # --- texts ----------------------------------------------------------------

    def save_text(self, interview_id: int, slot: str, body: str, *, base_revision: int, save_id: str,
                  staff_id: int | None = None) -> SaveResult:
        """Save a slot's text if `base_revision` is the stored revision (0: never saved); see the module's doc.

        A save whose text is already the stored one is no conflict, whatever its base: it is answered with the
        stored revision. Coded passages of the slot follow the new text (`survey.anchoring`).
        """
        if not SAVE_ID.fullmatch(save_id):
            raise InterviewError("save_id: 8 to 64 letters, digits or `_.:-` (a random id chosen by the client)")
        if len(body) > TEXT_MAX:
            raise InterviewError(f"the text is longer than {TEXT_MAX:,} characters — split it")
        if base_revision < 0:
            raise InterviewError("base_revision cannot be negative")
        for _ in range(3):
            try:
                return self._save(interview_id, slot, body, base_revision, save_id, staff_id)
            except _Applied:
                continue  # the same save went in from another request meanwhile: now it is found applied
        raise InterviewError("the save could not be recorded — send it again")

    def _save(self, interview_id: int, slot: str, body: str, base: int, save_id: str,
              staff_id: int | None) -> SaveResult:
        moment = _now()
        with self.engine.begin() as conn:
            applied = conn.execute(select(save_t.c.revision, save_t.c.interview_id, save_t.c.slot)
                                   .where(save_t.c.save_id == save_id)).first()
            if applied is not None:
                if (applied.interview_id, applied.slot) != (interview_id, slot):
                    raise InterviewError("this save_id was used for another slot — choose a new one per save")
                stored = _stored(conn, interview_id, slot)
                return SaveResult("duplicate", applied.revision, stored[1] if stored else "")
            status = self._check_slot(conn, interview_id, slot)
            stored = _stored(conn, interview_id, slot)
            old_body, revision = (stored[1], stored[0]) if stored else ("", 0)
            if revision != base:
                if body == old_body:  # both sides typed the same: nothing to resolve
                    self._record_save(conn, save_id, interview_id, slot, revision, moment)
                    return SaveResult("saved", revision, old_body)
                return SaveResult("conflict", revision, old_body)
            new_revision = base + 1
            values = {"body": body, "revision": new_revision, "updated_at": moment, "updated_by": staff_id}
            if base == 0:
                done = conn.execute(self._dialect_insert(text_t).values(interview_id=interview_id, slot=slot, **values)
                                    .on_conflict_do_nothing(index_elements=["interview_id", "slot"])
                                    .returning(text_t.c.id)).first()
            else:
                done = conn.execute(update(text_t).where(text_t.c.interview_id == interview_id, text_t.c.slot == slot,
                                                         text_t.c.revision == base)
                                    .values(**values).returning(text_t.c.id)).first()
            if done is None:  # another save got in between the read and this write
                stored = _stored(conn, interview_id, slot)
                return SaveResult("conflict", stored[0] if stored else 0, stored[1] if stored else "")
            self._record_save(conn, save_id, interview_id, slot, new_revision, moment)
            self._reanchor(conn, interview_id, slot, old_body, body)
            conn.execute(update(interview_t).where(interview_t.c.id == interview_id).values(updated_at=moment))
            if status == COMPLETE:
                _audit(conn, interview_id, staff_id, moment, slot, old_body, body)
        return SaveResult("saved", new_revision, body)

    def _record_save(self, conn: Connection, save_id: str, interview_id: int, slot: str, revision: int,
                     moment: dt.datetime) -> None:
        went_in = conn.execute(self._dialect_insert(save_t).values(
            save_id=save_id, interview_id=interview_id, slot=slot, revision=revision, at=moment)
            .on_conflict_do_nothing(index_elements=["save_id"]).returning(save_t.c.save_id)).first()
        if went_in is None:
            raise _Applied

    def _check_slot(self, conn: Connection, interview_id: int, slot: str) -> str:
        """The interview's status; InterviewError when there is no such interview or its grid has no such slot."""
        row = conn.execute(select(interview_t.c.status, interview_t.c.grid_version_id)
                           .where(interview_t.c.id == interview_id)).first()
        if row is None:
            raise InterviewError(f"no interview {interview_id}")
        loaded = self._grid_version(conn, row.grid_version_id)
        if loaded is None or slot not in loaded.grid.slots():
            raise InterviewError(f"the interview's grid has no slot `{slot}`")
        return row.status

    # --- audit ---------------------------------------------------------------------

    def interview_audit(self, interview_id: int) -> list[AuditEntry]:
        """Every change to an interview once complete, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(audit_t).where(audit_t.c.interview_id == interview_id)
                                .order_by(audit_t.c.id)).all()
        return [AuditEntry(r.id, r.interview_id, r.staff_id, _aware(r.at), r.slot, r.before, r.after)  # type: ignore
                for r in rows]


def _next_number(conn: Connection, grid_id: str, category: str) -> int:
    """The next number in a category. A write to the grid's row comes first: it locks the row until the transaction
    ends on PostgreSQL and starts the write transaction on SQLite, so interviews started at once are numbered one
    after the other (the unique constraint and a retry remain the last guard)."""
    conn.execute(update(grid_row_t).where(grid_row_t.c.id == grid_id).values(title=grid_row_t.c.title))
    highest = conn.execute(select(func.max(interview_t.c.number))
                           .where(interview_t.c.grid_id == grid_id, interview_t.c.category == category)).scalar()
    return (highest or 0) + 1


def _check_profile(grid: InterviewGrid, profile: dict[str, Any]) -> None:
    """A category of the grid, a site of its list (when it has one), a known channel, fields within size."""
    if grid.profile.category(profile["category"]) is None:
        codes = ", ".join(c.code for c in grid.profile.categories)
        raise InterviewError(f"category `{profile['category']}` is not in the grid — use one of: {codes}")
    sites = [site.code for site in grid.profile.sites]
    if profile["site"] and sites and profile["site"] not in sites:
        raise InterviewError(f"site `{profile['site']}` is not in the grid's list — use one of: {', '.join(sites)}")
    if profile["channel"] not in CHANNELS:
        raise InterviewError(f"channel `{profile['channel']}` — use one of: {', '.join(CHANNELS)}")
    for name, limit in (("interviewee_name", 200), ("organisation", 200), ("role", 200), ("site", 64)):
        if len(profile[name] or "") > limit:
            raise InterviewError(f"{name}: at most {limit} characters")
