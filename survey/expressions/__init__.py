"""The questionnaire expression language: relevance, constraints, calculations, choice filters.  PURE.

Text is parsed once to an immutable tree (`parse`), printed back canonically (`to_text`), checked against the
questionnaire's names (`check`, `dependency_cycles`), evaluated on the server (`evaluate`) and, through `to_json`,
by the same rules in the browser (`survey/static/expressions.js`). No `eval`; the only error is ExpressionError.
"""

from survey.expressions.evaluate import FUNCTIONS, evaluate
from survey.expressions.syntax import (
    Binary,
    Boolean,
    Call,
    ChoiceField,
    Current,
    Expr,
    ExpressionError,
    Name,
    Null,
    Number,
    Text,
    Unary,
    names,
    parse,
    to_json,
    to_text,
)
from survey.expressions.typecheck import check, dependency_cycles
from survey.expressions.values import Value, format_number, truthy

__all__ = [
    "FUNCTIONS", "Binary", "Boolean", "Call", "ChoiceField", "Current", "Expr", "ExpressionError", "Name", "Null",
    "Number", "Text", "Unary", "Value", "check", "dependency_cycles", "evaluate", "format_number", "names", "parse",
    "to_json", "to_text", "truthy",
]
