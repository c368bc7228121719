"""The respondent's side of quotas and GDPR: a full cell ends the form with its message (after the page that decides
it, and at completion), the privacy notice states the retention period, erasure from the form's own link, and the
staff page's quota fill."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from survey.access import Role
from survey.schema import parse_questionnaire
from survey.store import Store
from tests.conftest import add_staff, csrf_of, login, make_client, submit
from tests.respondent import page_form

QID = "consultation-quartiers"
YAML = textwrap.dedent(f"""\
    # yaml-language-server: $schema=questionnaire.schema.json
    id: {QID}
    version: "1"
    title: Consultation des quartiers
    language: fr
    languages: [en]
    privacy_notice: Vos réponses servent à évaluer la consultation.
    mission:
      id: mission-quartiers
      name: Consultation des quartiers
      client: Ville de Saint-Aubin
      retention_days: 365
      contact: dpo@saint-aubin.fr
    pages:
      - id: profil
        questions:
          - name: quartier
            type: single_choice
            required: true
            label: {{fr: Votre quartier, en: Your neighbourhood}}
            choices:
              - {{code: centre, label: {{fr: Centre, en: Centre}}}}
              - {{code: nord, label: {{fr: Nord, en: North}}}}
      - id: avis
        questions:
          - {{name: avis, type: long_text, label: {{fr: Votre avis, en: Your opinion}}}}
    quotas:
      - name: par_quartier
        questions: [quartier]
        limit: 2
        cells:
          - when: {{quartier: nord}}
            limit: 1
        message:
          fr: Merci ! Nous avons assez de réponses de votre quartier.
          en: Thank you! We have enough responses from your neighbourhood.
    """)
QUESTIONNAIRE = parse_questionnaire(YAML, "q.yaml")


@pytest.fixture
def quota_client(store: Store, tmp_path: Path) -> Iterator[TestClient]:
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / f"{QID}.yaml").write_text(YAML, encoding="utf-8")
    with make_client(store, tmp_path, folder) as client:
        yield client


def _first_page(client: TestClient, quartier: str, lang: str = "") -> object:
    html = client.get(f"/s/{QID}{lang}").text
    return submit(client, html, page_form(QUESTIONNAIRE.pages[0], {"quartier": quartier}), follow_redirects=False)


def _answer(client: TestClient, quartier: str) -> object:
    """Both pages; the response to the last POST (its redirect)."""
    first = _first_page(client, quartier)
    assert first.status_code == 303, first.text
    page = client.get(first.headers["location"])
    return submit(client, page.text, page_form(QUESTIONNAIRE.pages[1], {"avis": "Bien"}), follow_redirects=False)


def test_a_full_cell_ends_the_form_after_the_page_that_decides_it(quota_client: TestClient, store: Store) -> None:
    done = _answer(quota_client, "nord")
    assert done.headers["location"].startswith(f"/s/{QID}/merci")
    stopped = _first_page(quota_client, "nord")  # nord takes one: the next respondent stops after page 1
    assert (stopped.status_code, stopped.headers["location"]) == (303, f"/s/{QID}/complet?quota=par_quartier")
    page = quota_client.get(stopped.headers["location"])
    assert page.status_code == 200
    assert "Merci ! Nous avons assez de réponses de votre quartier." in page.text
    assert "<h1>Merci de votre intérêt</h1>" in page.text
    assert store.quota_counts(QID) == {("par_quartier", "nord"): 1}
    assert _first_page(quota_client, "centre").headers["location"].startswith(f"/s/{QID}/f/")  # centre has room


def test_the_quota_page_speaks_the_respondents_language(quota_client: TestClient) -> None:
    _answer(quota_client, "nord")
    stopped = _first_page(quota_client, "nord", "?lang=en")
    assert stopped.headers["location"] == f"/s/{QID}/complet?quota=par_quartier&lang=en"
    page = quota_client.get(stopped.headers["location"])
    assert "Thank you! We have enough responses from your neighbourhood." in page.text
    assert 'lang="en"' in page.text


def test_a_cell_filled_while_a_form_was_open_refuses_it_at_completion(quota_client: TestClient, store: Store,
                                                                      tmp_path: Path) -> None:
    first = _first_page(quota_client, "nord")  # page 1 passed while nord still had its place
    page = quota_client.get(first.headers["location"])
    with make_client(store, tmp_path, tmp_path / "questionnaires") as other:  # another browser takes it meanwhile
        assert _answer(other, "nord").headers["location"].startswith(f"/s/{QID}/merci")
    last = submit(quota_client, page.text, page_form(QUESTIONNAIRE.pages[1], {"avis": "Bien"}),
                  follow_redirects=False)
    assert (last.status_code, last.headers["location"]) == (303, f"/s/{QID}/complet?quota=par_quartier")
    assert store.response_count(QID) == 1


def test_the_privacy_notice_states_the_retention_period_and_contact(quota_client: TestClient) -> None:
    page = quota_client.get(f"/s/{QID}").text
    assert "<p>Vos réponses servent à évaluer la consultation.</p>" in page
    assert "<p>Vos réponses sont conservées 365 jours après leur envoi, puis supprimées. Les tableaux anonymisés " \
           "déjà produits restent.</p>" in page
    assert "<p>Pour exercer vos droits (accès, rectification, effacement) : dpo@saint-aubin.fr.</p>" in page
    english = quota_client.get(f"/s/{QID}?lang=en").text
    assert "Your answers are kept for 365 days after you send them" in english


def _reopened(client: TestClient, quartier: str) -> object:
    """Answer both pages, then open the form's own link again (the resume link, kept): the thank-you page that
    offers erasure."""
    first = _first_page(client, quartier)
    form_link = first.headers["location"].split("?")[0]
    assert client.get(_answer_rest(client, first).headers["location"]).status_code == 200
    return client.get(form_link)


def _answer_rest(client: TestClient, first: object) -> object:
    page = client.get(first.headers["location"])
    return submit(client, page.text, page_form(QUESTIONNAIRE.pages[1], {"avis": "Bien"}), follow_redirects=False)


def test_a_respondent_erases_their_response_from_the_thank_you_page(quota_client: TestClient, store: Store) -> None:
    done = _reopened(quota_client, "centre")
    erase_url = done.text.split('<p><a href="')[1].split('"')[0]
    assert erase_url.startswith(f"/s/{QID}/f/") and erase_url.endswith("/effacer")
    assert "Demander l’effacement de ma réponse" in done.text
    confirm = quota_client.get(erase_url)
    assert confirm.status_code == 200 and "Effacer définitivement ma réponse" in confirm.text
    refused = quota_client.post(erase_url, data={}, follow_redirects=False)  # no CSRF token: nothing happens
    assert refused.status_code == 403 and store.response_count(QID) == 1
    erased = quota_client.post(erase_url + "?lang=fr", data={"_csrf_token": csrf_of(confirm.text)},
                               follow_redirects=False)
    assert erased.status_code == 303
    assert "Votre réponse a été effacée." in quota_client.get(erased.headers["location"]).text
    assert store.response_count(QID) == 0 and store.quota_counts(QID)[("par_quartier", "centre")] == 0
    event = store.audit_events(QID)[0]
    assert (event.action, event.detail) == ("response_erasure", {"via": "resume_link"})
    again = quota_client.get(erase_url)
    assert again.status_code == 404 and "Aucune réponse n’est enregistrée avec ce lien" in again.text


def test_erasure_is_refused_once_the_questionnaire_is_closed(quota_client: TestClient, store: Store) -> None:
    done = _reopened(quota_client, "centre")
    erase_url = done.text.split('<p><a href="')[1].split('"')[0]
    confirm = quota_client.get(erase_url)
    store.set_state(QID, "closed", "cli:test")
    closed = quota_client.get(erase_url)
    assert "Ce questionnaire est clos" in closed.text and "dpo@saint-aubin.fr" in closed.text
    posted = quota_client.post(erase_url, data={"_csrf_token": csrf_of(confirm.text)}, follow_redirects=False)
    assert posted.status_code == 200 and "Ce questionnaire est clos" in posted.text
    assert store.response_count(QID) == 1


def _quota_rows(page: str) -> list[str]:
    """Each row of the staff page's quota tables as « cell fill »."""
    section = page.split('<section aria-labelledby="quotas">')[1].split("</section>")[0]
    return [row.split("</th>")[0] + " " + row.split("<td>")[1].split("</td>")[0]
            for row in section.split('<th scope="row">')[1:]]


