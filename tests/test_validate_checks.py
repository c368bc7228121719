"""`survey validate` on logic that can never work, every problem in one pass, and meaning kept across versions."""

from __future__ import annotations

import textwrap

import pytest
from test_schema import HEADER  # the same file head: questions start on line 8

from survey.errors import Problem, QuestionnaireInvalid
from survey.schema import Questionnaire, parse_questionnaire
from survey.versions import meaning_changes

# Questions the cases below refer to: lines 8 to 24.
EARLIER = """\
- name: utilise_tc
  type: yes_no
  label: Utilisez-vous les transports en commun ?
- name: commune
  type: dropdown
  label: Commune ?
  choices:
    - {code: saint_aubin, label: Saint-Aubin}
    - {code: la_chapelle, label: La Chapelle}
- name: canaux
  type: multiple_choice
  label: Canaux ?
  choices: [{code: affiches, label: Affiches}, {code: site_web, label: Site web}]
- {name: satisfaction, type: likert, label: Satisfaction, scale: [Non, Bof, Oui]}
- {name: recommande, type: nps, label: Recommandation}
- name: grille
  type: matrix
"""
LATER = """\
  label: Accord ?
  items: [{name: ecoute, label: Écoute}]
  scale: [Non, Oui]
"""  # … and the question under test starts on line 28


def questionnaire_with(questions: str) -> str:
    """The header, the questions above, then these (a YAML list, unindented)."""
    body = EARLIER + LATER + textwrap.dedent(questions)
    return HEADER + textwrap.indent(body, " " * 6)


def problems_of(text: str) -> list[Problem]:
    """The problems `survey validate` reports for a questionnaire text (none: the test fails)."""
    with pytest.raises(QuestionnaireInvalid) as caught:
        parse_questionnaire(text, "essai.yaml")
    assert "Traceback" not in str(caught.value)
    return caught.value.problems


def test_the_questions_above_are_valid_on_their_own() -> None:
    questionnaire = parse_questionnaire(questionnaire_with(""), "essai.yaml")
    assert [q.name for q in questionnaire.questions()][-1] == "grille"
    assert len(HEADER.splitlines()) + len((EARLIER + LATER).splitlines()) == 27


# --- a value the question can never take -------------------------------------------------------------


NEVER = [
    # (case, condition, what is said, how to fix it)
    ("yes/no compared with 'non'", "utilise_tc = 'non'",
     "`utilise_tc` is a yes/no question: its answer is true or false, never 'non', so `utilise_tc = 'non'` is "
     "never true", "write `utilise_tc = false` (`not utilise_tc` is true also while it is unanswered)"),
    ("yes/no not equal to 'oui'", "utilise_tc != 'oui'",
     "never 'oui', so `utilise_tc != 'oui'` is always true", "write `utilise_tc != true`"),
    ("yes/no compared with another text", "'peut-être' = utilise_tc",
     "never 'peut-être', so `'peut-être' = utilise_tc` is never true",
     "compare it with true or false: `utilise_tc = true`"),
    ("yes/no compared with 2", "utilise_tc = 2", "never 2, so", "compare it with true or false"),
    ("a code with a typo", "commune = 'saint_aubn'",
     "`commune` has no code 'saint_aubn' (its codes: la_chapelle, saint_aubin), so `commune = 'saint_aubn'` is "
     "never true", "did you mean 'saint_aubin'?"),
    ("a code far from every code", "commune != 'no_such_code'",
     "`commune` has no code 'no_such_code' (its codes: la_chapelle, saint_aubin), so `commune != 'no_such_code'` "
     "is always true", "use one of its codes"),
    ("a special answer is not a code", "commune = 'dont_know'", "`commune` has no code 'dont_know'",
     "use one of its codes"),
    ("a likert point past the scale", "satisfaction = 4",
     "`satisfaction` is a point from 1 to 3, never 4, so `satisfaction = 4` is never true",
     "use a point from 1 to 3"),
    ("a likert point written as a text", "satisfaction = '0'", "never '0'", "use a point from 1 to 3"),
    ("an nps score past 10", "recommande = 11", "`recommande` is a point from 0 to 10, never 11",
     "use a point from 0 to 10"),
    ("selected() with an unknown code", "selected(canaux, 'affiche')",
     "`canaux` has no code 'affiche' (its codes: affiches, site_web), so `selected(canaux, 'affiche')` is never "
     "true", "did you mean 'affiches'?"),
    ("selected() on a single choice", "selected(commune, 'paris')",
     "`commune` has no code 'paris' (its codes: la_chapelle, saint_aubin)", "use one of its codes"),
    ("selected() on a matrix", "selected(grille, '1')",
     "selected() needs a choice question's name as its first argument, not `grille`", "The expression language"),
    ("selected() on a yes/no", "selected(utilise_tc, 'oui')",
     "selected() needs a choice question's name as its first argument, not `utilise_tc`", "The expression language"),
]


