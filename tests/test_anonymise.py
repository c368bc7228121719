"""The anonymised export: one row per response, nothing traceable, nothing a spreadsheet would run."""

from __future__ import annotations

import ast
import csv
import datetime as dt
import io
import random
import re
from pathlib import Path

import polars as pl
from factories import CHANNELS, FREE_TEXT, record, record_lists, sample_questionnaire
from hypothesis import given, settings
from hypothesis import strategies as st

from survey.anonymise import EXPORT_ID, SPECIAL_CODES, _aligned, anonymise, columns, layout
from survey.dataset import ResponseRecord
from survey.export import codebook_csv, dataset_csv
from survey.export.csv_writer import write_csv
from survey.export.formulas import neutralise
from survey.logic import special_kind
from survey.schema import Questionnaire

QUESTIONNAIRE = sample_questionnaire()
TIME_OF_DAY = re.compile(r"\d{1,2}:\d{2}|T\d{2}")


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM so Excel reads accents"
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


@settings(max_examples=60, deadline=None)
@given(record_lists)
def test_one_row_per_response_and_nothing_traceable(records):
    content = dataset_csv(anonymise(QUESTIONNAIRE, records))
    text = content.decode("utf-8-sig")
    rows = read_csv(content)
    assert len(rows) == len(records) + 1
    for r in records:
        assert r.response_id not in text
        assert r.response_id.removeprefix("resp_") not in text
    assert "resp_" not in text
    assert not TIME_OF_DAY.search(text), "no time of day anywhere"
    header = rows[0]
    dates = [row[header.index("submitted_date")] for row in rows[1:]]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in dates)
    assert sorted(dates) == sorted(r.submitted_at.date().isoformat() for r in records)


@settings(max_examples=30, deadline=None)
@given(record_lists.filter(lambda rs: len(rs) >= 1))
def test_export_ids_are_unique_and_fresh_each_export(records):
    first = [row[0] for row in anonymise(QUESTIONNAIRE, records).rows]
    second = [row[0] for row in anonymise(QUESTIONNAIRE, records).rows]
    assert len(set(first)) == len(first)
    assert not set(first) & set(second)
    assert not {r.response_id for r in records} & set(first)


def test_export_ids_drawn_twice_are_drawn_again(monkeypatch):
    """Ids are drawn all at once (16 hex digits each); should two come out equal, they are drawn again."""
    import secrets

    from survey import anonymise as module

    draws = iter([bytes(8) * 2 + bytes(range(1, 9)), bytes(range(9, 17)) + bytes(range(17, 25))])
    monkeypatch.setattr(secrets, "token_bytes", lambda n: next(draws)[:n])
    ids = module._fresh_ids(3).to_list()
    assert ids == ["090a0b0c0d0e0f10", "1112131415161718", "0102030405060708"]


def test_columns_follow_the_questionnaire_and_code_each_type():
    answers = {
        "connait_bp": True,
        "canaux": ["affiches", "voisins"],
        "quartier": "sud",
        "satisfaction": 3,
        "age": 42,
        "heures": -2.5,
        "date_vote": "2025-06-01",
        "commentaire": "Très bien",
    }
    table = anonymise(QUESTIONNAIRE, [record(answers), record({"connait_bp": False}, "resp_2")])
    rows = read_csv(dataset_csv(table))
    assert rows[0] == [
        "export_id", "version", "submitted_date", "channel", "connait_bp",
        "canaux__affiches", "canaux__site_web", "canaux__voisins",
        "quartier", "satisfaction", "age", "heures", "date_vote",
    ]  # fmt: skip
    by_yes_no = {row[4]: row for row in rows[1:]}
    assert by_yes_no["1"][1:] == ["2026.1", "2026-03-14", "web", "1", "1", "0", "1", "sud", "3", "42", "-2.5",
                                  "2025-06-01"]
    assert by_yes_no["0"][5:] == ["", "", "", "", "", "", "", ""], "no answer is an empty cell"


