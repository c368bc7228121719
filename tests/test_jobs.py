"""Background jobs: the runner records progress and leaves a file only when done; the staff pages start, show,
cancel and serve jobs to their owner only; procrastinate runs a real export on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
import random
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient

from survey.access import Role
from survey.job_queues import ThreadQueue
from survey.job_store import JobRecord, JobStore
from survey.jobs import JobKind, JobRunner, Progress
from survey.messages import translate
from survey.schema import load_questionnaire
from survey.store import Store
from survey.synthetic import synthetic_answers
from tests.conftest import ROOT, add_staff, csrf_of, login, post_form

BUDGET = "budget-participatif-habitants"
TRAINING = "formation-democratie-participative"
BUDGET_MISSION = load_questionnaire(ROOT / "questionnaires" / f"{BUDGET}.yaml").mission.id  # type: ignore[union-attr]


def _load(store: Store, questionnaire_id: str = BUDGET, responses: int = 0) -> None:
    """Load an example questionnaire and store `responses` synthetic answers to it."""
    store.load(load_questionnaire(ROOT / "questionnaires" / f"{questionnaire_id}.yaml"))
    loaded = store.current(questionnaire_id)
    rng = random.Random(7)
    for i in range(responses):
        store.store_response(loaded.version_id, f"job-{questionnaire_id}-{i}",  # type: ignore[union-attr]
                             synthetic_answers(loaded.questionnaire, rng))  # type: ignore[union-attr]


def _owner(store: Store, email: str = "eval@example.fr", role: Role = Role.EVALUATOR) -> int:
    add_staff(store, email, role, [BUDGET_MISSION])
    return store.password_hash(email)[0]  # type: ignore[index]


def _runner(store: Store, folder: Path, run, expiry_hours: float = 24) -> JobRunner:  # noqa: ANN001
    """A runner whose only kind, `export`, is `run`: the queue and the runner are tested on a job of our own."""
    kind = JobKind(run, lambda job: f"{job.questionnaire_id}.txt")
    return JobRunner(store, JobStore(store.engine), folder, {"export": kind}, expiry_hours=expiry_hours,
                     progress_interval=0)


def _job(store: Store, owner: int) -> str:
    return JobStore(store.engine).create("export", BUDGET, {"format": "csv", "labels": None, "language": "fr"}, owner)


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    """The export folder, apart from the test database's files."""
    return tmp_path / "exports"


@pytest.fixture
def owner(store: Store) -> int:
    _load(store)
    return _owner(store)


def test_a_job_records_its_progress_and_keeps_its_file(store: Store, owner: int, exports: Path) -> None:
    seen: list[tuple[str, float, str]] = []

    def work(_store: Store, job: JobRecord, output: Path, progress: Progress) -> Path:
        for fraction in (0.25, 0.5):
            progress(fraction, f"rows {fraction}")
            now = JobStore(store.engine).get(job.id)
            seen.append((now.status, now.progress, now.message))  # type: ignore[union-attr]
        output.with_suffix(".txt").write_text("fini", encoding="utf-8")
        return output.with_suffix(".txt")

    job_id = _job(store, owner)
    _runner(store, exports, work).run(job_id)
    assert seen == [("running", 0.25, "rows 0.25"), ("running", 0.5, "rows 0.5")]
    job = JobStore(store.engine).get(job_id)
    assert (job.status, job.progress, job.error) == ("done", 1.0, "")  # type: ignore[union-attr]
    assert job.path == f"{job_id}.txt" and job.file_name == f"{BUDGET}.txt"  # type: ignore[union-attr]
    assert (exports / job.path).read_text(encoding="utf-8") == "fini"  # type: ignore[union-attr]
    assert job.finished_at is not None and job.finished_at <= dt.datetime.now(dt.UTC)  # type: ignore[union-attr]


def test_a_failed_job_leaves_no_file_and_one_line_without_the_traceback(store: Store, owner: int,
                                                                       exports: Path) -> None:
    def work(_store: Store, _job: JobRecord, output: Path, progress: Progress) -> Path:
        output.with_suffix(".part").write_text("half", encoding="utf-8")
        output.with_name(f".{output.name}.zip.partial").write_text("half", encoding="utf-8")  # a writer's temp file
        progress(0.3, "writing")
        raise RuntimeError("boom in /srv/secret/path.py\nTraceback …")

    job_id = _job(store, owner)
    _runner(store, exports, work).run(job_id)
    job = JobStore(store.engine).get(job_id)
    assert job.status == "failed" and job.error == translate("job_failed", "fr")  # type: ignore[union-attr]
    assert "boom" not in job.error and job.path == ""  # type: ignore[union-attr]
    assert list(exports.iterdir()) == []


