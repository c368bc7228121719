"""Staff preview: any questionnaire version, answered like a respondent would, nothing stored."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Response

from survey.access import Action
from survey.web.answering import served_language, show_page
from survey.web.auth import require, visible_questionnaire
from survey.web.pages import PathId, ServicesDep, request_language
from survey.web.respond import answer_page, first_state, localised


class PreviewController(Controller):
    path = "/staff/q/{questionnaire_id:str}/preview"
    guards = [require(Action.VIEW_QUESTIONNAIRES)]

    @get("/", sync_to_thread=True)
    def start(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        """`?version=<label>` previews that version; the current one otherwise."""
        visible_questionnaire(services.store, request, questionnaire_id)
        ids = services.store.version_ids(questionnaire_id)
        label = request.query_params.get("version")
        current = services.store.current(questionnaire_id)
        version_id = ids.get(label) if label else (current.version_id if current else None)
        if version_id is None:
            raise NotFoundException()
        version = services.store.version(version_id)
        language = served_language(version.questionnaire, request_language(request))  # type: ignore[union-attr]
        questionnaire = localised(services.store, version_id, language)
        state = first_state(questionnaire, version_id, language, preview=True)  # type: ignore[arg-type]
        label = next(name for name, vid in ids.items() if vid == version_id)
        return show_page(request, services.signer, questionnaire, state,  # type: ignore[arg-type]
                         action=f"/staff/q/{questionnaire_id}/preview", preview=label)

    @post("/")
    async def answer(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        visible_questionnaire(services.store, request, questionnaire_id)
        return await answer_page(request, services, questionnaire_id, f"/staff/q/{questionnaire_id}/preview",
                                 preview=True)
