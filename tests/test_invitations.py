"""Invitations: a contact list read with located problems, one personal token per person, what was sent and who
responded — and a list that cannot be linked to the responses. Storage tests run on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import textwrap
import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import inspect

from survey.contacts import MAX_BYTES, Contact, ContactsInvalid, read_contacts
from survey.db import Invitation, ResponseRow
from survey.schema import load_questionnaire
from survey.store import Store
from tests.conftest import ROOT

AGENTS = "agents-participation"
QUESTIONNAIRE = load_questionnaire(ROOT / "questionnaires" / f"{AGENTS}.yaml")


def csv_bytes(text: str) -> bytes:
    return textwrap.dedent(text).lstrip().encode()


def problems_of(content: bytes) -> list[str]:
    with pytest.raises(ContactsInvalid) as caught:
        read_contacts(content, QUESTIONNAIRE)
    return [problem.text("en") for problem in caught.value.problems]


# --- reading a contact file ------------------------------------------------------------------------------------------


def test_a_contact_file_gives_addresses_names_languages_and_prefilled_answers() -> None:
    contacts = read_contacts(csv_bytes("""
        email;nom;langue;service;fonction
        ana@ville.example;Ana Lopes;fr;urbanisme;agent
        bo@ville.example;;en;Communication;
        """), QUESTIONNAIRE)
    assert contacts == [
        Contact("ana@ville.example", "Ana Lopes", "fr", {"service": "urbanisme", "fonction": "agent"}),
        # a label stands for its code; an empty cell pre-fills nothing
        Contact("bo@ville.example", "", "en", {"service": "communication"}),
    ]


def test_a_byte_order_mark_commas_and_blank_lines_are_read() -> None:
    content = "\ufeffE-mail,Name\r\nana@ville.example,Ana\r\n\r\nbo@ville.example,Bo\r\n".encode()
    assert [c.email for c in read_contacts(content, QUESTIONNAIRE)] == ["ana@ville.example", "bo@ville.example"]


@pytest.mark.parametrize(("content", "expected"), [
    (b"nom\nAna\n", "row 1: no e-mail address column"),
    (csv_bytes("""
        email
        ana@ville
        """), "row 2, column “email”: “ana@ville” is not a full e-mail address"),
    (csv_bytes("""
        email
        ana@ville.example
        ANA@ville.example
        """), "row 3, column “email”: the address ANA@ville.example is already on row 2"),
    (csv_bytes("""
        email,quartier
        ana@ville.example,nord
        """), "row 1, column “quartier”: is neither email, name nor language, nor the name of a question"),
    (csv_bytes("""
        email,besoins
        ana@ville.example,formation
        """), "row 1, column “besoins”: a multiple_choice question cannot be pre-filled"),
    (csv_bytes("""
        email,service
        ana@ville.example,piscine
        """), "row 2, column “service”: “piscine” does not suit this question. Choose one of the options offered."),
    (csv_bytes("""
        email,nom
        ana@ville.example,=HYPERLINK("http://x")
        """), "row 2, column “nom”: the cell starts like a spreadsheet formula"),
    (csv_bytes("""
        email,langue
        ana@ville.example,de
        """), "row 2, column “langue”: unknown language “de”"),
    ("email\nanaïs@ville.example\n".encode("cp1252"), "row 2: the file is not encoded as UTF-8"),
    (csv_bytes("""
        email,email
        ana@ville.example,ana@ville.example
        """), "row 1, column “email”: column 1 already has this title"),
    (b"email\n", "the file lists nobody"),
])
def test_a_bad_contact_file_is_refused_with_its_row_and_column(content: bytes, expected: str) -> None:
    assert any(text.startswith(expected) for text in problems_of(content)), problems_of(content)


def test_a_file_above_the_size_cap_is_refused_before_it_is_read() -> None:
    assert problems_of(b"email\n" + b"a@b.example\n" * (MAX_BYTES // 12 + 1))[0].startswith("the file is larger")


def test_problems_are_told_in_french_too() -> None:
    with pytest.raises(ContactsInvalid) as caught:
        read_contacts(b"email,service\nana@ville.example,piscine\n", QUESTIONNAIRE)
    with (ROOT / "questionnaires" / "services.csv").open(encoding="utf-8") as listed:
        codes = [row["code"] for row in csv.DictReader(listed)]
    assert caught.value.problems[0].text("fr") == (
        "ligne 2, colonne « service » : « piscine » ne convient pas à cette question. Choisissez une des réponses "
        f"proposées. Codes : {', '.join(codes[:12])}{', …' if len(codes) > 12 else ''} (ou leurs libellés).")


addresses = st.lists(st.from_regex(r"[a-z]{1,8}\.[a-z]{1,8}@[a-z]{2,8}\.example", fullmatch=True), min_size=1,
                     max_size=20)


@given(addresses, st.sampled_from([",", ";", "\t"]))
def test_every_distinct_address_is_read_once_in_file_order(emails: list[str], separator: str) -> None:
    content = ("email" + separator + "nom\n" + "".join(f"{e}{separator}N\n" for e in emails)).encode()
    distinct = list(dict.fromkeys(e.lower() for e in emails))
    if len(distinct) < len(emails):
        with pytest.raises(ContactsInvalid):
            read_contacts(content, QUESTIONNAIRE)
    else:
        assert [c.email for c in read_contacts(content, QUESTIONNAIRE)] == emails


# --- storing invitations ---------------------------------------------------------------------------------------------


@pytest.fixture
def agents(store: Store) -> Store:
    store.load(QUESTIONNAIRE)
    return store


def _invite(store: Store, *emails: str) -> None:
    store.add_invitations("cli:test", AGENTS, [Contact(e, attributes={"service": "urbanisme"}) for e in emails])


def test_each_person_gets_an_unguessable_token_kept_on_a_second_import(agents: Store) -> None:
    result = agents.add_invitations("cli:test", AGENTS, [Contact("ana@ville.example"), Contact("bo@ville.example")])
    assert (result.added, result.kept) == (2, 0)
    first = {i.email: i.token for i in agents.invitations(AGENTS)}
    assert len(set(first.values())) == 2 and all(len(token) >= 32 for token in first.values())
    again = agents.add_invitations("cli:test", AGENTS, [Contact("ANA@ville.example", "Ana"), Contact("cy@x.example")])
    assert (again.added, again.kept) == (1, 1)
    tokens = {i.email: i.token for i in agents.invitations(AGENTS)}
    assert tokens["ana@ville.example"] == first["ana@ville.example"]
    assert agents.invitation_by_token(AGENTS, first["ana@ville.example"]).name == "Ana"  # type: ignore[union-attr]
    assert agents.invitation_by_token(AGENTS, "x" * 32) is None
    assert agents.invitation_by_token("formation-democratie-participative", first["bo@ville.example"]) is None


def test_counts_follow_sending_opening_completing_and_revoking(agents: Store) -> None:
    _invite(agents, "a@x.example", "b@x.example", "c@x.example", "d@x.example")
    a, b, c, d = agents.invitations(AGENTS)
    assert [i.email for i in agents.invitations_to_send(AGENTS, "invite")] == [i.email for i in (a, b, c, d)]
    for invitation in (a, b, c):
        agents.mark_sent(invitation.id, "invite")
    agents.mark_opened(b.id)
    version = agents.current(AGENTS).version_id  # type: ignore[union-attr]
    assert agents.store_invited_response(c.id, version, "key-c", {"service": "urbanisme"}) == "stored"
    assert agents.revoke_invitation("cli:test", AGENTS, a.id)
    assert not agents.revoke_invitation("cli:test", AGENTS, a.id)  # already revoked
    counts = agents.invitation_counts(AGENTS)
    assert (counts.total, counts.sent, counts.opened, counts.completed, counts.revoked) == (4, 3, 2, 1, 1)
    assert (counts.waiting, counts.to_remind) == (1, 1)  # d not sent; only b may be reminded
    assert [i.email for i in agents.invitations_to_send(AGENTS, "remind")] == ["b@x.example"]
    agents.mark_sent(b.id, "remind")
    assert agents.invitation(AGENTS, b.id).reminders == 1  # type: ignore[union-attr]


def test_a_token_gives_one_response_and_a_revoked_one_none(agents: Store) -> None:
    _invite(agents, "a@x.example", "b@x.example")
    a, b = agents.invitations(AGENTS)
    version = agents.current(AGENTS).version_id  # type: ignore[union-attr]
    assert agents.store_invited_response(a.id, version, "key-1", {}) == "stored"
    assert agents.store_invited_response(a.id, version, "key-1", {}) == "duplicate"  # the same form posted twice
    assert agents.store_invited_response(a.id, version, "key-2", {}) == "completed"  # another form, same link
    agents.revoke_invitation("cli:test", AGENTS, b.id)
    assert agents.store_invited_response(b.id, version, "key-3", {}) == "revoked"
    assert agents.response_count(AGENTS) == 1


def test_racing_submissions_with_one_token_store_one_response(agents: Store) -> None:
    _invite(agents, "a@x.example")
    (a,) = agents.invitations(AGENTS)
    version = agents.current(AGENTS).version_id  # type: ignore[union-attr]
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def submit(n: int) -> None:
        barrier.wait()
        outcomes.append(agents.store_invited_response(a.id, version, f"race-{n}", {}))

    threads = [threading.Thread(target=submit, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["completed"] * 7 + ["stored"]
    assert agents.response_count(AGENTS) == 1


# --- what cannot be linked -------------------------------------------------------------------------------------------


def test_no_column_joins_the_contact_list_and_the_responses(agents: Store) -> None:
    """The tables as the database has them: no response column names an invitation, no invitation column names a
    response, and the invitation keeps no time a response could be matched on besides the sending ones."""
    columns = {table: {c["name"] for c in inspect(agents.engine).get_columns(table)}
               for table in ("invitation", "response")}
    assert not {name for name in columns["response"] if "invit" in name or "token" in name or "contact" in name}
    assert not {name for name in columns["invitation"] if "response" in name or "submission" in name}
    times = {name for name in columns["invitation"] if name.endswith("_at")}
    assert times == {"created_at", "sent_at", "reminded_at", "revoked_at"}  # chosen by staff, not by respondents
    assert set(Invitation.__table__.columns.keys()) == columns["invitation"]
    assert set(ResponseRow.__table__.columns.keys()) == columns["response"]
