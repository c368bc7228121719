"""Exports and the results page at scale, against a polars baseline measured in the same run.

    .venv/bin/python bench/export_bench.py [--n 1000000] [--only seed,csv,parquet,sav,dta,xlsx,results,kobo]
        [--database-url postgresql+psycopg://postgres@127.0.0.1:5432/survey_bench] [--before REV]

Datasets are seeded once and kept (`bench/.data/<questionnaire>-<n>.db`, or one questionnaire id per dataset
on PostgreSQL); a later run reuses them, or tops them up. Every measurement runs in its own process: its time
is the work's own wall time (imports excluded) and its memory the process's peak resident set (imports
included). The baseline reads the same rows straight from the database with polars, decodes the JSON answers
into columns and writes them with polars. Goals are printed, not asserted: a benchmark is a report.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import resource
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUDGET = ROOT / "questionnaires" / "budget-participatif-habitants.yaml"
KOBO = HERE / "kobo-510.yaml"
STAGES = ("seed", "csv", "parquet", "sav", "dta", "xlsx", "results", "kobo")
MB = 1024 * 1024
SPECIAL = r'\{"special": ?"[a-z_]+"\}'  # a special answer's stored form; the baseline reads it as null
KOBO_POOL = 2000  # distinct responses drawn for the 510-question set, then stored again under new keys


@dataclass(frozen=True)
class Dataset:
    """N seeded responses to one questionnaire file, in a database of their own (or under an id of their own)."""

    source: Path
    n: int
    url: str

    @property
    def qid(self) -> str:
        return f"{self.source.stem}-{self.n}"


# --- measurements, each run in a child process ---------------------------------------------------------------

def _connect(url: str) -> tuple[Any, str]:
    """A DBAPI connection polars can read from, and the SQL cast that gives the answers as JSON text."""
    if url.startswith("sqlite"):
        import sqlite3

        return sqlite3.connect(url.split("///", 1)[1]), ""
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")), "::text"


def baseline_frame(url: str, qid: str) -> Any:
    """The stored rows read with polars, answers decoded from JSON into one column per key (nested kept nested)."""
    import polars as pl

    connection, cast = _connect(url)
    query = (f"SELECT r.id AS response_id, v.version, r.submitted_at, r.answers{cast} AS answers FROM response r "
             f"JOIN questionnaire_version v ON v.id = r.version_id WHERE v.questionnaire_id = '{qid}' ORDER BY r.id")
    frame = pl.concat(pl.read_database(query, connection, iter_batches=True, batch_size=50_000))
    connection.close()
    text = frame["answers"].str.replace_all(SPECIAL, "null")
    sample = text.gather_every(max(1, len(text) // 20_000)).str.join("\n").item()
    dtype = pl.Struct(pl.read_ndjson(io.BytesIO(sample.encode()), infer_schema_length=None).schema)
    return frame.with_columns(text.str.json_decode(dtype).alias("answers")).unnest("answers")


def _flat(frame: Any) -> Any:
    """Nested columns (lists, objects) as JSON text, for the formats that hold only scalars."""
    import polars as pl

    nested = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List | pl.Struct)]
    return frame.with_columns(pl.struct(name).struct.json_encode().alias(name) for name in nested)


def child_baseline(spec: dict[str, Any]) -> dict[str, Any]:
    """Read, decode and write the rows with polars alone."""
    began = time.perf_counter()
    frame = baseline_frame(spec["url"], spec["qid"])
    out = Path(f"{spec['out']}.{spec['fmt']}")
    if spec["fmt"] == "parquet":
        frame.write_parquet(out)
    elif spec["fmt"] == "xlsx":
        _flat(frame).write_excel(out)
    else:
        _flat(frame).write_csv(out)
    return {"seconds": time.perf_counter() - began, "rows": frame.height, "columns": frame.width,
            "arrow_bytes": frame.estimated_size(), "bytes": out.stat().st_size}


def child_export(spec: dict[str, Any]) -> dict[str, Any]:
    """Ours: `write_export` when the engine has it, else the CSV files `survey export` wrote before it."""
    from survey import deliverables
    from survey.store import Store

    store, qid, out = Store.from_url(spec["url"]), spec["qid"], Path(spec["out"])
    began = time.perf_counter()
    if hasattr(deliverables, "write_export"):
        out = out.with_name(out.name + ".zip")
        profile = {}
        if spec.get("k") is not None:  # `--k 1 --l 1`: no generalisation, the export as before disclosure control
            profile["profile"] = deliverables.ProfileChoice(k=spec["k"], l=spec.get("l"))
        deliverables.write_export(store, qid, spec["fmt"], out, **profile)
        written, engine = out.stat().st_size, "write_export"
    elif spec["fmt"] == "csv":
        out = out.with_name(out.name + ".csv")
        table = deliverables.anonymised(store, qid)
        files = {out: deliverables.dataset_file(table, qid).content,
                 out.with_suffix(".codebook.csv"): deliverables.codebook(store, qid).content}
        files.update({out.with_suffix(f".{name}.csv"): item.content
                      for name, item in deliverables.repeat_files(table, qid).items()})
        for path, content in files.items():
            path.write_bytes(content)
        written, engine = sum(len(content) for content in files.values()), "csv files (before write_export)"
    else:
        return {"skipped": f"this engine has no write_export: no {spec['fmt']}"}
    return {"seconds": time.perf_counter() - began, "bytes": written, "engine": engine,
            "source": str(Path(deliverables.__file__).parent)}


def child_results(spec: dict[str, Any]) -> dict[str, Any]:
    """The results page's summary: first call (cold), again, and after one more response (incremental)."""
    from survey import deliverables
    from survey.store import Store

    store, qid = Store.from_url(spec["url"]), spec["qid"]
    timings = {}
    for step in ("cold", "warm"):
        began = time.perf_counter()
        deliverables.summary(store, qid)
        timings[step] = time.perf_counter() - began
    loaded = store.current(qid)
    store.store_response(loaded.version_id, f"bench-{time.time_ns()}", _one_response(loaded.questionnaire))
    began = time.perf_counter()
    _, result = deliverables.summary(store, qid)
    timings["after one new response"] = time.perf_counter() - began
    return {"timings": timings, "responses": getattr(result, "response_count", None),
            "stored": store.response_count(qid)}


