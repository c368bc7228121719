"""Managing stored responses: staff list, filter and open them, mark them as test data, correct an answer, delete
them (each change audited); synthetic responses (`survey seed`) stay out of results and exports unless asked for,
and `survey purge-synthetic` removes them. Every expected count is worked out here from what the test stored."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import time
import zipfile
from pathlib import Path

import pytest
from litestar.testing import TestClient
from typer.testing import CliRunner

from survey import cli, datasets, deliverables
from survey.access import Role
from survey.db import REAL, SYNTHETIC, TEST
from survey.schema import load_questionnaire
from survey.store import Store
from survey.store_responses import CORRECTED, DELETED, MARKED, PURGED, ResponseFilter
from survey.synthetic import synthetic_responses
from survey.validation import finalise
from tests.conftest import ROOT, add_staff, csrf_of, login, post_form

BUDGET = "budget-participatif-habitants"
TRAINING = "formation-democratie-participative"
BUDGET_MISSION = load_questionnaire(ROOT / "questionnaires" / f"{BUDGET}.yaml").mission.id  # type: ignore[union-attr]
TRAINING_MISSION = load_questionnaire(ROOT / "questionnaires" / f"{TRAINING}.yaml").mission.id  # type: ignore[union-attr]
AS_STORED = deliverables.ProfileChoice(k=1, suppression=0, l=1)  # every row exported as stored
DAY = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


def _stored(store: Store, count: int = 6, synthetic: int = 0) -> list[int]:
    """`count` real responses to the budget questionnaire, one a day from DAY, each with `anciennete_commune` =
    40 + its rank (a value no other row holds), and `synthetic` synthetic ones; the real responses' ids."""
    loaded = store.current(BUDGET)
    drawn = synthetic_responses(loaded.questionnaire, count + synthetic, 11, DAY)  # type: ignore[union-attr]
    # finalised again, so that the calculation reading it holds
    questionnaire = loaded.questionnaire  # type: ignore[union-attr]
    real = [(f"real-{i}", finalise(questionnaire, {**{k: v for k, v in answers.items() if k != "tranche_anciennete"},
                                                   "anciennete_commune": 40 + i}),
             DAY + dt.timedelta(days=i)) for i, (_, answers, _) in enumerate(drawn[:count])]
    store.store_many(loaded.version_id, real)  # type: ignore[union-attr]
    store.store_many(loaded.version_id, [(f"synth-{i}", a, DAY) for i, (_, a, _) in enumerate(drawn[count:])],  # type: ignore[union-attr]
                     SYNTHETIC)
    lines = store.response_lines(BUDGET, ResponseFilter(status=None), limit=1000)
    return sorted(line.id for line in lines if line.status == REAL)


def _export_rows(store: Store, tmp_path: Path, include_synthetic: bool = False) -> list[dict[str, str]]:
    """The main table of a CSV export, read with the csv module."""
    out = deliverables.write_export(store, BUDGET, "csv", tmp_path / f"export-{time.monotonic_ns()}.zip",
                                    profile=AS_STORED, include_synthetic=include_synthetic)
    return _zip_rows(out.read_bytes())


