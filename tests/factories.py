"""Questionnaires and responses for tests: one questionnaire with every question type, and strategies."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from survey.dataset import ResponseRecord
from survey.schema import Choice, Mission, Page, Question, Questionnaire


def sample_questionnaire(
    title: str = "Évaluation du budget participatif",
    label: str = "",
    choice_label: str = "",
    version: str = "2026.1",
) -> Questionnaire:
    """A questionnaire with one question of each type; `label`/`choice_label` prefix question and option texts."""

    def q(name: str, type_: str, text: str, **fields: object) -> Question:
        # Every column declared `none` (free text keeps its default): exports keep each row as it is.
        role = {} if type_.endswith("_text") else {"disclosure": "none"}
        return Question(name=name, type=type_, label=f"{label}{text}", **role, **fields)

    def choices(*pairs: tuple[str, str]) -> list[Choice]:
        return [Choice(code=code, label=f"{choice_label}{text}") for code, text in pairs]

    return Questionnaire(
        id="budget-test",
        version=version,
        title=title,
        mission=Mission(id="mission-test", name="Mission d’évaluation", client="Ville de Saint-Aubin"),
        privacy_notice="Vos réponses sont anonymes.",
        disclosure={"submitted_date": "none", "version": "none"},
        pages=[
            Page(
                id="connaissance",
                title="Votre connaissance",
                questions=[
                    q("connait_bp", "yes_no", "Connaissiez-vous le budget participatif ?"),
                    q(
                        "canaux",
                        "multiple_choice",
                        "Par quels moyens ?",
                        choices=choices(("affiches", "Affiches"), ("site_web", "Site web"), ("voisins", "Voisins")),
                    ),
                    q(
                        "quartier",
                        "single_choice",
                        "Votre quartier",
                        choices=choices(("nord", "Nord"), ("sud", "Sud"), ("centre", "Centre")),
                    ),
                    q("satisfaction", "likert", "Êtes-vous satisfait ?", scale=["Pas du tout", "Peu", "Assez", "Très"]),
                ],
            ),
            Page(
                id="profil",
                title="Vous",
                questions=[
                    q("age", "integer", "Votre âge", min=16, max=99),
                    q("heures", "decimal", "Heures consacrées", min=0, max=100),
                    q("date_vote", "date", "Date de votre vote"),
                    q("commentaire", "long_text", "Un commentaire ?"),
                    q("precision", "short_text", "Précisez"),
                ],
            ),
        ],
    )


FREE_TEXT = ("commentaire", "precision")
CHANNELS = ("affiches", "site_web", "voisins")


def _maybe(strategy: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(st.none(), strategy)


answers = st.fixed_dictionaries(
    {},
    optional={
        "connait_bp": _maybe(st.booleans()),
        "canaux": st.lists(st.sampled_from(CHANNELS), unique=True),
        "quartier": _maybe(st.sampled_from(["nord", "sud", "centre"])),
        "satisfaction": _maybe(st.integers(1, 4)),
        "age": _maybe(st.integers(16, 99)),
        "heures": _maybe(st.floats(0, 100, allow_nan=False).map(lambda x: round(x, 2))),
        "date_vote": _maybe(st.dates(dt.date(2024, 1, 1), dt.date(2026, 12, 31)).map(dt.date.isoformat)),
        "commentaire": _maybe(st.text(min_size=1, max_size=30)),
        "precision": _maybe(st.text(min_size=1, max_size=30)),
    },
)

# Stored ids carry a marker that nothing else in an export can contain, so a leak is easy to find.
response_ids = st.uuids().map(lambda u: f"resp_{u.hex}")

submitted = st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2026, 12, 31, 23, 59, 59)).map(
    lambda d: d.replace(second=max(d.second, 1))  # always a time of day finer than the day
)

records = st.builds(
    ResponseRecord,
    response_id=response_ids,
    version=st.sampled_from(["2026.1", "2026.2"]),
    submitted_at=submitted,
    answers=answers,
)

record_lists = st.lists(records, max_size=25, unique_by=lambda r: r.response_id)


def record(answers: dict, response_id: str = "resp_1", when: str = "2026-03-14T15:09:26") -> ResponseRecord:
    """One response, submitted at `when`."""
    return ResponseRecord(response_id, "2026.1", dt.datetime.fromisoformat(when), answers)
