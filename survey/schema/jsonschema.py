"""A JSON Schema of the questionnaire format, so editors check and autocomplete the YAML.  PURE.

It is derived from the pydantic model, then told what the loader also knows: which
fields each question type takes, and that YAML may write a code or a version as a number.
"""

from __future__ import annotations

import copy
from typing import Any

from survey.schema.model import Questionnaire
from survey.schema.types import COMMON_FIELDS, QUESTION_TYPES, Shape

SCHEMA_ID = "urn:survey:questionnaire.schema.json"

_DATE = {"type": "string", "format": "date"}
_NUMBER = {"type": "number"}


def _text_or_number(prop: dict[str, Any], pattern: str | None = None) -> dict[str, Any]:
    """YAML reads `code: 1` or `version: 2` as numbers; the loader accepts them as text."""
    text = {k: prop.pop(k) for k in ("type", "minLength", "maxLength") if k in prop}
    if pattern:
        text["pattern"] = pattern
    prop["anyOf"] = [text, {"type": "integer"}, {"type": "number"}]
    return prop


def _type_rules() -> list[dict[str, Any]]:
    """One `if type is X then …` rule per question type, from the types table."""
    rules = []
    shared = {"choices", "scale", "min", "max", "max_length"}
    for qtype in QUESTION_TYPES.values():
        refused = sorted(shared - qtype.options - COMMON_FIELDS)
        then: dict[str, Any] = {"properties": {field: False for field in refused}}
        if qtype.needs_choices:
            then["required"] = ["choices"]
            then["properties"]["choices"] = {"minItems": 2}
        if qtype.name == "likert":
            then["required"] = ["scale"]
            then["properties"]["scale"] = {"minItems": 2, "maxItems": 11}
        if {"min", "max"} <= qtype.options:
            bound = _DATE if qtype.shape is Shape.DATE else _NUMBER
            if qtype.shape in (Shape.CODES, Shape.INTEGER):
                bound = {"type": "integer"}
            then["properties"].update(min=bound, max=bound)
        when = {"properties": {"type": {"const": qtype.name}}, "required": ["type"]}
        rules.append({"if": when, "then": then})
    return rules


def questionnaire_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a questionnaire file, with descriptions for editors."""
    schema = copy.deepcopy(Questionnaire.model_json_schema())
    defs = schema["$defs"]
    question = defs["Question"]
    type_prop = question["properties"]["type"]
    descriptions = [f"`{t.name}`: {t.description}" for t in QUESTION_TYPES.values()]
    type_prop["description"] += ". " + "; ".join(descriptions)
    type_prop["markdownEnumDescriptions"] = [t.description for t in QUESTION_TYPES.values()]
    type_prop["enumDescriptions"] = [t.description.replace("`", "") for t in QUESTION_TYPES.values()]
    question["allOf"] = _type_rules()
    _text_or_number(defs["Choice"]["properties"]["code"], pattern=r"^[A-Za-z0-9_.-]+$")
    _text_or_number(schema["properties"]["version"])
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Questionnaire",
        "description": (
            "A questionnaire for evaluating citizen participation: metadata, a privacy notice and pages of "
            "questions. Check a file with `survey validate FILE.yaml`."
        ),
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }
