"""The `survey` command: serve, load, list, validate, user add, unlock, audit, seed, export, report."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from survey.cli_common import _fail, _store
from survey.cli_gdpr import register as register_gdpr_commands
from survey.cli_interviews import grid_load_status
from survey.cli_interviews import register as register_interview_commands
from survey.cli_invitations import register as register_invitation_commands
from survey.cli_publishing import register as register_publishing_commands
from survey.cli_responses import register as register_response_commands
from survey.cli_staff import register as register_staff_commands
from survey.errors import QuestionnaireInvalid
from survey.settings import Settings

app = typer.Typer(help="Questionnaires for evaluating citizen participation.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
register_staff_commands(app)  # user add, token add/list/revoke, unlock, audit: survey/cli_staff.py
register_response_commands(app)  # seed, purge-synthetic: survey/cli_responses.py
register_interview_commands(app)  # import-interview: survey/cli_interviews.py (and seed on a grid)
register_gdpr_commands(app)  # purge, register (of processing): survey/cli_gdpr.py
register_invitation_commands(app)  # invite: survey/cli_invitations.py
register_publishing_commands(app)  # open, close, archive, dates: survey/cli_publishing.py


def _questionnaire_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.y*ml")) if path.is_dir() else [path])
    return files


@app.command()
def validate(paths: Annotated[list[Path], typer.Argument(help="Questionnaire or grid files, or folders.")]) -> None:
    """Check questionnaire and interview grid files; print every problem as file:line: question: what — how to
    fix."""
    from survey.schema import load_document

    problems = 0
    for path in _questionnaire_files(paths):
        try:
            load_document(path)
            typer.echo(f"{path}: ok")
        except QuestionnaireInvalid as exc:
            problems += len(exc.problems)
            for problem in exc.problems:
                typer.echo(str(problem))
    if problems:
        raise _fail(f"{problems} problem(s) found")


@app.command()
def load(paths: Annotated[list[Path], typer.Argument(help="Questionnaire or grid files, or folders.")]) -> None:
    """Load or update questionnaire and interview grid files in the database."""
    from survey.schema import InterviewGrid, load_document
    from survey.store import VersionConflict
    from survey.store_interviews import InterviewError

    store, failed = _store(), 0
    for path in _questionnaire_files(paths):
        try:
            questionnaire = load_document(path)
            if isinstance(questionnaire, InterviewGrid):
                typer.echo(f"{path}: {grid_load_status(store, questionnaire, str(path))}")
                continue
            status = store.load(questionnaire, source=str(path))
            if status == "versioned":
                current = store.current(questionnaire.id)
                label = current.questionnaire.version if current else questionnaire.version
                status = (f"new version {label} (version {questionnaire.version} already has responses or "
                          "forms in progress, which keep it)")
            typer.echo(f"{path}: {status}")
        except QuestionnaireInvalid as exc:
            failed += 1
            typer.echo("\n".join(str(p) for p in exc.problems))
        except (VersionConflict, InterviewError) as exc:
            failed += 1
            typer.echo(str(exc))
    if failed:
        raise _fail(f"{failed} file(s) not loaded; nothing already stored was changed for them")


@app.command("list")
def list_questionnaires() -> None:
    """Questionnaires with their mission, versions and response counts (real ones; test and synthetic ones
    apart, when there are any), then interview grids with their count of interviews (synthetic ones left out)."""
    from survey.store_responses import ResponseFilter

    store = _store()
    for item in store.listings():
        others = {status: n for status, n in store.response_status_counts(item.id, ResponseFilter()).items()
                  if status != "real" and n}
        typer.echo(f"{item.id}\t{item.title}\tmission={item.mission_id}\tversions={','.join(item.versions)}"
                   f"\tcurrent={item.current_version}\tstate={item.state}\tresponses={item.responses}"
                   + "".join(f"\t{status}={n}" for status, n in others.items()))
    for grid in store.grids():
        typer.echo(f"{grid.id}\t{grid.title}\tmission={grid.mission_id}\tinterview grid\tcurrent={grid.version}"
                   f"\tinterviews={grid.interviews}")


@app.command()
def serve(host: Annotated[str | None, typer.Option(help="Default: SURVEY_HOST.")] = None,
          port: Annotated[int | None, typer.Option(help="Default: SURVEY_PORT.")] = None) -> None:
    """Run the web service (loads the questionnaires folder at start)."""
    import uvicorn

    from survey.web.app import create_app

    settings = Settings()
    _store()  # fail early and clearly on a bad database URL
    try:
        web_app = create_app(settings)
    except ValueError as exc:  # a setting that cannot work here (the PostgreSQL job queue on SQLite): one line
        raise _fail(str(exc)) from None
    typer.echo(f"Serving on http://{host or settings.host}:{port or settings.port} — database {settings.database_url}")
    uvicorn.run(web_app, host=host or settings.host, port=port or settings.port,
                access_log=settings.access_log, log_level=settings.log_level, server_header=False)


@app.command()
def worker() -> None:
    """Run exports and PDF summaries from the PostgreSQL job queue (SURVEY_JOB_QUEUE=procrastinate)."""
    from survey.job_queues import run_worker

    settings = Settings()
    if not settings.database_url.startswith("postgresql"):
        raise _fail("`survey worker` needs PostgreSQL: set SURVEY_DATABASE_URL to a postgresql+psycopg:// URL "
                    "(with SQLite, `survey serve` runs jobs itself)")
    if settings.job_queue != "procrastinate":
        typer.echo("warning: SURVEY_JOB_QUEUE is not `procrastinate`: web processes run jobs themselves and "
                   "send none to this worker", err=True)
    store = _store()
    typer.echo(f"Worker running jobs from {store.engine.url.render_as_string(hide_password=True)} "
               f"into {settings.export_dir}/ — Ctrl+C stops it after the current job")
    run_worker(settings, store)


def _writable(output: Path, suffix: str) -> None:
    """A bad output path is one clear line, before any work: wrong suffix, missing folder, no permission."""
    if output.suffix.lower() != suffix:
        raise _fail(f"-o {output}: the file must end in {suffix} — e.g. -o {output.with_suffix(suffix).name}")
    if output.is_dir():
        raise _fail(f"-o {output}: this is a folder — give a file name inside it")
    folder = output.parent
    if not folder.is_dir():
        raise _fail(f"-o {output}: the folder {folder} does not exist — create it first")
    if not os.access(folder, os.W_OK) or (output.exists() and not os.access(output, os.W_OK)):
        raise _fail(f"-o {output}: no permission to write there — choose another folder")


def _raw_request(raw: bool, reason: str | None, actor: str, *protection: object):  # noqa: ANN202
    """The raw export asked for on the command line (a RawRequest), None for an anonymised one; exit 1 with what
    to change when --reason is missing or comes without --raw, or a protection option comes with --raw."""
    from survey import deliverables

    if not raw:
        if reason is not None:
            raise _fail("--reason goes with --raw (a raw export); an anonymised export needs none")
        return None
    if any(option not in (None, False) for option in protection):
        raise _fail("--raw keeps every column as stored: --profile, --k, --suppression, --l and --include-free-text "
                    "do not apply — leave them out")
    try:
        return deliverables.RawRequest(actor, reason or "")
    except deliverables.ExportError as exc:
        raise _fail(f"--reason: {exc}") from None


def _export_grid(store, grid_id: str, fmt: str, output: Path, actor: str, include_synthetic: bool,  # noqa: ANN001
                 options: dict[str, object]) -> None:
    """`survey export GRID`: the grid's pseudonymised zip (matrix, quotes, profiles, codebook, .qdpx)."""
    from survey.export.errors import ExportError
    from survey.export.interviews import FORMATS as GRID_FORMATS
    from survey.interview_analysis import write_grid_export
    from survey.store_audit import CLI_EXPORT

    given = [name for name, value in options.items() if value not in (None, False)]
    if given:
        raise _fail(f"{', '.join(given)}: not for an interview grid, whose export is always pseudonymised "
                    "— leave them out")
    if fmt not in GRID_FORMATS:
        raise _fail(f"--format {fmt}: an interview grid exports as {', '.join(GRID_FORMATS)}")
    try:
        written = write_grid_export(store, grid_id, fmt, output, include_synthetic=include_synthetic)
    except ExportError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"-o {output}: cannot write it ({exc.strerror or exc}) — choose another folder") from None
    store.audit(CLI_EXPORT, actor, grid_id, detail={"format": fmt, "grid": True, "file": str(output.resolve())})
    typer.echo(f"wrote {written} ({written.stat().st_size} bytes) — pseudonymised, not anonymised")


