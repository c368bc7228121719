"""The REST API: token authentication, the pages' scoping by role and mission, and each endpoint's content."""

from __future__ import annotations

import csv
import hashlib
import io
import textwrap
import time
import zipfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from survey.access import Role
from survey.db import ApiToken
from survey.schema import Question, load_questionnaire
from survey.store import Store
from tests.conftest import add_staff, csrf_of, login, make_client

A, B = "api-a", "api-b"
QUESTIONNAIRE = """\
    id: {id}
    version: "{version}"
    title: Questionnaire {id}
    mission: {{id: mission-{id}, name: Mission {id}, client: Ville}}
    privacy_notice: Vos réponses sont anonymes.{top}
    pages:
      - id: p1
        title: Vous
        questions:
          - name: quartier
            type: single_choice{role}
            label: Votre quartier
            choices:
              - {{code: nord, label: Nord}}
              - {{code: sud, label: Sud}}
              - {{code: centre, label: Centre}}{extra}
          - name: age
            type: integer{role}
            label: Votre âge
            min: 16
            max: 99
"""
# Once questionnaires declare each column's disclosure role (survey/schema/disclosure.py), these declare `none`
# everywhere: exported values stay as stored, which the export test compares with what was stored.
DISCLOSURE = "disclosure" in Question.model_fields
EST = "\n          - {code: est, label: Est}"  # indented as the other choices once the file is dedented
# Cells well above any small-cell threshold (ages too: two values, so their histogram has two large bins), so the
# summary shows them as counted whatever protection applies.
ANSWERS = [{"quartier": "nord", "age": 30} for _ in range(15)] + [{"quartier": "sud", "age": 60} for _ in range(12)]
ENDPOINTS = ("/api/me", "/api/questionnaires", f"/api/questionnaires/{A}", f"/api/questionnaires/{A}/versions",
             f"/api/questionnaires/{A}/versions/1", f"/api/questionnaires/{A}/responses/count",
             f"/api/questionnaires/{A}/summary", f"/api/questionnaires/{A}/exports", "/api/jobs/some-job",
             "/api/jobs/some-job/file")


def write_questionnaire(folder: Path, questionnaire_id: str, version: str = "1", extra: str = "") -> Path:
    """A small questionnaire file of its own mission (`mission-<id>`)."""
    path = folder / f"{questionnaire_id}.yaml"
    top = "\ndisclosure: {submitted_date: none, version: none}" if DISCLOSURE else ""
    role = "\n        disclosure: none" if DISCLOSURE else ""
    path.write_text(textwrap.dedent(QUESTIONNAIRE).format(id=questionnaire_id, version=version, extra=extra,
                                                          top=top, role=role), encoding="utf-8")
    return path


def store_answers(store: Store, questionnaire_id: str, answers: list[dict], tag: str = "") -> None:
    """Store each answer set as a response to the current version."""
    version_id = store.current(questionnaire_id).version_id  # type: ignore[union-attr]
    for i, answer in enumerate(answers):
        assert store.store_response(version_id, f"{questionnaire_id}-{tag}-{i}", answer)


def token_for(store: Store, email: str, role: Role, missions: list[str] = ()) -> dict[str, str]:  # type: ignore[assignment]
    """A member of staff and the header of a token of theirs."""
    add_staff(store, email, role, list(missions))
    _token_id, token = store.add_token(store.user_id(email), "tests")  # type: ignore[arg-type]
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    made = tmp_path / "questionnaires"
    made.mkdir()
    write_questionnaire(made, A)
    write_questionnaire(made, B)
    return made


@pytest.fixture
def api(store: Store, tmp_path: Path, folder: Path) -> Iterator[TestClient]:
    """The app on questionnaires A and B (each its own mission), on each database."""
    with make_client(store, tmp_path, folder) as test_client:
        yield test_client


def wait_done(api: TestClient, url: str, headers: dict[str, str], timeout: float = 60) -> dict:
    """Poll a job until it is finished."""
    deadline = time.monotonic() + timeout
    while True:
        job = api.get(url, headers=headers).json()
        if job["status"] in ("done", "failed", "cancelled") or time.monotonic() > deadline:
            return job
        assert 0.0 <= job["progress"] <= 1.0
        time.sleep(0.1)


# --- authentication ---------------------------------------------------------------------------------------------


