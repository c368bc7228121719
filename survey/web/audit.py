"""The admins' page of the audit log: every download and raw export, newest first, filterable by questionnaire."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, Response, get
from litestar.exceptions import ValidationException

from survey.access import Action
from survey.store_listings import QUESTIONNAIRE_ID
from survey.web.auth import require
from survey.web.pages import ServicesDep, render

PAGE_EVENTS = 500


def _since(text: str) -> dt.datetime | None:
    """A `since` query parameter (YYYY-MM-DD) as the start of that day in UTC; 400 with one line else."""
    if not text:
        return None
    try:
        return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), dt.UTC)
    except ValueError:
        raise ValidationException(f"since: a date written YYYY-MM-DD, not {text[:12]!r}") from None


class AuditController(Controller):
    path = "/staff/audit"
    guards = [require(Action.READ_AUDIT)]

    @get("/", sync_to_thread=True)
    def events(self, request: Request, services: ServicesDep) -> Response:
        """The last events, optionally of one questionnaire and from a day on."""
        questionnaire = request.query_params.get("questionnaire", "").strip()
        if questionnaire and not QUESTIONNAIRE_ID.fullmatch(questionnaire):
            raise ValidationException("questionnaire: an id of lower-case letters, digits and dashes")
        since_text = request.query_params.get("since", "").strip()
        events = services.store.audit_events(questionnaire or None, _since(since_text), limit=PAGE_EVENTS)
        return render(request, "staff_audit.html", events=events, questionnaire=questionnaire, since=since_text,
                      limit=PAGE_EVENTS)
