"""What may change between questionnaire versions once responses exist.  PURE.

A code keeps its meaning and a question name keeps its type for as long as answers use them, so that
exports across versions stay one dataset: the same column, the same code, the same thing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from survey.codecs import codec
from survey.schema.localise import text_in
from survey.schema.model import Question, Questionnaire

# Changes of type that store and export an answer exactly the same way.
_SAME_ANSWER = ({"single_choice", "dropdown"}, {"short_text", "long_text"})


@dataclass(frozen=True)
class MeaningChange:
    """A code (or matrix item, or scale point) that now means something else, or a name that changed type or place."""

    question: str
    what: str  # "code", "item", "point", "type" or "place"
    code: str  # the code, item name or point number; the old type for "type"; the old place for "place"
    old: str  # the old label (or type, or place)
    new: str  # the new label (or type, or place)
    was: str = ""  # "point" or "code" when a matrix's code was the other of the two before (scale ↔ choices)

    def message(self, version: str, responses: int, shown: bool = False) -> str:
        """What changed, where, and how to fix it; `shown`: the version was shown to respondents."""
        answered = f"version {version} ({responses} response(s){', already shown to respondents' if shown else ''})"
        if self.what == "type":
            return (f"question '{self.question}' was a `{self.old}` question in {answered} and is now a "
                    f"`{self.new}` — keep the old name for the old question, give the new one a new name")
        if self.what == "place":
            return (f"question '{self.question}' was {self.old} in {answered} and is now {self.new}: its answers "
                    "would be stored in another place (inside each item of a repeat group, or once per response) "
                    "— keep the old name for the old question, give the moved one a new name")
        if self.what == "item":
            return (f"question '{self.question}': matrix item `{self.code}` meant “{self.old}” in {answered} and "
                    f"now means “{self.new}” — give the new meaning a new item name, or keep the old wording")
        if self.was == "point":
            return (f"question '{self.question}': scale point {self.code} meant “{self.old}” in {answered} and "
                    f"is now the choice code `{self.code}`, “{self.new}” — give the new choices codes of their own "
                    "(not the scale's 1, 2…), or keep the scale")
        if self.was == "code":
            return (f"question '{self.question}': choice code `{self.code}` meant “{self.old}” in {answered} and "
                    f"is now scale point {self.code}, “{self.new}” — keep the choices, or give the new scale to a "
                    "new question (a new name)")
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


def _meanings(question: Question, language: str) -> dict[tuple[str, str], tuple[str, str]]:
    """(option or item, code) → (point or code or item, label in the default language), for every stored code.

    Scale points and choice codes are keyed alike: a matrix switched from `scale` to `choices` stores both as
    the same texts ('1', '2'…), so they must be compared by what they mean.
    """
    kind = "point" if codec(question).points(question) else "code"
    found = {("option", c.code): (kind, str(text_in(c.label, language, language))) for c in question.options()}
    found |= {("item", item.name): ("item", str(text_in(item.label, language, language))) for item in question.items}
    return found


def _places(questionnaire: Questionnaire) -> dict[str, tuple[Question, str | None]]:
    """Every question by name, with the repeat group it is inside (None at the top level)."""
    found: dict[str, tuple[Question, str | None]] = {}
    for question in questionnaire.questions():
        found[question.name] = (question, None)
        found |= {inner.name: (inner, question.name) for inner in question.questions}
    return found


def _place(group: str | None) -> str:
    return f"inside the repeat group `{group}`" if group else "a question of its own (not in a repeat group)"


def meaning_changes(answered: Questionnaire, new: Questionnaire) -> list[MeaningChange]:
    """Every question of `new` that kept a name of `answered` but changed its type, its place or a code's meaning."""
    old_places = _places(answered)
    changes = []
    for name, (question, group) in _places(new).items():
        if name not in old_places:
            continue
        old, old_group = old_places[name]
        if old.type != question.type and {old.type, question.type} not in _SAME_ANSWER:
            changes.append(MeaningChange(name, "type", old.type, old.type, question.type))
            continue
        if old_group != group:
            changes.append(MeaningChange(name, "place", str(old_group or ""), _place(old_group), _place(group)))
            continue
        before, after = _meanings(old, answered.language), _meanings(question, new.language)
        for key, (kind, label) in after.items():
            if key not in before or same_meaning(before[key][1], label):
                continue
            was = before[key][0] if before[key][0] != kind else ""
            changes.append(MeaningChange(name, kind, key[1], before[key][1], label, was))
    return changes
