"""`mission: lists: {people: personnes.csv, …}` — the names scrubbed out of free text, read from CSV files.  PURE.

Each file sits beside the questionnaire, in UTF-8, with a `name` column (other columns are ignored): one name, or
one spelling of a name, per line. Like `choices_from`, the names are read when the questionnaire is loaded and
stored inside its version.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from survey.errors import ErrorCode
from survey.schema.problems import Collector

KINDS = ("people", "places", "organisations")
MAX_LIST_BYTES = 2_000_000
_FIX = "give the CSV file a `name` column with one name per line, saved as UTF-8"


def resolve_mission_lists(col: Collector, data: dict, base_dir: Path | None) -> None:
    """Replace each list given as a CSV file name by the names the file holds."""
    mission = data.get("mission")
    lists = mission.get("lists") if isinstance(mission, dict) else None
    if not isinstance(lists, dict):
        return
    for kind in KINDS:
        source = lists.get(kind)
        if isinstance(source, str):
            lists[kind] = _read(col, ("mission", "lists", kind), source, base_dir)


def _read(col: Collector, where: tuple, source: str, base_dir: Path | None) -> list[str]:
    """The names of one file; [] with a located problem when it cannot be read."""
    def problem(detail: str, fix: str = _FIX) -> list[str]:
        col.add(where, ErrorCode.MISSION_LIST, detail=detail, fix=fix)
        return []

    if base_dir is None or not source.endswith(".csv"):
        return problem(f"`{source}` is not a CSV file beside the questionnaire",
                       "name a `.csv` file in the questionnaire's folder, e.g. `personnes.csv`, or list the names")
    file = (base_dir / source).resolve()
    if base_dir.resolve() not in file.parents:
        return problem(f"`{source}` is outside the questionnaire's folder", "put the CSV file beside the questionnaire")
    try:
        with file.open("rb") as stream:
            raw = stream.read(MAX_LIST_BYTES + 1)
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        return problem(f"cannot read `{source}`: {exc.strerror if isinstance(exc, OSError) else 'not UTF-8 text'}")
    if len(raw) > MAX_LIST_BYTES:
        return problem(f"`{source}` is larger than {MAX_LIST_BYTES:,} bytes", "keep one spelling per line, no more")
    names, problems = read_names_csv(text)
    for line, detail in problems:
        col.add(where, ErrorCode.MISSION_LIST, detail=f"{source}:{line}: {detail}", fix=_FIX)
    return names


def read_names_csv(text: str) -> tuple[list[str], list[tuple[int, str]]]:
    """The non-empty, distinct names of a CSV text's `name` column, and (line, problem) for what is wrong."""
    sample = text[:2048]
    reader = csv.DictReader(io.StringIO(text), delimiter=";" if sample.count(";") > sample.count(",") else ",")
    try:
        header = [h.strip() for h in reader.fieldnames or []]
        if "name" not in header:
            return [], [(1, "the header needs a `name` column")]
        names: dict[str, None] = {}
        for row in reader:
            name = next((v for k, v in row.items() if (k or "").strip() == "name"), "") or ""
            if name.strip():
                names[name.strip()] = None
    except csv.Error as exc:
        return [], [(reader.line_num + 1, f"not readable as CSV: {exc}")]
    return list(names), []
