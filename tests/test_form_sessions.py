"""Forms in progress kept on the server: post/redirect/get, Back and Reload, save and resume on another device,
expiry and its purge, drop-outs page by page, and the store functions other features call."""

from __future__ import annotations

import datetime as dt
import random
import re
import textwrap
from collections import Counter
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from litestar.testing import TestClient
from markupsafe import escape
from sqlalchemy import select, update

from survey.access import Role
from survey.db import COMPLETED, EXPIRED, IN_PROGRESS, PAPER, FormSession, ResponseRow
from survey.dropouts import dropouts
from survey.logic import resolve
from survey.schema import load_questionnaire, parse_questionnaire
from survey.store import Store
from survey.synthetic import synthetic_answers
from survey.validation import finalise
from survey.web.answering import edit_repeat
from survey.web.form_state import FormState
from tests.conftest import ROOT, action_of, add_staff, controls_of, login, post_form, submit
from tests.respondent import page_form

QID = "budget-participatif-habitants"
QUESTIONNAIRE = load_questionnaire(ROOT / "questionnaires" / f"{QID}.yaml")
form_t, response_t = FormSession.__table__, ResponseRow.__table__


def _rows(store: Store) -> list:
    with store.engine.connect() as conn:
        return list(conn.execute(select(form_t).order_by(form_t.c.id)))


def _next(client: TestClient, html: str, fields: list[tuple[str, str]], action: str = "next"):
    """Post a page: always a 303 to a GET (never a page drawn in answer to a POST); return the redirect."""
    response = submit(client, html, fields, action, follow_redirects=False)
    assert response.status_code == 303, response.text
    return response


def _path(location: str) -> str:
    """A redirect's path, without its query (the thanks page's carries the form's key and language)."""
    return location.split("?")[0]


def _shows(html: str, value: str) -> bool:
    """The value is on the page (in a field's value or a text area, escaped as the templates escape it)."""
    return str(escape(value)) in html


def _page_number(html: str) -> int:
    return int(re.search(r"Page (\d+) sur", html).group(1))  # type: ignore[union-attr]


def test_a_get_of_the_first_page_stores_nothing_and_the_first_post_starts_the_form(client: TestClient,
                                                                                  store: Store) -> None:
    for _ in range(3):  # crawlers, link previews, a respondent who only looks
        assert client.get(f"/s/{QID}").status_code == 200
    assert _rows(store) == []
    answers = synthetic_answers(QUESTIONNAIRE, random.Random(1))
    html = client.get(f"/s/{QID}").text
    location = _next(client, html, page_form(QUESTIONNAIRE.pages[0], answers)).headers["location"]
    second = resolve(QUESTIONNAIRE, answers).shown_pages[1]
    assert re.fullmatch(rf"/s/{QID}/f/[A-Za-z0-9_-]{{24}}\?page={QUESTIONNAIRE.pages[second].id}", location)
    [row] = _rows(store)
    assert row.key == location.split("/f/")[1].split("?")[0] and row.status == IN_PROGRESS
    assert row.page == second and row.furthest_page == second and row.pages_visited == [0, second]
    assert row.channel == "web" and row.entered_by is None and row.invitation_id is None
    given = [q.name for q in QUESTIONNAIRE.pages[0].questions if q.name in answers and q.type != "calculate"]
    assert given and {name: row.answers[name] for name in given} == {name: answers[name] for name in given}


