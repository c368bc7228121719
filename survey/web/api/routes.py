"""The API's handlers: each checks what the matching staff page checks, then asks the code the page asks.

Roles are checked by the guard (`require_token`, the pages' `require`), missions by the same store queries as
the pages: another mission's questionnaire or job answers 404, as if it did not exist.
"""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.exceptions import ClientException, NotFoundException, ValidationException
from litestar.openapi import ResponseSpec
from litestar.params import FromQuery, JSONBody
from litestar.response import File

from survey import deliverables
from survey.access import Action
from survey.job_store import JobRecord
from survey.schema import Questionnaire
from survey.store_listings import QuestionnaireListing
from survey.web.api.auth import api_member, require_token
from survey.web.api.schemas import (
    ApiError,
    ExportRequest,
    JobOut,
    Language,
    MemberOut,
    QuestionnaireOut,
    ResponseCountOut,
    SummaryOut,
    VersionCount,
    VersionDefinitionOut,
    VersionOut,
    job_out,
    member_out,
    questionnaire_out,
    summary_out,
    version_out,
)
from survey.web.pages import PathId, ServicesDep

EXPORT = "export"  # the one kind of job the API starts and shows; PDF summaries stay on the pages

_MEANINGS = {
    400: "Malformed request (e.g. a body that is not JSON).",
    401: "No token, or an invalid or revoked one.",
    403: "The token's owner has a role that does not allow this.",
    404: "No such thing among the token owner's missions.",
    409: "The stored answers cannot be read; they need repair first.",
    422: "A parameter or a field of the body is not accepted; `errors` says which.",
}


def _errors(*codes: int) -> dict[int, ResponseSpec]:
    """The error answers a handler documents, all with the same body."""
    return {code: ResponseSpec(ApiError, description=_MEANINGS[code], generate_examples=False)
            for code in (401, *codes)}


def _visible(request: Request, services: ServicesDep, questionnaire_id: str) -> QuestionnaireListing:
    """The questionnaire if the token's owner works on its mission; 404 otherwise (its existence does not leak)."""
    listing = services.store.listing(questionnaire_id, api_member(request))
    if listing is None:
        raise NotFoundException(f"no questionnaire {questionnaire_id[:64]!r} among your missions — "
                                "see /api/questionnaires")
    return listing


def _export_job(request: Request, services: ServicesDep, job_id: str) -> JobRecord:
    """An export job of the owner's (an admin: anyone's) on their missions; 404 otherwise, as the job pages."""
    job = services.jobs.visible(api_member(request), job_id)
    if job is None or job.kind != EXPORT or job.params.get("raw"):  # raw exports stay on the staff pages
        raise NotFoundException("no such export job of yours — start one with POST /api/questionnaires/{id}/exports")
    return job


def _invalid(key: str, message: str) -> ValidationException:
    """A 422 naming the body field at fault."""
    return ValidationException(f"{key}: {message}", extra=[{"key": key, "source": "body", "message": message}])


def _protection(data: ExportRequest, questionnaire: Questionnaire | None) -> dict[str, str | int | float | None]:
    """The export profile asked for, as job parameters; 422 naming the field when the questionnaire has no such
    profile or a value means nothing (k = 0, 150 %), as the job would find out later."""
    names = questionnaire.disclosure.profiles if questionnaire is not None else {}
    if data.profile is not None and data.profile not in names:
        raise _invalid("profile", f"not one of the questionnaire's profiles ({', '.join(sorted(names)) or 'none'})")
    choice = deliverables.ProfileChoice(data.profile, data.k, data.suppression, data.l)
    if questionnaire is not None:
        try:
            choice.resolve(questionnaire)
        except deliverables.ExportError as exc:
            raise _invalid(next((key for key in ("k", "suppression", "l") if getattr(data, key) is not None),
                                "profile"), str(exc)) from None
    return {"profile": data.profile, "k": data.k, "suppression": data.suppression, "l": data.l}


def _job(services: ServicesDep, job: JobRecord) -> JobOut:
    return job_out(job, services.jobs.file(job) is not None, services.settings.export_hours)


