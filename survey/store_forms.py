"""Forms in progress kept on the server (a mixin of `Store`): save and resume, drop-outs, paper and telephone entry.

A form session starts with a respondent's first posted page — never with a GET, which crawlers make — and is
saved by one UPDATE per page, committed without waiting for the disk (`raw_transaction`'s `durable=False`). Its
`key` is the form's URL and, at the end, the response's `submission_key`: the response's INSERT and the session's
completion are one transaction (committed durably), and a second submission stores nothing.
A completed or expired session keeps no answers (the response holds them, or they were abandoned); it keeps
how far it went, for the drop-out counts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Engine

from survey.db import COMPLETED, EXPIRED, IN_PROGRESS, WEB, FormSession
from survey.db_prepared import Prepared, cursor_of, raw_transaction, writing
from survey.quotas import placements
from survey.store_invitations import complete_invited_form
from survey.store_quotas import claim_places

form_t = FormSession.__table__

# The statements every respondent page runs, prepared once and run on the DB-API cursor (survey/db_prepared.py):
# through a SQLAlchemy Connection each cost about twice its own CPU (bench/profile_respondent.py).
_READ = Prepared(select(form_t).where(form_t.c.key == bindparam("form_key")))
_SAVE = Prepared(update(form_t).where(form_t.c.key == bindparam("form_key"), form_t.c.status == IN_PROGRESS).values(
    page=bindparam("page"), answers=bindparam("answers"), language=bindparam("language"),
    flash=bindparam("flash"), pages_visited=bindparam("pages_visited"), furthest_page=bindparam("furthest_page"),
    updated_at=bindparam("updated_at")))
_START_COLUMNS = ("key", "questionnaire_id", "version_id", "language", "page", "furthest_page", "pages_visited",
                  "answers", "flash", "status", "started_at", "updated_at", "invitation_id", "channel", "entered_by")
_START = Prepared(insert(form_t), _START_COLUMNS)
_COMPLETE = Prepared(update(form_t).where(form_t.c.key == bindparam("form_key")).values(
    status=COMPLETED, answers={}, flash=None, updated_at=bindparam("updated_at"), invitation_id=None))
_CLEAR_FLASH = Prepared(update(form_t).where(form_t.c.key == bindparam("form_key"), form_t.c.flash.is_not(None))
                        .values(flash=None))


FORM_KEY = re.compile(r"[A-Za-z0-9_-]{24}")
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(value: Any) -> Any:  # noqa: ANN401 - JSON
    """Posted text as a JSON column can keep it (PostgreSQL's refuses NUL and lone surrogates, which a page's checks
    refuse anyway, with their message): shown back as U+FFFD."""
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, list):
        return [storable(v) for v in value]
    if isinstance(value, dict):
        return {storable(k): storable(v) for k, v in value.items()}
    return value


def new_form_key() -> str:
    """An unguessable key (144 random bits): whoever holds the form's link can resume it."""
    return secrets.token_urlsafe(18)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes; every time stored here is UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment


@dataclass(frozen=True)
class FormRecord:
    """A form session as stored."""

    key: str
    questionnaire_id: str
    version_id: int
    language: str
    page: int  # the page its URL shows now
    furthest_page: int
    pages_visited: tuple[int, ...]
    answers: dict[str, Any]
    flash: dict[str, Any] | None  # shown once by the next GET: posted fields, issues, a notice
    status: str
    started_at: dt.datetime
    updated_at: dt.datetime
    invitation_id: int | None
    channel: str
    entered_by: int | None

    def expires_at(self, max_age: dt.timedelta) -> dt.datetime:
        """When an untouched form in progress expires: `max_age` after its last saved page."""
        return self.updated_at + max_age

    def expired(self, max_age: dt.timedelta, now: dt.datetime | None = None) -> bool:
        """Expired, or in progress but untouched for longer than `max_age` (before a purge marks it)."""
        return self.status == EXPIRED or (self.status == IN_PROGRESS and self.expires_at(max_age) <= (now or _now()))


@dataclass(frozen=True)
class FunnelCount:
    """How many web forms of one version and one status went as far as `furthest_page` (its index)."""

    version_id: int
    furthest_page: int
    status: str
    count: int


