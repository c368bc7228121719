"""Questionnaire files: round trip, the examples, the JSON Schema, and located errors for broken files."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import TYPES, questionnaires

from survey.errors import ErrorCode, QuestionnaireInvalid
from survey.schema import (
    QUESTION_TYPES,
    Questionnaire,
    load_questionnaire,
    parse_questionnaire,
    questionnaire_from_data,
    to_yaml,
)
from survey.schema.jsonschema import questionnaire_json_schema
from survey.schema.localise import localise
from survey.schema.yaml_limits import first_value_past
from tests.conftest import EXAMPLE_FILES, EXAMPLE_QUESTIONNAIRES

QUESTIONNAIRES = Path(__file__).resolve().parent.parent / "questionnaires"
EXAMPLES = EXAMPLE_QUESTIONNAIRES  # interview grids (EXAMPLE_GRIDS) are checked in test_interview_grids.py
SCHEMA_FILE = QUESTIONNAIRES / "questionnaire.schema.json"


class _EditorLoader(yaml.SafeLoader):
    """YAML 1.2 as editors read it: `no` and `2026-01-12` stay text."""


_EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_EditorLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                    list("tTfF"))


# --- round trip -------------------------------------------------------------------------------


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questionnaires())
def test_every_questionnaire_survives_a_yaml_round_trip(questionnaire: Questionnaire) -> None:
    text = to_yaml(questionnaire)
    assert parse_questionnaire(text, "roundtrip.yaml") == questionnaire


@pytest.mark.parametrize("type_name", TYPES)
@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_question_type_survives_a_yaml_round_trip(type_name: str, data: st.DataObject) -> None:
    questionnaire = data.draw(questionnaires(include=type_name))
    assert type_name in {q.type for q in questionnaire.questions()}
    assert parse_questionnaire(to_yaml(questionnaire), "roundtrip.yaml") == questionnaire


# --- the examples -----------------------------------------------------------------------------


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_loads(path: Path) -> None:
    questionnaire = load_questionnaire(path)
    for language in questionnaire.all_languages:
        assert localise(questionnaire, language).privacy_notice.strip()
    assert path.read_text(encoding="utf-8").startswith("# yaml-language-server: $schema=questionnaire.schema.json\n")


def test_examples_use_every_question_type() -> None:
    used = {q.type for path in EXAMPLES for q in load_questionnaire(path).questions()}
    assert used == set(QUESTION_TYPES)


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_example_matches_the_json_schema(path: Path) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    document = yaml.load(path.read_text(encoding="utf-8"), Loader=_EditorLoader)  # noqa: S506 - a SafeLoader
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    assert [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)] == []


# --- the JSON Schema --------------------------------------------------------------------------


def test_committed_json_schema_is_up_to_date() -> None:
    expected = json.dumps(questionnaire_json_schema(), indent=2, ensure_ascii=False) + "\n"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == expected, (
        "regenerate questionnaires/questionnaire.schema.json from survey.schema.jsonschema"
    )


def test_json_schema_is_a_valid_schema_with_descriptions() -> None:
    schema = questionnaire_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["$id"] and schema["title"] and schema["description"]
    for name in ("Questionnaire", "Page", "Question", "Choice", "Mission", "InterviewGrid", "Theme", "GridQuestion",
                 "Code", "Category", "Profile", "Introduction"):
        definition = schema["$defs"][name]
        undocumented = [f for f, prop in definition["properties"].items() if not prop.get("description")]
        assert undocumented == [], f"{name} fields without a description"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questionnaires())
def test_json_schema_accepts_every_valid_questionnaire(questionnaire: Questionnaire) -> None:
    document = yaml.load(to_yaml(questionnaire), Loader=_EditorLoader)  # noqa: S506 - a SafeLoader
    validator = jsonschema.Draft202012Validator(questionnaire_json_schema())
    assert [f"{e.json_path}: {e.message}" for e in validator.iter_errors(document)] == []


@pytest.mark.parametrize(
    "question",
    [
        {"name": "a", "type": "yes_no", "label": "A", "choices": [{"code": "x", "label": "X"}]},
        {"name": "a", "type": "single_choice", "label": "A"},
        {"name": "a", "type": "likert", "label": "A", "scale": ["seul"]},
        {"name": "a", "type": "date", "label": "A", "min": 3},
        {"name": "a", "type": "integer", "label": "A", "max_length": 3},
        {"name": "a", "type": "note"},
        {"name": "a", "type": "nps", "label": "A", "choices": [{"code": "x", "label": "X"}] * 2},
        {"name": "a", "type": "matrix", "label": "A", "scale": ["Non", "Oui"]},
        {"name": "a", "type": "matrix", "label": "A", "items": [{"name": "b", "label": "B"}]},
        {"name": "a", "type": "calculate"},
        {"name": "a", "type": "repeat", "label": "A"},
        {"name": "a", "type": "repeat", "label": "A", "questions": [
            {"name": "b", "type": "repeat", "label": "B",
             "questions": [{"name": "c", "type": "yes_no", "label": "C"}]}]},
        {"name": "a", "type": "dropdown", "label": "A", "choices_from": "x.csv",
         "choices": [{"code": "x", "label": "X"}, {"code": "y", "label": "Y"}]},
        {"name": "a", "type": "yes_no", "label": "A", "choices_from": "x.csv"},
        {"name": "a", "type": "ranking", "label": "A", "max_length": 2,
         "choices": [{"code": "x", "label": "X"}, {"code": "y", "label": "Y"}]},
        {"name": "a", "type": "email", "label": "A", "other": True},
    ],
)
def test_json_schema_refuses_what_the_loader_refuses(question: dict) -> None:
    document = {"id": "x", "version": "1", "title": "T", "privacy_notice": "P",
                "pages": [{"id": "p", "questions": [question]}]}
    assert not jsonschema.Draft202012Validator(questionnaire_json_schema()).is_valid(document)
    with pytest.raises(QuestionnaireInvalid):
        parse_questionnaire(yaml.safe_dump(document))


# --- broken files: each gives a located, actionable problem ----------------------------------

HEADER = """\
id: essai
version: "1"
title: Essai
privacy_notice: Réponses anonymes.
pages:
  - id: page-1
    questions:
