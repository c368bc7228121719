"""GDPR: retention periods per mission, `survey purge` and the service's periodic check, erasure of one's own
response, the privacy notice's retention sentence, and the register of processing."""

from __future__ import annotations

import datetime as dt
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from survey.access import Role
from survey.cli import app as cli_app
from survey.gdpr import RetentionSchedule, purge
from survey.register import processing_register, to_markdown
from survey.retention import due, notice
from survey.schema import Mission, parse_questionnaire
from survey.settings import Settings
from survey.store import Store
from survey.store_responses import ResponseFilter

NOW = dt.datetime(2027, 3, 1, 12, 0, tzinfo=dt.UTC)

YAML = textwrap.dedent("""\
    id: retention-test
    version: "1"
    title: Conservation
    privacy_notice: Vos réponses servent à évaluer le budget participatif.
    mission:
      id: mission-retention
      name: Évaluation du budget participatif
      client: Ville de Saint-Aubin
      retention_days: 30
      contact: dpo@saint-aubin.fr
      purpose: Évaluer le budget participatif 2026
    pages:
      - id: p1
        questions:
          - name: quartier
            type: single_choice
            label: Votre quartier
            choices: [{code: centre, label: Centre}, {code: nord, label: Nord}]
          - {name: courriel, type: email, label: Votre courriel}
          - {name: avis, type: long_text, label: Votre avis}
    quotas:
      - {name: total, limit: 100}
    """)
PER_RESPONSE = parse_questionnaire(YAML, "retention.yaml")
WITH_END = parse_questionnaire(YAML.replace("  retention_days: 30", "  end: 2026-12-31\n  retention_days: 30"),
                               "retention.yaml")


# --- when the period runs out (pure) -----------------------------------------------------------------------------

@given(st.integers(1, 3000), st.dates(dt.date(2020, 1, 1), dt.date(2030, 1, 1)), st.integers(-5, 5))
def test_with_an_end_everything_goes_the_day_after_end_plus_the_period_and_nothing_before(days, end, offset) -> None:
    mission = Mission(id="m", name="M", end=end, retention_days=days)
    today = end + dt.timedelta(days=days + offset)
    rule = due(mission, NOW, today)
    if offset >= 1:
        assert rule is not None and rule.everything
    else:
        assert rule is None


@given(st.integers(1, 3000))
def test_without_an_end_each_response_goes_the_period_after_it_was_sent(days) -> None:
    rule = due(Mission(id="m", name="M", retention_days=days), NOW)
    assert rule is not None and not rule.everything
    assert NOW - rule.before == dt.timedelta(days=days)


def test_no_period_keeps_everything() -> None:
    assert due(Mission(id="m", name="M", end=dt.date(2020, 1, 1)), NOW) is None
    assert due(None, NOW) is None


def test_the_privacy_notice_states_the_real_period_and_contact_in_each_language() -> None:
    assert notice(WITH_END.mission, "fr") == [
        "Vos réponses sont conservées 30 jours après la fin de la mission (31/12/2026), soit jusqu’au 30/01/2027, "
        "puis supprimées. Les tableaux anonymisés déjà produits restent.",
        "Pour exercer vos droits (accès, rectification, effacement) : dpo@saint-aubin.fr."]
    assert notice(PER_RESPONSE.mission, "en")[0] == (
        "Your answers are kept for 30 days after you send them, then deleted. Anonymised tables already produced "
        "remain.")


def test_retention_days_out_of_range_is_located() -> None:
    from survey.errors import QuestionnaireInvalid

    with pytest.raises(QuestionnaireInvalid) as caught:
        parse_questionnaire(YAML.replace("retention_days: 30", "retention_days: 0"), "r.yaml")
    line = 1 + YAML.splitlines().index("  retention_days: 30")
    assert str(caught.value.problems[0]).startswith(f"r.yaml:{line}: `retention_days`: input should be greater than")


# --- purge, on both databases ------------------------------------------------------------------------------------

def _answers(quartier: str = "centre") -> dict:
    return {"quartier": quartier, "courriel": "a@b.fr", "avis": "Très bien"}


def _loaded(store: Store, questionnaire=PER_RESPONSE) -> int:  # noqa: ANN001
    store.load(questionnaire)
    return store.current(questionnaire.id).version_id  # type: ignore[union-attr]


