"""SQL that reads stored answers in bulk, as raw rows for the coded table (`survey.coded.raw_frame`).

Answers come back as their JSON text (not parsed into Python objects): polars decodes them, column by column.
Only responses whose status is in `statuses` are read: real ones by default, so responses marked as test data and
synthetic ones (`survey seed`) never reach results or exports unless asked for. The status is a plain WHERE on the
rows the primary-key range already reads: no index on it, none needed, and the range reads stay what they were.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import String, cast, func, select
from sqlalchemy.engine import Engine

from survey.db import REAL, SYNTHETIC, QuestionnaireRow, QuestionnaireVersion, ResponseRow

version_t, response_t = QuestionnaireVersion.__table__, ResponseRow.__table__
questionnaire_t = QuestionnaireRow.__table__
BATCH = 50_000
COUNTED: tuple[str, ...] = (REAL,)  # what results and exports read
WITH_SYNTHETIC: tuple[str, ...] = (REAL, SYNTHETIC)  # an export that asked for synthetic responses too


@dataclass(frozen=True)
class VersionStamp:
    """What identifies a version's content: a coded table built for these stamps is still right."""

    id: int
    label: str
    content_hash: str


def version_stamps(engine: Engine, questionnaire_id: str) -> tuple[VersionStamp, ...]:
    """Every version of a questionnaire with its content hash, oldest first."""
    query = (select(version_t.c.id, version_t.c.version, version_t.c.content_hash)
             .where(version_t.c.questionnaire_id == questionnaire_id).order_by(version_t.c.id))
    with engine.connect() as conn:
        return tuple(VersionStamp(r.id, r.version, r.content_hash) for r in conn.execute(query))


def responses_revision(engine: Engine, questionnaire_id: str) -> int:
    """The questionnaire's revision of stored responses: it moves when one already stored is marked, corrected or
    deleted, so a coded table built before is stale (`survey.store_responses`)."""
    query = select(questionnaire_t.c.responses_revision).where(questionnaire_t.c.id == questionnaire_id)
    with engine.connect() as conn:
        return conn.execute(query).scalar() or 0


# `version_id + 0` keeps the databases from walking a whole version's responses through the version index when
# only the responses after an id are wanted: they then read the id range of the primary key (a results-page view
# of a million responses read them all to find none, 0.2 s).
_BY_ID = version_t.c.id == response_t.c.version_id + 0


def _counted(statuses: tuple[str, ...]):  # noqa: ANN202 - a SQLAlchemy condition
    """The responses of these statuses (one status, the usual case, is a plain equality)."""
    return response_t.c.status == statuses[0] if len(statuses) == 1 else response_t.c.status.in_(statuses)


def _raw_query(questionnaire_id: str, statuses: tuple[str, ...]):  # noqa: ANN202 - a SQLAlchemy select
    # Times and answers come back as text, parsed by polars column by column: parsing them row by row in
    # Python took two thirds of the reading.
    return (select(response_t.c.id, version_t.c.version, cast(response_t.c.submitted_at, String).label("at"),
                   cast(response_t.c.answers, String).label("answers"), response_t.c.channel)
            .select_from(response_t).join(version_t, _BY_ID)
            .where(version_t.c.questionnaire_id == questionnaire_id, _counted(statuses)))


def raw_rows(engine: Engine, questionnaire_id: str, after_id: int = 0, batch: int = BATCH,
             statuses: tuple[str, ...] = COUNTED) -> Iterator[list[tuple]]:
    """(id, version label, submitted at as text, answers JSON text, channel) of every response with an id above
    `after_id` and a status in `statuses`, by id, in batches."""
    query = _raw_query(questionnaire_id, statuses).where(response_t.c.id > after_id).order_by(response_t.c.id)
    with engine.connect() as conn:
        result = conn.execution_options(yield_per=batch).execute(query)
        for part in result.partitions(batch):
            yield list(part)  # rows are tuples already


def raw_rows_by_id(engine: Engine, questionnaire_id: str, ids: list[int],
                   statuses: tuple[str, ...] = COUNTED) -> list[tuple]:
    """The raw rows of the given response ids (responses committed after later ids were read)."""
    found: list[tuple] = []
    with engine.connect() as conn:
        for start in range(0, len(ids), 1000):
            query = _raw_query(questionnaire_id, statuses).where(response_t.c.id.in_(ids[start:start + 1000]))
            found += [tuple(row) for row in conn.execute(query)]
    return found


def count_between(engine: Engine, questionnaire_id: str, above: int, up_to: int,
                  statuses: tuple[str, ...] = COUNTED) -> int:
    """How many responses of the questionnaire, of these statuses, have an id in (`above`, `up_to`]."""
    query = (select(func.count()).select_from(response_t.join(version_t, _BY_ID))
             .where(version_t.c.questionnaire_id == questionnaire_id, response_t.c.id > above,
                    response_t.c.id <= up_to, _counted(statuses)))
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()


def ids_between(engine: Engine, questionnaire_id: str, above: int, up_to: int,
                statuses: tuple[str, ...] = COUNTED) -> list[int]:
    """Every response id of the questionnaire, of these statuses, in (`above`, `up_to`]."""
    query = (select(response_t.c.id).select_from(response_t).join(version_t, _BY_ID)
             .where(version_t.c.questionnaire_id == questionnaire_id, response_t.c.id > above,
                    response_t.c.id <= up_to, _counted(statuses)))
    with engine.connect() as conn:
        return list(conn.execute(query).scalars())