"""  # questions start on line 8


def questionnaire_with(questions: str) -> str:
    """A small questionnaire whose only page holds these questions (a YAML list, unindented)."""
    return HEADER + textwrap.indent(textwrap.dedent(questions), " " * 6)


BROKEN = [
    # (case, yaml, code, line, question, in the message)
    ("yaml syntax", questionnaire_with("""\
        - name: a
          type: yes_no
          label: "pas fermé
        """), "YAML_SYNTAX", 11, None, "not valid YAML"),
    ("unknown type", questionnaire_with("""\
        - name: satisfaction
          type: single_choise
          label: Satisfait ?
        """), "UNKNOWN_TYPE", 9, "satisfaction", "did you mean `single_choice`"),
    ("duplicate name", questionnaire_with("""\
        - name: age
          type: integer
          label: Âge ?
        - name: age
          type: integer
          label: Âge encore ?
        """), "DUPLICATE_NAME", 11, "age", "already used on line 8"),
    ("duplicate choice code", questionnaire_with("""\
        - name: quartier
          type: single_choice
          label: Quartier ?
          choices:
            - {code: centre, label: Centre}
            - {code: centre, label: Centre-ville}
        """), "DUPLICATE_CODE", 13, "quartier", "`centre` appears twice"),
    ("min greater than max", questionnaire_with("""\
        - name: heures
          type: decimal
          label: Heures ?
          min: 8
          max: 2
        """), "BAD_RANGE", 11, "heures", "swap them"),
    ("a ranking's min greater than its max", questionnaire_with("""\
        - name: priorites
          type: ranking
          label: Priorités ?
          min: 3
          max: 2
          choices: [{code: a, label: A}, {code: b, label: B}, {code: c, label: C}]
        """), "BAD_RANGE", 11, "priorites", "swap them"),
    ("a ranking's max beyond its options", questionnaire_with("""\
        - name: priorites
          type: ranking
          label: Priorités ?
          max: 4
          choices: [{code: a, label: A}, {code: b, label: B}, {code: c, label: C}]
        """), "WRONG_VALUE", 11, "priorites", "has only 3 — give `max:` at most 3"),
    ("missing label", questionnaire_with("""\
        - name: avis
          type: long_text
        """), "NO_LABEL", 8, "avis", "add `label:`"),
    ("unknown field", questionnaire_with("""\
        - name: avis
          type: long_text
          label: Votre avis ?
          requierd: true
        """), "UNKNOWN_FIELD", 11, "avis", "did you mean `required`"),
    ("unknown top-level field", HEADER.replace("title:", "titre: Essai\ntitle:") + """\
      - name: avis
        type: long_text
        label: Votre avis ?
