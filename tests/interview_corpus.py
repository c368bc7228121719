"""A small interview corpus written by hand, for the analysis tests (names from a mission's lists inside)."""

from __future__ import annotations

from survey.disclosure.scrub import MissionLists
from survey.interviews.model import Category, CodeInfo, Corpus, Interview, Segment, ThemeInfo

LISTS = MissionLists(people=("Marie Dupont", "Zoé Lefèvre"), places=("Saint-Aubin", "Les Tilleuls"),
                     organisations=("Maison des Jeunes",))
THEMES = (
    ThemeInfo("enjeux", "Les enjeux", (("enjeux_1", "Pourquoi une démarche participative ?"),)),
    ThemeInfo("mobilisation", "Mobiliser les publics", (("mob_1", "Qui a participé ?"), ("mob_2", "Qui manquait ?"))),
)
CATEGORIES = (Category("elu", "Élu·e"), Category("agent", "Agent·e"), Category("habitant", "Habitant·e"))
CODES = (
    CodeInfo("enjeux", "Enjeux", "Pourquoi participer", "« Pour mieux décider »"),
    CodeInfo("enjeux.democratie", "Démocratie locale", "Renouveler la démocratie", "", "enjeux"),
    CodeInfo("mobilisation", "Mobilisation", "Qui vient, qui manque", "Marie Dupont est venue"),
    CodeInfo("mobilisation.jeunes", "Les jeunes", "Les jeunes et la participation", "", "mobilisation"),
)


def segment(id: int, slot: str, body: str, passage: str, codes: tuple[str, ...] = (), quote: bool = False,
            nth: int = 0) -> Segment:
    """A passage of `body` found by its text (the `nth` occurrence)."""
    start = -1
    for _ in range(nth + 1):
        start = body.index(passage, start + 1)
    return Segment(id, slot, start, start + len(passage), passage, quote, codes)


def corpus(small_cells: int = 11) -> Corpus:
    """Four interviews: two elected officials, one agent, one resident; names in the notes."""
    e1 = "Marie Dupont a voulu associer les habitants des Tilleuls. La démocratie locale doit changer."
    e1_mob = "Surtout des retraités ; les jeunes de la Maison des Jeunes ne sont pas venus."
    e1_sum = "Volonté politique forte, écrire à marie.dupont@mairie.fr pour la suite."
    a1 = "Zoé Lefèvre, 06 12 34 56 78, pilote le projet à Saint-Aubin depuis 2021."
    a1_mob = "Les jeunes sont venus grâce à la MAISON DES JEUNES, au 12 rue des Lilas."
    h1 = "On nous a demandé notre avis, mais la démocratie, c'est aussi décider."
    e2 = "Je crois que la démocratie locale s'essouffle à saint aubin."
    interviews = (
        Interview(1, 1, "elu", "tilleuls", "Mairie de Saint-Aubin", "Maire", "Marie Dupont", "complete", "face_to_face",
                  {"note:enjeux_1": e1, "note:mob_1": e1_mob, "summary:enjeux": e1_sum},
                  (segment(11, "note:enjeux_1", e1, "La démocratie locale doit changer.", ("enjeux.democratie",), True),
                   segment(12, "note:mob_1", e1_mob, "les jeunes de la Maison des Jeunes ne sont pas venus",
                           ("mobilisation.jeunes",)),
                   segment(13, "note:enjeux_1", e1, "Marie Dupont a voulu associer les habitants",
                           ("enjeux", "mobilisation")))),
        Interview(2, 1, "agent", "centre", "Service jeunesse", "Cheffe de projet", "Zoé Lefèvre", "complete",
                  "telephone",
                  {"note:enjeux_1": a1, "note:mob_1": a1_mob},
                  (segment(21, "note:mob_1", a1_mob, "Les jeunes sont venus grâce à la MAISON DES JEUNES",
                           ("mobilisation.jeunes", "mobilisation"), True),
                   segment(22, "note:enjeux_1", a1, "pilote le projet", ("enjeux",)))),
        Interview(3, 1, "habitant", "tilleuls", "", "", "Jean Martin", "in_progress", "face_to_face",
                  {"transcript": h1},
                  (segment(31, "transcript", h1, "la démocratie, c'est aussi décider", ("enjeux.democratie",), True),)),
        Interview(4, 2, "elu", "centre", "", "Adjoint", "Paul Durand", "complete", "video",
                  {"note:enjeux_1": e2},
                  (segment(41, "note:enjeux_1", e2, "la démocratie locale s'essouffle", ("enjeux.democratie",)),
                   Segment(42, "note:mob_2", None, None, "Paul Durand a parlé des jeunes", False,
                           ("mobilisation.jeunes",)))),
    )
    return Corpus("entretiens-test", "Entretiens de test", THEMES, CATEGORIES, CODES, interviews, LISTS, small_cells,
                  "2026.1")
