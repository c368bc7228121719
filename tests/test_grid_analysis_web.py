"""The interview analysis pages (/staff/grids) and `survey export GRID`, on a stored grid: who sees what (consultants
only the pseudonymised text), filters, recoding (evaluators only, audited, passages follow) and the export zip."""

from __future__ import annotations

import io
import textwrap
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
import yaml
from litestar.testing import TestClient
from typer.testing import CliRunner

from survey.access import Role
from survey.cli import app as cli_app
from survey.interview_analysis import write_grid_export
from survey.schema.interview import InterviewGrid
from survey.store import Store
from tests.conftest import add_staff, csrf_of, login, make_client, post_form

GRID = textwrap.dedent("""
    kind: interview
    id: entretiens-analyse
    version: "1"
    title: Entretiens pour l'analyse
    mission:
      id: mission-analyse
      name: Mission d'analyse
      small_cells: 2
      lists: {people: [Marie Dupont], places: [La Garenne], organisations: [Maison des Jeunes]}
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
          - {id: enjeux_1, text: "Pourquoi cette démarche ?"}
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
      - {code: moyens, label: Moyens, definition: Budget et personnes., example: « pas de budget »}
""")
OTHER_MISSION = "saint-aubin-bp-2026"  # the example questionnaires' mission
NAMES = ["Marie Dupont", "Maison des Jeunes", "Jean Valjean", "Cosette Fauchelevent"]
ELU_NOTE = "Marie Dupont voulait renouer le lien avec la Maison des Jeunes."
AGENT_NOTE = "Cosette Fauchelevent dit qu'il n'y avait pas de budget pour la suite."


def _seed(store: Store) -> dict[str, int]:
    """Two interviews with coded passages; the codes' ids by name."""
    store.load_grid(InterviewGrid.model_validate(yaml.safe_load(GRID)), source="test.yaml")
    codes = {c.code: c.id for c in store.codes("entretiens-analyse")}
    elu = store.start_interview("entretiens-analyse", category="elu", interviewee_name="Jean Valjean", site="garenne",
                                organisation="Mairie", role="Maire")
    agent = store.start_interview("entretiens-analyse", category="agent", interviewee_name="Cosette Fauchelevent",
                                  site="centre", role="Cheffe de projet")
    store.save_text(elu.id, "note:enjeux_1", ELU_NOTE, base_revision=0, save_id="save-aaaa")
    store.save_text(elu.id, "summary:enjeux", "Élu convaincu, voir Marie Dupont.", base_revision=0, save_id="save-bbbb")
    store.save_text(agent.id, "note:suites_1", AGENT_NOTE, base_revision=0, save_id="save-cccc")
    start = ELU_NOTE.index("Marie")
    store.add_segment(elu.id, "note:enjeux_1", start, ELU_NOTE.index(" avec"), is_quote=True,
                      code_ids=[codes["enjeux.lien"]])
    at = AGENT_NOTE.index("pas de budget")
    store.add_segment(agent.id, "note:suites_1", at, at + len("pas de budget"), code_ids=[codes["moyens"]])
    return codes


@pytest.fixture
def seeded(store: Store, tmp_path: Path) -> Iterator[tuple[TestClient, Store, dict[str, int]]]:
    codes = _seed(store)
    add_staff(store, "eval@example.org", Role.EVALUATOR, ["mission-analyse"])
    add_staff(store, "conseil@example.org", Role.CONSULTANT, ["mission-analyse"])
    add_staff(store, "enqueteur@example.org", Role.INTERVIEWER, ["mission-analyse"])
    with make_client(store, tmp_path) as client:  # loads the example questionnaires, and their missions
        add_staff(store, "ailleurs@example.org", Role.CONSULTANT, [OTHER_MISSION])
        yield client, store, codes


PAGES = ["", "/citations", "/frequences", "/codes", "/export"]


