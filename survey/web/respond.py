"""Respondents: one page at a time, validated on the server, stored once at the end."""

from __future__ import annotations

from anyio import to_thread
from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from survey.messages import LANGUAGES
from survey.schema import Question, Questionnaire
from survey.schema.types import Shape
from survey.validation import Answer, AnswerIssue, read_page, validate_answers
from survey.web.form_state import FormSigner, FormState, StateInvalid
from survey.web.pages import (
    PathId,
    Services,
    ServicesDep,
    form_fields,
    form_value,
    render,
    request_language,
)


def _as_form_values(question: Question, answer: Answer) -> list[str]:
    """A stored answer as the strings a form field shows."""
    if answer is None:
        return []
    if question.kind.shape is Shape.CODES:
        return list(answer)  # type: ignore[arg-type]
    if question.kind.shape is Shape.BOOLEAN:
        return ["1" if answer else "0"]
    return [str(answer)]


def _page_of(questionnaire: Questionnaire, question_name: str) -> int:
    for index, page in enumerate(questionnaire.pages):
        if any(q.name == question_name for q in page.questions):
            return index
    return 0


def _show(request: Request, signer: FormSigner, questionnaire: Questionnaire, state: FormState,
          issues: list[AnswerIssue] | None = None, raw: dict[str, list[str]] | None = None) -> Template:
    """Draw the state's page: values from what was just posted (`raw`) or from the answers so far."""
    issues = issues or []
    page = questionnaire.pages[state.page]
    values = {q.name: raw.get(q.name, []) if raw is not None else _as_form_values(q, state.answers.get(q.name))
              for q in page.questions}
    return render(
        request, "respond_page.html", status=422 if issues else 200, language=state.language,
        questionnaire=questionnaire, page=page, page_number=state.page + 1, page_count=len(questionnaire.pages),
        values=values, errors={issue.question: issue for issue in issues},
        issues=[i for i in issues if i.question in values], state=signer.dump(state), languages=LANGUAGES,
    )


class RespondController(Controller):
    path = "/s/{questionnaire_id:str}"

    @get("/", name="respond_start")
    async def start(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Template:
        loaded = services.store.current(questionnaire_id)
        if loaded is None:
            raise NotFoundException()
        state = FormState(version_id=loaded.version_id,
                          language=request_language(request, loaded.questionnaire.language))
        return _show(request, services.signer, loaded.questionnaire, state)

    @post("/", name="respond_page")
    async def answer(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Template | Redirect:
        # The CSRF check has already parsed the form; reading it again costs nothing. Only the final
        # INSERT leaves the event loop, so the pages in between cost no thread hop.
        fields = form_fields(await request.form())
        try:
            state = services.signer.load(form_value(fields, "state"))
        except StateInvalid:
            return _restart(request, questionnaire_id)
        loaded = services.store.version(state.version_id)
        if loaded is None or loaded.questionnaire.id != questionnaire_id or not (
                0 <= state.page < len(loaded.questionnaire.pages)):
            return _restart(request, questionnaire_id)
        questionnaire, signer = loaded.questionnaire, services.signer
        page_answers, issues = read_page(questionnaire.pages[state.page], fields)
        action = form_value(fields, "action") or "next"
        if action.startswith("lang:") and action[5:] in LANGUAGES:
            return _show(request, signer, questionnaire, state.moved(language=action[5:]), raw=fields)
        if action == "back":
            wrong = {issue.question for issue in issues}
            kept = {name: value for name, value in page_answers.items() if name not in wrong}
            return _show(request, signer, questionnaire,
                         state.moved(page=max(state.page - 1, 0), answers={**state.answers, **kept}))
        if issues:
            return _show(request, signer, questionnaire, state, issues, raw=fields)
        state = state.moved(answers={**state.answers, **page_answers})
        if state.page + 1 < len(questionnaire.pages):
            return _show(request, signer, questionnaire, state.moved(page=state.page + 1))
        return await _finish(request, services, questionnaire, state)

    @get("/merci", name="respond_done")
    async def done(self, request: Request, services: ServicesDep, questionnaire_id: PathId) -> Template:
        loaded = services.store.current(questionnaire_id)
        if loaded is None:
            raise NotFoundException()
        return render(request, "respond_done.html", questionnaire=loaded.questionnaire,
                      language=request_language(request, loaded.questionnaire.language))


async def _finish(request: Request, services: Services, questionnaire: Questionnaire,
                  state: FormState) -> Template | Redirect:
    """Validate everything once more, then store in one statement; a second submission is a no-op."""
    issues = validate_answers(questionnaire, state.answers)
    if issues:  # only reachable with a state from an edited questionnaire: send them where the problem is
        first = _page_of(questionnaire, issues[0].question)
        return _show(request, services.signer, questionnaire, state.moved(page=first), issues)
    answers = {name: value for name, value in state.answers.items() if value not in (None, "", [])}
    await to_thread.run_sync(services.store.store_response, state.version_id, state.key, answers)
    lang = "" if state.language == questionnaire.language else f"?lang={state.language}"
    return Redirect(f"/s/{questionnaire.id}/merci{lang}", status_code=303)


def _restart(request: Request, questionnaire_id: str) -> Template:
    return render(request, "respond_expired.html", status=400, questionnaire_id=questionnaire_id)
