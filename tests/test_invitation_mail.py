"""Invitation and reminder e-mails sent through a real SMTP server (aiosmtpd on 127.0.0.1), read back as a mail client
reads them; `survey invite` on the command line. Expected links are built here from the tokens the store lists."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from typer.testing import CliRunner

from survey import cli
from survey.access import Role
from survey.contacts import Contact
from survey.job_queues import make_runner
from survey.job_store import JobStore
from survey.schema import load_questionnaire
from survey.settings import Settings
from survey.store import Store
from tests.conftest import ROOT, add_staff

AGENTS = "agents-participation"
BILINGUAL = "atelier-retour"
PUBLIC = "https://enquetes.ville.example/consultations"
REFUSED = "parti@ville.example"


class Mailbox:
    """An aiosmtpd handler keeping every message; RCPT TO the address REFUSED is answered 550."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, ANN201, N802
        if address == REFUSED:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 Message accepted"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), _free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


def _settings(port: int, **changes: object) -> Settings:
    values = {"database_url": "sqlite://unused", "public_url": PUBLIC + "/", "smtp_host": "127.0.0.1",
              "smtp_port": port, "smtp_tls": "none", "smtp_from": "Ville de Saint-Aubin <enquetes@ville.example>"}
    return Settings(**{**values, **changes})  # type: ignore[arg-type]


@pytest.fixture
def invited(store: Store) -> Store:
    store.load(load_questionnaire(ROOT / "questionnaires" / f"{AGENTS}.yaml"))
    store.load(load_questionnaire(ROOT / "questionnaires" / f"{BILINGUAL}.yaml"))
    store.add_invitations("cli:test", BILINGUAL, [
        Contact("anaïs@ville.example", "Anaïs Lopès & fils", "fr"), Contact("bob@ville.example", "Bob", "en"),
        Contact(REFUSED, "Parti"), Contact("cy@ville.example", "Cy")])
    return store