def test_an_evaluator_reads_the_matrix_as_typed(seeded) -> None:  # noqa: ANN001
    client, _, _ = seeded
    login(client, "eval@example.org")
    page = client.get("/staff/grids/entretiens-analyse")
    assert page.status_code == 200
    assert "Élu·e 1" in page.text and "Agent·e 1" in page.text
    assert "Marie Dupont voulait renouer le lien" in page.text
    assert "Jean Valjean" not in page.text  # the interviewee's name is not part of the analysis


def test_a_consultant_sees_only_pseudonymised_text_on_every_page(seeded) -> None:  # noqa: ANN001
    client, _, _ = seeded
    login(client, "conseil@example.org")
    for suffix in PAGES:
        page = client.get(f"/staff/grids/entretiens-analyse{suffix}")
        assert page.status_code == 200, suffix
        assert [n for n in NAMES if n in page.text] == [], suffix
    matrix = client.get("/staff/grids/entretiens-analyse").text
    assert "</span>[PERSONNE] voulait renouer le lien</span>" in matrix
    assert "Élu convaincu, voir [PERSONNE]." in matrix
    quotes = client.get("/staff/grids/entretiens-analyse/citations?code=moyens").text
    assert "pas de budget" in quotes and "[PERSONNE] voulait" not in quotes


def test_the_grid_pages_are_for_the_missions_analysts_only(seeded) -> None:  # noqa: ANN001
    client, _, _ = seeded
    login(client, "ailleurs@example.org")
    assert client.get("/staff/grids/entretiens-analyse").status_code == 404
    assert "entretiens-analyse" not in client.get("/staff/grids").text
    client.cookies.clear()
    login(client, "enqueteur@example.org")
    assert client.get("/staff/grids/entretiens-analyse").status_code == 403


def test_the_matrix_filters_by_category_and_site_with_a_get_form(seeded) -> None:  # noqa: ANN001
    client, _, _ = seeded
    login(client, "eval@example.org")
    agents = client.get("/staff/grids/entretiens-analyse?categorie=agent").text
    assert "Agent·e 1" in agents and "Élu·e 1" not in agents
    garenne = client.get("/staff/grids/entretiens-analyse?site=garenne").text
    assert "Élu·e 1" in garenne and "Agent·e 1" not in garenne
    # A value the grid does not have filters nothing rather than failing.
    assert "Agent·e 1" in client.get("/staff/grids/entretiens-analyse?categorie=inconnue").text


def test_frequencies_are_published_under_the_missions_small_cell_rule(seeded) -> None:  # noqa: ANN001
    client, _, _ = seeded
    login(client, "conseil@example.org")
    page = client.get("/staff/grids/entretiens-analyse/frequences").text
    # small_cells: 2 here: a category of one interview is « < 2 », never « 1 »; every share is hidden, so no chart.
    assert "&lt;\u00a02" in page
    assert "bar-chart" not in page


def test_the_frequencies_chart_draws_the_shares_that_can_be_shown(sqlite_store: Store, tmp_path: Path) -> None:
    from survey.cli_interviews import seed_grid
    from survey.interview_analysis import load_corpus
    from survey.interviews.frequencies import code_frequencies
    from survey.schema import load_document
    from tests.conftest import EXAMPLE_GRIDS

    grid = load_document(EXAMPLE_GRIDS[0])
    sqlite_store.load_grid(grid)
    seed_grid(sqlite_store, grid.id, 12, seed=5)
    with make_client(sqlite_store, tmp_path) as client:
        add_staff(sqlite_store, "conseil@example.org", Role.CONSULTANT, [grid.mission.id])
        login(client, "conseil@example.org")
        page = client.get(f"/staff/grids/{grid.id}/frequences?synthetiques=1").text
    table = code_frequencies(load_corpus(sqlite_store, grid.id, include_synthetic=True))
    shown = [row for row in table.rows if row.percent > 0]
    assert shown and page.count('<rect x="230"') == len(table.rows)  # a bar per code, empty when hidden
    assert all(f">{row.percent_text}&#160;%</text>" in page for row in shown)


