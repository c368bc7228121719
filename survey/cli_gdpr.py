"""The `survey` commands of GDPR: `purge` (responses and forms past their mission's retention period) and `register`
(the register of processing of a mission), registered on the `survey` command by `register`."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Annotated

import typer

from survey.cli_common import _fail, _store
from survey.settings import Settings


def purge(dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what would be deleted; delete nothing.")]
          = False) -> None:
    """Delete the raw responses and forms in progress that their mission's `retention_days` no longer covers, in
    every questionnaire; exports already made stay. Recorded in the audit log. `survey serve` does the same every
    SURVEY_RETENTION_CHECK_MINUTES."""
    from survey.gdpr import purge as run_purge

    store = _store()
    done = run_purge(store, Settings(), f"cli:{getpass.getuser()}", dry_run=dry_run)
    verb = "would be deleted" if dry_run else "deleted"
    for purged in done:
        reach = ("every response (the mission's period is over)" if purged.rule.everything
                 else f"responses sent before {purged.rule.before:%Y-%m-%d %H:%M} UTC")
        typer.echo(f"{purged.questionnaire_id}: {purged.responses} response(s) and {purged.forms} form(s) in "
                   f"progress {verb} — {reach}")
    if not done:
        typer.echo("nothing is past its retention period")


def register_of_processing(
        mission: Annotated[str, typer.Argument(help="A mission id, or a questionnaire id (its mission's register).")],
        language: Annotated[str, typer.Option("--language", help="fr or en.")] = "fr",
        output: Annotated[Path | None, typer.Option("-o", help="Write it to this Markdown file.")] = None,
) -> None:
    """Print the register of processing (art. 30 GDPR) of a mission as Markdown: what is collected, why, for how
    long, for whom, and the security measures."""
    from survey.register import processing_register, to_markdown

    if language not in ("fr", "en"):
        raise _fail(f"--language {language[:10]}: use fr or en")
    store = _store()
    loaded = store.current(mission)
    mission_id = loaded.questionnaire.mission.id if loaded and loaded.questionnaire.mission else mission
    ids, team = store.mission_team(mission_id)
    questionnaires = [found.questionnaire for found in map(store.current, ids) if found is not None]
    declared = next((q.mission for q in questionnaires if q.mission is not None), None)
    if declared is None:
        raise _fail(f"no mission or questionnaire '{mission}' with a `mission:` block — see `survey list`")
    text = to_markdown(processing_register(declared, questionnaires, team, language))
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _fail(f"-o {output}: cannot write it ({exc.strerror or exc}) — choose another folder") from None
    typer.echo(f"wrote {output}")


def register(app: typer.Typer) -> None:
    """Add `purge` and `register` to the `survey` command."""
    app.command()(purge)
    app.command("register")(register_of_processing)