@get("/me", guards=[require_token(Action.VIEW_QUESTIONNAIRES)], responses=_errors(), tags=["account"])
async def me(request: Request) -> MemberOut:
    """Who the token acts as: the member of staff, role, missions and what the role allows."""
    return member_out(api_member(request))


class QuestionnairesApi(Controller):
    """Questionnaires of the token owner's missions: versions, definitions, counts, results, exports."""

    path = "/questionnaires"
    tags = ["questionnaires"]

    @get("/", guards=[require_token(Action.VIEW_QUESTIONNAIRES)], responses=_errors(), sync_to_thread=True)
    def questionnaires(self, request: Request, services: ServicesDep) -> list[QuestionnaireOut]:
        """Every questionnaire of your missions (all, for an admin), as the staff home lists them."""
        return [questionnaire_out(item) for item in services.store.listings(api_member(request))]

    @get("/{questionnaire_id:str}", guards=[require_token(Action.VIEW_QUESTIONNAIRES)], responses=_errors(404),
         sync_to_thread=True)
    def questionnaire(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> QuestionnaireOut:
        """One questionnaire: its mission, versions, current version and response count."""
        return questionnaire_out(_visible(request, services, questionnaire_id))

    @get("/{questionnaire_id:str}/versions", guards=[require_token(Action.VIEW_QUESTIONNAIRES)],
         responses=_errors(404), sync_to_thread=True)
    def versions(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> list[VersionOut]:
        """Every version, oldest first: when it was loaded and first served, and its responses."""
        _visible(request, services, questionnaire_id)
        return [version_out(item) for item in services.store.version_listing(questionnaire_id)]

    @get("/{questionnaire_id:str}/versions/{label:str}", guards=[require_token(Action.VIEW_QUESTIONNAIRES)],
         responses=_errors(404), sync_to_thread=True)
    def version(self, request: Request, services: ServicesDep, questionnaire_id: PathId,
                label: PathId) -> VersionDefinitionOut:
        """One version's whole definition, as JSON: what was loaded from the questionnaire file."""
        listing = _visible(request, services, questionnaire_id)
        version_id = services.store.version_ids(questionnaire_id).get(label)
        loaded = services.store.version(version_id) if version_id is not None else None
        if loaded is None:
            raise NotFoundException(f"{questionnaire_id} has no version {label[:32]!r} — "
                                    f"see /api/questionnaires/{questionnaire_id}/versions")
        return VersionDefinitionOut(questionnaire_id, label, label == listing.current_version,
                                    loaded.questionnaire.model_dump(mode="json"))

    @get("/{questionnaire_id:str}/responses/count", guards=[require_token(Action.VIEW_QUESTIONNAIRES)],
         responses=_errors(404), sync_to_thread=True)
    def response_count(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> ResponseCountOut:
        """Stored responses, counted exactly at this moment: in all and per version."""
        _visible(request, services, questionnaire_id)
        counts = [VersionCount(item.label, item.responses) for item in services.store.version_listing(questionnaire_id)]
        return ResponseCountOut(questionnaire_id, sum(item.responses for item in counts), counts)

    @get("/{questionnaire_id:str}/summary", guards=[require_token(Action.VIEW_RESULTS)],
         responses=_errors(403, 404, 409, 422), sync_to_thread=True)
    def summary(self, request: Request, services: ServicesDep, questionnaire_id: PathId,
                lang: FromQuery[Language] = "fr") -> SummaryOut:
        """The results page's summary, computed by the same code (so with the same protections): every question's
        counts, percentages and figures, texts in `lang`."""
        _visible(request, services, questionnaire_id)
        try:
            _questionnaire, result = deliverables.summary(services.store, questionnaire_id, lang)
        except deliverables.UnknownQuestionnaire:
            raise NotFoundException(f"{questionnaire_id} has no current version") from None
        except deliverables.ExportError as exc:
            raise ClientException(str(exc).splitlines()[0], status_code=409) from None
        return summary_out(questionnaire_id, result)

    @post("/{questionnaire_id:str}/exports", guards=[require_token(Action.DOWNLOAD)], status_code=202,
          responses=_errors(400, 403, 404, 422), sync_to_thread=True,
          response_headers=[ResponseHeader(name="Location", description="The job: GET it to follow its progress.",
                                           documentation_only=True)])
    def start_export(self, request: Request, services: ServicesDep, questionnaire_id: PathId,
                     data: JSONBody[ExportRequest]) -> Response[JobOut]:
        """Start an export job, as the staff export form does: the anonymised dataset as one zip, protected by the
        questionnaire's default profile or the one named (with overrides of k, suppression, ℓ). Follow it at the
        `Location` it answers, then download its file. Raw exports are not available here (`raw` must be false)."""
        _visible(request, services, questionnaire_id)
        if data.raw:
            raise _invalid("raw", "raw exports (identifiers kept) are not available through the API — an admin "
                                  "starts one on the staff export form or with `survey export --raw --reason`")
        current = services.store.current(questionnaire_id)
        if data.labels is not None and (current is None or data.labels not in current.questionnaire.all_languages):
            languages = ", ".join(current.questionnaire.all_languages) if current else "none"
            raise ValidationException(f"labels: use one of the questionnaire's languages ({languages}), or leave it "
                                      "out for codes", extra=[{"key": "labels", "source": "body",
                                                               "message": f"not one of: {languages}"}])
        params = {"format": data.format, "labels": data.labels, "language": data.language,
                  **_protection(data, current.questionnaire if current else None)}
        job_id = services.jobs.start(api_member(request), EXPORT, questionnaire_id, params)
        job = services.jobs.visible(api_member(request), job_id)
        return Response(_job(services, job), status_code=202,  # type: ignore[arg-type]
                        headers={"Location": f"/api/jobs/{job_id}"})

    @get("/{questionnaire_id:str}/exports", guards=[require_token(Action.DOWNLOAD)],
         responses=_errors(403, 404), sync_to_thread=True)
    def exports(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> list[JobOut]:
        """Your latest export jobs on this questionnaire, newest first."""
        _visible(request, services, questionnaire_id)
        return [_job(services, job) for job in services.jobs.recent(api_member(request), questionnaire_id)
                if job.kind == EXPORT and not job.params.get("raw")]


class JobsApi(Controller):
    """Export jobs: progress, the finished zip, cancelling."""

    path = "/jobs"
    tags = ["exports"]

    @get("/{job_id:str}", guards=[require_token(Action.DOWNLOAD)], responses=_errors(403, 404), sync_to_thread=True)
    def job(self, request: Request, services: ServicesDep, job_id: PathId) -> JobOut:
        """How far the job got (`progress` from 0 to 1); once `done`, `download_url` until `available_until`."""
        return _job(services, _export_job(request, services, job_id))

    # Described by hand: Litestar's own description of a file answer calls `Last-Modified` an ISO date-time,
    # while it sends (rightly) an HTTP date.
    @get("/{job_id:str}/file", guards=[require_token(Action.DOWNLOAD)], media_type="application/zip",
         responses={200: ResponseSpec(bytes, description="The export's zip file (attachment).",
                                      media_type="application/zip", generate_examples=False), **_errors(403, 404)},
         sync_to_thread=True)
    def job_file(self, request: Request, services: ServicesDep, job_id: PathId) -> File:
        """The finished export's zip; 404 until it is done and once it has expired. Each download is recorded in the
        audit log (who, when, which questionnaire, which profile)."""
        job = _export_job(request, services, job_id)
        path = services.jobs.file(job)
        if path is None:
            raise NotFoundException(f"no file for this job ({job.status}) — wait until its status is `done`; "
                                    "files expire after SURVEY_EXPORT_HOURS")
        services.store.audit_download(api_member(request), job)
        return File(path, filename=job.file_name, media_type="application/zip", content_disposition_type="attachment",
                    headers={"X-Content-Type-Options": "nosniff"})

    @post("/{job_id:str}/cancel", guards=[require_token(Action.DOWNLOAD)], status_code=200,
          responses=_errors(403, 404), sync_to_thread=True)
    def cancel(self, request: Request, services: ServicesDep, job_id: PathId) -> JobOut:
        """Cancel a queued or running export; it leaves no file. A finished job is left as it is."""
        job = _export_job(request, services, job_id)
        services.jobs.cancel(job)
        return _job(services, _export_job(request, services, job_id))
