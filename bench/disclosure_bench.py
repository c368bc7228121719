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

Goal: anonymised ≤ 3 × plain. A benchmark is a report: it prints, it asserts nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--pool", type=int, default=20_000)
    parser.add_argument("--format", default="csv")
    args = parser.parse_args()
    declared = load_questionnaire(BUDGET)
    began = time.perf_counter()
    table = table_of(declared, args.n, min(args.pool, args.n))
    print(f"table: {table.height:,} responses coded in {time.perf_counter() - began:.0f} s", flush=True)
    as_plain = CodedTable(build(plain(declared), {}, raw_frame([])).layout, table.main, table.repeats,
                          table.last_id)
    with tempfile.TemporaryDirectory(prefix="disclosure-bench-") as folder:
        plain_seconds, _ = export(as_plain, args.format, Path(folder), "plain")
        print(f"plain export ({args.format}): {plain_seconds:.1f} s", flush=True)
        ours, report = export(table, args.format, Path(folder), "anonymised")
    assert report is not None
    print(f"anonymised export ({args.format}): {ours:.1f} s — ratio {ours / plain_seconds:.2f} (goal ≤ 3)")
    print(f"  nodes evaluated {report['search']['nodes_evaluated']}, k-minimal {report['search']['k_minimal_nodes']}, "
          f"levels {report['levels']}")
    print(f"  records in {report['records']['in']:,}, suppressed {report['records']['suppressed']:,}; "
          f"k = {report['k_achieved']}, l = {report['l_achieved']}; sample uniques "
          f"{report['risk_before']['sample_uniques']:,} → {report['risk_after']['sample_uniques']:,}; "
          f"loss {report['information_loss']}")
    print(f"peak memory: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
