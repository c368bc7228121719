"""Staff page for one's own API tokens: make one (shown once), see when each was last used, revoke."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect

from survey.access import Action
from survey.store_tokens import NAME_MAX
from survey.web.auth import guarded_member, require
from survey.web.pages import Form, ServicesDep, form_value, render


def _page(request: Request, services: ServicesDep, *, status: int = 200, **context: object) -> Response:
    member = guarded_member(request)
    context.setdefault("new_token", None)
    context.setdefault("name_error", False)
    context.setdefault("name", "")
    return render(request, "staff_tokens.html", status=status, tokens=services.store.tokens(member.id),
                  name_max=NAME_MAX, **context)


class TokensController(Controller):
    path = "/staff/tokens"
    guards = [require(Action.VIEW_QUESTIONNAIRES)]  # every member of staff: a token acts as them, nothing more

    @get("/", sync_to_thread=True)
    def tokens(self, request: Request, services: ServicesDep) -> Response:
        """The member's tokens and the form to make one."""
        return _page(request, services)

    @post("/", sync_to_thread=True)
    def add(self, request: Request, services: ServicesDep, data: Form) -> Response:
        """Make a token and show it this once (the page is never cached); a bad name is shown beside its field."""
        name = (form_value(data, "name") or "").strip()
        if not name or len(name) > NAME_MAX:
            return _page(request, services, status=400, name_error=True, name=name[:NAME_MAX])
        token_id, token = services.store.add_token(guarded_member(request).id, name)
        return _page(request, services, new_token=token, new_token_id=token_id)

    @post("/{token_id:int}/revoke", sync_to_thread=True)
    def revoke(self, request: Request, services: ServicesDep, token_id: FromPath[int]) -> Redirect:
        """Revoke one of the member's own live tokens; another's, or one already revoked, answers 404."""
        if not services.store.revoke_token(token_id, guarded_member(request).id):
            raise NotFoundException()
        return Redirect("/staff/tokens", status_code=303)
