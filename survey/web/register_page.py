"""The register of processing (art. 30 GDPR) of a questionnaire's mission, as a staff page: the same content as
`survey register` prints (survey/register.py), for members who work on the mission."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Response

from survey.access import Action
from survey.register import processing_register
from survey.web.auth import require, visible_questionnaire
from survey.web.pages import PathId, ServicesDep, render, request_language


class RegisterController(Controller):
    path = "/staff/q/{questionnaire_id:str}/registre"

    @get("/", guards=[require(Action.VIEW_RESULTS)], sync_to_thread=True)
    def register(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        """Every current questionnaire of the mission, with what it collects, why, for how long, for whom."""
        visible_questionnaire(services.store, request, questionnaire_id)
        loaded = services.store.current(questionnaire_id)
        mission = loaded.questionnaire.mission if loaded is not None else None
        if mission is None:
            raise NotFoundException()
        ids, team = services.store.mission_team(mission.id)
        questionnaires = [found.questionnaire for found in map(services.store.current, ids) if found is not None]
        language = request_language(request)
        return render(request, "staff_register.html", questionnaire_id=questionnaire_id,
                      register=processing_register(mission, questionnaires, team, language))
