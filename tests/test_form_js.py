"""The browser decides as the server does: survey/static/form.js against survey.logic, in Chromium.

For random questionnaires with logic and random answer sets (valid ones, and wrong ones: out of range, unknown
codes, missing answers, special answers not offered, “Other” left unspecified…), `SurveyForm.assess` must give
exactly `survey.logic.assess`: pages and questions shown, calculations, required questions, options offered and
the issue found for each answer. Then a hand-made page shows the glue at work: a tick reveals a question, a
choice filters a cascade list, piped answers follow.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from survey.form_input import Unreadable, number, read_answer
from survey.logic import assess, display_value, resolve
from survey.logic_json import page_logic, questionnaire_logic
from survey.schema import Choice, Page, Question, Questionnaire
from survey.schema.localise import localise
from survey.schema.types import Shape
from tests.conftest import ROOT, require_in_ci
from tests.strategies import ABSENT, questionnaires, valid_answers

CHROMIUM = "/usr/bin/chromium"
SCRIPTS = [ROOT / "survey" / "static" / "expressions.js", ROOT / "survey" / "static" / "form.js"]
TODAYS = ["2026-03-15", "2024-02-29"]
pytestmark = pytest.mark.browser

# Every case in one call: the verdict, and what each name displays as (a piped answer).
RUN_CASES = """cases => JSON.stringify(JSON.parse(cases).map(c => {
  try {
    const model = Object.assign({}, c.model, {today: c.today});
    const env = SurveyForm.resolve(model, c.answers).env;
    const shown = {};
    c.names.forEach(name => { shown[name] = SurveyForm.display(model, name, env[name]); });
    return {verdict: SurveyForm.assess(model, c.answers), display: shown};
  } catch (e) { return {thrown: String(e && e.stack || e)}; }
}))"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_in_ci("Chromium at /usr/bin/chromium", Path(CHROMIUM).exists())
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_in_ci("the playwright package", False)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def page(browser: Any) -> Iterator[Any]:
    """A blank page with expressions.js and form.js loaded: no server needed."""
    opened = browser.new_page()
    opened.set_default_timeout(5000)
    opened.set_content("<!doctype html><title>form.js</title>")
    for script in SCRIPTS:
        opened.add_script_tag(path=str(script))
    yield opened
    opened.close()


# --- random answer sets, right and wrong -------------------------------------------------------------------------

SPECIALS = [{"special": "dont_know"}, {"special": "prefer_not_to_say"}, {"special": "not_asked"},
            {"special": "dont_know", "note": "x"}, {"special": "peut-être"}]
EMPTIES = [ABSENT, None, "", [], {}]
OTHER_TEXTS = [ABSENT, None, "", "  ", "\x1c", "\ufeff", "vélo cargo", 0, 5]


def _shift(day: dt.date | None, days: int) -> list[str]:
    return [] if day is None else [(day + dt.timedelta(days=d)).isoformat() for d in (-days, 0, days)]


def _near(bound: float | None) -> list[float]:
    return [] if bound is None else [bound - 1, bound, bound + 1, bound - 0.5, bound + 0.25]


def _strays(question: Question) -> list[Any]:
    """Answers worth trying for this question: edges of its ranges, codes it does not offer, wrong types…"""
    shape, low, high = question.kind.shape, question.min, question.max
    codes = sorted(question.codes)
    if shape in (Shape.INTEGER, Shape.DECIMAL):
        return [0, 1, 10, 16, 121, -5, 2.5, 1e6, *(_near(low) if isinstance(low, int | float) else []),
                *(_near(high) if isinstance(high, int | float) else [])]
    if shape is Shape.DATE:
        return ["2026-03-15", "2019-12-31", "2020-02-30", "pas une date", *_shift(low, 1), *_shift(high, 1)]
    if shape in (Shape.CODE, Shape.CODES, Shape.MATRIX):
        counts = {int(bound) + d for bound in (low, high) if isinstance(bound, int) for d in (-1, 0, 1)}
        rows = [{item.name: code} for item in question.items for code in [*codes[:2], "~x"]]
        return [*codes, "other", codes[:2], codes, [*codes[:1], "other"], ["other"], ["~x"], [1], [codes[0], codes[0]],
                *(codes[:n] for n in counts if n > 0), *rows]
    if shape is Shape.TEXT:
        limit = question.max_length or 5
        return ["x" * limit, "x" * (limit + 1), "😀" * limit, "😀" * (limit + 1), "a@example.fr", "http://x", " "]
    if shape is Shape.TIME:
        return ["05:59", "06:00", "14:30", "25:00"]
    if shape is Shape.BOOLEAN:
        return [False, "1", 0, 1]
    if shape is Shape.REPEAT:
        return [[{}], [{}, {}], [{}] * 4, 2]
    if shape is Shape.COMPUTED:
        return [5, 20, "adulte"]
    return []


