"""The `survey` commands about stored responses: `seed` (synthetic responses, marked so), `purge-synthetic` and
`purge-forms` (forms in progress left too long), registered on the `survey` command by `register`."""

from __future__ import annotations

import datetime as dt
import getpass
import random
from typing import Annotated

import typer

from survey.cli_common import _fail, _store
from survey.settings import Settings

SEED_CHUNK = 2000  # responses drawn per task and stored per transaction
SEED_MAX = 10_000_000  # responses per `survey seed`: more is a typo, not a demo
JOBS_MAX = 256


def _count(option: str, text: str, low: int, high: int) -> int:
    """A whole number within [low, high] given to an option, or one line saying what is accepted."""
    try:
        value = int(text.strip().replace("_", ""))
    except ValueError:
        raise _fail(f"{option} {text[:20]}: a whole number from {low} to {high:,} is needed") from None
    if not low <= value <= high:
        raise _fail(f"{option} {text[:20]}: give a number from {low} to {high:,}")
    return value


def seed(questionnaire: str,
         n: Annotated[str, typer.Option("-n", metavar="N", help=f"How many responses (1 to {SEED_MAX:,}).")] = "100",
         random_seed: Annotated[int | None, typer.Option("--seed", help="For reproducible data.")] = None,
         jobs: Annotated[str, typer.Option("--jobs", metavar="J",
                                           help="Processes drawing answers (default 0: one per CPU).")] = "0",
         ) -> None:
    """Store N synthetic valid responses to the current version of QUESTIONNAIRE, marked synthetic: results and
    exports leave them out (unless an export asks for them), and `survey purge-synthetic` removes them. Given an
    interview grid's id, store N synthetic interviews (notes mixing names of the mission's lists, coded passages)."""
    import itertools
    import os
    import time
    from concurrent.futures import ProcessPoolExecutor

    from survey.db import SYNTHETIC
    from survey.synthetic import synthetic_responses

    # Arguments are checked before the database is opened: `-n -5` or `-n 0` is one line, nothing stored.
    count = _count("-n", n, 1, SEED_MAX)
    processes = _count("--jobs", jobs, 0, JOBS_MAX)
    store = _store()
    loaded = store.current(questionnaire)
    if loaded is None and store.grid(questionnaire) is not None:  # an interview grid: synthetic interviews
        from survey.cli_interviews import seed_grid

        return seed_grid(store, questionnaire, count, random_seed)
    if loaded is None:
        raise _fail(f"no questionnaire '{questionnaire}' — see `survey list`")
    # Each chunk has its own seed drawn from --seed, so the data is the same whatever the number of processes.
    master = random.Random(random_seed)
    counts = [min(SEED_CHUNK, count - start) for start in range(0, count, SEED_CHUNK)]
    seeds = [master.getrandbits(64) for _ in counts]
    now, today, began = dt.datetime.now(dt.UTC), dt.date.today().isoformat(), time.monotonic()
    draw = (itertools.repeat(loaded.questionnaire), counts, seeds, itertools.repeat(now), itertools.repeat(today))
    processes = min(processes or os.cpu_count() or 1, len(counts))
    if processes <= 1:
        for batch in map(synthetic_responses, *draw):
            store.store_many(loaded.version_id, batch, SYNTHETIC)
    else:  # drawing answers is pure Python: other processes draw while this one stores
        with ProcessPoolExecutor(processes) as pool:
            for batch in pool.map(synthetic_responses, *draw):
                store.store_many(loaded.version_id, batch, SYNTHETIC)
    seconds = time.monotonic() - began
    typer.echo(f"{count} synthetic response(s) stored for {questionnaire} version {loaded.questionnaire.version} "
               f"in {seconds:.1f} s ({count / max(seconds, 1e-9):.0f}/s); left out of results and exports — "
               f"`survey purge-synthetic {questionnaire}` removes them")


def purge_synthetic(questionnaire: Annotated[str, typer.Argument(help="The questionnaire id.")]) -> None:
    """Delete every synthetic response (`survey seed`'s) of QUESTIONNAIRE; real and test responses stay. Recorded in
    the audit log. Given an interview grid's id, delete its synthetic interviews."""
    store = _store()
    if store.current(questionnaire) is None and store.grid(questionnaire) is not None:
        deleted = store.purge_synthetic_interviews(questionnaire)
        typer.echo(f"{deleted} synthetic interview(s) of the grid {questionnaire} deleted")
        return
    if store.current(questionnaire) is None:
        raise _fail(f"no questionnaire '{questionnaire}' — see `survey list`")
    deleted = store.purge_synthetic(f"cli:{getpass.getuser()}", questionnaire)
    typer.echo(f"{deleted} synthetic response(s) of {questionnaire} deleted")


def purge_forms() -> None:
    """Mark the forms in progress left untouched for SURVEY_FORM_DAYS as expired and drop their answers (their
    resume links then show the expired page). Run it daily (cron, a systemd timer); `survey serve` runs it at
    start too. The forms stay counted as drop-outs."""
    store = _store()
    expired = store.expire_forms(dt.timedelta(days=Settings().form_days))
    typer.echo(f"{expired} form(s) in progress expired")


def register(app: typer.Typer) -> None:
    """Add `seed`, `purge-synthetic` and `purge-forms` to the `survey` command."""
    app.command()(seed)
    app.command("purge-synthetic")(purge_synthetic)
    app.command("purge-forms")(purge_forms)
