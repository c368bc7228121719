"""Respondents: one page at a time, kept on the server, every POST answered by a redirect to a GET.

`GET /s/<id>` shows the first page and stores nothing (crawlers follow links). The first posted page starts a
form session (`survey/store_forms.py`) and redirects to the form's own URL, `/s/<id>/f/<key>?page=<page id>`;
every later page is posted there, saved by one UPDATE and answered by a 303 to the page that comes next. So the
browser's Back and Reload only ever repeat GETs: no "Confirm Form Resubmission", nothing lost. What a POST wants
shown once — the fields as typed, their issues, a notice — rides along in the session (`flash`). The form's URL
without `?page` is its resume link, on any device, until it expires (`SURVEY_FORM_DAYS` after its last page).
"""

from __future__ import annotations

import datetime as dt
import json
from functools import partial
from typing import Any
from urllib.parse import quote

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Response

from survey.db import COMPLETED, WEB
from survey.logic import resolve
from survey.messages import LANGUAGES
from survey.quotas import QuotaFull
from survey.schema import Questionnaire
from survey.schema.localise import localise
from survey.store import LoadedVersion, Store
from survey.store_forms import FormRecord
from survey.validation import AnswerIssue, finalise
from survey.web.answering import (
    Step,
    _today,
    next_page,
    offered_languages,
    served_language,
    show_page,
    take_step,
    thanks_page,
    with_prefilled,
)
from survey.web.form_state import FormState
from survey.web.gdpr_pages import erasure_url, full_quota, quota_page_url
from survey.web.pages import (
    PathId,
    Services,
    ServicesDep,
    form_fields,
    form_value,
    posted_int,
    render,
    request_language,
    see_other,
)
from survey.web.publishing import respondent_gate
from survey.web.workload import Then, run

_LOCALISED: dict[tuple[int, str], tuple[Questionnaire, Questionnaire]] = {}
FORM_COOKIE = "survey_form"  # the form in progress of this browser, per questionnaire (path /s/<id>)


def localised(store: Store, version_id: int, language: str) -> Questionnaire | None:
    """A version's questionnaire in one language, resolved once per version and language."""
    loaded = store.version(version_id)
    if loaded is None:
        return None
    cached = _LOCALISED.get((version_id, language))
    if cached is None or cached[0] is not loaded.questionnaire:  # the version was replaced: resolve again
        cached = (loaded.questionnaire, localise(loaded.questionnaire, language))
        _LOCALISED[(version_id, language)] = cached
    return cached[1]


def first_state(questionnaire: Questionnaire, version_id: int, language: str, preview: bool = False) -> FormState:
    """A new respondent's state, on the first page asked (a page's `relevant` may hold even with no answer)."""
    first = next_page(questionnaire, {}, -1, 1)
    return FormState(version_id=version_id, language=language, preview=preview, page=first or 0)


def form_url(questionnaire: Questionnaire, key: str, page: int | None = None) -> str:
    """The form's own URL: its resume link, or (with `page`) one page of it, so that each page is a history entry."""
    url = f"/s/{questionnaire.id}/f/{key}"
    return url if page is None else f"{url}?page={quote(questionnaire.pages[page].id)}"


def start_form_for(store: Store, questionnaire_id: str, *, invitation_id: int | None = None, language: str = "",
                   answers: dict[str, Any] | None = None, channel: str = WEB, entered_by: int | None = None
                   ) -> FormRecord | None:
    """Start a form on the current version at its first page, for an invitation (`answers`: what the contact
    list fills in) or a member of staff entering a paper or telephone questionnaire; None for an unknown
    questionnaire. For an invitation, resume its form first: `store.form_for_invitation(id)`."""
    loaded = store.current(questionnaire_id)
    if loaded is None:
        return None
    store.mark_served(loaded.version_id)
    language = served_language(loaded.questionnaire, language or loaded.questionnaire.language)
    questionnaire = localised(store, loaded.version_id, language)
    first = first_state(questionnaire, loaded.version_id, language)  # type: ignore[arg-type]
    return store.start_form(questionnaire_id, loaded.version_id, language, page=first.page, answers=answers,
                            invitation_id=invitation_id, channel=channel, entered_by=entered_by)


