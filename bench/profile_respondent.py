"""Where a respondent's request time goes: both apps in one process, under cProfile, no network.

Runs full respondent journeys (GET page 1, POST each page, GET merci) straight into the ASGI apps
through httpx's ASGI transport, one at a time, with Litestar's `sync_to_thread` made inline so the
sync handlers run in the profiled thread. Prints the app CPU time per journey for ours and for the
reference (a noise-resistant cost figure, unlike throughput on a shared machine), then ours' top
functions by own time and by cumulative time.

    .venv/bin/python bench/profile_respondent.py [--journeys 300] [--top 35] [--dump ours.prof]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import logging
import pstats
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import litestar.utils.sync

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reference_app import create_app as create_reference  # noqa: E402
from respondent_load import DEFAULT_QUESTIONNAIRE, answer_pool, hidden_fields  # noqa: E402

from survey.schema import load_questionnaire  # noqa: E402
from survey.settings import Settings  # noqa: E402
from survey.web.app import create_app  # noqa: E402


async def _inline(fn: Any, *args: Any, **kwargs: Any) -> Any:
    return fn(*args, **kwargs)


class AppClock:
    """ASGI wrapper adding up the time spent inside the app, per request kind: the client's own cost left out."""

    def __init__(self, app: Any):
        self.app, self.spent = app, Counter[str]()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            kind = f"{scope['method']} {'merci' if scope['path'].endswith('/merci') else 'page'}"
            self.spent[kind] += time.perf_counter() - started


async def journeys(app: Any, questionnaire: Any, pool: list, count: int, profiler: cProfile.Profile | None) -> float:
    """Run `count` journeys in order; return the wall time spent inside them (seconds)."""
    transport = httpx.ASGITransport(app=app)
    url = f"/s/{questionnaire.id}"
    rng = random.Random(3)
    spent = 0.0
    last = len(questionnaire.pages) - 1
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        for _ in range(count):
            client.cookies.clear()
            forms = rng.choice(pool)
            started = time.perf_counter()
            if profiler:
                profiler.enable()
            resp = await client.get(url)
            for index, page_form in enumerate(forms):
                state, csrf = hidden_fields(resp.text)
                data: dict[str, list[str]] = {"_csrf_token": [csrf], "state": [state], "action": ["next"]}
                for name, value in page_form:
                    data.setdefault(name, []).append(value)
                resp = await client.post(url, data=data)
                expected = 303 if index == last else 200
                if resp.status_code != expected:
                    raise SystemExit(f"page {index + 1}: HTTP {resp.status_code}: {resp.text[:300]}")
            resp = await client.get(resp.headers["location"])
            if profiler:
                profiler.disable()
            spent += time.perf_counter() - started
            assert resp.status_code == 200, resp.status_code
    return spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=300)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--dump", type=Path, help="also write ours' raw profile here (for snakeviz & co)")
    args = parser.parse_args(argv)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # its per-request INFO line would be profiled too
    litestar.utils.sync.sync_to_thread = _inline  # type: ignore[assignment]
    questionnaire = load_questionnaire(DEFAULT_QUESTIONNAIRE)
    pool = answer_pool(questionnaire, 256)
    tmp = Path(tempfile.mkdtemp(prefix="survey-profile-"))
    ours = create_app(Settings(database_url=f"sqlite:///{tmp / 'ours.db'}",
                               questionnaires_dir=DEFAULT_QUESTIONNAIRE.parent))
    reference = create_reference(str(tmp / "reference.db"), questionnaire)

    costs = {}
    for name, app in (("reference", reference), ("ours", ours)):
        asyncio.run(journeys(app, questionnaire, pool, 20, None))  # warm caches, templates, connections
        clock = AppClock(app)
        asyncio.run(journeys(clock, questionnaire, pool, args.journeys, None))
        costs[name] = clock.spent
    n = args.journeys
    print(f"{n} journeys each, sequential, in process; time inside the app per journey (ms):")
    for name, spent in costs.items():
        parts = "  ".join(f"{kind} {t / n * 1000:5.2f}" for kind, t in sorted(spent.items()))
        print(f"  {name:<10} total {sum(spent.values()) / n * 1000:6.2f}   {parts}")
    ratio = sum(costs["ours"].values()) / sum(costs["reference"].values())
    print(f"  ours / reference: {ratio:.2f}× the time")

    profiler = cProfile.Profile()
    asyncio.run(journeys(ours, questionnaire, pool, args.journeys, profiler))
    if args.dump:
        profiler.dump_stats(args.dump)
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
