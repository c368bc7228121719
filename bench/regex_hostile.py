"""Hostile regex() constraints: the time RE2 takes against Python's backtracking `re`, on answers that grow.

    .venv/bin/python bench/regex_hostile.py [--seconds 5]

For each pattern, answers of growing length are matched by both engines; the backtracking one stops being
tried once a single match takes longer than `--seconds` (its time doubles with each character). RE2 is then
run on answers 1,000 times longer. A report, not a test: it exits 0 whatever it finds.
"""

from __future__ import annotations

import argparse
import re
import time
from functools import partial

from survey.expressions.patterns import compiled, matches

CASES = [
    ("(a+)+$", lambda n: "a" * n + "!"),
    ("(a|aa)*c", lambda n: "a" * n),
    ("(x+x+)+y", lambda n: "x" * n),
]


def _timed(match, text: str) -> float:  # noqa: ANN001
    """Seconds one full match takes."""
    start = time.perf_counter()
    match(text)
    return time.perf_counter() - start


def main() -> None:
    """Print, per pattern and answer length, the seconds each engine takes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="stop trying `re` beyond this per match")
    limit = parser.parse_args().seconds
    print(f"{'pattern':<12} {'length':>9} {'python re (s)':>14} {'RE2 (s)':>10}")
    for pattern, answer in CASES:
        backtracking = re.compile(f"(?:{pattern})", re.DOTALL)
        linear = compiled(pattern)
        assert linear is not None, pattern  # noqa: S101 - the hostile patterns are in the accepted subset
        longest = 0
        for n in range(10, 60, 2):
            slow = _timed(backtracking.fullmatch, answer(n))
            fast = _timed(partial(matches, linear), answer(n))
            print(f"{pattern:<12} {n:>9} {slow:>14.4f} {fast:>10.6f}")
            longest = n
            if slow > limit:
                break
        for n in (longest * 1_000, 10_000_000):
            fast = _timed(partial(matches, linear), answer(n))
            print(f"{pattern:<12} {n:>9} {'(not tried)':>14} {fast:>10.6f}")


if __name__ == "__main__":
    main()
