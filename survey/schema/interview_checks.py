"""Interview grid documents → `InterviewGrid`, with every problem located to a line in one pass.  PURE.

The grid's own rules (unique theme and question ids, category and site codes, codes of the codebook; parents that
exist and make no circle; a consent question; durations) are checked here on the document, before the model sees
it, so a file with one broken part still has all the others checked. Closed questions are questionnaire
questions: `check_question` and the logic checks of questionnaires check them, and `choices_from` works there too.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from survey.errors import ErrorCode, QuestionnaireInvalid
from survey.schema.beside import Unread, read_csv_beside
from survey.schema.checks import _languages, check_question, check_text
from survey.schema.choice_lists import _resolve, read_choice_csv
from survey.schema.interview import (
    Category,
    Code,
    GridQuestion,
    InterviewGrid,
    Introduction,
    Profile,
    Theme,
)
from survey.schema.logic_checks import check_logic
from survey.schema.mission_lists import resolve_mission_lists
from survey.schema.model import Choice, Mission
from survey.schema.problems import Collector, Path_, suggest
from survey.schema.scope import Entry, _salvaged

MAX_SITES_BYTES = 2_000_000
_SITES_FIX = "give the CSV file `code` and `label` columns, saved as UTF-8"
_SITES_UNREAD_FIX = {"not_csv": "name a `.csv` file in the grid's folder, e.g. `quartiers.csv`, or list `code`/`label` "
                                "entries",
                     "outside": "put the CSV file beside the grid"}
_GRID_TEXTS = ("title", "privacy_notice", "label", "definition", "example", "text", "consent", "guidance",
               "pseudonym")
_CONTAINERS: dict[str | None, type] = {
    None: InterviewGrid, "themes": Theme, "questions": GridQuestion, "categories": Category, "profile": Profile,
    "introduction": Introduction, "codebook": Code, "children": Code, "mission": Mission, "sites": Choice,
}


class GridCollector(Collector):
    """Locates problems as `Collector` does, naming the grid question (its `id`) or closed question (its `name`)
    they are in; a code's problems name the code in their message."""

    QUESTION_LISTS = {"questions": "id", "closed": "name"}


def grid_from_data(data: dict, filename: str = "<grid>", base_dir: Path | None = None, *,
                   lines: Mapping[Path_, int] | None = None) -> InterviewGrid:
    """Check an interview grid document; raise `QuestionnaireInvalid` listing every problem, located."""
    col = GridCollector(filename, data, lines or {})
    resolve_mission_lists(col, data, base_dir)
    _resolve_sites(col, data, base_dir)
    budget = [100_000]
    for path, question in _closed(data):
        _resolve(col, question, path, base_dir, budget)
    languages = _languages(data)
    _check_texts(col, data, (), languages)
    _check_profile(col, data)
    _check_introduction(col, data)
    entries = _check_themes(col, data, languages)
    _check_codebook(col, data)
    check_logic(col, [], entries)
    grid = None
    try:
        grid = InterviewGrid.model_validate(data)
    except ValidationError as exc:
        _pydantic_problems(col, exc)
    if col.problems or grid is None:
        raise QuestionnaireInvalid(list(dict.fromkeys(col.problems)))
    return grid


def _indexed(nodes: Any) -> list[tuple[int, dict]]:
    return [(i, n) for i, n in enumerate(nodes) if isinstance(n, dict)] if isinstance(nodes, list) else []


def _closed(data: dict) -> list[tuple[Path_, dict]]:
    """Every closed question of the document with its path."""
    return [(("themes", i, "closed", j), q) for i, theme in _indexed(data.get("themes"))
            for j, q in _indexed(theme.get("closed"))]