def test_no_token_a_wrong_one_or_a_revoked_one_gets_401_json_on_every_endpoint(api: TestClient, store: Store) -> None:
    live = token_for(store, "admin@example.fr", Role.ADMIN)
    revoked_id, revoked = store.add_token(store.user_id("admin@example.fr"), "old")  # type: ignore[arg-type]
    assert store.revoke_token(revoked_id)
    refused = [{}, {"Authorization": "Bearer"}, {"Authorization": "Basic YWRtaW46eA=="},
               {"Authorization": "Bearer svy_not-a-token"}, {"Authorization": f"Bearer {revoked}"},
               {"Authorization": f"Bearer {'x' * 10_000}"}, {"Authorization": live["Authorization"] + "x"}]
    for url in ENDPOINTS:
        for headers in refused:
            response = api.get(url, headers=headers)
            assert response.status_code == 401, (url, headers)
            assert response.headers["content-type"].startswith("application/json")
            assert response.headers["www-authenticate"].startswith("Bearer")
            body = response.json()
            assert body["status"] == 401 and "token" in body["detail"]
        assert api.get(url, headers=live).status_code in (200, 404), url  # the same URL with a live token


def test_the_scheme_is_read_in_any_case_and_the_owner_is_who_the_token_acts_as(api: TestClient, store: Store) -> None:
    headers = token_for(store, "eval@example.fr", Role.EVALUATOR, [f"mission-{A}"])
    token = headers["Authorization"].split()[1]
    me = api.get("/api/me", headers={"Authorization": f"bearer {token}"})
    assert me.status_code == 200
    assert me.json() == {"id": store.user_id("eval@example.fr"), "email": "eval@example.fr", "role": "evaluator",
                         "all_missions": False, "missions": [f"mission-{A}"],
                         "permissions": ["view_questionnaires", "view_results", "download", "manage_responses",
                                         "conduct_interviews", "analyse_interviews", "recode_interviews", "publish",
                                         "manage_invitations"]}


def test_a_staff_session_cookie_does_not_authenticate_the_api(api: TestClient, store: Store) -> None:
    add_staff(store, "admin@example.fr", Role.ADMIN)
    login(api, "admin@example.fr")
    assert api.get("/staff").status_code == 200
    assert api.get("/api/questionnaires").status_code == 401
    assert api.post(f"/api/questionnaires/{A}/exports", json={"format": "csv"}).status_code == 401


def test_only_the_sha256_of_a_token_is_stored(store: Store) -> None:
    add_staff(store, "eval@example.fr", Role.EVALUATOR)
    _token_id, token = store.add_token(store.user_id("eval@example.fr"), "dashboard")  # type: ignore[arg-type]
    with store.engine.connect() as conn:
        row = conn.execute(select(ApiToken.__table__)).one()
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(value) for value in row}
    assert token.startswith("svy_") and len(token) >= 40


# --- per-object authorisation -------------------------------------------------------------------------------------


def test_a_consultant_sees_only_their_missions_questionnaires(api: TestClient, store: Store) -> None:
    headers = token_for(store, "consultant@example.fr", Role.CONSULTANT, [f"mission-{A}"])
    assert [q["id"] for q in api.get("/api/questionnaires", headers=headers).json()] == [A]
    for url in ENDPOINTS[2:8]:
        assert api.get(url, headers=headers).status_code == 200, url
        other = api.get(url.replace(A, B), headers=headers)
        assert other.status_code == 404, url  # not 403: another mission's work does not exist for them
        assert B in other.json()["detail"] and other.json()["status"] == 404
    assert api.post(f"/api/questionnaires/{B}/exports", headers=headers, json={"format": "csv"}).status_code == 404


def test_an_admin_sees_every_mission(api: TestClient, store: Store) -> None:
    headers = token_for(store, "admin@example.fr", Role.ADMIN)
    assert sorted(q["id"] for q in api.get("/api/questionnaires", headers=headers).json()) == [A, B]
    assert api.get(f"/api/questionnaires/{B}/summary", headers=headers).status_code == 200


def test_an_interviewer_reads_questionnaires_but_never_results_or_exports(api: TestClient, store: Store) -> None:
    headers = token_for(store, "enqueteur@example.fr", Role.INTERVIEWER, [f"mission-{A}"])
    for url in ENDPOINTS[:6]:
        assert api.get(url, headers=headers).status_code == 200, url
    for url in ENDPOINTS[6:]:
        response = api.get(url, headers=headers)
        assert response.status_code == 403, url
        assert "interviewer" in response.json()["detail"]
    assert api.post(f"/api/questionnaires/{A}/exports", headers=headers, json={"format": "csv"}).status_code == 403


