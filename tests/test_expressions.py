"""The expression language: parsing, printing, evaluation, checks. Random trees, random answers, fixed tables."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.expressions import (
    FUNCTIONS,
    Binary,
    Boolean,
    Call,
    ChoiceField,
    Current,
    ExpressionError,
    Name,
    Null,
    Number,
    Text,
    Unary,
    check,
    dependency_cycles,
    evaluate,
    format_number,
    names,
    parse,
    to_json,
    to_text,
    truthy,
)
from survey.expressions.patterns import compiled, pattern_problem
from survey.expressions.syntax import KEYWORDS

TODAY = "2026-03-15"

# ---- strategies (the browser test draws from them too) -------------------------------------------------------

POOL = ["age", "commune", "canaux", "nom", "date_atelier", "a_vote", "x"]
identifiers = st.one_of(st.sampled_from(POOL), st.from_regex(r"[a-z_][a-z0-9_]{0,6}", fullmatch=True)).filter(
    lambda word: word not in KEYWORDS)
NUMBERS = [0.0, 1.0, 2.0, 3.0, 0.5, 0.1, 0.2, 1.5, 2.5, 2.675, 0.125, 16.0, 65.0, 120.0, 1e16, 1e21, 1e-7, 1e-6,
           123456789012345680000.0, 5e-324, 1.7976931348623157e308, 9007199254740993.0, 1e300]
TEXTS = ["", "0", "12", "-3.5", "1e3", " 1", "1.", ".5", "+5", "oui", "non", "affiche", "presse", "Saint-Aubin",
         "2024-02-29", "2023-02-29", "2025-11-25", "2026-03-15", "0000-01-01", "é", "😀", "\uffff", "a'b", 'a"b', "\\",
         "l'élu·e", "75011", "x y"]
CODES = ["affiche", "presse", "bouche_a_oreille", "1", "18_29", "oui", "non"]
PATTERNS = ["[0-9]{5}", "[A-Z][a-z]+", "\\d+(\\.\\d{1,2})?", "(oui|non)", ".*é.*", "a.c", "[^a-z]*", "x{2,}",
            "\\w+@\\w+\\.fr", "(?:ab)+?", "(?=.*[0-9]).{3,}", "^a$", "[a-z0-9-]+", "", "(?<=a)b", "\\1",
            "(?P<n>x)", "[z-a]", "a{,3}", "\\s", ".", "😀?", "[😀-😂]"]
floats = st.one_of(st.sampled_from(NUMBERS), st.floats(min_value=0, allow_nan=False, allow_infinity=False))
free_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=8)
texts = st.one_of(st.sampled_from(TEXTS), free_text)

leaves = st.one_of(
    floats.map(Number), texts.map(Text), st.booleans().map(Boolean), st.just(Null()), identifiers.map(Name),
    st.just(Current()), identifiers.map(ChoiceField),
)


def _branches(children: st.SearchStrategy) -> st.SearchStrategy:
    ops = ["or", "and", "=", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/", "mod"]
    functions = st.one_of(st.sampled_from(sorted(FUNCTIONS)), identifiers)
    return st.one_of(
        st.builds(Unary, st.sampled_from(["-", "not"]), children),
        st.builds(Binary, st.sampled_from(ops), children, children),
        st.builds(Call, functions, st.lists(children, max_size=4).map(tuple)),
        st.builds(lambda s, p: Call("regex", (s, Text(p))), children, st.sampled_from(PATTERNS)),
    )


trees = st.recursive(leaves, _branches, max_leaves=24)
answer_values = st.one_of(
    st.none(), st.booleans(), st.sampled_from(NUMBERS), st.floats(allow_nan=False, allow_infinity=False),
    st.integers(-(10**30), 10**30), st.sampled_from([-0.0, -1.0, -2.5, -7.0, 3.0]), texts,
    st.lists(st.sampled_from(CODES), max_size=3, unique=True),
)
environments = st.dictionaries(st.sampled_from(POOL), answer_values)
choices = st.one_of(st.none(), st.dictionaries(st.sampled_from(["commune", "x", "code"]), texts, max_size=3))


def is_value(value: object) -> bool:
    if value is None or isinstance(value, (bool, str)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


# ---- properties --------------------------------------------------------------------------------------------

@given(trees)
def test_printing_then_parsing_gives_back_the_tree(tree) -> None:  # noqa: ANN001
    text = to_text(tree)
    assert parse(text) == tree, text
    assert to_text(parse(text)) == text


@given(trees, environments, answer_values, choices)
def test_evaluation_never_raises_and_returns_a_value(tree, env, current, choice) -> None:  # noqa: ANN001
    result = evaluate(tree, env, current=current, choice=choice, today=TODAY)
    assert is_value(result), result
    json.dumps(to_json(tree), allow_nan=False)  # the browser's form is plain JSON


@given(st.one_of(st.text(), st.text("abnotrmdul_ .,()'\"\\=!<>+-*/0123456789e", max_size=30)))
def test_any_text_either_parses_or_raises_expression_error(text: str) -> None:
    try:
        tree = parse(text)
    except ExpressionError as error:
        assert 0 <= error.position <= len(text)
        assert error.message
    else:
        assert parse(to_text(tree)) == tree


def test_deep_nesting_is_an_expression_error_not_a_crash() -> None:
    for text in ["(" * 5000 + "1" + ")" * 5000, "-" * 5000 + "1", "not " * 5000 + "x", "+".join(["a"] * 5000)]:
        with pytest.raises(ExpressionError):
            parse(text)


# ---- the documented examples -------------------------------------------------------------------------------

ENV = {"age": 70, "a_vote": "oui", "canaux": ["affiche", "presse"], "commune": "saint-aubin", "nom": "Lucie",
       "date_atelier": "2026-02-01", "cp": "75011", "nb_ateliers": 3, "vide": None, "texte": ""}
EXAMPLES = [
    ("a_vote != 'non'", True),
    ("vide != 'non'", True),  # unanswered is not 'non': the follow-up question shows
    ("vide = null", True),
    ("age = null", False),
    ("if(age >= 65, 'senior', 'actif')", "senior"),
    ("selected(canaux, 'presse')", True),
    ("selected(canaux, 'radio')", False),
    ("selected(a_vote, 'oui')", True),
    ("count_selected(canaux)", 2.0),
    ("count_selected(vide)", 0.0),
    ("concat(nom, ' (', age, ' ans)')", "Lucie (70 ans)"),
    ("concat(canaux)", "affiche presse"),
    ("length('élu·e')", 5.0),
    ("length(vide)", 0.0),
    ("regex(cp, '[0-9]{5}')", True),
    ("regex('75011a', '[0-9]{5}')", False),
    ("regex(vide, '.*')", False),
    ("regex(cp, '(?<=7)5')", None),  # refused by check(); null at run time
    ("date_atelier < today()", True),
    ("year(date_atelier)", 2026.0),
    ("days_between(date_atelier, today())", 42.0),
    ("days_between('2024-02-28', '2024-03-01')", 2.0),
    ("year('2023-02-29')", None),
    ("7 mod 3", 1.0), ("-7 mod 3", -1.0), ("7 mod -3", 1.0), ("7 mod 0", None), ("7 / 0", None),
    ("1 / 3 * 3", 1.0), ("2 + 3 * 4", 14.0), ("(2 + 3) * 4", 20.0), ("10 - 4 - 3", 3.0), ("-2 * -3", 6.0),
    ("vide + 1", None), ("'12' + 1", 13.0), ("'douze' + 1", None), ("true + true", 2.0),
    ("1e308 * 10", None),
    ("age = '70'", True), ("'70' = '70.0'", False), ("age > '9'", True), ("'70' > '9'", False),
    ("'2026-01-31' < '2026-02-01'", True), ("nom > 3", False), ("nom != 3", True),
    ("vide < 1", False), ("vide >= vide", False), ("canaux = 'affiche'", False),
    ("not vide", True), ("not 0", True), ("not '0'", False), ("texte or 0", False), ("nom and age", True),
    ("string(0.1 + 0.2)", "0.30000000000000004"), ("string(1e21)", "1e+21"), ("string(0.0000001)", "1e-7"),
    ("string(100)", "100"), ("string(true)", "true"), ("string(null)", ""),
    ("number('3.5')", 3.5), ("number(' 3')", None), ("number('1,5')", None), ("number(false)", 0.0),
    ("int(-3.7)", -3.0), ("int('12.9')", 12.0),
    ("round(2.5)", 3.0), ("round(-2.5)", -3.0), ("round(2.675, 2)", 2.67), ("round(1.005, 2)", 1.0),
    ("round(1234.5678, 1)", 1234.6), ("round(3, -1)", None),
    ("min(3, vide, 1, 'x')", 1.0), ("max(age, nb_ateliers)", 70.0), ("min(vide)", None),
    ("coalesce(vide, texte, nom)", "Lucie"), ("coalesce(vide, texte)", None),
    ("empty(texte) and empty(vide) and not empty(age)", True),
    ("contains(nom, 'uci')", True), ("contains(vide, '')", False),
    ("unknown_function(1)", None), ("if(1, 2)", None),
]


@pytest.mark.parametrize(("text", "expected"), EXAMPLES, ids=[text for text, _ in EXAMPLES])
def test_documented_examples(text: str, expected: object) -> None:
    result = evaluate(parse(text), ENV, today=TODAY)
    assert result == expected and type(result) is type(expected), result


def test_constraints_read_the_current_answer_and_filters_the_choice() -> None:
    constraint = parse(". >= 16 and . <= 120")
    assert [evaluate(constraint, {}, current=age) for age in (15, 16, 120, 121, None)] == [
        False, True, True, False, False]
    choice_filter = parse("choice.commune = commune")
    assert evaluate(choice_filter, ENV, choice={"commune": "saint-aubin"}) is True
    assert evaluate(choice_filter, ENV, choice={"commune": "ailleurs"}) is False
    assert evaluate(choice_filter, ENV) is False  # no choice: choice.commune is null


@pytest.mark.parametrize("value", [None, False, 0.0, -0.0, "", []])
def test_falsy_values(value: object) -> None:
    assert truthy(value) is False  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [True, 0.5, -1.0, "0", "false", " ", ["x"]])
def test_truthy_values(value: object) -> None:
    assert truthy(value) is True  # type: ignore[arg-type]


@pytest.mark.parametrize(("number", "text"), [
    (0.0, "0"), (-0.0, "0"), (12.0, "12"), (3.5, "3.5"), (-3.5, "-3.5"), (0.1, "0.1"), (1e21, "1e+21"),
    (1e20, "100000000000000000000"), (123456789012345680000.0, "123456789012345680000"), (1e-6, "0.000001"),
    (1e-7, "1e-7"), (1.5e-7, "1.5e-7"), (2.0**60, "1152921504606847000"), (5e-324, "5e-324"),
    (1.7976931348623157e308, "1.7976931348623157e+308"), (1e16, "10000000000000000"), (0.000123, "0.000123"),
])
def test_numbers_are_written_as_javascript_writes_them(number: float, text: str) -> None:
    assert format_number(number) == text


# ---- the syntax ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "canonical"), [
    ("a_vote!='non'", "a_vote != 'non'"),
    ("((age))", "age"),
    ("not(a_vote = 'oui')", "not a_vote = 'oui'"),
    ("(not a) = b", "(not a) = b"),
    ("a - (b - c)", "a - (b - c)"),
    ("(a - b) - c", "a - b - c"),
    ("- (a + b)", "-(a + b)"),
    ("a or b and c", "a or b and c"),
    ("(a or b) and c", "(a or b) and c"),
    ('"l\'élu"', '"l\'élu"'),
    ("'dit \"oui\" et l\\'a'", "'dit \"oui\" et l\\'a'"),
    ("'\\d{5}'", "'\\d{5}'"),
    ("'fin\\\\'", "'fin\\\\'"),
    ("1.50", "1.5"), ("1e3", "1000"), ("2.5E-8", "2.5e-8"),
    ("concat( a ,b )", "concat(a, b)"), ("today()", "today()"),
    ("choice.commune = commune", "choice.commune = commune"),
    (". >= 16", ". >= 16"),
])
def test_canonical_text(text: str, canonical: str) -> None:
    assert to_text(parse(text)) == canonical


@pytest.mark.parametrize(("text", "position", "words"), [
    ("", 0, "empty"),
    ("age >", 5, "expected a value"),
    ("a < b < c", 6, "do not chain"),
    ("'ouvert", 0, "never closed"),
    ("(age + 1", 8, "`)`"),
    ("age AND x", 4, "lower case"),
    ("foo.bar", 0, "choice.<attribute>"),
    ("age # 2", 4, "unexpected character"),
    ("f(a b)", 4, "`,` or `)`"),
    ("1e999", 0, "too large"),
    ("age 12", 4, "after a complete expression"),
])
def test_syntax_errors_say_where_and_what(text: str, position: int, words: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert caught.value.position == position and words in caught.value.message, caught.value
    assert f"column {position + 1}" in str(caught.value)


def test_names_are_the_questions_read() -> None:
    tree = parse("selected(canaux, 'x') and . > age and choice.commune = commune or if(x, y, 'z')")
    assert names(tree) == {"canaux", "age", "commune", "x", "y"}


def test_json_tree_for_the_browser() -> None:
    assert to_json(parse("a_vote != 'non' and -age < 3")) == [
        "and", ["!=", ["name", "a_vote"], "non"], ["<", ["neg", ["name", "age"]], 3.0]]
    assert to_json(parse("regex(cp, '[0-9]{5}')")) == ["regex", ["name", "cp"], "^(?:[0-9]{5})$"]
    assert to_json(parse("regex(cp, '(?<=a)')")) == ["regex", ["name", "cp"], None]
    assert to_json(parse("choice.commune = .")) == ["=", ["choice", "commune"], ["current"]]


@pytest.mark.parametrize("pattern", ["[0-9]{5}", "\\d{2}(\\.\\d+)?", "(?:oui|non)", "[a-z0-9-]+", "[^\\]]", "a+?",
                                     "(a+)+", "\\$\\(", "[\\d_]", "", "x{1000}"])
def test_portable_patterns(pattern: str) -> None:
    assert pattern_problem(pattern) is None and compiled(pattern) is not None


@pytest.mark.parametrize("pattern", ["(?<=a)b", "(?<!a)b", "(a)\\1", "(?P<n>a)", "(?<n>a)", "(?i)a", "\\s", "\\b",
                                     "\\u00e9", "a{,3}", "a{", "a}", "]", "[]", "[^]", "[a-c-e]", "a**", "a*+",
                                     "*a", "(a", "a)", "(?=a)*", "[[]", "\\", "[\\d-z]",
                                     "(?=a)a", "(?!x).*", "\\Z", "\\z", "a{1001}", "(a{1000}){1000}", "a\x00"])
def test_patterns_the_engines_disagree_on_are_refused(pattern: str) -> None:
    assert pattern_problem(pattern) is not None and compiled(pattern) is None


def test_dollar_means_the_very_end_in_python_as_in_javascript() -> None:
    assert evaluate(parse("regex(x, 'a$\\n')"), {"x": "a\n"}) is False


# ---- check() -----------------------------------------------------------------------------------------------

KINDS = {"age": "number", "nom": "text", "canaux": "codes", "a_vote": "code", "date_atelier": "date",
         "heure": "time", "accord": "boolean", "commune": "code"}


@pytest.mark.parametrize(("text", "message"), [
    ("agee > 3", "unknown name `agee`; did you mean `age`?"),
    ("zzz > 3", "unknown name `zzz`"),
    ("slected(canaux, 'x')", "unknown function `slected`; did you mean `selected`?"),
    ("if(age > 3, 1)", "if() takes 3 arguments, not 2"),
    ("round()", "round() takes 1 or 2 arguments, not 0"),
    ("concat()", "concat() takes at least 1 argument, not 0"),
    ("today(1)", "today() takes 0 arguments, not 1"),
    ("selected(age, '1')", "selected() needs a choice question's name as its first argument, not `age`"),
    ("nom + 1", "`+` needs numbers, but `nom` is a text"),
    ("-date_atelier", "`-` needs numbers, but `date_atelier` is a date"),
    ("canaux = 3", "`canaux` is a multiple choice: test a code with selected(canaux, 'code')"),
    ("age = 'beaucoup'", "`=` compares a number with 'beaucoup', which is not a number"),
    ("date_atelier > '01/02/2026'", "`>` compares a date with '01/02/2026': write dates as 'YYYY-MM-DD'"),
    ("date_atelier > age", "`>` compares date `date_atelier` with number `age`"),
    ("heure = accord", "`=` compares time `heure` with boolean `accord`"),
    ("regex(nom, '(?<=a)b')", "regex() pattern '(?<=a)b': only the groups (…) and (?:…) are supported (no "
                              "lookahead or lookbehind, no names, no flags): test one condition per regex() and "
                              "join them with `and`"),
    ("regex(nom, concat('a', 'b'))", "regex() takes its pattern as a quoted text, e.g. regex(code_postal, "
                                     "'[0-9]{5}')"),
    ("regex(nom, '[z-a]')", "regex() pattern '[z-a]': not valid (invalid character class range: z-a)"),
    ("year(age)", "year() needs dates ('YYYY-MM-DD'), not `age`"),
    (". > 3", "`.` (the answer being checked) can only be used in a constraint"),
    ("choice.commune = commune", "`choice.commune` can only be used in a choice filter"),
])
def test_check_reports_what_to_fix(text: str, message: str) -> None:
    assert message in check(parse(text), KINDS)


@pytest.mark.parametrize("text", [
    "a_vote != 'non'", "selected(canaux, 'presse') or count_selected(canaux) > 2", "age >= 18 and age < 30",
    "date_atelier < today() and date_atelier >= '2026-01-01'", "if(accord, age + 1, 0) > 3", "a_vote = 'oui'",
    "regex(nom, '[A-Z][a-z]+')", "concat(nom, ' ', age)", "days_between(date_atelier, today()) > 30",
])
def test_check_accepts_sound_expressions(text: str) -> None:
    assert check(parse(text), KINDS) == []


def test_check_allows_dot_and_choice_where_they_belong() -> None:
    assert check(parse(". >= 16 and . <= 120"), KINDS | {".": "number"}, allow_current=True) == []
    assert check(parse(". = 'x'"), KINDS | {".": "number"}, allow_current=True) == [
        "`=` compares a number with 'x', which is not a number"]
    assert check(parse("choice.commune = commune"), KINDS, allow_choice=True) == []


VALUES = {"accord": (True, False), "commune": ("nord", "sud"), "canaux": ("affiches", "presse"),
          "satisfaction": (1.0, 2.0, 3.0, 4.0, 5.0)}
KINDS_WITH_SCALE = KINDS | {"satisfaction": "number", "grille": "matrix"}


@pytest.mark.parametrize(("text", "message"), [
    ("accord = 'non'", "`accord` is a yes/no question: its answer is true or false, never 'non', so `accord = 'non'` "
                       "is never true — write `accord = false` (`not accord` is true also while it is unanswered)"),
    ("accord = 'Oui'", "`accord` is a yes/no question: its answer is true or false, never 'Oui', so `accord = 'Oui'` "
                       "is never true — write `accord = true`"),
    ("accord != 'no'", "`accord` is a yes/no question: its answer is true or false, never 'no', so `accord != 'no'` "
                       "is always true — write `accord != false`"),
    ("commune = 'sdu'", "`commune` has no code 'sdu' (its codes: nord, sud), so `commune = 'sdu'` is never true — "
                        "did you mean 'sud'?"),
    ("2 = commune", "`commune` has no code 2 (its codes: nord, sud), so `2 = commune` is never true — use one of "
                    "its codes"),
    ("satisfaction != 6", "`satisfaction` is a point from 1 to 5, never 6, so `satisfaction != 6` is always true — "
                          "use a point from 1 to 5"),
    ("selected(canaux, 'press')", "`canaux` has no code 'press' (its codes: affiches, presse), so "
                                  "`selected(canaux, 'press')` is never true — did you mean 'presse'?"),
    ("selected(grille, '1')", "selected() needs a choice question's name as its first argument, not `grille`"),
])
def test_check_reports_a_value_a_question_never_takes(text: str, message: str) -> None:
    assert check(parse(text), KINDS_WITH_SCALE, values=VALUES) == [message]


@pytest.mark.parametrize("text", [
    "accord = false", "accord != true", "accord = 1", "accord = '0'", "not accord", "commune = 'nord'",
    "commune != null", "satisfaction = 5", "satisfaction = '2'", "satisfaction > 7", "selected(canaux, 'presse')",
    "selected(commune, 'sud')", "count_selected(canaux) = 3", "a_vote = 'peut-etre'",  # a_vote: codes not given
])
def test_check_accepts_values_a_question_can_take(text: str) -> None:
    assert check(parse(text), KINDS_WITH_SCALE, values=VALUES) == []


def test_check_reports_a_question_of_a_repeat_group_used_outside_it() -> None:
    assert check(parse("nom_projet != null or projets > 2"), KINDS | {"projets": "number"},
                 unseen={"nom_projet": "projets"}) == [
        "`nom_projet` is a question of the repeat group `projets`: here, outside the group, it has no value (always "
        "null) — use it inside the group, where each item sees its own answers, or use `projets` here (its number "
        "of items)"]


# ---- dependency_cycles() -------------------------------------------------------------------------------------

def test_dependency_cycles() -> None:
    definitions = {name: parse(text) for name, text in {
        "total": "part_a + part_b", "part_a": "age * 2", "part_b": "total - 1",  # total → part_b → total
        "moi": "moi + 1",  # itself
        "tranche": "if(age >= 65, 'senior', 'actif')",
        "x": "y", "y": "z", "z": "x + tranche",
    }.items()}
    assert dependency_cycles(definitions) == [["moi"], ["part_b", "total"], ["x", "y", "z"]]
    assert dependency_cycles({"a": parse("age + 1"), "b": parse("a * 2")}) == []