@pytest.mark.parametrize(("condition", "what", "fix"), [case[1:] for case in NEVER], ids=[c[0] for c in NEVER])
def test_a_value_a_question_can_never_take_is_reported_with_its_fix(condition: str, what: str, fix: str) -> None:
    problems = problems_of(questionnaire_with(f"""\
        - name: frequence
          type: short_text
          label: À quelle fréquence ?
          relevant: "{condition}"
        """))
    assert [(p.line, p.question, p.code) for p in problems] == [(31, "frequence", "BAD_EXPRESSION")]
    assert what in problems[0].message and fix in problems[0].fix
    assert str(problems[0]).startswith("essai.yaml:31: question 'frequence': expression in `relevant`: ")


def test_a_constraint_compares_the_answer_with_its_own_codes() -> None:
    problems = problems_of(questionnaire_with("""\
        - name: frequence
          type: single_choice
          label: À quelle fréquence ?
          other: true
          constraint: . != 'jamais' or . = 'other'
          choices: [{code: souvent, label: Souvent}, {code: parfois, label: Parfois}]
        """))
    assert [(p.line, p.question) for p in problems] == [(32, "frequence")]
    assert "`.` has no code 'jamais' (its codes: other, parfois, souvent)" in problems[0].message


@pytest.mark.parametrize("condition", [
    "utilise_tc = false", "not utilise_tc", "utilise_tc", "utilise_tc != true", "utilise_tc = 1",
    "commune = 'saint_aubin'", "commune != 'la_chapelle'", "commune = null", "selected(canaux, 'site_web')",
    "selected(commune, 'la_chapelle')", "satisfaction = 3", "satisfaction >= 5", "recommande = 0",
    "recommande = '10'", "count_selected(canaux) = 2",
])
def test_values_a_question_can_take_are_accepted(condition: str) -> None:
    text = questionnaire_with(f"""\
        - name: frequence
          type: short_text
          label: À quelle fréquence ?
          relevant: "{condition}"
        """)
    assert parse_questionnaire(text, "essai.yaml").question("frequence").relevant == condition


# --- repeat groups: what an expression sees where it stands --------------------------------------------


GROUP = """\
- name: projets
  type: repeat
  label: Vos projets
  relevant: {group_relevant}
  questions:
    - {{name: nom_projet, type: short_text, label: Nom du projet}}
    - name: categorie
      type: single_choice
      label: Catégorie
      relevant: {inner_relevant}
      choices: [{{code: nature, label: Nature}}, {{code: mobilite, label: Mobilités}}]
- name: suite
  type: short_text
  label: Et ensuite ?
  relevant: {after_relevant}
"""  # projets: line 28; its relevant: 31; categorie's relevant: 37; suite's relevant: 42


def test_questions_of_a_repeat_group_are_seen_inside_it_and_its_name_outside() -> None:
    text = questionnaire_with(GROUP.format(
        group_relevant="utilise_tc", inner_relevant="nom_projet != null and commune = 'saint_aubin' and projets > 1",
        after_relevant="projets >= 2"))
    questionnaire = parse_questionnaire(text, "essai.yaml")
    assert questionnaire.question("categorie").relevant.startswith("nom_projet != null")