def _body(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


def test_invitations_go_once_to_each_person_in_their_language_with_their_link(invited: Store, mailbox) -> None:  # noqa: ANN001
    from survey.invitation_mail import send_invitations

    box, port = mailbox
    people = {i.email: i for i in invited.invitations(BILINGUAL)}
    invited.revoke_invitation("cli:test", BILINGUAL, people["cy@ville.example"].id)
    result = send_invitations(invited, _settings(port), BILINGUAL, "invite")
    assert (result.sent, result.refused) == (2, [REFUSED])
    by_address = {message["To"]: message for message in box.messages}
    assert set(by_address) == {"anaïs@ville.example", "bob@ville.example"}  # not the revoked one
    french, english = by_address["anaïs@ville.example"], by_address["bob@ville.example"]
    title = load_questionnaire(ROOT / "questionnaires" / f"{BILINGUAL}.yaml").title
    assert french["Content-Language"] == "fr" and english["Content-Language"] == "en"
    assert french["From"] == "Ville de Saint-Aubin <enquetes@ville.example>"
    assert french["Subject"].startswith("Votre avis") and english["Subject"].startswith("Your opinion")
    assert str(title["fr"] if isinstance(title, dict) else title) in french["Subject"]
    for address, message in by_address.items():
        assert f"{PUBLIC}/s/{BILINGUAL}/i/{people[address].token}" in _body(message).splitlines()
    assert "Bonjour Anaïs Lopès & fils," in _body(french)  # plain text: nothing escaped, accents kept
    assert "Hello Bob," in _body(english)
    assert box.envelopes[0][0] == "enquetes@ville.example"
    # Sent once: a second sending finds nobody left but the refused address.
    again = send_invitations(invited, _settings(port), BILINGUAL, "invite")
    assert (again.sent, len(box.messages)) == (0, 2)
    assert invited.invitation_counts(BILINGUAL).sent == 2


def test_reminders_go_only_to_those_invited_who_have_not_responded(invited: Store, mailbox) -> None:  # noqa: ANN001
    from survey.invitation_mail import send_invitations

    box, port = mailbox
    send_invitations(invited, _settings(port), BILINGUAL, "invite")
    people = {i.email: i for i in invited.invitations(BILINGUAL)}
    version = invited.current(BILINGUAL).version_id  # type: ignore[union-attr]
    assert invited.store_invited_response(people["bob@ville.example"].id, version, "k-bob", {}) == "stored"
    box.messages.clear()
    result = send_invitations(invited, _settings(port), BILINGUAL, "remind")
    # Anaïs and Cy were invited and have not answered; Bob answered; the refused address never got an invitation.
    assert [m["To"] for m in box.messages] == ["anaïs@ville.example", "cy@ville.example"] and result.sent == 2
    assert box.messages[0]["Subject"].startswith("Rappel")
    assert invited.invitation(BILINGUAL, people["anaïs@ville.example"].id).reminders == 1  # type: ignore[union-attr]


def test_a_sending_job_reports_progress_and_leaves_a_summary(invited: Store, mailbox, tmp_path: Path) -> None:  # noqa: ANN001
    box, port = mailbox
    add_staff(invited, "eva@ville.example", Role.EVALUATOR)
    owner = invited.user_id("eva@ville.example")
    runner = make_runner(_settings(port, export_dir=tmp_path / "jobs"), invited)
    job_id = JobStore(invited.engine).create("invite", BILINGUAL, {"language": "fr"}, owner)  # type: ignore[arg-type]
    runner.run(job_id)
    job = JobStore(invited.engine).get(job_id)
    assert job is not None and job.status == "done", job
    assert job.progress == 1.0 and job.file_name == f"{BILINGUAL}-invitations.txt"
    summary = (tmp_path / "jobs" / job.path).read_text(encoding="utf-8")
    assert summary.splitlines() == ["3 e-mail(s) envoyé(s) sur 4", f"refused: {REFUSED}"]
    assert len(box.messages) == 3


def test_a_mail_server_that_does_not_answer_fails_the_job_with_one_line(invited: Store, tmp_path: Path) -> None:
    add_staff(invited, "eva@ville.example", Role.EVALUATOR)
    runner = make_runner(_settings(_free_port(), export_dir=tmp_path / "jobs"), invited)
    job_id = JobStore(invited.engine).create("invite", BILINGUAL, {"language": "en"},
                                             invited.user_id("eva@ville.example"))  # type: ignore[arg-type]
    runner.run(job_id)
    job = JobStore(invited.engine).get(job_id)
    assert job is not None and job.status == "failed"
    assert job.error.startswith("The mail server refused to send (") and "\n" not in job.error
    assert invited.invitation_counts(BILINGUAL).sent == 0


# --- survey invite -----------------------------------------------------------------------------------------------


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Store:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("SURVEY_DATABASE_URL", url)
    monkeypatch.setenv("SURVEY_PUBLIC_URL", PUBLIC)
    store = Store.from_url(url)
    store.migrate()
    store.load(load_questionnaire(ROOT / "questionnaires" / f"{AGENTS}.yaml"))
    return store


def test_survey_invite_imports_the_list_and_prints_one_full_link_per_person(cli_env: Store, tmp_path: Path) -> None:
    contacts = tmp_path / "agents.csv"
    contacts.write_text("email;nom;service\nana@ville.example;Ana;urbanisme\nbo@ville.example;Bo;culture\n",
                        encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["invite", AGENTS, "--contacts", str(contacts)])
    assert result.exit_code == 0, result.output
    tokens = {i.email: i.token for i in cli_env.invitations(AGENTS)}
    assert result.stdout.splitlines() == [f"{address}\t{PUBLIC}/s/{AGENTS}/i/{token}" for address, token in
                                          tokens.items()]
    assert cli_env.invitation_by_token(AGENTS, tokens["ana@ville.example"]).attributes == {"service": "urbanisme"}  # type: ignore[union-attr]


def test_survey_invite_sends_through_the_configured_server(cli_env: Store, mailbox, monkeypatch,  # noqa: ANN001
                                                           tmp_path: Path) -> None:
    box, port = mailbox
    for name, value in {"HOST": "127.0.0.1", "PORT": str(port), "TLS": "none", "FROM": "enquetes@ville.example"
                        }.items():
        monkeypatch.setenv(f"SURVEY_SMTP_{name}", value)
    cli_env.add_invitations("cli:test", AGENTS, [Contact("ana@ville.example"), Contact(REFUSED)])
    result = CliRunner().invoke(cli.app, ["invite", AGENTS, "--send"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "1 invitation(s) sent, 1 address(es) refused"
    assert [m["To"] for m in box.messages] == ["ana@ville.example"]


@pytest.mark.parametrize(("arguments", "environment", "expected"), [
    (["invite", "inconnu"], {}, "error: no questionnaire 'inconnu' — see `survey list`"),
    (["invite", AGENTS], {"SURVEY_PUBLIC_URL": ""}, "error: SURVEY_PUBLIC_URL is not set"),
    (["invite", AGENTS, "--send"], {}, "error: SURVEY_SMTP_HOST is not set"),
    (["invite", AGENTS, "--send", "--remind"], {}, "error: --send and --remind: choose one"),
    (["invite", AGENTS, "--contacts", "missing.csv"], {}, "error: --contacts missing.csv: cannot read it"),
])
def test_survey_invite_errors_are_one_line_and_exit_1(cli_env: Store, monkeypatch: pytest.MonkeyPatch,
                                                      arguments: list[str], environment: dict[str, str],
                                                      expected: str) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    result = CliRunner().invoke(cli.app, arguments)
    assert result.exit_code == 1
    assert result.stderr.startswith(expected) and result.stderr.count("\n") == 1, result.stderr


def test_a_bad_contact_file_is_listed_problem_by_problem_and_nothing_is_imported(cli_env: Store,
                                                                                 tmp_path: Path) -> None:
    contacts = tmp_path / "agents.csv"
    contacts.write_text("email,service\nana@ville.example,urbanisme\nbo@ville,piscine\n", encoding="utf-8")
    result = CliRunner().invoke(cli.app, ["invite", AGENTS, "--contacts", str(contacts)])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{contacts}: row 3, column “service”: “piscine” does not suit this question. Choose one of the options "
        "offered. Codes: " + result.stderr.split("Codes: ")[1].split("\n")[0],
        f"{contacts}: row 3, column “email”: “bo@ville” is not a full e-mail address (name@example.com).",
        f"error: 2 problem(s) in {contacts}; nobody was added"]
    assert cli_env.invitations(AGENTS) == []