def _flash(step: Step) -> dict[str, Any] | None:
    """What the page after the redirect shows once, as JSON the session keeps (None: nothing)."""
    if not (step.issues or step.raw is not None or step.notice):
        return None
    issues = [{"question": i.question, "code": i.code, "params": json.loads(json.dumps(i.params, default=str))}
              for i in step.issues]
    return {"page": step.state.page, "issues": issues, "raw": step.raw, "notice": step.notice}


def _max_age(services: Services) -> dt.timedelta:
    return dt.timedelta(days=services.settings.form_days)


def _expired(request: Request, questionnaire_id: str, status: int = 410) -> Response:
    """The polite page for a form that expired, was completed elsewhere or never existed: start again."""
    return render(request, "respond_expired.html", status=status, questionnaire_id=questionnaire_id)


def _thanks(questionnaire: Questionnaire, language: str, key: str = "") -> Response:
    """The thank-you page; with the form's key, it offers to erase the response (survey/web/gdpr_pages.py)."""
    query = "&".join(part for part in ("" if language == questionnaire.language else f"lang={language}",
                                       f"form={quote(key)}" if key else "") if part)
    return see_other(f"/s/{questionnaire.id}/merci{'?' if query else ''}{query}",
                     (FORM_COOKIE, "", f"/s/{questionnaire.id}"))


def _to_form(request: Request, questionnaire: Questionnaire, key: str, page: int) -> Response:
    """The 303 that ends every respondent POST; it (re)sets the cookie that brings this browser back to the form."""
    # The cookie is already there from the page before: nothing to send.
    cookie = None if request.cookies.get(FORM_COOKIE) == key else (FORM_COOKIE, key, f"/s/{questionnaire.id}")
    return see_other(form_url(questionnaire, key, page), cookie)


def _asked_language(fields: dict[str, list[str]], questionnaire: Questionnaire, language: str) -> str:
    """The language button's, when the questionnaire offers it; else the form's."""
    action = form_value(fields, "action") or ""
    if action.startswith("lang:") and action[5:] in offered_languages(questionnaire):
        return action[5:]
    return language


def _start(request: Request, services: Services, fields: dict[str, list[str]], questionnaire_id: str
           ) -> Response | Then:
    """The first posted page: judge it, then start the form session (one INSERT) and redirect to it."""
    version = form_value(fields, "version") or ""
    version_id = posted_int(version)
    loaded = services.store.version(version_id) if version_id is not None else None
    if loaded is None or loaded.questionnaire.id != questionnaire_id:
        return _expired(request, questionnaire_id, status=400)
    if (closed := respondent_gate(request, services, questionnaire_id)) is not None:  # draft, closed… (publishing)
        return closed
    language = _asked_language(fields, loaded.questionnaire,
                               served_language(loaded.questionnaire, form_value(fields, "language") or ""))
    questionnaire = localised(services.store, loaded.version_id, language)
    state = first_state(questionnaire, loaded.version_id, language)  # type: ignore[arg-type]
    if form_value(fields, "page") != str(state.page):
        return _expired(request, questionnaire_id, status=400)
    step = take_step(questionnaire, state, fields, form_value(fields, "action") or "next")  # type: ignore[arg-type]

    def start() -> FormRecord:
        if not services.store.is_marked_served(loaded.version_id):
            services.store.mark_served(loaded.version_id)
        return services.store.start_form(questionnaire_id, loaded.version_id, language, page=step.state.page,
                                         answers=step.state.answers, flash=_flash(step),
                                         pages_visited=(state.page,), key=form_value(fields, "form"))

    def started(form: FormRecord) -> Response | Then:
        if step.done:  # a one-page questionnaire
            return _complete(services, questionnaire, form, step)  # type: ignore[arg-type]
        quota = None if step.issues else full_quota(services, questionnaire, step.state.answers, (state.page,))  # type: ignore[arg-type]
        if quota is not None:  # the first page put the respondent in a full quota cell: stop here
            return see_other(quota_page_url(questionnaire, quota, language))  # type: ignore[arg-type]
        return _to_form(request, questionnaire, form.key, step.state.page)  # type: ignore[arg-type]

    return Then(start, started)


