"""Security regressions of the web service: what an attacker tries first, kept as tests.

Here: login throttling (per e-mail, per address, parallel guesses, unlocking by an admin and by the CLI), the
security headers on every route, cookie flags, no inline script or style in any page, CSRF on every form
route, and the access matrix role × mission × staff route — on both databases.

Covered elsewhere, and not repeated here:
- XSS: questionnaire text and typed answers escaped on respondent and staff pages
  (tests/test_staff.py::test_staff_pages_escape_what_questionnaires_contain), in the PDF and its SVG charts
  (tests/test_pdf.py::test_questionnaire_text_is_escaped_in_the_report,
  ::test_bar_chart_escapes_labels_and_is_labelled);
- CSRF on the respondent form and logout: tests/test_respond.py::test_a_post_without_csrf_token_is_refused,
  tests/test_staff.py::test_logout_ends_the_session_and_needs_a_post_with_csrf (every other form route: below);
- session fixation, cookie flags at login, open redirects:
  tests/test_staff.py::test_login_rotates_the_session_and_sets_safe_cookies, ::test_login_never_redirects_off_site;
- SSRF from the PDF (a local HTTP canary that must receive nothing, file:// refused):
  tests/test_pdf.py::test_pdf_fetches_nothing_outside_the_asset_dir,
  ::test_fetcher_serves_stylesheets_of_the_asset_dir_only;
- idempotent replays: tests/test_respond.py::test_resubmitting_the_last_page_stores_nothing_more (Back and a
  second tab), tests/test_store.py::test_a_submission_key_stores_one_response_even_when_raced (parallel), and
  a forged form key or version: tests/test_respond.py::test_a_forged_form_key_or_version_is_refused_without_storing;
- post/redirect/get, Back and Reload, resume links, expiry: tests/test_form_sessions.py;
- job pages and files are their owner's only: tests/test_jobs.py::test_a_job_page_and_its_file_are_the_owners_only;
- the REST API's tokens and scoping: the API's own tests (tests/test_api*.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import threading
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar import Litestar
from litestar.routes import HTTPRoute
from litestar.testing import TestClient
from litestar.utils.sync import AsyncCallable
from sqlalchemy import select
from typer.testing import CliRunner

from survey import store_throttle
from survey.access import Role
from survey.cli import app as cli_app
from survey.db import AuditEvent, LoginThrottle
from survey.messages import translate
from survey.schema import load_questionnaire
from survey.settings import Settings
from survey.store import Store
from survey.throttle import ThrottleRule, minutes_left
from survey.web.app import create_app
from tests.conftest import PASSWORD, ROOT, add_staff, csrf_of, login, post_form

BUDGET = "budget-participatif-habitants"
TRAINING = "formation-democratie-participative"
OWN_MISSION = load_questionnaire(ROOT / "questionnaires" / f"{BUDGET}.yaml").mission.id  # type: ignore[union-attr]
SECRET = "test-secret"
LOCKED_FR = "Trop de tentatives de connexion ont échoué"


def _client(store: Store, tmp_path: Path, *, https: bool = False, **settings: object) -> TestClient:
    """The app on the example questionnaires with some settings changed (thresholds, secure cookies)."""
    config = Settings(database_url="sqlite://unused", questionnaires_dir=ROOT / "questionnaires", secret_key=SECRET,
                      export_dir=tmp_path / "exports", **settings)  # type: ignore[arg-type]
    base = "https://testserver.local" if https else "http://testserver.local"
    return TestClient(app=create_app(config, store=store), base_url=base)


def _try_login(client: TestClient, email: str, password: str):  # noqa: ANN202
    token = csrf_of(client.get("/login").text)
    return post_form(client, "/login", [("email", email), ("password", password), ("_csrf_token", token),
                                        ("next", "/staff")], follow_redirects=False)


def _rows(store: Store) -> dict[str, tuple[int, dt.datetime | None]]:
    with store.engine.connect() as conn:
        rows = conn.execute(select(LoginThrottle.__table__)).all()
    return {row.key: (row.failures, row.locked_until) for row in rows}


# --- login throttling ---------------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_and_then_even_the_right_one_waits(store: Store, tmp_path: Path) -> None:
    with _client(store, tmp_path) as client:
        add_staff(store, "eval@example.fr", Role.EVALUATOR, [OWN_MISSION])
        statuses = [_try_login(client, "eval@example.fr", f"guess {i}").status_code for i in range(5)]
        assert statuses == [401, 401, 401, 401, 429]  # the fifth failure is told at once
        right = _try_login(client, "eval@example.fr", PASSWORD)
        assert right.status_code == 429 and "survey_session" not in right.cookies
        assert LOCKED_FR in right.text and "1 minute(s)" in right.text
        assert 1 <= int(right.headers["retry-after"]) <= 61
        assert client.get("/staff", follow_redirects=False).status_code == 303
        english = post_form(client, "/login?lang=en", [("email", "eval@example.fr"), ("password", PASSWORD),
                                                       ("_csrf_token", csrf_of(client.get("/login").text))])
        assert english.status_code == 429 and "Too many failed sign-in attempts" in english.text


def test_a_lock_says_the_same_whether_or_not_the_account_exists(store: Store, tmp_path: Path) -> None:
    with _client(store, tmp_path) as client:
        add_staff(store, "eval@example.fr", Role.EVALUATOR, [OWN_MISSION])
        seen = {}
        for email in ("eval@example.fr", "nobody@example.fr"):
            answers = [_try_login(client, email, "wrong") for _ in range(6)]
            page = answers[-1]
            message = re.search(r'<div class="error-summary" role="alert">(.*?)</div>', page.text, re.S).group(1)  # type: ignore[union-attr]
            seen[email] = ([a.status_code for a in answers], message, page.headers["retry-after"])
        assert seen["eval@example.fr"] == seen["nobody@example.fr"]


def test_a_right_password_forgets_the_accounts_failures(store: Store, tmp_path: Path) -> None:
    with _client(store, tmp_path) as client:
        add_staff(store, "eval@example.fr", Role.EVALUATOR, [OWN_MISSION])
        assert [_try_login(client, "eval@example.fr", "wrong").status_code for _ in range(4)] == [401] * 4
        assert _try_login(client, "eval@example.fr", PASSWORD).status_code == 303
        assert [_try_login(client, "eval@example.fr", "wrong").status_code for _ in range(4)] == [401] * 4
    assert "account:eval@example.fr" in _rows(store)


def test_one_address_trying_many_emails_is_locked_too(store: Store, tmp_path: Path) -> None:
    with _client(store, tmp_path, login_address_attempts=8) as client:
        statuses = [_try_login(client, f"user{i}@example.fr", "wrong").status_code for i in range(9)]
        assert statuses == [401] * 7 + [429, 429]
    keys = _rows(store)
    # Never the raw address: the test client's "testclient", keyed with the service's secret.
    fingerprint = hmac.new(SECRET.encode(), b"testclient", hashlib.sha256).hexdigest()
    assert keys[f"address:{fingerprint}"][0] == 8
    assert not any("testclient" in key for key in keys)
    assert "account:user8@example.fr" not in keys  # refused before anything was counted on that e-mail


def test_hostile_login_input_is_a_failed_login_never_a_server_error(store: Store, tmp_path: Path) -> None:
    """A NUL (refused by PostgreSQL in text), an e-mail longer than the key column, lone surrogates."""
    with _client(store, tmp_path) as client:
        token = csrf_of(client.get("/login").text)
        for fields in ("email=a%00b%40example.fr&password=x", f"email={'a' * 400}%40example.fr&password=x",
                       "email=%ED%A0%80&password=x", "email=a%40example.fr&password=%ED%A0%80%00"):
            response = client.post("/login", content=f"{fields}&_csrf_token={token}",
                                   headers={"Content-Type": "application/x-www-form-urlencoded"})
            assert response.status_code == 401, fields
    assert all(len(key) <= 300 and "\x00" not in key for key in _rows(store))


def test_each_further_failure_doubles_the_lock_up_to_the_longest(store: Store) -> None:
    rule = ThrottleRule(free_failures=3, first_lock=dt.timedelta(minutes=1), longest_lock=dt.timedelta(minutes=10))
    now = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    locks = []
    for _ in range(8):
        attempt = store_throttle.begin_attempt(store.engine, {"account:a@example.fr": rule}, now)
        assert isinstance(attempt, store_throttle.Attempt)  # each one comes after the last lock ran out
        until = attempt.locked_until
        locks.append(None if until is None else (until - now) // dt.timedelta(minutes=1))
        if until is not None:  # while locked, a further guess is refused and told when the lock ends
            assert store_throttle.begin_attempt(store.engine, {"account:a@example.fr": rule}, now) == until
        now = (until or now) + dt.timedelta(seconds=1)
    assert locks == [None, None, 1, 2, 4, 8, 10, 10]
    # a day without failures forgets them all
    later = now + dt.timedelta(days=1, minutes=11)
    assert store_throttle.begin_attempt(store.engine, {"account:a@example.fr": rule}, later).locked_until is None  # type: ignore[union-attr]
    assert _rows(store)["account:a@example.fr"][0] == 1


@given(free=st.integers(1, 20), first=st.integers(1, 120), longest=st.integers(1, 24 * 60),
       failures=st.integers(0, 10_000))
def test_a_lock_starts_after_the_free_failures_and_doubles_up_to_the_longest(free: int, first: int, longest: int,
                                                                             failures: int) -> None:
    rule = ThrottleRule(free, dt.timedelta(minutes=first), dt.timedelta(minutes=max(first, longest)))
    lock, next_lock = rule.lock_after(failures), rule.lock_after(failures + 1)
    if failures < free:
        assert lock is None
        return
    doubled = first
    for _ in range(failures - free):  # an independent count: double until the longest is reached
        doubled = min(doubled * 2, max(first, longest))
    assert lock == dt.timedelta(minutes=doubled)
    assert next_lock is not None and lock <= next_lock <= rule.longest_lock


def test_the_wait_shown_is_rounded_up_to_whole_minutes() -> None:
    now = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    waits = [minutes_left(now + dt.timedelta(seconds=s), now) for s in (0, 1, 59, 60, 61, 3600)]
    assert waits == [1, 1, 1, 1, 2, 60]


def test_parallel_guesses_get_no_more_tries_than_one_after_another(store: Store) -> None:
    rule = ThrottleRule(free_failures=5, first_lock=dt.timedelta(minutes=1), longest_lock=dt.timedelta(hours=1))
    now = dt.datetime.now(dt.UTC)
    results: list[object] = []
    start = threading.Barrier(12)

    def guess() -> None:
        start.wait()
        results.append(store_throttle.begin_attempt(store.engine, {"account:target@example.fr": rule}, now))

    threads = [threading.Thread(target=guess) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    let_through = [r for r in results if isinstance(r, store_throttle.Attempt)]
    assert len(let_through) == 5  # whatever the interleaving: the fifth locks before it is decided
    assert _rows(store)["account:target@example.fr"][0] == 5


def test_the_login_handler_never_runs_on_the_event_loop(store: Store, tmp_path: Path) -> None:
    """Password hashing and the throttle's queries block: the handler must run in a worker thread."""
    with _client(store, tmp_path) as client:
        handlers = [h for route in _http_routes(client.app) if route.path == "/login" for h in route.route_handlers
                    if "POST" in h.http_methods]
    # A sync handler with sync_to_thread is wrapped to run in the thread pool; an async one would block the loop.
    assert handlers and all(h.sync_to_thread is True and isinstance(h.fn, AsyncCallable) for h in handlers)


