"""Disclosure control: every export is refused, or k-anonymous and ℓ-diverse on its declared columns.

Expected values are counted here, by plain `collections.Counter`s over the rows and by walking the test's own
parent tables, never by the code under test.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
import itertools
import json
import math
import textwrap
import weakref
import zipfile
from collections import Counter, defaultdict
from fractions import Fraction
from pathlib import Path
from unittest import mock

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from survey import deliverables
from survey.access import Role
from survey.anonymise import AnonymisedTable, anonymise
from survey.dataset import ResponseRecord
from survey.disclosure import counts as counts_module
from survey.disclosure.counts import SIZE, Counts
from survey.disclosure.encoding import encode
from survey.disclosure.hierarchy import SUPPRESSED, band, explicit
from survey.disclosure.lattice import Search
from survey.disclosure.profile import Profile, ProfileInvalid
from survey.disclosure.protect import Refused, protect
from survey.disclosure.roles import Undeclared
from survey.errors import QuestionnaireInvalid
from survey.export import dataset_csv
from survey.schema import Questionnaire, load_questionnaire
from survey.schema.disclosure import Bands
from survey.schema.loader import parse_questionnaire
from survey.store import Store
from survey.synthetic import synthetic_responses
from tests.conftest import EXAMPLE_QUESTIONNAIRES, ROOT

# --- the core, on generated tables with generated hierarchies -----------------------------------------------


@st.composite
def tree(draw: st.DrawFn, column: int) -> dict[str, tuple[str, ...]]:
    """Leaves of one column and their ancestors at each level (a tree: groups of groups)."""
    leaves = [f"v{column}_{i}" for i in range(draw(st.integers(1, 7)))]
    chains: dict[str, tuple[str, ...]] = {leaf: () for leaf in leaves}
    current = {leaf: leaf for leaf in leaves}
    for level in range(draw(st.integers(0, 2))):
        values = sorted(set(current.values()))
        groups = draw(st.integers(1, len(values)))
        parent = {value: f"g{column}_{level}_{draw(st.integers(0, groups - 1))}" for value in values}
        chains = {leaf: (*chain, parent[current[leaf]]) for leaf, chain in chains.items()}
        current = {leaf: parent[current[leaf]] for leaf in leaves}
    return chains


@st.composite
def dataset(draw: st.DrawFn) -> tuple[pl.DataFrame, list[dict[str, tuple[str, ...]]], bool, Profile]:
    """A table of quasi-identifiers (with blanks and special codes), maybe a sensitive column, and a profile."""
    trees = [draw(tree(i)) for i in range(draw(st.integers(1, 3)))]
    rows = draw(st.integers(0, 60))
    columns: dict[str, list[str | None]] = {"rid": [str(i) for i in range(rows)]}
    for i, chains in enumerate(trees):
        values = [*chains, None, "~-8"]
        columns[f"q{i}"] = [draw(st.sampled_from(values)) for _ in range(rows)]
    sensitive = draw(st.booleans())
    if sensitive:
        columns["s"] = [draw(st.sampled_from(["a", "b", "c", None])) for _ in range(rows)]
    profile = Profile(draw(st.integers(1, 6)), draw(st.sampled_from([0, 5, 20, 50, 100])), draw(st.integers(1, 3)))
    return pl.DataFrame(columns, schema={name: pl.String for name in columns}), trees, sensitive, profile


def ancestors(chains: dict[str, tuple[str, ...]], value: str | None, depth: int) -> set[str | None]:
    """What a value may be shown as: itself, its ancestors (a special code shown without its mark), or `*`."""
    shown = value[1:] if value is not None and value.startswith("~") else value
    return {value, shown, SUPPRESSED, *(chains.get(value, ()) if value is not None else ())}


def _protect(frame: pl.DataFrame, trees: list, sensitive: bool, profile: Profile):  # noqa: ANN202
    hierarchies = [explicit(f"q{i}", chains) for i, chains in enumerate(trees)]
    return protect(frame, hierarchies, ["s"] if sensitive else [], profile)


@settings(max_examples=150, deadline=None)
@given(dataset())
def test_the_output_is_refused_or_k_anonymous_l_diverse_and_made_of_ancestors(case) -> None:  # noqa: ANN001
    frame, trees, sensitive, profile = case
    try:
        protected = _protect(frame, trees, sensitive, profile)
    except Refused as refused:
        assert refused.reasons and refused.relax
        assert frame.height < profile.k or (sensitive and frame["s"].n_unique() < profile.l), (
            "refused only when even one class of everything cannot pass")
        return
    out = protected.frame
    quasi = [f"q{i}" for i in range(len(trees))]
    classes = Counter(tuple(row[q] for q in quasi) for row in out.iter_rows(named=True))
    assert all(size >= profile.k for size in classes.values()), classes
    assert frame.height - out.height <= frame.height * profile.suppression / 100
    assert protected.suppressed == frame.height - out.height
    given_rows = {row["rid"]: row for row in frame.iter_rows(named=True)}
    for row in out.iter_rows(named=True):
        for i, q in enumerate(quasi):
            assert row[q] in ancestors(trees[i], given_rows[row["rid"]][q], 2), (q, row[q])
    if sensitive:
        seen = defaultdict(set)
        for row in out.iter_rows(named=True):
            seen[tuple(row[q] for q in quasi)].add(row["s"])
        assert all(len(values) >= profile.l for values in seen.values())
    again = _protect(out, trees, sensitive, profile)
    assert sorted(again.frame.rows()) == sorted(out.rows()), "anonymising the output again changes nothing"
    assert again.suppressed == 0


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=5), st.data())
def test_the_search_finds_exactly_the_k_minimal_nodes(heights: list[int], data: st.DataObject) -> None:
    nodes = list(itertools.product(*(range(h) for h in heights)))
    generators = data.draw(st.lists(st.sampled_from(nodes), max_size=4))

    def passes(node: tuple[int, ...]) -> bool:  # monotone: above some generator
        return any(all(g <= n for g, n in zip(gen, node, strict=True)) for gen in generators)

    passing = [n for n in nodes if passes(n)]
    minimal = sorted((n for n in passing if not any(m != n and all(a <= b for a, b in zip(m, n, strict=True))
                                                     for m in passing)), key=lambda n: (sum(n), n))
    assert Search(tuple(heights), passes).minimal() == minimal


def test_a_finished_search_lets_its_callers_tables_go_without_waiting_for_the_garbage_collector() -> None:
    class Tables:
        """Stands for the count tables a search's `passes` reads (~100 MB at a million records)."""

    def search_once() -> weakref.ref[Tables]:
        tables = Tables()

        def passes(node: tuple[int, ...]) -> bool:  # as `kanonymity.choose`'s: reads the tables and the search
            return tables is not None and node not in search.state and sum(node) >= 2

        search = Search((3, 3), passes)
        assert search.minimal() == [(0, 2), (1, 1), (2, 0)]
        return weakref.ref(tables)

    gc.disable()  # freed by reference counting alone: no cycle left behind
    try:
        assert search_once()() is None
    finally:
        gc.enable()


