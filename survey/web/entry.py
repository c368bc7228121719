"""Paper and telephone entry: a member of staff types in a questionnaire answered on paper or by telephone.

Staff with `Action.CONDUCT_INTERVIEWS` (interviewers, evaluators, admins), on their missions' questionnaires that
take answers now; another mission's questionnaire is a 404, so that its existence does not leak. "Saisir une
réponse" starts a form session with the channel chosen and `entered_by` = the member, then hands over to the
respondents' own pages (/s/<id>/f/<key>): same pages, same checks, same completion. The thank-you page knows the
form was entered by staff from its session's channel (not web) and offers to enter another one.
"""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect

from survey.access import Action
from survey.db import PAPER, TELEPHONE
from survey.messages import translate
from survey.publishing import availability
from survey.web.auth import guarded_member, require, visible_questionnaire
from survey.web.pages import Form, PathId, Services, ServicesDep, form_value, render, request_language
from survey.web.respond import form_url, localised, start_form_for

ENTRY_CHANNELS = (PAPER, TELEPHONE)  # what staff enter; web is the respondents' own
ENTRY_PAGE = "/staff/entry"


def _answerable(services: Services, questionnaire_id: str) -> bool:
    """Whether the questionnaire takes answers now (a questionnaire with no publication record does)."""
    publication = services.store.publication(questionnaire_id)
    return publication is None or availability(publication, dt.datetime.now(dt.UTC),
                                               services.settings.zone).answerable


def _page(request: Request, services: Services, *, status: int = 200, problem: str = "",
          chosen: str = PAPER) -> Response:
    listings = [item for item in services.store.listings(guarded_member(request)) if _answerable(services, item.id)]
    return render(request, "staff_entry.html", status=status, listings=listings, channels=ENTRY_CHANNELS,
                  chosen=chosen, problem=problem)


class EntryController(Controller):
    path = ENTRY_PAGE
    guards = [require(Action.CONDUCT_INTERVIEWS)]

    @get("/", sync_to_thread=True)
    def entry(self, request: Request, services: ServicesDep) -> Response:
        """The open questionnaires of the member's missions, each with its channel and its button."""
        channel = request.query_params.get("channel", "")
        return _page(request, services, chosen=channel if channel in ENTRY_CHANNELS else PAPER)

    @post("/{questionnaire_id:str}", sync_to_thread=True)
    def start(self, request: Request, services: ServicesDep, questionnaire_id: PathId, data: Form) -> Response:
        """Start a form entered by the member on the channel chosen, and open its first page."""
        visible_questionnaire(services.store, request, questionnaire_id)  # 404 if not the member's
        language = request_language(request)
        channel = form_value(data, "channel") or ""
        if channel not in ENTRY_CHANNELS:
            return _page(request, services, status=422, problem=translate("entry_pick_channel", language))
        if not _answerable(services, questionnaire_id):
            return _page(request, services, status=409, problem=translate("entry_closed", language), chosen=channel)
        form = start_form_for(services.store, questionnaire_id, channel=channel,
                              entered_by=guarded_member(request).id)
        questionnaire = localised(services.store, form.version_id, form.language) if form is not None else None
        if form is None or questionnaire is None:
            raise NotFoundException()
        return Redirect(form_url(questionnaire, form.key, form.page), status_code=303)
