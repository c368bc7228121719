"""The coded table's columns across every version of a questionnaire.  PURE.

Columns align by name: the current version's columns in its order, then those only older versions had (after
their question's other columns, else at the end). A column keeps the codes every version gave it, and may hold
`not_asked` (-7) when some version did not have its question.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from survey.codecs import Context, Variable, codec
from survey.expressions import names, parse
from survey.messages import LANGUAGES, translate
from survey.schema.disclosure import DisclosureBlock
from survey.schema.model import Question, Questionnaire
from survey.schema.types import NOT_ASKED


@dataclass(frozen=True)
class Layout:
    """The columns of the main table and of each repeat group's table, and the questions they come from."""

    languages: tuple[str, ...]
    variables: tuple[Variable, ...]
    repeats: dict[str, tuple[Variable, ...]] = field(default_factory=dict)
    questions: dict[str, Question] = field(default_factory=dict)  # name → its newest definition
    disclosure: DisclosureBlock | None = None  # the current version's roles of added columns, and its profiles

    def of(self, table: str) -> tuple[Variable, ...]:
        """The variables of the main table (`""`) or of a repeat group's table."""
        return self.variables if table == "" else self.repeats[table]

    def statuses(self, table: str = "") -> list[str]:
        """The status columns of a table: one per question that has columns."""
        return list(dict.fromkeys(status_name(v.question) for v in self.of(table)))


def status_name(question: str) -> str:
    """The hidden column telling which special answer a question got (its code, or null for an ordinary answer).

    Exports carry special codes in the columns themselves; summaries read this column instead, so that a number
    answer of -8 is never taken for “don't know”. Exports leave it out.
    """
    return f"~{question}"


def identifying_names(questionnaire: Questionnaire) -> frozenset[str]:
    """Questions that may identify a person: free text, e-mail, phone, and calculations that read them."""
    found = {q.name for q in questionnaire.all_questions() for v in _plain_variables(q) if v.identifying}
    calculations = {q.name: names(parse(q.calculation)) for q in questionnaire.all_questions() if q.calculation}
    grew = True
    while grew:  # a calculation reading a calculation that reads free text is free text too
        grew = False
        for name, read in calculations.items():
            if name not in found and read & found:
                found.add(name)
                grew = True
    return frozenset(found)


def _plain_variables(question: Question) -> list[Variable]:
    context = Context(("fr",), False, False, _interface_texts(("fr",)))
    return codec(question).variables(question, context)


def _interface_texts(languages: tuple[str, ...]) -> dict[str, dict[str, str]]:
    return {key: {lang: translate(message, lang) for lang in languages}
            for key, message in (("other", "other_option"), ("yes", "yes"), ("no", "no"))}


def _conditional(questionnaire: Questionnaire) -> dict[str, bool]:
    """For every question, whether it may be not asked: it, its page or its repeat group has a `relevant`."""
    found: dict[str, bool] = {}

    def walk(questions: list[Question], hidden: bool) -> None:
        for q in questions:
            found[q.name] = hidden or q.relevant is not None
            walk(q.questions, found[q.name])

    for page in questionnaire.pages:
        walk(page.questions, page.relevant is not None)
    return found


def _version_variables(questionnaire: Questionnaire, languages: tuple[str, ...]
                       ) -> tuple[list[Variable], dict[str, list[Variable]]]:
    """One version's main-table variables and each repeat group's."""
    identifying, conditional = identifying_names(questionnaire), _conditional(questionnaire)
    texts = _interface_texts(languages)

    def of(q: Question) -> list[Variable]:
        context = Context(languages, conditional[q.name], q.name in identifying, texts)
        return codec(q).variables(q, context)

    main = [v for q in questionnaire.questions() for v in of(q)]
    repeats = {q.name: [v for sub in q.questions for v in of(sub)]
               for q in questionnaire.questions() if q.questions}
    return main, repeats


def _merge(current: list[Variable], older: Iterable[list[Variable]], sometimes_missing: set[str]) -> list[Variable]:
    """Current variables in order, then any only an older version had; codes and special codes are united."""
    merged = list(current)
    position = {v.name: i for i, v in enumerate(merged)}
    for variables in older:
        for var in variables:
            if var.name in position:
                kept = merged[position[var.name]]
                known = {value.code for value in kept.values}
                extra = tuple(value for value in var.values if value.code not in known)
                specials = tuple(dict.fromkeys((*kept.specials, *var.specials)))
                merged[position[var.name]] = dataclasses.replace(kept, values=kept.values + extra, specials=specials)
                continue
            siblings = [i for i, v in enumerate(merged) if v.question == var.question]
            merged.insert(siblings[-1] + 1 if siblings else len(merged), var)
            position = {v.name: i for i, v in enumerate(merged)}
    return [dataclasses.replace(v, specials=(*v.specials, NOT_ASKED))
            if v.question in sometimes_missing and NOT_ASKED not in v.specials else v for v in merged]


def build_layout(current: Questionnaire, versions: Mapping[str, Questionnaire] | None = None) -> Layout:
    """The coded table's columns for `current` and every older version in `versions` (label → questionnaire)."""
    every = {current.version: current, **{k: v for k, v in (versions or {}).items() if k != current.version}}
    # The questionnaire's languages, then the interface's: a summary in English of a French-only questionnaire
    # still says Yes/No (its own texts fall back to the default language).
    languages = tuple(dict.fromkeys((*current.all_languages, *LANGUAGES)))
    built = {label: _version_variables(q, languages) for label, q in every.items()}
    names_in = [{q.name for q in v.all_questions()} for v in every.values()]
    sometimes_missing = set.union(*names_in) - set.intersection(*names_in)
    older = [b for label, b in built.items() if label != current.version]
    main = _merge(built[current.version][0], [b[0] for b in older], sometimes_missing)
    groups = list(dict.fromkeys(name for b in built.values() for name in b[1]))
    repeats = {name: tuple(_merge(built[current.version][1].get(name, []), [b[1].get(name, []) for b in older],
                                  sometimes_missing)) for name in groups}
    questions: dict[str, Question] = {}
    for version in reversed(list(every.values())):  # oldest last: the newest definition wins
        for q in version.all_questions():
            questions.setdefault(q.name, q)
    for q in current.all_questions():
        questions[q.name] = q
    return Layout(languages, tuple(main), repeats, questions, current.disclosure)
