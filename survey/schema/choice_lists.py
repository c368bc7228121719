"""`choices_from: communes.csv` — long choice lists kept in a CSV file beside the questionnaire.  PURE.

The file has a `code` column, a `label` column (or `label::fr`, `label::en`… one per language), an optional
`relevant` column, and any other columns become the choice's `data` (for `choice_filter`, e.g. `commune`).
The list is read when the questionnaire is loaded and stored inside its version, so a version never changes
when the file does.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from survey.errors import ErrorCode
from survey.schema.beside import Unread, read_csv_beside
from survey.schema.problems import Collector, Path_

MAX_CHOICE_FILE_BYTES = 5_000_000  # one CSV file of choices: room for the ~35,000 French communes with a few columns
MAX_FILE_CHOICES = 100_000  # choices read from CSV files by one questionnaire, a file used twice counted twice
_FIX = "correct the CSV file (columns `code`, `label`, optional `label::en`, `relevant`, others)"
_UNREAD_FIX = {"not_csv": "name a `.csv` file in the questionnaire's folder, e.g. `communes.csv`",
               "outside": "put the CSV file beside the questionnaire",
               "unreadable": "check the file name and save it as UTF-8 CSV",
               "too_large": "keep only the choices respondents need, or split the list between questions"}
CsvProblem = tuple[int, str, str]  # line, what is wrong, how to fix it


def resolve_choice_files(col: Collector, data: dict, base_dir: Path | None) -> None:
    """Replace every `choices_from` in the document by the `choices` its CSV file lists."""
    budget = [MAX_FILE_CHOICES]  # what is left for the questionnaire's other `choices_from`
    pages = data.get("pages")
    for i, page in enumerate(pages if isinstance(pages, list) else []):
        questions = page.get("questions") if isinstance(page, dict) else None
        for j, q in enumerate(questions if isinstance(questions, list) else []):
            _resolve(col, q, ("pages", i, "questions", j), base_dir, budget)
            for k, sub in enumerate(q.get("questions") or [] if isinstance(q, dict) else []):
                _resolve(col, sub, ("pages", i, "questions", j, "questions", k), base_dir, budget)


def _resolve(col: Collector, q: Any, path: Path_, base_dir: Path | None, budget: list[int]) -> None:
    """Read one question's `choices_from` file into its `choices`, taking its rows from `budget`."""
    if not isinstance(q, dict) or "choices_from" not in q:
        return
    source = q.pop("choices_from")
    where = path + ("choices_from",)
    col.unread_choice_files.add(path)  # until the file is read: no second message about missing choices
    col.lines[path + ("choices",)] = col.line(where)
    if "choices" in q:
        col.add(where, ErrorCode.CHOICES_FILE, detail="given together with `choices`", fix="keep only one of them")
        return
    text = read_csv_beside(source, base_dir, MAX_CHOICE_FILE_BYTES, "questionnaire")
    if isinstance(text, Unread):
        col.add(where, ErrorCode.CHOICES_FILE, detail=text.detail, fix=_UNREAD_FIX[text.kind])
        return
    choices, problems = read_choice_csv(text, str(col.data.get("language", "fr")), max_rows=budget[0])
    budget[0] -= len(choices)
    for line, problem, fix in problems:
        col.add(where, ErrorCode.CHOICES_FILE, detail=f"{source}:{line}: {problem}", fix=fix)
    q["choices"] = choices
    col.unread_choice_files.discard(path)


def read_choice_csv(text: str, language: str = "fr", max_rows: int = MAX_FILE_CHOICES,
                    ) -> tuple[list[dict[str, Any]], list[CsvProblem]]:
    """Choices from CSV text, and (line, problem, fix) for each bad row; at most `max_rows` choices."""
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    try:
        return _read_rows(reader, language, max_rows)
    except csv.Error as exc:  # a field over the csv module's limit (128 KB), a stray NUL…
        return [], [(reader.line_num + 1, f"not readable as CSV: {exc}", _FIX)]


def _read_rows(reader: csv.DictReader, language: str, max_rows: int,
               ) -> tuple[list[dict[str, Any]], list[CsvProblem]]:
    """`read_choice_csv`'s work, row by row; the reader may raise `csv.Error`."""
    header = [h.strip() for h in reader.fieldnames or []]
    problems: list[CsvProblem] = []
    labels = [h for h in header if h == "label" or h.startswith("label::")]
    if "code" not in header or not labels:
        return [], [(1, "the header needs a `code` column and a `label` (or `label::fr`) column", _FIX)]
    choices, seen = [], set()
    for row in reader:
        line = reader.line_num
        if len(choices) >= max_rows:
            limit = f"more than {MAX_FILE_CHOICES:,} choices read from CSV files by this questionnaire"
            fix = "keep only the choices respondents need (a file used by several questions counts for each)"
            return choices, [*problems, (line, limit, fix)]
        if None in row:  # more cells than the header has names: DictReader files the rest under None
            problems.append((line, f"{len(header) + len(row[None])} cells for {len(header)} columns", _FIX))
            continue
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        code = row.get("code", "")
        if not code:
            problems.append((line, "empty `code`", _FIX))
            continue
        if code in seen:
            problems.append((line, f"code `{code}` appears twice", _FIX))
            continue
        seen.add(code)
        label: Any = row.get("label") or ""
        translated = {h.split("::", 1)[1]: row[h] for h in labels if "::" in h and row.get(h)}
        if translated:  # the plain `label` column, if any, is the default language's
            label = {language: label, **translated} if label else translated
        choice: dict[str, Any] = {"code": code, "label": label or code}
        if row.get("relevant"):
            choice["relevant"] = row["relevant"]
        extra = {k: v for k, v in row.items() if k not in ("code", "relevant") and not k.startswith("label") and v}
        if extra:
            choice["data"] = extra
        choices.append(choice)
    return choices, problems
