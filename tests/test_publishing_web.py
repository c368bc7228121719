"""Publishing from the web, on SQLite and PostgreSQL: the respondent's polite page when a questionnaire takes no
answers (draft, not open yet, closed, archived, mission ended) in their language, the grace period for a form
started before closing, uploads with every problem shown and hostile files refused, state buttons and dates,
every change audited, the mission's header on respondents' pages and in the PDF."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import subprocess
import textwrap
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import TestClient
from PIL import Image

from survey import deliverables
from survey.access import Role
from survey.publishing import CLOSED, DRAFT, OPEN
from survey.schema import load_questionnaire
from survey.store import Store
from survey.store_publishing import BRANDING_CHANGE, STATE_CHANGE
from survey.synthetic import synthetic_answers
from survey.web.publish import UPLOAD
from tests.conftest import ROOT, add_staff, csrf_of, login, post_form, require_in_ci
from tests.respondent import page_form
from tests.test_security_files import BILLION_LAUGHS

QID = "budget-participatif-habitants"
QUESTIONNAIRE = load_questionnaire(ROOT / "questionnaires" / f"{QID}.yaml")
MISSION = QUESTIONNAIRE.mission.id  # type: ignore[union-attr]
BILINGUAL = "atelier-retour"

NEW_FILE = textwrap.dedent("""\
    id: consultation-parc
    version: "1"
    title: Le parc des Lilas
    privacy_notice: Vos réponses sont anonymes.
    mission: {id: saint-aubin-bp-2026, name: Évaluation du budget participatif 2024-2025}
    pages:
      - id: p1
        questions:
          - {name: avis, type: yes_no, label: "Êtes-vous content du parc ?", disclosure: none}
    """)
# Three mistakes a first draft makes, on three lines: all must be reported at once.
BROKEN_FILE = textwrap.dedent("""\
    id: consultation-parc
    version: "1"
    title: Le parc des Lilas
    privacy_notice: Vos réponses sont anonymes.
    mission: {id: saint-aubin-bp-2026, name: Évaluation du budget participatif 2024-2025}
    pages:
      - id: p1
        questions:
          - {name: avis, type: yes_nope, label: "Êtes-vous content du parc ?"}
          - {name: Note, type: integer, label: "Votre note"}
          - {name: quartier, type: single_choice, label: "Votre quartier"}
    """)


def _evaluator(client: TestClient, store: Store) -> None:
    login(client, add_staff(store, "eva@ville.example", Role.EVALUATOR, [MISSION]))


def _upload(client: TestClient, filename: str, content: bytes, url: str = "/staff/publish", field: str = "file",
            **fields: str):  # noqa: ANN202
    token = csrf_of(client.get("/staff/publish").text)
    return client.post(url, data={"_csrf_token": token, **fields}, files={field: (filename, content)},
                       follow_redirects=False)


def _post(client: TestClient, url: str, **fields: str):  # noqa: ANN202
    token = csrf_of(client.get("/staff/publish").text)
    return post_form(client, url, [("_csrf_token", token), *fields.items()], follow_redirects=False)


def _png(width: int, height: int, colour: tuple[int, int, int] = (200, 30, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="PNG")
    return out.getvalue()


# --- respondents ------------------------------------------------------------------------------------------------


def test_a_closed_questionnaire_says_so_politely_in_the_respondents_language(client: TestClient,
                                                                              store: Store) -> None:
    store.set_state(BILINGUAL, CLOSED, "cli:test")
    french = client.get(f"/s/{BILINGUAL}")
    assert french.status_code == 410
    assert "Questionnaire clos" in french.text and "il ne reçoit plus de réponses" in french.text
    assert '<html lang="fr">' in french.text and "<form" not in french.text.split("<main")[1]
    english = client.get(f"/s/{BILINGUAL}?lang=en")
    assert english.status_code == 410
    assert "Questionnaire closed" in english.text and '<html lang="en">' in english.text
    paris = store.publication(BILINGUAL).closed_at.astimezone(ZoneInfo("Europe/Paris"))  # type: ignore[union-attr]
    assert f"closed on {paris:%Y-%m-%d} at {paris:%H:%M} and no longer takes answers" in english.text
    assert f"clos depuis le {paris:%d/%m/%Y} à {paris:%H:%M}" in french.text


def test_drafts_are_not_found_and_future_openings_say_when(client: TestClient, store: Store) -> None:
    store.load(QUESTIONNAIRE.model_copy(update={"id": "brouillon"}), new_state=DRAFT)
    draft = client.get("/s/brouillon")
    assert draft.status_code == 404 and "pas encore publié" in draft.text
    opens = dt.datetime.now(dt.UTC).replace(microsecond=0) + dt.timedelta(days=3)
    store.set_dates(QID, opens, None, "cli:test")
    later = client.get(f"/s/{QID}")
    assert later.status_code == 403
    assert f"ouvrira le {opens.astimezone(ZoneInfo('Europe/Paris')):%d/%m/%Y}" in later.text
    assert 0 < int(later.headers["retry-after"]) <= 3 * 86400


def test_a_mission_that_ended_closes_its_questionnaires(client: TestClient, store: Store) -> None:
    yesterday = dt.date.today() - dt.timedelta(days=2)
    ended = QUESTIONNAIRE.mission.model_copy(update={"start": dt.date(2026, 1, 1), "end": yesterday})  # type: ignore[union-attr]
    store.load(QUESTIONNAIRE.model_copy(update={"mission": ended}))
    page = client.get(f"/s/{QID}")
    assert page.status_code == 410
    assert f"clos depuis le {yesterday + dt.timedelta(days=1):%d/%m/%Y}" in page.text  # midnight after its last day


def _next_page(client: TestClient, html: str, answers: dict) -> tuple[int, str]:
    """Post the page `html` shows, as its button does (its form's action, every hidden field), and follow where it
    leads; the status and page that come back."""
    action = re.search(r'<form method="post" action="([^"]+)" novalidate data-survey>', html).group(1)  # type: ignore[union-attr]
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html)
    index = int(re.search(r"Page (\d+) sur", html).group(1)) - 1  # type: ignore[union-attr]
    fields = [*hidden, ("action", "next"), *page_form(QUESTIONNAIRE.pages[index], answers)]
    response = post_form(client, action, fields, follow_redirects=True)
    return response.status_code, response.text


def test_a_form_started_before_closing_is_accepted_within_the_grace_period_then_refused(
        client: TestClient, store: Store) -> None:
    answers = synthetic_answers(QUESTIONNAIRE, random.Random(3))
    status, second = _next_page(client, client.get(f"/s/{QID}").text, answers)
    assert status == 200 and "Page 2 sur" in second
    store.set_state(QID, CLOSED, "cli:test")  # while the respondent is on page 2
    kept = dict(client.cookies)
    client.cookies.clear()  # another browser: no form in progress to go back to
    assert client.get(f"/s/{QID}").status_code == 410  # a new respondent is turned away…
    client.cookies.update(kept)
    status, third = _next_page(client, second, answers)  # …the one who started goes on
    assert status == 200 and "Page 3 sur" in third
    store.set_state(QID, OPEN, "cli:test")
    store.set_state(QID, CLOSED, "cli:test", now=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=121))
    status, late = _next_page(client, third, answers)  # the grace period (120 minutes) is over
    assert status == 410
    assert "n’ont pas pu être enregistrées" in late and "Questionnaire clos" in late
    assert store.response_count(QID) == 0


# --- staff: uploads ---------------------------------------------------------------------------------------------


def test_an_upload_becomes_a_draft_that_is_previewed_then_opened_and_every_step_is_audited(
        client: TestClient, store: Store) -> None:
    _evaluator(client, store)
    uploaded = _upload(client, "parc.yaml", NEW_FILE.encode())
    assert uploaded.status_code == 303, uploaded.text
    assert uploaded.headers["location"] == "/staff/q/consultation-parc/publication?uploaded=new&version=1"
    page = client.get(uploaded.headers["location"])
    assert "Questionnaire déposé en brouillon" in page.text and "Brouillon" in page.text
    assert client.get("/s/consultation-parc").status_code == 404  # not public yet
    preview = client.get("/staff/q/consultation-parc/preview")
    assert preview.status_code == 200 and "Êtes-vous content du parc ?" in preview.text
    assert store.version_listing("consultation-parc")[0].served_at is None  # a preview serves nothing
    opened = _post(client, "/staff/q/consultation-parc/state", to=OPEN)
    assert opened.status_code == 303
    assert client.get("/s/consultation-parc").status_code == 200
    events = store.audit_events("consultation-parc")
    assert [(e.action, e.actor) for e in events] == [(STATE_CHANGE, "eva@ville.example"),
                                                     (UPLOAD, "eva@ville.example")]
    assert events[0].detail == {"from": DRAFT, "to": OPEN}
    assert events[1].detail == {"file": "parc.yaml", "status": "new", "version": "1"}


def test_every_problem_of_an_uploaded_file_is_shown_located_and_nothing_is_stored(client: TestClient,
                                                                                   store: Store) -> None:
    _evaluator(client, store)
    response = _upload(client, "parc.yaml", BROKEN_FILE.encode())
    assert response.status_code == 422
    problems = re.findall(r"<li>(parc\.yaml:\d+:[^<]*)</li>", response.text)
    lines = {int(p.split(":")[1]) for p in problems}
    assert {9, 10, 11} <= lines, problems  # the unknown type, the bad name, the missing choices
    assert any("yes_nope" in p and "yes_no" in p for p in problems)  # with the suggestion
    assert store.publication("consultation-parc") is None


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("bombe.yaml", BILLION_LAUGHS.encode(), "alias"),
    ("latin1.yaml", "titre: été".encode("latin-1"), "UTF-8"),
    ("form.xlsx", b"PK\x03\x04 not really a zip", "cannot read the workbook"),
    ("form.xls", b"\xd0\xcf\x11\xe0 broken", "cannot read the workbook"),
    ("logo.svg", b"<svg onload='alert(1)'/>", "is not a questionnaire file"),
    ("../../etc/passwd.yaml", b"", "the file is empty"),
])
def test_hostile_or_broken_uploads_get_a_clear_message_never_a_500(client: TestClient, store: Store, name: str,
                                                                   content: bytes, expected: str) -> None:
    _evaluator(client, store)
    response = _upload(client, name, content)
    assert response.status_code == 422, response.text[:300]
    assert expected in response.text
    assert "Traceback" not in response.text and "../" not in response.text


def test_an_upload_past_the_body_limit_gets_the_polite_413_page(client: TestClient, store: Store) -> None:
    from survey.questionnaire_upload import MAX_UPLOAD_BYTES

    _evaluator(client, store)
    response = _upload(client, "gros.yaml", b"# " + b"x" * MAX_UPLOAD_BYTES)
    assert response.status_code == 413 and "Envoi trop volumineux" in response.text


def test_an_upload_for_another_mission_or_taking_its_id_is_refused(client: TestClient, store: Store) -> None:
    _evaluator(client, store)
    other = NEW_FILE.replace("saint-aubin-bp-2026", "autre-ville")
    refused = _upload(client, "parc.yaml", other.encode())
    assert refused.status_code == 422 and "is not a mission you work on" in refused.text
    taken = NEW_FILE.replace("consultation-parc", "formation-democratie-participative")
    clash = _upload(client, "parc.yaml", taken.encode())
    assert clash.status_code == 422 and "already used by another mission" in clash.text


def test_an_xlsform_is_converted_on_the_way(client: TestClient, store: Store, tmp_path) -> None:  # noqa: ANN001
    from survey.xlsform import write_xlsform

    _evaluator(client, store)
    workbook = tmp_path / "parc.xlsx"
    write_xlsform(load_questionnaire(ROOT / "questionnaires" / f"{QID}.yaml").model_copy(
        update={"id": "parc-xls"}), workbook)
    response = _upload(client, "parc.xlsx", workbook.read_bytes())
    assert response.status_code == 303, response.text[:2000]
    assert store.publication("parc-xls").state == DRAFT  # type: ignore[union-attr]


def test_a_new_version_of_a_served_questionnaire_keeps_the_served_one(client: TestClient, store: Store) -> None:
    _evaluator(client, store)
    assert _upload(client, "parc.yaml", NEW_FILE.encode()).status_code == 303
    assert _post(client, "/staff/q/consultation-parc/state", to=OPEN).status_code == 303
    assert client.get("/s/consultation-parc").status_code == 200  # shown to a respondent: version 1 is fixed
    changed = NEW_FILE.replace("title: Le parc des Lilas", "title: Le parc des Lilas (v2)")
    response = _upload(client, "parc.yaml", changed.encode())
    assert response.headers["location"] == "/staff/q/consultation-parc/publication?uploaded=versioned&version=1%2B2"
    assert "Nouvelle version 1+2" in client.get(response.headers["location"]).text
    assert list(store.version_ids("consultation-parc")) == ["1", "1+2"]
    assert store.version(store.version_ids("consultation-parc")["1"]).questionnaire.title == "Le parc des Lilas"  # type: ignore[union-attr]
    assert store.publication("consultation-parc").state == OPEN  # type: ignore[union-attr]


def test_a_file_needing_csv_files_beside_it_says_so(client: TestClient, store: Store) -> None:
    _evaluator(client, store)
    response = _upload(client, f"{QID}.yaml", (ROOT / "questionnaires" / f"{QID}.yaml").read_bytes())
    assert response.status_code == 422
    assert "`personnes.csv` is not a CSV file beside the questionnaire" in response.text
    assert "survey load" in response.text  # the way such a questionnaire is published


# --- staff: states, dates, permissions ----------------------------------------------------------------------------


def test_a_refused_move_explains_itself_and_consultants_cannot_publish(client: TestClient, store: Store) -> None:
    _evaluator(client, store)
    refused = _post(client, f"/staff/q/{QID}/state", to="archived")
    assert refused.status_code == 409 and "close it first" in refused.text
    assert "Mission : à partir du 12/01/2026." in refused.text  # the example's mission: a first day, no last
    wrong_date = _post(client, f"/staff/q/{QID}/dates", opens_at="2026-06-15T18:00", closes_at="2026-06-01")
    assert wrong_date.status_code == 400 and "not after the opening date" in wrong_date.text
    client.cookies.clear()
    login(client, add_staff(store, "consult@ville.example", Role.CONSULTANT, [MISSION]))
    assert client.get("/staff/publish").status_code == 403
    assert client.get(f"/staff/q/{QID}/publication").status_code == 403
    assert store.audit_events(QID, action=STATE_CHANGE) == []


def test_the_api_reports_the_state(client: TestClient, store: Store) -> None:
    store.set_state(QID, CLOSED, "cli:test")
    add_staff(store, "eva@ville.example", Role.EVALUATOR, [MISSION])
    _, token = store.add_token(store.user_id("eva@ville.example"), "test")  # type: ignore[arg-type]
    found = client.get(f"/api/questionnaires/{QID}", headers={"Authorization": f"Bearer {token}"})
    assert found.status_code == 200 and found.json()["state"] == CLOSED


# --- branding -----------------------------------------------------------------------------------------------------


def test_the_missions_header_shows_on_respondents_pages_and_in_the_pdf(client: TestClient, store: Store,
                                                                      tmp_path) -> None:  # noqa: ANN001
    _evaluator(client, store)
    saved = _upload(client, "logo.png", _png(600, 300), url=f"/staff/q/{QID}/branding", field="logo",
                    name="Ville de Saint-Aubin-sur-Loire", background="#1A5FB4", text_colour="#ffffff")
    assert saved.status_code == 303, saved.text[:500]
    page = client.get(f"/s/{QID}").text
    assert '<p class="brand-name">Ville de Saint-Aubin-sur-Loire</p>' in page
    logo_url = re.search(r'<img class="brand-logo" src="([^"]+)" width="320" height="160"', page).group(1)  # type: ignore[union-attr]
    logo = client.get(logo_url)
    assert logo.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(logo.content)).size == (320, 160)  # re-encoded, 160 px high (the header shows 80)
    css_url = re.search(r'<link rel="stylesheet" href="(/brand/[^"]+/style\.css[^"]*)">', page).group(1)  # type: ignore[union-attr]
    assert "background:#1a5fb4;color:#ffffff" in client.get(css_url).text
    [event] = store.audit_events(action=BRANDING_CHANGE)
    assert event.detail["logo"] == f"320×160 PNG, {len(logo.content)} bytes"
    pdf = tmp_path / "synthese.pdf"
    deliverables.write_report(store, QID, pdf)
    require_in_ci("pdfimages and pdftotext (poppler-utils)", _has("pdfimages"))
    images = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^\s*1\s+0\s+image\s+320\s+160\s", images, re.M), images  # the logo, first on the cover
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Ville de Saint-Aubin-sur-Loire" in text.split("Synthèse")[0]


def _has(program: str) -> bool:
    import shutil

    return shutil.which(program) is not None


@pytest.mark.parametrize(("fields", "logo", "expected"), [
    ({"background": "#ffcc00", "text_colour": "#ffffff"}, None, "below the 4.5:1"),
    ({"background": "rouge"}, None, "is not a colour"),
    ({}, b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
     "SVG logos are not accepted"),
    ({}, b"GIF89a" + b"\0" * 40, "not a PNG or JPEG"),
    ({}, "huge", "at most 4000 on each side"),
])
def test_a_faint_colour_or_a_risky_logo_is_refused_and_nothing_changes(client: TestClient, store: Store,
                                                                      fields: dict, logo: bytes | str | None,
                                                                      expected: str) -> None:
    _evaluator(client, store)
    content = _png(5000, 10) if logo == "huge" else (logo or b"")
    response = _upload(client, "logo.png" if logo else "", content, url=f"/staff/q/{QID}/branding", field="logo",
                       **fields)
    assert response.status_code == 400 and expected in response.text
    assert store.audit_events(action=BRANDING_CHANGE) == []
    assert store.branding_for(QID) is None
