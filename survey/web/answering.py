"""Answering one page after another: what a page shows (`show_page`), and where a posted page leads (`take_step`).

Used by the respondent routes and by the staff preview alike. What differs is where the progress lives — a form
session on the server for respondents (answered by a redirect), a signed hidden field for the preview (answered
with the page itself) — and the last step: store or not.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
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
from survey.validation import AnswerIssue, read_page, validate_answers
from survey.web.form_state import FormState
from survey.web.page_cache import PageCache, branding_key
from survey.web.pages import html_response, page_html, posted_int, request_csrf_token

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


def show_page(request: Request, questionnaire: Questionnaire, state: FormState, *, action: str,
              controls: dict[str, str], issues: list[AnswerIssue] | None = None,
              raw: dict[str, list[str]] | None = None, notice: str | None = None, preview: str | None = None,
              resolution: Resolution | None = None, can_save: bool = False, resume_url: str | None = None,
              expires: dt.date | None = None, prefilled: frozenset[str] = frozenset()) -> Response:
    """Draw the state's page: values from what was just posted (`raw`) or from the answers so far.

    `controls` are the form's hidden fields that say where the progress is (the page shown, or the preview's
    signed state); `can_save` offers "Save and continue later", and `resume_url` shows the link it gives (with
    the day it `expires`). `resolution` is the logic's for `state.answers`, when the caller has it already.
    `prefilled`: questions an invitation's contact list answered: not shown (their answers stay on the server).
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
    fragments = PAGE_CACHE.fragments(questionnaire, state.language, values, errors, hidden_fields, offers)
    context = dict(
        questionnaire=questionnaire, page=page, page_number=_position(resolution.shown_pages, state.page),
        page_count=max(len(resolution.shown_pages), 1), prefix="", values=values, errors=errors,
        issues=[i for i in issues if i.question in shown], hidden_fields=hidden_fields, shown=" ".join(shown),
        offered=offers, fragments=fragments, ordered=lambda q: ordered_options(q, q.options(), state.key),
        piped=piper, repeat_counts=repeat_counts, repeat_fixed=repeat_fixed, notice=notice, preview=preview,
        is_last=state.page == (resolution.shown_pages or [state.page])[-1],
        is_first=state.page == min(resolution.shown_pages or [0]), can_save=can_save,
        resume_url=resume_url, expires=expires, languages=offered_languages(questionnaire), prefilled=prefilled,
        branding=request.app.state.store.branding_for(questionnaire.id))
    # What changes from one request to the next; the rest, on a page shown blank, is drawn once (page_cache.py).
    # The logic JSON holds no markup character (logic_json._safe): it goes in as it is, as `|safe` draws it.
    logic = page_logic(questionnaire, PAGE_CACHE.logic(questionnaire), state.page, state.answers, today)
    holes = {"action": action, "csrf": request_csrf_token(request),
             "logic": Markup(logic),  # noqa: S704
             **{f"control:{name}": value for name, value in controls.items()}}

    def draw(filled: Mapping[str, str]) -> str:
        return page_html(request, "respond_page.html", state.language, csrf_token=filled["csrf"],
                         action=filled["action"], logic=filled["logic"],
                         controls={name: filled[f"control:{name}"] for name in controls}, **context)

    html = PAGE_CACHE.page(questionnaire, _shell_key(request, state, context, controls), holes, draw)
    return html_response(request, html, state.language, status=422 if issues else 200)


def _shell_key(request: Request, state: FormState, context: dict[str, Any], controls: dict[str, str]
               ) -> Hashable | None:
    """Everything a page drawn blank depends on besides the holes, when it can be kept whole; else None: a page
    with issues, a notice, the saved-form link, values or piped text (`fragments.key` is None for a question
    that cannot be kept), pre-filled questions, or a staff member's header."""
    if (context["issues"] or context["notice"] or context["preview"] or context["resume_url"]
            or context["prefilled"] or request.scope.get("member") is not None):
        return None
    fragments = context["fragments"]
    questions = tuple(fragments.key(q) for q in context["page"].questions if not codec(q).computed)
    if None in questions:
        return None
    return ("page", state.page, state.language, context["page_number"], context["page_count"], context["is_first"],
            context["is_last"], context["can_save"], tuple(context["languages"]), context["shown"], questions,
            tuple(controls), branding_key(context["branding"]))


