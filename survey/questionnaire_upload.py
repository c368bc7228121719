"""A questionnaire file uploaded from the staff pages, read as `survey validate` reads one: YAML with the limits of
questionnaire files (survey/schema/yaml_limits.py), or an XLSForm converted on the way (survey/xlsform) with the
workbook's own limits. Every problem comes back in one pass, located; no upload, however hostile, raises."""

from __future__ import annotations

import logging
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath

from survey.errors import QuestionnaireInvalid
from survey.schema import Questionnaire, parse_questionnaire
from survey.schema.yaml_limits import MAX_FILE_BYTES, MAX_NODES

log = logging.getLogger(__name__)

MAX_UPLOAD_BYTES = 10_000_000  # a questionnaire file (8 MB at most) or a workbook, with the form's other fields
YAML_SUFFIXES = (".yaml", ".yml")
WORKBOOK_SUFFIXES = (".xlsx", ".xls")
NAME_MAX = 120


@dataclass
class Upload:
    """What an uploaded file gave: the questionnaire, or the problems that stopped it; XLSForm conversion notes."""

    name: str
    questionnaire: Questionnaire | None = None
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def safe_name(filename: str | None) -> str:
    """The file's own name, without folders nor control characters, short: it is shown on the page and logged."""
    raw = filename or ""
    base = PureWindowsPath(PurePosixPath(raw).name).name
    clean = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C").strip()
    return clean[:NAME_MAX] or "questionnaire"


def read_upload(filename: str | None, data: bytes) -> Upload:
    """Check an uploaded file; the questionnaire it holds, or every problem found, each saying how to fix it."""
    name = safe_name(filename)
    suffix = Path(name).suffix.lower()
    if not data:
        return Upload(name, problems=[f"{name}: the file is empty — choose the questionnaire file again"])
    try:
        if suffix in YAML_SUFFIXES:
            return _read_yaml(name, data)
        if suffix in WORKBOOK_SUFFIXES:
            return _read_workbook(name, suffix, data)
    except Exception as exc:  # a reader's bug must not become a 500: the file is refused, the cause logged
        log.exception("questionnaire upload %r could not be read", name)
        return Upload(name, problems=[f"{name}: the file could not be read ({exc.__class__.__name__}) — check it "
                                      "with `survey validate`, or save it again"])
    return Upload(name, problems=[f"{name}: `{suffix or name}` is not a questionnaire file — upload a YAML file "
                                  "(.yaml, .yml) or an XLSForm workbook (.xlsx, .xls)"])


def _read_yaml(name: str, data: bytes) -> Upload:
    if len(data) > MAX_FILE_BYTES:
        return Upload(name, problems=[f"{name}:1: over a limit for questionnaire files: the file is larger than "
                                      f"{MAX_FILE_BYTES:,} bytes — split the questionnaire, or move long choice "
                                      "lists to `choices_from` CSV files"])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Upload(name, problems=[f"{name}: byte {exc.start} is not UTF-8 text — save the file as UTF-8"])
    try:  # no folder: a `choices_from` CSV file cannot come with an upload, and is reported as missing
        return Upload(name, parse_questionnaire(text, name, None, max_nodes=MAX_NODES))
    except QuestionnaireInvalid as exc:
        return Upload(name, problems=[str(problem) for problem in exc.problems])


def _read_workbook(name: str, suffix: str, data: bytes) -> Upload:
    from survey.xlsform import WorkbookInvalid, import_xlsform

    with tempfile.TemporaryDirectory(prefix="survey-upload-") as folder:
        path = Path(folder) / f"{Path(name).stem[:60] or 'form'}{suffix}"
        path.write_bytes(data)
        try:
            questionnaire, conversion = import_xlsform(path)
        except WorkbookInvalid as exc:
            return Upload(name, problems=[str(problem).replace(path.name, name, 1) for problem in exc.problems])
    return Upload(name, questionnaire, notes=conversion.lines())
