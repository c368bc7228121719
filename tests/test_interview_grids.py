"""Interview grid files: the example, every problem of a broken grid located in one pass, loading at start and with
`survey load`, `survey import-interview` and `survey seed` on a grid."""

from __future__ import annotations

import io
import textwrap
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from survey.cli import app
from survey.errors import QuestionnaireInvalid
from survey.schema import InterviewGrid, load_document, load_questionnaire, parse_document
from survey.store import Store
from tests.conftest import EXAMPLE_GRIDS, ROOT, make_client

EXAMPLE = ROOT / "questionnaires" / "entretiens-elus-cadres.yaml"


def test_the_example_grid_has_themes_a_codebook_and_the_mission_lists() -> None:
    assert EXAMPLE_GRIDS == [EXAMPLE]
    grid = load_document(EXAMPLE)
    assert isinstance(grid, InterviewGrid)
    assert [t.id for t in grid.themes] == ["enjeux", "cadrage", "organisation", "publics", "resultats",
                                           "recommandations"]
    assert all(t.duration and t.guidance and all(q.prompts for q in t.questions[:1]) for t in grid.themes)
    codes = list(grid.codes())
    assert 20 <= len(codes) <= 30 and all(c.definition and c.example for c, _ in codes)
    parents = {code.code: parent for code, parent in codes}
    assert parents["publics.eloignes"] == "publics" and parents["publics"] is None
    assert [s.code for s in grid.profile.sites][:2] == ["ville", "centre_ville"]  # read from sites-entretiens.csv
    assert grid.mission is not None and "Claire Morvan" in grid.mission.lists.people
    assert "Centre social Émile-Zola" in grid.mission.lists.organisations
    assert {q.type for _, q in grid.closed_questions()} == {"likert", "single_choice", "integer"}
    assert grid.introduction.consent


def test_a_grid_given_where_a_questionnaire_is_expected_is_refused_saying_so() -> None:
    with pytest.raises(QuestionnaireInvalid, match="this file is an interview grid"):
        load_questionnaire(EXAMPLE)


BROKEN = textwrap.dedent("""\
    kind: interview
    id: grille-cassee
    version: 1
    title: Grille cassée
    privacy_notice: Notes gardées au cabinet.
    profile:
      categories:
        - {code: elu, label: Élu·e}
        - {code: elu, label: Élue bis}
    introduction:
      text: Bonjour.
    themes:
      - id: enjeux
        title: Enjeux
        duration: 0
        questions:
          - {id: q1, text: Pourquoi}
      - id: enjeux
        title: Encore
        duration: dix
        questions:
          - {id: q1, text: Encore}
        closed:
          - {name: note, type: sliders, label: Note}
          - {name: choix, type: single_choice, label: Choix}
    codebook:
      - code: moyens
        label: Moyens
        definition: Budget.
        example: « pas de budget »
        parent: moyen
      - code: moyens
        label: Doublon
        definition: D.
        example: E.
      - code: a
        label: A
        definition: D.
        example: E.
        parent: b
        exemple: typo
      - code: b
        label: B
        definition: D.
        example: E.
        parent: a
    """)