""", "UNKNOWN_FIELD", 3, None, "did you mean `title`"),
    ("bad name", questionnaire_with("""\
        - name: Satisfaction Globale
          type: yes_no
          label: Satisfait ?
        """), "BAD_NAME", 8, "Satisfaction Globale", "satisfaction_globale"),
    ("no choices", questionnaire_with("""\
        - name: quartier
          type: single_choice
          label: Quartier ?
        """), "NO_CHOICES", 8, "quartier", "add `choices:`"),
    ("one choice only", questionnaire_with("""\
        - name: quartier
          type: single_choice
          label: Quartier ?
          choices: [{code: centre, label: Centre}]
        """), "NO_CHOICES", 11, "quartier", "at least two"),
    ("choices not allowed", questionnaire_with("""\
        - name: revient
          type: yes_no
          label: Reviendrez-vous ?
          choices: [{code: oui, label: Oui}, {code: non, label: Non}]
        """), "CHOICES_NOT_ALLOWED", 11, "revient", "remove `choices:`"),
    ("option not allowed", questionnaire_with("""\
        - name: age
          type: integer
          label: Âge ?
          max_length: 3
        """), "OPTION_NOT_ALLOWED", 11, "age", "remove `max_length:`"),
    ("likert scale too short", questionnaire_with("""\
        - name: satisfaction
          type: likert
          label: Satisfait ?
          scale: [Oui]
        """), "BAD_SCALE", 11, "satisfaction", "2 and 11"),
    ("number bound on a date", questionnaire_with("""\
        - name: arrivee
          type: date
          label: Arrivée ?
          min: 2020
        """), "WRONG_VALUE", 11, "arrivee", "YYYY-MM-DD"),
    ("date bound on a number", questionnaire_with("""\
        - name: age
          type: integer
          label: Âge ?
          max: 2026-01-01
        """), "WRONG_VALUE", 11, "age", "needs a number"),
    ("duplicate page id", HEADER + """\
      - {name: a, type: yes_no, label: A}
  - id: page-1
    questions:
      - {name: b, type: yes_no, label: B}
""", "DUPLICATE_PAGE", 9, None, "already used on line 6"),
    ("not a mapping", "- une\n- liste\n", "NOT_A_MAPPING", 1, None, "start with `id:`"),
]


# --- the new question types and the logic: checks, located ------------------------------------

LOGIC_BROKEN = [
    # (case, yaml, code, line, question, in the message)
    ("note without a label", questionnaire_with("""\
        - name: info
          type: note
        """), "NO_LABEL", 8, "info", "needs a `label`"),
    ("matrix without items", questionnaire_with("""\
        - name: grille
          type: matrix
          label: Êtes-vous d’accord ?
          scale: [Non, Oui]
        """), "NO_ITEMS", 8, "grille", "add `items:`"),
    ("repeat without questions", questionnaire_with("""\
        - name: projets
          type: repeat
          label: Vos projets
        """), "NO_QUESTIONS", 8, "projets", "add `questions:`"),
    ("repeat inside a repeat", questionnaire_with("""\
        - name: projets
          type: repeat
          label: Vos projets
          questions:
            - name: etapes
              type: repeat
              label: Étapes
              questions:
                - {name: etape, type: short_text, label: Étape}
        """), "NESTED_REPEAT", 12, "etapes", "move it to the page level"),
    ("calculate without a calculation", questionnaire_with("""\
        - name: total
          type: calculate
        """), "NO_CALCULATION", 8, "total", "add `calculation:`"),
    ("code `other` with other: true", questionnaire_with("""\
        - name: canal
          type: single_choice
          label: Canal ?
          other: true
          choices:
            - {code: affiches, label: Affiches}
            - {code: other, label: Autre}
        """), "RESERVED_CODE", 14, "canal", "`other` is reserved"),
    ("code `dont_know`", questionnaire_with("""\
        - name: canal
          type: multiple_choice
          label: Canal ?
          choices:
            - {code: affiches, label: Affiches}
            - {code: dont_know, label: Ne sait pas}
        """), "RESERVED_CODE", 13, "canal", "reserved for special answers"),
    ("undeclared language", questionnaire_with("""\
        - name: avis
          type: short_text
          label: {fr: "Votre avis ?", de: "Ihre Meinung?"}
        """), "BAD_LANGUAGE", 10, "avis", "language `de` is not declared"),
    ("no text in the default language", HEADER.replace("pages:", "languages: [en]\npages:") + """\
      - name: avis
        type: short_text
        label: {en: "Your opinion?"}
