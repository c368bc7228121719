"""The `survey invite` command: import a contact list, print each person's personal link, or send the invitations
or the reminders (`survey/invitation_mail.py`). Registered on the `survey` command by `register`."""

from __future__ import annotations

import getpass
import os
import smtplib
from pathlib import Path
from typing import Annotated

import typer

from survey.cli_common import _fail, _store
from survey.settings import Settings


def _actor() -> str:
    """`cli:<system user>`, as the audit log names the command line."""
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no user name in the environment nor the password database (some containers)
        return f"cli:uid-{os.getuid()}"


def invite(questionnaire: Annotated[str, typer.Argument(help="The questionnaire id.")],
           contacts: Annotated[Path | None, typer.Option(
               "--contacts", help="A CSV file: an email column, optionally name and language, and columns named "
                                  "after questions they pre-fill. Added to the questionnaire's list.")] = None,
           send: Annotated[bool, typer.Option("--send", help="E-mail the invitations not sent yet.")] = False,
           remind: Annotated[bool, typer.Option(
               "--remind", help="E-mail a reminder to people invited who have not responded.")] = False) -> None:
    """Invite people to answer QUESTIONNAIRE through personal links (one response each). Without --send or
    --remind, print one line per person who may still answer: address, tab, link."""
    from survey.contacts import ContactsInvalid, read_contacts
    from survey.invitation_mail import MailNotConfigured, check_mail_settings, personal_link, send_invitations

    if send and remind:
        raise _fail("--send and --remind: choose one (reminders go to people already invited)")
    settings = Settings()
    try:  # before any change: a link or an e-mail that cannot be made is one line, and nothing is imported
        check_mail_settings(settings) if send or remind else personal_link(settings, questionnaire, "x")
    except MailNotConfigured as exc:
        raise _fail(str(exc)) from None
    content = None
    if contacts is not None:
        try:
            content = contacts.read_bytes()
        except OSError as exc:
            raise _fail(f"--contacts {contacts}: cannot read it ({exc.strerror or exc})") from None
    store = _store()
    loaded = store.current(questionnaire)
    if loaded is None:
        raise _fail(f"no questionnaire '{questionnaire}' — see `survey list`")
    if content is not None:
        try:
            people = read_contacts(content, loaded.questionnaire)
        except ContactsInvalid as exc:
            for problem in exc.problems:
                typer.echo(f"{contacts}: {problem.text('en')}", err=True)
            raise _fail(f"{len(exc.problems)} problem(s) in {contacts}; nobody was added") from None
        result = store.add_invitations(_actor(), questionnaire, people)
        typer.echo(f"{result.added} person(s) added, {result.kept} already on the list", err=True)
    if send or remind:
        kind = "invite" if send else "remind"
        try:
            sent = send_invitations(store, settings, questionnaire, kind, language="en")
        except (smtplib.SMTPException, OSError) as exc:
            raise _fail(f"the mail server {settings.smtp_host}:{settings.smtp_port} refused or did not answer "
                        f"({exc.__class__.__name__}: {str(exc)[:200]}) — check SURVEY_SMTP_*; e-mails sent before "
                        "this are recorded, run the command again for the others") from None
        store.record_sending(_actor(), questionnaire, kind, sent.sent)
        for address in sent.refused:
            typer.echo(f"refused by the mail server: {address}", err=True)
        typer.echo(f"{sent.sent} {'invitation' if send else 'reminder'}(s) sent"
                   + (f", {len(sent.refused)} address(es) refused" if sent.refused else ""))
        return
    for invitation in store.invitations(questionnaire):
        if invitation.usable:
            typer.echo(f"{invitation.email}\t{personal_link(settings, questionnaire, invitation.token)}")


def register(app: typer.Typer) -> None:
    """Add `invite` to the `survey` command."""
    app.command()(invite)
