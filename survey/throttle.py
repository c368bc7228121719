"""Login throttling as data: how long a run of failed logins locks an account or an address.  PURE.

A key is "account:<email>" for everyone typing that e-mail, known or not (so a lock never tells whether an
account exists), or "address:<hmac>" for a client address, keyed by the service's secret so that no raw
address is ever stored. The counts live in the `login_throttle` table (survey/store_throttle.py) so that every
process sees them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass

ACCOUNT_PREFIX = "account:"
ADDRESS_PREFIX = "address:"
# A run of failures is forgotten once none has come for this long; longer than the longest lock, so that
# waiting out a lock never resets the count.
FORGET_AFTER = dt.timedelta(days=1)
_MAX_DOUBLINGS = 20  # 2**20 first locks is far past any longest lock: keeps the timedelta small


@dataclass(frozen=True)
class ThrottleRule:
    """`free_failures` failures in a row are let through; each further one locks, twice as long as the last."""

    free_failures: int
    first_lock: dt.timedelta
    longest_lock: dt.timedelta

    def lock_after(self, failures: int) -> dt.timedelta | None:
        """How long the key is locked after its `failures`-th failure in a row; None while still free."""
        if failures < self.free_failures:
            return None
        doublings = min(failures - self.free_failures, _MAX_DOUBLINGS)
        return min(self.first_lock * 2**doublings, self.longest_lock)


def account_key(email: str) -> str:
    """The throttle key of an e-mail as typed (trimmed, lower-cased), whether or not an account has it."""
    return ACCOUNT_PREFIX + email.strip().lower()[:254]  # the longest address; the key column holds 300


def address_key(address: str, secret: str) -> str:
    """The throttle key of a client address: an HMAC-SHA256 under the service's secret, never the address."""
    return ADDRESS_PREFIX + hmac.new(secret.encode(), address.encode(), hashlib.sha256).hexdigest()


def key_label(key: str) -> str:
    """What staff are shown for a key: the e-mail of an account, a short fingerprint of an address."""
    if key.startswith(ACCOUNT_PREFIX):
        return key.removeprefix(ACCOUNT_PREFIX)
    return f"{key.removeprefix(ADDRESS_PREFIX)[:12]}…"


def minutes_left(until: dt.datetime, now: dt.datetime) -> int:
    """Whole minutes, rounded up, until `until` (at least 1): what the login page tells the person to wait."""
    seconds = (until - now).total_seconds()
    return max(1, -int(-seconds // 60))
