"""Where a respondent request's work runs: in the event loop on SQLite, unless a write would have to wait.

A request's work is a function returning either its response, or `Then`: a write to make and what to answer once
it is made. `run` decides where each part runs:

- on SQLite, a read is a few pages of a local file that no writer holds up (WAL mode), and a write takes a few
  hundred microseconds (its statements, and the WAL's fsync: synchronous=FULL, as everywhere) once it holds the
  file's write lock. So the reads, the checks, the drawing and the writes all run in the event loop — a write made
  `at_once`: when the lock is taken (by this process's writer thread, or by another process), the write raises
  `Busy` before waiting for anything, and is made in the writer thread instead, one at a time, where waiting is
  harmless;
- on PostgreSQL, every statement waits on the network: all of the work runs in one worker thread, and writes run
  side by side.

Why not in worker threads: under load, a worker running Python code contends with the event loop for the GIL,
and every hand-over costs. Measured with `bench/respondent_load.py` (64 clients, this service on SQLite, a 3-page
response): with every statement in worker threads, about 6 ms of server CPU per response; with the reads in the
event loop and the writes in one writer thread, 4.6 ms; with the writes at once in the event loop, 3.9 ms —
and responses/s from 0.57 to 0.9 × the reference's (README "Performance").

What could still hold the loop is the disk itself: a write that took longer than `SLOW_WRITE` (fsyncs on a
saturated disk) sends the writes to the writer thread for `HOLD_OFF` seconds. The work's CPU is bounded by what a
request may carry (body size, field lengths, RE2 patterns): the event loop already reads and parses that much.
tests/test_security_input.py holds SQLite's write lock, and a read on PostgreSQL, while others are answered.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from anyio import CapacityLimiter, to_thread
from anyio.lowlevel import RunVar
from litestar.response import Response

from survey.db_prepared import Busy, at_once
from survey.store import Store

# A write in the event loop that took longer than SLOW_WRITE seconds held every other request that long: the writes
# then go to the writer thread for HOLD_OFF seconds, before the loop tries again. Not for one WAL checkpoint of
# ~100–130 ms: under load a write in the thread costs ~7 ms of GIL hand-overs (0.3 ms in the loop), so the writes of
# one second queued up to 3 s behind each other (with 50 ms: POSTs' p99 0.6–0.8 s in 3 benchmark runs of 12).
SLOW_WRITE = 0.25
HOLD_OFF = 1.0


@dataclass(frozen=True)
class Then:
    """A write to make, then the answer: `respond` gets what `write` returned (and may ask for another write)."""

    write: Callable[[], Any]
    respond: Callable[[Any], Response | Then]


Work = Callable[[], "Response | Then"]


@dataclass
class _Writes:
    """An event loop's writer thread (a limiter belongs to the loop it was made in), and until when it takes every
    write after a slow one."""

    thread: CapacityLimiter = field(default_factory=lambda: CapacityLimiter(1))
    held_off_until: float = 0.0


_WRITES = RunVar[_Writes]("the respondents' SQLite writes")


async def run(store: Store, work: Work) -> Response:
    """Do a request's `work` and its writes, each where it belongs (see above)."""
    if not store.local_reads:
        return await to_thread.run_sync(finish, work)
    done = work()
    while isinstance(done, Then):
        done = done.respond(await _write(done.write))
    return done


def finish(work: Work) -> Response:
    """Do `work` and its writes here, in the calling thread."""
    done = work()
    while isinstance(done, Then):
        done = done.respond(done.write())
    return done


async def _write(write: Callable[[], Any]) -> Any:  # noqa: ANN401 - what the write returns
    """`write` made at once in the event loop, or in the writer thread when it would wait (or the disk was slow)."""
    writes = _writes()
    if time.monotonic() >= writes.held_off_until:
        began = time.monotonic()
        try:
            with at_once():
                return write()
        except Busy:
            pass
        finally:
            if time.monotonic() - began > SLOW_WRITE:
                writes.held_off_until = time.monotonic() + HOLD_OFF
    return await to_thread.run_sync(write, limiter=writes.thread)


def _writes() -> _Writes:
    try:
        return _WRITES.get()
    except LookupError:
        writes = _Writes()
        _WRITES.set(writes)
        return writes
