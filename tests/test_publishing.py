"""Publishing rules and their storage: states and the moves between them, dates bounded by the mission's, the grace
period, colours and contrast, audited state changes on SQLite and PostgreSQL, and `survey open | close | archive |
dates`."""

from __future__ import annotations

import datetime as dt
import textwrap
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from survey.cli import app
from survey.publishing import (
    ARCHIVED,
    CLOSED,
    DRAFT,
    OPEN,
    STATES,
    ColourRefused,
    DateRefused,
    Publication,
    TransitionRefused,
    availability,
    check_colours,
    check_transition,
    contrast_ratio,
    parse_moment,
)
from survey.schema import Mission, Questionnaire, parse_questionnaire
from survey.store import Store
from survey.store_publishing import DATES_CHANGE, STATE_CHANGE

PARIS = ZoneInfo("Europe/Paris")
NOW = dt.datetime(2026, 11, 29, 10, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)

# The moves the README promises, written out by hand: (from, to) → allowed.
ALLOWED = {(DRAFT, OPEN), (DRAFT, ARCHIVED), (OPEN, CLOSED), (CLOSED, OPEN), (CLOSED, ARCHIVED), (ARCHIVED, CLOSED)}


SMALL = textwrap.dedent("""\
    id: consultation-parc
    version: "1"
    title: Le parc
    privacy_notice: Vos réponses sont anonymes.
    mission: {id: ville-a, name: Ville A}
    pages:
      - id: p1
        questions:
          - {name: avis, type: yes_no, label: "Êtes-vous content du parc ?", disclosure: none}
    """)


def small_questionnaire(qid: str = "consultation-parc", mission: Mission | None = None) -> Questionnaire:
    """A one-question questionnaire, of mission `ville-a` unless told."""
    parsed = parse_questionnaire(SMALL).model_copy(update={"id": qid})
    return parsed.model_copy(update={"mission": mission}) if mission else parsed


@pytest.mark.parametrize("source", STATES)
@pytest.mark.parametrize("target", STATES)
def test_only_the_documented_moves_are_allowed(source: str, target: str) -> None:
    if (source, target) in ALLOWED:
        check_transition(source, target)
    else:
        with pytest.raises(TransitionRefused) as refused:
            check_transition(source, target)
        assert "—" in str(refused.value) or "already" in str(refused.value)  # says what to do instead


def test_an_open_questionnaire_is_told_to_close_before_archiving() -> None:
    with pytest.raises(TransitionRefused, match="close it first"):
        check_transition(OPEN, ARCHIVED)


def test_the_mission_end_closes_at_midnight_after_its_last_day_in_the_service_zone() -> None:
    publication = Publication(OPEN, mission_end=dt.date(2026, 5, 31))
    # Midnight in Paris on 1 June 2026 (summer time, UTC+2) is 22:00 UTC on 31 May.
    last_minute = dt.datetime(2026, 5, 31, 21, 59, tzinfo=dt.UTC)
    assert availability(publication, last_minute, PARIS).answerable
    ended = availability(publication, dt.datetime(2026, 5, 31, 22, 0, tzinfo=dt.UTC), PARIS)
    assert (ended.reason, ended.status) == ("closed", 410)
    assert ended.closes == dt.datetime(2026, 5, 31, 22, 0, tzinfo=dt.UTC)


def test_the_narrower_of_the_questionnaire_and_mission_dates_applies() -> None:
    own_close = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    publication = Publication(OPEN, opens_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC), closes_at=own_close,
                              mission_start=dt.date(2026, 2, 1), mission_end=dt.date(2026, 6, 30))
    # Before the mission's first day the questionnaire's earlier opening does not count.
    before = availability(publication, dt.datetime(2026, 1, 31, 12, 0, tzinfo=dt.UTC), PARIS)
    assert (before.reason, before.status) == ("not_yet_open", 403)
    assert before.opens == dt.datetime(2026, 1, 31, 23, 0, tzinfo=dt.UTC)  # Paris midnight in winter: UTC+1
    # The questionnaire's own closing, earlier than the mission's end, closes it.
    assert availability(publication, own_close, PARIS).reason == "closed"
    assert availability(publication, own_close - HOUR, PARIS).answerable