""", "BAD_LANGUAGE", 11, "avis", "add `fr:`"),
    ("expression syntax error", questionnaire_with("""\
        - {name: age, type: integer, label: Âge}
        - name: vote
          type: yes_no
          label: Avez-vous voté ?
          relevant: age >= and age < 120
        """), "BAD_EXPRESSION", 12, "vote", "at character 8 of `age >= and age < 120`"),
    ("unknown name", questionnaire_with("""\
        - {name: age, type: integer, label: Âge}
        - name: vote
          type: yes_no
          label: Avez-vous voté ?
          relevant: agee >= 18
        """), "BAD_EXPRESSION", 12, "vote", "unknown name `agee`; did you mean `age`?"),
    ("type error", questionnaire_with("""\
        - {name: nom, type: short_text, label: Nom}
        - name: vote
          type: yes_no
          label: Avez-vous voté ?
          required_if: nom + 1 > 2
        """), "BAD_EXPRESSION", 12, "vote", "`+` needs numbers, but `nom` is a text"),
    ("`.` outside a constraint", questionnaire_with("""\
        - name: age
          type: integer
          label: Âge ?
          relevant: . >= 18
        """), "BAD_EXPRESSION", 11, "age", "can only be used in a constraint"),
    ("`choice.x` outside a choice filter", questionnaire_with("""\
        - name: quartier
          type: single_choice
          label: Quartier ?
          relevant: choice.commune = 'nord'
          choices: [{code: a, label: A}, {code: b, label: B}]
        """), "BAD_EXPRESSION", 11, "quartier", "can only be used in a choice filter"),
    ("calculations in a circle", questionnaire_with("""\
        - name: part_a
          type: calculate
          calculation: part_b + 1
        - name: part_b
          type: calculate
          calculation: part_a * 2
        """), "CYCLE", 10, "part_a", "part_a → part_b → part_a"),
]


@pytest.mark.parametrize(("text", "code", "line", "question", "needle"),
                         [case[1:] for case in BROKEN + LOGIC_BROKEN],
                         ids=[case[0] for case in BROKEN + LOGIC_BROKEN])
def test_broken_file_gives_a_located_problem(text: str, code: str, line: int, question: str | None,
                                             needle: str) -> None:
    with pytest.raises(QuestionnaireInvalid) as caught:
        parse_questionnaire(text, "essai.yaml")
    found = [(p.code, p.line, p.question) for p in caught.value.problems]
    assert (code, line, question) in found, "\n".join(map(str, caught.value.problems))
    problem = next(p for p in caught.value.problems if p.code == code)
    assert needle in str(problem)
    assert str(problem).startswith(f"essai.yaml:{line}:")
    assert "Traceback" not in str(caught.value)


def test_valid_logic_loads() -> None:
    text = HEADER.replace("pages:", "languages: [en]\npages:") + textwrap.indent(textwrap.dedent("""\
        - {name: age, type: integer, label: {fr: "Âge ?", en: "Age?"}, constraint: . >= 16, constraint_message: 16 ans}
        - name: commune
          type: dropdown
          label: Commune ?
          choices: [{code: nord, label: Nord}, {code: sud, label: Sud}]
        - name: quartier
          type: dropdown
          label: Quartier de ${commune} ?
          choice_filter: choice.commune = commune
          choices:
            - {code: gare, label: Gare, data: {commune: nord}}
            - {code: port, label: Port, data: {commune: sud}}
        - {name: majeur, type: calculate, calculation: "if(age >= 18, 'oui', 'non')"}
        - name: projets
          type: repeat
          label: Vos projets
          relevant: majeur = 'oui'
          max: 5
          questions:
            - {name: nom_projet, type: short_text, label: Nom, required_if: age > 20}
        """), " " * 6)
    questionnaire = parse_questionnaire(text, "essai.yaml")
    assert questionnaire.question("nom_projet").required_if == "age > 20"
    assert questionnaire.question("quartier").choices[1].data == {"commune": "sud"}


CHOICE_FILE_BROKEN = [
    # (case, files beside the questionnaire, choices_from, extra YAML, line, in the message)
    ("missing file", {}, "communes.csv", "", 11, "cannot read `communes.csv`"),
    ("outside the folder", {"../communes.csv": "code,label\na,A\nb,B\n"}, "../communes.csv", "", 11,
     "outside the questionnaire's folder"),
    ("not a csv file", {"communes.txt": "code,label\na,A\nb,B\n"}, "communes.txt", "", 11, "is not a CSV file"),
    ("no code column", {"communes.csv": "nom,label\na,A\nb,B\n"}, "communes.csv", "", 11,
     "communes.csv:1: the header needs a `code` column"),
    ("duplicate code", {"communes.csv": "code,label\nnord,Nord\nsud,Sud\nnord,Nord bis\n"}, "communes.csv", "", 11,
     "communes.csv:4: code `nord` appears twice"),
    ("empty code", {"communes.csv": "code;label\nnord;Nord\n;Sans code\nsud;Sud\n"}, "communes.csv", "", 11,
     "communes.csv:3: empty `code`"),
    ("both choices and choices_from", {"communes.csv": "code,label\na,A\nb,B\n"}, "communes.csv",
     "choices: [{code: a, label: A}, {code: b, label: B}]", 11, "given together with `choices`"),
]


@pytest.mark.parametrize(("files", "source", "extra", "line", "needle"), [c[1:] for c in CHOICE_FILE_BROKEN],
                         ids=[c[0] for c in CHOICE_FILE_BROKEN])
def test_broken_choice_file_gives_a_located_problem(tmp_path: Path, files: dict[str, str], source: str, extra: str,
                                                    line: int, needle: str) -> None:
    folder = tmp_path / "questionnaires"
    folder.mkdir()
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    text = questionnaire_with(f"""\
        - name: commune
          type: dropdown
          label: Commune ?
          choices_from: {source}
          {extra}
        """)
    with pytest.raises(QuestionnaireInvalid) as caught:
        parse_questionnaire(text, "essai.yaml", folder)
    found = [p for p in caught.value.problems if p.code == "CHOICES_FILE"]
    assert [(p.line, p.question) for p in found] == [(line, "commune")], "\n".join(map(str, caught.value.problems))
    assert needle in str(found[0])


def test_choices_from_a_csv_file_with_translations_and_attributes(tmp_path: Path) -> None:
    (tmp_path / "quartiers.csv").write_text(
        "\ufeffcode,label,label::en,commune\ngare,Quartier de la gare,Station district,nord\nport,Le port,,sud\n",
        encoding="utf-8")
    text = HEADER.replace("pages:", "languages: [en]\npages:") + textwrap.indent(textwrap.dedent("""\
        - {name: commune, type: single_choice, label: Commune,
           choices: [{code: nord, label: N}, {code: sud, label: S}]}
        - {name: quartier, type: dropdown, label: Quartier, choices_from: quartiers.csv,
           choice_filter: choice.commune = commune}
        """), " " * 6)
    question = parse_questionnaire(text, "essai.yaml", tmp_path).question("quartier")
    assert [(c.code, c.label, c.data) for c in question.choices] == [
        ("gare", {"fr": "Quartier de la gare", "en": "Station district"}, {"commune": "nord"}),
        ("port", "Le port", {"commune": "sud"}),
    ]


# --- languages ---------------------------------------------------------------------------------


def test_localise_gives_each_language_and_falls_back_to_the_default() -> None:
    text = """\
