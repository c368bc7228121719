"""GDPR retention run by the service and by `survey purge`: delete what a mission's period no longer covers, and the
coded tables cached on disk that still hold it.

The service checks every `SURVEY_RETENTION_CHECK_MINUTES` (default 60) in a thread of its own (`RetentionSchedule`),
beside the job worker; several web processes may each check, the deletions being idempotent. The period itself is
in each questionnaire's `mission:` block (`retention_days`), see survey/retention.py for when it starts.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

from survey.settings import Settings
from survey.store import Store
from survey.store_retention import Purged

log = logging.getLogger("survey.retention")
SERVICE = "service:retention"  # the audit log's actor for the service's own purges


def purge(store: Store, settings: Settings, actor: str, *, dry_run: bool = False,
          now: dt.datetime | None = None) -> list[Purged]:
    """Delete expired responses and forms in every questionnaire (audited), then the cached coded tables of those
    that lost any: they hold the deleted answers and are rebuilt from what remains when next read."""
    now = now or dt.datetime.now(dt.UTC)
    today = now.astimezone(ZoneInfo(settings.timezone)).date()  # a mission's last day ends where the service is
    done = store.purge_expired(actor, now, today, dry_run=dry_run)
    if settings.cache_dir is not None and not dry_run:
        for purged in done:
            _drop_cached(Path(settings.cache_dir), purged.questionnaire_id)
    return done


def _drop_cached(cache_dir: Path, questionnaire_id: str) -> None:
    """Remove a questionnaire's Parquet folders (`<id>` and `<id>+synthetic`…; `+` is never in an id)."""
    for folder in [cache_dir / questionnaire_id, *cache_dir.glob(f"{questionnaire_id}+*")]:
        shutil.rmtree(folder, ignore_errors=True)


class RetentionSchedule:
    """A daemon thread that runs `purge` at start and then every `interval` seconds, until `stop`."""

    def __init__(self, store: Store, settings: Settings):
        self.store, self.settings = store, settings
        self.interval = settings.retention_check_minutes * 60.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="survey-retention", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                for purged in purge(self.store, self.settings, SERVICE):
                    log.info("retention: %s lost %d response(s) and %d form(s) past its period",
                             purged.questionnaire_id, purged.responses, purged.forms)
            except Exception:  # the database gone away for a while: try again at the next check
                log.exception("retention check failed")
            self._stop.wait(self.interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            self._thread = None
