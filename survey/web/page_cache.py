"""What a respondent page reuses from one respondent to the next: the logic JSON, blank questions' HTML, and
whole pages shown blank.

A question shown blank — no value, no error, not hidden by a choice filter in a way of its own — renders to the
same HTML for every respondent of a version and language. Rendering it once and reusing it halves the template
work of a page (README "Performance"). Everything the partial `_question.html` reads goes into the key, or
makes the question uncacheable: values and errors (never cached), `${…}` piping and per-respondent option order
(never cached), whether it is hidden, and which options a choice filter offers.

A page whose questions are all kept that way, with nothing else of its own (no issue, notice or saved-form
link, no staff header), is itself kept whole: its text cut where the few values of each request go (the CSRF
token, the form's URL and hidden fields, the logic JSON with the answers so far). Serving it is joining those in.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Collection, Hashable, Mapping
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from survey.codecs import codec
from survey.logic_json import questionnaire_logic
from survey.schema import Question, Questionnaire

if TYPE_CHECKING:
    from survey.store_publishing import Branding

FragmentKey = tuple[str, str, bool, tuple[str, ...] | None]


def branding_key(branding: Branding | None) -> Hashable:
    """What a kept page's mission header depends on: the mission's branding as last saved (None: none)."""
    return None if branding is None else (branding.mission_id, branding.version)


class _Entry:
    """What is kept for one (localised) questionnaire object."""

    def __init__(self, questionnaire: Questionnaire):
        self.questionnaire = questionnaire  # held so that its id() is not reused while the entry lives
        self.logic = questionnaire_logic(questionnaire)
        self.fragments: dict[FragmentKey, Markup] = {}
        self.pages: dict[Hashable, Shell] = {}


class Shell:
    """A page's HTML cut where per-request values go: literal text at even positions, hole names at odd ones."""

    def __init__(self, parts: list[str]):
        self.parts = parts

    def fill(self, values: Mapping[str, str]) -> str:
        """The page with `values` in its holes, escaped as the template would (`Markup` goes in as it is)."""
        parts = self.parts.copy()
        for i in range(1, len(parts), 2):
            parts[i] = escape(values[parts[i]])
        return "".join(parts)


class PageCache:
    """Per questionnaire object: its logic JSON, and the HTML of its questions shown blank.

    Keyed by object identity: versions are localised once per language and kept (respond.py), so the same
    object comes back for every respondent. Staff previews build fresh objects; the cache drops its oldest
    questionnaires beyond `capacity` so that they cannot make it grow without end.
    """

    def __init__(self, capacity: int = 64, pages_per_questionnaire: int = 256):
        self.capacity = capacity
        self.pages_per_questionnaire = pages_per_questionnaire
        self._entries: dict[int, _Entry] = {}
        self._lock = threading.Lock()
        # Placeholders no questionnaire text can forge: private-use characters around a secret of this process.
        nonce = secrets.token_hex(8)
        self._mark = f"\ue000{nonce}:{{}}\ue001"
        self._cut = re.compile(f"\ue000{nonce}:([^\ue001]*)\ue001")

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

    def page(self, questionnaire: Questionnaire, key: Hashable | None, values: Mapping[str, str],
             draw: Callable[[Mapping[str, str]], str]) -> str:
        """A page's HTML: `draw(values)` renders it with these per-request values. With a `key` (everything else
        the page depends on, the caller's to say), it is drawn once with placeholders for the values, kept, and
        filled in from then on. Values are escaped as the template escapes them; pass `Markup` for `|safe` ones."""
        if key is None:
            return draw(values)
        pages = self._entry(questionnaire).pages
        shell = pages.get(key)
        if shell is None:
            marks = {name: Markup(self._mark.format(name)) for name in values}  # noqa: S704 (ours, no markup)
            parts = self._cut.split(draw(marks))
            if not set(parts[1::2]) <= set(values):
                return draw(values)  # cannot happen: the nonce is secret; drawn plainly all the same
            shell = Shell(parts)
            with self._lock:
                while len(pages) >= self.pages_per_questionnaire:
                    del pages[next(iter(pages))]
                pages[key] = shell
        return shell.fill(values)

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
