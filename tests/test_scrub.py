"""The free-text scrubber: French personal data mixed into sentences never survives, and is counted by type."""

from __future__ import annotations

import re
import unicodedata

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.disclosure.scrub import PLACEHOLDERS, MissionLists, scrub_series, scrub_text

# Filler words with no digit, no @, no dot and none of the listed names: whatever personal data the scrubber
# leaves behind stands out.
FILLER = ["Bonjour", "le projet", "était", "très bien", "merci", "à", "toute l’équipe", "pour", "cette année",
          "je trouve", "que", "la réunion", "publique", "a duré", "longtemps", "contactez", "écrivez", "habite",
          "près de", "chez", "avec", "élu·e", "c’est", "génial", "vraiment", "dommage", "l’atelier", "jeunes"]
PEOPLE = ["Hélène Dupont", "Jean-Pierre Martin", "Zoé Lefèvre", "Anaïs N’Diaye", "François Le Goff"]
PLACES = ["Saint-Aubin-sur-Loire", "La Chapelle-Heulin", "Île de Nantes", "Bellevue"]
ORGANISATIONS = ["Association Les Amis du Parc", "Comité de quartier Bellevue-Chantenay", "MJC Léo Lagrange"]
LISTS = MissionLists(tuple(PEOPLE), tuple(PLACES), tuple(ORGANISATIONS))

digits = st.text("0123456789", min_size=1, max_size=1)


def _n(length: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=length, max_size=length)


@st.composite
def emails(draw: st.DrawFn) -> str:
    """prénom.nom@domaine.fr and the like."""
    local = draw(st.from_regex(r"[a-z]{1,8}(\.[a-z]{1,8})?([_+-][a-z0-9]{1,4})?", fullmatch=True))
    domain = draw(st.from_regex(r"[a-z]{2,10}(-[a-z]{2,8})?", fullmatch=True))
    return f"{local}@{domain}.{draw(st.sampled_from(['fr', 'com', 'org', 'net', 'gouv.fr']))}"


@st.composite
def phones(draw: st.DrawFn) -> str:
    """A French number: 0X XX XX XX XX with spaces, dots, dashes or nothing, or +33 / 0033 with or without (0)."""
    pairs = [draw(_n(2)) for _ in range(4)]
    sep = draw(st.sampled_from([" ", ".", "-", ""]))
    first = draw(st.sampled_from("123456789"))
    prefix = draw(st.sampled_from(["0", "+33 ", "+33", "+33 (0)", "0033 "]))
    return prefix + first + sep + sep.join(pairs)


@st.composite
def ibans(draw: st.DrawFn) -> str:
    """A French IBAN (FR, check digits, 23 characters), in groups of four or in one piece."""
    bban = draw(_n(10)) + draw(st.from_regex(r"[0-9A-Z]{11}", fullmatch=True)) + draw(_n(2))
    check = 98 - int("".join(str(int(c, 36)) for c in bban + "FR00")) % 97
    iban = f"FR{check:02d}{bban}"
    if draw(st.booleans()):
        iban = " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
    return iban if draw(st.booleans()) else iban.lower().replace("fr", "fr", 1)


@st.composite
def nirs(draw: st.DrawFn) -> str:
    """A social-security number with its key (97 − number mod 97; Corsica's 2A/2B count as 19/18)."""
    sex = draw(st.sampled_from("12"))
    year, month = draw(_n(2)), f"{draw(st.integers(1, 12)):02d}"
    dept = draw(st.sampled_from(["2A", "2B"]) | st.integers(1, 95).map(lambda d: f"{d:02d}"))
    commune, order = draw(_n(3)), draw(_n(3))
    number = sex + year + month + dept + commune + order
    key = 97 - int(number.replace("2A", "19").replace("2B", "18")) % 97
    sep = draw(st.sampled_from([" ", "", "."]))
    return sep.join([sex, year, month, dept, commune, order, f"{key:02d}"])


@st.composite
def urls(draw: st.DrawFn) -> str:
    """http(s) addresses, www. without a scheme, and bare domains with a path."""
    host = draw(st.from_regex(r"[a-z]{2,10}(-[a-z]{2,8})?", fullmatch=True))
    path = draw(st.from_regex(r"(/[a-z0-9_-]{1,8}){0,3}(\?[a-z]=[0-9]{1,3})?", fullmatch=True))
    scheme = draw(st.sampled_from(["https://", "http://", "https://www.", "www.", ""]))
    return f"{scheme}{host}.{draw(st.sampled_from(['fr', 'com', 'org']))}{path if scheme or path else '/p'}"


