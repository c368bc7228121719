"""XLSForm import time against the number of rows: it should grow in proportion.

    .venv/bin/python bench/xlsform_import_bench.py [--rows 1000,10000,100000] [--budget 120]

Each size is a generated form (written once to `bench/.data/xlsform-N.xlsx`): pages of 20 questions in
groups, a mix of text, integer, select_one with a shared list, select_multiple, dates and notes, a relevance
on an earlier answer every few rows and a calculation every 50 rows (some of them using the next one, so the
importer reorders them). Half as many choices rows as survey rows are spread over lists of about ten. Each
import runs in its own process and is timed from `import_xlsform` to the questionnaire it returns (with the limits
of questionnaire files turned off, so that sizes past them can be timed), then `survey validate`'s check of the
written YAML ("refused": a default import refuses the form, its file passing 250,000 values). The script stops
before a size whose import would, at the rate measured so far, pass the budget.
A benchmark is a report: it exits 0.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / ".data"

CHILD = r"""
import sys, tempfile, time
from pathlib import Path
from survey.schema import load_questionnaire, to_yaml
from survey.schema.yaml_limits import MAX_FILE_BYTES, MAX_NODES, first_value_past
from survey.xlsform import import_xlsform
start = time.perf_counter()
questionnaire, report = import_xlsform(sys.argv[1], file_limits=False)
imported = time.perf_counter() - start
validated = -1.0  # refused by the import's own check of the limits of questionnaire files
if first_value_past(questionnaire.model_dump(mode="json", exclude_defaults=True), MAX_NODES) is None:
    text = to_yaml(questionnaire)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "form.yaml"
        path.write_text(text, encoding="utf-8")
        start = time.perf_counter()
        load_questionnaire(path)  # what `survey validate` does
        validated = time.perf_counter() - start if len(text.encode()) <= MAX_FILE_BYTES else -1.0
print(imported, validated, sum(1 for _ in questionnaire.all_questions()), len(report.lines()))
"""


def generate(rows: int) -> Path:
    """A form with `rows` survey rows (begin/end group rows included) and rows // 2 choices, written once."""
    import openpyxl

    path = DATA / f"xlsform-{rows}.xlsx"
    if path.exists():
        return path
    DATA.mkdir(exist_ok=True)
    book = openpyxl.Workbook(write_only=True)
    survey = book.create_sheet("survey")
    survey.append(["type", "name", "label", "relevant", "calculation", "required"])
    lists = max(1, rows // 20)  # lists of about ten choices, as forms have
    questions = rows * 20 // 23  # each page of 20 adds a begin and an end row, and a calculation every 50
    for n in range(questions):
        if n % 20 == 0:
            survey.append(["begin group", f"page_{n // 20}", f"Page {n // 20}"])
        kind = ("text", "integer", f"select_one l{n % lists}", f"select_multiple l{(n + 1) % lists}", "date",
                "note", "integer", "text")[n % 8]
        relevant = f"${{q{n - 3}}} != ''" if n % 5 == 4 and (n - 3) % 8 != 5 else None  # never on a note
        survey.append([kind, f"q{n}", f"Question {n}", relevant, None, "yes" if n % 7 == 0 else None])
        if n % 50 == 49:  # every other one uses the next one: a forward reference the importer reorders
            uses = f"${{c{n + 50}}} + 1" if n % 100 == 49 and n + 50 < questions else f"${{q{n - 2}}}"
            survey.append(["calculate", f"c{n}", None, None, uses])
        if n % 20 == 19 or n == questions - 1:
            survey.append(["end group"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    for i in range(max(rows // 2, 2 * lists)):
        choices.append([f"l{i % lists}", f"c{i}", f"Choix {i}"])
    settings = book.create_sheet("settings")
    settings.append(["form_title", "form_id", "version", "default_language"])
    settings.append([f"Bench {rows}", f"bench_{rows}", "1", "Français (fr)"])
    book.save(path)
    return path


def main() -> None:
    """Import each size in turn; print rows, seconds and seconds per thousand rows."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", default="1000,10000,100000")
    parser.add_argument("--budget", type=float, default=120, help="seconds one import may take")
    args = parser.parse_args()
    print(f"{'survey rows':>12} {'questions':>10} {'import s':>9} {'validate s':>11} {'import ms/1k rows':>18}")
    per_row = None
    for rows in [int(r) for r in args.rows.split(",")]:
        if per_row is not None and per_row * rows * 1.5 > args.budget:
            print(f"{rows:>12} skipped: about {per_row * rows:.0f} s at the rate measured, over --budget")
            continue
        path = generate(rows)
        done = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, cwd=ROOT,
                              check=False)
        if done.returncode != 0:
            print(f"{rows:>12} failed: {(done.stderr.strip().splitlines() or ['?'])[-1]}")
            continue
        imported, validated, questions, _ = done.stdout.split()
        per_row = float(imported) / rows
        checked = f"{float(validated):>11.2f}" if float(validated) >= 0 else f"{'refused':>11}"
        print(f"{rows:>12} {questions:>10} {float(imported):>9.2f} {checked} "
              f"{1000 * per_row * 1000:>18.1f}")


if __name__ == "__main__":
    main()