def test_drafts_and_archives_never_take_answers_whatever_the_dates() -> None:
    assert availability(Publication(DRAFT), NOW, PARIS).status == 404
    archived = Publication(ARCHIVED, closed_at=NOW - dt.timedelta(minutes=1))
    assert availability(archived, NOW, PARIS, started=NOW - HOUR, grace=HOUR).status == 410  # no grace


@given(started=st.integers(-300, 300), since_close=st.integers(0, 300), grace=st.integers(0, 240))
def test_a_form_started_before_closing_may_be_sent_within_the_grace_period_only(started: int, since_close: int,
                                                                               grace: int) -> None:
    closed_at = NOW
    now = closed_at + dt.timedelta(minutes=since_close)
    began = closed_at + dt.timedelta(minutes=started)
    found = availability(Publication(CLOSED, closed_at=closed_at), now, PARIS, started=began,
                         grace=dt.timedelta(minutes=grace))
    expected = started < 0 and since_close < grace  # begun before the close, and the grace not over
    assert found.answerable is expected
    assert found.in_grace is expected
    assert availability(Publication(CLOSED, closed_at=closed_at), now, PARIS).answerable is False  # a new form


def test_moments_are_read_in_the_service_zone_and_a_closing_day_lasts_until_its_end() -> None:
    assert parse_moment("2026-06-15 18:00", PARIS) == dt.datetime(2026, 6, 15, 16, 0, tzinfo=dt.UTC)
    assert parse_moment("2026-06-15T18:00", PARIS) == dt.datetime(2026, 6, 15, 16, 0, tzinfo=dt.UTC)
    assert parse_moment("2026-06-15", PARIS, end_of_day=True) == dt.datetime(2026, 6, 15, 22, 0, tzinfo=dt.UTC)
    assert parse_moment("  ", PARIS) is None
    for wrong in ("15/06/2026", "2026-13-01", "demain", "2026-06-15 25:00"):
        with pytest.raises(DateRefused, match="YYYY-MM-DD"):
            parse_moment(wrong, PARIS)


def test_contrast_follows_the_wcag_formula() -> None:
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-below-AA grey
    assert check_colours("000091", "#FFF") == ("#000091", "#ffffff")


def test_a_faint_text_colour_is_refused_with_the_ratio_and_a_colour_that_passes() -> None:
    with pytest.raises(ColourRefused) as refused:
        check_colours("#ffcc00", "#ffffff")
    message = str(refused.value)
    assert "1.5" in message and "4.5:1" in message and "#000000" in message
    with pytest.raises(ColourRefused, match="#rrggbb"):
        check_colours("red", "#ffffff")


# --- storage, on both databases ---------------------------------------------------------------------------------


def test_folder_files_start_open_uploads_start_as_drafts_and_reloads_keep_the_state(store: Store) -> None:
    store.load(small_questionnaire("dossier"))
    store.load(small_questionnaire("depot"), new_state=DRAFT)
    assert store.publication("dossier").state == OPEN  # type: ignore[union-attr]
    assert store.publication("depot").state == DRAFT  # type: ignore[union-attr]
    store.set_state("dossier", CLOSED, "cli:test")
    store.load(small_questionnaire("dossier").model_copy(update={"title": "Le parc (v2)"}))
    assert store.publication("dossier").state == CLOSED  # type: ignore[union-attr]


def test_state_changes_are_audited_with_who_and_what_and_refused_moves_change_nothing(store: Store) -> None:
    store.load(small_questionnaire(), new_state=DRAFT)
    store.set_state("consultation-parc", OPEN, "cli:alice", now=NOW)
    store.set_state("consultation-parc", CLOSED, "cli:bob", now=NOW + HOUR)
    with pytest.raises(TransitionRefused):
        store.set_state("consultation-parc", DRAFT, "cli:carol")
    events = store.audit_events("consultation-parc", action=STATE_CHANGE)
    assert [(e.actor, e.detail["from"], e.detail["to"]) for e in events] == [
        ("cli:bob", OPEN, CLOSED), ("cli:alice", DRAFT, OPEN)]
    publication = store.publication("consultation-parc")
    assert publication.state == CLOSED and publication.closed_at == NOW + HOUR  # type: ignore[union-attr]
    store.set_state("consultation-parc", OPEN, "cli:alice")
    assert store.publication("consultation-parc").closed_at is None  # type: ignore[union-attr]


