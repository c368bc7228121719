"""Invitation and reminder e-mails: personal links, messages from templates, sending through SMTP as a background job.

A message is plain text from `templates/emails/{invite,remind}.{fr,en}.txt`: its first line is the subject, the rest
the body; the person's language (the contact list's `language` column, else the questionnaire's own) picks the
template and the form's language. Sending runs as a job (`survey/jobs.py`, kinds `invite` and `remind`): one SMTP
connection, one message per person, each recorded as sent as soon as the server took it, progress shown on the job's
page. A refused address is counted and skipped; a server that cannot be reached fails the job, and what was sent
stays recorded, so starting again sends only the rest.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from survey.messages import LANGUAGES, translate
from survey.schema import Questionnaire
from survey.schema.localise import text_in
from survey.settings import Settings
from survey.store_invitations import INVITE, InvitationInfo
from survey.templating import TEMPLATES_DIR

if TYPE_CHECKING:
    from survey.job_store import JobRecord
    from survey.store import Store

KINDS = ("invite", "remind")
SMTP_TIMEOUT = 30.0  # seconds: a mail server that stops answering fails the job instead of holding it for ever


class MailNotConfigured(ValueError):
    """Links or e-mails asked for while a setting they need is empty; the message says which."""


@lru_cache(maxsize=1)
def _text_templates() -> Environment:
    """Plain-text templates: nothing is HTML, so nothing is escaped (a name « Lopes & fils » stays as typed)."""
    folder = FileSystemLoader(str(Path(TEMPLATES_DIR) / "emails"))
    return Environment(loader=folder, autoescape=False, undefined=StrictUndefined, auto_reload=False)  # noqa: S701


def personal_link(settings: Settings, questionnaire_id: str, token: str) -> str:
    """The full link of an invitation; MailNotConfigured when SURVEY_PUBLIC_URL is not set."""
    base = settings.public_url.strip().rstrip("/")
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", base):
        raise MailNotConfigured("SURVEY_PUBLIC_URL is not set to the service's address (e.g. "
                                "https://enquetes.ville.example): personal links are built from it")
    return f"{base}/s/{questionnaire_id}/i/{token}"


def invitee_language(questionnaire: Questionnaire, invitation: InvitationInfo) -> str:
    """The person's language when the questionnaire offers it, else the questionnaire's own."""
    offered = [lang for lang in questionnaire.all_languages if lang in LANGUAGES]
    return invitation.language if invitation.language in offered else questionnaire.language


def one_line(text: str) -> str:
    """A header value: one line, whatever the title holds (a line break there would start a new header)."""
    return " ".join(text.split())


def compose(settings: Settings, questionnaire: Questionnaire, invitation: InvitationInfo, kind: str) -> EmailMessage:
    """The invitation (`invite`) or reminder (`remind`) e-mail of one person, in their language."""
    language = invitee_language(questionnaire, invitation)
    link = personal_link(settings, questionnaire.id, invitation.token)
    title = one_line(str(text_in(questionnaire.title, language, questionnaire.language)))
    client = one_line(questionnaire.mission.client) if questionnaire.mission else ""
    text = _text_templates().get_template(f"{kind}.{language}.txt").render(
        title=title, name=one_line(invitation.name), client=client, link=link)
    subject, _, body = text.lstrip("\n").partition("\n")
    message = EmailMessage()
    message["Subject"] = one_line(subject)
    message["From"] = settings.smtp_from
    message["To"] = invitation.email
    message["Message-ID"] = make_msgid(domain=settings.smtp_from.rpartition("@")[2].strip(">") or None)
    message["Auto-Submitted"] = "auto-generated"  # no out-of-office replies flooding the sender
    message.set_content(body.lstrip("\n"), cte="quoted-printable")
    message["Content-Language"] = language  # after set_content, which replaces every Content-* header
    return message


@dataclass(frozen=True)
class Sent:
    sent: int
    refused: list[str]  # addresses the server refused


def check_mail_settings(settings: Settings) -> None:
    """MailNotConfigured naming the first setting missing for sending."""
    if not settings.smtp_host:
        raise MailNotConfigured("SURVEY_SMTP_HOST is not set: no mail server to send through")
    if not settings.smtp_from:
        raise MailNotConfigured("SURVEY_SMTP_FROM is not set: e-mails need a sender address")
    personal_link(settings, "x", "x")


def _connect(settings: Settings) -> smtplib.SMTP:
    """An SMTP connection as SURVEY_SMTP_TLS says, logged in when SURVEY_SMTP_USER is set."""
    context = ssl.create_default_context()
    if settings.smtp_tls == "tls":
        connection: smtplib.SMTP = smtplib.SMTP_SSL(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT,
                                                    context=context)
    else:
        connection = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT)
        if settings.smtp_tls == "starttls":
            connection.starttls(context=context)
    if settings.smtp_user:
        connection.login(settings.smtp_user, settings.smtp_password)
    return connection


def send_invitations(store: Store, settings: Settings, questionnaire_id: str, kind: str,
                     progress: Callable[[float, str], None] | None = None, language: str = "fr") -> Sent:
    """Send the invitations not sent yet (`invite`) or reminders (`remind`) of a questionnaire, one connection.

    Each person is recorded as sent once the server took their message. Reminders go only to people who have not
    responded and whose link is not revoked (`Store.invitations_to_send`). `smtplib.SMTPException` and `OSError`
    escape when the server cannot be reached or stops answering; what was sent stays recorded."""
    check_mail_settings(settings)
    loaded = store.current(questionnaire_id)
    if loaded is None:
        raise MailNotConfigured(f"no questionnaire {questionnaire_id!r}")
    people = store.invitations_to_send(questionnaire_id, kind)
    refused: list[str] = []
    sent = 0
    if people:
        with _connect(settings) as connection:
            for done, invitation in enumerate(people):
                if progress is not None:
                    progress(done / len(people), translate("invitations_job_progress", language, done=done,
                                                           total=len(people)))
                try:
                    connection.send_message(compose(settings, loaded.questionnaire, invitation, kind))
                except smtplib.SMTPRecipientsRefused:
                    refused.append(invitation.email)
                    continue
                store.mark_sent(invitation.id, kind)
                sent += 1
    if progress is not None:
        progress(1.0, translate("invitations_job_progress", language, done=sent, total=len(people)))
    return Sent(sent, refused)


def sending_job(settings: Settings) -> Callable[[Store, JobRecord, Path, Callable[[float, str], None]], Path]:
    """The work of an `invite` or `remind` job (`survey/jobs.py`): send, then leave a short report as its file —
    counts and refused addresses, nothing else of the list."""

    def run(store: Store, job: JobRecord, output: Path, progress: Callable[[float, str], None]) -> Path:
        language = job.params.get("language", "fr")
        try:
            result = send_invitations(store, settings, job.questionnaire_id, job.kind, progress, language)
        except (smtplib.SMTPException, OSError) as exc:
            from survey import deliverables

            raise deliverables.ExportError(translate("invitations_job_failed", language,
                                                     error=one_line(str(exc))[:200])) from exc
        report = output.with_suffix(".txt")
        lines = [translate("invitations_job_progress", language, done=result.sent, total=result.sent
                           + len(result.refused))]
        lines += [f"refused: {address}" for address in result.refused]
        report.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return report

    return run


def job_file_name(job: JobRecord) -> str:
    """The report's name offered on download."""
    return f"{job.questionnaire_id}-{'invitations' if job.kind == INVITE else 'relances'}.txt"
