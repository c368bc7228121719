"""A stored interview grid as the analysis reads it: the store's rows → `survey.interviews.model.Corpus`, and the
grid's export zip written from it (pseudonymised, always).

This is the one place that knows both the store's interview classes and the pure analysis model; the web pages
and `survey export GRID` call it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from survey.disclosure.scrub import MissionLists
from survey.export.interviews import check_format, write_interview_archive
from survey.interviews.model import Category, CodeInfo, Corpus, Interview, Segment, ThemeInfo
from survey.interviews.pseudonymise import pseudonymise_corpus
from survey.schema.localise import text_in


class UnknownGrid(LookupError):
    """No interview grid has this id."""


def load_corpus(store: Any, grid_id: str, *, include_synthetic: bool = False, language: str | None = None
                ) -> Corpus | None:
    """The grid's current guide, its codebook as recoded and its interviews (synthetic ones only if asked);
    None when there is no such grid. Texts of the guide in `language` (the grid's own by default)."""
    loaded = store.grid(grid_id)
    if loaded is None:
        return None
    grid = loaded.grid
    lang = language or grid.language

    def text(value: Any) -> str:
        return str(text_in(value, lang, grid.language) or "")

    themes = tuple(ThemeInfo(t.id, text(t.title), tuple((q.id, text(q.text)) for q in t.questions))
                   for t in grid.themes)
    categories = tuple(Category(c.code, text(c.pseudonym or c.label)) for c in grid.profile.categories)
    stored_codes = store.codes(grid_id)
    names = {c.id: c.code for c in stored_codes}
    codes = tuple(CodeInfo(c.code, c.label, c.definition, c.example, names.get(c.parent_id))
                  for c in sorted(stored_codes, key=lambda c: (c.position, c.id)))
    interviews = tuple(
        Interview(i.id, i.number, i.category, i.site or "", i.organisation or "", i.role or "",
                  i.interviewee_name or "", i.status, i.channel or "",
                  {slot: stored.body for slot, stored in i.texts.items()},
                  tuple(Segment(s.id, s.slot, s.start, s.end, s.text, s.is_quote,
                                tuple(names[c] for c in s.code_ids if c in names)) for s in i.segments))
        for i in store.interviews(grid_id, include_synthetic=include_synthetic))
    mission = grid.mission
    lists = MissionLists(tuple(mission.lists.people), tuple(mission.lists.places),
                         tuple(mission.lists.organisations)) if mission else MissionLists()
    sites = {choice.code: text(choice.label) for choice in grid.profile.sites}
    return Corpus(grid.id, text(grid.title), themes, categories, codes, interviews, lists,
                  mission.small_cells if mission else 11, grid.version, sites)


def write_grid_export(store: Any, grid_id: str, fmt: str, output: Path, *, include_synthetic: bool = False) -> Path:
    """Write the grid's pseudonymised export zip at `output` (see survey.export.interviews); raises UnknownGrid,
    ExportError for a format grids do not have, OSError when the file cannot be written."""
    check_format(fmt)  # before any work
    corpus = load_corpus(store, grid_id, include_synthetic=include_synthetic)
    if corpus is None:
        raise UnknownGrid(grid_id)
    return write_interview_archive(pseudonymise_corpus(corpus), fmt, output, dt.datetime.now(dt.UTC))
