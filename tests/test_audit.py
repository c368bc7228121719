"""The audit log: every download and every raw export is recorded (who, when, which questionnaire, which profile,
why), admins read it in the UI and with `survey audit`, nobody else does."""

from __future__ import annotations

import datetime as dt
import re
import time
from pathlib import Path

import pytest
from conftest import ROOT, add_staff, csrf_of, login, post_form
from litestar.testing import TestClient
from typer.testing import CliRunner

from survey.access import Action, Role, StaffMember
from survey.cli import app
from survey.schema.loader import load_questionnaire
from survey.store import Store
from survey.store_audit import DOWNLOAD, RAW_EXPORT

BUDGET = "budget-participatif-habitants"



def _admin(store: Store) -> StaffMember:
    """A real admin account (the event keeps its id)."""
    user_id = store.add_user("admin@example.fr", "x", Role.ADMIN, [])
    return StaffMember(user_id, "admin@example.fr", Role.ADMIN, frozenset())


def test_an_event_reads_back_with_who_when_what_and_why(store: Store):
    admin = _admin(store)
    before = dt.datetime.now(dt.UTC)
    store.audit(RAW_EXPORT, admin, "budget-participatif-habitants", reason="Demande CNIL n° 12",
                       detail={"profile": "brut", "format": "csv"})
    [event] = store.audit_events()
    assert (event.actor, event.actor_id, event.action) == ("admin@example.fr", admin.id, RAW_EXPORT)
    assert (event.questionnaire_id, event.reason, event.profile) == ("budget-participatif-habitants",
                                                                     "Demande CNIL n° 12", "brut")
    assert event.detail == {"profile": "brut", "format": "csv"}
    assert before - dt.timedelta(seconds=1) <= event.at <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)


def test_events_list_newest_first_filtered_by_questionnaire_moment_and_action(store: Store):
    start = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    for day, (questionnaire, action) in enumerate([("a", DOWNLOAD), ("b", DOWNLOAD), ("a", RAW_EXPORT),
                                                   ("a", DOWNLOAD)]):
        store.audit(action, "cli:alice", questionnaire, at=start + dt.timedelta(days=day))
    assert [e.at.day for e in store.audit_events()] == [4, 3, 2, 1]
    assert [e.at.day for e in store.audit_events(questionnaire_id="a")] == [4, 3, 1]
    assert [e.at.day for e in store.audit_events(since=start + dt.timedelta(days=2))] == [4, 3]
    assert [e.at.day for e in store.audit_events(questionnaire_id="a", action=RAW_EXPORT)] == [3]
    assert store.audit_events(questionnaire_id="c") == []
    assert all(e.actor == "cli:alice" and e.actor_id is None for e in store.audit_events())


def test_an_action_name_too_long_for_its_column_is_refused(sqlite_store: Store):
    with pytest.raises(ValueError, match="1 to 32 characters"):
        sqlite_store.audit("x" * 33, "cli:alice")


# --- who may do what ----------------------------------------------------------------------------------------------


def test_only_admins_may_export_raw_data_or_read_the_audit_log():
    for role in Role:
        member = StaffMember(1, "x@example.fr", role, frozenset())
        assert member.can(Action.RAW_EXPORT) == member.can(Action.READ_AUDIT) == (role is Role.ADMIN)
    assert StaffMember(1, "c@example.fr", Role.CONSULTANT, frozenset()).can(Action.DOWNLOAD)


# --- the web: downloads are logged, admins read the log --------------------------------------------------------------


def _pdf_download(client: TestClient, questionnaire_id: str) -> str:
    """Make a PDF job on the results page, wait for it and download its file; the job's id."""
    page = client.get(f"/staff/q/{questionnaire_id}")
    started = post_form(client, f"/staff/q/{questionnaire_id}/report", [("_csrf_token", csrf_of(page.text))],
                        follow_redirects=False)
    url = started.headers["location"]
    deadline = time.monotonic() + 120
    while '/static/job.js' in (text := client.get(url).text) and time.monotonic() < deadline:
        time.sleep(0.2)
    link = re.search(r'href="(/staff/jobs/[^"]+/file)"', text).group(1)  # type: ignore[union-attr]
    assert client.get(link).status_code == 200
    return url.rsplit("/", 1)[1]


def test_every_download_is_in_the_audit_log_and_admins_read_it(client: TestClient, store: Store):
    store.load(load_questionnaire(ROOT / "questionnaires" / f"{BUDGET}.yaml"))
    mission = store.current(BUDGET).questionnaire.mission.id  # type: ignore[union-attr]
    add_staff(store, "consultant@example.fr", Role.CONSULTANT, [mission])
    add_staff(store, "admin@example.fr", Role.ADMIN)
    login(client, "consultant@example.fr")
    job_id = _pdf_download(client, BUDGET)
    [event] = store.audit_events(BUDGET)
    assert (event.actor, event.action, event.questionnaire_id) == ("consultant@example.fr", DOWNLOAD, BUDGET)
    assert event.detail["job"] == job_id and event.detail["kind"] == "report"
    # A consultant neither sees the link nor reaches the page.
    assert "/staff/audit" not in client.get("/staff").text
    assert client.get("/staff/audit").status_code == 403
    client.post("/logout", data={"_csrf_token": csrf_of(client.get("/staff").text)})
    login(client, "admin@example.fr")
    page = client.get("/staff/audit")
    assert page.status_code == 200 and 'href="/staff/audit"' in page.text
    assert "consultant@example.fr" in page.text and BUDGET in page.text
    assert "consultant@example.fr" not in client.get("/staff/audit?questionnaire=atelier-retour").text
    assert client.get("/staff/audit?since=hier").status_code == 400


# --- the command line -------------------------------------------------------------------------------------------------


def test_survey_audit_prints_the_log_filtered_by_questionnaire_and_day(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("SURVEY_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    store = Store.from_url(f"sqlite:///{tmp_path / 'cli.db'}")
    store.migrate()
    store.audit(RAW_EXPORT, "cli:alice", "a", reason="Demande du\tDPO", detail={"profile": "brut"},
                at=dt.datetime(2026, 3, 1, 9, tzinfo=dt.UTC))
    store.audit(DOWNLOAD, "bob@example.fr", "b", at=dt.datetime(2026, 3, 5, 9, tzinfo=dt.UTC))
    runner = CliRunner()
    every = runner.invoke(app, ["audit"])
    assert every.exit_code == 0
    assert every.output.splitlines() == [
        "2026-03-05T09:00:00Z\tbob@example.fr\tdownload\tb\t-\t-",
        "2026-03-01T09:00:00Z\tcli:alice\traw_export\ta\tbrut\tDemande du DPO",
    ]
    assert runner.invoke(app, ["audit", "--questionnaire", "a"]).output.count("\n") == 1
    assert runner.invoke(app, ["audit", "--since", "2026-03-02"]).output.startswith("2026-03-05")
    bad = runner.invoke(app, ["audit", "--since", "mars"])
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.output and "Traceback" not in bad.output
