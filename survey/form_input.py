"""What a browser posts (text fields) → typed answers, and back.  PURE.

Each question type's codec reads its own fields (`survey.codecs`); the field names and the way French numbers,
dates and times are read are described in `survey.codecs.parsing`, which this module re-exports.
"""

from __future__ import annotations

from typing import Any

from survey.codecs import codec
from survey.codecs.parsing import EMAIL, PHONE, Form, Unreadable, date, number, time_of_day
from survey.schema.model import Question


def read_answer(question: Question, form: Form) -> Any:
    """The typed answer a question's fields hold; None when empty. Raises `Unreadable` (keeping the text)."""
    return codec(question).read(question, form)


def form_values(question: Question, answer: Any) -> dict[str, list[str]]:
    """A typed answer back to the fields that show it (to refill a page)."""
    return codec(question).refill(question, answer)


def read_instances(question: Question, form: Form) -> tuple[list[dict[str, Any]], tuple[int, str, str] | None]:
    """A repeat group's instances from fields `{repeat}__{i}__{question}`; the first unreadable one as
    (instance number, question, code)."""
    try:
        return read_answer(question, form), None
    except Unreadable as exc:
        return exc.kept, (exc.params["number"], exc.params["question"], exc.params["code"])


__all__ = ["EMAIL", "PHONE", "Form", "Unreadable", "date", "form_values", "number", "read_answer", "read_instances",
           "time_of_day"]
