"""The `survey` command: serve, load, list, validate, user add, unlock, audit, seed, export, report."""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
from pathlib import Path
from typing import Annotated

import typer

from survey.access import Role
from survey.errors import QuestionnaireInvalid
from survey.settings import Settings

app = typer.Typer(help="Questionnaires for evaluating citizen participation.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
user_app = typer.Typer(help="Staff accounts.", no_args_is_help=True)
app.add_typer(user_app, name="user")
token_app = typer.Typer(help="Personal API tokens of staff.", no_args_is_help=True)
app.add_typer(token_app, name="token")


def _fail(message: str, code: int = 1) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def _store():  # noqa: ANN202
    from survey.store import Store

    try:
        store = Store.from_url(Settings().database_url)
        store.migrate()
    except Exception as exc:  # a bad URL or an unreachable database: say which, no traceback
        raise _fail(f"cannot open the database {Settings().database_url!r}: {exc.__class__.__name__}: "
                    f"{str(exc).splitlines()[0]} — check SURVEY_DATABASE_URL") from None
    return store


def _questionnaire_files(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.y*ml")) if path.is_dir() else [path])
    return files


@app.command()
def validate(paths: Annotated[list[Path], typer.Argument(help="Questionnaire files or folders.")]) -> None:
    """Check questionnaire files; print every problem as file:line: question: what — how to fix."""
    from survey.schema import load_questionnaire

    problems = 0
    for path in _questionnaire_files(paths):
        try:
            load_questionnaire(path)
            typer.echo(f"{path}: ok")
        except QuestionnaireInvalid as exc:
            problems += len(exc.problems)
            for problem in exc.problems:
                typer.echo(str(problem))
    if problems:
        raise _fail(f"{problems} problem(s) found")


@app.command()
def load(paths: Annotated[list[Path], typer.Argument(help="Questionnaire files or folders.")]) -> None:
    """Load or update questionnaire files in the database."""
    from survey.schema import load_questionnaire
    from survey.store import VersionConflict

    store, failed = _store(), 0
    for path in _questionnaire_files(paths):
        try:
            questionnaire = load_questionnaire(path)
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
        except VersionConflict as exc:
            failed += 1
            typer.echo(str(exc))
    if failed:
        raise _fail(f"{failed} file(s) not loaded; nothing already stored was changed for them")


@app.command("list")
def list_questionnaires() -> None:
    """Questionnaires with their mission, versions and response counts."""
    for item in _store().listings():
        typer.echo(f"{item.id}\t{item.title}\tmission={item.mission_id}\tversions={','.join(item.versions)}"
                   f"\tcurrent={item.current_version}\tresponses={item.responses}")


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


@user_app.command("add")
def user_add(email: str,
             role: Annotated[Role, typer.Option(help="admin, evaluator, interviewer or consultant.")],
             mission: Annotated[list[str] | None, typer.Option(help="Mission id (repeat for several).")] = None,
             password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
             ) -> None:
    """Create a staff account; the password is prompted for (or read from stdin)."""
    from survey.passwords import hash_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    email = email.strip().lower()
    try:
        user_id = _store().add_user(email, hash_password(password), role, mission or [])
    except ValueError as exc:
        raise _fail(str(exc)) from None
    typer.echo(f"user {user_id} created: {email} ({role.value}), missions: {', '.join(mission or []) or 'none'}")


@app.command()
def unlock(email: Annotated[str, typer.Argument(help="The e-mail address locked after failed logins.")],
           address: Annotated[str | None, typer.Option(
               help="Also unlock this client address (an IP, as the server sees it).")] = None) -> None:
    """Lift the lock that failed logins put on an e-mail (and on an address); recorded in the audit log."""
    import getpass

    from survey import store_throttle
    from survey.throttle import account_key, address_key

    store = _store()
    keys = [account_key(email)]
    if address:
        keys.append(address_key(address.strip(), Settings().secret_key or store.secret_key()))
    actor = f"cli:{getpass.getuser()}"
    for key, shown in zip(keys, [email.strip().lower(), address], strict=False):
        done = store_throttle.unlock(store.engine, key, actor=actor)
        typer.echo(f"{shown}: {'unlocked' if done else 'no failed login recorded, nothing to unlock'}")


@app.command()
def audit(questionnaire: Annotated[str | None, typer.Option(
              "--questionnaire", help="Only the events of this questionnaire.")] = None,
          since: Annotated[str | None, typer.Option(
              "--since", help="Only the events from this day on (YYYY-MM-DD, UTC).")] = None,
          limit: Annotated[int, typer.Option(help="At most this many events, newest first.")] = 1000) -> None:
    """Print the audit log, newest first: when, who, action, questionnaire, profile, reason (tab-separated)."""
    start = None
    if since:
        try:
            start = dt.datetime.combine(dt.date.fromisoformat(since), dt.time(), dt.UTC)
        except ValueError:
            raise _fail(f"--since {since}: not a date — write it YYYY-MM-DD") from None
    if limit < 1:
        raise _fail(f"--limit {limit}: at least 1")
    for event in _store().audit_events(questionnaire, start, limit=limit):
        fields = [event.at.strftime("%Y-%m-%dT%H:%M:%SZ"), event.actor, event.action, event.questionnaire_id or "-",
                  event.profile or "-", event.reason.replace("\t", " ").replace("\n", " ") or "-"]
        typer.echo("\t".join(fields))


@token_app.command("add")
def token_add(email: str,
              name: Annotated[str, typer.Option(help="What the token is for, e.g. \"dashboard\".")]) -> None:
    """Make an API token acting as EMAIL; it is printed this once (only its hash is kept)."""
    store = _store()
    user_id = store.user_id(email)
    if user_id is None:
        raise _fail(f"no member of staff {email.strip().lower()!r} — create the account first with `survey user add`")
    try:
        token_id, token = store.add_token(user_id, name)
    except ValueError as exc:
        raise _fail(f"--name: {exc}") from None
    typer.echo(f"token {token_id} made for {email.strip().lower()} ({name.strip()}); copy it now, "
               "it is not shown again:", err=True)
    typer.echo(token)


@token_app.command("list")
def token_list(email: Annotated[str | None, typer.Argument(help="Only this member's tokens.")] = None) -> None:
    """API tokens (never the tokens themselves): id, owner, name, made, last used, revoked."""
    store = _store()
    user_id = None
    if email is not None:
        user_id = store.user_id(email)
        if user_id is None:
            raise _fail(f"no member of staff {email.strip().lower()!r} — see `survey token list`")

    def when(moment: dt.datetime | None) -> str:
        return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"

    for item in store.tokens(user_id):
        typer.echo(f"{item.id}\t{item.email}\t{item.name}\tmade={when(item.created_at)}\t"
                   f"last_used={when(item.last_used_at)}\t" + (f"revoked={when(item.revoked_at)}" if item.revoked_at
                                                                 else "active"))


@token_app.command("revoke")
def token_revoke(token_id: Annotated[int, typer.Argument(metavar="ID", help="The id `survey token list` shows.")]
                 ) -> None:
    """Revoke an API token at once: requests carrying it get 401."""
    if not _store().revoke_token(token_id):
        raise _fail(f"no active token {token_id} — see `survey token list`")
    typer.echo(f"token {token_id} revoked")


SEED_CHUNK = 2000  # responses drawn per task and stored per transaction


@app.command()
def seed(questionnaire: str, n: Annotated[int, typer.Option("-n", help="How many responses.")] = 100,
         random_seed: Annotated[int | None, typer.Option("--seed", help="For reproducible data.")] = None,
         jobs: Annotated[int, typer.Option("--jobs", help="Processes drawing answers (default: one per CPU).")]
         = 0) -> None:
    """Store N synthetic valid responses to the current version of QUESTIONNAIRE."""
    import itertools
    import os
    import time
    from concurrent.futures import ProcessPoolExecutor

    from survey.synthetic import synthetic_responses

    store = _store()
    loaded = store.current(questionnaire)
    if loaded is None:
        raise _fail(f"no questionnaire '{questionnaire}' — see `survey list`")
    if n < 0 or jobs < 0:
        raise _fail("-n and --jobs must be 0 or more")
    # Each chunk has its own seed drawn from --seed, so the data is the same whatever the number of processes.
    master = random.Random(random_seed)
    counts = [min(SEED_CHUNK, n - start) for start in range(0, n, SEED_CHUNK)]
    seeds = [master.getrandbits(64) for _ in counts]
    now, today, began = dt.datetime.now(dt.UTC), dt.date.today().isoformat(), time.monotonic()
    draw = (itertools.repeat(loaded.questionnaire), counts, seeds, itertools.repeat(now), itertools.repeat(today))
    jobs = min(jobs or os.cpu_count() or 1, len(counts))
    if jobs <= 1:
        for batch in map(synthetic_responses, *draw):
            store.store_many(loaded.version_id, batch)
    else:  # drawing answers is pure Python: other processes draw while this one stores
        with ProcessPoolExecutor(jobs) as pool:
            for batch in pool.map(synthetic_responses, *draw):
                store.store_many(loaded.version_id, batch)
    seconds = time.monotonic() - began
    typer.echo(f"{n} synthetic response(s) stored for {questionnaire} version {loaded.questionnaire.version} "
               f"in {seconds:.1f} s ({n / max(seconds, 1e-9):.0f}/s)")


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


@app.command()
def export(questionnaire: str,
           output: Annotated[Path, typer.Option("-o", "--output", help="The zip file to write.")],
           format: Annotated[str, typer.Option(
               "--format", help="csv, csv-fr (French Excel), xlsx, parquet, sav (SPSS), dta (Stata) or json.")]
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
           = None) -> None:
    """Write the anonymised dataset as one zip: main table, a table per repeat group, codebook, risk report
    (rapport-anonymisation.json), LISEZMOI.txt."""
    from survey import deliverables
    from survey.disclosure.profile import Profile, ProfileInvalid

    if format not in deliverables.FORMATS:
        raise _fail(f"--format {format}: unknown format — use one of: {', '.join(deliverables.FORMATS)}")
    try:  # k = 0 or 150 % are refused before any work
        Profile(5 if k is None else k, 5 if suppression is None else suppression, 2 if diversity is None else diversity)
    except ProfileInvalid as exc:
        raise _fail(f"export profile: {exc}") from None
    _writable(output, ".zip")
    try:
        written = deliverables.write_export(_store(), questionnaire, format, output, labels=labels,
                                            include_free_text=include_free_text,
                                            profile=deliverables.ProfileChoice(profile, k, suppression, diversity))
    except deliverables.UnknownQuestionnaire:
        raise _fail(f"no questionnaire '{questionnaire}' — see `survey list`") from None
    except deliverables.ExportError as exc:
        raise _fail(f"--labels {labels}: {exc}" if str(exc).startswith("labels in") else str(exc)) from None
    except OSError as exc:
        raise _fail(f"-o {output}: cannot write it ({exc.strerror or exc}) — choose another folder") from None
    typer.echo(f"wrote {written} ({written.stat().st_size} bytes)")
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
