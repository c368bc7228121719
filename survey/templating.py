"""The one Jinja2 environment for pages and the PDF: autoescaped, templates from `templates/`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from survey.aggregate.model import format_number
from survey.codecs import codec
from survey.codecs.parsing import OTHER_MAX_LENGTH
from survey.retention import notice
from survey.schema import Question

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


@lru_cache(maxsize=4)
def environment(templates_dir: str = str(TEMPLATES_DIR)) -> Environment:
    """Autoescaping on for every template, whatever its extension (SVG partials included)."""
    env = Environment(
        loader=FileSystemLoader(templates_dir),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates change with a deploy, not while serving: no stat() per include
    )
    # The `maxlength` of text fields: the limits the server enforces (a question's own, or its type's default).
    env.globals["length_limit"] = _length_limit
    env.globals["other_max_length"] = OTHER_MAX_LENGTH
    # The privacy notice's own sentences: the real retention period and the contact (survey/retention.py).
    env.globals["retention_notice"] = notice
    env.filters["number"] = format_number  # `{{ x|number(lang) }}`: 16,3 in French, 16.3 in English
    return env


def _length_limit(question: Question) -> int | None:
    """The most characters a question's text field takes; None for answers that are not typed text."""
    return codec(question).length_limit(question)
