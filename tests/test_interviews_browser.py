"""Interviewer mode in Debian's Chromium (Playwright): an interview run through autosave, a dropped connection with
edits made offline and sent on reconnection, a conflict from a second tab, coding with the keyboard, completion and
its audit trail; axe-core finds no WCAG 2.1 A/AA violation on any interviewer page."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
import yaml

from survey.access import Role
from survey.passwords import hash_password
from survey.schema.interview import InterviewGrid
from survey.store import Store
from tests.accessibility import axe_violations, csp_reports, watch_csp
from tests.test_browser import browser, log_in, server  # noqa: F401 - the fixtures: `survey serve` and Chromium
from tests.test_interviews_web import GRID, GRID_ID, MISSION, NOTE

pytestmark = pytest.mark.browser
EMAIL, PASSWORD = "enqueteur-navigateur@example.fr", "correct horse battery"


def _until(check: Callable[[], bool], what: str, seconds: float = 15) -> None:
    """Wait for `check` to hold (the page autosaves on its own schedule)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"still waiting after {seconds} s: {what}")


def _no_violations(page, where: str) -> None:  # noqa: ANN001
    assert axe_violations(page) == [], where


def test_an_interview_survives_a_dropped_connection_and_a_second_tab(server: tuple[str, str], browser) -> None:  # noqa: ANN001, F811
    base, database = server
    store = Store.from_url(database)
    store.load_grid(InterviewGrid.model_validate(yaml.safe_load(GRID)), source="test")
    store.add_user(EMAIL, hash_password(PASSWORD), Role.INTERVIEWER, [MISSION])
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    watch_csp(page)  # the script and its stylesheet stay within the CSP
    log_in(page, base, EMAIL, PASSWORD)

    # The list, the start form, the profile
    page.goto(f"{base}/staff/interviews")
    _no_violations(page, "list")
    page.get_by_role("link", name="Nouvel entretien").click()
    _no_violations(page, "start form")
    page.get_by_role("button", name="Commencer l’entretien").click()  # nothing chosen: errors, located
    assert page.locator(".error-summary").is_visible()
    _no_violations(page, "start form with errors")
    page.get_by_label("Agent·e").check()
    page.fill("#f-organisation", "Direction de la participation")
    page.get_by_label("En visioconférence").check()
    page.get_by_role("button", name="Commencer l’entretien").click()
    assert page.locator("h1").inner_text().startswith("Agent 1")
    interview_id = int(re.search(r"/staff/interviews/(\d+)", page.url).group(1))
    _no_violations(page, "introduction")
    page.get_by_label("Oui, la personne accepte").check()

    # Theme 1: notes save themselves, the status says when
    page.locator("a[data-section-link='theme-enjeux']").click()
    assert page.locator("#theme-enjeux").is_visible() and not page.locator("#theme-suites").is_visible()
    notes = page.locator("#f-note-enjeux_1")
    notes.fill("Le maire voulait renouer le lien.")
    _until(lambda: store.interview(interview_id).body(NOTE) == "Le maire voulait renouer le lien.", "first autosave")
    _until(lambda: page.locator("#save-status").inner_text().startswith("Enregistré à"), "the saved status")
    _no_violations(page, "theme with notes")

    # The connection drops: edits stay in the browser, the status says so, nothing reaches the server
    context.set_offline(True)
    notes.fill("Le maire voulait renouer le lien. Hors ligne, il ajoute : pas de budget.")
    page.locator("#f-summary-enjeux").fill("Synthèse écrite hors ligne.")
    page.locator("#f-note-enjeux_1").focus()  # leaving the summary asks for a save at once
    _until(lambda: "Hors ligne" in page.locator("#save-status").inner_text(), "the offline status")
    kept = page.evaluate(f"JSON.parse(localStorage.getItem('interview:{interview_id}:outbox'))")
    assert kept["summary:enjeux"]["body"] == "Synthèse écrite hors ligne."
    assert store.interview(interview_id).body("summary:enjeux") == ""
    # It comes back: the kept edits are sent, once
    context.set_offline(False)
    _until(lambda: store.interview(interview_id).body("summary:enjeux") == "Synthèse écrite hors ligne.",
           "the offline summary sent")
    _until(lambda: "pas de budget" in store.interview(interview_id).body(NOTE), "the offline notes sent")
    _until(lambda: page.evaluate("window.SurveyInterview.pending()") == [], "nothing left to send")
    assert page.evaluate(f"localStorage.getItem('interview:{interview_id}:outbox')") == "{}"

    # A second tab saves the same notes; the first, still on the older revision, gets both texts to choose from
    other = context.new_page()
    other.goto(f"{base}/staff/interviews/{interview_id}#theme-enjeux")
    other.locator("#f-note-enjeux_1").fill("Texte du second onglet.")
    other.locator("#f-summary-enjeux").focus()
    _until(lambda: store.interview(interview_id).body(NOTE) == "Texte du second onglet.", "the second tab's save")
    notes.fill("Texte du premier onglet.")
    page.locator("#f-summary-enjeux").focus()
    conflict = page.locator("#slot-note-enjeux_1 .conflict")
    _until(lambda: conflict.count() == 1, "the conflict shown")
    assert "Conflit" in page.locator("#save-status").inner_text()
    assert "Texte du second onglet." in conflict.inner_text() and "Texte du premier onglet." in conflict.inner_text()
    assert store.interview(interview_id).body(NOTE) == "Texte du second onglet."  # not overwritten silently
    _no_violations(page, "conflict")
    conflict.get_by_role("button", name="Fusionner les deux").click()
    _until(lambda: store.interview(interview_id).body(NOTE) == "Texte du second onglet.\n\nTexte du premier onglet.",
           "the merged text saved")
    other.close()

    # A passage selected, marked as a quote (Alt+Q) and coded from the palette by its key
    codes = {code.code: code.id for code in store.codes(GRID_ID)}
    notes.focus()
    page.evaluate("document.getElementById('f-note-enjeux_1').setSelectionRange(25, 49)")
    page.keyboard.press("Alt+q")
    palette = page.locator("#code-palette")
    _until(palette.is_visible, "the code palette")
    _no_violations(page, "code palette")
    page.keyboard.press("3")  # "Moyens"
    _until(lambda: [s.code_ids for s in store.interview(interview_id).segments] == [(codes["moyens"],)],
           "the quote coded")
    page.keyboard.press("Escape")
    [segment] = store.interview(interview_id).segments
    assert (segment.text, segment.is_quote) == ("Texte du premier onglet.", True)
    assert "Texte du premier onglet." in page.locator("[data-segments-for='note:enjeux_1']").inner_text()

    # Completion; an edit afterwards lands in the audit trail the page shows
    page.locator("a[data-section-link='cloture']").click()
    page.get_by_role("button", name="Clore l’entretien").click()
    assert "Entretien clos le" in page.content()
    assert store.interview(interview_id).complete
    page.locator("a[data-section-link='theme-enjeux']").click()
    page.locator("#f-summary-enjeux").fill("Synthèse revue après clôture.")
    page.locator("#f-note-enjeux_1").focus()
    _until(lambda: store.interview(interview_id).body("summary:enjeux") == "Synthèse revue après clôture.",
           "the edit after completion")
    page.reload()
    page.locator("a[data-section-link='cloture']").click()
    trail = page.locator("table.audit").inner_text()
    assert "1. Synthèse du thème — Les enjeux" in trail and "Synthèse revue après clôture." in trail and EMAIL in trail
    _no_violations(page, "audit trail")
    assert errors == [] and csp_reports(page) == []
    context.close()


