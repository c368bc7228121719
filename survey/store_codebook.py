"""SQL of a grid's codebook and its recoding. A mixin of `survey.store.Store` (through `Interviews`).

Codes are rows of `interview_code` linked to coded passages by id, so recoding changes rows and links and every
tagged passage follows: a rename changes the code's name (passages keep the same row); a merge moves the
passages of the merged codes to the one they go into, and leaves each merged code as a row pointing at it; a
split adds finer codes under a code and moves the passages given to each, the others staying on the code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Connection, Engine

from survey.db_interviews import InterviewCode, InterviewSegment, InterviewSegmentCode
from survey.schema.interview import InterviewGrid
from survey.schema.localise import text_in

code_t, segment_t, segment_code_t = InterviewCode.__table__, InterviewSegment.__table__, InterviewSegmentCode.__table__
CODE_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*(\.[a-z0-9][a-z0-9_-]*)*")


class InterviewError(ValueError):
    """A request about interviews that cannot be carried out; the message says why and what to do."""


def is_row_id(value: object) -> bool:
    """Whether a number can be a row's id: SQLite refuses a Python int past 64 bits (a 500, not a miss)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63


@dataclass(frozen=True)
class StoredCode:
    """A code of a grid's codebook as stored now (after any recoding)."""

    id: int
    grid_id: str
    code: str
    parent_id: int | None
    label: str
    definition: str
    example: str
    position: int


@dataclass(frozen=True)
class NewCode:
    """A code to add (by `split_code` or `add_code`)."""

    code: str
    label: str
    definition: str = ""
    example: str = ""


def _row(r: Any) -> StoredCode:
    return StoredCode(r.id, r.grid_id, r.code, r.parent_id, r.label, r.definition, r.example, r.position)