def _brute_force(frame: pl.DataFrame, trees: list, sensitive: bool, profile: Profile) -> tuple[int, ...] | None:
    """The least lossy k-minimal node, every node of the lattice judged by counting rows, losses as fractions."""
    quasi = [f"q{i}" for i in range(len(trees))]
    depths = [max(map(len, chains.values())) for chains in trees]
    n, width = frame.height, len(trees)

    def at(i: int, value: str | None, level: int) -> str | None:
        shown = value[1:] if value is not None and value.startswith("~") else value
        if level == 0 or value is None or value.startswith("~"):
            return SUPPRESSED if level == depths[i] + 1 else shown
        return SUPPRESSED if level == depths[i] + 1 else trees[i][value][level - 1]

    leaves = [sorted(set(frame[q].to_list()), key=str) for q in quasi]

    def penalty(i: int, label: str | None, level: int) -> Fraction:
        observed = max(len(leaves[i]) - 1, 1)
        if level == depths[i] + 1:
            return Fraction(1)
        return Fraction(sum(at(i, leaf, level) == label for leaf in leaves[i]) - 1, observed)

    rows = frame.rows(named=True)
    outcome: dict[tuple[int, ...], Fraction | None] = {}
    for node in itertools.product(*(range(d + 2) for d in depths)):
        members: dict[tuple, list[dict]] = defaultdict(list)
        for row in rows:
            members[tuple(at(i, row[q], node[i]) for i, q in enumerate(quasi))].append(row)
        kept = {key: group for key, group in members.items()
                if len(group) >= profile.k and (not sensitive or len({r["s"] for r in group}) >= profile.l)}
        suppressed = n - sum(map(len, kept.values()))
        if suppressed > math.floor(n * profile.suppression / 100 + 1e-9):
            outcome[node] = None
            continue
        cost = sum((len(group) * penalty(i, key[i], node[i]) for key, group in kept.items() for i in range(width)),
                   Fraction(0))
        outcome[node] = (cost + suppressed * width) / max(n * width, 1)
    below = lambda node: [node[:i] + (node[i] - 1,) + node[i + 1:] for i in range(width) if node[i]]  # noqa: E731
    minimal = [node for node, loss in outcome.items()
               if loss is not None and all(outcome[p] is None for p in below(node))]
    return min(minimal, key=lambda node: (outcome[node], sum(node), node)) if minimal else None


