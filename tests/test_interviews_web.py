"""Interviewer mode over HTTP, on SQLite and PostgreSQL: who may open what, CSRF, autosaves and their conflicts,
idempotent resends, the no-JavaScript form, closed questions, coded passages, transcripts, completion and audit."""

from __future__ import annotations

import datetime as dt
import io
import re
import textwrap
import zipfile
from html import unescape

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from litestar.testing import TestClient

from survey.access import Role
from survey.schema.interview import InterviewGrid
from survey.store import Store
from survey.store_interviews import Interview, StoredText
from survey.web.interview_saves import plain_text, posted_edits
from tests.conftest import add_staff, csrf_of, login, post_form

GRID_ID, MISSION = "entretiens-web", "mission-web"
GRID = textwrap.dedent("""
    kind: interview
    id: entretiens-web
    version: "1"
    title: Entretiens de la démarche
    mission: {id: mission-web, name: Mission web}
    privacy_notice: Les notes restent au cabinet.
    profile:
      categories:
        - {code: elu, label: Élu·e}
        - {code: agent, label: Agent·e, pseudonym: Agent}
      sites:
        - {code: centre, label: Centre-ville}
    introduction:
      text: Nous évaluons la démarche de participation.
      consent: Acceptez-vous que l'entretien soit enregistré ?
    themes:
      - id: enjeux
        title: Les enjeux
        duration: 10
        guidance: Laissez parler, puis relancez sur les publics.
        questions:
          - {id: enjeux_1, text: "Pourquoi cette démarche ?", prompts: ["Et pour qui ?", "Depuis quand ?"]}
        closed:
          - {name: satisfaction, type: single_choice, label: "Satisfait de la démarche ?",
             choices: [{code: oui, label: Oui}, {code: non, label: Non}]}
          - {name: nb_reunions, type: integer, label: "Combien de réunions ?", min: 0, max: 99}
      - id: suites
        title: Les suites
        duration: 5
        questions:
          - {id: suites_1, text: "Qu'est-ce qui a changé ?"}
    codebook:
      - code: enjeux
        label: Enjeux
        definition: Ce que la démarche doit changer.
        example: « On voulait renouer le lien. »
        children:
          - {code: enjeux.lien, label: Lien, definition: Renouer le lien., example: « renouer »}
      - {code: moyens, label: Moyens, definition: Budget et personnes., example: « pas de budget »}
""")
NOTE = "note:enjeux_1"


@pytest.fixture
def grid_store(store: Store) -> Store:
    store.load_grid(InterviewGrid.model_validate(yaml.safe_load(GRID)), source="test")
    return store


def _interviewer(client: TestClient, store: Store, email: str = "enqueteur@example.fr",
                 role: Role = Role.INTERVIEWER, missions: tuple[str, ...] = (MISSION,)) -> None:
    add_staff(store, email, role, list(missions))
    login(client, email)


