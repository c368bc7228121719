"""Staff pages and downloads, every one scoped to the member's missions (admins see all)."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException

from survey import deliverables
from survey.access import Action, StaffMember
from survey.store import QuestionnaireListing, Store
from survey.web.auth import current_member, require
from survey.web.pages import PathId, ServicesDep, render, request_language


def _visible(store: Store, request: Request, questionnaire_id: str) -> QuestionnaireListing:
    """The questionnaire if the member works on its mission; 404 otherwise, so its existence does not leak."""
    member: StaffMember = current_member(request)  # type: ignore[assignment]
    listing = store.listing(questionnaire_id, member)
    if listing is None:
        raise NotFoundException()
    return listing


def _download(item: deliverables.Deliverable) -> Response:
    return Response(item.content, media_type=item.media_type, headers={
        "Content-Disposition": f'attachment; filename="{item.filename}"',
        "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})


class StaffController(Controller):
    path = "/staff"

    @get("/", guards=[require(Action.VIEW_QUESTIONNAIRES)], sync_to_thread=True)
    def home(self, request: Request, services: ServicesDep) -> Response:
        return render(request, "staff_home.html", listings=services.store.listings(current_member(request)))

    @get("/q/{questionnaire_id:str}", guards=[require(Action.VIEW_RESULTS)], sync_to_thread=True)
    def questionnaire(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        listing = _visible(services.store, request, questionnaire_id)
        questionnaire, summary = deliverables.summary(services.store, questionnaire_id, request_language(request))
        return render(request, "staff_questionnaire.html", listing=listing, questionnaire=questionnaire,
                      summary=summary, can_download=current_member(request).can(Action.DOWNLOAD))  # type: ignore[union-attr]

    @get("/q/{questionnaire_id:str}/export.csv", guards=[require(Action.DOWNLOAD)], sync_to_thread=True)
    def dataset(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        _visible(services.store, request, questionnaire_id)
        return _download(deliverables.dataset(services.store, questionnaire_id))

    @get("/q/{questionnaire_id:str}/codebook.csv", guards=[require(Action.DOWNLOAD)], sync_to_thread=True)
    def codebook(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        _visible(services.store, request, questionnaire_id)
        return _download(deliverables.codebook(services.store, questionnaire_id, language=request_language(request)))

    @get("/q/{questionnaire_id:str}/report.pdf", guards=[require(Action.DOWNLOAD)], sync_to_thread=True)
    def report(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        _visible(services.store, request, questionnaire_id)
        return _download(deliverables.report(services.store, questionnaire_id, request_language(request)))
