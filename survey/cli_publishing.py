"""The `survey` commands that publish: `open`, `close` and `archive` a questionnaire (the staff pages' buttons),
and `dates` to set its opening and closing moments; registered on the `survey` command by `register`. Each change
is recorded in the audit log as cli:<system user>."""

from __future__ import annotations

import datetime as dt
import getpass
import os
from typing import Annotated

import typer

from survey.cli_common import _fail, _store
from survey.publishing import ARCHIVED, CLOSED, OPEN, DateRefused, TransitionRefused, availability, parse_moment
from survey.settings import Settings


def _actor() -> str:
    """The system user, as the audit log names command-line actions."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no user name in the environment nor the password database (some containers)
        return f"cli:uid-{os.getuid()}"


def _change(questionnaire: str, target: str) -> None:
    """Move QUESTIONNAIRE to `target`; one line saying what respondents see now, or why it was refused."""
    from survey.store_publishing import UnknownQuestionnaire

    store = _store()
    try:
        before = store.set_state(questionnaire, target, _actor())
    except UnknownQuestionnaire:
        raise _fail(f"no questionnaire '{questionnaire}' — see `survey list`") from None
    except TransitionRefused as exc:
        raise _fail(f"{questionnaire}: {exc}") from None
    publication = store.publication(questionnaire)
    settings = Settings()
    found = availability(publication, dt.datetime.now(dt.UTC), settings.zone)  # type: ignore[arg-type]
    now = "respondents can answer" if found.answerable else f"respondents see the '{found.reason}' page"
    typer.echo(f"{questionnaire}: {before} → {target}; {now}")
    if target == OPEN and not found.answerable:  # opened, yet a date keeps it shut: say which
        when = found.opens if found.reason == "not_yet_open" else found.closes
        typer.echo(f"note: its dates or its mission's keep it {found.reason.replace('_', ' ')} "
                   f"({when.astimezone(settings.zone):%Y-%m-%d %H:%M} {settings.timezone}) — "  # type: ignore[union-attr]
                   "change them with `survey dates` or in the mission's file", err=True)


def open_questionnaire(questionnaire: Annotated[str, typer.Argument(help="The questionnaire id.")]) -> None:
    """Open QUESTIONNAIRE to respondents (publish a draft, or reopen a closed one)."""
    _change(questionnaire, OPEN)


def close_questionnaire(questionnaire: Annotated[str, typer.Argument(help="The questionnaire id.")]) -> None:
    """Close QUESTIONNAIRE: respondents see a closed page; forms already started may still be sent during
    SURVEY_CLOSE_GRACE_MINUTES. Also brings an archived questionnaire back to closed."""
    _change(questionnaire, CLOSED)


def archive_questionnaire(questionnaire: Annotated[str, typer.Argument(help="The questionnaire id.")]) -> None:
    """Archive a closed questionnaire (or drop a draft); its responses and versions are kept."""
    _change(questionnaire, ARCHIVED)


def dates(questionnaire: Annotated[str, typer.Argument(help="The questionnaire id.")],
          opens: Annotated[str, typer.Option("--opens", help="YYYY-MM-DD or 'YYYY-MM-DD HH:MM' (local time); "
                                                            "empty to clear.")] = "",
          closes: Annotated[str, typer.Option("--closes", help="YYYY-MM-DD (until the end of that day) or "
                                                              "'YYYY-MM-DD HH:MM'; empty to clear.")] = "") -> None:
    """Set QUESTIONNAIRE's opening and closing moments, in SURVEY_TIMEZONE (both cleared when left out)."""
    from survey.store_publishing import UnknownQuestionnaire

    zone = Settings().zone
    try:
        opens_at = parse_moment(opens, zone)
        closes_at = parse_moment(closes, zone, end_of_day=True)
    except DateRefused as exc:
        raise _fail(str(exc)) from None
    store = _store()
    try:
        store.set_dates(questionnaire, opens_at, closes_at, _actor())
    except UnknownQuestionnaire:
        raise _fail(f"no questionnaire '{questionnaire}' — see `survey list`") from None
    except DateRefused as exc:
        raise _fail(f"{questionnaire}: {exc}") from None

    def shown(moment: dt.datetime | None) -> str:
        return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}" if moment else "—"

    typer.echo(f"{questionnaire}: opens {shown(opens_at)}, closes {shown(closes_at)} ({zone.key})")


def register(app: typer.Typer) -> None:
    """Add `open`, `close`, `archive` and `dates` to the `survey` command."""
    app.command("open")(open_questionnaire)
    app.command("close")(close_questionnaire)
    app.command("archive")(archive_questionnaire)
    app.command("dates")(dates)
