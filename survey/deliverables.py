"""What consultants take away — anonymised dataset, codebook, summary, PDF — built the same way for web and CLI.

Each function runs the pipeline's last stages: stored responses of every version → anonymised table or
summary → file bytes. The current version gives the column order and the texts; each response is read with
the version it answered.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.aggregate import Summary, summarise
from survey.anonymise import AnonymisedTable, anonymise, layout
from survey.export.codebook import codebook_csv
from survey.export.csv_writer import dataset_csv
from survey.schema import Questionnaire
from survey.schema.localise import localise
from survey.store import Store

CSV = "text/csv; charset=utf-8"


class UnknownQuestionnaire(LookupError):
    """No questionnaire with this id is loaded."""


@dataclass(frozen=True)
class Deliverable:
    filename: str
    media_type: str
    content: bytes


def _versions(store: Store, questionnaire_id: str) -> tuple[Questionnaire, dict[str, Questionnaire]]:
    """The current version and every version by label."""
    loaded = store.current(questionnaire_id)
    if loaded is None:
        raise UnknownQuestionnaire(questionnaire_id)
    return loaded.questionnaire, store.versions(questionnaire_id)


def _suffix(labels: str | None) -> str:
    return f"-{labels}" if labels else ""


def anonymised(store: Store, questionnaire_id: str, include_free_text: bool = False,
               labels: str | None = None) -> AnonymisedTable:
    """Every response, anonymised: the main table and one table per repeat group (linked by export id)."""
    current, versions = _versions(store, questionnaire_id)
    return anonymise(current, store.responses(questionnaire_id), include_free_text,
                     versions=versions, labels=labels)


def dataset_file(table: AnonymisedTable, questionnaire_id: str, labels: str | None = None) -> Deliverable:
    """The main table of an anonymised export as a CSV file."""
    return Deliverable(f"{questionnaire_id}-anonymise{_suffix(labels)}.csv", CSV, dataset_csv(table))


def dataset(store: Store, questionnaire_id: str, include_free_text: bool = False,
            labels: str | None = None) -> Deliverable:
    """The anonymised CSV: one row per complete response, columns of every version aligned by name."""
    return dataset_file(anonymised(store, questionnaire_id, include_free_text, labels), questionnaire_id, labels)


def repeat_files(table: AnonymisedTable, questionnaire_id: str, labels: str | None = None) -> dict[str, Deliverable]:
    """Repeat group name → its CSV: a row per instance; `export_id` links to the main file of the same export."""
    return {name: Deliverable(f"{questionnaire_id}-anonymise{_suffix(labels)}.{name}.csv", CSV, dataset_csv(part))
            for name, part in table.repeats.items()}


def codebook(store: Store, questionnaire_id: str, include_free_text: bool = False, language: str = "fr") -> Deliverable:
    """The codebook matching `dataset` and the repeat groups' files: each column's question, type, codes, labels."""
    current, versions = _versions(store, questionnaire_id)
    shape = layout(current, include_free_text, language=language, versions=versions)
    content = codebook_csv(shape.columns, language, shape.repeats)
    return Deliverable(f"{questionnaire_id}-codebook.csv", CSV, content)


def summary(store: Store, questionnaire_id: str, language: str = "fr") -> tuple[Questionnaire, Summary]:
    """The aggregated results that both the staff page and the PDF show (texts in `language`)."""
    current, versions = _versions(store, questionnaire_id)
    result = summarise(current, store.responses(questionnaire_id), language, versions=versions)
    return localise(current, language), result


def report(store: Store, questionnaire_id: str, language: str = "fr") -> Deliverable:
    """The PDF summary."""
    from survey.report.pdf import (  # WeasyPrint loads only when a PDF is asked for
        render_pdf,
        render_report_html,
    )

    questionnaire, result = summary(store, questionnaire_id, language)
    content = render_pdf(render_report_html(questionnaire, result, language))
    return Deliverable(f"{questionnaire_id}-synthese.pdf", "application/pdf", content)
