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
from survey.schema.beside import Unread, read_csv_beside
from survey.schema.problems import Collector

KINDS = ("people", "places", "organisations")
MAX_LIST_BYTES = 2_000_000
_FIX = "give the CSV file a `name` column with one name per line, saved as UTF-8"
_UNREAD_FIX = {"not_csv": "name a `.csv` file in the questionnaire's folder, e.g. `personnes.csv`, or list the names",
               "outside": "put the CSV file beside the questionnaire",
               "too_large": "keep one spelling per line, no more"}


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
    text = read_csv_beside(source, base_dir, MAX_LIST_BYTES, "questionnaire")
    if isinstance(text, Unread):
        col.add(where, ErrorCode.MISSION_LIST, detail=text.detail, fix=_UNREAD_FIX.get(text.kind, _FIX))
        return []
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