ANY_STRAY = [*EMPTIES, *SPECIALS, 3, "3", True, "~x"]


@st.composite
def answer_sets(draw: st.DrawFn, questionnaire: Questionnaire) -> dict[str, Any]:
    """A valid answer set (as if the logic did not exist), some of its answers replaced by strays."""
    answers = draw(valid_answers(questionnaire))
    for question in questionnaire.questions():
        if draw(st.integers(0, 2)) == 0:
            fitting = _strays(question)
            stray = draw(st.sampled_from(fitting if fitting and draw(st.booleans()) else ANY_STRAY))
            answers.pop(question.name, None)
            if stray is not ABSENT:
                answers[question.name] = stray
        if question.other and draw(st.booleans()):
            text = draw(st.sampled_from(OTHER_TEXTS))
            answers.pop(f"{question.name}__other", None)
            if text is not ABSENT:
                answers[f"{question.name}__other"] = text
    return answers


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Questionnaire, list[dict[str, Any]]]:
    questionnaire = draw(questionnaires(logic=True))
    questionnaire = localise(questionnaire, questionnaire.language)  # pipes show one language's labels
    return questionnaire, draw(st.lists(answer_sets(questionnaire), min_size=5, max_size=5))


# --- Python's verdict, in the shape form.js gives it -----------------------------------------------------------