def _record(row: Any) -> FormRecord:
    return FormRecord(row.key, row.questionnaire_id, row.version_id, row.language, row.page, row.furthest_page,
                      tuple(row.pages_visited or ()), row.answers or {}, row.flash, row.status,
                      _aware(row.started_at), _aware(row.updated_at), row.invitation_id, row.channel, row.entered_by)


def _json(value: Any) -> Any:
    """A JSON column as the DB-API gives it: text on SQLite, decoded already on PostgreSQL (JSONB)."""
    return json.loads(value) if isinstance(value, str | bytes) else value


def _moment(value: Any) -> dt.datetime:
    """A DateTime column as the DB-API gives it: ISO text on SQLite (as SQLAlchemy wrote it), a datetime on
    PostgreSQL."""
    return _aware(dt.datetime.fromisoformat(value) if isinstance(value, str) else value)


def _raw_record(row: dict[str, Any]) -> FormRecord:
    return FormRecord(row["key"], row["questionnaire_id"], row["version_id"], row["language"], row["page"],
                      row["furthest_page"], tuple(_json(row["pages_visited"]) or ()), _json(row["answers"]) or {},
                      _json(row["flash"]), row["status"], _moment(row["started_at"]), _moment(row["updated_at"]),
                      row["invitation_id"], row["channel"], row["entered_by"])


