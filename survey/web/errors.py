"""Error pages: a readable page for every status, never a traceback; staff are sent to login when needed."""

from __future__ import annotations

import logging

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException

from survey.web.api import API_PATH, api_error
from survey.web.auth import login_redirect
from survey.web.pages import render

log = logging.getLogger("survey")

_TITLES = {400: "bad_request_title", 403: "forbidden_title", 404: "not_found_title", 413: "too_large_title",
           500: "server_error_title"}
_BODIES = {403: "forbidden_body", 404: "not_found_body", 413: "too_large_body", 500: "server_error_body"}


def _page(request: Request, status: int, detail: str = "") -> Response:
    return render(request, "error.html", status=status, status_title=_TITLES.get(status, "bad_request_title"),
                  status_body=_BODIES.get(status, ""), detail=detail)


def http_error(request: Request, exc: HTTPException) -> Response:
    if request.url.path.startswith(API_PATH + "/"):  # no route matched under /api (404, 405): still the API's JSON
        return api_error(request, exc)
    if isinstance(exc, NotAuthorizedException):
        return login_redirect(request)
    if request.headers.get("accept", "").startswith("application/json"):
        return Response({"status": exc.status_code, "detail": exc.detail}, status_code=exc.status_code,
                        media_type=MediaType.JSON)
    detail = exc.detail if exc.status_code == 400 else ""
    if exc.status_code == 403 and "CSRF" in str(exc.detail):
        detail = "csrf"
    return _page(request, exc.status_code, detail)


def server_error(request: Request, exc: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
    return _page(request, 500)