def test_free_text_is_left_out_unless_asked_for():
    answers = {"commentaire": "J’habite au 3 rue des Lilas", "precision": "Marie"}
    default = dataset_csv(anonymise(QUESTIONNAIRE, [record(answers)])).decode("utf-8-sig")
    assert "Lilas" not in default and "Marie" not in default
    assert not {"commentaire", "precision"} & set(default.splitlines()[0].split(","))
    included = read_csv(dataset_csv(anonymise(QUESTIONNAIRE, [record(answers)], include_free_text=True)))
    assert included[0][-2:] == list(FREE_TEXT)
    assert included[1][-2:] == ["J’habite au [ADRESSE]", "Marie"], "included free text is scrubbed"


def test_injected_rng_makes_the_row_order_reproducible():
    records = [record({"age": age}, f"resp_{age}") for age in range(20, 40)]
    orders = [[row[1:] for row in anonymise(QUESTIONNAIRE, records, rng=random.Random(7)).rows] for _ in range(2)]
    assert orders[0] == orders[1]
    ages = [row[QUESTIONNAIRE_COLUMNS.index("age")] for row in orders[0]]
    assert ages != sorted(ages), "rows are shuffled, not in storage order"


def test_the_written_file_holds_the_rows_in_the_shuffled_order_slice_by_slice() -> None:
    records = [record({"age": age}, f"resp_{age}") for age in range(20, 60)]
    table = anonymise(QUESTIONNAIRE, records, rng=random.Random(3))
    assert table.order is not None and table.frame.rows() != table.unordered.rows()
    for size in (1, 7, 40, 100):  # slices of any size put together are the shuffled table
        assert pl.concat(list(table.slices(size))).rows() == table.frame.rows()
    written = read_csv(dataset_csv(table))[1:]
    assert [row[0] for row in written] == table.frame[EXPORT_ID].to_list()


QUESTIONNAIRE_COLUMNS = [c.name for c in columns(QUESTIONNAIRE)][1:]


def test_neutralise_examples():
    # The export's one formula defence (`survey.export.formulas`; its property tests are in test_security_files.py).
    assert neutralise("=1+1") == "'=1+1"
    assert neutralise("+33 6 12") == "'+33 6 12"
    assert neutralise("@SUM(A1)") == "'@SUM(A1)"
    assert neutralise("\tx") == "'\tx"
    assert neutralise("\r=x") == "'\r'=x", "a line break may start a row: the = after it is defused too"
    assert neutralise("-2+3+cmd|' /C calc'!A0") == "'-2+3+cmd|' /C calc'!A0"
    assert neutralise("-2.5") == "-2.5", "numbers we wrote stay numbers"
    assert neutralise("Bonjour") == "Bonjour"


FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet takes for the start of a formula (OWASP)


def _safe(cell: str) -> bool:
    return not cell.startswith(FORMULA_TRIGGERS) or re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", cell) is not None


dangerous = st.builds(lambda c, rest: c + rest, st.sampled_from(FORMULA_TRIGGERS), st.text(max_size=15))


@settings(max_examples=40, deadline=None)
@given(label=dangerous, choice_label=dangerous, version=dangerous, comment=dangerous)
def test_no_cell_of_dataset_or_codebook_can_run_as_a_formula(label, choice_label, version, comment):
    version = version.strip()[:32] or "=1"
    questionnaire = sample_questionnaire(label=label, choice_label=choice_label, version=version)
    rec = record({"commentaire": comment, "heures": -3.25, "canaux": list(CHANNELS)})
    rec = type(rec)(rec.response_id, version, rec.submitted_at, rec.answers)
    table = anonymise(questionnaire, [rec], include_free_text=True)
    dataset = read_csv(dataset_csv(table))
    book = read_csv(codebook_csv(table.columns))
    for cell in [c for row in dataset + book for c in row]:
        assert _safe(cell), cell
    assert neutralise(version) in dataset[1]
    assert neutralise(comment) in dataset[1]
    assert any(cell == neutralise(label + "Par quels moyens ?") for row in book for cell in row)
    assert any(cell == neutralise(choice_label + "Affiches") for row in book for cell in row)


