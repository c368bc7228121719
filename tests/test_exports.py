"""Every analysis format, one zip per export: each file read back by another library holds the stored answers,
coded as the codebook says, with labels and missing codes where the format carries them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import subprocess
import sys
import zipfile
from collections import Counter
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pyreadstat
import pytest

from survey import deliverables
from survey.schema import load_questionnaire
from survey.store import Store
from survey.synthetic import synthetic_responses
from tests.conftest import ROOT

SPECIAL = {"not_asked": "-7", "dont_know": "-8", "prefer_not_to_say": "-9"}
FORMATS = ("csv", "csv-fr", "xlsx", "parquet", "sav", "dta", "json")
EXAMPLES = ("budget-participatif-habitants", "agents-participation")
# k = 1, nothing suppressed, ℓ = 1: every row exported as stored, to check the coding of each format (disclosure
# control itself is tested in test_disclosure.py).
AS_STORED = deliverables.ProfileChoice(k=1, suppression=0, l=1)


def _text(value: object) -> str:
    """A value as text, the same whatever library read it: 3.0 → "3", None → ""."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".10g")
    if isinstance(value, int):
        return str(value)
    return str(value)


def expected_cells(questionnaire, answers: dict) -> dict[str, str]:
    """The cells a response should have, coded by hand from its stored answers (not by the code under test)."""
    cells: dict[str, str] = {}
    for q in questionnaire.questions():
        answer = answers.get(q.name)
        special = SPECIAL.get(answer["special"]) if isinstance(answer, dict) and set(answer) == {"special"} else None
        if q.type in ("multiple_choice", "ranking"):
            codes = [c.code for c in q.choices] + (["other"] if q.other else [])
            for code in codes:
                if special or answer in (None, []):
                    cells[f"{q.name}__{code}"] = special or ""
                elif q.type == "ranking":
                    cells[f"{q.name}__{code}"] = str(answer.index(code) + 1) if code in answer else ""
                else:
                    cells[f"{q.name}__{code}"] = "1" if code in answer else "0"
        elif q.type == "matrix":
            for item in q.items:
                cells[f"{q.name}__{item.name}"] = special or _text((answer or {}).get(item.name))
        elif q.type == "repeat":
            cells[q.name] = special or ("" if answer is None else str(len(answer)))
        elif q.type in ("yes_no", "consent", "single_choice", "dropdown", "likert", "nps", "integer", "decimal",
                        "date", "time"):
            cells[q.name] = special or _text(answer)
    return cells


def read_tables(archive: zipfile.ZipFile, fmt: str, stem: str) -> dict[str, list[dict[str, str]]]:
    """Every data file of the zip as rows of text cells, read by a library other than the writer's."""
    book = list(csv.DictReader(io.StringIO(archive.read("codebook.csv").decode("utf-8-sig"), newline=""),
                               delimiter=";" if fmt == "csv-fr" else ","))
    renamed = {(row["table"], row["name_in_file"]): row["column"] for row in book if row.get("name_in_file")}
    numbers = {(row["table"], row["column"], row["value_in_file"]): row["code"] for row in book
               if row.get("value_in_file")}
    tables = {}
    for name in archive.namelist():
        if not name.startswith(stem):
            continue
        table = name[len(stem):].split(".")[1] if name.count(".") > 1 else ""
        data = archive.read(name)
        if fmt in ("csv", "csv-fr"):
            rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""),
                                       delimiter=";" if fmt == "csv-fr" else ","))
            if fmt == "csv-fr":
                rows = [{k: re.sub(r"^(-?\d+),(\d+)$", r"\1.\2", v) for k, v in row.items()} for row in rows]
        elif fmt == "xlsx":
            sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
            header, *body = [list(r) for r in sheet.iter_rows(values_only=True)]
            rows = [dict(zip(header, r, strict=True)) for r in body]
        elif fmt == "parquet":
            rows = pq.read_table(io.BytesIO(data)).to_pylist()
        elif fmt == "json":
            rows = json.loads(data)
        else:
            path = Path(archive.filename).with_name(name)  # type: ignore[arg-type]
            path.write_bytes(data)
            if fmt == "sav":  # user-missing codes are read as such, not as empty cells
                frame, _ = pyreadstat.read_sav(str(path), output_format="dict", user_missing=True)
            else:
                frame, _ = pyreadstat.read_dta(str(path), output_format="dict")
            path.unlink()
            names = list(frame)
            rows = [{renamed.get((table, n), n): frame[n][i] for n in names} for i in range(len(frame[names[0]]))]
            rows = [{k: numbers.get((table, k, _text(v)), v) for k, v in row.items()} for row in rows]
        tables[table] = [{k: _text(v) for k, v in row.items()} for row in rows]
    return tables


