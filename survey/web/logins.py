"""The admins' page of locked logins: who is locked until when, and a button to unlock (recorded in the audit log)."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import ValidationException
from litestar.response import Redirect

from survey import store_throttle
from survey.access import Action, StaffMember
from survey.throttle import ACCOUNT_PREFIX, ADDRESS_PREFIX
from survey.web.auth import current_member, require
from survey.web.pages import Form, ServicesDep, form_value, render

KEY_MAX = 300  # the column's size: a longer key cannot be a stored one


class LoginLocksController(Controller):
    path = "/staff/logins"
    guards = [require(Action.UNLOCK_LOGINS)]

    @get("/", sync_to_thread=True)
    def locks(self, request: Request, services: ServicesDep) -> Response:
        """The keys locked now, each with its unlock button."""
        now = dt.datetime.now(dt.UTC)
        return render(request, "staff_logins.html", locks=store_throttle.current_locks(services.store.engine, now),
                      unlocked=request.query_params.get("unlocked") == "1")

    @post("/unlock", sync_to_thread=True)
    def unlock(self, request: Request, services: ServicesDep, data: Form) -> Redirect:
        """Forget one key's failures and lock; back to the list, which says it was done."""
        key = form_value(data, "key") or ""
        if not key.startswith((ACCOUNT_PREFIX, ADDRESS_PREFIX)) or len(key) > KEY_MAX:
            raise ValidationException("key: an `account:` or `address:` key from the list of locked sign-ins")
        member: StaffMember = current_member(request)  # type: ignore[assignment]  # the guard made sure
        store_throttle.unlock(services.store.engine, key, actor=member.email, actor_id=member.id)
        return Redirect("/staff/logins?unlocked=1", status_code=303)
