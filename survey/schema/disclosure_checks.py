"""`survey validate` on disclosure roles: hierarchies that hold, roles that fit, profiles that mean something.  PURE.

A hierarchy holds when every value has a parent at every level up to the last one, and when two values that
share a parent share every ancestor above it (a tree: quartier → commune → intercommunality). The choice
hierarchies are resolved here once (`choice_chains`); `survey.disclosure.hierarchy` turns them into columns.
"""

from __future__ import annotations

from survey.errors import ErrorCode
from survey.schema.disclosure import DATE_LEVELS, TIME_LEVELS, Bands, Groups, Level, Role
from survey.schema.model import Question, Questionnaire
from survey.schema.problems import Collector, Path_
from survey.schema.scope import Entry
from survey.schema.types import Shape

Chains = dict[str, tuple[str, ...]]  # a choice code → its ancestor at each level, finest first


class BrokenHierarchy(ValueError):
    """A hierarchy in which some value has no parent, or two values sharing a parent part further up."""


def choice_chains(question: Question, levels: tuple[Level, ...]) -> Chains:
    """Each option's ancestors, level by level, from choice attributes (CSV columns) and groups.

    Raises `BrokenHierarchy` naming the first value without a parent, or the first two that disagree.
    """
    data = {choice.code: choice.data for choice in question.options()}
    chains: Chains = {code: () for code in data}
    for number, level in enumerate(levels, start=1):
        current = {code: chain[-1] if chain else code for code, chain in chains.items()}
        if isinstance(level, Groups):
            parents = level.parents()
            below = set(current.values())
            stray = sorted(set(parents) - below)
            if stray:
                raise BrokenHierarchy(f"level {number} groups `{stray[0]}`, which is not a value of level "
                                      f"{number - 1} ({', '.join(sorted(below)[:8])}…)")
            missing = sorted(below - set(parents))
            if missing:
                raise BrokenHierarchy(f"level {number}: `{missing[0]}` is in no group — every value needs a "
                                      "parent up to the top level")
            step = {code: parents[value] for code, value in current.items()}
        elif isinstance(level, str):
            step = {}
            for code, attributes in data.items():
                parent = attributes.get(level)
                if not parent:
                    raise BrokenHierarchy(f"level {number}: choice `{code}` has no `{level}` — every value needs "
                                          f"a parent up to the top level: fill the `{level}` column (or `data`)")
                step[code] = parent
        else:
            raise BrokenHierarchy(f"level {number}: a choice question's levels are choice attributes or groups")
        seen: dict[str, str] = {}
        for code, parent in step.items():  # a tree: one parent per value of the level below
            kept = seen.setdefault(current[code], parent)
            if kept != parent:
                raise BrokenHierarchy(f"level {number}: `{current[code]}` would go up to both `{kept}` and "
                                      f"`{parent}` — a value has one parent")
        chains = {code: (*chain, step[code]) for code, chain in chains.items()}
    return chains


def _check_levels(shape: Shape, has_options: bool, levels: tuple[Level, ...], question: Question | None) -> None:
    """Raise `BrokenHierarchy` when the levels do not fit what the column holds."""
    named = [level for level in levels if isinstance(level, str)]
    if levels and shape in (Shape.CODES, Shape.BOOLEAN):
        raise BrokenHierarchy("its columns hold 1/0 or ranks: list no levels (each column is kept or suppressed)")
    if shape in (Shape.DATE, Shape.TIME):
        allowed = DATE_LEVELS if shape is Shape.DATE else TIME_LEVELS
        if len(named) != len(levels) or any(level not in allowed for level in named):
            raise BrokenHierarchy(f"the levels of a {'date' if shape is Shape.DATE else 'time'} are "
                                  f"{', '.join(allowed)}")
        order = [allowed.index(level) for level in named]
        if order != sorted(set(order)):
            raise BrokenHierarchy(f"list the levels finest first, each once: {', '.join(allowed)}")
        return
    for number, level in enumerate(levels, start=1):
        if isinstance(level, Bands):
            if shape not in (Shape.INTEGER, Shape.DECIMAL):
                raise BrokenHierarchy(f"level {number}: bands apply to numbers only")
            if isinstance(level.bands, tuple):
                if not level.bands or list(level.bands) != sorted(set(level.bands)):
                    raise BrokenHierarchy(f"level {number}: cut points must be given in increasing order, each once")
            elif level.bands <= 0:
                raise BrokenHierarchy(f"level {number}: a band's width must be above 0, not {level.bands}")
            if level.bottom is not None and level.top is not None and level.bottom >= level.top:
                raise BrokenHierarchy(f"level {number}: `bottom` ({level.bottom}) must be below `top` ({level.top})")
        elif not has_options:
            raise BrokenHierarchy(f"level {number}: `{level}` needs choices — give a number `{{bands: …}}` levels")
    if question is not None and has_options and all(not isinstance(level, Bands) for level in levels):
        choice_chains(question, levels)
    elif any(isinstance(level, Bands) for level in levels) and not all(isinstance(lv, Bands) for lv in levels):
        raise BrokenHierarchy("a number's levels are all `{bands: …}`")