def _complete(services: Services, questionnaire: Questionnaire, form: FormRecord, step: Step) -> Then:
    """Store the response and close the form in one transaction; a second submission stores nothing. A full quota
    cell stores nothing and ends the form with the quota's message."""
    answers = finalise(questionnaire, step.state.answers, _today())

    def complete() -> QuotaFull | None:
        try:
            services.store.complete_form(form, answers)
        except QuotaFull as full:
            return full
        return None

    def completed(full: QuotaFull | None) -> Response:
        if full is not None:
            return see_other(quota_page_url(questionnaire, full.place.quota, step.state.language))
        # A form entered by staff (paper, telephone): its key tells the thank-you page to offer entering another.
        return _thanks(questionnaire, step.state.language, form.key if form.channel != WEB else "")

    return Then(complete, completed)


def _open_form(request: Request, services: Services, questionnaire_id: str, key: str, asked: str = ""
               ) -> tuple[FormRecord, Questionnaire, str] | Response:
    """The form behind a URL, with its version in its language (or in `asked`, when the version offers it); else
    the response that says why not."""
    form = services.store.form_session(key)
    if form is None or form.questionnaire_id != questionnaire_id:
        return _expired(request, questionnaire_id, status=404)
    loaded = services.store.version(form.version_id)
    language = served_language(loaded.questionnaire, asked) if asked and loaded is not None else form.language
    questionnaire = localised(services.store, form.version_id, language)
    if questionnaire is None:
        return _expired(request, questionnaire_id, status=404)
    if form.status == COMPLETED:  # Back or Reload after the last page, or the link used again: nothing to do
        return _thanks(questionnaire, form.language, form.key)  # the form's link again: it offers erasure
    if (closed := respondent_gate(request, services, questionnaire_id, form.started_at)) is not None:  # + grace
        return closed
    if form.expired(_max_age(services)):
        return _expired(request, questionnaire_id)
    return form, questionnaire, language


def _page_asked(questionnaire: Questionnaire, form: FormRecord, answers: dict[str, Any], wanted: int | None,
                resolution: Any = None) -> int | None:
    """`wanted` when it is a page the answers ask and the form has reached (Back through the browser's history);
    None otherwise."""
    if wanted is None or wanted > form.furthest_page:
        return None
    shown = (resolution or resolve(questionnaire, answers, _today())).shown_pages
    return wanted if wanted in shown else None


