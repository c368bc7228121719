"""survey/read_ahead.py: the items in order, made in another thread; errors raised in order; an early stop closes
the source in the thread that used it."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.read_ahead import read_ahead


@given(st.lists(st.integers()), st.integers(min_value=1, max_value=4))
def test_every_item_comes_in_order(items: list[int], depth: int) -> None:
    assert list(read_ahead(iter(items), depth)) == items


def test_items_are_made_in_another_thread_and_an_error_comes_after_the_items_before_it() -> None:
    threads: list[int] = []

    def source() -> Iterator[int]:
        for number in range(3):
            threads.append(threading.get_ident())
            yield number
        raise ValueError("ligne 4 illisible")

    got = []
    with pytest.raises(ValueError, match="ligne 4 illisible"):
        for item in read_ahead(source()):
            got.append(item)
    assert got == [0, 1, 2]
    assert threading.get_ident() not in threads


def test_stopping_early_closes_the_source_in_its_own_thread() -> None:
    closed_in: list[int] = []
    made: list[int] = []

    def source() -> Iterator[int]:
        try:
            for number in range(1_000):
                made.append(number)
                yield number
        finally:
            closed_in.append(threading.get_ident())

    reading = read_ahead(source(), depth=2)
    assert next(reading) == 0
    reading.close()  # the caller stops: a cancelled job, an error while coding
    assert len(closed_in) == 1 and closed_in[0] != threading.get_ident()
    assert len(made) <= 5  # it stopped, a few items ahead at most
