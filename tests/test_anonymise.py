"""The anonymised export: one row per response, nothing traceable, nothing a spreadsheet would run."""

from __future__ import annotations

import ast
import csv
import io
import random
import re
from pathlib import Path

from factories import CHANNELS, FREE_TEXT, record, record_lists, sample_questionnaire
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.anonymise import FORMULA_TRIGGERS, anonymise, columns, neutralise
from survey.export import codebook_csv, dataset_csv
from survey.export.csv_writer import write_csv

QUESTIONNAIRE = sample_questionnaire()
TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}|T\d{2}")


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so Excel reads accents"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


@settings(max_examples=60, deadline=None)
@given(record_lists)
def test_one_row_per_response_and_nothing_traceable(records):
    content = dataset_csv(anonymise(QUESTIONNAIRE, records))
    text = content.decode("utf-8-sig")
    rows = read_csv(content)
    assert len(rows) == len(records) + 1
    for r in records:
        assert r.response_id not in text
        assert r.response_id.removeprefix("resp_") not in text
    assert "resp_" not in text
    assert not TIME_OF_DAY.search(text), "no time of day anywhere"
    header = rows[0]
    dates = [row[header.index("submitted_date")] for row in rows[1:]]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dates)
    assert sorted(dates) == sorted(r.submitted_at.date().isoformat() for r in records)


@settings(max_examples=30, deadline=None)
@given(record_lists.filter(lambda rs: len(rs) >= 1))
def test_export_ids_are_unique_and_fresh_each_export(records):
    first = [row[0] for row in anonymise(QUESTIONNAIRE, records).rows]
    second = [row[0] for row in anonymise(QUESTIONNAIRE, records).rows]
    assert len(set(first)) == len(first)
    assert not set(first) & set(second)
    assert not {r.response_id for r in records} & set(first)


def test_columns_follow_the_questionnaire_and_code_each_type():
    answers = {
        "connait_bp": True,
        "canaux": ["affiches", "voisins"],
        "quartier": "sud",
        "satisfaction": 3,
        "age": 42,
        "heures": -2.5,
        "date_vote": "2025-06-01",
        "commentaire": "Très bien",
    }
    table = anonymise(QUESTIONNAIRE, [record(answers), record({"connait_bp": False}, "resp_2")])
    rows = read_csv(dataset_csv(table))
    assert rows[0] == [
        "export_id", "version", "submitted_date", "connait_bp",
        "canaux__affiches", "canaux__site_web", "canaux__voisins",
        "quartier", "satisfaction", "age", "heures", "date_vote",
    ]  # fmt: skip
    by_yes_no = {row[3]: row for row in rows[1:]}
    assert by_yes_no["1"][1:] == ["2026.1", "2026-03-14", "1", "1", "0", "1", "sud", "3", "42", "-2.5", "2025-06-01"]
    assert by_yes_no["0"][4:] == ["", "", "", "", "", "", "", ""], "no answer is an empty cell"


def test_free_text_is_left_out_unless_asked_for():
    answers = {"commentaire": "J’habite au 3 rue des Lilas", "precision": "Marie"}
    default = dataset_csv(anonymise(QUESTIONNAIRE, [record(answers)])).decode("utf-8-sig")
    assert "Lilas" not in default and "Marie" not in default
    assert not {"commentaire", "precision"} & set(default.splitlines()[0].split(","))
    included = read_csv(dataset_csv(anonymise(QUESTIONNAIRE, [record(answers)], include_free_text=True)))
    assert included[0][-2:] == list(FREE_TEXT)
    assert included[1][-2:] == ["J’habite au 3 rue des Lilas", "Marie"]


def test_injected_rng_makes_the_row_order_reproducible():
    records = [record({"age": age}, f"resp_{age}") for age in range(20, 40)]
    orders = [[row[1:] for row in anonymise(QUESTIONNAIRE, records, rng=random.Random(7)).rows] for _ in range(2)]
    assert orders[0] == orders[1]
    ages = [row[QUESTIONNAIRE_COLUMNS.index("age")] for row in orders[0]]
    assert ages != sorted(ages), "rows are shuffled, not in storage order"


