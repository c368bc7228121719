"""Coded passages as readers meet them: each with its interviewee's pseudonym and profile; grouped by code.  PURE."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from survey.interviews.model import CodeInfo, Corpus, Interview, Segment, pseudonym


@dataclass(frozen=True)
class Filters:
    """Which interviews an analysis view keeps: a category code and a site, blank for all."""

    category: str = ""
    site: str = ""

    def keeps(self, interview: Interview) -> bool:
        """Whether the interview passes the filters."""
        return (not self.category or interview.category == self.category) and (
            not self.site or interview.site == self.site)


ALL = Filters()  # every interview


@dataclass(frozen=True)
class Quote:
    """A coded passage (or a verbatim quote) with who said it: pseudonym and profile, never a name."""

    interview_id: int
    segment_id: int
    pseudonym: str
    category: str
    category_label: str
    site: str
    organisation: str
    role: str
    slot: str
    theme_id: str  # the theme its slot (or, for a transcript, its code) belongs to; "" when none
    text: str
    is_quote: bool
    codes: tuple[str, ...]
    start: int | None
    end: int | None


def slot_themes(corpus: Corpus) -> dict[str, str]:
    """Text slot → theme id, for the slots a theme owns (its questions' notes and its summary)."""
    return {slot: theme.id for theme in corpus.themes for slot in theme.slots()}


def root_code(corpus: Corpus, code: str) -> str:
    """The top-level code a code sits under (itself at the top)."""
    info = corpus.code_info(code)
    seen = 0
    while info is not None and info.parent is not None and seen < len(corpus.codes):
        parent = corpus.code_info(info.parent)
        if parent is None:
            break
        info, seen = parent, seen + 1
    return info.code if info is not None else code


def theme_of(corpus: Corpus, segment: Segment, slots: dict[str, str]) -> str:
    """The theme a passage belongs to: its slot's; for a transcript or a closed answer, the first of its codes whose
    top-level code is named like a theme (a codebook usually opens with one code per theme)."""
    if segment.slot in slots:
        return slots[segment.slot]
    theme_ids = {t.id for t in corpus.themes}
    return next((root for root in (root_code(corpus, c) for c in segment.codes) if root in theme_ids), "")


def quotes(corpus: Corpus, filters: Filters = ALL) -> Iterator[Quote]:
    """Every coded passage and every verbatim quote of the interviews kept, interview by interview."""
    slots = slot_themes(corpus)
    for interview in ordered(corpus, filters):
        name = pseudonym(corpus, interview)
        for s in sorted(interview.segments, key=lambda s: (s.slot, s.start if s.start is not None else -1, s.id)):
            if not (s.codes or s.is_quote):
                continue
            yield Quote(interview.id, s.id, name, interview.category, corpus.category_label(interview.category),
                        interview.site, interview.organisation, interview.role, s.slot, theme_of(corpus, s, slots),
                        s.text, s.is_quote, s.codes, s.start, s.end)


def ordered(corpus: Corpus, filters: Filters = ALL) -> list[Interview]:
    """The interviews kept by the filters, in the grid's category order, then by number."""
    rank = {c.code: n for n, c in enumerate(corpus.categories)}
    kept = [i for i in corpus.interviews if filters.keeps(i)]
    return sorted(kept, key=lambda i: (rank.get(i.category, len(rank)), i.category, i.number, i.id))


@dataclass(frozen=True)
class CodeQuotes:
    """A code of the codebook (depth: its level in the tree) and the passages tagged with it."""

    code: CodeInfo
    depth: int
    quotes: tuple[Quote, ...]


def all_codes(corpus: Corpus) -> list[CodeInfo]:
    """The codebook as a tree, then any code a passage carries that the codebook no longer has."""
    tree = list(corpus.code_tree())
    known = {c.code for c in tree}
    strays = sorted({c for i in corpus.interviews for s in i.segments for c in s.codes} - known)
    return tree + [CodeInfo(code, code) for code in strays]


def quotes_by_code(corpus: Corpus, filters: Filters = ALL) -> list[CodeQuotes]:
    """For each code, tree order, every passage tagged with it (directly: a parent does not gather its children's)."""
    found = list(quotes(corpus, filters))
    return [CodeQuotes(info, corpus.depth(info.code), tuple(q for q in found if info.code in q.codes))
            for info in all_codes(corpus)]
