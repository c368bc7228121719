"""SQL of login throttling: the `login_throttle` table, shared by every web process.

An attempt is counted *before* its password is checked, and locks its keys at once when it is one failure too
many; a success then takes its own count and lock back. So a burst of parallel guesses cannot slip through
between a check and a count: the sixth guess waits for the fifth to be decided, on any process.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from survey.db import LoginThrottle
from survey.store_audit import record_audit
from survey.throttle import ACCOUNT_PREFIX, FORGET_AFTER, ThrottleRule, key_label

throttle_t = LoginThrottle.__table__


@dataclass(frozen=True)
class _Counted:
    """What one key looked like before an attempt was counted on it, to take the count back on success."""

    key: str
    previous_failure_at: dt.datetime | None
    locked_until: dt.datetime | None  # the lock this attempt set, if it was one too many


@dataclass(frozen=True)
class Attempt:
    """A login attempt let through: `locked_until` is when its keys unlock should its password be wrong."""

    at: dt.datetime
    counted: list[_Counted] = field(default_factory=list)

    @property
    def locked_until(self) -> dt.datetime | None:
        locks = [c.locked_until for c in self.counted if c.locked_until is not None]
        return max(locks, default=None)


@dataclass(frozen=True)
class Lock:
    """A key locked now, as the admin page lists it."""

    key: str
    failures: int
    locked_until: dt.datetime

    @property
    def is_account(self) -> bool:
        return self.key.startswith(ACCOUNT_PREFIX)

    @property
    def label(self) -> str:
        """The e-mail, or a short fingerprint of the address."""
        return key_label(self.key)


def begin_attempt(engine: Engine, rules: dict[str, ThrottleRule], now: dt.datetime) -> Attempt | dt.datetime:
    """Count a login attempt on each key (`{key: rule}`), or return when the first locked key unlocks.

    A locked key refuses the attempt before any password is checked and counts nothing on the other keys.
    """
    try:
        with engine.begin() as conn:
            return Attempt(now, [_count(conn, key, rule, now) for key, rule in rules.items()])
    except _Locked as locked:  # the transaction was rolled back: nothing was counted on any key
        return _unlocks_at(engine, locked.key, now)


class _Locked(Exception):
    """A key is locked: the attempt's counts are undone."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _count(conn: Connection, key: str, rule: ThrottleRule, now: dt.datetime) -> _Counted:
    """Count the attempt on one key, locking it when this is one failure too many; _Locked if already locked."""
    insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert
    previous = conn.execute(select(throttle_t.c.last_failure_at).where(throttle_t.c.key == key)).scalar()
    forgotten = throttle_t.c.last_failure_at.is_(None) | (throttle_t.c.last_failure_at < now - FORGET_AFTER)
    upsert = insert(throttle_t).values(key=key, failures=1, last_failure_at=now, locked_until=None)
    upsert = upsert.on_conflict_do_update(
        index_elements=["key"],
        set_={"failures": case((forgotten, 1), else_=throttle_t.c.failures + 1), "last_failure_at": now},
        # A locked row is left alone: waiting guesses neither count nor lengthen the lock.
        where=throttle_t.c.locked_until.is_(None) | (throttle_t.c.locked_until <= now),
    ).returning(throttle_t.c.failures)
    failures = conn.execute(upsert).scalar()
    if failures is None:
        raise _Locked(key)
    lock = rule.lock_after(failures)
    until = now + lock if lock else None
    if until is not None:
        conn.execute(update(throttle_t).where(throttle_t.c.key == key).values(locked_until=until))
    return _Counted(key, previous, until)


def _unlocks_at(engine: Engine, key: str, now: dt.datetime) -> dt.datetime:
    """When a key found locked unlocks (`now` if it was unlocked meanwhile)."""
    with engine.connect() as conn:
        until = conn.execute(select(throttle_t.c.locked_until).where(throttle_t.c.key == key)).scalar()
    return until if until is not None and until > now else now


def attempt_succeeded(engine: Engine, attempt: Attempt, forget: set[str]) -> None:
    """The password was right: forget the keys in `forget` (the account), take this attempt back on the others.

    Taking back compares with what the attempt wrote, so a parallel attempt's count and lock are kept.
    """
    with engine.begin() as conn:
        for item in attempt.counted:
            if item.key in forget:
                conn.execute(delete(throttle_t).where(throttle_t.c.key == item.key))
                continue
            ours = throttle_t.c.last_failure_at == attempt.at
            values = {"failures": case((throttle_t.c.failures > 0, throttle_t.c.failures - 1), else_=0),
                      "last_failure_at": case((ours, item.previous_failure_at), else_=throttle_t.c.last_failure_at)}
            if item.locked_until is not None:
                values["locked_until"] = case((throttle_t.c.locked_until == item.locked_until, None),
                                              else_=throttle_t.c.locked_until)
            conn.execute(update(throttle_t).where(throttle_t.c.key == item.key).values(**values))


def current_locks(engine: Engine, now: dt.datetime) -> list[Lock]:
    """Keys locked at `now`, accounts first, the longest lock first within each."""
    query = (select(throttle_t.c.key, throttle_t.c.failures, throttle_t.c.locked_until)
             .where(throttle_t.c.locked_until > now))
    with engine.connect() as conn:
        locks = [Lock(row.key, row.failures, row.locked_until) for row in conn.execute(query)]
    return sorted(locks, key=lambda lock: (not lock.is_account, -lock.locked_until.timestamp()))


def unlock(engine: Engine, key: str, *, actor: str, actor_id: int | None = None) -> bool:
    """Forget a key's failures and lock, with an audit event; False (and no event) when nothing was counted."""
    with engine.begin() as conn:
        row = conn.execute(select(throttle_t.c.failures, throttle_t.c.locked_until)
                           .where(throttle_t.c.key == key)).first()
        if row is None:
            return False
        conn.execute(delete(throttle_t).where(throttle_t.c.key == key))
        locked_until = row.locked_until.isoformat() if row.locked_until else None
        record_audit(conn, "login_unlock", actor=actor, actor_id=actor_id,
                     detail={"key": key, "failures": row.failures, "locked_until": locked_until})
    return True