def _zip_rows(content: bytes) -> list[dict[str, str]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        text = archive.read(f"{BUDGET}.csv").decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def _summary_count(store: Store) -> int:
    return deliverables.summary(store, BUDGET)[1].response_count


@pytest.fixture
def budget(store: Store) -> Store:
    store.load(load_questionnaire(ROOT / "questionnaires" / f"{BUDGET}.yaml"))
    return store


# --- the store -----------------------------------------------------------------------------------------------------


def test_filters_keep_the_status_version_and_days_asked_for(budget: Store) -> None:
    ids = _stored(budget, 6, synthetic=2)
    everything = ResponseFilter(status=None)
    assert budget.response_status_counts(BUDGET, everything) == {REAL: 6, TEST: 0, SYNTHETIC: 2}
    assert [line.id for line in budget.response_lines(BUDGET, ResponseFilter())] == ids[::-1]  # newest first
    days = ResponseFilter(since=(DAY + dt.timedelta(days=1)).date(), until=(DAY + dt.timedelta(days=3)).date())
    assert [line.id for line in budget.response_lines(BUDGET, days)] == ids[3:0:-1]  # days 1, 2, 3 included
    [label] = budget.version_ids(BUDGET)
    assert budget.response_lines(BUDGET, ResponseFilter(version=label), offset=4, limit=10)[0].id == ids[1]
    assert budget.response_lines(BUDGET, ResponseFilter(version="another")) == []
    assert len(budget.response_lines(BUDGET, ResponseFilter(status=SYNTHETIC))) == 2


def test_a_response_marked_as_test_leaves_the_results_the_export_and_the_counts(budget: Store, tmp_path: Path) -> None:
    ids = _stored(budget, 6)
    assert _summary_count(budget) == 6 and budget.listing(BUDGET).responses == 6  # type: ignore[union-attr]
    assert len(_export_rows(budget, tmp_path)) == 6  # the coded table is built and kept now
    assert budget.set_response_status("cli:test", BUDGET, ids[2], TEST) == REAL
    assert _summary_count(budget) == 5
    rows = _export_rows(budget, tmp_path)
    assert sorted(int(row["anciennete_commune"]) for row in rows) == [40, 41, 43, 44, 45]
    assert budget.listing(BUDGET).responses == 5  # type: ignore[union-attr]
    assert [v.responses for v in budget.version_listing(BUDGET)] == [5]
    [event] = budget.audit_events(BUDGET, action=MARKED)
    assert event.detail == {"response": ids[2], "before": REAL, "after": TEST} and event.actor == "cli:test"
    # and back
    assert budget.set_response_status("cli:test", BUDGET, ids[2], REAL) == TEST
    assert _summary_count(budget) == 6 and len(_export_rows(budget, tmp_path)) == 6


def test_a_cached_table_in_another_process_is_rebuilt_after_a_change(budget: Store, tmp_path: Path) -> None:
    ids = _stored(budget, 4)
    first = datasets.CodedTables(budget, tmp_path / "cache")
    assert first.dataset(BUDGET).table.main.height == 4  # written as Parquet files
    budget.delete_response("cli:test", BUDGET, ids[0])
    other = datasets.CodedTables(budget, tmp_path / "cache")  # a process started after the change
    assert other.dataset(BUDGET).table.main.height == 3
    assert first.dataset(BUDGET).table.main.height == 3


def test_a_correction_is_audited_with_before_and_after_and_reaches_the_next_export(budget: Store,
                                                                                   tmp_path: Path) -> None:
    from survey.response_view import corrected

    ids = _stored(budget, 3)
    assert sorted(row["anciennete_commune"] for row in _export_rows(budget, tmp_path)) == ["40", "41", "42"]
    questionnaire = budget.current(BUDGET).questionnaire  # type: ignore[union-attr]
    change = {"anciennete_commune": 1}
    before, after = budget.correct_response("cli:test", BUDGET, ids[1], "anciennete_commune",
                                            lambda stored: corrected(questionnaire, stored, "anciennete_commune",
                                                                     change))  # type: ignore[misc]
    # the calculation that reads it is computed again: 41 years was « 10 ans et plus », 1 is « moins de 2 ans »
    assert before == {"anciennete_commune": 41, "tranche_anciennete": "10_ans_et_plus"}
    assert after == {"anciennete_commune": 1, "tranche_anciennete": "moins_2_ans"}
    [event] = budget.audit_events(BUDGET, action=CORRECTED)
    assert event.detail["before"] == before and event.detail["after"] == after
    assert event.detail["response"] == ids[1] and event.detail["question"] == "anciennete_commune"
    rows = _export_rows(budget, tmp_path)
    assert sorted(row["anciennete_commune"] for row in rows) == ["1", "40", "42"]
    assert budget.stored_response(BUDGET, ids[1]).corrected_at is not None  # type: ignore[union-attr]


def test_synthetic_responses_are_left_out_unless_asked_for_and_purged(budget: Store, tmp_path: Path) -> None:
    _stored(budget, 3, synthetic=4)
    assert _summary_count(budget) == 3 and len(_export_rows(budget, tmp_path)) == 3
    assert len(_export_rows(budget, tmp_path, include_synthetic=True)) == 7
    assert budget.listing(BUDGET).responses == 3  # type: ignore[union-attr]
    assert budget.purge_synthetic("cli:test", BUDGET) == 4
    assert budget.response_status_counts(BUDGET, ResponseFilter(status=None)) == {REAL: 3, TEST: 0, SYNTHETIC: 0}
    assert len(_export_rows(budget, tmp_path, include_synthetic=True)) == 3
    [event] = budget.audit_events(BUDGET, action=PURGED)
    assert event.detail == {"deleted": 4}


def test_a_deletion_is_audited_without_the_answers(budget: Store, tmp_path: Path) -> None:
    ids = _stored(budget, 3)
    assert budget.delete_response("cli:test", BUDGET, ids[0]) is True
    assert budget.delete_response("cli:test", BUDGET, ids[0]) is False
    assert budget.stored_response(BUDGET, ids[0]) is None
    [event] = budget.audit_events(BUDGET, action=DELETED)
    assert event.detail["response"] == ids[0] and event.detail["status"] == REAL
    assert set(event.detail) == {"response", "version", "status", "submitted_at"}
    assert sorted(row["anciennete_commune"] for row in _export_rows(budget, tmp_path)) == ["41", "42"]


# --- the staff pages -------------------------------------------------------------------------------------------------


def _token(client: TestClient, url: str) -> str:
    return csrf_of(client.get(url).text)


def test_an_evaluator_lists_opens_marks_corrects_and_deletes(client: TestClient, store: Store) -> None:
    ids = _stored(store, 4, synthetic=1)
    add_staff(store, "eval@example.fr", Role.EVALUATOR, [BUDGET_MISSION])
    login(client, "eval@example.fr")
    assert f'href="/staff/q/{BUDGET}/responses"' in client.get(f"/staff/q/{BUDGET}").text
    listing = client.get(f"/staff/q/{BUDGET}/responses")
    assert listing.status_code == 200 and "<caption>" in listing.text and 'scope="row"' in listing.text
    assert all(f"/responses/{i}\"" in listing.text for i in ids)
    synthetic = client.get(f"/staff/q/{BUDGET}/responses?status=synthetic").text
    assert not any(f"/responses/{i}\"" in synthetic for i in ids) and "(1)" in synthetic
    assert client.get(f"/staff/q/{BUDGET}/responses?since=yesterday").status_code == 400
    assert client.get(f"/staff/q/{BUDGET}/responses?version=9.9").status_code == 400
    for page in ("0", "²", "9" * 40):  # « ² » passes str.isdigit but not int(): a 400, not a 500
        assert client.get(f"/staff/q/{BUDGET}/responses?page={page}").status_code == 400

    page = client.get(f"/staff/q/{BUDGET}/responses/{ids[0]}")
    assert page.status_code == 200
    assert "Depuis combien d’années habitez-vous votre commune ?" in page.text and ">40<" in page.text
    # mark as test: a POST with its CSRF token, answered by a redirect
    url = f"/staff/q/{BUDGET}/responses/{ids[0]}"
    assert client.post(f"{url}/status", data={"status": "test"}, follow_redirects=False).status_code == 403
    marked = post_form(client, f"{url}/status", [("_csrf_token", csrf_of(page.text)), ("status", "test")],
                       follow_redirects=False)
    assert marked.status_code == 303 and marked.headers["location"] == f"{url}?done=marked_test"
    assert store.stored_response(BUDGET, ids[0]).status == TEST  # type: ignore[union-attr]
    assert f"/responses/{ids[0]}\"" in client.get(f"/staff/q/{BUDGET}/responses?status=test").text

    # correct one answer: the respondent's own widget, the codec's checks
    form = client.get(f"{url}/correct/anciennete_commune")
    assert form.status_code == 200 and 'name="anciennete_commune"' in form.text
    refused = post_form(client, f"{url}/correct/anciennete_commune",
                        [("_csrf_token", csrf_of(form.text)), ("anciennete_commune", "500")])
    assert refused.status_code == 422 and "au plus 100" in refused.text
    refused = post_form(client, f"{url}/correct/anciennete_commune",
                        [("_csrf_token", csrf_of(form.text)), ("anciennete_commune", "douze")])
    assert refused.status_code == 422
    assert store.stored_response(BUDGET, ids[0]).answers["anciennete_commune"] == 40  # type: ignore[union-attr]
    done = post_form(client, f"{url}/correct/anciennete_commune",
                     [("_csrf_token", csrf_of(form.text)), ("anciennete_commune", "12")], follow_redirects=False)
    assert done.status_code == 303
    assert store.stored_response(BUDGET, ids[0]).answers["anciennete_commune"] == 12  # type: ignore[union-attr]
    [event] = store.audit_events(BUDGET, action=CORRECTED)
    assert event.actor == "eval@example.fr" and event.detail["before"]["anciennete_commune"] == 40
    assert client.get(f"{url}/correct/tranche_anciennete").status_code == 404  # a calculation: not corrected
    assert client.get(f"{url}/correct/projets_votes").status_code == 404  # a repeat group: not one answer

    # delete, after a confirmation step
    confirm = client.get(f"{url}/delete")
    assert confirm.status_code == 200 and 'method="post"' in confirm.text
    gone = post_form(client, f"{url}/delete", [("_csrf_token", csrf_of(confirm.text))], follow_redirects=False)
    assert gone.status_code == 303 and client.get(url).status_code == 404
    [event] = store.audit_events(BUDGET, action=DELETED)
    assert event.actor == "eval@example.fr"


def test_the_export_form_adds_synthetic_responses_only_when_ticked(client: TestClient, store: Store) -> None:
    _stored(store, 3, synthetic=2)
    add_staff(store, "eval@example.fr", Role.EVALUATOR, [BUDGET_MISSION])
    login(client, "eval@example.fr")
    for ticked, expected in ((False, 3), (True, 5)):
        page = client.get(f"/staff/q/{BUDGET}")
        assert 'name="include_synthetic"' in page.text
        fields = [("_csrf_token", csrf_of(page.text)), ("format", "csv"), ("k", "1"), ("suppression", "0"),
                  ("l", "1")] + ([("include_synthetic", "1")] if ticked else [])
        job = post_form(client, f"/staff/q/{BUDGET}/export", fields, follow_redirects=False).headers["location"]
        deadline = time.monotonic() + 120
        while '/static/job.js' in (text := client.get(job).text) and time.monotonic() < deadline:
            time.sleep(0.2)
        link = re.search(r'href="(/staff/jobs/[^"]+/file)"', text).group(1)  # type: ignore[union-attr]
        assert len(_zip_rows(client.get(link).content)) == expected


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.INTERVIEWER])
def test_consultants_and_interviewers_never_see_individual_responses(client: TestClient, store: Store,
                                                                      role: Role) -> None:
    ids = _stored(store, 1)
    add_staff(store, "someone@example.fr", role, [BUDGET_MISSION])
    login(client, "someone@example.fr")
    for url in (f"/staff/q/{BUDGET}/responses", f"/staff/q/{BUDGET}/responses/{ids[0]}",
                f"/staff/q/{BUDGET}/responses/{ids[0]}/delete"):
        assert client.get(url).status_code == 403, url
    token = _token(client, "/staff")
    assert post_form(client, f"/staff/q/{BUDGET}/responses/{ids[0]}/delete",
                     [("_csrf_token", token)]).status_code == 403
    assert store.stored_response(BUDGET, ids[0]) is not None
    if role is Role.CONSULTANT:
        assert "/responses" not in client.get(f"/staff/q/{BUDGET}").text


