"""Where a respondent's request time goes: ours and both baselines in one process, under cProfile, no network.

Runs full respondent journeys (GET page 1, POST each page — ours and the pre-rendered baseline then GET the page
they redirect to —, GET merci) straight into the ASGI apps through httpx's ASGI transport, one at a time, with
Litestar's `sync_to_thread` and anyio's `to_thread.run_sync` made inline so the handlers' work runs in the
profiled thread. Prints the app time per journey for ours, the reference and the pre-rendered baseline (a
noise-resistant cost figure, unlike throughput on a shared machine), then ours' top functions by own time and by
cumulative time.

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

import anyio.to_thread
import httpx
import litestar.utils.sync

sys.path.insert(0, str(Path(__file__).resolve().parent))
from prerendered_app import create_app as create_prerendered  # noqa: E402
from reference_app import create_app as create_reference  # noqa: E402
from respondent_load import DEFAULT_QUESTIONNAIRE, answer_pool, form_of  # noqa: E402

from survey.schema import load_questionnaire  # noqa: E402
from survey.settings import Settings  # noqa: E402
from survey.web.app import create_app  # noqa: E402


async def _inline(fn: Any, *args: Any, limiter: Any = None, **kwargs: Any) -> Any:
    return fn(*args, **kwargs)


class AppClock:
    """ASGI wrapper adding up the CPU time spent inside the app, per request kind: the client's own cost left out,
    and so is waiting for the disk (each commit's fsync under synchronous=FULL), which is wall time, not CPU."""

    def __init__(self, app: Any):
        self.app, self.spent, self.wall = app, Counter[str](), 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        started, cpu = time.perf_counter(), time.process_time()
        try:
            await self.app(scope, receive, send)
        finally:
            kind = f"{scope['method']} {'merci' if scope['path'].endswith('/merci') else 'page'}"
            self.spent[kind] += time.process_time() - cpu
            self.wall += time.perf_counter() - started


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
            if resp.status_code != 200:
                raise SystemExit(f"page 1: HTTP {resp.status_code}: {resp.text[:300]}")
            for index, page_form in enumerate(forms):
                action, controls = form_of(resp.text)
                data: dict[str, list[str]] = {"action": ["next"]}
                for name, value in [*controls, *page_form]:
                    data.setdefault(name, []).append(value)
                resp = await client.post(action, data=data)
                if resp.status_code == 303 and index < last:  # ours: post/redirect/get; the reference: the page
                    resp = await client.get(resp.headers["location"])
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
    anyio.to_thread.run_sync = _inline  # type: ignore[assignment]
    questionnaire = load_questionnaire(DEFAULT_QUESTIONNAIRE)
    pool = answer_pool(questionnaire, 256)
    tmp = Path(tempfile.mkdtemp(prefix="survey-profile-"))
    ours = create_app(Settings(database_url=f"sqlite:///{tmp / 'ours.db'}",
                               questionnaires_dir=DEFAULT_QUESTIONNAIRE.parent))
    reference = create_reference(str(tmp / "reference.db"), questionnaire)
    prerendered = create_prerendered(str(tmp / "prerendered.db"), questionnaire)

    costs, walls = {}, {}
    for name, app in (("reference", reference), ("prerendered", prerendered), ("ours", ours)):
        asyncio.run(journeys(app, questionnaire, pool, 20, None))  # warm caches, templates, connections
        clock = AppClock(app)
        asyncio.run(journeys(clock, questionnaire, pool, args.journeys, None))
        costs[name], walls[name] = clock.spent, clock.wall
    n = args.journeys
    print(f"{n} journeys each, sequential, in process; CPU time inside the app per journey (ms), and wall time:")
    for name, spent in costs.items():
        parts = "  ".join(f"{kind} {t / n * 1000:5.2f}" for kind, t in sorted(spent.items()))
        print(f"  {name:<11} CPU {sum(spent.values()) / n * 1000:6.2f}   {parts}   (wall {walls[name] / n * 1000:.1f})")
    for baseline in ("reference", "prerendered"):
        ratio = sum(costs["ours"].values()) / sum(costs[baseline].values())
        print(f"  ours / {baseline}: {ratio:.2f}× the CPU time")

    profiler = cProfile.Profile(time.process_time)  # CPU time: waiting for the disk or for other load is not cost
    asyncio.run(journeys(ours, questionnaire, pool, args.journeys, profiler))
    if args.dump:
        profiler.dump_stats(args.dump)
    stats = pstats.Stats(profiler)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
