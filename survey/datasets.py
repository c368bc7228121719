"""Each questionnaire's coded table, kept up to date: built once, then extended with the responses stored since.

`dataset(store, questionnaire_id)` is what every output reads. The table lives in memory (one per process),
keyed by the exact versions it was built for; a new or changed version rebuilds it. With `SURVEY_CACHE_DIR` set,
it is also kept as Parquet files there, so a restarted process (or another one) extends it instead of rebuilding.
On PostgreSQL, responses may become visible out of id order (a transaction that took id 7 may commit after the one
that took id 8): the ids read since the last settled point are counted again, and any response found late is added.

Only real responses are coded (`stored_answers.COUNTED`); an export that asks for synthetic ones too reads a second
table, kept the same way (`coded_tables(store, include_synthetic=True)`). Extending by id cannot see a response
already coded being marked as test data, corrected or deleted: those bump the questionnaire's responses revision
(`survey.store_responses`), which is part of the signature, so the next read rebuilds the table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import tempfile
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from survey import coded, stored_answers
from survey.coded import RESPONSE_ID, SUBMITTED_AT, VERSION, CodedTable, raw_frame
from survey.read_ahead import read_ahead
from survey.schema import Questionnaire
from survey.settings import Settings
from survey.store import LoadedVersion, Store

log = logging.getLogger("survey.datasets")
Progress = Callable[[float, str], None]
PERSIST_GROWTH = 0.1  # rewrite the Parquet files once the table grew by this share since they were written
# A response stored longer ago than this is committed: no response with a lower id can still appear.
SETTLE_AFTER = dt.timedelta(minutes=2)


class UnknownQuestionnaire(LookupError):
    """No questionnaire with this id is loaded."""


@dataclass(frozen=True)
class Dataset:
    """A questionnaire's current version, every version by label, and its coded table.

    `derived` keeps what is computed from this very table (a summary per language): a dataset with new
    responses is a new object, with nothing derived yet.
    """

    current: Questionnaire
    versions: dict[str, Questionnaire]
    table: CodedTable
    derived: dict[object, object] = field(default_factory=dict, compare=False)


CELLS_PER_BATCH = 250_000  # responses are coded this many cells at a time: memory stays near the table's own


def batch_size(columns: int) -> int:
    """How many responses to code at once: fewer for wide questionnaires, so a batch's working memory stays small,
    but not so few that the per-batch planning dominates (a 510-question form took 2.5 × longer in batches of
    1,000 than of 5,000). 48 columns: 5,000 responses per batch, peak 339 MB on 300,000 against 367 MB at 10,000."""
    return max(5_000, min(20_000, CELLS_PER_BATCH // max(1, columns)))


class _VersionsChanged(Exception):
    """A response to a version loaded after the table's versions were read."""


class _Kept:
    """One questionnaire's table and what it was built for."""

    def __init__(self, signature: str, dataset: Dataset, persisted_rows: int):
        self.signature, self.dataset, self.persisted_rows = signature, dataset, persisted_rows
        self.settled = 0  # every response with an id up to this one is in the table (PostgreSQL)
        self.plans: dict = {}  # each version's coding expressions, built once for this table's layout
        self.lock = threading.Lock()


