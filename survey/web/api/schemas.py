"""What the API sends and accepts: its own dataclasses, kept apart from the tables and from the core's types.

Each `*_out` function turns a core value (a listing, a summary, a job) into its API form, so the API's contract
changes only when this file does. Figures are numbers, never the texts formatted for a page.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any, Literal

from survey.access import Action, StaffMember
from survey.aggregate import QuestionSummary, Row, Summary
from survey.deliverables import FORMATS
from survey.job_store import JobRecord
from survey.store_listings import QuestionnaireListing, VersionListing

Language = Literal["fr", "en"]
ExportFormat = Literal[FORMATS]  # type: ignore[valid-type]  # the formats the staff export form offers
JobStatus = Literal["queued", "running", "done", "failed", "cancelled"]
CellStatus = Literal["shown", "small", "masked"]


@dataclass(frozen=True)
class FieldError:
    """One thing wrong in a request: where (`source` and `key`) and what."""

    message: str
    key: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class ApiError:
    """Every error answer: its HTTP status, one line saying what went wrong and what to do, and each field's fault."""

    status: int
    detail: str
    errors: list[FieldError] = field(default_factory=list)


@dataclass(frozen=True)
class MemberOut:
    """Who the token acts as: the member of staff, their role, missions and permissions."""

    id: int
    email: str
    role: str
    all_missions: bool
    missions: list[str]
    permissions: list[str]


@dataclass(frozen=True)
class MissionOut:
    id: str
    name: str
    client: str


@dataclass(frozen=True)
class QuestionnaireOut:
    """A questionnaire as the staff home lists it."""

    id: str
    title: str
    mission: MissionOut
    versions: list[str]
    current_version: str
    responses: int
    # Publishing: draft, open, closed or archived; the questionnaire's own opening and closing moments (UTC), if
    # set — its mission's `start` and `end` bound them too (README "Publishing").
    state: str = "open"
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None


@dataclass(frozen=True)
class VersionOut:
    """One version: when it was loaded, when a respondent first saw it (then it never changes), its responses."""

    label: str
    loaded_at: dt.datetime
    served_at: dt.datetime | None
    responses: int
    current: bool


@dataclass(frozen=True)
class VersionDefinitionOut:
    """A version's whole definition, as stored: the questionnaire file's content as JSON (see `survey schema`)."""

    questionnaire_id: str
    label: str
    current: bool
    definition: dict[str, Any]


@dataclass(frozen=True)
class VersionCount:
    version: str
    responses: int


@dataclass(frozen=True)
class ResponseCountOut:
    """Stored responses, exactly counted: in all and per version."""

    questionnaire_id: str
    total: int
    by_version: list[VersionCount]


@dataclass(frozen=True)
class RowOut:
    """An option (or a histogram bin): how many chose it, their percentage, a ranking option's mean rank.

    `status` is `shown`, or `small` / `masked` when small-cell protection withholds the count: then `count` and
    `percent` are 0 and `mean` null, exactly as the results page hides them."""

    code: str
    label: str
    count: int
    percent: float
    mean: float | None = None
    status: CellStatus = "shown"


@dataclass(frozen=True)
class FigureOut:
    """A named figure (`answered`, `minimum`, `median`, `mean`, `maximum`, `nps_score`…): a number, an ISO date
    or time, or null when it is withheld (computed from counts small-cell protection hides)."""

    key: str
    value: float | str | None


@dataclass(frozen=True)
class MatrixRowOut:
    name: str
    label: str
    answered: int
    cells: list[RowOut]


@dataclass(frozen=True)
class QuestionSummaryOut:
    """One question's results, as the results page shows them."""

    name: str
    label: str
    type: str
    kind: str
    answered: int
    no_answer: int
    rows: list[RowOut]
    figures: list[FigureOut]
    specials: list[RowOut]
    items: list[MatrixRowOut]
    scale: list[str]


@dataclass(frozen=True)
class PageSummaryOut:
    title: str
    questions: list[QuestionSummaryOut]