def test_a_job_is_seen_only_by_its_owner_and_admins_of_its_mission(api: TestClient, store: Store) -> None:
    owner = token_for(store, "owner@example.fr", Role.EVALUATOR, [f"mission-{A}"])
    colleague = token_for(store, "colleague@example.fr", Role.EVALUATOR, [f"mission-{A}"])
    outsider = token_for(store, "outsider@example.fr", Role.CONSULTANT, [f"mission-{B}"])
    admin = token_for(store, "admin@example.fr", Role.ADMIN)
    started = api.post(f"/api/questionnaires/{A}/exports", headers=owner, json={"format": "csv"})
    assert started.status_code == 202
    url = started.headers["location"]
    assert url == f"/api/jobs/{started.json()['id']}"
    wait_done(api, url, owner)
    for headers, status in ((owner, 200), (admin, 200), (colleague, 404), (outsider, 404)):
        assert api.get(url, headers=headers).status_code == status
        assert api.get(f"{url}/file", headers=headers).status_code == status
        assert api.post(f"{url}/cancel", headers=headers).status_code == status
    assert api.get(f"/api/questionnaires/{A}/exports", headers=colleague).json() == []


def test_a_revoked_token_stops_at_once_and_a_member_revokes_only_their_own(api: TestClient, store: Store) -> None:
    headers = token_for(store, "eval@example.fr", Role.EVALUATOR, [f"mission-{A}"])
    add_staff(store, "other@example.fr", Role.EVALUATOR)
    token_id = store.tokens(store.user_id("eval@example.fr"))[0].id
    assert not store.revoke_token(token_id, store.user_id("other@example.fr"))
    assert api.get("/api/me", headers=headers).status_code == 200
    assert store.revoke_token(token_id, store.user_id("eval@example.fr"))
    assert api.get("/api/me", headers=headers).status_code == 401
    assert not store.revoke_token(token_id)  # already revoked


# --- content --------------------------------------------------------------------------------------------------------


def test_response_counts_match_the_rows_stored_in_each_version(api: TestClient, store: Store, folder: Path) -> None:
    headers = token_for(store, "eval@example.fr", Role.EVALUATOR, [f"mission-{A}"])
    assert api.get(f"/api/questionnaires/{A}/responses/count", headers=headers).json() == {
        "questionnaire_id": A, "total": 0, "by_version": [{"version": "1", "responses": 0}]}
    store_answers(store, A, ANSWERS[:7], "v1")
    assert store.load(load_questionnaire(write_questionnaire(folder, A, "2", EST))) == "new"
    store_answers(store, A, ANSWERS[:4], "v2")
    store_answers(store, B, ANSWERS[:3], "b")  # another questionnaire's responses are not counted
    counted = api.get(f"/api/questionnaires/{A}/responses/count", headers=headers).json()
    assert counted == {"questionnaire_id": A, "total": 11,
                       "by_version": [{"version": "1", "responses": 7}, {"version": "2", "responses": 4}]}
    versions = api.get(f"/api/questionnaires/{A}/versions", headers=headers).json()
    assert [(v["label"], v["responses"], v["current"]) for v in versions] == [("1", 7, False), ("2", 4, True)]
    listed = api.get(f"/api/questionnaires/{A}", headers=headers).json()
    assert listed["versions"] == ["1", "2"] and listed["current_version"] == "2"
    assert listed["mission"] == {"id": f"mission-{A}", "name": f"Mission {A}", "client": "Ville"}


def test_a_version_definition_is_the_questionnaire_file_as_json(api: TestClient, store: Store, folder: Path) -> None:
    headers = token_for(store, "enqueteur@example.fr", Role.INTERVIEWER, [f"mission-{A}"])
    first = load_questionnaire(folder / f"{A}.yaml").model_dump(mode="json")
    store.load(load_questionnaire(write_questionnaire(folder, A, "2", EST)))
    got = api.get(f"/api/questionnaires/{A}/versions/1", headers=headers).json()
    assert got == {"questionnaire_id": A, "label": "1", "current": False, "definition": first}
    second = api.get(f"/api/questionnaires/{A}/versions/2", headers=headers).json()
    assert second["current"] is True
    codes = [c["code"] for c in second["definition"]["pages"][0]["questions"][0]["choices"]]
    assert codes == ["nord", "sud", "centre", "est"]
    missing = api.get(f"/api/questionnaires/{A}/versions/9", headers=headers)
    assert missing.status_code == 404 and "/versions" in missing.json()["detail"]


