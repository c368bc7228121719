"""The Litestar application: settings, store and routes wired together, nothing else."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from litestar import Litestar, get
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.di import Provide
from litestar.exceptions import HTTPException
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from survey import datasets
from survey.errors import QuestionnaireInvalid
from survey.gdpr import RetentionSchedule
from survey.job_queues import make_jobs
from survey.settings import Settings
from survey.store import Store, VersionConflict
from survey.store_invitations import InvitationClosed
from survey.web.api import api_router, openapi_config
from survey.web.audit import AuditController
from survey.web.auth import AuthController
from survey.web.entry import EntryController
from survey.web.errors import http_error, server_error
from survey.web.form_state import FormSigner
from survey.web.gdpr_pages import ErasureController, QuotaFullController
from survey.web.grids import GridsController
from survey.web.headers import security_headers
from survey.web.interviews import InterviewsController
from survey.web.invitation_links import InvitationLinkController, invitation_closed
from survey.web.invitations import InvitationsController
from survey.web.login_guard import LoginGuard
from survey.web.logins import LoginLocksController
from survey.web.pages import Services
from survey.web.preview import PreviewController
from survey.web.publish import PublishController
from survey.web.publishing import BrandingController
from survey.web.register_page import RegisterController
from survey.web.respond import RespondController
from survey.web.responses import ResponsesController
from survey.web.staff import StaffController
from survey.web.tokens import TokensController

log = logging.getLogger("survey")
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def load_questionnaire_dir(store: Store, folder: Path) -> list[str]:
    """Load every questionnaire and interview grid file of a folder; return the problems instead of stopping at
    the first."""
    from survey.schema import InterviewGrid, load_document
    from survey.store_interviews import InterviewError

    problems: list[str] = []
    for path in sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml")):
        try:
            document = load_document(path)
            if isinstance(document, InterviewGrid):
                store.load_grid(document, source=str(path))
            else:
                store.load(document, source=str(path))
        except QuestionnaireInvalid as exc:
            problems.extend(str(p) for p in exc.problems)
        except (VersionConflict, InterviewError) as exc:
            problems.append(str(exc))
    return problems


@get("/", include_in_schema=False)
async def home() -> Redirect:
    return Redirect("/staff", status_code=303)


@get("/healthz", include_in_schema=False)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def create_app(settings: Settings, store: Store | None = None, load_questionnaires: bool = True) -> Litestar:
    """Build the app on `settings`; migrate the database and load the questionnaire folder first."""
    store = store or Store.from_url(settings.database_url)
    store.migrate()
    if load_questionnaires and settings.questionnaires_dir.is_dir():
        problems = load_questionnaire_dir(store, settings.questionnaires_dir)
        if problems:
            # An invalid file is refused; the others are served, and stored responses are untouched.
            for problem in problems:
                log.error("questionnaire refused: %s", problem)
    secret = settings.secret_key or store.secret_key()

    jobs = make_jobs(settings, store)
    retention = RetentionSchedule(store, settings)  # deletes what missions' retention periods no longer cover
    services = Services(store=store, signer=FormSigner(secret, settings.form_days * 86400), settings=settings,
                        jobs=jobs)

    def provide_services() -> Services:
        return services

    return Litestar(
        route_handlers=[home, healthz, RespondController, AuthController, StaffController, PreviewController,
                        LoginLocksController, AuditController, ResponsesController, InterviewsController,
                        EntryController, GridsController, TokensController, PublishController, BrandingController,
                        InvitationsController, InvitationLinkController, QuotaFullController, ErasureController,
                        RegisterController, api_router(),
                        create_static_files_router(path="/static", directories=[STATIC_DIR], name="static",
                                                   include_in_schema=False)],
        dependencies={"services": Provide(provide_services, sync_to_thread=False)},
        csrf_config=CSRFConfig(secret=secret, cookie_secure=settings.secure_cookies, cookie_httponly=True,
                               cookie_samesite="lax"),
        exception_handlers={HTTPException: http_error, InvitationClosed: invitation_closed, Exception: server_error},
        request_max_body_size=settings.max_body_bytes,  # beyond it: 413, rendered by http_error
        state=State({"store": store, "settings": settings,
                     "login_guard": LoginGuard.from_settings(store, settings, secret)}),
        before_send=[security_headers(settings.secure_cookies)],
        # Take up jobs a restart left queued; build large questionnaires' coded tables before anyone asks.
        # Expire forms in progress left too long (`survey purge-forms` does it too, on a schedule).
        on_startup=[jobs.queue.start, lambda: datasets.warm_up(store),
                    lambda: store.expire_forms(dt.timedelta(days=settings.form_days)), retention.start],
        # Let a running job finish its file, close the queue's connections; end the retention checks.
        on_shutdown=[jobs.queue.stop, retention.stop],
        openapi_config=openapi_config(),  # /schema and /schema/openapi.json describe the API (survey/web/api/)
        include_in_schema=False,  # pages are not part of the API: only the API's router opts back in
        debug=False,
    )


def asgi_app_from_environment() -> Litestar:
    """Entry point for ASGI servers: `uvicorn --factory survey.web.app:asgi_app_from_environment`."""
    return create_app(Settings())


