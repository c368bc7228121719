"""Interviews as consultants and exports see them: pseudonyms, typed placeholders, offsets that still fit.  PURE.

An interviewee is named by category and number (« Élu·e 1 ») and their name is never carried over. In every text
— notes, summaries, transcripts, the profile's organisation and role, the codebook's definitions and examples —
the names of the mission's lists, every interviewee's own name, e-mails, phone numbers and postal addresses are
replaced by typed placeholders (`survey.disclosure.scrub`, the same detectors as the questionnaires' free text:
« [PERSONNE] », « [LIEU] », « [ORGANISATION] », « [COURRIEL] », « [TÉLÉPHONE] », « [ADRESSE] »…).

A placeholder is not as long as the name it replaces, so a coded passage's offsets are worked out again in the
pseudonymised text: each boundary gets a marker character, the marked text is pseudonymised by the same
detectors, and the marker's place is the boundary's new offset. A marker that splits a name (a passage starting
in the middle of « Marie Dupont ») stops the name from being found; such a boundary is placed on the edge of the
placeholder that replaced the whole name instead, so the passage grows to cover the placeholder and the name never
leaks through the cut.
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from survey.disclosure.scrub import PLACEHOLDERS, MissionLists, scrub_series
from survey.interviews.model import CodeInfo, Corpus, Interview, ThemeInfo

_MARKERS = [chr(code) for code in range(0xE000, 0xE100)]  # private-use characters: never a letter or a separator


def corpus_lists(corpus: Corpus) -> MissionLists:
    """The mission's lists with every interviewee's name added to the people."""
    names = tuple(i.interviewee_name.strip() for i in corpus.interviews if i.interviewee_name.strip())
    lists = corpus.lists
    return MissionLists(tuple(dict.fromkeys((*lists.people, *names))), lists.places, lists.organisations)


def pseudonymise_texts(texts: list[str], lists: MissionLists) -> list[str]:
    """Each text with the personal data replaced by typed placeholders (one vectorised pass for all)."""
    if not texts:
        return []
    scrubbed, _ = scrub_series(pl.Series("text", texts, dtype=pl.String), lists)
    return scrubbed.to_list()


def _placeholders(text: str) -> list[tuple[int, int]]:
    """Where the placeholders sit in a pseudonymised text, in order."""
    spans = []
    for placeholder in PLACEHOLDERS.values():
        start = text.find(placeholder)
        while start >= 0:
            spans.append((start, start + len(placeholder)))
            start = text.find(placeholder, start + 1)
    return sorted(spans)


def _marked(text: str, boundaries: list[int], marker: str) -> str:
    """The text with the marker inserted at each boundary (sorted, distinct)."""
    pieces, last = [], 0
    for b in boundaries:
        pieces += [text[last:b], marker]
        last = b
    return "".join(pieces) + text[last:]


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def map_boundaries(bodies: list[str], boundaries: list[list[int]], lists: MissionLists
                   ) -> tuple[list[str], list[dict[int, tuple[int, int]]]]:
    """Pseudonymise `bodies` and map each body's boundary offsets to the pseudonymised text.

    A boundary maps to (low, high): equal when the boundary falls between two characters the pseudonymisation
    kept; the edges of the placeholder when it fell inside a replaced name (a passage starts at `low`, ends at
    `high`, so it grows to cover the placeholder)."""
    clean = pseudonymise_texts(bodies, lists)
    mapped: list[dict[int, tuple[int, int]]] = [{} for _ in bodies]
    markers = [next(m for m in _MARKERS if m not in body) for body in bodies]
    wanted = [sorted({min(max(b, 0), len(body)) for b in bs}) for body, bs in zip(bodies, boundaries, strict=True)]
    # Most passages cut no name: every boundary of a text marked at once, checked in one pass.
    together = pseudonymise_texts([_marked(body, bs, m) for body, bs, m in zip(bodies, wanted, markers, strict=True)],
                                  lists)
    alone: list[tuple[int, int]] = []  # (body, boundary) to place one at a time
    for index, (text, marker) in enumerate(zip(together, markers, strict=True)):
        if text.replace(marker, "") == clean[index] and text.count(marker) == len(wanted[index]):
            positions = [i - n for n, i in enumerate(i for i, c in enumerate(text) if c == marker)]
            mapped[index] = {b: (p, p) for b, p in zip(wanted[index], positions, strict=True)}
        else:
            alone += [(index, b) for b in wanted[index]]
    single = pseudonymise_texts([_marked(bodies[i], [b], markers[i]) for i, b in alone], lists)
    for (index, boundary), text in zip(alone, single, strict=True):
        marker, target = markers[index], clean[index]
        if marker in text and text.replace(marker, "") == target:
            position = text.index(marker)
            mapped[index][boundary] = (position, position)
            continue
        if marker not in text:  # swallowed with what a detector replaced (a URL takes any character): cut there
            text = pseudonymise_texts([bodies[index][:boundary]], lists)[0]
        diverge = _common_prefix(text.replace(marker, ""), target)
        before = [span for span in _placeholders(target) if span[0] <= diverge]
        mapped[index][boundary] = before[-1] if before else (min(diverge, len(target)),) * 2
    return clean, mapped


def _interview(interview: Interview, body_map: dict[str, str], bounds: dict[str, dict[int, tuple[int, int]]],
               loose: dict[int, str], profile: dict[str, str]) -> Interview:
    """The interview with its texts, passages and profile pseudonymised, its interviewee's name dropped."""
    segments = []
    for s in interview.segments:
        body = body_map.get(s.slot)
        if body is None or not s.attached:
            segments.append(replace(s, start=None, end=None, text=loose[s.id]))
            continue
        start, end = bounds[s.slot][_clamp(s.start, interview.texts[s.slot])][0], \
            bounds[s.slot][_clamp(s.end, interview.texts[s.slot])][1]
        end = max(start, end)
        segments.append(replace(s, start=start, end=end, text=body[start:end]))
    return replace(interview, interviewee_name="", texts=body_map, segments=tuple(segments),
                   organisation=profile["organisation"], role=profile["role"])


