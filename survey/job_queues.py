"""The two ways jobs reach a runner: a thread in the web process, or procrastinate's queue in PostgreSQL.

`thread` (default, SQLite or PostgreSQL, one process): nothing to install or start; one job at a time, in the
order asked. `procrastinate` (several web processes on one PostgreSQL database): the web processes defer a task
holding the job id; `survey worker` processes take tasks from the queue and run them.
"""

from __future__ import annotations

import logging
import queue
import threading
from pathlib import Path

from sqlalchemy.engine import make_url

from survey.job_store import JobStore, ensure_procrastinate_schema
from survey.jobs import KINDS, JobKind, JobRunner, Jobs
from survey.settings import Settings
from survey.store import Store

log = logging.getLogger("survey.jobs")
TASK = "survey.run_job"


class ThreadQueue:
    """One worker thread, started with the server; jobs left queued by a previous run are taken up again."""

    def __init__(self, runner: JobRunner):
        self.runner = runner
        self._queue: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        """Start the thread, after failing the jobs a crash left running and queueing those left waiting."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            for job_id in self.runner.recover():
                self._queue.put(job_id)
            self._thread = threading.Thread(target=self._work, name="survey-jobs", daemon=True)
            self._thread.start()

    def _work(self) -> None:
        """Run job after job until `stop` puts None in the queue."""
        while (job_id := self._queue.get()) is not None:
            try:
                self.runner.run(job_id)
                self.runner.purge_expired()
            except Exception:  # the runner fails jobs itself; this is the database gone away: keep serving
                log.exception("job %s could not be run", job_id)

    def submit(self, job_id: str) -> None:
        """Queue a job behind the ones already waiting."""
        self.start()
        self._queue.put(job_id)

    def stop(self) -> None:
        """Let the running job finish, then end the thread (the server is shutting down)."""
        with self._lock:
            thread, self._thread = self._thread, None
        if thread is not None:
            self._queue.put(None)
            thread.join(timeout=30)


def _conninfo(database_url: str) -> str:
    """psycopg's connection string from SQLAlchemy's URL (`postgresql+psycopg://…` → `postgresql://…`)."""
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


def procrastinate_app(database_url: str, runner: JobRunner | None = None):  # noqa: ANN201 - procrastinate.App
    """A procrastinate App on the service's database; with `runner`, it also knows how to run the task."""
    import procrastinate

    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=_conninfo(database_url),
                                                                     min_size=1, max_size=4))
    if runner is not None:

        @app.task(name=TASK)
        def run_job(job_id: str) -> None:
            """The procrastinate task: run one job, then delete expired files and fail jobs of dead workers."""
            runner.run(job_id)
            runner.purge_expired()
            runner.fail_stalled()

    return app


def ensure_queue_schema(store: Store) -> None:
    """Create procrastinate's tables in the service's PostgreSQL database, once."""
    from procrastinate.schema import SchemaManager

    if ensure_procrastinate_schema(store.engine, SchemaManager.get_schema()):
        log.info("created procrastinate's job queue tables")


class ProcrastinateQueue:
    """Defers each job to procrastinate; `survey worker` processes run them."""

    def __init__(self, database_url: str):
        self._app = procrastinate_app(database_url)
        self._open = False
        self._lock = threading.Lock()

    def start(self) -> None:
        """Nothing to start here: `survey worker` processes run the jobs."""

    def submit(self, job_id: str) -> None:
        """Put the job in procrastinate's queue (one INSERT; a worker is woken by NOTIFY)."""
        with self._lock:
            if not self._open:
                self._app.open()
                self._open = True
        self._app.configure_task(name=TASK).defer(job_id=job_id)

    def stop(self) -> None:
        """Close the connection pool."""
        with self._lock:
            if self._open:
                self._app.close()
                self._open = False


def _url(store: Store) -> str:
    """The store's own database URL (the one settings named, or the one a test handed over)."""
    return store.engine.url.render_as_string(hide_password=False)


def make_runner(settings: Settings, store: Store) -> JobRunner:
    """The runner on the service's database and export folder; invitations and reminders are sent with the
    settings' mail server (`survey/invitation_mail.py`)."""
    from survey.invitation_mail import KINDS as MAIL_KINDS
    from survey.invitation_mail import job_file_name, sending_job

    mail = JobKind(sending_job(settings), job_file_name)
    return JobRunner(store, JobStore(store.engine), Path(settings.export_dir), expiry_hours=settings.export_hours,
                     kinds={**KINDS, **dict.fromkeys(MAIL_KINDS, mail)})


def make_jobs(settings: Settings, store: Store) -> Jobs:
    """Jobs for the web app, on the queue SURVEY_JOB_QUEUE names (ValueError when it cannot work here)."""
    runner = make_runner(settings, store)
    if settings.job_queue == "procrastinate":
        if store.engine.dialect.name != "postgresql":
            raise ValueError("SURVEY_JOB_QUEUE=procrastinate needs PostgreSQL: set SURVEY_DATABASE_URL to a "
                             "postgresql+psycopg:// URL, or use SURVEY_JOB_QUEUE=thread")
        ensure_queue_schema(store)
        return Jobs(runner, ProcrastinateQueue(_url(store)))
    return Jobs(runner, ThreadQueue(runner))


def run_worker(settings: Settings, store: Store, *, wait: bool = True) -> None:
    """Run procrastinate's worker on the service's database: jobs one at a time, until stopped (or, with
    `wait=False`, until the queue is empty)."""
    ensure_queue_schema(store)
    runner = make_runner(settings, store)
    runner.fail_stalled()  # jobs left running by a worker that was killed
    app = procrastinate_app(_url(store), runner)
    app.run_worker(wait=wait, concurrency=1, install_signal_handlers=wait)