def _show_form(request: Request, services: Services, questionnaire_id: str, key: str) -> Response | Then:
    """GET of the form's URL: the page asked for in `?page=` (one it reached), else where it stands; what the last
    POST left to show once is shown, then forgotten."""
    asked = request.query_params.get("lang")
    opened = _open_form(request, services, questionnaire_id, key, asked if asked in LANGUAGES else "")
    if isinstance(opened, Response):
        return opened
    form, questionnaire, language = opened
    resolution = resolve(questionnaire, form.answers, _today())
    page_id = request.query_params.get("page")
    wanted = next((i for i, p in enumerate(questionnaire.pages) if p.id == page_id), None)
    page = _page_asked(questionnaire, form, form.answers, wanted, resolution)
    if page is None:
        page = form.page if form.page in resolution.shown_pages or not resolution.shown_pages else next(
            (p for p in reversed(resolution.shown_pages) if p <= form.page), resolution.shown_pages[0])
    flash = form.flash if form.flash and form.flash.get("page") == page else {}
    issues = [AnswerIssue(i["question"], i["code"], i.get("params") or {}) for i in flash.get("issues", ())]
    state = FormState(version_id=form.version_id, key=form.key, page=page, language=language, answers=form.answers)
    saved = flash.get("notice") == "saved"
    shown = show_page(request, questionnaire, state, action=form_url(questionnaire, key),
                      controls={"page": str(page), "language": language},
                      issues=issues, raw=flash.get("raw"), notice=None if saved else flash.get("notice"),
                      resolution=resolution, can_save=True,
                      resume_url=str(request.base_url).rstrip("/") + form_url(questionnaire, key) if saved else None,
                      expires=form.expires_at(_max_age(services)).date() if saved else None,
                      prefilled=frozenset(services.store.prefilled_answers(form.invitation_id)))
    if form.flash:  # shown once: forgotten before the page goes out
        return Then(partial(services.store.clear_flash, key), lambda _: shown)
    return shown


def _answer_form(request: Request, services: Services, fields: dict[str, list[str]], questionnaire_id: str,
                 key: str) -> Response | Then:
    """A page posted to the form's URL: judge it, save it (one UPDATE) or finish, and redirect."""
    opened = _open_form(request, services, questionnaire_id, key)
    if isinstance(opened, Response):
        return opened
    form, questionnaire, _ = opened
    posted = form_value(fields, "page") or ""
    page = _page_asked(questionnaire, form, form.answers, posted_int(posted))
    if page is None:  # a page the answers no longer ask (changed in another tab): show where the form stands
        return _to_form(request, questionnaire, key, form.page)
    language = _asked_language(fields, questionnaire, served_language(
        questionnaire, form_value(fields, "language") or form.language))
    if language != form.language:
        questionnaire = localised(services.store, form.version_id, language)  # type: ignore[assignment]
    state = FormState(version_id=form.version_id, key=key, page=page, language=language, answers=form.answers)
    fields = with_prefilled(questionnaire, page, fields, services.store.prefilled_answers(form.invitation_id))
    step = take_step(questionnaire, state, fields, form_value(fields, "action") or "next")
    if step.done:
        return _complete(services, questionnaire, form, step)
    if not step.issues and step.state.page > page and (
            quota := full_quota(services, questionnaire, step.state.answers, (*form.pages_visited, page))):
        return see_other(quota_page_url(questionnaire, quota, language))  # a full cell: stop here
    save = partial(services.store.save_form, key, page=step.state.page, answers=step.state.answers,
                   language=step.state.language, flash=_flash(step),
                   pages_visited=(*form.pages_visited, step.state.page))
    return Then(save, lambda _: _to_form(request, questionnaire, key, step.state.page))


def _current(request: Request, services: Services, questionnaire_id: str, loaded: LoadedVersion | None = None
             ) -> tuple[int, Questionnaire, str]:
    """The version served now (or `loaded`), in the language asked for (texts it lacks there stay in its own)."""
    loaded = loaded or services.store.current(questionnaire_id)
    if loaded is None:
        raise NotFoundException()
    language = served_language(loaded.questionnaire, request_language(request, loaded.questionnaire.language))
    return loaded.version_id, localised(services.store, loaded.version_id, language), language  # type: ignore[return-value]


def _resumable(services: Services, request: Request, questionnaire_id: str) -> str | None:
    """The first page of this browser's form in progress on this questionnaire (its cookie), if it can go on."""
    key = request.cookies.get(FORM_COOKIE)
    form = services.store.form_session(key) if key else None
    if form is None or form.questionnaire_id != questionnaire_id or form.status == COMPLETED \
            or form.expired(_max_age(services)):
        return None
    questionnaire = localised(services.store, form.version_id, form.language)
    if questionnaire is None:
        return None
    # Its first page, with the answers given: this is where the browser's Back from page 2 comes.
    return form_url(questionnaire, form.key, first_state(questionnaire, form.version_id, form.language).page)


