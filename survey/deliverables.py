"""What consultants take away — the anonymised dataset, the summary, the PDF — built the same way for web and CLI.

Every function reads the questionnaire's coded table (`survey.datasets`), kept up to date incrementally: the
exports anonymise it and write one zip per format; the results page and the PDF summarise it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from survey import datasets
from survey.aggregate import Summary, summarise_table
from survey.anonymise import AnonymisedTable, anonymise_table, raw_table
from survey.coded import VERSION, UnreadableAnswers
from survey.datasets import UnknownQuestionnaire
from survey.disclosure.profile import Profile, ProfileInvalid, resolve_profile
from survey.disclosure.protect import Refused
from survey.disclosure.roles import BadRole, Undeclared
from survey.disclosure.scrub import MissionLists
from survey.export.archive import FORMATS, About, write_archive
from survey.export.errors import ExportError
from survey.export.files import atomic_output
from survey.schema import Questionnaire
from survey.schema.loader import question_lines
from survey.schema.localise import localise, text_in
from survey.store import Store

Progress = Callable[[float, str], None]
REPORT_LANGUAGES = ("fr", "en")

REASON_MAX = 2000  # characters of a raw export's reason, kept in the audit log and the zip

__all__ = ["FORMATS", "Deliverable", "ExportError", "ProfileChoice", "RawRequest", "UnknownQuestionnaire",
           "anonymised", "report", "summary", "write_export", "write_report"]


@dataclass(frozen=True)
class Deliverable:
    """A file to hand over: its name, media type and bytes (the PDF summary)."""

    filename: str
    media_type: str
    content: bytes


def _quiet(fraction: float, message: str) -> None:
    """No progress report wanted."""


@dataclass(frozen=True)
class ProfileChoice:
    """The export profile asked for: a name from the questionnaire's `disclosure.profiles`, and overrides."""

    name: str | None = None
    k: int | None = None
    suppression: float | None = None
    l: int | None = None  # noqa: E741 - the letter of ℓ-diversity

    def resolve(self, questionnaire: Questionnaire) -> Profile:
        """The profile, or `ExportError` saying what is wrong with it (k = 0, 150 %, an unknown name)."""
        try:
            return resolve_profile(questionnaire.disclosure, self.name, k=self.k, suppression=self.suppression,
                                   l=self.l)
        except ProfileInvalid as exc:
            raise ExportError(f"export profile: {exc}") from None


@dataclass(frozen=True)
class RawRequest:
    """A raw export asked for (identifiers kept, no disclosure control): who asks, and why — a reason is required.

    Only admins may ask (`Action.RAW_EXPORT`); the caller checks that and records the request in the audit log.
    """

    requested_by: str
    reason: str

    def __post_init__(self) -> None:
        reason = self.reason.strip()
        if not reason:
            raise ExportError("raw export: a reason is required (why identifiers are needed, e.g. « demande "
                              "d'accès RGPD n° 12 ») — it goes into the audit log")
        if len(reason) > REASON_MAX:
            raise ExportError(f"raw export: the reason has {len(reason)} characters — at most {REASON_MAX}")
        object.__setattr__(self, "reason", reason)


UNDECLARED_SHOWN = 10  # located entries in the message of an export refused for undeclared roles


def _undeclared(store: Store, questionnaire_id: str, exc: Undeclared) -> ExportError:
    """The questions and added columns without a role, each located in the questionnaire file, on one line: the
    first ten, and how many more (a 510-question form without roles must not print a page of text)."""
    source = store.source(questionnaire_id) or f"{questionnaire_id}.yaml"
    lines = question_lines(source)
    columns: dict[tuple[str, str], list[str]] = {}  # (question, "") or ("", added column) → its columns
    for column, question in exc.missing:
        columns.setdefault((question, "") if question else ("", column), []).append(column)
    where = [f"{source}:{lines.get(question or 'disclosure', 1)}: "
             + (f"question '{question}' (column{'s' if len(names) > 1 else ''} {', '.join(names)})" if question
                else f"`disclosure: {added}:` (added column)")
             for (question, added), names in columns.items()]
    shown = "; ".join(where[:UNDECLARED_SHOWN]) + (
        f"; and {len(where) - UNDECLARED_SHOWN} more" if len(where) > UNDECLARED_SHOWN else "")
    return ExportError(f"export refused: {len(where)} question(s) or column(s) without a disclosure role — {shown} — "
                       "give each a `disclosure:` (identifier, quasi_identifier, sensitive, free_text or none)")


def anonymised(store: Store, questionnaire_id: str, include_free_text: bool = False,
               labels: str | None = None, profile: ProfileChoice | None = None) -> AnonymisedTable:
    """Every response, anonymised: the main table and one table per repeat group (linked by export id)."""
    found = _dataset(store, questionnaire_id)
    check_labels(found.current, labels)
    return _protected(store, found, include_free_text, labels, profile or ProfileChoice())


