"""Interview storage on SQLite and PostgreSQL: grid versions, numbering, revision-checked saves, coded passages
that follow their text, the audit trail of completed interviews, and recoding."""

from __future__ import annotations

import textwrap

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from survey.access import Role
from survey.schema.interview import InterviewGrid
from survey.store import Store
from survey.store_codebook import InterviewError, NewCode
from survey.store_interviews import CHANNELS

GRID = textwrap.dedent("""
    kind: interview
    id: entretiens-test
    version: "1"
    title: Entretiens de test
    mission: {id: mission-test, name: Mission de test}
    privacy_notice: Les notes restent au cabinet.
    profile:
      categories:
        - {code: elu, label: Élu·e}
        - {code: agent, label: Agent·e}
      sites:
        - {code: centre, label: Centre-ville}
        - {code: garenne, label: La Garenne}
    introduction:
      text: Nous évaluons la démarche.
      consent: Acceptez-vous que l'entretien soit enregistré ?
    themes:
      - id: enjeux
        title: Les enjeux
        duration: 10
        questions:
          - {id: enjeux_1, text: "Pourquoi cette démarche ?", prompts: ["Et pour qui ?"]}
          - {id: enjeux_2, text: "Qu'en attendiez-vous ?"}
        closed:
          - {name: satisfaction, type: single_choice, label: "Satisfait ?",
             choices: [{code: oui, label: Oui}, {code: non, label: Non}]}
      - id: suites
        title: Les suites
        duration: 5
        questions:
          - {id: suites_1, text: "Qu'est-ce qui a changé ?"}
    codebook:
      - code: enjeux
        label: Enjeux
        definition: Ce que la démarche doit changer.
        example: « On voulait renouer le lien. »
        children:
          - {code: enjeux.lien, label: Lien, definition: Renouer le lien., example: « renouer »}
          - {code: enjeux.legitimite, label: Légitimité, definition: Légitimer une décision., example: « légitime »}
      - {code: moyens, label: Moyens, definition: Budget et personnes., example: « pas de budget »}
""")


def grid(**changes: object) -> InterviewGrid:
    data = yaml.safe_load(GRID)
    data.update(changes)
    return InterviewGrid.model_validate(data)


@pytest.fixture
def loaded(store: Store) -> Store:
    assert store.load_grid(grid(), source="test.yaml") == "new"
    return store


def staff(store: Store, email: str = "enqueteur@example.org") -> int:
    return store.add_user(email, "x", Role.INTERVIEWER, ["mission-test"])


def test_a_grid_is_versioned_like_a_questionnaire_once_an_interview_follows_it(loaded: Store) -> None:
    assert loaded.load_grid(grid()) == "unchanged"
    assert loaded.load_grid(grid(title="Entretiens de test (bis)")) == "updated"  # no interview yet: in place
    assert list(loaded.grid_versions("entretiens-test")) == ["1"]
    interview = loaded.start_interview("entretiens-test", category="elu")
    assert loaded.load_grid(grid(title="Entretiens de test (ter)")) == "versioned"
    assert list(loaded.grid_versions("entretiens-test")) == ["1", "1+2"]
    current = loaded.grid("entretiens-test")
    assert current is not None and current.grid.version == "1+2" and current.grid.title == "Entretiens de test (ter)"
    followed = loaded.grid_version(interview.grid_version_id)
    assert followed is not None and followed.grid.title == "Entretiens de test (bis)"
    [listing] = loaded.grids()
    assert (listing.id, listing.mission_id, listing.version, listing.interviews) == (
        "entretiens-test", "mission-test", "1+2", 1)
    assert loaded.grids(missions=["another"]) == []
    assert loaded.grid_mission("entretiens-test") == "mission-test"


def test_interviews_are_numbered_per_category_for_pseudonyms(loaded: Store) -> None:
    numbers = [(i.category, i.number) for i in (
        loaded.start_interview("entretiens-test", category=c) for c in ("elu", "agent", "elu", "elu", "agent"))]
    assert numbers == [("elu", 1), ("agent", 1), ("elu", 2), ("elu", 3), ("agent", 2)]
    by_pseudonym = {(i.category, i.number): i for i in loaded.interviews("entretiens-test")}
    assert list(by_pseudonym) == [("agent", 1), ("agent", 2), ("elu", 1), ("elu", 2), ("elu", 3)]
    first = by_pseudonym[("elu", 1)]
    same = loaded.update_interview(first.id, None, category="elu", organisation="Mairie")
    assert (same.category, same.number, same.organisation) == ("elu", 1, "Mairie")  # same category: same number
    moved = loaded.update_interview(first.id, None, category="agent")
    assert (moved.category, moved.number) == ("agent", 3)