class CodedTables:
    """The coded tables of one database's questionnaires."""

    def __init__(self, store: Store, cache_dir: Path | None,
                 statuses: tuple[str, ...] = stored_answers.COUNTED):
        self.store, self.cache_dir = store, cache_dir
        self.statuses = statuses  # which responses this table codes: real ones, or real and synthetic ones
        self._kept: dict[str, _Kept] = {}
        self._lock = threading.Lock()

    def dataset(self, questionnaire_id: str, progress: Progress | None = None) -> Dataset:
        """The questionnaire's coded table with every response stored so far; `progress` is called after each
        batch of responses coded (an export job's cancel button is checked there)."""
        signature, loaded = self.signature(questionnaire_id)
        with self._lock:
            kept = self._kept.get(questionnaire_id)
            if kept is None or kept.signature != signature:
                versions = self.store.versions(questionnaire_id)
                table = self._read(questionnaire_id, signature, loaded.questionnaire, versions)
                kept = _Kept(signature, Dataset(loaded.questionnaire, versions, table), table.height)
                self._kept[questionnaire_id] = kept
        with kept.lock:
            try:
                kept.dataset = self._extended(questionnaire_id, kept, progress)
            except _VersionsChanged:  # a version loaded since the signature was read: build for those there are now
                with self._lock:
                    self._kept.pop(questionnaire_id, None)
                return self.dataset(questionnaire_id, progress)
            if self.cache_dir and kept.dataset.table.height > kept.persisted_rows * (1 + PERSIST_GROWTH):
                self._write(questionnaire_id, signature, kept.dataset.table)
                kept.persisted_rows = kept.dataset.table.height
            return kept.dataset

    def signature(self, questionnaire_id: str) -> tuple[str, LoadedVersion]:
        """What a table is built for: the coding, the version served, every version's content, and the revision of
        the stored responses (bumped when one already coded changes) with the statuses read."""
        loaded = self.store.current(questionnaire_id)
        if loaded is None:
            raise UnknownQuestionnaire(questionnaire_id)
        stamps = stored_answers.version_stamps(self.store.engine, questionnaire_id)
        revision = stored_answers.responses_revision(self.store.engine, questionnaire_id)
        signature = hashlib.sha256(json.dumps([coded.CODING_VERSION, loaded.version_id,
                                               *[(s.id, s.content_hash) for s in stamps],
                                               revision, self.statuses]).encode()).hexdigest()
        return signature, loaded

    def _extended(self, questionnaire_id: str, kept: _Kept, progress: Progress | None) -> Dataset:
        """The dataset with the responses stored since its table was last extended."""
        dataset = kept.dataset
        table = dataset.table
        every = {**dataset.versions, dataset.current.version: dataset.current}

        def batches() -> Iterator[pl.DataFrame]:
            coded_so_far = 0
            size = batch_size(len(table.layout.variables))
            stored = stored_answers.raw_rows(self.store.engine, questionnaire_id, table.last_id, size, self.statuses)
            # The next batches are read while this one is coded (survey/read_ahead.py).
            for raw in read_ahead(raw_frame(rows) for rows in stored):
                if not set(raw[VERSION].unique()) <= set(every):
                    raise _VersionsChanged(questionnaire_id)
                yield raw
                coded_so_far += raw.height
                if progress is not None:
                    progress(0.05, f"{coded_so_far}")

        table = coded.extend_many(table, every, batches(), kept.plans)
        if self.store.engine.dialect.name == "postgresql":
            table = self._with_late_commits(questionnaire_id, table, every, kept)
        if table is dataset.table:
            return dataset  # nothing new: what was derived from it still holds
        return Dataset(dataset.current, dataset.versions, table)

    def _with_late_commits(self, questionnaire_id: str, table: CodedTable, every: dict[str, Questionnaire],
                           kept: _Kept) -> CodedTable:
        """Responses with an id below the table's last one, committed after it was read (PostgreSQL only).

        Only ids above the settled point are counted again, so the check stays cheap however large the table.
        """
        engine, above = self.store.engine, kept.settled
        recent = table.main.filter(pl.col(RESPONSE_ID) > above)
        statuses = self.statuses
        if stored_answers.count_between(engine, questionnaire_id, above, table.last_id, statuses) != recent.height:
            known = set(recent[RESPONSE_ID].to_list())
            missing = [i for i in stored_answers.ids_between(engine, questionnaire_id, above, table.last_id, statuses)
                       if i not in known]
            rows = stored_answers.raw_rows_by_id(engine, questionnaire_id, missing, statuses)
            if rows:
                grown = coded.extend(table, every, raw_frame(rows))
                table = CodedTable(grown.layout, grown.main.sort(RESPONSE_ID),
                                   {n: f.sort(RESPONSE_ID, "instance") for n, f in grown.repeats.items()},
                                   table.last_id)
        old = table.main.filter(pl.col(SUBMITTED_AT) < dt.datetime.now(dt.UTC) - SETTLE_AFTER)
        kept.settled = max(kept.settled, int(old[RESPONSE_ID].max() or 0))  # type: ignore[arg-type]
        return table

    # --- Parquet files, when SURVEY_CACHE_DIR is set -----------------------------------------------------------

    def _folder(self, questionnaire_id: str) -> Path:
        # "+" is never in a questionnaire id: the table with synthetic responses has a folder of its own.
        suffix = "" if self.statuses == stored_answers.COUNTED else "+" + "+".join(self.statuses[1:])
        return Path(self.cache_dir or ".") / f"{questionnaire_id}{suffix}"

    def _read(self, questionnaire_id: str, signature: str, current: Questionnaire,
              versions: dict[str, Questionnaire]) -> CodedTable:
        """The table as last written for these very versions, or an empty one to extend."""
        empty = coded.empty(coded.build_layout(current, versions))
        folder = self._folder(questionnaire_id)
        try:
            meta = json.loads((folder / "table.json").read_text(encoding="utf-8"))
            if not self.cache_dir or meta["signature"] != signature:
                return empty
            # Files written after this table.json hold more rows: keep those it accounts for, extend the rest.
            last_id = int(meta["last_id"])
            kept = pl.col(RESPONSE_ID) <= last_id
            main = pl.read_parquet(folder / "main.parquet").filter(kept)
            repeats = {name: pl.read_parquet(folder / f"repeat-{name}.parquet").filter(kept)
                       for name in empty.repeats}
        except (OSError, ValueError, KeyError, pl.exceptions.PolarsError):
            return empty  # no file, or an unreadable one: build afresh
        if main.schema != empty.main.schema or any(repeats[n].schema != empty.repeats[n].schema for n in repeats):
            return empty
        return CodedTable(empty.layout, main, repeats, last_id)

    def _write(self, questionnaire_id: str, signature: str, table: CodedTable) -> None:
        """Write the table's files next to each other, each through a temporary file and a rename."""
        folder = self._folder(questionnaire_id)
        folder.mkdir(parents=True, exist_ok=True)
        frames = {"main.parquet": table.main, **{f"repeat-{n}.parquet": f for n, f in table.repeats.items()}}
        for name, frame in frames.items():
            partial = _partial(folder, name)
            frame.write_parquet(partial)
            partial.replace(folder / name)
        meta = _partial(folder, "table.json")
        meta.write_text(json.dumps({"signature": signature, "last_id": table.last_id}), encoding="utf-8")
        meta.replace(folder / "table.json")