def _one_response(questionnaire: Any) -> dict[str, Any]:
    """One valid finalised response, with whichever synthetic API this engine has."""
    import random

    from survey.synthetic import synthetic_answers
    from survey.validation import finalise

    return finalise(questionnaire, synthetic_answers(questionnaire, random.Random()))


CHILDREN = {"baseline": child_baseline, "export": child_export, "results": child_results}


def measure(spec: dict[str, Any], pythonpath: Path | None = None, timeout: float = 1200) -> dict[str, Any]:
    """Run one measurement in a fresh process; add its peak resident memory (bytes) and the CPU time it used
    (seconds, all its threads, imports included) to what it reports.

    A measurement still running after `timeout` seconds is stopped and reported as such.
    """
    env = dict(os.environ, PYTHONPATH=str(pythonpath)) if pythonpath else None
    proc = subprocess.Popen([sys.executable, __file__, "--child", json.dumps(spec)], stdout=subprocess.PIPE,
                            text=True, env=env)
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    output = proc.stdout.read()  # type: ignore[union-attr]
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        why = f"stopped after {timeout:.0f} s" if proc.returncode == -9 else f"exit {proc.returncode}"
        return {"error": why, "peak": usage.ru_maxrss * 1024}
    cpu = usage.ru_utime + usage.ru_stime
    return {**json.loads(output.strip().splitlines()[-1]), "peak": usage.ru_maxrss * 1024, "cpu": cpu}


# --- datasets ------------------------------------------------------------------------------------------------

def ensure_seeded(dataset: Dataset, jobs: int) -> dict[str, Any] | None:
    """Load the questionnaire under the dataset's id and seed what is missing; None when nothing was."""
    from survey.schema import load_questionnaire
    from survey.store import Store

    store = Store.from_url(dataset.url)
    store.migrate()
    if store.current(dataset.qid) is None:
        store.load(load_questionnaire(dataset.source).model_copy(update={"id": dataset.qid}))
    have = store.response_count(dataset.qid)
    if have >= dataset.n:
        return None
    missing, began = dataset.n - have, time.perf_counter()
    if dataset.source == KOBO:
        _store_from_pool(store, dataset.qid, missing, seed=have)
    else:  # the real `survey seed`, so its speed is measured too
        command = [str(Path(sys.executable).parent / "survey"), "seed", dataset.qid, "-n", str(missing),
                   "--seed", str(have), "--jobs", str(jobs)]
        subprocess.run(command, check=True, env=dict(os.environ, SURVEY_DATABASE_URL=dataset.url))
        # `survey seed` marks its responses synthetic, which results and exports leave out; here they stand for a
        # real consultation's, so they are counted as real (the baseline reads every row).
        from sqlalchemy import text

        with store.engine.begin() as conn:
            conn.execute(text("UPDATE response SET status = 'real' WHERE status = 'synthetic'"))
    seconds = time.perf_counter() - began
    return {"dataset": dataset.qid, "responses": missing, "seconds": seconds, "per_second": missing / seconds}