def test_the_summary_counts_every_answer_as_the_results_page_does(api: TestClient, store: Store) -> None:
    headers = token_for(store, "consultant@example.fr", Role.CONSULTANT, [f"mission-{A}"])
    store_answers(store, A, ANSWERS)
    summary = api.get(f"/api/questionnaires/{A}/summary", headers=headers).json()
    assert summary["questionnaire_id"] == A and summary["language"] == "fr"
    assert summary["response_count"] == len(ANSWERS)
    questions = {q["name"]: q for page in summary["pages"] for q in page["questions"]}
    expected = Counter(a["quartier"] for a in ANSWERS)
    rows = {row["code"]: row for row in questions["quartier"]["rows"]}
    assert rows["nord"]["label"] == "Nord"
    for code in ("nord", "sud"):
        assert rows[code]["count"] == expected[code] and rows[code]["status"] == "shown"
        assert rows[code]["percent"] == pytest.approx(100 * expected[code] / len(ANSWERS))
    ages = [a["age"] for a in ANSWERS]
    figures = {f["key"]: f["value"] for f in questions["age"]["figures"]}
    assert figures["answered"] == len(ages)
    assert figures["mean"] == pytest.approx(sum(ages) / len(ages))
    assert (figures["minimum"], figures["maximum"]) == (min(ages), max(ages))
    # the results page shows the same counts
    add_staff(store, "page@example.fr", Role.CONSULTANT, [f"mission-{A}"])
    login(api, "page@example.fr")
    page = api.get(f"/staff/q/{A}").text
    assert f"{len(ANSWERS)}" in page and str(expected["nord"]) in page
    english = api.get(f"/api/questionnaires/{A}/summary?lang=en", headers=headers).json()
    assert english["language"] == "en"
    refused = api.get(f"/api/questionnaires/{A}/summary?lang=de", headers=headers)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["key"] == "lang"


def test_an_export_started_through_the_api_downloads_as_a_zip_of_the_responses(api: TestClient,
                                                                                store: Store) -> None:
    headers = token_for(store, "eval@example.fr", Role.EVALUATOR, [f"mission-{A}"])
    store_answers(store, A, ANSWERS)
    started = api.post(f"/api/questionnaires/{A}/exports", headers=headers, json={"format": "csv", "labels": "fr"})
    assert started.status_code == 202, started.text
    assert started.json()["status"] in ("queued", "running", "done") and started.json()["format"] == "csv"
    job = wait_done(api, started.headers["location"], headers)
    assert job["status"] == "done" and job["progress"] == 1.0 and job["labels"] == "fr"
    assert job["download_url"] == f"/api/jobs/{job['id']}/file" and job["available_until"] > job["finished_at"]
    download = api.get(job["download_url"], headers=headers)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    assert download.headers["content-disposition"].startswith("attachment")
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert {"codebook.csv", "LISEZMOI.txt", f"{A}.csv"} <= set(archive.namelist())
        rows = list(csv.DictReader(io.StringIO(archive.read(f"{A}.csv").decode("utf-8-sig"), newline="")))
    assert len(rows) == len(ANSWERS)
    assert Counter(row["quartier"] for row in rows) == Counter({"Nord": 15, "Sud": 12})  # labels, as asked
    assert sorted(int(row["age"]) for row in rows) == sorted(a["age"] for a in ANSWERS)
    listed = api.get(f"/api/questionnaires/{A}/exports", headers=headers).json()
    assert [j["id"] for j in listed] == [job["id"]]


def test_an_export_request_is_checked_field_by_field(api: TestClient, store: Store) -> None:
    headers = token_for(store, "eval@example.fr", Role.EVALUATOR, [f"mission-{A}"])
    url = f"/api/questionnaires/{A}/exports"
    for body, key in (({"format": "docx"}, "format"), ({"format": "csv", "labels": "de"}, "labels"),
                      ({"format": "csv", "language": "it"}, "language"), ({}, "format")):
        response = api.post(url, headers=headers, json=body)
        assert response.status_code == 422, body
        error = response.json()["errors"][0]
        assert error["key"] == key or f"`{key}`" in error["message"], body  # a missing field: named in the message
    malformed = api.post(url, headers={**headers, "Content-Type": "application/json"}, content=b"{format")
    assert malformed.status_code == 400 and malformed.json()["status"] == 400
    assert api.get(f"/api/questionnaires/{A}/exports", headers=headers).json() == []


