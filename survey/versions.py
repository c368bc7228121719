"""What may change between questionnaire versions once responses exist.  PURE.

A code keeps its meaning and a question name keeps its type for as long as answers use them, so that
exports across versions stay one dataset: the same column, the same code, the same thing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from survey.schema.localise import text_in
from survey.schema.model import Question, Questionnaire

# Changes of type that store and export an answer exactly the same way.
_SAME_ANSWER = ({"single_choice", "dropdown"}, {"short_text", "long_text"})


@dataclass(frozen=True)
class MeaningChange:
    """A code (or matrix item, or scale point) that now means something else, or a name that changed type."""

    question: str
    what: str  # "code", "item", "point" or "type"
    code: str  # the code, item name or point number; the old type for "type"
    old: str  # the old label (or type)
    new: str  # the new label (or type)

    def message(self, version: str, responses: int, shown: bool = False) -> str:
        """What changed, where, and how to fix it; `shown`: the version was shown to respondents."""
        answered = f"version {version} ({responses} response(s){', already shown to respondents' if shown else ''})"
        if self.what == "type":
            return (f"question '{self.question}' was a `{self.old}` question in {answered} and is now a "
                    f"`{self.new}` — keep the old name for the old question, give the new one a new name")
        if self.what == "item":
            return (f"question '{self.question}': matrix item `{self.code}` meant “{self.old}” in {answered} and "
                    f"now means “{self.new}” — give the new meaning a new item name, or keep the old wording")
        if self.what == "point":
            return (f"question '{self.question}': scale point {self.code} meant “{self.old}” in {answered} and "
                    f"now means “{self.new}” — keep the scale's labels in place, or give the new scale to a "
                    "new question (a new name)")
        return (f"question '{self.question}': code `{self.code}` meant “{self.old}” in {answered} and now means "
                f"“{self.new}” — give the new meaning a new code (and keep `{self.code}` for “{self.old}” or "
                "drop it)")


def same_meaning(a: str, b: str) -> bool:
    """Whether two labels say the same thing: case, surrounding spaces and punctuation aside."""
    return _plain(a) == _plain(b)


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join(" " if unicodedata.category(ch).startswith("P") else ch for ch in text)
    return re.sub(r"\s+", " ", text).strip()


def _meanings(question: Question, language: str) -> dict[tuple[str, str], str]:
    """(kind, code) → label in the default language, for every code an answer may hold."""
    kind = "point" if question.type == "likert" or (question.type == "matrix" and not question.choices) else "code"
    found = {(kind, c.code): str(text_in(c.label, language, language)) for c in question.options()}
    found |= {("item", item.name): str(text_in(item.label, language, language)) for item in question.items}
    return found


def meaning_changes(answered: Questionnaire, new: Questionnaire) -> list[MeaningChange]:
    """Every question of `new` that kept a name of `answered` but changed its type or the meaning of a code."""
    old_questions = {q.name: q for q in answered.all_questions()}
    changes = []
    for question in new.all_questions():
        old = old_questions.get(question.name)
        if old is None:
            continue
        if old.type != question.type and {old.type, question.type} not in _SAME_ANSWER:
            changes.append(MeaningChange(question.name, "type", old.type, old.type, question.type))
            continue
        before, after = _meanings(old, answered.language), _meanings(question, new.language)
        for key, label in after.items():
            if key in before and not same_meaning(before[key], label):
                changes.append(MeaningChange(question.name, key[0], key[1], before[key], label))
    return changes
