"""An iterator's next items made in a background thread while the caller works on the current one.

Building the coded table reads stored rows (Python work for the database driver: it holds the GIL) and codes them
(polars: it lets go of the GIL). Reading the next batch while the current one is coded overlaps the two: at a
million responses, reading is about a quarter of the build (bench/export_bench.py).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class _Failed:
    """What the thread hands over in place of an item when making it raised."""

    def __init__(self, error: BaseException):
        self.error = error


def read_ahead(items: Iterator[T], depth: int = 2) -> Iterator[T]:
    """`items`, made up to `depth` ahead in a thread of their own. Their exception is raised here, in order; when
    the caller stops early (an exception, a cancelled job), the thread stops after the item it is making and closes
    `items` (a database cursor, say) in the thread that used it."""
    made: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def offer(item: object) -> bool:
        while not stop.is_set():
            try:
                made.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer(item):
                    break
            else:
                offer(_DONE)
        except BaseException as error:  # noqa: BLE001 - handed to the caller, who raises it
            offer(_Failed(error))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name="read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item = made.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.error
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