@pytest.mark.parametrize(("group_relevant", "after_relevant", "line", "question", "name"), [
    ("utilise_tc", "categorie = 'nature'", 42, "suite", "categorie"),
    ("nom_projet != null", "utilise_tc", 31, "projets", "nom_projet"),
])
def test_a_question_of_a_repeat_group_used_outside_it_is_reported(group_relevant: str, after_relevant: str,
                                                                    line: int, question: str, name: str) -> None:
    problems = problems_of(questionnaire_with(GROUP.format(
        group_relevant=group_relevant, inner_relevant="nom_projet != null", after_relevant=after_relevant)))
    assert [(p.line, p.question) for p in problems] == [(line, question)]
    assert problems[0].message == (f"expression in `relevant`: `{name}` is a question of the repeat group "
                                   "`projets`: here, outside the group, it has no value (always null)")
    assert problems[0].fix == ("use it inside the group, where each item sees its own answers, or use `projets` "
                               "here (its number of items)")


def test_a_question_of_one_repeat_group_is_not_seen_from_another() -> None:
    problems = problems_of(questionnaire_with(GROUP.format(
        group_relevant="utilise_tc", inner_relevant="projets > 1", after_relevant="projets > 1") + textwrap.dedent("""\
        - name: ateliers
          type: repeat
          label: Vos ateliers
          questions:
            - {name: theme, type: short_text, label: Thème, relevant: nom_projet != null}
        - {name: nb_themes, type: calculate, calculation: "length(theme)"}
        """)))
    assert [(p.line, p.question) for p in problems] == [(47, "theme"), (48, "nb_themes")]
    assert "`nom_projet` is a question of the repeat group `projets`" in problems[0].message
    assert "`theme` is a question of the repeat group `ateliers`" in problems[1].message


# --- every problem in one pass ------------------------------------------------------------------------


def test_an_unknown_type_does_not_hide_an_expression_error_elsewhere() -> None:
    problems = problems_of(questionnaire_with("""\
        - name: age
          type: entier
          label: Âge ?
        - name: frequence
          type: short_text
          label: À quelle fréquence ?
          relevant: utilise_tc = 'non' and age >= 18
        """))
    assert [(p.line, p.question, p.code) for p in problems] == [
        (29, "age", "UNKNOWN_TYPE"), (34, "frequence", "BAD_EXPRESSION")]
    assert "unknown question type `entier`" in problems[0].message and "did you mean `integer`" in problems[0].fix
    assert "never 'non', so `utilise_tc = 'non'` is never true" in problems[1].message  # `age` is known, though broken


def test_broken_questions_keep_their_own_expressions_and_their_groups_checked() -> None:
    text = questionnaire_with("""\
        - name: Nom_Complet
          type: short_text
          label: Nom complet
          relevant: agee > 3
        - name: projets
          type: repeat
          label: Vos projets
          questions:
            - {name: nom_projet, type: short_txt, label: Nom du projet}
            - {name: categorie, type: short_text, label: Catégorie, relevant: nom_projt != null}
        - {name: total, type: calculate, calculation: nom_projet + 1}
        """).replace("  - id: page-1\n", "  - id: page-1\n    relevant: commune = 'paris'\n")
    problems = problems_of(text)
    found = [(p.line, p.question, p.code) for p in problems]
    assert found == [
        (7, None, "BAD_EXPRESSION"),  # the page's condition
        (29, "Nom_Complet", "BAD_NAME"), (32, "Nom_Complet", "BAD_EXPRESSION"),
        (37, "nom_projet", "UNKNOWN_TYPE"), (38, "categorie", "BAD_EXPRESSION"), (39, "total", "BAD_EXPRESSION"),
    ]
    messages = [p.message for p in problems]
    assert "`commune` has no code 'paris'" in messages[0]
    assert "unknown name `agee`" in messages[2]
    assert "unknown name `nom_projt`; did you mean `nom_projet`?" in messages[4]
    assert "`nom_projet` is a question of the repeat group `projets`" in messages[5]


# --- meaning_changes: what may change between versions ------------------------------------------------


def _version(questions: str, label: str = "1") -> Questionnaire:
    text = HEADER.replace('"1"', f'"{label}"') + textwrap.indent(textwrap.dedent(questions), " " * 6)
    return parse_questionnaire(text, "essai.yaml")


MATRIX_SCALE = """\
- name: grille
  type: matrix
  label: Qui vous a informé·e ?
  items: [{name: projet, label: Sur le projet}]
  scale: [Pas du tout, Tout à fait]
"""
MATRIX_CHOICES = """\
- name: grille
  type: matrix
  label: Qui vous a informé·e ?
  items: [{name: projet, label: Sur le projet}]
  choices: [{code: "1", label: La mairie}, {code: "2", label: Une association}]
"""


