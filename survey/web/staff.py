"""Staff pages and downloads, every one scoped to the member's missions (admins see all)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException, ValidationException

from survey import deliverables
from survey.access import Action, StaffMember
from survey.anonymise import AnonymisedTable
from survey.store import QuestionnaireListing, Store
from survey.web.auth import current_member, require
from survey.web.pages import PathId, ServicesDep, render, request_language

# The main file and the repeat groups' files are separate downloads, yet their export ids must match: one
# export is kept for a member this long and served to each of its files. Past that, ids are drawn afresh.
EXPORT_REUSE_SECONDS = 600.0
_MAX_KEPT_EXPORTS = 16


class _RecentExports:
    """The last anonymised export per member, questionnaire and options, for a few minutes, in memory."""

    def __init__(self) -> None:
        self._kept: dict[tuple, tuple[float, AnonymisedTable]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple, make: Callable[[], AnonymisedTable]) -> AnonymisedTable:
        now = time.monotonic()
        with self._lock:
            self._kept = {k: v for k, v in self._kept.items() if v[0] > now}
            kept = self._kept.get(key)
        if kept is not None:
            return kept[1]
        table = make()
        with self._lock:
            if len(self._kept) >= _MAX_KEPT_EXPORTS:
                self._kept.pop(min(self._kept, key=lambda k: self._kept[k][0]))
            self._kept[key] = (now + EXPORT_REUSE_SECONDS, table)
        return table


_recent = _RecentExports()


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


def _labels(request: Request, store: Store, questionnaire_id: str) -> str | None:
    """`?labels=fr`: choice labels in a language the questionnaire has, instead of codes."""
    asked = request.query_params.get("labels") or None
    if asked is None:
        return None
    loaded = store.current(questionnaire_id)
    if loaded is None or asked not in loaded.questionnaire.all_languages:
        raise ValidationException(f"labels: use one of the questionnaire's languages, not {asked[:8]!r}")
    return asked


def _export(request: Request, store: Store, listing: QuestionnaireListing, labels: str | None) -> AnonymisedTable:
    member: StaffMember = current_member(request)  # type: ignore[assignment]
    key = (member.id, listing.id, labels, store.response_count(listing.id))
    return _recent.get(key, lambda: deliverables.anonymised(store, listing.id, labels=labels))


class StaffController(Controller):
    path = "/staff"

    @get("/", guards=[require(Action.VIEW_QUESTIONNAIRES)], sync_to_thread=True)
    def home(self, request: Request, services: ServicesDep) -> Response:
        return render(request, "staff_home.html", listings=services.store.listings(current_member(request)))

    @get("/q/{questionnaire_id:str}", guards=[require(Action.VIEW_RESULTS)], sync_to_thread=True)
    def questionnaire(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        listing = _visible(services.store, request, questionnaire_id)
        questionnaire, summary = deliverables.summary(services.store, questionnaire_id, request_language(request))
        current = services.store.current(questionnaire_id)
        repeats = [q.name for q in current.questionnaire.questions() if q.type == "repeat"] if current else []
        languages = current.questionnaire.all_languages if current else []
        return render(request, "staff_questionnaire.html", listing=listing, questionnaire=questionnaire,
                      summary=summary, repeats=repeats, label_languages=languages,
                      can_download=current_member(request).can(Action.DOWNLOAD))  # type: ignore[union-attr]

    @get("/q/{questionnaire_id:str}/export.csv", guards=[require(Action.DOWNLOAD)], sync_to_thread=True)
    def dataset(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        listing = _visible(services.store, request, questionnaire_id)
        labels = _labels(request, services.store, questionnaire_id)
        table = _export(request, services.store, listing, labels)
        return _download(deliverables.dataset_file(table, listing.id, labels))

    @get("/q/{questionnaire_id:str}/repeat/{filename:str}", guards=[require(Action.DOWNLOAD)], sync_to_thread=True)
    def repeat(self, request: Request, services: ServicesDep, questionnaire_id: PathId, filename: PathId) -> Response:
        listing = _visible(services.store, request, questionnaire_id)
        labels = _labels(request, services.store, questionnaire_id)
        files = deliverables.repeat_files(_export(request, services.store, listing, labels), listing.id, labels)
        name = filename.removesuffix(".csv")
        if not filename.endswith(".csv") or name not in files:
            raise NotFoundException()
        return _download(files[name])

    @get("/q/{questionnaire_id:str}/codebook.csv", guards=[require(Action.DOWNLOAD)], sync_to_thread=True)
    def codebook(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        _visible(services.store, request, questionnaire_id)
        return _download(deliverables.codebook(services.store, questionnaire_id, language=request_language(request)))

    @get("/q/{questionnaire_id:str}/report.pdf", guards=[require(Action.DOWNLOAD)], sync_to_thread=True)
    def report(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        _visible(services.store, request, questionnaire_id)
        return _download(deliverables.report(services.store, questionnaire_id, request_language(request)))