def _plain(value: Any) -> Any:
    """JSON's view, numbers as floats (JSON writes 3.0 as 3)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return {k: _plain(v) for k, v in value.items()}


def _pipeable(value: Any) -> bool:
    """A value a page can pipe: what a field reads as, not a stray dict given to a single choice."""
    return value is None or isinstance(value, bool | int | float | str) or (
        isinstance(value, list) and all(isinstance(v, str) for v in value))


def _python_verdict(questionnaire: Questionnaire, answers: dict[str, Any], today: str) -> dict[str, Any]:
    verdict = assess(questionnaire, answers, today)
    resolution = verdict.resolution
    return {"shown_pages": list(resolution.shown_pages), "hidden": sorted(resolution.hidden),
            "calculations": _plain(resolution.calculations), "required": sorted(verdict.required),
            "offered": verdict.offered, "issues": verdict.issues}


def _browser_verdict(verdict: dict[str, Any]) -> dict[str, Any]:
    return {**verdict, "hidden": sorted(verdict["hidden"]), "required": sorted(verdict["required"]),
            "calculations": _plain(verdict["calculations"])}


def _compare(page: Any, cases: list[tuple[Questionnaire, dict[str, Any], str]]) -> None:
    """Assess every case in Python and, in one call, in Chromium; list every disagreement."""
    payload, expected = [], []
    for questionnaire, answers, today in cases:
        model = json.loads(page_logic(questionnaire, questionnaire_logic(questionnaire), 0, {}, today))
        env = resolve(questionnaire, answers, today).env
        names = [q.name for q in questionnaire.questions() if _pipeable(env.get(q.name))]
        payload.append({"model": model, "answers": answers, "today": today, "names": names})
        expected.append({"verdict": _python_verdict(questionnaire, answers, today),
                         "display": {name: display_value(questionnaire, name, env.get(name)) for name in names}})
    results = json.loads(page.evaluate(RUN_CASES, json.dumps(payload, allow_nan=False)))
    wrong = []
    for (questionnaire, answers, today), python, browser in zip(cases, expected, results, strict=True):
        if "thrown" in browser:
            wrong.append((questionnaire.model_dump(exclude_defaults=True), answers, today, browser["thrown"]))
            continue
        got = {"verdict": _browser_verdict(browser["verdict"]), "display": browser["display"]}
        if got != python:
            differ = {k: (python["verdict"][k], got["verdict"][k]) for k in python["verdict"]
                      if python["verdict"][k] != got["verdict"][k]}
            if python["display"] != got["display"]:
                differ["display"] = (python["display"], got["display"])
            wrong.append((questionnaire.model_dump(exclude_defaults=True), answers, today, differ))
    assert wrong == [], "\n\n".join(map(repr, wrong[:3]))


# No shrinking: a batch runs in Chromium, and the failure message already lists the cases that disagree.
@settings(max_examples=30, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.data_too_large, HealthCheck.too_slow,
                                 HealthCheck.function_scoped_fixture])
@given(st.lists(scenarios(), min_size=4, max_size=4), st.sampled_from(TODAYS))
def test_random_answers_are_judged_alike_in_chromium(page: Any, batch: list, today: str) -> None:
    """30 examples × 4 questionnaires × 5 answer sets: 600 answer sets per run."""
    _compare(page, [(questionnaire, answers, today) for questionnaire, sets in batch for answers in sets])


def test_logic_edges_are_judged_alike_in_chromium(page: Any) -> None:
    """Hand-picked: consent, special answers, “Other”, a multiple choice's bounds, a constraint on a repeat count."""
    choices = [Choice(code="a", label="A", data={"zone": "nord"}), Choice(code="b", label="B", data={"zone": "sud"}),
               Choice(code="c", label="C", relevant="age >= 18")]
    questionnaire = Questionnaire(id="bords", version="1", title="Bords", privacy_notice="…", pages=[
        Page(id="un", questions=[
            Question(name="accord", type="consent", label="J'accepte"),
            Question(name="age", type="integer", label="Âge", min=0, max=120, special_answers=["dont_know"]),
            Question(name="arrivee", type="date", label="Arrivée", min=dt.date(2000, 1, 1), max=dt.date(2026, 3, 14)),
            Question(name="zone", type="single_choice", label="Zone", choices=[
                Choice(code="nord", label="Nord"), Choice(code="sud", label="Sud")]),
        ]),
        Page(id="deux", relevant="age >= 16 or age = null", questions=[
            Question(name="lieux", type="multiple_choice", label="Lieux", choices=choices, other=True, min=1, max=2,
                     choice_filter="choice.zone = zone or choice.zone = null", required_if="zone = 'nord'"),
            Question(name="enfants", type="repeat", label="Enfants", constraint=". <= 3",
                     questions=[Question(name="prenom", type="short_text", label="Prénom")]),
            Question(name="total", type="calculate", calculation="count_selected(lieux) + enfants"),
            Question(name="pourquoi", type="long_text", label="Pourquoi ${total} ?", relevant="total > 1",
                     max_length=3),
        ]),
    ])
    sets = [
        {}, {"accord": False}, {"accord": "1"}, {"accord": True, "age": {"special": "dont_know"}},
        {"accord": True, "age": {"special": "prefer_not_to_say"}}, {"age": 15}, {"age": 121}, {"age": 16.5},
        {"zone": "nord"}, {"zone": "nord", "lieux": ["a", "b"]}, {"zone": "sud", "lieux": ["b", "other"]},
        {"zone": "sud", "lieux": ["other"], "lieux__other": " \u2003"}, {"lieux": ["other"], "lieux__other": "ici"},
        {"age": 30, "lieux": ["c", "a", "b"]}, {"age": 12, "lieux": ["c"]}, {"lieux": "a"},
        {"enfants": [{}, {}, {}, {}]}, {"enfants": [{}], "lieux": ["a"], "pourquoi": "😀😀😀"},
        {"enfants": [{}], "lieux": ["a"], "pourquoi": "😀😀😀😀"}, {"enfants": {"special": "not_asked"}},
        {"arrivee": "1999-12-31"}, {"arrivee": "2000-01-01"}, {"arrivee": "2026-03-15"}, {"arrivee": "2026-3-1"},
        {"arrivee": 2020}, {"age": 0, "arrivee": "2026-03-14"}, {"age": 120.5}, {"age": True},
    ]
    _compare(page, [(questionnaire, answers, today) for answers in sets for today in TODAYS])


