"""Interview analysis: pseudonymisation with offsets that still fit, the framework matrix, quotes per code, code
frequencies under the small-cell rule, and the REFI-QDA project (valid against the official schema)."""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
import zipfile
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from survey.disclosure.scrub import MissionLists, scrub_text
from survey.interviews.frequencies import code_frequencies
from survey.interviews.matrix import framework_matrix
from survey.interviews.model import Category, CodeInfo, Corpus, Interview, Segment, ThemeInfo, pseudonym
from survey.interviews.pseudonymise import corpus_lists, pseudonymise_corpus
from survey.interviews.qdpx import NAMESPACE, qdpx_files
from survey.interviews.quotes import Filters, quotes_by_code
from tests.interview_corpus import LISTS, corpus

SCHEMA = Path(__file__).parent / "fixtures" / "refi" / "Project-mrt2019.xsd"
NS = {"q": NAMESPACE}


def plain(text: str) -> str:
    """Lower case, accents dropped, hyphens and apostrophes as spaces: how a reader would still recognise a name."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return re.sub(r"[\s\-'’]+", " ", "".join(c for c in decomposed if not unicodedata.combining(c)))


def names_in(text: str, names: list[str]) -> list[str]:
    """The names found in `text` as whole words, in any case, with or without accents."""
    flat = plain(text)
    return [n for n in names if re.search(rf"(?<!\w){re.escape(plain(n))}(?!\w)", flat)]


def every_text(c: Corpus) -> list[str]:
    """Every text of a corpus an export could show."""
    texts = [t for i in c.interviews for t in (*i.texts.values(), i.organisation, i.role, i.interviewee_name)]
    texts += [s.text for i in c.interviews for s in i.segments]
    texts += [c.title, *(t for theme in c.themes for t in (theme.title, *(q for _, q in theme.questions)))]
    return texts + [t for code in c.codes for t in (code.label, code.definition, code.example)]


# --- pseudonymisation --------------------------------------------------------------------------------------------


def test_interviewees_are_named_by_category_and_number() -> None:
    c = corpus()
    assert [pseudonym(c, i) for i in c.interviews] == ["Élu·e 1", "Agent·e 1", "Habitant·e 1", "Élu·e 2"]


def test_pseudonymised_texts_keep_no_listed_name_nor_interviewee_name() -> None:
    c = pseudonymise_corpus(corpus())
    names = [*LISTS.people, *LISTS.places, *LISTS.organisations, "Jean Martin", "Paul Durand"]
    assert c.pseudonymised
    assert all(i.interviewee_name == "" for i in c.interviews)
    assert [(t, names_in(t, names)) for t in every_text(c) if names_in(t, names)] == []
    agent = c.interviews[1].texts
    assert agent["note:enjeux_1"] == "[PERSONNE], [TÉLÉPHONE], pilote le projet à [LIEU] depuis 2021."
    assert agent["note:mob_1"] == "Les jeunes sont venus grâce à la [ORGANISATION], au [ADRESSE]."
    assert c.interviews[0].texts["summary:enjeux"] == "Volonté politique forte, écrire à [COURRIEL] pour la suite."
    assert c.interviews[0].organisation == "Mairie de [LIEU]"


def test_each_passage_points_at_its_pseudonymised_text() -> None:
    c = pseudonymise_corpus(corpus())
    passages = {s.id: s for i in c.interviews for s in i.segments}
    # Written out by hand: the passages as the pseudonymised notes read.
    assert passages[13].text == "[PERSONNE] a voulu associer les habitants"
    assert passages[12].text == "les jeunes de la [ORGANISATION] ne sont pas venus"
    assert passages[21].text == "Les jeunes sont venus grâce à la [ORGANISATION]"
    assert passages[11].text == "La démocratie locale doit changer."
    assert passages[42].text == "[PERSONNE] a parlé des jeunes" and passages[42].start is None
    for interview in c.interviews:
        for s in interview.segments:
            if s.start is not None:
                assert interview.texts[s.slot][s.start:s.end] == s.text


def test_a_passage_cutting_a_name_grows_to_cover_its_placeholder() -> None:
    body = "Selon Marie Dupont, la Maison des Jeunes manque de moyens."
    cut = Segment(1, "note:enjeux_1", body.index("Dupont"), body.index(" manque"), "Dupont, la Maison des Jeunes")
    base = corpus()
    interview = replace(base.interviews[0], texts={"note:enjeux_1": body}, segments=(cut,))
    c = pseudonymise_corpus(replace(base, interviews=(interview,)))
    assert c.interviews[0].segments[0].text == "[PERSONNE], la [ORGANISATION]"


FIRST = ["Zoé", "Hélène", "Jérôme", "François", "Anaïs", "Loïc"]
LAST = ["Lefèvre", "Bézier", "Côté", "Müller", "Nguyen", "Da Silva"]
PLACES = ["Saint-Aubin-sur-Loire", "Les Tilleuls", "Bois-Joli", "Quartier Pré-Vert"]
ORGS = ["Maison des Jeunes", "Régie de quartier", "Centre social Élan"]
WORDS = ("la réunion publique a eu lieu hier et les habitants ont parlé du projet avec l'équipe mais "
         "personne n'a répondu sur le budget ni sur la suite donnée aux propositions").split()


@st.composite
def spelled(draw: st.DrawFn, name: str) -> str:
    """A name as someone types it: any case, accents kept or dropped, spaces or hyphens between words."""
    words = re.split(r"[\s\-]+", name)
    form = draw(st.sampled_from(["same", "lower", "upper", "title"]))
    strip = draw(st.booleans())
    joiner = draw(st.sampled_from([" ", "-"])) if len(words) > 1 else " "
    text = joiner.join(words)
    if strip:
        text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
        text = unicodedata.normalize("NFC", text)
    return {"same": text, "lower": text.lower(), "upper": text.upper(), "title": text.title()}[form]


@st.composite
def notes(draw: st.DrawFn, names: list[str]) -> str:
    """A French note mixing names into sentences."""
    pieces = []
    for _ in range(draw(st.integers(1, 8))):
        pieces += draw(st.lists(st.sampled_from(WORDS), min_size=0, max_size=6))
        pieces.append(draw(spelled(draw(st.sampled_from(names)))))
        if draw(st.booleans()):
            pieces.append(draw(st.sampled_from([",", ".", " :", "—"])))
    return " ".join(pieces)


@st.composite
def name_corpora(draw: st.DrawFn) -> tuple[Corpus, list[str]]:
    """A corpus whose notes, passages, profiles and codebook mention listed names and interviewees' names."""
    people = [f"{f} {last}" for f in draw(st.lists(st.sampled_from(FIRST), min_size=1, max_size=3, unique=True))
              for last in draw(st.lists(st.sampled_from(LAST), min_size=1, max_size=2, unique=True))]
    lists = MissionLists(tuple(people[:-1]), tuple(PLACES), tuple(ORGS))
    names = [*people, *PLACES, *ORGS]
    interviews = []
    for number in range(1, draw(st.integers(1, 3)) + 1):
        texts = {slot: draw(notes(names)) for slot in ("note:enjeux_1", "summary:enjeux", "transcript")}
        segments = []
        for k, (slot, body) in enumerate(texts.items()):
            a, b = sorted(draw(st.lists(st.integers(0, len(body)), min_size=2, max_size=2)))
            segments.append(Segment(number * 10 + k, slot, a, b, body[a:b], draw(st.booleans()), ("enjeux",)))
        interviews.append(Interview(number, number, "elu", "centre", draw(notes(names)), draw(notes(names)),
                                    people[-1] if number == 1 else "", texts=texts, segments=tuple(segments)))
    codes = (CodeInfo("enjeux", draw(notes(names)), draw(notes(names)), draw(notes(names))),)
    themes = (ThemeInfo("enjeux", draw(notes(names)), (("enjeux_1", draw(notes(names))),)),)
    c = Corpus("g", draw(notes(names)), themes, (Category("elu", "Élu·e"),), codes, tuple(interviews), lists)
    return c, names


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name_corpora())
def test_no_listed_name_survives_pseudonymisation_and_passages_stay_on_their_text(drawn) -> None:
    c, names = drawn
    out = pseudonymise_corpus(c)
    lists = corpus_lists(c)
    assert [(t, names_in(t, names)) for t in every_text(out) if names_in(t, names)] == []
    for before, after in zip(c.interviews, out.interviews, strict=True):
        for old, new in zip(before.segments, after.segments, strict=True):
            assert after.texts[new.slot][new.start:new.end] == new.text
            if not old.text.strip():
                continue
            assert new.text.strip(), (old.text, new.text)
            # When the passage's edges cut no name (the three pieces pseudonymised apart read as the whole text
            # does), the passage is its own text pseudonymised, and what precedes it is the pseudonymised prefix.
            body = before.texts[old.slot]
            pieces = [scrub_text(p, lists)[0] for p in (body[:old.start], old.text, body[old.end:])]
            if "".join(pieces) == after.texts[new.slot]:
                assert (new.text, new.start) == (pieces[1], len(pieces[0]))