def test_an_admin_unlocks_from_the_staff_page_and_it_is_audited(store: Store, tmp_path: Path) -> None:
    with _client(store, tmp_path) as client:
        add_staff(store, "admin@example.fr", Role.ADMIN)
        add_staff(store, "eval@example.fr", Role.EVALUATOR, [OWN_MISSION])
        for _ in range(5):
            _try_login(client, "eval@example.fr", "wrong")
        assert _try_login(client, "eval@example.fr", PASSWORD).status_code == 429
        login(client, "admin@example.fr")
        page = client.get("/staff/logins")
        assert page.status_code == 200 and "eval@example.fr" in page.text
        assert 'action="/staff/logins/unlock"' in page.text
        assert '<a href="/staff/logins">' in client.get("/staff").text
        refused = post_form(client, "/staff/logins/unlock", [("key", "account:eval@example.fr")])
        assert refused.status_code == 403  # no CSRF token
        done = post_form(client, "/staff/logins/unlock", [("key", "account:eval@example.fr"),
                                                         ("_csrf_token", csrf_of(page.text))], follow_redirects=False)
        assert done.status_code == 303
        after = client.get(done.headers["location"]).text
        assert translate("unlocked", "fr") in after and "eval@example.fr" not in after
        client.cookies.clear()
        assert _try_login(client, "eval@example.fr", PASSWORD).status_code == 303
    with store.engine.connect() as conn:
        events = conn.execute(select(AuditEvent.__table__)).all()
    assert [(e.action, e.actor, e.detail["key"], e.detail["failures"]) for e in events] == [
        ("login_unlock", "admin@example.fr", "account:eval@example.fr", 5)]


