"""SQL of coded passages: a passage of a slot's text, marked (as a verbatim quote or not) and tagged with codes.
A mixin of `survey.store.Store` (through `Interviews`). When a slot's text is saved, its passages follow it
(`survey.anchoring`); one whose text is gone is kept detached. Once the interview is complete, every change to its
coding (a passage marked or removed, a code given or taken off) is written to its audit trail like
a change to its text, as `passage:<slot>` with the passage before and after in words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from survey.anchoring import reanchor_all
from survey.db_interviews import (
    InterviewAudit,
    InterviewCode,
    InterviewRow,
    InterviewSegment,
    InterviewSegmentCode,
    InterviewText,
)
from survey.store_codebook import InterviewError, is_row_id

interview_t, text_t, audit_t = InterviewRow.__table__, InterviewText.__table__, InterviewAudit.__table__
segment_t, segment_code_t, code_t = InterviewSegment.__table__, InterviewSegmentCode.__table__, InterviewCode.__table__
IN_PROGRESS, COMPLETE = "in_progress", "complete"  # an interview's status; once complete, every change is audited


@dataclass(frozen=True)
class Segment:
    """A coded passage; `start`/`end` are None when its text no longer holds it (detached, kept)."""

    id: int
    interview_id: int
    slot: str
    start: int | None
    end: int | None
    text: str
    is_quote: bool
    code_ids: tuple[int, ...]
    created_by: int | None
    created_at: dt.datetime

    @property
    def detached(self) -> bool:
        return self.start is None


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive datetimes; every time stored here is UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


def _audit(conn: Connection, interview_id: int, staff_id: int | None, at: dt.datetime, slot: str, before: Any,
           after: Any) -> None:
    """One row of an interview's audit trail (who, when, what, before, after)."""
    conn.execute(insert(audit_t).values(interview_id=interview_id, staff_id=staff_id, at=at, slot=slot,
                                        before="" if before is None else str(before),
                                        after="" if after is None else str(after)))


def _stored(conn: Connection, interview_id: int, slot: str) -> tuple[int, str] | None:
    """(revision, body) of a slot, or None when it was never saved."""
    row = conn.execute(select(text_t.c.revision, text_t.c.body)
                       .where(text_t.c.interview_id == interview_id, text_t.c.slot == slot)).first()
    return (row.revision, row.body) if row else None