@app.command()
def export(questionnaire: str,
           output: Annotated[Path, typer.Option("-o", "--output", help="The zip file to write.")],
           format: Annotated[str, typer.Option(
               "--format", help="csv, csv-fr (French Excel), xlsx, parquet, sav (SPSS), dta (Stata) or json; for an "
                                "interview grid: xlsx, csv, json or qdpx (REFI-QDA).")]
           = "csv",
           labels: Annotated[str | None, typer.Option("--labels", help="Write choice labels in this language "
                                                      "(e.g. fr, en) instead of codes.")] = None,
           include_free_text: Annotated[bool, typer.Option(
               help="Keep free-text answers, scrubbed of personal data; the export is then pseudonymised.")]
           = False,
           profile: Annotated[str | None, typer.Option(
               "--profile", help="An export profile named in the questionnaire's `disclosure: profiles:`.")] = None,
           k: Annotated[int | None, typer.Option("--k", help="k-anonymity (default 5).")] = None,
           suppression: Annotated[float | None, typer.Option(
               "--suppression", help="Most records suppressed, in % (default 5).")] = None,
           diversity: Annotated[int | None, typer.Option("--l", help="ℓ-diversity of sensitive columns (default 2).")]
           = None,
           include_synthetic: Annotated[bool, typer.Option(
               help="Add the synthetic responses `survey seed` stored (left out by default).")] = False,
           raw: Annotated[bool, typer.Option(
               "--raw", help="Raw export: identifiers and free text kept, no anonymisation; needs --reason, "
                             "recorded in the audit log as cli:<your user name>.")] = False,
           reason: Annotated[str | None, typer.Option(
               "--reason", help="Why a raw export is needed (kept in the audit log and the zip).")] = None) -> None:
    """Write the anonymised dataset as one zip: main table, a table per repeat group, codebook, risk report
    (rapport-anonymisation.json), LISEZMOI.txt. Recorded in the audit log (cli_export; raw_export with --raw)."""
    import getpass

    from survey import deliverables
    from survey.disclosure.profile import Profile, ProfileInvalid
    from survey.store_audit import CLI_EXPORT, RAW_EXPORT, RAW_PROFILE

    if format not in (*deliverables.FORMATS, "qdpx"):  # qdpx: interview grids only, checked below
        raise _fail(f"--format {format}: unknown format — use one of: {', '.join(deliverables.FORMATS)}")
    try:  # whoever has a shell here can read the database anyway: the audit names the system user, no account
        actor = f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no user name in the environment nor the password database (some containers)
        actor = f"cli:uid-{os.getuid()}"
    request = _raw_request(raw, reason, actor, profile, k, suppression, diversity, include_free_text)
    try:  # k = 0 or 150 % are refused before any work
        Profile(5 if k is None else k, 5 if suppression is None else suppression, 2 if diversity is None else diversity)
    except ProfileInvalid as exc:
        raise _fail(f"export profile: {exc}") from None
    _writable(output, ".zip")
    store = _store()
    if store.grid(questionnaire) is not None:
        return _export_grid(store, questionnaire, format, output, actor, include_synthetic,
                            {"--labels": labels, "--include-free-text": include_free_text, "--profile": profile,
                             "--k": k, "--suppression": suppression, "--l": diversity, "--raw": raw})
    if format == "qdpx":
        raise _fail(f"--format qdpx: a REFI-QDA project is made from an interview grid, and '{questionnaire}' is "
                    "not one — see `survey list`")
    detail = {"format": format, "labels": labels or "", "profile": profile or "", "file": str(output.resolve())}
    if request is not None and store.current(questionnaire) is not None:  # recorded before any personal data leaves
        store.audit(RAW_EXPORT, actor, questionnaire, reason=request.reason,
                    detail={**detail, "profile": RAW_PROFILE, "raw": True})
    try:
        written = deliverables.write_export(store, questionnaire, format, output, labels=labels,
                                            include_free_text=include_free_text,
                                            profile=deliverables.ProfileChoice(profile, k, suppression, diversity),
                                            include_synthetic=include_synthetic, raw=request)
    except deliverables.UnknownQuestionnaire:
        raise _fail(f"no questionnaire '{questionnaire}' — see `survey list`") from None
    except deliverables.ExportError as exc:
        raise _fail(f"--labels {labels}: {exc}" if str(exc).startswith("labels in") else str(exc)) from None
    except OSError as exc:
        raise _fail(f"-o {output}: cannot write it ({exc.strerror or exc}) — choose another folder") from None
    typer.echo(f"wrote {written} ({written.stat().st_size} bytes)")
    if request is not None:
        typer.echo("raw data — not anonymised, contains personal data; recorded in the audit log", err=True)
        return
    store.audit(CLI_EXPORT, actor, questionnaire, detail=detail)
    from survey.export.archive import read_report

    report = read_report(written)
    if report:
        records, params = report["records"], report["parameters"]
        typer.echo(f"{report['classification']}: k = {report['k_achieved'] or '-'} (asked {params['k']}), "
                   f"l = {report['l_achieved'] or '-'} (asked {params['l']}), {records['suppressed']} of "
                   f"{records['in']} responses suppressed — details in rapport-anonymisation.json")


