"""One export, one zip: the main table, a table per repeat group, the codebook, the risk report and a LISEZMOI.txt.

The zip is written beside its destination under a temporary name and renamed at the end, so a failed or
cancelled export leaves nothing behind, and a half-written file is never offered.
"""

from __future__ import annotations

import datetime as dt
import json
import queue
import tempfile
import threading
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from survey.anonymise import AnonymisedTable, Column
from survey.disclosure.report import REPORT_FILE
from survey.export.codebook import codebook_csv
from survey.export.csv_writer import SLICE_ROWS, write_slices
from survey.export.files import atomic_output
from survey.export.formats import WRITERS
from survey.export.readme import readme_text
from survey.export.statistical import stata_names, value_numbers, write_dta_file, write_sav_file

Progress = Callable[[float, str], None]
FORMATS = ("csv", "csv-fr", "xlsx", "parquet", "sav", "dta", "json")
# Parquet (zstd inside) and XLSX (a zip itself) are compressed already: deflating them again costs time for
# nothing. The rest is deflated at level 1: on a million-row CSV the default level 6 took 8 s of an export's 28 s
# for a zip a third smaller (level 1: 2.5 s).
_STORED = (".parquet", ".xlsx")
LEVEL = 1
_STREAMED = {"csv": False, "csv-fr": True}  # CSV flavours written straight into the zip (french or not)


class _Background:
    """A binary stream whose bytes a thread of its own writes to `target` — a zip member, deflated there (zlib lets
    go of the GIL) while the next slice of rows is turned into text. At most `depth` writes wait at a time."""

    def __init__(self, target, depth: int = 2):  # noqa: ANN001 - a writable binary stream
        self.target, self.waiting = target, queue.Queue(maxsize=depth)
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._drain, name="export-deflate", daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        while (data := self.waiting.get()) is not None:
            if self.error is None:
                try:
                    self.target.write(data)
                except BaseException as exc:  # noqa: BLE001 - raised again in the writing thread
                    self.error = exc

    def write(self, data: bytes) -> int:
        if self.error is not None:
            raise self.error
        self.waiting.put(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to do: `close` waits for every write."""

    def close(self) -> None:
        """Wait until every byte is written; raise what writing them raised."""
        self.waiting.put(None)
        self.thread.join()
        if self.error is not None:
            raise self.error
_WRITERS = {**WRITERS, "sav": (".sav", write_sav_file), "dta": (".dta", write_dta_file)}


@dataclass(frozen=True)
class About:
    """What LISEZMOI.txt says about an export."""

    questionnaire_id: str
    title: str
    versions: Mapping[str, int]  # version label → responses in this export
    exported_at: dt.datetime
    labels: str | None
    include_free_text: bool
    language: str = "fr"  # of the codebook's and read-me's texts: the labels' language, or the one asked for


def _in_file(fmt: str, table: AnonymisedTable):  # noqa: ANN202 - the codebook's InFile, or None
    """For SPSS and Stata, each column's name in the file and the number written for each code."""
    if fmt not in ("sav", "dta"):
        return None
    tables = {"": table, **table.repeats}
    names = {name: stata_names(t.columns) if fmt == "dta" else {c.name: c.name for c in t.columns}
             for name, t in tables.items()}

    def in_file(name: str, column: Column) -> tuple[str, Mapping[str, int] | None]:
        numbers = value_numbers(column) if table.language is None else None
        return names[name][column.name], numbers

    return in_file


def write_archive(table: AnonymisedTable, fmt: str, output: Path, about: About,
                  progress: Progress | None = None) -> Path:
    """Write the export's zip at `output`; returns it. Raises on any failure, leaving no file."""
    suffix, write = _WRITERS[fmt]
    step = progress or (lambda fraction, message: None)
    parts = {about.questionnaire_id: table, **{f"{about.questionnaire_id}.{n}": t for n, t in table.repeats.items()}}
    with atomic_output(output) as partial, tempfile.TemporaryDirectory(prefix="survey-export-") as folder, \
            zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=LEVEL) as archive:
        for number, (stem, part) in enumerate(parts.items()):
            step(0.1 + 0.8 * number / len(parts), f"{stem}{suffix}")
            if fmt in _STREAMED:
                with archive.open(f"{stem}{suffix}", "w", force_zip64=True) as member:
                    sink = _Background(member)
                    try:
                        write_slices(part.slices(SLICE_ROWS), sink, french=_STREAMED[fmt])  # type: ignore[arg-type]
                    finally:
                        sink.close()
                continue
            path = Path(folder) / f"{stem}{suffix}"
            write(part, path)
            archive.write(path, path.name, compress_type=zipfile.ZIP_STORED if suffix in _STORED else None)
            path.unlink()
        language = about.language
        book = codebook_csv(table.columns, language, {n: t.columns for n, t in table.repeats.items()},
                            french=fmt == "csv-fr", in_file=_in_file(fmt, table))
        archive.writestr("codebook.csv", book)
        files = [f"{stem}{suffix}" for stem in parts]
        counts = {name: t.height for name, t in table.repeats.items()}
        if table.report is not None:
            archive.writestr(REPORT_FILE, json.dumps(table.report, ensure_ascii=False, indent=2))
        archive.writestr("LISEZMOI.txt", readme_text(about, fmt, table.height, counts, files, table.report))
    step(1.0, output.name)
    return output


def read_report(path: Path) -> dict | None:
    """The risk report inside an export zip (for the job page); None when there is none or it cannot be read."""
    try:
        with zipfile.ZipFile(path) as archive:
            return json.loads(archive.read(REPORT_FILE))
    except (OSError, KeyError, ValueError, zipfile.BadZipFile):
        return None
