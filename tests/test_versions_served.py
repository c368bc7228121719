"""A version shown to a respondent never changes: forms in progress finish on it, its codes keep their meaning."""

from __future__ import annotations

import textwrap
from importlib import resources
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from litestar.testing import TestClient
from sqlalchemy import event, text

from survey.access import Role
from survey.anonymise import anonymise
from survey.schema import load_questionnaire
from survey.store import Store, VersionConflict
from tests.conftest import (
    DATABASES,
    _postgres_store,
    add_staff,
    login,
    make_client,
    submit,
)

QID = "consultation-parc"
FILE = textwrap.dedent("""\
    id: consultation-parc
    version: "1"
    title: Consultation sur le réaménagement du parc
    privacy_notice: Vos réponses sont anonymes et conservées 12 mois.
    disclosure:
      submitted_date: none
      version: none
    pages:
      - id: avis
        questions:
          - name: position
            type: single_choice
            label: Êtes-vous pour ou contre le projet ?
            disclosure: none
            required: true
            choices:
              - {code: pour, label: Pour}
              - {code: contre, label: Contre}
      - id: usage
        questions:
          - name: visite
            type: yes_no
            label: Êtes-vous allé·e au parc cette année ?
            disclosure: none
    """)


def _write(folder: Path, content: str) -> Path:
    """The questionnaire file in `folder`, as the evaluator saved it."""
    folder.mkdir(exist_ok=True)
    path = folder / f"{QID}.yaml"
    path.write_text(content, encoding="utf-8")
    return path


def _reload(store: Store, folder: Path, content: str) -> str:
    """`survey load` on an edited file."""
    path = _write(folder, content)
    return store.load(load_questionnaire(path), source=str(path))


def _post(client: TestClient, html: str, fields: list[tuple[str, str]]):  # noqa: ANN202
    """Post a page; follow the redirect to the next page (not the one to the thanks page)."""
    response = submit(client, html, fields, follow_redirects=False)
    if response.status_code == 303 and "/f/" in response.headers["location"]:
        return client.get(response.headers["location"])
    return response


def _served_at(store: Store, label: str) -> object:
    with store.engine.connect() as conn:
        return conn.execute(text("SELECT served_at FROM questionnaire_version WHERE questionnaire_id = :q "
                                 "AND version = :v"), {"q": QID, "v": label}).scalar_one()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """The questionnaires folder the app loads at start, holding FILE."""
    _write(tmp_path / "questionnaires", FILE)
    return tmp_path / "questionnaires"


def test_a_form_started_before_a_reload_finishes_on_its_version_and_its_code_keeps_its_meaning(
        store: Store, folder: Path, tmp_path: Path) -> None:
    with make_client(store, tmp_path, folder) as client:
        first = client.get(f"/s/{QID}")
        assert first.status_code == 200 and "Contre" in first.text
        second = _post(client, first.text, [("position", "contre")])
        assert second.status_code == 200, second.text
        # Meanwhile the evaluator drops "contre", adds "abstention" and reloads: a new version, not a replacement.
        edited = FILE.replace("- {code: contre, label: Contre}", "- {code: abstention, label: Abstention}")
        assert _reload(store, folder, edited) == "versioned"
        assert store.current(QID).questionnaire.version == "1+2"  # type: ignore[union-attr]
        done = _post(client, second.text, [("visite", "1")])
        assert done.status_code == 303, done.text
        newcomer = client.get(f"/s/{QID}").text  # the form is sent: a new one, on the new version
        assert "Abstention" in newcomer and "Contre" not in newcomer
    [response] = list(store.responses(QID))
    assert response.version == "1"
    assert response.answers["position"] == "contre"
    versions = store.versions(QID)
    assert [choice.code for choice in versions["1"].question("position").choices] == ["pour", "contre"]
    current = store.current(QID).questionnaire  # type: ignore[union-attr]
    for labels, expected in ((None, "contre"), ("fr", "Contre")):
        table = anonymise(current, store.responses(QID), versions=versions, labels=labels)
        [row] = [dict(zip(table.header, values, strict=True)) for values in table.rows]
        assert (row["version"], row["position"]) == ("1", expected)


def test_a_served_version_whose_labels_are_swapped_is_refused(store: Store, folder: Path, tmp_path: Path) -> None:
    with make_client(store, tmp_path, folder) as client:
        assert client.get(f"/s/{QID}").status_code == 200  # someone is answering; nobody has finished
    swapped = FILE.replace("{code: pour, label: Pour}", "{code: pour, label: Contre}").replace(
        "{code: contre, label: Contre}", "{code: contre, label: Pour}")
    with pytest.raises(VersionConflict) as caught:
        _reload(store, folder, swapped)
    message = str(caught.value)
    assert f"{folder / QID}.yaml: question 'position': code `pour` meant “Pour” in version 1 " \
           "(0 response(s), already shown to respondents) and now means “Contre”" in message
    assert "code `contre` meant “Contre”" in message and "give the new meaning a new code" in message
    assert store.listing(QID).versions == ["1"]  # type: ignore[union-attr]
    assert store.current(QID).questionnaire.question("position").choices[0].label == "Pour"  # type: ignore[union-attr]


