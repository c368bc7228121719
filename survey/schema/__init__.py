"""The questionnaire model, its question types and its loaders.  PURE."""

from survey.schema.loader import load_questionnaire, parse_questionnaire, questionnaire_from_data, to_yaml
from survey.schema.model import Choice, Mission, Page, Question, Questionnaire
from survey.schema.types import QUESTION_TYPES, QuestionType

__all__ = [
    "QUESTION_TYPES",
    "Choice",
    "Mission",
    "Page",
    "Question",
    "QuestionType",
    "Questionnaire",
    "load_questionnaire",
    "parse_questionnaire",
    "questionnaire_from_data",
    "to_yaml",
]
