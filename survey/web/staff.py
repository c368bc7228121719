"""Staff pages, every one scoped to the member's missions (admins see all); exports and PDFs run as jobs."""

from __future__ import annotations

import datetime as dt

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException, ValidationException
from litestar.response import File, Redirect

from survey import deliverables
from survey.access import Action, StaffMember
from survey.deliverables import FORMATS
from survey.export.archive import read_report
from survey.job_store import JobRecord
from survey.quotas import quota_fill
from survey.store import LoadedVersion, Store
from survey.store_audit import RAW_EXPORT, RAW_PROFILE
from survey.web.auth import guarded_member, require, visible_questionnaire
from survey.web.dropouts import form_dropouts
from survey.web.pages import Form, PathId, ServicesDep, form_value, render, request_language

_MEDIA_TYPES = {".zip": "application/zip", ".pdf": "application/pdf"}




def _export_params(store: Store, questionnaire_id: str, data: Form, language: str
                   ) -> dict[str, str | int | float | None]:
    """The posted format, labels and export profile, checked against what this questionnaire offers (400 with
    one line else)."""
    fmt = form_value(data, "format") or ""
    if fmt not in FORMATS:
        raise ValidationException(f"format: use one of {', '.join(FORMATS)}, not {fmt[:12]!r}")
    labels = form_value(data, "labels") or None
    loaded = store.current(questionnaire_id)
    if labels is not None and (loaded is None or labels not in loaded.questionnaire.all_languages):
        raise ValidationException(f"labels: use one of the questionnaire's languages, not {labels[:8]!r}")
    params: dict[str, str | int | float | None] = {"format": fmt, "labels": labels, "language": language}
    names = loaded.questionnaire.disclosure.profiles if loaded is not None else {}
    profile = form_value(data, "profile") or None
    if profile is not None and profile not in names:
        raise ValidationException(f"profile: use one of the questionnaire's profiles, not {profile[:40]!r}")
    params["profile"] = profile
    params["include_synthetic"] = form_value(data, "include_synthetic") == "1"  # the checkbox; real data only else
    for field, kind in (("k", int), ("suppression", float), ("l", int)):
        text = (form_value(data, field) or "").strip().replace(",", ".")
        try:  # a value that means nothing (k = 0, 150 %) goes to the job, whose page says what is wrong
            params[field] = kind(text) if text else None
        except ValueError:
            raise ValidationException(f"{field}: a number, not {text[:12]!r}") from None
    return params


def _raw_params(member: StaffMember, data: Form) -> dict[str, str | bool | None]:
    """The raw-export part of the form: nothing when its box is not ticked; else admins only (403) and a reason
    (400 saying so when it is empty). A raw export keeps every column: the protection fields are dropped."""
    if form_value(data, "raw") != "1":
        return {}
    if not member.can(Action.RAW_EXPORT):
        raise PermissionDeniedException("raw exports are for admins only")
    try:
        request = deliverables.RawRequest(member.email, form_value(data, "reason") or "")
    except deliverables.ExportError as exc:
        raise ValidationException(str(exc)) from None
    return {"raw": True, "reason": request.reason, "requested_by": member.email,
            "profile": None, "k": None, "suppression": None, "l": None}


def _job_page(request: Request, services: ServicesDep, job_id: str) -> JobRecord:
    """The job if it is the member's own (or the member is an admin) on one of their missions; 404 otherwise."""
    job = services.jobs.visible(guarded_member(request), job_id)
    if job is None:
        raise NotFoundException()
    return job


def _quotas(store: Store, current: LoadedVersion | None, language: str, exact: bool) -> list:
    """Each quota's fill; small counts shown as « < N » to those who may not see single responses."""
    if current is None or not current.questionnaire.quotas:
        return []
    mission = current.questionnaire.mission
    hidden_below = 0 if exact else (mission.small_cells if mission else 11)
    return quota_fill(current.questionnaire, store.quota_counts(current.questionnaire.id), language, hidden_below)


