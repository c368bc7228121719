"""XLSForms as they are in the wild: every spelling pyxform accepts, what we cannot ask turned into marked stand-ins,
metadata left out, calculations ordered by dependency, and workbooks crafted to exhaust the reader refused early."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from pyxform import xls2xform

from survey.schema import load_questionnaire, to_yaml
from survey.xlsform import WorkbookInvalid, import_xlsform, importer, places
from survey.xlsform.places import place
from survey.xlsform.reader import Limits, Row, read_workbook
from survey.xlsform.types import XLSFORM_TYPES, read_type
from tests.test_xlsform import SETTINGS, Sheet, workbook

CHOICES = [["list_name", "name", "label"], ["oui_non", "oui", "Oui"], ["oui_non", "non", "Non"],
           ["fruits", "pomme", "Pomme"], ["fruits", "poire", "Poire"]]


def convert(tmp_path: Path, survey: Sheet, choices: Sheet | None = CHOICES, name: str = "wild.xlsx"):  # noqa: ANN201
    return import_xlsform(workbook(tmp_path / name, survey, choices, SETTINGS))


def refused(tmp_path: Path, survey: Sheet, choices: Sheet | None = CHOICES) -> list[str]:
    with pytest.raises(WorkbookInvalid) as caught:
        convert(tmp_path, survey, choices, "broken.xlsx")
    return [str(problem) for problem in caught.value.problems]


def validates(questionnaire, tmp_path: Path) -> None:  # noqa: ANN001
    """What `survey validate` does with the file `survey import-xlsform` writes."""
    path = tmp_path / "written.yaml"
    path.write_text(to_yaml(questionnaire), encoding="utf-8")
    load_questionnaire(path)


@pytest.mark.parametrize(("spelling", "ours"), [
    ("select one oui_non", "single_choice"), ("Select One oui_non", "single_choice"),
    ("select1 oui_non", "single_choice"), ("select one from oui_non", "single_choice"),
    ("add select one prompt using oui_non", "single_choice"), ("select all that apply fruits", "multiple_choice"),
    ("select_multiple fruits", "multiple_choice"), ("select multiple from fruits", "multiple_choice"),
    ("q select fruits", "multiple_choice"), ("rank fruits", "ranking"), ("int", "integer"), ("q int", "integer"),
    ("add integer prompt", "integer"), ("Integer", "integer"), ("decimal", "decimal"), ("q decimal", "decimal"),
    ("string", "short_text"), ("q string", "short_text"), ("add text prompt", "short_text"),
    ("phone number", "short_text"), ("q date", "date"), ("dateTime", "date"), ("date time", "date"),
    ("time", "time"), ("trigger", "consent"), ("q acknowledge", "consent"), ("add note prompt", "note"),
])
def test_every_spelling_pyxform_accepts_is_read(tmp_path: Path, spelling: str, ours: str) -> None:
    questionnaire, _ = convert(tmp_path, [["type", "name", "label"], ["text", "nom", "Nom"], [spelling, "q", "Q"]])
    assert questionnaire.question("q").type == ours
    validates(questionnaire, tmp_path)


def test_the_type_table_holds_every_type_of_pyxform() -> None:
    from pyxform.aliases import select
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    def key(text: str) -> str:
        return " ".join(text.replace("_", " ").lower().split())

    missing = {t for t in [*QUESTION_TYPE_DICT, *select] if key(t) not in XLSFORM_TYPES}
    assert missing == set()


def test_groups_repeats_and_loops_in_every_spelling(tmp_path: Path) -> None:
    survey = [["type", "name", "label"],
              ["begin_group", "a", "Page A"], ["text", "t1", "T1"], ["End_Group", None, None],
              ["Begin Group", "b", "Page B"], ["integer", "n", "Combien ?"],
              ["begin repeat", "r", "Répétition"], ["text", "t2", "T2"],
              ["begin repeat", "r2", "Dedans"], ["text", "t3", "T3"], ["end repeat", None, None],
              ["end repeat", None, None],
              ["begin loop over fruits", "boucle", "Par fruit"], ["integer", "kilos", "Kilos"],
              ["end loop", None, None],
              ["begin lgroup", "lg", "Ancien nom"], ["text", "t4", "T4"], ["end lgroup", None, None],
              ["end group", None, None]]
    questionnaire, report = convert(tmp_path, survey)
    assert [p.id for p in questionnaire.pages] == ["a", "b"]
    assert [q.name for q in questionnaire.question("r").questions] == ["t2", "t3"]
    loop = questionnaire.question("boucle")
    assert loop.type == "repeat" and loop.repeat_count == "2" and [q.name for q in loop.questions] == ["kilos"]
    assert questionnaire.question("lg").type == "repeat"
    lines = "\n".join(report.lines())
    assert "row 9: repeat `r2` inside a repeat is flattened into it" in lines
    assert "row 13: loop `boucle` over `fruits` becomes a repeat of 2 entries" in lines
    validates(questionnaire, tmp_path)


def test_what_cannot_be_asked_becomes_a_marked_stand_in_with_a_report_line(tmp_path: Path) -> None:
    survey = [["type", "name", "label", "hint", "required"],
              ["gps", "lieu", "Où ?", None, "yes"], ["geotrace", "trajet", "Trajet", None, None],
              ["geoshape", "zone", "Zone", None, None], ["barcode", "code", "Code", None, None],
              ["photo", "photo", "Photo", "Cadrez bien", "yes"], ["audio", "son", "Son", None, None],
              ["video", "film", "Film", None, None], ["file", "piece", "Pièce", None, None],
              ["osm fruits", "carte", "Carte", None, None],
              ["select_one_from_file communes.csv", "commune", "Commune", None, None],
              ["select_multiple_from_file communes.csv", "communes", "Communes", None, None],
              ["integer", "age", "Âge", None, None]]
    questionnaire, report = convert(tmp_path, survey)
    types = {q.name: q.type for q in questionnaire.all_questions()}
    assert types == {"lieu": "short_text", "trajet": "short_text", "zone": "short_text", "code": "short_text",
                     "photo": "note", "son": "note", "film": "note", "piece": "note", "carte": "note",
                     "commune": "short_text", "communes": "short_text", "age": "integer"}
    assert questionnaire.question("lieu").required and not questionnaire.question("photo").required
    assert questionnaire.question("photo").help == "Cadrez bien [XLSForm : une photo, non collecté ici]"
    assert questionnaire.question("commune").help == ("[XLSForm : un choix dans une liste d'un fichier externe "
                                                      "(communes.csv), à saisir en texte]")
    lines = report.lines()
    assert sum("asked as a marked text question" in line for line in lines) == 6
    assert sum("kept as a marked note" in line for line in lines) == 5
    validates(questionnaire, tmp_path)


def test_metadata_rows_are_reported_and_left_out(tmp_path: Path) -> None:
    survey = [["type", "name", "label", "relevant", "calculation"]]
    metadata = ["start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username", "email",
                "audit", "hidden", "start-geopoint", "background-audio", "imei", "uri:username"]
    survey += [[kind, kind.replace("-", "_").replace(":", "_"), None, None, None] for kind in metadata]
    survey += [["integer", "age", "Âge", "${today} != ''", None],
               ["calculate", "jour", None, None, "${today}"]]
    questionnaire, report = convert(tmp_path, survey)
    assert [q.name for q in questionnaire.all_questions()] == ["age", "jour"]
    assert questionnaire.question("jour").calculation == "today()"
    lines = report.lines()
    assert sum("is left out" in line for line in lines) == len(metadata)
    assert "sheet 'survey', row 2: `start`: device metadata (type `start`) is left out" in lines
    validates(questionnaire, tmp_path)


def test_a_form_with_nothing_left_to_answer_is_refused(tmp_path: Path) -> None:
    found = refused(tmp_path, [["type", "name", "label"], ["start", "start", None], ["deviceid", "d", None],
                               ["image", "photo", "Photo"], ["note", "merci", "Merci"]])
    assert found == ["broken.xlsx: sheet 'survey': no question that can be answered is left once what cannot be "
                     "carried over is taken out — add questions to the survey sheet"]


def test_a_calculation_may_use_one_defined_further_down(tmp_path: Path) -> None:
    survey = [["type", "name", "label", "calculation"],
              ["integer", "a", "A", None],
              ["calculate", "total", None, "${part} + ${autre}"],
              ["note", "vu", "Total : ${total}", None],
              ["begin group", "p2", "Page 2", None],
              ["calculate", "part", None, "${a} * 2"],
              ["calculate", "autre", None, "${a} + 1"],
              ["end group", None, None, None]]
    questionnaire, report = convert(tmp_path, survey)
    assert [[q.name for q in page.questions] for page in questionnaire.pages] == [["a", "vu"],
                                                                                   ["part", "autre", "total"]]
    assert "sheet 'survey', row 3: calculation `total` moved after `autre`, which it uses (our forms compute in " \
           "page order)" in report.lines()
    validates(questionnaire, tmp_path)


def test_a_cycle_of_calculations_is_still_refused_at_its_rows(tmp_path: Path) -> None:
    found = refused(tmp_path, [["type", "name", "label", "calculation"], ["integer", "a", "A", None],
                               ["calculate", "x", None, "${y} + ${a}"], ["calculate", "y", None, "${x} + 1"]])
    assert len(found) == 1 and found[0].startswith("broken.xlsx: sheet 'survey', row 3, column 'calculation':")
    assert "x → y → x" in found[0]


def test_references_to_notes_and_to_dropped_calculations(tmp_path: Path) -> None:
    survey = [["type", "name", "label", "calculation", "relevant"],
              ["integer", "a", "A", None, None],
              ["note", "info", "Info", None, None],
              ["calculate", "tiré", None, "pulldata('f', 'c', 'k', ${a})", None],
              ["calculate", "double", None, "${tiré} * 2", None],
              ["text", "b", "B", None, "${info} = '' and ${a} > 1"],
              ["calculate", "c", None, "if(${info} = '', 1, 0)", None],
              ["note", None, "Sans nom", None, None]]
    questionnaire, report = convert(tmp_path, survey)
    assert [q.name for q in questionnaire.all_questions()] == ["a", "info", "b", "c", "note_8"]
    assert questionnaire.question("b").relevant == "null = null and a > 1"
    assert questionnaire.question("c").calculation == "if(null = null, 1, 0)"
    lines = "\n".join(report.lines())
    assert "row 4: `tiré`: a calculation left out" in lines and "row 5: `double`: a calculation left out" in lines
    validates(questionnaire, tmp_path)


def test_choice_names_that_are_not_codes_and_lists_of_one(tmp_path: Path) -> None:
    survey = [["type", "name", "label", "relevant", "choice_filter"],
              ["select_one tranche", "tranche", "Tranche", None, None],
              ["text", "detail", "Détail", "selected(${tranche}, '>150')", None],
              ["select_one avis or_other", "avis", "Avis", None, None],
              ["select_one seul", "seul", "Seul", None, None],
              ["select_one ville", "ville", "Ville", None, "etat = ${tranche}"]]
    choices = [["list_name", "name", "label", "etat"], ["tranche", "<50", "Moins de 50", None],
               ["tranche", ">150", "Plus de 150", None], ["avis", "bien", "Bien", None],
               ["avis", "mal", "Mal", None], ["avis", "dont_know", "Je ne sais pas", None],
               ["avis", "other", "Autre", None],
               ["seul", "ok", "D'accord", None],
               ["ville", "paris", "Paris", "_50"], ["ville", "paris", "Paris (Texas)", "_150"],
               ["ville", "lyon", "Lyon", "_50"]]
    questionnaire, report = convert(tmp_path, survey, choices)
    assert [c.code for c in questionnaire.question("tranche").choices] == ["50", "150"]
    assert questionnaire.question("detail").relevant == "selected(tranche, '150')"
    avis = questionnaire.question("avis")
    assert [c.code for c in avis.choices] == ["bien", "mal"] and avis.other and avis.special_answers == ["dont_know"]
    assert questionnaire.question("seul").type == "yes_no"
    assert [c.code for c in questionnaire.question("ville").choices] == ["paris", "paris_2", "lyon"]
    lines = "\n".join(report.lines())
    for expected in ("row 3: choice name `>150` of list `tranche` becomes the code `150`",
                     "row 10: choice `paris` appears twice in list `ville`: this one is given another code",
                     "`avis`: the choices dont_know become special answers",
                     "`seul`: list `seul` has a single choice (`ok`): asked as a marked yes/no question"):
        assert expected in lines
    validates(questionnaire, tmp_path)


def test_external_choices_and_unknown_languages(tmp_path: Path) -> None:
    path = tmp_path / "ext.xlsx"
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in (("survey", [["type", "name", "label::English (en)", "label::Klingon"],
                                    ["select_one_external pays", "pays", "Country", "Qo'noS"],
                                    ["select_one_external villes", "ville", "City", None]]),
                        ("choices", [["list_name", "name", "label"], ["x", "a", "A"], ["x", "b", "B"]]),
                        ("external_choices", [["list name", "name", "label"], ["pays", "fr", "France"],
                                              ["pays", "be", "Belgique"]])):
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    questionnaire, report = import_xlsform(path)
    assert questionnaire.question("pays").type == "dropdown"
    assert [c.code for c in questionnaire.question("pays").choices] == ["fr", "be"]
    assert questionnaire.question("ville").type == "short_text"
    lines = "\n".join(report.lines())
    assert "column 'label::Klingon' is not carried over: cannot tell the language of `Klingon`" in lines
    assert "the list `pays` is taken from the external_choices sheet" in lines


def test_rows_without_a_type(tmp_path: Path) -> None:
    survey = [["type", "name", "label", "comment"], [None, None, None, "une remarque de l'auteur"],
              ["text", "nom", "Nom", None], [None, "oubli", "Oubli", None]]
    found = refused(tmp_path, survey)
    assert found == ["broken.xlsx: sheet 'survey', row 4, column 'type': the row has no type — give it a type "
                     "(e.g. `text`) or delete the row"]
    questionnaire, report = convert(tmp_path, survey[:3])
    assert "sheet 'survey', row 2: a row with no type, name or label is skipped" in report.lines()


def test_a_legacy_xls_in_old_spellings(tmp_path: Path) -> None:
    survey = [["type", "name", "label"], ["start", "start", None], ["select one oui_non", "habitant", "Habitant ?"],
              ["select all that apply fruits", "fruits", "Fruits"], ["begin group", "g", "G"], ["gps", "ou", "Où ?"],
              ["q int", "n", "N"], ["end group", None, None]]
    questionnaire, report = convert(tmp_path, survey, name="old.xls")
    assert {q.name: q.type for q in questionnaire.all_questions()} == {
        "habitant": "single_choice", "fruits": "multiple_choice", "ou": "short_text", "n": "integer"}
    assert any("`start`: device metadata" in line for line in report.lines())
    xls2xform.convert(xlsform=str(tmp_path / "old.xls"))  # a form pyxform converts too
    validates(questionnaire, tmp_path)


def test_read_type_splits_command_list_and_other() -> None:
    kind = read_type("select one from  liste_1 or specify other")
    assert (kind.treatment, kind.ours, kind.list_name, kind.other) == ("choice", "single_choice", "liste_1", True)
    end = read_type("End_Repeat")
    assert (end.control, end.container) == ("end", "repeat")
    loop = read_type("begin loop over fruits")
    assert (loop.control, loop.container, loop.list_name) == ("begin", "loop", "fruits")
    assert not read_type("party like it's 1999").known


# -- workbooks crafted against the reader ----------------------------------------------------------------------------

def _zip_bomb(path: Path, unpacked_mb: int) -> Path:
    """A valid small form plus a part of zeros that deflates about a thousandfold (the 1.5 MB → 1.5 GB attack)."""
    workbook(path, [["type", "name", "label"], ["text", "nom", "Nom"]])
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("xl/media/padding.bin", "w", force_zip64=True) as part:
            block = bytes(1024 * 1024)
            for _ in range(unpacked_mb):
                part.write(block)
    return path


def test_a_zip_bomb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    bomb = _zip_bomb(tmp_path / "bomb.xlsx", unpacked_mb=120)
    assert bomb.stat().st_size < 1024 * 1024
    with pytest.raises(WorkbookInvalid) as caught:
        import_xlsform(bomb)
    assert str(caught.value) == ("bomb.xlsx: the workbook unpacks to 120 MB: more than the 100 MB a form may take — "
                                 "remove what is not the form (pictures, other sheets, pasted data) or split it")


def test_a_far_cell_is_refused_by_its_address_not_padded_to(tmp_path: Path) -> None:
    path = tmp_path / "far.xlsx"
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("survey")
    sheet.append(["type", "name", "label"])
    sheet.append(["text", "nom", "Nom"])
    book.save(path)
    # write the far cells into the sheet's XML as a crafted file would: a value in XFD1 and one in A1048576
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    xml = xml.replace("</row></sheetData>", '</row><row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is>'
                                            "</c></row></sheetData>")
    xml = xml.replace('<c r="C1" t="inlineStr"><is><t>label</t></is></c>',
                      '<c r="C1" t="inlineStr"><is><t>label</t></is></c><c r="XFD1" t="inlineStr"><is><t>x</t></is>'
                      "</c>")
    assert "XFD1" in xml and "A1048576" in xml
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert path.stat().st_size < 16 * 1024
    with pytest.raises(WorkbookInvalid) as caught:
        import_xlsform(path)
    assert str(caught.value) == ("far.xlsx: sheet 'survey', row 1, column 'XFD1': cell XFD1 holds a value in column "
                                 "XFD (16,384): a form may use 200,000 rows and 1,000 columns per sheet — delete what "
                                 "is in XFD1 (and any other far cell), then save again")


def test_rows_beyond_the_limit_are_refused_and_empty_rows_cost_nothing(tmp_path: Path) -> None:
    rows = [["type", "name", "label"], *[["text", f"q{i}", f"Q{i}"] for i in range(30)]]
    path = workbook(tmp_path / "long.xlsx", rows)
    with pytest.raises(WorkbookInvalid) as caught:
        read_workbook(path, Limits(rows=20))
    assert str(caught.value).startswith("long.xlsx: sheet 'survey', row 21, column 'A21': cell A21 holds a value in "
                                        "row 21: a form may use 20 rows")
    book = read_workbook(path, Limits(columns=3))
    assert len(book.sheets["survey"]) == 30


def test_a_file_larger_than_the_limit_is_refused_unread(tmp_path: Path) -> None:
    path = workbook(tmp_path / "big.xlsx", [["type", "name", "label"], ["text", "nom", "Nom"]])
    with pytest.raises(WorkbookInvalid) as caught:
        read_workbook(path, Limits(file_bytes=100))
    assert "big.xlsx: the file is 0.0 MB: more than the 0 MB a form may take" in str(caught.value)


# --- our checks, run on the imported document, point at the cell ----------------------------------------------------


def test_a_problem_in_the_settings_points_at_the_settings_row(tmp_path: Path) -> None:
    settings_ = [[*SETTINGS[0], "survey_extra"], [*SETTINGS[1], '{"mission": {"id": "m", "name": "M", "nom": "x"}}']]
    with pytest.raises(WorkbookInvalid) as caught:
        import_xlsform(workbook(tmp_path / "broken.xlsx", [["type", "name", "label"], ["text", "nom", "Nom"]],
                                None, settings_))
    assert [str(p) for p in caught.value.problems] == [
        "broken.xlsx: sheet 'settings', row 2: unknown field `nom` — remove it or fix its spelling"
        + _suggestion("nom")]


def _suggestion(field: str) -> str:
    """The did-you-mean our checks add for a mission's unknown field, if any (worked out as difflib does)."""
    import difflib

    from survey.schema.model import Mission

    close = difflib.get_close_matches(field, sorted(Mission.model_fields), n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""


def test_a_choice_is_placed_on_its_row_of_the_choices_sheet() -> None:
    choice_row, question_row, group_row = Row("choices", 7, {}), Row("survey", 4, {}), Row("survey", 2, {})
    choice = {"code": "a", "label": "A"}
    page = {"id": "p", "questions": [{"name": "q", "choices": [{"code": "z"}, choice]}]}
    doc = {"id": "f", "pages": [page]}
    rows_of, origin, settings_ = {id(choice): choice_row, id(page): group_row}, {"q": question_row}, Row("settings", 2)
    path = ("pages", 0, "questions", 0, "choices", 1)
    assert place(doc, (*path, "code"), rows_of, origin, settings_) == (choice_row, "name")
    assert place(doc, (*path, "relevant"), rows_of, origin, settings_) == (choice_row, "survey_relevant")
    assert place(doc, ("pages", 0, "questions", 0, "help"), rows_of, origin, settings_) == (question_row, "hint")
    assert place(doc, ("pages", 0, "title"), rows_of, origin, settings_) == (group_row, "")
    assert place(doc, ("title",), rows_of, origin, settings_) == (settings_, "form_title")


def test_a_form_whose_file_would_pass_the_value_limit_is_refused_at_the_row(tmp_path: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    survey = [["type", "name", "label"], ["text", "nom", "Nom"], ["integer", "age", "Âge"], ["text", "ville", "Ville"]]
    path = workbook(tmp_path / "grand.xlsx", survey, None, SETTINGS)
    questionnaire, _ = import_xlsform(path)
    written = yaml.compose(to_yaml(questionnaire))  # count the values of the file as written, by hand

    def values(node: yaml.Node) -> int:
        if isinstance(node, yaml.MappingNode):
            return 1 + sum(values(k) + values(v) for k, v in node.value)
        return 1 + sum(values(item) for item in node.value) if isinstance(node, yaml.SequenceNode) else 1

    total = values(written)
    monkeypatch.setattr(importer, "MAX_NODES", total)
    assert import_xlsform(path)[0] == questionnaire
    monkeypatch.setattr(importer, "MAX_NODES", total - 1)  # the last value written is the last question's label
    with pytest.raises(WorkbookInvalid) as caught:
        import_xlsform(path)
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("survey", 4, "")  # the question's row
    assert import_xlsform(path, file_limits=False)[0] == questionnaire


def test_a_form_whose_file_would_pass_the_byte_limit_is_refused_at_import(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    survey = [["type", "name", "label"], *(["text", f"q{i}", "Une question assez longue " * 4] for i in range(20))]
    path = workbook(tmp_path / "long.xlsx", survey, None, SETTINGS)
    questionnaire, _ = import_xlsform(path)
    size = len(to_yaml(questionnaire).encode())
    monkeypatch.setattr(places, "MAX_FILE_BYTES", size + 100)  # the header line `survey import-xlsform` writes fits
    assert import_xlsform(path)[0] == questionnaire
    monkeypatch.setattr(places, "MAX_FILE_BYTES", size)
    with pytest.raises(WorkbookInvalid) as caught:
        import_xlsform(path)
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row) == ("survey", 0)
    assert f"more than the {size:,} a questionnaire file may hold" in problem.message
