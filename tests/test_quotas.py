"""Quotas: declared and checked in the questionnaire file, placed by a pure function, counted exactly in the store."""

from __future__ import annotations

import textwrap
import threading
from collections import Counter
from itertools import product
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from survey.errors import QuestionnaireInvalid
from survey.quotas import Placement, QuotaFull, decided, first_full, placements
from survey.schema import parse_questionnaire
from survey.store import Store
from survey.store_responses import ResponseFilter

QUARTIERS = ("centre", "nord", "sud")
AGES = ("moins_30", "30_59", "60_plus")
CELLS = list(product(QUARTIERS, AGES))

QUOTA_YAML = textwrap.dedent("""\
    id: quota-test
    version: "1"
    title: Quotas
    privacy_notice: Vos réponses restent anonymes.
    mission: {id: mission-quota, name: Mission quotas}
    pages:
      - id: profil
        questions:
          - name: quartier
            type: single_choice
            label: Votre quartier
            choices: [{code: centre, label: Centre}, {code: nord, label: Nord}, {code: sud, label: Sud}]
          - name: age
            type: dropdown
            label: Votre âge
            special_answers: [prefer_not_to_say]
            choices: [{code: moins_30, label: Moins de 30 ans}, {code: 30_59, label: 30 à 59 ans},
                      {code: 60_plus, label: 60 ans et plus}]
      - id: avis
        questions:
          - {name: habitant, type: yes_no, label: Habitez-vous la commune}
          - {name: avis, type: long_text, label: Votre avis}
    quotas:
      - name: total
        limit: 20
        message: {fr: Nous avons reçu toutes les réponses attendues.}
      - name: quartier_age
        questions: [quartier, age]
        limit: 3
        cells:
          - when: {quartier: centre, age: 60_plus}
            limit: 1
        message: Merci ! Nous avons assez de réponses de votre quartier et de votre âge.
    """)
QUESTIONNAIRE = parse_questionnaire(QUOTA_YAML, "quota-test.yaml")


def _problems(text: str) -> list[str]:
    with pytest.raises(QuestionnaireInvalid) as caught:
        parse_questionnaire(text, "q.yaml")
    return [str(problem) for problem in caught.value.problems]


def test_a_quotas_block_is_read_with_its_cells_and_messages() -> None:
    total, crossed = QUESTIONNAIRE.quotas
    assert (total.name, total.questions, total.limit) == ("total", [], 20)
    assert crossed.questions == ["quartier", "age"]
    assert crossed.limit_of("centre|60_plus") == 1
    assert crossed.limit_of("nord|60_plus") == 3


def test_validate_locates_unknown_non_choice_and_repeated_quota_questions() -> None:
    broken = QUOTA_YAML.replace("questions: [quartier, age]", "questions: [quartiers, avis, habitant, habitant]")
    problems = _problems(broken)
    line = 1 + broken.splitlines().index("    questions: [quartiers, avis, habitant, habitant]")
    assert f"q.yaml:{line}: `quotas`: quota `quartier_age`: no question is named `quartiers` — name a question of " \
           "the questionnaire (did you mean `quartier`?)" in problems
    assert any(p.startswith(f"q.yaml:{line}: `quotas`: `avis` (type `long_text`) does not split respondents")
               for p in problems)
    assert f"q.yaml:{line}: `quotas`: quota `quartier_age` names `habitant` twice — name each question once" \
           in problems


def test_validate_checks_each_cell_gives_a_known_code_for_every_question() -> None:
    broken = QUOTA_YAML.replace("when: {quartier: centre, age: 60_plus}", "when: {quartier: ouest, age: 60_plus}")
    broken = broken.replace("    message: Merci !", "      - when: {quartier: nord}\n        limit: 2\n"
                                                    "    message: Merci !")
    problems = _problems(broken)
    lines = broken.splitlines()
    ouest = 1 + next(i for i, text in enumerate(lines) if "ouest" in text)
    nord = 1 + next(i for i, text in enumerate(lines) if "when: {quartier: nord}" in text)
    assert f"q.yaml:{ouest}: `quotas`: `ouest` is not a code of `quartier` — use one of: centre, nord, sud" \
           in problems
    assert f"q.yaml:{nord}: `quotas`: the cell gives no code for `age` — give one code for each of: quartier, " \
           "age" in problems