class StaffController(Controller):
    path = "/staff"

    @get("/", guards=[require(Action.VIEW_QUESTIONNAIRES)], sync_to_thread=True)
    def home(self, request: Request, services: ServicesDep) -> Response:
        return render(request, "staff_home.html", listings=services.store.listings(guarded_member(request)))

    @get("/q/{questionnaire_id:str}", guards=[require(Action.VIEW_RESULTS)], sync_to_thread=True)
    def questionnaire(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        """The results page, with the export form, the PDF button and the member's recent jobs."""
        listing = visible_questionnaire(services.store, request, questionnaire_id)
        questionnaire, summary = deliverables.summary(services.store, questionnaire_id, request_language(request))
        current = services.store.current(questionnaire_id)
        member = guarded_member(request)
        can_download = member.can(Action.DOWNLOAD)
        return render(request, "staff_questionnaire.html", listing=listing, questionnaire=questionnaire,
                      summary=summary, formats=FORMATS, can_download=can_download,
                      quotas=_quotas(services.store, current, request_language(request),
                                     member.can(Action.MANAGE_RESPONSES)),
                      label_languages=current.questionnaire.all_languages if current else [],
                      can_manage=member.can(Action.MANAGE_RESPONSES), can_raw_export=member.can(Action.RAW_EXPORT),
                      profiles=sorted(current.questionnaire.disclosure.profiles) if current else [],
                      jobs=services.jobs.recent(member, questionnaire_id) if can_download else [],
                      dropouts=form_dropouts(services.store, questionnaire_id, request_language(request)),
                      form_days=services.settings.form_days)

    @post("/q/{questionnaire_id:str}/export", guards=[require(Action.DOWNLOAD)], sync_to_thread=True)
    def start_export(self, request: Request, services: ServicesDep, questionnaire_id: PathId,
                     data: Form) -> Redirect:
        """Start an export job and show its page."""
        visible_questionnaire(services.store, request, questionnaire_id)
        member = guarded_member(request)
        raw = _raw_params(member, data)  # a refusal (403) comes before any other check of the form
        params = _export_params(services.store, questionnaire_id, data, request_language(request))
        job_id = services.jobs.start(member, "export", questionnaire_id, {**params, **raw})
        if raw:  # the download is recorded too (`audit_download`)
            services.store.audit(RAW_EXPORT, member, questionnaire_id, reason=str(raw["reason"]),
                                 detail={"job": job_id, "format": params["format"], "labels": params["labels"] or "",
                                         "profile": RAW_PROFILE, "raw": True})
        return Redirect(f"/staff/jobs/{job_id}", status_code=303)

    @post("/q/{questionnaire_id:str}/report", guards=[require(Action.DOWNLOAD)], sync_to_thread=True)
    def start_report(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Redirect:
        """Start a PDF summary job, in the page's language, and show its page."""
        visible_questionnaire(services.store, request, questionnaire_id)
        job_id = services.jobs.start(guarded_member(request), "report", questionnaire_id,
                                     {"language": request_language(request)})
        return Redirect(f"/staff/jobs/{job_id}", status_code=303)

    @get("/jobs/{job_id:str}", guards=[require(Action.DOWNLOAD)], sync_to_thread=True)
    def job(self, request: Request, services: ServicesDep, job_id: PathId) -> Response:
        """Progress while it runs (the page refreshes itself), then the download link or the error line."""
        job = _job_page(request, services, job_id)
        until = job.finished_at + dt.timedelta(hours=services.settings.export_hours) if job.finished_at else None
        refresh = not job.finished and request.query_params.get("refresh") != "0"
        path = services.jobs.file(job)
        report = read_report(path) if path is not None and job.kind == "export" else None
        return render(request, "staff_job.html", job=job, percent=round(job.progress * 100), refresh=refresh,
                      available=path is not None, until=until, report=report)

    @get("/jobs/{job_id:str}/file", guards=[require(Action.DOWNLOAD)], sync_to_thread=True)
    def job_file(self, request: Request, services: ServicesDep, job_id: PathId) -> File:
        """The finished file, as an attachment never cached nor sniffed; 404 once expired."""
        job = _job_page(request, services, job_id)
        path = services.jobs.file(job)
        if path is None:
            raise NotFoundException()
        services.store.audit_download(guarded_member(request), job)
        return File(path, filename=job.file_name, media_type=_MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
                    content_disposition_type="attachment",
                    headers={"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})

    @post("/jobs/{job_id:str}/cancel", guards=[require(Action.DOWNLOAD)], sync_to_thread=True)
    def cancel_job(self, request: Request, services: ServicesDep, job_id: PathId) -> Redirect:
        """Cancel a queued or running job; it leaves no file."""
        services.jobs.cancel(_job_page(request, services, job_id))
        return Redirect(f"/staff/jobs/{job_id}", status_code=303)