def _first_page(request: Request, services: Services, questionnaire_id: str) -> Response | Then:
    """The first page, stored nowhere; a browser with a form in progress here goes back to it."""
    if FORM_COOKIE in request.cookies and (resume := _resumable(services, request, questionnaire_id)) is not None:
        asked = request.query_params.get("lang")
        return see_other(resume + (f"&lang={asked}" if asked in LANGUAGES else ""))
    if (closed := respondent_gate(request, services, questionnaire_id)) is not None:  # draft, closed…
        return closed
    loaded = services.store.current(questionnaire_id)
    if loaded is not None and not services.store.is_marked_served(loaded.version_id):
        # A form starts on this version: from now on it never changes in place (README "Versions"). Once per
        # version per process; then the version as stored, if another process replaced it.
        version_id = loaded.version_id
        return Then(partial(services.store.mark_served, version_id), lambda _: _blank_first_page(
            request, services, questionnaire_id, services.store.version(version_id)))
    return _blank_first_page(request, services, questionnaire_id, loaded)


def _blank_first_page(request: Request, services: Services, questionnaire_id: str, loaded: LoadedVersion | None
                      ) -> Response:
    version_id, questionnaire, language = _current(request, services, questionnaire_id, loaded)
    state = first_state(questionnaire, version_id, language)
    # `form`: the key the form will have once its first page is posted (the options' order follows it).
    return show_page(request, questionnaire, state, action=f"/s/{questionnaire_id}", can_save=True,
                     controls={"version": str(version_id), "language": language, "page": str(state.page),
                               "form": state.key})


def _done_page(request: Request, services: Services, questionnaire_id: str) -> Response:
    """The thank-you page; with the key of a form entered by staff, the link to enter the next one."""
    _, questionnaire, language = _current(request, services, questionnaire_id)
    key = request.query_params.get("form") or ""
    erase_url = erasure_url(questionnaire_id, key)
    form = services.store.form_session(key) if erase_url else None
    if form is not None and form.questionnaire_id == questionnaire_id and form.channel != WEB:
        # Entered by staff (survey/web/entry.py): the next one, not the respondent's erasure.
        return render(request, "respond_done.html", questionnaire=questionnaire, language=language,
                      preview=False, entry_url=f"/staff/entry?channel={form.channel}")
    return thanks_page(request, questionnaire, language, erase_url)


class RespondController(Controller):
    """Each route's work runs where survey/web/workload.py says: on SQLite in the event loop, a write in the writer
    thread when SQLite's lock is taken; on PostgreSQL in a worker thread."""

    path = "/s/{questionnaire_id:str}"

    @get("/", name="respond_start")
    async def start(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        return await run(services.store, partial(_first_page, request, services, questionnaire_id))

    @post("/", name="respond_page")
    async def answer(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        """The first page posted: the form session starts here."""
        fields = form_fields(await request.form())  # already parsed by the CSRF check: costs nothing
        return await run(services.store, partial(_start, request, services, fields, questionnaire_id))

    @get("/f/{key:str}", name="respond_form")
    async def form(self, request: Request, services: ServicesDep, questionnaire_id: PathId, key: PathId
                   ) -> Response:
        return await run(services.store, partial(_show_form, request, services, questionnaire_id, key))

    @post("/f/{key:str}", name="respond_form_page")
    async def answer_form(self, request: Request, services: ServicesDep, questionnaire_id: PathId, key: PathId
                          ) -> Response:
        fields = form_fields(await request.form())
        return await run(services.store, partial(_answer_form, request, services, fields, questionnaire_id, key))

    @get("/merci", name="respond_done")
    async def done(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        return await run(services.store, partial(_done_page, request, services, questionnaire_id))
