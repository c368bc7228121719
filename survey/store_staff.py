"""SQL of staff accounts, their sessions and the service's own settings: a mixin of `survey.store.Store`."""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from survey.access import Role, StaffMember
from survey.db import AppSetting, Membership, Mission, StaffSession, StaffUser

mission_t, user_t, membership_t, session_t, setting_t = (
    Mission.__table__, StaffUser.__table__, Membership.__table__, StaffSession.__table__, AppSetting.__table__,
)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class StaffAccounts:
    """Members of staff, their missions and sessions; the signing key."""

    engine: Engine

    # --- staff -------------------------------------------------------------

    def add_user(self, email: str, password_hash: str, role: Role, missions: list[str]) -> int:
        """Create a member of staff on existing missions (ValueError names a missing one)."""
        with self.engine.begin() as conn:
            known = set(conn.execute(select(mission_t.c.id).where(mission_t.c.id.in_(missions))).scalars())
            missing = [m for m in missions if m not in known]
            if missing:
                raise ValueError(f"unknown mission(s): {', '.join(missing)} — load a questionnaire that names it first")
            if conn.execute(select(user_t.c.id).where(user_t.c.email == email)).first():
                raise ValueError(f"a user with email {email} already exists")
            user_id = conn.execute(insert(user_t).values(email=email, password_hash=password_hash, role=role.value,
                                                         created_at=_now())).inserted_primary_key[0]
            for mission_id in missions:
                conn.execute(insert(membership_t).values(user_id=user_id, mission_id=mission_id))
        return user_id

    def staff_emails(self, user_ids: set[int]) -> dict[int, str]:
        """The e-mail of each member of staff in `user_ids` (pages name who did what by it)."""
        if not user_ids:
            return {}
        with self.engine.connect() as conn:
            rows = conn.execute(select(user_t.c.id, user_t.c.email).where(user_t.c.id.in_(sorted(user_ids)))).all()
        return {row.id: row.email for row in rows}

    def password_hash(self, email: str) -> tuple[int, str] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(user_t.c.id, user_t.c.password_hash).where(user_t.c.email == email)).first()
        return (row.id, row.password_hash) if row else None

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(user_t).where(user_t.c.id == user_id).values(password_hash=password_hash))

    def start_session(self, user_id: int, token_hash: str, expires_at: dt.datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(session_t.delete().where(session_t.c.expires_at < _now()))
            conn.execute(insert(session_t).values(token_hash=token_hash, user_id=user_id, expires_at=expires_at))

    def end_session(self, token_hash: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(session_t.delete().where(session_t.c.token_hash == token_hash))

    def session_member(self, token_hash: str) -> StaffMember | None:
        """The member of staff behind a live session token, with their missions."""
        query = (select(user_t.c.id, user_t.c.email, user_t.c.role)
                 .join(session_t, session_t.c.user_id == user_t.c.id)
                 .where(session_t.c.token_hash == token_hash, session_t.c.expires_at > _now()))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
            if row is None:
                return None
            missions = conn.execute(select(membership_t.c.mission_id)
                                    .where(membership_t.c.user_id == row.id)).scalars()
            return StaffMember(row.id, row.email, Role(row.role), frozenset(missions))

    # --- service settings ---------------------------------------------------

    def secret_key(self) -> str:
        """The service's signing key, made once and kept in the database; processes starting together agree."""
        query = select(setting_t.c.value).where(setting_t.c.key == "secret_key")
        with self.engine.connect() as conn:
            value = conn.execute(query).scalar()
        if value is not None:
            return value
        # Several processes may all find no key: each offers one, the first stored wins, all read that one back.
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        offer = dialect.insert(setting_t).values(key="secret_key", value=secrets.token_urlsafe(48))
        with self.engine.begin() as conn:
            conn.execute(offer.on_conflict_do_nothing(index_elements=["key"]))
            return conn.execute(query).scalar_one()
