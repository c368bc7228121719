"""Interview exports: the zip's tables in Excel, CSV and JSON, the REFI-QDA project inside it, LISEZMOI.txt, and no
name of the mission's lists or of an interviewee anywhere in any of them."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from lxml import etree

from survey.export.errors import ExportError
from survey.export.interviews import write_interview_archive
from survey.interviews.pseudonymise import pseudonymise_corpus
from tests.interview_corpus import LISTS, corpus
from tests.test_interview_analysis import SCHEMA, name_corpora, names_in

NOW = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)


def _write(tmp_path: Path, fmt: str, c=None) -> zipfile.ZipFile:  # noqa: ANN001
    out = write_interview_archive(pseudonymise_corpus(c or corpus()), fmt, tmp_path / f"e-{fmt}.zip", NOW)
    return zipfile.ZipFile(out)


def readable(archive: zipfile.ZipFile) -> list[str]:
    """Every text a reader of the zip can see: CSV, JSON, LISEZMOI, every cell of the workbook, every file of the
    REFI-QDA project."""
    texts = []
    for name in archive.namelist():
        content = archive.read(name)
        if name.endswith(".xlsx"):
            book = openpyxl.load_workbook(io.BytesIO(content))
            texts += [*book.sheetnames, *(str(v) for sheet in book for row in sheet.iter_rows(values_only=True)
                                          for v in row if v is not None)]
        elif name.endswith(".qdpx"):
            with zipfile.ZipFile(io.BytesIO(content)) as project:
                texts += [project.read(n).decode("utf-8") for n in project.namelist()]
        else:
            texts.append(content.decode("utf-8"))
    return texts


def test_the_xlsx_export_has_the_matrix_then_a_sheet_per_theme_and_the_other_tables(tmp_path: Path) -> None:
    archive = _write(tmp_path, "xlsx")
    assert sorted(archive.namelist()) == ["LISEZMOI.txt", "entretiens-test.qdpx", "entretiens-test.xlsx"]
    book = openpyxl.load_workbook(io.BytesIO(archive.read("entretiens-test.xlsx")))
    assert book.sheetnames == ["Synthèse", "1. Les enjeux", "2. Mobiliser les publics", "Citations par code",
                               "Profils", "Codes", "Fréquences des codes"]
    summary = list(book["Synthèse"].iter_rows(values_only=True))
    assert summary[0][-2:] == ("Les enjeux", "Mobiliser les publics")
    assert [r[0] for r in summary[1:]] == ["Élu·e 1", "Élu·e 2", "Agent·e 1", "Habitant·e 1"]
    assert summary[1][-2] == "Volonté politique forte, écrire à [COURRIEL] pour la suite."
    # Quotes per code: one row per (passage, code) pair — counted here over the stored passages themselves.
    expected = sum(len(s.codes) for i in corpus().interviews for s in i.segments)
    quotes = list(book["Citations par code"].iter_rows(values_only=True))[1:]
    assert len(quotes) == expected == 10
    assert quotes[-1][:3] == ("mobilisation.jeunes", "Les jeunes", "Agent·e 1")
    enjeux = list(book["1. Les enjeux"].iter_rows(values_only=True))
    assert enjeux[0][5] == "Pourquoi une démarche participative ?"
    assert enjeux[3][5] == "[PERSONNE], [TÉLÉPHONE], pilote le projet à [LIEU] depuis 2021."
    profiles = list(book["Profils"].iter_rows(values_only=True))
    assert profiles[1][:5] == ("Élu·e 1", "Élu·e", "tilleuls", "Mairie de [LIEU]", "Maire")


def test_csv_export_is_a_file_per_table_with_formulas_neutralised(tmp_path: Path) -> None:
    base = corpus()
    first = base.interviews[0]
    tricky = replace(first, texts={**first.texts, "summary:enjeux": "=HYPERLINK(\"http://x\";\"clic\")"})
    archive = _write(tmp_path, "csv", replace(base, interviews=(tricky, *base.interviews[1:])))
    assert sorted(archive.namelist()) == sorted(
        ["synthese.csv", "theme-enjeux.csv", "theme-mobilisation.csv", "citations.csv", "profils.csv", "codes.csv",
         "frequences.csv", "entretiens-test.qdpx", "LISEZMOI.txt"])
    synthese = archive.read("synthese.csv").decode("utf-8")
    assert synthese.startswith("\ufeff\"pseudonyme\",")
    assert "\"'=HYPERLINK(\"\"[URL]\"\";\"\"clic\"\")\"" in synthese
    assert "\"=HYPERLINK" not in synthese


def test_json_export_holds_each_interview_pseudonymised(tmp_path: Path) -> None:
    document = json.loads(_write(tmp_path, "json").read("entretiens-test.json"))
    assert document["pseudonymise"] is True
    first = document["entretiens"][0]
    assert "interviewee_name" not in first and first["pseudonyme"] == "Élu·e 1"
    passage = next(p for p in first["passages"] if p["texte"].startswith("[PERSONNE] a voulu"))
    assert first["textes"][passage["emplacement"]][passage["debut"]:passage["fin"]] == passage["texte"]
    assert [row["pseudonyme"] for row in document["tables"]["profils"]] == [
        "Élu·e 1", "Élu·e 2", "Agent·e 1", "Habitant·e 1"]


def test_every_zip_holds_a_valid_refi_qda_project_and_says_it_is_pseudonymised(tmp_path: Path) -> None:
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    for fmt in ("xlsx", "csv", "json", "qdpx"):
        archive = _write(tmp_path, fmt)
        with zipfile.ZipFile(io.BytesIO(archive.read("entretiens-test.qdpx"))) as project:
            root = etree.fromstring(project.read("project.qde"))
            assert schema.validate(root), schema.error_log
            assert len([n for n in project.namelist() if n.startswith("Sources/")]) == 4
        readme = archive.read("LISEZMOI.txt").decode("utf-8")
        assert "PSEUDONYMISÉ, PAS ANONYMISÉ" in readme


def test_an_export_refuses_an_unknown_format_or_a_corpus_not_pseudonymised_and_leaves_no_file(tmp_path: Path) -> None:
    out = tmp_path / "e.zip"
    with pytest.raises(ExportError, match="unknown format"):
        write_interview_archive(pseudonymise_corpus(corpus()), "sav", out, NOW)
    with pytest.raises(ExportError, match="pseudonymised"):
        write_interview_archive(corpus(), "xlsx", out, NOW)
    assert list(tmp_path.iterdir()) == []


def test_no_name_reaches_the_hand_written_corpus_exports(tmp_path: Path) -> None:
    names = [*LISTS.people, *LISTS.places, *LISTS.organisations, "Jean Martin", "Paul Durand"]
    for fmt in ("xlsx", "csv", "json", "qdpx"):
        leaks = [(t[:80], names_in(t, names)) for t in readable(_write(tmp_path, fmt)) if names_in(t, names)]
        assert leaks == [], fmt


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(name_corpora())
def test_no_listed_name_survives_in_any_export(tmp_path: Path, drawn) -> None:  # noqa: ANN001
    c, names = drawn
    for fmt in ("xlsx", "csv", "json"):
        out = write_interview_archive(pseudonymise_corpus(c), fmt, tmp_path / f"p-{fmt}.zip", NOW)
        with zipfile.ZipFile(out) as archive:
            assert [(t[:80], names_in(t, names)) for t in readable(archive) if names_in(t, names)] == []