def test_every_problem_of_a_broken_grid_is_located_in_one_pass() -> None:
    with pytest.raises(QuestionnaireInvalid) as caught:
        parse_document(BROKEN, "cassee.yaml")
    found = {(p.line, p.code) for p in caught.value.problems}
    assert found == {
        (9, "GRID_DUPLICATE"),  # category code elu twice
        (10, "NO_CONSENT"),
        (15, "BAD_DURATION"),  # 0 minutes
        (18, "GRID_DUPLICATE"),  # theme id enjeux twice
        (20, "BAD_DURATION"),  # "dix"
        (22, "GRID_DUPLICATE"),  # question id q1 twice
        (24, "UNKNOWN_TYPE"),  # sliders
        (25, "NO_CHOICES"),
        (31, "CODE_PARENT"),  # moyen is not a code
        (32, "GRID_DUPLICATE"),  # code moyens twice
        (40, "CODE_PARENT"),  # a → b → a
        (41, "UNKNOWN_FIELD"),  # exemple
    }
    messages = {p.line: str(p) for p in caught.value.problems}
    assert "cassee.yaml:31: code `moyens`: its parent `moyen` is not a code" in messages[31]
    assert "did you mean `moyens`?" in messages[31]
    assert "theme id `enjeux` is already used on line 13" in messages[18]
    assert "a → b → a" in messages[40] and "did you mean `example`?" in messages[41]
    assert "question 'q1'" in messages[22] and "question 'note'" in messages[24]


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN201
    monkeypatch.setenv("SURVEY_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    runner = CliRunner()

    def invoke(*args: str):  # noqa: ANN202
        result = runner.invoke(app, list(args))
        assert "Traceback" not in result.output
        return result

    return invoke


def test_validate_checks_grids_with_located_messages(run, tmp_path: Path) -> None:  # noqa: ANN001
    assert run("validate", str(EXAMPLE)).output == f"{EXAMPLE}: ok\n"
    broken = tmp_path / "cassee.yaml"
    broken.write_text(BROKEN, encoding="utf-8")
    result = run("validate", str(broken))
    assert result.exit_code == 1
    assert f"{broken}:10: the introduction has no consent question — add `consent:`" in result.output
    assert "12 problem(s) found" in result.output


def test_survey_load_stores_a_grid_and_versions_it_once_followed(run, tmp_path: Path) -> None:  # noqa: ANN001
    assert run("load", str(EXAMPLE)).output == f"{EXAMPLE}: new (interview grid)\n"
    assert run("load", str(EXAMPLE)).output == f"{EXAMPLE}: unchanged (interview grid)\n"
    transcript = tmp_path / "entretien.txt"
    transcript.write_text("Enquêteur : Bonjour.\nMme X : Bonjour.", encoding="utf-8")
    run("import-interview", "entretiens-elus-cadres", str(transcript), "--interviewee", "Claire Morvan",
        "--category", "elu")
    changed = tmp_path / EXAMPLE.name
    changed.write_text(EXAMPLE.read_text(encoding="utf-8").replace("title: Entretiens avec", "title: Entretien avec"),
                       encoding="utf-8")
    for name in ("personnes.csv", "lieux.csv", "organisations-entretiens.csv", "sites-entretiens.csv"):
        (tmp_path / name).write_bytes((EXAMPLE.parent / name).read_bytes())
    assert "new version 2026.1+2 of the grid" in run("load", str(changed)).output


def test_the_service_loads_the_grids_of_the_questionnaires_folder_at_start(store: Store, tmp_path: Path) -> None:
    with make_client(store, tmp_path):
        loaded = store.grid("entretiens-elus-cadres")
    assert loaded is not None and loaded.grid.title.startswith("Entretiens avec les élu·es")
    assert len(store.codes("entretiens-elus-cadres")) == len(list(loaded.grid.codes()))
    assert store.current("entretiens-elus-cadres") is None  # a grid is not a questionnaire


def _docx(paragraphs: list[str], extra: str = "") -> bytes:
    body = "".join(f"<w:p><w:r><w:t>{p}</w:t></w:r></w:p>" for p in paragraphs)
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>{extra}<w:document xmlns:w="http://schemas.openxmlformats.org/'
           f'wordprocessingml/2006/main"><w:body>{body}</w:body></w:document>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", xml)
    return buffer.getvalue()


def test_import_interview_stores_a_docx_transcript_as_a_complete_interview(run, tmp_path: Path) -> None:  # noqa: ANN001
    run("load", str(EXAMPLE))
    transcript = tmp_path / "entretien.docx"
    transcript.write_bytes(_docx(["Q : Pourquoi cette démarche ?", "R : Pour renouer le lien."]))
    result = run("import-interview", "entretiens-elus-cadres", str(transcript), "--interviewee", "Karim Benali",
                 "--category", "elu", "--site", "la_garenne")
    assert result.exit_code == 0, result.output
    expected = "Q : Pourquoi cette démarche ?\nR : Pour renouer le lien."
    assert f"(Élu·e 1) of entretiens-elus-cadres: transcript of {len(expected)} characters" in result.output
    store = Store.from_url(f"sqlite:///{tmp_path / 'cli.db'}")
    [interview] = store.interviews("entretiens-elus-cadres")
    assert interview.body("transcript") == expected
    assert (interview.interviewee_name, interview.site, interview.complete) == ("Karim Benali", "la_garenne", True)


@pytest.mark.parametrize("args, message", [
    (["--category", "maire"], "error: --category category `maire` is not in the grid — use one of: elu, direction"),
    (["--category", "elu", "--site", "lune"], "error: --site site `lune` is not in the grid's list"),
])
def test_import_interview_refuses_a_profile_outside_the_grid_in_one_line(run, tmp_path: Path, args: list[str],  # noqa: ANN001
                                                                         message: str) -> None:
    run("load", str(EXAMPLE))
    transcript = tmp_path / "t.txt"
    transcript.write_text("Bonjour.", encoding="utf-8")
    result = run("import-interview", "entretiens-elus-cadres", str(transcript), "--interviewee", "X", *args)
    assert result.exit_code == 1 and result.output.startswith(message), result.output


def test_import_interview_says_what_is_wrong_with_a_broken_file_and_stores_nothing(run, tmp_path: Path) -> None:  # noqa: ANN001
    run("load", str(EXAMPLE))
    broken = tmp_path / "abime.docx"
    broken.write_bytes(b"PK\x03\x04 pas un vrai zip")
    result = run("import-interview", "entretiens-elus-cadres", str(broken), "--interviewee", "X", "--category", "elu")
    assert result.exit_code == 1
    assert result.output == "error: abime.docx is damaged or not a Word (.docx) file — open it and save it again\n"
    assert run("import-interview", "nulle-part", str(broken), "--interviewee", "X", "--category", "elu").exit_code == 1
    store = Store.from_url(f"sqlite:///{tmp_path / 'cli.db'}")
    assert store.interviews("entretiens-elus-cadres") == []


def test_seed_on_a_grid_makes_synthetic_interviews_with_names_from_the_lists_and_coded_passages(
        run, tmp_path: Path) -> None:  # noqa: ANN001
    run("load", str(EXAMPLE))
    result = run("seed", "entretiens-elus-cadres", "-n", "4", "--seed", "7")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("4 synthetic interview(s) stored for the grid entretiens-elus-cadres")
    store = Store.from_url(f"sqlite:///{tmp_path / 'cli.db'}")
    interviews = store.interviews("entretiens-elus-cadres")
    assert len(interviews) == 4 and all(i.synthetic and i.complete for i in interviews)
    assert store.interviews("entretiens-elus-cadres", include_synthetic=False) == []
    grid = load_document(EXAMPLE)
    notes = " ".join(i.body(f"note:{q.id}") for i in interviews for _, q in grid.questions()).lower()
    names = [n.lower() for n in grid.mission.lists.people + grid.mission.lists.places]  # type: ignore[union-attr]
    assert sum(name in notes for name in names) >= 3
    segments = [s for i in interviews for s in i.segments]
    assert segments and all(s.code_ids and not s.detached for s in segments)
    assert any(s.is_quote and s.text.startswith("«") for s in segments)
    for interview in interviews:
        for segment in interview.segments:
            assert interview.body(segment.slot)[segment.start:segment.end] == segment.text
    real = tmp_path / "entretien.txt"
    real.write_text("Un vrai entretien.", encoding="utf-8")
    run("import-interview", "entretiens-elus-cadres", str(real), "--interviewee", "X", "--category", "agent")
    listed = run("list").output.splitlines()
    assert "entretiens-elus-cadres\tEntretiens avec les élu·es et les cadres" in listed[-1]
    assert listed[-1].endswith("\tinterview grid\tcurrent=2026.1\tinterviews=1")
    assert run("purge-synthetic", "entretiens-elus-cadres").output == (
        "4 synthetic interview(s) of the grid entretiens-elus-cadres deleted\n")
    assert [i.synthetic for i in store.interviews("entretiens-elus-cadres")] == [False]


# --- every problem put into a valid grid is reported, all in one pass --------------------------------------------

INJECTIONS = ("dup_theme", "dup_question", "dup_code", "no_consent", "bad_duration", "unknown_parent")
EXPECTED = {"dup_theme": "GRID_DUPLICATE", "dup_question": "GRID_DUPLICATE", "dup_code": "GRID_DUPLICATE",
            "no_consent": "NO_CONSENT", "bad_duration": "BAD_DURATION", "unknown_parent": "CODE_PARENT"}


@st.composite
def grid_documents(draw: st.DrawFn) -> dict:
    """A valid grid document: 2–4 themes of 1–3 questions, a codebook of 2–6 codes, some nested."""
    themes = [{"id": f"theme{i}", "title": f"Thème {i}", "duration": draw(st.integers(1, 240)),
               "questions": [{"id": f"q{i}_{j}", "text": f"Question {i}.{j} ?",
                              "prompts": [f"Relance {k}" for k in range(draw(st.integers(0, 2)))]}
                             for j in range(draw(st.integers(1, 3)))]} for i in range(draw(st.integers(2, 4)))]
    codes = []
    for k in range(draw(st.integers(2, 6))):
        code = {"code": f"c{k}", "label": f"Code {k}", "definition": "D.", "example": "« E. »"}
        if codes and draw(st.booleans()):
            parent = draw(st.sampled_from(codes))
            code["code"] = f"{parent['code']}.s{k}"
            parent.setdefault("children", []).append(code)
        else:
            codes.append(code)
    return {"kind": "interview", "id": "grille", "version": "1", "title": "Grille", "privacy_notice": "P.",
            "profile": {"categories": [{"code": "elu", "label": "Élu·e"}]},
            "introduction": {"text": "Bonjour.", "consent": "D'accord ?"}, "themes": themes, "codebook": codes}


def _inject(document: dict, injection: str) -> None:
    themes, codes = document["themes"], document["codebook"]
    if injection == "dup_theme":
        themes[-1]["id"] = themes[0]["id"]
    elif injection == "dup_question":
        themes[-1]["questions"][-1]["id"] = themes[0]["questions"][0]["id"]
    elif injection == "dup_code":
        def flat(nodes: list[dict]) -> list[dict]:
            return [c for node in nodes for c in (node, *flat(node.get("children", [])))]

        every = flat(codes)
        every[-1]["code"] = every[0]["code"]
    elif injection == "no_consent":
        del document["introduction"]["consent"]
    elif injection == "bad_duration":
        themes[0]["duration"] = 0
    else:
        codes[0]["parent"] = "inconnu"


@settings(max_examples=60)
@given(grid_documents(), st.sets(st.sampled_from(INJECTIONS)))
def test_every_problem_put_into_a_valid_grid_is_reported_in_one_pass(document: dict, injections: set[str]) -> None:
    assert isinstance(parse_document(yaml.safe_dump(document, allow_unicode=True), "g.yaml"), InterviewGrid)
    for injection in sorted(injections):
        _inject(document, injection)
    text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
    if not injections:
        assert parse_document(text, "g.yaml") == InterviewGrid.model_validate(document)
        return
    with pytest.raises(QuestionnaireInvalid) as caught:
        parse_document(text, "g.yaml")
    found = sorted(p.code for p in caught.value.problems)
    assert found == sorted(EXPECTED[i] for i in injections), caught.value
