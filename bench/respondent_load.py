"""Respondents under load: our server against a bare reference app, side by side, on loopback.

Starts `survey serve` on a fresh SQLite file and `bench/reference_app.py` (same pages as a bare Jinja2
render, one raw sqlite3 INSERT, same durability settings), then drives each in turn with the same
virtual respondents: each one does what a browser does — GET page 1, POST every page with valid
answers, follow the 303 to the thank-you page — then starts again with a fresh cookie jar.
Prints completed responses/s, requests/s, p50/p99 latency and errors for both, the ratios ours/reference
and PASS/FAIL against the goals. It is a report, not a test: it exits 0 on FAIL.

    .venv/bin/python bench/respondent_load.py [--clients 64] [--seconds 8] [--warmup 2] [--rounds 2]
"""

from __future__ import annotations

import argparse
import asyncio
import html
import os
import random
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from survey.schema import Questionnaire, load_questionnaire
from survey.synthetic import synthetic_answers

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
# A questionnaire without skip logic, so that both servers serve exactly the same pages in the same order.
DEFAULT_QUESTIONNAIRE = REPO / "questionnaires" / "formation-democratie-participative.yaml"
GOAL_THROUGHPUT, GOAL_P99 = 0.7, 3.0  # ours ≥ 0.7 × reference responses/s; ours p99 ≤ 3 × reference p99
# Against the pre-rendered baseline (issue 9): ours ≤ 2 × its server CPU per response, ≥ 0.5 × its responses/s.
GOAL_PRE_CPU, GOAL_PRE_THROUGHPUT = 2.0, 0.5
# The fields that say where a form stands: the reference's state; our version, language, page and key.
CONTROL_RE = re.compile(r'<input type="hidden" name="(page|version|language|form|state)" value="([^"]*)">')
ACTION_RE = re.compile(r'<form method="post" action="([^"]+)" novalidate data-survey>')
CSRF_RE = re.compile(r'name="_csrf_token" value="([^"]*)"')
STEP_NAMES = ("GET page 1", "POST page {n}", "GET page {n}", "POST last page", "GET merci")

PageForm = list[tuple[str, str]]


class Failure(Exception):
    """A request that did not answer what a browser expects at this step."""


@dataclass
class Figures:
    """What one load phase measured; only requests finished inside the measured window count."""

    name: str
    window: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds
    by_step: dict[str, list[float]] = field(default_factory=dict)
    completed: int = 0  # responses stored (303 received) inside the window
    stored_total: int = 0  # every 303 received, warm-up and drain included: what the database must hold
    errors: Counter[str] = field(default_factory=Counter)
    first_error: str = ""
    client_cpu_s: float = 0.0  # CPU seconds this driver used during the windows
    server_cpu_s: float = 0.0  # CPU seconds the server process used during the windows
    rows_in_db: int = -1

    def percentile(self, p: float, values: list[float] | None = None) -> float:
        data = sorted(self.latencies if values is None else values)
        if not data:
            return float("nan")
        return data[min(len(data) - 1, int(round(p / 100 * (len(data) - 1))))] * 1000

    @property
    def responses_per_s(self) -> float:
        return self.completed / self.window if self.window else 0.0

    @property
    def client_cpu(self) -> float:
        return self.client_cpu_s / self.window if self.window else 0.0

    @property
    def server_cpu(self) -> float:
        return self.server_cpu_s / self.window if self.window else 0.0

    @property
    def cpu_ms_per_response(self) -> float:
        """Server CPU per completed response: steadier than throughput when other load starves the server."""
        return self.server_cpu_s / self.completed * 1000 if self.completed else float("nan")

    @property
    def requests_per_s(self) -> float:
        return len(self.latencies) / self.window if self.window else 0.0


# --- answers -----------------------------------------------------------------------------------

def form_strings(value: Any) -> list[str]:
    """An answer as the strings a browser posts: lists repeat the field, booleans are 1/0."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return ["1" if value else "0"]
    return [str(value)]


def answer_pool(questionnaire: Questionnaire, size: int, seed: int = 7) -> list[list[PageForm]]:
    """Valid answer sets made up front (the driver must not spend its CPU on them), split by page."""
    rng = random.Random(seed)
    pool = []
    for _ in range(size):
        answers = synthetic_answers(questionnaire, rng)
        pool.append([[(q.name, s) for q in page.questions if q.name in answers for s in form_strings(answers[q.name])]
                     for page in questionnaire.pages])
    return pool


# --- servers -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """A server subprocess on loopback, its log in a file, stopped (and waited for) on exit."""

    def __init__(self, name: str, command: list[str], port: int, log: Path, env: dict[str, str] | None = None):
        self.name, self.command, self.port, self.log_path = name, command, port, log
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, ready_path: str, timeout: float = 30.0) -> None:
        self._log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(self.command, cwd=REPO, env=self.env, stdout=self._log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{ready_path}", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f}s:\n{self.log_tail()}")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far (Linux /proc)."""
        if self.process is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return 0.0

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)  # uvicorn's graceful shutdown
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        if getattr(self, "_log", None):
            self._log.close()