@pytest.mark.parametrize("role", [Role.EVALUATOR, Role.CONSULTANT, Role.INTERVIEWER])
def test_only_admins_see_or_lift_locks(sqlite_store: Store, tmp_path: Path, role: Role) -> None:
    with _client(sqlite_store, tmp_path) as client:
        add_staff(sqlite_store, "member@example.fr", role, [OWN_MISSION])
        login(client, "member@example.fr")
        home = client.get("/staff").text
        assert client.get("/staff/logins").status_code == 403 and "/staff/logins" not in home
        unlock = post_form(client, "/staff/logins/unlock", [("key", "account:x@example.fr"),
                                                           ("_csrf_token", csrf_of(home))])
        assert unlock.status_code == 403


def test_survey_unlock_lifts_an_account_and_an_address_lock(store: Store, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    with _client(store, tmp_path, login_address_attempts=5) as client:
        for _ in range(5):
            _try_login(client, "eval@example.fr", "wrong")
    assert len([key for key, (_, until) in _rows(store).items() if until]) == 2
    monkeypatch.setenv("SURVEY_DATABASE_URL", store.engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("SURVEY_SECRET_KEY", SECRET)
    result = CliRunner().invoke(cli_app, ["unlock", "Eval@Example.fr", "--address", "testclient"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["eval@example.fr: unlocked", "testclient: unlocked"]
    assert _rows(store) == {}
    again = CliRunner().invoke(cli_app, ["unlock", "eval@example.fr"])
    assert again.exit_code == 0 and "nothing to unlock" in again.output
    with store.engine.connect() as conn:
        actions = conn.execute(select(AuditEvent.__table__.c.action, AuditEvent.__table__.c.actor)).all()
    assert len(actions) == 2 and all(a == "login_unlock" and actor.startswith("cli:") for a, actor in actions)


# --- headers and cookies ------------------------------------------------------------------------------------

EXPECTED_CSP = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "object-src": "'none'",
    "base-uri": "'none'", "form-action": "'self'", "frame-ancestors": "'none'",
}
SAMPLE_PARAMS = {"questionnaire_id": BUDGET, "job_id": "not-a-job", "token_id": "999999", "label": "1",
                 "file_path": "app.css", "path": "nothing.yaml", "response_id": "999999",
                 "question": "anciennete_commune"}


def _http_routes(app: Litestar) -> list[HTTPRoute]:
    return [route for route in app.routes if isinstance(route, HTTPRoute)]


def _concrete(path: str, params: dict[str, str] = SAMPLE_PARAMS) -> str:
    """A route's path with each parameter replaced by a sample value."""
    return re.sub(r"\{(\w+):(\w+)\}", lambda m: params.get(m.group(1), "1" if m.group(2) == "int" else "x"), path)


def _assert_security_headers(response, where: str) -> None:  # noqa: ANN001
    headers = response.headers
    policy = dict(part.strip().split(" ", 1) for part in headers.get("content-security-policy", "").split(";"))
    for directive, value in EXPECTED_CSP.items():
        assert policy.get(directive) == value, f"{where}: {directive} is {policy.get(directive)!r}"
    assert "'unsafe-inline'" not in headers["content-security-policy"], where
    assert headers.get("x-frame-options") == "DENY", where
    assert headers.get("referrer-policy") == "same-origin", where
    assert headers.get("x-content-type-options") == "nosniff", where
    permissions = headers.get("permissions-policy", "")
    assert all(f"{feature}=()" in permissions for feature in ("camera", "microphone", "geolocation")), where


def test_every_route_sends_the_security_headers(client: TestClient, store: Store) -> None:
    add_staff(store, "admin@example.fr", Role.ADMIN)
    requests = [("GET", "/does-not-exist"), ("DELETE", "/staff"), ("GET", "/static/app.css"), ("GET", "/s/nope")]
    for route in _http_routes(client.app):
        requests += [(method, _concrete(route.path)) for method in sorted(route.methods) if method != "OPTIONS"]
    assert len(requests) > 30
    for who in ("anonymous", "admin"):
        if who == "admin":
            login(client, "admin@example.fr")
        for method, url in requests:
            response = client.request(method, url, follow_redirects=False)
            _assert_security_headers(response, f"{who} {method} {url} ({response.status_code})")


def test_every_cookie_is_secure_httponly_and_samesite_when_secure_cookies_are_on(store: Store,
                                                                                  tmp_path: Path) -> None:
    with _client(store, tmp_path, https=True, secure_cookies=True) as client:
        add_staff(store, "admin@example.fr", Role.ADMIN)
        responses = [client.get("/login"), client.get("/login?lang=en"), client.get(f"/s/{BUDGET}?lang=fr")]
        responses.append(_try_login(client, "admin@example.fr", PASSWORD))
        responses.append(client.get("/staff?lang=en"))
        cookies = [value for r in responses for value in r.headers.get_list("set-cookie")]
        names = {cookie.split("=", 1)[0] for cookie in cookies}
        assert {"survey_lang", "survey_session", "csrftoken"} <= names
        for cookie in cookies:
            attributes = [part.strip().lower() for part in cookie.split(";")[1:]]
            assert "secure" in attributes and "httponly" in attributes, cookie
            assert "samesite=lax" in attributes, cookie
        assert responses[-1].headers["strict-transport-security"].startswith("max-age=")


def test_pages_hold_no_inline_script_style_or_event_handler() -> None:
    """The CSP allows no inline code: every page template keeps script and style in /static files."""
    data_block = re.compile(r'<script type="application/json"[^>]*>')
    for template in sorted((ROOT / "templates").glob("*.html")):
        if template.name == "report.html":  # the PDF's, rendered by WeasyPrint, never served to a browser
            continue
        html = data_block.sub("", template.read_text(encoding="utf-8"))
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), f"{template.name}: inline <script>"
        assert not re.search(r"<style|\sstyle=", html), f"{template.name}: inline style"
        assert not re.search(r"\son[a-z]+\s*=", html), f"{template.name}: inline event handler"
        assert "javascript:" not in html, template.name


# --- CSRF and the access matrix -----------------------------------------------------------------------------


def test_every_form_route_refuses_a_post_without_its_csrf_token(client: TestClient, store: Store) -> None:
    add_staff(store, "admin@example.fr", Role.ADMIN)
    login(client, "admin@example.fr")
    checked = []
    for route in _http_routes(client.app):
        for handler in route.route_handlers:
            if "POST" not in handler.http_methods or handler.opt.get("exclude_from_csrf"):
                continue  # the API authenticates by bearer token, never by cookie
            url = _concrete(route.path)
            response = post_form(client, url, [("email", "admin@example.fr"), ("password", PASSWORD),
                                               ("key", "account:x"), ("format", "csv"), ("name", "n")])
            assert response.status_code == 403, url
            checked.append(url)
    assert {"/login", "/logout", f"/s/{BUDGET}", f"/s/{BUDGET}/f/x", f"/staff/q/{BUDGET}/export",
            "/staff/logins/unlock"} <= set(checked)
    assert store.response_count(BUDGET) == 0


OWN, OTHER = BUDGET, TRAINING
STAFF_ROLES = [Role.ADMIN, Role.EVALUATOR, Role.CONSULTANT, Role.INTERVIEWER]
# (method, path) → status for admin, evaluator, consultant, interviewer, on their own mission's questionnaire
# and on another mission's. Written out by hand from the README's roles table: 404 hides another mission's work,
# 403 is a role without the right. Job routes use a job that does not exist.
MATRIX: dict[tuple[str, str], dict[str, tuple[int, ...]]] = {
    ("GET", "/staff"): {"own": (200, 200, 200, 200), "other": (200, 200, 200, 200)},
    ("GET", "/staff/q/{q}"): {"own": (200, 200, 200, 403), "other": (200, 404, 404, 403)},
    ("POST", "/staff/q/{q}/export"): {"own": (303, 303, 303, 403), "other": (303, 404, 404, 403)},
    ("POST", "/staff/q/{q}/report"): {"own": (303, 303, 303, 403), "other": (303, 404, 404, 403)},
    ("GET", "/staff/q/{q}/preview"): {"own": (200, 200, 200, 200), "other": (200, 404, 404, 404)},
    # a preview page posted without its signed form state is a bad request, once the mission is checked
    ("POST", "/staff/q/{q}/preview"): {"own": (400, 400, 400, 400), "other": (400, 404, 404, 404)},
    ("GET", "/staff/jobs/{job}"): {"own": (404, 404, 404, 403), "other": (404, 404, 404, 403)},
    ("GET", "/staff/jobs/{job}/file"): {"own": (404, 404, 404, 403), "other": (404, 404, 404, 403)},
    ("POST", "/staff/jobs/{job}/cancel"): {"own": (404, 404, 404, 403), "other": (404, 404, 404, 403)},
    ("GET", "/staff/logins"): {"own": (200, 403, 403, 403), "other": (200, 403, 403, 403)},
    ("POST", "/staff/logins/unlock"): {"own": (303, 403, 403, 403), "other": (303, 403, 403, 403)},
    ("GET", "/staff/audit"): {"own": (200, 403, 403, 403), "other": (200, 403, 403, 403)},
    # Publishing and invitations: admins and evaluators; the register of processing: whoever sees results.
    ("GET", "/staff/publish"): {"own": (200, 200, 403, 403), "other": (200, 200, 403, 403)},
    ("POST", "/staff/publish"): {"own": (422, 422, 403, 403), "other": (422, 422, 403, 403)},  # no file posted
    ("GET", "/staff/q/{q}/publication"): {"own": (200, 200, 403, 403), "other": (200, 404, 403, 403)},
    ("GET", "/staff/q/{q}/invitations"): {"own": (200, 200, 403, 403), "other": (200, 404, 403, 403)},
    ("GET", "/staff/q/{q}/registre"): {"own": (200, 200, 200, 403), "other": (200, 404, 404, 403)},
    # Collecting: interviews and paper or telephone entry; analysing interview grids: evaluators and consultants.
    ("GET", "/staff/entry"): {"own": (200, 200, 403, 200), "other": (200, 200, 403, 200)},
    ("GET", "/staff/interviews"): {"own": (200, 200, 403, 200), "other": (200, 200, 403, 200)},
    ("GET", "/staff/grids"): {"own": (200, 200, 200, 403), "other": (200, 200, 200, 403)},
}
# Staff routes whose access is tested with their feature, not in this matrix.
TESTED_ELSEWHERE = {"/staff/tokens", "/staff/tokens/{token_id:int}/revoke"}
# Managing responses (tests/test_responses_admin.py: admins and evaluators only, 404 on another mission).
TESTED_ELSEWHERE |= {f"/staff/q/{{questionnaire_id:str}}/responses{tail}" for tail in (
    "", "/{response_id:int}", "/{response_id:int}/status", "/{response_id:int}/delete",
    "/{response_id:int}/correct/{question:str}")}


# The other routes of publishing, invitations, paper entry, interviews and grid analysis take ids or fields the
# matrix cannot give: each feature's tests check them role by role and mission by mission (tests/test_publishing_web.py,
# test_invitations_web.py, test_entry.py, test_interviews_web.py, test_grid_analysis_web.py).
TESTED_ELSEWHERE |= {
    "/staff/q/{questionnaire_id:str}/branding", "/staff/q/{questionnaire_id:str}/dates",
    "/staff/q/{questionnaire_id:str}/state", "/staff/q/{questionnaire_id:str}/invitations/import",
    "/staff/q/{questionnaire_id:str}/invitations/send/{kind:str}",
    "/staff/q/{questionnaire_id:str}/invitations/{invitation_id:int}/revoke", "/staff/entry/{questionnaire_id:str}",
    *(f"/staff/grids/{{grid_id:str}}{tail}" for tail in (
        "", "/citations", "/codes", "/export", "/frequences", "/codes/fusionner", "/codes/renommer",
        "/codes/scinder")),
    "/staff/interviews/new/{grid_id:str}",
    *(f"/staff/interviews/{{interview_id:int}}{tail}" for tail in (
        "", "/complete", "/save", "/save.json", "/segments", "/segments.json", "/transcript",
        "/segments/{segment_id:int}/codes.json", "/segments/{segment_id:int}/untag/{code_id:int}")),
}


def _matrix_path(route_path: str) -> str:
    return re.sub(r"\{questionnaire_id:str\}", "{q}", re.sub(r"\{job_id:str\}", "{job}", route_path))


def test_the_matrix_lists_every_staff_route(client: TestClient) -> None:
    """A new staff page must say who may open it: add it to MATRIX (or to the test of its feature)."""
    routes = {(method, _matrix_path(route.path)) for route in _http_routes(client.app)
              if route.path.startswith("/staff") and route.path not in TESTED_ELSEWHERE
              for method in route.methods if method != "OPTIONS"}
    assert routes == set(MATRIX)


def test_the_access_matrix_role_by_mission_by_route(client: TestClient, store: Store) -> None:
    token = csrf_of(client.get("/login").text)
    for method, path in MATRIX:  # anyone not logged in is sent to the login page, whatever the route
        url = path.replace("{q}", OWN).replace("{job}", "not-a-job")
        response = client.request(method, url, data={"_csrf_token": token} if method == "POST" else None,
                                  follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login"), (method, url)
    failures = []
    for index, role in enumerate(STAFF_ROLES):
        client.cookies.clear()
        email = add_staff(store, f"{role.value}@example.fr", role, [] if role is Role.ADMIN else [OWN_MISSION])
        login(client, email)
        token = csrf_of(client.get("/staff").text)
        for (method, path), expected in MATRIX.items():
            for mission, questionnaire in (("own", OWN), ("other", OTHER)):
                url = path.replace("{q}", questionnaire).replace("{job}", "not-a-job")
                fields = {"_csrf_token": token, "format": "csv", "key": "account:nobody@example.fr"}
                response = client.request(method, url, data=fields if method == "POST" else None,
                                          follow_redirects=False)
                if response.status_code != expected[mission][index]:
                    failures.append(f"{role.value} {method} {url}: {response.status_code}, "
                                    f"expected {expected[mission][index]}")
    assert failures == []

