"""Respondents: one page at a time, validated on the server, stored once at the end."""

from __future__ import annotations

from functools import partial

from anyio import to_thread
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response

from survey.codecs import codec
from survey.logic import resolve
from survey.schema import Questionnaire
from survey.schema.localise import localise
from survey.store import LoadedVersion, Store
from survey.validation import finalise, validate_answers
from survey.web.answering import (
    _today,
    edit_repeat,
    next_page,
    offered_languages,
    read_posted_page,
    served_language,
    show_page,
)
from survey.web.form_state import FormState, StateInvalid
from survey.web.pages import PathId, Services, ServicesDep, form_fields, form_value, render, request_language
from survey.web.publishing import respondent_gate

_LOCALISED: dict[tuple[int, str], tuple[Questionnaire, Questionnaire]] = {}


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


async def answer_page(request: Request, services: Services, questionnaire_id: str, action_url: str,
                      *, preview: bool = False) -> Response:
    """Handle a posted page: change language, go back, add or remove a repeat item, or go on (and finish).

    Reading the answers, checking their rules (regular expressions included), drawing the page and storing run
    in a worker thread: however heavy one page is, the event loop keeps answering every other request."""
    fields = form_fields(await request.form())
    return await to_thread.run_sync(partial(_answer_page, request, services, fields, questionnaire_id, action_url,
                                            preview=preview))


def _answer_page(request: Request, services: Services, fields: dict[str, list[str]], questionnaire_id: str,
                 action_url: str, *, preview: bool) -> Response:
    """`answer_page`'s work, off the event loop."""
    try:
        state = services.signer.load(form_value(fields, "state"))
    except StateInvalid:
        return _restart(request, questionnaire_id)
    action = form_value(fields, "action") or "next"
    loaded = services.store.version(state.version_id)
    if action.startswith("lang:") and loaded is not None and action[5:] in offered_languages(loaded.questionnaire):
        state = state.moved(language=action[5:])
    questionnaire = localised(services.store, state.version_id, state.language)
    if loaded is None or questionnaire is None or questionnaire.id != questionnaire_id or state.preview != preview \
            or not 0 <= state.page < len(questionnaire.pages):
        return _restart(request, questionnaire_id)
    if not preview and (closed := respondent_gate(request, services, questionnaire_id, state.started)) is not None:
        return closed

    def show(new_state: FormState, **extra: object) -> Response:
        banner = loaded.questionnaire.version if preview else None
        return show_page(request, services.signer, questionnaire, new_state, action=action_url, preview=banner,
                         **extra)  # type: ignore[arg-type]

    if action.startswith(("add:", "remove:")):
        return show(edit_repeat(questionnaire, state, fields, action))
    page_answers, issues = read_posted_page(questionnaire, state, fields)
    if action.startswith("lang:"):  # same page, what was typed kept, in the other language
        return show(state.moved(answers={**state.answers, **page_answers}), raw=fields)
    if action == "back":
        wrong = {issue.question for issue in issues}
        kept = {name: value for name, value in page_answers.items() if name not in wrong}
        answers = {**state.answers, **kept}
        previous = next_page(questionnaire, answers, state.page, -1)
        return show(state.moved(page=state.page if previous is None else previous, answers=answers))
    posted_shown = set((form_value(fields, "shown") or "").split())
    answers = {**state.answers, **page_answers}
    resolution = resolve(questionnaire, answers, _today())  # once, for every decision below
    now_shown = {q.name for q in questionnaire.pages[state.page].questions} - resolution.hidden
    appeared = {name for name in now_shown - posted_shown
                if codec(questionnaire.question(name)).answered}
    if appeared and "shown" in fields:  # without JavaScript: questions this page's answers open, asked now
        seen = [issue for issue in issues if issue.question in posted_shown]
        return show(state.moved(answers=answers), issues=seen, raw=fields, notice="new_questions",
                    resolution=resolution)
    if issues:  # drawn with this page's answers, so cascades and relevance match what was typed
        return show(state.moved(answers=answers), issues=issues, raw=fields, resolution=resolution)
    state = state.moved(answers=answers)
    following = next_page(questionnaire, answers, state.page, 1, resolution)
    if following is not None:
        return show(state.moved(page=following), resolution=resolution)
    return _finish(request, services, questionnaire, state, show)


def _finish(request: Request, services: Services, questionnaire: Questionnaire, state: FormState,
                  show) -> Response:  # noqa: ANN001
    """Validate everything once more, then store in one statement; a second submission is a no-op."""
    today = _today()
    issues = validate_answers(questionnaire, state.answers, today)
    if issues:  # a state from an edited version, or answers changed by a later page: go where the problem is
        page = next((i for i, p in enumerate(questionnaire.pages)
                     for q in p.questions if q.name == issues[0].question), state.page)
        return show(state.moved(page=page), issues=issues)
    if state.preview:
        return render(request, "respond_done.html", questionnaire=questionnaire, language=state.language,
                      preview=True)
    stored = finalise(questionnaire, state.answers, today)
    services.store.store_response(state.version_id, state.key, stored)
    lang = "" if state.language == questionnaire.language else f"?lang={state.language}"
    return Redirect(f"/s/{questionnaire.id}/merci{lang}", status_code=303)


def _restart(request: Request, questionnaire_id: str) -> Response:
    return render(request, "respond_expired.html", status=400, questionnaire_id=questionnaire_id)


def _current(request: Request, services: Services, questionnaire_id: str, loaded: LoadedVersion | None = None
             ) -> tuple[int, Questionnaire, str]:
    """The version served now (or `loaded`), in the language asked for (texts it lacks there stay in its own)."""
    loaded = loaded or services.store.current(questionnaire_id)
    if loaded is None:
        raise NotFoundException()
    language = served_language(loaded.questionnaire, request_language(request, loaded.questionnaire.language))
    return loaded.version_id, localised(services.store, loaded.version_id, language), language  # type: ignore[return-value]


class RespondController(Controller):
    path = "/s/{questionnaire_id:str}"

    @get("/", name="respond_start")
    async def start(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        if (closed := respondent_gate(request, services, questionnaire_id)) is not None:  # draft, closed…
            return closed
        loaded = services.store.current(questionnaire_id)
        if loaded is not None and not services.store.is_marked_served(loaded.version_id):
            # A form starts on this version: from now on it never changes in place (README "Versions").
            # Once per version per process; the UPDATE leaves the event loop.
            await to_thread.run_sync(services.store.mark_served, loaded.version_id)
            loaded = services.store.version(loaded.version_id)  # as stored, if another process replaced it
        version_id, questionnaire, language = _current(request, services, questionnaire_id, loaded)
        state = first_state(questionnaire, version_id, language)
        return show_page(request, services.signer, questionnaire, state, action=f"/s/{questionnaire_id}")

    @post("/", name="respond_page")
    async def answer(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        # The CSRF check has already parsed the form; reading it again costs nothing. The rest runs in a thread.
        return await answer_page(request, services, questionnaire_id, f"/s/{questionnaire_id}")

    @get("/merci", name="respond_done")
    async def done(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Response:
        _, questionnaire, language = _current(request, services, questionnaire_id)
        return render(request, "respond_done.html", questionnaire=questionnaire, language=language, preview=False)