@settings(max_examples=150, deadline=None)
@given(dataset())
def test_the_node_chosen_is_the_least_lossy_k_minimal_one_by_brute_force(case) -> None:  # noqa: ANN001
    frame, trees, sensitive, profile = case
    expected = _brute_force(frame, trees, sensitive, profile)
    try:
        protected = _protect(frame, trees, sensitive, profile)
    except Refused:
        assert expected is None
        return
    assert expected is not None
    depths = [max(map(len, chains.values())) for chains in trees]
    names = [("value", *(f"level {j}" for j in range(1, d + 1)), "suppressed") for d in depths]
    assert protected.levels == {f"q{i}": names[i][level] for i, level in enumerate(expected)}


@settings(max_examples=80, deadline=None)
@given(dataset(), st.sampled_from([None, 0]), st.sampled_from([None, 3]), st.booleans(),
       st.randoms(use_true_random=False))
def test_every_node_s_classes_are_counted_alike_however_they_are_rolled_up(case, dense, budget, wide, rnd) -> None:  # noqa: ANN001
    frame, trees, sensitive, profile = case
    with mock.patch.object(counts_module, "NARROW", 0 if wide else counts_module.NARROW):  # wide: 64-bit keys
        _check_every_node(frame, trees, sensitive, profile, dense, budget, rnd)


def _check_every_node(frame, trees, sensitive, profile, dense, budget, rnd) -> None:  # noqa: ANN001
    """Every node's classes, counted in a random order, against a plain count of the rows' ancestors."""
    hierarchies = [explicit(f"q{i}", chains) for i, chains in enumerate(trees)]
    columns = [f"q{i}" for i in range(len(trees))]
    encoded = encode(frame, hierarchies, {q: frame[q] for q in columns}, ["s"] if sensitive else [])
    counts = Counts(encoded, budget=budget, dense=dense)  # dense 0: every count by group-by; budget 3: evictions
    nodes = list(itertools.product(*(range(h.height) for h in hierarchies)))
    rnd.shuffle(nodes)
    for node in nodes:
        expected: dict[tuple, list] = defaultdict(list)
        for row in frame.iter_rows(named=True):
            key = tuple(hierarchies[i].ancestors(row[q])[node[i]] for i, q in enumerate(columns))
            expected[key].append(row.get("s"))
        got = counts.classes(node, profile)
        labels = [encoded.columns[i].labels[level] for i, level in enumerate(node)]
        seen = {tuple(labels[i][code] for i, code in enumerate(row[:len(columns)])): row[len(columns):]
                for row in got.select(*encoded.codes, SIZE, *(["l0"] if sensitive else [])).iter_rows()}
        assert seen == {key: (len(values), *([len(set(values))] if sensitive else []))
                        for key, values in expected.items()}, node