@app.command()
def report(questionnaire: str,
           output: Annotated[Path, typer.Option("-o", "--output", help="PDF file to write.")],
           language: Annotated[str, typer.Option("--language", help="fr or en.")] = "fr") -> None:
    """Write the PDF summary of QUESTIONNAIRE."""
    from survey import deliverables

    _writable(output, ".pdf")
    try:
        written = deliverables.write_report(_store(), questionnaire, output, language=language)
    except deliverables.UnknownQuestionnaire:
        raise _fail(f"no questionnaire '{questionnaire}' — see `survey list`") from None
    except deliverables.ExportError as exc:
        raise _fail(f"--language {language}: {exc}") from None
    except OSError as exc:
        raise _fail(f"-o {output}: cannot write it ({exc.strerror or exc}) — choose another folder") from None
    typer.echo(f"wrote {written} ({written.stat().st_size} bytes)")


@app.command()
def schema() -> None:
    """Print the JSON Schema of questionnaire files (for editors' autocompletion)."""
    import json

    from survey.schema.jsonschema import questionnaire_json_schema

    typer.echo(json.dumps(questionnaire_json_schema(), indent=2, ensure_ascii=False))


def main() -> None:  # pragma: no cover - console entry point
    app()


@app.command("import-xlsform")
def import_xlsform(form: Annotated[Path, typer.Argument(help="The XLSForm workbook, .xlsx or .xls.")],
                   output: Annotated[Path, typer.Option("-o", "--output", help="Questionnaire YAML file to write.")],
                   ) -> None:
    """Convert an XLSForm to a questionnaire file; list everything that could not be carried over."""
    from survey.schema import to_yaml
    from survey.xlsform import WorkbookInvalid
    from survey.xlsform import import_xlsform as convert_workbook

    try:
        questionnaire, conversion = convert_workbook(form)
    except WorkbookInvalid as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise _fail(f"{len(exc.problems)} problem(s) in {form}; nothing written") from None
    output.write_text("# yaml-language-server: $schema=questionnaire.schema.json\n" + to_yaml(questionnaire),
                      encoding="utf-8")
    lines = conversion.lines()
    typer.echo(f"wrote {output}: {sum(1 for _ in questionnaire.all_questions())} question(s) on "
               f"{len(questionnaire.pages)} page(s)")
    if lines:
        typer.echo(f"Not carried over, or changed ({len(lines)}):")
        for line in lines:
            typer.echo(f"  - {line}")


@app.command("export-xlsform")
def export_xlsform(questionnaire: Annotated[str, typer.Argument(help="A questionnaire id, or a .yaml file.")],
                   output: Annotated[Path, typer.Option("-o", "--output", help="XLSForm .xlsx file to write.")],
                   ) -> None:
    """Write QUESTIONNAIRE (current version in the database, or a YAML file) as an XLSForm for KoboToolbox."""
    from survey.schema import load_questionnaire
    from survey.xlsform import write_xlsform

    if questionnaire.endswith((".yaml", ".yml")) or Path(questionnaire).is_file():
        try:
            model = load_questionnaire(questionnaire)
        except QuestionnaireInvalid as exc:
            typer.echo("\n".join(str(p) for p in exc.problems), err=True)
            raise _fail(f"{questionnaire} is not a valid questionnaire") from None
    else:
        loaded = _store().current(questionnaire)
        if loaded is None:
            raise _fail(f"no questionnaire '{questionnaire}' — see `survey list`, or give a .yaml file")
        model = loaded.questionnaire
    content, notes = write_xlsform(model, output)
    typer.echo(f"wrote {output} ({len(content)} bytes)")
    for note in notes:
        typer.echo(f"  - {note}")