# --- load --------------------------------------------------------------------------------------

def form_of(body: str) -> tuple[str, PageForm]:
    """Where a page posts, and its hidden fields (CSRF token, where the form stands), as a browser sends them."""
    action, csrf = ACTION_RE.search(body), CSRF_RE.search(body)
    controls = CONTROL_RE.findall(body)
    if action is None or not controls:
        raise Failure("no form on the page")
    token = [("_csrf_token", html.unescape(csrf.group(1)))] if csrf else []
    return html.unescape(action.group(1)), [*token, *((n, html.unescape(v)) for n, v in controls)]


async def run_load(figures: Figures, server: Server, questionnaire: Questionnaire, pool: list[list[PageForm]],
                   clients: int, warmup: float, seconds: float) -> None:
    """`clients` respondents loop over full journeys; the window [warm-up end, warm-up end + seconds] is measured."""
    base = f"http://127.0.0.1:{server.port}"
    page_url, done_prefix = f"{base}/s/{questionnaire.id}", f"/s/{questionnaire.id}/merci"
    last = len(questionnaire.pages) - 1
    steps = ["GET page 1", *(f"POST page {n}" for n in range(1, last + 1)),
             *(f"GET page {n}" for n in range(2, last + 2)), "POST last page", "GET merci"]
    for step in steps:
        figures.by_step.setdefault(step, [])
    begin = time.perf_counter()
    window_start, window_end = begin + warmup, begin + warmup + seconds
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=30)

    async def request(session: aiohttp.ClientSession, step: str, method: str, url: str, expect: tuple[int, ...],
                      data: PageForm | None = None) -> tuple[str, aiohttp.ClientResponse]:
        started = time.perf_counter()
        async with session.request(method, url, data=data, allow_redirects=False) as resp:
            body = await resp.text()
        ended = time.perf_counter()
        if resp.status not in expect:
            raise Failure(f"{step}: HTTP {resp.status} (expected {expect}): {body[:200]!r}")
        if window_start <= ended <= window_end:
            figures.latencies.append(ended - started)
            figures.by_step[step].append(ended - started)
        return body, resp

    async def respondent(number: int) -> None:
        rng = random.Random(number)
        jar = aiohttp.CookieJar(unsafe=True)  # unsafe: keep cookies for an IP address host
        async with aiohttp.ClientSession(connector=connector, connector_owner=False, cookie_jar=jar,
                                         timeout=timeout) as session:
            while time.perf_counter() < window_end:
                jar.clear()  # a new respondent: no cookie from the previous journey
                forms = rng.choice(pool)
                try:
                    body, _ = await request(session, "GET page 1", "GET", page_url, (200,))
                    for index, page_form in enumerate(forms):
                        action, controls = form_of(body)
                        data = [*controls, ("action", "next"), *page_form]
                        if index < last:
                            # The reference answers with the next page; ours (post/redirect/get) with a 303 to it.
                            body, resp = await request(session, f"POST page {index + 1}", "POST", base + action,
                                                       (200, 303), data)
                            if resp.status == 303:
                                body, _ = await request(session, f"GET page {index + 2}", "GET",
                                                        base + resp.headers.get("Location", ""), (200,))
                            continue
                        _, resp = await request(session, "POST last page", "POST", base + action, (303,), data)
                        figures.stored_total += 1
                        if window_start <= time.perf_counter() <= window_end:
                            figures.completed += 1
                        location = resp.headers.get("Location", "")
                        if not location.startswith(done_prefix):
                            raise Failure(f"redirect to {location!r}, expected {done_prefix}")
                        await request(session, "GET merci", "GET", base + location, (200,))
                except (TimeoutError, Failure, aiohttp.ClientError) as exc:
                    kind = type(exc).__name__
                    if time.perf_counter() <= window_end:
                        figures.errors[kind] += 1
                    figures.first_error = figures.first_error or f"{kind}: {exc}"
                    await asyncio.sleep(0.05)  # a dead server must not turn this into a busy loop

    async def measure_cpu() -> None:
        await asyncio.sleep(max(0.0, window_start - time.perf_counter()))
        cpu0, srv0 = time.process_time(), server.cpu_seconds()
        await asyncio.sleep(max(0.0, window_end - time.perf_counter()))
        figures.client_cpu_s += time.process_time() - cpu0
        figures.server_cpu_s += server.cpu_seconds() - srv0

    try:
        await asyncio.gather(measure_cpu(), *(respondent(n) for n in range(clients)))
    finally:
        await connector.close()
    figures.window += seconds


