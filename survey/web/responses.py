"""Staff pages that manage a questionnaire's stored responses: the list (filtered, paged), one response, marking it as
test data, correcting one answer, deleting it. Admins and evaluators only (`Action.MANAGE_RESPONSES`), on their
missions; every change is a POST with its CSRF token, answered by a redirect (post/redirect/get), and audited by the
store (`survey/store_responses.py`)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import ClientException, NotFoundException, ValidationException
from litestar.params import FromPath
from litestar.response import Redirect
from markupsafe import escape

from survey.access import Action
from survey.db import REAL, RESPONSE_STATUSES, SYNTHETIC, TEST
from survey.form_input import form_values
from survey.messages import translate
from survey.response_view import CorrectionRefused, answer_lines, correctable, corrected, read_correction
from survey.schema import Question, Questionnaire
from survey.schema.localise import localise
from survey.store import Store
from survey.store_responses import PAGE_SIZE, ResponseFilter, StoredResponse
from survey.web.auth import guarded_member, require, visible_questionnaire
from survey.web.pages import (
    Form,
    PathId,
    ServicesDep,
    form_fields,
    form_value,
    posted_int,
    render,
    request_language,
)

PathInt = FromPath[int]
NOTICES = ("marked_test", "marked_real", "corrected", "deleted")  # ?done= after a change: one of these messages




def _response(store: Store, request: Request, questionnaire_id: str, response_id: int) -> StoredResponse:
    """One response of a questionnaire of the member's missions; 404 otherwise."""
    visible_questionnaire(store, request, questionnaire_id)
    found = store.stored_response(questionnaire_id, response_id)
    if found is None:
        raise NotFoundException()
    return found


def _version(store: Store, response: StoredResponse, language: str) -> Questionnaire:
    """The version the response answered, in the page's language."""
    loaded = store.version(response.version_id)
    if loaded is None:  # a version row always outlives its responses (foreign key)
        raise NotFoundException()
    return localise(loaded.questionnaire, language)


