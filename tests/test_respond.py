"""Answering on the web: page by page, errors beside questions, one stored response per submission."""

from __future__ import annotations

import random
import textwrap

from litestar.testing import TestClient
from sqlalchemy import inspect

from survey.logic import resolve
from survey.schema import load_questionnaire, parse_questionnaire
from survey.store import Store
from survey.synthetic import synthetic_answers
from survey.validation import finalise
from tests.conftest import ROOT, action_of, controls_of, csrf_of, post_form, submit
from tests.respondent import page_form

QID = "budget-participatif-habitants"
QUESTIONNAIRE = load_questionnaire(ROOT / "questionnaires" / f"{QID}.yaml")


def _post(client: TestClient, html: str, fields: list[tuple[str, str]], action: str = "next"):
    """Post a page as its button does: every respondent POST is answered by a 303 (post/redirect/get)."""
    response = submit(client, html, fields, action, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response


def _shown(client: TestClient, html: str, fields: list[tuple[str, str]], action: str = "next"):
    """Post a page and follow its redirect: the page the browser then shows."""
    return client.get(_post(client, html, fields, action).headers["location"])


def _answer_all(client: TestClient, answers: dict) -> tuple[str, object]:
    """Answer every page the logic asks; return the last page's HTML and the final response."""
    shown = resolve(QUESTIONNAIRE, answers).shown_pages
    html = client.get(f"/s/{QID}").text
    for position, index in enumerate(shown, start=1):
        response = _post(client, html, page_form(QUESTIONNAIRE.pages[index], answers))
        if position < len(shown):
            page = client.get(response.headers["location"])
            assert page.status_code == 200, page.text
            assert f"Page {position + 1} sur {len(shown)}" in page.text
            html = page.text
    return html, response


def test_a_complete_journey_stores_one_response_with_its_version(client: TestClient, store: Store) -> None:
    answers = synthetic_answers(QUESTIONNAIRE, random.Random(7))
    _, final = _answer_all(client, answers)
    assert final.status_code == 303
    assert final.headers["location"].split("?")[0] == f"/s/{QID}/merci"
    assert "Merci" in client.get(final.headers["location"]).text
    stored = list(store.responses(QID))
    assert len(stored) == 1
    assert stored[0].answers == finalise(QUESTIONNAIRE, answers)
    assert stored[0].version == QUESTIONNAIRE.version


def test_resubmitting_the_last_page_stores_nothing_more(client: TestClient, store: Store) -> None:
    answers = synthetic_answers(QUESTIONNAIRE, random.Random(8))
    last_html, final = _answer_all(client, answers)
    again = _post(client, last_html, page_form(QUESTIONNAIRE.pages[-1], answers))  # Back, then submit again
    assert again.status_code == 303
    second_tab = _post(client, last_html, page_form(QUESTIONNAIRE.pages[-1], answers))  # same form, other tab
    assert second_tab.status_code == 303
    assert store.response_count(QID) == 1


def test_two_respondents_give_two_responses(client: TestClient, store: Store) -> None:
    _answer_all(client, synthetic_answers(QUESTIONNAIRE, random.Random(1)))
    _answer_all(client, synthetic_answers(QUESTIONNAIRE, random.Random(2)))
    assert store.response_count(QID) == 2


def test_a_missing_required_answer_is_shown_next_to_its_question_and_input_is_kept(client: TestClient) -> None:
    html = client.get(f"/s/{QID}").text
    page = QUESTIONNAIRE.pages[0]
    required = next(q for q in page.questions if q.required)
    answers = synthetic_answers(QUESTIONNAIRE, random.Random(3))
    fields = [(k, v) for k, v in page_form(page, answers) if k != required.name]
    response = _shown(client, html, fields)
    assert response.status_code == 422
    text = response.text
    assert "Cette question est obligatoire." in text
    assert f'href="#f-{required.name}-1"' in text  # error summary links to the field
    assert f'id="erreur-{required.name}"' in text and 'aria-invalid="true"' in text
    assert "Page 1 sur" in text
    for name, value in fields:  # what was typed or ticked is still there
        assert f'value="{value}"' in text, name


def test_a_wrong_number_keeps_what_was_typed(tmp_path, sqlite_store: Store) -> None:
    from tests.conftest import make_client

    folder = tmp_path / "q"
    folder.mkdir()
    (folder / "n.yaml").write_text(
        "id: nombres\nversion: 1\ntitle: Nombres\nprivacy_notice: Anonyme.\npages:\n  - id: p\n    questions:\n"
        "      - {name: age, type: integer, label: Âge, min: 0, max: 120, required: true}\n"
        "      - {name: heures, type: decimal, label: Heures, min: 0, max: 10}\n", encoding="utf-8")
    with make_client(sqlite_store, tmp_path, folder) as client:
        html = client.get("/s/nombres").text
        response = submit(client, html, [("age", "douze"), ("heures", "12,5")])
        assert response.status_code == 422 and response.history[0].status_code == 303
        assert 'value="douze"' in response.text and "Saisissez un nombre" in response.text
        assert 'value="12,5"' in response.text and "au plus 10" in response.text
        reloaded = client.get(str(response.url))  # the issues are shown once; the form is still there
        assert reloaded.status_code == 200 and "Saisissez un nombre" not in reloaded.text
        done = submit(client, response.text, [("age", "42"), ("heures", "2,5")], follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"].split("?")[0] == "/s/nombres/merci"
        assert next(sqlite_store.responses("nombres")).answers == {"age": 42, "heures": 2.5}


def test_back_keeps_the_answers_of_both_pages(client: TestClient) -> None:
    answers = synthetic_answers(QUESTIONNAIRE, random.Random(4))
    html = client.get(f"/s/{QID}").text
    page2 = _shown(client, html, page_form(QUESTIONNAIRE.pages[0], answers)).text
    partial = page_form(QUESTIONNAIRE.pages[1], answers)[:1]
    back = _shown(client, page2, partial, action="back")
    assert "Page 1 sur" in back.text
    for _, value in page_form(QUESTIONNAIRE.pages[0], answers):
        assert f'value="{value}"' in back.text
    forward = _shown(client, back.text, page_form(QUESTIONNAIRE.pages[0], answers))
    assert "Page 2 sur" in forward.text
    name, value = partial[0]
    assert f'name="{name}" value="{value}"\n' in forward.text.replace("\n               checked", "") or \
        f'value="{value}"' in forward.text


def test_a_forged_form_key_or_version_is_refused_without_storing(client: TestClient, store: Store) -> None:
    html = client.get(f"/s/{QID}").text
    answers = page_form(QUESTIONNAIRE.pages[0], synthetic_answers(QUESTIONNAIRE, random.Random(10)))
    started = _post(client, html, answers).headers["location"]
    key = started.split("/f/")[1].split("?")[0]
    forged = key[:-3] + ("AAA" if not key.endswith("AAA") else "BBB")
    data = [("_csrf_token", csrf_of(html)), ("page", "1"), ("action", "next")]
    for url in (f"/s/{QID}/f/{forged}", f"/s/atelier-retour/f/{key}"):  # a made-up key; another questionnaire's
        response = post_form(client, url, data)
        assert response.status_code == 404 and "recommencer" in response.text, url
        assert client.get(url).status_code == 404
    other = client.get("/s/atelier-retour").text  # a version of another questionnaire posted as this one's
    version = dict(controls_of(other))["version"]
    fields = [(n, version if n == "version" else v) for n, v in controls_of(html)]
    response = post_form(client, f"/s/{QID}", [*fields, ("action", "next"), *answers])
    assert response.status_code == 400 and "recommencer" in response.text
    assert store.response_count(QID) == 0


def test_a_post_without_csrf_token_is_refused(client: TestClient, store: Store) -> None:
    html = client.get(f"/s/{QID}").text
    answers = synthetic_answers(QUESTIONNAIRE, random.Random(5))
    data = [(n, v) for n, v in controls_of(html) if n != "_csrf_token"] + page_form(QUESTIONNAIRE.pages[0], answers)
    response = post_form(client, action_of(html), data)
    assert response.status_code == 403
    assert "Traceback" not in response.text
    response = client.post("/logout", data={})
    assert response.status_code == 403


def test_unknown_questionnaire_and_bad_urls_get_a_readable_404(client: TestClient) -> None:
    for url in ("/s/nope", "/s/../../etc/passwd", "/nothing/here", "/s/%00"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Page introuvable" in response.text and "Traceback" not in response.text


def _post_to(client: TestClient, html: str, fields: list[tuple[str, str]], action: str):
    """Post a page of any questionnaire and follow its redirect."""
    return submit(client, html, fields, action)


def test_english_is_offered_where_the_questionnaire_has_it(client: TestClient) -> None:
    bilingual = load_questionnaire(ROOT / "questionnaires" / "atelier-retour.yaml")
    assert bilingual.languages == ["en"]
    html = client.get("/s/atelier-retour?lang=en").text
    assert "Page 1 of" in html and '<html lang="en">' in html
    french = client.get("/s/atelier-retour?lang=fr").text
    assert 'value="lang:en"' in french, "the switch to the questionnaire's other language"
    answers = synthetic_answers(bilingual, random.Random(6))
    switched = _post_to(client, french, page_form(bilingual.pages[0], answers), "lang:en")
    assert "Page 1 of" in switched.text  # same page, answers kept, other language
    for _, value in page_form(bilingual.pages[0], answers):
        assert f'value="{value}"' in switched.text


def test_a_french_only_questionnaire_offers_no_other_language_and_stays_french(client: TestClient) -> None:
    assert QUESTIONNAIRE.languages == []
    html = client.get(f"/s/{QID}?lang=en").text  # a link, or a cookie left by another questionnaire
    assert '<html lang="fr">' in html and "Page 1 sur" in html and 'value="lang:' not in html
    answers = synthetic_answers(QUESTIONNAIRE, random.Random(6))
    forced = _shown(client, html, page_form(QUESTIONNAIRE.pages[0], answers), action="lang:en")  # a crafted button
    assert forced.status_code == 200 and '<html lang="fr">' in forced.text and "Page 1 sur" in forced.text


def test_the_asterisk_legend_is_shown_only_above_questions_that_have_one(client: TestClient, store: Store) -> None:
    first = client.get(f"/s/{QID}").text  # page 1 asks required questions
    assert "legend-required" in first and 'class="required"' in first
    store.load(parse_questionnaire(textwrap.dedent("""\
        id: facultatif
        version: "1"
        title: Facultatif
        privacy_notice: Anonyme.
        pages:
          - id: p
            questions:
              - {name: avis, type: long_text, label: "Un avis ?"}
        """)))
    page = client.get("/s/facultatif").text
    assert "Un avis" in page and "legend-required" not in page and 'class="required"' not in page


def test_no_ip_address_or_user_agent_is_stored(client: TestClient, store: Store) -> None:
    columns = {c["name"] for c in inspect(store.engine).get_columns("response")}
    # status: real, test or synthetic; corrected_at: when staff last corrected it (README "Managing responses")
    # channel, entered_by: web, or paper and telephone typed in by staff (README "Forms in progress")
    assert columns == {"id", "version_id", "submission_key", "submitted_at", "answers", "status", "corrected_at",
                       "channel", "entered_by"}
    kept = {c["name"] for c in inspect(store.engine).get_columns("form_session")}
    assert not {name for name in kept if "ip" in name.split("_") or "agent" in name or "address" in name}
    _answer_all(client, synthetic_answers(QUESTIONNAIRE, random.Random(9)))
    stored = next(store.responses(QID))
    assert "testclient" not in repr(stored) and "127.0.0.1" not in repr(stored)


TRIPS_YAML = textwrap.dedent("""\
    id: trajets
    version: "1"
    title: Trajets
    privacy_notice: Réponses anonymes.
    languages: [en]
    pages:
      - id: p
        questions:
          - name: mode
            type: single_choice
            label: Mode principal
            other: true
            choices: [{code: velo, label: Vélo}, {code: bus, label: Bus}]
          - name: trajets
            type: repeat
            label: Vos trajets
            questions:
              - name: transport
                type: multiple_choice
                label: Transports
                other: true
                choices: [{code: velo, label: Vélo}, {code: bus, label: Bus}]
          - name: priorites
            type: ranking
            label: Priorités
            min: 2
            max: 3
            choices:
              - {code: parcs, label: Parcs}
              - {code: velo, label: Vélo}
              - {code: ecoles, label: Écoles}
              - {code: marches, label: Marchés}
    """)


def _trips_client(sqlite_store: Store, tmp_path) -> TestClient:  # noqa: ANN001
    from tests.conftest import make_client

    folder = tmp_path / "q"
    folder.mkdir()
    (folder / "trajets.yaml").write_text(TRIPS_YAML, encoding="utf-8")
    return make_client(sqlite_store, tmp_path, folder)


def _post_trips(client: TestClient, html: str, fields: list[tuple[str, str]]):
    """Post the one page; a refused one is shown after the redirect, a complete one redirects to the thanks."""
    response = submit(client, html, fields, follow_redirects=False)
    assert response.status_code == 303, response.text
    location = response.headers["location"]
    return response if location.split("?")[0].endswith("/merci") else client.get(location)


def test_a_leftover_other_text_is_not_stored_at_the_top_level_or_in_a_repeat(tmp_path, sqlite_store: Store) -> None:
    """“Other” typed, then another option picked: the text stays in the field, but it is not the answer."""
    with _trips_client(sqlite_store, tmp_path) as client:
        html = client.get("/s/trajets").text
        fields = [("mode", "bus"), ("mode__other", "Trottinette"), ("trajets__count", "2"),
                  ("trajets__0__transport", "bus"), ("trajets__0__transport__other", "Covoiturage"),
                  ("trajets__1__transport", "velo"), ("trajets__1__transport", "other"),
                  ("trajets__1__transport__other", "Roller")]
        done = _post_trips(client, html, fields)
        assert done.status_code == 303, done.text
    stored = next(sqlite_store.responses("trajets")).answers
    assert stored == {"mode": "bus", "trajets": [{"transport": ["bus"]},
                                                 {"transport": ["velo", "other"], "transport__other": "Roller"}]}


def test_a_ranking_outside_its_bounds_is_refused_next_to_the_question(tmp_path, sqlite_store: Store) -> None:
    """`min: 2`, `max: 3`: one option ranked is too few, four too many, in French and in English."""
    four = [(f"priorites__{code}", str(rank))
            for rank, code in enumerate(("velo", "parcs", "ecoles", "marches"), start=1)]
    with _trips_client(sqlite_store, tmp_path) as client:
        one = _post_trips(client, client.get("/s/trajets").text, four[:1])
        assert one.status_code == 422
        assert "Classez au moins 2 réponses." in one.text and 'id="erreur-priorites"' in one.text
        client.cookies.clear()  # another respondent, in English
        refused = _post_trips(client, client.get("/s/trajets?lang=en").text, four)
        assert refused.status_code == 422
        assert "Rank at most 3 options." in refused.text and 'id="erreur-priorites"' in refused.text
        assert sqlite_store.response_count("trajets") == 0
        done = _post_trips(client, refused.text, four[:2])
        assert done.status_code == 303, done.text
    assert next(sqlite_store.responses("trajets")).answers["priorites"] == ["velo", "parcs"]
