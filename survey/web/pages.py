"""Rendering pages: every template gets `t` (translate), `lang`, the logged-in `member` and `csrf_token()`."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Request
from litestar.response import Template

from survey.messages import LANGUAGES, pick_language, translate

LANGUAGE_COOKIE = "survey_lang"


def request_language(request: Request, default: str | None = None) -> str:
    """`?lang=` first, then the language cookie, then `default`, then French."""
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    return pick_language(request.cookies.get(LANGUAGE_COOKIE) or default)


def render(request: Request, template: str, *, status: int = 200, language: str | None = None,
           **context: Any) -> Template:
    lang = language or request_language(request)
    response = Template(
        template_name=template,
        status_code=status,
        context={"t": partial(translate, language=lang), "lang": lang,
                 "member": request.scope.get("member"), "path": request.url.path, **context},
        headers={"Content-Language": lang, "Cache-Control": "no-store"},
    )
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return response