def test_an_admin_manages_the_responses_of_every_mission(client: TestClient, store: Store) -> None:
    ids = _stored(store, 1)
    add_staff(store, "admin@example.fr", Role.ADMIN)
    login(client, "admin@example.fr")
    assert client.get(f"/staff/q/{BUDGET}/responses").status_code == 200
    assert client.get(f"/staff/q/{BUDGET}/responses/{ids[0]}").status_code == 200


def test_another_missions_responses_answer_404(client: TestClient, store: Store) -> None:
    ids = _stored(store, 1)
    add_staff(store, "other@example.fr", Role.EVALUATOR, [TRAINING_MISSION])
    login(client, "other@example.fr")
    token = _token(client, "/staff")
    for url in (f"/staff/q/{BUDGET}/responses", f"/staff/q/{BUDGET}/responses/{ids[0]}"):
        assert client.get(url).status_code == 404, url
    assert post_form(client, f"/staff/q/{BUDGET}/responses/{ids[0]}/status",
                     [("_csrf_token", token), ("status", "test")]).status_code == 404
    deleted = post_form(client, f"/staff/q/{BUDGET}/responses/{ids[0]}/delete", [("_csrf_token", token)])
    assert deleted.status_code == 404
    # a response of another questionnaire, reached through one the member does see
    assert client.get(f"/staff/q/{TRAINING}/responses/{ids[0]}").status_code == 404
    assert store.stored_response(BUDGET, ids[0]).status == REAL  # type: ignore[union-attr]