def test_a_rankings_bounds_are_judged_alike_in_chromium(page: Any) -> None:
    """`min`/`max` count the options ranked once any is; an empty ranking is only `required`'s business."""
    choices = [Choice(code=code, label=code) for code in ("parcs", "velo", "ecoles", "marches")]
    expected = {(): None, ("velo",): "too_few_ranked", ("velo", "parcs"): None, ("velo", "parcs", "ecoles"): None,
                ("velo", "parcs", "ecoles", "marches"): "too_many_ranked"}
    cases, issues = [], []
    for required in (False, True):
        questionnaire = Questionnaire(id="rangs", version="1", title="Rangs", privacy_notice="…", pages=[
            Page(id="p", questions=[Question(name="priorites", type="ranking", label="Priorités", choices=choices,
                                             min=2, max=3, required=required, special_answers=["dont_know"])])])
        for ranked, issue in expected.items():
            cases.append((questionnaire, {"priorites": list(ranked)}, TODAYS[0]))
            issues.append("required" if required and not ranked else issue)
        cases.append((questionnaire, {"priorites": {"special": "dont_know"}}, TODAYS[0]))
        issues.append(None)
    _compare(page, cases)  # the browser gives exactly the server's verdict…
    payload = [{"model": {**json.loads(page_logic(q, questionnaire_logic(q), 0, {}, today)), "today": today},
                "answers": answers} for q, answers, today in cases]
    got = page.evaluate("cases => cases.map(c => SurveyForm.assess(c.model, c.answers).issues.priorites || null)",
                        payload)
    assert got == issues  # …and it is the one intended


# --- what the page's fields hold ---------------------------------------------------------------------------------


def test_fields_are_read_as_the_server_reads_them(page: Any) -> None:
    """Numbers typed the French way, dates, times, phone numbers, special answers: read alike, or refused alike."""
    two = [Choice(code="a", label="A"), Choice(code="b", label="B")]
    kinds = {"integer": {}, "decimal": {}, "date": {}, "time": {}, "phone": {}, "email": {}, "yes_no": {},
             "short_text": {}, "multiple_choice": {"choices": two}}
    texts = ["3,5", "1 200", "1\u202f200,50", "1\xa0000", " 12 ", "-0,5", ".5", "5.", "1e3", "1_000", "abc", "inf",
             "3,5,1", "", "25/11/2026", "2026-11-25", "31/02/2026", "20261125", "5.11.2026", "14h30", "14:30", "9h",
             "24:00", "06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678", "1", "0", "@dont_know", "@maybe",
             "a@example.fr", "a@b", " texte ", "\x1cx\x1c"]
    cases, expected = [], []
    for type_name, extra in kinds.items():
        question = Question(name="q", type=type_name, label="Q", **extra)
        single = Questionnaire(id="x", version="1", title="x", privacy_notice="x",
                               pages=[Page(id="p", questions=[question])])
        model_question = json.loads(page_logic(single, questionnaire_logic(single), 0, {}, "2026-01-01")
                                    )["pages"][0]["questions"][0]
        for text in texts:
            form = {"q": [text, "b"] if type_name == "multiple_choice" else [text]}
            try:
                answer = read_answer(question, form)
            except Unreadable:
                answer = None
            cases.append({"question": model_question, "fields": form})
            expected.append(_plain(answer))
    got = page.evaluate("cases => JSON.stringify(cases.map(c => SurveyForm.readAnswer(c.question, c.fields)))",
                        cases)
    wrong = [(c["question"]["type"], c["fields"], want, have)
             for c, want, have in zip(cases, expected, _plain(json.loads(got)), strict=True) if want != have]
    assert wrong == [], wrong[:10]
    numbers = page.evaluate("texts => texts.map(t => SurveyForm.number(t))", texts)
    python = []
    for text in texts:
        try:
            python.append(number(text))
        except ValueError:
            python.append(None)
    assert numbers == python


# --- the page itself -----------------------------------------------------------------------------------------------