def test_a_cancelled_or_unknown_job_has_no_file(api: TestClient, store: Store) -> None:
    headers = token_for(store, "eval@example.fr", Role.EVALUATOR, [f"mission-{A}"])
    missing = api.get("/api/jobs/no-such-job/file", headers=headers)
    assert missing.status_code == 404 and "export job" in missing.json()["detail"]
    started = api.post(f"/api/questionnaires/{A}/exports", headers=headers, json={"format": "json"}).json()
    cancelled = api.post(f"/api/jobs/{started['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200
    job = wait_done(api, f"/api/jobs/{started['id']}", headers)
    if job["status"] == "cancelled":  # it may have finished before the cancel landed: then the file is there
        assert job["download_url"] is None
        assert api.get(f"/api/jobs/{started['id']}/file", headers=headers).status_code == 404


def test_the_schema_is_served_and_lists_only_the_api(api: TestClient) -> None:
    schema = api.get("/schema/openapi.json")
    assert schema.status_code == 200
    document = schema.json()
    assert document["openapi"].startswith("3.")
    assert all(path.startswith("/api/") for path in document["paths"])
    assert {"/api/questionnaires", "/api/questionnaires/{questionnaire_id}/summary",
            "/api/questionnaires/{questionnaire_id}/exports", "/api/jobs/{job_id}/file"} <= set(document["paths"])
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer",
        "description": "A personal API token (`survey token add`, /staff/tokens)."}
    page = api.get("/schema")
    assert page.status_code == 200 and "<script" not in page.text
    assert "/api/questionnaires/{questionnaire_id}/summary" in page.text


# --- the staff page for tokens ------------------------------------------------------------------------------------


def test_staff_make_and_revoke_their_tokens_on_a_page_without_javascript(api: TestClient, store: Store) -> None:
    add_staff(store, "eval@example.fr", Role.EVALUATOR, [f"mission-{A}"])
    login(api, "eval@example.fr")
    page = api.get("/staff/tokens")
    assert page.status_code == 200 and "<script" not in page.text
    assert api.post("/staff/tokens", data={"name": "sans csrf"}).status_code == 403
    made = api.post("/staff/tokens", data={"name": "tableau de bord", "_csrf_token": csrf_of(page.text)})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    token = made.text.split('id="new-token" value="')[1].split('"')[0]
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/me", headers=headers).json()["email"] == "eval@example.fr"
    again = api.get("/staff/tokens").text
    assert token not in again and "tableau de bord" in again  # shown once
    empty = api.post("/staff/tokens", data={"name": "  ", "_csrf_token": csrf_of(again)})
    assert empty.status_code == 400 and 'aria-invalid="true"' in empty.text
    token_id = store.tokens(store.user_id("eval@example.fr"))[0].id
    assert api.post(f"/staff/tokens/{token_id}/revoke", data={}).status_code == 403  # CSRF as on every form
    revoked = api.post(f"/staff/tokens/{token_id}/revoke", data={"_csrf_token": csrf_of(again)},
                       follow_redirects=False)
    assert revoked.status_code == 303 and revoked.headers["location"] == "/staff/tokens"
    assert api.get("/api/me", headers=headers).status_code == 401
    # someone else's token cannot be revoked from here
    other = token_for(store, "other@example.fr", Role.EVALUATOR)
    other_id = store.tokens(store.user_id("other@example.fr"))[0].id
    assert api.post(f"/staff/tokens/{other_id}/revoke", data={"_csrf_token": csrf_of(again)}).status_code == 404
    assert api.get("/api/me", headers=other).status_code == 200


def test_the_tokens_page_needs_a_login(api: TestClient) -> None:
    response = api.get("/staff/tokens", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_an_unknown_path_or_method_under_api_answers_json_too(api: TestClient, store: Store) -> None:
    headers = token_for(store, "admin@example.fr", Role.ADMIN)
    missing = api.get("/api/nothing-here", headers=headers)
    assert missing.status_code == 404 and missing.json()["status"] == 404
    wrong_method = api.delete("/api/questionnaires", headers=headers)
    assert wrong_method.status_code == 405 and wrong_method.json()["status"] == 405
