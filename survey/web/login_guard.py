"""Login throttling on the web side: the keys of a login attempt and the rules the settings give them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from litestar import Request

from survey import store_throttle
from survey.settings import Settings
from survey.store import Store
from survey.store_throttle import Attempt
from survey.throttle import ThrottleRule, account_key, address_key


@dataclass(frozen=True)
class LoginGuard:
    """Counts login attempts per e-mail and per client address in the database, so every process agrees."""

    store: Store
    secret: str
    account: ThrottleRule
    address: ThrottleRule

    @classmethod
    def from_settings(cls, store: Store, settings: Settings, secret: str) -> LoginGuard:
        """The rules of SURVEY_LOGIN_*: the same lock lengths for accounts and addresses, their own thresholds."""
        first = dt.timedelta(minutes=settings.login_lock_minutes)
        longest = max(first, dt.timedelta(minutes=settings.login_lock_max_minutes))
        return cls(store, secret, ThrottleRule(settings.login_account_attempts, first, longest),
                   ThrottleRule(settings.login_address_attempts, first, longest))

    def begin(self, request: Request, email: str) -> Attempt | dt.datetime:
        """Count this attempt on the e-mail and on the client's address, or say when they unlock.

        The address is the one the ASGI server gives (behind a proxy: the forwarded one it trusts, see
        uvicorn's `--forwarded-allow-ips`); only its keyed hash reaches the database.
        """
        address = request.client.host if request.client else "unknown"
        rules = {account_key(email): self.account, address_key(address, self.secret): self.address}
        return store_throttle.begin_attempt(self.store.engine, rules, dt.datetime.now(dt.UTC))

    def succeeded(self, attempt: Attempt, email: str) -> None:
        """The right password: the e-mail's failures are forgotten, the address's count loses this attempt."""
        store_throttle.attempt_succeeded(self.store.engine, attempt, forget={account_key(email)})
