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
from tests.conftest import ROOT, require_in_ci

CHROMIUM = "/usr/bin/chromium"
QID = "budget-participatif-habitants"
pytestmark = pytest.mark.browser


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
        for _ in range(100):
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
    _answer_required_radios(page, questionnaire.pages[0], skip={"connait_bp"})
    page.get_by_role("button", name="Suivant").click()
    assert "Page 2 sur 3" in page.content(), page.locator(".error-summary").all_inner_texts()

    _answer_required_radios(page, questionnaire.pages[1])
    page.get_by_role("button", name="Suivant").click()
    assert "Page 3 sur 3" in page.content(), page.locator(".error-summary").all_inner_texts()

    # Back keeps page 2's answers, then forward again.
    page.get_by_role("button", name="Précédent").click()
    assert "Page 2 sur 3" in page.content()
    assert page.locator("input[type=radio]:checked").count() >= 1
    page.get_by_role("button", name="Suivant").click()

    _answer_required_radios(page, questionnaire.pages[2])
    years = page.get_by_label(questionnaire.question("anciennete_commune").label)
    years.fill("12")
    page.get_by_role("button", name="Envoyer mes réponses").click()
    assert "Merci pour votre participation" in page.content()
    page.close()

    store = Store.from_url(database)
    stored = list(store.responses(QID))
    assert len(stored) == 1
    answers = stored[0].answers
    assert answers["connait_bp"] is True
    assert answers["canaux_information"] == [channels.options()[0].code, channels.options()[2].code]
    assert answers["anciennete_commune"] == 12
    assert stored[0].version == questionnaire.version


def _answer_required_radios(page, questionnaire_page, skip: set[str] = frozenset()) -> None:  # noqa: ANN001
    """Tick the first option of each required radio question not answered yet, by its label."""
    for question in questionnaire_page.questions:
        if question.name in skip or not question.required:
            continue
        if question.type in ("single_choice", "likert", "yes_no"):
            group = page.locator(f"#q-{question.name}")
            if group.locator("input:checked").count() == 0:
                group.locator("input[type=radio]").first.check()
        elif question.type == "multiple_choice":
            group = page.locator(f"#q-{question.name}")
            if group.locator("input:checked").count() == 0:
                group.locator("input[type=checkbox]").first.check()
        elif question.type in ("integer", "decimal"):
            field = page.locator(f"#f-{question.name}-1")
            if not field.input_value():
                field.fill(str(question.min if question.min is not None else 1))