def test_the_least_lossy_node_is_chosen_among_the_k_minimal_ones() -> None:
    # q0 alone is unique per row, q1 is shared: generalising q0 to its group is the only small change that works.
    frame = pl.DataFrame({"q0": ["a", "b", "c", "d"], "q1": ["x", "x", "x", "x"]})
    protected = protect(frame, [explicit("q0", {"a": ("ab",), "b": ("ab",), "c": ("cd",), "d": ("cd",)}),
                                explicit("q1", {"x": ("y",)})], [], Profile(2, 0, 1))
    assert protected.levels == {"q0": "level 1", "q1": "value"}
    assert sorted(protected.frame["q0"].to_list()) == ["ab", "ab", "cd", "cd"]
    assert protected.after.smallest == 2 and protected.before.uniques == 4 and protected.after.uniques == 0


def test_every_row_holds_the_generalised_values_compactly_and_the_same_texts() -> None:
    """The export's frame of every record holds generalised values as an Enum (a byte a row, not a 16-byte text),
    the same texts as the kept records' frame; the anonymised table reads them back as text."""
    frame = pl.DataFrame({"q0": ["a", "b", "c", "d", None], "q1": ["x", "x", "x", "x", "x"]})
    protected = protect(frame, [explicit("q0", {"a": ("ab",), "b": ("ab",), "c": ("cd",), "d": ("cd",)}),
                                explicit("q1", {"x": ("y",)})], [], Profile(2, 0, 100))
    every = protected.every_row()
    assert isinstance(every.schema["q0"], pl.Enum) and every["q0"].to_physical().dtype == pl.UInt8
    kept = every.filter(protected.keep)
    assert kept["q0"].cast(pl.String).to_list() == protected.frame["q0"].to_list()
    assert AnonymisedTable((), every).frame.schema["q0"] == pl.String
    assert [part.schema["q0"] for part in AnonymisedTable((), every).slices(2)] == [pl.String] * 3


def test_data_k_anonymous_as_it_is_is_kept_whole_after_judging_one_node() -> None:
    # Every class of the data as it is has two records and two distinct sensitive values: nothing to generalise.
    frame = pl.DataFrame({"q0": ["a", "a", "b", "b"], "q1": ["x", "x", "x", "x"], "s": [1, 2, 1, 2]})
    hierarchies = [explicit("q0", {"a": ("ab",), "b": ("ab",)}), explicit("q1", {"x": ("y",)})]
    protected = protect(frame, hierarchies, ["s"], Profile(2, 0, 2))
    assert protected.levels == {"q0": "value", "q1": "value"} and protected.keep.to_list() == [True] * 4
    assert (protected.loss, protected.evaluated, protected.suppressed) == (0.0, 1, 0)
    assert protected.after.smallest == 2 and protected.l_achieved == 2
    # k = 1: the data as it is, whatever it holds
    protected = protect(frame, hierarchies, ["s"], Profile(1, 0, 1))
    assert protected.levels == {"q0": "value", "q1": "value"} and protected.evaluated == 1
    assert protected.keep.to_list() == [True] * 4 and protected.before.uniques == 0