QUARTIERS = [("centre", "Centre", "saint-aubin"), ("gare", "Gare", "saint-aubin"), ("bourg", "Le Bourg", "autre")]
FORM = """<!doctype html><html lang="fr"><title>Déplacements</title>
<form method="post" data-survey novalidate>
  <input type="hidden" name="shown" value="">
  <div class="question" data-question="velo"><fieldset><legend>Venez-vous à vélo ?</legend>
    <div data-option="1"><input type="radio" id="velo-1" name="velo" value="1"><label for="velo-1">Oui</label></div>
    <div data-option="0"><input type="radio" id="velo-0" name="velo" value="0"><label for="velo-0">Non</label></div>
  </fieldset></div>
  <div class="question" data-question="trajets"><label for="trajets">Trajets par semaine</label>
    <input type="text" inputmode="decimal" id="trajets" name="trajets"></div>
  <div class="question" data-question="commune"><label for="commune">Commune</label>
    <select id="commune" name="commune"><option value="">—</option>
      <option data-option="saint-aubin" value="saint-aubin">Saint-Aubin</option>
      <option data-option="autre" value="autre">Autre commune</option></select></div>
  <div class="question" data-question="quartier"><fieldset><legend>Quartier de <span data-pipe="commune"></span>
    </legend>{quartiers}
    <div data-option="@dont_know"><input type="radio" id="q-nsp" name="quartier" value="@dont_know">
      <label for="q-nsp">Je ne sais pas</label></div></fieldset></div>
  <div class="question" data-question="aller_retour"></div>
  <p id="bilan">Soit <span data-pipe="aller_retour">…</span> passages, à <span data-pipe="age"></span> ans.</p>
  <button type="submit">Suivant</button>
</form>
<script type="application/json" id="survey-logic">{logic}</script>
"""


def _commuting() -> Questionnaire:
    return Questionnaire(id="deplacements", version="1", title="Déplacements", privacy_notice="…", pages=[
        Page(id="profil", questions=[Question(name="age", type="integer", label="Âge")]),
        Page(id="trajets", questions=[
            Question(name="velo", type="yes_no", label="Venez-vous à vélo ?", required=True),
            Question(name="trajets", type="decimal", label="Trajets par semaine", relevant="velo and age >= 18"),
            Question(name="commune", type="dropdown", label="Commune", choices=[
                Choice(code="saint-aubin", label="Saint-Aubin"), Choice(code="autre", label="Autre commune")]),
            Question(name="quartier", type="single_choice", label="Quartier", special_answers=["dont_know"],
                     choice_filter="choice.commune = commune", choices=[
                         Choice(code=code, label=label, data={"commune": commune})
                         for code, label, commune in QUARTIERS]),
            Question(name="aller_retour", type="calculate", calculation="trajets * 2"),
        ]),
    ])


def test_a_tick_reveals_a_question_and_a_choice_filters_the_next_list(browser: Any) -> None:
    questionnaire = _commuting()
    logic = page_logic(questionnaire, questionnaire_logic(questionnaire), 1, {"age": 34}, TODAYS[0])
    quartiers = "".join(
        f'\n    <div data-option="{code}"><input type="radio" id="q-{code}" name="quartier" value="{code}">'
        f'<label for="q-{code}">{label}</label></div>' for code, label, _ in QUARTIERS)
    opened = browser.new_page()
    opened.set_default_timeout(5000)
    opened.set_content(FORM.replace("{quartiers}", quartiers).replace("{logic}", logic))
    for script in SCRIPTS:
        opened.add_script_tag(path=str(script))

    def visible_quartiers() -> list[str]:
        return opened.eval_on_selector_all("[data-question=quartier] [data-option]",
                                           "els => els.filter(e => !e.hidden).map(e => e.dataset.option)")

    trajets = opened.locator("#trajets")
    shown = opened.locator("input[name=shown]")
    assert opened.locator("[data-question=trajets]").is_hidden() and trajets.is_disabled()
    assert shown.input_value() == "velo commune quartier aller_retour"
    assert visible_quartiers() == ["@dont_know"]  # no commune yet: only the special answer
    assert opened.locator("#bilan").inner_text() == "Soit … passages, à 34 ans."

    opened.get_by_label("Oui").check()  # the tick reveals the question that depends on it
    assert trajets.is_visible() and trajets.is_enabled()
    assert shown.input_value() == "velo trajets commune quartier aller_retour"
    trajets.fill("2,5")  # typed the French way
    assert opened.locator("#bilan").inner_text() == "Soit 5 passages, à 34 ans."

    opened.select_option("#commune", "saint-aubin")  # the cascade: only that commune's quartiers
    assert visible_quartiers() == ["centre", "gare", "@dont_know"]
    assert opened.locator("[data-question=quartier] legend").inner_text().strip() == "Quartier de Saint-Aubin"
    opened.get_by_label("Gare").check()
    opened.select_option("#commune", "autre")
    assert visible_quartiers() == ["bourg", "@dont_know"]
    assert not opened.locator("#q-gare").is_checked()  # a choice no longer offered is unticked

    opened.get_by_label("Non").check()  # hidden again, and not posted
    assert opened.locator("[data-question=trajets]").is_hidden() and trajets.is_disabled()
    assert shown.input_value() == "velo commune quartier aller_retour"
    assert opened.locator("#bilan").inner_text() == "Soit … passages, à 34 ans."
    posted = opened.evaluate("() => Array.from(new FormData(document.querySelector('form')).keys())")
    assert "trajets" not in posted and "velo" in posted
    opened.close()