def _clamp(offset: int | None, body: str) -> int:
    return min(max(offset or 0, 0), len(body))


def pseudonymise_corpus(corpus: Corpus) -> Corpus:
    """The corpus as it may leave the platform: no interviewee name, every text pseudonymised, offsets remapped."""
    lists = corpus_lists(corpus)
    keys, bodies, cuts = [], [], []
    for interview in corpus.interviews:
        for slot, body in interview.texts.items():
            keys.append((interview.id, slot))
            bodies.append(body)
            cuts.append([b for s in interview.segments if s.slot == slot and s.attached
                         for b in (_clamp(s.start, body), _clamp(s.end, body))])
    clean, mapped = map_boundaries(bodies, cuts, lists)
    texts: dict[int, dict[str, str]] = {}
    bounds: dict[int, dict[str, dict[int, tuple[int, int]]]] = {}
    for (interview_id, slot), text, places in zip(keys, clean, mapped, strict=True):
        texts.setdefault(interview_id, {})[slot] = text
        bounds.setdefault(interview_id, {})[slot] = places
    # Everything else in one pass: passages no longer in their text, profiles, the codebook, and the guide's own
    # texts (a grid's title or a question may name the town or a service of the mission's lists).
    loose_segments = [s for i in corpus.interviews for s in i.segments
                      if not (s.attached and s.slot in i.texts)]
    others = [s.text for s in loose_segments]
    others += [t for i in corpus.interviews for t in (i.organisation, i.role)]
    others += [t for c in corpus.codes for t in (c.label, c.definition, c.example)]
    others += [corpus.title, *(t for theme in corpus.themes for t in (theme.title, *(q for _, q in theme.questions)))]
    done = iter(pseudonymise_texts(others, lists))
    loose = {s.id: next(done) for s in loose_segments}
    interviews = []
    for interview in corpus.interviews:
        profile = {"organisation": next(done), "role": next(done)}
        interviews.append(_interview(interview, texts.get(interview.id, {}), bounds.get(interview.id, {}), loose,
                                     profile))
    codes = tuple(CodeInfo(c.code, next(done), next(done), next(done), c.parent) for c in corpus.codes)
    title = next(done)
    themes = tuple(ThemeInfo(t.id, next(done), tuple((q, next(done)) for q, _ in t.questions)) for t in corpus.themes)
    return replace(corpus, title=title, themes=themes, interviews=tuple(interviews), codes=codes, pseudonymised=True)