def test_recoding_is_for_evaluators_audited_and_passages_follow(seeded) -> None:  # noqa: ANN001
    client, store, codes = seeded
    login(client, "conseil@example.org")
    token = csrf_of(client.get("/staff/grids/entretiens-analyse/codes").text)
    refused = post_form(client, "/staff/grids/entretiens-analyse/codes/renommer",
                        [("_csrf_token", token), ("code_id", str(codes["moyens"])), ("new_code", "budget")])
    assert refused.status_code == 403
    client.cookies.clear()
    login(client, "eval@example.org")
    token = csrf_of(client.get("/staff/grids/entretiens-analyse/codes").text)
    done = post_form(client, "/staff/grids/entretiens-analyse/codes/renommer",
                     [("_csrf_token", token), ("code_id", str(codes["moyens"])), ("new_code", "budget"),
                      ("label", "Budget")], follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].endswith("/codes?fait=1")
    assert "budget" in {c.code for c in store.codes("entretiens-analyse")}
    quotes = client.get("/staff/grids/entretiens-analyse/citations?code=budget").text
    assert "pas de budget" in quotes
    merged = post_form(client, "/staff/grids/entretiens-analyse/codes/fusionner",
                       [("_csrf_token", token), ("source_id", str(codes["enjeux.lien"])),
                        ("into_id", str(codes["enjeux"]))], follow_redirects=False)
    assert merged.status_code == 303
    assert "Marie Dupont voulait" in client.get("/staff/grids/entretiens-analyse/citations?code=enjeux").text
    events = store.audit_events("entretiens-analyse", action="interview_recode")
    assert sorted(e.detail["op"] for e in events) == ["merge", "rename"]
    wrong = post_form(client, "/staff/grids/entretiens-analyse/codes/fusionner",
                      [("_csrf_token", token), ("source_id", "999999"), ("into_id", str(codes["enjeux"]))])
    assert wrong.status_code == 400 and "Recodage impossible" in wrong.text


def test_splitting_a_code_moves_the_passages_chosen(seeded) -> None:  # noqa: ANN001
    client, store, codes = seeded
    login(client, "eval@example.org")
    form = client.get(f"/staff/grids/entretiens-analyse/codes?scinder={codes['moyens']}").text
    segment = next(s for i in store.interviews("entretiens-analyse") for s in i.segments
                   if codes["moyens"] in s.code_ids)
    assert f'name="passage_{segment.id}"' in form
    done = post_form(client, "/staff/grids/entretiens-analyse/codes/scinder",
                     [("_csrf_token", csrf_of(form)), ("code_id", str(codes["moyens"])), ("code_1", "moyens.budget"),
                      ("label_1", "Budget"), ("code_2", "moyens.personnes"), ("label_2", "Personnes"),
                      (f"passage_{segment.id}", "1")], follow_redirects=False)
    assert done.status_code == 303
    stored = {c.id: c.code for c in store.codes("entretiens-analyse")}
    moved = next(s for i in store.interviews("entretiens-analyse") for s in i.segments if s.id == segment.id)
    assert [stored[c] for c in moved.code_ids] == ["moyens.budget"]


def test_the_staff_export_is_one_pseudonymised_zip(seeded) -> None:  # noqa: ANN001
    client, store, _ = seeded
    login(client, "conseil@example.org")
    token = csrf_of(client.get("/staff/grids/entretiens-analyse/export").text)
    response = post_form(client, "/staff/grids/entretiens-analyse/export", [("_csrf_token", token),
                                                                          ("format", "xlsx")])
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == ["LISEZMOI.txt", "entretiens-analyse.qdpx", "entretiens-analyse.xlsx"]
        book = openpyxl.load_workbook(io.BytesIO(archive.read("entretiens-analyse.xlsx")))
        cells = [str(v) for sheet in book for row in sheet.iter_rows(values_only=True) for v in row if v]
    assert "[PERSONNE] voulait renouer le lien" in cells
    assert [n for n in NAMES if any(n in c for c in cells)] == []
    assert [e.detail["format"] for e in store.audit_events("entretiens-analyse", action="interview_export")] == ["xlsx"]
    refused = post_form(client, "/staff/grids/entretiens-analyse/export", [("_csrf_token", token), ("format", "sav")])
    assert refused.status_code == 400 and "Format inconnu : choisissez xlsx, csv, json, qdpx." in refused.text


