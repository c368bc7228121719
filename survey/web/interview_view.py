"""What the interviewer pages show, built once from the stored interview and its grid version: the guide in the
page's language, each text slot with its revision and coded passages, the codebook with its keyboard keys, the
audit trail, and the JSON block interview.js starts from. Handlers (survey/web/interviews.py) only pick a page."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from markupsafe import escape

from survey.form_input import form_values
from survey.messages import translate
from survey.response_view import readable
from survey.schema import Question
from survey.schema.interview import TRANSCRIPT, InterviewGrid
from survey.schema.localise import text_in
from survey.store_codebook import StoredCode
from survey.store_interviews import TEXT_MAX, AuditEntry, Interview
from survey.web.interview_saves import Conflict

# Keys of the code palette, in codebook order: pressed alone once the palette is open (Alt+K).
CODE_KEYS = "123456789abcdefghijlmnoprstuvwxyz"  # no k or q: they open the palette and mark a quote
# What interview.js needs to say, in the page's language.
SCRIPT_TEXTS = ("save_status_saved", "save_status_saving", "save_status_offline", "save_status_conflict",
                "save_status_error", "save_status_restored", "conflict_title", "conflict_theirs", "conflict_yours",
                "conflict_keep_mine", "conflict_take_theirs", "conflict_merge", "select_first", "segment_quote",
                "segment_untag", "interview_theme_spent", "interview_theme_left", "interview_theme_over",
                "interview_minutes")
PROFILE_LABELS = {"category": "interview_category", "organisation": "interview_organisation", "role": "interview_role",
                  "site": "interview_site", "interviewee_name": "interview_name", "channel": "interview_channel",
                  "consent": "interview_consent_field"}


@dataclass(frozen=True)
class SlotView:
    """One text slot as the page shows it; `conflict` is the stored text when a no-JS save was refused."""

    name: str
    title: str  # where it is, for the conflict summary and the quote form: "Notes — question …"
    body: str
    revision: int
    segments: list[Any] = field(default_factory=list)
    conflict: str | None = None
    limit: int = TEXT_MAX

    @property
    def dom(self) -> str:
        """The slot as a piece of an HTML id: `note:enjeux_1` → `note-enjeux_1`."""
        return self.name.replace(":", "-")


@dataclass(frozen=True)
class CodeView:
    id: int
    code: str
    label: str
    definition: str
    example: str
    depth: int
    key: str  # "" beyond the keys there are


def localiser(grid: InterviewGrid, language: str):  # noqa: ANN201
    """`tx(text)`: a grid text in the page's language (the grid's own where it has no translation)."""
    return lambda value: text_in(value, language, grid.language) if value is not None else ""


def paragraphs(text: str) -> list[str]:
    return [part.strip() for part in str(text).split("\n\n") if part.strip()]


def pseudonym(grid: InterviewGrid, interview: Interview, language: str) -> str:
    """« Élu·e 3 »: the category's pseudonym word (or label) and the interview's number."""
    category = grid.profile.category(interview.category)
    word = (category.pseudonym or category.label) if category else interview.category
    return f"{text_in(word, language, grid.language)} {interview.number}"


def profile_items(grid: InterviewGrid, interview: Interview, language: str, interviewer: str) -> list[tuple[str, str]]:
    """(label, value) pairs of the profile, empty ones left out, for the line under the title and the list."""
    t = lambda key: translate(key, language)  # noqa: E731
    tx = localiser(grid, language)
    category = grid.profile.category(interview.category)
    site = next((tx(s.label) for s in grid.profile.sites if s.code == interview.site), interview.site)
    items = [(t("interview_category"), tx(category.label) if category else interview.category),
             (t("interview_organisation"), interview.organisation), (t("interview_role"), interview.role),
             (t("interview_site"), site), (t("interview_channel"), t(f"channel_{interview.channel}")),
             (t("interview_col_interviewer"), interviewer)]
    return [(label, value) for label, value in items if value]


def code_views(codes: list[StoredCode]) -> list[CodeView]:
    """The codebook in order, each code with its depth in the tree and its palette key."""
    by_id = {code.id: code for code in codes}

    def depth(code: StoredCode) -> int:
        level, seen = 0, {code.id}
        while code.parent_id is not None and code.parent_id in by_id and code.parent_id not in seen:
            code = by_id[code.parent_id]
            seen.add(code.id)
            level += 1
        return level

    return [CodeView(code.id, code.code, code.label, code.definition, code.example, min(depth(code), 3),
                     CODE_KEYS[i] if i < len(CODE_KEYS) else "") for i, code in enumerate(codes)]


def closed_question(question: Question, tx: Any) -> Question:
    """A closed question with its texts in the page's language (label, help, options)."""
    data = question.model_dump()
    for name in ("label", "help", "unit", "constraint_message"):
        if isinstance(data.get(name), dict):
            data[name] = tx(data[name])
    for choice in data.get("choices") or []:
        choice["label"] = tx(choice["label"])
    for item in data.get("items") or []:
        item["label"] = tx(item["label"])
    if data.get("scale"):
        data["scale"] = [tx(point) for point in data["scale"]]
    return Question.model_validate(data)


