"""What respondents type, as an attacker would type it: hostile regular expressions, control characters, lone
surrogates, overlong answers and oversized bodies. Each is refused with a clear message, and nothing already
stored is lost, on SQLite and PostgreSQL alike."""

from __future__ import annotations

import json
import re
import sqlite3
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from conftest import PG_URL, ROOT, action_of, controls_of, require_in_ci
from litestar.testing import TestClient
from sqlalchemy import text

from survey.codecs import codec
from survey.expressions import parse
from survey.expressions.evaluate import evaluate
from survey.expressions.patterns import compiled, pattern_problem
from survey.schema import load_questionnaire, parse_questionnaire
from survey.settings import Settings
from survey.store import Store
from survey.validation import validate_answers
from survey.web.app import create_app

QUESTIONNAIRE = textwrap.dedent("""\
    id: securite
    title: Saisie hostile
    version: "1"
    privacy_notice: Vos réponses sont anonymes.
    pages:
      - id: saisie
        title: Saisie
        questions:
          - name: code
            type: short_text
            label: Code
            constraint: "regex(., '(a+)+$')"
            constraint_message: Que des a.
          - name: motif
            type: short_text
            label: Motif
            constraint: "regex(., '(a|aa)*c')"
          - name: avis
            type: long_text
            label: Avis
          - name: age
            type: integer
            label: Âge
          - name: canal
            type: single_choice
            label: Canal
            other: true
            choices:
              - {code: affiche, label: Affiche}
              - {code: presse, label: Presse}
          - name: enfants
            type: repeat
            label: Enfants
            questions:
              - name: prenom
                type: short_text
                label: Prénom
""")
NUL_MESSAGE = "caractère invisible ou mal encodé"
CEILING = 100_000  # the schema's largest `max_length`


# ---- regular expressions -------------------------------------------------------------------------------------

def test_catastrophic_patterns_answer_at_once_and_correctly() -> None:
    # With a backtracking engine each of these takes longer than the age of the universe; RE2 reads the text once.
    assert evaluate(parse("regex(x, '(a+)+$')"), {"x": "a" * 100_000 + "!"}) is False
    assert evaluate(parse("regex(x, '(a|aa)*c')"), {"x": "a" * 100_000}) is False
    assert evaluate(parse("regex(x, '(a|aa)*c')"), {"x": "a" * 100_000 + "c"}) is True
    assert evaluate(parse("regex(x, '(x+x+)+y')"), {"x": "x" * 50_000}) is False


@pytest.mark.parametrize(("pattern", "why"), [
    ("(?=.*[0-9]).{8,}", "lookahead"),
    ("(?!x)a", "lookahead"),
    ("(?<=a)b", "lookbehind"),
    ("(a)\\1", "backreferences"),
    ("a++", "nothing to repeat"),
    ("a*+", "nothing to repeat"),
    ("(?P<n>a)", "no names"),
    ("(?<n>a)", "no names"),
    ("(?i)a", "no flags"),
    ("a\\Z", "`\\Z` is not supported"),
    ("\\Aa", "`\\A` is not supported"),
    ("a{1001}", "counts beyond 1000"),
    ("(a{1000}){1000}", "too large for the server's engine"),
    ("\\s+", "`\\s` is not supported"),
    ("a\x00", "invisible character U+0000"),
])
def test_patterns_re2_and_the_browser_would_read_differently_are_refused(pattern: str, why: str) -> None:
    assert why in (pattern_problem(pattern) or "")
    assert compiled(pattern) is None
    assert evaluate(parse("regex(x, p)".replace("p", repr(pattern))), {"x": "a"}) is None


def test_validate_locates_a_refused_pattern_and_says_how_to_fix_it(tmp_path: Path) -> None:
    broken = QUESTIONNAIRE.replace("'(a+)+$'", "'(?=.*[0-9]).{8,}'")
    from survey.errors import QuestionnaireInvalid

    with pytest.raises(QuestionnaireInvalid) as caught:
        parse_questionnaire(broken, "securite.yaml")
    problem = next(p for p in caught.value.problems if p.question == "code")
    line = next(n for n, row in enumerate(broken.splitlines(), start=1) if "(?=.*" in row)
    assert str(problem).startswith(f"securite.yaml:{line}: question 'code'")
    assert "no lookahead" in str(problem) and "join them with `and`" in str(problem)


# ---- the web: a real respondent journey on each database ----------------------------------------------------

@pytest.fixture
def web(store: Store, tmp_path: Path) -> Iterator[tuple[TestClient, Store]]:
    """The app serving the hostile-input questionnaire, with a small body cap, on each database."""
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / "securite.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")
    settings = Settings(database_url="sqlite://unused", questionnaires_dir=folder, secret_key="test-secret",
                        export_dir=tmp_path / "exports", max_body_bytes=200_000)
    with TestClient(app=create_app(settings, store=store), base_url="http://testserver.local") as client:
        yield client, store


