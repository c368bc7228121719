"""Fixtures: a store on SQLite (always) and on PostgreSQL (when SURVEY_TEST_DATABASE_URL is set), app clients."""

from __future__ import annotations

import atexit
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from litestar.testing import TestClient
from sqlalchemy import text

from survey.access import Role
from survey.passwords import hash_password
from survey.settings import Settings
from survey.store import Store
from survey.web.app import create_app

ROOT = Path(__file__).resolve().parent.parent
# The example files of the questionnaires folder: questionnaires, and interview grids (`kind: interview`).
EXAMPLE_FILES = sorted((ROOT / "questionnaires").glob("*.yaml"))
EXAMPLE_GRIDS = [p for p in EXAMPLE_FILES if "\nkind: interview\n" in p.read_text(encoding="utf-8")]
EXAMPLE_QUESTIONNAIRES = [p for p in EXAMPLE_FILES if p not in EXAMPLE_GRIDS]
IN_CI = os.environ.get("CI", "").lower() == "true"
PG_URL = os.environ.get("SURVEY_TEST_DATABASE_URL", "")


def _own_database(url: str) -> str:
    """A database of this test run's own beside `url`'s, so that runs at the same time never drop each other's."""
    if not url:
        return url
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    name = f"{make_url(url).database or 'test'}_run{os.getpid()}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    atexit.register(drop)
    return make_url(url).set(database=name).render_as_string(hide_password=False)


PG_URL = _own_database(PG_URL)
PASSWORD = "correct horse battery"

# Two cores, shared with other work: no per-example deadline; CI explores the same examples on every run.
hypothesis_settings.register_profile("default", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.register_profile("ci", parent=hypothesis_settings.get_profile("default"), derandomize=True)
hypothesis_settings.load_profile("ci" if IN_CI else "default")

DATABASES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


def require_in_ci(what: str, available: bool) -> None:
    """Skip locally when `what` is missing; under CI=true, fail instead: those tests must run there."""
    if not available:
        if IN_CI:
            pytest.fail(f"{what} is required under CI=true but is not available")
        pytest.skip(f"{what} not available")


def _postgres_store() -> Store:
    require_in_ci("PostgreSQL (SURVEY_TEST_DATABASE_URL)", bool(PG_URL))
    store = Store.from_url(PG_URL)
    with store.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    return store


@pytest.fixture(params=DATABASES)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty store on each database."""
    if request.param == "postgresql":
        made = _postgres_store()
    else:
        made = Store.from_url(f"sqlite:///{tmp_path / 'test.db'}")
    made.migrate()
    yield made
    made.engine.dispose()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    made = Store.from_url(f"sqlite:///{tmp_path / 'test.db'}")
    made.migrate()
    yield made
    made.engine.dispose()


def make_client(store: Store, tmp_path: Path, questionnaires_dir: Path = ROOT / "questionnaires") -> TestClient:
    settings = Settings(database_url="sqlite://unused", questionnaires_dir=questionnaires_dir,
                        secret_key="test-secret", export_dir=tmp_path / "exports")
    return TestClient(app=create_app(settings, store=store), base_url="http://testserver.local")


@pytest.fixture
def client(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    """The app on the example questionnaires, on each database."""
    with make_client(store, tmp_path) as test_client:
        yield test_client


def add_staff(store: Store, email: str, role: Role, missions: list[str] = ()) -> str:  # type: ignore[assignment]
    store.add_user(email, hash_password(PASSWORD), role, list(missions))
    return email


def csrf_of(html: str) -> str:
    return re.search(r'name="_csrf_token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def state_of(html: str) -> str:
    """The staff preview's signed state (respondents' forms are kept on the server: see `controls_of`)."""
    return re.search(r'name="state" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]


def action_of(html: str) -> str:
    """Where a questionnaire page posts: `/s/<id>` for the first page, the form's own URL after."""
    return re.search(r'<form method="post" action="([^"]+)" novalidate data-survey>', html).group(1)  # type: ignore[union-attr]


def controls_of(html: str) -> list[tuple[str, str]]:
    """A questionnaire page's CSRF token and the hidden fields that say which page (version, language) it is."""
    hidden = re.findall(r'<input type="hidden" name="(page|version|language|form|state)" value="([^"]*)">', html)
    return [("_csrf_token", csrf_of(html)), *hidden]


def submit(client: TestClient, html: str, fields: list[tuple[str, str]], action: str = "next",
           follow_redirects: bool = True):  # noqa: ANN201
    """Post a questionnaire page as its button does (to its form's `action`, with its hidden fields); the
    respondent's POST is answered by a 303, followed unless asked not to."""
    data = [*controls_of(html), ("action", action), *fields]
    return post_form(client, action_of(html), data, follow_redirects=follow_redirects)


def login(client: TestClient, email: str, password: str = PASSWORD) -> None:
    page = client.get("/login")
    response = client.post("/login", data={"email": email, "password": password, "_csrf_token": csrf_of(page.text),
                                           "next": "/staff"}, follow_redirects=False)
    assert response.status_code == 303, response.text


def post_form(client: TestClient, url: str, fields: list[tuple[str, str]], **kwargs: object):  # noqa: ANN201
    """POST repeated form fields (a multiple choice) as a browser does; httpx takes only dicts as `data`."""
    from urllib.parse import urlencode

    return client.post(url, content=urlencode(fields), headers={"Content-Type": "application/x-www-form-urlencoded"},
                       **kwargs)