def _start(client: TestClient, **profile: str) -> int:
    """Start an interview through the form; its id."""
    page = client.get(f"/staff/interviews/new/{GRID_ID}")
    fields = {"category": "elu", "channel": "face_to_face", "site": "centre", "organisation": "Mairie",
              "role": "Adjointe", "name": "Jeanne Martin", **profile}
    response = client.post(f"/staff/interviews/new/{GRID_ID}", data={"_csrf_token": csrf_of(page.text), **fields},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return int(re.fullmatch(r"/staff/interviews/(\d+)#introduction", response.headers["location"]).group(1))


def _token(client: TestClient, interview_id: int) -> str:
    return csrf_of(client.get(f"/staff/interviews/{interview_id}").text)


def _autosave(client: TestClient, interview_id: int, token: str, slot: str, body: object, base: int,
              save_id: str):  # noqa: ANN202
    return client.post(f"/staff/interviews/{interview_id}/save.json",
                       json={"slot": slot, "body": body, "base_revision": base, "save_id": save_id},
                       headers={"X-CSRFToken": token, "Accept": "application/json"})


def _form(client: TestClient, interview_id: int) -> tuple[str, dict[str, str]]:
    """The page's CSRF token and its base revisions (`base:<slot>` → value), as a browser would post them."""
    html = client.get(f"/staff/interviews/{interview_id}").text
    return csrf_of(html), dict(re.findall(r'name="(base:[^"]+)" value="(\d+)"', html))


def test_an_interviewer_starts_an_interview_and_follows_the_grid(client: TestClient, grid_store: Store) -> None:
    _interviewer(client, grid_store)
    listing = client.get("/staff/interviews")
    assert listing.status_code == 200 and "Entretiens de la démarche" in listing.text
    assert "2 thèmes · 15 min conseillées" in unescape(listing.text)
    interview_id = _start(client, category="agent")
    page = unescape(client.get(f"/staff/interviews/{interview_id}").text)
    assert "<h1>Agent 1 " in page  # the category's pseudonym word and its number
    for expected in ("Nous évaluons la démarche de participation.", "Acceptez-vous que l'entretien soit enregistré ?",
                     "Pourquoi cette démarche ?", "Et pour qui ?", "Depuis quand ?",
                     "Laissez parler, puis relancez sur les publics.", "10 min conseillées",
                     "Satisfait de la démarche ?", "Mairie", "Adjointe", "Centre-ville", "En face à face",
                     "enqueteur@example.fr"):
        assert expected in page, expected
    # The codebook with its palette keys, in order, and the shortcuts documented on the page
    assert re.findall(r"<kbd>(\w)</kbd> (\w+)\s*</summary>", page) == [("1", "Enjeux"), ("2", "Lien"), ("3", "Moyens")]
    assert "Alt</kbd>+<kbd>Q" in page and "Alt</kbd>+<kbd>K" in page
    stored = grid_store.interview(interview_id)
    assert (stored.category, stored.number, stored.interviewee_name, stored.site) == ("agent", 1, "Jeanne Martin",
                                                                                        "centre")
    assert "Jeanne Martin" in unescape(client.get("/staff/interviews").text)  # staff see the name; exports never do


def test_the_start_form_says_what_is_missing(client: TestClient, grid_store: Store) -> None:
    _interviewer(client, grid_store)
    page = client.get(f"/staff/interviews/new/{GRID_ID}")
    response = client.post(f"/staff/interviews/new/{GRID_ID}", data={
        "_csrf_token": csrf_of(page.text), "category": "maire", "channel": "pigeon", "site": "lune"})
    assert response.status_code == 422
    text = unescape(response.text)
    for message in ("Choisissez la catégorie", "Choisissez le mode d’entretien", "Choisissez un des sites"):
        assert message in text
    assert grid_store.interviews(GRID_ID) == []


def test_consultants_get_403_and_other_missions_404(client: TestClient, grid_store: Store) -> None:
    _interviewer(client, grid_store)
    interview_id = _start(client)
    token = _token(client, interview_id)
    urls = [f"/staff/interviews/new/{GRID_ID}", f"/staff/interviews/{interview_id}"]
    client.cookies.clear()
    _interviewer(client, grid_store, "consultante@example.fr", Role.CONSULTANT)
    for url in ["/staff/interviews", *urls]:
        assert client.get(url, follow_redirects=False).status_code == 403, url
    client.cookies.clear()
    grid_store.load(_other_mission_questionnaire(), source="other")
    _interviewer(client, grid_store, "ailleurs@example.fr", Role.INTERVIEWER, ("mission-ailleurs",))
    assert "Entretiens de la démarche" not in client.get("/staff/interviews").text
    for url in urls:
        assert client.get(url, follow_redirects=False).status_code == 404, url
    token = csrf_of(client.get("/staff/interviews").text)
    assert _autosave(client, interview_id, token, NOTE, "intrus", 0, "intrus-0001").status_code == 404
    assert grid_store.interview(interview_id).body(NOTE) == ""
    client.cookies.clear()
    _interviewer(client, grid_store, "evaluatrice@example.fr", Role.EVALUATOR)  # evaluators conduct interviews too
    assert client.get(f"/staff/interviews/{interview_id}").status_code == 200


def _other_mission_questionnaire():  # noqa: ANN202
    from survey.schema import questionnaire_from_data

    return questionnaire_from_data(yaml.safe_load(textwrap.dedent("""
        id: ailleurs
        version: "1"
        title: Ailleurs
        mission: {id: mission-ailleurs, name: Ailleurs}
        privacy_notice: Rien.
        pages:
          - id: p1
            questions: [{name: q1, type: short_text, label: Q}]
    """)))


def test_every_change_needs_the_csrf_token(client: TestClient, grid_store: Store) -> None:
    _interviewer(client, grid_store)
    interview_id = _start(client)
    response = client.post(f"/staff/interviews/{interview_id}/save.json",
                           json={"slot": NOTE, "body": "x", "base_revision": 0, "save_id": "sans-jeton-01"})
    assert response.status_code == 403
    response = client.post(f"/staff/interviews/{interview_id}/save", data={f"slot:{NOTE}": "x", f"base:{NOTE}": "0"})
    assert response.status_code == 403
    assert grid_store.interview(interview_id).body(NOTE) == ""


def test_autosaves_carry_their_base_and_a_stale_one_gets_both_texts(client: TestClient, grid_store: Store) -> None:
    _interviewer(client, grid_store)
    interview_id = _start(client)
    token = _token(client, interview_id)
    first = _autosave(client, interview_id, token, NOTE, "Le maire voulait renouer le lien.", 0, "onglet-a-001")
    assert first.status_code == 200 and first.json()["revision"] == 1
    second = _autosave(client, interview_id, token, NOTE, "Le maire voulait renouer le lien. Et après ?", 1,
                       "onglet-a-002")
    assert second.json()["revision"] == 2
    # A second tab still based on revision 1: refused, with the stored text and its own
    stale = _autosave(client, interview_id, token, NOTE, "Autre chose", 1, "onglet-b-001")
    assert stale.status_code == 409
    assert stale.json() == {"revision": 2, "body": "Le maire voulait renouer le lien. Et après ?",
                            "yours": "Autre chose"}
    assert grid_store.interview(interview_id).body(NOTE) == "Le maire voulait renouer le lien. Et après ?"
    # Choosing: saved again on the stored revision
    kept = _autosave(client, interview_id, token, NOTE, "Fusion des deux", 2, "onglet-b-002")
    assert kept.json()["revision"] == 3 and grid_store.interview(interview_id).body(NOTE) == "Fusion des deux"


def test_a_resent_save_applies_once_and_never_conflicts_with_itself(client: TestClient, grid_store: Store) -> None:
    _interviewer(client, grid_store)
    interview_id = _start(client)
    token = _token(client, interview_id)
    assert _autosave(client, interview_id, token, NOTE, "premier", 0, "envoi-0001").json()["revision"] == 1
    assert _autosave(client, interview_id, token, NOTE, "second", 1, "envoi-0002").json()["revision"] == 2
    again = _autosave(client, interview_id, token, NOTE, "premier", 0, "envoi-0001")  # the lost acknowledgement
    assert again.status_code == 200 and again.json() == {"revision": 1, "status": "duplicate"}
    stored = grid_store.interview(interview_id)
    assert (stored.body(NOTE), stored.revision(NOTE)) == ("second", 2)


def test_autosave_refuses_what_it_cannot_store_with_a_reason(client: TestClient, grid_store: Store) -> None:
    _interviewer(client, grid_store)
    interview_id = _start(client)
    token = _token(client, interview_id)
    for slot, body, base, save_id, words in (("note:inconnue", "x", 0, "mauvais-01", "slot"),
                                             (NOTE, "x", "0", "mauvais-02", "base_revision"),
                                             (NOTE, 12, 0, "mauvais-03", "body"),
                                             (NOTE, "x", 0, "court", "save_id")):
        response = _autosave(client, interview_id, token, slot, body, base, save_id)
        assert response.status_code == 422 and words in response.json()["detail"], (slot, response.text)


def test_without_javascript_the_form_saves_and_shows_conflicts(client: TestClient, grid_store: Store) -> None:
    _interviewer(client, grid_store)
    interview_id = _start(client)
    token, bases = _form(client, interview_id)
    assert bases == {f"base:{NOTE}": "0", "base:summary:enjeux": "0", "base:closed:satisfaction": "0",
                     "base:closed:nb_reunions": "0", "base:note:suites_1": "0", "base:summary:suites": "0",
                     "base:transcript": "0"}
    response = post_form(client, f"/staff/interviews/{interview_id}/save", [
        ("_csrf_token", token), ("save-id", "formulaire-0001"), *bases.items(), ("go-to", "theme-suites"),
        (f"slot:{NOTE}", "Ligne un\r\nLigne deux"), ("slot:summary:enjeux", ""), ("consent", "yes")],
        follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/staff/interviews/{interview_id}?done=saved#theme-suites"
    stored = grid_store.interview(interview_id)
    assert stored.body(NOTE) == "Ligne un\nLigne deux" and stored.consent is True  # line ends as the script sends
    assert "summary:enjeux" not in stored.texts  # nothing typed there: nothing saved
    # The same page posted again (a reload): no conflict, nothing applied twice
    again = post_form(client, f"/staff/interviews/{interview_id}/save", [
        ("_csrf_token", token), ("save-id", "formulaire-0001"), *bases.items(),
        (f"slot:{NOTE}", "Ligne un\r\nLigne deux")], follow_redirects=False)
    assert again.status_code == 303 and grid_store.interview(interview_id).revision(NOTE) == 1
    # Someone else saves meanwhile; this page, still at revision 0, posts other text: both are shown, none lost
    _autosave(client, interview_id, token, NOTE, "Texte de l'autre onglet", 1, "autre-onglet-01")
    conflict = post_form(client, f"/staff/interviews/{interview_id}/save", [
        ("_csrf_token", token), ("save-id", "formulaire-0002"), *bases.items(), (f"slot:{NOTE}", "Mon texte à moi")])
    assert conflict.status_code == 409
    page = unescape(conflict.text)
    assert "Texte de l'autre onglet" in page and ">Mon texte à moi</textarea>" in page
    assert f'name="base:{NOTE}" value="2"' in page  # saving again now replaces the stored text knowingly
    assert grid_store.interview(interview_id).body(NOTE) == "Texte de l'autre onglet"


def test_closed_questions_are_read_by_their_codec(client: TestClient, grid_store: Store) -> None:
    _interviewer(client, grid_store)
    interview_id = _start(client)
    token, bases = _form(client, interview_id)
    response = post_form(client, f"/staff/interviews/{interview_id}/save", [
        ("_csrf_token", token), ("save-id", "fermees-00001"), *bases.items(), ("satisfaction", "oui"),
        ("nb_reunions", "12")], follow_redirects=False)
    assert response.status_code == 303
    stored = grid_store.interview(interview_id)
    assert (stored.body("closed:satisfaction"), stored.body("closed:nb_reunions")) == ('{"satisfaction": "oui"}',
                                                                                        '{"nb_reunions": 12}')
    page = client.get(f"/staff/interviews/{interview_id}").text
    assert re.search(r'value="oui"\s+checked', page) and 'value="12"' in page
    token, bases = _form(client, interview_id)
    refused = post_form(client, f"/staff/interviews/{interview_id}/save", [
        ("_csrf_token", token), ("save-id", "fermees-00002"), *bases.items(), ("satisfaction", "oui"),
        ("nb_reunions", "douze")])
    assert refused.status_code == 422 and "Saisissez un nombre" in unescape(refused.text)
    assert grid_store.interview(interview_id).body("closed:nb_reunions") == '{"nb_reunions": 12}'
    # The script sends the question's fields; a stale base gets the stored answer to show and to take
    token = _token(client, interview_id)
    saved = _autosave(client, interview_id, token, "closed:satisfaction", {"satisfaction": ["non"]}, 1, "fermee-js-1")
    assert saved.json()["revision"] == 2
    stale = _autosave(client, interview_id, token, "closed:satisfaction", {"satisfaction": ["oui"]}, 1, "fermee-js-2")
    assert stale.status_code == 409
    assert stale.json()["text"] == "Non" and stale.json()["fields"] == {"satisfaction": ["non"]}


def test_a_pasted_passage_becomes_a_coded_quote_and_loses_a_code(client: TestClient, grid_store: Store) -> None:
    _interviewer(client, grid_store)
    interview_id = _start(client)
    codes = {code.code: code.id for code in grid_store.codes(GRID_ID)}
    token, bases = _form(client, interview_id)
    # The notes typed and the passage pasted in the same post: the notes are saved first, then found
    response = post_form(client, f"/staff/interviews/{interview_id}/segments", [
        ("_csrf_token", token), ("save-id", "passage-00001"), *bases.items(), ("go-to", "ajout-passage"),
        (f"slot:{NOTE}", "Elle dit : on voulait renouer le lien avec les habitants."), ("quote-slot", NOTE),
        ("quote-text", "on voulait renouer le lien"), ("quote-is-quote", "1"),
        ("quote-code", str(codes["enjeux.lien"])), ("quote-code", str(codes["moyens"]))], follow_redirects=False)
    assert response.status_code == 303, unescape(response.text)[-3000:]
    [segment] = grid_store.interview(interview_id).segments
    assert (segment.slot, segment.start, segment.end, segment.text, segment.is_quote) == (
        NOTE, 11, 37, "on voulait renouer le lien", True)
    assert set(segment.code_ids) == {codes["enjeux.lien"], codes["moyens"]}
    page = unescape(client.get(f"/staff/interviews/{interview_id}").text)
    assert "<q>on voulait renouer le lien</q>" in page and "Retirer le code Moyens" in page
    token, bases = _form(client, interview_id)
    response = post_form(client, f"/staff/interviews/{interview_id}/segments/{segment.id}/untag/{codes['moyens']}",
                         [("_csrf_token", token), ("save-id", "passage-00002"), *bases.items()],
                         follow_redirects=False)
    assert response.status_code == 303
    assert grid_store.segment(segment.id).code_ids == (codes["enjeux.lien"],)
    # A passage that is not in the notes is refused with a message, the notes kept
    token, bases = _form(client, interview_id)
    missing = post_form(client, f"/staff/interviews/{interview_id}/segments", [
        ("_csrf_token", token), ("save-id", "passage-00003"), *bases.items(), ("quote-slot", NOTE),
        ("quote-text", "jamais dit")])
    assert missing.status_code == 422 and "ne figure pas dans les notes" in unescape(missing.text)
    assert len(grid_store.interview(interview_id).segments) == 1


def test_the_script_marks_and_codes_a_selected_passage(client: TestClient, grid_store: Store) -> None:
    _interviewer(client, grid_store)
    interview_id = _start(client)
    codes = {code.code: code.id for code in grid_store.codes(GRID_ID)}
    token = _token(client, interview_id)
    _autosave(client, interview_id, token, NOTE, "Pas de budget, mais du lien.", 0, "selection-01")
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    made = client.post(f"/staff/interviews/{interview_id}/segments.json", headers=headers, json={
        "slot": NOTE, "start": 0, "end": 13, "text": "Pas de budget", "is_quote": True, "codes": []})
    assert made.status_code == 200
    segment = made.json()
    assert (segment["start"], segment["end"], segment["is_quote"], segment["codes"]) == (0, 13, True, [])
    tagged = client.post(f"/staff/interviews/{interview_id}/segments/{segment['id']}/codes.json", headers=headers,
                         json={"code_id": codes["moyens"], "on": True})
    assert tagged.json()["codes"] == [codes["moyens"]]
    untagged = client.post(f"/staff/interviews/{interview_id}/segments/{segment['id']}/codes.json", headers=headers,
                           json={"code_id": codes["moyens"], "on": False})
    assert untagged.json()["codes"] == []
    gone = client.post(f"/staff/interviews/{interview_id}/segments.json", headers=headers, json={
        "slot": NOTE, "start": 0, "end": 5, "text": "absent", "is_quote": False, "codes": []})
    assert gone.status_code == 409


def test_completion_audits_every_later_edit_and_shows_the_trail(client: TestClient, grid_store: Store) -> None:
    _interviewer(client, grid_store)
    interview_id = _start(client)
    token, bases = _form(client, interview_id)
    done = post_form(client, f"/staff/interviews/{interview_id}/complete", [
        ("_csrf_token", token), ("save-id", "cloture-00001"), *bases.items(), ("go-to", "cloture"),
        (f"slot:{NOTE}", "Avant la clôture")], follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("#cloture")
    stored = grid_store.interview(interview_id)
    assert stored.complete and stored.body(NOTE) == "Avant la clôture"
    assert [entry.slot for entry in grid_store.interview_audit(interview_id)] == ["status"]
    token = _token(client, interview_id)
    assert _autosave(client, interview_id, token, NOTE, "Après la clôture", 1, "apres-cloture-1").status_code == 200
    page = unescape(client.get(f"/staff/interviews/{interview_id}").text)
    assert "Entretien clos le" in page
    rows = re.findall(r"<tr><td>[^<]+</td><th scope=\"row\">([^<]+)</th><td>([^<]+)</td>\s*"
                      r"<td class=\"audit-text\">([^<]*)</td><td class=\"audit-text\">([^<]*)</td></tr>", page)
    assert rows == [("enqueteur@example.fr", "État", "En cours", "Clos"),
                    ("enqueteur@example.fr", "1. Notes — Pourquoi cette démarche ?", "Avant la clôture",
                     "Après la clôture")]


def test_coding_a_complete_interview_goes_to_its_audit_trail(client: TestClient, grid_store: Store) -> None:
    _interviewer(client, grid_store)
    interview_id = _start(client)
    codes = {code.code: code.id for code in grid_store.codes(GRID_ID)}
    token = _token(client, interview_id)
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    _autosave(client, interview_id, token, NOTE, "Pas de budget, mais du lien.", 0, "coding-audit-1")
    before = client.post(f"/staff/interviews/{interview_id}/segments.json", headers=headers, json={
        "slot": NOTE, "start": 0, "text": "Pas de budget", "is_quote": False, "codes": [codes["moyens"]]}).json()
    assert grid_store.interview_audit(interview_id) == []  # coding before completion is not audited
    grid_store.complete_interview(interview_id)
    made = client.post(f"/staff/interviews/{interview_id}/segments.json", headers=headers, json={
        "slot": NOTE, "start": 15, "text": "mais du lien", "is_quote": True, "codes": [codes["enjeux.lien"]]})
    assert made.status_code == 200
    tagged = client.post(f"/staff/interviews/{interview_id}/segments/{before['id']}/codes.json", headers=headers,
                         json={"code_id": codes["enjeux"], "on": True})
    untagged = client.post(f"/staff/interviews/{interview_id}/segments/{before['id']}/codes.json", headers=headers,
                           json={"code_id": codes["moyens"], "on": False})
    assert tagged.status_code == untagged.status_code == 200
    staff_id = grid_store.interview(interview_id).interviewer_id
    trail = [(e.staff_id, e.slot, e.before, e.after) for e in grid_store.interview_audit(interview_id)[1:]]
    assert trail == [
        (staff_id, f"passage:{NOTE}", "", "« mais du lien » [enjeux.lien]"),
        (staff_id, f"passage:{NOTE}", "Pas de budget [moyens]", "Pas de budget [enjeux, moyens]"),
        (staff_id, f"passage:{NOTE}", "Pas de budget [enjeux, moyens]", "Pas de budget [enjeux]")]
    # Giving a code the passage already has changes nothing, and writes nothing
    client.post(f"/staff/interviews/{interview_id}/segments/{before['id']}/codes.json", headers=headers,
                json={"code_id": codes["enjeux"], "on": True})
    assert len(grid_store.interview_audit(interview_id)) == 4
    grid_store.delete_segment(before["id"], staff_id=staff_id)
    assert grid_store.interview_audit(interview_id)[-1].after == ""
    page = unescape(client.get(f"/staff/interviews/{interview_id}").text)
    assert "Passage codé dans « 1. Notes — Pourquoi cette démarche ? »" in page


def _docx(paragraphs: list[str]) -> bytes:
    """A minimal Word document: the paragraphs in word/document.xml."""
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                         'package/2006/content-types"/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats'
                         f'.org/wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>')
    return buffer.getvalue()


def test_a_transcript_file_becomes_the_interviews_transcript(client: TestClient, grid_store: Store) -> None:
    _interviewer(client, grid_store)
    interview_id = _start(client)
    token = _token(client, interview_id)
    url = f"/staff/interviews/{interview_id}/transcript"
    response = client.post(url, data={"_csrf_token": token, "base": "0"},
                           files={"transcript-file": ("entretien.txt", b"Q : Bonjour.\nR : Bonjour.\n",
                                                      "text/plain")}, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert grid_store.interview(interview_id).body("transcript").strip() == "Q : Bonjour.\nR : Bonjour."
    response = client.post(url, data={"_csrf_token": token, "base": "1"},
                           files={"transcript-file": ("entretien.docx", _docx(["Premier paragraphe.", "Second."]),
                                                      "application/octet-stream")}, follow_redirects=False)
    assert response.status_code == 303, response.text
    body = grid_store.interview(interview_id).body("transcript")
    assert "Premier paragraphe." in body and "Second." in body
    refused = client.post(url, data={"_csrf_token": token, "base": "2"},
                          files={"transcript-file": ("photo.png", b"\x89PNG\r\n", "image/png")})
    assert refused.status_code == 422 and "Fichier illisible" in unescape(refused.text)
    assert "Premier paragraphe." in grid_store.interview(interview_id).body("transcript")


@given(st.text(alphabet=st.sampled_from("ab \r\n\t«é"), max_size=40))
def test_a_text_posted_by_a_browser_reads_as_the_script_sends_it(typed: str) -> None:
    """Line ends become `\\n` whatever the sender (a form posts `\\r\\n`), and reading twice changes nothing: the
    no-JS form and the script never make one text look like two."""
    once = plain_text(typed)
    assert "\r" not in once and plain_text(once) == once
    assert plain_text(typed.replace("\r\n", "\n").replace("\n", "\r\n")) == once  # posted by a form


@given(st.dictionaries(st.sampled_from(["note:enjeux_1", "summary:enjeux", "note:suites_1", "transcript"]),
                       st.text(alphabet="ab \n", max_size=12), max_size=4),
       st.dictionaries(st.sampled_from(["note:enjeux_1", "summary:enjeux", "note:suites_1", "transcript"]),
                       st.text(alphabet="ab \n", max_size=12), max_size=4))
def test_the_form_saves_exactly_the_slots_whose_text_changed(stored: dict[str, str], posted: dict[str, str]) -> None:
    grid = InterviewGrid.model_validate(yaml.safe_load(GRID))
    texts = {slot: StoredText(slot, body, 3, dt.datetime.now(dt.UTC), None) for slot, body in stored.items()}
    interview = Interview(1, GRID_ID, 1, 1, "elu", "", "", "", "", "face_to_face", None, None, "in_progress", False,
                          dt.datetime.now(dt.UTC), None, dt.datetime.now(dt.UTC), texts)
    fields = {f"slot:{slot}": [body.replace("\n", "\r\n")] for slot, body in posted.items()}
    fields |= {f"base:{slot}": [str(interview.revision(slot))] for slot in posted}
    edits, refused = posted_edits(grid, interview, fields, "fr")
    assert refused == {}
    expected = {slot: body for slot, body in posted.items() if body != stored.get(slot, "")}
    assert {edit.slot: edit.body for edit in edits} == expected
    assert all(edit.base == (3 if edit.slot in stored else 0) for edit in edits)


@pytest.mark.parametrize("number", ["²", "9" * 5000, "99999999999999999999"])
def test_odd_numbers_in_the_interview_forms_are_refused_not_a_500(client: TestClient, grid_store: Store,
                                                                  number: str) -> None:
    _interviewer(client, grid_store)
    interview_id = _start(client)
    token, bases = _form(client, interview_id)
    others = [(name, value) for name, value in bases.items() if name != f"base:{NOTE}"]
    # A tampered base revision: the page answers (a conflict when it reads as a number), never a 500
    stale = post_form(client, f"/staff/interviews/{interview_id}/save", [
        ("_csrf_token", token), ("save-id", "odd-number-1"), *others, (f"base:{NOTE}", number),
        (f"slot:{NOTE}", "Notes gardées")], follow_redirects=False)
    assert stale.status_code in (303, 409)
    assert grid_store.interview(interview_id).body(NOTE) == ""
    # An unreadable code is left out: the passage is marked without it
    token, bases = _form(client, interview_id)
    pasted = post_form(client, f"/staff/interviews/{interview_id}/segments", [
        ("_csrf_token", token), ("save-id", "odd-number-2"), *bases.items(), (f"slot:{NOTE}", "Du lien"),
        ("quote-slot", NOTE), ("quote-text", "Du lien"), ("quote-code", number)], follow_redirects=False)
    assert pasted.status_code == 303
    [segment] = grid_store.interview(interview_id).segments
    assert (segment.text, segment.code_ids) == ("Du lien", ())


def test_ids_out_of_any_columns_range_are_404_or_422_not_a_500(client: TestClient, grid_store: Store) -> None:
    _interviewer(client, grid_store)
    interview_id = _start(client)
    token = _token(client, interview_id)
    headers = {"X-CSRFToken": token, "Accept": "application/json"}
    huge = 10**20
    assert client.get(f"/staff/interviews/{huge}").status_code == 404
    _autosave(client, interview_id, token, NOTE, "Pas de budget.", 0, "huge-ids-01")
    made = client.post(f"/staff/interviews/{interview_id}/segments.json", headers=headers, json={
        "slot": NOTE, "start": huge, "text": "budget", "codes": [huge]})
    assert made.status_code == 422
    segment = client.post(f"/staff/interviews/{interview_id}/segments.json", headers=headers, json={
        "slot": NOTE, "start": 0, "text": "budget", "codes": []}).json()
    for code_id in (huge, True):
        tagged = client.post(f"/staff/interviews/{interview_id}/segments/{segment['id']}/codes.json",
                             headers=headers, json={"code_id": code_id, "on": True})
        assert tagged.status_code == 422
    untagged = client.post(f"/staff/interviews/{interview_id}/segments/{segment['id']}/codes.json",
                           headers=headers, json={"code_id": huge, "on": False})
    assert untagged.status_code == 200 and untagged.json()["codes"] == []
    assert grid_store.segment(segment["id"]).code_ids == ()