def thanks_page(request: Request, questionnaire: Questionnaire, language: str, erase_url: str) -> Response:
    """The thank-you page, with the link that erases the response when there is one (`erase_url`). The same for
    every respondent but for that link: kept whole, like a blank page (page_cache.py)."""
    branding = request.app.state.store.branding_for(questionnaire.id)
    key = None if request.scope.get("member") is not None else (
        "thanks", language, bool(erase_url), branding_key(branding))

    def draw(filled: Mapping[str, str]) -> str:
        return page_html(request, "respond_done.html", language, questionnaire=questionnaire, preview=False,
                         erase_url=filled["erase_url"], branding=branding)

    return html_response(request, PAGE_CACHE.page(questionnaire, key, {"erase_url": erase_url}, draw), language)


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
    elif kind == "remove" and (number := posted_int(index)) is not None and number < len(instances):
        del instances[number]
    return state.moved(answers={**state.answers, **page_answers, name: instances})


@dataclass(frozen=True)
class Step:
    """Where a posted page leads: the progress to show next, and what that page shows once with it (the posted
    fields, their issues, a notice); or, `done`, the end: every answer valid, ready to store."""

    state: FormState
    issues: tuple[AnswerIssue, ...] = ()
    raw: dict[str, list[str]] | None = None
    notice: str | None = None
    resolution: Resolution | None = None
    done: bool = False


def take_step(questionnaire: Questionnaire, state: FormState, fields: dict[str, list[str]], action: str) -> Step:
    """Judge a posted page (`state.page`, answered in `fields`) and decide what comes next, for `action`: `next`,
    `back`, `save` (keep what is valid, stay), `lang:<code>` (stay; the caller switched `state.language`),
    `add:<repeat>` or `remove:<repeat>:<i>`. Nothing is stored or drawn here."""
    if action.startswith(("add:", "remove:")):
        return Step(edit_repeat(questionnaire, state, fields, action))
    page_answers, issues = read_posted_page(questionnaire, state, fields)
    if action.startswith("lang:"):  # same page, what was typed kept, in the other language
        return Step(state.moved(answers={**state.answers, **page_answers}), raw=fields)
    if action in ("back", "save"):  # what is valid is kept; what is not is dropped (back) or shown again (save)
        wrong = {issue.question for issue in issues}
        answers = {**state.answers, **{n: v for n, v in page_answers.items() if n not in wrong}}
        if action == "save":
            return Step(state.moved(answers=answers), raw=fields, notice="saved")
        previous = next_page(questionnaire, answers, state.page, -1)
        return Step(state.moved(page=state.page if previous is None else previous, answers=answers))
    posted_shown = set(form_value_of(fields, "shown").split())
    answers = {**state.answers, **page_answers}
    resolution = resolve(questionnaire, answers, _today())  # once, for every decision below
    now_shown = {q.name for q in questionnaire.pages[state.page].questions} - resolution.hidden
    appeared = {name for name in now_shown - posted_shown if codec(questionnaire.question(name)).answered}
    if appeared and "shown" in fields:  # without JavaScript: questions this page's answers open, asked now
        seen = tuple(issue for issue in issues if issue.question in posted_shown)
        return Step(state.moved(answers=answers), seen, fields, "new_questions", resolution)
    if issues:  # drawn with this page's answers, so cascades and relevance match what was typed
        return Step(state.moved(answers=answers), tuple(issues), fields, resolution=resolution)
    state = state.moved(answers=answers)
    following = next_page(questionnaire, answers, state.page, 1, resolution)
    if following is not None:
        return Step(state.moved(page=following), resolution=resolution)
    final = validate_answers(questionnaire, answers, _today())  # the whole answer set, once more
    if final:  # answers changed by a later page, or a form from an edited version: go where the problem is
        page = next((i for i, p in enumerate(questionnaire.pages)
                     for q in p.questions if q.name == final[0].question), state.page)
        return Step(state.moved(page=page), tuple(final))
    return Step(state, done=True)


def with_prefilled(questionnaire: Questionnaire, page: int, fields: dict[str, list[str]],
                   prefilled: dict[str, Any]) -> dict[str, list[str]]:
    """The posted fields with the page's pre-filled questions (an invitation's contact list answered them) taken
    from the server's answers: whatever a browser posts under those names, edited page or forged POST, is ignored."""
    names = {q.name for q in questionnaire.pages[page].questions if q.name in prefilled}
    if not names:
        return fields
    kept = {k: v for k, v in fields.items() if k not in names and k.partition("__")[0] not in names}
    for question in questionnaire.pages[page].questions:
        if question.name in names:
            kept.update(form_values(question, prefilled[question.name]))
    return kept


def form_value_of(fields: dict[str, list[str]], name: str) -> str:
    """The first value posted for a field, or ""."""
    values = fields.get(name)
    return values[0] if values else ""