@pytest.mark.parametrize(("value", "spec", "whole", "expected"), [
    (37, Bands(10), True, "30-39"), (37.5, Bands(10), False, "[30, 40)"), (82, Bands(10, top=80), True, "80+"),
    (12, Bands(10, bottom=18), True, "<18"), (5, Bands((10, 30)), True, "<10"), (12, Bands((10, 30)), True, "10-29"),
    (30, Bands((10, 30)), True, "30+"), (25, Bands(10, top=30), True, "20-29"),
])
def test_numbers_fall_in_their_band(value: float, spec: Bands, whole: bool, expected: str) -> None:
    assert band(value, spec, whole) == expected


@pytest.mark.parametrize(("k", "suppression", "l"), [(0, 5, 2), (5, 150, 2), (5, -1, 2), (5, 5, 0)])
def test_a_profile_that_means_nothing_is_refused(k: int, suppression: float, l: int) -> None:  # noqa: E741
    with pytest.raises(ProfileInvalid):
        Profile(k, suppression, l)


# --- the questionnaire: roles declared, checked by `survey validate` -----------------------------------------

HEAD = """\
id: essai
version: "1"
title: Essai
privacy_notice: p
disclosure: {submitted_date: none, version: none}
pages:
  - id: p
    questions:
"""


def problems(questions: str, head: str = HEAD, base_dir: Path | None = None) -> list[str]:
    """The problems `survey validate` reports for a questionnaire with these questions."""
    text = head + textwrap.indent(textwrap.dedent(questions), " " * 6)
    try:
        parse_questionnaire(text, "essai.yaml", base_dir)
    except QuestionnaireInvalid as exc:
        return [str(p) for p in exc.problems]
    return []


def test_a_hierarchy_with_a_value_without_parent_is_located(tmp_path: Path) -> None:
    (tmp_path / "quartiers.csv").write_text("code,label,commune\nnord,Nord,a\nsud,Sud,\n", encoding="utf-8")
    found = problems("""\
        - name: quartier
          type: dropdown
          label: Quartier
          choices_from: quartiers.csv
          disclosure: {quasi_identifier: [commune]}
        """, base_dir=tmp_path)
    assert found == ["essai.yaml:13: question 'quartier': `disclosure`: broken hierarchy: level 1: choice `sud` has "
                     "no `commune` — every value needs a parent up to the top level: fill the `commune` column (or "
                     "`data`) — fix the levels as the README's “Disclosure roles” describes, or list fewer levels"]


def test_groups_must_cover_every_value_once() -> None:
    found = problems("""\
        - name: age
          type: single_choice
          label: Âge
          choices: [{code: a, label: A}, {code: b, label: B}, {code: c, label: C}]
          disclosure: {quasi_identifier: [{group: {ab: [a, b]}}]}
        """)
    assert len(found) == 1 and "`c` is in no group" in found[0] and found[0].startswith("essai.yaml:13:")


def test_a_quasi_identifier_also_marked_identifier_is_refused() -> None:
    both = problems("""\
        - name: age
          type: integer
          label: Âge
          disclosure: {quasi_identifier: [], identifier: []}
        """)
    email = problems("""\
        - name: courriel
          type: email
          label: Courriel
          disclosure: quasi_identifier
        """)
    assert len(both) == 1 and "`quasi_identifier` and `identifier` both given" in both[0]
    assert len(email) == 1 and "a `email` question is an identifier" in email[0]


def test_levels_that_do_not_fit_the_column_are_refused() -> None:
    found = problems("""\
        - name: age
          type: integer
          label: Âge
          disclosure: {quasi_identifier: [month]}
        - name: jour
          type: date
          label: Jour
          disclosure: {quasi_identifier: [quarter, month]}
        - name: nombre
          type: integer
          label: Nombre
          disclosure: {quasi_identifier: [{bands: 0}]}
        """)
    assert [p.split(":")[1] for p in found] == ["12", "16", "20"], found
    assert "needs choices" in found[0] and "finest first" in found[1] and "above 0" in found[2]