class FormSessions:
    """Starting, reading, saving and completing forms in progress; the drop-out counts; the purge."""

    engine: Engine
    _insert_response_prepared: Prepared  # Store's INSERT … ON CONFLICT (submission_key) DO NOTHING RETURNING id

    @property
    def local_reads(self) -> bool:
        """Whether a read is a local file's (SQLite in WAL mode): quick, and never held up by a writer, so the web
        layer runs a respondent's reads — and its writes, made `at_once` — in its event loop
        (survey/web/workload.py). PostgreSQL's wait on the network."""
        return self.engine.dialect.name == "sqlite"

    def start_form(self, questionnaire_id: str, version_id: int, language: str, *, page: int = 0,
                   answers: dict[str, Any] | None = None, flash: dict[str, Any] | None = None,
                   pages_visited: tuple[int, ...] = (), invitation_id: int | None = None, channel: str = WEB,
                   entered_by: int | None = None, key: str | None = None) -> FormRecord:
        """Start a form on `version_id` in one INSERT: its first posted page (`page` is where it goes next), or an
        invitation's or a staff member's entry (`invitation_id`, `channel`, `entered_by`). `key`: the one the
        first page was drawn with (its options' order follows it), when well formed and not taken. Answers and
        flash are kept `storable`."""
        now = _now()
        visited = sorted({*pages_visited, page})
        if key is None or not FORM_KEY.fullmatch(key):
            key = new_form_key()
        values = {"key": key, "questionnaire_id": questionnaire_id, "version_id": version_id,
                  "language": language, "page": page, "furthest_page": max(visited), "pages_visited": visited,
                  "answers": storable(answers or {}), "flash": storable(flash), "status": IN_PROGRESS,
                  "started_at": now, "updated_at": now, "invitation_id": invitation_id, "channel": channel,
                  "entered_by": entered_by}
        dialect = self.engine.dialect
        try:
            with raw_transaction(self.engine, durable=False) as cursor:
                _START.execute(cursor, dialect, values)
        except dialect.dbapi.IntegrityError:  # the key is taken (a page posted twice, or forged): a key of its own
            values["key"] = new_form_key()
            with raw_transaction(self.engine, durable=False) as cursor:
                _START.execute(cursor, dialect, values)
        return FormRecord(**{**values, "pages_visited": tuple(visited)})  # type: ignore[arg-type]

    def form_session(self, key: str) -> FormRecord | None:
        """The form whose key this is (one SELECT), or None.

        Every respondent request reads one, so it goes through the pool's DB-API connection (`Prepared`) and its
        row is decoded here (JSON text and date strings on SQLite, already typed on PostgreSQL). Through a
        SQLAlchemy `Connection` it cost 15 times the SELECT itself."""
        if not key or len(key) > 64:
            return None
        raw = self.engine.raw_connection()
        try:
            cursor = raw.cursor()
            try:
                row = _READ.execute(cursor, self.engine.dialect, {"form_key": key}).fetchone()
                names = [d[0] for d in cursor.description]
            finally:
                cursor.close()
            raw.rollback()  # a read: end its transaction (PostgreSQL opens one) before the pool takes it back
        finally:
            raw.close()
        return _raw_record(dict(zip(names, row, strict=True))) if row is not None else None

    def form_for_invitation(self, invitation_id: int) -> FormRecord | None:
        """The newest form started for an invitation (to resume it, or to see that it was completed), or None."""
        with self.engine.connect() as conn:
            row = conn.execute(select(form_t).where(form_t.c.invitation_id == invitation_id)
                               .order_by(form_t.c.id.desc()).limit(1)).first()
        return _record(row) if row is not None else None

    def save_form(self, key: str, *, page: int, answers: dict[str, Any], language: str,
                  flash: dict[str, Any] | None, pages_visited: tuple[int, ...]) -> bool:
        """Save a posted page in one UPDATE: where the form goes, its answers, what the next GET shows once.
        False when the form is no longer in progress (completed in another tab, expired, purged)."""
        visited = sorted({*pages_visited, page})
        with raw_transaction(self.engine, durable=False) as cursor:
            _SAVE.execute(cursor, self.engine.dialect, {
                "form_key": key, "page": page, "answers": storable(answers), "language": language,
                "flash": storable(flash), "pages_visited": visited, "furthest_page": max(visited),
                "updated_at": _now()})
            return cursor.rowcount == 1

    def clear_flash(self, key: str) -> None:
        """Forget what a GET has just shown once (issues, posted fields, a notice)."""
        with raw_transaction(self.engine, durable=False) as cursor:
            _CLEAR_FLASH.execute(cursor, self.engine.dialect, {"form_key": key})

    def complete_form(self, form: FormRecord, answers: dict[str, Any], submitted_at: dt.datetime | None = None
                      ) -> bool:
        """Store the response and mark the form completed, in one transaction; False when this form's response
        was already stored (a second tab, a replayed last page): nothing more is stored.

        The response takes its quota places in the same transaction (`survey.store_quotas`): raises
        `survey.quotas.QuotaFull`, storing nothing and leaving the form in progress, when a cell is full."""
        now = _now()
        loaded = self.version(form.version_id)  # type: ignore[attr-defined]
        places = placements(loaded.questionnaire, answers) if loaded is not None else []
        with writing(self.engine) as conn:
            # A personal link gives one response: its completion goes first, in this transaction (raises
            # InvitationClosed when used by another form or revoked); the completed form forgets its invitation.
            if form.invitation_id is not None and not complete_invited_form(conn, form.invitation_id, form.key):
                return False
            cursor = cursor_of(conn)  # the two statements every completion runs, in this transaction
            try:
                stored = self._insert_response_prepared.execute(cursor, conn.dialect, {
                    "version_id": form.version_id, "submission_key": form.key, "submitted_at": submitted_at or now,
                    "answers": answers, "channel": form.channel, "entered_by": form.entered_by}).fetchone()
                if stored is not None and places:
                    claim_places(conn, form.questionnaire_id, stored[0], places)
                _COMPLETE.execute(cursor, conn.dialect, {"form_key": form.key, "updated_at": now})
            finally:
                cursor.close()
        return stored is not None

    def expire_forms(self, max_age: dt.timedelta, now: dt.datetime | None = None) -> int:
        """Mark the forms in progress untouched for `max_age` as expired and drop their answers; how many.
        The rows stay, for the drop-out counts (how far each went), without anything a respondent typed."""
        cutoff = (now or _now()) - max_age
        with self.engine.begin() as conn:
            result = conn.execute(update(form_t).where(form_t.c.status == IN_PROGRESS, form_t.c.updated_at < cutoff)
                                  .values(status=EXPIRED, answers={}, flash=None))
        return result.rowcount

    def form_funnel(self, questionnaire_id: str) -> list[FunnelCount]:
        """Web forms of a questionnaire counted by version, furthest page and status (staff and paper entries
        are not drop-outs)."""
        query = (select(form_t.c.version_id, form_t.c.furthest_page, form_t.c.status, func.count().label("n"))
                 .where(form_t.c.questionnaire_id == questionnaire_id, form_t.c.channel == WEB)
                 .group_by(form_t.c.version_id, form_t.c.furthest_page, form_t.c.status))
        with self.engine.connect() as conn:
            return [FunnelCount(r.version_id, r.furthest_page, r.status, r.n) for r in conn.execute(query)]
