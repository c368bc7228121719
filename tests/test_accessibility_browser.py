"""axe-core (WCAG 2.1 A/AA) on every page a respondent or a staff member sees, in Debian's Chromium.

The README promises no violation on respondent pages; these tests hold every example questionnaire to it, page by
page with valid answers, on a desktop and on a 375-pixel phone, with its error state, its thanks, expired and closed
pages, and the staff pages from login to audit. One server and one browser for the module, pages reused.
"""

from __future__ import annotations

import time

import pytest

from survey.schema import load_questionnaire
from tests.accessibility import axe_violations
from tests.conftest import ROOT
from tests.test_browser import _answer_visible_required, browser, server  # noqa: F401 - the fixtures

pytestmark = pytest.mark.browser
QUESTIONNAIRES = sorted(path.stem for path in (ROOT / "questionnaires").glob("*.yaml")
                        if "\nkind: interview" not in path.read_text(encoding="utf-8"))  # a grid is no form
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 375, "height": 800}}
FINISHED = ("Merci", "Thank you")


def _fill_everything_visible(page) -> None:  # noqa: ANN001
    """After a refusal: answer every visible field still empty, so the page passes (a number, a word, a choice)."""
    for field in page.locator(".question input:visible, .question select:visible, .question textarea:visible").all():
        kind = field.get_attribute("type") or ""
        if kind in ("radio", "checkbox"):
            continue
        if field.evaluate("e => e.tagName") == "SELECT":
            if not field.input_value():
                field.select_option(index=1)
        elif not field.input_value():
            field.fill("2026-04-01" if kind == "date" else "1" if field.get_attribute("inputmode") else "Oui")


def _walk(page, found: dict[str, list[str]], where: str) -> int:  # noqa: ANN001
    """From a form's first page to its thanks, answering what is asked; axe-core on each page and each refusal."""
    for number in range(1, 15):
        assert page.locator("h1").count() == 1, where
        found[f"{where} page {number}"] = axe_violations(page)
        _answer_visible_required(page)
        consent = page.get_by_label("J’ai lu et j’accepte")
        if consent.count() and not consent.is_checked():
            consent.check()
        for attempt in range(3):
            page.locator("button[name=action][value=next]").click()
            if page.locator(".error-summary").count() == 0:
                break
            found[f"{where} page {number} refused {attempt}"] = axe_violations(page)
            _answer_visible_required(page)
            _fill_everything_visible(page)
        else:
            pytest.fail(f"{where} page {number}: {page.locator('.error-summary').all_inner_texts()}")
        if any(word in page.locator("h1").inner_text() for word in FINISHED) \
                or page.locator("button[name=action][value=next]").count() == 0:
            found[f"{where} thanks"] = axe_violations(page)
            return number
    pytest.fail(f"{where}: no end")


@pytest.mark.parametrize("questionnaire_id", QUESTIONNAIRES)
def test_every_respondent_page_passes_axe_core(server: tuple[str, str], browser, questionnaire_id: str) -> None:  # noqa: ANN001, F811
    """Each page of the form with valid answers, page 1 posted empty (its errors), the thanks page, on a desktop
    and on a phone; the first page in English when the questionnaire offers it; an expired form's page."""
    base, _ = server
    questionnaire = load_questionnaire(ROOT / "questionnaires" / f"{questionnaire_id}.yaml")
    titles = questionnaire.title if isinstance(questionnaire.title, dict) else {"fr": questionnaire.title}
    found: dict[str, list[str]] = {}
    page = browser.new_page()
    for name, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        page.context.clear_cookies()  # French again, after English
        page.goto(f"{base}/s/{questionnaire_id}")
        assert page.locator("h1").inner_text() == titles["fr"]
        page.locator("button[name=action][value=next]").click()  # page 1 empty: the error state
        assert page.locator(".error-summary").count() == 1, name
        found[f"{name} errors"] = axe_violations(page)
        page.goto(f"{base}/s/{questionnaire_id}")
        pages = _walk(page, found, name)
        assert pages >= 1
        if "en" in titles:  # the questionnaire offers English
            page.goto(f"{base}/s/{questionnaire_id}?lang=en")
            assert page.locator("h1").inner_text() == titles["en"]
            found[f"{name} English"] = axe_violations(page)
        page.goto(f"{base}/s/{questionnaire_id}/f/cle-inconnue")
        found[f"{name} expired"] = axe_violations(page)
    page.close()
    assert {where: problems for where, problems in found.items() if problems} == {}


