"""The `survey` command: located errors and exit codes, never a traceback."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from survey.cli import app
from tests.conftest import ROOT

EXAMPLES = ROOT / "questionnaires"


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("SURVEY_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()

    def invoke(*args: str, stdin: str | None = None):  # noqa: ANN202
        result = runner.invoke(app, list(args), input=stdin)
        assert "Traceback" not in result.output
        return result

    return invoke


def test_validate_accepts_the_examples(run) -> None:  # noqa: ANN001
    result = run("validate", str(EXAMPLES))
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok") == len(list(EXAMPLES.glob("*.yaml")))


def test_validate_reports_every_problem_located_and_exits_1(run, tmp_path: Path) -> None:  # noqa: ANN001
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: x\nversion: 1\ntitle: T\nprivacy_notice: p\npages:\n  - id: p\n    questions:\n"
                      "      - {name: age, type: integr, label: Âge}\n"
                      "      - {name: age, type: integer, label: Encore, min: 9, max: 1}\n", encoding="utf-8")
    missing = tmp_path / "absent.yaml"
    result = run("validate", str(broken), str(missing))
    assert result.exit_code == 1
    assert f"{broken}:8: question 'age': unknown question type `integr`" in result.output
    assert "did you mean `integer`?" in result.output
    assert f"{broken}:9: question 'age': name `age` is already used on line 8" in result.output
    assert "`min` (9) is greater than `max` (1)" in result.output
    assert f"{missing}:1: cannot read the file" in result.output


def _zipped_csv(archive_path: Path, member: str) -> list[list[str]]:
    """The rows of one CSV file inside an export's zip."""
    with zipfile.ZipFile(archive_path) as archive:
        text = archive.read(member).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def test_load_list_seed_export_report(run, tmp_path: Path) -> None:  # noqa: ANN001
    assert run("load", str(EXAMPLES)).exit_code == 0
    assert run("seed", "budget-participatif-habitants", "-n", "30", "--seed", "4").exit_code == 0
    listed = run("list").output
    # seeded responses are synthetic: not results, listed apart, exported only when asked for
    assert "budget-participatif-habitants" in listed and "responses=0\tsynthetic=30" in listed
    out = tmp_path / "export.zip"
    result = run("export", "budget-participatif-habitants", "--format", "csv", "-o", str(out),
                 "--include-synthetic")
    assert result.exit_code == 0, result.output
    rows = _zipped_csv(out, "budget-participatif-habitants.csv")
    assert len(rows) == 31 and rows[0][0] == "export_id"
    with zipfile.ZipFile(out) as archive:
        assert {"codebook.csv", "LISEZMOI.txt", "budget-participatif-habitants.projets_votes.csv"} <= set(
            archive.namelist())
    pdf = tmp_path / "synthese.pdf"
    assert run("report", "budget-participatif-habitants", "-o", str(pdf)).exit_code == 0
    assert pdf.read_bytes().startswith(b"%PDF")


def test_loading_an_edited_answered_version_makes_a_new_version_and_keeps_data(run, tmp_path: Path) -> None:  # noqa: ANN001
    source = (EXAMPLES / "budget-participatif-habitants.yaml").read_text(encoding="utf-8")
    copy = _copy_with_choice_lists(tmp_path, source)
    run("load", str(copy))
    run("seed", "budget-participatif-habitants", "-n", "3")
    copy.write_text(_pinned(source).replace("title: Évaluation du budget participatif", "title: Autre titre", 1),
                    encoding="utf-8")
    result = run("load", str(copy))
    assert result.exit_code == 0, result.output
    assert "new version 2026.1+2" in result.output and "already has responses" in result.output
    listed = run("list").output
    assert "synthetic=3" in listed and "versions=2026.1,2026.1+2" in listed and "current=2026.1+2" in listed
    run("seed", "budget-participatif-habitants", "-n", "2")
    out = tmp_path / "export.zip"
    assert run("export", "budget-participatif-habitants", "-o", str(out), "--include-synthetic").exit_code == 0
    rows = _zipped_csv(out, "budget-participatif-habitants.csv")
    versions = sorted(row[rows[0].index("version")] for row in rows[1:])
    assert versions == ["2026.1"] * 3 + ["2026.1+2"] * 2


