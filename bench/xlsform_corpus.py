"""XLSForms in the wild: how many real public forms that pyxform converts we import and then validate.

    .venv/bin/python bench/xlsform_corpus.py /work/xlsform-corpus [--verbose] [--timeout 60]

Every `.xlsx`/`.xls` under the path (identical files counted once) goes through pyxform first, the reference:
a form it converts must be imported by `survey import-xlsform` and its YAML must pass `survey validate`; a form
it refuses is "broken", and ours must refuse it too with located errors (sheet, row, column) — or import it,
when the rule pyxform applies is not ours (listed apart). Each form runs in its own process under a time limit,
so a form that hangs or exhausts memory is counted as a failure, not as a stopped benchmark. The corpus is kept
out of the repository (README, *XLSForm*, says where it came from). A benchmark is a report: it exits 0.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import resource
import select
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# A worker process: reads one path a line, prints one JSON line for each.
CHILD = r"""
import json, logging, sys, tempfile, warnings
from pathlib import Path

from pyxform import xls2xform

from survey.errors import QuestionnaireInvalid
from survey.schema import load_questionnaire, to_yaml
from survey.xlsform import WorkbookInvalid, import_xlsform

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")


def outcome(path):
    result = {"pyxform": None, "ours": None, "problems": [], "notes": 0, "questions": 0}
    try:
        xls2xform.convert(xlsform=str(path), validate=False)
        result["pyxform"] = "ok"
    except Exception as exc:
        result["pyxform"] = f"{exc.__class__.__name__}: {(str(exc).splitlines() or [''])[0][:160]}"
    try:
        questionnaire, report = import_xlsform(path)
    except WorkbookInvalid as exc:
        result["ours"] = "refused"
        result["problems"] = [{"located": bool(p.sheet), "text": str(p)} for p in exc.problems]
        return result
    except Exception as exc:
        result["ours"] = "crash"
        result["problems"] = [{"located": False, "text": f"{exc.__class__.__name__}: {exc}"[:300]}]
        return result
    result["notes"] = len(report.lines())
    result["questions"] = sum(1 for _ in questionnaire.all_questions())
    with tempfile.TemporaryDirectory() as tmp:
        written = Path(tmp) / "form.yaml"
        written.write_text(to_yaml(questionnaire), encoding="utf-8")
        try:
            load_questionnaire(written)  # what `survey validate` does
            result["ours"] = "imported"
        except QuestionnaireInvalid as exc:
            result["ours"] = "invalid"
            result["problems"] = [{"located": True, "text": str(p)} for p in exc.problems]
    return result


for line in sys.stdin:
    print(json.dumps(outcome(Path(line.rstrip("\n")))), flush=True)
"""


def forms(path: Path) -> list[Path]:
    """The workbooks under `path`, one per distinct content, in name order."""
    seen: dict[str, Path] = {}
    for file in sorted(p for p in path.rglob("*") if p.suffix.lower() in (".xlsx", ".xls") and p.is_file()):
        digest = hashlib.sha256(file.read_bytes()).hexdigest()
        seen.setdefault(digest, file)
    return sorted(seen.values())


class Worker:
    """One long-lived child process (imports paid once), restarted after a form kills or stalls it."""

    def __init__(self, memory_mb: int):
        self.memory_mb, self.process = memory_mb, None

    def _limit(self) -> None:
        # A zip bomb in the corpus must fail in the child, not take the machine's memory.
        limit = self.memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    def _start(self) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-c", CHILD], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True, cwd=ROOT, preexec_fn=self._limit)

    def run(self, path: Path, timeout: float) -> dict:
        """Convert one form with pyxform and with ours."""
        if self.process is None or self.process.poll() is not None:
            self.process = self._start()
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(f"{path}\n")
        self.process.stdin.flush()
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if ready else ""
        if line:
            return json.loads(line)
        why = f"over {timeout:.0f} s" if not ready else "the process died (memory?)"
        self.stop()
        return {"pyxform": "?", "ours": "crash", "problems": [{"located": False, "text": why}]}

    def stop(self) -> None:
        """End the child process (ours, by its id)."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


def main() -> None:
    """Run the corpus and print the ratios and every failure with its reason."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--verbose", action="store_true", help="print every form's outcome")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per form")
    parser.add_argument("--memory", type=int, default=2048, help="MB of address space per worker")
    args = parser.parse_args()
    files = forms(args.path)
    if not files:
        sys.exit(f"no .xlsx or .xls file under {args.path}")
    outcomes: dict[str, list[tuple[Path, dict]]] = collections.defaultdict(list)
    worker = Worker(args.memory)
    for file in files:
        result = worker.run(file, args.timeout)
        converts = result["pyxform"] == "ok"
        ours = result["ours"]
        if converts:
            kind = "good: imported and valid" if ours == "imported" else f"good: {ours}"
        elif ours == "refused" and all(p["located"] or "cannot read" in p["text"] for p in result["problems"]):
            kind = "broken: refused, located"
        elif ours == "imported":
            kind = "broken: imported anyway"
        else:
            kind = f"broken: {ours}, not located" if ours == "refused" else f"broken: {ours}"
        outcomes[kind].append((file, result))
        if args.verbose:
            print(f"{kind:32} {file.name}  pyxform: {result['pyxform']}", flush=True)
    worker.stop()
    good = sum(len(v) for k, v in outcomes.items() if k.startswith("good"))
    broken = len(files) - good
    imported = len(outcomes["good: imported and valid"])
    located = len(outcomes["broken: refused, located"]) + len(outcomes["broken: imported anyway"])
    xlsx = sum(1 for f in files if f.suffix.lower() == ".xlsx")
    print(f"\n{len(files)} distinct forms ({xlsx} .xlsx, {len(files) - xlsx} .xls) under {args.path}")
    print(f"pyxform converts {good}; of those, imported and valid: {imported}/{good} = "
          f"{100 * imported / max(good, 1):.1f} % (goal ≥ 90 %)")
    print(f"pyxform refuses {broken}; of those, refused with located errors or imported: {located}/{broken} = "
          f"{100 * located / max(broken, 1):.1f} % (goal 100 %)")
    for kind in sorted(outcomes):
        print(f"  {kind}: {len(outcomes[kind])}")
    for kind in sorted(outcomes):
        if kind in ("good: imported and valid", "broken: refused, located"):
            continue
        print(f"\n{kind}:")
        for file, result in outcomes[kind]:
            reason = "; ".join(p["text"] for p in result["problems"][:3]) or f"pyxform: {result['pyxform']}"
            print(f"  {file.name}: {reason[:400]}")


if __name__ == "__main__":
    main()
