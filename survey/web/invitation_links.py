"""The personal link of an invitation, `/s/<questionnaire>/i/<token>`: it starts the person's form — or resumes it,
on any device — with the answers their contact list fills in; a link already used, revoked or unknown gets a polite
page in the person's language instead.

The form itself is an ordinary form session (`survey/web/respond.py`) that names its invitation; the response and
the invitation's completion are one transaction (`survey/store_forms.py` → `complete_invitation`), and the completed
session forgets which invitation it answered, so nothing stored links a response to the list.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from anyio import to_thread
from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Response

from survey.db import IN_PROGRESS
from survey.schema import Questionnaire
from survey.store import Store
from survey.store_invitations import InvitationClosed, InvitationInfo
from survey.web.answering import served_language
from survey.web.pages import PathId, Services, ServicesDep, render, request_language
from survey.web.publishing import respondent_gate
from survey.web.respond import _to_form, localised, start_form_for

REFUSALS = {"used": 409, "revoked": 410, "unknown": 404}  # why a link starts no form → the page's status


def refused_page(request: Request, store: Store, questionnaire_id: str, reason: str,
                 invitation: InvitationInfo | None = None) -> Response:
    """The polite page of a link that starts no form, in the person's language when the questionnaire has it."""
    loaded = store.current(questionnaire_id)
    questionnaire: Questionnaire | None = None
    language = request_language(request)
    if loaded is not None:
        asked = (invitation.language if invitation else "") or request_language(request, loaded.questionnaire.language)
        language = served_language(loaded.questionnaire, asked)
        questionnaire = localised(store, loaded.version_id, language)
    return render(request, "respond_invitation.html", status=REFUSALS[reason], language=language, reason=reason,
                  questionnaire=questionnaire)


def follow_link(request: Request, services: Services, questionnaire_id: str, token: str) -> Response:
    """Resume the invitation's form in progress, or start one (pre-filled) and go to it; else say why not."""
    store = services.store
    invitation = store.invitation_by_token(questionnaire_id, token)
    if invitation is None:
        return refused_page(request, store, questionnaire_id, "unknown")
    if invitation.revoked:
        return refused_page(request, store, questionnaire_id, "revoked", invitation)
    if invitation.completed:
        return refused_page(request, store, questionnaire_id, "used", invitation)
    form = store.form_for_invitation(invitation.id)
    max_age = dt.timedelta(days=services.settings.form_days)
    if form is None or form.status != IN_PROGRESS or form.expired(max_age):
        if (closed := respondent_gate(request, services, questionnaire_id)) is not None:  # draft, closed…
            return closed
        loaded = store.current(questionnaire_id)
        names = {q.name for q in loaded.questionnaire.questions()} if loaded is not None else set()
        # The list was read against the version current then: a question a newer version dropped is left out.
        answers = {name: value for name, value in invitation.attributes.items() if name in names}
        form = start_form_for(store, questionnaire_id, invitation_id=invitation.id, language=invitation.language,
                              answers=answers)
        if form is None:
            raise NotFoundException()
    store.mark_opened(invitation.id)
    questionnaire = localised(store, form.version_id, form.language)
    if questionnaire is None:
        raise NotFoundException()
    return _to_form(request, questionnaire, form.key, form.page)


def invitation_closed(request: Request, exc: InvitationClosed) -> Response:
    """The app's handler of a form sent through a link that another form used first, or that was revoked meanwhile
    (`Store.complete_form`): nothing was stored; the person gets the link's polite page."""
    questionnaire_id = str(request.path_params.get("questionnaire_id", ""))
    return refused_page(request, request.app.state.store, questionnaire_id, exc.reason)


class InvitationLinkController(Controller):
    path = "/s/{questionnaire_id:str}/i"

    @get("/{token:str}", name="respond_invitation")
    async def follow(self, request: Request, services: ServicesDep, questionnaire_id: PathId, token: PathId
                     ) -> Response:
        return await to_thread.run_sync(partial(follow_link, request, services, questionnaire_id, token))
