"""Answering one page after another: what a page shows, and where a posted page leads.

Used by the respondent routes and by the staff preview alike; only the last step differs (store or not).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from litestar import Request
from litestar.response import Response
from markupsafe import Markup, escape

from survey.codecs import codec
from survey.form_input import form_values, read_instances
from survey.logic import (
    PIPED_NAME,
    Resolution,
    display_value,
    instance_env,
    offered,
    ordered_options,
    repeat_bounds,
    resolve,
)
from survey.logic_json import page_logic
from survey.messages import LANGUAGES
from survey.schema import Question, Questionnaire
from survey.validation import AnswerIssue, read_page
from survey.web.form_state import FormSigner, FormState
from survey.web.page_cache import PageCache
from survey.web.pages import render

PAGE_CACHE = PageCache()


def offered_languages(questionnaire: Questionnaire) -> list[str]:
    """The languages a respondent may read a questionnaire in: its own (`language`, `languages`), where the
    pages' own words (buttons, messages) exist too. A French-only questionnaire offers no switch."""
    return [lang for lang in questionnaire.all_languages if lang in LANGUAGES] or [questionnaire.language]


def served_language(questionnaire: Questionnaire, asked: str) -> str:
    """The language asked for (link, cookie, button) when the questionnaire has it, else its own."""
    offered = offered_languages(questionnaire)
    return asked if asked in offered else offered[0]


def _today() -> str:
    return dt.date.today().isoformat()


def _state_values(questionnaire: Questionnaire, page_index: int, answers: dict[str, Any]) -> dict[str, list[str]]:
    """The fields of a page as stored answers fill them (a repeat group's items included)."""
    values: dict[str, list[str]] = {}
    for question in questionnaire.pages[page_index].questions:
        values.update(form_values(question, answers.get(question.name)))
        if question.other and answers.get(f"{question.name}__other"):
            values[f"{question.name}__other"] = [str(answers[f"{question.name}__other"])]
    return values


def show_page(request: Request, signer: FormSigner, questionnaire: Questionnaire, state: FormState, *,
              action: str, issues: list[AnswerIssue] | None = None, raw: dict[str, list[str]] | None = None,
              notice: str | None = None, preview: str | None = None, resolution: Resolution | None = None
              ) -> Response:
    """Draw the state's page: values from what was just posted (`raw`) or from the answers so far.

    `resolution` is the logic's for `state.answers`, when the caller has it already.
    """
    issues = issues or []
    today = _today()
    page = questionnaire.pages[state.page]
    resolution = resolution or resolve(questionnaire, state.answers, today)
    hidden_fields = set(resolution.hidden)
    repeat_counts: dict[str, int] = {}
    repeat_fixed: dict[str, int | None] = {}
    for question in page.questions:
        if not codec(question).group:
            continue
        low, high = repeat_bounds(question, resolution.env, today)
        instances = state.answers.get(question.name) or []
        repeat_fixed[question.name] = low if low == high else None
        repeat_counts[question.name] = low if low == high else max(len(instances), low)
        for i, instance in enumerate(instances):
            hidden_fields |= {f"{question.name}__{i}__{name}"
                              for name in instance_env(question, instance, resolution.env, today)[1]}
    shown = [q.name for q in page.questions if q.name not in resolution.hidden]
    piper = _piper(questionnaire, resolution.env, state.language)
    values = raw if raw is not None else _state_values(questionnaire, state.page, state.answers)
    errors = {issue.question: issue for issue in issues}
    offers = {q.name: [c.code for c in offered(q, resolution.env, today)] for q in page.questions if codec(q).offers}
    return render(
        request, "respond_page.html", status=422 if issues else 200, language=state.language,
        questionnaire=questionnaire, page=page, page_number=_position(resolution.shown_pages, state.page),
        page_count=max(len(resolution.shown_pages), 1), prefix="",
        values=values, errors=errors, issues=[i for i in issues if i.question in shown],
        hidden_fields=hidden_fields, shown=" ".join(shown), offered=offers,
        fragments=PAGE_CACHE.fragments(questionnaire, state.language, values, errors, hidden_fields, offers),
        ordered=lambda q: ordered_options(q, q.options(), state.key), piped=piper,
        repeat_counts=repeat_counts, repeat_fixed=repeat_fixed, notice=notice, preview=preview,
        is_last=state.page == (resolution.shown_pages or [state.page])[-1], is_first=state.page == min(
            resolution.shown_pages or [0]), action=action, state=signer.dump(state),
        languages=offered_languages(questionnaire),
        logic=page_logic(questionnaire, PAGE_CACHE.logic(questionnaire), state.page, state.answers, today),
    )


def _position(shown_pages: tuple[int, ...], page: int) -> int:
    return sum(1 for p in shown_pages if p <= page) or 1


def _piper(questionnaire: Questionnaire, env: dict[str, Any], language: str) -> Callable[[str], Markup]:
    """`${name}` in a text → the answer, in a span the browser script keeps up to date."""
    def piped(text: str) -> Markup:
        if "${" not in text:
            return escape(text)
        out, last = [], 0
        for match in PIPED_NAME.finditer(text):
            name = match.group(1)
            out.append(escape(text[last:match.start()]))
            shown = display_value(questionnaire, name, env.get(name))
            out.append(Markup('<span data-pipe="{}">{}</span>').format(name, shown))
            last = match.end()
        out.append(escape(text[last:]))
        return Markup("").join(out)

    return piped


def next_page(questionnaire: Questionnaire, answers: dict[str, Any], page: int, step: int,
              resolution: Resolution | None = None) -> int | None:
    """The next (step=1) or previous (step=-1) page that is asked, given the answers; None past the end."""
    shown = (resolution or resolve(questionnaire, answers, _today())).shown_pages
    later = [p for p in shown if (p > page if step > 0 else p < page)]
    if not later:
        return None
    return later[0] if step > 0 else later[-1]


def read_posted_page(questionnaire: Questionnaire, state: FormState, fields: dict[str, list[str]]
                     ) -> tuple[dict[str, Any], list[AnswerIssue]]:
    """The posted page's typed answers and issues, judged with the answers of the other pages."""
    page = questionnaire.pages[state.page]
    return read_page(page, fields, questionnaire=questionnaire, answers=state.answers, today=_today())


def edit_repeat(questionnaire: Questionnaire, state: FormState, fields: dict[str, list[str]], action: str
                ) -> FormState:
    """`add:<repeat>` or `remove:<repeat>:<i>`: change the instances, keeping what was typed in the others."""
    kind, _, rest = action.partition(":")
    name, _, index = rest.partition(":")
    question: Question | None = next((q for q in questionnaire.pages[state.page].questions
                                      if q.name == name and codec(q).group), None)
    if question is None:
        return state
    instances, _ = read_instances(question, fields)
    page_answers, _ = read_posted_page(questionnaire, state, fields)
    if kind == "add":
        instances.append({})
    elif kind == "remove" and index.isdigit() and int(index) < len(instances):
        del instances[int(index)]
    return state.moved(answers={**state.answers, **page_answers, name: instances})
