"""The tables. SQLModel declares them; `store.py` holds every query; Alembic migrations create them."""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint, event
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlmodel import Field, SQLModel, create_engine

from survey.channels import CHANNELS, PAPER, TELEPHONE, WEB  # noqa: F401  (`channel` columns' values)
from survey.db_prepared import SQLITE_BUSY_TIMEOUT_MS

JSONType = JSON().with_variant(JSONB(), "postgresql")


class Mission(SQLModel, table=True):
    """An evaluation mission: a client local government, a period; questionnaires and staff belong to it."""

    __tablename__ = "mission"
    id: str = Field(primary_key=True, max_length=64)
    name: str
    client: str = ""
    start: dt.date | None = None
    end: dt.date | None = None


class MissionBranding(SQLModel, table=True):
    """A mission's local government as respondents see it: its name, logo and header colours (also in the PDF).
    The logo is stored re-encoded as PNG by survey/branding.py, never as uploaded."""

    __tablename__ = "mission_branding"
    mission_id: str = Field(foreign_key="mission.id", primary_key=True, max_length=64)
    name: str = Field(default="", max_length=200)
    background: str = Field(default="", max_length=7)  # "#rrggbb", or "" for the service's own colours
    text_colour: str = Field(default="", max_length=7)
    logo: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    logo_width: int = 0
    logo_height: int = 0
    updated_at: dt.datetime


class QuestionnaireRow(SQLModel, table=True):
    """A questionnaire across its versions; `current_version_id` is the one served to respondents."""

    __tablename__ = "questionnaire"
    id: str = Field(primary_key=True, max_length=64)
    mission_id: str = Field(foreign_key="mission.id", index=True)
    title: str
    current_version_id: int | None = None
    # Bumped by every change to responses already stored (marked as test, corrected, deleted, purged): the coded
    # table and the listing's counts, which only add responses with higher ids, rebuild when it moves.
    responses_revision: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # Publishing (survey/publishing.py): draft, open, closed or archived; files loaded from the folder or with
    # `survey load` are open, uploads from the staff pages start as drafts. Optional opening and closing moments,
    # and when it was last closed by hand (the grace period counts from it).
    state: str = Field(default="open", max_length=16, sa_column_kwargs={"server_default": "open"})
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None


class QuestionnaireVersion(SQLModel, table=True):
    """One version of a questionnaire, kept whole so that its responses and forms in progress stay readable."""

    __tablename__ = "questionnaire_version"
    __table_args__ = (UniqueConstraint("questionnaire_id", "version"),)
    id: int | None = Field(default=None, primary_key=True)
    questionnaire_id: str = Field(foreign_key="questionnaire.id", index=True)
    version: str = Field(max_length=32)
    definition: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    content_hash: str = Field(max_length=64)
    source: str = ""
    loaded_at: dt.datetime
    # When a respondent was first shown this version; from then on it never changes (README "Versions").
    served_at: dt.datetime | None = None


class ResponseRow(SQLModel, table=True):
    """A complete response: every answer in one JSON document, written by one INSERT.

    No IP address, no user agent. `submission_key` is the form's one-time key: a resubmitted
    or duplicated form hits the unique constraint instead of storing a second response.
    """

    __tablename__ = "response"
    __table_args__ = (Index("ix_response_version_submitted", "version_id", "submitted_at"),)
    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="questionnaire_version.id")
    submission_key: str = Field(max_length=64, unique=True)
    submitted_at: dt.datetime
    answers: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    # real: a respondent's; test: marked by staff as test data; synthetic: stored by `survey seed`. Only real
    # responses reach results and exports (synthetic ones when asked for): see RESPONSE_STATUSES.
    status: str = Field(default="real", max_length=16, sa_column_kwargs={"server_default": "real"})
    corrected_at: dt.datetime | None = None  # the last correction by staff (each one is in the audit log)
    # How the answers came in: `web` (the respondent), `paper` or `telephone` (typed in by staff, `entered_by`).
    channel: str = Field(default="web", max_length=16, sa_column_kwargs={"server_default": "web"})
    entered_by: int | None = Field(default=None, foreign_key="staff_user.id")


# What a response may be (`response.status`); results and exports count REAL ones only.
REAL, TEST, SYNTHETIC = "real", "test", "synthetic"
RESPONSE_STATUSES = (REAL, TEST, SYNTHETIC)