def test_interviews_started_at_once_get_distinct_numbers(loaded: Store) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        started = list(pool.map(lambda _: loaded.start_interview("entretiens-test", category="elu"), range(16)))
    assert sorted(i.number for i in started) == list(range(1, 17))


@pytest.mark.parametrize("fields, message", [
    ({"category": "maire"}, "category `maire` is not in the grid — use one of: elu, agent"),
    ({"category": "elu", "site": "ailleurs"}, "site `ailleurs` is not in the grid's list"),
    ({"category": "elu", "channel": "pigeon"}, f"channel `pigeon` — use one of: {', '.join(CHANNELS)}"),
])
def test_a_profile_outside_the_grid_is_refused_with_what_to_use(loaded: Store, fields: dict, message: str) -> None:
    with pytest.raises(InterviewError, match=message.replace("?", r"\?")):
        loaded.start_interview("entretiens-test", **fields)
    assert loaded.interviews("entretiens-test") == []


def test_a_save_on_a_stale_revision_is_a_conflict_with_the_stored_text_and_changes_nothing(loaded: Store) -> None:
    interview = loaded.start_interview("entretiens-test", category="elu")
    first = loaded.save_text(interview.id, "note:enjeux_1", "Tab A", base_revision=0, save_id="save-0001")
    assert (first.status, first.revision) == ("saved", 1)
    stale = loaded.save_text(interview.id, "note:enjeux_1", "Tab B", base_revision=0, save_id="save-0002")
    assert (stale.status, stale.revision, stale.body) == ("conflict", 1, "Tab A")
    second = loaded.save_text(interview.id, "note:enjeux_1", "Tab A, suite", base_revision=1, save_id="save-0003")
    assert (second.status, second.revision) == ("saved", 2)
    late = loaded.save_text(interview.id, "note:enjeux_1", "Tab B again", base_revision=1, save_id="save-0004")
    assert (late.status, late.revision, late.body) == ("conflict", 2, "Tab A, suite")
    again = loaded.interview(interview.id)
    assert again is not None and again.body("note:enjeux_1") == "Tab A, suite" and again.revision("note:enjeux_1") == 2


def test_a_resent_save_is_answered_with_the_revision_it_made_and_not_applied_twice(loaded: Store) -> None:
    interview = loaded.start_interview("entretiens-test", category="elu")
    made = loaded.save_text(interview.id, "summary:enjeux", "Synthèse", base_revision=0, save_id="resend-01")
    loaded.save_text(interview.id, "summary:enjeux", "Synthèse revue", base_revision=1, save_id="resend-02")
    resent = loaded.save_text(interview.id, "summary:enjeux", "Synthèse", base_revision=0, save_id="resend-01")
    assert (resent.status, resent.revision) == ("duplicate", made.revision)
    after = loaded.interview(interview.id)
    assert after is not None and after.texts["summary:enjeux"].revision == 2
    assert after.body("summary:enjeux") == "Synthèse revue"


def test_the_same_text_saved_from_two_tabs_is_no_conflict(loaded: Store) -> None:
    interview = loaded.start_interview("entretiens-test", category="elu")
    loaded.save_text(interview.id, "transcript", "Même texte", base_revision=0, save_id="same-0001")
    twin = loaded.save_text(interview.id, "transcript", "Même texte", base_revision=0, save_id="same-0002")
    assert (twin.status, twin.revision) == ("saved", 1)


@pytest.mark.parametrize("slot", ["note:inconnue", "summary:nulle-part", "closed:age", "profile", "note:"])
def test_a_slot_the_grid_does_not_have_is_refused(loaded: Store, slot: str) -> None:
    interview = loaded.start_interview("entretiens-test", category="elu")
    with pytest.raises(InterviewError, match="the interview's grid has no slot"):
        loaded.save_text(interview.id, slot, "x", base_revision=0, save_id="slot-0001")