# --- matrix and quotes ------------------------------------------------------------------------------------------


def test_the_framework_matrix_has_a_row_per_interview_and_a_cell_per_theme() -> None:
    matrix = framework_matrix(pseudonymise_corpus(corpus()))
    assert [r.pseudonym for r in matrix.rows] == ["Élu·e 1", "Élu·e 2", "Agent·e 1", "Habitant·e 1"]
    assert [t.id for t in matrix.themes] == ["enjeux", "mobilisation"]
    first = matrix.rows[0]
    assert first.cells[0].summary == "Volonté politique forte, écrire à [COURRIEL] pour la suite."
    assert sorted(q.segment_id for q in first.cells[0].quotes) == [11, 13]
    assert [q.segment_id for q in first.cells[1].quotes] == [12]
    # A transcript's passage goes under the theme its code sits in (enjeux.democratie → enjeux).
    resident = matrix.rows[3]
    assert [q.segment_id for q in resident.cells[0].quotes] == [31] and resident.cells[1].quotes == ()


def test_the_matrix_filters_by_category_and_site() -> None:
    c = corpus()
    assert [r.pseudonym for r in framework_matrix(c, Filters(category="elu")).rows] == ["Élu·e 1", "Élu·e 2"]
    assert [r.pseudonym for r in framework_matrix(c, Filters(site="tilleuls")).rows] == ["Élu·e 1", "Habitant·e 1"]
    assert framework_matrix(c, Filters(category="elu", site="nowhere")).rows == ()


