"""The REST API under `/api`, and its OpenAPI description under `/schema`.

Token-authenticated (`auth.py`), handlers in `routes.py`, the shapes it sends in `schemas.py`. Errors are always
JSON (`ApiError`) with the status that says what went wrong; never a login page, never a traceback.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import Any

from litestar import MediaType, Request, Response, Router
from litestar.datastructures import ResponseHeader
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, OpenAPIRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from survey.messages import translate
from survey.templating import environment
from survey.web.api.routes import JobsApi, QuestionnairesApi, me
from survey.web.api.schemas import ApiError, FieldError
from survey.web.pages import request_language

log = logging.getLogger("survey")

API_PATH = "/api"
SCHEMA_PATH = "/schema"
_DESCRIPTION = """\
Read questionnaires, their versions and response counts, the results summary, and run anonymised exports.

Every request carries a personal token: `Authorization: Bearer <token>`. Staff make and revoke theirs on the
page /staff/tokens or with `survey token add EMAIL --name NAME`; a token acts as its owner, with the same role and
missions as on the staff pages (another mission's questionnaire answers 404; an interviewer gets 403 on results
and exports). Errors are JSON: `{"status", "detail", "errors"}`."""


def _field_errors(extra: Any) -> list[FieldError]:
    """Litestar's validation details (a list of {message, key, source}) as the API's field errors."""
    items = extra if isinstance(extra, list) else []
    return [FieldError(str(item.get("message", "")), item.get("key"), item.get("source"))
            for item in items if isinstance(item, dict)]


def api_error(request: Request, exc: Exception) -> Response[ApiError]:
    """Every error of the API as JSON; a failed validation is 422 (the request was understood, not accepted)."""
    headers = {"Cache-Control": "no-store"}
    if isinstance(exc, ValidationException):
        body = ApiError(422, str(exc.detail), _field_errors(exc.extra))
    elif isinstance(exc, HTTPException):
        body = ApiError(exc.status_code, str(exc.detail))
        if isinstance(exc, NotAuthorizedException):
            headers["WWW-Authenticate"] = 'Bearer realm="survey"'
    else:
        log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        body = ApiError(500, "unexpected error — it has been logged; try again, or tell the administrator")
    return Response(body, status_code=body.status, media_type=MediaType.JSON, headers=headers)


def api_router() -> Router:
    """The API's routes; no cookie is read under it, so its POSTs need no CSRF token."""
    return Router(path=API_PATH, route_handlers=[me, QuestionnairesApi, JobsApi], include_in_schema=True,
                  security=[{"bearer": []}], opt={"exclude_from_csrf": True},
                  exception_handlers={HTTPException: api_error, Exception: api_error},  # over the pages' handlers
                  response_headers=[ResponseHeader(name="Cache-Control", value="no-store")])


class ApiReferencePlugin(OpenAPIRenderPlugin):
    """`/schema`: the operations listed on a plain page (no script, nothing fetched from elsewhere)."""

    def __init__(self) -> None:
        super().__init__(path="/")

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        """One row per operation, from the same schema `/schema/openapi.json` serves."""
        lang = request_language(request)
        operations = [{"method": method.upper(), "path": path, "summary": op.get("summary", ""),
                       "description": op.get("description", "")}
                      for path, item in openapi_schema.get("paths", {}).items()
                      for method, op in item.items() if isinstance(op, dict) and "responses" in op]
        html = environment().get_template("api_reference.html").render(
            t=partial(translate, language=lang), lang=lang, member=None, csrf_token=lambda: "",
            info=openapi_schema.get("info", {}), operations=operations, json_url=f"{SCHEMA_PATH}/openapi.json")
        return html.encode()


def openapi_config() -> OpenAPIConfig:
    """The OpenAPI description: `/schema` (a page) and `/schema/openapi.json`."""
    return OpenAPIConfig(
        title="survey API", version="1", description=_DESCRIPTION, path=SCHEMA_PATH, use_handler_docstrings=True,
        render_plugins=[ApiReferencePlugin(), JsonRenderPlugin()], create_examples=False,
        components=Components(security_schemes={"bearer": SecurityScheme(
            type="http", scheme="bearer", description="A personal API token (`survey token add`, /staff/tokens).")}),
    )
