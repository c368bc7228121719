"""Personal links: `/s/<id>/i/<token>` starts the person's form or resumes it (another device, another browser), with
the answers their contact list fills in; one response per link, a second one refused politely, revoked and unknown
links too — and nothing stored or exported links a response to the contact list. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import random
import threading
import zipfile
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import select

from survey import deliverables
from survey.contacts import Contact
from survey.db import COMPLETED, FormSession, ResponseRow
from survey.schema import load_questionnaire
from survey.store import Store
from survey.synthetic import synthetic_answers
from survey.web.respond import start_form_for
from tests.conftest import ROOT, action_of, controls_of, make_client, submit
from tests.respondent import page_form

QID = "agents-participation"
QUESTIONNAIRE = load_questionnaire(ROOT / "questionnaires" / f"{QID}.yaml")
form_t, response_t = FormSession.__table__, ResponseRow.__table__


def _rows(store: Store, table) -> list:  # noqa: ANN001 - a SQLAlchemy table
    """Every row of a table, the connection closed again (an open one would hold PostgreSQL locks)."""
    with store.engine.connect() as conn:
        return list(conn.execute(select(table)))


def _answers(seed: int) -> dict:
    """Valid answers, the service among them: the contact list pre-fills it."""
    return synthetic_answers(QUESTIONNAIRE, random.Random(seed))


def _invite(store: Store, *people: tuple[str, str]) -> dict[str, str]:
    """Invite people (address, service): their links, by address."""
    store.load(QUESTIONNAIRE)
    store.add_invitations("cli:test", QID, [Contact(email, attributes={"service": service})
                                            for email, service in people])
    return {i.email: f"/s/{QID}/i/{i.token}" for i in store.invitations(QID)}


def _page_index(html: str) -> int:
    return int(dict(controls_of(html))["page"])


def _browser_fields(html: str, answers: dict) -> list[tuple[str, str]]:
    """What a browser posts for the page: the fields it shows, answered (the questions the contact list answered are
    not shown, so not posted)."""
    page = QUESTIONNAIRE.pages[_page_index(html)]
    shown = {q.name for q in page.questions if f'id="q-{q.name}"' in html}
    return page_form(page, {k: v for k, v in answers.items() if k in shown})


def _answer_to_the_end(client: TestClient, link: str, answers: dict, stop_before_last: bool = False,  # noqa: ANN202
                       seen: list[str] | None = None, forged: bool = False):
    """Follow the link, answer page after page as a browser does; the last POST's redirect (or, with
    `stop_before_last`, the HTML of the last page, not sent). `forged`: post every answer of the page, the
    pre-filled ones too, as an edited page or a hand-made POST would."""
    location = client.get(link, follow_redirects=False).headers["location"]
    for _ in range(len(QUESTIONNAIRE.pages) + 1):
        html = client.get(location).text
        if seen is not None:
            seen.append(html)
        page = QUESTIONNAIRE.pages[_page_index(html)]
        fields = page_form(page, answers) if forged else _browser_fields(html, answers)
        if stop_before_last and "Envoyer" in html:
            return html, fields
        sent = submit(client, html, fields, follow_redirects=False)
        assert sent.status_code == 303, sent.text
        location = sent.headers["location"]
        if "/merci" in location or "/i/" in location:
            return sent
    raise AssertionError("the form never ended")


@pytest.fixture
def app(client: TestClient, store: Store) -> TestClient:
    return client


def test_a_link_starts_a_prefilled_form_and_gives_one_response(app: TestClient, store: Store) -> None:
    links = _invite(store, ("ana@ville.example", "urbanisme"))
    first = app.get(links["ana@ville.example"], follow_redirects=False)
    assert first.status_code == 303 and f"/s/{QID}/f/" in first.headers["location"]
    [session] = _rows(store, form_t)
    assert session.answers.get("service") == "urbanisme" and session.invitation_id is not None
    assert store.invitation_counts(QID).opened == 1
    pages: list[str] = []
    done = _answer_to_the_end(app, links["ana@ville.example"], {**_answers(1), "service": "culture"}, seen=pages)
    service_page = [html for html in pages if 'id="q-fonction"' in html]  # the page the service question is on
    assert service_page and all('id="q-service"' not in html for html in service_page)  # the list answered it
    assert all('name="service"' not in html for html in service_page)  # nor is its answer on the page
    assert done.headers["location"].startswith(f"/s/{QID}/merci")
    [response] = _rows(store, response_t)
    assert response.answers["service"] == "urbanisme"
    assert store.invitation_counts(QID).completed == 1
    # The link again: a polite page, in French, and nothing more stored.
    again = app.get(links["ana@ville.example"])
    assert again.status_code == 409 and "Vous avez déjà répondu" in again.text
    assert store.response_count(QID) == 1


def test_a_posted_value_cannot_change_a_prefilled_answer(app: TestClient, store: Store) -> None:
    """The contact list says urbanisme; a POST that says culture for the (unshown) question changes nothing."""
    links = _invite(store, ("fa@ville.example", "urbanisme"))
    assert "culture" != "urbanisme" and "culture" in [c.code for c in QUESTIONNAIRE.question("service").options()]
    done = _answer_to_the_end(app, links["fa@ville.example"], {**_answers(5), "service": "culture"}, forged=True)
    assert done.headers["location"].startswith(f"/s/{QID}/merci")
    [response] = _rows(store, response_t)
    assert response.answers["service"] == "urbanisme"


def test_the_link_resumes_the_form_on_another_device(store: Store, tmp_path: Path) -> None:
    links = _invite(store, ("bo@ville.example", "culture"))
    answers = _answers(2)
    with make_client(store, tmp_path) as phone:
        location = phone.get(links["bo@ville.example"], follow_redirects=False).headers["location"]
        html = phone.get(location).text
        submit(phone, html, page_form(QUESTIONNAIRE.pages[_page_index(html)], answers), follow_redirects=False)
        key = location.split("/f/")[1].split("?")[0]
    with make_client(store, tmp_path) as laptop:  # no cookie: the link alone finds the form
        resumed = laptop.get(links["bo@ville.example"], follow_redirects=False)
        assert key in resumed.headers["location"]
        assert _page_index(laptop.get(resumed.headers["location"]).text) > 0  # where it stopped, not page 1
    assert len(_rows(store, form_t)) == 1


def _another_form(store: Store) -> None:
    """A second form in progress for the (only) invitation, as two first clicks at the same moment would start;
    the link now resumes this one, the newest."""
    (invitation,) = store.invitations(QID)
    assert start_form_for(store, QID, invitation_id=invitation.id, answers=dict(invitation.attributes))


def test_a_second_form_of_the_same_link_is_refused_politely(store: Store, tmp_path: Path) -> None:
    """Two browsers each with a form of the link: the second to send is refused, nothing stored for it."""
    links = _invite(store, ("cy@ville.example", "urbanisme"))
    with make_client(store, tmp_path) as one, make_client(store, tmp_path) as two:
        html_one, fields_one = _answer_to_the_end(one, links["cy@ville.example"], _answers(3), stop_before_last=True)
        _another_form(store)
        html_two, fields_two = _answer_to_the_end(two, links["cy@ville.example"], _answers(4), stop_before_last=True)
        assert action_of(html_one) != action_of(html_two)
        assert submit(two, html_two, fields_two, follow_redirects=False).headers["location"].startswith(
            f"/s/{QID}/merci")
        refused = submit(one, html_one, fields_one)
    assert refused.status_code == 409 and "Vous avez déjà répondu" in refused.text
    assert store.response_count(QID) == 1


def test_a_revoked_link_and_an_unknown_one_are_refused_politely(app: TestClient, store: Store) -> None:
    links = _invite(store, ("di@ville.example", "culture"))
    (invitation,) = store.invitations(QID)
    store.revoke_invitation("cli:test", QID, invitation.id)
    revoked = app.get(links["di@ville.example"])
    assert revoked.status_code == 410 and "Ce lien n’est plus valable" in revoked.text
    unknown = app.get(f"/s/{QID}/i/{'A' * 32}")
    assert unknown.status_code == 404 and "Lien inconnu" in unknown.text
    english = app.get(f"/s/{QID}/i/nope?lang=en")  # a French-only questionnaire: the page stays French
    assert english.status_code == 404 and 'lang="fr"' in english.text
    assert _rows(store, form_t) == []


def test_racing_sends_of_one_link_store_one_response(store: Store, tmp_path: Path) -> None:
    links = _invite(store, ("eve@ville.example", "urbanisme"))
    clients = [make_client(store, tmp_path).__enter__() for _ in range(4)]
    try:
        ready = []
        for n, client in enumerate(clients):
            if n:
                _another_form(store)  # each browser its own form of the same link
            ready.append(_answer_to_the_end(client, links["eve@ville.example"], _answers(10 + n),
                                            stop_before_last=True))
        barrier = threading.Barrier(len(clients))
        codes: list[int] = []

        def send(client: TestClient, html: str, fields: list) -> None:
            barrier.wait()
            codes.append(submit(client, html, fields, follow_redirects=False).status_code)

        threads = [threading.Thread(target=send, args=(c, *r)) for c, r in zip(clients, ready, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for client in clients:
            client.__exit__(None, None, None)
    assert sorted(codes) == [303, 409, 409, 409]
    assert store.response_count(QID) == 1


def test_nothing_stored_or_exported_links_a_response_to_the_contact_list(app: TestClient, store: Store,
                                                                         tmp_path: Path) -> None:
    """Three people answer in the list's order. Neither the database nor the export carries a token, an address, an
    invitation id or anything that orders or times responses like the list: the completed forms forgot their
    invitation, the invitations keep a flag, not a time, and not which response is theirs."""
    people = [(f"p{n}@ville.example", "urbanisme") for n in range(3)]
    links = _invite(store, *people)
    for n, (email, _) in enumerate(people):
        assert _answer_to_the_end(app, links[email], _answers(20 + n)).headers["location"].startswith(
            f"/s/{QID}/merci")
    invitations = store.invitations(QID)
    assert all(i.completed for i in invitations)
    with store.engine.connect() as conn:
        sessions = conn.execute(select(form_t)).all()
        responses = conn.execute(select(response_t)).all()
    assert {s.status for s in sessions} == {COMPLETED} and {s.invitation_id for s in sessions} == {None}
    secrets_of_the_list = {i.token for i in invitations} | {i.email for i in invitations} | {
        str(i.id) for i in invitations}
    for response in responses:
        stored = repr(response._mapping)
        assert not any(secret in stored for secret in secrets_of_the_list if len(secret) > 3)
    written = deliverables.write_export(store, QID, "csv", tmp_path / "export.zip",
                                        profile=deliverables.ProfileChoice(k=1, suppression=0, l=1))
    with zipfile.ZipFile(written) as archive:
        everything = "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
        rows = list(csv.DictReader(io.StringIO(archive.read(f"{QID}.csv").decode("utf-8-sig"))))
    assert len(rows) == 3
    assert not any(secret in everything for secret in secrets_of_the_list if len(secret) > 3)
    columns = set(rows[0])
    assert not {c for c in columns if "invit" in c or "token" in c or "email" in c}