def test_a_version_never_shown_is_replaced_in_place_and_a_staff_preview_does_not_count(
        store: Store, folder: Path, tmp_path: Path) -> None:
    with make_client(store, tmp_path, folder) as client:
        login(client, add_staff(store, "evaluatrice@example.fr", Role.ADMIN))
        preview = client.get(f"/staff/q/{QID}/preview")
        assert preview.status_code == 200 and "Contre" in preview.text
        assert _served_at(store, "1") is None
        assert _reload(store, folder, FILE.replace("réaménagement", "projet")) == "updated"
        assert _reload(store, folder, FILE.replace("réaménagement", "projet")) == "unchanged"
        assert client.get(f"/s/{QID}").status_code == 200
        assert _served_at(store, "1") is not None
        assert _reload(store, folder, FILE.replace("réaménagement", "nouveau projet")) == "versioned"
    assert store.listing(QID).versions == ["1", "1+2"]  # type: ignore[union-attr]
    assert store.versions(QID)["1"].title == "Consultation sur le projet du parc"


def test_a_version_is_marked_served_once_per_process(store: Store, folder: Path, tmp_path: Path) -> None:
    marks: list[str] = []

    @event.listens_for(store.engine, "before_cursor_execute")
    def _count(conn, cursor, statement, parameters, context, executemany) -> None:  # noqa: ANN001
        if "served_at" in statement and statement.lstrip().upper().startswith("UPDATE"):
            marks.append(statement)

    with make_client(store, tmp_path, folder) as client:
        for _ in range(4):
            assert client.get(f"/s/{QID}").status_code == 200
        assert client.get(f"/s/{QID}?lang=en").status_code == 200
    assert len(marks) == 1
    first = _served_at(store, "1")
    other_process = Store(store.engine)  # its own memory, the same database
    other_process.mark_served(store.current(QID).version_id)  # type: ignore[union-attr]
    assert len(marks) == 2 and _served_at(store, "1") == first, "the first time served is kept"
    event.remove(store.engine, "before_cursor_execute", _count)


def test_a_version_replaced_by_another_process_before_its_first_form_is_served_as_stored(
        store: Store, folder: Path) -> None:
    server = Store(store.engine)  # the server process, with its own copy of the version in memory
    server.load(load_questionnaire(_write(folder, FILE)))
    kept = server.current(QID)
    assert kept.questionnaire.title == "Consultation sur le réaménagement du parc"  # type: ignore[union-attr]
    assert _reload(store, folder, FILE.replace("réaménagement", "projet")) == "updated"  # `survey load`, never served
    server.mark_served(kept.version_id)  # type: ignore[union-attr]
    assert server.version(kept.version_id).questionnaire.title == "Consultation sur le projet du parc"  # type: ignore[union-attr]
    assert _reload(store, folder, FILE) == "versioned"


@pytest.mark.parametrize("database", DATABASES)
def test_versions_stored_before_migration_0002_count_as_served(database: str, tmp_path: Path) -> None:
    old = _postgres_store() if database == "postgresql" else Store.from_url(f"sqlite:///{tmp_path / 'old.db'}")
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("survey") / "migrations"))
    with old.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(text("INSERT INTO mission (id, name, client) VALUES ('default', 'Mission', '')"))
        conn.execute(text("INSERT INTO questionnaire (id, mission_id, title) VALUES (:q, 'default', 'T')"), {"q": QID})
        for version_id, loaded_at in ((1, "2026-01-01 09:00:00"), (2, "2026-02-01 09:00:00")):
            conn.execute(text("INSERT INTO questionnaire_version (id, questionnaire_id, version, definition, "
                              "content_hash, source, loaded_at) VALUES (:id, :q, :v, '{}', 'h', '', :at)"),
                         {"id": version_id, "q": QID, "v": str(version_id), "at": loaded_at})
        for key, submitted_at in (("a", "2026-01-09 10:00:00"), ("b", "2026-01-05 10:00:00")):
            conn.execute(text("INSERT INTO response (version_id, submission_key, submitted_at, answers) "
                              "VALUES (1, :k, :at, '{}')"), {"k": key, "at": submitted_at})
    old.migrate()
    with old.engine.connect() as conn:
        served = conn.execute(text("SELECT id, served_at FROM questionnaire_version ORDER BY id")).all()
    # answered: at its first response; unanswered: when loaded (a server may have been showing it)
    assert [(i, str(at)[:16]) for i, at in served] == [(1, "2026-01-05 10:00"), (2, "2026-02-01 09:00")]
    old.engine.dispose()