def test_profiles_asking_nothing_sensible_are_located() -> None:
    head = HEAD.replace("disclosure: {submitted_date: none, version: none}",
                        "disclosure:\n  version: none\n  profiles:\n    zero: {k: 0, suppression: 150}")
    found = problems("- {name: x, type: yes_no, label: X, disclosure: none}\n", head)
    assert len(found) == 2 and all(p.startswith("essai.yaml:8:") for p in found), found
    assert "k = 0" in found[0] and "150" in found[1]


def test_the_examples_declare_every_column() -> None:
    for path in EXAMPLE_QUESTIONNAIRES:
        anonymise(load_questionnaire(path), [])  # raises Undeclared otherwise


# --- exports: fail closed, no identifier, no shared id, k-anonymous -------------------------------------------

def declared(**roles: object) -> Questionnaire:
    """A questionnaire with an e-mail (identifier), a commune and an age as quasi-identifiers, a sensitive trust."""
    questions = [
        {"name": "courriel", "type": "email", "label": "Courriel"},
        {"name": "commune", "type": "single_choice", "label": "Commune",
         "choices": [{"code": c, "label": c, "data": {"interco": "cc" if c < "c" else "dd"}} for c in "abcd"],
         "disclosure": {"quasi_identifier": ["interco"]}},
        {"name": "age", "type": "integer", "label": "Âge", "special_answers": ["prefer_not_to_say"],
         "disclosure": {"quasi_identifier": [{"bands": 10}, {"bands": [30, 60]}]}},
        {"name": "confiance", "type": "likert", "label": "Confiance", "scale": ["-", "=", "+"],
         "disclosure": "sensitive"},
    ]
    for question in questions:
        if question["name"] in roles:
            question["disclosure"] = roles[question["name"]]
    return Questionnaire.model_validate({
        "id": "roles", "version": "1", "title": "Rôles", "privacy_notice": "p",
        "disclosure": {"submitted_date": {"quasi_identifier": ["month"]}, "version": "none"},
        "pages": [{"id": "p", "questions": questions}]})


answers = st.fixed_dictionaries({}, optional={
    "courriel": st.sampled_from(["ana@example.fr", "bob@example.fr"]),
    "commune": st.sampled_from("abcd"),
    "age": st.one_of(st.integers(16, 90), st.just({"special": "prefer_not_to_say"})),
    "confiance": st.integers(1, 3),
})
records = st.lists(st.builds(lambda i, a, d: ResponseRecord(f"resp_{i}", "1", d, a), st.integers(0, 10**9),
                             answers, st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2026, 4, 30))),
                   max_size=80, unique_by=lambda r: r.response_id)


@settings(max_examples=60, deadline=None)
@given(records, st.integers(1, 6), st.sampled_from([0, 5, 25]), st.integers(1, 3))
def test_an_export_is_refused_or_k_anonymous_without_identifiers_nor_shared_ids(recs, k, s, l) -> None:  # noqa: ANN001, E741
    profile = Profile(k, s, l)
    try:
        first = anonymise(declared(), recs, profile=profile)
    except Refused:
        assert len(recs) < k or len({r.answers.get("confiance") for r in recs}) < l
        return
    second = anonymise(declared(), recs, profile=profile)
    header = first.header
    assert "courriel" not in header and not any("@" in str(cell) for row in first.rows for cell in row)
    rows = [dict(zip(header, row, strict=True)) for row in first.rows]
    classes = Counter((r["submitted_date"], r["commune"], r["age"]) for r in rows)
    assert all(size >= k for size in classes.values())
    assert len(recs) - len(rows) <= len(recs) * s / 100
    assert not {r["export_id"] for r in rows} & {row[0] for row in second.rows}, "two exports share no id"
    assert first.report["records"]["in"] == len(recs) and first.report["records"]["out"] == len(rows)


