"""SQL of interview grids and their versions. A mixin of `survey.store.Store` (through `Interviews`).

Grids are versioned like questionnaires: an interview follows the version it was started on, and a version an
interview follows never changes in place. Loading a grid also seeds its codebook (`store_codebook.py`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from survey.db_interviews import InterviewGridRow, InterviewGridVersion, InterviewRow
from survey.schema.interview import InterviewGrid
from survey.schema.localise import text_in
from survey.store_codebook import Codebook, InterviewError

grid_t, grid_version_t, interview_t = InterviewGridRow.__table__, InterviewGridVersion.__table__, InterviewRow.__table__
GRID_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
VERSION_MAX = 32


@dataclass(frozen=True)
class LoadedGrid:
    version_id: int
    grid: InterviewGrid


@dataclass(frozen=True)
class GridListing:
    """A grid as the staff pages list it."""

    id: str
    title: str
    mission_id: str
    version: str  # the current version's label
    version_id: int
    interviews: int  # real ones, synthetic ones not counted


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def grid_hash(grid: InterviewGrid) -> str:
    canonical = json.dumps(grid.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


class Grids(Codebook):
    """Interview grids and their versions (mixin; `Store` provides `engine` and `_upsert_mission`)."""

    _grid_cache: dict[int, tuple[str, InterviewGrid]]

    def load_grid(self, grid: InterviewGrid, source: str = "") -> str:
        """Store a grid file; 'new', 'updated', 'unchanged' or 'versioned', as `Store.load` for questionnaires.

        A version no interview follows yet is replaced in place; once one does, a changed file becomes a new
        version `{version}+2` (+3…) and interviews keep theirs. The codebook seeds the grid's codes: codes new to
        the file are added, existing ones take the file's label, definition and example; codes recoded away
        (merged, renamed) are not brought back.
        """
        from survey.store import DEFAULT_MISSION

        mission = grid.mission or DEFAULT_MISSION
        digest = grid_hash(grid)
        title = str(text_in(grid.title, grid.language, grid.language))
        with self.engine.begin() as conn:
            self._upsert_mission(conn, mission)  # type: ignore[attr-defined]
            if conn.execute(select(grid_t.c.id).where(grid_t.c.id == grid.id)).first():
                conn.execute(update(grid_t).where(grid_t.c.id == grid.id).values(title=title, mission_id=mission.id))
            else:
                conn.execute(insert(grid_t).values(id=grid.id, title=title, mission_id=mission.id))
            used = (select(interview_t.c.grid_version_id, func.count().label("n"))
                    .group_by(interview_t.c.grid_version_id).subquery())
            rows = conn.execute(select(grid_version_t.c.id, grid_version_t.c.version, grid_version_t.c.content_hash,
                                       func.coalesce(used.c.n, 0).label("n"))
                                .outerjoin(used, used.c.grid_version_id == grid_version_t.c.id)
                                .where(grid_version_t.c.grid_id == grid.id).order_by(grid_version_t.c.id)
                                .with_for_update(of=grid_version_t)).all()
            family = [r for r in rows if r.version == grid.version
                      or re.fullmatch(re.escape(grid.version) + r"\+\d+", r.version)]
            same = next((r for r in family if r.content_hash == digest), None)
            definition = grid.model_dump(mode="json")
            values = {"definition": definition, "content_hash": digest, "source": source, "loaded_at": _now(),
                      "mission_id": mission.id}
            if same is not None:
                version_id, status = same.id, "unchanged"
            elif family and not family[-1].n:
                latest = family[-1]
                definition["version"] = latest.version
                conn.execute(update(grid_version_t).where(grid_version_t.c.id == latest.id).values(**values))
                version_id, status = latest.id, "updated"
            else:
                label, status = grid.version, "new"
                if family:
                    label, status = f"{grid.version}+{len(family) + 1}", "versioned"
                    if len(label) > VERSION_MAX:
                        raise InterviewError(f"{source or grid.id}: version {family[-1].version} is followed by "
                                             f"interviews and {label} is too long a label — change `version:`")
                definition["version"] = label
                version_id = conn.execute(insert(grid_version_t).values(grid_id=grid.id, version=label, **values)
                                          ).inserted_primary_key[0]
            conn.execute(update(grid_t).where(grid_t.c.id == grid.id).values(current_version_id=version_id))
            self._seed_codes(conn, grid)
        self._grid_cache.pop(version_id, None)
        return status

    def grid(self, grid_id: str) -> LoadedGrid | None:
        """The current version of a grid (the one new interviews follow), or None."""
        if not GRID_ID.fullmatch(grid_id):
            return None
        with self.engine.connect() as conn:
            version_id = conn.execute(select(grid_t.c.current_version_id).where(grid_t.c.id == grid_id)).scalar()
        return self.grid_version(version_id) if version_id is not None else None

    def grid_version(self, version_id: int) -> LoadedGrid | None:
        """A grid version by id (the one an interview follows)."""
        with self.engine.connect() as conn:
            return self._grid_version(conn, version_id)

    def _grid_version(self, conn: Connection, version_id: int) -> LoadedGrid | None:
        """A grid version, parsed once per process: every save checks its slot against it, so only the hash is
        read while the copy kept is still the stored one (a version is replaced in place until first used)."""
        digest = conn.execute(select(grid_version_t.c.content_hash).where(grid_version_t.c.id == version_id)).scalar()
        if digest is None:
            return None
        cached = self._grid_cache.get(version_id)
        if cached is None or cached[0] != digest:
            definition = conn.execute(select(grid_version_t.c.definition)
                                      .where(grid_version_t.c.id == version_id)).scalar()
            cached = (digest, InterviewGrid.model_validate(definition))
            self._grid_cache[version_id] = cached
        return LoadedGrid(version_id, cached[1])

    def grid_versions(self, grid_id: str) -> dict[str, int]:
        """Every version of a grid, label → version id, oldest first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(grid_version_t.c.id, grid_version_t.c.version)
                                .where(grid_version_t.c.grid_id == grid_id).order_by(grid_version_t.c.id)).all()
        return {row.version: row.id for row in rows}

    def grids(self, missions: Iterable[str] | None = None) -> list[GridListing]:
        """Every grid (of `missions` when given), by title, with its current version and count of interviews."""
        counts = (select(interview_t.c.grid_id, func.count().label("n")).where(interview_t.c.synthetic.is_(False))
                  .group_by(interview_t.c.grid_id).subquery())
        query = (select(grid_t.c.id, grid_t.c.title, grid_t.c.mission_id, grid_version_t.c.version,
                        grid_version_t.c.id.label("version_id"), func.coalesce(counts.c.n, 0).label("n"))
                 .join(grid_version_t, grid_version_t.c.id == grid_t.c.current_version_id)
                 .outerjoin(counts, counts.c.grid_id == grid_t.c.id).order_by(grid_t.c.title, grid_t.c.id))
        if missions is not None:
            query = query.where(grid_t.c.mission_id.in_(list(missions)))
        with self.engine.connect() as conn:
            return [GridListing(r.id, r.title, r.mission_id, r.version, r.version_id, r.n) for r in conn.execute(query)]

    def grid_mission(self, grid_id: str) -> str | None:
        """The mission a grid belongs to (for per-mission permissions), or None for an unknown grid."""
        with self.engine.connect() as conn:
            return conn.execute(select(grid_t.c.mission_id).where(grid_t.c.id == grid_id)).scalar()
