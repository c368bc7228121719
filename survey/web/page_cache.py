"""What a respondent page reuses from one respondent to the next: the logic JSON and blank questions' HTML.

A question shown blank — no value, no error, not hidden by a choice filter in a way of its own — renders to the
same HTML for every respondent of a version and language. Rendering it once and reusing it halves the template
work of a page (README "Performance"). Everything the partial `_question.html` reads goes into the key, or
makes the question uncacheable: values and errors (never cached), `${…}` piping and per-respondent option order
(never cached), whether it is hidden, and which options a choice filter offers.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Mapping
from typing import Any

from markupsafe import Markup

from survey.codecs import codec
from survey.logic_json import questionnaire_logic
from survey.schema import Question, Questionnaire

FragmentKey = tuple[str, str, bool, tuple[str, ...] | None]


class _Entry:
    """What is kept for one (localised) questionnaire object."""

    def __init__(self, questionnaire: Questionnaire):
        self.questionnaire = questionnaire  # held so that its id() is not reused while the entry lives
        self.logic = questionnaire_logic(questionnaire)
        self.fragments: dict[FragmentKey, Markup] = {}


class PageCache:
    """Per questionnaire object: its logic JSON, and the HTML of its questions shown blank.

    Keyed by object identity: versions are localised once per language and kept (respond.py), so the same
    object comes back for every respondent. Staff previews build fresh objects; the cache drops its oldest
    questionnaires beyond `capacity` so that they cannot make it grow without end.
    """

    def __init__(self, capacity: int = 64):
        self.capacity = capacity
        self._entries: dict[int, _Entry] = {}
        self._lock = threading.Lock()

    def _entry(self, questionnaire: Questionnaire) -> _Entry:
        entry = self._entries.get(id(questionnaire))
        if entry is not None and entry.questionnaire is questionnaire:
            return entry
        entry = _Entry(questionnaire)
        with self._lock:
            while len(self._entries) >= self.capacity:
                del self._entries[next(iter(self._entries))]
            self._entries[id(questionnaire)] = entry
        return entry

    def logic(self, questionnaire: Questionnaire) -> str:
        """The questionnaire's logic JSON (`logic_json.questionnaire_logic`), built once per object."""
        return self._entry(questionnaire).logic

    def fragments(self, questionnaire: Questionnaire, language: str, values: Mapping[str, Any],
                  errors: Collection[str], hidden_fields: Collection[str],
                  offered: Mapping[str, list[str]]) -> QuestionFragments:
        """The blank-question HTML store of one page view, seeing that view's values, errors and logic."""
        return QuestionFragments(self._entry(questionnaire).fragments, language, values, errors, hidden_fields,
                                 offered)


class QuestionFragments:
    """The template's view of the cache for one page: `key(q)`, `get(key)`, `keep(key, html)`."""

    def __init__(self, store: dict[FragmentKey, Markup], language: str, values: Mapping[str, Any],
                 errors: Collection[str], hidden_fields: Collection[str], offered: Mapping[str, list[str]]):
        self._store = store
        self._language = language
        self._filled = {name.split("__", 1)[0] for name, value in values.items() if value}
        self._errors = errors
        self._hidden = hidden_fields
        self._offered = offered

    def key(self, question: Question) -> FragmentKey | None:
        """What the question's HTML depends on on this page, or None when it must be rendered afresh."""
        name = question.name
        if name in self._filled or name in self._errors or question.randomize or codec(question).group:
            return None
        if "${" in question.label or "${" in (question.help or ""):
            return None
        allowed = self._offered.get(name)
        return name, self._language, name in self._hidden, None if allowed is None else tuple(allowed)

    def get(self, key: FragmentKey | None) -> Markup | None:
        """The HTML kept for `key`, if any."""
        return None if key is None else self._store.get(key)

    def keep(self, key: FragmentKey | None, html: Markup) -> Markup:
        """Keep the HTML just rendered for `key` (when it has one) and give it back for the page.

        `html` is what the template captured with `{% set %}…{% endset %}`: Markup already, autoescaped.
        """
        if key is not None:
            self._store[key] = html
        return html
