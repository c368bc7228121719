"""Background jobs: exports and PDF summaries run away from the request, report progress, leave one file.

A job is a row (`job_store.py`) and a piece of work (`JobKind`). `JobRunner.run` claims a queued job, runs its
work with a progress callback that records how far it got and raises `Cancelled` once the job was cancelled,
then keeps the file or removes every trace of it. Two queues hand job ids to a runner (`job_queues.py`): a thread
inside the web process (the default), or procrastinate on PostgreSQL with `survey worker` processes.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from survey.access import StaffMember
from survey.job_store import JobRecord, JobStore
from survey.messages import translate
from survey.store import Store

log = logging.getLogger("survey.jobs")

Progress = Callable[[float, str], None]
JOB_ID = re.compile(r"[A-Za-z0-9_-]{1,43}")  # what secrets.token_urlsafe makes (job_store.JobStore.create)
PROGRESS_INTERVAL = 0.5  # seconds between two progress writes: often enough for a page refreshed every 2 s
HEARTBEAT_INTERVAL = 10.0  # seconds between two "still alive" writes of a running job's worker
LEASE = 120.0  # seconds of silence after which a running job's worker is taken for dead


class Cancelled(Exception):
    """Raised inside the work, from the progress callback, once the job has been cancelled."""


class JobRefused(ValueError):
    """A job asked with a format, language or kind this questionnaire does not offer (one line for the user)."""


@dataclass(frozen=True)
class JobKind:
    """What a kind of job does: `run` writes a file from `output` (a path without suffix) and returns it."""

    run: Callable[[Store, JobRecord, Path, Progress], Path]
    file_name: Callable[[JobRecord], str]  # the name offered on download


def _run_export(store: Store, job: JobRecord, output: Path, progress: Progress) -> Path:
    """The dataset zip, in the format and labels asked for; raw (identifiers kept) when an admin asked so."""
    from survey import deliverables

    params = job.params
    profile = deliverables.ProfileChoice(params.get("profile"), params.get("k"), params.get("suppression"),
                                         params.get("l"))
    raw = (deliverables.RawRequest(str(params.get("requested_by") or ""), str(params.get("reason") or ""))
           if params.get("raw") else None)
    return deliverables.write_export(store, job.questionnaire_id, params["format"], output.with_suffix(".zip"),
                                     labels=params.get("labels"), language=params.get("language", "fr"),
                                     progress=progress, profile=profile,
                                     include_synthetic=bool(params.get("include_synthetic")), raw=raw)


def _run_report(store: Store, job: JobRecord, output: Path, progress: Progress) -> Path:
    """The PDF summary, in the language asked for."""
    from survey import deliverables

    return deliverables.write_report(store, job.questionnaire_id, output.with_suffix(".pdf"),
                                     language=job.params.get("language", "fr"), progress=progress)


def _export_name(job: JobRecord) -> str:
    labels = job.params.get("labels")
    synthetic = "-avec-synthetiques" if job.params.get("include_synthetic") else ""  # never mistaken for real data
    raw = "-BRUT-donnees-personnelles" if job.params.get("raw") else ""  # never mistaken for an anonymised file
    return f"{job.questionnaire_id}-{job.params['format']}{f'-{labels}' if labels else ''}{synthetic}{raw}.zip"


def _report_name(job: JobRecord) -> str:
    return f"{job.questionnaire_id}-synthese-{job.params.get('language', 'fr')}.pdf"


KINDS: dict[str, JobKind] = {
    "export": JobKind(_run_export, _export_name),
    "report": JobKind(_run_report, _report_name),
}


class _ProgressRecorder:
    """The callback handed to the work: writes progress at most every PROGRESS_INTERVAL, notices cancellation."""

    def __init__(self, jobs: JobStore, job_id: str, interval: float = PROGRESS_INTERVAL):
        self._jobs, self._job_id, self._interval = jobs, job_id, interval
        self._next = 0.0

    def __call__(self, fraction: float, message: str) -> None:
        """Record `fraction` (0..1) and `message`; raise Cancelled when the job is no longer running."""
        now = time.monotonic()
        if now < self._next and fraction < 1.0:
            return
        self._next = now + self._interval
        if not self._jobs.record_progress(self._job_id, fraction, message):
            raise Cancelled(self._job_id)


class _Heartbeat:
    """A thread that tells the job table the worker is alive while the work runs, even between two progress
    reports (a long write has none). A worker killed stops beating; `JobRunner.fail_stalled` notices."""

    def __init__(self, jobs: JobStore, job_id: str, interval: float):
        self._jobs, self._job_id, self._interval = jobs, job_id, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"job-heartbeat-{job_id[:8]}", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                if not self._jobs.beat(self._job_id):
                    return  # cancelled or finished: the work notices at its next progress report
            except Exception:  # noqa: BLE001 - the database gone for a moment: try again at the next beat
                log.warning("job %s: heartbeat not recorded", self._job_id, exc_info=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


class JobRunner:
    """Runs one job at a time to its end: done with a file, or failed or cancelled with none."""

    def __init__(self, store: Store, jobs: JobStore, export_dir: Path, kinds: Mapping[str, JobKind] = KINDS,
                 expiry_hours: float = 24, progress_interval: float = PROGRESS_INTERVAL,
                 heartbeat_interval: float = HEARTBEAT_INTERVAL, lease: float = LEASE):
        self.store, self.jobs, self.export_dir, self.kinds = store, jobs, export_dir, kinds
        self.expiry_hours, self.progress_interval = expiry_hours, progress_interval
        self.heartbeat_interval, self.lease = heartbeat_interval, lease

    def run(self, job_id: str) -> None:
        """Run a queued job; a job already cancelled, or taken by another worker, is left alone."""
        job = self.jobs.claim(job_id)
        if job is None:
            return
        language = job.params.get("language", "fr")
        kind = self.kinds.get(job.kind)
        if kind is None:
            self.jobs.fail(job_id, translate("job_failed", language))
            return
        self.export_dir.mkdir(parents=True, exist_ok=True)
        try:
            with _Heartbeat(self.jobs, job.id, self.heartbeat_interval):
                written = kind.run(self.store, job, self.export_dir / job.id,
                                   _ProgressRecorder(self.jobs, job.id, self.progress_interval))
        except Cancelled:
            self.remove_files(job.id)
            return
        except Exception as exc:  # noqa: BLE001 - whatever went wrong, the user gets one line and no file
            self.remove_files(job.id)
            self.jobs.fail(job_id, self._user_error(exc, language))
            return
        if not self.jobs.finish(job.id, written.name, kind.file_name(job)):
            self.remove_files(job.id)  # cancelled while the last bytes were written

    @staticmethod
    def _user_error(exc: Exception, language: str) -> str:
        """The line the job page shows; the traceback goes to the server log only."""
        from survey import deliverables

        if isinstance(exc, deliverables.ExportError):
            return str(exc).splitlines()[0] if str(exc) else translate("job_failed", language)
        if isinstance(exc, deliverables.UnknownQuestionnaire):
            return translate("job_unknown_questionnaire", language)
        log.exception("job failed")
        return translate("job_failed", language)

    def remove_files(self, job_id: str) -> None:
        """Delete whatever a job left in the export folder, finished or half-written."""
        if self.export_dir.is_dir():
            # Ids are [A-Za-z0-9_-]: no glob characters. Writers name their temporary file `.{name}.partial`.
            for pattern in (f"{job_id}*", f".{job_id}*"):
                for leftover in self.export_dir.glob(pattern):
                    leftover.unlink(missing_ok=True)

    def purge_expired(self) -> int:
        """Delete the files of jobs finished more than `expiry_hours` ago; return how many went."""
        limit = dt.datetime.now(dt.UTC) - dt.timedelta(hours=self.expiry_hours)
        count = 0
        for job_id, _path in list(self.jobs.expired_files(limit)):
            self.remove_files(job_id)
            self.jobs.forget_file(job_id)
            count += 1
        return count

    def fail_stalled(self) -> list[str]:
        """Fail the running jobs whose worker stopped beating more than `lease` seconds ago (killed, machine
        gone), and remove their half-written files; return their ids. Any process may call it at any time."""
        silent_since = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=self.lease)
        failed = []
        for job_id in self.jobs.stalled(silent_since):
            if self.jobs.fail_stalled(job_id, silent_since, translate("job_interrupted")):
                self.remove_files(job_id)
                failed.append(job_id)
        return failed

    def recover(self) -> list[str]:
        """After a restart of the one process that runs jobs: fail the interrupted ones, return the queued ones."""
        queued = []
        for job_id, status in self.jobs.unfinished():
            if status == "running":
                self.remove_files(job_id)
                self.jobs.fail(job_id, translate("job_interrupted"))
            else:
                queued.append(job_id)
        return queued


class JobQueue(Protocol):
    """Hands job ids to a runner somewhere: a thread here, or a worker process."""

    def start(self) -> None: ...

    def submit(self, job_id: str) -> None: ...

    def stop(self) -> None: ...


class Jobs:
    """What the staff pages do with jobs: start one, find one the member may see, cancel, list, locate its file."""

    def __init__(self, runner: JobRunner, queue: JobQueue):
        self.runner, self.queue = runner, queue

    @property
    def store(self) -> JobStore:
        return self.runner.jobs

    def start(self, member: StaffMember, kind: str, questionnaire_id: str, params: dict[str, Any]) -> str:
        """Create a queued job for `member` and hand it to the queue; old files are purged on the way."""
        if kind not in self.runner.kinds:
            raise JobRefused(f"kind: {kind!r} is not a kind of job")
        job_id = self.store.create(kind, questionnaire_id, params, member.id)
        self.queue.submit(job_id)
        self.runner.purge_expired()
        self.runner.fail_stalled()
        return job_id

    def visible(self, member: StaffMember, job_id: str) -> JobRecord | None:
        """The job if it is the member's (or the member is an admin) and on one of their missions; else None."""
        if not JOB_ID.fullmatch(job_id):  # not an id we make: never sent to the database (a NUL byte fails there)
            return None
        job = self.store.get(job_id)
        if job is None or not member.works_on(job.mission_id):
            return None
        if job.owner != member.id and not member.sees_all_missions:
            return None
        if job.status == "running" and job_id in self.runner.fail_stalled():
            return self.store.get(job_id)  # its worker died: the page says so instead of waiting for ever
        return job

    def file(self, job: JobRecord) -> Path | None:
        """The finished file, while it has not expired."""
        if job.status != "done" or not job.path or job.finished_at is None:
            return None
        if job.finished_at < dt.datetime.now(dt.UTC) - dt.timedelta(hours=self.runner.expiry_hours):
            return None
        path = self.runner.export_dir / job.path
        return path if path.is_file() else None

    def cancel(self, job: JobRecord) -> None:
        """Cancel a queued or running job; its runner removes any partial file (or, its runner dead, we do)."""
        self.runner.fail_stalled()
        if self.store.cancel(job.id) and job.status == "queued":
            self.runner.remove_files(job.id)

    def recent(self, member: StaffMember, questionnaire_id: str) -> list[JobRecord]:
        """The member's latest jobs on a questionnaire."""
        return self.store.recent(member.id, questionnaire_id)