def test_validate_refuses_a_quota_named_twice_and_a_misspelt_field() -> None:
    misspelt = _problems(QUOTA_YAML.replace("    limit: 20", "    limt: 20"))
    assert any("unknown field `limt` — remove it or fix its spelling (did you mean `limit`?)" in p for p in misspelt)
    twice = QUOTA_YAML.replace("  - name: quartier_age", "  - name: total")
    line = 1 + max(i for i, text in enumerate(twice.splitlines()) if text == "  - name: total")
    assert _problems(twice) == [f"q.yaml:{line}: `quotas`: the name `total` is used twice — give each quota its own "
                                "`name`"]


ANSWER = st.fixed_dictionaries({}, optional={
    "quartier": st.sampled_from(QUARTIERS), "age": st.sampled_from(AGES) | st.just({"special": "prefer_not_to_say"}),
    "habitant": st.booleans()})


@given(ANSWER)
def test_a_complete_response_falls_in_the_total_and_in_its_quartier_age_cell_when_both_are_answered(answers) -> None:
    found = {p.quota: p for p in placements(QUESTIONNAIRE, answers)}
    assert found["total"] == Placement("total", "", 20)
    quartier, age = answers.get("quartier"), answers.get("age")
    if isinstance(quartier, str) and isinstance(age, str):
        limit = 1 if (quartier, age) == ("centre", "60_plus") else 3
        assert found["quartier_age"] == Placement("quartier_age", f"{quartier}|{age}", limit)
    else:  # a missing or special answer: in no cell of that quota
        assert "quartier_age" not in found


@given(ANSWER)
def test_a_quota_is_decided_only_once_its_questions_are_behind_the_respondent(answers) -> None:
    assert [p.quota for p in decided(QUESTIONNAIRE, answers, [])] == ["total"]
    assert decided(QUESTIONNAIRE, answers, ["quartier"]) == decided(QUESTIONNAIRE, answers, [])
    assert decided(QUESTIONNAIRE, answers, ["quartier", "age"]) == placements(QUESTIONNAIRE, answers)


def test_the_first_full_cell_is_the_one_whose_count_reached_its_limit() -> None:
    cells = [Placement("total", "", 20), Placement("quartier_age", "centre|60_plus", 1)]
    assert first_full(cells, {("total", ""): 19, ("quartier_age", "centre|60_plus"): 0}) is None
    assert first_full(cells, {("quartier_age", "centre|60_plus"): 1}) == cells[1]


# --- counting in the store, on both databases -------------------------------------------------------------------

def _version(store: Store) -> int:
    store.load(QUESTIONNAIRE)
    return store.current(QUESTIONNAIRE.id).version_id  # type: ignore[union-attr]


def _answers(quartier: str = "nord", age: str = "30_59") -> dict:
    return {"quartier": quartier, "age": age, "habitant": True, "avis": "Bien"}


def test_a_full_cell_refuses_the_response_and_stores_nothing(store: Store) -> None:
    version_id = _version(store)
    for key in ("a", "b", "c"):
        assert store.store_response(version_id, key, _answers())
    with pytest.raises(QuotaFull) as full:
        store.store_response(version_id, "d", _answers())
    assert full.value.place == Placement("quartier_age", "nord|30_59", 3)
    assert store.response_count(QUESTIONNAIRE.id) == 3
    assert store.quota_counts(QUESTIONNAIRE.id) == {("total", ""): 3, ("quartier_age", "nord|30_59"): 3}
    assert store.store_response(version_id, "e", _answers("sud"))  # another cell still has room
    assert not store.store_response(version_id, "e", _answers("sud"))  # the same form twice counts once
    assert store.quota_counts(QUESTIONNAIRE.id)[("total", "")] == 4


