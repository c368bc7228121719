"""Staff page of a questionnaire's personal invitations: import a contact list, send the invitations and the reminders
(background jobs), follow who was sent, opened and responded, revoke a link. Admins and evaluators
(`Action.MANAGE_INVITATIONS`), on their missions; every change is a POST with its CSRF token, answered by a redirect,
and audited by the store (`survey/store_invitations.py`)."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from survey.access import Action
from survey.contacts import MAX_BYTES, ContactProblem, ContactsInvalid, read_contacts
from survey.invitation_mail import KINDS, MailNotConfigured, check_mail_settings, personal_link
from survey.web.auth import guarded_member, require, visible_questionnaire
from survey.web.pages import PathId, Services, ServicesDep, posted_int, render, request_language

PathInt = FromPath[int]
PAGE_SIZE = 200  # people listed per page
NOTICES = ("imported", "revoked")


def _mail_problem(services: Services) -> str | None:
    """Why e-mails cannot be sent from here (a setting missing), or None."""
    try:
        check_mail_settings(services.settings)
    except MailNotConfigured as exc:
        return str(exc)
    return None


def _link_problem(services: Services, questionnaire_id: str) -> str | None:
    try:
        personal_link(services.settings, questionnaire_id, "x")
    except MailNotConfigured as exc:
        return str(exc)
    return None


def invitations_page(request: Request, services: Services, questionnaire_id: str, *, status: int = 200,
                     problems: list[ContactProblem] | None = None) -> Response:
    """The page: counts, the sending buttons, the import form (with a refused file's problems), the people."""
    listing = visible_questionnaire(services.store, request, questionnaire_id)
    member = guarded_member(request)
    people = services.store.invitations(questionnaire_id)
    pages = max(1, -(-len(people) // PAGE_SIZE))
    text = request.query_params.get("page", "1")
    page = min(posted_int(text) or 1, pages)
    jobs = [job for job in services.jobs.recent(member, questionnaire_id) if job.kind in KINDS]
    done = request.query_params.get("done")
    counts: dict[str, Any] = {name: request.query_params.get(name, "")[:9] for name in ("added", "kept")}
    language = request_language(request)
    return render(request, "staff_invitations.html", status=status, listing=listing,
                  counts=services.store.invitation_counts(questionnaire_id),
                  people=people[(page - 1) * PAGE_SIZE: page * PAGE_SIZE], page=page, pages=pages,
                  problems=[p.text(language) for p in problems or []], jobs=jobs,
                  mail_problem=_mail_problem(services), link_problem=_link_problem(services, questionnaire_id),
                  notice=done if done in NOTICES else None, imported=counts, max_megabytes=MAX_BYTES // 1_000_000)


class InvitationsController(Controller):
    path = "/staff/q/{questionnaire_id:str}/invitations"
    guards = [require(Action.MANAGE_INVITATIONS)]

    @get("/", sync_to_thread=True)
    def invitations(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        return invitations_page(request, services, questionnaire_id)

    @post("/import", request_max_body_size=MAX_BYTES + 100_000)
    async def import_contacts(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        """Read the uploaded CSV and add its people (audited), or show every problem (422), nobody added."""
        await to_thread.run_sync(visible_questionnaire, services.store, request, questionnaire_id)
        form = await request.form()
        sent = form.get("contacts")
        content = await sent.read() if isinstance(sent, UploadFile) else b""
        return await to_thread.run_sync(self._import, request, services, questionnaire_id, content)

    @staticmethod
    def _import(request: Request, services: Services, questionnaire_id: str, content: bytes) -> Response:
        loaded = services.store.current(questionnaire_id)
        if loaded is None:
            raise NotFoundException()
        if not content:
            return invitations_page(request, services, questionnaire_id, status=422,
                                    problems=[ContactProblem(None, None, "invitations_no_file")])
        try:
            people = read_contacts(content, loaded.questionnaire)
        except ContactsInvalid as exc:
            return invitations_page(request, services, questionnaire_id, status=422, problems=exc.problems)
        result = services.store.add_invitations(guarded_member(request), questionnaire_id, people)
        return Redirect(f"/staff/q/{questionnaire_id}/invitations?done=imported&added={result.added}"
                        f"&kept={result.kept}", status_code=303)

    @post("/send/{kind:str}", sync_to_thread=True)
    def send(self, request: Request, services: ServicesDep, questionnaire_id: PathId, kind: PathId) -> Response:
        """Start sending the invitations (`invite`) or the reminders (`remind`) as a job, then show its page."""
        visible_questionnaire(services.store, request, questionnaire_id)
        if kind not in KINDS:
            raise NotFoundException()
        if _mail_problem(services) is not None:
            return invitations_page(request, services, questionnaire_id, status=409)
        member = guarded_member(request)
        waiting = len(services.store.invitations_to_send(questionnaire_id, kind))
        job_id = services.jobs.start(member, kind, questionnaire_id, {"language": request_language(request)})
        services.store.record_sending(member, questionnaire_id, kind, waiting)
        return Redirect(f"/staff/jobs/{job_id}", status_code=303)

    @post("/{invitation_id:int}/revoke", sync_to_thread=True)
    def revoke(self, request: Request, services: ServicesDep, questionnaire_id: PathId,
               invitation_id: PathInt) -> Redirect:
        """Revoke one person's link (audited); their response, if any, stays."""
        visible_questionnaire(services.store, request, questionnaire_id)
        if not services.store.revoke_invitation(guarded_member(request), questionnaire_id, invitation_id):
            if services.store.invitation(questionnaire_id, invitation_id) is None:
                raise NotFoundException()
        return Redirect(f"/staff/q/{questionnaire_id}/invitations?done=revoked", status_code=303)
