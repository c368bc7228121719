"""The coded table: stored responses of every version → one typed, labelled table (polars).  PURE.

Every output reads it: the exports, the codebook, the results page and the PDF. Columns come from the codecs
(`survey.codecs`) and align across versions (`survey.coded.layout`); rows are coded by polars expressions
(`survey.coded.build`). A table is extended with the responses stored since it was built (`extend`); a rebuild
from scratch gives the same table.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import polars as pl

from survey.coded.build import (
    ANSWERS,
    CHANNEL,
    INSTANCE,
    RESPONSE_ID,
    SUBMITTED_AT,
    VERSION,
    UnreadableAnswers,
    code_rows,
    empty_main,
    empty_repeat,
    raw_frame,
)
from survey.coded.layout import Layout, build_layout, identifying_names, status_name
from survey.dataset import ResponseRecord
from survey.schema.model import Questionnaire

# Bump when the way answers are coded changes: tables kept on disk by an older release are then rebuilt.
CODING_VERSION = 4  # 2: small labelled integers held as Int8; 3: the channel column; 4: categories as such


@dataclass(frozen=True)
class CodedTable:
    """Every response coded: the main table (a row per response) and a table per repeat group (a row per item).

    Rows carry the stored response id (`response_id`, never exported), the version, the submission time and the
    channel (web, paper, telephone).
    `last_id` is the highest response id included, for extending the table with later responses.
    """

    layout: Layout
    main: pl.DataFrame
    repeats: dict[str, pl.DataFrame] = field(default_factory=dict)
    last_id: int = 0

    @property
    def height(self) -> int:
        """The number of responses."""
        return self.main.height


def empty(layout: Layout) -> CodedTable:
    """A table with no response yet."""
    return CodedTable(layout, empty_main(layout), {name: empty_repeat(layout, name) for name in layout.repeats})


def extend(table: CodedTable, versions: Mapping[str, Questionnaire], raw: pl.DataFrame) -> CodedTable:
    """The table with the raw rows (`raw_frame`) of responses stored since appended, in response id order."""
    return extend_many(table, versions, [raw])


def extend_many(table: CodedTable, versions: Mapping[str, Questionnaire], batches: Iterable[pl.DataFrame],
                plans: dict | None = None) -> CodedTable:
    """The table with several batches of raw rows appended (each batch's ids above the previous one's).

    The coded batches are gathered into segments as they come (`_Chunks`): appending each to the whole table would
    copy the growing table at every batch. `plans` keeps each version's coding expressions for the next call (pass
    the same dict for the same layout).
    """
    main, repeats = _Chunks(table.main), {name: _Chunks(part) for name, part in table.repeats.items()}
    plans = {} if plans is None else plans
    last_id, added = table.last_id, False
    for raw in batches:
        if raw.is_empty():
            continue
        ordered = raw if raw[RESPONSE_ID].is_sorted() else raw.sort(RESPONSE_ID)  # as the databases give them
        coded_main, groups = code_rows(table.layout, versions, ordered, plans)
        main.add(coded_main)
        for name, part in groups.items():
            repeats[name].add(part)
        last_id = max(last_id, int(raw[RESPONSE_ID].max()))  # type: ignore[arg-type]
        added = True
    if not added:
        return table
    return CodedTable(table.layout, main.joined(), {name: part.joined() for name, part in repeats.items()}, last_id)


SEGMENT_ROWS = 100_000  # rows per chunk of a coded table's columns, once batches are joined


class _Chunks:
    """A frame with more rows appended, merged into chunks of about SEGMENT_ROWS rows as they come.

    Joining without copying would keep each batch (or each response added one by one) as a chunk of its own, and a
    scan over a column of hundreds of small chunks is twice as slow as over a few large ones (the results page of a
    million responses: 0.69 s against 0.30 s). Copying the whole table into one chunk would hold it twice at the
    peak; so only the small chunks at the end of the frame and the new rows are merged, a segment at a time, each
    as soon as it is full (the batches it replaces are then let go).
    """

    def __init__(self, frame: pl.DataFrame):
        lengths = frame.get_column(frame.columns[0]).chunk_lengths() if frame.height else []
        small = 0
        while small < len(lengths) and lengths[len(lengths) - 1 - small] < SEGMENT_ROWS:
            small += 1
        settled = sum(lengths[:len(lengths) - small])
        self._segments = [frame.slice(0, settled)]
        self._run = [frame.slice(settled)]
        self._rows = frame.height - settled

    def add(self, part: pl.DataFrame) -> None:
        """Append rows; a full segment is merged into one chunk at once."""
        self._run.append(part)
        self._rows += part.height
        if self._rows >= SEGMENT_ROWS:
            self._merge()

    def _merge(self) -> None:
        self._segments.append(pl.concat(self._run, rechunk=True))
        self._run, self._rows = [], 0

    def joined(self) -> pl.DataFrame:
        """Every row, in the order given."""
        if self._rows:
            self._merge()
        return pl.concat(self._segments)


def build(current: Questionnaire, versions: Mapping[str, Questionnaire], raw: pl.DataFrame) -> CodedTable:
    """The table of `current`'s layout (every version in `versions`) from raw rows."""
    every = {**versions, current.version: current}
    return extend(empty(build_layout(current, versions)), every, raw)


def records_frame(records: Iterable[ResponseRecord]) -> pl.DataFrame:
    """Response records (as tests and pure callers hold them) as raw rows, numbered in the order given."""
    rows = []
    for number, record in enumerate(records, start=1):
        at = record.submitted_at if record.submitted_at.tzinfo else record.submitted_at.replace(tzinfo=dt.UTC)
        rows.append((number, record.version, at, json.dumps(record.answers)))
    return raw_frame(rows)


def from_records(current: Questionnaire, records: Iterable[ResponseRecord],
                 versions: Mapping[str, Questionnaire] | None = None) -> CodedTable:
    """The coded table of response records; a record of an unknown version is read with the current one."""
    versions = {**(versions or {}), current.version: current}
    raw = records_frame(records)
    known = raw[VERSION].is_in(list(versions))
    raw = raw.with_columns(pl.when(known).then(pl.col(VERSION)).otherwise(pl.lit(current.version)).alias(VERSION))
    return build(current, versions, raw)


__all__ = ["ANSWERS", "CHANNEL", "CODING_VERSION", "INSTANCE", "RESPONSE_ID", "SUBMITTED_AT", "VERSION", "CodedTable",
           "Layout",
           "UnreadableAnswers", "build", "build_layout", "empty", "extend", "extend_many", "from_records",
           "identifying_names", "raw_frame", "records_frame", "status_name"]
