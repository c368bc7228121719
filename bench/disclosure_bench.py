"""Disclosure control at scale: the anonymised export of 1M responses against the plain export of the same table.

    .venv/bin/python bench/disclosure_bench.py [--n 1000000] [--pool 20000] [--format csv]

The table is `budget-participatif-habitants`'s coded table, built in memory as `bench/export_bench.py` builds
its baseline's rows: a pool of synthetic responses (`survey.synthetic`, the same answers `survey seed` stores)
repeated to N rows, each quasi-identifier's column (with its status column) then shuffled on its own, so that the
combinations are as many and as rare as in real answers rather than copies of the pool. Both exports start from
that same table, in one process, and write the same format:

- plain: every column declared `none` — what the export did before disclosure control (fresh ids, shuffle,
  labels, writing);
- anonymised: the questionnaire's own roles — the lattice search, generalisation, suppression, ℓ-diversity and
  the risk report on top.

The table is built once and saved as Arrow IPC; each export then runs in a fresh Python process that loads
it, so that its peak memory (`ru_maxrss`) is its own: the table, the interpreter and libraries, and what the
export adds — not what building a million synthetic responses cost.

Goals: anonymised ≤ 3 × plain in time; the anonymised export's peak memory ≤ 3 × the coded table's Arrow size
+ the interpreter's fixed cost (printed: a process that imports the same modules and loads the table).
A benchmark is a report: it prints, it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

import polars as pl  # noqa: E402

from survey.anonymise import anonymise_table  # noqa: E402
from survey.coded import CodedTable, build, raw_frame, status_name  # noqa: E402
from survey.export.archive import About, write_archive  # noqa: E402
from survey.schema import Questionnaire, load_questionnaire  # noqa: E402
from survey.synthetic import synthetic_responses  # noqa: E402

BUDGET = ROOT / "questionnaires" / "budget-participatif-habitants.yaml"


def table_of(questionnaire: Questionnaire, n: int, pool: int) -> CodedTable:
    """N responses coded: the pool repeated, then each quasi-identifier shuffled on its own."""
    drawn = synthetic_responses(questionnaire, pool, 17, dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    rows = [(i + 1, questionnaire.version, drawn[i % pool][2], json.dumps(drawn[i % pool][1])) for i in range(n)]
    table = build(questionnaire, {questionnaire.version: questionnaire}, raw_frame(rows))
    main = table.main
    quasi = [q.name for q in questionnaire.all_questions()
             if q.disclosure is not None and q.disclosure.role == "quasi_identifier"]
    for seed, name in enumerate(quasi):
        together = [name, status_name(name)] if status_name(name) in main.columns else [name]
        main = main.with_columns(main.select(together).sample(fraction=1.0, shuffle=True, seed=seed).get_columns())
    main = main.with_columns(main.select("submitted_at").sample(fraction=1.0, shuffle=True, seed=99).get_columns())
    return CodedTable(table.layout, main, table.repeats, table.last_id)


def plain(questionnaire: Questionnaire) -> Questionnaire:
    """The same questionnaire with every column declared `none` (free text keeps its default)."""
    data = questionnaire.model_dump(mode="python")
    for page in data["pages"]:
        for question in page["questions"]:
            for q in [question, *question["questions"]]:
                if q["type"] not in ("short_text", "long_text", "email", "phone"):
                    q["disclosure"] = "none"
    data["disclosure"] = {"submitted_date": "none", "version": "none"}
    return Questionnaire.model_validate(data)


def export(table: CodedTable, fmt: str, folder: Path, name: str) -> tuple[float, dict | None]:
    """Seconds to anonymise and write the zip, and the risk report."""
    began = time.perf_counter()
    anonymised = anonymise_table(table)
    about = About(name, "bench", {"bench": table.height}, dt.datetime.now(dt.UTC), None, False)
    write_archive(anonymised, fmt, folder / f"{name}.zip", about)
    return time.perf_counter() - began, anonymised.report


def save(table: CodedTable, folder: Path) -> None:
    """The table's frames as Arrow IPC files (the layout is rebuilt from the questionnaire when loading)."""
    table.main.write_ipc(folder / "main.arrow")
    for name, frame in table.repeats.items():
        frame.write_ipc(folder / f"repeat-{name}.arrow")
    (folder / "repeats.pkl").write_bytes(pickle.dumps((list(table.repeats), table.last_id)))