def test_a_matrix_switched_from_a_scale_to_choices_with_the_same_codes_is_a_change_of_meaning() -> None:
    changes = meaning_changes(_version(MATRIX_SCALE), _version(MATRIX_CHOICES, "2"))
    assert [(c.question, c.code, c.old, c.new) for c in changes] == [
        ("grille", "1", "Pas du tout", "La mairie"), ("grille", "2", "Tout à fait", "Une association")]
    assert changes[0].message("1", 3) == (
        "question 'grille': scale point 1 meant “Pas du tout” in version 1 (3 response(s)) and is now the choice "
        "code `1`, “La mairie” — give the new choices codes of their own (not the scale's 1, 2…), or keep the scale")


def test_a_matrix_switched_from_choices_to_a_scale_is_a_change_of_meaning() -> None:
    changes = meaning_changes(_version(MATRIX_CHOICES), _version(MATRIX_SCALE, "2"))
    assert [(c.code, c.old, c.new) for c in changes] == [("1", "La mairie", "Pas du tout"),
                                                         ("2", "Une association", "Tout à fait")]
    assert changes[1].message("1", 2).startswith(
        "question 'grille': choice code `2` meant “Une association” in version 1 (2 response(s)) and is now scale "
        "point 2, “Tout à fait” — keep the choices")


def test_a_matrix_switched_to_choices_that_say_the_same_or_use_new_codes_keeps_its_meaning() -> None:
    same = MATRIX_CHOICES.replace("La mairie", "pas du tout").replace("Une association", "Tout à fait !")
    assert meaning_changes(_version(MATRIX_SCALE), _version(same, "2")) == []
    fresh = MATRIX_CHOICES.replace('"1"', "mairie").replace('"2"', "association")
    assert meaning_changes(_version(MATRIX_SCALE), _version(fresh, "2")) == []


TOP_LEVEL = """\
- {name: nb_projets, type: integer, label: Nombre de projets}
- {name: nom_projet, type: short_text, label: Nom du projet}
- name: projets
  type: repeat
  label: Vos projets
  questions:
    - {name: montant, type: integer, label: Montant}
"""
MOVED_IN = """\
- {name: nb_projets, type: integer, label: Nombre de projets}
- name: projets
  type: repeat
  label: Vos projets
  questions:
    - {name: nom_projet, type: short_text, label: Nom du projet}
    - {name: montant, type: integer, label: Montant}
"""


def test_a_question_moved_into_a_repeat_group_is_a_change_of_meaning() -> None:
    changes = meaning_changes(_version(TOP_LEVEL), _version(MOVED_IN, "2"))
    assert [(c.question, c.what) for c in changes] == [("nom_projet", "place")]
    assert changes[0].message("1", 5) == (
        "question 'nom_projet' was a question of its own (not in a repeat group) in version 1 (5 response(s)) and "
        "is now inside the repeat group `projets`: its answers would be stored in another place (inside each item "
        "of a repeat group, or once per response) — keep the old name for the old question, give the moved one a "
        "new name")


def test_a_question_moved_out_of_a_repeat_group_or_into_another_is_a_change_of_meaning() -> None:
    out = meaning_changes(_version(MOVED_IN), _version(TOP_LEVEL, "2"))
    assert [(c.question, c.old, c.new) for c in out] == [
        ("nom_projet", "inside the repeat group `projets`", "a question of its own (not in a repeat group)")]
    renamed_group = MOVED_IN.replace("name: projets", "name: projets_votes")
    across = meaning_changes(_version(MOVED_IN), _version(renamed_group, "2"))
    assert [(c.question, c.new) for c in across] == [("nom_projet", "inside the repeat group `projets_votes`"),
                                                     ("montant", "inside the repeat group `projets_votes`")]


def test_a_question_that_stays_in_its_group_keeps_its_meaning() -> None:
    reordered = MOVED_IN.replace("- {name: nb_projets, type: integer, label: Nombre de projets}\n", "") + \
        "- {name: nb_projets, type: integer, label: Nombre de projets en tout}\n"
    assert meaning_changes(_version(MOVED_IN), _version(reordered, "2")) == []
