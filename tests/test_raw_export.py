"""Raw exports (identifiers kept) are for admins only, with a reason, and audited when started and when taken;
every ordinary download is audited too, through the pages and the API alike."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import textwrap
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from survey import deliverables
from survey.access import Role
from survey.cli import app
from survey.db import Job, ResponseRow
from survey.schema import load_questionnaire
from survey.store import Store
from survey.store_audit import CLI_EXPORT, DOWNLOAD, RAW_DOWNLOAD, RAW_EXPORT
from tests.conftest import add_staff, csrf_of, login, make_client, post_form

QID = "retour-quartier"
MISSION = "mission-quartier"
QUESTIONNAIRE = f"""\
    id: {QID}
    version: "1"
    title: Retour sur la réunion de quartier
    mission: {{id: {MISSION}, name: Réunion de quartier, client: Ville}}
    privacy_notice: Vos coordonnées servent seulement à vous recontacter.
    disclosure:
      submitted_date: none
      version: none
      profiles:
        diffusion: {{k: 2, suppression: 0, l: 1}}
    pages:
      - id: p1
        title: Vous
        questions:
          - name: quartier
            type: single_choice
            disclosure: quasi_identifier
            label: Votre quartier
            choices:
              - {{code: nord, label: Nord}}
              - {{code: sud, label: Sud}}
          - name: courriel
            type: email
            disclosure: identifier
            label: Votre courriel
          - name: commentaire
            type: long_text
            disclosure: free_text
            label: Un commentaire ?
"""
# Ten people, five per district (so k = 2 holds without suppression); each comment gives a phone number, which an
# anonymised export drops (or scrubs) and a raw one keeps.
ANSWERS = [{"quartier": "nord" if i % 2 else "sud", "courriel": f"personne{i}@example.fr",
            "commentaire": f"Rappelez-moi au 06 12 34 56 {i:02d}"} for i in range(10)]
REASON = "Demande d'accès RGPD n° 42 (art. 15)"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "questionnaires"
    made.mkdir()
    (made / f"{QID}.yaml").write_text(textwrap.dedent(QUESTIONNAIRE), encoding="utf-8")
    return made


@pytest.fixture
def loaded(store: Store, folder: Path) -> Store:
    """The store with the questionnaire and its ten responses."""
    store.load(load_questionnaire(folder / f"{QID}.yaml"))
    version_id = store.current(QID).version_id  # type: ignore[union-attr]
    for i, answers in enumerate(ANSWERS):
        assert store.store_response(version_id, f"key-{i}", answers)
    return store


@pytest.fixture
def web(loaded: Store, tmp_path: Path, folder: Path) -> Iterator[TestClient]:
    with make_client(loaded, tmp_path, folder) as test_client:
        yield test_client


def stored_ids(store: Store) -> dict[str, int]:
    """E-mail → the id the database gave its response, read straight from the table."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(ResponseRow.id, ResponseRow.answers)).all()
    return {(answers if isinstance(answers, dict) else json.loads(answers))["courriel"]: row_id
            for row_id, answers in rows}


def job_count(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Job)).scalar_one()


def main_rows(content: bytes) -> list[dict[str, str]]:
    """The main table of an export zip (CSV), read back with the csv module."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return list(csv.DictReader(io.StringIO(archive.read(f"{QID}.csv").decode("utf-8-sig"), newline="")))


def zip_texts(content: bytes) -> tuple[str, dict]:
    """LISEZMOI.txt and rapport-anonymisation.json of an export zip."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("LISEZMOI.txt").decode(), json.loads(archive.read("rapport-anonymisation.json"))


def export_form(client: TestClient, fields: list[tuple[str, str]]):  # noqa: ANN201
    """Post the staff export form as a browser does (CSRF token from the results page)."""
    page = client.get(f"/staff/q/{QID}")
    return post_form(client, f"/staff/q/{QID}/export", [("_csrf_token", csrf_of(page.text)), *fields],
                     follow_redirects=False)


