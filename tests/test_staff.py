"""Staff: login, roles, and every page and download scoped to the member's missions."""

from __future__ import annotations

import random
import re

import pytest
from litestar.testing import TestClient
from markupsafe import escape

from survey.access import Role
from survey.schema import load_questionnaire
from survey.store import Store
from survey.synthetic import synthetic_answers
from tests.conftest import ROOT, action_of, add_staff, controls_of, csrf_of, login, post_form

BUDGET = "budget-participatif-habitants"
TRAINING = "formation-democratie-participative"
BUDGET_MISSION = load_questionnaire(ROOT / "questionnaires" / f"{BUDGET}.yaml").mission.id  # type: ignore[union-attr]
TRAINING_MISSION = load_questionnaire(ROOT / "questionnaires" / f"{TRAINING}.yaml").mission.id  # type: ignore[union-attr]
JOB_PAGES = ("/staff/jobs/not-a-job", "/staff/jobs/not-a-job/file")  # exports and PDFs are jobs (test_jobs.py)


def _start_export(client: TestClient, questionnaire_id: str, token: str) -> int:
    """POST the export form (CSV, codes) of a questionnaire; the status code."""
    return post_form(client, f"/staff/q/{questionnaire_id}/export", [("_csrf_token", token), ("format", "csv")],
                     follow_redirects=False).status_code


def _seed(store: Store, questionnaire_id: str, n: int = 5) -> None:
    loaded = store.current(questionnaire_id)
    rng = random.Random(1)
    for i in range(n):
        store.store_response(loaded.version_id, f"seed-{questionnaire_id}-{i}",  # type: ignore[union-attr]
                             synthetic_answers(loaded.questionnaire, rng))  # type: ignore[union-attr]


def test_anonymous_visitors_are_sent_to_login_everywhere(client: TestClient) -> None:
    for url in ("/staff", f"/staff/q/{BUDGET}", *JOB_PAGES):
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 303, url
        assert response.headers["location"].startswith("/login?next=")


