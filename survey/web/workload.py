"""Where a respondent request's work runs: its reads and checks in the event loop, its write in a worker thread.

A request's work is a function returning either its response, or `Then`: a write to make (blocking: it waits for
the disk and for other writers) and what to answer once it is made. `run` decides where each part runs:

- on SQLite, a read is a few pages of a local file that no writer holds up (WAL mode): the reads, the checks and
  the drawing run in the event loop, and only the write goes to a worker thread — one at a time, since SQLite
  takes one writer at a time anyway: queued here, writes no longer contend for its lock, and they reuse one warm
  connection;
- on PostgreSQL, every statement waits on the network: all of the work runs in one worker thread, and writes
  run side by side.

Why not everything in a worker thread, as before: under load, a worker running Python code contends with the
event loop for the GIL, and every hand-over costs. Measured with `bench/respondent_load.py` (64 clients, this
service on SQLite): a 3-page response in five thread hops full of Python cost about 6 ms of server CPU; with the
reads in the event loop, 5.0 ms; with the writes queued for one writer, 4.6 ms (README "Performance").

The work's CPU is bounded by what a request may carry (body size, field lengths, RE2 patterns): the event loop
already reads and parses that much. What can wait for long — a write, a PostgreSQL round trip — never runs
there (tests/test_security_input.py holds a page's write, and a read on PostgreSQL, while others are answered).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from anyio import CapacityLimiter, to_thread
from anyio.lowlevel import RunVar
from litestar.response import Response

from survey.store import Store


@dataclass(frozen=True)
class Then:
    """A write to make, then the answer: `respond` gets what `write` returned (and may ask for another write)."""

    write: Callable[[], Any]
    respond: Callable[[Any], Response | Then]


Work = Callable[[], "Response | Then"]
_WRITER = RunVar[CapacityLimiter]("the respondents' SQLite writer")


async def run(store: Store, work: Work) -> Response:
    """Do a request's `work` and its writes, each where it belongs (see above)."""
    if not store.local_reads:
        return await to_thread.run_sync(finish, work)
    done = work()
    while isinstance(done, Then):
        done = done.respond(await to_thread.run_sync(done.write, limiter=_writer()))
    return done


def finish(work: Work) -> Response:
    """Do `work` and its writes here, in the calling thread."""
    done = work()
    while isinstance(done, Then):
        done = done.respond(done.write())
    return done


def _writer() -> CapacityLimiter:
    """This event loop's one respondent writer (a limiter belongs to the loop it was made in)."""
    try:
        return _WRITER.get()
    except LookupError:
        limiter = CapacityLimiter(1)
        _WRITER.set(limiter)
        return limiter
