"""Disclosure roles as written in a questionnaire file: who a column could identify, and how to blur it.  PURE.

A question's `disclosure:` is one role — `identifier`, `quasi_identifier`, `sensitive`, `free_text` or `none` —
and a quasi-identifier may list its generalisation levels, coarsest last (the level above the last one,
"suppressed", is always there):

    disclosure: none
    disclosure: {quasi_identifier: [commune, intercommunalite]}        # choice attributes (CSV columns)
    disclosure: {quasi_identifier: [{group: {jeunes: [moins_18, "18_29"], …}}]}
    disclosure: {quasi_identifier: [{bands: 10}, {bands: 30, top: 60}]}  # numbers: widths or cut points
    disclosure: {quasi_identifier: [month, quarter]}                   # dates (`year`); times: `hour`

The questionnaire's top-level `disclosure:` block gives the roles of the columns the platform adds
(`submitted_date`, `version`, `channel`) and named export profiles (`k`, `suppression` in %, `l`). `channel` (web,
paper or telephone: how the response was collected) is `none` unless the block says otherwise — not identifying by
itself, but a questionnaire with few paper responses may make it a quasi-identifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator, WithJsonSchema

ROLES = ("identifier", "quasi_identifier", "sensitive", "free_text", "none")
DATE_LEVELS = ("month", "quarter", "year")
TIME_LEVELS = ("hour",)
ADDED_COLUMNS = ("submitted_date", "version", "channel")  # columns every export adds; the top-level block's roles


@dataclass(frozen=True)
class Bands:
    """A level of a number: bands of one width (`bands: 10`) or between cut points (`bands: [18, 30, 60]`);
    values below `bottom` or from `top` on are coded together."""

    bands: float | tuple[float, ...]
    bottom: float | None = None
    top: float | None = None


@dataclass(frozen=True)
class Groups:
    """A level of a choice: each group's code and the codes of the level below it gathers (pairs, hashable)."""

    group: tuple[tuple[str, tuple[str, ...]], ...]

    def parents(self) -> dict[str, str]:
        """Each code of the level below → its group."""
        return {child: parent for parent, children in self.group for child in children}


Level = str | Bands | Groups  # a str: a choice attribute (CSV column), or a date/time level name


@dataclass(frozen=True)
class Role:
    """A column's disclosure role; a quasi-identifier's levels of generalisation, finest first."""

    role: str
    levels: tuple[Level, ...] = ()
    also: tuple[str, ...] = ()  # other roles given beside it in the file: an error `survey validate` reports


ADDED_DEFAULTS = {"channel": Role("none")}  # an added column's role when the block gives none


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a number")
    return value