def _check_texts(col: Collector, node: Any, path: Path_, languages: list[str]) -> None:
    """Texts given per language, anywhere in the grid but inside closed questions (checked with them)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _GRID_TEXTS:
                check_text(col, value, path + (key,), languages)
            elif key == "prompts" and isinstance(value, list):
                for k, prompt in enumerate(value):
                    check_text(col, prompt, path + (key, k), languages)
            elif key not in ("closed", "mission"):
                _check_texts(col, value, path + (key,), languages)
    elif isinstance(node, list):
        for k, item in enumerate(node):
            _check_texts(col, item, path + (k,), languages)


def _unique(col: Collector, items: list[tuple[Path_, Any]], what: str, field: str, seen: dict[str, str]) -> None:
    """A located problem for every value already used; `seen` maps a value to where it was first."""
    for path, value in items:
        if not isinstance(value, str | int) or isinstance(value, bool):
            continue
        value = str(value)
        if value in seen:
            col.add(path, ErrorCode.GRID_DUPLICATE, what=what, value=value, field=field, other_line=seen[value])
        else:
            seen[value] = col.where(path)


def _check_profile(col: Collector, data: dict) -> None:
    profile = data.get("profile")
    if not isinstance(profile, dict):
        return
    categories = _indexed(profile.get("categories"))
    _unique(col, [(("profile", "categories", i, "code"), c.get("code")) for i, c in categories],
            "category code", "code", {})
    sites = _indexed(profile.get("sites"))
    _unique(col, [(("profile", "sites", i, "code"), s.get("code")) for i, s in sites], "site code", "code", {})


def _check_introduction(col: Collector, data: dict) -> None:
    introduction = data.get("introduction")
    if isinstance(introduction, dict) and not introduction.get("consent"):
        col.add(("introduction",), ErrorCode.NO_CONSENT)


def _check_themes(col: Collector, data: dict, languages: list[str]) -> list[Entry]:
    """Theme and question ids unique, durations sensible, closed questions as questionnaires check them."""
    themes = _indexed(data.get("themes"))
    theme_ids: dict[str, str] = {}
    question_ids: dict[str, str] = {}
    names: dict[str, str] = {}
    entries: list[Entry] = []
    for i, theme in themes:
        _unique(col, [(("themes", i, "id"), theme.get("id"))], "theme id", "id", theme_ids)
        _unique(col, [(("themes", i, "questions", j, "id"), q.get("id")) for j, q in _indexed(theme.get("questions"))],
                "question id", "id", question_ids)
        duration = theme.get("duration")
        if "duration" in theme and (isinstance(duration, bool) or not isinstance(duration, int)):
            col.add(("themes", i, "duration"), ErrorCode.BAD_DURATION,
                    detail=f"`{duration}` is not a number of minutes")
        elif isinstance(duration, int) and not 1 <= duration <= 240:
            col.add(("themes", i, "duration"), ErrorCode.BAD_DURATION,
                    detail=f"{duration} minutes is not a suggested duration for one theme")
        for j, question in _indexed(theme.get("closed")):
            path = ("themes", i, "closed", j)
            check_question(col, question, path, names, languages)
            entries.extend(_salvaged(path, question, None))
    return entries


def _check_codebook(col: Collector, data: dict) -> None:
    """Codes unique in the whole tree; a `parent:` names a code of the codebook, agrees with the nesting and makes
    no circle."""
    found: list[tuple[Path_, dict, str | None]] = []  # (path, code, parent by nesting)

    def walk(nodes: Any, path: Path_, parent: str | None) -> None:
        for i, node in _indexed(nodes):
            found.append((path + (i,), node, parent))
            code = node.get("code")
            walk(node.get("children"), path + (i, "children"), str(code) if code is not None else None)

    walk(data.get("codebook"), ("codebook",), None)
    _unique(col, [(path + ("code",), node.get("code")) for path, node, _ in found], "code", "code", {})
    codes = {str(node.get("code")) for _, node, _ in found if node.get("code") is not None}
    parents: dict[str, str] = {}
    first: set[str] = set()
    for path, node, nested in found:
        code, parent = node.get("code"), node.get("parent")
        if code is None or str(code) in first:
            continue  # a duplicate is reported as such: its parents would only add confusion
        first.add(str(code))
        if parent is not None and str(parent) not in codes:
            col.add(path + ("parent",), ErrorCode.CODE_PARENT, value=code,
                    detail=f"its parent `{parent}` is not a code of the codebook",
                    fix="name an existing code" + suggest(str(parent), codes) + ", or write the code in its "
                        "parent's `children:`")
        elif parent is not None and nested is not None and str(parent) != nested:
            col.add(path + ("parent",), ErrorCode.CODE_PARENT, value=code,
                    detail=f"it is written inside `{nested}` but names `{parent}` as its parent",
                    fix="remove `parent:` or move the code")
        elif parent is not None and str(parent) == str(code):
            col.add(path + ("parent",), ErrorCode.CODE_PARENT, value=code, detail="it is its own parent",
                    fix="name another code, or remove `parent:`")
        elif parent is not None or (nested is not None and nested != str(code)):
            parents[str(code)] = str(parent if parent is not None else nested)
    reported: set[str] = set()
    for path, node, _ in found:
        start = str(node.get("code"))
        chain, current = [start], parents.get(start)
        while current is not None and current != start and current not in chain:
            chain.append(current)
            current = parents.get(current)
        if current == start and start not in reported:
            reported.update(chain)
            col.add(path + ("parent",), ErrorCode.CODE_PARENT, value=start,
                    detail="parents go round in a circle: " + " → ".join([*chain, start]),
                    fix="give one of them a parent outside the circle, or none")


def _resolve_sites(col: Collector, data: dict, base_dir: Path | None) -> None:
    """`profile: sites: quartiers.csv` — the sites read from a CSV file beside the grid (`code`, `label`)."""
    profile = data.get("profile")
    source = profile.get("sites") if isinstance(profile, dict) else None
    if not isinstance(source, str):
        return
    where: Path_ = ("profile", "sites")
    profile["sites"] = []

    def problem(detail: str, fix: str = _SITES_FIX) -> None:
        col.add(where, ErrorCode.WRONG_VALUE, field="sites", detail=detail, fix=fix)

    text = read_csv_beside(source, base_dir, MAX_SITES_BYTES, "grid")
    if isinstance(text, Unread):
        return problem(text.detail, _SITES_UNREAD_FIX.get(text.kind, _SITES_FIX))
    choices, problems = read_choice_csv(text, str(data.get("language", "fr")))  # CSV errors are among `problems`
    for line, detail, fix in problems:
        problem(f"{source}:{line}: {detail}", fix)
    profile["sites"] = [{"code": c["code"], "label": c["label"]} for c in choices]


def _pydantic_problems(col: Collector, exc: ValidationError) -> None:
    """The model's complaints, minus those the checks above already made in the grid's own words."""
    for err in exc.errors():
        loc = tuple(err["loc"])
        field = str(loc[-1]) if loc else "file"
        kind = err["type"]
        if "closed" in loc or field == "duration" or (loc[-2:] == ("introduction", "consent")):
            continue  # closed questions: check_question; durations and consent: above
        if loc and loc[0] == "mission" and "lists" in loc:
            continue
        if kind == "missing":
            col.add(loc[:-1], ErrorCode.MISSING_FIELD, field=field)
        elif kind == "extra_forbidden":
            container = loc[-3] if len(loc) >= 3 and isinstance(loc[-2], int) else loc[-2] if len(loc) >= 2 else None
            model = _CONTAINERS.get(container if isinstance(container, str) else None)
            known = list(model.model_fields) if model else []
            col.add(loc, ErrorCode.UNKNOWN_FIELD, field=field, suggestion=suggest(field, known))
        elif field == "id" and kind == "string_pattern_mismatch":
            col.add(loc, ErrorCode.WRONG_VALUE, field=field, detail=f"`{err.get('input')}` is not an identifier",
                    fix="use lower-case letters, digits, `_` or `-`, starting with a letter (e.g. `enjeux_1`)")
        elif field in ("code", "parent") and kind == "string_pattern_mismatch":
            col.add(loc, ErrorCode.WRONG_VALUE, field=field, detail=f"`{err.get('input')}` is not a code",
                    fix="use lower-case letters, digits, `_` or `-`, parts joined by dots (e.g. `mobilisation.jeunes`)")
        else:
            col.add(loc, ErrorCode.WRONG_VALUE, field=field, detail=err["msg"].lower(),
                    fix=f"correct `{field}` as the README's interview grid format describes")
