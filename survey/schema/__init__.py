"""The questionnaire and interview grid models, question types and loaders.  PURE."""

from survey.schema.interview import InterviewGrid
from survey.schema.loader import (
    load_document,
    load_questionnaire,
    parse_document,
    parse_questionnaire,
    questionnaire_from_data,
    to_yaml,
)
from survey.schema.model import Choice, Mission, Page, Question, Questionnaire
from survey.schema.types import QUESTION_TYPES, QuestionType

__all__ = [
    "QUESTION_TYPES",
    "Choice",
    "InterviewGrid",
    "Mission",
    "Page",
    "Question",
    "QuestionType",
    "Questionnaire",
    "load_document",
    "load_questionnaire",
    "parse_document",
    "parse_questionnaire",
    "questionnaire_from_data",
    "to_yaml",
]