def test_header_cells_are_neutralised_too():
    import polars as pl

    from survey.anonymise import AnonymisedTable, added_column

    table = AnonymisedTable((added_column("=cmd"),), pl.DataFrame({"=cmd": ["@x"]}))
    buffer = io.StringIO(newline="")
    write_csv(table, buffer)
    assert buffer.getvalue() == "\ufeff\"'=cmd\"\r\n\"'@x\"\r\n", "quoted, and neutralised"


def test_codebook_describes_every_column_and_code():
    table = anonymise(QUESTIONNAIRE, [])
    book = read_csv(codebook_csv(table.columns, "fr"))
    assert book[0] == ["table", "column", "question", "question_text", "type", "option", "code", "label"]
    book = [row[1:] for row in book]  # the main table's rows: `table` is empty
    described = {row[0] for row in book[1:]}
    assert described == set(table.header)
    satisfaction = [row[5:] for row in book if row[0] == "satisfaction"]
    assert satisfaction == [["1", "Pas du tout"], ["2", "Peu"], ["3", "Assez"], ["4", "Très"]]
    voisins = [row for row in book if row[0] == "canaux__voisins"]
    assert [(r[4], r[5], r[6]) for r in voisins] == [("Voisins", "1", "Oui"), ("Voisins", "0", "Non")]
    assert [row[5:] for row in book if row[0] == "connait_bp"] == [["1", "Oui"], ["0", "Non"]]
    assert [row[5:] for row in book if row[0] == "age"] == [["", ""]]