def _store_from_pool(store: Any, qid: str, count: int, seed: int) -> None:
    """KOBO_POOL valid responses drawn once, stored again and again under new keys and times (510 questions
    take ~15 ms each to draw: 132k draws would take half an hour and measure nothing about exports)."""
    import secrets

    from survey.synthetic import synthetic_responses

    loaded = store.current(qid)
    now = dt.datetime.now(dt.UTC)
    pool = synthetic_responses(loaded.questionnaire, min(KOBO_POOL, count), seed, now)
    for start in range(0, count, len(pool)):
        batch = pool[: count - start]
        store.store_many(loaded.version_id, [(secrets.token_urlsafe(18), answers, at - dt.timedelta(seconds=start))
                                             for _, answers, at in batch])


# --- the report ----------------------------------------------------------------------------------------------

def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f} s" if value < 10 else f"{value:.0f} s"


def _size(value: float | None) -> str:
    return "—" if value is None else f"{value / MB:,.0f} MB"


def _ratio(ours: float | None, reference: float | None) -> str:
    return "—" if not ours or not reference else f"{ours / reference:.2f}"


class Report:
    """Every measurement as it is taken (one line each), then the table of goals."""

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.goals: list[tuple[str, str, str, str, str]] = []
        self.raw: dict[str, dict[str, Any]] = {}

    def take(self, label: str, spec: dict[str, Any], pythonpath: Path | None = None) -> dict[str, Any]:
        result = self.raw[label] = measure(spec, pythonpath, self.timeout)
        if "error" in result or "skipped" in result:
            print(f"  {label:<44} {result.get('error') or result.get('skipped')}", flush=True)
        elif "timings" in result:
            figures = ", ".join(f"{step} {_seconds(s)}" for step, s in result["timings"].items())
            print(f"  {label:<44} {figures}; peak {_size(result['peak'])}; {result['responses']} responses",
                  flush=True)
        else:
            print(f"  {label:<44} {_seconds(result['seconds'])} (CPU {_seconds(result.get('cpu'))}), "
                  f"peak {_size(result['peak'])}, file {_size(result.get('bytes'))}", flush=True)
        return result

    def compare(self, what: str, ours: dict[str, Any], baseline: dict[str, Any], time_goal: float | None) -> None:
        """A time row against the baseline, and a memory row against the data's Arrow size."""
        mine, theirs = ours.get("seconds"), baseline.get("seconds")
        self.goals.append((f"{what}: time", _seconds(mine), _seconds(theirs), _ratio(mine, theirs),
                           f"≤ {time_goal} × baseline" if time_goal else "—"))
        # CPU time (every thread, imports included) moves less than wall time with the machine's other load
        mine_cpu, theirs_cpu = ours.get("cpu") if mine else None, baseline.get("cpu")
        self.goals.append((f"{what}: CPU time", _seconds(mine_cpu), _seconds(theirs_cpu), _ratio(mine_cpu, theirs_cpu),
                           "—"))
        arrow = baseline.get("arrow_bytes")
        self.goals.append((f"{what}: peak memory (baseline peak {_size(baseline.get('peak'))})",
                           _size(ours.get("peak") if mine else None), f"Arrow {_size(arrow)}",
                           _ratio(ours.get("peak") if mine else None, arrow), "≤ 3 × Arrow size"))

    def print(self) -> None:
        header = ("measurement", "ours", "baseline", "ratio", "goal")
        rows = [header, *self.goals]
        widths = [max(len(row[i]) for row in rows) for i in range(5)]
        print()
        for k, row in enumerate(rows):
            print("| " + " | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) + " |")
            if k == 0:
                print("|" + "|".join("-" * (width + 2) for width in widths) + "|")


def run(args: argparse.Namespace) -> None:
    """Seed what the chosen stages need, take their measurements, print the table."""
    stages = set(args.only.split(",")) if args.only else set(STAGES)
    unknown = stages - set(STAGES)
    if unknown:
        sys.exit(f"--only {','.join(sorted(unknown))}: choose among {','.join(STAGES)}")
    args.data_dir.mkdir(parents=True, exist_ok=True)

    def dataset(source: Path, n: int) -> Dataset:
        return Dataset(source, n, args.database_url or f"sqlite:///{args.data_dir / f'{source.stem}-{n}.db'}")

    main, small, kobo = dataset(BUDGET, args.n), dataset(BUDGET, args.xlsx_n), dataset(KOBO, args.kobo_n)
    needed = {main: stages & {"seed", "csv", "parquet", "sav", "dta", "results"}, small: stages & {"seed", "xlsx"},
              kobo: stages & {"seed", "kobo"}}
    print(f"seeding (or reusing) — {', '.join(d.qid for d, why in needed.items() if why)}", flush=True)
    for data, why in needed.items():
        if why:
            seeded = ensure_seeded(data, args.jobs)
            print(f"  {data.qid}: " + ("reused" if seeded is None else
                  f"{seeded['responses']} responses seeded in {seeded['seconds']:.0f} s "
                  f"({seeded['per_second']:.0f}/s)"), flush=True)
    before = _checkout(args.before, args.data_dir) if args.before else None
    report, out = Report(args.timeout), args.data_dir / "out"
    out.mkdir(exist_ok=True)

    def spec(kind: str, data: Dataset, fmt: str = "csv", name: str = "ours") -> dict[str, Any]:
        """What a child measures; it adds the file's suffix to `out`."""
        return {"kind": kind, "url": data.url, "qid": data.qid, "fmt": fmt, "k": args.k, "l": args.l,
                "out": str(out / f"{data.qid}-{name.split()[0]}-{kind}-{fmt}")}

    print(f"measuring on {main.qid}, {small.qid}, {kobo.qid}", flush=True)
    baselines: dict[str, dict[str, Any]] = {}
    for fmt in ("csv", "parquet", "sav", "dta"):
        if fmt not in stages:
            continue
        reference = "parquet" if fmt == "parquet" else "csv"
        if reference not in baselines:
            baselines[reference] = report.take(f"baseline {reference}, {main.n:,}", spec("baseline", main, reference))
        ours = report.take(f"ours {fmt}, {main.n:,}", spec("export", main, fmt))
        report.compare(f"{fmt.upper()} {main.n:,}", ours, baselines[reference], 1.5 if fmt == reference else None)
        if before and fmt == "csv":
            old = report.take(f"before ({args.before}) csv, {main.n:,}", spec("export", main, fmt, "before"), before)
            report.compare(f"CSV {main.n:,}, before ({args.before})", old, baselines["csv"], 1.5)
    if "xlsx" in stages:
        base = report.take(f"baseline xlsx, {small.n:,}", spec("baseline", small, "xlsx"))
        report.compare(f"XLSX {small.n:,}", report.take(f"ours xlsx, {small.n:,}", spec("export", small, "xlsx")),
                       base, None)
    if "results" in stages:
        for name, path in (("ours", None), (f"before ({args.before})", before)):
            if name != "ours" and path is None:
                continue
            timings = report.take(f"results page {name}, {main.n:,}", spec("results", main), path).get("timings", {})
            for step, seconds in timings.items():
                goal = "≤ 0.5 s" if step != "cold" else "—"
                report.goals.append((f"results page {name}: {step}", _seconds(seconds), "—", "—", goal))
    if "kobo" in stages:
        base = report.take(f"baseline csv, kobo {kobo.n:,}", spec("baseline", kobo, "csv"))
        print(f"    ({base.get('columns')} columns in the baseline)")
        report.compare(f"CSV kobo {kobo.n:,} × 510", report.take(f"ours csv, kobo {kobo.n:,}",
                                                                  spec("export", kobo, "csv")), base, 1.5)
        if before:
            old = report.take(f"before ({args.before}) csv, kobo", spec("export", kobo, "csv", "before"), before)
            report.compare(f"CSV kobo, before ({args.before})", old, base, 1.5)
    report.print()
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (args.data_dir / f"results-{stamp}.json").write_text(json.dumps(report.raw, indent=1), encoding="utf-8")


def _checkout(rev: str, data_dir: Path) -> Path:
    """The source tree of an older commit (extracted once), to measure the engine as it was."""
    target = data_dir / f"src-{rev}"
    if not (target / "survey").is_dir():
        target.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "survey"], check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def main() -> None:
    """Parse the arguments; `--child` runs one measurement and prints its JSON (the parent reads it)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="responses for the main dataset")
    parser.add_argument("--xlsx-n", type=int, default=100_000, help="responses for the XLSX measurement")
    parser.add_argument("--kobo-n", type=int, default=132_000, help="responses to the 510-question questionnaire")
    parser.add_argument("--only", help=f"comma-separated stages among {','.join(STAGES)}")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: one SQLite file per dataset)")
    parser.add_argument("--data-dir", type=Path, default=HERE / ".data")
    parser.add_argument("--jobs", type=int, default=0, help="processes for `survey seed` (default: one per CPU)")
    parser.add_argument("--before", help="also measure the engine of this git commit (csv, results, kobo)")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds before a measurement is stopped")
    parser.add_argument("--k", type=int, help="export profile's k (default: the questionnaire's); --k 1 --l 1 "
                        "measures the export without generalisation, as `bench/disclosure_bench.py`'s plain one")
    parser.add_argument("--l", type=int, help="export profile's ℓ (with --k)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        spec = json.loads(args.child)
        print(json.dumps(CHILDREN[spec["kind"]](spec)))
        return
    run(args)


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # a crashed child leaves no core file in bench/
    main()