def test_login_rotates_the_session_and_sets_safe_cookies(client: TestClient, store: Store) -> None:
    add_staff(store, "admin@example.fr", Role.ADMIN)
    client.cookies.set("survey_session", "planted-by-an-attacker")
    page = client.get("/login")
    response = post_form(client, "/login", [("email", "admin@example.fr"), ("password", "correct horse battery"),
                                            ("_csrf_token", csrf_of(page.text)), ("next", "/staff")],
                         follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/staff"
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie.replace("samesite", "SameSite")
    token = response.cookies["survey_session"]
    assert token != "planted-by-an-attacker" and len(token) >= 40
    assert "admin@example.fr" in client.get("/staff").text
    # a second login gives another token and ends the first session
    client.cookies.clear()
    client.cookies.set("survey_session", token)
    client.cookies.set("csrftoken", page.cookies.get("csrftoken") or client.get("/login").cookies["csrftoken"])
    again = post_form(client, "/login", [("email", "admin@example.fr"), ("password", "correct horse battery"),
                                         ("_csrf_token", csrf_of(page.text))], follow_redirects=False)
    assert again.cookies["survey_session"] != token
    client.cookies.clear()
    client.cookies.set("survey_session", token)
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_a_wrong_password_is_refused_with_a_message(client: TestClient, store: Store) -> None:
    add_staff(store, "eval@example.fr", Role.EVALUATOR, [BUDGET_MISSION])
    page = client.get("/login")
    for email, password in (("eval@example.fr", "wrong password!"), ("nobody@example.fr", "correct horse battery")):
        response = post_form(client, "/login", [("email", email), ("password", password),
                                                ("_csrf_token", csrf_of(page.text))])
        assert response.status_code == 401
        assert "incorrect" in response.text
        assert client.get("/staff", follow_redirects=False).status_code == 303


def test_login_never_redirects_off_site(client: TestClient, store: Store) -> None:
    add_staff(store, "admin@example.fr", Role.ADMIN)
    page = client.get("/login")
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = post_form(client, "/login", [("email", "admin@example.fr"), ("password", "correct horse battery"),
                                                ("_csrf_token", csrf_of(page.text)), ("next", target)],
                             follow_redirects=False)
        assert response.headers["location"] == "/staff", target


def test_a_consultant_sees_only_their_missions(client: TestClient, store: Store) -> None:
    _seed(store, BUDGET)
    _seed(store, TRAINING, 3)
    add_staff(store, "consultant@example.fr", Role.CONSULTANT, [BUDGET_MISSION])
    login(client, "consultant@example.fr")
    home = client.get("/staff").text
    assert BUDGET in home and TRAINING not in home
    page = client.get(f"/staff/q/{BUDGET}")
    assert page.status_code == 200
    assert _start_export(client, BUDGET, csrf_of(page.text)) == 303
    # not 403: another mission's work does not exist for them
    assert client.get(f"/staff/q/{TRAINING}").status_code == 404
    assert _start_export(client, TRAINING, csrf_of(page.text)) == 404


def test_an_admin_sees_every_mission(client: TestClient, store: Store) -> None:
    add_staff(store, "admin@example.fr", Role.ADMIN)
    login(client, "admin@example.fr")
    home = client.get("/staff").text
    assert BUDGET in home and TRAINING in home
    assert _start_export(client, TRAINING, csrf_of(home)) == 303


def test_an_interviewer_cannot_download_data(client: TestClient, store: Store) -> None:
    add_staff(store, "enqueteur@example.fr", Role.INTERVIEWER, [BUDGET_MISSION])
    login(client, "enqueteur@example.fr")
    home = client.get("/staff")
    assert home.status_code == 200
    for url in (f"/staff/q/{BUDGET}", *JOB_PAGES):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Accès refusé" in response.text
    assert _start_export(client, BUDGET, csrf_of(home.text)) == 403


def test_staff_home_shows_versions_and_response_counts(client: TestClient, store: Store) -> None:
    _seed(store, BUDGET, 7)
    add_staff(store, "eval@example.fr", Role.EVALUATOR, [BUDGET_MISSION, TRAINING_MISSION])
    login(client, "eval@example.fr")
    home = client.get("/staff").text
    assert '<td class="num">7</td>' in home and '<td class="num">0</td>' in home
    version = load_questionnaire(ROOT / "questionnaires" / f"{BUDGET}.yaml").version
    assert f"<strong>{version}</strong>" in home


def test_the_results_page_offers_one_export_form_and_a_pdf_button(client: TestClient, store: Store) -> None:
    _seed(store, BUDGET, 4)
    add_staff(store, "consultant@example.fr", Role.CONSULTANT, [BUDGET_MISSION])
    login(client, "consultant@example.fr")
    page = client.get(f"/staff/q/{BUDGET}").text
    assert f'action="/staff/q/{BUDGET}/export"' in page and f'action="/staff/q/{BUDGET}/report"' in page
    assert page.count('name="_csrf_token"') >= 3  # both forms, and logout
    formats = re.findall(r'<option value="([a-z-]+)">', page.split('id="export-format"')[1].split("</select>")[0])
    assert formats == ["csv", "csv-fr", "xlsx", "parquet", "sav", "dta", "json"]
    assert '<label for="export-format">' in page and '<label for="export-labels">' in page
    assert "export.csv" not in page and "report.pdf" not in page  # the old one-file links are gone


def test_logout_ends_the_session_and_needs_a_post_with_csrf(client: TestClient, store: Store) -> None:
    add_staff(store, "admin@example.fr", Role.ADMIN)
    login(client, "admin@example.fr")
    assert client.get("/logout").status_code in (404, 405)  # no state change on GET
    assert client.get("/staff", follow_redirects=False).status_code == 200
    assert post_form(client, "/logout", []).status_code == 403
    page = client.get("/staff").text
    response = post_form(client, "/logout", [("_csrf_token", csrf_of(page))], follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/staff", follow_redirects=False).status_code == 303


@pytest.mark.parametrize("payload", ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
                                     "javascript:alert(1)", "<svg onload=alert(1)>"])
def test_staff_pages_escape_what_questionnaires_contain(tmp_path, sqlite_store: Store, payload: str) -> None:
    from tests.conftest import make_client

    folder = tmp_path / "q"
    folder.mkdir()
    quoted = payload.replace("'", "''")
    (folder / "x.yaml").write_text(
        f"id: xss\nversion: 1\ntitle: '{quoted}'\nprivacy_notice: '{quoted}'\nintroduction: '{quoted}'\n"
        f"mission: {{id: m, name: '{quoted}', client: '{quoted}'}}\npages:\n  - id: p\n    title: '{quoted}'\n"
        f"    questions:\n      - {{name: q, type: single_choice, label: '{quoted}', help: '{quoted}', "
        f"choices: [{{code: a, label: '{quoted}'}}, {{code: b, label: B}}]}}\n"
        f"      - {{name: t, type: short_text, label: '{quoted}'}}\n", encoding="utf-8")
    with make_client(sqlite_store, tmp_path, folder) as client:
        add_staff(sqlite_store, "admin@example.fr", Role.ADMIN)
        form = client.get("/s/xss").text
        fields = [*controls_of(form), ("t", payload), ("q", "zz")]
        answered = post_form(client, action_of(form), fields).text  # the refused page, after the redirect
        assert 'value="zz"' not in answered  # an unknown option is refused...
        assert f'value="{escape(payload)}"' in answered  # ...and typed text comes back escaped
        login(client, "admin@example.fr")
        pages = [form, answered, client.get("/staff").text, client.get("/staff/q/xss").text]
        for page in pages:
            if "<" in payload:
                assert payload not in page
            assert "<script>alert" not in page and "<img src=x" not in page and "<svg onload" not in page
            assert not re.search(r'(href|src|action)="\s*javascript:', page)
        assert "&lt;" in form or "javascript:alert(1)" in form  # shown as text, never as markup


def test_labels_are_offered_in_the_questionnaires_languages_only(tmp_path, sqlite_store: Store) -> None:
    from tests.conftest import make_client

    folder = tmp_path / "q"
    folder.mkdir()
    (folder / "r.yaml").write_text(
        "id: rep\nversion: 1\ntitle: R\nlanguages: [fr, en]\nprivacy_notice: p\nmission: {id: m-rep, name: M}\n"
        "pages:\n  - id: p\n    questions:\n"
        "      - {name: ville, type: single_choice, label: Ville, choices: [{code: a, label: {fr: Amont, en: Up}},"
        " {code: b, label: Bas}]}\n", encoding="utf-8")
    (folder / "o.yaml").write_text("id: other\nversion: 1\ntitle: O\nprivacy_notice: p\nmission: {id: m-o, name: O}\n"
                                   "pages:\n  - id: p\n    questions:\n      - {name: x, type: yes_no, label: X}\n",
                                   encoding="utf-8")
    with make_client(sqlite_store, tmp_path, folder) as client:
        add_staff(sqlite_store, "c@example.fr", Role.CONSULTANT, ["m-rep"])
        add_staff(sqlite_store, "o@example.fr", Role.CONSULTANT, ["m-o"])
        login(client, "c@example.fr")
        page = client.get("/staff/q/rep").text
        labels = page.split('id="export-labels"')[1].split("</select>")[0]
        assert re.findall(r'<option value="([a-z]*)">', labels) == ["", "fr", "en"]
        token = csrf_of(page)

        def start(labels: str) -> int:
            return post_form(client, "/staff/q/rep/export", [("_csrf_token", token), ("format", "csv"),
                                                             ("labels", labels)], follow_redirects=False).status_code

        assert start("de") == 400
        client.cookies.clear()
        login(client, "o@example.fr")
        token = csrf_of(client.get("/staff").text)
        assert start("fr") == 404, "another mission's: not found"