def _protected(store: Store, found: datasets.Dataset, include_free_text: bool, labels: str | None,
               choice: ProfileChoice) -> AnonymisedTable:
    """The anonymised table, or one located line saying why it is refused and what to change."""
    profile = choice.resolve(found.current)
    mission = found.current.mission
    names = (MissionLists(tuple(mission.lists.people), tuple(mission.lists.places), tuple(mission.lists.organisations))
             if mission is not None else None)
    try:
        return anonymise_table(found.table, include_free_text, labels=labels, profile=profile, lists=names)
    except Undeclared as exc:
        raise _undeclared(store, found.current.id, exc) from None
    except BadRole as exc:
        raise ExportError(f"export refused: {store.source(found.current.id) or found.current.id}: {exc}") from None
    except Refused as exc:
        raise ExportError(f"export refused: {'; '.join(exc.reasons)} — to export, {'; '.join(exc.relax)}") from None


def check_labels(questionnaire: Questionnaire, labels: str | None) -> None:
    """Labels can be written in the questionnaire's own languages only."""
    if labels is not None and labels not in questionnaire.all_languages:
        raise ExportError(f"labels in `{labels[:8]}`: the questionnaire is written in "
                          f"{', '.join(questionnaire.all_languages)} — use one of them, or codes")


def write_export(store: Store, questionnaire_id: str, fmt: str, output: Path, *, labels: str | None = None,
                 include_free_text: bool = False, language: str = "fr", progress: Progress | None = None,
                 profile: ProfileChoice | None = None, include_synthetic: bool = False,
                 raw: RawRequest | None = None) -> Path:
    """Write the anonymised export of a questionnaire as one zip at `output` (atomically); returns it.

    Real responses only, unless `include_synthetic` adds those `survey seed` stored (never the ones marked as test).
    With `raw`, nothing is anonymised (`raw_table`): identifiers and free text are kept, the profile is ignored.
    """
    step = progress or _quiet
    if fmt not in FORMATS:
        raise ExportError(f"unknown format `{fmt[:16]}` — use one of: {', '.join(FORMATS)}")
    step(0.0, "table")
    found = _dataset(store, questionnaire_id, step, include_synthetic)
    check_labels(found.current, labels)
    step(0.05, "anonymisation")
    if raw is not None:
        table = raw_table(found.table, labels, {"requested_by": raw.requested_by, "reason": raw.reason})
    else:
        table = _protected(store, found, include_free_text, labels, profile or ProfileChoice())
    per_version = dict(found.table.main[VERSION].value_counts(sort=True).iter_rows())
    title = str(text_in(found.current.title, labels or language, found.current.language))
    about = About(questionnaire_id, title, {label: per_version.get(label, 0) for label in found.versions},
                  dt.datetime.now(dt.UTC), labels, include_free_text or raw is not None, labels or language)
    return write_archive(table, fmt, output, about, step)


def _dataset(store: Store, questionnaire_id: str, progress: Progress | None = None,
             include_synthetic: bool = False) -> datasets.Dataset:
    """The questionnaire's coded table (real responses, and synthetic ones when asked for); stored answers it cannot
    read are one line, not a traceback."""
    try:
        return datasets.dataset(store, questionnaire_id, progress, include_synthetic)
    except UnreadableAnswers as exc:
        raise ExportError(f"{questionnaire_id}: {exc} — the stored answers need repair before any export") from None


def summary(store: Store, questionnaire_id: str, language: str = "fr") -> tuple[Questionnaire, Summary]:
    """The aggregated results that both the staff page and the PDF show (texts in `language`)."""
    found = _dataset(store, questionnaire_id)
    key = ("summary", language)
    if key not in found.derived:  # computed once per table state and language
        found.derived[key] = (localise(found.current, language), summarise_table(found.table, found.current, language))
    return found.derived[key]  # type: ignore[return-value]


def report(store: Store, questionnaire_id: str, language: str = "fr") -> Deliverable:
    """The PDF summary."""
    from survey.report.pdf import (  # WeasyPrint loads only when a PDF is asked for
        LOGO_NAME,
        AssetFetcher,
        render_pdf,
        render_report_html,
    )

    questionnaire, result = summary(store, questionnaire_id, language)
    branding = store.branding_for(questionnaire_id)  # the mission's name and logo on the cover, if set
    logo = {LOGO_NAME: branding.logo} if branding is not None and branding.logo else None
    content = render_pdf(render_report_html(questionnaire, result, language, branding=branding),
                         url_fetcher=AssetFetcher(inline=logo))
    return Deliverable(f"{questionnaire_id}-synthese.pdf", "application/pdf", content)


def write_report(store: Store, questionnaire_id: str, output: Path, *, language: str = "fr",
                 progress: Progress | None = None) -> Path:
    """Write the PDF summary at `output` (atomically); returns it."""
    step = progress or _quiet
    if language not in REPORT_LANGUAGES:
        raise ExportError(f"unknown language `{language[:8]}` — use one of: {', '.join(REPORT_LANGUAGES)}")
    step(0.1, "summary")
    item = report(store, questionnaire_id, language)
    step(0.9, "pdf")
    with atomic_output(output) as partial:
        partial.write_bytes(item.content)
    step(1.0, output.name)
    return output