def closed_answer(stored: str) -> dict[str, Any]:
    """A closed slot's stored body (JSON of the answer keys) as a mapping; {} when empty."""
    try:
        value = json.loads(stored) if stored else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def closed_fields(question: Question, stored: str) -> dict[str, list[str]]:
    """The form fields that show a closed slot's stored answer."""
    answer = closed_answer(stored)
    values = form_values(question, answer.get(question.name))
    if answer.get(f"{question.name}__other"):
        values[f"{question.name}__other"] = [str(answer[f"{question.name}__other"])]
    return values


def closed_text(question: Question, stored: str, language: str) -> str:
    """A closed slot's stored answer as a person reads it."""
    answer = closed_answer(stored)
    return readable(question, answer.get(question.name), lambda key, **p: translate(key, language, **p))


@dataclass
class InterviewPage:
    """Everything staff_interview.html shows."""

    grid: InterviewGrid
    interview: Interview
    language: str
    codes: list[StoredCode]
    emails: dict[int, str]
    audit: list[AuditEntry]

    def context(self, conflicts: dict[str, Conflict] | None = None, *, notice: str = "",
                problems: list[tuple[str, str]] | None = None, quote: dict[str, Any] | None = None,
                save_id: str = "", csrf: str = "") -> dict[str, Any]:
        """The template's context; `conflicts` are the slots a no-JS save was refused on: the field keeps the
        interviewer's text, based on the stored revision, with the stored text shown above it."""
        conflicts = conflicts or {}
        lang, grid, interview = self.language, self.grid, self.interview
        tx = localiser(grid, lang)
        codes = code_views(self.codes)
        by_slot: dict[str, list[Any]] = {}
        for segment in interview.segments:
            by_slot.setdefault(segment.slot, []).append(segment)
        themes = self._themes(tx)
        titles = self._slot_titles(themes)
        closed = {f"closed:{q.name}": q for theme in themes for q in theme["closed"]}
        values: dict[str, list[str]] = {}
        for name, question in closed.items():
            values.update(closed_fields(question, interview.body(name)))
        slots: dict[str, SlotView] = {}
        for name in grid.slots():
            found, segments = conflicts.get(name), by_slot.get(name, [])
            if found is None:
                slots[name] = SlotView(name, titles[name], interview.body(name), interview.revision(name), segments)
            elif name in closed:
                slots[name] = SlotView(name, titles[name], "", found.revision,
                                       conflict=closed_text(closed[name], found.stored, lang))
                values.update(found.fields or {})
            else:
                slots[name] = SlotView(name, titles[name], found.yours, found.revision, segments, found.stored)
        interviewer = self.emails.get(interview.interviewer_id or -1, "")
        return {
            "iv": self._interview(interviewer), "grid": self._grid(tx, themes), "slots": slots,
            "codes": codes, "codes_by_id": {code.id: code for code in codes},
            "conflicts": [slots[name] for name in conflicts],
            "quote_slots": [(name, titles[name]) for name in grid.slots() if not name.startswith("closed:")],
            "quote": quote or {"slot": "", "text": "", "is_quote": True, "codes": []},
            "audit": self._audit(titles), "notice": notice, "problems": problems or [], "save_id": save_id,
            "base_url": f"/staff/interviews/{interview.id}",
            # _question.html's context for the closed questions
            "prefix": "", "values": values, "errors": {}, "hidden_fields": set(), "offered": {},
            "ordered": lambda q: list(q.options()), "piped": escape, "repeat_counts": {}, "repeat_fixed": {},
            "data": self._script_data(codes, csrf),
        }

    def _themes(self, tx: Any) -> list[dict[str, Any]]:
        return [{"id": theme.id, "title": tx(theme.title), "duration": theme.duration,
                 "guidance": paragraphs(tx(theme.guidance)),
                 "questions": [{"id": q.id, "text": tx(q.text), "guidance": tx(q.guidance),
                                "prompts": [tx(p) for p in q.prompts]} for q in theme.questions],
                 "closed": [closed_question(q, tx) for q in theme.closed]} for theme in self.grid.themes]

    def _slot_titles(self, themes: list[dict[str, Any]]) -> dict[str, str]:
        t = lambda key: translate(key, self.language)  # noqa: E731
        titles = {TRANSCRIPT: t("transcript_title")}
        for number, theme in enumerate(themes, start=1):
            for question in theme["questions"]:
                text = question["text"] if len(question["text"]) <= 70 else question["text"][:69] + "…"
                titles[f"note:{question['id']}"] = f"{number}. {t('interview_notes')} — {text}"
            titles[f"summary:{theme['id']}"] = f"{number}. {t('interview_summary')} — {theme['title']}"
            for question in theme["closed"]:
                titles[f"closed:{question.name}"] = f"{number}. {question.label}"
        return titles

    def _interview(self, interviewer: str) -> dict[str, Any]:
        interview = self.interview
        now = interview.completed_at or dt.datetime.now(dt.UTC)
        return {"id": interview.id, "pseudonym": pseudonym(self.grid, interview, self.language),
                "profile": profile_items(self.grid, interview, self.language, interviewer),
                "complete": interview.complete, "consent": interview.consent,
                "started_iso": interview.started_at.isoformat(),
                "completed_iso": interview.completed_at.isoformat() if interview.completed_at else "",
                "completed_date": interview.completed_at.strftime("%d/%m/%Y") if interview.completed_at else "",
                "completed_time": interview.completed_at.strftime("%H:%M") if interview.completed_at else "",
                "elapsed": max(0, int((now - interview.started_at).total_seconds() // 60))}

    def _grid(self, tx: Any, themes: list[dict[str, Any]]) -> dict[str, Any]:
        grid = self.grid
        return {"id": grid.id, "title": tx(grid.title), "minutes": grid.duration, "themes": themes,
                "introduction": paragraphs(tx(grid.introduction.text)), "consent": tx(grid.introduction.consent),
                "privacy": paragraphs(tx(grid.privacy_notice))}

    def _audit(self, titles: dict[str, str]) -> list[dict[str, str]]:
        """The trail in words: a slot by its place in the guide, the status and profile fields by their labels."""
        t = lambda key: translate(key, self.language)  # noqa: E731
        rows = []
        for entry in self.audit:
            field, before, after = titles.get(entry.slot, entry.slot), entry.before, entry.after
            if entry.slot == "status":
                field = t("interview_col_status")
                before, after = (t(f"interview_status_{v}") if v else "" for v in (before, after))
            elif entry.slot.startswith("profile:"):
                key = PROFILE_LABELS.get(entry.slot.removeprefix("profile:"))
                field = t(key) if key else entry.slot
            elif entry.slot.startswith("passage:"):
                slot = entry.slot.removeprefix("passage:")
                field = translate("interview_audit_passage", self.language, slot=titles.get(slot, slot))
            rows.append({"when": entry.at.strftime("%d/%m/%Y %H:%M:%S"), "who": self.emails.get(entry.staff_id or -1,
                                                                                                   "—"),
                         "field": field, "before": before, "after": after})
        return rows

    def _script_data(self, codes: list[CodeView], csrf: str) -> dict[str, Any]:
        """The JSON block interview.js starts from (texts, codes, revisions); never executed by the browser."""
        interview = self.interview
        return {"id": interview.id, "base": f"/staff/interviews/{interview.id}", "csrf": csrf,
                "complete": interview.complete, "language": self.language,
                "texts": {key: translate(key, self.language) for key in SCRIPT_TEXTS},
                "codes": [{"id": c.id, "label": c.label, "key": c.key} for c in codes],
                "revisions": {name: interview.revision(name) for name in self.grid.slots()},
                "themes": {theme.id: theme.duration for theme in self.grid.themes}}
