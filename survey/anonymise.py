"""The coded table → an anonymised table: export disclosure control before any file is written.  PURE.

`anonymise_table` takes the coded table (`survey.coded`) and drops what could trace a row back: the stored
response id (replaced by an `export_id` drawn afresh for every export), the time of day (the submission is kept
to the day), identifiers, free text unless asked for (then scrubbed), and the row order (rows are shuffled). On
the way it runs disclosure control (`survey.disclosure`): every column must have a declared role; the
quasi-identifiers are generalised and records suppressed until the export profile's k-anonymity and ℓ-diversity
hold, and the risk report says what was done.

`raw_table` is the same table with none of that, for an admin's raw export (`Action.RAW_EXPORT`): every column
kept as typed, the stored response id and the full submission time, no disclosure control at all.

Special answers have codes of their own, the same in every column (`SPECIAL_CODES`), so they never read as a
missing answer. `labels="fr"` writes choice, scale and yes/no labels in that language instead of codes.
"""

from __future__ import annotations

import dataclasses
import random
import secrets
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from survey.channels import CHANNELS
from survey.codecs import SPECIAL_CODES, ValueLabel, Variable
from survey.coded import CHANNEL, INSTANCE, RESPONSE_ID, SUBMITTED_AT, CodedTable, Layout, build_layout, from_records
from survey.coded import VERSION as CODED_VERSION
from survey.coded.layout import identifying_names, status_name
from survey.dataset import ResponseRecord
from survey.disclosure.hierarchy import SPECIAL_MARK
from survey.disclosure.profile import Profile, resolve_profile
from survey.disclosure.protect import protect
from survey.disclosure.report import risk_report
from survey.disclosure.roles import FREE_TEXT, QUASI, SENSITIVE, BadRole, Policy, Undeclared, policy_of
from survey.messages import translate
from survey.schema.model import Questionnaire

Column = Variable  # an export column is a variable of the coded table, or one the export adds
EXPORT_ID = "export_id"
VERSION = "version"
SUBMITTED_DATE = "submitted_date"
RAW = "raw"  # the risk report's classification of a raw export
RAW_WARNING = {"fr": "données brutes — non anonymisées, contient des données personnelles",
               "en": "raw data — not anonymised, contains personal data"}

__all__ = ["CHANNEL", "EXPORT_ID", "INSTANCE", "SPECIAL_CODES", "SUBMITTED_DATE", "VERSION",
           "RAW", "RAW_WARNING", "AnonymisedTable", "Column", "added_column", "anonymise", "anonymise_table", "columns",
           "identifying_names", "layout", "raw_table"]


def added_column(name: str) -> Variable:
    """A column the export adds (export_id, version, submitted_date, channel, instance; response_id and submitted_at
    in a raw export): no question behind it. `channel` holds a code with value labels (web, paper, telephone), so
    the statistical formats label it like a choice."""
    if name == CHANNEL:
        values = tuple(ValueLabel(code, {language: translate(f"export_channel_{code}", language)
                                         for language in ("fr", "en")}) for code in CHANNELS)
        return Variable(name, question="", type=name, storage="category", label={}, values=values)
    return Variable(name, question="", type=name, storage="integer" if name in (INSTANCE, RESPONSE_ID) else "text",
                    label={})


MAIN_ADDED = (added_column(EXPORT_ID), added_column(VERSION), added_column(SUBMITTED_DATE), added_column(CHANNEL))
REPEAT_ADDED = (added_column(EXPORT_ID), added_column(INSTANCE))
RAW_MAIN_ADDED = (added_column(RESPONSE_ID), added_column(VERSION), added_column(SUBMITTED_AT), added_column(CHANNEL))
RAW_REPEAT_ADDED = (added_column(RESPONSE_ID), added_column(INSTANCE))


