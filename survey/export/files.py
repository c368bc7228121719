"""Files that appear whole or not at all: written beside their destination, renamed when complete."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_output(output: Path) -> Iterator[Path]:
    """A temporary path beside `output` (`.NAME.partial`), renamed over `output` when the block ends normally
    and removed when it raises: a failed or cancelled export leaves no file, and no half-written one is offered."""
    partial = output.with_name(f".{output.name}.partial")
    try:
        yield partial
        partial.replace(output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