def _level(value: Any) -> Level:
    """One generalisation level, from its YAML form."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict) and "bands" in value:
        unknown = set(value) - {"bands", "bottom", "top"}
        if unknown:
            raise ValueError(f"a `bands` level takes `bands`, `bottom` and `top`, not `{sorted(unknown)[0]}`")
        bands = value["bands"]
        width = (tuple(_number(cut, "each cut point") for cut in bands) if isinstance(bands, list)
                 else _number(bands, "`bands`"))
        bottom, top = value.get("bottom"), value.get("top")
        return Bands(width, None if bottom is None else _number(bottom, "`bottom`"),
                     None if top is None else _number(top, "`top`"))
    if isinstance(value, dict) and set(value) == {"group"} and isinstance(value["group"], dict):
        groups = []
        for parent, children in value["group"].items():
            if not isinstance(children, list) or not children:
                raise ValueError(f"group `{parent}` must list the codes it gathers, e.g. `{parent}: [a, b]`")
            groups.append((str(parent), tuple(str(child) for child in children)))
        # In code order: a definition stored as PostgreSQL JSONB comes back with its keys reordered, and a version
        # read back must equal the file it was loaded from.
        return Groups(tuple(sorted(groups)))
    raise ValueError("each level is a choice attribute (a CSV column), `month`/`quarter`/`year`/`hour`, "
                     "`{bands: 10}` or `{group: {parent: [codes]}}`")


def parse_role(value: Any) -> Role:
    """A `disclosure:` value: a role name, or `{quasi_identifier: [levels]}`."""
    if isinstance(value, Role):
        return value
    if isinstance(value, str) and value in ROLES:
        return Role(value)
    if isinstance(value, dict) and value:
        named = sorted(key for key in value if key in ROLES)  # sorted: JSONB keeps no key order (see above)
        unknown = [str(key) for key in value if key not in ROLES]
        if unknown or not named:
            raise ValueError(f"unknown role `{(unknown or list(value))[0]}` — use one of: {', '.join(ROLES)}")
        role = "quasi_identifier" if "quasi_identifier" in named else named[0]
        levels = value.get("quasi_identifier") or []
        if not isinstance(levels, list):
            raise ValueError("`quasi_identifier:` lists its levels, finest first, e.g. `[commune]`")
        return Role(role, tuple(_level(level) for level in levels), tuple(k for k in named if k != role))
    raise ValueError(f"use one of: {', '.join(ROLES)}, or `{{quasi_identifier: [levels]}}`")


def _level_yaml(level: Level) -> Any:
    if isinstance(level, Bands):
        out: dict[str, Any] = {"bands": list(level.bands) if isinstance(level.bands, tuple) else level.bands}
        return out | {k: getattr(level, k) for k in ("bottom", "top") if getattr(level, k) is not None}
    if isinstance(level, Groups):
        return {"group": {parent: list(children) for parent, children in level.group}}
    return level


def role_yaml(role: Role) -> Any:
    """A role back in the form the file writes it (a round trip through `parse_role` gives it back)."""
    if not role.levels and not role.also:
        return role.role
    return {role.role: [_level_yaml(level) for level in role.levels], **{other: [] for other in role.also}}


_LEVEL_SCHEMA = {"anyOf": [
    {"type": "string", "description": "a choice attribute (CSV column or `data` key), or month, quarter, year, hour"},
    {"type": "object", "required": ["bands"], "additionalProperties": False, "properties": {
        "bands": {"anyOf": [{"type": "number", "exclusiveMinimum": 0}, {"type": "array", "items": {"type": "number"}}]},
        "bottom": {"type": "number"}, "top": {"type": "number"}}},
    {"type": "object", "required": ["group"], "additionalProperties": False, "properties": {
        "group": {"type": "object",
                  "additionalProperties": {"type": "array", "items": {"type": ["string", "number"]}}}}},
]}
ROLE_SCHEMA = {
    "description": "Disclosure role: identifier, quasi_identifier (with its generalisation levels), sensitive, "
                   "free_text or none",
    "anyOf": [{"enum": list(ROLES)},
              {"type": "object", "required": ["quasi_identifier"], "additionalProperties": False,
               "properties": {"quasi_identifier": {"type": "array", "items": _LEVEL_SCHEMA}}}],
}

Disclosure = Annotated[Role, PlainValidator(parse_role), PlainSerializer(role_yaml), WithJsonSchema(ROLE_SCHEMA)]


class ProfileSpec(BaseModel):
    """A named export profile: k-anonymity, the share of records that may be suppressed (%), ℓ-diversity."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    k: int = Field(default=5, description="Every combination of quasi-identifiers is shared by at least k records")
    suppression: float = Field(default=5, description="At most this percentage of records may be suppressed")
    l: int = Field(default=2, description="Distinct values of each sensitive column in every class (ℓ-diversity)")  # noqa: E741


class DisclosureBlock(BaseModel):
    """The top-level `disclosure:` block: roles of the columns exports add, and named export profiles."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    submitted_date: Disclosure | None = Field(default=None, description="Role of the day of submission")
    version: Disclosure | None = Field(default=None, description="Role of the questionnaire version answered")
    channel: Disclosure | None = Field(default=None, description="Role of how the response was collected (web, "
                                       "paper, telephone); `none` when not given")
    profiles: dict[Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")], ProfileSpec] = Field(
        default_factory=dict, description="Named export profiles; `default` replaces k = 5, 5 %, ℓ = 2")

    def added(self) -> dict[str, Role | None]:
        """The role of each column exports add: the declared one, else its default (None: neither)."""
        return {name: getattr(self, name) or ADDED_DEFAULTS.get(name) for name in ADDED_COLUMNS}
