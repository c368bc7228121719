"""Hostile files: YAML bombs and oversized choice lists are refused with located errors before memory grows;
no cell of an exported CSV (dataset or codebook) is read as a formula, whatever the separator."""

from __future__ import annotations

import textwrap
import tracemalloc
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from survey.cli import app
from survey.errors import QuestionnaireInvalid
from survey.schema import load_questionnaire, parse_questionnaire
from survey.schema.choice_lists import MAX_CHOICE_FILE_BYTES, MAX_FILE_CHOICES
from survey.schema.yaml_limits import MAX_ALIAS_NODES, MAX_ALIASES, MAX_FILE_BYTES
from tests.conftest import ROOT

# The file, byte for byte: 342 bytes that PyYAML unfolds into 9^9 (387 million) strings.
BILLION_LAUGHS = textwrap.dedent("""\
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
    i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
    """)

QUESTIONNAIRE = textwrap.dedent("""\
    id: essai
    version: "1"
    title: Essai
    privacy_notice: Aucune donnée personnelle.
    pages:
      - id: p
        questions:
    """)


def _problems(text: str, **kwargs: object) -> list:
    """The problems `parse_questionnaire` reports for `text` (none if it loads)."""
    try:
        parse_questionnaire(text, "essai.yaml", **kwargs)  # type: ignore[arg-type]
    except QuestionnaireInvalid as exc:
        return exc.problems
    return []


# --- YAML: aliases, values, size ------------------------------------------------------------------------------

def test_billion_laughs_is_refused_at_its_last_alias_without_unfolding(tmp_path: Path) -> None:
    assert len(BILLION_LAUGHS.encode()) == 342
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BILLION_LAUGHS)
    tracemalloc.start()
    try:
        with pytest.raises(QuestionnaireInvalid) as caught:
            load_questionnaire(bomb)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.code) == (str(bomb), 9, "FILE_LIMIT")
    assert "aliases" in problem.message and f"{MAX_ALIAS_NODES:,}" in problem.message
    assert "write the repeated part out" in problem.fix
    assert peak < 20_000_000, f"reading a 342-byte file took {peak:,} bytes"


