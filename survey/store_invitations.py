"""SQL of invitations: contact lists, personal tokens, what was sent, and a token's one response. A mixin of
`survey.store.Store`.

The contact list never meets the answers. No response column names an invitation, and an invitation keeps flags
(`opened`, `completed`), not times, where a time could be matched with a response's `submitted_at`; `completed`
holds no response id. The response and its invitation's `completed` are written in one transaction
(`store_invited_response`), so a token gives exactly one response even when two submissions race: the second one's
conditional UPDATE finds the flag set and stores nothing.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from survey.access import StaffMember
from survey.contacts import Contact
from survey.db import Invitation, ResponseRow
from survey.quotas import placements
from survey.store_audit import record_audit
from survey.store_quotas import claim_places

invitation_t, response_t = Invitation.__table__, ResponseRow.__table__
TOKEN_BYTES = 24  # secrets.token_urlsafe(24): 32 characters, 192 bits
IMPORTED, REVOKED, SENT = "invitations_import", "invitation_revoke", "invitations_send"  # audit actions
INVITE, REMIND = "invite", "remind"
Outcome = Literal["stored", "duplicate", "completed", "revoked", "unknown"]


@dataclass(frozen=True)
class InvitationInfo:
    """One invited person as staff, e-mails and the token route see them."""

    id: int
    questionnaire_id: str
    email: str
    name: str
    language: str
    token: str
    sent_at: dt.datetime | None
    reminded_at: dt.datetime | None
    reminders: int
    opened: bool
    completed: bool
    revoked_at: dt.datetime | None
    attributes: dict[str, Any] = field(default_factory=dict)

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def usable(self) -> bool:
        """The link still leads to the form: not revoked, no response yet."""
        return not self.revoked and not self.completed


@dataclass(frozen=True)
class InvitationCounts:
    """How a questionnaire's invitations stand; `waiting` and `to_remind` are who the next sending would reach."""

    total: int = 0
    sent: int = 0
    reminded: int = 0
    opened: int = 0
    completed: int = 0
    revoked: int = 0
    waiting: int = 0  # not sent, not completed, not revoked
    to_remind: int = 0  # sent, not completed, not revoked


@dataclass(frozen=True)
class ImportResult:
    added: int
    kept: int  # addresses already on the list: they keep their token; name, language and pre-filled answers updated


class InvitationClosed(Exception):
    """A personal link's form was sent while the link can no longer give a response: `reason` is 'used' (another
    form of the same link was sent first) or 'revoked'. Nothing was stored."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def complete_invited_form(conn: Connection, invitation_id: int, submission_key: str) -> bool:
    """Within the transaction that stores a form's response: mark its invitation completed. True: go on and store;
    False: this very form's response is stored already (a replayed last page: store nothing, say thanks). Raises
    `InvitationClosed` when the link was used by another form or revoked."""
    refused = complete_invitation(conn, invitation_id)
    if refused is None:
        return True
    if refused == "completed":
        if conn.execute(select(response_t.c.id).where(response_t.c.submission_key == submission_key)).first():
            return False
        raise InvitationClosed("used")
    raise InvitationClosed("revoked" if refused == "revoked" else "used")


class _AlreadyStored(Exception):
    """Rolls back a completion whose response was stored before (the same submission key)."""


def new_invitation_token() -> str:
    """A fresh personal token: unguessable, URL-safe."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def _aware(moment: dt.datetime | None) -> dt.datetime | None:
    """SQLite gives back naive datetimes; every time stored here is UTC."""
    return moment.replace(tzinfo=dt.UTC) if moment is not None and moment.tzinfo is None else moment


def _info(row: Any) -> InvitationInfo:
    return InvitationInfo(row.id, row.questionnaire_id, row.email, row.name, row.language, row.token,
                          _aware(row.sent_at), _aware(row.reminded_at), row.reminders, bool(row.opened),
                          bool(row.completed), _aware(row.revoked_at), dict(row.attributes or {}))


def _who(actor: StaffMember | str) -> tuple[int | None, str]:
    return (actor.id, actor.email) if isinstance(actor, StaffMember) else (None, actor)