def test_an_undeclared_column_refuses_the_export_naming_it_and_its_line(tmp_path: Path) -> None:
    path = tmp_path / "sans-role.yaml"
    path.write_text(HEAD.replace("id: essai", "id: sans-role") + textwrap.indent(textwrap.dedent("""\
        - {name: vu, type: yes_no, label: Vu, disclosure: none}
        - name: age
          type: integer
          label: Âge
        """), " " * 6), encoding="utf-8")
    questionnaire = load_questionnaire(path)
    with pytest.raises(Undeclared) as caught:
        anonymise(questionnaire, [])
    assert caught.value.missing == [("age", "age")]
    store = Store.from_url(f"sqlite:///{tmp_path / 'q.db'}")
    store.migrate()
    store.load(questionnaire, source=str(path))
    with pytest.raises(deliverables.ExportError) as refused:
        deliverables.write_export(store, "sans-role", "csv", tmp_path / "x.zip")
    assert f"{path}:10: question 'age' (column age)" in str(refused.value)
    assert not (tmp_path / "x.zip").exists()


def test_repeat_items_of_a_suppressed_person_go_with_them() -> None:
    questionnaire = Questionnaire.model_validate({
        "id": "r", "version": "1", "title": "R", "privacy_notice": "p",
        "disclosure": {"submitted_date": "none", "version": "none"},
        "pages": [{"id": "p", "questions": [
            {"name": "commune", "type": "single_choice", "label": "C", "disclosure": "quasi_identifier",
             "choices": [{"code": "a", "label": "A"}, {"code": "rare", "label": "Rare"}]},
            {"name": "enfants", "type": "repeat", "label": "E", "disclosure": "none", "questions": [
                {"name": "age_enfant", "type": "integer", "label": "Âge", "disclosure": "none"}]}]}]})
    when = dt.datetime(2026, 3, 1)
    recs = [ResponseRecord(f"r{i}", "1", when, {"commune": "a", "enfants": [{"age_enfant": i}]}) for i in range(20)]
    recs.append(ResponseRecord("rare", "1", when, {"commune": "rare", "enfants": [{"age_enfant": 99}] * 3}))
    table = anonymise(questionnaire, recs, profile=Profile(5, 5, 2))
    assert table.frame.height == 20 and set(table.frame["commune"]) == {"a"}, "the rare one suppressed (1 of 21)"
    items = table.repeats["enfants"].frame
    assert items.height == 20 and 99 not in items["age_enfant"].to_list()
    assert set(items["export_id"]) == set(table.frame["export_id"])
    # The suppressed record is never read back: not by height, not slice by slice, not in the written file.
    assert table.height == 20 and sum(part.height for part in table.slices(3)) == 20
    written = list(csv.DictReader(io.StringIO(dataset_csv(table).decode("utf-8-sig"))))
    assert len(written) == 20 and {row["commune"] for row in written} == {"a"}