def _day(request: Request, name: str) -> dt.date | None:
    """A YYYY-MM-DD query parameter; 400 with one line else."""
    text = request.query_params.get(name, "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationException(f"{name}: a date written YYYY-MM-DD, not {text[:12]!r}") from None


def _filter(request: Request, versions: list[str]) -> ResponseFilter:
    """The list's filters from the query string: status (real by default), version, since, until."""
    status = request.query_params.get("status", REAL)
    if status not in (*RESPONSE_STATUSES, "all"):
        raise ValidationException(f"status: one of {', '.join(RESPONSE_STATUSES)} or all, not {status[:12]!r}")
    version = request.query_params.get("version", "").strip() or None
    if version is not None and version not in versions:
        raise ValidationException(f"version: one of {', '.join(versions)}, not {version[:32]!r}")
    since, until = _day(request, "since"), _day(request, "until")
    if since and until and until < since:
        raise ValidationException("until: a day on or after `since`")
    return ResponseFilter(None if status == "all" else status, version, since, until)


def _page_number(request: Request) -> int:
    text = request.query_params.get("page", "1")
    number = posted_int(text)
    if number is None or number < 1:
        raise ValidationException(f"page: a number from 1, not {text[:12]!r}")
    return number


def _question(questionnaire: Questionnaire, name: str) -> Question:
    """A top-level question staff may correct; 404 for any other name."""
    found = next((q for q in questionnaire.questions() if q.name == name), None)
    if found is None or not correctable(found):
        raise NotFoundException()
    return found


def _back(questionnaire_id: str, response_id: int, done: str) -> Redirect:
    return Redirect(f"/staff/q/{questionnaire_id}/responses/{response_id}?done={done}", status_code=303)


class ResponsesController(Controller):
    path = "/staff/q/{questionnaire_id:str}/responses"
    guards = [require(Action.MANAGE_RESPONSES)]

    @get("/", sync_to_thread=True)
    def responses(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        """The responses the filters keep, newest first, 50 a page; counts of real, test and synthetic ones."""
        listing = visible_questionnaire(services.store, request, questionnaire_id)
        chosen = _filter(request, listing.versions)
        page = _page_number(request)
        counts = services.store.response_status_counts(questionnaire_id, chosen)
        total = sum(counts.values()) if chosen.status is None else counts[chosen.status]
        lines = services.store.response_lines(questionnaire_id, chosen, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        kept = {"version": chosen.version or "", "since": chosen.since.isoformat() if chosen.since else "",
                "until": chosen.until.isoformat() if chosen.until else ""}

        def link(**changes: object) -> str:
            """This list's URL with some parameters changed (empty ones left out)."""
            params = {**kept, "status": chosen.status or "all", "page": page, **changes}
            return "?" + urlencode({k: v for k, v in params.items() if v not in ("", None, 1)})

        return render(request, "staff_responses.html", listing=listing, lines=lines, counts=counts, total=total,
                      chosen=chosen, shown=chosen.status or "all", kept=kept, page=page,
                      pages=max(1, -(-total // PAGE_SIZE)), link=link, statuses=RESPONSE_STATUSES,
                      notice=request.query_params.get("done"))

    @get("/{response_id:int}", sync_to_thread=True)
    def response(self, request: Request, services: ServicesDep, questionnaire_id: PathId,
                 response_id: PathInt) -> Response:
        """One response: every answer beside its question, and what staff may do with it."""
        found = _response(services.store, request, questionnaire_id, response_id)
        language = request_language(request)
        questionnaire = _version(services.store, found, language)
        lines = answer_lines(questionnaire, found.answers, lambda key, **p: translate(key, language, **p))
        done = request.query_params.get("done")
        return render(request, "staff_response.html", response=found, questionnaire=questionnaire, lines=lines,
                      notice=done if done in NOTICES else None, questionnaire_id=questionnaire_id)

    @post("/{response_id:int}/status", sync_to_thread=True)
    def mark(self, request: Request, services: ServicesDep, questionnaire_id: PathId, response_id: PathInt,
             data: Form) -> Redirect:
        """Mark the response as test data, or as real again."""
        visible_questionnaire(services.store, request, questionnaire_id)
        status = form_value(data, "status")
        if status not in (REAL, TEST):
            raise ValidationException(f"status: {REAL} or {TEST}")
        before = services.store.set_response_status(guarded_member(request), questionnaire_id, response_id, status)
        if before is None:
            raise NotFoundException()
        if before == SYNTHETIC:
            raise ClientException("a synthetic response cannot be marked: purge synthetic responses with "
                                  "`survey purge-synthetic`, or delete this one", status_code=409)
        return _back(questionnaire_id, response_id, "marked_test" if status == TEST else "marked_real")

    @get("/{response_id:int}/delete", sync_to_thread=True)
    def confirm_delete(self, request: Request, services: ServicesDep, questionnaire_id: PathId,
                       response_id: PathInt) -> Response:
        """The confirmation step before a deletion."""
        found = _response(services.store, request, questionnaire_id, response_id)
        return render(request, "staff_response_delete.html", response=found, questionnaire_id=questionnaire_id)

    @post("/{response_id:int}/delete", sync_to_thread=True)
    def delete(self, request: Request, services: ServicesDep, questionnaire_id: PathId,
               response_id: PathInt) -> Redirect:
        """Delete the response for good (audited), then back to the list."""
        visible_questionnaire(services.store, request, questionnaire_id)
        if not services.store.delete_response(guarded_member(request), questionnaire_id, response_id):
            raise NotFoundException()
        return Redirect(f"/staff/q/{questionnaire_id}/responses?done=deleted", status_code=303)

    @get("/{response_id:int}/correct/{question:str}", sync_to_thread=True)
    def correction_form(self, request: Request, services: ServicesDep, questionnaire_id: PathId,
                        response_id: PathInt, question: PathId) -> Response:
        """The question as respondents see it, filled with the stored answer."""
        found = _response(services.store, request, questionnaire_id, response_id)
        questionnaire = _version(services.store, found, request_language(request))
        asked = _question(questionnaire, question)
        return _correction_page(request, found, asked, None, None)

    @post("/{response_id:int}/correct/{question:str}", sync_to_thread=True)
    def correct(self, request: Request, services: ServicesDep, questionnaire_id: PathId, response_id: PathInt,
                question: PathId, data: Form) -> Response:
        """Read the posted answer with the question's codec; store it (audited) or show why it is refused."""
        found = _response(services.store, request, questionnaire_id, response_id)
        questionnaire = _version(services.store, found, request_language(request))
        asked = _question(questionnaire, question)
        fields = form_fields(data)
        changes, issue = read_correction(asked, fields)
        if issue is not None:
            return _correction_page(request, found, asked, issue, fields)
        version = services.store.version(found.version_id).questionnaire  # type: ignore[union-attr]
        try:
            done = services.store.correct_response(guarded_member(request), questionnaire_id, response_id, asked.name,
                                                   lambda stored: corrected(version, stored, asked.name, changes))
        except CorrectionRefused as refused:
            return _correction_page(request, found, asked, refused.issue, fields)
        if done is None:
            raise NotFoundException()
        return _back(questionnaire_id, response_id, "corrected")


def _correction_page(request: Request, found: StoredResponse, question: Question, issue: object,
                     fields: dict[str, list[str]] | None) -> Response:
    """The correction form: the respondent's own widget for the question (`_question.html`), refilled."""
    values = fields if fields is not None else form_values(question, found.answers.get(question.name))
    other = found.answers.get(f"{question.name}__other")
    if fields is None and other:
        values[f"{question.name}__other"] = [str(other)]
    return render(request, "staff_response_correct.html", status=422 if issue else 200, response=found, q=question,
                  questionnaire_id=found.questionnaire_id, prefix="", values=values,
                  errors={question.name: issue} if issue else {}, issue=issue, hidden_fields=set(), offered={},
                  ordered=lambda q: list(q.options()), piped=escape, repeat_counts={}, repeat_fixed={})
