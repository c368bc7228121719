"""A JSON Schema of the questionnaire format, so editors check and autocomplete the YAML.  PURE.

It is derived from the pydantic model, then told what the loader also knows: which
fields each question type takes, and that YAML may write a code or a version as a number.
"""

from __future__ import annotations

import copy
from typing import Any

from survey.schema.interview import InterviewGrid
from survey.schema.model import Questionnaire
from survey.schema.types import COMMON_FIELDS, QUESTION_TYPES, QuestionType, Shape

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


_OPTIONAL_FIELDS = sorted(frozenset().union(*(t.options for t in QUESTION_TYPES.values())) - COMMON_FIELDS)
_SCALE = {"minItems": 2, "maxItems": 11}


def _bound(qtype: QuestionType) -> dict[str, Any]:
    if qtype.shape is Shape.DATE:
        return _DATE
    if qtype.shape in (Shape.CODES, Shape.INTEGER, Shape.REPEAT):
        return {"type": "integer"}
    return _NUMBER


def _type_rules() -> list[dict[str, Any]]:
    """One `if type is X then …` rule per question type, from the types table."""
    rules = []
    for qtype in QUESTION_TYPES.values():
        refused = [field for field in _OPTIONAL_FIELDS if field not in qtype.options]
        if not qtype.needs_choices:
            refused.append("choices_from")
        then: dict[str, Any] = {"properties": {field: False for field in refused}}
        needs: list[dict[str, Any]] = []
        if qtype.name != "calculate":
            then["required"] = ["label"]
        if qtype.needs_choices:
            # `choices_from: file.csv` is replaced by the file's choices when the questionnaire is loaded
            needs.append({"anyOf": [{"required": ["choices"]}, {"required": ["choices_from"]}]})
            then["properties"]["choices"] = {"minItems": 2}
        if qtype.name == "likert":
            then["required"] = ["label", "scale"]
            then["properties"]["scale"] = _SCALE
        if qtype.name == "matrix":
            then["required"] = ["label", "items"]
            then["properties"].update(items={"minItems": 1}, scale=_SCALE, choices={"minItems": 2})
            needs.append({"anyOf": [{"required": ["scale"]}, {"required": ["choices"]}]})
        if qtype.name == "calculate":
            then["required"] = ["calculation"]
        if qtype.name == "repeat":
            then["required"] = ["label", "questions"]
            # no repeat group inside a repeat group
            inner = {"properties": {"type": {"not": {"const": "repeat"}}}}
            then["properties"]["questions"] = {"minItems": 1, "items": inner}
        for field in ("min", "max"):
            if field in qtype.options:
                then["properties"][field] = _bound(qtype)
        if needs:
            then["allOf"] = needs
        when = {"properties": {"type": {"const": qtype.name}}, "required": ["type"]}
        rules.append({"if": when, "then": then})
    return rules


def questionnaire_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a file of the questionnaires folder, with descriptions for editors: a
    questionnaire, or an interview grid when it says `kind: interview`."""
    schema = copy.deepcopy(Questionnaire.model_json_schema(ref_template="#/$defs/{model}"))
    defs = schema.pop("$defs")
    question = defs["Question"]
    type_prop = question["properties"]["type"]
    descriptions = [f"`{t.name}`: {t.description}" for t in QUESTION_TYPES.values()]
    type_prop["description"] += ". " + "; ".join(descriptions)
    type_prop["markdownEnumDescriptions"] = [t.description for t in QUESTION_TYPES.values()]
    type_prop["enumDescriptions"] = [t.description.replace("`", "") for t in QUESTION_TYPES.values()]
    question["properties"]["choices_from"] = {
        "type": "string", "pattern": r"\.csv$",
        "description": "A CSV file beside the questionnaire listing the choices (columns `code`, `label`, "
                       "optional `label::en`, `relevant`, and attributes for `choice_filter`)",
    }
    question["allOf"] = [*_type_rules(), {"not": {"required": ["choices", "choices_from"]}}]
    _text_or_number(defs["Choice"]["properties"]["code"], pattern=r"^[A-Za-z0-9_.-]+$")
    _text_or_number(schema["properties"]["version"])
    for value in defs["Choice"]["properties"]["data"]["patternProperties"].values():
        _text_or_number(value)
    defs["Questionnaire"] = schema
    defs.update(_grid_defs(defs))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Questionnaire or interview grid",
        "description": (
            "A questionnaire for evaluating citizen participation (metadata, a privacy notice and pages of "
            "questions), or an interview grid (`kind: interview`: profile, introduction, themes, codebook). Check a "
            "file with `survey validate FILE.yaml`."
        ),
        "if": {"properties": {"kind": {"const": "interview"}}, "required": ["kind"]},
        "then": {"$ref": "#/$defs/InterviewGrid"},
        "else": {"$ref": "#/$defs/Questionnaire"},
        "$defs": defs,
    }


def _grid_defs(defs: dict[str, Any]) -> dict[str, Any]:
    """The interview grid's definitions; those it shares with questionnaires (Question, Choice, Mission…) are the
    questionnaire's, so a closed question is checked as any question."""
    grid = copy.deepcopy(InterviewGrid.model_json_schema(ref_template="#/$defs/{model}"))
    own = {name: d for name, d in grid.pop("$defs").items() if name not in defs}
    _text_or_number(grid["properties"]["version"])
    code_pattern = r"^[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*$"
    code = own["Code"]["properties"]
    _text_or_number(code["code"], pattern=code_pattern)
    _text_or_number(code["parent"]["anyOf"][0], pattern=code_pattern)
    sites = own["Profile"]["properties"]["sites"]
    own["Profile"]["properties"]["sites"] = {
        "description": sites["description"],
        "anyOf": [{"type": "string", "pattern": r"\.csv$"}, {k: v for k, v in sites.items() if k != "description"}]}
    return {**own, "InterviewGrid": grid}
