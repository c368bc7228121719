"""The staff page's drop-out counts: the store's counts of form sessions, named by the versions' pages."""

from __future__ import annotations

from survey.aggregate import small_cells_of
from survey.dropouts import Dropouts, dropouts
from survey.schema.localise import localise
from survey.store import Store


def form_dropouts(store: Store, questionnaire_id: str, language: str) -> Dropouts | None:
    """Started, sent and where the unfinished stopped, page by page (pages of the current version first, in
    `language`); None for a questionnaire with no version."""
    current = store.current(questionnaire_id)
    if current is None:
        return None
    ids = store.version_ids(questionnaire_id)
    order = [current.version_id, *(vid for vid in reversed(ids.values()) if vid != current.version_id)]
    pages: dict[int, list[tuple[str, str]]] = {}
    for version_id in order:
        loaded = store.version(version_id)
        if loaded is None:
            continue
        shown = localise(loaded.questionnaire, language)
        pages[version_id] = [(page.id, f"{number}. {page.title or page.id}")
                             for number, page in enumerate(shown.pages, start=1)]
    counts = [(c.version_id, c.furthest_page, c.status, c.count) for c in store.form_funnel(questionnaire_id)]
    return dropouts(counts, pages, small_cells_of(current.questionnaire), language)