def _seeded(store: Store, questionnaire_id: str, count: int = 60) -> list[dict]:
    questionnaire = load_questionnaire(ROOT / "questionnaires" / f"{questionnaire_id}.yaml")
    store.load(questionnaire)
    loaded = store.current(questionnaire_id)
    responses = synthetic_responses(loaded.questionnaire, count, 11, dt.datetime(2026, 6, 1, tzinfo=dt.UTC))
    store.store_many(loaded.version_id, responses)
    return [answers for _, answers, _ in responses]


@pytest.mark.parametrize("questionnaire_id", EXAMPLES)
@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_holds_the_stored_answers_coded(store: Store, tmp_path: Path, fmt: str,
                                                    questionnaire_id: str) -> None:
    stored = _seeded(store, questionnaire_id)
    questionnaire = store.current(questionnaire_id).questionnaire  # type: ignore[union-attr]
    out = deliverables.write_export(store, questionnaire_id, fmt, tmp_path / "export.zip", profile=AS_STORED)
    with zipfile.ZipFile(out) as archive:
        assert {"codebook.csv", "LISEZMOI.txt"} <= set(archive.namelist())
        tables = read_tables(archive, fmt, questionnaire_id)
        readme = archive.read("LISEZMOI.txt").decode()
    main = tables[""]
    assert len(main) == len(stored) and f"Réponses : {len(stored)}" in readme
    expected = [expected_cells(questionnaire, answers) for answers in stored]
    for column in expected[0]:
        assert Counter(row[column] for row in main) == Counter(cells[column] for cells in expected), (fmt, column)
    assert not any("nom_projet" in row or "commentaire" in row for rows in tables.values() for row in rows), (
        "free text stays out")
    for group, rows in tables.items():
        if group:
            by_id = Counter(row["export_id"] for row in rows)
            counts = {row["export_id"]: int(row[group] or 0) for row in main if row[group] not in ("-7", "")}
            assert by_id == +Counter(counts), "each item row joins its response by export_id, in this very zip"


def test_spss_and_stata_files_carry_labels_and_missing_codes(store: Store, tmp_path: Path) -> None:
    _seeded(store, "budget-participatif-habitants", 20)
    for fmt in ("sav", "dta"):
        out = deliverables.write_export(store, "budget-participatif-habitants", fmt, tmp_path / f"{fmt}.zip",
                                        profile=AS_STORED)
        with zipfile.ZipFile(out) as archive:
            path = tmp_path / f"main.{fmt}"
            path.write_bytes(archive.read(f"budget-participatif-habitants.{fmt}"))
        if fmt == "sav":
            _, meta = pyreadstat.read_sav(str(path), metadataonly=True, output_format="dict", user_missing=True)
        else:
            _, meta = pyreadstat.read_dta(str(path), metadataonly=True, output_format="dict")
        labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
        assert labels["satisfaction_globale"] == "Dans l’ensemble, êtes-vous satisfait·e du budget participatif ?"
        values = meta.variable_value_labels["satisfaction_globale"]
        assert values[1] == "Pas du tout satisfait·e" and values[-8] == "Ne sait pas"
        assert meta.variable_value_labels["a_vote"][1] == "Oui, en 2024 seulement", "codes written as numbers"
        if fmt == "sav":
            assert meta.missing_ranges["satisfaction_globale"] == [{"lo": -9.0, "hi": -7.0}]
            assert meta.variable_measure["satisfaction_globale"] == "ordinal"


