"""How a response was collected reaches every export: a paper entry and a web response, stored on SQLite and
PostgreSQL, export with `channel` = paper / web in CSV, Parquet, SPSS, Stata and XLSX (value labels in the
statistical formats), in a raw export too; who typed the paper one (`entered_by`) is in no file; the codebook
lists the column."""

from __future__ import annotations

import io
import random
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import polars as pl
import pyreadstat

from survey import deliverables
from survey.access import Role
from survey.coded import build_layout
from survey.disclosure.roles import policy_of
from survey.schema import load_questionnaire
from survey.schema.disclosure import DisclosureBlock
from survey.store import Store
from survey.synthetic import synthetic_answers
from tests.conftest import ROOT, add_staff

QID = "agents-participation"
QUESTIONNAIRE = load_questionnaire(ROOT / "questionnaires" / f"{QID}.yaml")
ALL = deliverables.ProfileChoice(k=1, suppression=0, l=1)  # two responses: no disclosure control in the way


def _two_responses(store: Store) -> dict[str, dict]:
    """A web response and a paper one entered by an interviewer; the answers of each, by channel."""
    store.load(QUESTIONNAIRE)
    version = store.current(QID).version_id  # type: ignore[union-attr]
    add_staff(store, "enqueteur@example.fr", Role.INTERVIEWER, [QUESTIONNAIRE.mission.id])  # type: ignore[union-attr]
    answers = {"web": synthetic_answers(QUESTIONNAIRE, random.Random(1)),
               "paper": synthetic_answers(QUESTIONNAIRE, random.Random(2))}
    web = store.start_form(QID, version, "fr")
    paper = store.start_form(QID, version, "fr", channel="paper", entered_by=store.user_id("enqueteur@example.fr"))
    assert store.complete_form(web, answers["web"]) and store.complete_form(paper, answers["paper"])
    return answers


def _files(store: Store, fmt: str, tmp_path: Path, **options: object) -> dict[str, bytes]:
    written = deliverables.write_export(store, QID, fmt, tmp_path / f"{fmt}.zip", profile=ALL, **options)
    with zipfile.ZipFile(written) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _main(files: dict[str, bytes], extension: str) -> bytes:
    [name] = [n for n in files if n == f"{QID}.{extension}"]
    return files[name]


def _channels_with_service(frame: pl.DataFrame) -> dict[str, str]:
    """channel → the `service` answer of its row (the rows are shuffled: matched on an answer)."""
    return {str(row["channel"]): str(row["service"]) for row in frame.select("channel", "service").to_dicts()}


def _expected(answers: dict[str, dict]) -> dict[str, str]:
    return {channel: str(given["service"]) for channel, given in answers.items()}


def _no_entered_by(files: dict[str, bytes]) -> None:
    for name, content in files.items():
        assert b"entered_by" not in content, name


def test_csv_and_parquet_hold_the_channel(store: Store, tmp_path: Path) -> None:
    answers = _two_responses(store)
    assert answers["web"]["service"] != answers["paper"]["service"], "the seeds give rows told apart by `service`"
    files = _files(store, "csv", tmp_path)
    frame = pl.read_csv(io.BytesIO(_main(files, "csv")), infer_schema=False)
    assert frame.columns[:4] == ["export_id", "version", "submitted_date", "channel"]
    assert _channels_with_service(frame) == _expected(answers)
    _no_entered_by(files)
    codebook = pl.read_csv(io.BytesIO(files["codebook.csv"]), infer_schema=False)
    rows = codebook.filter(pl.col("column") == "channel")
    assert set(rows["question_text"]) == {"Mode de recueil de la réponse : en ligne (web), sur papier (paper) ou par "
                                          "téléphone (telephone)."}
    assert list(zip(rows["code"], rows["label"], strict=True)) == [("web", "Web"), ("paper", "Papier"),
                                                                   ("telephone", "Téléphone")]
    parquet = _files(store, "parquet", tmp_path)
    assert _channels_with_service(pl.read_parquet(io.BytesIO(_main(parquet, "parquet")))) == _expected(answers)
    _no_entered_by(parquet)


def test_spss_and_stata_label_the_channel(store: Store, tmp_path: Path) -> None:
    _two_responses(store)
    for fmt, extension, read in (("sav", "sav", pyreadstat.read_sav), ("dta", "dta", pyreadstat.read_dta)):
        files = _files(store, fmt, tmp_path)
        _no_entered_by(files)
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"data.{extension}"
            path.write_bytes(_main(files, extension))
            frame, meta = (read(str(path), output_format="dict", user_missing=True) if fmt == "sav"
                           else read(str(path), output_format="dict"))
        labels = meta.variable_value_labels["channel"]
        assert labels == {1.0: "Web", 2.0: "Papier", 3.0: "Téléphone"}, fmt
        assert sorted(labels[code] for code in frame["channel"]) == ["Papier", "Web"], fmt


def test_xlsx_and_a_raw_export_hold_the_channel(store: Store, tmp_path: Path) -> None:
    answers = _two_responses(store)
    files = _files(store, "xlsx", tmp_path)
    _no_entered_by(files)
    sheet = openpyxl.load_workbook(io.BytesIO(_main(files, "xlsx")), read_only=True).worksheets[0]
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    got = {row[header.index("channel")]: str(row[header.index("service")]) for row in rows}
    assert got == _expected(answers)
    raw = _files(store, "csv", tmp_path, raw=deliverables.RawRequest("admin@example.fr", "contrôle de la saisie"))
    _no_entered_by(raw)
    frame = pl.read_csv(io.BytesIO(_main(raw, "csv")), infer_schema=False)
    assert frame.columns[:4] == ["response_id", "version", "submitted_at", "channel"]
    assert _channels_with_service(frame) == _expected(answers)


def test_labelled_csv_writes_the_channel_in_words(store: Store, tmp_path: Path) -> None:
    _two_responses(store)
    files = _files(store, "csv", tmp_path, labels="fr")
    frame = pl.read_csv(io.BytesIO(_main(files, "csv")), infer_schema=False)
    assert sorted(frame["channel"].to_list()) == ["Papier", "Web"]


def test_channel_is_none_unless_the_block_says_otherwise() -> None:
    layout = build_layout(QUESTIONNAIRE, {})
    given = {"submitted_date": "none", "version": "none"}
    assert policy_of(layout, DisclosureBlock.model_validate(given)).roles["channel"] == "none"
    chosen = DisclosureBlock.model_validate({**given, "channel": "quasi_identifier"})
    assert policy_of(layout, chosen).roles["channel"] == "quasi_identifier"