def test_survey_export_of_the_example_is_k_anonymous_on_its_declared_columns(tmp_path: Path) -> None:
    questionnaire = load_questionnaire(ROOT / "questionnaires" / "budget-participatif-habitants.yaml")
    store = Store.from_url(f"sqlite:///{tmp_path / 'e2e.db'}")
    store.migrate()
    store.load(questionnaire)
    loaded = store.current(questionnaire.id)
    store.store_many(loaded.version_id, synthetic_responses(loaded.questionnaire, 400, 5,  # type: ignore[union-attr]
                                                            dt.datetime(2026, 6, 1, tzinfo=dt.UTC)))
    from typer.testing import CliRunner

    from survey.cli import app

    out = tmp_path / "bp.zip"
    result = CliRunner(env={"SURVEY_DATABASE_URL": f"sqlite:///{tmp_path / 'e2e.db'}"}).invoke(
        app, ["export", questionnaire.id, "-o", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        rows = list(csv.DictReader(io.StringIO(archive.read(f"{questionnaire.id}.csv").decode("utf-8-sig"))))
        report = json.loads(archive.read("rapport-anonymisation.json"))
    quasi = ["submitted_date", *(q.name for q in questionnaire.all_questions()
                                 if q.disclosure is not None and q.disclosure.role == "quasi_identifier")]
    assert set(quasi) == set(report["roles"]["quasi_identifiers"])
    classes = Counter(tuple(row[q] for q in quasi) for row in rows)
    assert min(classes.values()) >= 5 and report["k_achieved"] == min(classes.values())
    assert 400 - len(rows) <= 20 and report["records"]["out"] == len(rows)
    assert report["classification"] == "anonymised" and set(report["g29"]) == {"singling_out", "linkability",
                                                                               "inference"}
    assert "commentaire" not in rows[0] and "anonymised: k = " in result.output


# --- the staff job page: the report before the download, a profile that means nothing in one line --------------

def _job_page(client, store: Store, responses: int, **fields: str) -> str:  # noqa: ANN001
    """Post the export form of the budget questionnaire with `fields`, and wait for the job to finish."""
    import re
    import time

    from tests.conftest import add_staff, csrf_of, login, post_form

    questionnaire = load_questionnaire(ROOT / "questionnaires" / "budget-participatif-habitants.yaml")
    store.load(questionnaire)
    loaded = store.current(questionnaire.id)
    store.store_many(loaded.version_id, synthetic_responses(loaded.questionnaire, responses, 3,  # type: ignore[union-attr]
                                                            dt.datetime(2026, 6, 1, tzinfo=dt.UTC)))
    add_staff(store, "consultante@example.fr", Role.CONSULTANT, [questionnaire.mission.id])  # type: ignore[union-attr]
    login(client, "consultante@example.fr")
    form = client.get(f"/staff/q/{questionnaire.id}").text
    assert 'name="k"' in form and 'name="profile"' in form and "diffusion" in form
    started = post_form(client, f"/staff/q/{questionnaire.id}/export",
                        [("_csrf_token", csrf_of(form)), ("format", "csv"), *fields.items()], follow_redirects=False)
    assert started.status_code == 303, started.text
    deadline = time.monotonic() + 60
    while '/static/job.js' in (page := client.get(started.headers["location"]).text):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert not re.search(r"Traceback|Internal Server Error", page)
    return page


def test_the_job_page_shows_the_risk_report_before_the_download(client, store: Store) -> None:  # noqa: ANN001
    page = _job_page(client, store, 120, profile="diffusion")
    assert page.index("Rapport d’anonymisation") < page.index("/file\"")
    assert "Individualisation" in page and "Corrélation" in page and "Inférence" in page
    assert "diffusion : k = 10" in page and "Anonymisé" in page


def test_a_job_asking_k_0_fails_with_one_line_and_no_file(client, store: Store) -> None:  # noqa: ANN001
    page = _job_page(client, store, 10, k="0")
    assert "export profile: k = 0" in page and "/file\"" not in page


def test_a_form_with_many_undeclared_questions_is_refused_in_one_readable_line(tmp_path: Path) -> None:
    path = tmp_path / "sans-roles.yaml"
    questions = "".join(f"- {{name: q{i:02d}, type: multiple_choice, label: Q{i}, choices: [{{code: a, label: A}}, "
                        f"{{code: b, label: B}}]}}\n" for i in range(15))
    path.write_text(HEAD.replace("id: essai", "id: sans-roles") + textwrap.indent(questions, " " * 6),
                    encoding="utf-8")
    store = Store.from_url(f"sqlite:///{tmp_path / 'q.db'}")
    store.migrate()
    store.load(load_questionnaire(path), source=str(path))
    with pytest.raises(deliverables.ExportError) as refused:
        deliverables.write_export(store, "sans-roles", "csv", tmp_path / "x.zip")
    message = str(refused.value)
    assert "\n" not in message and message.startswith("export refused: 15 question(s)")
    assert f"{path}:9: question 'q00' (columns q00__a, q00__b)" in message  # one entry per question, located
    assert "q09" in message and "q10" not in message and message.count("question 'q") == 10
    assert "; and 5 more — give each a `disclosure:`" in message
