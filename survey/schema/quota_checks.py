"""`survey validate` on quotas: names unique, questions that exist and split respondents, cells that can occur.  PURE.
"""

from __future__ import annotations

from survey.errors import ErrorCode
from survey.schema.checks import check_text
from survey.schema.model import Questionnaire
from survey.schema.problems import Collector, suggest
from survey.schema.quotas import QUOTA_TYPES, cell_codes

_FIX_TYPE = f"choose a question of type {', '.join(f'`{t}`' for t in QUOTA_TYPES)}: one code per respondent"


def check_quotas(col: Collector, questionnaire: Questionnaire) -> None:
    """Every quota: a unique name, known top-level questions with one code per answer, cells with known codes."""
    top = {q.name: q for q in questionnaire.questions()}
    inner = {q.name for q in questionnaire.all_questions()} - set(top)
    seen: set[str] = set()
    for i, quota in enumerate(questionnaire.quotas):
        path = ("quotas", i)
        if quota.name in seen:
            col.add(path + ("name",), ErrorCode.BAD_QUOTA, detail=f"the name `{quota.name}` is used twice",
                    fix="give each quota its own `name`")
        seen.add(quota.name)
        check_text(col, quota.message, path + ("message",), questionnaire.all_languages)
        usable = True
        for j, name in enumerate(quota.questions):
            where = path + ("questions", j)
            if quota.questions.index(name) != j:
                col.add(where, ErrorCode.BAD_QUOTA, detail=f"quota `{quota.name}` names `{name}` twice",
                        fix="name each question once")
            elif name in inner:
                col.add(where, ErrorCode.BAD_QUOTA, detail=f"`{name}` is inside a repeat group, answered "
                        "several times", fix="use a question asked once per respondent")
            elif name not in top:
                col.add(where, ErrorCode.BAD_QUOTA, detail=f"quota `{quota.name}`: no question is named `{name}`",
                        fix=f"name a question of the questionnaire{suggest(name, list(top))}")
            elif cell_codes(top[name]) is None:
                col.add(where, ErrorCode.BAD_QUOTA, detail=f"`{name}` (type `{top[name].type}`) does not split "
                        "respondents into cells", fix=_FIX_TYPE)
            else:
                continue
            usable = False
        if quota.cells and not quota.questions:
            col.add(path + ("cells",), ErrorCode.BAD_QUOTA, detail=f"quota `{quota.name}` has `cells` but no "
                    "`questions`", fix="add `questions:` to split respondents, or remove `cells:`")
        elif usable:
            _check_cells(col, quota, path, top)


def _check_cells(col: Collector, quota, path, top) -> None:  # noqa: ANN001
    """Each cell gives one known code for every question of its quota, and no cell is given twice."""
    keys: set[str] = set()
    for k, cell in enumerate(quota.cells):
        where = path + ("cells", k, "when")
        names = set(cell.when)
        if names != set(quota.questions):
            missing, extra = sorted(set(quota.questions) - names), sorted(names - set(quota.questions))
            detail = (f"the cell gives no code for `{missing[0]}`" if missing
                      else f"`{extra[0]}` is not one of quota `{quota.name}`'s questions")
            col.add(where, ErrorCode.BAD_QUOTA, detail=detail,
                    fix=f"give one code for each of: {', '.join(quota.questions)}")
            continue
        for name, code in cell.when.items():
            codes = cell_codes(top[name]) or frozenset()
            if code not in codes:
                col.add(where + (name,), ErrorCode.BAD_QUOTA, detail=f"`{code}` is not a code of `{name}`",
                        fix=f"use one of: {', '.join(sorted(codes)[:12])}{suggest(code, codes)}")
        key = quota.cell_key(tuple(cell.when[name] for name in quota.questions))
        if key in keys:
            col.add(where, ErrorCode.BAD_QUOTA, detail="this cell is given twice", fix="keep one of them")
        keys.add(key)