def test_back_and_reload_repeat_gets_and_lose_nothing_up_to_and_after_the_last_page(client: TestClient,
                                                                                   store: Store) -> None:
    answers = synthetic_answers(QUESTIONNAIRE, random.Random(2))
    shown = resolve(QUESTIONNAIRE, answers).shown_pages
    assert len(shown) >= 3
    history = [f"/s/{QID}"]  # the URLs the browser's history holds, one per page shown
    html = client.get(history[0]).text
    for index in shown[:2]:
        history.append(_next(client, html, page_form(QUESTIONNAIRE.pages[index], answers)).headers["location"])
        html = client.get(history[-1]).text
    assert _page_number(html) == 3
    reloaded = client.get(history[-1])  # Reload: the same page again, nothing posted
    assert reloaded.status_code == 200 and _page_number(reloaded.text) == 3
    back = client.get(history[-2])  # Back: the page before, with what was answered there
    assert _page_number(back.text) == 2
    for _, value in page_form(QUESTIONNAIRE.pages[shown[1]], answers):
        assert _shows(back.text, value), value
    first = client.get(history[0])  # Back to the questionnaire's own URL: this browser's form, page 1, answers kept
    assert first.history and first.history[0].status_code == 303 and _page_number(first.text) == 1
    for _, value in page_form(QUESTIONNAIRE.pages[0], answers):
        assert _shows(first.text, value), value
    html = client.get(history[-1]).text  # Forward again, and answer to the end
    for index in shown[2:]:
        last = _next(client, html, page_form(QUESTIONNAIRE.pages[index], answers))
        if _path(last.headers["location"]).endswith("/merci"):
            break
        html = client.get(last.headers["location"]).text
    assert _path(last.headers["location"]) == f"/s/{QID}/merci"
    assert store.response_count(QID) == 1
    for url in history[1:]:  # Back (or Reload) after the last page: the thanks page, nothing stored again
        again = client.get(url, follow_redirects=False)
        assert again.status_code == 303 and _path(again.headers["location"]) == f"/s/{QID}/merci", url
    replay = _next(client, html, page_form(QUESTIONNAIRE.pages[shown[-1]], answers))  # the last page resent
    assert _path(replay.headers["location"]) == f"/s/{QID}/merci"
    assert store.response_count(QID) == 1
    assert next(store.responses(QID)).answers == finalise(QUESTIONNAIRE, answers)
    [row] = _rows(store)
    assert row.status == COMPLETED and row.answers == {}  # the response holds them now
    fresh = client.get(history[0])  # the form is done: the questionnaire's URL starts a new one
    assert fresh.history == [] and _page_number(fresh.text) == 1


def test_save_and_continue_later_gives_a_link_that_resumes_on_another_device(client: TestClient,
                                                                              store: Store) -> None:
    answers = synthetic_answers(QUESTIONNAIRE, random.Random(3))
    shown = resolve(QUESTIONNAIRE, answers).shown_pages
    html = client.get(f"/s/{QID}").text
    assert "Continuer plus tard" in html
    page2 = client.get(_next(client, html, page_form(QUESTIONNAIRE.pages[0], answers)).headers["location"]).text
    typed = page_form(QUESTIONNAIRE.pages[shown[1]], answers)
    saved = client.get(_next(client, page2, typed, action="save").headers["location"])
    assert saved.status_code == 200 and "Vos réponses sont enregistrées" in saved.text
    link = re.search(r'id="resume-link" type="text" readonly value="([^"]+)"', saved.text).group(1)  # type: ignore[union-attr]
    key = _rows(store)[0].key
    assert link == f"http://testserver.local/s/{QID}/f/{key}"
    until = (dt.datetime.now(dt.UTC) + dt.timedelta(days=30)).strftime("%d/%m/%Y")
    assert f"jusqu’au {until}" in saved.text
    assert "Vos réponses sont enregistrées" not in client.get(link).text  # shown once
    other = TestClient(app=client.app, base_url="http://testserver.local")  # another browser: no cookie
    with other:
        resumed = other.get(link)
        assert resumed.status_code == 200 and _page_number(resumed.text) == 2
        for _, value in typed:
            assert _shows(resumed.text, value), value
        html = resumed.text
        for index in shown[1:]:
            last = _next(other, html, page_form(QUESTIONNAIRE.pages[index], answers))
            if not _path(last.headers["location"]).endswith("/merci"):
                html = other.get(last.headers["location"]).text
    assert _path(last.headers["location"]) == f"/s/{QID}/merci"
    assert [r.answers for r in store.responses(QID)] == [finalise(QUESTIONNAIRE, answers)]
    english = client.get(f"/s/{QID}?lang=en")  # French-only: no English button, and no way to save twice
    assert "Save and continue later" not in english.text