@dataclass(frozen=True)
class SummaryOut:
    """The results page's summary of every response: count, collection period, each question's figures."""

    questionnaire_id: str
    language: str
    response_count: int
    first_date: dt.date | None
    last_date: dt.date | None
    small_cells: int  # counts below it are withheld (1: none is)
    pages: list[PageSummaryOut]


@dataclass(frozen=True)
class ExportRequest:
    """An export to start: the format, choice labels in one of the questionnaire's languages (else codes), the
    language of the codebook and of the job's messages, and the protection as on the staff form — a profile named
    in the questionnaire's `disclosure: profiles:` and overrides of its k, suppression (%) and ℓ.

    `raw` must be false: raw exports (identifiers kept) are started by an admin on the staff export form or with
    `survey export --raw`, never through the API."""

    format: ExportFormat
    labels: str | None = None
    language: Language = "fr"
    profile: str | None = None
    k: int | None = None
    suppression: float | None = None
    l: int | None = None  # noqa: E741 - the letter of ℓ-diversity
    raw: bool = False


@dataclass(frozen=True)
class JobOut:
    """An export job: how far it got; once done, where to download its zip and until when."""

    id: str
    questionnaire_id: str
    status: JobStatus
    progress: float
    message: str
    format: str
    labels: str | None
    profile: str | None
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None
    file_name: str
    download_url: str | None
    available_until: dt.datetime | None


def _number(value: float | None) -> float | None:
    """JSON has no NaN or infinity: a figure that is not a finite number is absent."""
    return value if value is not None and math.isfinite(value) else None


def member_out(member: StaffMember) -> MemberOut:
    return MemberOut(member.id, member.email, member.role.value, member.sees_all_missions, sorted(member.missions),
                     [action.value for action in Action if member.can(action)])


def questionnaire_out(item: QuestionnaireListing) -> QuestionnaireOut:
    return QuestionnaireOut(item.id, item.title, MissionOut(item.mission_id, item.mission_name, item.client),
                            list(item.versions), item.current_version, item.responses, item.state, item.opens_at,
                            item.closes_at)


def version_out(item: VersionListing) -> VersionOut:
    return VersionOut(item.label, item.loaded_at, item.served_at, item.responses, item.current)


def _row(row: Row) -> RowOut:
    # `status` (and `small_cells` below) come with small-cell protection; a summary without it shows every count.
    return RowOut(row.code, row.label, row.count, _number(row.percent) or 0.0, _number(row.mean),
                  getattr(row, "status", "shown"))


def _figure_value(value: float | str) -> float | str | None:
    """A number, an ISO text, or None for a figure withheld (protection leaves an empty text)."""
    if isinstance(value, str):
        return value or None
    return _number(float(value))


def _question(summary: QuestionSummary) -> QuestionSummaryOut:
    return QuestionSummaryOut(
        summary.name, summary.label, summary.type, summary.kind, summary.answered, summary.no_answer,
        [_row(r) for r in summary.rows], [FigureOut(f.key, _figure_value(f.value)) for f in summary.figures],
        [_row(r) for r in summary.specials],
        [MatrixRowOut(i.name, i.label, i.answered, [_row(c) for c in i.cells]) for i in summary.items],
        list(summary.scale))


def summary_out(questionnaire_id: str, summary: Summary) -> SummaryOut:
    pages = [PageSummaryOut(page.title, [_question(q) for q in page.questions]) for page in summary.pages]
    return SummaryOut(questionnaire_id, summary.language, summary.response_count, summary.first_date,
                      summary.last_date, getattr(summary, "small_cells", 1), pages)


def job_out(job: JobRecord, available: bool, expiry_hours: float) -> JobOut:
    """A job; the download link only while its file can be downloaded."""
    until = job.finished_at + dt.timedelta(hours=expiry_hours) if job.finished_at and available else None
    return JobOut(job.id, job.questionnaire_id, job.status, job.progress, job.message,  # type: ignore[arg-type]
                  str(job.params.get("format", "")), job.params.get("labels"), job.params.get("profile"), job.error,
                  job.created_at,
                  job.finished_at, job.file_name, f"/api/jobs/{job.id}/file" if available else None, until)