def test_a_code_given_a_new_meaning_is_refused(run, tmp_path: Path) -> None:  # noqa: ANN001
    source = (EXAMPLES / "budget-participatif-habitants.yaml").read_text(encoding="utf-8")
    copy = _copy_with_choice_lists(tmp_path, source)
    run("load", str(copy))
    run("seed", "budget-participatif-habitants", "-n", "3")
    copy.write_text(_pinned(source).replace("label: Affiches", "label: Réseaux sociaux", 1), encoding="utf-8")
    result = run("load", str(copy))
    assert result.exit_code == 1
    assert "code `affiches` meant “Affiches dans la rue" in result.output
    assert "in version 2026.1 (3 response(s)) and now means “Réseaux sociaux" in result.output
    assert "give the new meaning a new code" in result.output
    assert "versions=2026.1\t" in run("list").output


def test_user_add_reads_the_password_from_stdin(run) -> None:  # noqa: ANN001
    run("load", str(EXAMPLES))
    result = run("user", "add", "Eval@Example.fr", "--role", "evaluator", "--mission", "saint-aubin-bp-2026",
                 "--password-stdin", stdin="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert "eval@example.fr" in result.output
    again = run("user", "add", "eval@example.fr", "--role", "admin", "--password-stdin", stdin="another password!\n")
    assert again.exit_code == 1 and "already exists" in again.output
    short = run("user", "add", "x@example.fr", "--role", "admin", "--password-stdin", stdin="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    unknown = run("user", "add", "y@example.fr", "--role", "consultant", "--mission", "nope", "--password-stdin",
                  stdin="a long enough password\n")
    assert unknown.exit_code == 1 and "unknown mission(s): nope" in unknown.output
    bad_role = run("user", "add", "z@example.fr", "--role", "mayor", "--password-stdin", stdin="x\n")
    assert bad_role.exit_code == 2 and "mayor" in bad_role.output


def test_unknown_questionnaire_and_bad_database_are_clear_errors(run, monkeypatch: pytest.MonkeyPatch,
                                                                 tmp_path: Path) -> None:  # noqa: ANN001
    result = run("export", "nope", "-o", str(tmp_path / "x.zip"))
    assert result.exit_code == 1 and "no questionnaire 'nope'" in result.output
    monkeypatch.setenv("SURVEY_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = run("list")
    assert result.exit_code == 1 and "cannot open the database" in result.output


@pytest.mark.parametrize(("arguments", "message"), [
    (["--format", "sas"],
     "error: --format sas: unknown format — use one of: csv, csv-fr, xlsx, parquet, sav, dta, json"),
    (["--labels", "de"], "error: --labels de: labels in `de`: the questionnaire is written in fr — use one of them, "
                         "or codes"),
    (["-o", "{tmp}/missing/x.zip"], "error: -o {tmp}/missing/x.zip: the folder {tmp}/missing does not exist — "
                                    "create it first"),
    (["-o", "{tmp}/x.csv"], "error: -o {tmp}/x.csv: the file must end in .zip — e.g. -o x.zip"),
    (["-o", "{tmp}/folder.zip"], "error: -o {tmp}/folder.zip: this is a folder — give a file name inside it"),
    (["-o", "/proc/survey-export.zip"], "error: -o /proc/survey-export.zip: "),  # a folder nobody may write in
])
def test_a_bad_export_request_is_one_clear_line_and_leaves_no_file(run, tmp_path: Path, arguments: list[str],
                                                                     message: str) -> None:  # noqa: ANN001
    assert run("load", str(EXAMPLES)).exit_code == 0
    (tmp_path / "folder.zip").mkdir()
    arguments = [a.replace("{tmp}", str(tmp_path)) for a in arguments]
    if "-o" not in arguments:
        arguments += ["-o", str(tmp_path / "x.zip")]
    before = {p for p in tmp_path.rglob("*")}
    result = run("export", "budget-participatif-habitants", *arguments)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(message.replace("{tmp}", str(tmp_path))), lines
    assert {p for p in tmp_path.rglob("*")} - before == set(), "nothing half-written"
    assert not Path("/proc/survey-export.zip").exists()


def _copy_with_choice_lists(folder: Path, source: str) -> Path:
    """The example questionnaire copied into `folder`, with the CSV choice lists it reads."""
    for choice_list in EXAMPLES.glob("*.csv"):
        (folder / choice_list.name).write_text(choice_list.read_text(encoding="utf-8"), encoding="utf-8")
    copy = folder / "bp.yaml"
    copy.write_text(_pinned(source), encoding="utf-8")
    return copy


def _pinned(source: str) -> str:
    """The questionnaire text with its version label set to 2026.1, so the labels tests expect are known."""
    return re.sub(r"^version: .*$", 'version: "2026.1"', source, count=1, flags=re.M)


def test_serve_with_the_postgresql_job_queue_on_sqlite_is_one_clear_line(run, monkeypatch: pytest.MonkeyPatch
                                                                          ) -> None:  # noqa: ANN001
    monkeypatch.setenv("SURVEY_JOB_QUEUE", "procrastinate")
    result = run("serve")
    assert result.exit_code == 1, result.output
    assert result.output.strip().splitlines()[-1].startswith(
        "error: SURVEY_JOB_QUEUE=procrastinate needs PostgreSQL"), result.output
    assert "Traceback" not in result.output


def test_token_add_prints_the_token_once_and_revoke_stops_it(run, tmp_path: Path) -> None:  # noqa: ANN001
    import hashlib

    from survey.store import Store

    run("load", str(EXAMPLES))
    run("user", "add", "eval@example.fr", "--role", "evaluator", "--mission", "saint-aubin-bp-2026",
        "--password-stdin", stdin="a long enough password\n")
    made = run("token", "add", "Eval@Example.fr", "--name", "tableau de bord")
    assert made.exit_code == 0, made.output
    token = made.stdout.strip()  # alone on standard output: TOKEN=$(survey token add …)
    assert re.fullmatch(r"svy_[A-Za-z0-9_-]{43}", token)
    assert "copy it now" in made.stderr
    store = Store.from_url(f"sqlite:///{tmp_path / 'cli.db'}")
    digest = hashlib.sha256(token.encode()).hexdigest()
    assert store.token_member(digest).email == "eval@example.fr"  # type: ignore[union-attr]
    listed = run("token", "list")
    assert listed.output.startswith("1\teval@example.fr\ttableau de bord\tmade=") and "\tactive" in listed.output
    assert token not in listed.output
    assert run("token", "list", "eval@example.fr").output == listed.output
    revoked = run("token", "revoke", "1")
    assert revoked.exit_code == 0 and "token 1 revoked" in revoked.output
    assert store.token_member(digest) is None
    assert "\trevoked=" in run("token", "list").output
    again = run("token", "revoke", "1")
    assert again.exit_code == 1 and "no active token 1" in again.output
    nobody = run("token", "add", "nobody@example.fr", "--name", "x")
    assert nobody.exit_code == 1 and "no member of staff 'nobody@example.fr'" in nobody.output
    unnamed = run("token", "add", "eval@example.fr", "--name", "  ")
    assert unnamed.exit_code == 1 and "--name" in unnamed.output
    assert run("token", "list", "nobody@example.fr").exit_code == 1
    assert run("token", "revoke", "one").exit_code == 2
    store.engine.dispose()
