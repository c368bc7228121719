"""The audit log: every download and every raw export is recorded (who, when, which questionnaire, which profile,
why), admins read it in the UI and with `survey audit`, nobody else does."""

from __future__ import annotations

import datetime as dt

import pytest

from survey.access import Role, StaffMember
from survey.store import Store
from survey.store_audit import DOWNLOAD, RAW_EXPORT



def _admin(store: Store) -> StaffMember:
    """A real admin account (the event keeps its id)."""
    user_id = store.add_user("admin@example.fr", "x", Role.ADMIN, [])
    return StaffMember(user_id, "admin@example.fr", Role.ADMIN, frozenset())


def test_an_event_reads_back_with_who_when_what_and_why(store: Store):
    admin = _admin(store)
    before = dt.datetime.now(dt.UTC)
    store.audit(RAW_EXPORT, admin, "budget-participatif-habitants", reason="Demande CNIL n° 12",
                       detail={"profile": "brut", "format": "csv"})
    [event] = store.audit_events()
    assert (event.actor, event.actor_id, event.action) == ("admin@example.fr", admin.id, RAW_EXPORT)
    assert (event.questionnaire_id, event.reason, event.profile) == ("budget-participatif-habitants",
                                                                     "Demande CNIL n° 12", "brut")
    assert event.detail == {"profile": "brut", "format": "csv"}
    assert before - dt.timedelta(seconds=1) <= event.at <= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)


def test_events_list_newest_first_filtered_by_questionnaire_moment_and_action(store: Store):
    start = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
    for day, (questionnaire, action) in enumerate([("a", DOWNLOAD), ("b", DOWNLOAD), ("a", RAW_EXPORT),
                                                   ("a", DOWNLOAD)]):
        store.audit(action, "cli:alice", questionnaire, at=start + dt.timedelta(days=day))
    assert [e.at.day for e in store.audit_events()] == [4, 3, 2, 1]
    assert [e.at.day for e in store.audit_events(questionnaire_id="a")] == [4, 3, 1]
    assert [e.at.day for e in store.audit_events(since=start + dt.timedelta(days=2))] == [4, 3]
    assert [e.at.day for e in store.audit_events(questionnaire_id="a", action=RAW_EXPORT)] == [3]
    assert store.audit_events(questionnaire_id="c") == []
    assert all(e.actor == "cli:alice" and e.actor_id is None for e in store.audit_events())


def test_an_action_name_too_long_for_its_column_is_refused(sqlite_store: Store):
    with pytest.raises(ValueError, match="1 to 32 characters"):
        sqlite_store.audit("x" * 33, "cli:alice")