def count_rows(database: Path) -> int:
    with sqlite3.connect(database) as conn:
        return conn.execute("select count(*) from response").fetchone()[0]


# --- report ------------------------------------------------------------------------------------

def print_report(results: list[Figures], clients: int, seconds: float) -> None:
    print()
    print(f"{clients} concurrent respondents, {seconds:.0f} s measured per server, loopback, one uvicorn worker each;"
          f" machine: {os.cpu_count()} cores, load average now {os.getloadavg()[0]:.1f}")
    header = (f"{'server':<10} {'responses/s':>12} {'requests/s':>11} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}"
              f" {'server CPU':>11} {'driver CPU':>11} {'CPU ms/resp':>12}")
    print(header)
    print("-" * len(header))
    for f in results:
        print(f"{f.name:<10} {f.responses_per_s:>12.1f} {f.requests_per_s:>11.1f} {f.percentile(50):>8.1f}"
              f" {f.percentile(99):>8.1f} {sum(f.errors.values()):>7} {f.server_cpu:>10.0%} {f.client_cpu:>10.0%}"
              f" {f.cpu_ms_per_response:>12.2f}")
    print()
    print("latency by step, p50 / p99 ms:")
    for f in results:
        parts = [f"{step} {f.percentile(50, v):.1f}/{f.percentile(99, v):.1f}" for step, v in f.by_step.items() if v]
        print(f"  {f.name:<10} " + " · ".join(parts))
    for f in results:
        if f.errors:
            print(f"  {f.name} errors: {dict(f.errors)}; first: {f.first_error}")
    print()
    by_name = {f.name: f for f in results}
    ours, ref = by_name.get("ours"), by_name.get("reference")
    verdicts = []
    if ours and ref and ref.responses_per_s and ref.percentile(99):
        throughput = ours.responses_per_s / ref.responses_per_s
        p99 = ours.percentile(99) / ref.percentile(99)
        print(f"ours / reference  responses/s: {throughput:.2f}  (goal ≥ {GOAL_THROUGHPUT})"
              f"  {'PASS' if throughput >= GOAL_THROUGHPUT else 'FAIL'}")
        print(f"ours / reference  p99 latency: {p99:.2f}  (goal ≤ {GOAL_P99})"
              f"  {'PASS' if p99 <= GOAL_P99 else 'FAIL'}")
        verdicts += [throughput >= GOAL_THROUGHPUT, p99 <= GOAL_P99]
    if ours and ref and ref.completed and ours.completed:
        print(f"ours / reference  CPU per response: {ours.cpu_ms_per_response / ref.cpu_ms_per_response:.2f}")
    pre = by_name.get("prerendered")
    if ours and pre and pre.responses_per_s and ours.completed:
        cpu = ours.cpu_ms_per_response / pre.cpu_ms_per_response
        throughput = ours.responses_per_s / pre.responses_per_s
        print(f"ours / prerendered  CPU per response: {cpu:.2f}  (goal ≤ {GOAL_PRE_CPU})"
              f"  {'PASS' if cpu <= GOAL_PRE_CPU else 'FAIL'}")
        print(f"ours / prerendered  responses/s: {throughput:.2f}  (goal ≥ {GOAL_PRE_THROUGHPUT})"
              f"  {'PASS' if throughput >= GOAL_PRE_THROUGHPUT else 'FAIL'}")
        verdicts += [cpu <= GOAL_PRE_CPU, throughput >= GOAL_PRE_THROUGHPUT]
    for f in results:
        ok = not f.errors
        print(f"{f.name}: errors {sum(f.errors.values())}  (goal 0)  {'PASS' if ok else 'FAIL'}")
        stored_ok = f.rows_in_db == f.stored_total
        print(f"{f.name}: rows in database {f.rows_in_db} = responses acknowledged by 303 {f.stored_total}"
              f"  {'PASS' if stored_ok else 'FAIL'}")
        verdicts += [ok, stored_ok]
        if f.client_cpu > 0.9:
            print(f"  note: the driver used {f.client_cpu:.0%} of a core against {f.name}: its figure may be"
                  " bounded by the driver, not the server")
    print()
    print("OVERALL:", "PASS" if verdicts and all(verdicts) else "FAIL")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=64, help="concurrent virtual respondents")
    parser.add_argument("--seconds", type=float, default=8.0, help="measured seconds per server")
    parser.add_argument("--warmup", type=float, default=2.0, help="unmeasured seconds of load before that")
    parser.add_argument("--questionnaire", type=Path, default=DEFAULT_QUESTIONNAIRE)
    parser.add_argument("--rounds", type=int, default=2, help="alternate the servers this many times")
    parser.add_argument("--only", action="append", choices=("reference", "prerendered", "ours"),
                        help="run against this server only (repeat for several)")
    args = parser.parse_args(argv)

    questionnaire = load_questionnaire(args.questionnaire)
    pool = answer_pool(questionnaire, 256)
    tmp = Path(tempfile.mkdtemp(prefix="survey-bench-"))
    python = sys.executable
    servers = {
        "reference": (Server("reference", [python, str(BENCH / "reference_app.py"), "--port", "{port}",
                                           "--database", str(tmp / "reference.db"),
                                           "--questionnaire", str(args.questionnaire)],
                             free_port(), tmp / "reference.log"), tmp / "reference.db"),
        "prerendered": (Server("prerendered", [python, str(BENCH / "prerendered_app.py"), "--port", "{port}",
                                               "--database", str(tmp / "prerendered.db"),
                                               "--questionnaire", str(args.questionnaire)],
                               free_port(), tmp / "prerendered.log"), tmp / "prerendered.db"),
        "ours": (Server("ours", [str(Path(python).parent / "survey"), "serve", "--port", "{port}"],
                        free_port(), tmp / "ours.log",
                        env={"SURVEY_DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
                             "SURVEY_QUESTIONNAIRES_DIR": str(args.questionnaire.parent)}), tmp / "bench.db"),
    }
    print(f"questionnaire {questionnaire.id}: {len(questionnaire.pages)} pages, "
          f"{2 * len(questionnaire.pages) + 1} requests per respondent ({len(questionnaire.pages) + 2} for the "
          f"reference, whose POST answers with the next page); work dir {tmp}")
    print("reference: our templates rendered by a plain Jinja2 environment, no CSRF/signing/validation, "
          "one raw sqlite3 INSERT (WAL, synchronous=FULL, busy_timeout)")
    print("prerendered: the same pages rendered once at start-up, only the form key joined in; our flow's requests "
          "(POST, 303, GET per page) and statements (form session INSERT, SELECT + UPDATE per page, response "
          "INSERT + session UPDATE at the end), raw sqlite3, no CSRF/validation")

    def interrupted(*_: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    results = {name: Figures(name) for name in servers if not args.only or name in args.only}
    try:
        for name in results:
            server = servers[name][0]
            server.command = [part.replace("{port}", str(server.port)) for part in server.command]
            print(f"[{name}] starting on 127.0.0.1:{server.port} …", flush=True)
            server.start(f"/s/{questionnaire.id}", timeout=180)  # a loaded machine: migrating can be slow
        # Alternate the servers round by round, so that a change in the machine's other load hits both.
        for round_number in range(1, args.rounds + 1):
            for name, figures in results.items():
                print(f"[round {round_number}/{args.rounds}] {name}: {args.warmup:.0f} s warm-up + "
                      f"{args.seconds:.0f} s measured, {args.clients} clients, load average "
                      f"{os.getloadavg()[0]:.1f} …", flush=True)
                asyncio.run(run_load(figures, servers[name][0], questionnaire, pool, args.clients, args.warmup,
                                     args.seconds))
    except KeyboardInterrupt:
        print("\ninterrupted: servers stopped", file=sys.stderr)
        return 130
    except RuntimeError as exc:
        print(f"could not run: {exc}", file=sys.stderr)
        return 1
    finally:
        for server, _ in servers.values():
            server.stop()
    for name, figures in results.items():
        figures.rows_in_db = count_rows(servers[name][1])
    print_report(list(results.values()), args.clients, args.seconds * args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