def _partial(folder: Path, name: str) -> Path:
    """A temporary file of this process's own beside `name`, to be renamed over it once written."""
    handle, path = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".partial")
    os.close(handle)
    return Path(path)


_tables: weakref.WeakKeyDictionary[Store, CodedTables] = weakref.WeakKeyDictionary()
_with_synthetic: weakref.WeakKeyDictionary[Store, CodedTables] = weakref.WeakKeyDictionary()
_tables_lock = threading.Lock()


def coded_tables(store: Store, include_synthetic: bool = False) -> CodedTables:
    """The coded tables of a store's database, one object per store (and one more, made when first asked for, that
    codes synthetic responses too)."""
    kept, statuses = ((_with_synthetic, stored_answers.WITH_SYNTHETIC) if include_synthetic
                      else (_tables, stored_answers.COUNTED))
    with _tables_lock:
        found = kept.get(store)
        if found is None:
            cache_dir = Settings().cache_dir
            found = kept[store] = CodedTables(store, cache_dir, statuses)
        return found


WARM_UP_FROM = 5_000  # responses from which a questionnaire's table is built when the server starts


def warm_up(store: Store) -> threading.Thread:
    """Build the tables of large questionnaires in the background, so that the first results page or export
    after a start does not wait for it (small ones are built on first use, in well under a second)."""
    def build() -> None:
        for listing in store.listings():
            if listing.responses >= WARM_UP_FROM:
                try:
                    dataset(store, listing.id)
                except Exception:  # a table that cannot be built now will say why when it is asked for
                    log.exception("could not build the coded table of %s", listing.id)

    thread = threading.Thread(target=build, name="coded-tables-warm-up", daemon=True)
    thread.start()
    return thread


def dataset(store: Store, questionnaire_id: str, progress: Progress | None = None,
            include_synthetic: bool = False) -> Dataset:
    """The questionnaire's coded table with every real response stored so far, and the synthetic ones when asked
    for (see `CodedTables.dataset`)."""
    return coded_tables(store, include_synthetic).dataset(questionnaire_id, progress)