def test_cancelling_a_running_job_stops_it_at_its_next_progress_and_removes_the_partial_file(
        store: Store, owner: int, exports: Path) -> None:
    reached: list[float] = []

    def work(_store: Store, job: JobRecord, output: Path, progress: Progress) -> Path:
        output.with_suffix(".zip").write_bytes(b"PK partial")
        progress(0.1, "started")
        reached.append(0.1)
        JobStore(store.engine).cancel(job.id)  # the Cancel button, pressed meanwhile
        progress(0.2, "more")
        reached.append(0.2)
        return output.with_suffix(".zip")

    job_id = _job(store, owner)
    _runner(store, exports, work).run(job_id)
    job = JobStore(store.engine).get(job_id)
    assert reached == [0.1] and job.status == "cancelled" and job.path == ""  # type: ignore[union-attr]
    assert list(exports.iterdir()) == []


def test_a_cancel_landing_after_the_last_progress_still_leaves_no_file(store: Store, owner: int,
                                                                      exports: Path) -> None:
    def work(_store: Store, job: JobRecord, output: Path, _progress: Progress) -> Path:
        output.with_suffix(".zip").write_bytes(b"PK whole")
        JobStore(store.engine).cancel(job.id)
        return output.with_suffix(".zip")

    job_id = _job(store, owner)
    _runner(store, exports, work).run(job_id)
    assert JobStore(store.engine).get(job_id).status == "cancelled"  # type: ignore[union-attr]
    assert list(exports.iterdir()) == []


def test_a_job_cancelled_while_queued_never_runs(store: Store, owner: int, exports: Path) -> None:
    calls: list[str] = []
    job_id = _job(store, owner)
    JobStore(store.engine).cancel(job_id)
    _runner(store, exports, lambda *args: calls.append("ran")).run(job_id)
    assert calls == [] and JobStore(store.engine).get(job_id).status == "cancelled"  # type: ignore[union-attr]


def test_an_export_refused_by_the_writer_fails_with_its_own_line(store: Store, owner: int, exports: Path) -> None:
    from survey.jobs import JobRunner as RealRunner  # the real kinds: deliverables.write_export

    job_id = JobStore(store.engine).create("export", BUDGET, {"format": "docx", "labels": None, "language": "fr"},
                                           owner)
    RealRunner(store, JobStore(store.engine), exports).run(job_id)
    job = JobStore(store.engine).get(job_id)
    assert job.status == "failed" and job.error.startswith("unknown format `docx`")  # type: ignore[union-attr]
    assert "\n" not in job.error and not any(exports.iterdir())  # type: ignore[union-attr]


def _write(_store: Store, _job: JobRecord, output: Path, progress: Progress) -> Path:
    progress(0.5, "half")
    output.with_suffix(".txt").write_text("x", encoding="utf-8")
    return output.with_suffix(".txt")


def test_files_are_deleted_once_expired_and_the_row_is_kept(store: Store, owner: int, exports: Path) -> None:
    runner = _runner(store, exports, _write, expiry_hours=0)
    job_id = _job(store, owner)
    runner.run(job_id)
    assert (exports / f"{job_id}.txt").is_file()
    assert runner.purge_expired() == 1
    job = JobStore(store.engine).get(job_id)
    assert job.status == "done" and job.path == "" and not (exports / f"{job_id}.txt").exists()  # type: ignore[union-attr]
    assert runner.purge_expired() == 0