def test_quotes_per_code_name_the_interviewee_by_pseudonym_and_profile() -> None:
    by_code = {entry.code.code: entry for entry in quotes_by_code(pseudonymise_corpus(corpus()))}
    assert list(by_code) == ["enjeux", "enjeux.democratie", "mobilisation", "mobilisation.jeunes"]
    assert by_code["enjeux.democratie"].depth == 1
    jeunes = by_code["mobilisation.jeunes"].quotes
    assert [(q.pseudonym, q.text) for q in jeunes] == [
        ("Élu·e 1", "les jeunes de la [ORGANISATION] ne sont pas venus"),
        ("Élu·e 2", "[PERSONNE] a parlé des jeunes"),
        ("Agent·e 1", "Les jeunes sont venus grâce à la [ORGANISATION]")]
    assert (jeunes[2].category_label, jeunes[2].site, jeunes[2].role) == ("Agent·e", "centre", "Cheffe de projet")


# --- frequencies ------------------------------------------------------------------------------------------------


def _tagged_corpus() -> Corpus:
    """15 elected officials, 12 agents, 3 residents; code A in 12 / 5 / 0 of them (two passages each), B in 15 / 0 / 3,
    C in 5 / 0 / 0."""
    wanted = {"elu": (15, {"a": 12, "b": 15, "c": 5}), "agent": (12, {"a": 5, "b": 0, "c": 0}),
              "habitant": (3, {"a": 0, "b": 3, "c": 0})}
    interviews, ids = [], iter(range(1, 10_000))
    for category, (size, tagged) in wanted.items():
        for number in range(1, size + 1):
            segments = []
            for code, n in tagged.items():
                if number <= n:
                    segments += [Segment(next(ids), "note:enjeux_1", 0, 1, "x", False, (code,)) for _ in range(2)]
            interviews.append(Interview(next(ids), number, category, texts={"note:enjeux_1": "x"},
                                        segments=tuple(segments)))
    codes = (CodeInfo("a", "A"), CodeInfo("b", "B"), CodeInfo("c", "C"))
    base = corpus()
    return Corpus("g", "G", base.themes, base.categories, codes, tuple(interviews), small_cells=11)


