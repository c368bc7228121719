"""The `survey` commands about staff and the service's security: `user add`, `token add/list/revoke`, `unlock`
and `audit`, registered on the `survey` command by `register`."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer

from survey.access import Role
from survey.cli_common import _fail, _store
from survey.settings import Settings

user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
token_app = typer.Typer(help="Personal API tokens of staff.", no_args_is_help=True)


@user_app.command("add")
def user_add(email: str,
             role: Annotated[Role, typer.Option(help="admin, evaluator, interviewer or consultant.")],
             mission: Annotated[list[str] | None, typer.Option(help="Mission id (repeat for several).")] = None,
             password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
             ) -> None:
    """Create a staff account; the password is prompted for (or read from stdin)."""
    from survey.passwords import hash_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    email = email.strip().lower()
    try:
        user_id = _store().add_user(email, hash_password(password), role, mission or [])
    except ValueError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"user {user_id} created: {email} ({role.value}), missions: {', '.join(mission or []) or 'none'}")


def unlock(email: Annotated[str, typer.Argument(help="The e-mail address locked after failed logins.")],
           address: Annotated[str | None, typer.Option(
               help="Also unlock this client address (an IP, as the server sees it).")] = None) -> None:
    """Lift the lock that failed logins put on an e-mail (and on an address); recorded in the audit log."""
    import getpass

    from survey import store_throttle
    from survey.throttle import account_key, address_key

    store = _store()
    keys = [account_key(email)]
    if address:
        keys.append(address_key(address.strip(), Settings().secret_key or store.secret_key()))
    actor = f"cli:{getpass.getuser()}"
    for key, shown in zip(keys, [email.strip().lower(), address], strict=False):
        done = store_throttle.unlock(store.engine, key, actor=actor)
        typer.echo(f"{shown}: {'unlocked' if done else 'no failed login recorded, nothing to unlock'}")


def audit(questionnaire: Annotated[str | None, typer.Option(
              "--questionnaire", help="Only the events of this questionnaire.")] = None,
          since: Annotated[str | None, typer.Option(
              "--since", help="Only the events from this day on (YYYY-MM-DD, UTC).")] = None,
          limit: Annotated[int, typer.Option(help="At most this many events, newest first.")] = 1000) -> None:
    """Print the audit log, newest first: when, who, action, questionnaire, profile, reason (tab-separated)."""
    start = None
    if since:
        try:
            start = dt.datetime.combine(dt.date.fromisoformat(since), dt.time(), dt.UTC)
        except ValueError:
            raise _fail(f"--since {since}: not a date — write it YYYY-MM-DD") from None
    if limit < 1:
        raise _fail(f"--limit {limit}: at least 1")
    for event in _store().audit_events(questionnaire, start, limit=limit):
        fields = [event.at.strftime("%Y-%m-%dT%H:%M:%SZ"), event.actor, event.action, event.questionnaire_id or "-",
                  event.profile or "-", event.reason.replace("\t", " ").replace("\n", " ") or "-"]
        typer.echo("\t".join(fields))


@token_app.command("add")
def token_add(email: str,
              name: Annotated[str, typer.Option(help="What the token is for, e.g. \"dashboard\".")]) -> None:
    """Make an API token acting as EMAIL; it is printed this once (only its hash is kept)."""
    store = _store()
    user_id = store.user_id(email)
    if user_id is None:
        raise _fail(f"no member of staff {email.strip().lower()!r} — create the account first with `survey user add`")
    try:
        token_id, token = store.add_token(user_id, name)
    except ValueError as exc:
        raise _fail(f"--name: {exc}") from None
    typer.echo(f"token {token_id} made for {email.strip().lower()} ({name.strip()}); copy it now, "
               "it is not shown again:", err=True)
    typer.echo(token)


@token_app.command("list")
def token_list(email: Annotated[str | None, typer.Argument(help="Only this member's tokens.")] = None) -> None:
    """API tokens (never the tokens themselves): id, owner, name, made, last used, revoked."""
    store = _store()
    user_id = None
    if email is not None:
        user_id = store.user_id(email)
        if user_id is None:
            raise _fail(f"no member of staff {email.strip().lower()!r} — see `survey token list`")

    def when(moment: dt.datetime | None) -> str:
        return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"

    for item in store.tokens(user_id):
        typer.echo(f"{item.id}\t{item.email}\t{item.name}\tmade={when(item.created_at)}\t"
                   f"last_used={when(item.last_used_at)}\t" + (f"revoked={when(item.revoked_at)}" if item.revoked_at
                                                                 else "active"))


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(metavar="ID", help="The id `survey token list` shows.")]
                 ) -> None:
    """Revoke an API token at once: requests carrying it get 401."""
    if not _store().revoke_token(token_id):
        raise _fail(f"no active token {token_id} — see `survey token list`")
    typer.echo(f"token {token_id} revoked")


def register(app: typer.Typer) -> None:
    """Add these commands to the `survey` command."""
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
    app.command()(unlock)
    app.command()(audit)