def test_the_thread_queue_runs_jobs_in_order_and_recovers_after_a_restart(sqlite_store: Store,
                                                                         exports: Path) -> None:
    _load(sqlite_store)
    owner = _owner(sqlite_store)
    jobs = JobStore(sqlite_store.engine)
    interrupted, waiting = _job(sqlite_store, owner), _job(sqlite_store, owner)
    jobs.claim(interrupted)  # a previous process died while running it
    exports.mkdir()
    (exports / f"{interrupted}.part").write_text("half", encoding="utf-8")
    queue = ThreadQueue(_runner(sqlite_store, exports, _write))
    fresh = _job(sqlite_store, owner)
    queue.submit(fresh)
    deadline = time.monotonic() + 20
    while any(jobs.get(j).status != "done" for j in (waiting, fresh)) and time.monotonic() < deadline:  # type: ignore[union-attr]
        time.sleep(0.05)
    queue.stop()
    assert [jobs.get(j).status for j in (interrupted, waiting, fresh)] == ["failed", "done", "done"]  # type: ignore[union-attr]
    assert jobs.get(interrupted).error == translate("job_interrupted", "fr")  # type: ignore[union-attr]
    assert sorted(p.name for p in exports.iterdir()) == sorted([f"{waiting}.txt", f"{fresh}.txt"])


WORKER_THAT_DIES = """
import sys, time
from pathlib import Path
from survey.job_store import JobStore
from survey.jobs import JobKind, JobRunner
from survey.store import Store

def work(_store, job, output, progress):
    Path(output.parent, f".{output.name}.zip.partial").write_bytes(b"PK half")
    progress(0.3, "writing")
    print("writing", flush=True)
    time.sleep(600)

store = Store.from_url(sys.argv[1])
runner = JobRunner(store, JobStore(store.engine), Path(sys.argv[2]), {"export": JobKind(work, str)},
                   progress_interval=0, heartbeat_interval=0.1)
runner.run(sys.argv[3])
"""