def test_dates_are_stored_audited_and_read_back_with_the_mission_days(store: Store) -> None:
    mission = Mission(id="ville-b", name="Ville B", start=dt.date(2026, 1, 5), end=dt.date(2026, 12, 18))
    store.load(small_questionnaire(mission=mission))
    opens, closes = dt.datetime(2026, 2, 1, 8, 0, tzinfo=dt.UTC), dt.datetime(2026, 3, 1, 17, 0, tzinfo=dt.UTC)
    store.set_dates("consultation-parc", opens, closes, "cli:alice")
    with pytest.raises(DateRefused):
        store.set_dates("consultation-parc", closes, opens, "cli:alice")
    publication = store.publication("consultation-parc")
    assert (publication.opens_at, publication.closes_at) == (opens, closes)  # type: ignore[union-attr]
    assert (publication.mission_start, publication.mission_end) == (mission.start, mission.end)  # type: ignore[union-attr]
    [event] = store.audit_events("consultation-parc", action=DATES_CHANGE)
    assert event.detail["closes_at"] == ["", closes.isoformat()]


# --- the command line ------------------------------------------------------------------------------------------


@pytest.fixture
def cli(tmp_path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SURVEY_DATABASE_URL", url)
    store = Store.from_url(url)
    store.migrate()
    store.load(small_questionnaire(), new_state=DRAFT)
    runner = CliRunner()

    def invoke(*args: str):  # noqa: ANN202
        return runner.invoke(app, list(args))

    invoke.store = store  # type: ignore[attr-defined]
    return invoke


def test_open_close_archive_from_the_command_line_are_audited(cli) -> None:  # noqa: ANN001
    assert "\tcurrent=1\tstate=draft\tresponses=0" in cli("list").output
    opened = cli("open", "consultation-parc")
    assert opened.exit_code == 0, opened.output
    assert "draft → open; respondents can answer" in opened.output
    assert cli("close", "consultation-parc").exit_code == 0
    archived = cli("archive", "consultation-parc")
    assert archived.exit_code == 0 and "closed → archived" in archived.output
    events = cli.store.audit_events("consultation-parc", action=STATE_CHANGE)
    assert [e.detail["to"] for e in events] == [ARCHIVED, CLOSED, OPEN]
    assert all(e.actor.startswith("cli:") for e in events)
    assert "\tstate=archived\t" in cli("list").output


def test_refused_moves_and_unknown_questionnaires_are_one_line_and_exit_1(cli) -> None:  # noqa: ANN001
    refused = cli("archive", "consultation-parc")  # a draft may be archived…
    assert refused.exit_code == 0
    again = cli("open", "consultation-parc")  # …but an archived one is not reopened at once
    assert again.exit_code == 1
    assert again.output.strip().splitlines() == [
        "error: consultation-parc: a archived questionnaire cannot become open — bring it back to closed first "
        "(close), then reopen it"]
    unknown = cli("close", "nulle-part")
    assert unknown.exit_code == 1
    assert unknown.output.strip() == "error: no questionnaire 'nulle-part' — see `survey list`"


def test_dates_from_the_command_line_and_a_note_when_a_date_keeps_it_shut(cli) -> None:  # noqa: ANN001
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    set_dates = cli("dates", "consultation-parc", "--opens", future)
    assert set_dates.exit_code == 0, set_dates.output
    assert f"opens {future} 00:00, closes —" in set_dates.output
    opened = cli("open", "consultation-parc")
    assert opened.exit_code == 0 and "respondents see the 'not_yet_open' page" in opened.output
    assert "note: its dates or its mission's keep it not yet open" in opened.output
    wrong = cli("dates", "consultation-parc", "--closes", "31/12/2026")
    assert wrong.exit_code == 1 and "is not a date" in wrong.output
