"""Staff preview: any questionnaire version, answered like a respondent would, nothing stored.

The preview keeps its progress in a signed hidden field (`form_state.py`) and answers each POST with the page
itself: no form session, no row, nothing to purge. Its pages, logic and checks are the respondent's
(`answering.take_step`); a preview's state is marked as one and means nothing to the public form.
"""

from __future__ import annotations

from functools import partial

from anyio import to_thread
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Response

from survey.access import Action
from survey.web.answering import offered_languages, served_language, show_page, take_step
from survey.web.auth import require, visible_questionnaire
from survey.web.form_state import FormState, StateInvalid
from survey.web.pages import PathId, Services, ServicesDep, form_fields, form_value, render, request_language
from survey.web.respond import first_state, localised


def _show(request: Request, services: Services, questionnaire_id: str, state: FormState, label: str,
          **extra: object) -> Response:
    questionnaire = localised(services.store, state.version_id, state.language)
    return show_page(request, questionnaire, state, action=f"/staff/q/{questionnaire_id}/preview",  # type: ignore[arg-type]
                     controls={"state": services.signer.dump(state)}, preview=label, **extra)  # type: ignore[arg-type]


def _answer(request: Request, services: Services, fields: dict[str, list[str]], questionnaire_id: str) -> Response:
    """A posted preview page: the respondent's step, drawn at once from the signed state."""
    try:
        state = services.signer.load(form_value(fields, "state"))
    except StateInvalid:
        return render(request, "respond_expired.html", status=400, questionnaire_id=questionnaire_id)
    loaded = services.store.version(state.version_id)
    action = form_value(fields, "action") or "next"
    if action.startswith("lang:") and loaded is not None and action[5:] in offered_languages(loaded.questionnaire):
        state = state.moved(language=action[5:])
    questionnaire = localised(services.store, state.version_id, state.language)
    if loaded is None or questionnaire is None or questionnaire.id != questionnaire_id or not state.preview \
            or not 0 <= state.page < len(questionnaire.pages):
        return render(request, "respond_expired.html", status=400, questionnaire_id=questionnaire_id)
    step = take_step(questionnaire, state, fields, action)
    if step.done:
        return render(request, "respond_done.html", questionnaire=questionnaire, language=state.language,
                      preview=True)
    return _show(request, services, questionnaire_id, step.state, loaded.questionnaire.version,
                 issues=list(step.issues), raw=step.raw, notice=step.notice, resolution=step.resolution)


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
        return _show(request, services, questionnaire_id, state, label)

    @post("/")
    async def answer(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        visible_questionnaire(services.store, request, questionnaire_id)
        fields = form_fields(await request.form())
        return await to_thread.run_sync(partial(_answer, request, services, fields, questionnaire_id))