def test_code_frequencies_follow_the_small_cell_rule() -> None:
    table = code_frequencies(_tagged_corpus())
    assert [c.code for c in table.categories] == ["elu", "agent", "habitant"]
    # Worked out by hand with the rule of survey.disclosure.cells (the module docstring of frequencies.py):
    # bases 15 / 12 / 3 of 30: 3 is small, and 12 is masked so that it cannot be worked out from 30 − 15.
    assert [b.text for b in table.bases] == ["15", "×", "<\u00a011", "30"]
    rows = {r.code: r for r in table.rows}
    assert [n.text for n in rows["a"].interviews] == ["×", "<\u00a011", "×", "17"]
    assert [n.text for n in rows["b"].interviews] == ["15", "×", "<\u00a011", "18"]
    assert [n.text for n in rows["c"].interviews] == ["<\u00a011", "×", "×", "<\u00a011"]
    assert [n.text for n in rows["a"].passages] == ["×", "×", "×", "34"]
    assert [n.text for n in rows["b"].passages] == ["30", "×", "×", "36"]
    assert rows["a"].percent_text == "57" and rows["c"].percent_text == ""


def test_frequencies_with_the_small_cell_rule_off_are_plain_counts() -> None:
    c = _tagged_corpus()
    table = code_frequencies(replace(c, small_cells=1))
    expected = {code: [sum(1 for i in c.interviews if i.category == cat and any(code in s.codes for s in i.segments))
                       for cat in ("elu", "agent", "habitant")] for code in "abc"}
    for row in table.rows:
        assert [n.value for n in row.interviews] == [*expected[row.code], sum(expected[row.code])]


def test_no_published_interview_count_is_small() -> None:
    table = code_frequencies(corpus())
    shown = [n.value for row in table.rows for n in row.interviews[:-1] if n.shown]
    assert all(v == 0 or v >= 11 for v in shown)
    assert table.total == 4 and table.bases[-1].text == "4"


# --- REFI-QDA ---------------------------------------------------------------------------------------------------


def _project(c: Corpus) -> tuple[etree._Element, dict[str, bytes]]:
    files = qdpx_files(c, dt.datetime(2026, 11, 29, 8, 30, tzinfo=dt.UTC), "Pseudonymisé")
    return etree.fromstring(files["project.qde"]), files


def test_the_project_validates_against_the_refi_qda_schema() -> None:
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    root, _ = _project(pseudonymise_corpus(corpus()))
    assert schema.validate(root), schema.error_log


def test_each_coded_selection_points_at_its_passage_in_the_source() -> None:
    c = pseudonymise_corpus(corpus())
    root, files = _project(c)
    codes = {e.get("guid"): e.get("name") for e in root.iterfind(".//q:Code", NS)}
    found = {}
    for source in root.iterfind(".//q:TextSource", NS):
        text = files[source.get("plainTextPath").removeprefix("internal://").join(["Sources/", ""])].decode("utf-8")
        assert text.startswith(source.get("name"))
        for selection in source.iterfind("q:PlainTextSelection", NS):
            passage = text[int(selection.get("startPosition")):int(selection.get("endPosition"))]
            labels = sorted(codes[ref.get("targetGUID")] for ref in selection.iterfind("q:Coding/q:CodeRef", NS))
            found[(source.get("name"), passage)] = labels
    assert found[("Élu·e 1", "[PERSONNE] a voulu associer les habitants")] == ["Enjeux", "Mobilisation"]
    assert found[("Agent·e 1", "Les jeunes sont venus grâce à la [ORGANISATION]")] == ["Les jeunes", "Mobilisation"]
    assert found[("Habitant·e 1", "la démocratie, c'est aussi décider")] == ["Démocratie locale"]
    assert len(found) == 7  # every attached passage; the detached one has no place in a source
    nested = root.find(".//q:Code[@name='Enjeux']/q:Code", NS)
    assert nested is not None and nested.get("name") == "Démocratie locale"
    cases = {case.get("name"): [v.findtext("q:TextValue", namespaces=NS) for v in case.iterfind("q:VariableValue", NS)]
             for case in root.iterfind(".//q:Case", NS)}
    assert cases["Agent·e 1"] == ["Agent·e", "centre", "Service jeunesse", "Cheffe de projet"]


def test_the_project_is_the_same_for_the_same_data() -> None:
    c = pseudonymise_corpus(corpus())
    assert _project(c)[1] == _project(c)[1]
    with zipfile.ZipFile(io.BytesIO(), "w") as archive:  # the names are valid zip member names
        for name, content in _project(c)[1].items():
            archive.writestr(name, content)