def test_survey_export_writes_a_grids_zip_and_refuses_what_grids_do_not_have(
        seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    _, store, _ = seeded
    monkeypatch.setenv("SURVEY_DATABASE_URL", store.engine.url.render_as_string(hide_password=False))
    runner = CliRunner()
    out = tmp_path / "grille.zip"
    result = runner.invoke(cli_app, ["export", "entretiens-analyse", "--format", "qdpx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["LISEZMOI.txt", "entretiens-analyse.qdpx"]
    for args, message in [
        (["--format", "parquet"], "error: --format parquet: an interview grid exports as xlsx, csv, json, qdpx"),
        (["--raw", "--reason", "besoin"], "error: --raw: not for an interview grid"),
    ]:
        bad = tmp_path / "bad.zip"
        result = runner.invoke(cli_app, ["export", "entretiens-analyse", *args, "-o", str(bad)])
        assert result.exit_code == 1 and result.output.strip().splitlines()[-1].startswith(message), result.output
        assert not bad.exists()
    result = runner.invoke(cli_app, ["export", "budget-participatif-habitants", "--format", "qdpx", "-o",
                                     str(tmp_path / "q.zip")])
    assert result.exit_code == 1 and "made from an interview grid" in result.output


def test_the_exported_tables_agree_with_a_plain_count_over_the_stored_interviews(
        seeded, tmp_path: Path) -> None:  # noqa: ANN001
    _, store, _ = seeded

    out = write_grid_export(store, "entretiens-analyse", "xlsx", tmp_path / "e.zip")
    with zipfile.ZipFile(out) as archive:
        book = openpyxl.load_workbook(io.BytesIO(archive.read("entretiens-analyse.xlsx")))
    stored = store.interviews("entretiens-analyse", include_synthetic=False)
    profiles = list(book["Profils"].iter_rows(values_only=True))[1:]
    assert len(profiles) == len(stored) == 2
    # Coded passages per interview, counted over the stored passages.
    labels = {"elu": "Élu·e", "agent": "Agent·e"}
    expected = {f"{labels[i.category]} {i.number}": sum(1 for s in i.segments if s.code_ids) for i in stored}
    assert {row[0]: row[-1] for row in profiles} == expected
    quotes = list(book["Citations par code"].iter_rows(values_only=True))[1:]
    assert len(quotes) == sum(len(s.code_ids) for i in stored for s in i.segments)
    notes = [row[5] for row in list(book["1. Les enjeux"].iter_rows(values_only=True))[1:]]
    assert sum(1 for n in notes if n) == sum(1 for i in stored if i.body("note:enjeux_1"))


def test_the_example_grids_seeded_interviews_leave_no_listed_name_in_any_export(sqlite_store: Store,
                                                                                 tmp_path: Path) -> None:
    """`survey seed` mixes the example mission's names into notes (as listed, in capitals, lower case, without
    accents): none of them, and no interviewee's name, reaches any file of any export."""
    from survey.cli_interviews import seed_grid
    from survey.schema import load_document
    from tests.conftest import EXAMPLE_GRIDS
    from tests.test_interview_analysis import names_in
    from tests.test_interview_exports import readable

    for path in EXAMPLE_GRIDS:
        grid = load_document(path)
        sqlite_store.load_grid(grid, source=str(path))
        seed_grid(sqlite_store, grid.id, 8, seed=3)
        lists = grid.mission.lists
        names = [*lists.people, *lists.places, *lists.organisations]
        names += [i.interviewee_name for i in sqlite_store.interviews(grid.id) if i.interviewee_name]
        for fmt in ("xlsx", "csv", "json", "qdpx"):
            out = write_grid_export(sqlite_store, grid.id, fmt, tmp_path / f"{grid.id}-{fmt}.zip",
                                    include_synthetic=True)
            with zipfile.ZipFile(out) as archive:
                texts = readable(archive)
            assert sum(t.count("[PERSONNE]") for t in texts) > 0, fmt  # the names were there, and were replaced
            assert [(t[:60], names_in(t, names)) for t in texts if names_in(t, names)] == [], (path.name, fmt)
        _check_project(out, sqlite_store, grid.id)


def _check_project(zipped: Path, store: Store, grid_id: str) -> None:
    """The .qdpx of an export validates against the REFI-QDA schema, and each coded selection's positions give
    exactly its passage as the pseudonymised corpus holds it."""
    from lxml import etree

    from survey.interview_analysis import load_corpus
    from survey.interviews.pseudonymise import pseudonymise_corpus
    from tests.test_interview_analysis import NS, SCHEMA

    corpus = pseudonymise_corpus(load_corpus(store, grid_id, include_synthetic=True))
    passages = {(s.text, tuple(sorted(s.codes))) for i in corpus.interviews for s in i.segments if s.codes}
    labels = {c.label: c.code for c in corpus.codes}
    with zipfile.ZipFile(zipped) as archive, zipfile.ZipFile(io.BytesIO(archive.read(f"{grid_id}.qdpx"))) as project:
        root = etree.fromstring(project.read("project.qde"))
        schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
        assert schema.validate(root), schema.error_log
        codes = {e.get("guid"): labels[e.get("name")] for e in root.iterfind(".//q:Code", NS)}
        found = 0
        for source in root.iterfind(".//q:TextSource", NS):
            text = project.read("Sources/" + source.get("plainTextPath").removeprefix("internal://")).decode()
            for selection in source.iterfind("q:PlainTextSelection", NS):
                tagged = tuple(sorted(codes[r.get("targetGUID")] for r in selection.iterfind("q:Coding/q:CodeRef", NS)))
                if tagged:
                    piece = text[int(selection.get("startPosition")):int(selection.get("endPosition"))]
                    assert (piece, tagged) in passages
                    found += 1
    assert found == sum(1 for i in corpus.interviews for s in i.segments if s.codes and s.start is not None)


@pytest.mark.parametrize("number", ["²", "٣", "9" * 5000, "99999999999999999999"])
def test_odd_numbers_in_a_grids_query_or_form_are_refused_not_a_500(seeded, number: str) -> None:  # noqa: ANN001
    client, _, codes = seeded
    login(client, "eval@example.org")
    page = client.get(f"/staff/grids/entretiens-analyse/codes?scinder={number}")
    assert page.status_code == 200 and 'name="code_1"' not in page.text  # no code to split: the plain codebook
    refused = post_form(client, "/staff/grids/entretiens-analyse/codes/fusionner",
                        [("_csrf_token", csrf_of(page.text)), ("source_id", number), ("into_id", str(codes["enjeux"]))])
    assert refused.status_code == 400 and "Recodage impossible" in refused.text


def test_synthetic_interviews_reach_pages_and_exports_only_when_asked(seeded) -> None:  # noqa: ANN001
    client, store, _ = seeded
    fake = store.start_interview("entretiens-analyse", category="elu", site="centre", synthetic=True)
    store.save_text(fake.id, "summary:enjeux", "Une démarche inventée pour la démo.", base_revision=0,
                    save_id="save-synthetic")
    login(client, "eval@example.org")
    assert "inventée pour la démo" not in client.get("/staff/grids/entretiens-analyse").text
    assert "inventée pour la démo" in client.get("/staff/grids/entretiens-analyse?synthetiques=1").text
    token = csrf_of(client.get("/staff/grids/entretiens-analyse/export").text)

    def exported(*extra: tuple[str, str]) -> str:
        response = post_form(client, "/staff/grids/entretiens-analyse/export",
                             [("_csrf_token", token), ("format", "json"), *extra])
        assert response.status_code == 200
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            return "".join(archive.read(name).decode() for name in archive.namelist() if name.endswith(".json"))

    assert "[PERSONNE] voulait renouer" in exported() and "inventée pour la démo" not in exported()
    assert "inventée pour la démo" in exported(("synthetiques", "1"))