def test_parquet_columns_are_typed_and_described(store: Store, tmp_path: Path) -> None:
    _seeded(store, "agents-participation", 10)
    out = deliverables.write_export(store, "agents-participation", "parquet", tmp_path / "p.zip", profile=AS_STORED)
    with zipfile.ZipFile(out) as archive:
        table = pq.read_table(io.BytesIO(archive.read("agents-participation.parquet")))
        stored = archive.getinfo("agents-participation.parquet").compress_type
    assert stored == zipfile.ZIP_STORED, "zstd inside already: not deflated again"
    assert str(table.schema.field("heures_participation").type) == "double"
    assert str(table.schema.field("recommandation").type) == "int64"
    meta = json.loads(table.schema.field("recommandation").metadata[b"survey"])
    assert meta["type"] == "nps" and meta["values"]["10"] == "10"


def test_excel_cells_that_look_like_formulas_stay_text(store: Store, tmp_path: Path) -> None:
    questionnaire = load_questionnaire(ROOT / "questionnaires" / "budget-participatif-habitants.yaml")
    store.load(questionnaire)
    loaded = store.current(questionnaire.id)
    store.store_many(loaded.version_id, [("k1", {"connait_bp": True, "commentaire": "=HYPERLINK(\"x\")"},  # type: ignore[union-attr]
                                          dt.datetime(2026, 6, 1, tzinfo=dt.UTC))])
    out = deliverables.write_export(store, questionnaire.id, "xlsx", tmp_path / "x.zip", include_free_text=True,
                                    profile=AS_STORED)
    with zipfile.ZipFile(out) as archive:
        sheet = openpyxl.load_workbook(io.BytesIO(archive.read(f"{questionnaire.id}.xlsx"))).active
    header = [c.value for c in sheet[1]]
    cell = sheet.cell(2, header.index("commentaire") + 1)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("x")', "s"), "a text cell, never a formula"


def test_french_csv_opens_in_a_french_excel(store: Store, tmp_path: Path) -> None:
    questionnaire = load_questionnaire(ROOT / "questionnaires" / "agents-participation.yaml")
    store.load(questionnaire)
    loaded = store.current(questionnaire.id)
    at = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    store.store_many(loaded.version_id, [("k1", {"heures_participation": 2.5}, at),  # type: ignore[union-attr]
                                         ("k2", {"heures_participation": -2.5}, at),
                                         ("k3", {"heures_participation": 1e20}, at)])
    out = deliverables.write_export(store, questionnaire.id, "csv-fr", tmp_path / "fr.zip", profile=AS_STORED)
    with zipfile.ZipFile(out) as archive:
        data = archive.read(f"{questionnaire.id}.csv")
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data
    header, *rows = data.decode("utf-8-sig").splitlines()
    column = next(i for i, name in enumerate(header.split(";")) if name == '"heures_participation"')
    hours = {row.split(";")[column] for row in rows}
    assert hours == {"2,5", "-2,5", "1e+20"}, "decimal comma, unquoted; a negative number is no formula, nothing lost"


def test_a_later_response_is_in_the_next_export_and_its_items_join(store: Store, tmp_path: Path) -> None:
    stored = _seeded(store, "budget-participatif-habitants", 5)
    first = deliverables.write_export(store, "budget-participatif-habitants", "csv", tmp_path / "a.zip",
                                      profile=AS_STORED)
    loaded = store.current("budget-participatif-habitants")
    one_more = synthetic_responses(loaded.questionnaire, 1, 99, dt.datetime(2026, 6, 2, tzinfo=dt.UTC))  # type: ignore[union-attr]
    store.store_many(loaded.version_id, one_more)  # type: ignore[union-attr]
    second = deliverables.write_export(store, "budget-participatif-habitants", "csv", tmp_path / "b.zip",
                                       profile=AS_STORED)
    for path, count in ((first, len(stored)), (second, len(stored) + 1)):
        with zipfile.ZipFile(path) as archive:
            tables = read_tables(archive, "csv", "budget-participatif-habitants")
        assert len(tables[""]) == count
        ids = {row["export_id"] for row in tables[""]}
        assert {row["export_id"] for row in tables["projets_votes"]} <= ids