def test_every_staff_page_and_the_closed_page_pass_axe_core(server: tuple[str, str], browser) -> None:  # noqa: ANN001, F811
    """Login (empty, then refused), home, a questionnaire's results and export form, an export's job page, the
    responses list, one response, its correction and deletion forms, tokens, logins, audit; then the closed page
    of a questionnaire, on a desktop and on a phone."""
    import random

    from survey.access import Role
    from survey.passwords import hash_password
    from survey.publishing import CLOSED
    from survey.store import Store
    from survey.store_responses import ResponseFilter
    from survey.synthetic import synthetic_answers
    from survey.validation import finalise

    base, database = server
    qid = "budget-participatif-habitants"
    store = Store.from_url(database)
    store.add_user("axe-admin@example.fr", hash_password("correct horse battery"), Role.ADMIN, [])
    questionnaire = load_questionnaire(ROOT / "questionnaires" / f"{qid}.yaml")
    version_id = store.current(qid).version_id  # type: ignore[union-attr]
    for seed in range(3):
        answers = finalise(questionnaire, synthetic_answers(questionnaire, random.Random(seed)), "2026-11-29")
        store.store_response(version_id, f"axe-staff-{seed}", answers)
    found: dict[str, list[str]] = {}
    page = browser.new_page()
    for name, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        page.context.clear_cookies()
        page.goto(f"{base}/login")
        found[f"{name} login"] = axe_violations(page)
        page.fill("#email", "axe-admin@example.fr")
        page.fill("#password", "wrong password")
        page.get_by_role("button", name="Se connecter").click()
        found[f"{name} login refused"] = axe_violations(page)
        page.fill("#email", "axe-admin@example.fr")
        page.fill("#password", "correct horse battery")
        page.get_by_role("button", name="Se connecter").click()
        assert page.url.endswith("/staff")
        found[f"{name} home"] = axe_violations(page)
        page.goto(f"{base}/staff/q/{qid}")
        assert page.locator("form.export-form").count() >= 1
        found[f"{name} results and export form"] = axe_violations(page)
        page.locator("form.export-form button.primary").first.click()
        assert "/staff/jobs/" in page.url
        found[f"{name} job running"] = axe_violations(page)
        job = page.url
        # job.js brings the status up to date in place, no reload: the download link appears on this very page
        page.locator("#job-status progress").wait_for(state="detached", timeout=60_000)
        assert page.locator("#job-status a.download, #job-status p.error").count() >= 1  # done, or refused
        assert page.url == job and page.locator("[data-job-running]").is_hidden()
        found[f"{name} job done"] = axe_violations(page)
        answer = f"/staff/q/{qid}/responses/{store.response_lines(qid, ResponseFilter())[0].id}"
        for label, url in (("responses", f"/staff/q/{qid}/responses"), ("one response", answer),
                           ("correct", f"{answer}/correct/connait_bp"), ("delete", f"{answer}/delete"),
                           ("tokens", "/staff/tokens"), ("logins", "/staff/logins"), ("audit", "/staff/audit")):
            response = page.goto(f"{base}{url}")
            assert response.status == 200 and page.locator("h1").count() == 1, url  # type: ignore[union-attr]
            found[f"{name} {label}"] = axe_violations(page)
    store.set_state(qid, CLOSED, "cli:test")
    for name, viewport in VIEWPORTS.items():
        page.set_viewport_size(viewport)
        for _ in range(60):  # the server trusts a state it read for 5 seconds
            response = page.goto(f"{base}/s/{qid}")
            if response.status == 410:  # type: ignore[union-attr]
                break
            time.sleep(0.2)
        assert response.status == 410  # type: ignore[union-attr]
        found[f"{name} closed"] = axe_violations(page)
    page.close()
    store.engine.dispose()
    assert {where: problems for where, problems in found.items() if problems} == {}