def test_purge_deletes_responses_older_than_the_period_and_audits_counts_only(store: Store) -> None:
    version_id = _loaded(store)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for key, days_ago in (("old1", 45), ("old2", 31), ("new", 29)):
        store.store_response(version_id, key, _answers(), submitted_at=now - dt.timedelta(days=days_ago))
    assert store.quota_counts(PER_RESPONSE.id)[("total", "")] == 3
    done = store.purge_expired("cli:test", now)
    assert [(p.questionnaire_id, p.responses, p.forms) for p in done] == [(PER_RESPONSE.id, 2, 0)]
    assert [r.submitted_at.replace(tzinfo=dt.UTC) for r in store.responses(PER_RESPONSE.id)] == \
           [now - dt.timedelta(days=29)]
    assert store.quota_counts(PER_RESPONSE.id)[("total", "")] == 1  # the deleted ones gave their places back
    event = store.audit_events(PER_RESPONSE.id)[0]
    assert (event.action, event.actor, event.detail["responses"], event.detail["forms"]) == \
           ("retention_purge", "cli:test", 2, 0)
    assert "Très bien" not in str(event.detail) and "a@b.fr" not in str(event.detail)
    assert store.purge_expired("cli:test", now) == []  # nothing left to delete: no second audit row
    later = store.purge_expired("cli:test", now + dt.timedelta(days=31))
    assert [(p.responses, p.forms) for p in later] == [(1, 0)]


