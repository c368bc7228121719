"""Synthetic responses (`survey seed`): every one passes validation, the same seed gives the same data, fast storage."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from survey import cli, cli_responses
from survey.schema import load_questionnaire
from survey.store import Store
from survey.synthetic import synthetic_responses
from survey.validation import validate_answers
from tests.conftest import EXAMPLE_QUESTIONNAIRES, ROOT

EXAMPLES = EXAMPLE_QUESTIONNAIRES
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_synthetic_response_passes_validation(path: Path) -> None:
    questionnaire = load_questionnaire(path)
    responses = synthetic_responses(questionnaire, 80, seed=11, now=NOW, today="2026-06-01")
    assert len(responses) == 80 and len({key for key, _, _ in responses}) == 80
    for _, answers, at in responses:
        assert validate_answers(questionnaire, answers, "2026-06-01") == []
        assert NOW - dt.timedelta(days=30) <= at <= NOW


def test_the_generated_kobo_questionnaire_seeds_valid_responses() -> None:
    questionnaire = load_questionnaire(ROOT / "bench" / "kobo-510.yaml")
    assert sum(1 for _ in questionnaire.questions()) == 510
    for _, answers, _ in synthetic_responses(questionnaire, 5, seed=2, now=NOW, today="2026-06-01"):
        assert validate_answers(questionnaire, answers, "2026-06-01") == []


def test_the_same_seed_gives_the_same_answers() -> None:
    questionnaire = load_questionnaire(ROOT / "questionnaires" / "budget-participatif-habitants.yaml")
    first = synthetic_responses(questionnaire, 20, seed=5, now=NOW)
    again = synthetic_responses(questionnaire, 20, seed=5, now=NOW)
    assert [(answers, at) for _, answers, at in first] == [(answers, at) for _, answers, at in again]
    assert {key for key, _, _ in first}.isdisjoint(key for key, _, _ in again)  # seeding twice adds responses


def _seed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, *options: str) -> Store:
    """A fresh SQLite database with the budget questionnaire, seeded by the CLI with `options`."""
    monkeypatch.setenv("SURVEY_DATABASE_URL", f"sqlite:///{tmp_path / name}")
    runner = CliRunner()
    assert runner.invoke(cli.app, ["load", str(ROOT / "questionnaires" / "budget-participatif-habitants.yaml")]
                         ).exit_code == 0
    result = runner.invoke(cli.app, ["seed", "budget-participatif-habitants", *options])
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return Store.from_url(f"sqlite:///{tmp_path / name}")


def test_seed_stores_valid_responses_and_the_same_data_with_one_or_two_processes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_responses, "SEED_CHUNK", 7)  # several chunks, so two processes really share the work
    alone = _seed(tmp_path, monkeypatch, "one.db", "-n", "30", "--seed", "3", "--jobs", "1")
    shared = _seed(tmp_path, monkeypatch, "two.db", "-n", "30", "--seed", "3", "--jobs", "2")
    questionnaire = alone.current("budget-participatif-habitants").questionnaire  # type: ignore[union-attr]
    one = [r.answers for r in alone.responses("budget-participatif-habitants")]
    two = [r.answers for r in shared.responses("budget-participatif-habitants")]
    assert len(one) == 30 and one == two
    today = dt.date.today().isoformat()
    assert all(validate_answers(questionnaire, answers, today) == [] for answers in one)


def test_store_many_skips_keys_already_stored_and_keeps_every_value(store: Store) -> None:
    questionnaire = load_questionnaire(ROOT / "questionnaires" / "atelier-retour.yaml")
    store.load(questionnaire)
    version_id = store.current(questionnaire.id).version_id  # type: ignore[union-attr]
    at = dt.datetime(2026, 3, 1, 10, 30, 15, 250000, tzinfo=dt.UTC)
    text = {"commentaire": "Très « bien » ; tab\there, newline\nand a backslash \\ — ok", "n": 3, "x": [1.5, None]}
    store.store_many(version_id, [("k1", {"a": 1}, at)])
    store.store_many(version_id, [("k1", {"a": 2}, at), ("k2", text, at), ("k2", {"a": 3}, at)])
    records = list(store.responses(questionnaire.id))
    assert [r.answers for r in records] == [{"a": 1}, text]
    assert all(r.submitted_at.replace(tzinfo=dt.UTC) == at for r in records)
