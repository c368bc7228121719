"""The interview tables: grids and their versions, interviews, typed texts, applied saves, codes, coded passages and
the audit trail of completed interviews. Queries are in store_interviews.py, store_grids.py, store_segments.py and
store_codebook.py; migration 0011 creates the tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from survey.db import JSONType

__all__ = ["InterviewAudit", "InterviewCode", "InterviewGridRow", "InterviewGridVersion", "InterviewRow",
           "InterviewSave", "InterviewSegment", "InterviewSegmentCode", "InterviewText"]


class InterviewGridRow(SQLModel, table=True):
    """An interview grid across its versions; `current_version_id` is the one new interviews follow."""

    __tablename__ = "interview_grid"
    id: str = Field(primary_key=True, max_length=64)
    mission_id: str = Field(foreign_key="mission.id", index=True)
    title: str
    current_version_id: int | None = None


class InterviewGridVersion(SQLModel, table=True):
    """One version of a grid, kept whole: an interview follows the version it was started on, which never changes
    once an interview uses it (store_interviews.py `load_grid`)."""

    __tablename__ = "interview_grid_version"
    __table_args__ = (UniqueConstraint("grid_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    grid_id: str = Field(foreign_key="interview_grid.id", max_length=64, index=True)
    mission_id: str = Field(foreign_key="mission.id", max_length=64)
    version: str = Field(max_length=32)
    definition: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    content_hash: str = Field(max_length=64)
    source: str = ""
    loaded_at: dt.datetime


class InterviewRow(SQLModel, table=True):
    """An interview: who was met (profile), by whom, how, and how far it got. `number` counts interviewees per
    grid and category and makes the pseudonym ("Élu·e 3"); `interviewee_name` is for staff and never exported."""

    __tablename__ = "interview"
    __table_args__ = (UniqueConstraint("grid_id", "category", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    grid_version_id: int = Field(foreign_key="interview_grid_version.id")
    grid_id: str = Field(foreign_key="interview_grid.id", max_length=64, index=True)
    number: int
    category: str = Field(max_length=48)
    organisation: str = Field(default="", max_length=200)
    role: str = Field(default="", max_length=200)
    site: str = Field(default="", max_length=64)
    interviewee_name: str = Field(default="", max_length=200)
    channel: str = Field(default="face_to_face", max_length=16)  # face_to_face, telephone, video
    interviewer_id: int | None = Field(default=None, foreign_key="staff_user.id")
    consent: bool | None = None  # to recording: asked after the introduction
    status: str = Field(default="in_progress", max_length=16)  # in_progress, complete
    synthetic: bool = False  # made by `survey seed` for demos and tests: left out of analyses unless asked
    started_at: dt.datetime
    completed_at: dt.datetime | None = None
    updated_at: dt.datetime


class InterviewText(SQLModel, table=True):
    """What was typed or imported in one slot of an interview (`note:<question>`, `summary:<theme>`,
    `closed:<name>`, `transcript`). `revision` goes up by one per save; a save names the revision it was based on
    and is refused when that is not the stored one."""

    __tablename__ = "interview_text"
    __table_args__ = (UniqueConstraint("interview_id", "slot"),)
    id: int | None = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interview.id")
    slot: str = Field(max_length=80)
    body: str
    revision: int
    updated_at: dt.datetime
    updated_by: int | None = Field(default=None, foreign_key="staff_user.id")


class InterviewSave(SQLModel, table=True):
    """A save applied, by the id its client gave it: a resend (its acknowledgement was lost) finds it here and is
    answered with the revision it made, never applied twice."""

    __tablename__ = "interview_save"
    save_id: str = Field(primary_key=True, max_length=64)
    interview_id: int = Field(foreign_key="interview.id", index=True)
    slot: str = Field(max_length=80)
    revision: int
    at: dt.datetime


class InterviewCode(SQLModel, table=True):
    """A code of a grid's codebook, seeded from the grid file and then recoded in place (renamed, merged, split).
    A merged code stays as a row pointing at the code it went into; `aliases` keeps former names, so that loading
    the grid file again does not bring either back."""

    __tablename__ = "interview_code"
    __table_args__ = (UniqueConstraint("grid_id", "code"),)
    id: int | None = Field(default=None, primary_key=True)
    grid_id: str = Field(foreign_key="interview_grid.id", max_length=64, index=True)
    code: str = Field(max_length=64)
    parent_id: int | None = Field(default=None, foreign_key="interview_code.id")
    label: str
    definition: str = ""
    example: str = ""
    position: int = 0
    merged_into_id: int | None = Field(default=None, foreign_key="interview_code.id")
    aliases: list[str] = Field(sa_column=Column(JSONType, nullable=False))


class InterviewSegment(SQLModel, table=True):
    """A coded passage of a slot: its place (`start`, `end`, in characters) and the text it had when marked. When
    the slot's text changes the passage is found again; one that no longer exists is kept detached (no place)."""

    __tablename__ = "interview_segment"
    id: int | None = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interview.id", index=True)
    slot: str = Field(max_length=80)
    start: int | None = None
    end: int | None = None
    text: str
    is_quote: bool = False  # a verbatim quote, not the interviewer's paraphrase
    created_by: int | None = Field(default=None, foreign_key="staff_user.id")
    created_at: dt.datetime


class InterviewSegmentCode(SQLModel, table=True):
    """A code given to a passage."""

    __tablename__ = "interview_segment_code"
    segment_id: int = Field(foreign_key="interview_segment.id", primary_key=True)
    code_id: int = Field(foreign_key="interview_code.id", primary_key=True, index=True)


class InterviewAudit(SQLModel, table=True):
    """An edit of a completed interview: who, when, which slot (or profile field), before and after."""

    __tablename__ = "interview_audit"
    id: int | None = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interview.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff_user.id")
    at: dt.datetime
    slot: str = Field(max_length=80)
    before: str
    after: str
