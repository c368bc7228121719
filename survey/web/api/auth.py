"""API authentication: a personal token in `Authorization: Bearer <token>`, acting exactly as its owner.

No cookie is read here, so a page on another site cannot make a browser call the API with someone's session:
that is why API requests need no CSRF token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar.concurrency import sync_to_thread
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers import BaseRouteHandler

from survey.access import Action, StaffMember
from survey.store import Store
from survey.store_tokens import token_digest

SCOPE_KEY = "api_member"
TOKEN_MAX = 200  # characters: far above a real token; longer is not looked up

MISSING = ("missing API token — send `Authorization: Bearer <token>`; make one at /staff/tokens or with "
           "`survey token add`")
INVALID = "invalid or revoked API token — make a new one at /staff/tokens or with `survey token add`"


def _bearer(connection: ASGIConnection) -> str | None:
    """The token of an `Authorization: Bearer …` header (the scheme in any case), or None."""
    scheme, _, token = connection.headers.get("authorization", "").strip().partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


async def _resolve(connection: ASGIConnection) -> StaffMember:
    """The token's owner, looked up once per request (off the event loop); 401 without a live token."""
    if SCOPE_KEY not in connection.scope:
        token = _bearer(connection)
        if token is None:
            raise NotAuthorizedException(MISSING)
        store: Store = connection.app.state.store
        member = await sync_to_thread(store.token_member, token_digest(token)) if len(token) <= TOKEN_MAX else None
        if member is None:
            raise NotAuthorizedException(INVALID)
        connection.scope[SCOPE_KEY] = member  # type: ignore[literal-required]
    return connection.scope[SCOPE_KEY]  # type: ignore[literal-required]


def api_member(connection: ASGIConnection) -> StaffMember:
    """The member the request's token acts as; the route's guard has already checked it."""
    return connection.scope[SCOPE_KEY]  # type: ignore[literal-required]


def require_token(action: Action) -> Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]:
    """A guard: a live token (else 401) whose owner's role allows `action` (else 403), as the pages' `require`."""

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        member = await _resolve(connection)
        if not member.can(action):
            raise PermissionDeniedException(f"your role ({member.role.value}) does not allow this "
                                            f"({action.value}) — as on the staff pages")

    return guard
