"""Synthetic interviews for demos and tests (`survey seed GRID`).  PURE.

Notes are French sentences of the kind an interviewer types, with names from the mission's lists (people, places,
organisations) mixed in as people write them: as listed, in capitals, in lower case, without accents. Some
sentences are verbatim quotes (« … »); a few passages of each note are coded with codes of the grid's codebook.
Pseudonymisation is tested on them: every name a sentence received is listed with the interview.
"""

from __future__ import annotations

import json
import random
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from survey.schema.interview import InterviewGrid
from survey.synthetic import synthetic_answer

# Used when the mission lists none: the example mission's own kind of names.
_PEOPLE = ("Claire Morvan", "Karim Benali", "Sophie Le Gall", "Thomas Hervé", "Élodie Garnier")
_PLACES = ("La Garenne", "Bords de Loire", "Les Plantes", "Centre-ville")
_ORGANISATIONS = ("Comité de quartier de la Garenne", "Amicale laïque", "Centre social Émile-Zola")

_NOTES = (
    "D'après {personne}, la démarche est née d'une demande des habitants de {lieu}.",
    "{organisation} a relayé l'information, mais surtout auprès des habitués.",
    "Le service urbanisme ne se sentait pas concerné au début ; {personne} a dû insister.",
    "On a manqué de temps d'agent pour répondre aux propositions venues de {lieu}.",
    "Les réunions publiques ont surtout réuni des retraités ; les jeunes de {lieu} sont restés à l'écart.",
    "L'élu référent, {personne}, a tenu à ce que le budget soit voté avant l'été.",
    "Le partenariat avec {organisation} a permis de toucher des familles éloignées des institutions.",
    "Il n'y a pas eu de retour écrit aux participants sur ce qui a été retenu.",
    "La coordination entre la démocratie locale et la communication reste informelle.",
    "Les ateliers en pied d'immeuble à {lieu} ont mieux marché que les réunions en mairie.",
)
_QUOTES = (
    "« On a fait participer, mais on n'a pas dit ce qu'on faisait des avis. »",
    "« Sans {personne}, le projet ne serait jamais sorti des cartons. »",
    "« À {lieu}, les gens ne croient plus aux concertations. »",
    "« {organisation} connaît le quartier mieux que nous. »",
    "« Il faudrait une personne dédiée, pas un bout de poste. »",
)
_SUMMARIES = (
    "Démarche jugée utile mais peu suivie d'effets visibles ; attente d'un retour aux participants.",
    "Forte implication de l'élu·e, portage administratif fragile, coopération entre services à construire.",
    "Publics mobilisés peu diversifiés ; les relais associatifs sont la principale piste d'amélioration.",
)
_ROLES = {"elu": ("Maire adjoint·e", "Conseiller·e délégué·e"), "direction": ("Directeur·rice général·e adjoint·e",
          "Directeur·rice de l'urbanisme"), "agent": ("Chargé·e de mission", "Agent·e d'accueil")}
CHANNELS = ("face_to_face", "face_to_face", "telephone", "video")


@dataclass(frozen=True)
class SyntheticPassage:
    slot: str
    start: int
    end: int
    code: str
    is_quote: bool


@dataclass(frozen=True)
class SyntheticInterview:
    """An interview to store: its profile, its texts per slot, coded passages and the names put in its texts."""

    category: str
    site: str
    organisation: str
    role: str
    interviewee_name: str
    channel: str
    consent: bool
    texts: dict[str, str]
    passages: list[SyntheticPassage]
    names: list[str] = field(default_factory=list)  # as listed, before any change of case or accents


def _unaccented(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def written(name: str, rng: random.Random) -> str:
    """A name as someone might type it: as listed, in capitals, in lower case or without accents."""
    return rng.choice((name, name, name.upper(), name.lower(), _unaccented(name), _unaccented(name).lower()))


class _Writer:
    """Fills sentences with names, remembering which were used."""

    def __init__(self, grid: InterviewGrid, rng: random.Random):
        lists = grid.mission.lists if grid.mission else None
        self.rng = rng
        self.pools = {"personne": list(lists.people if lists and lists.people else _PEOPLE),
                      "lieu": list(lists.places if lists and lists.places else _PLACES),
                      "organisation": list(lists.organisations if lists and lists.organisations else _ORGANISATIONS)}
        self.names: list[str] = []

    def fill(self, template: str) -> str:
        values = {}
        for key, pool in self.pools.items():
            if "{" + key + "}" in template:
                name = self.rng.choice(pool)
                self.names.append(name)
                values[key] = written(name, self.rng)
        return template.format(**values)


def synthetic_interviews(grid: InterviewGrid, count: int, seed: int | None = None) -> list[SyntheticInterview]:
    """`count` interviews following `grid`, the same for the same seed."""
    rng = random.Random(seed)
    codes = [code.code for code, _ in grid.codes()]
    sites = [site.code for site in grid.profile.sites]
    made = []
    for _ in range(count):
        writer = _Writer(grid, rng)
        category = rng.choice(grid.profile.categories).code
        texts: dict[str, str] = {}
        passages: list[SyntheticPassage] = []
        for _, question in grid.questions():
            sentences = [writer.fill(rng.choice(_NOTES)) for _ in range(rng.randint(1, 3))]
            if rng.random() < 0.5:
                sentences.insert(rng.randint(0, len(sentences)), writer.fill(rng.choice(_QUOTES)))
            slot = f"note:{question.id}"
            texts[slot] = " ".join(sentences)
            passages.extend(_passages(slot, sentences, codes, rng))
        for theme in grid.themes:
            texts[f"summary:{theme.id}"] = rng.choice(_SUMMARIES)
        for _, question in grid.closed_questions():
            answer: Any = synthetic_answer(question, rng)
            if answer is not None:
                texts[f"closed:{question.name}"] = json.dumps(answer, ensure_ascii=False, default=str)
        person = rng.choice(writer.pools["personne"])
        made.append(SyntheticInterview(
            category=category, site=rng.choice(sites) if sites else "",
            organisation=rng.choice(writer.pools["organisation"]) if "organisation" in grid.profile.fields else "",
            role=rng.choice(_ROLES.get(category, ("Bénévole", "Habitant·e"))) if "role" in grid.profile.fields else "",
            interviewee_name=person, channel=rng.choice(CHANNELS), consent=rng.random() < 0.9, texts=texts,
            passages=passages, names=[person, *writer.names]))
    return made


def _passages(slot: str, sentences: list[str], codes: list[str], rng: random.Random) -> list[SyntheticPassage]:
    """Code a sentence or two of a note (quotes more often), at their places in the joined text."""
    if not codes:
        return []
    found, at = [], 0
    for sentence in sentences:
        quote = sentence.startswith("«")
        if quote or rng.random() < 0.4:
            found.append(SyntheticPassage(slot, at, at + len(sentence), rng.choice(codes), quote))
        at += len(sentence) + 1
    return found
