"""Staff publishing: upload a questionnaire (YAML or XLSForm) and see every problem on the page, then open, close,
reopen or archive it, set its dates and its mission's header. Every change is audited (survey/store_publishing.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from anyio import to_thread
from litestar import Controller, Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Response

from survey.access import Action, StaffMember
from survey.aggregate import format_date
from survey.branding import LogoRefused, clean_logo
from survey.publishing import (
    ARCHIVED,
    CLOSED,
    DRAFT,
    OPEN,
    TRANSITIONS,
    ColourRefused,
    DateRefused,
    TransitionRefused,
    availability,
    check_colours,
    parse_moment,
    window,
)
from survey.questionnaire_upload import MAX_UPLOAD_BYTES, Upload, read_upload
from survey.store import DEFAULT_MISSION, Store, VersionConflict
from survey.store_publishing import Branding
from survey.web.auth import guarded_member, require, visible_questionnaire
from survey.web.pages import Form, PathId, Services, ServicesDep, form_value, render, request_language
from survey.web.publishing import local_moment

UPLOAD = "questionnaire_upload"  # audit action of an upload from the staff pages
BRANDING_NAME_MAX = 200
# The button that leads to each state, by the state it leaves (labels in survey/messages_publishing.py).
BUTTONS = {(DRAFT, OPEN): "action_open", (CLOSED, OPEN): "action_reopen", (OPEN, CLOSED): "action_close",
           (ARCHIVED, CLOSED): "action_unarchive", (DRAFT, ARCHIVED): "action_archive",
           (CLOSED, ARCHIVED): "action_archive"}


def _upload_refusals(store: Store, member: StaffMember, upload: Upload) -> list[str]:
    """Problems of an upload that the file alone does not show: whose mission it is, whose id it takes."""
    questionnaire = upload.questionnaire
    if questionnaire is None:
        return []
    mission = (questionnaire.mission or DEFAULT_MISSION).id
    problems = []
    if not member.works_on(mission):
        mine = ", ".join(sorted(member.missions)) or "none"
        problems.append(f"{upload.name}: `mission: id: {mission}` is not a mission you work on — give the `mission:` "
                        f"block of one of yours ({mine})")
    existing = store.mission_of(questionnaire.id)
    if existing is not None and not member.works_on(existing):
        problems.append(f"{upload.name}: the id `{questionnaire.id}` is already used by another mission's "
                        "questionnaire — choose another `id:`")
    return problems


def _store_upload(services: Services, member: StaffMember, upload: Upload) -> tuple[str, str]:
    """Load a checked upload (a new questionnaire as a draft), audited; (status, version label)."""
    questionnaire = upload.questionnaire
    assert questionnaire is not None
    status = services.store.load(questionnaire, source=f"upload:{upload.name}", new_state=DRAFT)
    current = services.store.current(questionnaire.id)
    label = current.questionnaire.version if current else questionnaire.version
    services.store.audit(UPLOAD, member, questionnaire.id,
                         detail={"file": upload.name, "status": status, "version": label})
    return status, label


def _form_file(form: Any, name: str) -> UploadFile | None:
    value = form.get(name)
    return value if isinstance(value, UploadFile) else None


def _branding_of(services: Services, questionnaire_id: str) -> Branding:
    mission = services.store.mission_of(questionnaire_id) or DEFAULT_MISSION.id
    return services.store.branding(mission)


def _local_input(moment: dt.datetime | None, services: Services) -> str:
    """A stored moment as a datetime-local field shows it."""
    return moment.astimezone(services.settings.zone).strftime("%Y-%m-%dT%H:%M") if moment else ""


def publication_page(request: Request, services: Services, questionnaire_id: str, *, status: int = 200,
                     error: str | None = None, notice: tuple[str, dict[str, str]] | None = None) -> Response:
    """The questionnaire's publishing page: its state and what respondents see now, the buttons it allows, its
    dates, its versions and its mission's header."""
    listing = visible_questionnaire(services.store, request, questionnaire_id)
    publication = services.store.publication(questionnaire_id)
    assert publication is not None
    language = request_language(request)
    now = dt.datetime.now(dt.UTC)
    found = availability(publication, now, services.settings.zone)
    opens, closes = window(publication, services.settings.zone)

    def moment(value: dt.datetime | None) -> str:
        return local_moment(value, services, language) if value else ""

    buttons = [(target, BUTTONS[(publication.state, target)]) for target in sorted(TRANSITIONS[publication.state])]
    return render(request, "staff_publication.html", status=status, listing=listing, publication=publication,
                  found=found, opens=moment(opens), closes=moment(closes), buttons=buttons, error=error,
                  notice=notice, versions=services.store.version_listing(questionnaire_id),
                  opens_input=_local_input(publication.opens_at, services),
                  closes_input=_local_input(publication.closes_at, services),
                  zone=services.settings.timezone, grace=services.settings.close_grace_minutes,
                  mission_start=format_date(publication.mission_start, language) if publication.mission_start else "",
                  mission_end=format_date(publication.mission_end, language) if publication.mission_end else "",
                  mission_branding=_branding_of(services, questionnaire_id))