def _post_page(client: TestClient, fields: dict[str, str] | list[tuple[str, str]], *, raw: str | None = None):  # noqa: ANN202
    """Start the questionnaire and post its page with these fields (or this raw body, fields appended); a refused
    page is the GET its redirect leads to, a stored response the 303 to the thanks page."""
    client.cookies.clear()  # a new respondent each time: not the form this browser started before
    page = client.get("/s/securite/")
    base = [*controls_of(page.text), ("action", "next")]
    body = urlencode(base + list(fields.items() if isinstance(fields, dict) else fields))
    if raw:
        body += "&" + raw
    response = client.post(action_of(page.text), content=body, follow_redirects=False,
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    if response.status_code == 303 and "/f/" in response.headers["location"]:
        return client.get(response.headers["location"])
    return response


def _stored(store: Store) -> list[dict]:
    """The answers of every stored response, oldest first."""
    return [record.answers for record in store.responses("securite")]


def _answer_cleanly(client: TestClient, avis: str = "Très bien") -> None:
    response = _post_page(client, {"code": "aaa", "motif": "aac", "avis": avis, "age": "40", "canal": "presse",
                                   "enfants__count": "0"})
    assert response.status_code == 303, response.text


def _error_of(html: str, name: str) -> str:
    match = re.search(rf'id="q-{name}".*?<p class="error-message"[^>]*>(.*?)</p>', html, re.S)
    assert match, f"no error shown for {name}"
    return re.sub(r"<[^>]+>", "", match.group(1))


def test_hostile_patterns_are_checked_quickly_and_refuse_the_answer(web) -> None:  # noqa: ANN001
    client, store = web
    _answer_cleanly(client)
    response = _post_page(client, {"code": "a" * 51 + "!", "motif": "a" * 40, "enfants__count": "0"})
    assert response.status_code == 422
    assert "Que des a." in _error_of(response.text, "code")
    assert "Cette réponse ne convient pas." in _error_of(response.text, "motif")
    assert len(_stored(store)) == 1


class GatedStore(Store):
    """A store whose next call of the `armed` method waits until the test opens the gate: a page that takes as long
    as the test wants, without a hostile pattern (RE2 makes those fast). Records the threads `start_form` ran in."""

    gate: threading.Event
    armed = ""
    opened_in_time: bool | None = None
    start_threads: list[int]

    def _wait(self, method: str) -> None:
        if self.armed == method:
            self.armed = ""
            self.opened_in_time = self.gate.wait(timeout=20)

    def version(self, version_id: int):  # noqa: ANN201
        self._wait("version")
        return super().version(version_id)

    def start_form(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN201
        self.start_threads.append(threading.get_ident())
        self._wait("start_form")
        return super().start_form(*args, **kwargs)


def _gated_store(database: str, tmp_path: Path) -> GatedStore:
    if database == "postgresql":
        require_in_ci("PostgreSQL (SURVEY_TEST_DATABASE_URL)", bool(PG_URL))
        store = GatedStore.from_url(PG_URL)
        with store.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    else:
        store = GatedStore.from_url(f"sqlite:///{tmp_path / 'gated.db'}")
    store.gate, store.start_threads = threading.Event(), []
    return store


@contextmanager
def _first_page_posted(store: Store, tmp_path: Path, before: Callable[[], object] = lambda: None
                       ) -> Iterator[tuple[TestClient, dict[str, int]]]:
    """A client of a server on `store`, and the first page of a form being posted in another thread (once `before`
    is done): the POST's status is in the dict once the block ends."""
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / "securite.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")
    settings = Settings(database_url="sqlite://unused", questionnaires_dir=folder, secret_key="test-secret",
                        export_dir=tmp_path / "exports")
    with TestClient(app=create_app(settings, store=store), base_url="http://testserver.local") as client:
        page = client.get("/s/securite/")
        body = urlencode([*controls_of(page.text), ("action", "next"), ("code", "a" * 51 + "!"),
                          ("enfants__count", "0")])
        results: dict[str, int] = {}
        before()

        def post() -> None:
            results["page"] = client.post("/s/securite/", content=body, follow_redirects=False, headers={
                "Content-Type": "application/x-www-form-urlencoded"}).status_code

        posting = threading.Thread(target=post)
        posting.start()
        try:
            yield client, results
        finally:
            posting.join(timeout=30)
    store.engine.dispose()


# What may be slow: a write, which waits for the disk and for other writers, on either database; a read on
# PostgreSQL, where it waits on the network. (A read on SQLite is a local file's, never held up by a writer: it runs
# in the event loop, and so does a write once it holds SQLite's lock: survey/web/workload.py.)
@pytest.mark.postgresql
@pytest.mark.parametrize("slow", ["start_form", "version"])
def test_a_slow_page_on_postgresql_leaves_the_server_answering_others(tmp_path: Path, slow: str) -> None:
    store = _gated_store("postgresql", tmp_path)
    store.armed = slow
    with _first_page_posted(store, tmp_path) as (client, results):
        # The page now waits inside its handler. Were it on the event loop, /healthz could not be answered
        # until the gate's timeout; in a worker thread it is answered at once, and opens the gate.
        assert client.get("/healthz").json() == {"status": "ok"}
        store.gate.set()
    assert store.opened_in_time is True
    assert results["page"] == 303  # refused: its issues are shown by the GET the redirect leads to


def test_a_page_whose_write_finds_sqlite_locked_leaves_the_server_answering_others(tmp_path: Path) -> None:
    """Another process is writing (its transaction holds SQLite's write lock): the page's write, tried at once in
    the event loop, is made in the writer thread, where it waits; /healthz is answered meanwhile."""
    store = _gated_store("sqlite", tmp_path)
    other = sqlite3.connect(tmp_path / "gated.db", isolation_level=None, check_same_thread=False)
    with _first_page_posted(store, tmp_path, before=lambda: other.execute("BEGIN IMMEDIATE")) as (client, results):
        deadline = time.monotonic() + 20
        while len(store.start_threads) < 2 and time.monotonic() < deadline:  # tried in the loop, then the thread
            time.sleep(0.01)
        assert client.get("/healthz").json() == {"status": "ok"}
        assert "page" not in results  # the page still waits for the lock
        other.rollback()
    other.close()
    assert len(set(store.start_threads)) == 2
    assert results["page"] == 303


# ---- control characters, lone surrogates -------------------------------------------------------------------

@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\x9f"])
def test_control_characters_in_any_typed_text_are_refused_before_storage(web, character: str) -> None:  # noqa: ANN001
    client, store = web
    _answer_cleanly(client)
    cases = [
        ({"code": f"a{character}a"}, "code", NUL_MESSAGE),
        ({"avis": f"Bien{character}\nvraiment"}, "avis", NUL_MESSAGE),
        ({"canal": "other", "canal__other": f"tr{character}act"}, "canal", "précision « Autre » contient"),
        ({"enfants__count": "1", "enfants__0__prenom": f"L{character}éa"}, "enfants", "Élément n° 1"),
    ]
    if not character.isspace():  # a number reads NEL (\x85) as a space, as it reads `1 200`: stored as 40
        cases.append(({"age": f"4{character}0"}, "age", "Saisissez un nombre"))
    for fields, where, message in cases:
        response = _post_page(client, {"enfants__count": "0", **fields})
        assert response.status_code == 422, (where, response.status_code)
        assert message in _error_of(response.text, where)
    assert len(_stored(store)) == 1


def test_a_paragraph_keeps_its_line_breaks_and_tabs_on_both_databases(web) -> None:  # noqa: ANN001
    client, store = web
    _answer_cleanly(client, avis="Première ligne\r\n\tseconde ligne\r\ntroisième 😀")
    assert _stored(store)[0]["avis"] == "Première ligne\n\tseconde ligne\ntroisième 😀"


@pytest.mark.parametrize("encoded", ["%ED%A0%80", "%ED%B2%A9", "%FF", "%C3"])
def test_bytes_that_are_not_utf8_are_refused_with_the_same_message(web, encoded: str) -> None:  # noqa: ANN001
    """A lone surrogate encoded as UTF-8 bytes (CESU), or bytes no UTF-8 text holds: never a 500."""
    client, store = web
    _answer_cleanly(client)
    response = _post_page(client, {"enfants__count": "0"}, raw=f"code=a{encoded}a")
    assert response.status_code == 422
    assert NUL_MESSAGE in _error_of(response.text, "code")
    response = _post_page(client, {"enfants__count": "0", "canal": "other"}, raw=f"canal__other=x{encoded}")
    assert "précision « Autre » contient" in _error_of(response.text, "canal")
    assert len(_stored(store)) == 1


def test_lone_surrogates_in_answers_from_json_are_refused_before_storage() -> None:
    """A JSON body (`"\\ud800"`) decodes to a lone surrogate: the last check before storage refuses it."""
    questionnaire = parse_questionnaire(QUESTIONNAIRE, "securite.yaml")
    for answers, where, code in [
        ({"code": "a\ud800"}, "code", "bad_character"),
        ({"avis": "\udc00 fin"}, "avis", "bad_character"),
        ({"avis": "nul\x00"}, "avis", "bad_character"),
        ({"canal": "other", "canal__other": "\ud83d"}, "canal", "other_bad_character"),
        ({"enfants": [{"prenom": "L\ud800a"}]}, "enfants", "repeat_instance"),
    ]:
        issues = validate_answers(questionnaire, answers)
        assert [(i.question, i.code) for i in issues] == [(where, code)], answers


# ---- lengths ---------------------------------------------------------------------------------------------------

def test_overlong_answers_are_refused_with_the_limit(web) -> None:  # noqa: ANN001
    client, store = web
    _answer_cleanly(client)
    for fields, where, message in [
        ({"code": "a" * 501}, "code", "Votre réponse dépasse 500 caractères."),
        ({"avis": "x" * 10_001}, "avis", "Votre réponse dépasse 10000 caractères."),
        ({"canal": "other", "canal__other": "y" * 501}, "canal", "Votre précision « Autre » dépasse 500 caractères."),
        ({"enfants__count": "1", "enfants__0__prenom": "z" * 501}, "enfants", "Élément n° 1"),
    ]:
        response = _post_page(client, {"enfants__count": "0", **fields})
        assert response.status_code == 422, where
        assert message in _error_of(response.text, where)
    _answer_cleanly(client, avis="😀" * 10_000)  # characters, not bytes nor UTF-16 units
    stored = _stored(store)
    assert len(stored) == 2 and stored[1]["avis"] == "😀" * 10_000


def _with_avis_limit(limit: int) -> str:
    """The questionnaire with `max_length: limit` on its long text."""
    return re.sub(r"( *)label: Avis", rf"\1label: Avis\n\1max_length: {limit}", QUESTIONNAIRE)


def test_text_fields_carry_their_limit_as_maxlength(tmp_path: Path) -> None:
    store = Store.from_url(f"sqlite:///{tmp_path / 'm.db'}")
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / "securite.yaml").write_text(_with_avis_limit(2000), encoding="utf-8")
    settings = Settings(database_url="sqlite://unused", questionnaires_dir=folder, secret_key="test-secret",
                        export_dir=tmp_path / "exports")
    with TestClient(app=create_app(settings, store=store), base_url="http://testserver.local") as client:
        html = client.get("/s/securite/").text
        with_item = client.post("/s/securite/", content=urlencode([*controls_of(html), ("action", "add:enfants")]),
                                headers={"Content-Type": "application/x-www-form-urlencoded"}).text
    assert re.search(r'<input type="text" id="f-code-1" name="code" maxlength="500"', html)
    assert re.search(r'<textarea id="f-avis-1" name="avis" maxlength="2000"', html)
    assert re.search(r'name="canal__other" value="" maxlength="500"', html)
    assert re.search(r'name="enfants__0__prenom" maxlength="500"', with_item)
    logic = json.loads(re.search(r'id="survey-logic">(.*?)</script>', html, re.S).group(1))  # what form.js checks
    limits = {q["name"]: q["range"]["max"] if (q["range"] or {}).get("measure") == "length" else None
              for page in logic["pages"] for q in page["questions"]}
    assert (limits["code"], limits["avis"], limits["age"]) == (500, 2000, None)
    store.engine.dispose()


