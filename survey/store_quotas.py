"""SQL of quotas: places claimed in the transaction that stores a response, given back when it stops counting.

Exact under concurrency, on SQLite and PostgreSQL alike: the places of a response are taken by one statement,

    INSERT INTO quota_count (…, n, cap) VALUES (<cell>, 1, <limit>), …
    ON CONFLICT (questionnaire_id, quota, cell) DO UPDATE SET n = quota_count.n + 1, cap = excluded.cap
    WHERE quota_count.n < excluded.cap RETURNING quota, cell

in the same transaction as the response's INSERT. On PostgreSQL the row lock makes a concurrent claim wait, then
re-check `n < cap` against the committed count; on SQLite the first write takes the database's write lock. A cell
whose row does not come back is full: `QuotaFull` is raised and the whole transaction — the response included — is
rolled back. Cells are claimed in one order (by quota name), so two claims never wait on each other in a circle.

Only real responses hold places: `survey seed`'s synthetic ones never claim any, and a response marked as test
data, deleted, erased or purged gives its places back (`release_places`); marked real again, it takes them back
(`restore_places`) even past the limit — staff decided so. Each place is kept in `quota_place` with its response,
so what to give back is known without reading the questionnaire again.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import and_, bindparam, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from survey.db import REAL, QuotaCount, QuotaPlace, ResponseRow
from survey.quotas import Placement, QuotaFull

count_t, place_t, response_t = QuotaCount.__table__, QuotaPlace.__table__, ResponseRow.__table__


def _cell(questionnaire_id: str, quota: str, cell: str) -> Any:  # noqa: ANN401 - a SQLAlchemy condition
    return and_(count_t.c.questionnaire_id == questionnaire_id, count_t.c.quota == quota, count_t.c.cell == cell)


def claim_places(conn: Connection, questionnaire_id: str, response_id: int, places: Iterable[Placement]) -> None:
    """Take one place in each cell for a response just inserted on `conn`; raise `QuotaFull` (naming the first full
    cell) when one has no room left, so that the caller's transaction — its INSERT included — rolls back.

    One statement for every cell: a new cell's row goes in counting 1; a known cell's count goes up by 1 only while
    it is below the limit, and a cell that is full returns no row."""
    places = sorted(places)
    if not places:
        return
    closed = next((p for p in places if p.limit <= 0), None)
    if closed is not None:
        raise QuotaFull(closed)
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(count_t).values([
        {"questionnaire_id": questionnaire_id, "quota": p.quota, "cell": p.cell, "n": 1, "cap": p.limit}
        for p in places])
    statement = statement.on_conflict_do_update(
        index_elements=[count_t.c.questionnaire_id, count_t.c.quota, count_t.c.cell],
        set_={"n": count_t.c.n + 1, "cap": statement.excluded.cap},
        where=count_t.c.n < statement.excluded.cap,
    ).returning(count_t.c.quota, count_t.c.cell)
    taken = {(row.quota, row.cell) for row in conn.execute(statement)}
    full = next((p for p in places if (p.quota, p.cell) not in taken), None)
    if full is not None:
        raise QuotaFull(full)
    conn.execute(insert(place_t), [{"response_id": response_id, "questionnaire_id": questionnaire_id,
                                    "quota": p.quota, "cell": p.cell} for p in places])


def _move_places(conn: Connection, response_ids: Any, step: int) -> None:  # noqa: ANN401 - ids or a select
    """Add `step` to the count of every cell these responses hold a place in (−1: give back, +1: take back)."""
    held = (select(place_t.c.questionnaire_id, place_t.c.quota, place_t.c.cell, func.count().label("k"))
            .where(place_t.c.response_id.in_(response_ids)).group_by(place_t.c.questionnaire_id, place_t.c.quota,
                                                                      place_t.c.cell))
    rows = conn.execute(held).all()
    if not rows:
        return
    statement = (update(count_t)
                 .where(_cell(bindparam("q"), bindparam("qq"), bindparam("c")))
                 .values(n=count_t.c.n + bindparam("k")))
    conn.execute(statement, [{"q": r.questionnaire_id, "qq": r.quota, "c": r.cell, "k": step * r.k} for r in rows])


def release_places(conn: Connection, response_ids: Any) -> None:  # noqa: ANN401 - ids or a select
    """Give back the places of those of these responses that are real, before they are deleted or marked test.
    Relative updates (`n = n - k`): exact beside concurrent claims, without locking anything first."""
    real = select(response_t.c.id).where(response_t.c.id.in_(response_ids), response_t.c.status == REAL)
    _move_places(conn, real, -1)


def restore_places(conn: Connection, response_id: int) -> None:
    """A response marked real again takes its places back (staff's decision, even past a limit)."""
    _move_places(conn, [response_id], 1)


class Quotas:
    """Quota counts as the respondent flow and the staff page read them."""

    engine: Engine

    def quota_counts(self, questionnaire_id: str) -> dict[tuple[str, str], int]:
        """Real responses counted in each cell of a questionnaire's quotas: (quota, cell) → n."""
        query = (select(count_t.c.quota, count_t.c.cell, count_t.c.n)
                 .where(count_t.c.questionnaire_id == questionnaire_id))
        with self.engine.connect() as conn:
            return {(row.quota, row.cell): row.n for row in conn.execute(query)}


def replace_places(conn: Connection, questionnaire_id: str, response_id: int, places: Iterable[Placement]) -> None:
    """A real response whose answers staff corrected: its places move to the cells its new answers fall in
    (counted even past a limit, like `restore_places`: the respondent was admitted when they answered)."""
    release_places(conn, [response_id])
    conn.execute(place_t.delete().where(place_t.c.response_id == response_id))
    rows = [{"response_id": response_id, "questionnaire_id": questionnaire_id, "quota": p.quota, "cell": p.cell}
            for p in places]
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    conn.execute(dialect.insert(count_t).on_conflict_do_nothing(), [
        {"questionnaire_id": questionnaire_id, "quota": r["quota"], "cell": r["cell"], "n": 0} for r in rows])
    conn.execute(insert(place_t), rows)
    restore_places(conn, response_id)