def test_anonymise_stays_pure():
    """The module may import the standard library and the pure core only."""
    tree = ast.parse(Path("survey/anonymise.py").read_text(encoding="utf-8"))
    imported = {
        (node.module if isinstance(node, ast.ImportFrom) else alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    assert imported <= {"__future__", "dataclasses", "datetime", "random", "re", "secrets", "collections",
                        "typing", "survey", "polars", "numpy"}  # fmt: skip


# --- new question types, special answers, versions, repeat groups ---------------------------------------

def rich(version: str = "2", *, old: bool = False) -> Questionnaire:
    """A questionnaire with the newer types; `old=True` gives the earlier version (one question since removed)."""
    questions: list[dict] = [
        {"name": "quartier", "type": "dropdown", "label": {"fr": "Quartier", "en": "District"}, "other": True,
         "special_answers": ["dont_know"],
         "choices": [{"code": "nord", "label": {"fr": "Nord", "en": "North"}}, {"code": "sud", "label": "Sud"}]},
        {"name": "priorites", "type": "ranking", "label": "Priorités",
         "choices": [{"code": "a", "label": "Arbres"}, {"code": "b", "label": "Bancs"},
                     {"code": "c", "label": "Cafés"}]},
        {"name": "services", "type": "matrix", "label": "Services", "special_answers": ["prefer_not_to_say"],
         "items": [{"name": "eau", "label": "Eau"}, {"name": "voirie", "label": "Voirie"}],
         "scale": ["Mauvais", "Moyen", "Bon"]},
        {"name": "reco", "type": "nps", "label": "Recommanderiez-vous ?"},
        {"name": "heure", "type": "time", "label": "Heure"},
        {"name": "courriel", "type": "email", "label": "Courriel"},
        {"name": "tel", "type": "phone", "label": "Téléphone"},
        {"name": "info", "type": "note", "label": "Merci."},
        {"name": "accord", "type": "consent", "label": "J’accepte"},
        {"name": "score", "type": "calculate", "label": "Score", "calculation": "reco * 10"},
        {"name": "copie", "type": "calculate", "label": "Copie", "calculation": "courriel"},
        {"name": "canaux", "type": "multiple_choice", "label": "Canaux", "other": True, "relevant": "reco > 5",
         "choices": [{"code": "web", "label": "Web"}, {"code": "presse", "label": "Presse"}]},
        {"name": "enfants", "type": "repeat", "label": "Vos enfants", "questions": [
            {"name": "age_enfant", "type": "integer", "label": "Âge"},
            {"name": "ecole", "type": "single_choice", "label": "École", "relevant": "age_enfant > 2",
             "choices": [{"code": "pub", "label": "Publique"}, {"code": "priv", "label": "Privée"}]},
            {"name": "prenom", "type": "short_text", "label": "Prénom"}]},
    ]
    if old:
        questions.insert(1, {"name": "ancien", "type": "yes_no", "label": "Ancienne question"})
    for question in [*questions, *questions[-1]["questions"]]:  # roles declared: exports keep rows as they are
        if question["type"] not in ("short_text", "email", "phone"):
            question.setdefault("disclosure", "none")
    return Questionnaire.model_validate({
        "id": "riche", "version": version, "title": "Riche", "privacy_notice": "p", "languages": ["fr", "en"],
        "disclosure": {"submitted_date": "none", "version": "none"}, "pages": [{"id": "p", "questions": questions}]})


CURRENT, OLD = rich("2"), rich("1", old=True)
VERSIONS = {"1": OLD, "2": CURRENT}
FULL = {
    "quartier": "other", "quartier__other": "Près de chez Marie", "priorites": ["c", "a"],
    "services": {"eau": "3", "voirie": "1"}, "reco": 9, "heure": "08:30", "courriel": "marie@example.fr",
    "tel": "0612345678", "accord": True, "score": 90, "copie": "marie@example.fr", "canaux": ["web", "other"],
    "canaux__other": "Affiche", "enfants": [{"age_enfant": 7, "ecole": "pub", "prenom": "Léo"},
                                            {"age_enfant": 1, "ecole": {"special": "not_asked"}}],
}


def versioned(answers: dict, version: str, response_id: str = "resp_1") -> ResponseRecord:
    return ResponseRecord(response_id, version, dt.datetime(2026, 3, 14, 9, 0), answers)


def as_dicts(table) -> list[dict]:
    return [dict(zip(table.header, row, strict=True)) for row in table.rows]


def test_new_types_get_their_columns_and_codes():
    table = anonymise(CURRENT, [versioned(FULL, "2")])
    assert table.header[4:] == (
        "quartier", "priorites__a", "priorites__b", "priorites__c", "services__eau", "services__voirie", "reco",
        "heure", "accord", "score", "canaux__web", "canaux__presse", "canaux__other", "enfants",
    ), "no note, no e-mail/phone or calculation copying them, no “other” text by default; a repeat: its count"
    row = as_dicts(table)[0]
    assert (row["quartier"], row["priorites__a"], row["priorites__b"], row["priorites__c"]) == ("other", 2, None, 1)
    assert (row["services__eau"], row["services__voirie"], row["reco"], row["heure"]) == (3, 1, 9, "08:30"), (
        "a matrix on a scale holds its points as numbers")
    assert (row["accord"], row["score"], row["canaux__other"], row["enfants"]) == (1, "90", 1, 2), (
        "a calculation is kept as text; a repeat group's column counts its items")
    text = dataset_csv(table).decode("utf-8-sig")
    assert "Marie" not in text and "marie@" not in text and "Léo" not in text and "Affiche" not in text


def test_free_text_adds_other_texts_and_copies_scrubbed_but_never_identifiers():
    table = anonymise(CURRENT, [versioned(FULL, "2")], include_free_text=True)
    row = as_dicts(table)[0]
    assert row["quartier__other_text"] == "Près de chez Marie" and row["canaux__other_text"] == "Affiche"
    assert "courriel" not in row and "tel" not in row, "e-mail and phone are identifiers: never exported"
    assert row["copie"] == "[COURRIEL]", "a calculation copying an e-mail is free text, scrubbed"
    assert as_dicts(table.repeats["enfants"])[0]["prenom"] == "Léo"
    assert table.report["classification"] == "pseudonymised"


def test_special_answers_have_their_own_codes_in_every_column_of_the_question():
    answers = {"quartier": {"special": "dont_know"}, "services": {"special": "prefer_not_to_say"},
               "canaux": {"special": "not_asked"}, "priorites": {"special": "dont_know"}}
    row = as_dicts(anonymise(CURRENT, [versioned(answers, "2")]))[0]
    assert row["quartier"] == str(SPECIAL_CODES["dont_know"]) == "-8", "a code column holds codes as text"
    assert row["services__eau"] == row["services__voirie"] == SPECIAL_CODES["prefer_not_to_say"] == -9
    assert row["canaux__web"] == row["canaux__presse"] == row["canaux__other"] == SPECIAL_CODES["not_asked"] == -7
    assert {row[f"priorites__{c}"] for c in "abc"} == {-8}
    assert row["reco"] is None and row["heure"] is None, "no answer stays an empty cell"
    labelled = as_dicts(anonymise(CURRENT, [versioned(answers, "2")], labels="fr"))[0]
    assert labelled["quartier"] == "Ne sait pas" and labelled["canaux__web"] == "Non concerné (question non posée)"


special_or_empty = st.sampled_from([None, {"special": "dont_know"}, {"special": "prefer_not_to_say"},
                                    {"special": "not_asked"}, "ABSENT"])


@settings(max_examples=40, deadline=None)
@given(st.dictionaries(st.sampled_from(["quartier", "priorites", "services", "reco", "heure", "accord", "score",
                                        "canaux"]), special_or_empty))
def test_special_codes_are_distinct_from_an_empty_cell(answers):
    answers = {k: v for k, v in answers.items() if v != "ABSENT"}
    table = anonymise(CURRENT, [versioned(answers, "2")])
    row = as_dicts(table)[0]
    for col in table.columns[4:]:  # after export_id, version, submitted_date, channel
        kind = special_kind(answers.get(col.question))
        expected = SPECIAL_CODES[kind] if kind else None
        if expected is not None and not col.numeric:
            expected = str(expected)  # text columns (codes, times, calculations) hold the code as text
        assert row[col.name] == expected, col.name
    written = read_csv(dataset_csv(table))[1]
    assert all(cell in ("", "-7", "-8", "-9") for cell in written[4:])


def test_codebook_documents_special_codes_and_repeat_tables():
    shape = layout(CURRENT, versions=VERSIONS)
    book = read_csv(codebook_csv(shape.columns, "fr", shape.repeats))
    quartier = {(row[6], row[7]) for row in book if row[1] == "quartier"}
    assert {("nord", "Nord"), ("other", "Autre"), ("-8", "Ne sait pas")} <= quartier
    assert ("-9", "Préfère ne pas répondre") not in quartier, "only the special answers the question offers"
    assert ("-7", "Non concerné (question non posée)") in {(r[6], r[7]) for r in book if r[1] == "canaux__web"}
    assert ("-7", "Non concerné (question non posée)") in {(r[6], r[7]) for r in book if r[1] == "ancien"}, (
        "a question some versions lack may be not asked")
    assert {row[1] for row in book if row[0] == "enfants"} == {"export_id", "instance", "age_enfant", "ecole"}
    english = read_csv(codebook_csv(layout(CURRENT).columns, "en"))
    assert ["quartier", "quartier", "District", "dropdown", "", "nord", "North"] in [r[1:] for r in english]


def test_labels_in_a_language_instead_of_codes():
    answers = {**FULL, "quartier": "nord"}
    fr = as_dicts(anonymise(CURRENT, [versioned(answers, "2")], labels="fr"))[0]
    en = as_dicts(anonymise(CURRENT, [versioned(answers, "2")], labels="en"))[0]
    assert (fr["quartier"], en["quartier"]) == ("Nord", "North")
    assert (fr["services__eau"], fr["accord"], fr["canaux__presse"], fr["priorites__c"]) == ("Bon", "Oui", "Non", 1)
    assert (en["accord"], en["reco"]) == ("Yes", "9"), "a scale's points are its labels: 0–10 for an NPS"


@st.composite
def mixed_records(draw: st.DrawFn) -> list[ResponseRecord]:
    out = []
    for i in range(draw(st.integers(0, 12))):
        version = draw(st.sampled_from(["1", "2"]))
        answers = {"reco": draw(st.integers(0, 10)), "quartier": draw(st.sampled_from(["nord", "sud"]))}
        if version == "1":
            answers["ancien"] = draw(st.booleans())
        if draw(st.booleans()):
            answers["enfants"] = [{"age_enfant": draw(st.integers(0, 17))} for _ in range(draw(st.integers(0, 3)))]
        out.append(ResponseRecord(f"resp_{i:04d}x", version, dt.datetime(2026, 3, 1 + i, 10), answers))
    return out


@settings(max_examples=40, deadline=None)
@given(mixed_records())
def test_columns_align_by_name_across_versions_and_keep_removed_questions(records):
    table = anonymise(CURRENT, records, versions=VERSIONS)
    current_only = anonymise(CURRENT, []).header
    assert table.header[: len(current_only)] == current_only, "the current version's columns first, in order"
    assert "ancien" in table.header, "a removed question keeps its column"
    by_stored = {r.submitted_at.date().isoformat(): r for r in records}
    for row in as_dicts(table):
        record = by_stored[row["submitted_date"]]
        assert row["version"] == record.version
        assert row["reco"] == record.answers["reco"] and row["quartier"] == record.answers["quartier"]
        expected = (1 if record.answers["ancien"] else 0) if record.version == "1" else SPECIAL_CODES["not_asked"]
        assert row["ancien"] == expected, "coded with its own version: not asked where the version lacked it"


@settings(max_examples=40, deadline=None)
@given(mixed_records())
def test_repeat_rows_link_to_main_rows_by_export_id_only(records):
    table = anonymise(CURRENT, records, versions=VERSIONS)
    repeat = table.repeats["enfants"]
    assert repeat.header == ("export_id", "instance", "age_enfant", "ecole")
    main = {row["export_id"]: row for row in as_dicts(table)}
    by_stored = {r.submitted_at.date().isoformat(): r for r in records}
    seen: dict[str, list[int]] = {}
    for row in as_dicts(repeat):
        parent = by_stored[main[row["export_id"]]["submitted_date"]]  # every instance row has its main row
        seen.setdefault(row["export_id"], []).append(row["instance"])
        assert row["age_enfant"] == parent.answers["enfants"][row["instance"] - 1]["age_enfant"]
    for export_id, numbers in seen.items():
        assert numbers == list(range(1, len(numbers) + 1))
        assert len(numbers) == len(by_stored[main[export_id]["submitted_date"]].answers["enfants"])
    assert sum(len(r.answers.get("enfants", [])) for r in records) == len(repeat.rows)
    text = dataset_csv(table).decode() + dataset_csv(repeat).decode()
    assert "resp_" not in text, "no stored id anywhere"
    assert set(seen) <= set(main) and not set(main) & {r.response_id for r in records}
    again = anonymise(CURRENT, records, versions=VERSIONS)
    assert not {row[0] for row in again.repeats["enfants"].rows} & set(seen), "fresh ids in every export"


def test_columns_made_apart_are_cut_like_the_table_so_that_polars_never_copies_it_whole() -> None:
    table = pl.concat([pl.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}),
                       pl.DataFrame({"a": [4, 5], "b": ["u", "v"]})], rechunk=False)  # chunks of 3 and 2 rows
    frame = table.with_columns(pl.Series("made", [10, 20, 30, 40, 50]))  # one chunk of 5
    aligned = _aligned(frame)
    assert [c.chunk_lengths() for c in aligned.iter_columns()] == [[3, 2]] * 3
    assert aligned.to_dict(as_series=False) == {"a": [1, 2, 3, 4, 5], "b": ["x", "y", "z", "u", "v"],
                                                 "made": [10, 20, 30, 40, 50]}
    assert _aligned(aligned) is aligned  # nothing to do: the frame itself