def finished_page(client: TestClient, url: str) -> str:
    """Wait for a job's page to stop refreshing; its text."""
    deadline = time.monotonic() + 120
    while '/static/job.js' in (text := client.get(url).text) and time.monotonic() < deadline:
        time.sleep(0.1)
    return text


def download(client: TestClient, job_url: str) -> bytes:
    """The finished job's file, through the link its page shows."""
    text = finished_page(client, job_url)
    link = re.search(r'href="(/staff/jobs/[^"]+/file)"', text)
    assert link is not None, text
    response = client.get(link.group(1))
    assert response.status_code == 200
    return response.content


# --- the raw table ----------------------------------------------------------------------------------------------------


def test_a_raw_export_keeps_identifiers_free_text_and_the_stored_ids(loaded: Store, tmp_path: Path) -> None:
    raw = deliverables.RawRequest("admin@example.fr", REASON)
    first = deliverables.write_export(loaded, QID, "csv", tmp_path / "a.zip", raw=raw).read_bytes()
    again = deliverables.write_export(loaded, QID, "csv", tmp_path / "b.zip", raw=raw).read_bytes()
    rows = main_rows(first)
    assert list(rows[0])[:3] == ["response_id", "version", "submitted_at"]
    ids = stored_ids(loaded)
    assert {row["courriel"]: int(row["response_id"]) for row in rows} == ids  # the database's own ids
    assert {row["courriel"]: row["response_id"] for row in main_rows(again)} == {
        row["courriel"]: row["response_id"] for row in rows}  # stable from one export to the next
    assert sorted(row["commentaire"] for row in rows) == sorted(a["commentaire"] for a in ANSWERS)  # unscrubbed
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", row["submitted_at"]) for row in rows)
    readme, report = zip_texts(first)
    assert "données brutes — non anonymisées, contient des données personnelles" in readme.lower()
    assert REASON in readme and "admin@example.fr" in readme and "response_id" in readme
    assert report["classification"] == "raw" and report["reason"] == REASON
    assert report["avertissement"] == "données brutes — non anonymisées, contient des données personnelles"
    assert report["records"] == {"in": 10, "out": 10, "suppressed": 0}


def test_an_anonymised_export_of_the_same_responses_keeps_none_of_that(loaded: Store, tmp_path: Path) -> None:
    rows = main_rows(deliverables.write_export(loaded, QID, "csv", tmp_path / "a.zip").read_bytes())
    assert len(rows) == 10 and {"courriel", "commentaire", "response_id", "submitted_at"}.isdisjoint(rows[0])
    readme, report = zip_texts((tmp_path / "a.zip").read_bytes())
    assert report["classification"] != "raw" and "brutes" not in readme


def test_a_raw_export_needs_a_reason() -> None:
    for reason in ("", "   \n"):
        with pytest.raises(deliverables.ExportError, match="a reason is required"):
            deliverables.RawRequest("admin@example.fr", reason)
    with pytest.raises(deliverables.ExportError, match="at most 2000"):
        deliverables.RawRequest("admin@example.fr", "x" * 2001)
    assert deliverables.RawRequest("a@example.fr", "  DPO \n").reason == "DPO"


# --- the staff export form ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.EVALUATOR])
def test_a_consultant_or_evaluator_neither_sees_nor_starts_a_raw_export(web: TestClient, loaded: Store,
                                                                       role: Role) -> None:
    add_staff(loaded, "staff@example.fr", role, [MISSION])
    login(web, "staff@example.fr")
    page = web.get(f"/staff/q/{QID}")
    assert page.status_code == 200 and 'name="format"' in page.text
    assert 'name="raw"' not in page.text and 'name="reason"' not in page.text
    refused = export_form(web, [("format", "csv"), ("raw", "1"), ("reason", REASON)])
    assert refused.status_code == 403
    assert job_count(loaded) == 0 and loaded.audit_events() == []