@st.composite
def addresses(draw: st.DrawFn) -> str:
    """« 12 bis rue des Lilas, 44000 Nantes » and variants; or a postcode and a town alone."""
    town = draw(st.sampled_from(["Nantes", "Rezé", "Saint-Herblain", "Orvault", "Le Pellerin"]))
    postcode = f"{draw(st.integers(1, 95)):02d}{draw(_n(3))}"
    if draw(st.booleans()):
        return f"{postcode} {town}"
    number = str(draw(st.integers(1, 999))) + draw(st.sampled_from(["", " bis", "ter", " B"]))
    street = draw(st.sampled_from(["rue", "avenue", "Boulevard", "place", "chemin", "allée", "impasse", "quai"]))
    name = draw(st.sampled_from(["des Lilas", "Jean Jaurès", "de la Paix", "du 8 Mai 1945", "Victor-Hugo"]))
    tail = draw(st.sampled_from(["", f", {postcode} {town}", f" {postcode} {town}"]))
    return f"{number} {street} {name}{tail}"


def _variant(name: str, draw: st.DrawFn) -> str:
    """A listed name as people type it: any case, accents kept or dropped, hyphens or spaces."""
    if draw(st.booleans()):
        name = "".join(c for c in unicodedata.normalize("NFD", name) if unicodedata.category(c) != "Mn")
    name = draw(st.sampled_from([name, name.lower(), name.upper()]))
    return name.replace("-", " ") if draw(st.booleans()) else name


@st.composite
def names(draw: st.DrawFn, kind: str) -> str:
    """A person, place or organisation of the mission's lists."""
    listed = {"person": PEOPLE, "place": PLACES, "organisation": ORGANISATIONS}[kind]
    return _variant(draw(st.sampled_from(listed)), draw)


PERSONAL = {"email": emails(), "phone": phones(), "iban": ibans(), "nir": nirs(), "url": urls(),
            "address": addresses(), "person": names("person"), "place": names("place"),
            "organisation": names("organisation")}


@st.composite
def sentences(draw: st.DrawFn) -> tuple[str, list[tuple[str, str]]]:
    """Filler text with personal data between its words; the (type, text) of each datum put in."""
    planted = draw(st.lists(st.sampled_from(sorted(PERSONAL)), min_size=1, max_size=6))
    parts: list[str] = []
    data: list[tuple[str, str]] = []
    for kind in planted:
        parts += draw(st.lists(st.sampled_from(FILLER), min_size=1, max_size=4))
        datum = draw(PERSONAL[kind])
        data.append((kind, datum))
        parts.append(datum + draw(st.sampled_from(["", ".", ",", " !", " ;"])))
    parts += draw(st.lists(st.sampled_from(FILLER), max_size=3))
    return " ".join(parts), data


def _folded(text: str) -> str:
    """Lower case, no accents, words separated by single spaces: how a name is compared whatever its spelling."""
    plain = "".join(c for c in unicodedata.normalize("NFD", text.lower()) if unicodedata.category(c) != "Mn")
    return " " + " ".join(re.findall(r"\w+", plain)) + " "


@settings(max_examples=300, deadline=None)
@given(sentences())
def test_scrubbed_text_contains_none_of_the_personal_data_mixed_into_sentences(case):
    text, data = case
    scrubbed, counts = scrub_text(text, LISTS)
    # The filler has no digit, no @ and no dot between letters: any left in the output is a datum's remnant.
    assert not re.search(r"\d", scrubbed), scrubbed
    assert "@" not in scrubbed and "www" not in scrubbed.lower() and "http" not in scrubbed.lower()
    for kind, datum in data:
        if kind in ("person", "place", "organisation"):
            assert _folded(datum) not in _folded(scrubbed), (datum, scrubbed)
        assert PLACEHOLDERS[kind] in scrubbed
    for kind in PLACEHOLDERS:
        planted = sum(1 for k, _ in data if k == kind)
        if kind == "address":
            # Capitalised words after an address go with it, so two addresses close together may make one.
            assert min(planted, 1) <= counts[kind] <= planted, (counts, text, scrubbed)
        else:
            assert counts[kind] == planted, (kind, counts, text, scrubbed)


