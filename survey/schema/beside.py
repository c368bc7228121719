"""A CSV file a questionnaire or an interview grid names (`choices_from`, a mission's lists, a grid's sites): read
from beside it, safely — only a `.csv` file, only inside its folder, never more than a limit in memory, UTF-8.

What is wrong is said here (`Unread.detail`, the same words for every such file); what to do about it depends on
what the file is for, so each caller gives its own fix for each `Unread.kind`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

UnreadKind = Literal["not_csv", "outside", "unreadable", "too_large"]


@dataclass(frozen=True)
class Unread:
    """Why a named file was not read: `kind` (for the caller's fix) and the located `detail`."""

    kind: UnreadKind
    detail: str


def read_csv_beside(source: object, base_dir: Path | None, limit: int, owner: str) -> str | Unread:
    """The text of the `.csv` file `source` in `base_dir`, the folder of the file that names it (`owner`:
    "questionnaire", "grid"), at most `limit` bytes; else why not."""
    if base_dir is None or not isinstance(source, str) or not source.endswith(".csv"):
        return Unread("not_csv", f"`{source}` is not a CSV file beside the {owner}")
    file = (base_dir / source).resolve()
    if base_dir.resolve() not in file.parents:
        return Unread("outside", f"`{source}` is outside the {owner}'s folder")
    try:
        with file.open("rb") as stream:
            raw = stream.read(limit + 1)  # never more than the limit in memory
        text = raw.decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        return Unread("unreadable", f"cannot read `{source}`: {reason}")
    if len(raw) > limit:
        return Unread("too_large", f"`{source}` is larger than {limit:,} bytes")
    return text
