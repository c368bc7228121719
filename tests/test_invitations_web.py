"""The staff invitations page: who may see it, importing a contact list (problems shown on the page, nobody added),
counts, revoking a link, sending through a real SMTP server as a job. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from survey.access import Role
from survey.contacts import Contact
from survey.schema import load_questionnaire
from survey.settings import Settings
from survey.store import Store
from survey.store_invitations import IMPORTED, REVOKED, SENT
from survey.web.app import create_app
from tests.conftest import ROOT, add_staff, csrf_of, login
from tests.test_invitation_mail import PUBLIC, mailbox  # noqa: F401 - the real SMTP server fixture

AGENTS = "agents-participation"
MISSION = load_questionnaire(ROOT / "questionnaires" / f"{AGENTS}.yaml").mission.id  # type: ignore[union-attr]
PAGE = f"/staff/q/{AGENTS}/invitations"


def _client(store: Store, tmp_path: Path, **settings: object) -> TestClient:
    made = Settings(database_url="sqlite://unused", questionnaires_dir=ROOT / "questionnaires",
                    secret_key="test-secret", export_dir=tmp_path / "exports", public_url=PUBLIC,
                    **settings)  # type: ignore[arg-type]
    return TestClient(app=create_app(made, store=store), base_url="http://testserver.local")


@pytest.fixture
def evaluator(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    with _client(store, tmp_path) as client:
        login(client, add_staff(store, "eva@ville.example", Role.EVALUATOR, [MISSION]))
        yield client


def _upload(client: TestClient, content: bytes, csrf: str | None = None):  # noqa: ANN202
    token = csrf if csrf is not None else csrf_of(client.get(PAGE).text)
    return client.post(f"{PAGE}/import", data={"_csrf_token": token},
                       files={"contacts": ("agents.csv", content, "text/csv")}, follow_redirects=False)


def test_only_admins_and_evaluators_of_the_mission_see_the_page(store: Store, tmp_path: Path) -> None:
    with _client(store, tmp_path) as client:
        assert client.get(PAGE, follow_redirects=False).status_code in (302, 303, 401)  # not logged in
        login(client, add_staff(store, "con@ville.example", Role.CONSULTANT, [MISSION]))
        assert client.get(PAGE).status_code == 403
    with _client(store, tmp_path) as client:
        other = load_questionnaire(ROOT / "questionnaires" / "budget-participatif-habitants.yaml").mission.id  # type: ignore[union-attr]
        login(client, add_staff(store, "autre@ville.example", Role.EVALUATOR, [other]))
        assert client.get(PAGE).status_code == 404  # the questionnaire's existence does not leak
    with _client(store, tmp_path) as client:
        login(client, add_staff(store, "admin@ville.example", Role.ADMIN))
        page = client.get(PAGE)
        assert page.status_code == 200 and "Personne n’est encore invité." in page.text
        assert f'href="{PAGE}"' in client.get(f"/staff/q/{AGENTS}").text


def test_a_contact_list_is_imported_and_counted(evaluator: TestClient, store: Store) -> None:
    answer = _upload(evaluator, b"email;nom;service\nana@ville.example;Ana;urbanisme\nbo@ville.example;Bo;\n")
    assert answer.status_code == 303
    page = evaluator.get(answer.headers["location"])
    assert "2 personne(s) ajoutée(s), 0 déjà dans la liste." in page.text
    assert re.search(r"<dt>Personnes invitées</dt><dd>2</dd>", page.text)
    assert "<th scope=\"row\">ana@ville.example</th>" in page.text and "à envoyer" in page.text
    assert [i.attributes for i in store.invitations(AGENTS)] == [{"service": "urbanisme"}, {}]
    assert store.audit_events()[0].action == IMPORTED


def test_a_forged_page_number_shows_the_first_page(evaluator: TestClient, store: Store) -> None:
    _upload(evaluator, b"email\nana@ville.example\n")
    for page in ("²", "0", "-1", "x", "9" * 40):  # « ² » passes str.isdigit, not int
        answer = evaluator.get(PAGE, params={"page": page})
        assert answer.status_code == 200 and "<th scope=\"row\">ana@ville.example</th>" in answer.text


def test_a_bad_contact_list_shows_every_problem_and_adds_nobody(evaluator: TestClient, store: Store) -> None:
    answer = _upload(evaluator, b"email,service\nana@ville,urbanisme\nbo@ville.example,piscine\n")
    assert answer.status_code == 422
    assert "Rien n’a été importé : 2 problème(s)" in answer.text
    assert "ligne 2, colonne « email » : « ana@ville » n’est pas une adresse e-mail complète" in answer.text
    assert "ligne 3, colonne « service » : « piscine » ne convient pas à cette question." in answer.text
    assert store.invitations(AGENTS) == []
    assert _upload(evaluator, b"").status_code == 422  # no file chosen


def test_an_import_without_its_csrf_token_is_refused(evaluator: TestClient, store: Store) -> None:
    assert _upload(evaluator, b"email\nana@ville.example\n", csrf="forged").status_code == 403
    assert store.invitations(AGENTS) == []


def test_revoking_a_link_is_shown_and_audited(evaluator: TestClient, store: Store) -> None:
    store.add_invitations("cli:test", AGENTS, [Contact("ana@ville.example")])
    (ana,) = store.invitations(AGENTS)
    answer = evaluator.post(f"{PAGE}/{ana.id}/revoke", data={"_csrf_token": csrf_of(evaluator.get(PAGE).text)},
                            follow_redirects=False)
    assert answer.status_code == 303
    page = evaluator.get(answer.headers["location"])
    assert "Lien révoqué : il ne permet plus de répondre." in page.text and "lien révoqué" in page.text
    assert store.invitation(AGENTS, ana.id).revoked  # type: ignore[union-attr]
    assert (store.audit_events()[0].action, store.audit_events()[0].detail) == (REVOKED, {"invitation": ana.id})
    assert evaluator.post(f"{PAGE}/999999/revoke", data={"_csrf_token": csrf_of(page.text)}).status_code == 404


def test_without_a_mail_server_the_page_says_so_and_sending_is_refused(evaluator: TestClient, store: Store) -> None:
    store.add_invitations("cli:test", AGENTS, [Contact("ana@ville.example")])
    page = evaluator.get(PAGE)
    assert "SURVEY_SMTP_HOST is not set" in page.text and "/send/invite" not in page.text
    assert evaluator.post(f"{PAGE}/send/invite", data={"_csrf_token": csrf_of(page.text)}).status_code == 409


def test_sending_runs_as_a_job_and_the_counts_follow(store: Store, tmp_path: Path, mailbox) -> None:  # noqa: ANN001, F811
    box, port = mailbox
    store.load(load_questionnaire(ROOT / "questionnaires" / f"{AGENTS}.yaml"))
    store.add_invitations("cli:test", AGENTS, [Contact("ana@ville.example"), Contact("bo@ville.example")])
    with _client(store, tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_tls="none",
                 smtp_from="enquetes@ville.example") as client:
        login(client, add_staff(store, "eva@ville.example", Role.EVALUATOR, [MISSION]))
        page = client.get(PAGE)
        assert "Envoyer les invitations (2 en attente)" in page.text
        answer = client.post(f"{PAGE}/send/invite", data={"_csrf_token": csrf_of(page.text)}, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/staff/jobs/")
        deadline = time.monotonic() + 30
        while store.invitation_counts(AGENTS).sent < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(m["To"] for m in box.messages) == ["ana@ville.example", "bo@ville.example"]
        job = client.get(answer.headers["location"])
        assert "Envoi des invitations" in job.text
        page = client.get(PAGE)
        assert "Envoyer les invitations (0 en attente)" in page.text and "Relancer ceux qui n’ont pas répondu (2)" \
            in page.text
        assert any(e.action == SENT and e.detail == {"kind": "invite", "count": 2} for e in store.audit_events())