id: essai
version: "1"
title: {fr: Essai, en: Trial}
languages: [en]
privacy_notice: Réponses anonymes.
pages:
  - id: page-1
    title: {fr: Vous, en: You}
    questions:
      - name: satisfaction
        type: likert
        label: {fr: "Satisfait·e ?", en: "Satisfied?"}
        help: Une seule réponse.
        scale: [{fr: Non, en: "No"}, {fr: Oui}]
      - name: canal
        type: single_choice
        label: {fr: "Canal ?", en: "Channel?"}
        choices:
          - {code: affiches, label: {fr: Affiches, en: Posters}}
          - {code: site, label: Site web}
      - {name: heures, type: decimal, label: Heures, unit: {fr: heures, en: hours}}
"""
    questionnaire = parse_questionnaire(text, "essai.yaml")
    english, french = localise(questionnaire, "en"), localise(questionnaire, "fr")
    assert english.title == "Trial" and english.pages[0].title == "You"
    assert english.question("satisfaction").label == "Satisfied?"
    assert english.question("satisfaction").help == "Une seule réponse."  # no translation: French
    assert english.question("satisfaction").scale == ["No", "Oui"]
    assert [c.label for c in english.question("canal").choices] == ["Posters", "Site web"]
    assert english.question("heures").unit == "hours"
    assert french.title == "Essai" and french.question("canal").choices[0].label == "Affiches"
    assert french.question("satisfaction").scale == ["Non", "Oui"]
    assert localise(questionnaire, "de").title == "Essai"  # an unknown language: the default


def test_every_problem_of_a_file_is_reported_in_one_pass() -> None:
    text = HEADER.replace("title:", "titre: Essai\ntitle:") + textwrap.indent(textwrap.dedent("""\
        - name: age
          type: entier
          label: Âge ?
        - name: age
          type: decimal
          label: Heures ?
          min: 8
          max: 2
        - name: Quartier
          type: single_choice
          label: Quartier ?
        - name: avis
          type: long_text
        """), " " * 6)
    with pytest.raises(QuestionnaireInvalid) as caught:
        parse_questionnaire(text, "essai.yaml")
    codes = sorted(p.code for p in caught.value.problems)
    assert codes == sorted(["UNKNOWN_FIELD", "UNKNOWN_TYPE", "DUPLICATE_NAME", "BAD_RANGE", "BAD_NAME",
                            "NO_CHOICES", "NO_LABEL"])
    lines = [p.line for p in caught.value.problems]
    assert lines == sorted(lines)
    assert "Traceback" not in str(caught.value)


def test_unreadable_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(QuestionnaireInvalid) as caught:
        load_questionnaire(tmp_path / "absent.yaml")
    assert "cannot read the file" in str(caught.value)


# --- any YAML: a questionnaire or located problems, never a crash -----------------------------

_FIELDS = ["id", "version", "title", "privacy_notice", "pages", "questions", "name", "type", "label", "choices",
           "code", "scale", "min", "max", "max_length", "required", "mission", "start", *QUESTION_TYPES]
_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.dates(),
                     st.sampled_from(_FIELDS), st.text(max_size=8))
_documents = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(_FIELDS) | st.text(max_size=4),
                                                                 inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(st.one_of(_documents.map(lambda d: yaml.safe_dump(d, allow_unicode=True)), st.text(max_size=200)))
def test_any_document_loads_or_gives_located_problems(text: str) -> None:
    try:
        parse_questionnaire(text, "fuzz.yaml")
    except QuestionnaireInvalid as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.line >= 1 and problem.message and problem.fix
            assert "Traceback" not in str(problem)


def test_every_error_code_has_its_own_template() -> None:
    """Two codes with the same (message, fix) would be one Enum member: the second name would never show."""
    assert len(ErrorCode.__members__) == len(list(ErrorCode)), [
        name for name, member in ErrorCode.__members__.items() if member.name != name]


# --- the checks on data already read (an XLSForm import builds its document in memory) ---------------------------


class _Yaml12Loader(yaml.SafeLoader):
    """What our loader reads, as plain PyYAML: YAML 1.2 booleans, dates stay dates."""


_Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12Loader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                    list("tTfF"))


def _line_of(text: str, path: tuple) -> int:
    """The line of the part of a YAML text a document path names, or of the nearest part holding it."""
    node = yaml.compose(text)
    line = node.start_mark.line + 1
    for step in path:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(step)), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line + 1, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _lines_of(text: str) -> dict[tuple, int]:
    """The line of every mapping key and list item of a YAML text, by its path."""
    lines: dict[tuple, int] = {}

    def walk(node: yaml.Node, path: tuple) -> None:
        lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                lines[(*path, key.value)] = key.start_mark.line + 1
                walk(value, (*path, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    walk(yaml.compose(text), ())
    return lines


READABLE_BROKEN = [case for case in BROKEN + LOGIC_BROKEN if case[2] != "YAML_SYNTAX"]  # YAML that reads


@pytest.mark.parametrize("text", [case[1] for case in READABLE_BROKEN], ids=[case[0] for case in READABLE_BROKEN])
def test_checking_the_data_finds_what_parsing_its_file_finds(text: str) -> None:
    with pytest.raises(QuestionnaireInvalid) as parsed:
        parse_questionnaire(text, "essai.yaml")
    data = yaml.load(text, Loader=_Yaml12Loader)
    with pytest.raises(QuestionnaireInvalid) as checked:
        questionnaire_from_data(data, "essai.yaml", lines=_lines_of(text))
    assert checked.value.problems == parsed.value.problems
    for problem in parsed.value.problems:  # each keeps its place in the document: the file's line is that place's
        assert problem.line == _line_of(text, problem.path), problem
    with pytest.raises(QuestionnaireInvalid) as unlined:  # no lines: the same problems, located by their paths
        questionnaire_from_data(data, "essai.yaml")
    assert [(p.code, p.question, p.path) for p in unlined.value.problems] == \
           [(p.code, p.question, p.path) for p in parsed.value.problems]
    assert not any("line" in p.message for p in unlined.value.problems)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questionnaires())
def test_checking_the_data_gives_the_questionnaire_its_file_gives(questionnaire: Questionnaire) -> None:
    data = questionnaire.model_dump(mode="json", exclude_defaults=True)
    assert questionnaire_from_data(data, "import.xlsx") == parse_questionnaire(to_yaml(questionnaire)) == questionnaire


def _nodes_in(node: yaml.Node) -> int:
    """Values of a composed YAML document, every key and scalar included (no aliases in what `to_yaml` writes)."""
    if isinstance(node, yaml.MappingNode):
        return 1 + sum(_nodes_in(key) + _nodes_in(value) for key, value in node.value)
    if isinstance(node, yaml.SequenceNode):
        return 1 + sum(_nodes_in(item) for item in node.value)
    return 1


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questionnaires())
def test_the_values_a_file_will_hold_are_counted_as_the_reader_counts_them(questionnaire: Questionnaire) -> None:
    data = questionnaire.model_dump(mode="json", exclude_defaults=True)
    written = _nodes_in(yaml.compose(to_yaml(questionnaire)))
    assert first_value_past(data, written) is None
    assert first_value_past(data, written - 1) is not None


def test_the_value_past_the_limit_is_named_by_its_path() -> None:
    data = {"id": "x", "pages": [{"id": "p", "questions": [{"name": "a"}, {"name": "b"}]}]}
    # 1 root, 2-3 id, 4 pages, 5 list, 6 page, 7-8 id, 9 questions, 10 list, 11 {a}, 12-13 name a, 14 {b}, 15 name…
    assert first_value_past(data, 10) == ("pages", 0, "questions", 0)
    assert first_value_past(data, 14) == ("pages", 0, "questions", 1, "name")
    assert first_value_past(data, 16) is None


def test_a_csv_file_beside_is_read_only_from_its_folder_within_its_limit(tmp_path: Path) -> None:
    """The one reader behind `choices_from`, a mission's lists and a grid's sites: each refusal says why."""
    from survey.schema.beside import Unread, read_csv_beside

    folder = tmp_path / "questionnaires"
    folder.mkdir()
    (folder / "ok.csv").write_bytes("\ufeffname\nÉlise\n".encode())
    (folder / "latin1.csv").write_bytes("name\nÉlise\n".encode("latin-1"))
    (folder / "big.csv").write_text("name\n" + "x\n" * 60)
    (tmp_path / "secret.csv").write_text("name\nx\n")
    assert read_csv_beside("ok.csv", folder, 100, "grid") == "name\nÉlise\n"  # the BOM dropped
    assert read_csv_beside("ok.txt", folder, 100, "grid") == Unread(
        "not_csv", "`ok.txt` is not a CSV file beside the grid")
    assert read_csv_beside(["ok.csv"], folder, 100, "grid").kind == "not_csv"
    assert read_csv_beside("ok.csv", None, 100, "grid").kind == "not_csv"
    assert read_csv_beside("../secret.csv", folder, 100, "questionnaire") == Unread(
        "outside", "`../secret.csv` is outside the questionnaire's folder")
    assert read_csv_beside("latin1.csv", folder, 100, "grid") == Unread(
        "unreadable", "cannot read `latin1.csv`: not UTF-8 text")
    assert read_csv_beside("missing.csv", folder, 100, "grid").detail.startswith("cannot read `missing.csv`: ")
    assert read_csv_beside("big.csv", folder, 100, "grid") == Unread("too_large", "`big.csv` is larger than 100 bytes")
