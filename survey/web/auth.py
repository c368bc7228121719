"""Staff login: argon2id passwords, throttled per e-mail and per address, a fresh session token at every login."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, NotFoundException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.response import Redirect, Response

from survey.access import Action, StaffMember
from survey.passwords import hash_password, needs_rehash, verify_password
from survey.store import Store
from survey.store_listings import QuestionnaireListing
from survey.store_throttle import Attempt
from survey.throttle import minutes_left
from survey.web.login_guard import LoginGuard
from survey.web.pages import Form, ServicesDep, form_value, render

SESSION_COOKIE = "survey_session"
EMAIL_MAX = 254  # characters: the longest e-mail address, and the staff_user column's size


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def current_member(connection: ASGIConnection) -> StaffMember | None:
    """The logged-in member of staff, looked up once per request."""
    if "member" not in connection.scope:
        token = connection.cookies.get(SESSION_COOKIE)
        store: Store = connection.app.state.store
        connection.scope["member"] = store.session_member(_digest(token)) if token else None  # type: ignore[typeddict-unknown-key]
    return connection.scope["member"]  # type: ignore[typeddict-item]


def guarded_member(request: Request) -> StaffMember:
    """The logged-in member, in a handler whose `require` guard has already made sure there is one."""
    return current_member(request)  # type: ignore[return-value]


def visible_questionnaire(store: Store, request: Request, questionnaire_id: str) -> QuestionnaireListing:
    """The questionnaire if the member works on its mission; 404 otherwise, so that its existence does not leak."""
    listing = store.listing(questionnaire_id, guarded_member(request))
    if listing is None:
        raise NotFoundException()
    return listing


def require(action: Action):  # noqa: ANN201
    """A guard: logged in (else the login page), with a role allowed `action` (else 403)."""

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        member = current_member(connection)
        if member is None:
            raise NotAuthorizedException()
        if not member.can(action):
            raise PermissionDeniedException()

    return guard


def _safe_next(target: str | None) -> str:
    """Only paths on this site: never `//host` or `http://…` (open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/staff"


def login_redirect(request: Request) -> Redirect:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return Redirect(f"/login?next={quote(target)}", status_code=303)


def _typed_email(data: Form) -> str:
    """The e-mail as typed: trimmed, lower-cased, at most 254 characters (the longest address), without the
    control characters and lone surrogates no address holds (PostgreSQL refuses a NUL in text)."""
    typed = (form_value(data, "email") or "").strip().lower()[:EMAIL_MAX]
    return "".join(char for char in typed if char.isprintable())


def _locked(request: Request, data: Form, email: str, until: dt.datetime) -> Response:
    """429 with the wait in minutes; the same page whether the e-mail, the address or both are locked."""
    now = dt.datetime.now(dt.UTC)
    response = render(request, "login.html", status=429, next=_safe_next(form_value(data, "next")), failed=False,
                      email=email, locked_minutes=minutes_left(until, now))
    response.headers["Retry-After"] = str(max(1, int((until - now).total_seconds()) + 1))
    return response


class AuthController(Controller):
    @get("/login", name="login")
    async def login_form(self, request: Request) -> Response:
        return render(request, "login.html", next=_safe_next(request.query_params.get("next")), failed=False)

    @post("/login", sync_to_thread=True)
    def login(self, request: Request, services: ServicesDep, data: Form) -> Response:
        email = _typed_email(data)
        password = form_value(data, "password") or ""
        guard: LoginGuard = request.app.state.login_guard
        attempt = guard.begin(request, email)  # counted before the password is checked: parallel guesses wait
        if not isinstance(attempt, Attempt):
            return _locked(request, data, email, attempt)
        found = services.store.password_hash(email)
        if found is None or not verify_password(found[1], password):
            verify_password(None, password) if found is None else None  # same time whether the email exists or not
            if attempt.locked_until is not None:  # this failure was one too many
                return _locked(request, data, email, attempt.locked_until)
            return render(request, "login.html", status=401, next=_safe_next(form_value(data, "next")), failed=True,
                          email=email)
        guard.succeeded(attempt, email)
        user_id, stored_hash = found
        if needs_rehash(stored_hash):
            services.store.set_password_hash(user_id, hash_password(password))
        old = request.cookies.get(SESSION_COOKIE)
        if old:
            services.store.end_session(_digest(old))
        token = secrets.token_urlsafe(32)  # a new id at every login: no session fixation
        expires = dt.datetime.now(dt.UTC) + dt.timedelta(hours=services.settings.session_hours)
        services.store.start_session(user_id, _digest(token), expires)
        response = Redirect(_safe_next(form_value(data, "next")), status_code=303)
        response.set_cookie(SESSION_COOKIE, token, max_age=services.settings.session_hours * 3600, httponly=True,
                            samesite="lax", secure=services.settings.secure_cookies, path="/")
        return response

    @post("/logout", sync_to_thread=True)
    def logout(self, request: Request, services: ServicesDep) -> Redirect:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            services.store.end_session(_digest(token))
        response = Redirect("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response