def test_a_mission_with_an_end_keeps_everything_until_its_period_is_over(store: Store) -> None:
    version_id = _loaded(store, WITH_END)
    store.store_response(version_id, "early", _answers(), submitted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    store.store_response(version_id, "late", _answers(), submitted_at=dt.datetime(2026, 12, 30, tzinfo=dt.UTC))
    assert store.purge_expired("cli:test", NOW, dt.date(2027, 1, 30)) == []  # its last day
    assert store.purge_expired("cli:test", NOW, dt.date(2027, 1, 31), dry_run=True)[0].responses == 2
    assert store.response_count(WITH_END.id) == 2  # a dry run deletes nothing
    done = store.purge_expired("cli:test", NOW, dt.date(2027, 1, 31))
    assert [(p.responses, p.rule.everything) for p in done] == [(2, True)]
    assert store.response_count(WITH_END.id) == 0


def test_purge_leaves_export_files_and_drops_the_cached_coded_table(store: Store, tmp_path: Path) -> None:
    version_id = _loaded(store, WITH_END)
    store.store_response(version_id, "k", _answers())
    export = tmp_path / "exports" / "budget.zip"
    export.parent.mkdir()
    export.write_bytes(b"an export made before")
    cached = tmp_path / "cache" / WITH_END.id
    cached.mkdir(parents=True)
    (cached / "main.parquet").write_bytes(b"answers")
    (tmp_path / "cache" / "another-questionnaire").mkdir()
    settings = Settings(database_url="sqlite://unused", export_dir=tmp_path / "exports", cache_dir=tmp_path / "cache",
                        timezone="Europe/Paris")
    # 2027-01-30 23:30 UTC is already the 31st in Paris: the mission's period (until the 30th) is over there
    done = purge(store, settings, "cli:test", now=dt.datetime(2027, 1, 30, 23, 30, tzinfo=dt.UTC))
    assert [p.responses for p in done] == [1]
    assert export.read_bytes() == b"an export made before"
    assert not cached.exists() and (tmp_path / "cache" / "another-questionnaire").exists()


def test_the_service_checks_retention_in_the_background(store: Store) -> None:
    version_id = _loaded(store)
    store.store_response(version_id, "old", _answers(), submitted_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    schedule = RetentionSchedule(store, Settings(database_url="sqlite://unused", retention_check_minutes=60))
    schedule.start()
    try:
        deadline = time.monotonic() + 20
        while store.response_count(PER_RESPONSE.id) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        schedule.stop()
    assert store.response_count(PER_RESPONSE.id) == 0
    assert store.audit_events(PER_RESPONSE.id)[0].actor == "service:retention"


def test_erasure_deletes_the_response_gives_back_its_place_and_audits_without_content(store: Store) -> None:
    version_id = _loaded(store)
    store.store_response(version_id, "mine", _answers())
    store.store_response(version_id, "theirs", _answers("nord"))
    assert store.erase_response(PER_RESPONSE.id, "mine", "resume_link")
    assert not store.erase_response(PER_RESPONSE.id, "mine", "resume_link")  # already gone
    assert not store.erase_response("another", "theirs", "resume_link")  # a key of another questionnaire
    assert [line.id for line in store.response_lines(PER_RESPONSE.id, ResponseFilter())] != []
    assert [r.answers["quartier"] for r in store.responses(PER_RESPONSE.id)] == ["nord"]
    assert store.quota_counts(PER_RESPONSE.id)[("total", "")] == 1
    event = store.audit_events(PER_RESPONSE.id)[0]
    assert (event.action, event.actor, event.detail) == ("response_erasure", "respondent", {"via": "resume_link"})


# --- the command line ---------------------------------------------------------------------------------------------

def test_survey_purge_and_register_on_the_command_line(sqlite_store: Store, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SURVEY_DATABASE_URL", sqlite_store.engine.url.render_as_string(hide_password=False))
    version_id = _loaded(sqlite_store)
    sqlite_store.store_response(version_id, "old", _answers(), submitted_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    runner = CliRunner()
    dry = runner.invoke(cli_app, ["purge", "--dry-run"])
    assert dry.exit_code == 0
    assert dry.output.startswith("retention-test: 1 response(s) and 0 form(s) in progress would be deleted — "
                                 "responses sent before ")
    assert sqlite_store.response_count(PER_RESPONSE.id) == 1
    assert runner.invoke(cli_app, ["purge"]).output.startswith("retention-test: 1 response(s) and 0 form(s) in "
                                                               "progress deleted")
    assert runner.invoke(cli_app, ["purge"]).output == "nothing is past its retention period\n"
    sqlite_store.add_user("eval@example.fr", "x", Role.EVALUATOR, ["mission-retention"])
    shown = runner.invoke(cli_app, ["register", "retention-test"])
    assert shown.exit_code == 0, shown.output
    written = runner.invoke(cli_app, ["register", "mission-retention", "-o", str(tmp_path / "r.md")])
    assert written.exit_code == 0 and (tmp_path / "r.md").read_text(encoding="utf-8") == shown.output
    for line in ("# Registre des activités de traitement — Évaluation du budget participatif",
                 "Évaluer le budget participatif 2026", "dpo@saint-aubin.fr", "1 évaluateurs",
                 "30 jours après l’envoi de chaque réponse ; suppression automatique",
                 "| `courriel` — Votre courriel | email | identifiant direct |",
                 "| `avis` — Votre avis | long_text | texte libre (nettoyé des noms à l’export) |",
                 "| `quartier` — Votre quartier | single_choice | à déclarer (`disclosure:`) |"):
        assert line in shown.output, line
    missing = runner.invoke(cli_app, ["register", "nope"])
    assert (missing.exit_code, missing.output) == (1, "error: no mission or questionnaire 'nope' with a `mission:` "
                                                      "block — see `survey list`\n")


def test_the_register_in_english_lists_every_answered_question() -> None:
    register = processing_register(WITH_END.mission, [WITH_END], {"admin": 2, "consultant": 1}, "en")  # type: ignore[arg-type]
    text = to_markdown(register)
    assert "30 days after the mission ends (2026-12-31), that is until 2027-01-30" in text
    assert "the mission's team: 2 administrators, 1 consultants (anonymised data)" in text
    assert "Ville de Saint-Aubin: results and anonymised datasets" in text
    assert [item.name for _, items in register.collected for item in items] == ["quartier", "courriel", "avis"]


def test_forms_in_progress_past_the_period_go_too(store: Store) -> None:
    version_id = _loaded(store)
    now = dt.datetime.now(dt.UTC)
    store.start_form(PER_RESPONSE.id, version_id, "fr", answers={"avis": "en cours"})
    assert store.purge_expired("cli:test", now) == []  # started just now: kept
    done = store.purge_expired("cli:test", now + dt.timedelta(days=31))
    assert [(p.responses, p.forms) for p in done] == [(0, 1)]
    assert store.audit_events(PER_RESPONSE.id)[0].detail["forms"] == 1