class FormSession(SQLModel, table=True):
    """A form in progress, kept on the server from its first posted page (store_forms.py): save and resume on any
    device, drop-outs page by page, paper and telephone entry. `key` is the form's URL and its response's
    `submission_key`. A completed or expired form keeps no answers (the response holds them, or nobody may)."""

    __tablename__ = "form_session"
    __table_args__ = (Index("ix_form_session_questionnaire_status", "questionnaire_id", "status"),
                      Index("ix_form_session_status_updated", "status", "updated_at"))
    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    questionnaire_id: str = Field(foreign_key="questionnaire.id", max_length=64)
    version_id: int = Field(foreign_key="questionnaire_version.id")  # a resumed form stays on its version
    language: str = Field(max_length=8)
    page: int = 0  # the page the form's URL shows (its index in the version)
    furthest_page: int = 0  # the furthest page reached: where a drop-out stopped
    pages_visited: list[int] = Field(sa_column=Column(JSONType, nullable=False))
    answers: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    # What the next GET shows once: the page's posted fields, its issues and a notice (post/redirect/get).
    flash: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONType, nullable=True))
    status: str = Field(default="in_progress", max_length=16)  # FORM_STATUSES
    started_at: dt.datetime
    updated_at: dt.datetime
    invitation_id: int | None = Field(default=None, index=True)  # the invitation it answers, if any
    channel: str = Field(default="web", max_length=16)  # CHANNELS
    entered_by: int | None = Field(default=None, foreign_key="staff_user.id")  # staff typing in paper/telephone


IN_PROGRESS, COMPLETED, EXPIRED = "in_progress", "completed", "expired"
FORM_STATUSES = (IN_PROGRESS, COMPLETED, EXPIRED)


class StaffUser(SQLModel, table=True):
    """A member of staff: admin, evaluator, interviewer or consultant."""

    __tablename__ = "staff_user"
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)
    password_hash: str
    role: str = Field(max_length=16)
    created_at: dt.datetime


class Membership(SQLModel, table=True):
    """Which missions a member of staff works on."""

    __tablename__ = "membership"
    user_id: int = Field(foreign_key="staff_user.id", primary_key=True)
    mission_id: str = Field(foreign_key="mission.id", primary_key=True)


class StaffSession(SQLModel, table=True):
    """A login. The cookie holds a random token; only its SHA-256 is stored."""

    __tablename__ = "staff_session"
    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="staff_user.id", index=True)
    expires_at: dt.datetime


class AppSetting(SQLModel, table=True):
    """Values the service makes for itself once, such as its signing key."""

    __tablename__ = "app_setting"
    key: str = Field(primary_key=True, max_length=64)
    value: str


class Job(SQLModel, table=True):
    """A background export or PDF: who asked, with what, how far it got, and the file it left (jobs.py)."""

    __tablename__ = "job"
    __table_args__ = (Index("ix_job_owner_questionnaire", "owner", "questionnaire_id", "created_at"),)
    id: str = Field(primary_key=True, max_length=43)  # secrets.token_urlsafe: the job page's URL is unguessable
    kind: str = Field(max_length=16)  # export, report
    questionnaire_id: str = Field(foreign_key="questionnaire.id", max_length=64)
    params: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))  # format, labels, language
    owner: int = Field(foreign_key="staff_user.id")
    status: str = Field(max_length=16)  # queued, running, done, failed, cancelled
    progress: float = 0.0
    message: str = ""
    file_name: str = ""  # the name offered on download
    path: str = ""  # the file inside SURVEY_EXPORT_DIR; emptied when it expires
    error: str = ""  # one line for the user, never a traceback
    created_at: dt.datetime
    finished_at: dt.datetime | None = None
    # Touched every few seconds while a worker runs the job: a running job whose heartbeat stopped lost its worker.
    heartbeat_at: dt.datetime | None = None


class ApiToken(SQLModel, table=True):
    """A personal API token: shown once when made; only its SHA-256 is kept. Acts as its owner, nothing more."""

    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="staff_user.id", index=True)
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: dt.datetime
    last_used_at: dt.datetime | None = None
    revoked_at: dt.datetime | None = None


class LoginThrottle(SQLModel, table=True):
    """Failed logins per account or per address (`key` is "account:<email>" or "address:<sha256>")."""

    __tablename__ = "login_throttle"
    key: str = Field(primary_key=True, max_length=300)
    failures: int = 0
    last_failure_at: dt.datetime | None = None
    locked_until: dt.datetime | None = None


