"""SQL of personal API tokens: made, listed, revoked, and looked up per request. A mixin of `survey.store.Store`.

A token is shown once, when it is made; only its SHA-256 is stored, like a session's. A token acts as its owner —
the same role and missions, read afresh at every request — so a member's access through the API is never more
than through the pages, and changes to their missions apply at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from survey.access import Role, StaffMember
from survey.db import ApiToken, Membership, StaffUser

token_t, user_t, membership_t = ApiToken.__table__, StaffUser.__table__, Membership.__table__

TOKEN_PREFIX = "svy_"  # noqa: S105 - not a secret: makes a leaked token easy to recognise (secret scanners, logs)
NAME_MAX = 100  # characters of a token's name (the column's size)
LAST_USED_EVERY = dt.timedelta(minutes=1)  # `last_used_at` is written at most this often: a read stays a read


@dataclass(frozen=True)
class TokenInfo:
    """A token as listed to its owner or an admin: never the token itself, which is not stored."""

    id: int
    user_id: int
    email: str
    name: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def new_token() -> str:
    """A fresh random token (256 bits), to be shown once."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """What is stored of a token and what a presented token is looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive datetimes; every time stored here is UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


class ApiTokens:
    """Personal API tokens of members of staff."""

    engine: Engine

    def user_id(self, email: str) -> int | None:
        """The id of the member of staff with this e-mail address."""
        with self.engine.connect() as conn:
            return conn.execute(select(user_t.c.id).where(user_t.c.email == email.strip().lower())).scalar()

    def add_token(self, user_id: int, name: str) -> tuple[int, str]:
        """Make a token for a member: (its id, the token). The token is returned this once and never again."""
        name = name.strip()
        if not name or len(name) > NAME_MAX:
            raise ValueError(f"a token's name has 1 to {NAME_MAX} characters — e.g. \"tableau de bord\"")
        token = new_token()
        with self.engine.begin() as conn:
            token_id = conn.execute(insert(token_t).values(user_id=user_id, name=name, token_hash=token_digest(token),
                                                           created_at=_now())).inserted_primary_key[0]
        return token_id, token

    def tokens(self, user_id: int | None = None) -> list[TokenInfo]:
        """Tokens, newest first: one member's, or everyone's (`user_id` None, for the command line)."""
        query = (select(token_t, user_t.c.email).join(user_t, user_t.c.id == token_t.c.user_id)
                 .order_by(token_t.c.id.desc()))
        if user_id is not None:
            query = query.where(token_t.c.user_id == user_id)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [TokenInfo(r.id, r.user_id, r.email, r.name, _aware(r.created_at), _aware(r.last_used_at),  # type: ignore[arg-type]
                          _aware(r.revoked_at)) for r in rows]

    def revoke_token(self, token_id: int, user_id: int | None = None) -> bool:
        """Revoke a token (only `user_id`'s when given); False when there is no such live token."""
        query = update(token_t).where(token_t.c.id == token_id, token_t.c.revoked_at.is_(None))
        if user_id is not None:
            query = query.where(token_t.c.user_id == user_id)
        with self.engine.begin() as conn:
            return conn.execute(query.values(revoked_at=_now()).returning(token_t.c.id)).first() is not None

    def token_member(self, digest: str) -> StaffMember | None:
        """The member of staff behind a live token, with their missions as they are now; None if revoked or unknown."""
        query = (select(token_t.c.id, token_t.c.last_used_at, user_t.c.id.label("user_id"), user_t.c.email,
                        user_t.c.role)
                 .join(user_t, user_t.c.id == token_t.c.user_id)
                 .where(token_t.c.token_hash == digest, token_t.c.revoked_at.is_(None)))
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
            if row is None:
                return None
            missions = conn.execute(select(membership_t.c.mission_id)
                                    .where(membership_t.c.user_id == row.user_id)).scalars()
            member = StaffMember(row.user_id, row.email, Role(row.role), frozenset(missions))
        now = _now()
        last = _aware(row.last_used_at)
        if last is None or now - last > LAST_USED_EVERY:  # a write per request would serialise readers on SQLite
            with self.engine.begin() as conn:
                conn.execute(update(token_t).where(token_t.c.id == row.id).values(last_used_at=now))
        return member
