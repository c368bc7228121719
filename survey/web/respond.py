"""Respondents: one page at a time, validated on the server, stored once at the end."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from survey.messages import LANGUAGES
from survey.schema import Questionnaire
from survey.schema.types import Shape
from survey.validation import Answer, AnswerIssue, read_page, validate_answers
from survey.web.form_state import FormState, StateInvalid
from survey.web.pages import Form, PathId, SignerDep, StoreDep, form_fields, form_value, render, request_language

QUESTIONNAIRE_PATH = "/s/{questionnaire_id:str}"


def _as_form_values(question: Any, answer: Answer) -> list[str]:
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


def _show(request: Request, signer: SignerDep, questionnaire: Questionnaire, state: FormState,
          issues: list[AnswerIssue] = (), raw: dict[str, list[str]] | None = None) -> Template:  # type: ignore[assignment]
    page = questionnaire.pages[state.page]
    values = {q.name: raw.get(q.name, []) if raw is not None else _as_form_values(q, state.answers.get(q.name))
              for q in page.questions}
    errors = {issue.question: issue for issue in issues}
    return render(
        request, "respond_page.html", status=422 if issues else 200, language=state.language,
        questionnaire=questionnaire, page=page, page_number=state.page + 1, page_count=len(questionnaire.pages),
        values=values, errors=errors, issues=[i for i in issues if i.question in values],
        state=signer.dump(state), languages=LANGUAGES,
    )


class RespondController(Controller):
    path = QUESTIONNAIRE_PATH

    @get("/", name="respond_start")
    async def start(self, request: Request, store: StoreDep, signer: SignerDep, questionnaire_id: PathId) -> Template:
        loaded = store.current(questionnaire_id)
        if loaded is None:
            raise NotFoundException()
        language = request_language(request, loaded.questionnaire.language)
        return _show(request, signer, loaded.questionnaire, FormState(version_id=loaded.version_id, language=language))

    @post("/", name="respond_page", sync_to_thread=True)
    def answer(self, request: Request, store: StoreDep, signer: SignerDep, questionnaire_id: PathId,
               data: Form) -> Template | Redirect:
        fields = form_fields(data)
        try:
            state = signer.load(form_value(data, "state"))
        except StateInvalid:
            return _restart(request, questionnaire_id)
        loaded = store.version(state.version_id)
        if loaded is None or loaded.questionnaire.id != questionnaire_id or not (
                0 <= state.page < len(loaded.questionnaire.pages)):
            return _restart(request, questionnaire_id)
        questionnaire = loaded.questionnaire
        page_answers, issues = read_page(questionnaire.pages[state.page], fields)
        action = form_value(data, "action") or "next"
        if action.startswith("lang:") and action[5:] in LANGUAGES:
            return _show(request, signer, questionnaire, state.moved(language=action[5:]), raw=fields)
        if action == "back":
            kept = {name: value for name, value in page_answers.items()
                    if name not in {i.question for i in issues}}
            return _show(request, signer, questionnaire,
                         state.moved(page=max(state.page - 1, 0), answers={**state.answers, **kept}))
        if issues:
            return _show(request, signer, questionnaire, state, issues, raw=fields)
        state = state.moved(answers={**state.answers, **page_answers})
        if state.page + 1 < len(questionnaire.pages):
            return _show(request, signer, questionnaire, state.moved(page=state.page + 1))
        return _finish(request, store, signer, questionnaire, state)

    @get("/merci", name="respond_done")
    async def done(self, request: Request, store: StoreDep, questionnaire_id: PathId) -> Template:
        loaded = store.current(questionnaire_id)
        if loaded is None:
            raise NotFoundException()
        return render(request, "respond_done.html", questionnaire=loaded.questionnaire,
                      language=request_language(request, loaded.questionnaire.language))


def _finish(request: Request, store: StoreDep, signer: SignerDep, questionnaire: Questionnaire,
            state: FormState) -> Template | Redirect:
    """Validate everything once more, then store in one statement; a second submission is a no-op."""
    issues = validate_answers(questionnaire, state.answers)
    if issues:  # only reachable with a state from an edited questionnaire: send them where the problem is
        first = _page_of(questionnaire, issues[0].question)
        return _show(request, signer, questionnaire, state.moved(page=first), issues)
    answers = {name: value for name, value in state.answers.items() if value not in (None, "", [])}
    store.store_response(state.version_id, state.key, answers)
    lang = "" if state.language == questionnaire.language else f"?lang={state.language}"
    return Redirect(f"/s/{questionnaire.id}/merci{lang}", status_code=303)


def _restart(request: Request, questionnaire_id: PathId) -> Template:
    return render(request, "respond_expired.html", status=400, questionnaire_id=questionnaire_id)
