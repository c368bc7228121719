"""A real browser: Debian's Chromium, driven by Playwright, fills a multi-page questionnaire."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from survey.schema import load_questionnaire
from survey.store import Store
from tests.accessibility import axe_violations, csp_reports, page_problems, watch_csp
from tests.conftest import ROOT, require_in_ci

CHROMIUM = "/usr/bin/chromium"
QID = "budget-participatif-habitants"
pytestmark = pytest.mark.browser


def log_in(page, base: str, email: str, password: str = "correct horse battery") -> None:  # noqa: ANN001
    """Log in through the login page, as a member of staff does."""
    page.goto(f"{base}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name="Se connecter").click()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """Our service, run as a user runs it: `survey serve` on a SQLite file."""
    require_in_ci("Chromium at /usr/bin/chromium", Path(CHROMIUM).exists())
    try:
        import playwright  # noqa: F401
    except ImportError:
        require_in_ci("the playwright package", False)
    database = f"sqlite:///{tmp_path_factory.mktemp('browser') / 'survey.db'}"
    port = _free_port()
    env = {**os.environ, "SURVEY_DATABASE_URL": database, "SURVEY_QUESTIONNAIRES_DIR": str(ROOT / "questionnaires")}
    survey = shutil.which("survey") or str(Path(sys.executable).with_name("survey"))
    process = subprocess.Popen([survey, "serve", "--port", str(port)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):  # up to 60 s: a loaded 2-core machine takes 15 s to import and migrate
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.1)
        else:
            process.kill()
            pytest.fail(f"the server did not start: {process.stdout.read().decode()}")  # type: ignore[union-attr]
        yield base, database
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-background-networking", "--disable-gpu",
                                           "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield launched
        launched.close()


def test_a_respondent_fills_every_page_in_chromium(server: tuple[str, str], browser) -> None:  # noqa: ANN001
    base, database = server
    questionnaire = load_questionnaire(ROOT / "questionnaires" / f"{QID}.yaml")
    page = browser.new_page(viewport={"width": 390, "height": 844}, java_script_enabled=False)  # a phone, no JS
    page.goto(f"{base}/s/{QID}")
    assert page.locator("h1").inner_text() == questionnaire.title
    assert "Page 1 sur 3" in page.content()

    # Submitting page 1 empty: errors next to the questions, linked from a summary.
    page.get_by_role("button", name="Suivant").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible() and "obligatoire" in summary.inner_text()
    assert page.locator("#erreur-connait_bp").is_visible()

    # Page 1: awareness and channels, answered with the keyboard and labels as a screen reader user would.
    page.get_by_role("group", name="budget participatif de la Ville").get_by_label("Oui").check()
    channels = questionnaire.question("canaux_information")
    page.get_by_label(channels.options()[0].label, exact=True).check()
    page.get_by_label(channels.options()[2].label, exact=True).check()
    _answer_visible_required(page)
    page.get_by_role("button", name="Suivant").click()
    assert "Page 2 sur" in page.content(), page.locator(".error-summary").all_inner_texts()

    # Back keeps page 2's answers (a typed number among them), then forward again.
    _answer_visible_required(page)
    page.get_by_role("button", name="Précédent").click()
    assert "Page 1 sur" in page.content() and page.locator("input[type=checkbox]:checked").count() == 2
    page.get_by_role("button", name="Suivant").click()
    assert "Page 2 sur" in page.content()

    for _ in range(len(questionnaire.pages) + 3):  # on to the end, answering what is asked
        years = page.locator("#f-anciennete_commune-1")
        if years.count() and years.is_visible():
            years.fill("12")
        _answer_visible_required(page)
        button = page.get_by_role("button", name="Envoyer mes réponses")
        (button if button.count() else page.get_by_role("button", name="Suivant")).click()
        if "Merci pour votre participation" in page.content():
            break
    assert "Merci pour votre participation" in page.content(), page.locator(".error-summary").all_inner_texts()
    page.close()

    store = Store.from_url(database)
    stored = list(store.responses(QID))
    assert len(stored) == 1
    answers = stored[0].answers
    assert answers["connait_bp"] is True
    assert answers["canaux_information"] == [channels.options()[0].code, channels.options()[2].code]
    assert answers["anciennete_commune"] == 12
    assert stored[0].version == questionnaire.version


def test_back_reload_and_resume_on_another_browser_in_chromium(server: tuple[str, str], browser,  # noqa: ANN001
                                                              tmp_path: Path) -> None:
    """Every page is a GET after a POST: Back and Reload show pages (never "Confirm Form Resubmission", no dialog)
    and lose nothing, after a page and after the last one; "Continuer plus tard" gives a link another browser
    opens where the form stood. The saved page passes axe-core."""

    base, database = server
    store = Store.from_url(database)
    before = store.response_count(QID)
    first = browser.new_context(viewport={"width": 390, "height": 844})
    page = first.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(f"{base}/s/{QID}")
    page.get_by_role("group", name="budget participatif de la Ville").get_by_label("Oui").check()
    _answer_visible_required(page)
    page.get_by_role("button", name="Suivant").click()
    assert "Page 2 sur" in page.content() and "/f/" in page.url
    after_post = page.url
    page.reload()  # Reload after a page: the same page, asked for again by GET
    assert page.url == after_post and "Page 2 sur" in page.content()
    page.go_back()  # Back: page 1, as answered
    assert "Page 1 sur" in page.content()
    assert page.get_by_role("group", name="budget participatif de la Ville").get_by_label("Oui").is_checked()
    page.go_forward()
    assert "Page 2 sur" in page.content()
    page.get_by_role("button", name="Continuer plus tard").click()
    assert "Vos réponses sont enregistrées" in page.content()
    link = page.locator("#resume-link").input_value()
    assert link.startswith(f"{base}/s/{QID}/f/")
    assert axe_violations(page) == []
    page.screenshot(path=str(Path(os.environ.get("SURVEY_SCREENSHOTS", str(tmp_path))) / "form-saved.png"),
                    full_page=True)
    first.close()

    second = browser.new_context()  # another device: no cookie, no history
    other = second.new_page()
    other.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    other.goto(link)
    assert "Page 2 sur" in other.content()
    for _ in range(6):  # on to the end, answering what is asked
        years = other.locator("#f-anciennete_commune-1")
        if years.count() and years.is_visible():
            years.fill("12")
        _answer_visible_required(other)
        button = other.get_by_role("button", name="Envoyer mes réponses")
        (button if button.count() else other.get_by_role("button", name="Suivant")).click()
        if "Merci pour votre participation" in other.content():
            break
    assert "Merci pour votre participation" in other.content()
    other.reload()  # Reload after the last page: still thanks, nothing sent again
    assert "Merci pour votre participation" in other.content()
    other.go_back()  # Back after the last page: the form is sent, so the thanks page again
    assert "Merci pour votre participation" in other.content()
    second.close()
    assert dialogs == []
    assert store.response_count(QID) == before + 1
    store.engine.dispose()


def _answer_visible_required(page) -> None:  # noqa: ANN001
    """Answer each visible required question still empty, the way a person would: first option, a number."""
    for block in page.locator(".question:visible").all():
        if block.locator("abbr.required").count() == 0:
            continue
        radios, boxes = block.locator("input[type=radio]:visible"), block.locator("input[type=checkbox]:visible")
        selects, texts = block.locator("select:visible"), block.locator("input[inputmode]:visible")
        if radios.count() and block.locator("input[type=radio]:checked").count() == 0:
            radios.first.check()
        elif boxes.count() and block.locator("input[type=checkbox]:checked").count() == 0:
            boxes.first.check()
        elif selects.count() and not selects.first.input_value():
            selects.first.select_option(index=1)
        elif texts.count() and not texts.first.input_value():
            texts.first.fill("1")


def test_no_page_breaks_the_content_security_policy(server: tuple[str, str], browser) -> None:  # noqa: ANN001
    """With JavaScript on, the respondent and staff pages load their scripts and styles without a CSP report."""
    from survey.access import Role
    from survey.passwords import hash_password
    from survey.store_responses import ResponseFilter

    base, database = server
    store = Store.from_url(database)
    store.add_user("csp-admin@example.fr", hash_password("correct horse battery"), Role.ADMIN, [])
    page = browser.new_page()
    reports: list[str] = []
    page.on("console", lambda message: reports.append(f"console {message.type}: {message.text}")
            if "Content Security Policy" in message.text or "Permissions-Policy" in message.text else None)
    page.on("pageerror", lambda error: reports.append(f"page error: {error}"))
    # Violations are also events in the page; this listener is injected by the browser, so the CSP allows it.
    watch_csp(page)

    def visit(url: str) -> None:
        page.goto(f"{base}{url}")
        assert csp_reports(page) == [], url

    visit(f"/s/{QID}")
    assert page.evaluate("typeof window.SurveyExpressions") == "object"  # the form's scripts did run
    page.get_by_role("group", name="budget participatif de la Ville").get_by_label("Oui").check()
    page.get_by_role("button", name="Suivant").click()  # a page answered with the scripts on
    assert csp_reports(page) == []
    visit("/login")
    page.fill("#email", "csp-admin@example.fr")
    page.fill("#password", "correct horse battery")
    page.get_by_role("button", name="Se connecter").click()
    assert page.url.endswith("/staff")
    loaded = store.current(QID)
    store.store_response(loaded.version_id, "csp-response", {"connait_bp": True})  # type: ignore[union-attr]
    answer = f"/staff/q/{QID}/responses/{store.response_lines(QID, ResponseFilter())[0].id}"
    for url in ("/staff", f"/staff/q/{QID}", f"/staff/q/{QID}/preview", "/staff/logins", "/staff/tokens", "/schema",
                "/staff/nothing-here", f"/staff/q/{QID}/responses", answer, f"{answer}/correct/connait_bp",
                f"{answer}/delete"):
        visit(url)
    page.close()
    assert reports == []


def test_the_interview_analysis_pages_pass_axe_core(server: tuple[str, str], browser) -> None:  # noqa: ANN001
    """The grid analysis pages — matrix, quotes, frequencies, codebook with its recoding forms, export — have no
    axe-core violation (WCAG 2.1 A/AA), for an evaluator and for a consultant (pseudonymised text)."""
    from survey.access import Role
    from survey.passwords import hash_password
    from tests.test_grid_analysis_web import _seed

    base, database = server
    store = Store.from_url(database)
    codes = _seed(store)
    for email, role in (("axe-eval@example.fr", Role.EVALUATOR), ("axe-conseil@example.fr", Role.CONSULTANT)):
        store.add_user(email, hash_password("correct horse battery"), role, ["mission-analyse"])
    grid = "/staff/grids/entretiens-analyse"
    for email in ("axe-eval@example.fr", "axe-conseil@example.fr"):
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        log_in(page, base, email)
        for url in ("/staff/grids", grid, f"{grid}?categorie=elu&site=garenne", f"{grid}/citations",
                    f"{grid}/frequences", f"{grid}/codes", f"{grid}/codes?scinder={codes['moyens']}", f"{grid}/export"):
            page.goto(f"{base}{url}")
            assert page.locator("h1").count() == 1, url
            assert axe_violations(page) == [], (email, url)
        page.close()


def test_publishing_pages_pass_axe_core_and_the_csp(server: tuple[str, str], browser, tmp_path: Path) -> None:  # noqa: ANN001
    """The upload page (with its problems shown), the publication page, a branded respondent page and the closed
    page: no axe-core WCAG 2.1 AA violation, no CSP report, on a phone-sized screen too."""
    import io

    from PIL import Image

    from survey.access import Role
    from survey.passwords import hash_password
    from survey.publishing import CLOSED, OPEN

    base, database = server
    store = Store.from_url(database)
    mission = load_questionnaire(ROOT / "questionnaires" / "atelier-retour.yaml").mission.id  # type: ignore[union-attr]
    store.add_user("publie@example.fr", hash_password("correct horse battery"), Role.EVALUATOR, [mission])
    page = browser.new_page()
    watch_csp(page)
    log_in(page, base, "publie@example.fr")
    broken = tmp_path / "brouillon.yaml"
    broken.write_text("id: brouillon\nversion: '1'\ntitle: Brouillon\npages:\n  - id: p\n    questions:\n"
                      "      - {name: Note, type: integre}\n", encoding="utf-8")
    logo = tmp_path / "logo.png"
    out = io.BytesIO()
    Image.new("RGB", (480, 160), (255, 255, 255)).save(out, format="PNG")
    logo.write_bytes(out.getvalue())
    found: dict[str, list[str]] = {}

    def check(name: str) -> None:
        found[name] = page_problems(page)
        page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)

    page.goto(f"{base}/staff/publish")
    page.set_input_files("#publish-file", str(broken))
    page.get_by_role("button", name="Vérifier et déposer").click()
    assert page.locator(".problems li").count() >= 3  # missing privacy notice, bad name, unknown type, no label
    check("upload-problems")
    page.goto(f"{base}/staff/q/atelier-retour/publication")
    page.fill("#branding-name", "Ville de Saint-Aubin-sur-Loire")
    page.fill("#branding-background", "#1a5fb4")
    page.fill("#branding-text", "#ffffff")
    page.set_input_files("#branding-logo", str(logo))
    page.get_by_role("button", name="Enregistrer l’en-tête").click()
    assert page.locator(".logo-preview").count() == 1
    check("publication")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{base}/s/atelier-retour")
    assert page.locator(".brand-name").inner_text() == "Ville de Saint-Aubin-sur-Loire"
    check("respondent-branded")
    store.set_state("atelier-retour", CLOSED, "cli:test")
    for _ in range(60):  # the server trusts a state it read for 5 seconds
        response = page.goto(f"{base}/s/atelier-retour?lang=en")
        if response.status == 410:  # type: ignore[union-attr]
            break
        time.sleep(0.2)
    assert page.locator("h1").inner_text() == "Questionnaire closed"
    check("closed")
    store.set_state("atelier-retour", OPEN, "cli:test")  # open again for the module's later tests
    for _ in range(60):
        if page.goto(f"{base}/s/atelier-retour").status == 200:  # type: ignore[union-attr]
            break
        time.sleep(0.2)
    page.close()
    if os.environ.get("SURVEY_SCREENSHOTS"):  # where to keep them, to look at
        for shot in tmp_path.glob("*.png"):
            shutil.copy(shot, os.environ["SURVEY_SCREENSHOTS"])
    assert {name: problems for name, problems in found.items() if problems} == {}


def test_quota_and_erasure_pages_pass_axe_core_and_the_csp(server: tuple[str, str], browser, tmp_path: Path) -> None:  # noqa: ANN001
    """The staff page's quota table, the page of a full quota cell, the erasure confirmation and its done page, and
    the privacy notice with its retention sentence: no axe-core violation, no CSP report, on a phone too."""
    import random

    from survey.access import Role
    from survey.passwords import hash_password
    from survey.synthetic import synthetic_answers
    from survey.validation import finalise

    base, database = server
    store = Store.from_url(database)
    questionnaire = load_questionnaire(ROOT / "questionnaires" / f"{QID}.yaml")
    store.add_user("quotas@example.fr", hash_password("correct horse battery"), Role.EVALUATOR,
                   [questionnaire.mission.id])  # type: ignore[union-attr]
    version_id = store.current(QID).version_id  # type: ignore[union-attr]
    answers = finalise(questionnaire, synthetic_answers(questionnaire, random.Random(7)), "2026-11-29")
    store.store_response(version_id, "cle-effacement-navigateur", answers)
    page = browser.new_page()
    watch_csp(page)
    found: dict[str, list[str]] = {}
    shots = Path(os.environ.get("SURVEY_SCREENSHOTS", str(tmp_path)))

    def check(name: str) -> None:
        found[name] = page_problems(page)
        page.screenshot(path=str(shots / f"gdpr-{name}.png"), full_page=True)

    log_in(page, base, "quotas@example.fr")
    page.goto(f"{base}/staff/q/{QID}")
    assert page.locator('section[aria-labelledby="quotas"] table').count() == 2
    check("staff-quotas")
    page.goto(f"{base}/staff/q/{QID}/registre")
    assert page.locator("h1").inner_text().startswith("Registre des activités de traitement")
    check("register")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{base}/s/{QID}/complet?quota=age_genre")
    assert "assez de réponses de personnes de votre âge" in page.locator("main").inner_text()
    check("quota-full")
    page.goto(f"{base}/s/atelier-retour")
    assert "conservées 365 jours après leur envoi" in page.locator(".privacy").inner_text()
    check("privacy-notice")
    page.goto(f"{base}/s/{QID}/f/cle-effacement-navigateur/effacer")
    check("erasure-confirm")
    page.get_by_role("button", name="Effacer définitivement ma réponse").click()
    assert page.locator("[role=status]").inner_text() == "Votre réponse a été effacée."
    check("erasure-done")
    page.close()
    assert {name: problems for name, problems in found.items() if problems} == {}



def test_invitation_pages_pass_axe_core_and_the_csp(server: tuple[str, str], browser, tmp_path: Path) -> None:  # noqa: ANN001
    """The invitations page (with a refused file's problems, then with its people), a personal link's form with the
    question the list answered left out, and a revoked link's page: no axe-core violation, no CSP report, on a
    phone too."""
    from survey.access import Role
    from survey.passwords import hash_password

    base, database = server
    store = Store.from_url(database)
    mission = load_questionnaire(ROOT / "questionnaires" / "agents-participation.yaml").mission.id  # type: ignore[union-attr]
    store.add_user("invite@example.fr", hash_password("correct horse battery"), Role.EVALUATOR, [mission])
    page = browser.new_page()
    watch_csp(page)
    found: dict[str, list[str]] = {}
    shots = Path(os.environ.get("SURVEY_SCREENSHOTS", str(tmp_path)))

    def check(name: str) -> None:
        found[name] = page_problems(page)
        page.screenshot(path=str(shots / f"invitations-{name}.png"), full_page=True)

    log_in(page, base, "invite@example.fr")
    bad, good = tmp_path / "mauvais.csv", tmp_path / "agents.csv"
    bad.write_text("email;service\nana@ville;urbanisme\nbo@ville.example;piscine\n", encoding="utf-8")
    good.write_text("email;nom;service\nana@ville.example;Ana Lopes;urbanisme\nbo@ville.example;Bo;culture\n",
                    encoding="utf-8")
    page.goto(f"{base}/staff/q/agents-participation/invitations")
    page.set_input_files("#contacts-file", str(bad))
    page.get_by_role("button", name="Importer").click()
    assert page.locator(".error-summary li").count() == 2
    check("problems")
    page.set_input_files("#contacts-file", str(good))
    page.get_by_role("button", name="Importer").click()
    assert page.locator("tbody tr").count() == 2
    check("list")
    page.set_viewport_size({"width": 375, "height": 800})
    check("list-phone")
    ana, bo = store.invitations("agents-participation")
    page.get_by_role("button", name=f"Révoquer le lien de {bo.email}").click()
    page.goto(f"{base}/s/agents-participation/i/{ana.token}")
    page.get_by_label("J’ai lu et j’accepte").check()
    page.get_by_role("button", name="Suivant").click()
    assert page.locator("#q-fonction").count() == 1 and page.locator("#q-service").count() == 0
    check("form-prefilled")
    page.goto(f"{base}/s/agents-participation/i/{bo.token}")
    assert page.locator("h1").inner_text() == "Ce lien n’est plus valable"
    check("revoked")
    page.close()
    assert found == dict.fromkeys(found, []), found


def test_the_entry_page_passes_axe_core_and_the_csp(server: tuple[str, str], browser, tmp_path: Path) -> None:  # noqa: ANN001
    """The paper and telephone entry page, on a laptop and on a phone: no axe-core violation, no CSP report; its
    button opens the questionnaire's first page, entered by the interviewer."""
    from survey.access import Role
    from survey.passwords import hash_password

    base, database = server
    store = Store.from_url(database)
    questionnaire = load_questionnaire(ROOT / "questionnaires" / f"{QID}.yaml")
    store.add_user("saisie@example.fr", hash_password("correct horse battery"), Role.INTERVIEWER,
                   [questionnaire.mission.id])  # type: ignore[union-attr]
    shots = Path(os.environ.get("SURVEY_SCREENSHOTS", str(tmp_path)))
    for width, height in ((1280, 900), (390, 844)):
        page = browser.new_page(viewport={"width": width, "height": height})
        watch_csp(page)
        log_in(page, base, "saisie@example.fr")
        page.goto(f"{base}/staff/entry")
        assert page.locator(f'form[action="/staff/entry/{QID}"]').count() == 1
        assert axe_violations(page) == [] and csp_reports(page) == [], width
        page.screenshot(path=str(shots / f"entry-{width}.png"), full_page=True)
        page.locator(f"#canal-{QID}-telephone").check()
        page.locator(f'form[action="/staff/entry/{QID}"] button[type="submit"]').click()
        page.wait_for_url(f"**/s/{QID}/f/**")
        assert page.locator("h1").count() == 1
        page.close()