def test_saving_on_the_first_page_starts_the_form_and_keeps_what_was_typed(client: TestClient, store: Store) -> None:
    html = client.get(f"/s/{QID}").text
    first = QUESTIONNAIRE.pages[0]
    typed = page_form(first, synthetic_answers(QUESTIONNAIRE, random.Random(4)))[:2]
    saved = client.get(_next(client, html, typed, action="save").headers["location"])
    assert "Vos réponses sont enregistrées" in saved.text and _page_number(saved.text) == 1
    for _, value in typed:
        assert _shows(saved.text, value), value
    [row] = _rows(store)
    assert row.page == 0 and row.status == IN_PROGRESS and row.answers


VERSIONED = textwrap.dedent("""\
    id: versions-en-cours
    version: "1"
    title: Versions
    privacy_notice: Anonyme.
    pages:
      - id: un
        questions:
          - {name: a, type: integer, label: "A ?", required: true}
      - id: deux
        questions:
          - {name: b, type: short_text, label: "B ?"}
    """)


def test_a_resumed_form_continues_on_the_version_it_started_on(client: TestClient, store: Store) -> None:
    store.load(parse_questionnaire(VERSIONED))
    html = client.get("/s/versions-en-cours").text
    location = _next(client, html, [("a", "7")]).headers["location"]
    changed = VERSIONED.replace('"B ?"', '"B, nouvelle formulation ?"').replace('version: "1"', 'version: "2"')
    assert store.load(parse_questionnaire(changed)) == "new"
    page = client.get(location).text
    assert "B ?" in page and "nouvelle formulation" not in page
    done = _next(client, page, [("b", "bien")])
    assert _path(done.headers["location"]) == "/s/versions-en-cours/merci"
    [response] = store.responses("versions-en-cours")
    assert response.version == "1" and response.answers == {"a": 7, "b": "bien"}
    fresh = client.get("/s/versions-en-cours").text  # a new form: the new version
    assert "nouvelle formulation" in client.get(_next(client, fresh, [("a", "1")]).headers["location"]).text


def _age(store: Store, key: str, days: float) -> None:
    """Make a form look untouched for `days`."""
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    with store.engine.begin() as conn:
        conn.execute(update(form_t).where(form_t.c.key == key).values(updated_at=moment))


def test_an_untouched_form_expires_politely_and_the_purge_drops_its_answers(client: TestClient,
                                                                            store: Store) -> None:
    store.load(parse_questionnaire(VERSIONED))
    html = client.get("/s/versions-en-cours").text
    url = _next(client, html, [("a", "7")]).headers["location"]
    page = client.get(url).text
    key = _rows(store)[0].key
    _age(store, key, 29.9)
    assert client.get(url).status_code == 200  # within SURVEY_FORM_DAYS (30)
    _age(store, key, 30.1)
    expired = client.get(url)
    assert expired.status_code == 410 and "Formulaire expiré" in expired.text and "recommencer" in expired.text
    posted = submit(client, page, [("b", "trop tard")], follow_redirects=False)
    assert posted.status_code == 410 and store.response_count("versions-en-cours") == 0
    fresh = client.get("/s/versions-en-cours")  # the cookie's form has expired: a new form
    assert fresh.status_code == 200 and fresh.history == []
    assert store.expire_forms(dt.timedelta(days=30)) == 1
    assert store.expire_forms(dt.timedelta(days=30)) == 0
    [row] = _rows(store)
    assert row.status == EXPIRED and row.answers == {} and row.furthest_page == 1  # still a drop-out, anonymous
    assert client.get(url).status_code == 410


