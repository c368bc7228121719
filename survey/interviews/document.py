"""One interview as one plain text: its notes and summaries under their themes and questions, then its transcript.

PURE. The REFI-QDA project and the exports' sources are this text; a passage of slot `s` at `start`/`end` sits
at `offsets[s] + start` in it. Questions and themes with nothing written are left out.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.interviews.model import Corpus, Interview, pseudonym

SUMMARY_LABEL = "Synthèse du thème"
TRANSCRIPT_LABEL = "Transcription"
CLOSED_LABEL = "Réponse fermée"


@dataclass(frozen=True)
class Document:
    """An interview's text and where each slot's body starts in it."""

    name: str
    text: str
    offsets: dict[str, int]

    def position(self, slot: str, offset: int) -> int | None:
        """A slot offset as an offset in the whole text (None when the slot is not in it)."""
        return None if slot not in self.offsets else self.offsets[slot] + offset


def interview_document(corpus: Corpus, interview: Interview) -> Document:
    """The interview's texts in guide order, each under a heading line (see the module)."""
    parts: list[str] = []
    offsets: dict[str, int] = {}
    length = 0

    def add(line: str, slot: str | None = None) -> None:
        nonlocal length
        if slot is not None:
            offsets[slot] = length
        parts.append(line + "\n")
        length += len(line) + 1

    texts = interview.texts
    name = pseudonym(corpus, interview)
    add(name)
    placed: set[str] = set()
    for theme in corpus.themes:
        filled = [s for s in theme.slots() if texts.get(s, "").strip()]
        if not filled:
            continue
        add("")
        add(f"## {theme.title}")
        for question_id, question in theme.questions:
            slot = f"note:{question_id}"
            if slot in filled:
                add(f"### {question}")
                add(texts[slot], slot)
        if f"summary:{theme.id}" in filled:
            add(f"### {SUMMARY_LABEL}")
            add(texts[f"summary:{theme.id}"], f"summary:{theme.id}")
        placed.update(theme.slots())
    rest = sorted(s for s in texts if s not in placed and texts[s].strip() and s != "profile")
    for slot in sorted(rest, key=lambda s: (s != "transcript", s)):
        add("")
        label = TRANSCRIPT_LABEL if slot == "transcript" else f"{CLOSED_LABEL} {slot.partition(':')[2]}" \
            if slot.startswith("closed:") else slot
        add(f"## {label}")
        add(texts[slot], slot)
    return Document(name, "".join(parts), offsets)