def test_coded_passages_follow_their_text_and_a_vanished_one_is_kept_detached(loaded: Store) -> None:
    interview = loaded.start_interview("entretiens-test", category="elu")
    body = "Le maire voulait renouer le lien avec les habitants."
    loaded.save_text(interview.id, "note:enjeux_1", body, base_revision=0, save_id="anchor-01")
    [lien] = [c.id for c in loaded.codes("entretiens-test") if c.code == "enjeux.lien"]
    start = body.index("renouer le lien")
    segment = loaded.add_segment(interview.id, "note:enjeux_1", start, start + len("renouer le lien"),
                                 is_quote=True, code_ids=[lien], revision=1)
    assert (segment.text, segment.code_ids, segment.is_quote) == ("renouer le lien", (lien,), True)
    edited = "D'après lui, " + body
    loaded.save_text(interview.id, "note:enjeux_1", edited, base_revision=1, save_id="anchor-02")
    moved = loaded.segment(segment.id)
    assert moved is not None and (moved.start, moved.end) == (start + 13, start + 13 + 15)
    assert edited[moved.start:moved.end] == "renouer le lien"  # type: ignore[misc]
    loaded.save_text(interview.id, "note:enjeux_1", "Le maire parlait d'autre chose.", base_revision=2,
                     save_id="anchor-03")
    gone = loaded.segment(segment.id)
    assert gone is not None and gone.detached and gone.text == "renouer le lien" and gone.code_ids == (lien,)
    loaded.save_text(interview.id, "note:enjeux_1", "Il faut renouer le lien.", base_revision=3, save_id="anchor-04")
    back = loaded.segment(segment.id)
    assert back is not None and (back.start, back.end) == (8, 23)


def test_a_passage_is_marked_only_in_the_text_as_stored(loaded: Store) -> None:
    interview = loaded.start_interview("entretiens-test", category="elu")
    loaded.save_text(interview.id, "note:enjeux_1", "court", base_revision=0, save_id="mark-0001")
    with pytest.raises(InterviewError, match="outside the text"):
        loaded.add_segment(interview.id, "note:enjeux_1", 2, 40)
    with pytest.raises(InterviewError, match="the text changed since revision 0"):
        loaded.add_segment(interview.id, "note:enjeux_1", 0, 2, revision=0)


def test_every_edit_after_completion_is_audited_with_who_before_and_after(loaded: Store) -> None:
    interviewer = staff(loaded)
    interview = loaded.start_interview("entretiens-test", category="elu", interviewer_id=interviewer)
    loaded.save_text(interview.id, "note:suites_1", "avant", base_revision=0, save_id="audit-001", staff_id=interviewer)
    assert loaded.interview_audit(interview.id) == []  # in progress: no audit
    done = loaded.complete_interview(interview.id, interviewer)
    assert done.complete and done.completed_at is not None
    loaded.complete_interview(interview.id, interviewer)  # again: nothing more recorded
    loaded.save_text(interview.id, "note:suites_1", "après", base_revision=1, save_id="audit-002", staff_id=interviewer)
    loaded.update_interview(interview.id, interviewer, role="Adjointe")
    trail = [(e.staff_id, e.slot, e.before, e.after) for e in loaded.interview_audit(interview.id)]
    assert trail == [(interviewer, "status", "in_progress", "complete"),
                     (interviewer, "note:suites_1", "avant", "après"),
                     (interviewer, "profile:role", "", "Adjointe")]


def _coded(store: Store, texts: list[tuple[str, str]]) -> list[int]:
    """One interview with a passage per (text, code); the passages' ids."""
    interview = store.start_interview("entretiens-test", category="agent")
    body = " ".join(text for text, _ in texts)
    store.save_text(interview.id, "transcript", body, base_revision=0, save_id=f"coded-{interview.id:04d}")
    ids = {c.code: c.id for c in store.codes("entretiens-test")}
    made = []
    for text, code in texts:
        start = body.index(text)
        made.append(store.add_segment(interview.id, "transcript", start, start + len(text), code_ids=[ids[code]]).id)
    return made