def test_purge_forms_on_the_command_line(store: Store, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from typer.testing import CliRunner

    from survey.cli import app

    store.load(parse_questionnaire(VERSIONED))
    version = store.current("versions-en-cours").version_id  # type: ignore[union-attr]
    old, recent = (store.start_form("versions-en-cours", version, "fr", answers={"a": n}) for n in (1, 2))
    _age(store, old.key, 40)
    monkeypatch.setenv("SURVEY_DATABASE_URL", store.engine.url.render_as_string(hide_password=False))
    result = CliRunner().invoke(app, ["purge-forms"])
    assert result.exit_code == 0 and result.output.strip() == "1 form(s) in progress expired"
    assert store.form_session(old.key).status == EXPIRED  # type: ignore[union-attr]
    assert store.form_session(recent.key).answers == {"a": 2}  # type: ignore[union-attr]


def test_the_store_starts_resumes_and_completes_forms_once(store: Store) -> None:
    """What invitations, quotas and staff entry call: start for an invitation, find it again, complete once."""
    store.load(parse_questionnaire(VERSIONED))
    version = store.current("versions-en-cours").version_id  # type: ignore[union-attr]
    assert store.form_for_invitation(41) is None
    earlier = store.start_form("versions-en-cours", version, "fr", invitation_id=41, answers={"a": 1})
    later = store.start_form("versions-en-cours", version, "fr", invitation_id=41)
    assert store.form_for_invitation(41).key == later.key != earlier.key  # type: ignore[union-attr]
    first = store.start_form("versions-en-cours", version, "fr", answers={"a": 1})
    assert store.save_form(first.key, page=1, answers={"a": 3}, language="fr", flash=None, pages_visited=(0,))
    saved = store.form_session(first.key)
    assert saved.page == 1 and saved.furthest_page == 1 and saved.pages_visited == (0, 1)  # type: ignore[union-attr]
    assert store.complete_form(saved, {"a": 3, "b": "x"}) is True  # type: ignore[arg-type]
    assert store.complete_form(saved, {"a": 4}) is False  # type: ignore[arg-type]
    assert not store.save_form(first.key, page=0, answers={}, language="fr", flash=None, pages_visited=())
    assert [r.answers for r in store.responses("versions-en-cours")] == [{"a": 3, "b": "x"}]
    staff_id = store.add_user("saisie@example.fr", "x", Role.INTERVIEWER, ["default"])
    paper = store.start_form("versions-en-cours", version, "fr", channel=PAPER, entered_by=staff_id)
    store.complete_form(paper, {"a": 5})
    with store.engine.connect() as conn:
        forms = dict(conn.execute(select(form_t.c.key, form_t.c.status)).all())
        channels = conn.execute(select(response_t.c.submission_key, response_t.c.channel, response_t.c.entered_by)
                                .order_by(response_t.c.id)).all()
    assert forms == {first.key: COMPLETED, earlier.key: IN_PROGRESS, later.key: IN_PROGRESS, paper.key: COMPLETED}
    assert [tuple(r) for r in channels] == [(first.key, "web", None), (paper.key, PAPER, staff_id)]
    assert store.form_session("nope") is None and store.form_session("x" * 100) is None


def test_drop_outs_page_by_page_on_the_staff_page(client: TestClient, store: Store) -> None:
    """Forms stopped at each page, counted here from what each simulated respondent did."""
    store.load(parse_questionnaire(VERSIONED))
    version = store.current("versions-en-cours").version_id  # type: ignore[union-attr]
    rng = random.Random(5)
    outcomes = [rng.choice(["un", "deux", "sent"]) for _ in range(40)]
    for outcome in outcomes:
        form = store.start_form("versions-en-cours", version, "fr", answers={"a": 1})
        if outcome != "un":
            store.save_form(form.key, page=1, answers={"a": 1}, language="fr", flash=None, pages_visited=(0,))
        if outcome == "sent":
            store.complete_form(store.form_session(form.key), {"a": 1})  # type: ignore[arg-type]
    store.start_form("versions-en-cours", version, "fr", channel=PAPER)  # staff entries are not drop-outs
    expected = Counter(outcomes)
    counted = dropouts([(c.version_id, c.furthest_page, c.status, c.count)
                        for c in store.form_funnel("versions-en-cours")],
                       {version: [("un", "1. un"), ("deux", "2. deux")]}, threshold=1)
    assert (counted.started, counted.completed) == (40, expected["sent"])
    assert [(r.page_id, r.count) for r in counted.rows] == [("un", expected["un"]), ("deux", expected["deux"])]
    add_staff(store, "eval@example.fr", Role.EVALUATOR, ["default"])
    login(client, "eval@example.fr")
    page = client.get("/staff/q/versions-en-cours").text
    section = page[page.index('id="abandons"'):page.index('id="resultats"')]
    rate = f"{100 * expected['sent'] / 40:.1f}".replace(".", ",").removesuffix(",0")
    assert "<dd>40</dd>" in section and f"<dd>{expected['sent']}</dd>" in section and f"{rate}\u00a0%" in section
    shown = re.findall(r'<th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', section)
    assert [label for label, _ in shown] == ["1. un", "2. deux"]
    for (_, text), page_id in zip(shown, ("un", "deux"), strict=True):  # the mission's rule: under 11 is hidden
        count = expected[page_id]
        assert text == (str(count) if count >= 11 else "&lt;\u00a011") or text == "×", (page_id, count, text)


@given(st.lists(st.tuples(st.integers(0, 3), st.sampled_from(["in_progress", "expired", "completed"]),
                          st.integers(1, 30)), max_size=12), st.integers(1, 15))
def test_drop_out_counts_add_up_and_hide_small_ones(groups: list[tuple[int, str, int]], threshold: int) -> None:
    pages = {1: [("p0", "p0"), ("p1", "p1"), ("p2", "p2"), ("p3", "p3")]}
    counted = dropouts([(1, page, status, n) for page, status, n in groups], pages, threshold)
    stopped = Counter()
    for page, status, n in groups:
        if status != "completed":
            stopped[f"p{page}"] += n
    assert counted.started == sum(n for _, _, n in groups)
    assert counted.unfinished == sum(stopped.values())
    if counted.withheld:
        assert counted.rows == ()
        return
    for row in counted.rows:
        assert row.count == stopped[row.page_id]
        if row.text not in ("×", f"<\u00a0{threshold}"):
            assert row.text == str(row.count) and (row.count == 0 or row.count >= threshold)
        elif row.text != "×":
            assert 0 < row.count < threshold


def test_forged_numbers_in_a_posted_form_get_no_500(client: TestClient, store: Store) -> None:
    """« ² » passes `str.isdigit` but not `int`: a forged version, page or repeat item is refused politely."""
    html = client.get(f"/s/{QID}").text
    forged = [(name, "²" if name == "version" else value) for name, value in controls_of(html)]
    first = post_form(client, action_of(html), [*forged, ("action", "next")], follow_redirects=False)
    assert first.status_code == 400 and _rows(store) == []
    answers = synthetic_answers(QUESTIONNAIRE, random.Random(3))
    location = _next(client, html, page_form(QUESTIONNAIRE.pages[0], answers)).headers["location"]
    page = client.get(location).text
    forged = [(name, "²" if name == "page" else value) for name, value in controls_of(page)]
    again = post_form(client, action_of(page), [*forged, ("action", "next")], follow_redirects=False)
    assert again.status_code == 303 and _path(again.headers["location"]) == _path(location)  # where it stands
    [row] = _rows(store)
    assert row.page == resolve(QUESTIONNAIRE, answers).shown_pages[1]
    index, repeat = next((i, q) for i, p in enumerate(QUESTIONNAIRE.pages) for q in p.questions if q.type == "repeat")
    instances = next(a[repeat.name] for seed in range(50)
                     if len((a := synthetic_answers(QUESTIONNAIRE, random.Random(seed))).get(repeat.name) or []) >= 2)
    fields: dict[str, list[str]] = {}
    for name, value in page_form(QUESTIONNAIRE.pages[index], {repeat.name: instances}):
        fields.setdefault(name, []).append(value)
    state = FormState(version_id=1, key="k", page=index, language="fr", answers={})
    kept = edit_repeat(QUESTIONNAIRE, state, fields, f"remove:{repeat.name}:²").answers[repeat.name]
    assert len(kept) == len(instances)  # nothing removed
    assert len(edit_repeat(QUESTIONNAIRE, state, fields, f"remove:{repeat.name}:0").answers[repeat.name]) \
        == len(instances) - 1