QUESTIONNAIRE_COLUMNS = [c.name for c in columns(QUESTIONNAIRE)][1:]


@given(st.text())
def test_neutralise_prefixes_every_formula_trigger(cell):
    out = neutralise(cell)
    if cell.startswith(FORMULA_TRIGGERS) and not re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", cell):
        assert out == "'" + cell
    else:
        assert out == cell


def test_neutralise_examples():
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("+33 6 12") == "'+33 6 12"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("\tx") == "'\tx"
    assert neutralise("\r=x") == "'\r=x"
    assert neutralise("-2+3+cmd|' /C calc'!A0") == "'-2+3+cmd|' /C calc'!A0"
    assert neutralise("-2.5") == "-2.5", "numbers we wrote stay numbers"
    assert neutralise("Bonjour") == "Bonjour"


def _safe(cell: str) -> bool:
    return not cell.startswith(FORMULA_TRIGGERS) or re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", cell) is not None


dangerous = st.builds(lambda c, rest: c + rest, st.sampled_from(FORMULA_TRIGGERS), st.text(max_size=15))


@settings(max_examples=40, deadline=None)
@given(label=dangerous, choice_label=dangerous, version=dangerous, comment=dangerous)
def test_no_cell_of_dataset_or_codebook_can_run_as_a_formula(label, choice_label, version, comment):
    version = version.strip()[:32] or "=1"
    questionnaire = sample_questionnaire(label=label, choice_label=choice_label, version=version)
    rec = record({"commentaire": comment, "heures": -3.25, "canaux": list(CHANNELS)})
    rec = type(rec)(rec.response_id, version, rec.submitted_at, rec.answers)
    table = anonymise(questionnaire, [rec], include_free_text=True)
    dataset = read_csv(dataset_csv(table))
    book = read_csv(codebook_csv(table.columns))
    for cell in [c for row in dataset + book for c in row]:
        assert _safe(cell), cell
    assert neutralise(version) in dataset[1]
    assert neutralise(comment) in dataset[1]
    assert any(cell == "'" + label + "Par quels moyens ?" for row in book for cell in row)
    assert any(cell == "'" + choice_label + "Affiches" for row in book for cell in row)


def test_header_cells_are_neutralised_too():
    from survey.anonymise import AnonymisedTable, Column

    table = AnonymisedTable((Column("=cmd", None, "", "export_id"),), [("@x",)])
    buffer = io.StringIO(newline="")
    write_csv(table, buffer)
    assert buffer.getvalue() == "\ufeff'=cmd\r\n'@x\r\n"


def test_codebook_describes_every_column_and_code():
    table = anonymise(QUESTIONNAIRE, [])
    book = read_csv(codebook_csv(table.columns, "fr"))
    assert book[0] == ["column", "question", "question_text", "type", "option", "code", "label"]
    described = {row[0] for row in book[1:]}
    assert described == set(table.header)
    satisfaction = [row[5:] for row in book if row[0] == "satisfaction"]
    assert satisfaction == [["1", "Pas du tout"], ["2", "Peu"], ["3", "Assez"], ["4", "Très"]]
    voisins = [row for row in book if row[0] == "canaux__voisins"]
    assert [(r[4], r[5], r[6]) for r in voisins] == [("Voisins", "1", "Oui"), ("Voisins", "0", "Non")]
    assert [row[5:] for row in book if row[0] == "connait_bp"] == [["1", "Oui"], ["0", "Non"]]
    assert [row[5:] for row in book if row[0] == "age"] == [["", ""]]


def test_anonymise_stays_pure():
    """The module may import the standard library and the pure core only."""
    tree = ast.parse(Path("survey/anonymise.py").read_text(encoding="utf-8"))
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "datetime", "random", "re", "secrets", "collections", "dataclasses",
                        "typing", "survey"}  # fmt: skip