@pytest.mark.parametrize("fmt", FORMATS)
def test_labels_replace_codes_and_numbers_stay_numbers(store: Store, tmp_path: Path, fmt: str) -> None:
    questionnaire = load_questionnaire(ROOT / "questionnaires" / "agents-participation.yaml")
    store.load(questionnaire)
    loaded = store.current(questionnaire.id)
    at = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    store.store_many(loaded.version_id, [  # type: ignore[union-attr]
        ("k1", {"heures_participation": 2.5, "recommandation": 9}, at),
        ("k2", {"heures_participation": {"special": "dont_know"}, "recommandation": 3}, at)])
    out = deliverables.write_export(store, questionnaire.id, fmt, tmp_path / "l.zip", labels="fr", profile=AS_STORED)
    with zipfile.ZipFile(out) as archive:
        main = read_tables(archive, fmt, questionnaire.id)[""]
    assert sorted(row["heures_participation"] for row in main) == ["-8", "2.5"], "a number column keeps numbers"
    nps = next(q for q in questionnaire.questions() if q.name == "recommandation")
    assert nps.type == "nps" and sorted(row["recommandation"] for row in main) == ["3", "9"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_questionnaire_with_no_response_exports_empty_tables(store: Store, tmp_path: Path, fmt: str) -> None:
    store.load(load_questionnaire(ROOT / "questionnaires" / "budget-participatif-habitants.yaml"))
    out = deliverables.write_export(store, "budget-participatif-habitants", fmt, tmp_path / "e.zip")
    with zipfile.ZipFile(out) as archive:
        names = set(archive.namelist())
        readme = archive.read("LISEZMOI.txt").decode()
        report = json.loads(archive.read("rapport-anonymisation.json"))
    assert "Réponses : 0" in readme and len(names) == 5, names
    assert report["records"] == {"in": 0, "out": 0, "suppressed": 0, "suppressed_percent": 0.0}


def test_a_table_too_large_for_excel_is_one_clear_error_and_no_file(store: Store, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from survey.export import formats

    _seeded(store, "budget-participatif-habitants", 3)
    monkeypatch.setattr(formats, "XLSX_MAX_ROWS", 2)
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(deliverables.ExportError, match="do not fit in an Excel sheet"):
        deliverables.write_export(store, "budget-participatif-habitants", "xlsx", folder / "x.zip", profile=AS_STORED)
    assert list(folder.iterdir()) == [], "nothing half-written"


def test_spss_numbers_codes_by_position_unless_they_are_plain_distinct_numbers() -> None:
    from survey.codecs import ValueLabel, Variable
    from survey.export.statistical import value_numbers

    def column(*codes: str) -> Variable:
        return Variable("q", "q", "single_choice", "category", {}, values=tuple(ValueLabel(c, {}) for c in codes))

    assert value_numbers(column("1", "2", "5")) == {"1": 1, "2": 2, "5": 5}
    assert value_numbers(column("01", "1")) == {"01": 1, "1": 2}, "two codes that read as the same number"
    assert value_numbers(column("-8", "1")) == {"-8": 1, "1": 2}, "a code that reads as a missing code"
    assert value_numbers(column("nord", "sud")) == {"nord": 1, "sud": 2}


def test_the_export_pipeline_loads_no_format_library_until_its_format_is_asked_for() -> None:
    """xlsxwriter, pyarrow and pyreadstat weigh ~75 MB of memory: a CSV export, or a web process, need not carry
    them (survey/export/formats.py)."""
    loaded = subprocess.run([sys.executable, "-c", "import sys, survey.deliverables, survey.web.app; print(' '.join("
                             "m for m in ('xlsxwriter', 'pyarrow', 'pyreadstat') if m in sys.modules))"],
                            capture_output=True, text=True, check=True).stdout.split()
    assert loaded == []