# --- the command line ------------------------------------------------------------------------------------------------


def _run(*args: str):  # noqa: ANN202
    return CliRunner().invoke(cli.app, list(args))


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Store:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SURVEY_DATABASE_URL", url)
    assert _run("load", str(ROOT / "questionnaires" / f"{BUDGET}.yaml")).exit_code == 0
    return Store.from_url(url)


@pytest.mark.parametrize("count", ["-5", "0", "100000000000", "beaucoup"])
def test_seed_refuses_a_bad_count_in_one_line(sqlite_env: Store, count: str) -> None:
    result = _run("seed", BUDGET, "-n", count)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: -n ") and "Traceback" not in result.output
    assert sqlite_env.response_status_counts(BUDGET, ResponseFilter(status=None)) == {REAL: 0, TEST: 0, SYNTHETIC: 0}


def test_seed_stores_synthetic_responses_and_purge_removes_only_them(sqlite_env: Store, tmp_path: Path) -> None:
    _stored(sqlite_env, 2)
    result = _run("seed", BUDGET, "-n", "5", "--jobs", "1")
    assert result.exit_code == 0 and "purge-synthetic" in result.output
    assert sqlite_env.response_status_counts(BUDGET, ResponseFilter(status=None)) == {REAL: 2, TEST: 0, SYNTHETIC: 5}
    assert "responses=2\tsynthetic=5" in _run("list").output
    default, asked = tmp_path / "a.zip", tmp_path / "b.zip"
    common = ["--k", "1", "--suppression", "0", "--l", "1"]
    assert _run("export", BUDGET, "-o", str(default), *common).exit_code == 0
    assert _run("export", BUDGET, "-o", str(asked), "--include-synthetic", *common).exit_code == 0
    assert (len(_zip_rows(default.read_bytes())), len(_zip_rows(asked.read_bytes()))) == (2, 7)
    purged = _run("purge-synthetic", BUDGET)
    assert purged.exit_code == 0 and "5 synthetic response(s)" in purged.output
    assert sqlite_env.response_status_counts(BUDGET, ResponseFilter(status=None)) == {REAL: 2, TEST: 0, SYNTHETIC: 0}
    assert _run("purge-synthetic", "nope").exit_code == 1
