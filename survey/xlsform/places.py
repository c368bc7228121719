"""Where a part of an imported questionnaire came from in its workbook (the sheet, the row and the column), and
whether the file an import writes fits the limits of questionnaire files.

Our questionnaire checks locate a problem by its path in the document (`("pages", 0, "questions", 3,
"relevant")`); an import turns that path back into the cell the evaluator has to correct.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from survey.schema.loader import to_yaml
from survey.schema.model import Questionnaire
from survey.schema.yaml_limits import MAX_FILE_BYTES, MAX_NODES, yaml_size_estimate
from survey.xlsform.mapping import CHOICE_RELEVANT
from survey.xlsform.reader import Located, Row, WorkbookInvalid

# Our field → the XLSForm column it is read from, where only one column gives it (`min`, `max`… may come from a
# constraint, `parameters` or `survey_extra`: no column is named for them).
QUESTION_COLUMNS = {"name": "name", "type": "type", "label": "label", "help": "hint", "relevant": "relevant",
                    "required": "required", "required_if": "required", "constraint": "constraint",
                    "constraint_message": "constraint_message", "calculation": "calculation",
                    "choice_filter": "choice_filter", "repeat_count": "repeat_count", "choices": "type"}
CHOICE_COLUMNS = {"code": "name", "label": "label", "relevant": CHOICE_RELEVANT}
TOO_MANY_VALUES = (f"the questionnaire passes {MAX_NODES:,} values here, the most a questionnaire file may hold "
                   "(`survey validate` and `survey load` would refuse the file)",
                   "split the form into several questionnaires, or move long choice lists to `choices_from` CSV files")
SETTINGS_COLUMNS = {"id": "form_id", "version": "version", "title": "form_title", "language": "default_language",
                    "introduction": "introduction", "privacy_notice": "privacy_notice"}


def place(doc: Any, path: tuple[str | int, ...], rows_of: Mapping[int, Row], origin: Mapping[str, Row],
          settings: Row | None) -> tuple[Row | None, str]:
    """The row the innermost part of `path` that came from one row was read from, and the column of the field
    `path` names there ("" when no single column gives it).

    `rows_of` maps the `id()` of the document's page, choice and matrix-item dicts to their rows; a question is
    found by its name in `origin`; what lies outside every page comes from the settings row.
    """
    node, row, rest = doc, settings, path
    for depth, step in enumerate(path):
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if not isinstance(node, dict):
            continue
        found = rows_of.get(id(node))
        if found is None and depth and path[depth - 1] == "questions":
            found = origin.get(str(node.get("name")))
        if found is not None:
            row, rest = found, path[depth + 1:]
    field = next((step for step in rest if isinstance(step, str)), "")
    columns = {"survey": QUESTION_COLUMNS, "choices": CHOICE_COLUMNS}.get(row.sheet if row else "", SETTINGS_COLUMNS)
    return row, columns.get(field, "")



def check_file_size(book: str, questionnaire: Questionnaire, data: Any) -> None:
    """Refuse a questionnaire whose file would pass the byte limit of questionnaire files (`data`: what is written).

    Written only when it might: the estimate is above the truth for questionnaires, and rarely below by half.
    """
    if yaml_size_estimate(data) <= MAX_FILE_BYTES // 2:
        return
    size = len(to_yaml(questionnaire).encode()) + 100  # and the line `survey import-xlsform` puts first
    if size > MAX_FILE_BYTES:
        raise WorkbookInvalid([Located(book, "survey", 0, "", f"the questionnaire would be written in about {size:,} "
                                       f"bytes, more than the {MAX_FILE_BYTES:,} a questionnaire file may hold",
                                       "split the form into several questionnaires, or shorten its longest texts")])