def load(folder: Path, questionnaire: Questionnaire) -> CodedTable:
    """The table `save` wrote, under the layout of `questionnaire`."""
    names, last_id = pickle.loads((folder / "repeats.pkl").read_bytes())  # noqa: S301 - our own file, just written
    layout = build(questionnaire, {questionnaire.version: questionnaire}, raw_frame([])).layout
    return CodedTable(layout, pl.read_ipc(folder / "main.arrow"),
                      {n: pl.read_ipc(folder / f"repeat-{n}.arrow") for n in names}, last_id)


def _peak_mb() -> float:
    """This process's peak resident memory: VmHWM, which (unlike ru_maxrss) a process started from a larger one
    does not inherit."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(folder: Path, which: str, fmt: str) -> None:
    """One export in this process (or, for `idle`, only loading the table), its figures printed as JSON."""
    declared = load_questionnaire(BUDGET)
    table = load(folder, plain(declared) if which == "plain" else declared)
    loaded = _peak_mb()
    seconds, report = (0.0, None) if which == "idle" else export(table, fmt, folder, which)
    print(json.dumps({"seconds": seconds, "loaded_mb": loaded, "peak_mb": _peak_mb(), "report": report}))


def run(folder: Path, which: str, fmt: str) -> dict:
    """`child` in a fresh process."""
    done = subprocess.run([sys.executable, __file__, "--child", str(folder), "--which", which, "--format", fmt],
                          capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"the {which} export failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--pool", type=int, default=20_000)
    parser.add_argument("--format", default="csv")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--which", default="anonymised", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.which, args.format)
        return
    declared = load_questionnaire(BUDGET)
    began = time.perf_counter()
    table = table_of(declared, args.n, min(args.pool, args.n))
    arrow = (table.main.estimated_size() + sum(f.estimated_size() for f in table.repeats.values())) / 2**20
    print(f"table: {table.height:,} responses coded in {time.perf_counter() - began:.0f} s, "
          f"{arrow:.0f} MB in Arrow", flush=True)
    with tempfile.TemporaryDirectory(prefix="disclosure-bench-") as name:
        folder = Path(name)
        save(table, folder)
        del table
        idle = run(folder, "idle", args.format)
        print(f"a process loading the table: {idle['peak_mb']:.0f} MB peak", flush=True)
        plain_run = run(folder, "plain", args.format)
        print(f"plain export ({args.format}): {plain_run['seconds']:.1f} s, peak {plain_run['peak_mb']:.0f} MB",
              flush=True)
        ours = run(folder, "anonymised", args.format)
    report, ratio = ours["report"], ours["seconds"] / plain_run["seconds"]
    fixed = idle["peak_mb"] - arrow
    print(f"anonymised export ({args.format}): {ours['seconds']:.1f} s — ratio {ratio:.2f} (goal ≤ 3); peak "
          f"{ours['peak_mb']:.0f} MB = {(ours['peak_mb'] - fixed) / arrow:.2f} × the table's Arrow size + "
          f"{fixed:.0f} MB fixed (goal ≤ 3 ×)")
    print(f"  nodes evaluated {report['search']['nodes_evaluated']}, k-minimal {report['search']['k_minimal_nodes']}, "
          f"levels {report['levels']}")
    print(f"  records in {report['records']['in']:,}, suppressed {report['records']['suppressed']:,}; "
          f"k = {report['k_achieved']}, l = {report['l_achieved']}; sample uniques "
          f"{report['risk_before']['sample_uniques']:,} → {report['risk_after']['sample_uniques']:,}; "
          f"loss {report['information_loss']}")


if __name__ == "__main__":
    main()