def test_a_job_whose_worker_is_killed_is_failed_and_its_partial_file_removed(store: Store, owner: int,
                                                                           exports: Path) -> None:
    job_id = _job(store, owner)
    url = store.engine.url.render_as_string(hide_password=False)
    worker = subprocess.Popen([sys.executable, "-c", WORKER_THAT_DIES, url, str(exports), job_id],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert worker.stdout.readline() == "writing\n"  # type: ignore[union-attr]
    runner = _runner(store, exports, _write)
    runner.lease = 2.0
    time.sleep(2.5)
    assert runner.fail_stalled() == []  # alive and beating, though it reports no progress: left alone
    worker.kill()  # kill -9: no handler, no clean-up
    worker.wait()
    assert [p.name for p in exports.iterdir()] == [f".{job_id}.zip.partial"]
    deadline = time.monotonic() + 10
    while not runner.fail_stalled() and time.monotonic() < deadline:
        time.sleep(0.2)
    job = JobStore(store.engine).get(job_id)
    assert job.status == "failed" and job.error == translate("job_interrupted", "fr")  # type: ignore[union-attr]
    assert list(exports.iterdir()) == []


def test_the_job_page_of_a_dead_worker_says_so_instead_of_waiting_for_ever(store: Store, owner: int,
                                                                        exports: Path) -> None:
    from survey.access import StaffMember
    from survey.jobs import Jobs

    job_id = _job(store, owner)
    JobStore(store.engine).claim(job_id)  # then its worker vanished without a beat
    runner = _runner(store, exports, _write)
    runner.lease = 0.2
    time.sleep(0.4)
    member = StaffMember(owner, "eval@example.fr", Role.EVALUATOR, frozenset({BUDGET_MISSION}))
    seen = Jobs(runner, ThreadQueue(runner)).visible(member, job_id)
    assert seen is not None and seen.status == "failed"
    assert seen.error == translate("job_interrupted", "fr")


# --- the staff pages -----------------------------------------------------------------------------------------------


def _start(client: TestClient, questionnaire_id: str, what: str = "export", **fields: str):  # noqa: ANN202
    """Post the export form (or the PDF button) of a questionnaire page as a browser does."""
    page = client.get(f"/staff/q/{questionnaire_id}")
    return post_form(client, f"/staff/q/{questionnaire_id}/{what}", [("_csrf_token", csrf_of(page.text)),
                                                                     *fields.items()], follow_redirects=False)


def _wait(client: TestClient, url: str, timeout: float = 120) -> str:
    """Poll a job page as its refresh would, until it stops asking to be refreshed."""
    deadline = time.monotonic() + timeout
    while True:
        page = client.get(url)
        assert page.status_code == 200, page.text
        if '/static/job.js' not in page.text or time.monotonic() > deadline:
            return page.text
        assert re.search(r'<progress max="100" value="\d+"', page.text)
        time.sleep(0.2)


@pytest.fixture
def staff_client(client: TestClient, store: Store) -> Iterator[TestClient]:
    """The app with a few responses to the budget questionnaire and a consultant logged in."""
    _load(store, BUDGET, 6)
    add_staff(store, "consultant@example.fr", Role.CONSULTANT, [BUDGET_MISSION])
    login(client, "consultant@example.fr")
    yield client


def test_a_pdf_job_is_created_polled_and_downloaded(staff_client: TestClient) -> None:
    response = _start(staff_client, BUDGET, "report")
    assert response.status_code == 303
    url = response.headers["location"]
    assert re.fullmatch(r"/staff/jobs/[A-Za-z0-9_-]{32}", url)
    page = _wait(staff_client, url)
    assert translate("job_status_done", "fr") in page and 'role="status"' in page
    download = re.search(r'href="(/staff/jobs/[^"]+/file)"', page).group(1)  # type: ignore[union-attr]
    pdf = staff_client.get(download)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment")
    assert f"{BUDGET}-synthese-fr.pdf" in pdf.headers["content-disposition"]
    assert pdf.headers["cache-control"] == "no-store" and pdf.headers["x-content-type-options"] == "nosniff"
    listed = staff_client.get(f"/staff/q/{BUDGET}").text
    assert f'href="{url}"' in listed and translate("job_kind_report", "fr") in listed


def test_an_export_job_is_created_polled_and_downloaded_as_one_zip(staff_client: TestClient) -> None:
    response = _start(staff_client, BUDGET, format="csv-fr", labels="fr")
    assert response.status_code == 303
    page = _wait(staff_client, response.headers["location"])
    assert translate("job_status_done", "fr") in page
    download = staff_client.get(re.search(r'href="(/staff/jobs/[^"]+/file)"', page).group(1))  # type: ignore[union-attr]
    assert download.headers["content-type"] == "application/zip"
    assert f'filename="{BUDGET}-csv-fr-fr.zip"' in download.headers["content-disposition"]
    assert download.headers["cache-control"] == "no-store" and download.headers["x-content-type-options"] == "nosniff"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        names = archive.namelist()
        main = next(n for n in names if n.endswith(".csv") and "codebook" not in n and "." not in n[:-4])
        rows = archive.read(main).decode("utf-8-sig").strip().splitlines()
    assert "LISEZMOI.txt" in names
    assert len(rows) == 1 + 6 and ";" in rows[0]  # a header and the six responses, French Excel's separator


def test_a_job_page_and_its_file_are_the_owners_only(staff_client: TestClient, store: Store) -> None:
    url = _start(staff_client, BUDGET, "report").headers["location"]
    _wait(staff_client, url)
    add_staff(store, "colleague@example.fr", Role.EVALUATOR, [BUDGET_MISSION])
    add_staff(store, "admin@example.fr", Role.ADMIN)
    staff_client.cookies.clear()
    login(staff_client, "colleague@example.fr")
    assert staff_client.get(url).status_code == 404, "same mission, not theirs: as if it did not exist"
    assert staff_client.get(f"{url}/file").status_code == 404
    page = staff_client.get(f"/staff/q/{BUDGET}").text
    assert url not in page
    assert post_form(staff_client, f"{url}/cancel", [("_csrf_token", csrf_of(page))]).status_code == 404
    staff_client.cookies.clear()
    login(staff_client, "admin@example.fr")
    assert staff_client.get(f"{url}/file").status_code == 200


def test_export_forms_refuse_unknown_formats_and_languages(staff_client: TestClient) -> None:
    bad_format = _start(staff_client, BUDGET, format="docx")
    assert bad_format.status_code == 400 and "format" in bad_format.text
    bad_language = _start(staff_client, BUDGET, format="csv", labels="de")
    assert bad_language.status_code == 400 and "labels" in bad_language.text
    assert _start(staff_client, TRAINING, format="csv").status_code == 404  # not the consultant's mission
    assert post_form(staff_client, f"/staff/q/{BUDGET}/report", []).status_code == 403  # no CSRF token


def test_a_job_page_without_javascript_offers_to_stop_refreshing_and_to_cancel(staff_client: TestClient,
                                                                              store: Store) -> None:
    owner = store.password_hash("consultant@example.fr")[0]  # type: ignore[index]
    job_id = _job(store, owner)
    JobStore(store.engine).claim(job_id)  # running, as far as the page can tell
    JobStore(store.engine).record_progress(job_id, 0.42, "lecture des réponses")
    page = staff_client.get(f"/staff/jobs/{job_id}").text
    assert '<script src="/static/job.js" defer></script>' in page  # the status kept up to date in place
    assert 'http-equiv="refresh"' not in page  # never a page that reloads itself (WCAG 2.2.1, axe's meta-refresh)
    assert '<progress max="100" value="42"' in page and "42 %" in page and "lecture des réponses" in page
    assert f'href="/staff/jobs/{job_id}?refresh=0"' in page and f'<a href="/staff/jobs/{job_id}">' in page
    assert '/static/job.js' not in staff_client.get(f"/staff/jobs/{job_id}?refresh=0").text
    cancelled = post_form(staff_client, f"/staff/jobs/{job_id}/cancel", [("_csrf_token", csrf_of(page))],
                          follow_redirects=False)
    assert cancelled.status_code == 303 and cancelled.headers["location"] == f"/staff/jobs/{job_id}"
    after = staff_client.get(f"/staff/jobs/{job_id}").text
    assert translate("job_cancelled_note", "fr") in after and '/static/job.js' not in after
    assert staff_client.get(f"/staff/jobs/{job_id}/file").status_code == 404
    english = staff_client.get(f"/staff/jobs/{job_id}?lang=en").text
    assert translate("job_cancelled_note", "en") in english


def test_an_interviewer_cannot_start_or_see_jobs(client: TestClient, store: Store) -> None:
    _load(store)
    add_staff(store, "enqueteur@example.fr", Role.INTERVIEWER, [BUDGET_MISSION])
    login(client, "enqueteur@example.fr")
    token = csrf_of(client.get("/staff").text)
    for what in ("export", "report"):
        response = post_form(client, f"/staff/q/{BUDGET}/{what}", [("_csrf_token", token), ("format", "csv")])
        assert response.status_code == 403, what
    assert client.get("/staff/jobs/whatever").status_code == 403


# --- procrastinate on PostgreSQL -----------------------------------------------------------------------------------


@pytest.mark.postgresql
def test_procrastinate_runs_real_export_and_pdf_jobs_on_postgresql(tmp_path: Path) -> None:
    from survey.job_queues import ProcrastinateQueue, ensure_queue_schema, run_worker
    from survey.settings import Settings
    from tests.conftest import PG_URL, _postgres_store

    store = _postgres_store()  # skips locally without PostgreSQL; fails under CI=true
    try:
        store.migrate()
        _load(store, BUDGET, 5)
        owner = _owner(store)
        settings = Settings(database_url=PG_URL, job_queue="procrastinate", export_dir=tmp_path / "exports")
        ensure_queue_schema(store)
        ensure_queue_schema(store)  # a second process starting finds the tables there: nothing to do
        jobs = JobStore(store.engine)
        export = jobs.create("export", BUDGET, {"format": "parquet", "labels": None, "language": "fr"}, owner)
        report = jobs.create("report", BUDGET, {"language": "en"}, owner)
        cancelled = jobs.create("report", BUDGET, {"language": "fr"}, owner)
        web = ProcrastinateQueue(store.engine.url.render_as_string(hide_password=False))
        for job_id in (export, report, cancelled):
            web.submit(job_id)  # what a web process does
        web.stop()
        jobs.cancel(cancelled)
        assert jobs.get(report).status == "queued"  # type: ignore[union-attr]
        run_worker(settings, store, wait=False)  # what `survey worker` does, until the queue is empty
        done = jobs.get(report)
        assert (done.status, done.progress, done.error) == ("done", 1.0, ""), done  # type: ignore[union-attr]
        assert done.file_name == f"{BUDGET}-synthese-en.pdf"  # type: ignore[union-attr]
        assert (tmp_path / "exports" / done.path).read_bytes().startswith(b"%PDF")  # type: ignore[union-attr]
        exported = jobs.get(export)
        assert (exported.status, exported.error) == ("done", ""), exported  # type: ignore[union-attr]
        with zipfile.ZipFile(tmp_path / "exports" / exported.path) as archive:  # type: ignore[union-attr]
            assert "LISEZMOI.txt" in archive.namelist()
            assert any(name.endswith(".parquet") for name in archive.namelist())
        assert jobs.get(cancelled).status == "cancelled"  # type: ignore[union-attr]
        assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == sorted([done.path, exported.path])  # type: ignore[union-attr]
    finally:
        store.engine.dispose()