def test_survey_validate_reports_the_bomb_in_one_line_and_exits_1(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BILLION_LAUGHS)
    result = CliRunner().invoke(app, ["validate", str(bomb)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output and "MemoryError" not in result.output
    assert f"{bomb}:9: over a limit for questionnaire files: aliases (`*name`) unfold" in result.output


def _nested_aliases(width: int, depth: int) -> tuple[str, int]:
    """A document of `depth` levels, each a list of `width` aliases to the level below, and the number of values
    its aliases add once unfolded (worked out level by level, without PyYAML)."""
    lines = [f"l0: &l0 [{', '.join(['x'] * width)}]"]
    lines += [f"l{k}: &l{k} [{', '.join([f'*l{k - 1}'] * width)}]" for k in range(1, depth + 1)]
    unfolded = [1 + width]  # a list node and its scalars
    for _ in range(depth):
        unfolded.append(1 + width * unfolded[-1])
    written = 1 + (depth + 1) + (1 + width) + depth  # root, keys, level 0, one list node per higher level
    total = 1 + sum(1 + size for size in unfolded)
    return "\n".join(lines) + "\n", total - written


@settings(max_examples=40, deadline=None)
@given(width=st.integers(1, 12), depth=st.integers(0, 8))
def test_aliases_are_refused_exactly_when_they_unfold_past_the_limit(width: int, depth: int) -> None:
    text, added = _nested_aliases(width, depth)
    problems = _problems(text)
    uses = width * depth
    if uses > MAX_ALIASES or added > MAX_ALIAS_NODES:
        assert [p.code for p in problems] == ["FILE_LIMIT"]
    else:  # within the limits the file is read, and refused only for not being a questionnaire
        assert "FILE_LIMIT" not in {p.code for p in problems}


def test_an_anchor_that_contains_itself_is_refused_on_its_line() -> None:
    [problem] = _problems("id: x\nloop: &a\n  - *a\n")
    assert (problem.line, problem.code) == (2, "FILE_LIMIT")
    assert "alias to itself" in problem.message


def test_more_aliases_than_the_limit_are_refused_at_the_first_one_over() -> None:
    uses = "\n".join(f"k{i}: *s" for i in range(MAX_ALIASES + 1))
    [problem] = _problems(f"s: &s x\n{uses}\n")
    assert problem.line == MAX_ALIASES + 2  # the anchor's line, then one line per alias
    assert f"more than {MAX_ALIASES} aliases" in problem.message


def test_the_examples_small_aliases_still_load() -> None:
    text = (ROOT / "questionnaires" / "formation-democratie-participative.yaml").read_text()
    assert text.count("*utilite") == 3
    questionnaire = load_questionnaire(ROOT / "questionnaires" / "formation-democratie-participative.yaml")
    scales = [q.scale for page in questionnaire.pages for q in page.questions if q.name.startswith("utilite_")]
    assert len(scales) == 4 and all(scale == scales[0] for scale in scales)


def test_too_many_values_are_refused_while_reading() -> None:
    text = "x: [" + ", ".join(["a"] * 1_001) + "]\n"
    [problem] = _problems(text, max_nodes=1_000)
    assert (problem.line, problem.code) == (1, "FILE_LIMIT")
    assert "more than 1,000 values" in problem.message and "choices_from" in problem.fix
    assert "FILE_LIMIT" not in {p.code for p in _problems(text, max_nodes=1_004)}  # root, key, list, 1,001 items


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "gros.yaml"
    big.write_bytes(b"# " + b"x" * MAX_FILE_BYTES + b"\n")
    with pytest.raises(QuestionnaireInvalid) as caught:
        load_questionnaire(big)
    [problem] = caught.value.problems
    assert (problem.file, problem.line, problem.code) == (str(big), 1, "FILE_LIMIT")
    assert f"larger than {MAX_FILE_BYTES:,} bytes" in problem.message


# --- choices_from: CSV files ----------------------------------------------------------------------------------

def _with_choice_files(tmp_path: Path, files: dict[str, str | bytes], sources: list[str]) -> list:
    """Problems of a questionnaire whose dropdowns read `sources`, written beside it with `files`."""
    for name, content in files.items():
        (tmp_path / name).write_bytes(content.encode() if isinstance(content, str) else content)
    questions = "".join(f"      - {{name: q{i}, type: dropdown, label: Q, choices_from: {source}}}\n"
                        for i, source in enumerate(sources))
    path = tmp_path / "essai.yaml"
    path.write_text(QUESTIONNAIRE + questions)
    try:
        load_questionnaire(path)
    except QuestionnaireInvalid as exc:
        return exc.problems
    return []


def test_a_choice_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    rows = "code,label\n" + "a,A\n" * (MAX_CHOICE_FILE_BYTES // 4 + 1)
    problems = _with_choice_files(tmp_path, {"gros.csv": rows}, ["gros.csv"])
    assert [p.line for p in problems if p.code == "CHOICES_FILE"] == [8]
    assert any(f"`gros.csv` is larger than {MAX_CHOICE_FILE_BYTES:,} bytes" in p.message for p in problems)


def test_choices_read_from_files_are_capped_for_the_whole_questionnaire(tmp_path: Path) -> None:
    half = MAX_FILE_CHOICES // 2 + 1  # one file, two questions: the second crosses the limit
    rows = "code,label\n" + "".join(f"c{i},L{i}\n" for i in range(half))
    problems = [p for p in _with_choice_files(tmp_path, {"liste.csv": rows}, ["liste.csv", "liste.csv"])
                if p.code == "CHOICES_FILE"]
    [problem] = problems
    assert (problem.line, problem.question) == (9, "q1")
    # the first question took `half` choices; the second stops after the rest, on the next data line
    assert f"liste.csv:{MAX_FILE_CHOICES - half + 2}: more than {MAX_FILE_CHOICES:,} choices" in problem.message


@pytest.mark.parametrize(("content", "expected"), [
    ("code,label\na,A\nb,B,en trop\n", "liste.csv:3: 3 cells for 2 columns"),
    ("code,label\na,A\nb," + "B" * 200_000 + "\n", "liste.csv:3: not readable as CSV: field larger than"),
])
def test_a_malformed_choice_file_gives_a_located_problem_not_a_traceback(tmp_path: Path, content: str,
                                                                          expected: str) -> None:
    problems = _with_choice_files(tmp_path, {"liste.csv": content}, ["liste.csv"])
    assert any(expected in p.message and p.line == 8 for p in problems), problems
