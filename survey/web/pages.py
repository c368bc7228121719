"""Rendering pages: every template gets `t` (translate), `lang`, the logged-in `member` and `csrf_token()`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from litestar import MediaType, Request
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Response
from litestar.utils import url_quote
from litestar.utils.scope.state import ScopeState

from survey.jobs import Jobs
from survey.messages import LANGUAGES, pick_language, translate
from survey.settings import Settings
from survey.store import Store
from survey.templating import environment
from survey.web.form_state import FormSigner

LANGUAGE_COOKIE = "survey_lang"


def request_language(request: Request, default: str | None = None) -> str:
    """`?lang=` first, then the language cookie, then `default`, then French."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    return pick_language(request.cookies.get(LANGUAGE_COOKIE) or default)


def render(request: Request, template: str, *, status: int = 200, language: str | None = None,
           **context: Any) -> Response[str]:
    """A page rendered by the one Jinja2 environment (survey.templating) straight into a response."""
    lang = language or request_language(request)
    return html_response(request, page_html(request, template, lang, **context), lang, status)


def page_html(request: Request, template: str, lang: str, *, csrf_token: str | None = None, **context: Any) -> str:
    """A page's HTML; `csrf_token`: the one to draw instead of the request's (survey/web/page_cache.py draws a
    placeholder in its place)."""
    questionnaire = context.get("questionnaire")
    if template.startswith("respond_") and "branding" not in context and hasattr(questionnaire, "id"):
        context["branding"] = request.app.state.store.branding_for(questionnaire.id)  # the mission's header
    token = csrf_token if csrf_token is not None else request_csrf_token(request)
    return environment().get_template(template).render(
        t=partial(translate, language=lang), lang=lang, member=request.scope.get("member"),
        path=request.url.path, csrf_token=lambda: token, **context)


def request_csrf_token(request: Request) -> str:
    """The CSRF token Litestar's middleware gave this request ("" when it gave none)."""
    return ScopeState.from_scope(request.scope).csrf_token or ""


def html_response(request: Request, html: str, lang: str, status: int = 200) -> Response[str]:
    """A page's HTML as the response, never cached by the browser; `?lang=` also remembers the language."""
    response = Response(html, status_code=status, media_type=MediaType.HTML,
                        headers={"Content-Language": lang, "Cache-Control": "no-store"})
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True,
                            secure=request.app.state.settings.secure_cookies)
    return response


_COOKIE_VALUE = re.compile(r"[A-Za-z0-9_-]*")  # what secrets.token_urlsafe makes: nothing to quote


def see_other(url: str, cookie: tuple[str, str, str] | None = None) -> Response[bytes]:
    """The 303 that answers a respondent's POST, built plainly: Litestar's `Redirect` and `set_cookie` cost a
    good part of a respondent request (README "Performance"). `cookie`: (name, value, path) to set, HttpOnly
    and SameSite=Lax (`Secure` is added to every cookie by survey/web/headers.py when cookies must be secure);
    an empty value deletes it. Values are tokens: nothing to quote."""
    headers = {"location": url_quote(url)}
    if cookie is not None:
        name, value, path = cookie
        if not _COOKIE_VALUE.fullmatch(value):
            raise ValueError(f"not a cookie token: {value!r}")
        attributes = [f"{name}={value}", f"Path={path}", "HttpOnly", "SameSite=Lax"]
        if not value:
            attributes.append("Max-Age=0")
        headers["set-cookie"] = "; ".join(attributes)
    return Response(b"", status_code=303, media_type=MediaType.TEXT, headers=headers)


@dataclass(frozen=True)
class Services:
    """What handlers need, injected as one dependency: Litestar resolves several in a task group each request."""

    store: Store
    signer: FormSigner
    settings: Settings
    jobs: Jobs


# Parameter types for handlers: explicit, as Litestar 3 will require.
Form = Annotated[dict[str, list[str] | str], Body(media_type=RequestEncodingType.URL_ENCODED)]
ServicesDep = NamedDependency[Services]
PathId = FromPath[str]


def form_fields(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """Posted fields, each as the list of its values (a multiple choice posts several)."""
    if hasattr(data, "getall"):  # Litestar's FormMultiDict
        return {name: [v for v in data.getall(name) if isinstance(v, str)] for name in set(data)}
    return {name: value if isinstance(value, list) else [value] for name, value in data.items()}


def form_value(data: Mapping[str, Any], name: str) -> str | None:
    """The first value posted for a field."""
    value = data.get(name)
    return (value[0] if value else None) if isinstance(value, list) else value


def posted_int(text: str | None) -> int | None:
    """A whole number posted in a form or a query (an id, a revision); None for anything else. Only ASCII digits
    and at most 18 of them: `str.isdigit` takes « ² », which `int` refuses, and a longer number fits no column."""
    return int(text) if text and len(text) <= 18 and text.isascii() and text.isdigit() else None