def test_the_staff_page_shows_each_quotas_fill(quota_client: TestClient, store: Store) -> None:
    quota_client.get(f"/s/{QID}")  # the folder's questionnaire is loaded
    version_id = store.current(QID).version_id  # type: ignore[union-attr]
    for key, quartier in (("a", "nord"), ("b", "centre")):
        store.store_response(version_id, key, {"quartier": quartier, "avis": "Bien"})
    add_staff(store, "eval@example.fr", Role.EVALUATOR, ["mission-quartiers"])
    login(quota_client, "eval@example.fr")
    assert _quota_rows(quota_client.get(f"/staff/q/{QID}").text) == [
        "Nord 1 / 1 — <strong>pleine</strong>", "Centre 1 / 2"]


def test_a_consultant_reads_small_quota_counts_as_below_the_small_cell_threshold(quota_client: TestClient,
                                                                                 store: Store) -> None:
    quota_client.get(f"/s/{QID}")
    store.store_response(store.current(QID).version_id, "a", {"quartier": "centre"})  # type: ignore[union-attr]
    add_staff(store, "conseil@example.fr", Role.CONSULTANT, ["mission-quartiers"])
    login(quota_client, "conseil@example.fr")
    assert _quota_rows(quota_client.get(f"/staff/q/{QID}").text) == ["Centre &lt; 11 / 2", "Nord 0 / 1"]


def test_the_register_of_processing_page_lists_what_is_collected_for_the_missions_members_only(
        quota_client: TestClient, store: Store) -> None:
    quota_client.get(f"/s/{QID}")
    add_staff(store, "eval@example.fr", Role.EVALUATOR, ["mission-quartiers"])
    add_staff(store, "autre@example.fr", Role.EVALUATOR, [])
    login(quota_client, "autre@example.fr")
    assert quota_client.get(f"/staff/q/{QID}/registre").status_code == 404  # not their mission
    login(quota_client, "eval@example.fr")
    questionnaire_page = quota_client.get(f"/staff/q/{QID}").text
    assert f'<a href="/staff/q/{QID}/registre">Registre des traitements (RGPD)</a>' in questionnaire_page
    page = quota_client.get(f"/staff/q/{QID}/registre").text
    assert "<h1>Registre des activités de traitement — Consultation des quartiers</h1>" in page
    assert "<dt>Durée de conservation</dt><dd>365 jours après l’envoi de chaque réponse ; suppression " \
           "automatique</dd>" in page
    assert "<dt>Contact pour l’exercice des droits</dt><dd>dpo@saint-aubin.fr</dd>" in page
    assert '<tr><th scope="row"><code>avis</code> — Votre avis</th><td>long_text</td>' \
           "<td>texte libre (nettoyé des noms à l’export)</td></tr>" in page