def complete_invitation(conn: Connection, invitation_id: int) -> Outcome | None:
    """Within the caller's transaction: mark the invitation completed; None when it was usable and now is not,
    else why it cannot give a response ('completed', 'revoked', 'unknown'). Takes the row's lock (PostgreSQL) or the
    database's (SQLite): a second submission waits here, then finds the flag set."""
    done = conn.execute(update(invitation_t)
                        .where(invitation_t.c.id == invitation_id, invitation_t.c.completed.is_(False),
                               invitation_t.c.revoked_at.is_(None))
                        .values(completed=True, opened=True).returning(invitation_t.c.id)).first()
    if done is not None:
        return None
    row = conn.execute(select(invitation_t.c.completed, invitation_t.c.revoked_at)
                       .where(invitation_t.c.id == invitation_id)).first()
    if row is None:
        return "unknown"
    return "completed" if row.completed else "revoked"


class Invitations:
    """Contact lists and personal tokens of questionnaires."""

    engine: Engine

    def add_invitations(self, actor: StaffMember | str, questionnaire_id: str, contacts: list[Contact]
                        ) -> ImportResult:
        """Add a contact list to a questionnaire's, in one transaction (audited). An address already invited keeps
        its token and state; its name, language and pre-filled answers become the file's."""
        actor_id, name = _who(actor)
        now = dt.datetime.now(dt.UTC)
        with self.engine.begin() as conn:
            known = dict(conn.execute(select(func.lower(invitation_t.c.email), invitation_t.c.id)
                                      .where(invitation_t.c.questionnaire_id == questionnaire_id)).all())
            new = [c for c in contacts if c.email.lower() not in known]
            if new:
                conn.execute(insert(invitation_t), [
                    {"questionnaire_id": questionnaire_id, "email": c.email, "name": c.name, "language": c.language,
                     "attributes": c.attributes, "token": new_invitation_token(), "created_at": now,
                     "reminders": 0, "opened": False, "completed": False} for c in new])
            for contact in contacts:
                if contact.email.lower() in known:
                    conn.execute(update(invitation_t).where(invitation_t.c.id == known[contact.email.lower()])
                                 .values(name=contact.name, language=contact.language, attributes=contact.attributes))
            kept = len(contacts) - len(new)
            record_audit(conn, IMPORTED, actor=name, actor_id=actor_id, questionnaire_id=questionnaire_id,
                         detail={"added": len(new), "kept": kept})
        return ImportResult(len(new), kept)

    def invitations(self, questionnaire_id: str) -> list[InvitationInfo]:
        """A questionnaire's invitations, in the order they were added."""
        query = select(invitation_t).where(invitation_t.c.questionnaire_id == questionnaire_id) \
            .order_by(invitation_t.c.id)
        with self.engine.connect() as conn:
            return [_info(row) for row in conn.execute(query)]

    def invitation(self, questionnaire_id: str, invitation_id: int) -> InvitationInfo | None:
        """One invitation of the questionnaire, by id."""
        query = select(invitation_t).where(invitation_t.c.id == invitation_id,
                                           invitation_t.c.questionnaire_id == questionnaire_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return _info(row) if row is not None else None

    def invitation_by_token(self, questionnaire_id: str, token: str) -> InvitationInfo | None:
        """The invitation a personal link names, whatever its state (None when no invitation has this token).

        What a respondent holding the token may be told about: whether the link is usable, completed or revoked.
        It does not lead to a stored response: nothing links the two (see the module's doc)."""
        if not token or len(token) > 64 or not token.isascii():
            return None
        query = select(invitation_t).where(invitation_t.c.token == token,
                                           invitation_t.c.questionnaire_id == questionnaire_id)
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        return _info(row) if row is not None else None

    def prefilled_answers(self, invitation_id: int | None) -> dict[str, Any]:
        """The answers an invitation's contact list gives, by question (none without one): its form does not show
        those questions, and takes their answers from here, never from what a browser posts."""
        if invitation_id is None:
            return {}
        with self.engine.connect() as conn:
            attributes = conn.execute(select(invitation_t.c.attributes)
                                      .where(invitation_t.c.id == invitation_id)).scalar()
        return dict(attributes or {})

    def invitation_counts(self, questionnaire_id: str) -> InvitationCounts:
        """How many invited, sent, reminded, opened, completed, revoked — one query."""
        c = invitation_t.c
        live = c.revoked_at.is_(None)

        def count(*where: Any) -> Any:
            return func.count().filter(*where)

        query = select(func.count(), count(c.sent_at.is_not(None)), count(c.reminders > 0), count(c.opened.is_(True)),
                       count(c.completed.is_(True)), count(c.revoked_at.is_not(None)),
                       count(c.sent_at.is_(None), c.completed.is_(False), live),
                       count(c.sent_at.is_not(None), c.completed.is_(False), live)) \
            .where(c.questionnaire_id == questionnaire_id)
        with self.engine.connect() as conn:
            return InvitationCounts(*conn.execute(query).one())

    def invitations_to_send(self, questionnaire_id: str, kind: str) -> list[InvitationInfo]:
        """Who an invitation (`invite`: not sent yet) or a reminder (`remind`: sent already) would go to; never a
        person who has responded or whose link is revoked."""
        c = invitation_t.c
        query = select(invitation_t).where(c.questionnaire_id == questionnaire_id, c.completed.is_(False),
                                           c.revoked_at.is_(None))
        query = query.where(c.sent_at.is_(None) if kind == INVITE else c.sent_at.is_not(None))
        with self.engine.connect() as conn:
            return [_info(row) for row in conn.execute(query.order_by(c.id))]

    def mark_sent(self, invitation_id: int, kind: str) -> None:
        """Record that an invitation's e-mail (`invite`) or a reminder (`remind`) went out, now."""
        values: dict[str, Any] = {"sent_at": dt.datetime.now(dt.UTC)} if kind == INVITE else {
            "reminded_at": dt.datetime.now(dt.UTC), "reminders": invitation_t.c.reminders + 1}
        with self.engine.begin() as conn:
            conn.execute(update(invitation_t).where(invitation_t.c.id == invitation_id).values(**values))

    def mark_opened(self, invitation_id: int) -> None:
        """The person followed their link: a flag, no time (a time could be matched with their response's)."""
        with self.engine.begin() as conn:
            conn.execute(update(invitation_t).where(invitation_t.c.id == invitation_id,
                                                    invitation_t.c.opened.is_(False)).values(opened=True))

    def revoke_invitation(self, actor: StaffMember | str, questionnaire_id: str, invitation_id: int) -> bool:
        """Revoke a personal link (audited, with the invitation's id, not the address); False when there is no such
        live invitation. A response already given stays."""
        actor_id, name = _who(actor)
        with self.engine.begin() as conn:
            done = conn.execute(update(invitation_t)
                                .where(invitation_t.c.id == invitation_id,
                                       invitation_t.c.questionnaire_id == questionnaire_id,
                                       invitation_t.c.revoked_at.is_(None))
                                .values(revoked_at=dt.datetime.now(dt.UTC)).returning(invitation_t.c.id)).first()
            if done is not None:
                record_audit(conn, REVOKED, actor=name, actor_id=actor_id, questionnaire_id=questionnaire_id,
                             detail={"invitation": invitation_id})
        return done is not None

    def store_invited_response(self, invitation_id: int, version_id: int, submission_key: str,
                               answers: dict[str, Any], submitted_at: dt.datetime | None = None) -> Outcome:
        """Store a response given through a personal link and mark the link completed, in one transaction.

        'stored'; 'duplicate' when this very submission was stored already (the same form posted twice); else
        'completed' (the link already gave its response) or 'revoked', and nothing is stored. Raises
        `survey.quotas.QuotaFull` when a quota cell of the response is full: nothing stored, the link still open."""
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        insert_response = (dialect.insert(response_t).on_conflict_do_nothing(index_elements=["submission_key"])
                           .returning(response_t.c.id))
        loaded = self.version(version_id)  # type: ignore[attr-defined]  # Store's
        try:
            with self.engine.begin() as conn:
                refused = complete_invitation(conn, invitation_id)
                if refused is not None:
                    stored_before = conn.execute(select(response_t.c.id)
                                                 .where(response_t.c.submission_key == submission_key)).first()
                    return "duplicate" if refused == "completed" and stored_before is not None else refused
                stored = conn.execute(insert_response, {
                    "version_id": version_id, "submission_key": submission_key,
                    "submitted_at": submitted_at or dt.datetime.now(dt.UTC), "answers": answers}).first()
                if stored is None:  # this key's response is stored already: leave the flag as it was
                    raise _AlreadyStored
                if loaded is not None:  # its quota places, in this transaction (raises QuotaFull: nothing stored)
                    claim_places(conn, loaded.questionnaire.id, stored.id, placements(loaded.questionnaire, answers))
        except _AlreadyStored:
            return "duplicate"
        return "stored"

    def record_sending(self, actor: StaffMember | str, questionnaire_id: str, kind: str, count: int) -> None:
        """The audit row of a sending: who, which kind, how many (no addresses)."""
        actor_id, name = _who(actor)
        with self.engine.begin() as conn:
            record_audit(conn, SENT, actor=name, actor_id=actor_id, questionnaire_id=questionnaire_id,
                         detail={"kind": kind, "count": count})
