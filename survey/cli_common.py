"""What the `survey` commands share: an error as one line on standard error, and the store."""

from __future__ import annotations

import typer

from survey.settings import Settings


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _store():  # noqa: ANN202
    from survey.store import Store

    try:
        store = Store.from_url(Settings().database_url)
        store.migrate()
    except Exception as exc:  # a bad URL or an unreachable database: say which, no traceback
        raise _fail(f"cannot open the database {Settings().database_url!r}: {exc.__class__.__name__}: "
                    f"{str(exc).splitlines()[0]} — check SURVEY_DATABASE_URL") from None
    return store
