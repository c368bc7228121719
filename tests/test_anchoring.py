"""Coded passages found again after their text changes (survey.anchoring), checked against edits whose effect on
the passage the test computes itself."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from survey.anchoring import nearest, reanchor

words = st.text(alphabet="abcdé ", min_size=0, max_size=40)


@st.composite
def text_with_passage(draw: st.DrawFn) -> tuple[str, int, int]:
    text = draw(st.text(alphabet="abcdé .", min_size=1, max_size=80))
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return text, start, end


@given(text_with_passage(), st.data())
def test_an_edit_before_or_after_a_passage_only_shifts_it(case: tuple[str, int, int], data: st.DataObject) -> None:
    old, start, end = case
    before = data.draw(st.booleans())
    low, high = (0, start) if before else (end, len(old))
    a = data.draw(st.integers(low, high))
    b = data.draw(st.integers(a, high))
    inserted = data.draw(st.text(alphabet="0123456789", max_size=20))  # unlike the text: where it went is plain
    new = old[:a] + inserted + old[b:]
    shift = len(inserted) - (b - a) if before else 0
    found = reanchor(old, new, (start, end), old[start:end])
    if inserted or b > a:
        assert found is not None and new[found[0]:found[1]] == old[start:end]
    if inserted:
        assert found == (start + shift, end + shift)


@given(text_with_passage(), st.integers(0, 80), st.integers(0, 80), words)
def test_after_any_edit_a_passage_is_where_its_text_is_or_detached(case: tuple[str, int, int], a: int, b: int,
                                                                   inserted: str) -> None:
    old, start, end = case
    a, b = sorted((min(a, len(old)), min(b, len(old))))
    new = old[:a] + inserted + old[b:]
    snapshot = old[start:end]
    found = reanchor(old, new, (start, end), snapshot)
    if found is None:
        assert snapshot not in new
    else:
        assert new[found[0]:found[1]] == snapshot


def test_the_occurrence_nearest_to_where_the_passage_was_is_taken() -> None:
    text = "lien ... lien ... lien"
    assert nearest(text, "lien", 10) == (9, 13)
    assert nearest(text, "lien", 0) == (0, 4)
    assert nearest(text, "lien", 30) == (18, 22)
    assert nearest(text, "absent", 3) is None


def test_a_detached_passage_is_found_again_when_its_text_comes_back() -> None:
    assert reanchor("x", "il faut renouer le lien", None, "renouer") == (8, 15)
    assert reanchor("x", "rien", None, "renouer") is None