def test_an_admin_raw_export_needs_a_reason_and_is_audited_when_started_and_downloaded(web: TestClient,
                                                                                       loaded: Store) -> None:
    add_staff(loaded, "admin@example.fr", Role.ADMIN)
    login(web, "admin@example.fr")
    page = web.get(f"/staff/q/{QID}").text
    assert 'name="raw"' in page and "Export brut (identifiants conservés)" in page and 'name="reason"' in page
    empty = export_form(web, [("format", "csv"), ("raw", "1"), ("reason", "  ")])
    assert empty.status_code == 400 and "a reason is required" in empty.text
    assert job_count(loaded) == 0 and loaded.audit_events() == []
    started = export_form(web, [("format", "csv"), ("raw", "1"), ("reason", REASON), ("k", "9")])
    assert started.status_code == 303
    job_url = started.headers["location"]
    job_id = job_url.rsplit("/", 1)[1]
    [start] = loaded.audit_events()
    assert (start.action, start.actor, start.questionnaire_id, start.reason) == (RAW_EXPORT, "admin@example.fr", QID,
                                                                                 REASON)
    assert start.actor_id == loaded.user_id("admin@example.fr") and start.detail["job"] == job_id
    text = finished_page(web, job_url)
    assert "non anonymisées, contient des données personnelles" in text and REASON in html.unescape(text)
    content = download(web, job_url)
    rows = main_rows(content)
    assert sorted(row["courriel"] for row in rows) == sorted(a["courriel"] for a in ANSWERS)
    assert {row["courriel"]: int(row["response_id"]) for row in rows} == stored_ids(loaded)
    taken, _start = loaded.audit_events()
    assert (taken.action, taken.actor, taken.questionnaire_id, taken.reason) == (RAW_DOWNLOAD, "admin@example.fr",
                                                                                 QID, REASON)
    assert taken.detail["job"] == job_id and taken.profile == "raw"
    assert "BRUT" in taken.detail["file"]
    log = web.get(f"/staff/audit?questionnaire={QID}").text
    assert html.unescape(log).count(REASON) == 2 and RAW_DOWNLOAD in log and RAW_EXPORT in log


def test_every_ordinary_download_is_audited_with_its_profile(web: TestClient, loaded: Store) -> None:
    add_staff(loaded, "consultant@example.fr", Role.CONSULTANT, [MISSION])
    login(web, "consultant@example.fr")
    started = export_form(web, [("format", "csv"), ("profile", "diffusion")])
    assert loaded.audit_events() == []  # starting an anonymised export is not an event; taking it is
    rows = main_rows(download(web, started.headers["location"]))
    assert len(rows) == 10 and "courriel" not in rows[0]
    download(web, started.headers["location"])  # each download is one event
    events = loaded.audit_events()
    assert [(e.action, e.actor, e.questionnaire_id, e.profile, e.reason) for e in events] == [
        (DOWNLOAD, "consultant@example.fr", QID, "diffusion", "")] * 2


# --- the API ----------------------------------------------------------------------------------------------------------


def token_for(store: Store, email: str, role: Role, missions: list[str]) -> dict[str, str]:
    add_staff(store, email, role, missions)
    _token_id, token = store.add_token(store.user_id(email), "tests")  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {token}"}


