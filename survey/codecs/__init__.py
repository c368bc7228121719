"""Question types as codecs: one object per type owns how its stored answers become coded columns.  PURE.

`codec(question)` is the one place that looks at `question.type` to pick behaviour. The output side (the coded
table, the exports, the codebook, the summaries) and the input side (reading posted fields, checking an
answer's form and bounds, refilling a page, what expressions see, synthetic answers, what form.js is told)
ask the codec. The stored-answer format is written down in `survey.codecs.base`.
"""

from __future__ import annotations

from survey.codecs.base import SPECIAL_CODES, Codec, Context, ValueLabel, Variable
from survey.codecs.choice import OTHER, Consent, Matrix, MultipleChoice, Ranking, Scale, SingleChoice, YesNo
from survey.codecs.parsing import Form, Unreadable, special, special_kind
from survey.codecs.scalar import (
    Calculated,
    Date,
    Decimal,
    Email,
    Integer,
    LongText,
    Nothing,
    Phone,
    Repeat,
    Text,
    Time,
)
from survey.schema.model import Question
from survey.schema.types import QUESTION_TYPES

_ALL: list[Codec] = [SingleChoice(), MultipleChoice(), Ranking(), Scale(), Matrix(), YesNo(), Consent(), Integer(),
                     Decimal(), Date(), Time(), Text(), LongText(), Email(), Phone(), Calculated(), Repeat(), Nothing()]
CODECS: dict[str, Codec] = {name: c for c in _ALL for name in c.types}
CODECS["nps"] = Scale(summary="nps")

_missing = set(QUESTION_TYPES) - set(CODECS)
assert not _missing, f"question types without a codec: {_missing}"  # noqa: S101 - a programming error at import


def codec(question: Question) -> Codec:
    """The codec of a question's type."""
    return CODECS[question.type]


__all__ = ["CODECS", "OTHER", "SPECIAL_CODES", "Codec", "Context", "Form", "Unreadable", "ValueLabel", "Variable",
           "codec", "special", "special_kind"]
