"""Located, actionable problems: where it is, what is wrong, how to fix it.  PURE."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class ErrorCode(Enum):
    """Message templates for questionnaire-file problems; each says what is wrong and how to fix it."""

    YAML_SYNTAX = ("the file is not valid YAML: {detail}", "check indentation and quoting near this line")
    NOT_A_MAPPING = ("the file must describe one questionnaire as a mapping", "start with `id:`, `title:`, `pages:`")
    MISSING_FIELD = ("`{field}` is missing", "add `{field}:` here")
    UNKNOWN_FIELD = ("unknown field `{field}`", "remove it or fix its spelling{suggestion}")
    WRONG_VALUE = ("`{field}`: {detail}", "{fix}")
    UNKNOWN_TYPE = ("unknown question type `{value}`", "use one of: {allowed}{suggestion}")
    BAD_NAME = (
        "name `{value}` cannot be an export column",
        "use lower-case letters, digits and single underscores, starting with a letter (e.g. `satisfaction_globale`)",
    )
    DUPLICATE_NAME = ("name `{value}` is already used {other_line}", "give each question a unique `name`")
    DUPLICATE_PAGE = ("page id `{value}` is already used {other_line}", "give each page a unique `id`")
    DUPLICATE_CODE = ("choice code `{value}` appears twice", "give each choice a unique `code`")
    NO_CHOICES = (
        "a question of type `{type}` needs `choices`",
        "add `choices:` with at least two `code`/`label` entries",
    )
    CHOICES_NOT_ALLOWED = ("a question of type `{type}` takes no `choices`", "remove `choices:` or change `type:`")
    BAD_RANGE = ("`min` ({min}) is greater than `max` ({max})", "swap them or correct one of them")
    OPTION_NOT_ALLOWED = ("`{field}` does not apply to a question of type `{type}`", "remove `{field}:`")
    EMPTY_PAGES = ("the questionnaire has no page", "add at least one page with `questions:`")
    EMPTY_PAGE = ("page `{value}` has no question", "add questions to it or remove the page")
    BAD_SCALE = ("the scale needs 2 to 11 points", "give `scale:` between 2 and 11 labels")
    NO_LABEL = ("a question of type `{type}` needs a `label`", "add `label:` with the question as people will read it")
    NO_ITEMS = ("a matrix needs `items` and a `scale` (or `choices`)", "add `items:` (rows) and `scale:` (columns)")
    NO_QUESTIONS = ("a repeat group needs `questions`", "add `questions:` listing what is asked each time")
    NESTED_REPEAT = ("a repeat group inside a repeat group is not supported", "move it to the page level")
    NO_CALCULATION = ("a `calculate` question needs a `calculation`", "add `calculation:` with an expression")
    RESERVED_CODE = ("choice code `{value}` is reserved for {what}", "use another code")
    BAD_LANGUAGE = ("{detail}", "{fix}")
    BAD_EXPRESSION = ("expression in `{field}`: {detail}", "{fix}")
    CYCLE = (
        "calculations depend on each other in a circle: {cycle}",
        "break the circle: one of them must not use the others",
    )
    CHOICES_FILE = ("`choices_from`: {detail}", "{fix}")
    FILE_LIMIT = ("over a limit for questionnaire files: {detail}", "{fix}")
    BAD_DISCLOSURE = ("`disclosure`: {detail}", "{fix}")
    MISSION_LIST = ("`mission: lists`: {detail}", "{fix}")
    GRID_DUPLICATE = ("{what} `{value}` is already used {other_line}", "give each {what} a unique `{field}`")
    CODE_PARENT = ("code `{value}`: {detail}", "{fix}")
    NO_CONSENT = (
        "the introduction has no consent question",
        "add `consent:` under `introduction:`, e.g. « Acceptez-vous que l'entretien soit enregistré ? »",
    )
    BAD_DURATION = ("`duration`: {detail}", "give the suggested minutes as a whole number from 1 to 240, e.g. `15`")
    BAD_QUOTA = ("`quotas`: {detail}", "{fix}")

    def format(self, **params: object) -> tuple[str, str]:
        """Return (what is wrong, how to fix it) with the parameters filled in."""
        what, fix = self.value
        params.setdefault("suggestion", "")
        return what.format(**params), fix.format(**params)


@dataclass(frozen=True, order=True)
class Problem:
    """One problem in a questionnaire file, located to a line and, when known, a question."""

    file: str
    line: int
    question: str | None
    message: str
    fix: str
    code: str = ""
    # Where in the document it was found (`("pages", 0, "questions", 2, "relevant")`): a file is located by line,
    # an imported workbook by the sheet and row the document part came from.
    path: tuple[str | int, ...] = field(default=(), compare=False)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:"
        about = f" question '{self.question}':" if self.question else ""
        return f"{where}{about} {self.message} — {self.fix}"


class QuestionnaireInvalid(Exception):
    """A questionnaire file has problems; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class AnswerError(Exception):
    """Submitted answers could not be accepted."""