COMMUTING_YAML = """\
id: deplacements
version: "1"
title: Déplacements
privacy_notice: Vos réponses servent à une statistique.
pages:
  - id: trajets
    questions:
      - {name: velo, type: yes_no, label: "Venez-vous à vélo ?", required: true}
      - {name: trajets, type: decimal, label: Trajets par semaine, relevant: velo}
      - name: commune
        type: dropdown
        label: Commune
        choices: [{code: saint-aubin, label: Saint-Aubin}, {code: autre, label: Autre commune}]
      - name: quartier
        type: single_choice
        label: Votre quartier à ${commune}
        special_answers: [dont_know]
        choice_filter: choice.commune = commune
        choices:
          - {code: centre, label: Centre, data: {commune: saint-aubin}}
          - {code: gare, label: Gare, data: {commune: saint-aubin}}
          - {code: bourg, label: Le Bourg, data: {commune: autre}}
"""


def test_the_served_page_reacts_to_answers(browser: Any, sqlite_store: Any, tmp_path: Path) -> None:
    """The page as the server renders it (templates/_question.html), enhanced by the two scripts."""
    from tests.conftest import make_client

    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / "deplacements.yaml").write_text(COMMUTING_YAML, encoding="utf-8")
    with make_client(sqlite_store, tmp_path, folder) as client:
        response = client.get("/s/deplacements")
    assert response.status_code == 200, response.text
    html = response.text
    opened = browser.new_page()
    opened.set_default_timeout(5000)
    opened.set_content(html)  # its /static/ scripts do not load from about:blank: add them by hand
    for script in SCRIPTS:
        opened.add_script_tag(path=str(script))

    def offered_quartiers() -> list[str]:
        return opened.eval_on_selector_all("[data-question=quartier] [data-option]",
                                           "els => els.filter(e => !e.hidden).map(e => e.dataset.option)")

    trajets = opened.locator("[data-question=trajets] input")
    assert opened.locator("[data-question=trajets]").is_hidden() and trajets.is_disabled()
    opened.locator("[data-question=velo] [data-option='1'] input").check()
    assert trajets.is_visible() and trajets.is_enabled()
    assert opened.locator("input[name=shown]").input_value() == "velo trajets commune quartier"
    assert offered_quartiers() == ["@dont_know"]
    opened.locator("[data-question=commune] select").select_option("saint-aubin")
    assert offered_quartiers() == ["centre", "gare", "@dont_know"]
    assert "Saint-Aubin" in opened.locator("[data-question=quartier] legend").inner_text()
    opened.locator("[data-question=quartier] [data-option=gare] input").check()
    opened.locator("[data-question=commune] select").select_option("autre")
    assert offered_quartiers() == ["bourg", "@dont_know"]
    assert opened.locator("[data-question=quartier] input:checked").count() == 0
    assert opened.locator("[data-question=quartier] [data-option=bourg] input").is_enabled()
    opened.close()
