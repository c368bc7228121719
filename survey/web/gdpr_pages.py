"""Respondent pages of quotas and erasure: the end of a form whose quota cell is full, and « erase my response ».

A full quota cell ends the form on a page of its own, reached by a redirect after the POST (post/redirect/get), in
the respondent's language. Erasure is asked from the form's own link (its resume link, which a personal invitation
link also leads to): a confirmation page, then a POST with its CSRF token, then a redirect to a page saying it is
done. It is offered until the questionnaire closes; after, the page names the mission's contact instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any
from urllib.parse import quote

from anyio import to_thread
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response

from survey.publishing import availability
from survey.quotas import decided, first_full, quota_named
from survey.schema import Questionnaire
from survey.schema.localise import text_in
from survey.store_retention import RESUME_LINK
from survey.web.answering import served_language
from survey.web.pages import PathId, Services, ServicesDep, render, request_language


def quota_page_url(questionnaire: Questionnaire, quota: str, language: str) -> str:
    """Where a respondent whose quota cell is full is sent (after the POST, so Back and Reload stay quiet)."""
    lang = "" if language == questionnaire.language else f"&lang={language}"
    return f"/s/{questionnaire.id}/complet?quota={quote(quota)}{lang}"


def full_quota(services: Services, questionnaire: Questionnaire, answers: dict[str, Any],
               pages_behind: Iterable[int]) -> str | None:
    """The name of a quota whose cell these answers already fall in and that is full, once the pages `pages_behind`
    are submitted; None when every decided cell has room (or the questionnaire has no quota). One SELECT, only
    when a quota is decided."""
    if not questionnaire.quotas:
        return None
    behind = {q.name for index in pages_behind for q in questionnaire.pages[index].questions}
    settled = decided(questionnaire, answers, behind)
    if not settled:
        return None
    full = first_full(settled, services.store.quota_counts(questionnaire.id))
    return full.quota if full is not None else None


def erasure_url(questionnaire_id: str, key: str) -> str:
    """The erasure page of the form `key` (offered on the thank-you page); "" without a key that could be one."""
    if not key or len(key) > 64 or not key.replace("-", "").replace("_", "").isalnum():
        return ""
    return f"/s/{questionnaire_id}/f/{key}/effacer"


def _language(request: Request, questionnaire: Questionnaire) -> str:
    return served_language(questionnaire, request_language(request, questionnaire.language))


def _erasable(services: Services, questionnaire_id: str) -> bool:
    """Whether respondents may still erase their responses: until the questionnaire closes."""
    publication = services.store.publication(questionnaire_id)
    if publication is None:
        return True
    return availability(publication, dt.datetime.now(dt.UTC), services.settings.zone).answerable


class QuotaFullController(Controller):
    path = "/s/{questionnaire_id:str}/complet"

    @get("/", name="respond_quota_full", sync_to_thread=True)
    def quota_full(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        """The quota's message (or a general thank-you) in the respondent's language; nothing was recorded."""
        loaded = services.store.current(questionnaire_id)
        if loaded is None:
            raise NotFoundException()
        questionnaire = loaded.questionnaire
        language = _language(request, questionnaire)
        quota = quota_named(questionnaire, request.query_params.get("quota") or "")
        message = str(text_in(quota.message, language, questionnaire.language)) if quota and quota.message else ""
        title = str(text_in(questionnaire.title, language, questionnaire.language))
        return render(request, "respond_quota_full.html", language=language, title=title, message=message)


class ErasureController(Controller):
    path = "/s/{questionnaire_id:str}/f/{key:str}/effacer"

    def _page(self, request: Request, services: Services, questionnaire_id: str, key: str, done: bool = False
              ) -> Response:
        loaded = services.store.current(questionnaire_id)
        if loaded is None:
            raise NotFoundException()
        questionnaire = loaded.questionnaire
        language = _language(request, questionnaire)
        mission = questionnaire.mission
        state = "done" if done else ("closed" if not _erasable(services, questionnaire_id) else
                                     "confirm" if services.store.response_exists(questionnaire_id, key) else
                                     "nothing")
        return render(request, "respond_erasure.html", status=404 if state == "nothing" else 200,
                      language=language, state=state, key=key, questionnaire_id=questionnaire_id,
                      title=str(text_in(questionnaire.title, language, questionnaire.language)),
                      contact=mission.contact if mission and mission.contact else "")

    @get("/", name="respond_erasure", sync_to_thread=True)
    def ask(self, request: Request, services: ServicesDep, questionnaire_id: PathId, key: PathId) -> Response:
        """The confirmation page (or why there is nothing to erase, or that it is too late)."""
        return self._page(request, services, questionnaire_id, key, done=request.query_params.get("fait") == "1")

    @post("/", name="respond_erase")
    async def erase(self, request: Request, services: ServicesDep, questionnaire_id: PathId, key: PathId
                    ) -> Response:
        """Erase the response (audited without content), then redirect to the page that says so."""
        if await to_thread.run_sync(services.store.current, questionnaire_id) is None:  # off the event loop
            raise NotFoundException()
        if not await to_thread.run_sync(_erasable, services, questionnaire_id):
            return await to_thread.run_sync(self._page, request, services, questionnaire_id, key)
        await to_thread.run_sync(services.store.erase_response, questionnaire_id, key, RESUME_LINK)
        lang = request.query_params.get("lang")
        suffix = f"&lang={quote(lang)}" if lang in ("fr", "en") else ""
        return Redirect(f"/s/{questionnaire_id}/f/{quote(key)}/effacer?fait=1{suffix}", status_code=303)
