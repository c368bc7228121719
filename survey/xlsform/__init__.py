"""XLSForm in and out: `.xlsx`/`.xls` workbooks ⇄ our questionnaires.

The pipeline reads as stages: `reader` (workbook → located rows) → `importer` (rows → questionnaire + report of
what was not carried over); `exporter` (questionnaire → workbook). `expressions` translates logic both ways and
`mapping` holds what the two directions agree on.
"""

from survey.xlsform.exporter import write_xlsform, xlsform_rows
from survey.xlsform.importer import ConversionReport, convert, import_xlsform
from survey.xlsform.reader import Located, WorkbookInvalid, read_workbook

__all__ = ["ConversionReport", "Located", "WorkbookInvalid", "convert", "import_xlsform", "read_workbook",
           "write_xlsform", "xlsform_rows"]
