"""The interview grid model: a semi-structured interview guide with its codebook.  PURE.

A grid (`kind: interview` in a file of the questionnaires folder) says who is interviewed (categories and profile
fields), what is read out first (purpose, confidentiality, the consent question), the themes followed one by one
(main questions, relances, guidance, a suggested duration, optional closed questions of any questionnaire type)
and the hierarchical codebook notes and quotes are coded with. Texts, the mission and closed questions are those
of questionnaires (`survey.schema.model`), so they read, translate and code the same way.

What the interviewer types is kept per *slot* (`survey.store_interviews`): `note:<question id>`,
`summary:<theme id>`, `closed:<question name>` and `transcript`; `slots()` lists the ones a grid has.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from survey.schema.model import Choice, Language, Mission, Question, Slug, Text, _as_text

# Theme and question ids end up in slot names, export sheet names and REFI-QDA ids: lower case, `_` or `-`.
Key = Annotated[str, Field(pattern=r"^[a-z][a-z0-9]*([_-][a-z0-9]+)*$", max_length=48)]
# A code of the codebook: dotted segments say where it sits (`mobilisation.jeunes`), though `parent:` decides.
CodeName = Annotated[str, BeforeValidator(_as_text),
                     Field(pattern=r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$", max_length=64)]
ProfileField = Literal["organisation", "role", "site"]
PROFILE_FIELDS: tuple[str, ...] = ("organisation", "role", "site")
Minutes = Annotated[int, Field(ge=1, le=240)]

TRANSCRIPT = "transcript"  # the slot of an imported or typed transcript


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Category(_Model):
    """A kind of interviewee; pseudonyms are its `pseudonym` (or label) and a number: "Élu·e 3"."""

    code: Key = Field(description="Stable code of the category, e.g. `elu`")
    label: Text = Field(description="Name shown to staff, e.g. `Élu·e`")
    pseudonym: Text | None = Field(default=None, description="Word exports number interviewees with "
                                                              "(default: the label), e.g. `Élu·e` → `Élu·e 1`")


class Profile(_Model):
    """Who is interviewed: categories, the profile fields asked, and the sites of the mission."""

    categories: list[Category] = Field(min_length=1, description="Categories of interviewees")
    fields: list[ProfileField] = Field(default_factory=lambda: list(PROFILE_FIELDS),
                                       description="Profile fields asked: `organisation`, `role`, `site`")
    sites: list[Choice] = Field(default_factory=list, description="Sites (quartiers, communes, équipements) an "
                                "interview is about: `code`/`label` entries, or a CSV file beside the grid")

    def category(self, code: str) -> Category | None:
        """The category with this code, if the grid has one."""
        return next((c for c in self.categories if c.code == code), None)


class Introduction(_Model):
    """What the interviewer reads out before the first theme, ending with the consent question."""

    text: Text = Field(description="Purpose of the interview, confidentiality, how notes are used and kept")
    consent: Text = Field(description="The consent question asked before recording, e.g. « Acceptez-vous que "
                                      "l'entretien soit enregistré ? »")


class GridQuestion(_Model):
    """A main question of a theme, with its relances (follow-up prompts)."""

    id: Key = Field(description="Identifier, unique in the grid: notes are kept under it, e.g. `enjeux_1`")
    text: Text = Field(description="The question as the interviewer asks it")
    prompts: list[Text] = Field(default_factory=list, description="Relances: follow-up prompts, in order")
    guidance: Text = Field(default="", description="A note for the interviewer about this question")


class Theme(_Model):
    """A theme of the interview: its main questions, guidance and suggested duration."""

    id: Key = Field(description="Identifier, unique in the grid, e.g. `enjeux`")
    title: Text = Field(description="Title of the theme")
    duration: Minutes = Field(description="Suggested duration in minutes (1 to 240)")
    guidance: Text = Field(default="", description="What the interviewer should aim for in this theme")
    questions: list[GridQuestion] = Field(min_length=1, description="Main questions, in order")
    closed: list[Question] = Field(default_factory=list, description="Closed questions of any questionnaire type, "
                                   "asked in this theme (same fields as a questionnaire's questions)")


class Code(_Model):
    """A code of the codebook; children refine it."""

    code: CodeName = Field(description="Stable code, unique in the codebook, e.g. `mobilisation.jeunes`")
    label: Text = Field(description="Short name shown when coding")
    definition: Text = Field(description="When to apply the code (and when not to)")
    example: Text = Field(description="A typical passage this code applies to")
    parent: CodeName | None = Field(default=None, description="The code this one refines, when it is not written "
                                                               "inside that code's `children`")
    children: list[Code] = Field(default_factory=list, description="Codes that refine this one")


class InterviewGrid(_Model):
    """An interview grid (grille d'entretien) as written by a consultant."""

    kind: Literal["interview"] = Field(description="`interview`: this file is an interview grid")
    id: Slug = Field(description="Grid identifier, e.g. `entretiens-elus-cadres`")
    version: Annotated[str, BeforeValidator(_as_text), Field(min_length=1, max_length=32)] = Field(
        description="Version label; interviews record the version they followed")
    title: Text = Field(description="Title of the grid")
    language: Language = Field(default="fr", description="Default language: the one plain strings are in")
    languages: list[Language] = Field(default_factory=list, description="Every language the texts are given in")
    mission: Mission | None = Field(default=None, description="The evaluation mission it belongs to; its lists "
                                    "name the people, places and organisations exports pseudonymise")
    privacy_notice: Text = Field(description="How notes and recordings are used and kept (purpose, controller, "
                                             "retention, rights)")
    profile: Profile = Field(description="Interviewee categories, profile fields and sites")
    introduction: Introduction = Field(description="Read out first; ends with the consent question")
    themes: list[Theme] = Field(min_length=1, description="Themes, in the order they are followed")
    codebook: list[Code] = Field(default_factory=list, description="Hierarchical codes for notes and quotes")

    @property
    def all_languages(self) -> list[str]:
        """The default language first, then the others."""
        return [self.language, *(lang for lang in self.languages if lang != self.language)]

    @property
    def duration(self) -> int:
        """The suggested length of the whole interview, in minutes."""
        return sum(theme.duration for theme in self.themes)

    def questions(self) -> Iterator[tuple[Theme, GridQuestion]]:
        """Every main question with its theme, in order."""
        for theme in self.themes:
            for question in theme.questions:
                yield theme, question

    def closed_questions(self) -> Iterator[tuple[Theme, Question]]:
        """Every closed question with its theme, in order."""
        for theme in self.themes:
            for question in theme.closed:
                yield theme, question

    def codes(self) -> Iterator[tuple[Code, str | None]]:
        """Every code of the codebook with its parent's code (None at the top), parents before children when
        the hierarchy is written by nesting; `parent:` may name a code written later."""
        def walk(codes: list[Code], parent: str | None) -> Iterator[tuple[Code, str | None]]:
            for code in codes:
                yield code, code.parent or parent
                yield from walk(code.children, code.code)

        yield from walk(self.codebook, None)

    def slots(self) -> list[str]:
        """Every slot an interview following this grid can hold text in."""
        return [*(f"note:{q.id}" for _, q in self.questions()), *(f"summary:{t.id}" for t in self.themes),
                *(f"closed:{q.name}" for _, q in self.closed_questions()), TRANSCRIPT]


Code.model_rebuild()