def _fix_for(role: Role) -> str:
    return ("fix the levels as the README's “Disclosure roles” describes, or list fewer levels"
            if role.role == "quasi_identifier" else "correct the role")


def _check_question(col: Collector, entry: Entry) -> None:
    q = entry.question
    if q is None or q.disclosure is None:
        return
    role, path = q.disclosure, entry.path + ("disclosure",)
    if role.also:
        col.add(path, ErrorCode.BAD_DISCLOSURE,
                detail=f"`{role.role}` and `{role.also[0]}` both given: a column has one role",
                fix="keep one: an identifier is dropped from every export, a quasi-identifier generalised")
        return
    default = q.kind.disclosure
    if default == "identifier" and role.role != "identifier":
        col.add(path, ErrorCode.BAD_DISCLOSURE, detail=f"a `{q.type}` question is an identifier, not "
                f"`{role.role}`", fix="write `disclosure: identifier` (or leave it out): it is never exported")
        return
    if default == "free_text" and role.role not in ("free_text", "identifier"):
        col.add(path, ErrorCode.BAD_DISCLOSURE, detail=f"free text may name people; it cannot be `{role.role}`",
                fix="write `free_text` (dropped, or scrubbed on request) or `identifier` (always dropped)")
        return
    if role.role == "quasi_identifier" and entry.group is not None:
        col.add(path, ErrorCode.BAD_DISCLOSURE,
                detail=f"a question of repeat group `{entry.group}` cannot be a quasi-identifier: k-anonymity "
                       "counts respondents, not items",
                fix="move it out of the group, or mark it `none` or `sensitive`")
        return
    try:
        _check_levels(q.kind.shape, bool(q.options()), role.levels, q)
    except BrokenHierarchy as exc:
        col.add(path, ErrorCode.BAD_DISCLOSURE, detail=f"broken hierarchy: {exc}", fix=_fix_for(role))


def _check_block(col: Collector, questionnaire: Questionnaire) -> None:
    block = questionnaire.disclosure
    shapes = {"submitted_date": Shape.DATE, "version": Shape.TEXT, "channel": Shape.TEXT}
    for name, role in block.added().items():
        path: Path_ = ("disclosure", name)
        if role is None:
            continue
        if role.also:
            col.add(path, ErrorCode.BAD_DISCLOSURE,
                    detail=f"`{role.role}` and `{role.also[0]}` both given: a column has one role", fix="keep one")
            continue
        try:
            _check_levels(shapes[name], False, role.levels, None)
        except BrokenHierarchy as exc:
            col.add(path, ErrorCode.BAD_DISCLOSURE, detail=f"`{name}`: broken hierarchy: {exc}", fix=_fix_for(role))
    for name, spec in block.profiles.items():
        path = ("disclosure", "profiles", name)
        for problem in profile_problems(spec.k, spec.suppression, spec.l):
            col.add(path, ErrorCode.BAD_DISCLOSURE, detail=f"profile `{name}`: {problem[0]}", fix=problem[1])


def profile_problems(k: object, suppression: object, l: object) -> list[tuple[str, str]]:  # noqa: E741
    """What is wrong with export parameters, each with its fix (shared by the file checks and the CLI flags)."""
    problems = []
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        problems.append((f"k = {k}: every combination of quasi-identifiers must be shared by at least one record",
                         "give k a whole number of 1 or more (5 is usual; 1 keeps rows unique)"))
    if isinstance(suppression, bool) or not isinstance(suppression, int | float) or not 0 <= suppression <= 100:
        problems.append((f"suppression = {suppression} %: a share of the records lies between 0 and 100 %",
                         "give a percentage between 0 and 100 (5 is usual)"))
    if isinstance(l, bool) or not isinstance(l, int) or l < 1:
        problems.append((f"l = {l}: ℓ-diversity counts distinct values, at least 1",
                         "give l a whole number of 1 or more (2 is usual)"))
    return problems


def check_disclosure(col: Collector, questionnaire: Questionnaire, entries: list[Entry]) -> None:
    """Every declared role and hierarchy, and the top-level block's columns and profiles."""
    for entry in entries:
        _check_question(col, entry)
    _check_block(col, questionnaire)