def test_renaming_a_code_keeps_its_passages_and_reloading_the_file_does_not_bring_it_back(loaded: Store) -> None:
    [passage] = _coded(loaded, [("pas de budget", "moyens")])
    [moyens] = [c for c in loaded.codes("entretiens-test") if c.code == "moyens"]
    renamed = loaded.rename_code(moyens.id, "ressources", label="Ressources")
    assert (renamed.id, renamed.code, renamed.label) == (moyens.id, "ressources", "Ressources")
    assert loaded.code_passages(moyens.id) == [passage]
    loaded.load_grid(grid(title="Rechargée"))
    assert sorted(c.code for c in loaded.codes("entretiens-test")) == [
        "enjeux", "enjeux.legitimite", "enjeux.lien", "ressources"]
    with pytest.raises(InterviewError, match="already has a code `enjeux`"):
        loaded.rename_code(moyens.id, "enjeux")


def test_merging_codes_moves_every_passage_once_and_their_subcodes(loaded: Store) -> None:
    lien, legit, both = _coded(loaded, [("renouer", "enjeux.lien"), ("légitime", "enjeux.legitimite"),
                                        ("les deux", "enjeux.lien")])
    ids = {c.code: c.id for c in loaded.codes("entretiens-test")}
    loaded.tag_segment(both, ids["enjeux.legitimite"])
    moved = loaded.merge_codes([ids["enjeux.lien"]], ids["enjeux.legitimite"])
    assert moved == 2
    assert loaded.code_passages(ids["enjeux.legitimite"]) == sorted([lien, legit, both])
    assert "enjeux.lien" not in {c.code for c in loaded.codes("entretiens-test")}
    segment = loaded.segment(both)
    assert segment is not None and segment.code_ids == (ids["enjeux.legitimite"],)
    with pytest.raises(InterviewError, match="merge it the other way"):
        loaded.merge_codes([ids["enjeux"]], ids["enjeux.legitimite"])
    loaded.load_grid(grid(title="Rechargée"))  # the merged code is not seeded again
    assert "enjeux.lien" not in {c.code for c in loaded.codes("entretiens-test")}


def test_splitting_a_code_moves_the_passages_given_and_keeps_the_others(loaded: Store) -> None:
    budget, agents, other = _coded(loaded, [("pas de budget", "moyens"), ("pas d'agents", "moyens"),
                                            ("rien", "moyens")])
    [moyens] = [c for c in loaded.codes("entretiens-test") if c.code == "moyens"]
    made = loaded.split_code(moyens.id, [NewCode("moyens.budget", "Budget"), NewCode("moyens.humains", "Humains")],
                             {budget: "moyens.budget", agents: "moyens.humains"})
    assert [(c.code, c.parent_id) for c in made] == [("moyens.budget", moyens.id), ("moyens.humains", moyens.id)]
    assert loaded.code_passages(made[0].id) == [budget]
    assert loaded.code_passages(made[1].id) == [agents]
    assert loaded.code_passages(moyens.id) == [other]
    with pytest.raises(InterviewError, match="not tagged"):
        loaded.split_code(made[0].id, [NewCode("moyens.budget.x", "X")], {agents: "moyens.budget.x"})


def test_a_code_of_another_grid_cannot_tag_a_passage(loaded: Store) -> None:
    other = yaml.safe_load(GRID) | {"id": "autre-grille"}
    loaded.load_grid(InterviewGrid.model_validate(other))
    [passage] = _coded(loaded, [("renouer", "enjeux.lien")])
    foreign = loaded.codes("autre-grille")[0]
    with pytest.raises(InterviewError, match="belongs to another grid"):
        loaded.tag_segment(passage, foreign.id)


# --- two clients, lost acknowledgements, restarts: the store-level autosave property -------------------------

SLOTS = ("note:enjeux_1", "summary:enjeux")
OUTCOMES = ("acked", "ack_lost", "not_delivered")
operations = st.lists(st.one_of(
    st.tuples(st.just("type"), st.sampled_from("AB"), st.sampled_from(SLOTS)),
    st.tuples(st.just("flush"), st.sampled_from("AB"), st.sampled_from(SLOTS), st.sampled_from(OUTCOMES)),
    st.tuples(st.just("restart")),
), min_size=1, max_size=30)