def test_each_kind_becomes_its_placeholder():
    cases = {
        "Écrivez à helene.dupont@mairie-saint-aubin.fr svp": "Écrivez à [COURRIEL] svp",
        "Appelez le 06 12 34 56 78 ou le +33 (0)2.40.12.34.56": "Appelez le [TÉLÉPHONE] ou le [TÉLÉPHONE]",
        "IBAN FR76 3000 6000 0112 3456 7890 189 merci": "IBAN [IBAN] merci",
        "mon numéro 2 85 05 2A 006 084 36 voilà": "mon numéro [NIR] voilà",
        "voir https://saint-aubin.fr/budget?id=3.": "voir [URL].",
        "J’habite 12 bis rue des Lilas, 44000 Nantes.": "J’habite [ADRESSE].",
        "Mme Dupont et jean pierre martin": "[PERSONNE] et [PERSONNE]",
        "à ST AUBIN SUR LOIRE": "à ST AUBIN SUR LOIRE",  # an abbreviation is not the listed name
        "à Saint Aubin sur Loire avec la mjc leo lagrange": "à [LIEU] avec la [ORGANISATION]",
    }
    lists = MissionLists(("Hélène Dupont", "Jean-Pierre Martin"), ("Saint-Aubin-sur-Loire",), ("MJC Léo Lagrange",))
    for text, expected in cases.items():
        assert scrub_text(text, lists)[0] == expected


def test_ordinary_numbers_and_words_are_left_alone():
    text = "Environ 15000 euros pour 3 projets en 2025, de 10 à 12 personnes, note 4,5 sur 5."
    assert scrub_text(text, LISTS) == (text, dict.fromkeys(PLACEHOLDERS, 0))


def test_a_column_keeps_its_name_length_and_missing_values():
    column = pl.Series("avis", ["Zoé Lefèvre Hélène Dupont", None, "", "rien à signaler"])
    scrubbed, counts = scrub_series(column, LISTS)
    assert scrubbed.name == "avis"
    assert scrubbed.to_list() == ["[PERSONNE] [PERSONNE]", None, "", "rien à signaler"]
    assert counts["person"] == 2


def test_mission_lists_are_read_from_csv_files_beside_the_questionnaire(tmp_path):
    from survey.schema.loader import load_questionnaire

    (tmp_path / "personnes.csv").write_text("name,role\nHélène Dupont,élue\n\nJean Martin,agent\n", encoding="utf-8")
    (tmp_path / "q.yaml").write_text(
        "id: q\nversion: '1'\ntitle: T\nprivacy_notice: P\n"
        "mission: {id: m, name: M, small_cells: 5, lists: {people: personnes.csv, places: [Bellevue]}}\n"
        "pages: [{id: p, questions: [{name: a, type: long_text, label: A}]}]\n", encoding="utf-8")
    mission = load_questionnaire(tmp_path / "q.yaml").mission
    assert mission is not None and mission.small_cells == 5
    assert (mission.lists.people, mission.lists.places) == (["Hélène Dupont", "Jean Martin"], ["Bellevue"])


def test_a_missing_or_headless_list_file_is_a_located_error(tmp_path):
    import pytest

    from survey.errors import QuestionnaireInvalid
    from survey.schema.loader import load_questionnaire

    (tmp_path / "lieux.csv").write_text("nom\nBellevue\n", encoding="utf-8")
    (tmp_path / "q.yaml").write_text(
        "id: q\nversion: '1'\ntitle: T\nprivacy_notice: P\nmission:\n  id: m\n  name: M\n  lists:\n"
        "    people: absent.csv\n    places: lieux.csv\n"
        "pages: [{id: p, questions: [{name: a, type: long_text, label: A}]}]\n", encoding="utf-8")
    with pytest.raises(QuestionnaireInvalid) as caught:
        load_questionnaire(tmp_path / "q.yaml")
    text = str(caught.value)
    assert "q.yaml:9" in text and "absent.csv" in text
    assert "q.yaml:10" in text and "lieux.csv:1" in text and "`name` column" in text