class Segments:
    """Coded passages (mixin; `Interviews` provides `_check_slot` and `_check_code`)."""

    engine: Engine

    _check_slot: Any  # Interviews._check_slot(conn, interview_id, slot) -> status
    _check_code: Any  # Codebook._check_code(conn, code_id, grid_id)

    def _dialect_insert(self, table: Any) -> Any:
        return (postgresql if self.engine.dialect.name == "postgresql" else sqlite).insert(table)

    def _reanchor(self, conn: Connection, interview_id: int, slot: str, old: str, new: str) -> None:
        segments = self._segments(conn, (segment_t.c.interview_id == interview_id) & (segment_t.c.slot == slot))
        spans = [(None if s.start is None else (s.start, s.end), s.text) for s in segments]
        moved = [{"sid": segment.id, "at": now[0] if now else None, "to": now[1] if now else None}
                 for segment, (span, _), now in zip(segments, spans, reanchor_all(old, new, spans), strict=True)
                 if now != span]
        if moved:  # one statement for all of them
            conn.execute(update(segment_t).where(segment_t.c.id == bindparam("sid"))
                         .values(start=bindparam("at"), end=bindparam("to")), moved)

    def add_segment(self, interview_id: int, slot: str, start: int, end: int, *, staff_id: int | None = None,
                    is_quote: bool = False, code_ids: Iterable[int] = (), revision: int | None = None) -> Segment:
        """Mark the passage [start, end) of a slot's stored text, optionally as a verbatim quote and with codes.
        With `revision`, refused (InterviewError) unless the text is still at that revision."""
        with self.engine.begin() as conn:
            self._check_slot(conn, interview_id, slot)
            stored = _stored(conn, interview_id, slot)
            current, body = stored if stored else (0, "")
            if revision is not None and revision != current:
                raise InterviewError(f"the text changed since revision {revision} (now {current}): mark it again")
            if not 0 <= start < end <= len(body):
                raise InterviewError(f"passage {start}–{end} is outside the text ({len(body)} characters)")
            grid_id = conn.execute(select(interview_t.c.grid_id).where(interview_t.c.id == interview_id)).scalar()
            segment_id = conn.execute(insert(segment_t).values(
                interview_id=interview_id, slot=slot, start=start, end=end, text=body[start:end], is_quote=is_quote,
                created_by=staff_id, created_at=_now())).inserted_primary_key[0]
            for code_id in dict.fromkeys(code_ids):
                self._check_code(conn, code_id, grid_id)
                conn.execute(insert(segment_code_t).values(segment_id=segment_id, code_id=code_id))
            self._audit_coding(conn, segment_id, staff_id, "")
            return self._segments(conn, segment_t.c.id == segment_id)[0]

    def segment(self, segment_id: int) -> Segment | None:
        with self.engine.connect() as conn:
            found = self._segments(conn, segment_t.c.id == segment_id)
        return found[0] if found else None

    def delete_segment(self, segment_id: int, *, staff_id: int | None = None) -> bool:
        """Remove a coded passage and its codes (the text stays); False when there was none."""
        with self.engine.begin() as conn:
            before = self._coding(conn, segment_id)
            conn.execute(delete(segment_code_t).where(segment_code_t.c.segment_id == segment_id))
            self._audit_coding(conn, segment_id, staff_id, before, gone=True)
            return bool(conn.execute(delete(segment_t).where(segment_t.c.id == segment_id)).rowcount)

    def tag_segment(self, segment_id: int, code_id: int, *, staff_id: int | None = None) -> bool:
        """Give a passage a code of its grid; False when it already had it."""
        with self.engine.begin() as conn:
            grid_id = conn.execute(select(interview_t.c.grid_id).join(segment_t, segment_t.c.interview_id ==
                                                                      interview_t.c.id)
                                   .where(segment_t.c.id == segment_id)).scalar()
            if grid_id is None:
                raise InterviewError(f"no coded passage {segment_id}")
            self._check_code(conn, code_id, grid_id)
            before = self._coding(conn, segment_id)
            added = conn.execute(self._dialect_insert(segment_code_t).values(segment_id=segment_id, code_id=code_id)
                                 .on_conflict_do_nothing()).rowcount == 1
            self._audit_coding(conn, segment_id, staff_id, before)
            return added

    def untag_segment(self, segment_id: int, code_id: int, *, staff_id: int | None = None) -> bool:
        """Take a code off a passage; False when it did not have it."""
        if not is_row_id(code_id):
            return False
        with self.engine.begin() as conn:
            before = self._coding(conn, segment_id)
            taken = bool(conn.execute(delete(segment_code_t).where(segment_code_t.c.segment_id == segment_id,
                                                                   segment_code_t.c.code_id == code_id)).rowcount)
            self._audit_coding(conn, segment_id, staff_id, before)
            return taken

    # --- the audit trail of a complete interview's coding ------------------------------------------

    @staticmethod
    def _coding(conn: Connection, segment_id: int) -> str:
        """A passage in words for the audit trail: its text (in « » when a verbatim quote), then its codes."""
        row = conn.execute(select(segment_t.c.text, segment_t.c.is_quote).where(segment_t.c.id == segment_id)).first()
        if row is None:
            return ""
        codes = conn.execute(select(code_t.c.code).join(segment_code_t, segment_code_t.c.code_id == code_t.c.id)
                             .where(segment_code_t.c.segment_id == segment_id).order_by(code_t.c.code)).scalars()
        text = f"« {row.text} »" if row.is_quote else row.text
        return f"{text} [{', '.join(codes)}]"

    def _audit_coding(self, conn: Connection, segment_id: int, staff_id: int | None, before: str, *,
                      gone: bool = False) -> None:
        """Write the passage's change to the audit trail when its interview is complete and something changed."""
        row = conn.execute(select(segment_t.c.interview_id, segment_t.c.slot, interview_t.c.status)
                           .join(interview_t, interview_t.c.id == segment_t.c.interview_id)
                           .where(segment_t.c.id == segment_id)).first()
        after = "" if gone else self._coding(conn, segment_id)
        if row is not None and row.status == COMPLETE and after != before:
            _audit(conn, row.interview_id, staff_id, _now(), f"passage:{row.slot}", before, after)

    @staticmethod
    def _segments(conn: Connection, condition: Any) -> list[Segment]:
        rows = conn.execute(select(segment_t).where(condition).order_by(segment_t.c.id)).all()
        codes: dict[int, list[int]] = {row.id: [] for row in rows}
        ids = list(codes)
        for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
            for link in conn.execute(select(segment_code_t).where(segment_code_t.c.segment_id.in_(chunk))
                                     .order_by(segment_code_t.c.code_id)):
                codes[link.segment_id].append(link.code_id)
        return [Segment(r.id, r.interview_id, r.slot, r.start, r.end, r.text, r.is_quote, tuple(codes[r.id]),
                        r.created_by, _aware(r.created_at)) for r in rows]  # type: ignore[arg-type]
