"""What consultants take away — anonymised dataset, codebook, summary, PDF — built the same way for web and CLI.

Each function runs the pipeline's last stages: stored responses → anonymised table or summary → file bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from survey.aggregate import Summary, summarise
from survey.anonymise import anonymise, columns
from survey.export.codebook import codebook_csv
from survey.export.csv_writer import dataset_csv
from survey.schema import Questionnaire
from survey.store import Store


class UnknownQuestionnaire(LookupError):
    """No questionnaire with this id is loaded."""


@dataclass(frozen=True)
class Deliverable:
    filename: str
    media_type: str
    content: bytes


def _current(store: Store, questionnaire_id: str) -> Questionnaire:
    loaded = store.current(questionnaire_id)
    if loaded is None:
        raise UnknownQuestionnaire(questionnaire_id)
    return loaded.questionnaire


def dataset(store: Store, questionnaire_id: str, include_free_text: bool = False) -> Deliverable:
    """The anonymised CSV: one row per complete response, columns of the current version."""
    questionnaire = _current(store, questionnaire_id)
    table = anonymise(questionnaire, store.responses(questionnaire_id), include_free_text=include_free_text)
    return Deliverable(f"{questionnaire_id}-anonymise.csv", "text/csv; charset=utf-8", dataset_csv(table))


def codebook(store: Store, questionnaire_id: str, include_free_text: bool = False, language: str = "fr") -> Deliverable:
    """The codebook matching `dataset`: each column's question text, type, codes and labels."""
    questionnaire = _current(store, questionnaire_id)
    content = codebook_csv(columns(questionnaire, include_free_text), language)
    return Deliverable(f"{questionnaire_id}-codebook.csv", "text/csv; charset=utf-8", content)


def summary(store: Store, questionnaire_id: str, language: str = "fr") -> tuple[Questionnaire, Summary]:
    """The aggregated results that both the staff page and the PDF show."""
    questionnaire = _current(store, questionnaire_id)
    return questionnaire, summarise(questionnaire, store.responses(questionnaire_id), language)


def report(store: Store, questionnaire_id: str, language: str = "fr") -> Deliverable:
    """The PDF summary."""
    from survey.report.pdf import (  # WeasyPrint loads only when a PDF is asked for
        render_pdf,
        render_report_html,
    )

    questionnaire, result = summary(store, questionnaire_id, language)
    content = render_pdf(render_report_html(questionnaire, result, language))
    return Deliverable(f"{questionnaire_id}-synthese.pdf", "application/pdf", content)