def wait_done(client: TestClient, url: str, headers: dict[str, str]) -> dict:
    deadline = time.monotonic() + 120
    while (job := client.get(url, headers=headers).json())["status"] in ("queued", "running"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return job


@pytest.mark.parametrize("role", [Role.ADMIN, Role.CONSULTANT, Role.EVALUATOR])
def test_the_api_never_starts_a_raw_export(web: TestClient, loaded: Store, role: Role) -> None:
    headers = token_for(loaded, "staff@example.fr", role, [MISSION])
    refused = web.post(f"/api/questionnaires/{QID}/exports", headers=headers,
                       json={"format": "csv", "raw": True, "reason": REASON})
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["key"] == "raw" and "staff export form" in refused.json()["detail"]
    assert job_count(loaded) == 0 and loaded.audit_events() == []


def test_an_api_export_takes_a_profile_and_its_download_is_audited(web: TestClient, loaded: Store) -> None:
    headers = token_for(loaded, "consultant@example.fr", Role.CONSULTANT, [MISSION])
    url = f"/api/questionnaires/{QID}/exports"
    started = web.post(url, headers=headers, json={"format": "csv", "profile": "diffusion", "k": 5})
    assert started.status_code == 202, started.text
    job = wait_done(web, started.headers["location"], headers)
    assert job["status"] == "done" and job["profile"] == "diffusion"
    content = web.get(job["download_url"], headers=headers).content
    _readme, report = zip_texts(content)
    assert report["parameters"]["profile"] == "diffusion" and report["parameters"]["k"] == 5  # the override
    assert report["k_achieved"] >= 5 and "courriel" not in main_rows(content)[0]
    [event] = loaded.audit_events()
    assert (event.action, event.actor, event.questionnaire_id, event.profile) == (
        DOWNLOAD, "consultant@example.fr", QID, "diffusion")
    assert event.detail["job"] == job["id"]
    for body, key in (({"format": "csv", "profile": "public"}, "profile"), ({"format": "csv", "k": 0}, "k"),
                      ({"format": "csv", "suppression": 150}, "suppression")):
        refused = web.post(url, headers=headers, json=body)
        assert refused.status_code == 422 and refused.json()["errors"][0]["key"] == key, body


def test_an_admins_raw_job_is_not_reachable_through_the_api(web: TestClient, loaded: Store) -> None:
    headers = token_for(loaded, "admin@example.fr", Role.ADMIN, [])
    login(web, "admin@example.fr")
    job_id = export_form(web, [("format", "csv"), ("raw", "1"), ("reason", REASON)]).headers["location"]
    job_id = job_id.rsplit("/", 1)[1]
    finished_page(web, f"/staff/jobs/{job_id}")
    assert web.get(f"/api/jobs/{job_id}", headers=headers).status_code == 404
    assert web.get(f"/api/jobs/{job_id}/file", headers=headers).status_code == 404
    assert web.get(f"/api/questionnaires/{QID}/exports", headers=headers).json() == []


# --- the command line -------------------------------------------------------------------------------------------------


@pytest.fixture
def cli_store(tmp_path: Path, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SURVEY_DATABASE_URL", url)
    monkeypatch.setenv("USER", "alice")  # getpass reads it first
    monkeypatch.setenv("LOGNAME", "alice")
    store = Store.from_url(url)
    store.migrate()
    store.load(load_questionnaire(folder / f"{QID}.yaml"))
    version_id = store.current(QID).version_id  # type: ignore[union-attr]
    for i, answers in enumerate(ANSWERS):
        store.store_response(version_id, f"key-{i}", answers)
    return store


def test_survey_export_raw_needs_a_reason_and_is_audited_as_the_system_user(cli_store: Store, tmp_path: Path) -> None:
    runner = CliRunner()
    output = tmp_path / "brut.zip"
    missing = runner.invoke(app, ["export", QID, "--raw", "-o", str(output)])
    assert missing.exit_code == 1 and "--reason" in missing.output and "Traceback" not in missing.output
    mixed = runner.invoke(app, ["export", QID, "--raw", "--reason", REASON, "--k", "3", "-o", str(output)])
    assert mixed.exit_code == 1 and "--k" in mixed.output
    alone = runner.invoke(app, ["export", QID, "--reason", REASON, "-o", str(output)])
    assert alone.exit_code == 1 and "--raw" in alone.output
    assert not output.exists() and cli_store.audit_events() == []
    done = runner.invoke(app, ["export", QID, "--raw", "--reason", REASON, "-o", str(output)])
    assert done.exit_code == 0, done.output
    rows = main_rows(output.read_bytes())
    assert sorted(row["courriel"] for row in rows) == sorted(a["courriel"] for a in ANSWERS)
    [event] = cli_store.audit_events()
    assert (event.action, event.actor, event.questionnaire_id, event.reason) == (RAW_EXPORT, "cli:alice", QID, REASON)
    assert event.detail["file"] == str(output.resolve())
    plain = runner.invoke(app, ["export", QID, "-o", str(tmp_path / "anonyme.zip")])
    assert plain.exit_code == 0, plain.output
    assert [(e.action, e.actor) for e in cli_store.audit_events()] == [(CLI_EXPORT, "cli:alice"),
                                                                       (RAW_EXPORT, "cli:alice")]