class AuditEvent(SQLModel, table=True):
    """Who did what, when, to which questionnaire and why: exports, raw exports, state changes, unlocks."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_questionnaire_at", "questionnaire_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = Field(index=True)
    actor_id: int | None = Field(default=None, foreign_key="staff_user.id")
    actor: str = Field(default="", max_length=254)  # e-mail or "cli:<user>", kept if the account goes
    action: str = Field(max_length=32)
    questionnaire_id: str | None = Field(default=None, max_length=64)
    reason: str = ""
    detail: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))


class Invitation(SQLModel, table=True):
    """A person invited to answer one questionnaire through a personal link (`survey/store_invitations.py`).

    Kept apart from the answers: no response row names an invitation, and an invitation names no response. What
    it tracks is flags, not times, where a time could be matched with a response's: `completed` carries no moment
    and no response id (README "Invitations: what cannot be linked").
    """

    __tablename__ = "invitation"
    __table_args__ = (UniqueConstraint("questionnaire_id", "email"),)
    id: int | None = Field(default=None, primary_key=True)
    questionnaire_id: str = Field(foreign_key="questionnaire.id", max_length=64, index=True)
    email: str = Field(max_length=254)
    name: str = Field(default="", max_length=200)
    language: str = Field(default="", max_length=8)  # of the e-mails and the form; "" = the questionnaire's own
    # Answers filled in for the invitee from the contact list's other columns: question name → answer as stored.
    attributes: dict[str, Any] = Field(sa_column=Column(JSONType, nullable=False))
    token: str = Field(max_length=64, unique=True)  # secrets.token_urlsafe: the personal link's last part
    created_at: dt.datetime
    sent_at: dt.datetime | None = None  # the invitation e-mail
    reminded_at: dt.datetime | None = None  # the last reminder
    reminders: int = 0
    opened: bool = False  # the link was followed
    completed: bool = False  # a response was stored with this token
    revoked_at: dt.datetime | None = None


class QuotaCount(SQLModel, table=True):
    """Real responses counted in each cell of a questionnaire's quotas (survey/store_quotas.py).

    Raised in the transaction that stores a response, by one INSERT … ON CONFLICT DO UPDATE for all its cells that
    adds 1 only while a cell has room: the exact count under concurrent submissions, on both databases. Lowered
    when a counted response is deleted or marked as test data.
    """

    __tablename__ = "quota_count"
    questionnaire_id: str = Field(foreign_key="questionnaire.id", primary_key=True, max_length=64)
    quota: str = Field(primary_key=True, max_length=48)
    cell: str = Field(primary_key=True, max_length=300)  # codes joined by `|` ("" for a cap on the total)
    n: int = 0
    cap: int = 0  # the cell's limit when a place was last claimed: the claim's one statement compares n with it


class QuotaPlace(SQLModel, table=True):
    """A place a stored response took in a quota cell: what to give back when it is deleted or marked as test."""

    __tablename__ = "quota_place"
    __table_args__ = (Index("ix_quota_place_cell", "questionnaire_id", "quota", "cell"),)
    response_id: int = Field(foreign_key="response.id", ondelete="CASCADE", primary_key=True)
    quota: str = Field(primary_key=True, max_length=48)
    questionnaire_id: str = Field(foreign_key="questionnaire.id", max_length=64)
    cell: str = Field(max_length=300)


# The interview tables are declared in their own module; imported here so that `metadata` holds them.
from survey import db_interviews  # noqa: E402, F401

metadata = SQLModel.metadata


def make_engine(url: str) -> Engine:
    """An engine; SQLite gets WAL, synchronous=FULL, a busy timeout and foreign keys on every connection."""
    if url.startswith("sqlite"):
        # As many pooled connections as the worker threads that answer requests (anyio's default: 40): with the
        # default 5, most requests under load opened a connection (and ran the pragmas below) then closed it.
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, pool_size=40,
                               max_overflow=20, pool_use_lifo=True)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
            _use_wal(cursor)
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def _use_wal(cursor: Any, wait: float = 30.0) -> None:
    """Put the SQLite file in WAL mode, once. Switching needs the file to itself and answers "database is locked"
    at once — the busy timeout does not apply — while another process holds it: processes starting together on a
    new file, one of them creating the tables, did fail so. The mode is read first (a file in WAL mode stays in
    it), and a switch refused as locked is tried again until the holder is done."""
    deadline = time.monotonic() + wait
    while True:
        try:
            if str(cursor.execute("PRAGMA journal_mode").fetchone()[0]).lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