def test_every_text_type_has_a_default_limit() -> None:
    questionnaire = load_questionnaire(ROOT / "questionnaires" / "budget-participatif-habitants.yaml")
    limits = {q.type: codec(q).length_limit(q) for q in questionnaire.questions() if not q.max_length}
    expected = {"short_text": 500, "long_text": 10_000, "email": 254, "phone": 30}
    assert {t: limits[t] for t in expected if t in limits} == {t: v for t, v in expected.items() if t in limits}
    assert limits.get("integer") is None


def test_an_explicit_max_length_above_the_ceiling_is_refused_with_its_line() -> None:
    from survey.errors import QuestionnaireInvalid

    too_long = _with_avis_limit(CEILING + 1)
    with pytest.raises(QuestionnaireInvalid) as caught:
        parse_questionnaire(too_long, "securite.yaml")
    line = next(n for n, row in enumerate(too_long.splitlines(), start=1) if "max_length" in row)
    problem = next(p for p in caught.value.problems if p.question == "avis")
    assert str(problem).startswith(f"securite.yaml:{line}:") and f"{CEILING}" in str(problem)
    parse_questionnaire(_with_avis_limit(CEILING), "securite.yaml")


# ---- the whole body --------------------------------------------------------------------------------------------

def test_an_oversized_body_gets_a_polite_page_and_loses_nothing(web) -> None:  # noqa: ANN001
    client, store = web
    _answer_cleanly(client)
    response = _post_page(client, {"avis": "x" * 250_000, "enfants__count": "0"})
    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.text
    assert "Vos réponses déjà enregistrées sont conservées" in response.text
    assert "Traceback" not in response.text
    english = client.post("/s/securite/?lang=en", content="avis=" + quote("x" * 250_000),
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert english.status_code == 413 and "Too much sent at once" in english.text
    _answer_cleanly(client)
    assert len(_stored(store)) == 2