class PublishController(Controller):
    path = "/staff"
    guards = [require(Action.PUBLISH)]

    @get("/publish")
    async def upload_form(self, request: Request) -> Response:
        return render(request, "staff_publish.html", problems=[], notes=[], name="")

    @post("/publish", request_max_body_size=MAX_UPLOAD_BYTES)
    async def upload(self, request: Request, services: ServicesDep) -> Response:
        """Check the file as `survey validate` does; store it (a new questionnaire as a draft) or show every
        problem (422), nothing stored."""
        form = await request.form()
        sent = _form_file(form, "file")
        data = await sent.read() if sent is not None else b""
        upload = await to_thread.run_sync(read_upload, sent.filename if sent else "", data)
        member = guarded_member(request)
        upload.problems += _upload_refusals(services.store, member, upload)
        if not upload.problems:
            try:
                status, label = await to_thread.run_sync(_store_upload, services, member, upload)
            except VersionConflict as exc:
                upload.problems += str(exc).splitlines()
        if upload.problems:
            return render(request, "staff_publish.html", status=422, problems=upload.problems, notes=upload.notes,
                          name=upload.name)
        qid = upload.questionnaire.id  # type: ignore[union-attr]
        return Redirect(f"/staff/q/{qid}/publication?uploaded={status}&version={quote(label)}", status_code=303)

    @get("/q/{questionnaire_id:str}/publication", sync_to_thread=True)
    def publication(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        uploaded = request.query_params.get("uploaded")
        notice = None
        if uploaded in ("new", "updated", "versioned", "unchanged"):
            version = (request.query_params.get("version") or "")[:32]
            notice = (f"publish_result_{uploaded}", {"version": version})
        return publication_page(request, services, questionnaire_id, notice=notice)

    @post("/q/{questionnaire_id:str}/state", sync_to_thread=True)
    def change_state(self, request: Request, services: ServicesDep, questionnaire_id: PathId,
                     data: Form) -> Response:
        """Open, close, reopen, archive or unarchive; a move the rules refuse gets the page with why (409)."""
        visible_questionnaire(services.store, request, questionnaire_id)
        target = form_value(data, "to") or ""
        try:
            services.store.set_state(questionnaire_id, target, guarded_member(request))
        except TransitionRefused as exc:
            return publication_page(request, services, questionnaire_id, status=409, error=str(exc))
        return Redirect(f"/staff/q/{questionnaire_id}/publication", status_code=303)

    @post("/q/{questionnaire_id:str}/dates", sync_to_thread=True)
    def change_dates(self, request: Request, services: ServicesDep, questionnaire_id: PathId,
                     data: Form) -> Response:
        """Set or clear the opening and closing moments (local time); a wrong one gets the page with why (400)."""
        visible_questionnaire(services.store, request, questionnaire_id)
        zone = services.settings.zone
        try:
            opens = parse_moment(form_value(data, "opens_at") or "", zone)
            closes = parse_moment(form_value(data, "closes_at") or "", zone, end_of_day=True)
            services.store.set_dates(questionnaire_id, opens, closes, guarded_member(request))
        except DateRefused as exc:
            return publication_page(request, services, questionnaire_id, status=400, error=str(exc))
        return Redirect(f"/staff/q/{questionnaire_id}/publication", status_code=303)

    @post("/q/{questionnaire_id:str}/branding", request_max_body_size=2_000_000)
    async def change_branding(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        """The mission's name, colours and logo; a colour below AA contrast or a refused logo gets the page with
        why (400), nothing changed."""
        await to_thread.run_sync(visible_questionnaire, services.store, request, questionnaire_id)
        form = await request.form()
        sent = _form_file(form, "logo")
        logo = await sent.read() if sent is not None else b""
        return await to_thread.run_sync(self._save_branding, request, services, questionnaire_id, form, logo)

    @staticmethod
    def _save_branding(request: Request, services: Services, questionnaire_id: str, form: Any,
                       logo: bytes) -> Response:
        name = " ".join(str(form.get("name") or "").split())[:BRANDING_NAME_MAX]
        background, text = str(form.get("background") or "").strip(), str(form.get("text_colour") or "").strip()
        mission = services.store.mission_of(questionnaire_id) or DEFAULT_MISSION.id
        try:
            if background or text:
                background, text = check_colours(background, text or "#ffffff")
            cleaned = clean_logo(logo) if logo else None
        except (ColourRefused, LogoRefused) as exc:
            return publication_page(request, services, questionnaire_id, status=400, error=str(exc))
        branding = Branding(mission, name, background, text, *(cleaned or (None, 0, 0)))
        services.store.save_branding(branding, guarded_member(request), keep_logo=form.get("remove_logo") != "1")
        return Redirect(f"/staff/q/{questionnaire_id}/publication", status_code=303)
