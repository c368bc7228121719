"""All SQL: questionnaires and their versions, responses, staff and sessions. Rows become core types here.

The staff accounts and sessions (`store_staff.py`), the staff listings (`store_listings.py`), the API tokens
(`store_tokens.py`), the audit log (`store_audit.py`), forms in progress (`store_forms.py`) and the management
of stored responses (`store_responses.py`)
are mixins of `Store`, kept in modules of their own; so are states, dates and branding (`store_publishing.py`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from survey import migrations
from survey.dataset import ResponseRecord
from survey.db import (
    REAL,
    AppSetting,
    Membership,
    Mission,
    QuestionnaireRow,
    QuestionnaireVersion,
    ResponseRow,
    StaffSession,
    StaffUser,
    make_engine,
)
from survey.db_prepared import Prepared, writing
from survey.quotas import placements
from survey.schema import Questionnaire
from survey.schema.localise import text_in
from survey.store_audit import AuditLog
from survey.store_forms import FormSessions
from survey.store_interviews import Interviews
from survey.store_invitations import Invitations
from survey.store_listings import QUESTIONNAIRE_ID, Listings
from survey.store_publishing import Publishing
from survey.store_quotas import Quotas, claim_places
from survey.store_responses import ResponseAdmin
from survey.store_retention import DataRetention
from survey.store_staff import StaffAccounts
from survey.store_tokens import ApiTokens
from survey.versions import meaning_changes

DEFAULT_MISSION = Mission(id="default", name="Mission par défaut", client="")
VERSION_MAX = 32  # characters of a version label (the column's size)
CURRENT_VERSION_TTL = 5.0  # seconds before a `survey load` from another process is seen by the server

mission_t, questionnaire_t = Mission.__table__, QuestionnaireRow.__table__
version_t, response_t = QuestionnaireVersion.__table__, ResponseRow.__table__
user_t, membership_t, session_t, setting_t = (
    StaffUser.__table__, Membership.__table__, StaffSession.__table__, AppSetting.__table__,
)


class VersionConflict(Exception):
    """A questionnaire file gives a code or a question name another meaning than answered versions did."""


@dataclass(frozen=True)
class _StoredVersion:
    id: int
    version: str
    content_hash: str
    definition: dict[str, Any]
    responses: int
    served: bool  # shown to a respondent: never changed in place again

    @property
    def fixed(self) -> bool:
        """Answered or shown to respondents: a changed file makes a new version, and meanings must hold."""
        return bool(self.responses) or self.served

    @property
    def rank(self) -> int:
        """1 for a label as written in the file, n for an automatic `{label}+n`."""
        head, plus, n = self.version.rpartition("+")
        return int(n) if plus and n.isdigit() else 1


def _family(stored: list[_StoredVersion], label: str) -> list[_StoredVersion]:
    """The versions made from files labelled `label`: `label` itself and the automatic `label+2`, `label+3`…"""
    mine = [v for v in stored if v.version == label or re.fullmatch(re.escape(label) + r"\+\d+", v.version)]
    return sorted(mine, key=lambda v: v.rank)


@dataclass(frozen=True)
class LoadedVersion:
    version_id: int
    questionnaire: Questionnaire


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _hash(questionnaire: Questionnaire) -> str:
    canonical = json.dumps(questionnaire.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class Store(Listings, StaffAccounts, ApiTokens, AuditLog, ResponseAdmin, Invitations, Publishing, Quotas,
            DataRetention,
            Interviews, FormSessions):
    """The database behind the service; one per process, safe to share between threads."""

    def __init__(self, engine: Engine):
        self.engine = engine
        dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
        self._insert_responses = dialect.insert(response_t).on_conflict_do_nothing(index_elements=["submission_key"])
        # RETURNING tells whether the row went in, on both databases (rowcount does not, with psycopg).
        self._insert_response = self._insert_responses.returning(response_t.c.id)
        self._insert_response_prepared = Prepared(self._insert_response, (
            "version_id", "submission_key", "submitted_at", "answers", "channel", "entered_by"))
        self._versions: dict[int, tuple[str, Questionnaire]] = {}
        self._current: dict[str, tuple[float, int]] = {}
        self._served: set[int] = set()  # versions this process has marked served (see `mark_served`)
        self._lock = threading.Lock()
        self._grid_cache = {}  # interview grid versions parsed: id → (content hash, grid)

    @classmethod
    def from_url(cls, url: str) -> Store:
        return cls(make_engine(url))

    def migrate(self) -> None:
        """Create or upgrade the schema to the newest Alembic revision; safe when processes start together."""
        migrations.upgrade(self.engine)

    # --- questionnaires -------------------------------------------------

    def load(self, questionnaire: Questionnaire, source: str = "", new_state: str = "open") -> str:
        """Store a questionnaire file; return 'new', 'updated', 'unchanged' or 'versioned'.

        A changed file whose version was never shown to a respondent (and has no response) replaces it
        ('updated'). Once shown or answered, a version never changes: the file becomes a new version
        `{version}+2` (then +3…), and forms in progress and responses keep theirs ('versioned'). Refused
        with `VersionConflict`: a code, matrix item or scale point that a shown or answered version gave
        another meaning, or a question name that changed type. A questionnaire new to the database starts in
        `new_state` (uploads from the staff pages: draft); a known one keeps its state.
        """
        mission = questionnaire.mission or DEFAULT_MISSION
        digest = _hash(questionnaire)
        title = str(text_in(questionnaire.title, questionnaire.language, questionnaire.language))
        with self.engine.begin() as conn:
            self._upsert_mission(conn, mission)
            exists = conn.execute(select(questionnaire_t.c.id).where(questionnaire_t.c.id == questionnaire.id)).first()
            if exists:
                conn.execute(update(questionnaire_t).where(questionnaire_t.c.id == questionnaire.id)
                             .values(title=title, mission_id=mission.id))
            else:
                conn.execute(insert(questionnaire_t).values(id=questionnaire.id, title=title, mission_id=mission.id,
                                                            state=new_state))
            stored = self._stored_versions(conn, questionnaire.id)
            family = _family(stored, questionnaire.version)
            same = next((v for v in family if v.content_hash == digest), None)
            if same is not None:
                version_id, status = same.id, "unchanged"
            else:
                self._refuse_changed_meanings(questionnaire, stored, source)
                definition = questionnaire.model_dump(mode="json")
                latest = family[-1] if family else None
                if latest is not None and not latest.fixed:
                    definition["version"] = latest.version
                    conn.execute(update(version_t).where(version_t.c.id == latest.id).values(
                        definition=definition, content_hash=digest, source=source, loaded_at=_now()))
                    version_id, status = latest.id, "updated"
                else:
                    label, status = questionnaire.version, "new"
                    if latest is not None:
                        label, status = f"{questionnaire.version}+{latest.rank + 1}", "versioned"
                        if len(label) > VERSION_MAX:
                            raise VersionConflict(
                                f"{source or questionnaire.id}: version {latest.version} already has responses "
                                f"or was shown to respondents, and {label} is too long for a version label — "
                                "change `version:` in the file")
                    definition["version"] = label
                    version_id = conn.execute(insert(version_t).values(
                        questionnaire_id=questionnaire.id, version=label, definition=definition,
                        content_hash=digest, source=source, loaded_at=_now())).inserted_primary_key[0]
            conn.execute(update(questionnaire_t).where(questionnaire_t.c.id == questionnaire.id)
                         .values(current_version_id=version_id))
        with self._lock:
            self._versions.pop(version_id, None)
            self._current.pop(questionnaire.id, None)
        return status

    @staticmethod
    def _stored_versions(conn: Any, questionnaire_id: str) -> list[_StoredVersion]:
        """The questionnaire's versions with their response counts, locked until the load commits.

        The row locks (PostgreSQL; SQLite's load already holds the write lock) make `mark_served` wait, so a
        version cannot be shown to a respondent between being read here as unserved and replaced in place.
        """
        counts = (select(response_t.c.version_id, func.count().label("n")).group_by(response_t.c.version_id)
                  .subquery())
        query = (select(version_t.c.id, version_t.c.version, version_t.c.content_hash, version_t.c.definition,
                        version_t.c.served_at, func.coalesce(counts.c.n, 0).label("n"))
                 .outerjoin(counts, counts.c.version_id == version_t.c.id)
                 .where(version_t.c.questionnaire_id == questionnaire_id).order_by(version_t.c.id)
                 .with_for_update(of=version_t, key_share=True))  # NO KEY UPDATE: responses still go in
        return [_StoredVersion(r.id, r.version, r.content_hash, r.definition, r.n, r.served_at is not None)
                for r in conn.execute(query)]

    def _refuse_changed_meanings(self, questionnaire: Questionnaire, stored: list[_StoredVersion],
                                 source: str) -> None:
        """VersionConflict naming every code or name whose meaning the file changes, against shown or answered
        versions (a form in progress stores its codes with the meaning it showed)."""
        problems: dict[tuple[str, str, str], str] = {}
        for version in stored:
            if not version.fixed:
                continue
            answered = Questionnaire.model_validate(version.definition)
            for change in meaning_changes(answered, questionnaire):
                key = (change.question, change.what, change.code)
                problems.setdefault(key, change.message(version.version, version.responses, version.served))
        if problems:
            where = source or questionnaire.id
            raise VersionConflict("\n".join(f"{where}: {message}" for message in problems.values()))

    @staticmethod
    def _upsert_mission(conn: Any, mission: Any) -> None:
        values = {"name": mission.name, "client": mission.client, "start": mission.start, "end": mission.end}
        if conn.execute(select(mission_t.c.id).where(mission_t.c.id == mission.id)).first():
            if mission is not DEFAULT_MISSION:
                conn.execute(update(mission_t).where(mission_t.c.id == mission.id).values(**values))
        else:
            conn.execute(insert(mission_t).values(id=mission.id, **values))

    def is_marked_served(self, version_id: int) -> bool:
        """True once this process has recorded that `version_id` was shown to a respondent (no query)."""
        return version_id in self._served

    def mark_served(self, version_id: int) -> None:
        """Record that a respondent is being shown this version: from now on it is never changed in place.

        Called before a respondent's first page is drawn, at most once per version per process (the
        respondent's hot path then costs a set lookup). If another process replaced the version in place
        before this, the copy kept in memory is dropped, so the page shows what is stored.
        """
        if version_id in self._served:
            return
        with writing(self.engine) as conn:
            digest = conn.execute(update(version_t).where(version_t.c.id == version_id,
                                                          version_t.c.served_at.is_(None))
                                  .values(served_at=_now()).returning(version_t.c.content_hash)).scalar()
            if digest is None:  # already marked, by another process or before a restart
                digest = conn.execute(select(version_t.c.content_hash).where(version_t.c.id == version_id)).scalar()
        with self._lock:
            kept = self._versions.get(version_id)
            if kept is not None and kept[0] != digest:
                del self._versions[version_id]
            self._served.add(version_id)

    def version(self, version_id: int) -> LoadedVersion | None:
        """A questionnaire version by id; parsed once, then kept in memory."""
        cached = self._versions.get(version_id)
        if cached is not None:
            return LoadedVersion(version_id, cached[1])
        with self.engine.connect() as conn:
            row = conn.execute(select(version_t.c.definition, version_t.c.content_hash)
                               .where(version_t.c.id == version_id)).first()
        if row is None:
            return None
        questionnaire = Questionnaire.model_validate(row.definition)
        with self._lock:
            self._versions[version_id] = (row.content_hash, questionnaire)
        return LoadedVersion(version_id, questionnaire)

    def versions(self, questionnaire_id: str) -> dict[str, Questionnaire]:
        """Every version of a questionnaire, label → questionnaire, oldest first (for exports across versions)."""
        found = {}
        for label, version_id in self.version_ids(questionnaire_id).items():
            loaded = self.version(version_id)
            if loaded is not None:
                found[label] = loaded.questionnaire
        return found

    def version_ids(self, questionnaire_id: str) -> dict[str, int]:
        """Every version of a questionnaire, label → version id, oldest first."""
        if not QUESTIONNAIRE_ID.fullmatch(questionnaire_id):
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(select(version_t.c.id, version_t.c.version)
                                .where(version_t.c.questionnaire_id == questionnaire_id)
                                .order_by(version_t.c.id)).all()
        return {row.version: row.id for row in rows}

    def source(self, questionnaire_id: str) -> str:
        """The file the current version was loaded from ("" when unknown), to locate problems found later."""
        if not QUESTIONNAIRE_ID.fullmatch(questionnaire_id):
            return ""
        query = (select(version_t.c.source)
                 .join(questionnaire_t, questionnaire_t.c.current_version_id == version_t.c.id)
                 .where(questionnaire_t.c.id == questionnaire_id))
        with self.engine.connect() as conn:
            return conn.execute(query).scalar() or ""

    def current(self, questionnaire_id: str) -> LoadedVersion | None:
        """The version served to new respondents (re-read from the database every few seconds)."""
        if not QUESTIONNAIRE_ID.fullmatch(questionnaire_id):
            return None  # not an id we could have stored (e.g. a mistyped or forged URL)
        cached = self._current.get(questionnaire_id)
        if cached is not None and cached[0] >= time.monotonic():
            return self.version(cached[1])
        query = (select(version_t.c.id, version_t.c.content_hash)
                 .join(questionnaire_t, questionnaire_t.c.current_version_id == version_t.c.id)
                 .where(questionnaire_t.c.id == questionnaire_id))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            return None
        with self._lock:
            self._current[questionnaire_id] = (time.monotonic() + CURRENT_VERSION_TTL, row.id)
            kept = self._versions.get(row.id)
            if kept is not None and kept[0] != row.content_hash:  # replaced by another process
                del self._versions[row.id]
        return self.version(row.id)

    # --- responses -------------------------------------------------------

    def store_response(self, version_id: int, submission_key: str, answers: dict[str, Any],
                       submitted_at: dt.datetime | None = None) -> bool:
        """Store a complete response in one INSERT; False when this submission was already stored.

        The response takes its places in the version's quotas in the same transaction (`survey.store_quotas`):
        raises `survey.quotas.QuotaFull`, storing nothing, when one of its cells has no place left."""
        loaded = self.version(version_id)
        places = placements(loaded.questionnaire, answers) if loaded is not None else []
        with self.engine.begin() as conn:
            result = conn.execute(self._insert_response, {
                "version_id": version_id, "submission_key": submission_key,
                "submitted_at": submitted_at or _now(), "answers": answers}).first()
            if result is not None and places:
                claim_places(conn, loaded.questionnaire.id, result.id, places)  # type: ignore[union-attr]
        return result is not None

    def store_many(self, version_id: int, responses: list[tuple[str, dict[str, Any], dt.datetime]],
                   status: str = REAL) -> None:
        """Store many responses in one transaction (synthetic data, imports); a key already stored is skipped.
        `survey seed` stores its responses with the status `synthetic`."""
        if not responses:
            return  # an INSERT of no rows is not valid SQL
        if self.engine.dialect.name == "postgresql":
            self._copy_many(version_id, responses, status)
            return
        rows = [{"version_id": version_id, "submission_key": key, "submitted_at": at, "answers": answers,
                 "status": status} for key, answers, at in responses]
        with self.engine.begin() as conn:
            conn.execute(self._insert_responses, rows)

    def _copy_many(self, version_id: int, responses: list[tuple[str, dict[str, Any], dt.datetime]],
                   status: str) -> None:
        """`store_many` on PostgreSQL: COPY into a temporary table, then one INSERT … ON CONFLICT DO NOTHING.

        COPY alone would abort the whole batch on a key already stored; through the temporary table a batch
        goes in several times faster than as a multi-row INSERT.
        """
        with self.engine.begin() as conn:
            cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
            cursor.execute("CREATE TEMPORARY TABLE response_load (submission_key text, submitted_at timestamptz, "
                           "answers jsonb) ON COMMIT DROP")
            with cursor.copy("COPY response_load (submission_key, submitted_at, answers) FROM STDIN") as copy:
                for key, answers, at in responses:
                    copy.write_row((key, at, json.dumps(answers, ensure_ascii=False)))
            cursor.execute("INSERT INTO response (version_id, submission_key, submitted_at, answers, status) "
                           "SELECT %s, submission_key, submitted_at, answers, %s FROM response_load "
                           "ON CONFLICT (submission_key) DO NOTHING", (version_id, status))

    def responses(self, questionnaire_id: str, batch: int = 2000) -> Iterator[ResponseRecord]:
        """Every stored response to any version of a questionnaire, streamed in batches."""
        query = (select(response_t.c.id, version_t.c.version, response_t.c.submitted_at, response_t.c.answers)
                 .join(version_t, version_t.c.id == response_t.c.version_id)
                 .where(version_t.c.questionnaire_id == questionnaire_id)
                 .order_by(response_t.c.id))
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=batch).execute(query)
            for row in result:
                yield ResponseRecord(str(row.id), row.version, row.submitted_at, row.answers)

    def response_count(self, questionnaire_id: str) -> int:
        query = (select(func.count()).select_from(response_t.join(version_t))
                 .where(version_t.c.questionnaire_id == questionnaire_id))
        with self.engine.connect() as conn:
            return conn.execute(query).scalar_one()