def test_deleting_or_marking_test_frees_a_place_and_marking_real_takes_it_back(store: Store) -> None:
    version_id = _version(store)
    assert store.store_response(version_id, "only", _answers("centre", "60_plus"))
    with pytest.raises(QuotaFull):
        store.store_response(version_id, "second", _answers("centre", "60_plus"))
    only = store.response_lines(QUESTIONNAIRE.id, ResponseFilter())[0].id
    store.set_response_status("cli:test", QUESTIONNAIRE.id, only, "test")
    assert store.quota_counts(QUESTIONNAIRE.id) == {("total", ""): 0, ("quartier_age", "centre|60_plus"): 0}
    assert store.store_response(version_id, "second", _answers("centre", "60_plus"))
    store.set_response_status("cli:test", QUESTIONNAIRE.id, only, "real")  # staff's decision: past the limit
    assert store.quota_counts(QUESTIONNAIRE.id)[("quartier_age", "centre|60_plus")] == 2
    store.delete_response("cli:test", QUESTIONNAIRE.id, only)
    store.delete_response("cli:test", QUESTIONNAIRE.id, only)  # already gone: nothing given back twice
    assert store.quota_counts(QUESTIONNAIRE.id) == {("total", ""): 1, ("quartier_age", "centre|60_plus"): 1}


def test_a_correction_moves_the_place_to_the_new_cell(store: Store) -> None:
    version_id = _version(store)
    store.store_response(version_id, "k", _answers("nord", "moins_30"))
    response_id = store.response_lines(QUESTIONNAIRE.id, ResponseFilter())[0].id
    store.correct_response("cli:test", QUESTIONNAIRE.id, response_id, "quartier",
                           lambda answers: {**answers, "quartier": "sud"})
    assert store.quota_counts(QUESTIONNAIRE.id) == {
        ("total", ""): 1, ("quartier_age", "nord|moins_30"): 0, ("quartier_age", "sud|moins_30"): 1}


def test_synthetic_responses_take_no_place(store: Store) -> None:
    import datetime as dt

    version_id = _version(store)
    at = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    store.store_many(version_id, [(f"s{i}", _answers(), at) for i in range(10)], status="synthetic")
    assert store.quota_counts(QUESTIONNAIRE.id) == {}
    for key in ("a", "b", "c"):
        assert store.store_response(version_id, key, _answers())