class Codebook:
    """Codes of interview grids and their recoding (mixin; `Store` provides `engine`)."""

    engine: Engine

    def _seed_codes(self, conn: Connection, grid: InterviewGrid) -> None:
        """Add the file's codes the grid has never had; update the texts of those it has (see `load_grid`)."""
        rows = conn.execute(select(code_t).where(code_t.c.grid_id == grid.id)).all()
        by_code = {r.code: r for r in rows if r.merged_into_id is None}
        known = {name for r in rows for name in (r.code, *r.aliases)}
        position = max((r.position for r in rows), default=-1)
        ids = {r.code: r.id for r in rows}
        added: list[tuple[str, str | None]] = []

        def text(value: Any) -> str:
            return str(text_in(value, grid.language, grid.language))

        for code, parent in grid.codes():
            texts = {"label": text(code.label), "definition": text(code.definition), "example": text(code.example)}
            if code.code in by_code:
                conn.execute(update(code_t).where(code_t.c.id == by_code[code.code].id).values(**texts))
            elif code.code not in known:
                position += 1
                ids[code.code] = conn.execute(insert(code_t).values(
                    grid_id=grid.id, code=code.code, position=position, aliases=[], **texts)).inserted_primary_key[0]
                added.append((code.code, parent))
        for code_name, parent in added:
            if parent is not None and parent in ids:
                conn.execute(update(code_t).where(code_t.c.id == ids[code_name]).values(parent_id=ids[parent]))

    def codes(self, grid_id: str) -> list[StoredCode]:
        """The grid's codes now, in codebook order (parents before their children as loaded)."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(code_t).where(code_t.c.grid_id == grid_id, code_t.c.merged_into_id.is_(None))
                                .order_by(code_t.c.position, code_t.c.id)).all()
        return [_row(r) for r in rows]

    def code_passages(self, code_id: int) -> list[int]:
        """The ids of the passages tagged with a code."""
        with self.engine.connect() as conn:
            return list(conn.execute(select(segment_code_t.c.segment_id).where(segment_code_t.c.code_id == code_id)
                                     .order_by(segment_code_t.c.segment_id)).scalars())

    def add_code(self, grid_id: str, new: NewCode, parent_id: int | None = None) -> StoredCode:
        """Add a code to a grid's codebook (coding as themes emerge), under `parent_id` if given."""
        with self.engine.begin() as conn:
            if parent_id is not None:
                self._check_code(conn, parent_id, grid_id)
            return self._insert_code(conn, grid_id, new, parent_id)

    def rename_code(self, code_id: int, new_code: str, label: str | None = None) -> StoredCode:
        """Give a code another name (and label); its passages keep it. The old name is kept as an alias."""
        _check_name(new_code)
        with self.engine.begin() as conn:
            row = self._active(conn, code_id)
            if new_code != row.code:
                self._check_free(conn, row.grid_id, new_code)
            values: dict[str, Any] = {"code": new_code, "aliases": [*row.aliases, row.code]}
            if label is not None:
                values["label"] = label
            conn.execute(update(code_t).where(code_t.c.id == code_id).values(**values))
            return _row(conn.execute(select(code_t).where(code_t.c.id == code_id)).one())

    def merge_codes(self, source_ids: Iterable[int], into_id: int) -> int:
        """Merge codes into another of the same grid: their passages and sub-codes go to it; how many passages
        were moved (a passage that had both keeps one link)."""
        sources = [s for s in dict.fromkeys(source_ids) if s != into_id]
        moved = 0
        with self.engine.begin() as conn:
            target = self._active(conn, into_id)
            for source_id in sources:
                source = self._active(conn, source_id)
                if source.grid_id != target.grid_id:
                    raise InterviewError(f"code `{source.code}` is not in the same grid as `{target.code}`")
                if source_id in self._ancestors(conn, into_id):
                    raise InterviewError(f"`{target.code}` is inside `{source.code}`: merge it the other way")
            for source_id in sources:
                passages = set(conn.execute(select(segment_code_t.c.segment_id)
                                            .where(segment_code_t.c.code_id == source_id)).scalars())
                already = set(conn.execute(select(segment_code_t.c.segment_id).where(
                    segment_code_t.c.code_id == into_id, segment_code_t.c.segment_id.in_(passages))).scalars())
                conn.execute(delete(segment_code_t).where(segment_code_t.c.code_id == source_id))
                for segment_id in sorted(passages - already):
                    conn.execute(insert(segment_code_t).values(segment_id=segment_id, code_id=into_id))
                moved += len(passages)
                conn.execute(update(code_t).where(code_t.c.parent_id == source_id).values(parent_id=into_id))
                conn.execute(update(code_t).where(code_t.c.id == source_id).values(merged_into_id=into_id))
        return moved

    def split_code(self, code_id: int, into: list[NewCode], assign: Mapping[int, str]) -> list[StoredCode]:
        """Add finer codes under a code and move to each the passages `assign` (passage id → new code) gives it;
        the code's other passages stay on it. Returns the new codes."""
        if not into:
            raise InterviewError("a split needs at least one new code")
        names = [new.code for new in into]
        if len(set(names)) != len(names):
            raise InterviewError("the new codes must have different names")
        unknown = sorted(set(assign.values()) - set(names))
        if unknown:
            raise InterviewError(f"passages are given to `{unknown[0]}`, which is not one of the new codes")
        with self.engine.begin() as conn:
            row = self._active(conn, code_id)
            tagged = set(conn.execute(select(segment_code_t.c.segment_id)
                                      .where(segment_code_t.c.code_id == code_id)).scalars())
            stray = sorted(set(assign) - tagged)
            if stray:
                raise InterviewError(f"passage {stray[0]} is not tagged `{row.code}`: only its passages can move")
            made = [self._insert_code(conn, row.grid_id, new, code_id) for new in into]
            ids = {code.code: code.id for code in made}
            for segment_id, name in sorted(assign.items()):
                conn.execute(update(segment_code_t).where(segment_code_t.c.segment_id == segment_id,
                                                          segment_code_t.c.code_id == code_id)
                             .values(code_id=ids[name]))
        return made

    # --- helpers ---------------------------------------------------------------

    def _insert_code(self, conn: Connection, grid_id: str, new: NewCode, parent_id: int | None) -> StoredCode:
        _check_name(new.code)
        if not new.label.strip():
            raise InterviewError(f"code `{new.code}` needs a label")
        self._check_free(conn, grid_id, new.code)
        position = conn.execute(select(func.max(code_t.c.position)).where(code_t.c.grid_id == grid_id)).scalar()
        new_id = conn.execute(insert(code_t).values(
            grid_id=grid_id, code=new.code, parent_id=parent_id, label=new.label, definition=new.definition,
            example=new.example, position=(position if position is not None else -1) + 1, aliases=[])
        ).inserted_primary_key[0]
        return _row(conn.execute(select(code_t).where(code_t.c.id == new_id)).one())

    @staticmethod
    def _check_free(conn: Connection, grid_id: str, name: str) -> None:
        if conn.execute(select(code_t.c.id).where(code_t.c.grid_id == grid_id, code_t.c.code == name)).first():
            raise InterviewError(f"the grid already has a code `{name}` — choose another name or merge into it")

    @staticmethod
    def _active(conn: Connection, code_id: int) -> Any:
        row = conn.execute(select(code_t).where(code_t.c.id == code_id)).first() if is_row_id(code_id) else None
        if row is None or row.merged_into_id is not None:
            raise InterviewError(f"no code {code_id} (unknown, or merged into another)")
        return row

    def _check_code(self, conn: Connection, code_id: int, grid_id: str) -> None:
        """InterviewError unless the code exists, is not merged away and belongs to `grid_id`."""
        if self._active(conn, code_id).grid_id != grid_id:
            raise InterviewError(f"code {code_id} belongs to another grid")

    @staticmethod
    def _ancestors(conn: Connection, code_id: int) -> set[int]:
        found: set[int] = set()
        current: int | None = code_id
        while current is not None and current not in found:
            found.add(current)
            current = conn.execute(select(code_t.c.parent_id).where(code_t.c.id == current)).scalar()
        return found


def _check_name(name: str) -> None:
    if not CODE_NAME.fullmatch(name) or len(name) > 64:
        raise InterviewError(f"code `{name[:70]}`: lower-case letters, digits, `_`, `-`, dotted parts "
                             "(e.g. `mobilisation.jeunes`), at most 64 characters")
