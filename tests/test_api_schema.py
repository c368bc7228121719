"""Schemathesis over the API's own OpenAPI schema: no server error, and every answer matches what the schema says.

Each generated request is sent twice: as generated (mostly unknown ids: 404s, 422s) and with its path pointing
at real things — a questionnaire with responses, its version, a finished export — so that the 200 answers are
checked against their schemas too. Kept small (a few examples per operation) so the whole file runs in seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from schemathesis import GenerationMode, checks
from schemathesis.specs.openapi import checks as openapi_checks

from survey.access import Role
from survey.settings import Settings
from survey.store import Store
from survey.web.app import create_app
from tests.conftest import DATABASES, _postgres_store, add_staff
from tests.test_api import ANSWERS, A, store_answers, write_questionnaire

CHECKS = [checks.not_a_server_error, openapi_checks.status_code_conformance,
          openapi_checks.content_type_conformance, openapi_checks.response_headers_conformance,
          openapi_checks.response_schema_conformance]
# Not `negative_data_rejection`: it counts an unknown query parameter as invalid, which the API ignores as HTTP
# servers do; invalid bodies and parameters getting 422 is tested in test_api.py.


class Target:
    """The app under test, a token acting as an admin, and the ids of real things to point requests at."""

    def __init__(self, app: Litestar, token: str, real: dict[str, str]):
        self.app, self.headers, self.real = app, {"Authorization": f"Bearer {token}"}, real


@pytest.fixture(scope="module", params=DATABASES)
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    folder = tmp_path_factory.mktemp("schemathesis")
    questionnaires = folder / "questionnaires"
    questionnaires.mkdir()
    write_questionnaire(questionnaires, A)
    store = _postgres_store() if request.param == "postgresql" else Store.from_url(f"sqlite:///{folder / 'api.db'}")
    app = create_app(Settings(database_url="sqlite://unused", questionnaires_dir=questionnaires,
                              secret_key="test-secret", export_dir=folder / "exports"), store=store)
    store_answers(store, A, ANSWERS)
    add_staff(store, "admin@example.fr", Role.ADMIN)
    _token_id, token = store.add_token(store.user_id("admin@example.fr"), "schemathesis")  # type: ignore[arg-type]
    owner = store.user_id("admin@example.fr")
    job_id = store_job(store, folder / "exports", owner)  # type: ignore[arg-type]
    yield Target(app, token, {"questionnaire_id": A, "label": "1", "job_id": job_id})
    store.engine.dispose()


def store_job(store: Store, exports: Path, owner: int) -> str:
    """A finished export job with its zip, as the runner leaves one."""
    from survey.job_store import JobStore
    from survey.jobs import JobRunner

    jobs = JobStore(store.engine)
    job_id = jobs.create("export", A, {"format": "csv", "labels": None, "language": "fr"}, owner)
    JobRunner(store, jobs, exports).run(job_id)
    assert jobs.get(job_id).status == "done"  # type: ignore[union-attr]
    return job_id


def takes_input(operation) -> bool:  # noqa: ANN001 - a schemathesis APIOperation
    """A request body or a query parameter: something a client can get wrong beyond an unknown id."""
    return operation.body is not None and len(operation.body) > 0 or any(
        parameter.location == "query" for parameter in operation.iter_parameters())


def test_every_answer_matches_the_schema_and_none_is_a_server_error(target: Target) -> None:
    # Operation by operation with Hypothesis directly: schemathesis' pytest plugin (`from_fixture`) does not run
    # on pytest 9.
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", target.app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:
        # Valid requests, and invalid ones (wrong types, unknown enum values, missing fields) that must be refused
        # with a 4xx; operations that take no input have no invalid request.
        modes = [GenerationMode.POSITIVE, *([GenerationMode.NEGATIVE] if takes_input(operation) else [])]

        @given(case=st.one_of(*(operation.as_strategy(mode) for mode in modes)))
        @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        def answers_match(case) -> None:  # noqa: ANN001
            case.call_and_validate(headers=target.headers, checks=CHECKS)
            if case.path_parameters:  # the same request about real things: 200s are checked too
                case.path_parameters = {name: target.real.get(name, value)
                                        for name, value in case.path_parameters.items()}
                case.call_and_validate(headers=target.headers, checks=CHECKS)

        answers_match()