def test_sixteen_clients_racing_for_the_last_places_never_exceed_a_quota(store: Store, tmp_path: Path) -> None:
    """16 threads, each with its own engine and connections, submit at once: per cell and in total, exactly as
    many responses are stored as there were places; every other client is told the quota is full."""
    version_id = _version(store)
    store.store_response(version_id, "first", _answers("sud", "60_plus"))  # 2 places left in sud|60_plus
    url = store.engine.url.render_as_string(hide_password=False)
    clients = [Store.from_url(url) for _ in range(16)]
    start = threading.Barrier(16)
    outcome: dict[int, list[str]] = {i: [] for i in range(16)}

    def run(i: int) -> None:
        start.wait()
        for round_ in range(3):  # each client tries the crowded cell and one of the others, in turn
            quartier, age = ("sud", "60_plus") if round_ == 0 else CELLS[(2 * i + round_ - 1) % 9]
            try:
                stored = clients[i].store_response(version_id, f"c{i}-{round_}", _answers(quartier, age))
                outcome[i].append("stored" if stored else "duplicate")
            except QuotaFull as full:
                outcome[i].append(f"full:{full.place.quota}")

    threads = [threading.Thread(target=run, args=(i,)) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for client in clients:
        client.engine.dispose()
    stored = [(r.answers["quartier"], r.answers["age"]) for r in store.responses(QUESTIONNAIRE.id)]
    limits = {f"{q}|{a}": (1 if (q, a) == ("centre", "60_plus") else 3) for q, a in product(QUARTIERS, AGES)}
    per_cell = {cell: sum(1 for q, a in stored if f"{q}|{a}" == cell) for cell in limits}
    assert all(per_cell[cell] <= limits[cell] for cell in limits), per_cell
    # Had the total (20) never filled, every cell would hold min(attempts, limit); that is more than 20, so the
    # total must be exactly full, whatever order the clients came in.
    tried = Counter(["sud|60_plus"] * 17 + ["|".join(CELLS[(2 * i + r - 1) % 9]) for i in range(16) for r in (1, 2)])
    assert sum(min(n, limits[cell]) for cell, n in tried.items()) > 20
    assert len(stored) == 20
    refused = sum(1 for tries in outcome.values() for result in tries if result.startswith("full"))
    assert refused == 16 * 3 + 1 - 20
    # every cell that refused someone is full; the counters say what the table holds
    counts = store.quota_counts(QUESTIONNAIRE.id)
    assert counts[("total", "")] == len(stored)
    assert {cell: n for (quota, cell), n in counts.items() if quota == "quartier_age" and n} == \
           {cell: n for cell, n in per_cell.items() if n}


def test_a_full_cell_refuses_an_invited_response_and_leaves_the_link_open(store: Store) -> None:
    from survey.contacts import Contact

    version_id = _version(store)
    store.store_response(version_id, "before", _answers("centre", "60_plus"))  # the cell's one place
    store.add_invitations("cli:test", QUESTIONNAIRE.id, [Contact("a@example.fr")])
    invitation = store.invitations(QUESTIONNAIRE.id)[0]
    with pytest.raises(QuotaFull):
        store.store_invited_response(invitation.id, version_id, "invited", _answers("centre", "60_plus"))
    assert store.response_count(QUESTIONNAIRE.id) == 1
    assert not store.invitations(QUESTIONNAIRE.id)[0].completed
    assert store.store_invited_response(invitation.id, version_id, "invited", _answers("nord")) == "stored"
    assert store.quota_counts(QUESTIONNAIRE.id)[("total", "")] == 2


OPERATIONS = st.lists(st.tuples(st.sampled_from(["store", "delete", "test", "real", "correct"]),
                                st.integers(0, 30), st.sampled_from(CELLS)), min_size=1, max_size=25)


def test_counts_equal_a_recount_of_real_responses_whatever_staff_do(sqlite_store: Store) -> None:
    """Responses stored, deleted, marked test or real again and corrected in any order: each cell's count is the
    number of real responses whose answers fall in it, counted here from the stored responses themselves."""
    from hypothesis import settings

    made = iter(range(10_000))

    @settings(max_examples=30, deadline=None)
    @given(OPERATIONS)
    def run(operations) -> None:  # noqa: ANN001
        questionnaire = QUESTIONNAIRE.model_copy(update={"id": f"quota-ops-{next(made)}"})
        sqlite_store.load(questionnaire)
        version_id = sqlite_store.current(questionnaire.id).version_id  # type: ignore[union-attr]
        for n, (kind, pick, (quartier, age)) in enumerate(operations):
            ids = sorted(line.id for line in sqlite_store.response_lines(questionnaire.id, ResponseFilter(status=None)))
            target = ids[pick % len(ids)] if ids else None
            if kind == "store":
                try:
                    sqlite_store.store_response(version_id, f"k{n}", _answers(quartier, age))
                except QuotaFull:
                    pass
            elif target is None:
                continue
            elif kind == "delete":
                sqlite_store.delete_response("cli:test", questionnaire.id, target)
            elif kind in ("test", "real"):
                sqlite_store.set_response_status("cli:test", questionnaire.id, target, kind)
            else:
                sqlite_store.correct_response("cli:test", questionnaire.id, target, "quartier",
                                              lambda answers, q=quartier: {**answers, "quartier": q})
        real = [sqlite_store.stored_response(questionnaire.id, line.id).answers  # type: ignore[union-attr]
                for line in sqlite_store.response_lines(questionnaire.id, ResponseFilter(), limit=1000)]
        expected = Counter(f"{a['quartier']}|{a['age']}" for a in real)
        counts = sqlite_store.quota_counts(questionnaire.id)
        assert {cell: n for (quota, cell), n in counts.items() if quota == "quartier_age" and n} == dict(expected)
        assert counts.get(("total", ""), 0) == len(real)

    run()
