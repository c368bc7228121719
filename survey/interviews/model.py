"""What the analysis of an interview grid reads: its themes, codebook and interviews, as plain data.  PURE.

The store's rows are mapped onto these classes once (`survey.interview_analysis`); every builder of this package
(matrix, quotes, frequencies, pseudonymisation, REFI-QDA) reads them and nothing else, so the builders are
tested with hand-written corpora and the exports with stored ones alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from survey.disclosure.scrub import MissionLists


@dataclass(frozen=True)
class Category:
    """An interviewee category: its code and the label pseudonyms are made of (« Élu·e » → « Élu·e 1 »)."""

    code: str
    label: str


@dataclass(frozen=True)
class ThemeInfo:
    """A theme of the guide: its questions' ids, so that notes can be placed under it."""

    id: str
    title: str
    questions: tuple[tuple[str, str], ...] = ()  # (question id, question text), in guide order

    @property
    def question_ids(self) -> tuple[str, ...]:
        return tuple(q for q, _ in self.questions)

    def slots(self) -> tuple[str, ...]:
        """The text slots of an interview that belong to the theme: its questions' notes and its summary."""
        return (*(f"note:{q}" for q in self.question_ids), f"summary:{self.id}")


@dataclass(frozen=True)
class CodeInfo:
    """A code of the codebook; `parent` is the parent's code (None at the top)."""

    code: str
    label: str
    definition: str = ""
    example: str = ""
    parent: str | None = None


@dataclass(frozen=True)
class Segment:
    """A coded passage of one text slot: `start`/`end` index the slot's body (None once the passage is gone)."""

    id: int
    slot: str
    start: int | None
    end: int | None
    text: str
    is_quote: bool = False
    codes: tuple[str, ...] = ()

    @property
    def attached(self) -> bool:
        """Whether the passage still has a place in its text."""
        return self.start is not None and self.end is not None


@dataclass(frozen=True)
class Interview:
    """One interview: the interviewee's profile, its texts by slot and its coded passages."""

    id: int
    number: int  # per grid and category: « Élu·e 3 »
    category: str
    site: str = ""
    organisation: str = ""
    role: str = ""
    interviewee_name: str = ""  # for staff only: never exported, replaced wherever it appears
    status: str = "in_progress"
    channel: str = ""
    texts: dict[str, str] = field(default_factory=dict)  # slot → body
    segments: tuple[Segment, ...] = ()


@dataclass(frozen=True)
class Corpus:
    """A grid's analysis material: its guide, codebook, mission rules and interviews."""

    grid_id: str
    title: str
    themes: tuple[ThemeInfo, ...]
    categories: tuple[Category, ...]
    codes: tuple[CodeInfo, ...]  # in codebook order, a parent before its children
    interviews: tuple[Interview, ...]
    lists: MissionLists = field(default_factory=MissionLists)
    small_cells: int = 11
    version: str = ""
    site_names: dict[str, str] = field(default_factory=dict)  # site code → its name in the grid
    pseudonymised: bool = False  # set by `pseudonymise.pseudonymise_corpus`: what consultants and exports get

    def category_label(self, code: str) -> str:
        """A category's label (its code when the grid does not list it)."""
        return next((c.label for c in self.categories if c.code == code), code)

    def code_info(self, code: str) -> CodeInfo | None:
        """The codebook entry of a code, None when it is not in the codebook."""
        return next((c for c in self.codes if c.code == code), None)

    def depth(self, code: str) -> int:
        """How deep a code sits in the codebook tree (0 at the top)."""
        depth, info = 0, self.code_info(code)
        while info is not None and info.parent is not None and depth < len(self.codes):
            depth, info = depth + 1, self.code_info(info.parent)
        return depth

    def code_tree(self) -> Iterator[CodeInfo]:
        """The codes depth first, each parent followed by its children, siblings in codebook order."""
        children: dict[str | None, list[CodeInfo]] = {}
        known = {c.code for c in self.codes}
        for info in self.codes:
            children.setdefault(info.parent if info.parent in known else None, []).append(info)

        def walk(parent: str | None) -> Iterator[CodeInfo]:
            for info in children.get(parent, []):
                yield info
                yield from walk(info.code)

        yield from walk(None)

    def site_name(self, code: str) -> str:
        """A site's name (its code when the grid does not name it)."""
        return self.site_names.get(code, code)

    def sites(self) -> list[str]:
        """The interviews' sites, sorted, blanks left out."""
        return sorted({i.site for i in self.interviews if i.site})


def pseudonym(corpus: Corpus, interview: Interview) -> str:
    """The interviewee as the exports name them: category label and number (« Agent·e 3 »)."""
    return f"{corpus.category_label(interview.category)} {interview.number}"