class Client:
    """A browser tab as the autosave protocol wants it: a save at a time per slot, resent until answered; on a
    conflict it keeps both texts (the stored one, then its own words the stored one lacks) and saves that."""

    def __init__(self, name: str, interview_id: int):
        self.name, self.interview_id, self.typed, self.saves = name, interview_id, 0, 0
        self.text = dict.fromkeys(SLOTS, "")  # what the tab shows
        self.base = dict.fromkeys(SLOTS, 0)  # the revision the shown text was based on
        self.sent = dict.fromkeys(SLOTS, "")  # the text of the last save answered
        self.pending: dict[str, tuple[str, str, int]] = {}  # slot → (save_id, body, base), unanswered

    def type(self, slot: str) -> str:
        self.typed += 1
        word = f"{self.name.lower()}{self.typed}"
        self.text[slot] = f"{self.text[slot]} {word}".strip()
        return word

    def next_save(self, slot: str) -> tuple[str, str, int] | None:
        """The save to send now: the unanswered one again, else the text when it changed."""
        if slot in self.pending:
            return self.pending[slot]
        if self.text[slot] == self.sent[slot]:
            return None
        self.saves += 1  # a new id per save, never reused: that is what makes a resend recognisable
        self.pending[slot] = (f"{self.interview_id}-{self.name}-{self.saves:05d}", self.text[slot], self.base[slot])
        return self.pending[slot]

    def answered(self, slot: str, result) -> None:  # noqa: ANN001
        _, body, _ = self.pending.pop(slot)
        if result.ok:
            self.base[slot], self.sent[slot] = result.revision, body
            return
        theirs = result.body.split()
        mine = [word for word in self.text[slot].split() if word not in theirs]
        self.text[slot] = " ".join(theirs + mine)
        self.base[slot], self.sent[slot] = result.revision, result.body


@settings(max_examples=30, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=operations)
def test_two_clients_resending_across_restarts_never_lose_an_acknowledged_edit_nor_overwrite_silently(
        loaded: Store, steps: list[tuple]) -> None:
    url = loaded.engine.url.render_as_string(hide_password=False)
    store = Store.from_url(url)
    interview = store.start_interview("entretiens-test", category="elu")
    clients = {name: Client(name, interview.id) for name in "AB"}
    history = {slot: [""] for slot in SLOTS}  # the stored text at each revision, as the oracle saw it happen
    acknowledged: set[str] = set()  # words in a text whose save was answered as applied

    def send(client: Client, slot: str, outcome: str = "acked") -> None:
        save = client.next_save(slot)
        if save is None or outcome == "not_delivered":
            return
        save_id, body, base = save
        before = len(history[slot]) - 1
        result = store.save_text(interview.id, slot, body, base_revision=base, save_id=save_id)
        if result.status == "saved" and result.revision > before:
            assert (base, result.revision) == (before, before + 1), "applied on another revision than stored"
            history[slot].append(body)
        elif result.status == "saved":
            assert body == history[slot][result.revision] == history[slot][-1]
        elif result.status == "duplicate":
            assert history[slot][result.revision] == body, "a resend answered with another save's revision"
        else:
            assert base != before, "refused a save based on the stored revision"
            assert (result.revision, result.body) == (before, history[slot][-1]), "conflict without stored text"
        if outcome == "acked":
            client.answered(slot, result)
            if result.ok:
                acknowledged.update(body.split())

    for step in steps:
        if step[0] == "type":
            clients[step[1]].type(step[2])
        elif step[0] == "flush":
            send(clients[step[1]], step[2], step[3])
        else:  # the server is killed and started again on the same database
            store.engine.dispose()
            store = Store.from_url(url)
        stored = store.interview(interview.id)
        assert stored is not None
        for slot in SLOTS:
            assert stored.body(slot) == history[slot][-1] and stored.revision(slot) == len(history[slot]) - 1
            assert acknowledged & set(history[slot][-1].split()) == {
                w for w in acknowledged if any(w in h.split() for h in history[slot])}, "an acknowledged edit lost"
    for _ in range(6):  # connections come back: every tab sends until nothing is left
        for client in clients.values():
            for slot in SLOTS:
                send(client, slot)
    final = store.interview(interview.id)
    assert final is not None
    for slot in SLOTS:
        typed = {w for c in clients.values() for w in c.text[slot].split()}
        assert typed <= set(final.body(slot).split()), "a word typed in a tab is missing once all is sent"
    store.engine.dispose()