def test_without_javascript_the_interview_page_saves_with_its_button(server: tuple[str, str], browser) -> None:  # noqa: ANN001, F811
    base, database = server
    store = Store.from_url(database)
    store.load_grid(InterviewGrid.model_validate(yaml.safe_load(GRID)), source="test")
    store.add_user("sans-js@example.fr", hash_password(PASSWORD), Role.INTERVIEWER, [MISSION])
    context = browser.new_context(viewport={"width": 820, "height": 1180}, java_script_enabled=False)  # a tablet
    page = context.new_page()
    log_in(page, base, "sans-js@example.fr", PASSWORD)
    page.goto(f"{base}/staff/interviews/new/{GRID_ID}")
    page.get_by_label("Élu·e").check()
    page.get_by_label("Par téléphone").check()
    page.get_by_role("button", name="Commencer l’entretien").click()
    interview_id = int(re.search(r"/staff/interviews/(\d+)", page.url).group(1))
    assert page.locator("#theme-suites").is_visible()  # every theme on one page, one after another
    page.fill("#f-note-suites_1", "Sans script, le bouton enregistre.")
    page.locator("#theme-suites").get_by_role("button", name="Enregistrer", exact=True).click()
    assert "done=saved" in page.url and "Enregistré." in page.content()
    assert store.interview(interview_id).body("note:suites_1") == "Sans script, le bouton enregistre."
    cookies = context.cookies()
    context.close()
    # axe-core needs a script of its own: the same page with JavaScript on but interview.js never loaded
    checked = browser.new_context(viewport={"width": 820, "height": 1180})
    checked.add_cookies(cookies)
    page = checked.new_page()
    page.route("**/static/interview.js", lambda route: route.abort())
    page.goto(f"{base}/staff/interviews/{interview_id}")
    assert page.locator("#theme-suites").is_visible() and page.locator("#ajout-passage").is_visible()
    _no_violations(page, "interview page without its script")
    checked.close()
