"""Paper and telephone entry over HTTP, on SQLite and PostgreSQL: an interviewer enters a paper questionnaire through
the respondents' own pages; it is stored with its channel and who entered it, counts like any response, and its
thank-you page offers the next entry. Who may open the page, another mission's questionnaire, CSRF."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from pathlib import Path

import polars as pl
from litestar.testing import TestClient
from sqlalchemy import select

from survey import deliverables
from survey.access import Role
from survey.db import FormSession, ResponseRow
from survey.schema import load_questionnaire
from survey.store import Store
from survey.synthetic import synthetic_answers
from tests.conftest import ROOT, add_staff, controls_of, csrf_of, login, post_form, submit
from tests.respondent import page_form

QID = "agents-participation"
QUESTIONNAIRE = load_questionnaire(ROOT / "questionnaires" / f"{QID}.yaml")
MISSION = QUESTIONNAIRE.mission.id  # type: ignore[union-attr]
form_t, response_t = FormSession.__table__, ResponseRow.__table__


def _rows(store: Store, table) -> list:  # noqa: ANN001 - a SQLAlchemy table
    with store.engine.connect() as conn:
        return list(conn.execute(select(table)))


def _answer_to_the_end(client: TestClient, location: str, answers: dict) -> str:
    """Answer page after page from `location` as a browser does; where the last POST's redirect goes."""
    for _ in range(len(QUESTIONNAIRE.pages) + 1):
        html = client.get(location).text
        page = QUESTIONNAIRE.pages[int(dict(controls_of(html))["page"])]
        sent = submit(client, html, page_form(page, answers), follow_redirects=False)
        assert sent.status_code == 303, sent.text
        location = sent.headers["location"]
        if "/merci" in location:
            return location
    raise AssertionError("the form never ended")


def _start_entry(client: TestClient, channel: str) -> str:
    """The entry page's button for the questionnaire: where it sends the member."""
    page = client.get("/staff/entry")
    assert page.status_code == 200 and f'action="/staff/entry/{QID}"' in page.text
    started = post_form(client, f"/staff/entry/{QID}", [("_csrf_token", csrf_of(page.text)), ("channel", channel)],
                        follow_redirects=False)
    assert started.status_code == 303, started.text
    return started.headers["location"]


def test_an_interviewer_enters_a_paper_response_that_counts_and_exports(client: TestClient, store: Store,
                                                                          tmp_path: Path) -> None:
    store.load(QUESTIONNAIRE)
    web_answers, paper_answers = (synthetic_answers(QUESTIONNAIRE, random.Random(seed)) for seed in (1, 2))
    # A respondent on the web first, in a browser of their own (no staff session).
    _answer_to_the_end(client, f"/s/{QID}", web_answers)
    add_staff(store, "enqueteur@example.fr", Role.INTERVIEWER, [MISSION])
    login(client, "enqueteur@example.fr")
    assert 'href="/staff/entry"' in client.get("/staff").text  # the menu links it
    location = _start_entry(client, "paper")
    assert location.startswith(f"/s/{QID}/f/")
    done = _answer_to_the_end(client, location, paper_answers)
    thanks = client.get(done)
    assert thanks.status_code == 200 and "Saisir une autre réponse" in thanks.text
    assert 'href="/staff/entry?channel=paper"' in thanks.text and "/effacer" not in thanks.text
    by_channel = {row.channel: row for row in _rows(store, response_t)}
    assert set(by_channel) == {"web", "paper"}
    assert by_channel["paper"].entered_by == store.user_id("enqueteur@example.fr")
    assert by_channel["web"].entered_by is None
    assert by_channel["paper"].answers["service"] == paper_answers["service"]
    assert store.response_count(QID) == 2  # it counts like the others
    written = deliverables.write_export(store, QID, "csv", tmp_path / "export.zip",
                                        profile=deliverables.ProfileChoice(k=1, suppression=0, l=1))
    with zipfile.ZipFile(written) as archive:
        text = archive.read(f"{QID}.csv").decode("utf-8-sig")
        everything = "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    table = pl.read_csv(io.StringIO(text), infer_schema=False)
    assert table.height == 2 and "entered_by" not in table.columns and "entered_by" not in everything
    assert next(csv.reader(io.StringIO(text)))  # a header row


def test_a_respondent_thank_you_page_offers_no_entry(client: TestClient, store: Store) -> None:
    store.load(QUESTIONNAIRE)
    thanks = client.get(_answer_to_the_end(client, f"/s/{QID}", synthetic_answers(QUESTIONNAIRE, random.Random(3))))
    assert thanks.status_code == 200 and "Saisir une autre réponse" not in thanks.text
    [session] = _rows(store, form_t)
    assert session.channel == "web" and session.entered_by is None


def test_telephone_entry_records_its_channel(client: TestClient, store: Store) -> None:
    store.load(QUESTIONNAIRE)
    add_staff(store, "eval@example.fr", Role.EVALUATOR, [MISSION])
    login(client, "eval@example.fr")
    _answer_to_the_end(client, _start_entry(client, "telephone"), synthetic_answers(QUESTIONNAIRE, random.Random(4)))
    [response] = _rows(store, response_t)
    assert response.channel == "telephone" and response.entered_by == store.user_id("eval@example.fr")


def test_who_may_enter_and_what(client: TestClient, store: Store) -> None:
    store.load(QUESTIONNAIRE)
    add_staff(store, "consultant@example.fr", Role.CONSULTANT, [MISSION])
    login(client, "consultant@example.fr")
    assert client.get("/staff/entry").status_code == 403
    assert 'href="/staff/entry"' not in client.get("/staff").text
    other = load_questionnaire(ROOT / "questionnaires" / "atelier-retour.yaml")
    store.load(other)
    add_staff(store, "ailleurs@example.fr", Role.INTERVIEWER, [other.mission.id])  # type: ignore[union-attr]
    login(client, "ailleurs@example.fr")
    page = client.get("/staff/entry")
    assert page.status_code == 200 and QID not in page.text  # not their mission: not listed
    assert f'action="/staff/entry/{other.id}"' in page.text
    refused = post_form(client, f"/staff/entry/{QID}", [("_csrf_token", csrf_of(page.text)), ("channel", "paper")],
                        follow_redirects=False)
    assert refused.status_code == 404
    assert _rows(store, form_t) == []


def test_entry_needs_csrf_and_a_channel(client: TestClient, store: Store) -> None:
    store.load(QUESTIONNAIRE)
    add_staff(store, "enqueteur@example.fr", Role.INTERVIEWER, [MISSION])
    login(client, "enqueteur@example.fr")
    page = client.get("/staff/entry")
    no_token = post_form(client, f"/staff/entry/{QID}", [("channel", "paper")], follow_redirects=False)
    assert no_token.status_code == 403
    web = post_form(client, f"/staff/entry/{QID}", [("_csrf_token", csrf_of(page.text)), ("channel", "web")],
                    follow_redirects=False)
    assert web.status_code == 422 and "papier ou téléphone" in web.text
    assert _rows(store, form_t) == []
