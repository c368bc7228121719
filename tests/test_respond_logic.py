"""The full questionnaire language on the web: skip logic, constraints, cascades, repeats, piping, languages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from survey.store import Store
from tests.conftest import action_of, controls_of, csrf_of, make_client, post_form, state_of

FIXTURES = Path(__file__).parent / "fixtures" / "logic"
URL = "/s/logique"


@pytest.fixture
def client(sqlite_store: Store, tmp_path: Path) -> Iterator[TestClient]:
    with make_client(sqlite_store, tmp_path, FIXTURES) as test_client:
        yield test_client


def _shown(html: str) -> str:
    return re.search(r'name="shown" value="([^"]*)"', html).group(1)  # type: ignore[union-attr]


def _post(client: TestClient, html: str, fields: list[tuple[str, str]], action: str = "next"):
    """Post a page as its button does; a respondent's POST is answered by a 303 to the page that comes next, which
    is followed (not the one to the thanks page)."""
    data = [*controls_of(html), ("shown", _shown(html)), ("action", action), *fields]
    response = post_form(client, action_of(html), data, follow_redirects=False)
    if response.status_code == 303 and not response.headers["location"].split("?")[0].endswith("/merci"):
        return client.get(response.headers["location"])
    return response


def _is_hidden(html: str, name: str) -> bool:
    match = re.search(rf'<div class="question[^"]*" id="q-{name}" data-question="{name}"( hidden)?>', html)
    assert match, f"question {name} not on the page"
    return match.group(1) is not None


def test_skip_logic_hides_questions_and_pages_and_stores_them_as_not_asked(client: TestClient,
                                                                            sqlite_store: Store) -> None:
    page = client.get(URL).text
    assert _is_hidden(page, "nb_projets") and not _is_hidden(page, "a_vote")
    assert "Page 1 sur 2" in page  # the `suite` page is not asked until someone says they voted
    page = _post(client, page, [("accord", "1"), ("a_vote", "non")]).text
    assert "Page 2 sur 2" in page and "Recommanderiez-vous" in page
    done = _post(client, page, [("note_globale", "9")])
    assert done.status_code == 303
    stored = next(sqlite_store.responses("logique")).answers
    assert stored["a_vote"] == "non" and stored["note_globale"] == 9 and stored["accord"] is True
    assert stored["nb_projets"] == {"special": "not_asked"} and stored["commune"] == {"special": "not_asked"}
    assert "double" not in stored  # a calculation over a question not asked is null, and not stored


def test_without_javascript_a_question_opened_by_an_answer_is_asked_on_the_same_page(client: TestClient) -> None:
    page = client.get(URL).text
    again = _post(client, page, [("accord", "1"), ("a_vote", "oui")])
    assert again.status_code == 200 and "Page 1 sur" in again.text
    assert "ouvrent de nouvelles questions" in again.text and not _is_hidden(again.text, "nb_projets")
    wrong = _post(client, again.text, [("accord", "1"), ("a_vote", "oui"), ("nb_projets", "7")])
    assert wrong.status_code == 422 and "Au plus 5 projets par personne." in wrong.text
    right = _post(client, wrong.text, [("accord", "1"), ("a_vote", "oui"), ("nb_projets", "3")])
    assert "Page 2 sur 3" in right.text
    assert 'Vous avez voté pour <span data-pipe="nb_projets">3</span> projet(s) (double : ' \
           '<span data-pipe="double">6</span>).' in right.text


def _to_suite(client: TestClient) -> str:
    page = client.get(URL).text
    page = _post(client, page, [("accord", "1"), ("a_vote", "oui")]).text
    return _post(client, page, [("accord", "1"), ("a_vote", "oui"), ("nb_projets", "2")]).text


def test_consent_must_be_ticked(client: TestClient) -> None:
    page = client.get(URL).text
    refused = _post(client, page, [("a_vote", "non")])
    assert refused.status_code == 422 and 'id="erreur-accord"' in refused.text


def test_cascade_other_ranking_email_rules(client: TestClient) -> None:
    suite = _to_suite(client)
    assert re.search(r'data-option="bourg" hidden', suite)  # offered only once the commune is known: none yet
    fields = [("commune", "saint-aubin"), ("quartier", "bourg"), ("canaux", "web"), ("canaux", "other"),
              ("priorites__parcs", "1"), ("priorites__velo", "1")]
    refused = _post(client, suite, fields)
    text = refused.text
    assert refused.status_code == 422
    assert 'id="erreur-quartier"' in text and "Choisissez une des réponses proposées." in text
    assert "Précisez votre réponse « Autre »." in text
    assert "rang différent" in text
    assert 'id="erreur-courriel"' in text  # required because `web` was ticked
    fields = [("commune", "saint-aubin"), ("quartier", "centre"), ("canaux", "web"), ("canaux", "other"),
              ("canaux__other", "Le marché"), ("priorites__velo", "1"), ("priorites__parcs", "2"),
              ("courriel", "habitant@example.fr"), ("confiance", "@dont_know"), ("avis__clarte", "3"),
              ("heure", "18h30")]
    accepted = _post(client, refused.text, fields)
    assert accepted.status_code == 200 and "Page 3 sur 3" in accepted.text, accepted.text[-3000:]


def test_a_repeat_group_adds_and_removes_items_without_javascript(client: TestClient, sqlite_store: Store) -> None:
    suite = _to_suite(client)
    base = [("commune", "mareuil"), ("quartier", "bourg")]
    one = _post(client, suite, [*base, ("projets__count", "0")], action="add:projets").text
    assert 'name="projets__0__nom_projet"' in one and 'name="projets__count" value="1"' in one
    two = _post(client, one, [*base, ("projets__count", "1"), ("projets__0__nom_projet", "Jardin partagé")],
                action="add:projets").text
    assert 'value="Jardin partagé"' in two and 'name="projets__1__nom_projet"' in two
    fields = [*base, ("projets__count", "2"), ("projets__0__nom_projet", "Jardin partagé"),
              ("projets__1__nom_projet", "Pistes cyclables"), ("projets__1__budget", "12 000,50")]
    removed = _post(client, two, fields, action="remove:projets:0").text
    assert 'value="Pistes cyclables"' in removed and "Jardin partagé" not in removed
    missing = _post(client, removed, [*base, ("projets__count", "1"), ("projets__0__budget", "5")])
    assert missing.status_code == 422 and "Élément n° 1" in missing.text
    fin = _post(client, missing.text, [*base, ("projets__count", "1"), ("projets__0__nom_projet", "Pistes cyclables"),
                                      ("projets__0__budget", "12 000,50")]).text
    done = _post(client, fin, [("note_globale", "10")])
    assert done.status_code == 303
    stored = next(sqlite_store.responses("logique")).answers
    assert stored["projets"] == [{"nom_projet": "Pistes cyclables", "budget": 12000.5}]
    assert stored["double"] == 4 and stored["nb_projets"] == 2


def test_texts_and_choice_lists_follow_the_language(client: TestClient) -> None:
    client.cookies.clear()  # another respondent, in English (this browser would go back to its form)
    page = client.get(f"{URL}?lang=en").text
    assert "Logic test questionnaire" in page and "Did you vote?" in page and "Page 1 of" in page
    page = _post(client, page, [("accord", "1"), ("a_vote", "oui")]).text
    page = _post(client, page, [("accord", "1"), ("a_vote", "oui"), ("nb_projets", "1")]).text
    assert "Town centre" in page and "Commune" in page  # untranslated texts stay in French
    back_in_french = _post(client, page, [("commune", "saint-aubin")], action="lang:fr").text
    assert "Centre-ville" in back_in_french and re.search(r'value="saint-aubin"[^>]*selected', back_in_french)


def test_staff_preview_any_version_without_storing(client: TestClient, sqlite_store: Store) -> None:
    from survey.access import Role
    from tests.conftest import add_staff, login

    add_staff(sqlite_store, "eval@example.fr", Role.INTERVIEWER, ["default"])
    assert client.get("/staff/q/logique/preview", follow_redirects=False).status_code == 303  # login first
    login(client, "eval@example.fr")
    page = client.get("/staff/q/logique/preview?version=1").text
    assert "Aperçu de la version 1" in page and 'action="/staff/q/logique/preview"' in page
    page = post_form(client, "/staff/q/logique/preview", [
        ("_csrf_token", csrf_of(page)), ("state", state_of(page)), ("shown", _shown(page)), ("action", "next"),
        ("accord", "1"), ("a_vote", "non")]).text
    done = post_form(client, "/staff/q/logique/preview", [
        ("_csrf_token", csrf_of(page)), ("state", state_of(page)), ("shown", _shown(page)), ("action", "next")])
    assert "rien n’a été enregistré" in done.text
    assert sqlite_store.response_count("logique") == 0
    assert client.get("/staff/q/logique/preview?version=9").status_code == 404
    # a preview's form state cannot be replayed on the public form to store a response
    assert post_form(client, URL, [("_csrf_token", csrf_of(page)), ("state", state_of(page)),
                                   ("action", "next")]).status_code == 400