@dataclass(frozen=True)
class AnonymisedTable:
    """Rows under described columns; no row can be traced back to a stored response (but in a raw export's table,
    whose report's classification is `RAW`).

    `repeats` holds one table per repeat group: a row per item, linked to the main table by `export_id` only.

    The rows are kept in `unordered` and put in their export order (`order`, a shuffle of the positions of the
    rows exported: records that disclosure control suppressed are in `unordered` but never in `order`) only when
    read: `frame` gathers them all, `slices` a slice at a time — so that writing a million rows never holds a
    shuffled copy of the whole table beside the coded one. Choice codes (the coded table's Categoricals) and
    generalised values (Enums of their texts) are held as categories — 1 to 4 bytes a row where a text takes 16,
    about 12–16 MB a column at a million rows — and read as text.
    """

    columns: tuple[Variable, ...]
    unordered: pl.DataFrame
    repeats: dict[str, AnonymisedTable] = field(default_factory=dict)
    language: str | None = None  # labels written in this language, or None for codes
    report: dict | None = None  # the risk report (`survey.disclosure.report`), for the main table
    # Positions in `unordered` of the rows exported, in export order; None: all of `unordered`, in its order.
    order: pl.Series | None = None

    @property
    def frame(self) -> pl.DataFrame:
        """Every row, in export order (a copy when the rows are shuffled: `slices` when writing)."""
        return _as_text(self.unordered if self.order is None else self.unordered[self.order])

    @property
    def empty(self) -> pl.DataFrame:
        """No row, the columns as `frame` and `slices` give them."""
        return _as_text(self.unordered.clear())

    @property
    def height(self) -> int:
        """The rows exported (`unordered` may hold more: records that disclosure control suppressed)."""
        return self.unordered.height if self.order is None else self.order.len()

    def slices(self, size: int) -> Iterator[pl.DataFrame]:
        """The rows in export order, `size` at a time (one slice, with no row, when there is none)."""
        if self.height == 0:
            yield self.empty
            return
        for start in range(0, self.height, size):
            yield _as_text(self.unordered.slice(start, size) if self.order is None
                           else self.unordered[self.order.slice(start, size)])

    @property
    def header(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def rows(self) -> list[tuple]:
        return self.frame.rows()


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with its categorical columns (choice codes, generalised values) as text, as files hold them."""
    return frame.with_columns(pl.col(pl.Enum, pl.Categorical).cast(pl.String))


@dataclass(frozen=True)
class ExportLayout:
    """The columns of an export: the main table's, and each repeat group's table's."""

    columns: tuple[Variable, ...]
    repeats: dict[str, tuple[Variable, ...]] = field(default_factory=dict)


def exported(variable: Variable, include_free_text: bool, roles: Mapping[str, str] | None = None) -> bool:
    """Whether a column goes into an anonymised export: never an identifier; free text only when asked for.

    Without `roles` (a questionnaire whose roles are not all declared, described but never exported), a column
    is free text when its codec says it may identify someone."""
    role = roles.get(variable.name) if roles is not None else ("free_text" if variable.identifying else "none")
    return role != "identifier" and (include_free_text or role != "free_text")


def export_layout(layout: Layout, include_free_text: bool = False, policy: Policy | None = None) -> ExportLayout:
    """The exported columns of a coded table's layout."""
    roles = policy.roles if policy is not None else None
    added = tuple(c for c in MAIN_ADDED if roles is None or c.name == EXPORT_ID or roles.get(c.name) != "identifier")
    main = tuple(v for v in layout.variables if exported(v, include_free_text, roles))
    repeats = {name: (*REPEAT_ADDED, *(v for v in variables
                                       if exported(v, include_free_text, policy.repeats[name] if policy else None)))
               for name, variables in layout.repeats.items()}
    return ExportLayout((*added, *main), repeats)


def _policy(layout: Layout) -> Policy | None:
    """The layout's roles when every column has one; None otherwise (for describing columns only)."""
    try:
        return policy_of(layout, layout.disclosure)
    except (Undeclared, BadRole):
        return None


def layout(questionnaire: Questionnaire, include_free_text: bool = False, *,
           versions: Mapping[str, Questionnaire] | None = None) -> ExportLayout:
    """The export's columns: those it adds, the current version's, then those only older versions had."""
    built = build_layout(questionnaire, versions)
    return export_layout(built, include_free_text, _policy(built))


def columns(questionnaire: Questionnaire, include_free_text: bool = False, *,
            versions: Mapping[str, Questionnaire] | None = None) -> tuple[Variable, ...]:
    """The main table's columns (see `layout`); their texts are in every language, the codebook picks one."""
    return layout(questionnaire, include_free_text, versions=versions).columns


_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def _random_ids(count: int) -> pl.Series:
    """`count` ids of 16 hex digits (64 random bits each, as `secrets.token_hex(8)` draws them), drawn in one
    call and spelled by numpy: one Python string per id cost seconds and a hundred megabytes at a million."""
    drawn = np.frombuffer(secrets.token_bytes(8 * count), dtype=np.uint8).reshape(count, 8)
    digits = np.empty((count, 16), dtype=np.uint8)
    digits[:, 0::2] = _HEX_DIGITS[drawn >> 4]
    digits[:, 1::2] = _HEX_DIGITS[drawn & 15]
    return pl.Series(EXPORT_ID, digits.view("S16").ravel()).cast(pl.String)


def _aligned(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every column cut into the chunks most of its columns have, by zero-copy slices of the columns
    cut otherwise. A column made apart (a generalised one, the fresh ids) comes as one chunk beside the coded
    table's several, and polars then copies the whole frame into single chunks at each `select` or `drop`: at a
    million rows, about 170 MB a time."""
    layouts = Counter(tuple(column.chunk_lengths()) for column in frame.iter_columns())
    if len(layouts) < 2:
        return frame
    lengths = list(layouts.most_common(1)[0][0])
    columns = []
    for column in frame.iter_columns():
        if column.chunk_lengths() != lengths:
            column = column.rechunk()  # the columns made apart are one chunk already: no copy
            pieces, start = [], 0
            for length in lengths:
                pieces.append(column.slice(start, length))
                start += length
            column = pl.concat(pieces, rechunk=False)
        columns.append(column)
    return pl.DataFrame(columns)


def _fresh_ids(count: int) -> pl.Series:
    """Random ids, unique within one export and unrelated to anything stored (the rare duplicates drawn again)."""
    ids = _random_ids(count)
    while (duplicated := ids.is_duplicated()).any():
        ids = ids.scatter(duplicated.arg_true(), _random_ids(int(duplicated.sum())))
    return ids


def _labelled(variable: Variable, language: str) -> pl.Expr:
    """A coded column with its codes written as labels in `language`, special codes as their meaning.

    Only columns with value labels change: numbers, ranks, dates and texts keep their type (and their special
    codes, which the codebook explains), so a number column stays a number column in every format.
    """
    col = pl.col(variable.name)
    if not variable.values:
        return col
    mapping = {str(code): translate(f"report_{kind}", language) for kind, code in SPECIAL_CODES.items()}
    mapping |= {value.code: value.labels.get(language, value.code) for value in variable.values}
    return col.cast(pl.String).replace(mapping)


def _coded_columns(variables: Iterable[Variable], labels: str | None) -> list[pl.Expr]:
    """The columns as exported: codes, or labels in the language `labels`."""
    return [_labelled(v, labels) if labels else pl.col(v.name) for v in variables]


def _leaf(variable: Variable) -> pl.Expr:
    """A quasi-identifier's value as text for its hierarchy: a special answer marked (`~-8`), a blank null."""
    value = pl.col(variable.name).cast(pl.String)
    if not variable.question:
        return value
    special = pl.col(status_name(variable.question)).is_not_null()
    return pl.when(special).then(pl.lit(SPECIAL_MARK) + value).otherwise(value).alias(variable.name)


def _generalised(variable: Variable, level: str) -> Variable:
    """A column shown at a coarser level: its values are now the ancestors' texts, its specials unchanged."""
    return dataclasses.replace(variable, storage="text", values=(), measure="nominal") if level != "value" else variable


def _scrubbed(frame: pl.DataFrame, names: Iterable[str], lists: object, found: dict[str, int]) -> pl.DataFrame:
    """Free-text columns with personal data replaced by placeholders (`survey.disclosure.scrub`); counts added."""
    from survey.disclosure.scrub import scrub_series

    cleaned = []
    for name in names:
        column, counts = scrub_series(frame[name], lists)  # type: ignore[arg-type]
        cleaned.append(column.rename(name))
        for kind, count in counts.items():
            found[kind] = found.get(kind, 0) + count
    return frame.with_columns(cleaned) if cleaned else frame


def _items_order(people: pl.Series, order: pl.Series, items: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
    """For a repeat group's items (`response_id`, in the coded table's order): the row of each one's person among
    `people` (the main table's response ids), and the export order of the items kept — their person's place in
    `order`, then their own order. Items follow their person without the group's table being copied in that order."""
    rank = pl.repeat(None, people.len(), dtype=pl.UInt32, eager=True).scatter(
        order, pl.int_range(order.len(), dtype=pl.UInt32, eager=True))
    rows = pl.DataFrame({RESPONSE_ID: people, "~row": pl.int_range(people.len(), dtype=pl.UInt32, eager=True),
                         "~rank": rank})
    found = items.select(RESPONSE_ID).join(rows, on=RESPONSE_ID, how="left", maintain_order="left")
    kept = (found.select(pl.int_range(pl.len(), dtype=pl.UInt32).alias("~item"), "~rank")
            .filter(pl.col("~rank").is_not_null()).sort("~rank", maintain_order=True))
    return found["~row"], kept["~item"]


def anonymise_table(table: CodedTable, include_free_text: bool = False, rng: random.Random | None = None,
                    labels: str | None = None, *, profile: Profile | None = None,
                    lists: object = None) -> AnonymisedTable:
    """The coded table, disclosure-controlled: identifiers dropped, quasi-identifiers generalised and suppressed to
    the profile's k-anonymity and ℓ-diversity, free text dropped (or scrubbed), ids fresh, rows shuffled.

    Raises `Undeclared` when a column has no disclosure role, `BadRole`, `ProfileInvalid`, or `Refused` with
    what to relax when the profile cannot be met. `lists`: the mission's names for the scrubber.
    """
    policy = policy_of(table.layout, table.layout.disclosure)
    profile = profile or resolve_profile(table.layout.disclosure)
    shape = export_layout(table.layout, include_free_text, policy)
    data = [v for v in shape.columns if v.question]
    shown = {c.name for c in shape.columns}
    quasi = [name for name in policy.having(QUASI) if name in shown]
    by_name = {v.name: v for v in data}
    statuses = list(dict.fromkeys(status_name(by_name[n].question) for n in quasi if n in by_name))
    frame = table.main.select(
        pl.col(CODED_VERSION).alias(VERSION),
        pl.col(SUBMITTED_AT).dt.date().cast(pl.String).alias(SUBMITTED_DATE), pl.col(CHANNEL),
        *(pl.col(v.name) for v in data), pl.col(RESPONSE_ID), *(pl.col(s) for s in statuses))
    frame = _aligned(frame)
    protected = protect(frame, [policy.hierarchies[n] for n in quasi],
                        [n for n in policy.having(SENSITIVE) if n in frame.columns], profile,
                        {n: _leaf(by_name[n]) if n in by_name else pl.col(n).cast(pl.String) for n in quasi})
    # Every record stays in the frame, suppressed ones too, and the export order lists the kept ones only, shuffled:
    # the writers read the rows through it a slice at a time, so the table is never copied whole.
    kept = _aligned(protected.every_row()).drop(statuses)
    detections: dict[str, int] = {}
    if include_free_text:
        kept = _scrubbed(kept, [v.name for v in data if policy.roles.get(v.name) == FREE_TEXT], lists, detections)
    seed = (rng or secrets.SystemRandom()).getrandbits(63)
    order = protected.keep.arg_true().cast(pl.UInt32).shuffle(seed=seed)
    described = tuple(_generalised(v, protected.levels.get(v.name, "value")) for v in shape.columns)
    coded = [v for v in described if v.question]
    main = kept.select(
        pl.lit(_fresh_ids(kept.height)).alias(EXPORT_ID)
        if kept.height else pl.lit(None, pl.String).alias(EXPORT_ID),
        *_coded_columns((c for c in described if not c.question and c.name != EXPORT_ID), labels),
        *_coded_columns(coded, labels), pl.col(RESPONSE_ID))
    main = _aligned(main)
    repeats, counts = {}, {}
    for name, cols in shape.repeats.items():
        inner = [v for v in cols if v.question]
        person, items = _items_order(main[RESPONSE_ID], order, table.repeats[name])
        part = table.repeats[name].select(pl.lit(main[EXPORT_ID].gather(person)).alias(EXPORT_ID), INSTANCE,
                                          *(pl.col(v.name) for v in inner))
        if include_free_text:  # scrubbed in export order, the suppressed people's items left out
            part, items = part[items], None
            part = _scrubbed(part, [v.name for v in inner if policy.repeats[name].get(v.name) == FREE_TEXT], lists,
                             detections)
        part = part.select(EXPORT_ID, INSTANCE, *_coded_columns(inner, labels))
        repeats[name] = AnonymisedTable(cols, part, {}, labels, None, items)
        counts[name] = (table.repeats[name].height, repeats[name].height)
    report = risk_report(protected, profile, policy, include_free_text=include_free_text, detections=detections,
                         repeat_rows=counts)
    return AnonymisedTable(described, main.drop(RESPONSE_ID), repeats, labels, report, order)


def raw_table(table: CodedTable, labels: str | None = None, request: Mapping[str, str] | None = None
              ) -> AnonymisedTable:
    """The coded table with no disclosure control, for an admin's raw export: every column (identifiers, free text
    as typed), the stored response id (`response_id`, stable, linking repeat groups too), the submission time to
    the second (UTC), rows in stored order; nothing generalised, suppressed or scrubbed.

    Its report says so plainly (`RAW_WARNING`) and carries `request` (who asked and why).
    """
    layout = table.layout
    submitted = pl.col(SUBMITTED_AT).dt.strftime("%Y-%m-%dT%H:%M:%SZ").alias(SUBMITTED_AT)
    main = table.main.select(RESPONSE_ID, pl.col(CODED_VERSION).alias(VERSION), submitted,
                             *_coded_columns((RAW_MAIN_ADDED[-1], *layout.variables), labels))
    repeats = {name: AnonymisedTable((*RAW_REPEAT_ADDED, *variables),
                                     table.repeats[name].select(RESPONSE_ID, INSTANCE,
                                                                *_coded_columns(variables, labels)), {}, labels)
               for name, variables in layout.repeats.items()}
    report = {"classification": RAW, "avertissement": RAW_WARNING["fr"], "warning": RAW_WARNING["en"],
              "disclosure_control": "none", **(request or {}),
              "records": {"in": main.height, "out": main.height, "suppressed": 0},
              "repeat_groups": {name: {"in": part.frame.height, "out": part.frame.height}
                                for name, part in repeats.items()}}
    return AnonymisedTable((*RAW_MAIN_ADDED, *layout.variables), main, repeats, labels, report)


def anonymise(questionnaire: Questionnaire, records: Iterable[ResponseRecord], include_free_text: bool = False,
              rng: random.Random | None = None, *, versions: Mapping[str, Questionnaire] | None = None,
              labels: str | None = None, profile: Profile | None = None) -> AnonymisedTable:
    """Response records → the anonymised table (the coded table built on the spot; see `anonymise_table`)."""
    return anonymise_table(from_records(questionnaire, records, versions), include_free_text, rng, labels,
                           profile=profile)
