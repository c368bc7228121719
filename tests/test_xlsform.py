"""XLSForm import and export: real-world shapes of forms, located errors, and export → import round trips."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from pyxform import xls2xform
from typer.testing import CliRunner

from survey.cli import app
from survey.expressions import Null, Text, parse, to_text
from survey.schema import Questionnaire, load_questionnaire
from survey.xlsform import WorkbookInvalid, import_xlsform, write_xlsform
from survey.xlsform.expressions import from_xlsform, to_xlsform
from tests.conftest import EXAMPLE_QUESTIONNAIRES, ROOT
from tests.strategies import questionnaires

Sheet = list[list[Any]]


def workbook(path: Path, survey: Sheet | None, choices: Sheet | None = None, settings_: Sheet | None = None) -> Path:
    """Write the sheets (first row: the header) as .xlsx, or as .xls when `path` ends so."""
    sheets = {name: rows for name, rows in (("survey", survey), ("choices", choices), ("settings", settings_))
              if rows is not None}
    if path.suffix == ".xls":
        import xlwt

        book = xlwt.Workbook()
        for name, rows in sheets.items():
            sheet = book.add_sheet(name)
            for r, row in enumerate(rows):
                for c, value in enumerate(row):
                    if value is not None:
                        sheet.write(r, c, value)
        book.save(str(path))
        return path
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


SETTINGS = [["form_title", "form_id", "version", "default_language", "privacy_notice"],
            ["Enquête", "enquete_quartiers", "2026.1", "Français (fr)", "Vos réponses sont anonymes."]]


def convert(tmp_path: Path, survey: Sheet, choices: Sheet | None = None, settings_: Sheet | None = SETTINGS,
            name: str = "form.xlsx"):  # noqa: ANN201
    return import_xlsform(workbook(tmp_path / name, survey, choices, settings_))


def problems(tmp_path: Path, survey: Sheet | None, choices: Sheet | None = None) -> list[str]:
    with pytest.raises(WorkbookInvalid) as caught:
        import_xlsform(workbook(tmp_path / "broken.xlsx", survey, choices, SETTINGS))
    return [str(problem) for problem in caught.value.problems]


def test_a_translated_form_keeps_every_language(tmp_path: Path) -> None:
    survey = [["type", "name", "label::Français (fr)", "label::English (en)", "hint::English (en)", "required"],
              ["select_one oui_non", "habitant", "Habitez-vous ici ?", "Do you live here?", "Tick one", "yes"],
              ["text", "remarque", "Une remarque ?", "", None, None]]
    choices = [["list_name", "name", "label::Français (fr)", "label::English (en)"],
               ["oui_non", "o", "Oui", "Yes"], ["oui_non", "n", "Non", "No"]]
    settings_ = [["form_title", "form_id", "default_language"], ["Enquête", "enquete", "English (en)"]]
    questionnaire, report = convert(tmp_path, survey, choices, settings_)
    assert questionnaire.language == "en" and questionnaire.languages == ["en", "fr"]
    habitant = questionnaire.question("habitant")
    assert habitant.label == {"en": "Do you live here?", "fr": "Habitez-vous ici ?"}
    assert habitant.help == "Tick one" and habitant.required
    assert habitant.choices[1].label == {"en": "No", "fr": "Non"}
    assert questionnaire.question("remarque").label == {"en": "Une remarque ?", "fr": "Une remarque ?"}
    assert any("no text in `en`" in line for line in report.lines())
    assert "À COMPLÉTER" in questionnaire.privacy_notice and any("privacy_notice" in line for line in report.lines())


def test_groups_become_pages_and_loose_questions_share_one(tmp_path: Path) -> None:
    survey = [["type", "name", "label", "relevant", "appearance"],
              ["integer", "age", "Âge", None, None],
              ["text", "commune_libre", "Commune", None, None],
              ["begin group", "avis", "Votre avis", "${age} >= 16", "field-list"],
              ["note", "intro", "Quelques questions", None, None],
              ["begin_group", "detail", "Détail", "${age} < 99", None],
              ["decimal", "note_globale", "Note", None, "horizontal"],
              ["end_group", None, None, None, None],
              ["end group", None, None, None, None],
              ["date", "quand", "Date", None, None]]
    questionnaire, report = convert(tmp_path, survey)
    assert [(p.id, [q.name for q in p.questions]) for p in questionnaire.pages] == [
        ("page-1", ["age", "commune_libre"]), ("avis", ["intro", "note_globale"]), ("page-3", ["quand"])]
    assert questionnaire.pages[1].relevant == "age >= 16"
    assert questionnaire.question("note_globale").relevant == "age < 99"
    lines = "\n".join(report.lines())
    assert "row 6: group `detail` inside a page is flattened" in lines
    assert "appearance `horizontal` is not carried over" in lines


def test_a_repeat_becomes_a_repeat_question(tmp_path: Path) -> None:
    survey = [["type", "name", "label", "repeat_count"],
              ["integer", "enfants", "Combien d'enfants ?", None],
              ["begin repeat", "enfant", "Enfant", "${enfants}"],
              ["text", "prenom", "Prénom", None],
              ["integer", "age_enfant", "Âge", None],
              ["end repeat", None, None, None]]
    questionnaire, _ = convert(tmp_path, survey)
    repeat = questionnaire.question("enfant")
    assert repeat.type == "repeat" and repeat.repeat_count == "enfants"
    assert [q.name for q in repeat.questions] == ["prenom", "age_enfant"]


def test_or_other_and_a_cascading_choice_filter(tmp_path: Path) -> None:
    survey = [["type", "name", "label", "choice_filter", "appearance"],
              ["select_one commune or_other", "commune", "Commune", None, "minimal"],
              ["select_one quartier", "quartier", "Quartier", "commune = ${commune}", None],
              ["select_multiple usage or_other", "usages", "Usages", None, None]]
    choices = [["list_name", "name", "label", "commune"],
               ["commune", "sa", "Saint-Aubin", None], ["commune", "vb", "Villebourg", None],
               ["quartier", "centre", "Centre", "sa"], ["quartier", "gare", "Gare", "sa"],
               ["quartier", "port", "Port", "vb"],
               ["usage", "velo", "Vélo", None], ["usage", "bus", "Bus", None]]
    questionnaire, _ = convert(tmp_path, survey, choices)
    commune, quartier = questionnaire.question("commune"), questionnaire.question("quartier")
    assert commune.type == "dropdown" and commune.other
    assert questionnaire.question("usages").type == "multiple_choice" and questionnaire.question("usages").other
    assert quartier.choice_filter == "choice.commune = commune"
    assert quartier.choices[2].data == {"commune": "vb"}


def test_logic_with_references_and_functions(tmp_path: Path) -> None:
    survey = [["type", "name", "label", "relevant", "constraint", "calculation", "required"],
              ["select_multiple usage", "usages", "Usages", None, "count-selected(.) <= 2", None, None],
              ["integer", "age", "Âge", "selected(${usages}, 'bus') and not(selected(${usages}, 'velo'))",
               ". >= 0 and . < 120", None, "count-selected(${usages}) > 0"],
              ["text", "code", "Code", "string-length(${code}) > 0 or ${age} > 10", "regex(., '^[A-Z]{2}$')", None,
               None],
              ["calculate", "moitie", None, None, None, "if(${age} > 0, ${age} div 2, 0)", None],
              ["calculate", "phrase", None, None, None, "concat('Âge : ', ${age}, ' ', today())", None]]
    choices = [["list_name", "name", "label"], ["usage", "velo", "Vélo"], ["usage", "bus", "Bus"]]
    questionnaire, _ = convert(tmp_path, survey, choices)
    age, code = questionnaire.question("age"), questionnaire.question("code")
    assert questionnaire.question("usages").constraint == "count_selected(.) <= 2"
    assert age.relevant == "selected(usages, 'bus') and not selected(usages, 'velo')"
    assert age.constraint == ". >= 0 and . < 120" and age.required_if == "count_selected(usages) > 0"
    assert code.relevant == "length(code) > 0 or age > 10" and code.constraint == "regex(., '^[A-Z]{2}$')"
    assert questionnaire.question("moitie").calculation == "if(age > 0, age / 2, 0)"
    assert questionnaire.question("phrase").calculation == "concat('Âge : ', age, ' ', today())"


def test_ranges_rank_acknowledge_and_likert(tmp_path: Path) -> None:
    survey = [["type", "name", "label", "parameters", "appearance"],
              ["range", "recommandation", "Recommanderiez-vous ?", "start=0 end=10 step=1", None],
              ["range", "note", "Note", "start=1 end=5", None],
              ["range", "pas", "Pas", "start=0 end=100 step=5", None],
              ["rank", "priorites", "Priorités", None, None],
              ["acknowledge", "accord", "J'accepte", None, None],
              ["select_one echelle", "satisfaction", "Satisfait ?", None, "likert"],
              ["text", "avis", "Avis", None, "multiline"]]
    survey[4][0] = "rank echelle"
    choices = [["list_name", "name", "label"], ["echelle", "1", "Pas du tout"], ["echelle", "2", "Un peu"],
               ["echelle", "3", "Beaucoup"]]
    questionnaire, report = convert(tmp_path, survey, choices)
    types = {q.name: q.type for q in questionnaire.all_questions()}
    assert types == {"recommandation": "nps", "note": "integer", "pas": "integer", "priorites": "ranking",
                     "accord": "consent", "satisfaction": "likert", "avis": "long_text"}
    assert (questionnaire.question("note").min, questionnaire.question("note").max) == (1, 5)
    assert questionnaire.question("satisfaction").scale == ["Pas du tout", "Un peu", "Beaucoup"]
    assert any("row 4: the range step 5 is not carried over" in line for line in report.lines())


def test_what_cannot_be_carried_over_is_listed(tmp_path: Path) -> None:
    survey = [["type", "name", "label", "relevant", "default", "required_message", "media::image"],
              ["start", "debut", None, None, None, None, None],
              ["geopoint", "position", "Où êtes-vous ?", None, None, None, None],
              ["image", "photo", "Une photo", None, None, None, None],
              ["audio", "voix", "Un message", None, None, None, None],
              ["text", "nom", "Nom", "${photo} != ''", "Anonyme", "Obligatoire !", "nom.png"],
              ["integer", "n", "Nombre", "pulldata('f', 'c', 'k', ${nom}) > 1", None, None, None]]
    questionnaire, report = convert(tmp_path, survey)
    types = {q.name: q.type for q in questionnaire.all_questions()}
    assert types == {"position": "short_text", "photo": "note", "voix": "note", "nom": "short_text", "n": "integer"}
    assert questionnaire.question("position").help == "[XLSForm : une position GPS, à saisir en texte]"
    assert questionnaire.question("photo").help == "[XLSForm : une photo, non collecté ici]"
    assert questionnaire.question("nom").relevant is None and questionnaire.question("n").relevant is None
    lines = "\n".join(report.lines())
    for expected in ("row 2: `debut`: device metadata (type `start`) is left out",
                     "row 3: `position`: a GPS location (type `geopoint`) is asked as a marked text question",
                     "row 4: `photo`: a photo (type `image`) is kept as a marked note: nothing is collected",
                     "row 5: `voix`: an audio recording (type `audio`) is kept as a marked note",
                     "row 6: column 'relevant': `${photo} != ''` is not carried over: it uses `${photo}`",
                     "row 6: default `Anonyme` is not carried over", "row 6: `required_message` is not carried",
                     "row 6: column 'media::image' (`nom.png`) is not carried over",
                     "row 7: column 'relevant': `pulldata('f', 'c', 'k', ${nom}) > 1` is not carried over: "
                     "the function `pulldata()` has no counterpart"):
        assert expected in lines


def test_a_legacy_xls_file(tmp_path: Path) -> None:
    survey = [["type", "name", "label::Français (fr)", "label::English (en)", "required"],
              ["select_one oui_non", "habitant", "Habitez-vous ici ?", "Do you live here?", "TRUE"],
              ["integer", "age", "Âge", "Age", None]]
    choices = [["list_name", "name", "label::Français (fr)", "label::English (en)"],
               ["oui_non", 1, "Oui", "Yes"], ["oui_non", 0, "Non", "No"]]
    questionnaire, _ = convert(tmp_path, survey, choices, name="form.xls")
    habitant = questionnaire.question("habitant")
    assert habitant.required and [c.code for c in habitant.choices] == ["1", "0"]
    assert questionnaire.question("age").label == {"fr": "Âge", "en": "Age"}


def test_broken_workbooks_get_located_errors(tmp_path: Path) -> None:
    assert problems(tmp_path, None, [["list_name", "name", "label"]]) == [
        "broken.xlsx: sheet 'survey': the workbook has no 'survey' sheet — name the sheet of questions `survey`"]
    found = problems(tmp_path, [["type", "name", "label", "relevant"],
                                ["integr", "age", "Âge", None],
                                ["select_one quartiers", "quartier", "Quartier", None],
                                ["text", "nom", "Nom", "${age} >> 3"],
                                ["begin group", "g", "G", None]],
                     [["list_name", "name", "label"], [None, "x", "X"], ["communes", "a b", "A B"]])
    assert found == [
        "broken.xlsx: sheet 'choices', row 2, column 'list_name': the choice has no `list_name` — name the list it "
        "belongs to",
        "broken.xlsx: sheet 'survey', row 2, column 'type': unknown type 'integr' — use an XLSForm type such as "
        "text, integer, decimal, select_one LIST, select_multiple LIST, date, note, calculate (did you mean "
        "`integer`?)",
        "broken.xlsx: sheet 'survey', row 3, column 'type': list `quartiers` is not on the choices sheet — write "
        "`select_one LIST` and add the list to the choices sheet",
        "broken.xlsx: sheet 'survey', row 4, column 'relevant': cannot read the expression `${age} >> 3`: expected a "
        "value, found `>` — correct it: `${name}` for a question, `and`, `or`, `selected(${q}, 'code')`…",
        "broken.xlsx: sheet 'survey', row 5, column 'type': `begin group` is never closed — add an `end group` row",
    ]


def test_problems_our_checks_find_point_at_the_row(tmp_path: Path) -> None:
    found = problems(tmp_path, [["type", "name", "label", "relevant"], ["text", "nom", "Nom", None],
                                ["select_one deux", "choix", "Choix", None],
                                ["integer", "n", "Nombre", "selected(${choix}, 'c')"]],
                     [["list_name", "name", "label"], ["deux", "a", "A"], ["deux", "b", "B"]])
    assert len(found) == 1
    assert found[0].startswith("broken.xlsx: sheet 'survey', row 4, column 'relevant': expression in `relevant`: "
                            "`choix` has no code 'c'")


def test_a_file_that_is_not_a_workbook(tmp_path: Path) -> None:
    bad = tmp_path / "form.xlsx"
    bad.write_text("not a workbook")
    with pytest.raises(WorkbookInvalid) as caught:
        import_xlsform(bad)
    assert str(caught.value).startswith("form.xlsx: cannot read the workbook")


@pytest.mark.parametrize(("xlsform", "ours"), [
    ("${a} div 2 + 1", "a / 2 + 1"), ("not(${a} = 'x')", "not a = 'x'"), ("true() and false()", "true and false"),
    ("count-selected(${a}) mod 2", "count_selected(a) mod 2"), ('"l\'été"', '"l\'été"'), (".5 + 1.", "0.5 + 1"),
    ("${a} != ''", "a != null"),
])
def test_expressions_from_xlsform(xlsform: str, ours: str) -> None:
    assert from_xlsform(xlsform, lambda name: name) == ours


@pytest.mark.parametrize("ours", ["not (a = 1 or b)", "-(a + 1) * 2", "(a = 1) = true", "empty(a) and year(d) > 2000",
                                  "days_between(d, today()) > 3", "concat('a\"b', \"l'été\")", "choice.commune = c"])
def test_expressions_go_out_and_back(ours: str) -> None:
    assert from_xlsform(to_xlsform(ours), lambda name: name, in_choice_filter=True) == to_text(parse(ours))


@pytest.mark.parametrize("example", EXAMPLE_QUESTIONNAIRES)
def test_the_examples_survive_export_then_import_and_pyxform_accepts_them(example: Path, tmp_path: Path) -> None:
    questionnaire = load_questionnaire(example)
    _, notes = write_xlsform(questionnaire, tmp_path / "form.xlsx")
    assert notes == []
    back, _ = import_xlsform(tmp_path / "form.xlsx")
    assert _comparable(back) == _comparable(questionnaire)
    xls2xform.convert(xlsform=str(tmp_path / "form.xlsx"))


def _empty_is_null(tree: Any) -> Any:
    if isinstance(tree, Text) and tree.value == "":
        return Null()
    if dataclasses.is_dataclass(tree):
        changes = {f.name: (tuple(map(_empty_is_null, value)) if isinstance(value, tuple) else _empty_is_null(value))
                   for f in dataclasses.fields(tree) if not isinstance(value := getattr(tree, f.name), str | float)}
        return dataclasses.replace(tree, **changes)
    return tree


def _comparable(questionnaire: Questionnaire) -> dict[str, Any]:
    """The questionnaire as the round trip promises it: expressions canonical with `''` read as null (XLSForm's
    unanswered), `{default: x}` written `x`."""
    default = questionnaire.language

    def walk(node: Any, key: str | None = None) -> Any:
        if isinstance(node, dict):
            if set(node) == {default} and all(isinstance(v, str) for v in node.values()):
                return walk(node[default])
            return {k: walk(v, k) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, str) and key in ("relevant", "required_if", "constraint", "calculation", "choice_filter",
                                              "repeat_count"):
            return to_text(_empty_is_null(parse(node)))
        return node

    return walk(questionnaire.model_dump(mode="json"))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(questionnaire=questionnaires())
def test_export_then_import_gives_back_an_equal_questionnaire(questionnaire: Questionnaire, tmp_path_factory) -> None:  # noqa: ANN001
    path = tmp_path_factory.mktemp("roundtrip") / "form.xlsx"
    _, notes = write_xlsform(questionnaire, path)
    if any("control characters" in note or "carriage returns" in note for note in notes):
        return  # a spreadsheet cannot hold them; the exporter says so (tested below)
    assert notes == []
    back, _ = import_xlsform(path)
    assert _comparable(back) == _comparable(questionnaire)


def test_control_characters_are_named_not_written(tmp_path: Path) -> None:
    questionnaire = load_questionnaire(ROOT / "questionnaires" / "budget-participatif-habitants.yaml")
    changed = questionnaire.model_copy(update={"title": "Titre\x01"})
    _, notes = write_xlsform(changed, tmp_path / "form.xlsx")
    assert any(re.search(r"control characters removed from 'Titre\\x01'", note) for note in notes)


def test_the_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SURVEY_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()
    example = ROOT / "questionnaires" / "formation-democratie-participative.yaml"
    out = runner.invoke(app, ["export-xlsform", str(example), "-o", str(tmp_path / "f.xlsx")])
    assert out.exit_code == 0, out.output
    out = runner.invoke(app, ["import-xlsform", str(tmp_path / "f.xlsx"), "-o", str(tmp_path / "f.yaml")])
    assert out.exit_code == 0, out.output
    assert _comparable(load_questionnaire(tmp_path / "f.yaml")) == _comparable(load_questionnaire(example))
    assert runner.invoke(app, ["load", str(example)]).exit_code == 0
    out = runner.invoke(app, ["export-xlsform", "formation-democratie-participative", "-o", str(tmp_path / "g.xlsx")])
    assert out.exit_code == 0, out.output
    broken = workbook(tmp_path / "b.xlsx", [["type", "name", "label"], ["geopoint", "lieu", "Lieu"],
                                            ["integr", "age", "Âge"]])
    out = runner.invoke(app, ["import-xlsform", str(broken), "-o", str(tmp_path / "b.yaml")])
    assert out.exit_code == 1 and "Traceback" not in out.output
    assert "b.xlsx: sheet 'survey', row 3, column 'type': unknown type 'integr'" in out.output
    assert not (tmp_path / "b.yaml").exists()
